"""The database looks like a hosted Supabase project."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from toolkit.local import LocalStack
from toolkit.local.bootstrap import TEMPLATE

SHAPE_QUERY = """
select 'schema ' || nspname from pg_namespace
  where nspname !~ '^pg_' and nspname <> 'information_schema'
union all select 'ext ' || e.extname || ' in ' || n.nspname
  from pg_extension e join pg_namespace n on n.oid = e.extnamespace
union all select 'table ' || schemaname || '.' || tablename || ' owner ' || tableowner
  || ' rls ' || rowsecurity from pg_tables
  where schemaname not in ('pg_catalog', 'information_schema')
union all select 'evt ' || evtname || ' ' || evtevent from pg_event_trigger
union all select 'acl ' || defaclrole::regrole::text || ' ' || defaclobjtype::text
  || ' ' || defaclacl::text
  from pg_default_acl
union all select 'fn ' || p.oid::regprocedure::text from pg_proc p
  join pg_namespace n on n.oid = p.pronamespace where n.nspname in ('auth', 'extensions')
order by 1
"""


def test_roles(stack: LocalStack) -> None:
    with psycopg.connect(stack.db_url()) as conn:
        rows = conn.execute(
            "select rolname, rolsuper, rolcanlogin, rolbypassrls, rolinherit, rolcreatedb,"
            " rolcreaterole from pg_roles where rolname in"
            " ('postgres','anon','authenticated','service_role','authenticator')"
        ).fetchall()
        roles = {r[0]: r[1:] for r in rows}
        assert conn.execute("select current_user").fetchone() == ("postgres",)
        member = conn.execute(
            "select pg_has_role('authenticator', r, 'member') from"
            " unnest(array['anon','authenticated','service_role']) r"
        ).fetchall()
    assert roles["postgres"] == (False, True, True, True, True, True)  # not a superuser
    assert roles["service_role"][:3] == (False, False, True)
    assert roles["anon"][:3] == (False, False, False)
    assert roles["authenticator"][:4] == (False, True, False, False)  # LOGIN NOINHERIT
    assert all(m == (True,) for m in member)


def test_extensions_search_path_and_agents(stack: LocalStack) -> None:
    with psycopg.connect(stack.db_url()) as conn:
        ext = conn.execute(
            "select n.nspname from pg_extension e join pg_namespace n on n.oid = e.extnamespace"
            " where e.extname = 'uuid-ossp'"
        ).fetchone()
        assert ext == ("extensions",)
        assert conn.execute("show search_path").fetchone() == ('"$user", public, extensions',)
        new_id = conn.execute("select uuid_generate_v4()").fetchone()
        assert new_id is not None and isinstance(new_id[0], uuid.UUID)
        owner, rls = conn.execute(
            "select tableowner, rowsecurity from pg_tables where tablename = 'agents'"
        ).fetchone() or (None, None)
        assert (owner, rls) == ("postgres", True)
        assert conn.execute("select count(*) from public.agents").fetchone() == (2,)
        conn.execute("insert into public.agents (name) values ('x') returning id")
        conn.rollback()


def test_default_grants_expose_new_tables(stack: LocalStack) -> None:
    with psycopg.connect(stack.db_url()) as conn:
        conn.execute("create table public.grant_probe (id bigint generated always as identity)")
        try:
            for role in ("anon", "authenticated", "service_role"):
                row = conn.execute(
                    "select has_table_privilege(%s, 'public.grant_probe', 'select')", (role,)
                ).fetchone()
                assert row == (True,), role
            conn.execute("set local role service_role")
            conn.execute("select * from public.grant_probe").fetchall()
        finally:
            conn.rollback()


def test_postgres_cannot_become_superuser(stack: LocalStack) -> None:
    with (
        psycopg.connect(stack.db_url()) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute("alter role postgres superuser")


def test_template_and_postgres_have_the_same_shape(stack: LocalStack) -> None:
    shapes = []
    for db in ("postgres", TEMPLATE):
        with psycopg.connect(stack.admin_url(db)) as conn:
            shapes.append(conn.execute(SHAPE_QUERY).fetchall())
            settings = conn.execute(
                "select setconfig from pg_db_role_setting s"
                " join pg_database d on d.oid = s.setdatabase"
                " where d.datname = current_database() and s.setrole = 0"
            ).fetchone()
            assert settings == (['search_path="$user", public, extensions'],)
    assert shapes[0] == shapes[1]
    flat = {r[0] for r in shapes[0]}
    assert "ext uuid-ossp in extensions" in flat
    assert "table public.agents owner postgres rls true" in flat
    assert "evt pgrst_ddl_watch ddl_command_end" in flat
    assert "evt pgrst_drop_watch sql_drop" in flat


def test_passwords_required_over_tcp(stack: LocalStack) -> None:
    wrong = stack.db_url().replace(stack.db_password, "nope")
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(wrong, connect_timeout=5)
    admin_tcp = f"postgresql://supabase_admin@127.0.0.1:{stack.db_port}/postgres"
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(admin_tcp, connect_timeout=5)
