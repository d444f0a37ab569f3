"""The one assessment every command stands on: the project's files, the target's catalog and
history, the shadow replay (the oracle), and the judgement of the one against the other, with
the REST view beside it when the mode observes. check and verify are this; plan and apply add
what they do to it; diff and pull read it. A new check goes in here (or in the judge), once.

The steps, in order: connect (in a thread, while the files are read), load the project, read
the target (plan: inside a READ ONLY transaction that is rolled back), judge its preconditions
and history, replay the files on the shadow, judge every relation, try the fixes (check,
verify), merge the REST answers (check, verify). apply runs its files between `assess` and
`reassess`, which judges the target as its transaction left it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from toolkit.db.connect import Connecting, describe_target, limits, monitor_opener
from toolkit.db.waits import read_catalog
from toolkit.judge.mode import Mode, mode_of
from toolkit.output.report import Finding, Report
from toolkit.rest.view import exposed_names, merge_rest, start_rest
from toolkit.settings import Settings

if TYPE_CHECKING:
    import psycopg

    from toolkit.db.catalog import Catalog
    from toolkit.db.model import HistoryRow
    from toolkit.judge.destructive import Lost
    from toolkit.oracle.expected import Oracle
    from toolkit.project.load import Project
    from toolkit.project.migrations import MigrationSet

# The findings a judgement of the relations and preconditions makes: judged again, replaced.
REJUDGED = ("drift", "grant", "advisor")


@dataclass
class Assessment:
    mode: Mode
    report: Report  # what the judgement found, as the command prints it
    project: Project
    target: Catalog | None  # None: no database URL
    oracle: Oracle | None  # None: apply refused the history before any replay
    connecting: Connecting | None = None  # still open (verify, apply), else None
    lost: list[Lost] = field(default_factory=list)  # plan: the data pending files destroy

    @property
    def findings(self) -> list[Finding]:
        """Every finding, typed: drift carries object, property, expected and actual."""
        return self.report.problems

    @property
    def history(self) -> tuple[HistoryRow, ...] | None:
        """The target's history rows; None without a database or when it may not be read."""
        return self.target.history if self.target is not None else None

    @property
    def connection(self) -> psycopg.Connection[Any]:
        """The connection kept open for the command (apply's transactions, verify's test)."""
        assert self.connecting is not None, "assess(keep_connection=True) keeps it"
        return self.connecting.result()


def read_target(conn: psycopg.Connection[Any], settings: Settings,
                what: str = "reading the database's catalog", *,
                in_transaction: bool = False) -> Catalog:
    """The target's catalog within the user's timeouts."""
    return read_catalog(conn, limits(settings), what, opener=monitor_opener(settings),
                        in_transaction=in_transaction)


def assess(settings: Settings, mode: str, *, report: Report | None = None,
           use_rest: bool = True, keep_connection: bool = False,
           include_all: bool = False) -> Assessment:
    """Assess the target in `mode` (check, plan, apply, verify, or a command that reads the
    assessment). `keep_connection`: the connection stays open for the caller (apply always
    keeps it); `include_all`: the history judged as --include-all applies it."""
    m = mode_of(mode)
    report = report if report is not None else Report(m.name, target=describe_target(settings))
    keep = keep_connection or m.writes
    # Network first: the REST probes' process starts importing its client, and the connection
    # handshake runs while the migrations are read. psycopg is imported before the connecting
    # thread starts, so the handshake is not kept waiting for the GIL by that import.
    names_ready: Future[list[str]] = Future()
    rest = start_rest(settings, names_ready) \
        if m.observes and settings.rest_configured and use_rest else None
    connecting = None
    if settings.db_url:
        import psycopg  # noqa: F401

        connecting = Connecting(settings, autocommit=not m.answers_pending)
    try:
        from toolkit.project.load import load_project
        from toolkit.project.migrations import discover

        migrations = discover(settings.migrations_dir)
        # The probes need the table names, which the oracle gives only after the catalog
        # read: start them now (before the files are parsed) with the names the last run
        # found for the same files, so the two views run side by side; a name that differs
        # is probed after. Read once: _rest_view compares with it what it remembers.
        guessed = _last_names(migrations, settings) if m.observes else None
        if rest is not None and guessed is not None:
            names_ready.set_result(guessed)
        project = load_project(settings.migrations_dir, report, migrations)
        if m.writes and connecting is None:
            settings.require_db()  # says which setting is missing
        target, lost = _read(connecting, settings, m, report, project, keep)
        assessment = Assessment(m, report, project, target, None,
                                connecting if keep else None, lost)

        def replay(target: Catalog | None, report: Report) -> Oracle:
            from toolkit.oracle.expected import build

            return build(settings, project, target, report)

        judge(assessment, replay, include_all=include_all, api_schemas=settings.api_schemas)
        if m.observes and assessment.oracle is not None and target is not None:
            from toolkit.oracle.fix_trial import try_fixes

            try_fixes(report, project, assessment.oracle, target, settings)
    except BaseException as exc:
        if not names_ready.done():
            names_ready.set_exception(exc)
        if connecting is not None:
            connecting.abandon()
        raise
    if m.observes:
        _rest_view(report, project, settings, rest, names_ready, guessed)
    return assessment


def reassess(before: Assessment, settings: Settings, target: Catalog, *,
             counted: set[str], complete: bool = True) -> Assessment:
    """apply's judgement after its transaction: `target` as it is now, against the replay of
    every file (`complete`), or of the files its history records, as check judges it; only
    `counted` relations decide the verdict: drift elsewhere is reported, not a failed apply.
    The preconditions, relations and their findings replace the first judgement's in
    `before.report`."""
    from toolkit.judge import target as judging

    assert before.oracle is not None
    report, project = before.report, before.project
    oracle = before.oracle
    if not complete and report.applied:
        # Some files committed, one failed: the history moved, so the boundary did too.
        from toolkit.oracle.expected import build

        oracle = build(settings, project, target, Report(report.command, target=report.target))
    fresh = Report(report.command, target=report.target)
    judging.preconditions(fresh, project.analysis, target)
    after = oracle.replay.after
    judging.relations(fresh, project.analysis, oracle.replay, oracle.stand, target,
                      before=after if complete else oracle.replay.before, after=after,
                      counted=counted, api_schemas=settings.api_schemas)
    for t in fresh.tables:
        if not t.counts and t.database in ("drifted", "missing"):
            t.detail = f"not touched by this apply: {t.detail}"
    report.tables, report.objects = fresh.tables, fresh.objects
    report.preconditions = fresh.preconditions
    report.problems = [p for p in report.problems if p.kind not in REJUDGED] + fresh.problems
    report.notes += fresh.notes
    return Assessment(before.mode, report, project, target, oracle, before.connecting)


# -- the steps -------------------------------------------------------------------------------

def _read(connecting: Connecting | None, settings: Settings, m: Mode, report: Report,
          project: Project, keep: bool) -> tuple[Catalog | None, list[Lost]]:
    """The target's catalog (None without a database URL); plan reads it, and counts the data
    the pending files would destroy, inside a READ ONLY transaction that is rolled back, so
    the database refuses any write even if there were a bug here."""
    if connecting is None:
        return None, []
    from toolkit.judge import target as judging

    started = time.perf_counter()
    if not connecting.done():
        _import_judging()  # the handshake's round trips are in flight: import meanwhile
    conn = connecting.result()
    lost: list[Lost] = []
    if m.answers_pending:
        from toolkit.judge.destructive import find

        with conn:
            conn.read_only = True
            with conn.transaction(force_rollback=True):
                target = read_target(conn, settings, in_transaction=True)
                if target.history_readable:  # counted as apply counts them before asking
                    lost = find(conn, project,
                                judging.pending_versions(project.migrations, target))
        return target, lost
    target = read_target(conn, settings)
    if not keep:
        conn.close()
    if m.observes:
        report.timings["database"] = (time.perf_counter() - started) * 1000
    if m.writes and not target.history_readable:
        from toolkit.errors import ConnectError

        raise ConnectError(
            f"role {target.user} may not read supabase_migrations.schema_migrations: apply "
            "needs the postgres role (or one that owns the history table)")
    return target, lost


def _import_judging() -> None:
    """What judging the target will import, imported while the connection is being made (over
    a 100 ms round trip that is half a second of idle main thread) rather than after it."""
    import toolkit.judge.target
    import toolkit.oracle.expected
    import toolkit.oracle.fix_trial
    import toolkit.output.text  # noqa: F401


def judge(a: Assessment, replay: Callable[[Catalog | None, Report], Oracle], *,
          include_all: bool = False, api_schemas: tuple[str, ...] = ("public",)) -> None:
    """Everything after the reads, in order, into `a`: what the target alone tells (its
    preconditions and history), then the replay `replay` makes for it (the shadow's; a
    captured one in the fast lane), what the shadow could not run, and every relation. apply
    refuses a history the local files do not explain before any replay."""
    from toolkit.judge import target as judging

    report, project, target = a.report, a.project, a.target
    if target is not None:
        judging.preconditions(report, project.analysis, target)
        judging.history(report, project.analysis, project.migrations, target,
                        include_all=include_all)
        if a.mode.writes and judging.remote_only_versions(project.migrations, target):
            return  # refused before any DDL (the history's finding says why)
    elif a.mode.answers_pending:
        report.pending = [f.version for f in project.migrations.files]
        report.notes.append("no database URL: nothing was compared with a database; every "
                            "migration file is listed as pending: "
                            + ", ".join(f.path.name for f in project.migrations.files))
    else:
        report.notes.append("no database URL: preconditions, drift and pending are not "
                            "checked")
    oracle = a.oracle = replay(target, report)
    judging.shadow_failures(report, oracle.replay, set(oracle.pending), project.migrations,
                            target)
    judging.relations(report, project.analysis, oracle.replay, oracle.stand, target,
                      before=oracle.replay.before, after=oracle.replay.after,
                      api_schemas=api_schemas)


def _rest_view(report: Report, project: Project, settings: Settings,
               rest: Future[list[Any]] | None, names_ready: Future[list[str]],
               guessed: list[str] | None) -> None:
    """The REST answers beside the database's: the probes started on the guessed names, and
    any name the guess missed probed now. The names are remembered for the next run's guess."""
    names = exposed_names(report)
    if names != guessed:
        from toolkit import cache

        cache.store("rest-names", _names_key(project.migrations, settings), names)
    if not names_ready.done():
        names_ready.set_result(names)
    if rest is None:
        return
    started = time.perf_counter()
    probes = [p for p in rest.result() if p.table in names]
    probed = {p.table for p in probes}
    missed = [n for n in names if n not in probed]
    if missed:
        probes += start_rest(settings, missed).result()
    merge_rest(report, probes)
    report.timings["rest"] = (time.perf_counter() - started) * 1000


def _names_key(migrations: MigrationSet, settings: Settings) -> str:
    from toolkit import cache

    key = cache.Key("rest-names", ",".join(settings.api_schemas))
    for f in migrations.files:
        key.add(f.path.name, f.digest)
    return key.hex()


def _last_names(migrations: MigrationSet, settings: Settings) -> list[str] | None:
    from toolkit import cache

    doc = cache.load("rest-names", _names_key(migrations, settings))
    return [str(n) for n in doc] if isinstance(doc, list) else None
