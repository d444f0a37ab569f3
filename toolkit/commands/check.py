"""`toolkit check`: is the database ready and complete? Both views, side by side."""

from __future__ import annotations

from toolkit.assess import observe
from toolkit.db.target import describe_target
from toolkit.errors import ConfigError
from toolkit.output.report import Report
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
