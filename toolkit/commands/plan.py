"""`toolkit plan` (and `apply --dry-run`): what apply would do, provably without writing.

The target's catalog is read inside a READ ONLY transaction that is rolled back, so the
database refuses any write even if there were a bug here. The shadow database has replayed the
files already: plan shows what each pending file creates, what it changes in tables that exist,
the locks it takes on tables that exist, and any table it would skip because it exists already.
It exits 0 whenever it could make a plan (`--detailed-exitcode`: 4 when something is pending).
"""

from __future__ import annotations

from toolkit.db.catalog import Catalog
from toolkit.db.connect import connect
from toolkit.db.target import describe_target
from toolkit.db.waits import Limits, read_catalog, target_opener
from toolkit.judge import target as judge
from toolkit.judge.destructive import Lost, find
from toolkit.oracle.expected import build
from toolkit.output.report import PlannedMigration, PlanNote, Report
from toolkit.project.load import Project, load_project
from toolkit.project.model import short
from toolkit.settings import Settings


def run_plan(settings: Settings, *, detailed_exitcode: bool = False,
             include_all: bool = False) -> Report:
    report = Report("plan", target=describe_target(settings), exit_on_pending=detailed_exitcode)
    project = load_project(settings, report)
    target: Catalog | None = None
    lost: list[Lost] = []
    if settings.db_url:
        with connect(settings) as conn:
            conn.read_only = True
            with conn.transaction(force_rollback=True):
                target = read_catalog(conn, Limits.of(settings),
                                      "reading the database's catalog",
                                      opener=target_opener(settings), in_transaction=True)
                if target.history_readable:  # counted as apply counts them before asking
                    lost = find(conn, project, judge.pending_versions(project.migrations,
                                                                      target))
        judge.preconditions(report, project.analysis, target)
        judge.history(report, project.analysis, project.migrations, target,
                      include_all=include_all)
    else:
        report.pending = [f.version for f in project.migrations.files]
        report.notes.append("no database URL: nothing was compared with a database; every "
                            "migration file is listed as pending: "
                            + ", ".join(f.path.name for f in project.migrations.files))
    oracle = build(settings, project, target, report)
    judge.shadow_failures(report, oracle.replay, set(oracle.pending), project.migrations,
                          target)
    judge.relations(report, project.analysis, oracle.replay, oracle.stand, target,
                    before=oracle.replay.before, after=oracle.replay.after,
                    api_schemas=settings.api_schemas)
    planned(report, project, target, lost)
    if not report.pending and target is not None and target.history_readable:
        report.notes.append("nothing pending: apply would do nothing")
    return report


def planned(report: Report, project: Project, target: Catalog | None,
            lost: list[Lost] | None = None) -> None:
    """Each pending file: what it creates, its warnings, the locks it takes on tables that
    exist (not on those an earlier pending file creates), and the data it would destroy, in
    the words apply stops with."""
    pending = set(report.pending)
    existing = set(target.relations) if target is not None else set()
    for f, a in project.pairs():
        if f.version not in pending:
            continue
        if f.version in report.adopt:
            report.planned.append(PlannedMigration(
                version=f.version, name=f.name, file=str(f.path), creates=[],
                warnings=[PlanNote(None, "adopt: the database holds what it makes already (applied "
                                   "by hand); apply records its history row without running it")],
                non_transactional=[], tables=[]))
            continue
        warnings = [PlanNote(n.line, n.message) for n in a.warnings]
        said: set[tuple[str, str]] = set()
        for lock in a.locks:
            if (lock.relation, lock.message) in said:
                continue  # one warning per table and kind of lock is enough
            said.add((lock.relation, lock.message))
            if lock.relation in existing if target is not None else not lock.new:
                warnings.append(PlanNote(lock.line,
                                         f"{short(lock.relation)}: {lock.message}"))
        for item in lost or ():
            if item.file == f.path.name:
                warnings.append(PlanNote(item.line, f"destroys data: {item.text}; apply asks "
                                         "first (--allow-destructive without a terminal)"))
        for t in report.tables:
            if t.existed and t.created_by == f.version:
                what = ("matches: the history row will be recorded and the table adopted"
                        if t.database == "present" else "differs: " + "; ".join(t.differences))
                warnings.append(PlanNote(None, f"table {t.name} exists already, so CREATE "
                                         f"TABLE IF NOT EXISTS will skip it; it {what}"))
        report.planned.append(PlannedMigration(
            version=f.version, name=f.name, file=str(f.path), creates=a.creates,
            warnings=warnings,
            non_transactional=[PlanNote(n.line, n.message) for n in a.non_transactional],
            no_transaction=a.by_statement,
            tables=[short(t) for t in a.created_tables]))
        if a.open_transaction:
            report.error(a.open_transaction_message(), kind="refused", file=str(f.path),
                         line=a.open_transaction)
        for n in a.non_transactional:
            if not a.by_statement:
                report.error(f"{f.path.name}:{n.line}: {n.message} cannot run inside a "
                             f"transaction; put the directive `-- toolkit:no-transaction` on "
                             f"the first line of {f.path.name} to run it statement by statement",
                             kind="refused", file=str(f.path), line=n.line)
