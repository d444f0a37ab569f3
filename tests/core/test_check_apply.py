"""The core round trip on a real Supabase-shaped database: check, apply, check, apply again."""

from __future__ import annotations

from tests.conftest import ALL_TABLES, NEW_TABLES, admin, run_toolkit
from toolkit.local import LocalStack


def test_fresh_check_apply_check_apply(stack: LocalStack, db: str) -> None:
    env = {"SUPABASE_DB_URL": db}
    first = run_toolkit("check", "--json", env=env)
    assert first.code == 1, first.output
    report = first.json
    assert report["ok"] is False
    assert [t["name"] for t in report["tables"]] == ALL_TABLES
    states = {t["name"]: t["database"] for t in report["tables"]}
    assert states["agents"] == "present"
    assert sorted(n for n, s in states.items() if s == "missing") == sorted(NEW_TABLES)
    assert {t["rest"] for t in report["tables"]} == {"skipped"}
    assert report["pending"] == ["20261126021500"]
    assert {p["name"]: p["ok"] for p in report["preconditions"]} == {
        "agents": True, "uuid-ossp": True}

    applied = run_toolkit("apply", env=env)
    assert applied.code == 0, applied.output
    assert "Applied 20261126021500_agent_tables" in applied.stdout
    assert "11 tables, 16 foreign keys, 15 indexes, RLS on 11 tables" in applied.stdout
    assert "agent_metrics        present" in applied.stdout

    second = run_toolkit("check", "--json", env=env)
    assert second.code == 0, second.output
    assert second.json["ok"] is True
    assert {t["database"] for t in second.json["tables"]} == {"present"}
    assert second.json["pending"] == []

    again = run_toolkit("apply", env=env)
    assert again.code == 0, again.output
    assert "nothing pending" in again.stdout
    with admin(stack, db) as conn:
        rows = conn.execute("select count(*) from supabase_migrations.schema_migrations").fetchone()
        assert rows == (1,)


def test_history_row_has_the_cli_shape(stack: LocalStack, db: str) -> None:
    assert run_toolkit("apply", env={"SUPABASE_DB_URL": db}).code == 0
    with admin(stack, db) as conn:
        cols = conn.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'supabase_migrations' and table_name = 'schema_migrations' "
            "order by ordinal_position").fetchall()
        assert cols == [("version", "text"), ("statements", "ARRAY"), ("name", "text")]
        pk = conn.execute(
            "select a.attname from pg_index i join pg_attribute a on a.attrelid = i.indrelid "
            "and a.attnum = any(i.indkey) where i.indrelid = "
            "'supabase_migrations.schema_migrations'::regclass and i.indisprimary").fetchall()
        assert pk == [("version",)]
        row = conn.execute(
            "select version, name, statements from supabase_migrations.schema_migrations"
        ).fetchone()
    assert row is not None
    version, name, statements = row
    assert (version, name) == ("20261126021500", "agent_tables")
    # One entry per statement, each without its trailing semicolon, as `supabase db push` does.
    assert len(statements) == 38
    assert all(not s.rstrip().endswith(";") for s in statements)
    assert "create table if not exists public.agent_profiles" in statements[0]
    assert statements[-1].startswith("-- Explicit grants")


def test_created_tables_have_keys_indexes_rls_and_grants(stack: LocalStack, db: str) -> None:
    assert run_toolkit("apply", env={"SUPABASE_DB_URL": db}).code == 0
    with admin(stack, db) as conn:
        rls = dict(conn.execute(
            "select relname, relrowsecurity from pg_class where relname = any(%s)",
            [NEW_TABLES]).fetchall())
        assert rls == dict.fromkeys(NEW_TABLES, True)
        # Every foreign key is covered by an index whose leading column is the key.
        uncovered = conn.execute("""
            select c.conrelid::regclass::text, c.conname from pg_constraint c
            where c.contype = 'f' and c.conrelid::regclass::text = any(%s)
              and not exists (select 1 from pg_index i where i.indrelid = c.conrelid
                              and i.indkey[0] = c.conkey[1])""", [NEW_TABLES]).fetchall()
        assert uncovered == []
        grants = conn.execute(
            "select count(*) from information_schema.role_table_grants where grantee = "
            "'service_role' and privilege_type = 'SELECT' and table_name = any(%s)",
            [NEW_TABLES]).fetchone()
        assert grants == (11,)
        fks = conn.execute(
            "select count(*) from pg_constraint where contype = 'f' and confrelid = "
            "'public.agents'::regclass").fetchone()
        assert fks == (10,)


def test_agents_rows_survive_and_are_referenced(stack: LocalStack, db: str) -> None:
    with admin(stack, db) as conn:
        before = conn.execute("select id, name from agents order by id").fetchall()
    assert before, "the local stack seeds agents with rows"
    assert run_toolkit("apply", env={"SUPABASE_DB_URL": db}).code == 0
    with admin(stack, db) as conn:
        assert conn.execute("select id, name from agents order by id").fetchall() == before
        agent_id = before[0][0]
        conn.execute("insert into agent_profiles (agent_id, display_name) values (%s, 'x')",
                     [agent_id])
        conn.execute("delete from agents where id = %s", [agent_id])
        # ON DELETE CASCADE: the profile goes with its agent.
        assert conn.execute("select count(*) from agent_profiles").fetchone() == (0,)
