"""`toolkit apply`: run the pending migration files, each all-or-nothing and recorded.

Every file runs in one transaction together with its history row (the Supabase CLI's table)
and a transaction-scoped advisory lock, under SET LOCAL timeouts: a crash, a kill or a failing
statement leaves the database exactly as it was before that file.
"""

from __future__ import annotations

import time
from typing import Any

from toolkit.catalog import Catalog, inspect
from toolkit.check import describe_target, load_migrations, merge_rest
from toolkit.db import connect, load_sql
from toolkit.declared_model import Declared, FileAnalysis
from toolkit.errors import ConnectError
from toolkit.evaluate import (
    fill,
    pending_versions,
    remote_only_message,
    remote_only_versions,
    table_names,
)
from toolkit.report import AppliedMigration, Report
from toolkit.settings import Settings

# pg_advisory_xact_lock key shared by every toolkit run: the bytes of "toolkit" as a bigint.
LOCK_KEY = int.from_bytes(b"toolkit", "big")


def _search_path(catalog: Catalog) -> str:
    """Make uuid_generate_v4() resolve wherever uuid-ossp lives (extensions or public)."""
    schemas = ['"$user"', "public", "extensions"]
    where = catalog.extensions.get("uuid-ossp")
    if where and where not in schemas:
        schemas.append(where)
    return ", ".join(schemas)


def _locate(conn: Any, analysis: FileAnalysis, catalog: Catalog,
            settings: Settings) -> tuple[int, int] | None:
    """Find which statement fails, for errors the server reports without a position
    (division by zero, a failing cast at run time): replay the file statement by statement
    in a transaction that is always rolled back. Only runs after a failure."""
    import psycopg
    from psycopg import sql

    try:
        with conn.transaction(force_rollback=True), conn.cursor() as cur:
            cur.execute(sql.SQL("set local lock_timeout = {}; set local statement_timeout = {};"
                                "select pg_catalog.set_config('search_path', {}, true)").format(
                sql.Literal(f"{settings.lock_timeout_ms}ms"),
                sql.Literal(f"{settings.statement_timeout_ms}ms"),
                sql.Literal(_search_path(catalog))))
            for stmt in analysis.statements:
                try:
                    cur.execute(stmt.text.encode())
                except psycopg.Error:
                    return analysis.file.position(stmt.offset)
    except psycopg.Error:
        return None
    return None


def _statement_error(report: Report, analysis: FileAnalysis, exc: Any,
                     settings: Settings, located: tuple[int, int] | None = None) -> None:
    """Turn a failed statement into a problem with file, line and column."""
    import psycopg.errors as pe

    f = analysis.file
    position = getattr(exc.diag, "statement_position", None)
    line = column = None
    if position:
        line, column = f.position(int(position) - 1)
    elif located:
        line, column = located
    where = f"{f.path}:{line}:{column}" if line else str(f.path)
    first = (getattr(exc.diag, "message_primary", None) or str(exc)).splitlines()[0]
    if isinstance(exc, pe.LockNotAvailable):
        message = (
            f"{where}: a lock was held by another session for longer than lock_timeout "
            f"({settings.lock_timeout_ms} ms), so the migration gave up waiting rather than block "
            f"the team's queries: nothing from {f.path.name} was applied. Retry when the other "
            "transaction ends, or raise --lock-timeout"
        )
    elif isinstance(exc, pe.QueryCanceled):
        message = (f"{where}: cancelled by statement_timeout ({settings.statement_timeout_ms} ms)"
                   f"; nothing from {f.path.name} was applied")
    else:
        sqlstate = getattr(exc, "sqlstate", None) or ""
        message = (f"{where}: {first} [{sqlstate}]; the transaction was rolled back, nothing from "
                   f"{f.path.name} was applied")
    report.failed = True
    report.error(message, file=str(f.path), line=line, column=column)


def _apply_file(conn: Any, analysis: FileAnalysis, settings: Settings, catalog: Catalog,
                enable_extensions: bool) -> bool:
    """One file in one transaction; False when another run recorded it while we waited."""
    from psycopg import sql

    f = analysis.file
    prelude = sql.SQL(load_sql("apply_prelude.sql")).format(
        statement_timeout=sql.Literal(f"{settings.statement_timeout_ms}ms"),
        lock_key=sql.Literal(LOCK_KEY),
        lock_timeout=sql.Literal(f"{settings.lock_timeout_ms}ms"),
        search_path=sql.Literal(_search_path(catalog)),
        version=sql.Literal(f.version),
    )
    with conn.transaction(), conn.cursor() as cur:
        cur.execute(prelude)
        while cur.nextset():
            pass
        row = cur.fetchone()
        if row and row[0]:
            return False
        if enable_extensions:
            cur.execute(load_sql("enable_extensions.sql"))
        cur.execute(f.sql.encode())  # simple protocol: the whole file, one round trip
        cur.execute(load_sql("history_insert.sql"),
                    {"version": f.version, "name": f.name, "statements": list(analysis.recorded)})
    return True


def run_apply(settings: Settings, *, enable_extensions: bool = False, verify: bool = True,
              rest_wait_s: float = 5.0) -> Report:
    report = Report("apply", target=describe_target(settings))
    migrations, declared = load_migrations(settings, report)
    names = table_names(declared)
    file_warnings = list(report.problems)
    with connect(settings, autocommit=True) as conn:
        catalog = inspect(conn, names)
        fill(report, declared, migrations, catalog)
        pending = pending_versions(migrations, catalog)
        if not pending:
            report.notes.append("nothing pending: every migration file is recorded as applied")
            if verify and settings.rest_configured:  # a REST failure after a commit stays seen
                _verify_rest(report, settings, names, rest_wait_s)
            return report
        if not catalog.history_readable:
            raise ConnectError(
                f"role {catalog.user} may not read supabase_migrations.schema_migrations: apply "
                "needs the postgres role (or one that owns the history table)"
            )
        remote_only = remote_only_versions(migrations, catalog)
        if remote_only:
            # As `supabase db push` does: a history the local files do not explain is a stop.
            report.failed = True
            report.error("refusing to apply: " + remote_only_message(remote_only))
            return report
        if not _ready(report, declared, pending, enable_extensions):
            return report
        if settings.rest_configured:  # key accepted and PostgREST answering, before any DDL
            from toolkit.rest import preflight

            preflight(settings.supabase_url or "", settings.service_key or "", names[0],
                      settings.connect_timeout_s)
        _apply_pending(conn, report, declared, pending, settings, catalog, enable_extensions)
        catalog = inspect(conn, names)
    report.tables = []
    # Judge the database again as it is now; keep the file warnings and this run's errors.
    report.problems = file_warnings + [p for p in report.problems if p.level == "error"]
    fill(report, declared, migrations, catalog)
    if verify and settings.rest_configured and not report.failed:
        try:
            _verify_rest(report, settings, names, rest_wait_s)
        except ConnectError as exc:
            # What was committed stays in the report: a REST failure must not hide it.
            report.failed = True
            report.error(f"applied, but the REST check after it failed: {exc}; run toolkit "
                         "verify once the API answers")
    return report


def _ready(report: Report, declared: Declared, pending: list[str],
           enable_extensions: bool) -> bool:
    """Refuse before any DDL: files that cannot run in a transaction, unmet preconditions."""
    by_version = {a.file.version: a for a in declared.files}
    for version in pending:
        for reason in by_version[version].non_transactional:
            report.failed = True
            report.error(f"refusing {by_version[version].file.path.name}: {reason}; it cannot run "
                         "inside one transaction with its history row (split it out and run it "
                         "by hand)", file=str(by_version[version].file.path))
    if report.failed:
        return False
    unmet = [p for p in report.preconditions if not p.ok]
    if enable_extensions:
        unmet = [p for p in unmet if p.name != "uuid-ossp" or "does not ship" in p.detail]
    for p in unmet:
        report.error(f"refusing to apply: {p.name}: {p.detail}")
    return not unmet


def _apply_pending(conn: Any, report: Report, declared: Declared, pending: list[str],
                   settings: Settings, catalog: Catalog, enable_extensions: bool) -> None:
    import psycopg

    by_version = {a.file.version: a for a in declared.files}
    first = True
    for version in pending:
        analysis = by_version[version]
        start = time.perf_counter()
        try:
            create_ext = enable_extensions and first and "uuid-ossp" not in catalog.extensions
            applied = _apply_file(conn, analysis, settings, catalog, create_ext)
        except psycopg.errors.OperationalError as exc:
            if getattr(exc, "sqlstate", None):
                _statement_error(report, analysis, exc, settings)
                return
            raise ConnectError(
                f"lost the database connection while applying {analysis.file.path.name}; "
                "its transaction was rolled back"
            ) from None
        except psycopg.Error as exc:
            located = None
            if not exc.diag.statement_position and not isinstance(
                    exc, psycopg.errors.LockNotAvailable | psycopg.errors.QueryCanceled):
                located = _locate(conn, analysis, catalog, settings)
            _statement_error(report, analysis, exc, settings, located)
            return
        first = False
        ms = (time.perf_counter() - start) * 1000
        report.timings[f"apply {version}"] = ms
        if applied:
            report.applied.append(AppliedMigration(version, analysis.file.name,
                                                   analysis.creates, ms))
        else:
            report.notes.append(f"{version} was applied by another run while this one waited")
    # Only what is still pending after this run stays in the report.
    done = {a.version for a in report.applied}
    report.pending = [v for v in report.pending if v not in done]


def _verify_rest(report: Report, settings: Settings, names: list[str], wait_s: float) -> None:
    from toolkit.rest import probe_until_present

    assert settings.supabase_url and settings.service_key
    probes, waited, caught_up = probe_until_present(
        settings.supabase_url, settings.service_key, names,
        timeout_s=settings.connect_timeout_s, wait_s=wait_s)
    merge_rest(report, probes)
    report.timings["rest verify"] = waited * 1000
    if caught_up:
        if all(p.state == "present" for p in probes):
            report.notes.append(f"REST: all {len(names)} tables answer (after {waited:.2f}s)")
    else:
        report.error(f"REST: PostgREST's schema cache did not catch up within {wait_s:g}s; the "
                     "tables exist in the database. Run NOTIFY pgrst, 'reload schema' and "
                     "toolkit verify")
