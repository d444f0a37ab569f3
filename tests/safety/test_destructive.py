"""A pending file that deletes or drops data the database holds stops apply before any DDL:
it runs only on a yes at a terminal or with --allow-destructive, and plan says the same."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, SHADOW, admin, run_toolkit
from tests.reliability.helpers import child_env, one_line_error
from toolkit.local import LocalStack

VERSION = "20261201000009"


def _agents(stack: LocalStack, db: str) -> int:
    with admin(stack, db) as conn:
        row = conn.execute("select count(*) from public.agents").fetchone()
    assert row is not None
    return int(row[0])


def _recorded(stack: LocalStack, db: str) -> bool:
    with admin(stack, db) as conn:
        row = conn.execute("select count(*) from supabase_migrations.schema_migrations "
                           "where version = %s", [VERSION]).fetchone()
    return row == (1,)


def _pending(migrations: Path, sql: str) -> Path:
    path = migrations / f"{VERSION}_destructive.sql"
    path.write_text(sql)
    return path


def test_delete_is_refused_then_allowed(stack: LocalStack, db: str,
                                        migrations_copy: Path) -> None:
    env = {"SUPABASE_DB_URL": db}
    args = ("--no-verify", "--migrations-dir", str(migrations_copy))
    assert run_toolkit("apply", *args, env=env).code == 0
    rows = _agents(stack, db)
    assert rows > 0
    _pending(migrations_copy, "create table public.kept (id bigint primary key);\n"
             "delete from public.agents;\n")
    refused = run_toolkit("apply", *args, env=env)
    assert refused.code == 3, refused.output
    line = one_line_error(refused.stderr)
    what = f"{VERSION}_destructive.sql:2 deletes every row of agents ({rows} rows)"
    assert what in line and "--allow-destructive" in line, line
    assert _agents(stack, db) == rows and not _recorded(stack, db)
    with admin(stack, db) as conn:  # stopped before any DDL: the file's first table too
        assert conn.execute("select to_regclass('public.kept')").fetchone() == (None,)
    # plan names the same loss in the same words.
    plan = run_toolkit("plan", "--json", "--migrations-dir", str(migrations_copy), env=env)
    notes = [w["message"] for p in plan.json["planned"] for w in p["warnings"]]
    assert any(what in n for n in notes), notes
    allowed = run_toolkit("apply", "--json", "--allow-destructive", *args, env=env)
    assert allowed.code == 0, allowed.output
    assert any(what in n for n in allowed.json["notes"]), allowed.json["notes"]
    assert _agents(stack, db) == 0 and _recorded(stack, db)


def test_drop_cascade_is_refused_in_json_too(stack: LocalStack, db: str,
                                             migrations_copy: Path) -> None:
    env = {"SUPABASE_DB_URL": db}
    args = ("--no-verify", "--migrations-dir", str(migrations_copy))
    assert run_toolkit("apply", *args, env=env).code == 0
    rows = _agents(stack, db)
    _pending(migrations_copy, "drop table public.agents cascade;\n")
    refused = run_toolkit("apply", "--json", *args, env=env)
    assert refused.code == 3, refused.output
    assert refused.json["ok"] is False
    assert f"drops table agents ({rows} rows)" in refused.json["error"]
    assert _agents(stack, db) == rows and not _recorded(stack, db)


def test_nothing_lost_nothing_asked(stack: LocalStack, db: str, migrations_copy: Path) -> None:
    """DROP TABLE IF EXISTS of what is not there, or of an empty table, loses nothing."""
    env = {"SUPABASE_DB_URL": db}
    args = ("--no-verify", "--migrations-dir", str(migrations_copy))
    _pending(migrations_copy, "drop table if exists public.never_there;\n"
             "truncate public.agent_logs;\n")
    done = run_toolkit("apply", *args, env=env)
    assert done.code == 0, done.output
    assert _recorded(stack, db)


def test_terminal_answer_no(stack: LocalStack, db: str, migrations_copy: Path) -> None:
    env = {"SUPABASE_DB_URL": db}
    args = ("--no-verify", "--migrations-dir", str(migrations_copy))
    assert run_toolkit("apply", *args, env=env).code == 0
    rows = _agents(stack, db)
    _pending(migrations_copy, "truncate public.agents cascade;\n")
    parent, child = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "toolkit", "apply", *args], cwd=ROOT,
                            env=child_env({**SHADOW, **env}), stdin=child, stdout=child,
                            stderr=child)
    os.close(child)
    seen = b""
    while b"Apply anyway?" not in seen:
        chunk = os.read(parent, 4096)
        assert chunk, seen
        seen += chunk
    assert f"empties agents ({rows} rows)".encode() in seen, seen
    os.write(parent, b"n\n")
    assert proc.wait(timeout=60) == 4
    os.close(parent)
    assert _agents(stack, db) == rows and not _recorded(stack, db)


def test_drop_column_and_drop_schema_cascade_are_counted(stack: LocalStack, db: str,
                                                         migrations_copy: Path) -> None:
    env = {"SUPABASE_DB_URL": db}
    args = ("--no-verify", "--migrations-dir", str(migrations_copy))
    assert run_toolkit("apply", *args, env=env).code == 0
    with admin(stack, db) as conn:
        conn.execute("insert into agent_tasks (agent_id, title) select id, 't' from agents")
        conn.execute("create schema trash; create table trash.old (id int); "
                     "insert into trash.old values (1), (2); create table trash.empty (id int); "
                     "grant usage on schema trash to public; "
                     "grant select on all tables in schema trash to public")
    rows = _agents(stack, db)
    _pending(migrations_copy, "alter table public.agent_tasks drop column title;\n"
             "drop schema trash cascade;\n")
    refused = run_toolkit("apply", *args, env=env)
    assert refused.code == 3, refused.output
    line = one_line_error(refused.stderr)
    assert f"drops column agent_tasks.title ({rows} non-null values)" in line, line
    assert "drops table trash.old (2 rows)" in line and "trash.empty" not in line, line
    with admin(stack, db) as conn:
        assert conn.execute("select to_regclass('trash.old')").fetchone() != (None,)
