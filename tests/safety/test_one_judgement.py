"""One judgement for every command: what check calls not ok, apply never calls ok, and the
reasons given are the true ones. Real database, real PostgREST."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import admin, run_toolkit
from toolkit.local import ApiHandle, LocalStack


def test_check_without_a_database_url_is_not_ok(db: str, api: ApiHandle) -> None:
    assert run_toolkit("apply", "--no-verify", env={"SUPABASE_DB_URL": db}).code == 0
    rest = {"SUPABASE_URL": api.api_url, "SUPABASE_SERVICE_ROLE_KEY": api.service_role_key}
    check = run_toolkit("check", "--json", env=rest)
    assert check.code == 1, check.output
    assert "not judged in the database: no database URL" in check.json["reason"]
    assert all(t["rest"] == "present" for t in check.json["tables"])
    # verify is the REST view: OK, and the functional test says truly why it did not run.
    verify = run_toolkit("verify", "--json", env=rest)
    assert verify.code == 0, verify.output
    notes = verify.json["notes"]
    assert any("functional test skipped: it needs SUPABASE_DB_URL" in n for n in notes), notes
    assert not any("do not declare the agent tables" in n for n in notes)


def test_a_version_without_a_local_file_fails_check_and_apply_alike(stack: LocalStack,
                                                                    db: str) -> None:
    env = {"SUPABASE_DB_URL": db}
    assert run_toolkit("apply", "--no-verify", env=env).code == 0
    with admin(stack, db) as conn:
        conn.execute("insert into supabase_migrations.schema_migrations (version, name) "
                     "values ('20261130000000', 'from_another_branch')")
    check = run_toolkit("check", "--json", env=env)
    apply = run_toolkit("apply", "--json", "--no-verify", env=env)
    assert (check.code, apply.code) == (1, 1), (check.output, apply.output)
    for result in (check, apply):
        assert "Remote migration versions not found" in result.json["reason"]
    assert "nothing pending" not in apply.stdout


def test_after_a_failed_apply_apply_and_check_agree(db: str, migrations_copy: Path) -> None:
    env = {"SUPABASE_DB_URL": db}
    args = ("--json", "--no-verify", "--migrations-dir", str(migrations_copy))
    assert run_toolkit("apply", *args, env=env).code == 0
    (migrations_copy / "20261201000010_half.sql").write_text(
        "alter table public.agent_tasks add column extra integer;\nselect 1/0;\n")
    apply = run_toolkit("apply", *args, env=env)
    assert apply.code == 1, apply.output
    check = run_toolkit("check", "--json", "--migrations-dir", str(migrations_copy), env=env)
    assert check.code == 1
    views = [{t["name"]: t["database"] for t in r.json["tables"]} for r in (apply, check)]
    assert views[0]["agent_tasks"] == views[1]["agent_tasks"] == "pending", views
    assert views[0] == views[1]
