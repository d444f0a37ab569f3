"""apply refuses, with exit 3 and nothing created, when the database is not ready."""

from __future__ import annotations

from tests.conftest import NEW_TABLES, admin, run_toolkit
from toolkit.local import LocalStack


def _new_tables(stack: LocalStack, db: str) -> list[str]:
    with admin(stack, db) as conn:
        rows = conn.execute("select relname from pg_class where relname = any(%s)",
                            [NEW_TABLES]).fetchall()
        history = conn.execute(
            "select to_regclass('supabase_migrations.schema_migrations') is not null").fetchone()
    assert history is not None
    return [r[0] for r in rows] + (["(history table)"] if history[0] else [])


def test_no_agents_table(stack: LocalStack, db: str) -> None:
    with admin(stack, db) as conn:
        conn.execute("drop table agents")
    env = {"SUPABASE_DB_URL": db}
    check = run_toolkit("check", "--json", env=env)
    assert check.code == 3
    pre = {p["name"]: p for p in check.json["preconditions"]}
    assert pre["agents"]["ok"] is False
    assert "does not exist" in pre["agents"]["detail"]
    result = run_toolkit("apply", env=env)
    assert result.code == 3, result.output
    assert "refusing to apply: agents" in result.stdout
    assert _new_tables(stack, db) == []


def test_agents_id_bigint(stack: LocalStack, db: str) -> None:
    with admin(stack, db) as conn:
        conn.execute("drop table agents")
        conn.execute("create table agents (id bigint generated always as identity primary key, "
                     "name text)")
    result = run_toolkit("apply", "--json", env={"SUPABASE_DB_URL": db})
    assert result.code == 3, result.output
    pre = {p["name"]: p for p in result.json["preconditions"]}
    assert "agents.id is bigint" in pre["agents"]["detail"]
    assert _new_tables(stack, db) == []


def test_agents_id_not_unique(stack: LocalStack, db: str) -> None:
    with admin(stack, db) as conn:
        conn.execute("drop table agents")
        conn.execute("create table agents (id uuid, name text)")
    result = run_toolkit("apply", env={"SUPABASE_DB_URL": db})
    assert result.code == 3
    assert "neither a primary key nor unique" in result.stdout


def test_no_uuid_ossp_refuses_without_flag(stack: LocalStack, db: str) -> None:
    with admin(stack, db) as conn:
        conn.execute("alter table agents alter column id drop default")
        conn.execute('drop extension "uuid-ossp"')
    env = {"SUPABASE_DB_URL": db}
    result = run_toolkit("apply", env=env)
    assert result.code == 3, result.output
    assert "uuid-ossp" in result.stdout and "--enable-extensions" in result.stdout
    assert _new_tables(stack, db) == []
    with admin(stack, db) as conn:
        assert conn.execute(
            "select count(*) from pg_extension where extname = 'uuid-ossp'").fetchone() == (0,)


def test_no_uuid_ossp_with_enable_extensions(stack: LocalStack, db: str) -> None:
    with admin(stack, db) as conn:
        conn.execute("alter table agents alter column id drop default")
        conn.execute('drop extension "uuid-ossp"')
    result = run_toolkit("apply", "--enable-extensions", env={"SUPABASE_DB_URL": db})
    assert result.code == 0, result.output
    with admin(stack, db) as conn:
        schema = conn.execute(
            "select n.nspname from pg_extension e join pg_namespace n on n.oid = e.extnamespace "
            "where e.extname = 'uuid-ossp'").fetchone()
        assert schema == ("extensions",)
    assert len(_new_tables(stack, db)) == 12


def test_uuid_ossp_in_public(stack: LocalStack, db: str) -> None:
    """Older projects created the extension by hand in public; that must work too."""
    with admin(stack, db) as conn:
        conn.execute("alter table agents alter column id drop default")
        conn.execute('drop extension "uuid-ossp"')
        conn.execute('create extension "uuid-ossp" with schema public')
    env = {"SUPABASE_DB_URL": db}
    check = run_toolkit("check", "--json", env=env)
    pre = {p["name"]: p for p in check.json["preconditions"]}
    assert pre["uuid-ossp"] == {"name": "uuid-ossp", "ok": True,
                                "detail": "installed in schema public"}
    # ok, with the Supabase advisors' note and how to move it
    assert any(p["kind"] == "advisor" and "extension_in_public" in p["message"]
               and 'alter extension "uuid-ossp" set schema extensions' in p["message"]
               for p in check.json["problems"])
    result = run_toolkit("apply", env=env)
    assert result.code == 0, result.output
    with admin(stack, db) as conn:
        conn.execute("insert into agent_tools (agent_id, tool_name) "
                     "select id, 'search' from agents limit 1")
        assert conn.execute("select count(*) from agent_tools").fetchone() == (1,)
