"""What the migration files declare, as plain data: the parser (declared.py) fills it, the
parse cache stores it, and check, plan and apply read it without importing pglast."""

from __future__ import annotations

from dataclasses import dataclass, field

from toolkit.migrations import MigrationFile
from toolkit.schema import Table


@dataclass(frozen=True)
class Statement:
    text: str  # without its trailing semicolon, as the Supabase CLI stores it
    offset: int  # character offset in the file
    kind: str  # pglast node name, e.g. CreateStmt


@dataclass(frozen=True)
class Requirement:
    """Something a migration needs that no migration creates."""

    kind: str  # "table" or "extension"
    name: str  # "agents" or "uuid-ossp"
    column: str | None = None  # for a table: the referenced column
    column_type: str | None = None  # and the type the referencing column has


@dataclass
class FileAnalysis:
    file: MigrationFile
    statements: list[Statement] = field(default_factory=list)
    recorded: tuple[str, ...] = ()  # the statements as the history table stores them
    tables: dict[str, Table] = field(default_factory=dict)
    creates: list[str] = field(default_factory=list)  # human lines: "table agent_tasks"
    warnings: list[str] = field(default_factory=list)
    non_transactional: list[str] = field(default_factory=list)
    requirements: list[Requirement] = field(default_factory=list)
    extensions: set[str] = field(default_factory=set)

    def where(self, offset: int) -> str:
        line, _ = self.file.position(offset)
        return f"{self.file.path.name}:{line}"


@dataclass
class Declared:
    files: list[FileAnalysis]

    @property
    def tables(self) -> dict[str, Table]:
        out: dict[str, Table] = {}
        for f in self.files:
            out.update(f.tables)
        return out

    @property
    def preconditions(self) -> list[Requirement]:
        """Requirements of any file that no file satisfies, each once."""
        created = set(self.tables)
        extensions = set().union(*(f.extensions for f in self.files))
        seen: dict[tuple[str, str, str | None], Requirement] = {}
        for f in self.files:
            for req in f.requirements:
                if (req.kind == "table" and req.name in created) or (
                    req.kind == "extension" and req.name in extensions
                ):
                    continue
                seen.setdefault((req.kind, req.name, req.column), req)
        return list(seen.values())
