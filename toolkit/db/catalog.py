"""Reading a database's catalog: one query (toolkit/db/sql/inspect.sql), one round trip, the same
for the target and the shadow, so both are normalised by PostgreSQL itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from toolkit.db.sqlfiles import load_sql, without_header
from toolkit.errors import ConnectError
from toolkit.project.model import MANAGED_SCHEMAS

# The deparsers qualify names by the search path: both sides are read under Supabase's own.
SEARCH_PATH = '"$user", public, extensions'


@dataclass
class HistoryRow:
    version: str
    name: str | None
    statements: list[str] | None


@dataclass
class Catalog:
    doc: dict[str, Any]

    @property
    def user(self) -> str:
        return str(self.doc["user"])

    @property
    def server_version(self) -> int:
        return int(self.doc["server_version"])

    @property
    def major(self) -> int:
        return self.server_version // 10000

    @property
    def extensions(self) -> dict[str, str]:
        return dict(self.doc["extensions"])

    @property
    def uuid_ossp_available(self) -> bool:
        return bool(self.doc["uuid_ossp_available"])

    @property
    def relations(self) -> dict[str, dict[str, Any]]:
        return dict(self.doc["relations"])

    @property
    def history_readable(self) -> bool:
        return self.doc.get("history") != "forbidden"

    @property
    def history(self) -> list[HistoryRow] | None:
        rows = self.doc.get("history")
        if not isinstance(rows, list):
            return None
        return [HistoryRow(h["version"], h.get("name"), h.get("statements")) for h in rows]

    @property
    def applied_versions(self) -> set[str]:
        return {row.version for row in self.history or ()}


def inspect_sql() -> str:
    from psycopg import sql

    text = load_sql("inspect.sql")
    managed = sql.SQL("array[{}]::text[]").format(
        sql.SQL(", ").join(sql.Literal(s) for s in MANAGED_SCHEMAS))
    return sql.SQL(text).format(managed=managed).as_string(None)


def inspect_text(*, in_transaction: bool = False, limits: str = "") -> str:
    """Exactly what inspect() sends (the Edge Function's bundle carries it too): the search
    path set for this read only, then the query; our own read-only transaction unless inside
    a caller's. `limits`: SET LOCAL timeouts to put first (toolkit.db.waits)."""
    from psycopg import sql

    head = limits + sql.SQL(without_header(load_sql("inspect_search_path.sql"))).format(
        search_path=sql.SQL(SEARCH_PATH)).as_string(None)
    if in_transaction:
        return head + inspect_sql()
    return sql.SQL(without_header(load_sql("inspect_transaction.sql"))).format(
        head=sql.SQL(head), query=sql.SQL(inspect_sql())).as_string(None)


def inspect(conn: Any, *, in_transaction: bool = False, limits: str = "") -> Catalog:
    """One round trip (inspect_text). Inside a caller's transaction (plan's read-only one)
    SET LOCAL suffices; otherwise our own."""
    import psycopg

    text = inspect_text(in_transaction=in_transaction, limits=limits)
    try:
        with conn.cursor() as cur:
            cur.execute(text.encode())
            row = None
            while True:
                if cur.description is not None:
                    row = cur.fetchone()
                if not cur.nextset():
                    break
    except psycopg.errors.InsufficientPrivilege as exc:
        raise ConnectError(f"this role may not read the catalog: {exc.diag.message_primary}; "
                           "toolkit needs a role that can read pg_catalog") from None
    assert row is not None
    return Catalog(row[0])
