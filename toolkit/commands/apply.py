"""`toolkit apply`: run the pending migration files, each all-or-nothing and recorded.

Every file runs in one transaction together with its history row (the Supabase CLI's table)
and a transaction-scoped advisory lock, under SET LOCAL timeouts, sent as one round trip
(toolkit/db/apply_file.py): a crash, a kill or a failing statement leaves the database exactly as it
was before that file, and no session state of one file reaches the next. A file with the
directive `-- toolkit:no-transaction` runs statement by statement instead, its history row
after the last.

Before any DDL the shadow database has replayed the files: a pending file that fails there is
refused, and so is a table the migrations create that exists already but differs (CREATE TABLE
IF NOT EXISTS would skip it silently). After the last file, the target is judged against the
shadow; apply's verdict rests on the tables its files touched.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from toolkit.db.apply_file import FilePlan, Outcome, Session, plan_files, search_path
from toolkit.db.catalog import Catalog
from toolkit.db.connect import connect
from toolkit.db.sqlfiles import load_sql, load_statements
from toolkit.db.target import describe_target
from toolkit.db.waits import Limits, Watch, read_catalog, target_opener, watched
from toolkit.errors import ConnectError, Declined, Refused
from toolkit.judge import target as judge
from toolkit.oracle.expected import Oracle, build
from toolkit.output import progress
from toolkit.output.report import AppliedMigration, Report
from toolkit.project.load import Project, load_project
from toolkit.project.migrations import NO_TRANSACTION, MigrationFile
from toolkit.project.model import FileAnalysis, short
from toolkit.rest.view import exposed_names, merge_rest
from toolkit.settings import Settings
from toolkit.words import plural

if TYPE_CHECKING:
    from toolkit.judge.destructive import Lost

Ask = Callable[[str], bool]


def _statement_error(report: Report, f: MigrationFile, exc: Any, settings: Settings,
                     located: tuple[int, int] | None = None, base: int | None = 0,
                     done: str = "", watch: Watch | None = None) -> None:
    """Turn a failed statement into a finding with file, line, column and SQLSTATE; `base`
    is where the failed text starts in the file (None: not the file's text, so the server's
    position says nothing about the file). With the watchdog's `watch`: a cancel it sent is
    the timeout it enforced, never the file's error."""
    import psycopg.errors as pe

    position = getattr(exc.diag, "statement_position", None) if base is not None else None
    line = column = None
    if position and base is not None:
        line, column = f.position(base + int(position) - 1)
    elif located:
        line, column = located
    where = f"{f.path}:{line}:{column}" if line else str(f.path)
    first = (getattr(exc.diag, "message_primary", None) or str(exc)).splitlines()[0]
    sqlstate = getattr(exc, "sqlstate", None) or ""
    nothing = done or f"nothing from {f.path.name} was applied"
    fired = watch.fired if watch is not None else None
    seen = watch.seen() if watch is not None else None
    if isinstance(exc, pe.LockNotAvailable) or fired == "lock":
        held = f" ({seen})" if seen else ""
        message = (
            f"{where}: a lock was held by another session for longer than lock_timeout "
            f"({settings.lock_timeout_ms} ms){held}, so the migration gave up waiting rather "
            f"than block the team's queries: {nothing}. Retry when the other transaction ends, "
            "or raise --lock-timeout")
        sqlstate = sqlstate if isinstance(exc, pe.LockNotAvailable) else "55P03"
    elif isinstance(exc, pe.QueryCanceled) or fired == "statement":
        how = " (enforced from outside the session: the file had lifted it)" \
            if fired == "statement" else ""
        message = (f"{where}: cancelled by statement_timeout ({settings.statement_timeout_ms} "
                   f"ms){how}; {nothing}")
        sqlstate = "57014"
    elif sqlstate in ("25001", "55P04"):
        message = (f"{where}: {first} [{sqlstate}]: this statement cannot run inside a "
                   f"transaction; put `-- {NO_TRANSACTION}` on the first line of {f.path.name} "
                   f"to run it statement by statement; {nothing}")
    else:
        rolled = "" if done else "the transaction was rolled back, "
        message = f"{where}: {first} [{sqlstate}]; {rolled}{nothing}"
    report.error(message, kind="migration", file=str(f.path), line=line, col=column,
                 sqlstate=sqlstate or None)


class RaceRefused(Refused):
    """The history changed under this run in a way its checkout cannot follow."""


def _under_lock(outcome: Outcome, f: MigrationFile, a: FileAnalysis, expected: set[str],
                local: set[str]) -> bool:
    """Judge the history the server read with the lock held: True when another run recorded
    this very file already; RaceRefused (rolling the transaction back) when the history moved
    in a way this checkout cannot follow."""
    from toolkit.db.history import changed_under_lock
    from toolkit.project.statements import same_statements

    problem = changed_under_lock(outcome.recorded, expected, local, f.version)
    if problem:
        raise RaceRefused(f"refusing {f.path.name}: {problem}")
    if f.version in outcome.recorded:
        if outcome.statements is not None and \
                not same_statements(tuple(a.recorded), outcome.statements):
            raise RaceRefused(
                f"refusing {f.path.name}: another run recorded {f.version} while this one "
                "waited for the lock, with other statements than this checkout's file: the "
                "two checkouts differ; pull the migrations, then run apply again")
        return True
    return False


def _apply_statements(session: Session, report: Report, plan: FilePlan,
                      settings: Settings, catalog: Catalog, expected: set[str],
                      local: set[str], watch: Watch | None) -> Outcome | None:
    """A file under the no-transaction directive, or one that controls its own transaction:
    each statement on its own (the file's own BEGIN ... COMMIT blocks as written, as psql runs
    them), then the history row in a transaction of its own. None: a statement failed
    (reported)."""
    import psycopg
    from psycopg import sql

    f, a, conn = plan.file, plan.analysis, session.conn
    statements = plan.statements
    if session.pending is not None:  # the file before commits first: these run on their own
        before = session.finish()
        if before is not None and before.state == "failed":
            return before
    with conn.cursor() as cur:
        with conn.pipeline():
            for q in session.reset:
                cur.execute(q)
            for text in load_statements("session_settings.sql"):
                cur.execute(sql.SQL(text).format(
                    lock_timeout=sql.Literal(f"{settings.lock_timeout_ms}ms"),
                    statement_timeout=sql.Literal(f"{settings.statement_timeout_ms}ms"),
                    search_path=sql.Literal(search_path(catalog))))
        try:
            block: int | None = None  # where the file's own open transaction began
            for i, stmt in enumerate(statements):
                try:
                    cur.execute(plan.text(stmt).encode())
                except psycopg.Error as exc:
                    if isinstance(exc, psycopg.OperationalError) and not exc.sqlstate:
                        raise
                    kept = i if block is None else block  # a failed block is rolled back whole
                    if block is not None:
                        conn.rollback()
                    _statement_error(report, f, exc, settings, located=plan.start(stmt),
                                     base=stmt.offset, done=_partly_done(f, a, statements, kept),
                                     watch=watch)
                    return None
                if stmt.kind == "TransactionStmt":
                    block = i if conn.info.transaction_status != 0 else None  # 0: idle
        finally:
            if conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE:
                cur.execute(load_sql("session_reset.sql"))
    return _transaction(session, replace(plan, mode="record"), expected, local)


def _transaction(session: Session, plan: FilePlan, expected: set[str],
                 local: set[str]) -> Outcome:
    """The file's transaction; when the history moved while this run waited for the lock,
    judged here (a race this checkout cannot follow is refused) and tried again."""
    for _ in range(3):
        outcome = session.transaction(plan, expected)
        if outcome.state != "moved":
            return outcome
        if _under_lock(outcome, plan.file, plan.analysis, expected, local):
            return Outcome("already")
        expected |= set(outcome.recorded) - {plan.file.version}
    raise RaceRefused(f"refusing {plan.file.path.name}: the history kept changing while this "
                      "run waited for the lock; run toolkit plan again")


def _partly_done(f: MigrationFile, a: FileAnalysis, statements: list[Any], kept: int) -> str:
    """What a failed statement-by-statement file left applied: the statements before `kept`."""
    def lines(part: list[Any]) -> str:
        return ", ".join(f"line {f.position(s.offset)[0]}" for s in part
                         if s.kind != "TransactionStmt")

    how = "runs without a transaction" if a.no_transaction else \
        "controls its own transaction, so it runs statement by statement"
    return (f"{f.path.name} {how}: statements applied: {lines(statements[:kept]) or 'none'}; "
            f"not applied: {lines(statements[kept:])}; no history row was written (fix, then "
            "run toolkit apply again: statements already applied must be idempotent, e.g. IF "
            "NOT EXISTS)")


def run_apply(settings: Settings, *, enable_extensions: bool = False, verify: bool = True,
              rest_wait_s: float = 5.0, adopt_existing: bool = False,
              include_all: bool = False, allow_destructive: bool = False,
              ask: Ask | None = None) -> Report:
    """`ask`: a yes/no question at a terminal (None without one)."""
    report = Report("apply", target=describe_target(settings))
    project = load_project(settings, report)
    with connect(settings, autocommit=True) as conn:
        target = read_catalog(conn, Limits.of(settings), "reading the database's catalog",
                              opener=target_opener(settings))
        if not target.history_readable:
            raise ConnectError(
                f"role {target.user} may not read supabase_migrations.schema_migrations: apply "
                "needs the postgres role (or one that owns the history table)")
        judge.preconditions(report, project.analysis, target)
        judge.history(report, project.analysis, project.migrations, target,
                      include_all=include_all)
        if judge.remote_only_versions(project.migrations, target):
            return report  # refused before any DDL (judge.history says why), pending or not
        oracle = build(settings, project, target, report)
        judge.shadow_failures(report, oracle.replay, set(oracle.pending), project.migrations,
                              target)
        judge.relations(report, project.analysis, oracle.replay, oracle.stand, target,
                        before=oracle.replay.before, after=oracle.replay.after,
                        api_schemas=settings.api_schemas)
        if not report.pending:
            report.notes.append("nothing pending: every migration file is recorded as applied")
            _judge(report, project, oracle, target, settings, counted=set())
            _rest(report, settings, rest_wait_s, verify)
            return report
        accepted = _ready(report, project, oracle, target, enable_extensions, adopt_existing,
                          include_all)
        if accepted is None:
            return report
        lost = _destructive(conn, report, project, allow_destructive, ask)
        exposed = exposed_names(report)
        if settings.rest_configured and exposed:  # key accepted, PostgREST answers: before DDL
            from toolkit.rest.client import preflight

            preflight(settings.supabase_url or "", settings.service_key or "", exposed[0],
                      settings.connect_timeout_s)
        if _adopt(conn, report, project, settings, target, oracle.adopt):
            _apply_pending(conn, report, project, settings, target, enable_extensions,
                           recorded=oracle.adopt)
        after = read_catalog(conn, Limits.of(settings),
                             "reading the database's catalog after apply",
                             opener=target_opener(settings))
    applied = {f"{a.version}_{a.name}.sql" for a in report.applied}
    report.notes += [f"lost (as counted before the apply): {item.text}" for item in lost
                     if item.file in applied]
    # Tables accepted as they are by --adopt-existing are reported, not held against apply.
    counted = _touched(oracle) - accepted
    if report.pending:
        # A file failed: judge the database as it is now exactly as check judges it, so a
        # table the failed file would have changed is pending in both, not drifted here.
        if report.applied:
            oracle = build(settings, project, after, Report("apply", target=report.target))
        _judge(report, project, oracle, after, settings, counted=counted, complete=False)
    else:
        _judge(report, project, oracle, after, settings, counted=counted)
    if not report.errors:
        _rest(report, settings, rest_wait_s, verify)
    return report


def _destructive(conn: Any, report: Report, project: Project, allow: bool,
                 ask: Ask | None) -> list[Lost]:
    """Stop before any DDL when a pending file would delete or drop data the target holds:
    run it only on a yes at a terminal, or with --allow-destructive."""
    from toolkit.judge.destructive import describe, find

    lost = find(conn, project, report.pending)
    if not lost or allow:
        return lost
    what = describe(lost)
    if ask is None:
        raise Refused(f"refusing to apply: {what}; nothing was changed (pass "
                      "--allow-destructive to run it)")
    if not ask(f"The pending migrations would destroy data: {what}. Apply anyway?"):
        raise Declined("apply declined: nothing changed")
    return lost


def _judge(report: Report, project: Project, oracle: Oracle, target: Catalog,
           settings: Settings, counted: set[str], complete: bool = True) -> None:
    """Judge the target as it is now: every file applied (`complete`), or against the files
    its history records, as check does; only `counted` tables decide the verdict: drift
    elsewhere is reported, not a failed apply."""
    keep = [p for p in report.problems if p.kind not in ("drift", "grant", "advisor")]
    report.problems = keep
    report.tables, report.objects, report.preconditions = [], [], []
    judge.preconditions(report, project.analysis, target)
    after = oracle.replay.after
    before = after if complete else oracle.replay.before
    judge.relations(report, project.analysis, oracle.replay, oracle.stand, target,
                    before=before, after=after, counted=counted,
                    api_schemas=settings.api_schemas)
    for t in report.tables:
        if not t.counts and t.database in ("drifted", "missing"):
            t.detail = f"not touched by this apply: {t.detail}"


def _touched(oracle: Oracle) -> set[str]:
    """The relations the pending files change, as the shadow saw them."""
    before, after = oracle.replay.before.relations, oracle.replay.after.relations
    return {n for n in set(before) | set(after) if before.get(n) != after.get(n)}


def _ready(report: Report, project: Project, oracle: Oracle, target: Catalog,
           enable_extensions: bool, adopt_existing: bool,
           include_all: bool = False) -> set[str] | None:
    """Refuse before any DDL: a history the files do not explain, files that cannot run in a
    transaction, files the shadow could not run, unmet preconditions, existing tables that a
    pending CREATE TABLE IF NOT EXISTS would skip while they differ. None: refused; else the
    tables accepted as they are."""
    changed = judge.changed_after_applied(project.analysis, project.migrations, target)
    if changed:
        # Another checkout's version of these files is what the database ran: applying more on
        # top of a history this checkout does not match is a guess.
        report.error(f"refusing to apply: {', '.join(f.path.name for f in changed)} differ"
                     f"{'s' if len(changed) == 1 else ''} from what the history records as "
                     "applied, so this checkout is not the one that applied them: pull the "
                     "migrations (or write a new migration instead of editing an applied one)",
                     kind="refused")
    newest, early = judge.out_of_order(project.migrations, target, report.pending)
    if early and not include_all:
        # As `supabase db push` does: nothing is applied, not even the files in order.
        report.error("refusing to apply: found local migration files to be inserted before the "
                     f"last migration on the database ({newest}): "
                     + ", ".join(str(f.path) for f in early)
                     + "; rerun with --include-all to apply them", kind="refused",
                     file=str(early[0].path))
    for f, a in project.pairs(oracle.pending):
        if a.open_transaction:
            report.error(f"refusing {a.open_transaction_message()}", kind="refused",
                         file=str(f.path), line=a.open_transaction)
        elif a.own_transaction:
            report.notes.append(f"{f.path.name} controls its own transaction (BEGIN/COMMIT "
                                "inside it): it runs statement by statement, its own blocks "
                                "as written, as psql and supabase db push run it")
        for n in a.non_transactional:
            if not a.by_statement:
                report.error(f"refusing {f.path.name}: line {n.line}: {n.message} cannot run "
                             f"inside one transaction with its history row; put "
                             f"`-- {NO_TRANSACTION}` on its first line to run it statement by "
                             "statement", kind="refused", file=str(f.path), line=n.line)
    if report.errors:
        return None
    unmet = [p for p in report.preconditions if not p.ok]
    if enable_extensions:
        unmet = [p for p in unmet if p.name != "uuid-ossp" or "does not ship" in p.detail]
    for p in unmet:
        report.error(f"refusing to apply: {p.name}: {p.detail}", kind="precondition")
    if unmet:
        return None
    accepted: set[str] = set()
    for t in report.tables:
        if not t.existed:
            continue
        if t.database == "present":
            report.notes.append(f"{t.name} exists already and matches what {t.created_by} "
                                "creates: adopted (the history row records it)")
        elif adopt_existing:
            accepted.add(t.name if "." in t.name else f"public.{t.name}")
            report.warn(f"{t.name} exists already and differs from what {t.created_by} "
                        f"creates; accepted by --adopt-existing: {'; '.join(t.differences)}",
                        kind="adopted", table=t.name)
        else:
            report.error(f"refusing to apply: {t.name} exists already and differs from what "
                         f"{t.created_by} creates, so CREATE TABLE IF NOT EXISTS would skip it "
                         f"and record the migration as applied: {'; '.join(t.differences)} "
                         "(fix the table, or pass --adopt-existing to accept it as it is)",
                         kind="refused", table=t.name)
    return None if report.errors else accepted


def _adopt(conn: Any, report: Report, project: Project, settings: Settings, target: Catalog,
           versions: list[str]) -> bool:
    """Files the database holds already (applied by hand): their history rows, each in its
    own transaction under the same lock as apply's, and none of their SQL. False: refused
    (another run moved the history meanwhile; reported)."""
    expected = set(target.applied_versions)
    local = {f.version for f in project.migrations.files}
    session = Session(conn, settings, target)
    for f, a in project.pairs(versions):
        try:
            outcome = _transaction(session, FilePlan(f, a, "record", ensure_history=True),
                                   expected, local)
            if outcome.state == "ready":
                outcome = session.finish() or outcome
        except RaceRefused as exc:
            report.error(f"{exc}; nothing was recorded for {f.path.name}", kind="refused",
                         file=str(f.path))
            return False
        if outcome.state == "already":
            report.notes.append(f"{f.version} was recorded by another run while this one "
                                "waited")
            expected.add(f.version)
            continue
        if outcome.state != "applied":
            _statement_error(report, f, outcome.error, settings, base=None)
            return False
        session.take_committed()
        expected.add(f.version)
        report.notes.append(f"adopted {f.path.name}: its history row is recorded; its SQL was "
                            "not run (the database held what it makes)")
    report.pending = [v for v in report.pending if v not in versions]
    return True


def _apply_pending(conn: Any, report: Report, project: Project, settings: Settings,
                   target: Catalog, enable_extensions: bool,
                   recorded: list[str] | None = None) -> None:
    """Each pending file in turn, one round trip each (db/apply_file); stops at the first
    failure (reported). `recorded`: versions this run recorded already (adopted)."""
    import psycopg

    plans = plan_files(project.pairs(report.pending), enable_extensions=enable_extensions,
                       target=target)
    session = Session(conn, settings, target)
    # What the history must hold when each file's lock is taken: anything else is a race.
    expected = set(target.applied_versions) | set(recorded or ())
    local = {f.version for f in project.migrations.files}
    limits, opener = Limits.of(settings), target_opener(settings)
    started: dict[str, float] = {}

    def committed() -> None:
        for done in session.take_committed():
            ms = (time.perf_counter() - started[done.file.version]) * 1000
            report.timings[f"apply {done.file.version}"] = ms
            kinds: dict[str, int] = {}
            for c in done.analysis.created:
                kinds[c.kind] = kinds.get(c.kind, 0) + 1
            report.applied.append(AppliedMigration(done.file.version, done.file.name,
                                                   done.analysis.creates, ms, kinds))

    stopped: tuple[FilePlan, Outcome, Watch | None] | None = None
    watch: Watch | None = None
    for plan in plans:
        f, a = plan.file, plan.analysis
        started[f.version] = time.perf_counter()
        outcome: Outcome | None
        try:
            with progress.current().step(f"applying {f.path.name}",
                                         progress.statements_detail(list(a.recorded))), \
                    watched(conn, limits, f"applying {f.path.name}", opener=opener) as watch:
                if plan.mode == "statements":
                    outcome = _apply_statements(session, report, plan, settings, target,
                                                expected, local, watch)
                else:
                    outcome = _transaction(session, plan, expected, local)
        except RaceRefused as exc:
            committed()
            what = ("its statements ran (it runs without a transaction) but no history row "
                    "was written" if plan.mode == "statements"
                    else f"nothing from {f.path.name} was applied")
            report.error(f"{exc}; {what}", kind="refused", file=str(f.path))
            break
        except psycopg.Error as exc:
            if getattr(exc, "sqlstate", None):
                outcome = Outcome("failed", exc)
            elif watch is not None and watch.severed:
                # The file was not committed (its COMMIT waits for toolkit to read that it
                # ran), unless the silence fell on the COMMIT of the one before: check tells.
                raise ConnectError(f"{watch.reason()}; {f.path.name} is rolled back unless it "
                                   "had reached its COMMIT: run toolkit check once the "
                                   "database answers") from None
            else:
                raise ConnectError(f"lost the database connection while applying "
                                   f"{f.path.name}; its transaction was rolled back") from None
        committed()
        if outcome is None:
            break
        if outcome.state in ("failed", "ended"):
            stopped = (outcome.of or plan, outcome, watch)
            break
        expected.add(f.version)
        if outcome.state == "already":
            report.notes.append(f"{f.version} was applied by another run while this one waited")
    if stopped is None and session.pending is not None:
        last = session.pending
        try:
            with watched(conn, limits, f"committing {last.file.path.name}",
                         opener=opener) as watch:
                final = session.finish()
        except psycopg.Error as exc:
            if getattr(exc, "sqlstate", None):
                final = Outcome("failed", exc, of=last)
            else:
                raise ConnectError(f"lost the database connection while committing "
                                   f"{last.file.path.name}: run toolkit check to see whether "
                                   "it was committed") from None
        committed()
        if final is not None and final.state == "failed":
            stopped = (last, final, watch)
    done = {m.version for m in report.applied}
    if stopped is not None:
        plan, outcome, watch = stopped
        _failed(report, plan, outcome, settings, conn, target,
                [p for p in plans if p.file.version in done], watch)
    if done and not any(p.notify for p in plans if p.file.version in done):
        session.recover(notify=True)  # the run stopped before its last file's NOTIFY
    report.pending = [v for v in report.pending if v not in done]


def _failed(report: Report, plan: FilePlan, outcome: Outcome, settings: Settings, conn: Any,
            before: Catalog, earlier_plans: list[FilePlan], watch: Watch | None = None) -> None:
    """Report a file that failed, located; or one whose statements ended toolkit's transaction
    (the server saw a COMMIT or ROLLBACK the parser did not), saying what stayed committed."""
    f, stmt = plan.file, outcome.statement
    if outcome.state == "failed":
        _statement_error(report, f, outcome.error, settings,
                         located=plan.start(stmt) if stmt else None,
                         base=stmt.offset if stmt else None, watch=watch)
        return
    # What differs from the catalog read before the run, less what earlier files of the run
    # changed (they committed with their history rows): what this file left committed.
    after = read_catalog(conn, Limits.of(settings), "reading the database's catalog",
                         opener=target_opener(settings))
    earlier = {t for p in earlier_plans for s in p.analysis.statements for t in s.touches}
    changed = sorted(n for n in set(after.relations) | set(before.relations)
                     if after.relations.get(n) != before.relations.get(n) and n not in earlier)
    where = (f"{f.path}:{plan.start(stmt)[0]}:{plan.start(stmt)[1]}" if stmt else str(f.path))
    what = (", ".join(short(n) for n in changed) if changed
            else "no table or view changed")
    report.error(
        f"{where}: the server ended the transaction toolkit opened for {f.path.name} (it ran a "
        "COMMIT or ROLLBACK that the parser did not see), so toolkit stopped before writing "
        f"the history row: what ran before that point is committed without a history row "
        f"({what}); what ran after it was rolled back. Check those objects, then run toolkit "
        f"migration repair {f.version} --status applied once the file's work is complete",
        kind="migration", file=str(f.path), line=plan.start(stmt)[0] if stmt else None,
        col=plan.start(stmt)[1] if stmt else None,
        sqlstate=getattr(outcome.error, "sqlstate", None))


def _rest(report: Report, settings: Settings, wait_s: float, verify: bool) -> None:
    """After the commit: reload PostgREST's cache and probe until the tables answer. A REST
    failure must not hide what was committed."""
    if not (verify and settings.rest_configured):
        return
    from toolkit.rest.client import probe_until_present

    assert settings.supabase_url and settings.service_key
    names = exposed_names(report)
    try:
        probes, waited, caught_up = probe_until_present(
            settings.supabase_url, settings.service_key, names,
            timeout_s=settings.connect_timeout_s, wait_s=wait_s)
    except ConnectError as exc:
        what = "applied, but the" if report.applied else "the"
        report.error(f"{what} REST check failed: {exc}; run toolkit verify once the API "
                     "answers", kind="rest")
        return
    merge_rest(report, probes)
    report.timings["rest verify"] = waited * 1000
    if caught_up:
        if all(p.state == "present" for p in probes):
            report.notes.append(f"REST: {'the' if len(names) == 1 else 'all'} "
                                f"{plural(len(names), 'table')} answer"
                                f"{'s' if len(names) == 1 else ''} (after {waited:.2f}s)")
    else:
        report.error(f"REST: the API did not answer for every table within {wait_s:g}s "
                     "(see the table); the tables exist in the database. Run NOTIFY pgrst, "
                     "'reload schema' and toolkit verify", kind="rest")
