"""The shape of a hosted Supabase project (roles; auth, storage, extensions; grants), defined
once and shared by the local stack and the shadow database.

roles.sql: cluster-wide, idempotent. database.sql: per database, run once in a fresh one.
privileged.sql: per database, by a superuser, after database.sql: what hosted lets postgres do
beyond a plain non-superuser (owning the database, PostgREST's role settings, the extensions
Supabase offers).
postgrest_reload.sql: event triggers for PostgREST's schema cache (superuser; local stack only).
search_path.sql: the database's search_path, per database (CREATE DATABASE does not copy it).
"""

from __future__ import annotations

import hashlib
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from psycopg import sql

ROLES = "roles.sql"
DATABASE = "database.sql"
PRIVILEGED = "privileged.sql"
POSTGREST_RELOAD = "postgrest_reload.sql"
# The database search_path of a Supabase project (extensions' functions unqualified).
SEARCH_PATH = '"$user", public, extensions'


def load(name: str) -> str:
    return resources.files(__name__).joinpath(name).read_text(encoding="utf-8")


def search_path_sql(dbname: str) -> sql.Composed:
    """ALTER DATABASE giving `dbname` a Supabase project's search_path."""
    from psycopg import sql

    return sql.SQL(load("search_path.sql")).format(
        name=sql.Identifier(dbname), search_path=sql.SQL(SEARCH_PATH))


def digest() -> str:
    """A short hash of the shape, so caches built from an older shape are never reused."""
    h = hashlib.sha256()
    for name in (ROLES, DATABASE, PRIVILEGED):
        h.update(load(name).encode())
    standins = resources.files(__name__).joinpath("standins")
    for entry in sorted(standins.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".sql"):
            h.update(entry.name.encode() + b"\0" + entry.read_bytes())
    return h.hexdigest()[:16]


def shape_database(conn: Any, dbname: str, *, superuser: bool) -> None:
    """Give a fresh database (connected as `conn`, autocommit) a hosted project's shape:
    database.sql, then privileged.sql when we are a superuser, then the search_path."""
    conn.execute(load(DATABASE).encode())
    if superuser:
        conn.execute(load(PRIVILEGED).encode())
    conn.execute(search_path_sql(dbname))
