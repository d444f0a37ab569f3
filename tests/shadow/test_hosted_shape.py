"""The embedded shadow does, as `postgres`, what hosted Supabase lets `postgres` do (the
statements public projects' migrations and `supabase db pull` dumps contain), and refuses, with
hosted's SQLSTATE, what hosted refuses."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from toolkit.oracle.database import ShadowDatabase
from toolkit.oracle.servers import shadow_database

# In the order a project's files would run them.
ACCEPTED = [
    "create schema if not exists private",
    "create table public.messages (id bigint primary key, body text)",
    "alter publication supabase_realtime add table messages",
    "drop publication if exists supabase_realtime",
    "create publication supabase_realtime for table public.messages",
    'ALTER PUBLICATION "supabase_realtime" OWNER TO "postgres"',
    "create extension if not exists pg_trgm with schema extensions",
    "create extension if not exists citext with schema extensions",
    "create extension if not exists moddatetime with schema extensions",
    "create extension if not exists pg_stat_statements with schema extensions",
    "comment on schema public is 'standard public schema'",
    "alter role authenticator set pgrst.db_aggregates_enabled = 'true'",
    "create table auth.audit_trail (id bigint)",  # hosted: GRANT ALL ON SCHEMA auth
    "grant usage on schema private to authenticated",
    # Realtime Authorization: policies on realtime.messages (supautils.policy_grants).
    "create policy room_members on realtime.messages for select to authenticated"
    " using ((select realtime.topic()) = 'room:1')",
]

# What hosted refuses `postgres`, with hosted's SQLSTATE and words.
REFUSED = [
    ("create extension pageinspect", "42501",
     'permission denied to create extension "pageinspect"'),
    ("alter role authenticator set log_statement = 'all'", "42501",
     'permission denied to set parameter "log_statement"'),
    ("alter system set work_mem = '1MB'", "42501", 'permission denied to set parameter "work_mem"'),
    # A policy on a table postgres does not own and supautils does not list.
    ("create policy p on realtime.subscription using (true)", "42501",
     "must be owner of table subscription"),
]


@pytest.fixture
def shadow() -> Iterator[ShadowDatabase]:
    with shadow_database() as sh:
        yield sh


def _as_postgres(conn: psycopg.Connection[tuple[object, ...]], statement: str) -> None:
    conn.execute("set role postgres")
    try:
        conn.execute(statement.encode())
    finally:
        conn.execute("reset role")


def test_what_hosted_lets_postgres_do_replays(shadow: ShadowDatabase) -> None:
    with psycopg.connect(shadow.conninfo, autocommit=True) as conn:
        for statement in ACCEPTED:
            _as_postgres(conn, statement)
        owners = conn.execute(
            "select pg_get_userbyid(datdba), (select pg_get_userbyid(pubowner) from"
            " pg_publication where pubname = 'supabase_realtime'),"
            " (select string_agg(extname, ',' order by extname) from pg_extension"
            "  where extname in ('pg_trgm', 'citext', 'moddatetime', 'pg_stat_statements')),"
            " (select rolsuper from pg_roles where rolname = 'postgres')"
            " from pg_database where datname = current_database()").fetchone()
        assert owners == ("postgres", "postgres", "citext,moddatetime,pg_stat_statements,pg_trgm",
                          False)
        # pg_stat_statements is preloaded, as on hosted projects: its view answers.
        assert conn.execute("select count(*) >= 0 from extensions.pg_stat_statements"
                            ).fetchone() == (True,)


@pytest.mark.parametrize(("statement", "sqlstate", "words"), REFUSED)
def test_what_hosted_refuses_is_refused_alike(shadow: ShadowDatabase, statement: str,
                                             sqlstate: str, words: str) -> None:
    with psycopg.connect(shadow.conninfo, autocommit=True) as conn:
        with pytest.raises(psycopg.Error) as caught:
            _as_postgres(conn, statement)
        assert caught.value.sqlstate == sqlstate
        assert str(caught.value).startswith(words), str(caught.value)
        assert conn.execute("select rolsuper from pg_roles where rolname = 'postgres'"
                            ).fetchone() == (False,)
