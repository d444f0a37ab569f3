"""The one report model every command fills and every renderer reads.

Rendered as a terminal table (render_text), JSON (to_dict) and GitHub output (render_github).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from toolkit.errors import ExitCode

DbState = Literal["present", "missing", "drifted", "unknown"]
RestState = Literal["present", "missing", "forbidden", "unknown", "skipped"]


@dataclass
class PreconditionResult:
    name: str
    ok: bool
    detail: str


@dataclass
class TableResult:
    name: str
    database: DbState = "unknown"
    rest: RestState = "skipped"
    detail: str = ""
    differences: list[str] = field(default_factory=list)
    created_by: str | None = None  # the migration version that creates it; None: precondition

    @property
    def disagreement(self) -> bool:
        """The database and the API tell different stories about the table."""
        if self.rest in ("skipped", "unknown") or self.database == "unknown":
            return False
        return (self.database == "missing") != (self.rest == "missing")

    @property
    def ok(self) -> bool:
        """Seen and sound by every view that answered; an unknown REST answer is never ok."""
        if self.database in ("missing", "drifted") or self.disagreement:
            return False
        return self.rest not in ("missing", "forbidden", "unknown")


@dataclass
class Problem:
    level: Literal["error", "warning", "notice"]
    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None


@dataclass
class AppliedMigration:
    version: str
    name: str
    created: list[str]
    ms: float


@dataclass
class PlannedMigration:
    version: str
    name: str
    file: str
    creates: list[str]
    warnings: list[str]
    non_transactional: list[str]


@dataclass
class Report:
    command: str
    preconditions: list[PreconditionResult] = field(default_factory=list)
    functional: list[PreconditionResult] = field(default_factory=list)  # verify's insert test
    tables: list[TableResult] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    applied: list[AppliedMigration] = field(default_factory=list)
    planned: list[PlannedMigration] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    target: dict[str, str] = field(default_factory=dict)  # shown, never secret
    failed: bool = False  # a migration failed or was refused
    pending_is_incomplete: bool = False  # plan: anything pending means "not done"
    exit_override: ExitCode | None = None

    @property
    def preconditions_ok(self) -> bool:
        return all(p.ok for p in self.preconditions)

    @property
    def tables_ok(self) -> bool:
        return all(t.ok for t in self.tables)

    @property
    def ok(self) -> bool:
        if self.pending_is_incomplete and self.pending:
            return False
        return (not self.failed and self.preconditions_ok and self.tables_ok
                and all(f.ok for f in self.functional)
                and self.exit_override in (None, ExitCode.OK))

    @property
    def exit_code(self) -> ExitCode:
        if self.exit_override is not None:
            return self.exit_override
        if self.failed:
            return ExitCode.INCOMPLETE
        if not self.preconditions_ok:
            return ExitCode.PRECONDITION
        return ExitCode.OK if self.ok else ExitCode.INCOMPLETE

    @property
    def status(self) -> str:
        """ok, incomplete or failed: the GitHub Action's `status` output."""
        if self.failed or self.exit_code in (ExitCode.USAGE, ExitCode.PRECONDITION):
            return "failed"
        return "ok" if self.ok else "incomplete"

    @property
    def missing(self) -> list[str]:
        return [t.name for t in self.tables if t.database == "missing" or t.rest == "missing"]

    def error(self, message: str, **where: Any) -> None:
        self.problems.append(Problem("error", message, **where))

    def warn(self, message: str, **where: Any) -> None:
        self.problems.append(Problem("warning", message, **where))

    def to_dict(self) -> dict[str, Any]:
        return {
            "command": self.command,
            "ok": self.ok,
            "status": self.status,
            "exit_code": int(self.exit_code),
            "preconditions": [asdict(p) for p in self.preconditions],
            "functional": [asdict(f) for f in self.functional],
            "tables": [
                {"name": t.name, "database": t.database, "rest": t.rest, "detail": t.detail,
                 "differences": t.differences}
                for t in self.tables
            ],
            "pending": self.pending,
            "applied": [asdict(a) for a in self.applied],
            "planned": [asdict(p) for p in self.planned],
            "problems": [asdict(p) for p in self.problems],
            "notes": self.notes,
            "timings_ms": {k: round(v, 1) for k, v in self.timings.items()},
            "target": self.target,
        }
