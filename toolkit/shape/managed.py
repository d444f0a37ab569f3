"""Supabase's managed extensions on the shadow: which exist only on Supabase's image, and the
stand-ins that let migrations calling them replay when the shadow server lacks the real one.

A stand-in (standins/<extension>.sql) is the extension's call surface (schemas, types,
functions, tables, index methods migrations name), made by the shadow's superuser before the
first file and recorded as the extension (standins/register_*.sql), so `create extension if not
exists` finds it and everything else the files make is judged. What a stand-in returns is never
judged; the report says which extensions were stood in, once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

# Extensions of Supabase's image (supabase/postgres, ansible/files/postgresql_config/
# supautils.conf.j2: supautils.privileged_extensions) that no PostgreSQL package for Debian or
# Homebrew provides: installing a package cannot bring them to a shadow server.
IMAGE_ONLY = frozenset({
    "index_advisor", "orioledb", "pg_graphql", "pg_jsonschema", "pg_net", "pg_stat_monitor",
    "pgmq", "pgsodium", "plls", "supabase_vault", "supautils", "wrappers",
})

# The extensions with a stand-in, and the schema each always lives in (None: the one the
# migration names, as for a relocatable extension). pg_net, vault, pg_graphql, pgsodium, pgmq
# and pg_cron make their own schemas (pg_cron: supautils.extensions_parameter_overrides puts
# the extension in pg_catalog on hosted projects, its objects in cron).
STANDINS: dict[str, str | None] = {
    "vector": None, "http": None, "pgjwt": None, "pg_jsonschema": None,
    "pg_net": "net", "supabase_vault": "vault", "pg_graphql": "graphql",
    "pgsodium": "pgsodium", "pgmq": "pgmq", "pg_cron": "cron",
}
# Where an extension goes without WITH SCHEMA: the first schema of Supabase's search_path
# ("$user", public, extensions) that exists.
DEFAULT_SCHEMA = "public"


@dataclass(frozen=True)
class Wanted:
    name: str  # the extension a migration creates
    schema: str  # where the migration puts it (or would, by default)


def load(name: str) -> str:
    return resources.files(__package__ or "toolkit.shape").joinpath(
        "standins", name).read_text(encoding="utf-8")


def wanted(statements: list[tuple[str, str]]) -> list[Wanted]:
    """The stand-in extensions `create extension` statements ask for, once each, in order.
    `statements`: (pglast node kind, text) of every statement of the files."""
    # Only a statement that names a stand-in is parsed again: most projects have none, and
    # then pglast is not even imported (on a warm check that import is the step's cost).
    asked = [text for kind, text in statements if kind == "CreateExtensionStmt"
             and any(name in text.lower() for name in STANDINS)]
    if not asked:
        return []
    from pglast import ast, parse_sql

    out: dict[str, Wanted] = {}
    for text in asked:
        node = parse_sql(text)[0].stmt
        if not isinstance(node, ast.CreateExtensionStmt) or node.extname not in STANDINS:
            continue
        schema = DEFAULT_SCHEMA
        for opt in node.options or ():
            if isinstance(opt, ast.DefElem) and opt.defname == "schema":
                schema = getattr(opt.arg, "sval", None) or str(opt.arg)
        out.setdefault(node.extname, Wanted(node.extname, schema))
    return list(out.values())


def install(conn: Any, wants: list[Wanted]) -> list[str]:
    """Make the stand-ins this shadow server needs (`conn`: its superuser, autocommit); returns
    the extensions stood in. One the server has for real is left to the migration; one that
    cannot be made (no superuser) is left out, and the file that creates it says why."""
    import psycopg

    if not wants:
        return []
    available = {r[0] for r in conn.execute(load("available.sql")).fetchall()}
    schemas = {r[0] for r in conn.execute(load("schemas.sql")).fetchall()}
    made: list[str] = []
    for want in wants:
        if want.name in available:
            continue
        fixed = STANDINS[want.name]
        # A schema the files create later cannot be made first (their CREATE SCHEMA would
        # fail): the stand-in then goes where Supabase's search_path finds it anyway.
        schema = fixed or (want.schema if want.schema in schemas else "extensions")
        try:
            with conn.transaction():
                mark = conn.execute(load("mark.sql")).fetchone()[0]
                conn.execute(load("schema.sql"), {"schema": schema})
                conn.execute(load(f"{want.name}.sql").encode())
                conn.execute(load("register_extension.sql"),
                             {"mark": mark, "name": want.name, "schema": schema})
                conn.execute(load("register_members.sql"), {"mark": mark})
        except psycopg.Error:
            continue
        schemas.add(schema)
        made.append(want.name)
    return made


def made_before(sqlstate: str, message: str, stood_in: list[str]) -> bool:
    """A `create extension` (without IF NOT EXISTS) of a stood-in extension: it exists because
    the shadow made it first, not a failure of the file."""
    return sqlstate == "42710" and any(message == f'extension "{n}" already exists'
                                       for n in stood_in)


# Index options the stand-in's index methods refuse where pgvector takes them.
_VECTOR_OPTIONS = re.compile(r'^unrecognized parameter "(lists|m|ef_construction)"$')


def stand_in_limit(message: str, stood_in: list[str]) -> str | None:
    """The stood-in extension a failure comes from, when it is the stand-in's limit rather than
    the file's fault."""
    if "vector" in stood_in and _VECTOR_OPTIONS.match(message):
        return "vector"
    return None
