"""Both views of a project, side by side: the database judged against the shadow oracle, and
the REST API's answers. `check` is this; `verify` adds its functional test."""

from __future__ import annotations

import time
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TYPE_CHECKING

from toolkit.db.target import Connecting
from toolkit.db.waits import Limits, read_catalog, target_opener
from toolkit.output.report import Report
from toolkit.rest.view import exposed_names, merge_rest, start_rest
from toolkit.settings import Settings

if TYPE_CHECKING:
    from toolkit.db.catalog import Catalog
    from toolkit.oracle.expected import Oracle
    from toolkit.project.load import Project


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
        from toolkit.judge import target as judge
        from toolkit.oracle.expected import build
        from toolkit.project.load import load_project

        project = load_project(settings, report)
        # The probes need the table names, which the oracle gives only after the catalog
        # read: start them now with the names the last run found for the same files, so the
        # two views still run side by side; any name that turns out different is probed after.
        guessed = _last_names(project, settings)
        if guessed is not None:
            names_ready.set_result(guessed)
        target = None
        if connecting is not None:
            started = time.perf_counter()
            conn = connecting.result()
            target = read_catalog(conn, Limits.of(settings), "reading the database's catalog",
                                  opener=target_opener(settings))
            if not keep_connection:
                conn.close()
            report.timings["database"] = (time.perf_counter() - started) * 1000
            judge.preconditions(report, project.analysis, target)
            judge.history(report, project.analysis, project.migrations, target)
        else:
            report.notes.append("no database URL: preconditions, drift and pending are not "
                                "checked")
        oracle = build(settings, project, target, report)
        judge.shadow_failures(report, oracle.replay, set(oracle.pending), project.migrations,
                              target)
        judge.relations(report, project.analysis, oracle.replay, oracle.stand, target,
                        before=oracle.replay.before, after=oracle.replay.after,
                        api_schemas=settings.api_schemas)
        if target is not None:
            from toolkit.oracle.fix_trial import try_fixes

            try_fixes(report, project, oracle, target, settings)
    except BaseException as exc:
        if not names_ready.done():
            names_ready.set_exception(exc)
        if connecting is not None:
            connecting.abandon()
        raise
    names = exposed_names(report)
    _remember_names(project, settings, names)
    if not names_ready.done():
        names_ready.set_result(names)
    if rest is not None:
        started = time.perf_counter()
        probes = [p for p in rest.result() if p.table in names]
        missed = [n for n in names if n not in {p.table for p in probes}]
        if missed:
            probes += start_rest(settings, missed).result()
        merge_rest(report, probes)
        report.timings["rest"] = (time.perf_counter() - started) * 1000
    return Observed(project, target, oracle, connecting if keep_connection else None)


def _names_key(project: Project, settings: Settings) -> str:
    from toolkit import cache

    key = cache.Key("rest-names", ",".join(settings.api_schemas))
    for f in project.migrations.files:
        key.add(f.path.name, f.digest)
    return key.hex()


def _last_names(project: Project, settings: Settings) -> list[str] | None:
    from toolkit import cache

    doc = cache.load("rest-names", _names_key(project, settings))
    return [str(n) for n in doc] if isinstance(doc, list) else None


def _remember_names(project: Project, settings: Settings, names: list[str]) -> None:
    from toolkit import cache

    if _last_names(project, settings) != names:
        cache.store("rest-names", _names_key(project, settings), names)
