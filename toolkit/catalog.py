"""Reading the database's catalog into the schema model, in one round trip."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from toolkit.db import load_sql
from toolkit.errors import ConnectError
from toolkit.schema import Check, Column, ForeignKey, Index, Table

_ON_DELETE = {"a": "no action", "r": "restrict", "c": "cascade", "n": "set null",
              "d": "set default"}
_LITERAL = re.compile(r"'((?:[^']|'')*)'")


@dataclass
class HistoryRow:
    version: str
    name: str | None
    statements: list[str] | None


@dataclass
class Catalog:
    user: str
    server_version: int
    extensions: dict[str, str]  # extension name -> schema
    uuid_ossp_available: bool
    tables: dict[str, Table] = field(default_factory=dict)
    history: list[HistoryRow] | None = None  # None: no history table yet
    history_readable: bool = True

    @property
    def applied_versions(self) -> set[str]:
        return {row.version for row in self.history or ()}


def _table(name: str, raw: dict[str, Any]) -> Table:
    t = Table(name=name, rls=bool(raw["rls"]), policies=list(raw["policies"]))
    for c in raw["columns"]:
        t.columns[c["name"]] = Column(c["name"], c["type"], bool(c["not_null"]))
    for k in raw["constraints"]:
        cols = tuple(k["columns"] or ())
        if k["type"] == "p":
            t.primary_key = cols
        elif k["type"] == "f":
            t.foreign_keys.append(ForeignKey(cols, k["ref_table"], tuple(k["ref_columns"] or ()),
                                             _ON_DELETE.get(k["on_delete"], "no action")))
        elif k["type"] == "c":
            lits = {m.replace("''", "'") for m in _LITERAL.findall(k["definition"])}
            t.checks.append(Check(frozenset(cols), frozenset(lits)))
    for i in raw["indexes"]:
        if not i["primary"]:
            t.indexes.append(Index(tuple(i["columns"] or ()), bool(i["unique"])))
    return t


def parse_catalog(doc: dict[str, Any]) -> Catalog:
    history = doc.get("history")
    readable = history != "forbidden"
    rows = None
    if isinstance(history, list):
        rows = [HistoryRow(h["version"], h.get("name"), h.get("statements")) for h in history]
    return Catalog(
        user=doc["user"],
        server_version=int(doc["server_version"]),
        extensions=dict(doc["extensions"]),
        uuid_ossp_available=bool(doc["available_extensions"]),
        tables={name: _table(name, raw) for name, raw in doc["tables"].items()},
        history=rows,
        history_readable=readable,
    )


def inspect(conn: Any, table_names: list[str]) -> Catalog:
    """One query, one round trip: extensions, the named public tables, and the history."""
    import psycopg

    try:
        with conn.cursor() as cur:
            cur.execute(load_sql("inspect.sql"), {"tables": table_names})
            row = cur.fetchone()
    except psycopg.errors.InsufficientPrivilege as exc:
        raise ConnectError(f"this role may not read the catalog: {exc.diag.message_primary}; "
                           "check needs a role that can read pg_catalog") from None
    return parse_catalog(row[0])
