"""Drift: the database compared with what the migrations declare, as Postgres reports it."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import admin, run_toolkit
from toolkit.local import LocalStack


def _applied(stack: LocalStack, db: str) -> None:
    assert run_toolkit("apply", env={"SUPABASE_DB_URL": db}).code == 0


def test_each_kind_of_drift_is_named(stack: LocalStack, db: str) -> None:
    _applied(stack, db)
    with admin(stack, db) as conn:
        conn.execute("alter table agent_metrics drop column unit")
        conn.execute("drop index agent_tasks_agent_id_idx")
        conn.execute("alter table agent_logs alter column message drop not null")
        conn.execute("alter table agent_logs drop constraint agent_logs_level_check")
        conn.execute("alter table agent_status disable row level security")
        conn.execute("alter table agent_tools alter column description type varchar(20)")
        conn.execute("alter table approval_history drop constraint "
                     "approval_history_approval_id_fkey, add constraint approval_history_fk "
                     "foreign key (approval_id) references approvals_queue (id) on delete restrict")
        conn.execute("alter table agent_analytics drop constraint agent_analytics_pkey")
        conn.execute("alter table agent_permissions add column extra text")
    result = run_toolkit("check", "--json", env={"SUPABASE_DB_URL": db})
    assert result.code == 1
    tables = {t["name"]: t for t in result.json["tables"]}
    drifted = {n for n, t in tables.items() if t["database"] == "drifted"}
    assert drifted == {"agent_metrics", "agent_tasks", "agent_logs", "agent_status",
                       "agent_tools", "approval_history", "agent_analytics", "agent_permissions"}
    messages = [p["message"] for p in result.json["problems"]]
    for expected in (
        'agent_metrics: column "unit" missing',
        "agent_tasks: index on (agent_id) missing (agent_tasks_agent_id_idx)",
        'agent_logs: column "message" is nullable, expected NOT NULL',
        "agent_logs: check on (level): CHECK ((level = ANY (ARRAY['debug'::text, 'info'::text, "
        "'warning'::text, 'error'::text, 'critical'::text]))) missing",
        "agent_status: row level security is disabled",
        'agent_tools: column "description" is character varying(20), expected text',
        "approval_history: foreign key (approval_id) -> approvals_queue(id) is ON DELETE "
        "RESTRICT, expected ON DELETE CASCADE",
        "agent_analytics: primary key is (none), expected (id)",
        'agent_permissions: column "extra" not in the migrations',
    ):
        assert expected in messages, (expected, messages)


def test_normalised_types_are_not_drift(stack: LocalStack, db: str) -> None:
    """timestamptz in the file is `timestamp with time zone` in the catalog: the same."""
    _applied(stack, db)
    result = run_toolkit("check", "--json", env={"SUPABASE_DB_URL": db})
    assert result.code == 0, result.output
    assert not [p for p in result.json["problems"] if p["level"] == "warning"]


def test_changed_file_after_apply_is_reported(stack: LocalStack, db: str,
                                              migrations_copy: Path) -> None:
    env = {"SUPABASE_DB_URL": db, "TOOLKIT_MIGRATIONS_DIR": str(migrations_copy)}
    assert run_toolkit("apply", env=env).code == 0
    f = next(migrations_copy.glob("*.sql"))
    # Whitespace and comments are not a change...
    f.write_text("-- reformatted\n" + f.read_text().replace("    ", "  "))
    same = run_toolkit("check", "--json", env=env)
    assert not any("changed after it was applied" in p["message"]
                   for p in same.json["problems"])
    # ...a different value is.
    f.write_text(f.read_text().replace("'urgent'", "'critical'"))
    changed = run_toolkit("check", "--json", env=env)
    assert any(f"{f.name} changed after it was applied" in p["message"]
               for p in changed.json["problems"])
