"""`toolkit check`: is the database ready and complete? Both views, side by side."""

from __future__ import annotations

from toolkit.connections import describe_target
from toolkit.errors import ConfigError
from toolkit.observe import observe
from toolkit.report import Report
from toolkit.settings import Settings


def run_check(settings: Settings, *, use_rest: bool = True) -> Report:
    if not settings.db_url and not settings.rest_configured:
        raise ConfigError(
            "nothing to check: set SUPABASE_DB_URL (or --db-url), and/or SUPABASE_URL with "
            "SUPABASE_SERVICE_ROLE_KEY"
        )
    report = Report("check", target=describe_target(settings))
    observe(settings, report, use_rest=use_rest)
    _warn_stale_bundle(report)
    return report


def _warn_stale_bundle(report: Report) -> None:
    """The Edge Function answers from its bundle: say when it was built from other files."""
    from toolkit.edge_bundle import bundle_stale
    from toolkit.root import find_root

    stale = bundle_stale(find_root())
    if stale:
        report.warn(stale, kind="edge")
