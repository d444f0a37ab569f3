"""Both views of a project, side by side: the database judged against the shadow oracle, and
the REST API's answers. `check` is this; `verify` adds its functional test."""

from __future__ import annotations

import time
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TYPE_CHECKING

from toolkit.connections import Connecting
from toolkit.report import Report
from toolkit.rest_view import exposed_names, merge_rest, start_rest
from toolkit.settings import Settings

if TYPE_CHECKING:
    from toolkit.catalog import Catalog
    from toolkit.oracle import Oracle
    from toolkit.project import Project


@dataclass
class Observed:
    project: Project
    target: Catalog | None
    oracle: Oracle
    connecting: Connecting | None  # still open: verify's functional test uses it


def observe(settings: Settings, report: Report, *, use_rest: bool = True,
            keep_connection: bool = False) -> Observed:
    # Network first: the connection handshake and the REST client's import run while the
    # migrations are read. psycopg is imported before any other thread starts, so the
    # handshake is not kept waiting for the GIL by the other imports.
    connecting = None
    if settings.db_url:
        import psycopg  # noqa: F401

        connecting = Connecting(settings)
    names_ready: Future[list[str]] = Future()
    rest = start_rest(settings, names_ready) if settings.rest_configured and use_rest else None
    try:
        from toolkit import judge
        from toolkit.catalog import inspect
        from toolkit.oracle import build
        from toolkit.project import load_project

        project = load_project(settings, report)
        target = None
        if connecting is not None:
            started = time.perf_counter()
            conn = connecting.result()
            target = inspect(conn)
            if not keep_connection:
                conn.close()
            report.timings["database"] = (time.perf_counter() - started) * 1000
            judge.preconditions(report, project.analysis, target)
            judge.history(report, project.analysis, project.migrations, target)
        else:
            report.notes.append("no database URL: preconditions, drift and pending are not "
                                "checked")
        oracle = build(settings, project, target, report)
        judge.shadow_failures(report, oracle.replay, set(oracle.pending), project.migrations)
        judge.relations(report, project.analysis, oracle.replay, oracle.stand, target,
                        before=oracle.replay.before, after=oracle.replay.after,
                        api_schemas=settings.api_schemas)
    except BaseException as exc:
        names_ready.set_exception(exc)
        if connecting is not None:
            connecting.abandon()
        raise
    names_ready.set_result(exposed_names(report))
    if rest is not None:
        started = time.perf_counter()
        merge_rest(report, rest.result())
        report.timings["rest"] = (time.perf_counter() - started) * 1000
    return Observed(project, target, oracle, connecting if keep_connection else None)
