"""The shape of a hosted Supabase project (roles; auth, storage, extensions; grants), defined
once and shared by the local stack and the shadow database.

roles.sql: cluster-wide, idempotent. database.sql: per database, run once in a fresh one.
postgrest_reload.sql: event triggers for PostgREST's schema cache (superuser; local stack only).
search_path.sql: the database's search_path, per database (CREATE DATABASE does not copy it).
"""

from __future__ import annotations

import hashlib
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from psycopg import sql

ROLES = "roles.sql"
DATABASE = "database.sql"
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
    for name in (ROLES, DATABASE):
        h.update(load(name).encode())
    return h.hexdigest()[:16]
