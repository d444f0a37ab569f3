"""What the parser found in the migration files, as plain data: parse.py fills it, the
cache stores it as JSON, and the commands read it without importing pglast."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Statement:
    text: str  # without its trailing semicolon, as the Supabase CLI stores it
    offset: int  # character offset in the file
    kind: str  # pglast node name, e.g. CreateStmt
    end: int = 0  # offset just past the statement
    touches: list[str] = field(default_factory=list)  # schema.name of relations it changes


@dataclass
class Reference:
    """A relation the migrations use but do not create (before they use it)."""

    name: str  # schema.name
    columns: list[str] = field(default_factory=list)  # referenced by a foreign key
    types: list[str | None] = field(default_factory=list)  # the referencing columns' types
    strong: bool = True  # DDL on it or a foreign key to it; False: only read by a view


@dataclass
class CreatedObject:
    kind: str  # table, view, index, foreign key, policy, trigger, function, column...
    name: str  # schema.name for tables and views; "" otherwise
    text: str  # the line plan shows: "index agent_tasks_agent_id_idx on agent_tasks (agent_id)"


@dataclass
class Note:
    """Something the parser has to say about one statement of a file."""

    line: int
    message: str


@dataclass
class LockNote:
    relation: str
    line: int
    message: str
    new: bool = False  # created by an earlier statement or file of the migrations


@dataclass
class FileAnalysis:
    version: str
    name: str
    path: str
    digest: str
    no_transaction: bool = False
    wrapped: bool = False  # the whole file is one BEGIN ... COMMIT
    own_transaction: bool = False  # BEGIN/COMMIT elsewhere in the file: it runs as written
    open_transaction: int = 0  # line of a BEGIN the file never commits (refused)
    statements: list[Statement] = field(default_factory=list)
    recorded: list[str] = field(default_factory=list)  # as the history table stores them
    created: list[CreatedObject] = field(default_factory=list)
    warnings: list[Note] = field(default_factory=list)
    non_transactional: list[Note] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    extensions: list[str] = field(default_factory=list)  # CREATE EXTENSION
    extension_functions: list[str] = field(default_factory=list)  # extensions it calls into
    locks: list[LockNote] = field(default_factory=list)
    created_at: dict[str, int] = field(default_factory=dict)  # schema.name -> line creating it
    # What the file does to relations it did not create ("schema.table\tcolumn[\tnew]"), so a
    # stand-in copied from the target can be put back as it was before the file ran.
    added_columns: list[str] = field(default_factory=list)
    renamed_columns: list[str] = field(default_factory=list)
    dropped_columns: list[str] = field(default_factory=list)
    added_constraints: list[str] = field(default_factory=list)

    @property
    def by_statement(self) -> bool:
        """Runs statement by statement (no one transaction around the file): the directive,
        or the file's own transaction control."""
        return self.no_transaction or self.own_transaction

    def open_transaction_message(self) -> str:
        return (f"{self.version}_{self.name}.sql:{self.open_transaction}: the file opens a "
                "transaction it never commits (psql rolls it back when the file ends, so "
                "nothing after that BEGIN would stay applied): end it with COMMIT")

    def runnable(self, sql: str) -> str:
        """The file's SQL as it runs inside our transaction: a file wrapped whole in its own
        BEGIN ... COMMIT runs as its body."""
        if not self.wrapped:
            return sql
        return sql[self.statements[0].end: self.statements[-1].offset].strip().lstrip(";")

    @property
    def creates(self) -> list[str]:
        """The lines plan shows, one per object created."""
        return [c.text for c in self.created]

    @property
    def created_tables(self) -> list[str]:
        return [c.name for c in self.created if c.kind == "table"]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> FileAnalysis:
        doc = dict(doc)
        doc["statements"] = [Statement(**s) for s in doc["statements"]]
        doc["references"] = [Reference(**r) for r in doc["references"]]
        doc["locks"] = [LockNote(**n) for n in doc["locks"]]
        doc["created"] = [CreatedObject(**c) for c in doc["created"]]
        doc["warnings"] = [Note(**n) for n in doc["warnings"]]
        doc["non_transactional"] = [Note(**n) for n in doc["non_transactional"]]
        return cls(**doc)


MANAGED_SCHEMAS = (
    "auth", "storage", "realtime", "extensions", "graphql", "graphql_public", "vault",
    "pgsodium", "pgsodium_masks", "supabase_functions", "supabase_migrations", "cron", "net",
    "pgbouncer", "pgtle", "_realtime", "_analytics", "information_schema", "pg_catalog",
    "pg_toast", "topology", "tiger", "tiger_data",
)


def short(name: str | None) -> str:
    """public.x is short as x, as people write it."""
    return (name or "").removeprefix("public.")


def managed(name: str) -> bool:
    """A relation or schema Supabase manages: referencing it is normal, judging it is not."""
    schema = name.split(".", 1)[0] if "." in name else name
    return schema in MANAGED_SCHEMAS or schema.startswith("pg_")


@dataclass
class Analysis:
    files: list[FileAnalysis]

    def by_version(self) -> dict[str, FileAnalysis]:
        return {f.version: f for f in self.files}

    @property
    def references(self) -> list[Reference]:
        """Every outside relation the migrations use, once, strong ones first."""
        seen: dict[str, Reference] = {}
        for f in self.files:
            for r in f.references:
                if managed(r.name):
                    continue
                have = seen.get(r.name)
                if have is None:
                    seen[r.name] = Reference(r.name, list(r.columns), list(r.types), r.strong)
                else:
                    have.strong = have.strong or r.strong
                    if r.columns and not have.columns:
                        have.columns, have.types = list(r.columns), list(r.types)
        return sorted(seen.values(), key=lambda r: not r.strong)

    @property
    def extensions_needed(self) -> list[str]:
        created = {e for f in self.files for e in f.extensions}
        out: list[str] = []
        for f in self.files:
            out += [e for e in f.extension_functions if e not in created and e not in out]
        return out
