"""`toolkit pull` on the real local stack: changes made by hand on a database (a column with a
default, an index, a new table with identity and RLS, a revoked grant, a comment, a trigger on
auth.users, a policy on storage.objects) come back as one proven migration, recorded as
applied, so check is clean; and the migrations with that file make the same schema on a fresh
project (pg_dump --schema-only)."""

from __future__ import annotations

import difflib
import re
import shutil
import uuid
from pathlib import Path

import psycopg

from tests.conftest import MIGRATIONS, admin, run_toolkit
from tests.corpus.projects import schema_dump
from toolkit.local import LocalStack, create_database, drop_database

HAND_CHANGES = """
alter table public.agent_tasks add column effort integer not null default 3;
create index agent_tasks_effort_idx on public.agent_tasks (effort);
create table public.notes (
    id bigint generated always as identity primary key,
    agent_id uuid not null references public.agents (id) on delete cascade,
    body text not null,
    created_at timestamptz not null default now()
);
create index notes_agent_id_idx on public.notes (agent_id);
alter table public.notes enable row level security;
revoke delete on public.agent_logs from service_role;
comment on table public.agent_tools is 'the tools an agent may call';
create function public.handle_new_user() returns trigger language plpgsql security definer
    set search_path = '' as $$ begin return new; end $$;
create trigger on_auth_user_created after insert on auth.users
    for each row execute function public.handle_new_user();
create policy "avatars are readable" on storage.objects for select to authenticated
    using (bucket_id = 'avatars');
"""
# A statement on agents itself (not a reference to it): the precondition table is not pulled.
ON_AGENTS = re.compile(r'\b(TABLE|ON) "?public"?\."?agents"?(\s|$)')


def _dbname(url: str) -> str:
    return url.rsplit("/", 1)[1].split("?")[0]


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "supabase" / "migrations"
    shutil.copytree(MIGRATIONS, folder)
    return folder


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("*.sql"))


def _hand_changed(db: str, folder: Path) -> None:
    applied = run_toolkit("apply", "--no-verify", "--migrations-dir", str(folder),
                          env={"SUPABASE_DB_URL": db})
    assert applied.code == 0, applied.output
    with psycopg.connect(db, autocommit=True) as conn:  # as postgres, as the dashboard does
        conn.execute(HAND_CHANGES)


def test_pull_captures_hand_changes(stack: LocalStack, db: str, tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _hand_changed(db, folder)
    env = {"SUPABASE_DB_URL": db}
    before = run_toolkit("check", "--migrations-dir", str(folder), env=env)
    assert before.code != 0 or "notes" in before.output, before.output

    pulled = run_toolkit("pull", "-f", "hand_changes", "--yes", "--json",
                         "--migrations-dir", str(folder), env=env, timeout=300)
    assert pulled.code == 0, pulled.output
    doc = pulled.json
    assert doc["changed"] and doc["recorded"], doc
    new = Path(doc["file"])
    assert new.parent == folder and new.name.endswith("_hand_changes.sql")
    sql = new.read_text(encoding="utf-8")
    for expected in ("effort", "agent_tasks_effort_idx", '"notes"', "IDENTITY",
                     "ROW LEVEL SECURITY", "agent_logs", "the tools an agent may call",
                     "on_auth_user_created", "avatars are readable"):
        assert expected in sql, f"{expected} missing from the pulled file:\n{sql}"
    on_agents = [s for s in doc["statements"] if ON_AGENTS.search(s)]
    assert not on_agents, f"the precondition table agents was pulled: {on_agents}"

    with admin(stack, db) as conn:
        row = conn.execute(
            "select name, statements from supabase_migrations.schema_migrations "
            "where version = %s", (doc["version"],)).fetchone()
    assert row is not None and row[0] == "hand_changes" and row[1] == doc["statements"]

    check = run_toolkit("check", "--migrations-dir", str(folder), env=env)
    assert check.code == 0, check.output

    again = run_toolkit("pull", "--yes", "--migrations-dir", str(folder), env=env, timeout=300)
    assert again.code == 0, again.output
    assert "No schema changes" in again.stdout
    assert _files(folder) == sorted([*(p.name for p in MIGRATIONS.glob("*.sql")), new.name])

    fresh = f"f_{uuid.uuid4().hex[:12]}"
    url = create_database(stack, fresh)
    try:
        replayed = run_toolkit("apply", "--no-verify", "--migrations-dir", str(folder),
                               env={"SUPABASE_DB_URL": url})
        assert replayed.code == 0, replayed.output
        ours, theirs = schema_dump(stack, _dbname(db)), schema_dump(stack, fresh)
        assert ours == theirs, "\n".join(difflib.unified_diff(
            ours, theirs, "hand-changed database", "migrations on a fresh project",
            lineterm="", n=2))
    finally:
        drop_database(stack, fresh)


def test_pull_without_yes_outside_a_terminal(db: str, tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _hand_changed(db, folder)
    result = run_toolkit("pull", "--migrations-dir", str(folder),
                         env={"SUPABASE_DB_URL": db})
    assert result.code == 2, result.output
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "--yes" in lines[0], result.stderr
    assert _files(folder) == sorted(p.name for p in MIGRATIONS.glob("*.sql"))


def test_pull_refuses_pending_files(db: str, tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    result = run_toolkit("pull", "--yes", "--migrations-dir", str(folder),
                         env={"SUPABASE_DB_URL": db})
    assert result.code == 3, result.output
    assert "not applied on the target" in result.stderr and "toolkit apply" in result.stderr
    assert _files(folder) == sorted(p.name for p in MIGRATIONS.glob("*.sql"))


def test_pull_nothing_to_pull(db: str, tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    applied = run_toolkit("apply", "--no-verify", "--migrations-dir", str(folder),
                          env={"SUPABASE_DB_URL": db})
    assert applied.code == 0, applied.output
    result = run_toolkit("pull", "--yes", "--json", "--migrations-dir", str(folder),
                         env={"SUPABASE_DB_URL": db}, timeout=300)
    assert result.code == 0, result.output
    assert result.json["changed"] is False and result.json["file"] is None
    assert _files(folder) == sorted(p.name for p in MIGRATIONS.glob("*.sql"))


def test_pull_says_what_it_cannot_capture(stack: LocalStack, db: str, tmp_path: Path) -> None:
    """A table Supabase's profile leaves to the platform (owned by supabase_admin): pg-delta
    writes nothing, toolkit's comparison still sees it, so pull says so (exit 1) rather than
    "no schema changes"; nothing is written or recorded."""
    folder = _copy(tmp_path)
    env = {"SUPABASE_DB_URL": db}
    applied = run_toolkit("apply", "--no-verify", "--migrations-dir", str(folder), env=env)
    assert applied.code == 0, applied.output
    with admin(stack, db) as conn:
        conn.execute("create table public.platform_made (id integer primary key)")
        conn.execute("alter table public.platform_made owner to supabase_admin")
        before = conn.execute("select count(*) from supabase_migrations.schema_migrations"
                              ).fetchone()
    result = run_toolkit("pull", "--yes", "--json", "--migrations-dir", str(folder), env=env,
                         timeout=300)
    assert result.code == 1, result.output
    assert result.json["ok"] is False
    assert "relation public.platform_made: missing" in result.json["differences"]
    assert len([ln for ln in result.stderr.splitlines() if ln.strip()]) == 1
    assert _files(folder) == sorted(p.name for p in MIGRATIONS.glob("*.sql"))
    with admin(stack, db) as conn:
        after = conn.execute("select count(*) from supabase_migrations.schema_migrations"
                             ).fetchone()
    assert after == before
