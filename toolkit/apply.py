"""`toolkit apply`: run the pending migration files, each all-or-nothing and recorded.

Every file runs in one transaction together with its history row (the Supabase CLI's table)
and a transaction-scoped advisory lock, under SET LOCAL timeouts: a crash, a kill or a failing
statement leaves the database exactly as it was before that file. A file with the directive
`-- toolkit:no-transaction` runs statement by statement instead, its history row after the last.

Before any DDL the shadow database has replayed the files: a pending file that fails there is
refused, and so is a table the migrations create that exists already but differs (CREATE TABLE
IF NOT EXISTS would skip it silently). After the last file, the target is judged against the
shadow; apply's verdict rests on the tables its files touched.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from toolkit import judge, progress
from toolkit.analysis_model import FileAnalysis
from toolkit.catalog import SEARCH_PATH, Catalog
from toolkit.connections import describe_target
from toolkit.db import connect
from toolkit.errors import ConnectError, Declined, Refused
from toolkit.history import LOCK_KEY
from toolkit.migrations import NO_TRANSACTION, MigrationFile
from toolkit.oracle import Oracle, build
from toolkit.project import Project, load_project
from toolkit.report import AppliedMigration, Report
from toolkit.rest_view import exposed_names, merge_rest
from toolkit.settings import Settings
from toolkit.sqlfiles import load_sql
from toolkit.waits import Limits, Watch, read_catalog, target_opener, watched
from toolkit.words import plural

if TYPE_CHECKING:
    from toolkit.destructive import Lost

Ask = Callable[[str], bool]


def _search_path(catalog: Catalog) -> str:
    """Make uuid_generate_v4() resolve wherever uuid-ossp lives (extensions or public)."""
    schemas = SEARCH_PATH.split(", ")
    where = catalog.extensions.get("uuid-ossp")
    if where and where not in schemas:
        schemas.append(where)
    return ", ".join(schemas)



def _settings_sql(settings: Settings, catalog: Catalog, version: str) -> Any:
    from psycopg import sql

    return sql.SQL(load_sql("apply_prelude.sql")).format(
        statement_timeout=sql.Literal(f"{settings.statement_timeout_ms}ms"),
        lock_key=sql.Literal(LOCK_KEY),
        lock_timeout=sql.Literal(f"{settings.lock_timeout_ms}ms"),
        search_path=sql.Literal(_search_path(catalog)),
        version=sql.Literal(version),
    )


def _locate(conn: Any, f: MigrationFile, a: FileAnalysis, catalog: Catalog,
            settings: Settings) -> tuple[int, int] | None:
    """Find which statement fails, for errors the server reports without a position
    (division by zero, a failing cast at run time): replay the file statement by statement
    in a transaction that is always rolled back. Only runs after a failure."""
    import psycopg
    from psycopg import sql

    try:
        with watched(conn, Limits.of(settings), f"locating the error in {f.path.name}"), \
                conn.transaction(force_rollback=True), conn.cursor() as cur:
            cur.execute(sql.SQL(load_sql("locate_prelude.sql")).format(
                lock_timeout=sql.Literal(f"{settings.lock_timeout_ms}ms"),
                statement_timeout=sql.Literal(f"{settings.statement_timeout_ms}ms"),
                search_path=sql.Literal(_search_path(catalog))))
            for stmt in a.statements:
                if stmt.kind == "TransactionStmt":
                    continue
                try:
                    cur.execute(stmt.text.encode())
                except psycopg.Error:
                    return f.position(stmt.offset)
    except psycopg.Error:
        return None
    return None


def _statement_error(report: Report, f: MigrationFile, exc: Any, settings: Settings,
                     located: tuple[int, int] | None = None, base: int = 0,
                     done: str = "", watch: Watch | None = None) -> None:
    """Turn a failed statement into a finding with file, line, column and SQLSTATE. With the
    watchdog's `watch`: a cancel it sent is the timeout it enforced, never the file's error."""
    import psycopg.errors as pe

    position = getattr(exc.diag, "statement_position", None)
    line = column = None
    if position:
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


def _under_lock(row: Any, f: MigrationFile, a: FileAnalysis, expected: set[str],
                local: set[str]) -> bool:
    """Judge the prelude's answer, read with the lock held: True when another run recorded
    this very file already; RaceRefused (rolling the transaction back) when the history moved
    in a way this checkout cannot follow."""
    from toolkit.history import changed_under_lock
    from toolkit.statements import same_statements

    recorded = list(row[1] or ()) if row else []
    problem = changed_under_lock(recorded, expected, local, f.version)
    if problem:
        raise RaceRefused(f"refusing {f.path.name}: {problem}")
    if row and row[0]:
        if row[2] is not None and not same_statements(tuple(a.recorded), list(row[2])):
            raise RaceRefused(
                f"refusing {f.path.name}: another run recorded {f.version} while this one "
                "waited for the lock, with other statements than this checkout's file: the "
                "two checkouts differ; pull the migrations, then run apply again")
        return True
    return False


def _apply_file(conn: Any, f: MigrationFile, a: FileAnalysis, settings: Settings,
                catalog: Catalog, enable_extensions: bool, expected: set[str],
                local: set[str]) -> bool:
    """One file in one transaction; False when another run recorded it while we waited."""
    with conn.transaction(), conn.cursor() as cur:
        cur.execute(_settings_sql(settings, catalog, f.version))
        while cur.nextset():
            pass
        if _under_lock(cur.fetchone(), f, a, expected, local):
            return False
        if enable_extensions:
            cur.execute(load_sql("enable_extensions.sql"))
        cur.execute(a.runnable(f.sql).encode())  # simple protocol: the whole file, one round trip
        cur.execute(load_sql("history_insert.sql"),
                    {"version": f.version, "name": f.name, "statements": a.recorded})
    return True


def _apply_statements(conn: Any, report: Report, f: MigrationFile, a: FileAnalysis,
                      settings: Settings, catalog: Catalog, expected: set[str],
                      local: set[str]) -> bool | None:
    """A file under the no-transaction directive, or one that controls its own transaction:
    each statement on its own (the file's own BEGIN ... COMMIT blocks as written, as psql runs
    them), then the history row. None: it failed (reported)."""
    import psycopg
    from psycopg import sql

    statements = [s for s in a.statements if a.own_transaction or s.kind != "TransactionStmt"]
    with conn.cursor() as cur:
        cur.execute(sql.SQL(load_sql("session_settings.sql")).format(
            lock_timeout=sql.Literal(f"{settings.lock_timeout_ms}ms"),
            statement_timeout=sql.Literal(f"{settings.statement_timeout_ms}ms"),
            search_path=sql.Literal(_search_path(catalog))))
        try:
            block: int | None = None  # where the file's own open transaction began
            for i, stmt in enumerate(statements):
                try:
                    cur.execute(stmt.text.encode())
                except psycopg.Error as exc:
                    kept = i if block is None else block  # a failed block is rolled back whole
                    if block is not None:
                        conn.rollback()
                    _statement_error(report, f, exc, settings, base=stmt.offset,
                                     done=_partly_done(f, a, statements, kept))
                    return None
                if stmt.kind == "TransactionStmt":
                    block = i if conn.info.transaction_status != 0 else None  # 0: idle
            with conn.transaction():
                cur.execute(_settings_sql(settings, catalog, f.version))
                while cur.nextset():
                    pass
                if _under_lock(cur.fetchone(), f, a, expected, local):
                    return False
                cur.execute(load_sql("history_insert.sql"),
                            {"version": f.version, "name": f.name, "statements": a.recorded})
        finally:
            cur.execute(load_sql("session_reset.sql"))
    return True


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
              allow_destructive: bool = False, ask: Ask | None = None) -> Report:
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
        judge.history(report, project.analysis, project.migrations, target)
        if judge.remote_only_versions(project.migrations, target):
            return report  # refused before any DDL (judge.history says why), pending or not
        oracle = build(settings, project, target, report)
        judge.shadow_failures(report, oracle.replay, set(oracle.pending), project.migrations)
        judge.relations(report, project.analysis, oracle.replay, oracle.stand, target,
                        before=oracle.replay.before, after=oracle.replay.after,
                        api_schemas=settings.api_schemas)
        if not report.pending:
            report.notes.append("nothing pending: every migration file is recorded as applied")
            _judge(report, project, oracle, target, settings, counted=set())
            _rest(report, settings, rest_wait_s, verify)
            return report
        accepted = _ready(report, project, oracle, target, enable_extensions, adopt_existing)
        if accepted is None:
            return report
        lost = _destructive(conn, report, project, allow_destructive, ask)
        exposed = exposed_names(report)
        if settings.rest_configured and exposed:  # key accepted, PostgREST answers: before DDL
            from toolkit.rest import preflight

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
    from toolkit.destructive import describe, find

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
    before, after = oracle.replay.before["relations"], oracle.replay.after["relations"]
    return {n for n in set(before) | set(after) if before.get(n) != after.get(n)}


def _ready(report: Report, project: Project, oracle: Oracle, target: Catalog,
           enable_extensions: bool, adopt_existing: bool) -> set[str] | None:
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
    for f, a in project.pairs(versions):
        try:
            with conn.transaction(), conn.cursor() as cur:
                cur.execute(_settings_sql(settings, catalog=target, version=f.version))
                while cur.nextset():
                    pass
                if _under_lock(cur.fetchone(), f, a, expected, local):
                    report.notes.append(f"{f.version} was recorded by another run while this "
                                        "one waited")
                    expected.add(f.version)
                    continue
                cur.execute(load_sql("history_insert.sql"),
                            {"version": f.version, "name": f.name, "statements": a.recorded})
        except RaceRefused as exc:
            report.error(f"{exc}; nothing was recorded for {f.path.name}", kind="refused",
                         file=str(f.path))
            return False
        expected.add(f.version)
        report.notes.append(f"adopted {f.path.name}: its history row is recorded; its SQL was "
                            "not run (the database held what it makes)")
    report.pending = [v for v in report.pending if v not in versions]
    return True


def _apply_pending(conn: Any, report: Report, project: Project, settings: Settings,
                   target: Catalog, enable_extensions: bool,
                   recorded: list[str] | None = None) -> None:
    """Each pending file in turn; stops at the first failure (reported). `recorded`: versions
    this run recorded already (adopted)."""
    import psycopg

    first = True
    # What the history must hold when each file's lock is taken: anything else is a race.
    expected = set(target.applied_versions) | set(recorded or ())
    local = {f.version for f in project.migrations.files}
    limits, opener = Limits.of(settings), target_opener(settings)
    for f, a in project.pairs(report.pending):
        start = time.perf_counter()
        watch: Watch | None = None
        try:
            with progress.current().step(f"applying {f.path.name}",
                                         progress.statements_detail(list(a.recorded))), \
                    watched(conn, limits, f"applying {f.path.name}", opener=opener) as watch:
                if a.by_statement:
                    applied = _apply_statements(conn, report, f, a, settings, target,
                                                expected, local)
                else:
                    create_ext = (enable_extensions and first
                                  and "uuid-ossp" not in target.extensions)
                    applied = _apply_file(conn, f, a, settings, target, create_ext,
                                          expected, local)
            if applied is None:
                break
            expected.add(f.version)
        except RaceRefused as exc:
            what = ("its statements ran (it runs without a transaction) but no history row "
                    "was written" if a.no_transaction
                    else f"nothing from {f.path.name} was applied")
            report.error(f"{exc}; {what}", kind="refused", file=str(f.path))
            break
        except psycopg.errors.OperationalError as exc:
            if getattr(exc, "sqlstate", None):
                _statement_error(report, f, exc, settings, watch=watch)
                break
            if watch is not None and watch.severed:
                # Unless the silence fell between COMMIT and its answer, the server rolls the
                # file back when it notices the connection gone: check tells which.
                raise ConnectError(f"{watch.reason()}; {f.path.name} is rolled back unless it "
                                   "had reached its COMMIT: run toolkit check once the "
                                   "database answers") from None
            raise ConnectError(f"lost the database connection while applying {f.path.name}; "
                               "its transaction was rolled back") from None
        except psycopg.Error as exc:
            located = None
            if not exc.diag.statement_position and not (watch and watch.fired) and not \
                    isinstance(exc, psycopg.errors.LockNotAvailable | psycopg.errors.QueryCanceled):
                located = _locate(conn, f, a, target, settings)
            _statement_error(report, f, exc, settings, located,
                             base=a.statements[0].end if a.wrapped else 0, watch=watch)
            break
        first = False
        ms = (time.perf_counter() - start) * 1000
        report.timings[f"apply {f.version}"] = ms
        if applied:
            kinds: dict[str, int] = {}
            for c in a.created:
                kinds[c.kind] = kinds.get(c.kind, 0) + 1
            report.applied.append(AppliedMigration(f.version, f.name, a.creates, ms, kinds))
        else:
            report.notes.append(f"{f.version} was applied by another run while this one waited")
    done = {a.version for a in report.applied}
    report.pending = [v for v in report.pending if v not in done]


def _rest(report: Report, settings: Settings, wait_s: float, verify: bool) -> None:
    """After the commit: reload PostgREST's cache and probe until the tables answer. A REST
    failure must not hide what was committed."""
    if not (verify and settings.rest_configured):
        return
    from toolkit.rest import probe_until_present

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
