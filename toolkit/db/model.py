"""The catalog model: what toolkit/db/sql/inspect.sql returns, one frozen class per kind.

The inspect query answers with one JSON document; `Catalog.from_json` parses it once and every
reader (the comparison, the fix SQL, the oracle's stand-ins and prefix match, the Edge
Function's bundle) sees typed objects. `to_json` gives the document back exactly as the query
returned it: the replay cache stores that form and the Edge Function's TypeScript port reads it
from the bundle. Lists become tuples (the objects are frozen); a missing key or a value of the
wrong shape raises KeyError/TypeError/ValueError, which a cache reader takes as a miss.

Names follow the query's keys, except `def` (a Python keyword), which is `definition`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Per grantee (a role name, or PUBLIC), its privileges as aclexplode() names them.
Grants = Mapping[str, tuple[str, ...]]
# A JSON document as the inspect query spells it: only at the edges (parse, cache, bundle).
Json = dict[str, Any]


def _strs(v: Any) -> tuple[str, ...]:
    if not isinstance(v, list):
        raise TypeError(f"expected a list, got {type(v).__name__}")
    return tuple(str(x) for x in v)


def _opt_strs(v: Any) -> tuple[str, ...] | None:
    return None if v is None else _strs(v)


def _list(v: tuple[str, ...] | None) -> list[str] | None:
    return None if v is None else list(v)


def _grants(v: Any) -> dict[str, tuple[str, ...]]:
    if not isinstance(v, dict):
        raise TypeError(f"expected an object, got {type(v).__name__}")
    return {str(role): _strs(privs) for role, privs in v.items()}


def _opt_grants(v: Any) -> dict[str, tuple[str, ...]] | None:
    return None if v is None else _grants(v)


def _grants_json(g: Grants | None) -> dict[str, list[str]] | None:
    return None if g is None else {r: list(p) for r, p in g.items()}


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: str  # format_type()
    not_null: bool
    default: str | None
    identity: str | None  # a (always) | d (by default)
    generated: str | None  # the generation expression
    comment: str | None
    collation: str | None  # schema.name, only when not the type's own
    grants: Grants | None  # column privileges; None: none granted

    @classmethod
    def from_json(cls, d: Json) -> Column:
        return cls(d["name"], d["type"], bool(d["not_null"]), d["default"], d["identity"],
                   d["generated"], d["comment"], d["collation"], _opt_grants(d["grants"]))

    def to_json(self) -> Json:
        return {"name": self.name, "type": self.type, "not_null": self.not_null,
                "default": self.default, "identity": self.identity,
                "generated": self.generated, "comment": self.comment,
                "collation": self.collation, "grants": _grants_json(self.grants)}


@dataclass(frozen=True, slots=True)
class Constraint:
    name: str
    type: str  # p u f c x
    columns: tuple[str, ...] | None
    ref: str | None  # the referenced table (schema.name) of a foreign key
    ref_columns: tuple[str, ...] | None
    on_delete: str | None  # a r c n d
    on_update: str | None
    definition: str  # pg_get_constraintdef()

    @classmethod
    def from_json(cls, d: Json) -> Constraint:
        return cls(d["name"], d["type"], _opt_strs(d["columns"]), d["ref"],
                   _opt_strs(d["ref_columns"]), d["on_delete"], d["on_update"], d["def"])

    def to_json(self) -> Json:
        return {"name": self.name, "type": self.type, "columns": _list(self.columns),
                "ref": self.ref, "ref_columns": _list(self.ref_columns),
                "on_delete": self.on_delete, "on_update": self.on_update,
                "def": self.definition}


@dataclass(frozen=True, slots=True)
class Index:
    """An index no constraint stands behind."""

    name: str
    unique: bool
    definition: str  # pg_get_indexdef()
    columns: tuple[str, ...] | None  # key columns; "(expression)" for an expression

    @classmethod
    def from_json(cls, d: Json) -> Index:
        return cls(d["name"], bool(d["unique"]), d["def"], _opt_strs(d["columns"]))

    def to_json(self) -> Json:
        return {"name": self.name, "unique": self.unique, "def": self.definition,
                "columns": _list(self.columns)}


@dataclass(frozen=True, slots=True)
class Policy:
    name: str
    command: str  # r a w d *
    permissive: bool
    roles: tuple[str, ...] | None
    using: str | None
    check: str | None

    @classmethod
    def from_json(cls, d: Json) -> Policy:
        return cls(d["name"], d["command"], bool(d["permissive"]), _opt_strs(d["roles"]),
                   d["using"], d["check"])

    def to_json(self) -> Json:
        return {"name": self.name, "command": self.command, "permissive": self.permissive,
                "roles": _list(self.roles), "using": self.using, "check": self.check}


@dataclass(frozen=True, slots=True)
class Trigger:
    name: str
    enabled: str  # O (origin), D (disabled), R, A
    definition: str  # pg_get_triggerdef()

    @classmethod
    def from_json(cls, d: Json) -> Trigger:
        return cls(d["name"], d["enabled"], d["def"])

    def to_json(self) -> Json:
        return {"name": self.name, "enabled": self.enabled, "def": self.definition}


@dataclass(frozen=True, slots=True)
class Relation:
    """A table, partitioned table, view, materialized view or foreign table."""

    kind: str  # relkind: r p v m f
    owner: str
    persistence: str  # p u t
    replica_identity: str  # d f n i
    replica_index: str | None
    options: tuple[str, ...] | None  # reloptions, key=value
    comment: str | None
    rls: bool
    rls_forced: bool
    partition_bound: str | None
    parents: tuple[str, ...]
    view: str | None  # pg_get_viewdef() of a view
    columns: tuple[Column, ...]
    constraints: tuple[Constraint, ...]
    indexes: tuple[Index, ...]
    policies: tuple[Policy, ...]
    triggers: tuple[Trigger, ...]
    grants: Grants

    @classmethod
    def from_json(cls, d: Json) -> Relation:
        return cls(
            d["kind"], d["owner"], d["persistence"], d["replica_identity"], d["replica_index"],
            _opt_strs(d["options"]), d["comment"], bool(d["rls"]), bool(d["rls_forced"]),
            d["partition_bound"], _strs(d["parents"]), d["view"],
            tuple(Column.from_json(c) for c in d["columns"]),
            tuple(Constraint.from_json(k) for k in d["constraints"]),
            tuple(Index.from_json(i) for i in d["indexes"]),
            tuple(Policy.from_json(p) for p in d["policies"]),
            tuple(Trigger.from_json(t) for t in d["triggers"]), _grants(d["grants"]))

    def to_json(self) -> Json:
        return {
            "kind": self.kind, "owner": self.owner, "persistence": self.persistence,
            "replica_identity": self.replica_identity, "replica_index": self.replica_index,
            "options": _list(self.options), "comment": self.comment, "rls": self.rls,
            "rls_forced": self.rls_forced, "partition_bound": self.partition_bound,
            "parents": list(self.parents), "view": self.view,
            "columns": [c.to_json() for c in self.columns],
            "constraints": [k.to_json() for k in self.constraints],
            "indexes": [i.to_json() for i in self.indexes],
            "policies": [p.to_json() for p in self.policies],
            "triggers": [t.to_json() for t in self.triggers],
            "grants": _grants_json(self.grants)}

    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


@dataclass(frozen=True, slots=True)
class Function:
    """A function or procedure, keyed by schema.name(identity arguments)."""

    definition: str  # pg_get_functiondef()
    body: str  # prosrc
    security_definer: bool
    volatility: str  # i s v
    strict: bool
    leakproof: bool
    parallel: str  # s r u
    cost: float
    rows: float
    comment: str | None
    config: tuple[str, ...] | None  # proconfig, key=value
    owner: str
    kind: str  # f (function) | p (procedure)
    grants: tuple[str, ...]  # the API roles that may execute it
    executors: tuple[str, ...]  # every grantee (PUBLIC included) but the owner

    @classmethod
    def from_json(cls, d: Json) -> Function:
        return cls(d["def"], d["body"], bool(d["security_definer"]), d["volatility"],
                   bool(d["strict"]), bool(d["leakproof"]), d["parallel"], d["cost"],
                   d["rows"], d["comment"], _opt_strs(d["config"]), d["owner"], d["kind"],
                   _strs(d["grants"]), _strs(d["executors"]))

    def to_json(self) -> Json:
        return {"def": self.definition, "body": self.body,
                "security_definer": self.security_definer, "volatility": self.volatility,
                "strict": self.strict, "leakproof": self.leakproof, "parallel": self.parallel,
                "cost": self.cost, "rows": self.rows, "comment": self.comment,
                "config": _list(self.config), "owner": self.owner, "kind": self.kind,
                "grants": list(self.grants), "executors": list(self.executors)}


@dataclass(frozen=True, slots=True)
class Sequence:
    """A sequence: of its own, or an identity column's (its grants and options)."""

    owner: str
    type: str
    increment: int
    start: int
    min: int
    max: int
    cache: int
    cycle: bool
    owned_by: str | None  # schema.table.column
    grants: Grants
    identity: bool  # an identity column's: its owner and OWNED BY are the column's

    @classmethod
    def from_json(cls, d: Json) -> Sequence:
        return cls(d["owner"], d["type"], int(d["increment"]), int(d["start"]), int(d["min"]),
                   int(d["max"]), int(d["cache"]), bool(d["cycle"]), d["owned_by"],
                   _grants(d["grants"]), bool(d["identity"]))

    def to_json(self) -> Json:
        return {"owner": self.owner, "type": self.type, "identity": self.identity,
                "increment": self.increment, "start": self.start, "min": self.min,
                "max": self.max, "cache": self.cache, "cycle": self.cycle,
                "owned_by": self.owned_by, "grants": _grants_json(self.grants)}

    def option(self, key: str) -> int | str:
        """One of the options CREATE SEQUENCE sets, by its key (as, increment by, ...)."""
        value: int | str = getattr(self, key)
        return value


@dataclass(frozen=True, slots=True)
class Type:
    """An enum (labels) or a domain (base)."""

    kind: str  # e | d
    labels: tuple[str, ...] | None
    base: str | None
    owner: str

    @classmethod
    def from_json(cls, d: Json) -> Type:
        return cls(d["kind"], _opt_strs(d["labels"]), d["base"], d["owner"])

    def to_json(self) -> Json:
        return {"kind": self.kind, "labels": _list(self.labels), "base": self.base,
                "owner": self.owner}


@dataclass(frozen=True, slots=True)
class Schema:
    owner: str
    comment: str | None
    grants: Grants

    @classmethod
    def from_json(cls, d: Json) -> Schema:
        return cls(d["owner"], d["comment"], _grants(d["grants"]))

    def to_json(self) -> Json:
        return {"owner": self.owner, "comment": self.comment,
                "grants": _grants_json(self.grants)}


@dataclass(frozen=True, slots=True)
class Extension:
    schema: str
    version: str

    @classmethod
    def from_json(cls, d: Json) -> Extension:
        return cls(d["schema"], d["version"])

    def to_json(self) -> Json:
        return {"schema": self.schema, "version": self.version}


@dataclass(frozen=True, slots=True)
class PublicationMember:
    """What a publication publishes of one table. The column list and row filter exist from
    PostgreSQL 15 on; `known` names the properties the server answered."""

    attnames: tuple[str, ...] | None
    rowfilter: str | None
    known: frozenset[str]

    @classmethod
    def from_json(cls, d: Json) -> PublicationMember:
        return cls(_opt_strs(d.get("attnames")), d.get("rowfilter"),
                   frozenset(d) & {"attnames", "rowfilter"})

    def to_json(self) -> Json:
        out: Json = {"attnames": _list(self.attnames), "rowfilter": self.rowfilter}
        return {k: v for k, v in out.items() if k in self.known}

    def value(self, prop: str) -> tuple[str, ...] | str | None:
        return self.attnames if prop == "attnames" else self.rowfilter

    def spelt(self, prop: str) -> str:
        """A property as the message says it (the column list as a Python list prints)."""
        return str(list(self.attnames) if prop == "attnames" and self.attnames is not None
                   else self.value(prop))


@dataclass(frozen=True, slots=True)
class ManagedTable:
    """The migrations' policies and triggers on a table Supabase owns (auth.users)."""

    policies: tuple[Policy, ...] = ()
    triggers: tuple[Trigger, ...] = ()

    @classmethod
    def from_json(cls, d: Json) -> ManagedTable:
        return cls(tuple(Policy.from_json(p) for p in d["policies"]),
                   tuple(Trigger.from_json(t) for t in d["triggers"]))

    def to_json(self) -> Json:
        return {"policies": [p.to_json() for p in self.policies],
                "triggers": [t.to_json() for t in self.triggers]}


@dataclass(frozen=True, slots=True)
class DefaultAcl:
    """postgres's default privileges for one object type, in one schema or everywhere."""

    schema: str | None
    objtype: str  # r S f T n
    acl: tuple[str, ...] | None  # the aclitems as text
    grants: Grants

    @classmethod
    def from_json(cls, d: Json) -> DefaultAcl:
        return cls(d["schema"], d["objtype"], _opt_strs(d["acl"]), _grants(d["grants"]))

    def to_json(self) -> Json:
        return {"schema": self.schema, "objtype": self.objtype, "acl": _list(self.acl),
                "grants": _grants_json(self.grants)}


@dataclass(frozen=True, slots=True)
class HistoryRow:
    version: str
    name: str | None
    statements: list[str] | None

    @classmethod
    def from_json(cls, d: Json) -> HistoryRow:
        return cls(d["version"], d.get("name"), d.get("statements"))

    def to_json(self) -> Json:
        return {"version": self.version, "name": self.name, "statements": self.statements}


def default_acl(items: Any) -> tuple[DefaultAcl, ...]:
    return tuple(DefaultAcl.from_json(e) for e in items)


def default_acl_json(items: tuple[DefaultAcl, ...]) -> list[Json]:
    return [e.to_json() for e in items]
