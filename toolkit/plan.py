"""`toolkit plan` (and `apply --dry-run`): what apply would do, provably without writing.

The catalog is read inside a READ ONLY transaction that is rolled back, so the database
refuses any write even if there were a bug here. Without a database URL every file is listed.
"""

from __future__ import annotations

from toolkit.catalog import inspect
from toolkit.check import describe_target, load_migrations
from toolkit.db import connect
from toolkit.errors import ExitCode
from toolkit.evaluate import fill, table_names
from toolkit.report import PlannedMigration, Report
from toolkit.settings import Settings


def run_plan(settings: Settings) -> Report:
    report = Report("plan", target=describe_target(settings), pending_is_incomplete=True)
    migrations, declared = load_migrations(settings, report)
    if settings.db_url:
        with connect(settings) as conn:
            conn.read_only = True
            with conn.transaction(force_rollback=True):
                catalog = inspect(conn, table_names(declared))
        fill(report, declared, migrations, catalog)
    else:
        report.pending = [f.version for f in migrations.files]
        report.notes.append("no database URL: every migration file is listed as pending")
    pending = set(report.pending)
    for analysis in declared.files:
        f = analysis.file
        if f.version not in pending:
            continue
        report.planned.append(PlannedMigration(
            version=f.version, name=f.name, file=str(f.path), creates=analysis.creates,
            warnings=analysis.warnings, non_transactional=analysis.non_transactional))
        for reason in analysis.non_transactional:
            report.failed = True
            report.error(f"{f.path.name} cannot run in one transaction: {reason}", file=str(f.path))
    if settings.db_url and not catalog.history_readable:
        # The history cannot be read: "nothing pending" would be a guess, so say so (exit 1).
        report.exit_override = ExitCode.INCOMPLETE
    elif not report.planned:
        report.notes.append("nothing pending: apply would do nothing")
    return report
