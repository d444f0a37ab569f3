"""`toolkit check`: is the database ready and complete? Both views, side by side."""

from __future__ import annotations

from toolkit.assess import Observed, observe
from toolkit.db.target import describe_target
from toolkit.errors import ConfigError
from toolkit.output.report import Report
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
    _warn_stale_bundle(report)
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


def _warn_stale_bundle(report: Report) -> None:
    """The Edge Function answers from its bundle: say when it was built from other files. Only
    a project that deploys the function from its own folder has a bundle; and the warning is
    said once per bundle (every new migration makes it stale until `make bundle`), after that
    a short note."""
    import hashlib

    from toolkit import cache
    from toolkit.edge.bundle import BUNDLE, bundle_stale
    from toolkit.project.root import find_root

    root = find_root()
    stale = bundle_stale(root)
    if not stale:
        return
    try:
        bundle = (root / BUNDLE).read_bytes()
    except OSError:
        bundle = b""
    key = hashlib.sha256(str(root.resolve()).encode() + b"\0" + bundle).hexdigest()[:32]
    if cache.load("edge-warned", key) is not None:
        report.notes.append("the Edge Function's bundle is still older than "
                            "supabase/migrations (said before): run `make bundle` before "
                            "deploying it")
        return
    report.warn(stale, kind="edge")
    cache.store("edge-warned", key, {"warned": True})
