"""`toolkit check`: the database view and the REST view of every table, side by side."""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from toolkit.errors import ConfigError
from toolkit.report import Report, TableResult
from toolkit.settings import Settings

if TYPE_CHECKING:
    import psycopg

    from toolkit.declared_model import Declared
    from toolkit.migrations import MigrationSet
    from toolkit.rest import Probe


def load_migrations(settings: Settings, report: Report) -> tuple[MigrationSet, Declared]:
    from toolkit.migrations import discover
    from toolkit.parse_cache import analyse_cached  # pglast only when the cache misses

    start = time.perf_counter()
    migrations = discover(settings.migrations_dir)
    for warning in migrations.warnings:
        report.warn(warning)
    declared = analyse_cached(migrations.files)
    report.timings["parse"] = (time.perf_counter() - start) * 1000
    return migrations, declared


def describe_target(settings: Settings) -> dict[str, str]:
    from toolkit.db import is_transaction_pooler

    out = {}
    if settings.db_url:
        out["database"] = settings.shown_db_url()
        if is_transaction_pooler(settings):
            out["pooler"] = "transaction mode: no prepared statements, transaction-scoped locks"
    if settings.supabase_url:
        out["api"] = settings.supabase_url
    return out


def start_rest(settings: Settings, names: list[str] | Future[list[str]]) -> Future[list[Probe]]:
    """Probe over REST in a thread, so both views cost the time of the slower one. `names` may
    be a future: the thread then imports the REST client while the migrations are parsed."""
    def run() -> list[Probe]:
        from toolkit.rest import probe

        assert settings.supabase_url and settings.service_key
        tables = names.result() if isinstance(names, Future) else names
        return probe(settings.supabase_url, settings.service_key, tables,
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


class Connecting:
    """Open the database connection in a daemon thread, so the handshake (TCP, startup, SCRAM:
    about four round trips) overlaps parsing the migrations. A daemon: a configuration error
    found meanwhile exits at once instead of waiting out the connect timeout."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._done = threading.Event()
        self._conn: psycopg.Connection[Any] | None = None
        self._error: BaseException | None = None
        self._abandoned = False
        self._lock = threading.Lock()
        threading.Thread(target=self._run, name="db-connect", daemon=True).start()

    def _run(self) -> None:
        from toolkit.db import connect

        try:
            conn = connect(self._settings, autocommit=True)
        except BaseException as exc:
            self._error = exc
        else:
            with self._lock:
                self._conn = conn
                if self._abandoned:
                    conn.close()
        finally:
            self._done.set()

    def result(self) -> psycopg.Connection[Any]:
        self._done.wait()
        if self._error is not None:
            raise self._error
        assert self._conn is not None
        return self._conn

    def abandon(self) -> None:
        with self._lock:
            self._abandoned = True
            if self._conn is not None:
                self._conn.close()


def run_check(settings: Settings, *, use_rest: bool = True) -> Report:
    if not settings.db_url and not settings.rest_configured:
        raise ConfigError(
            "nothing to check: set SUPABASE_DB_URL (or --db-url), and/or SUPABASE_URL with "
            "SUPABASE_SERVICE_ROLE_KEY"
        )
    report = Report("check", target=describe_target(settings))
    # Network first: the connection handshake and the REST client's import run while the
    # migrations are parsed (the probes and the catalog query need the table names). psycopg
    # is imported before any other thread starts, so the handshake is not kept waiting for
    # the GIL by the other imports: it is the longest chain of round trips.
    connecting = None
    if settings.db_url:
        import psycopg  # noqa: F401

        connecting = Connecting(settings)
    names_ready: Future[list[str]] = Future()
    rest = start_rest(settings, names_ready) if settings.rest_configured and use_rest else None
    try:
        from toolkit.evaluate import fill, table_names

        migrations, declared = load_migrations(settings, report)
        names = table_names(declared)
    except BaseException as exc:
        names_ready.set_exception(exc)
        if connecting is not None:
            connecting.abandon()
        raise
    names_ready.set_result(names)
    report.tables = [TableResult(name=n) for n in names]
    started = time.perf_counter()
    if connecting is not None:
        from toolkit.catalog import inspect

        with connecting.result() as conn:
            catalog = inspect(conn, names)
        fill(report, declared, migrations, catalog)
        report.timings["database"] = (time.perf_counter() - started) * 1000
    else:
        report.notes.append("no database URL: preconditions, drift and pending are not checked")
    if rest is not None:
        merge_rest(report, rest.result())
        report.timings["rest"] = (time.perf_counter() - started) * 1000
    _warn_stale_bundle(report)
    return report


def _warn_stale_bundle(report: Report) -> None:
    from toolkit.edge_bundle import bundle_stale
    from toolkit.project import find_root

    stale = bundle_stale(find_root())
    if stale:
        report.warn(stale)
