"""`toolkit local reset`, as `supabase db reset` does it: the stack's `postgres` database is
recreated from the Supabase-shaped template, then the migrations are applied (by the caller,
through apply's own code path), then the seed files (supabase/seed.sql, or [db.seed]
sql_paths of supabase/config.toml)."""

from __future__ import annotations

from pathlib import Path

import psycopg
from psycopg import sql

from toolkit.local.bootstrap import TEMPLATE, admin_connect, clone, load_sql
from toolkit.local.state import LocalStack

DBNAME = "postgres"


def recreate_database(stack: LocalStack) -> None:
    """Drop `postgres` (sessions included: PostgREST reconnects by itself) and clone it afresh
    from the template, so it is exactly what a new stack starts with."""
    with admin_connect(stack, "template1") as conn:
        conn.execute(sql.SQL(load_sql("drop_database.sql")).format(name=sql.Identifier(DBNAME)))
        clone(conn, DBNAME, TEMPLATE)


def seed_files(migrations_dir: Path) -> list[Path]:
    """The seed files beside supabase/migrations, as `supabase db reset` finds them: [db.seed]
    sql_paths of supabase/config.toml (relative to supabase/), default seed.sql."""
    from toolkit.project.config import load_config

    supabase_dir = migrations_dir.parent
    return load_config(supabase_dir).seed_files(supabase_dir)


def run_seed(stack: LocalStack, path: Path) -> None:
    """Run the seed as postgres in one transaction: all of it or none."""
    text = path.read_text(encoding="utf-8-sig")
    with psycopg.connect(stack.db_url(DBNAME), connect_timeout=10) as conn:
        conn.execute(text.encode())


def reload_api_schema(stack: LocalStack) -> None:
    with psycopg.connect(stack.db_url(DBNAME), autocommit=True, connect_timeout=10) as conn:
        conn.execute(load_sql("reload_schema.sql"))
