"""Give a fresh cluster the shape of a Supabase project. The shape is toolkit.shape
(shared with the shadow database), plus the local stack's own demo.sql; this module only orders
the steps and fills in the per-stack passwords."""

from __future__ import annotations

from importlib import resources

import psycopg
from psycopg import sql

from toolkit import shape
from toolkit.local.state import LocalStack

TEMPLATE = "supabase_template"


def load_sql(name: str) -> str:
    """The local stack's own SQL (the demo project), beside the shared shape."""
    return resources.files("toolkit.local").joinpath("sql", name).read_text(encoding="utf-8")


def admin_connect(stack: LocalStack, dbname: str) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(stack.admin_url(dbname), autocommit=True, connect_timeout=10)


def database_settings(conn: psycopg.Connection[tuple[object, ...]], dbname: str) -> None:
    """Per-database settings, which CREATE DATABASE ... TEMPLATE does not copy."""
    conn.execute(shape.search_path_sql(dbname))


def bootstrap(stack: LocalStack) -> None:
    """Roles, then the template database, then `postgres` re-created as a clone of the template
    so the two are identical in shape by construction."""
    with admin_connect(stack, "postgres") as conn:
        conn.execute(shape.load(shape.ROLES).encode())
        for role, password in (
            ("postgres", stack.db_password),
            ("authenticator", stack.authenticator_password),
        ):
            conn.execute(sql.SQL(load_sql("role_password.sql")).format(
                role=sql.Identifier(role), password=sql.Literal(password)))
        conn.execute(sql.SQL(load_sql("create_template.sql")).format(
            name=sql.Identifier(TEMPLATE)))
    with admin_connect(stack, TEMPLATE) as conn:
        for name in (shape.DATABASE, shape.PRIVILEGED,
                     shape.POSTGREST_RELOAD):
            conn.execute(shape.load(name).encode())
        conn.execute(load_sql("demo.sql").encode())
    with admin_connect(stack, "template1") as conn:
        database_settings(conn, TEMPLATE)
        conn.execute(sql.SQL(load_sql("mark_template.sql")).format(
            name=sql.Identifier(TEMPLATE)))
        conn.execute(load_sql("drop_initial_postgres.sql"))
        clone(conn, "postgres", TEMPLATE)


def clone(conn: psycopg.Connection[tuple[object, ...]], name: str, template: str) -> None:
    """`name` as a copy of `template`, with the settings the copy does not carry over."""
    conn.execute(sql.SQL(load_sql("clone_database.sql")).format(
        name=sql.Identifier(name), template=sql.Identifier(template)))
    database_settings(conn, name)


def create_database(stack: LocalStack, name: str, template: str = TEMPLATE) -> str:
    """A fresh Supabase-shaped database cloned from `template` (a file copy: fast enough for
    one database per test). Returns its URL for role postgres."""
    with admin_connect(stack, "postgres") as conn:
        clone(conn, name, template)
    return stack.db_url(name)


def drop_database(stack: LocalStack, name: str) -> None:
    """Drop it even if sessions (say a PostgREST pool) are still connected."""
    with admin_connect(stack, "postgres") as conn:
        conn.execute(sql.SQL(load_sql("drop_database.sql")).format(name=sql.Identifier(name)))
