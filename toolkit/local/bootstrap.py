"""Give a fresh cluster the shape of a Supabase project. The shape is toolkit.supabase_shape
(shared with the shadow database), plus the local stack's own demo.sql; this module only orders
the steps and fills in the per-stack passwords."""

from __future__ import annotations

from importlib import resources

import psycopg
from psycopg import sql

from toolkit import supabase_shape
from toolkit.local.state import LocalStack

TEMPLATE = "supabase_template"
SEARCH_PATH = sql.SQL("set search_path = " + supabase_shape.SEARCH_PATH)


def load_sql(name: str) -> str:
    """The local stack's own SQL (the demo project), beside the shared shape."""
    return resources.files("toolkit.local").joinpath("sql", name).read_text(encoding="utf-8")


def admin_connect(stack: LocalStack, dbname: str) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(stack.admin_url(dbname), autocommit=True, connect_timeout=10)


def database_settings(conn: psycopg.Connection[tuple[object, ...]], dbname: str) -> None:
    """Per-database settings, which CREATE DATABASE ... TEMPLATE does not copy."""
    conn.execute(sql.SQL("alter database {} ").format(sql.Identifier(dbname)) + SEARCH_PATH)


def bootstrap(stack: LocalStack) -> None:
    """Roles, then the template database, then `postgres` re-created as a clone of the template
    so the two are identical in shape by construction."""
    with admin_connect(stack, "postgres") as conn:
        conn.execute(supabase_shape.load(supabase_shape.ROLES).encode())
        for role, password in (
            ("postgres", stack.db_password),
            ("authenticator", stack.authenticator_password),
        ):
            conn.execute(
                sql.SQL("alter role {} with password {}").format(
                    sql.Identifier(role), sql.Literal(password)
                )
            )
        conn.execute(sql.SQL("create database {} owner postgres").format(sql.Identifier(TEMPLATE)))
    with admin_connect(stack, TEMPLATE) as conn:
        for name in (supabase_shape.DATABASE, supabase_shape.POSTGREST_RELOAD):
            conn.execute(supabase_shape.load(name).encode())
        conn.execute(load_sql("demo.sql").encode())
    with admin_connect(stack, "template1") as conn:
        database_settings(conn, TEMPLATE)
        # is_template lets postgres (CREATEDB, not owner) clone it too.
        conn.execute(sql.SQL("alter database {} is_template true").format(sql.Identifier(TEMPLATE)))
        conn.execute("drop database postgres")
        conn.execute(
            sql.SQL("create database postgres template {} owner postgres").format(
                sql.Identifier(TEMPLATE)
            )
        )
        database_settings(conn, "postgres")


def create_database(stack: LocalStack, name: str, template: str = TEMPLATE) -> str:
    """A fresh Supabase-shaped database cloned from `template` (a file copy: fast enough for
    one database per test). Returns its URL for role postgres."""
    with admin_connect(stack, "postgres") as conn:
        conn.execute(
            sql.SQL("create database {} template {} owner postgres").format(
                sql.Identifier(name), sql.Identifier(template)
            )
        )
        database_settings(conn, name)
    return stack.db_url(name)


def drop_database(stack: LocalStack, name: str) -> None:
    """Drop it even if sessions (say a PostgREST pool) are still connected."""
    with admin_connect(stack, "postgres") as conn:
        conn.execute(
            sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name))
        )
