"""`toolkit check`: is the database ready and complete? Both views, side by side."""

from __future__ import annotations

from toolkit.assess import observe
from toolkit.db.target import describe_target
from toolkit.errors import ConfigError
from toolkit.output.report import Report
from toolkit.project.edge_bundle import warn_if_stale
from toolkit.settings import Settings


def run_check(settings: Settings, *, use_rest: bool = True) -> Report:
    if not settings.db_url and not settings.rest_configured:
        raise ConfigError(
            "nothing to check: set SUPABASE_DB_URL (or --db-url), and/or SUPABASE_URL with "
            "SUPABASE_SERVICE_ROLE_KEY"
        )
    report = Report("check", target=describe_target(settings))
    observe(settings, report, use_rest=use_rest)
    warn_if_stale(report)
    return report
