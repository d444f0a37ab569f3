"""The one report model every command fills and every renderer reads.

Findings carry structured fields (kind, table, column, file, line, SQLSTATE), so renderers
(text, JSON, GitHub) only read fields. The verdict (exit code, status, summary line) is computed
in one place, toolkit.judge.outcome, from the report alone.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

DbState = Literal["present", "missing", "drifted", "pending", "unknown"]
RestState = Literal["present", "missing", "forbidden", "unknown", "skipped"]
Level = Literal["error", "warning", "notice"]


@dataclass
class PreconditionResult:
    name: str
    ok: bool
    detail: str


@dataclass
class Finding:
    level: Level
    message: str  # the whole line a person reads, without a level prefix
    kind: str = "general"  # drift, grant, history, file, shadow, rest, lock, precondition...
    table: str | None = None
    column: str | None = None  # a table's column
    file: str | None = None
    line: int | None = None
    col: int | None = None  # position in the line
    sqlstate: str | None = None
    # Drift, as typed fields: what differs (`object`, e.g. "view public.v", and `property`,
    # e.g. "option security_invoker"), the migrations' value and the database's, and the one
    # statement that puts it back when there is one (tried on the shadow: `fix_tried`).
    object: str | None = None
    property: str | None = None
    expected: str | None = None
    actual: str | None = None
    fix_sql: str | None = None
    fix_tried: bool = False
    fix_setup: str | None = field(default=None, repr=False)  # for the trial only: not shown


@dataclass
class TableResult:
    name: str  # public.x is shown as x
    database: DbState = "unknown"
    rest: RestState = "skipped"
    detail: str = ""
    differences: list[str] = field(default_factory=list)
    pending_changes: list[str] = field(default_factory=list)  # what pending files will change
    created_by: str | None = None  # the migration version that creates it; None: referenced
    counts: bool = True  # part of this command's verdict (apply: tables its files touched)
    exposed: bool = True  # in a schema the API serves, so probed over REST
    existed: bool = False  # a pending file creates it, but it is already there
    db_judged: bool = True  # False without a database URL: only the REST view counts
    drift: list[Any] = field(default_factory=list)  # compare.Difference, one per difference
    file: str | None = None  # the migration file that creates it, and the line
    line: int | None = None

    @property
    def disagreement(self) -> bool:
        """The database and the API tell different stories about the table."""
        if self.rest in ("skipped", "unknown") or self.database in ("unknown",):
            return False
        return (self.database == "missing") != (self.rest == "missing")

    @property
    def rest_ok(self) -> bool:
        """An unknown REST answer is never ok."""
        return self.rest in ("present", "skipped") and not self.disagreement

    @property
    def ok(self) -> bool:
        """Sound in every view that judged it: unknown, pending or drifted is not ok."""
        if self.db_judged and self.database != "present":
            return False
        return self.rest_ok


@dataclass
class ObjectResult:
    """A view, function or type the migrations create."""

    kind: str
    name: str
    database: DbState
    detail: str = ""


@dataclass
class AppliedMigration:
    version: str
    name: str
    created: list[str]
    ms: float
    kinds: dict[str, int] = field(default_factory=dict)  # "table": 11, "index": 15, ...


@dataclass
class PlanNote:
    line: int | None  # in the migration file
    message: str


@dataclass
class PlannedMigration:
    version: str
    name: str
    file: str
    creates: list[str]
    warnings: list[PlanNote]
    non_transactional: list[PlanNote]
    no_transaction: bool = False
    tables: list[str] = field(default_factory=list)  # the tables it creates, as shown


@dataclass
class Report:
    command: str
    preconditions: list[PreconditionResult] = field(default_factory=list)
    functional: list[PreconditionResult] = field(default_factory=list)  # verify's insert test
    tables: list[TableResult] = field(default_factory=list)
    objects: list[ObjectResult] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    # Pending versions the database holds already (applied by hand): apply records their
    # history rows without running them; after apply, the versions it recorded so.
    adopt: list[str] = field(default_factory=list)
    applied: list[AppliedMigration] = field(default_factory=list)
    planned: list[PlannedMigration] = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    target: dict[str, str] = field(default_factory=dict)  # shown, never secret
    shadow: dict[str, Any] = field(default_factory=dict)  # origin, major, cached, seconds
    exit_on_pending: bool = False  # plan --detailed-exitcode
    rolled_back: str | None = None  # rollback: the <version>_<name> it undid
    # check --fix-sql: the engine's statements that make the target match the migrations
    fix_sql: dict[str, Any] | None = None

    def error(self, message: str, **where: Any) -> None:
        self.problems.append(Finding("error", message, **where))

    def warn(self, message: str, **where: Any) -> None:
        self.problems.append(Finding("warning", message, **where))

    @property
    def errors(self) -> list[Finding]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def missing(self) -> list[str]:
        return [t.name for t in self.tables if t.database == "missing" or t.rest == "missing"]

    def table(self, name: str) -> TableResult | None:
        return next((t for t in self.tables if t.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        from toolkit.judge.outcome import verdict

        v = verdict(self)
        return {
            "command": self.command,
            "ok": v.ok,
            "status": v.status,
            "exit_code": int(v.code),
            "summary": v.summary,
            "reason": v.reason,
            "preconditions": [asdict(p) for p in self.preconditions],
            "functional": [asdict(f) for f in self.functional],
            "tables": [
                {"name": t.name, "database": t.database, "rest": t.rest, "detail": t.detail,
                 "differences": t.differences, "pending_changes": t.pending_changes,
                 "created_by": t.created_by}
                for t in self.tables
            ],
            "objects": [asdict(o) for o in self.objects],
            "pending": self.pending,
            "adopt": self.adopt,
            "applied": [asdict(a) for a in self.applied],
            "planned": [asdict(p) for p in self.planned],
            "problems": [{k: v for k, v in asdict(p).items() if k != "fix_setup"}
                         for p in self.problems],
            "notes": self.notes,
            "timings_ms": {k: round(v, 1) for k, v in self.timings.items()},
            "target": self.target,
            "shadow": self.shadow,
            **({"rolled_back": self.rolled_back} if self.command == "rollback" else {}),
            **({"fix_sql": self.fix_sql} if self.fix_sql is not None else {}),
        }
