"""The REST view beside the database view: probes in a child process, merged into the report."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING

from toolkit.output.report import Report, TableResult
from toolkit.settings import Settings

if TYPE_CHECKING:
    from toolkit.rest.probe import Probe


def exposed_names(report: Report) -> list[str]:
    """The tables to probe: only those in a schema the API serves (never auth.users)."""
    return [t.name for t in report.tables if t.exposed]


def start_rest(settings: Settings, names: list[str] | Future[list[str]]) -> Future[list[Probe]]:
    """Probe over REST in a process of its own (toolkit.rest.worker), so both views cost the
    time of the slower one and not the sum of their CPU. `names` may be a future: the worker
    imports the REST client while the migrations are read, and is sent the names when known."""
    from toolkit.rest import worker

    assert settings.supabase_url and settings.service_key
    url, key = settings.supabase_url, settings.service_key
    child = worker.spawn()

    def run() -> list[Probe]:
        try:
            tables = names.result() if isinstance(names, Future) else names
        except BaseException:
            child.kill()  # the assessment failed before any probe was needed
            child.wait()
            raise
        return worker.ask(child, url, key, tables, settings.connect_timeout_s)

    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rest")
    future = pool.submit(run)
    pool.shutdown(wait=False)
    return future


def merge_rest(report: Report, probes: list[Probe]) -> None:
    by_name = {t.name: t for t in report.tables}
    for p in probes:
        t = by_name.get(p.table)
        if t is None:
            t = TableResult(name=p.table, db_judged=False)
            report.tables.append(t)
        t.rest = p.state  # type: ignore[assignment]
        if p.state in ("forbidden", "unknown") or t.database == "unknown" or t.disagreement:
            t.detail = f"{t.detail}; REST: {p.detail}" if t.detail else f"REST: {p.detail}"
        if t.disagreement:
            if t.database == "missing":
                report.error(f"{t.name}: the API answers for it but the database has no such "
                             "table: are SUPABASE_URL and SUPABASE_DB_URL the same project?",
                             kind="rest", table=t.name)
            else:
                report.error(
                    f"{t.name}: in the database but the API answers missing: the schema is not "
                    "exposed, or PostgREST's schema cache is stale (NOTIFY pgrst, 'reload "
                    "schema')", kind="rest", table=t.name)
