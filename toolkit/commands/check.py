"""`toolkit check`: is the database ready and complete? Both views, side by side."""

from __future__ import annotations

from toolkit.assess import Observed, observe
from toolkit.db.target import describe_target
from toolkit.errors import ConfigError
from toolkit.output.report import Report
from toolkit.project.edge_bundle import warn_if_stale
from toolkit.settings import Settings


def run_check(settings: Settings, *, use_rest: bool = True, fix_sql: bool = False) -> Report:
    if not settings.db_url and not settings.rest_configured:
        raise ConfigError(
            "nothing to check: set SUPABASE_DB_URL (or --db-url), and/or SUPABASE_URL with "
            "SUPABASE_SERVICE_ROLE_KEY"
        )
    if fix_sql and not settings.db_url:
        settings.require_db()  # the fix is for a database: say which setting is missing
    report = Report("check", target=describe_target(settings))
    observed = observe(settings, report, use_rest=use_rest)
    if fix_sql and observed.target is not None:
        _fix_sql(settings, report, observed)
    warn_if_stale(report)
    return report


def _fix_sql(settings: Settings, report: Report, observed: Observed) -> None:
    """The engine's statements, or why there are none: check's exit code stays its own."""
    from toolkit.delta.fix import fix_sql
    from toolkit.errors import ToolkitError

    assert observed.target is not None
    try:
        delta = fix_sql(settings, observed.project, observed.target, observed.oracle)
    except ToolkitError as exc:
        report.warn(f"--fix-sql: {exc}", kind="fix-sql")
        return
    report.fix_sql = delta.as_json()

