"""`toolkit check`: the database view and the REST view of every table, side by side."""

from __future__ import annotations

import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING

from toolkit.catalog import inspect
from toolkit.db import connect
from toolkit.declared import Declared, analyse
from toolkit.errors import ConfigError
from toolkit.evaluate import fill, table_names
from toolkit.migrations import MigrationSet, discover
from toolkit.report import Report, TableResult
from toolkit.settings import Settings

if TYPE_CHECKING:
    from toolkit.rest import Probe


def load_migrations(settings: Settings, report: Report) -> tuple[MigrationSet, Declared]:
    start = time.perf_counter()
    migrations = discover(settings.migrations_dir)
    for warning in migrations.warnings:
        report.warn(warning)
    declared = analyse(migrations.files)
    report.timings["parse"] = (time.perf_counter() - start) * 1000
    return migrations, declared


def describe_target(settings: Settings) -> dict[str, str]:
    out = {}
    if settings.db_url:
        out["database"] = settings.shown_db_url()
    if settings.supabase_url:
        out["api"] = settings.supabase_url
    return out


def start_rest(settings: Settings, names: list[str]) -> Future[list[Probe]]:
    """Probe over REST in a thread, so both views cost the time of the slower one."""
    def run() -> list[Probe]:
        from toolkit.rest import probe

        assert settings.supabase_url and settings.service_key
        return probe(settings.supabase_url, settings.service_key, names,
                     settings.connect_timeout_s)

    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rest")
    future = pool.submit(run)
    pool.shutdown(wait=False)
    return future


def merge_rest(report: Report, probes: list[Probe]) -> None:
    by_name = {t.name: t for t in report.tables}
    for p in probes:
        t = by_name.get(p.table)
        if t is None:
            t = TableResult(name=p.table)
            report.tables.append(t)
        t.rest = p.state  # type: ignore[assignment]
        if p.state in ("forbidden", "unknown") or t.database == "unknown" or t.disagreement:
            t.detail = f"{t.detail}; REST: {p.detail}" if t.detail else f"REST: {p.detail}"
        if t.disagreement:
            if t.database == "missing":
                report.error(f"{t.name}: the API answers for it but the database view has no "
                             "such table in public")
            else:
                report.error(
                    f"{t.name}: in the database but the API answers missing: the schema is not "
                    "exposed, or PostgREST's schema cache is stale (NOTIFY pgrst, 'reload schema')"
                )


def run_check(settings: Settings, *, use_rest: bool = True) -> Report:
    if not settings.db_url and not settings.rest_configured:
        raise ConfigError(
            "nothing to check: set SUPABASE_DB_URL (or --db-url), and/or SUPABASE_URL with "
            "SUPABASE_SERVICE_ROLE_KEY"
        )
    report = Report("check", target=describe_target(settings))
    migrations, declared = load_migrations(settings, report)
    names = table_names(declared)
    report.tables = [TableResult(name=n) for n in names]
    started = time.perf_counter()
    rest = start_rest(settings, names) if settings.rest_configured and use_rest else None
    if settings.db_url:
        with connect(settings, autocommit=True) as conn:
            catalog = inspect(conn, names)
        fill(report, declared, migrations, catalog)
        report.timings["database"] = (time.perf_counter() - started) * 1000
    else:
        report.notes.append("no database URL: preconditions, drift and pending are not checked")
    if rest is not None:
        merge_rest(report, rest.result())
        report.timings["rest"] = (time.perf_counter() - started) * 1000
    return report
