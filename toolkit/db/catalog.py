"""Reading a database's catalog: one query (toolkit/db/sql/inspect.sql), one round trip, the same
for the target and the shadow, so both are normalised by PostgreSQL itself."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from toolkit.db.model import (
    DefaultAcl,
    Extension,
    Function,
    HistoryRow,
    Json,
    ManagedTable,
    PublicationMember,
    Relation,
    Schema,
    Sequence,
    Type,
    default_acl,
    default_acl_json,
)
from toolkit.db.sqlfiles import load_sql, without_header
from toolkit.errors import ConnectError
from toolkit.project.model import MANAGED_SCHEMAS

# The deparsers qualify names by the search path: both sides are read under Supabase's own.
SEARCH_PATH = '"$user", public, extensions'


@dataclass(frozen=True, slots=True)
class Catalog:
    """One database's catalog as the inspect query read it (toolkit.db.model has each kind).
    Names are schema-qualified: relations, sequences and types as schema.name, functions as
    schema.name(identity arguments)."""

    user: str
    server_version: int
    extensions: Mapping[str, str]  # name -> its schema
    extension_info: Mapping[str, Extension]
    schema_info: Mapping[str, Schema]  # the project's schemas
    publications: Mapping[str, tuple[str, ...]]  # name -> member tables
    publication_members: Mapping[str, PublicationMember]  # "publication schema.table"
    uuid_ossp_available: bool
    schemas: tuple[str, ...]
    default_acl: tuple[DefaultAcl, ...]  # postgres's
    relations: Mapping[str, Relation]
    functions: Mapping[str, Function]
    sequences: Mapping[str, Sequence]
    managed_tables: Mapping[str, ManagedTable]
    types: Mapping[str, Type]
    # None: no history table; () also when it is empty. Unreadable: `history_readable`.
    history: tuple[HistoryRow, ...] | None
    history_readable: bool = True

    @classmethod
    def from_json(cls, doc: Json) -> Catalog:
        """Parse the inspect query's document (raises KeyError, TypeError or ValueError when
        it is not one)."""
        rows = doc["history"]
        return cls(
            user=str(doc["user"]), server_version=int(doc["server_version"]),
            extensions={str(k): str(v) for k, v in doc["extensions"].items()},
            extension_info={k: Extension.from_json(v)
                            for k, v in doc["extension_info"].items()},
            schema_info={k: Schema.from_json(v) for k, v in doc["schema_info"].items()},
            publications={k: _names(v) for k, v in doc["publications"].items()},
            publication_members={k: PublicationMember.from_json(v)
                                 for k, v in doc["publication_members"].items()},
            uuid_ossp_available=bool(doc["uuid_ossp_available"]),
            schemas=_names(doc["schemas"]),
            default_acl=default_acl(doc["default_acl"]),
            relations={k: Relation.from_json(v) for k, v in doc["relations"].items()},
            functions={k: Function.from_json(v) for k, v in doc["functions"].items()},
            sequences={k: Sequence.from_json(v) for k, v in doc["sequences"].items()},
            managed_tables={k: ManagedTable.from_json(v)
                            for k, v in doc["managed_tables"].items()},
            types={k: Type.from_json(v) for k, v in doc["types"].items()},
            history=tuple(HistoryRow.from_json(h) for h in rows)
            if isinstance(rows, list) else None,
            history_readable=rows != "forbidden")

    def to_json(self) -> Json:
        """The document from_json read, as the inspect query spells it."""
        history: Any = "forbidden" if not self.history_readable else None \
            if self.history is None else [h.to_json() for h in self.history]
        return {
            "user": self.user, "server_version": self.server_version,
            "extensions": dict(self.extensions),
            "extension_info": {k: v.to_json() for k, v in self.extension_info.items()},
            "schema_info": {k: v.to_json() for k, v in self.schema_info.items()},
            "publications": {k: list(v) for k, v in self.publications.items()},
            "publication_members": {k: v.to_json()
                                    for k, v in self.publication_members.items()},
            "uuid_ossp_available": self.uuid_ossp_available,
            "schemas": list(self.schemas),
            "default_acl": default_acl_json(self.default_acl),
            "relations": {k: v.to_json() for k, v in self.relations.items()},
            "functions": {k: v.to_json() for k, v in self.functions.items()},
            "sequences": {k: v.to_json() for k, v in self.sequences.items()},
            "managed_tables": {k: v.to_json() for k, v in self.managed_tables.items()},
            "types": {k: v.to_json() for k, v in self.types.items()},
            "history": history}

    @property
    def major(self) -> int:
        return self.server_version // 10000

    @property
    def applied_versions(self) -> set[str]:
        return {row.version for row in self.history or ()}


def _names(v: Any) -> tuple[str, ...]:
    if not isinstance(v, list):
        raise TypeError(f"expected a list, got {type(v).__name__}")
    return tuple(str(x) for x in v)


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
    return Catalog.from_json(row[0])
