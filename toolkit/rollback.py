"""`toolkit rollback`: the seed's rollback plan as a command.

The down SQL lives beside the migration (supabase/rollbacks/<version>_<name>.sql), not here.
It runs in one transaction with the history row's deletion. Before dropping anything the
tables are locked and counted inside that transaction, so no row can slip in between the
count and the drop; tables with rows are refused unless --force. Only tables the migration
itself creates may be dropped: `agents` and its data are never touched.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from toolkit.analysis_model import Analysis
from toolkit.catalog import inspect
from toolkit.connections import describe_target
from toolkit.db import connect
from toolkit.errors import ConfigError, MigrationFileError, Refused
from toolkit.history import LOCK_KEY
from toolkit.migrations import MigrationFile
from toolkit.project import load_project
from toolkit.report import Report
from toolkit.settings import Settings
from toolkit.sqlfiles import load_sql

Confirm = Callable[[str], bool]


def rollback_file(migration: MigrationFile) -> Path:
    return migration.path.parent.parent / "rollbacks" / migration.path.name


def dropped_tables(path: Path, sql_text: str) -> list[str]:
    """The tables a rollback file drops, in order; anything but DROP TABLE is refused."""
    import pglast
    from pglast import ast as pg_ast

    ast: Any = pg_ast

    try:
        raw = pglast.parse_sql(sql_text)
    except pglast.parser.ParseError as exc:
        raise MigrationFileError(f"{path}: syntax error: {exc.args[0]}", path=str(path)) from None
    out: list[str] = []
    for rs in raw:
        stmt = rs.stmt
        if not (isinstance(stmt, ast.DropStmt) and stmt.removeType.name == "OBJECT_TABLE"):
            raise MigrationFileError(
                f"{path}: only DROP TABLE statements belong in a rollback file "
                f"(found {type(stmt).__name__})", path=str(path))
        for obj in stmt.objects:
            names = [n.sval for n in obj]
            schema, table = (names[0], names[1]) if len(names) == 2 else ("public", names[0])
            out.append(table if schema == "public" else f"{schema}.{table}")
    return out


def _count_rows(cur: Any, tables: list[str]) -> dict[str, int]:
    from psycopg import sql

    if not tables:
        return {}
    query = sql.SQL(" union all ").join(
        sql.SQL("select {}, count(*) from public.{}").format(sql.Literal(t), sql.Identifier(t))
        for t in tables)
    cur.execute(query)
    return {name: int(n) for name, n in cur.fetchall()}


def run_rollback(settings: Settings, *, version: str | None, force: bool,
                 confirm: Confirm) -> Report:
    report = Report("rollback", target=describe_target(settings))
    project = load_project(settings, report)
    migrations = project.migrations
    with connect(settings, autocommit=True) as conn:
        catalog = inspect(conn)
        applied = [f for f in migrations.files if f.version in catalog.applied_versions]
        target = _target(migrations.files, applied, version)
        path = rollback_file(target)
        if not path.is_file():
            raise ConfigError(f"no rollback file for {target.path.name}: expected {path}")
        drops = dropped_tables(path, path.read_text(encoding="utf-8"))
        _only_own_tables(project.analysis, target, drops, path)
        present = [t for t in drops if catalog.table(t if "." in t else f"public.{t}")]
        with conn.cursor() as cur:
            counts = _count_rows(cur, present)
        _refuse_rows(counts, force)
        listing = ", ".join(f"{t} ({counts[t]} rows)" for t in present) or "none present"
        if not confirm(f"Drop {len(present)} tables of {target.version}_{target.name}: "
                       f"{listing}, and delete its history row?"):
            raise Refused("rollback not confirmed: nothing was changed")
        _execute(conn, settings, path, present, drops, target, force)
    report.notes.append(f"rolled back {target.version}_{target.name}: dropped "
                        f"{len(present)} tables in one transaction and deleted its history row")
    report.notes += [f"dropped {t} ({counts[t]} rows)" for t in present]
    return report


def _target(files: list[MigrationFile], applied: list[MigrationFile],
            version: str | None) -> MigrationFile:
    if version:
        match = [f for f in files if f.version == version]
        if not match:
            raise ConfigError(f"no migration file with version {version}")
        if match[0] not in applied:
            raise Refused(f"{version} is not recorded as applied: nothing to roll back")
        if applied and applied[-1] is not match[0]:
            raise Refused(f"{version} is not the newest applied migration "
                          f"({applied[-1].version}): roll that back first")
        return match[0]
    if not applied:
        raise Refused("no migration is recorded as applied: nothing to roll back")
    return applied[-1]


def _only_own_tables(analysis: Analysis, target: MigrationFile, drops: list[str],
                     path: Path) -> None:
    creates = analysis.by_version()[target.version].creates
    own = {c.removeprefix("table ") for c in creates if c.startswith("table ")}
    foreign = [t for t in drops if t not in own]
    if foreign:
        raise Refused(f"{path.name} would drop {', '.join(foreign)}, which "
                      f"{target.path.name} does not create: refusing")


def _refuse_rows(counts: dict[str, int], force: bool) -> None:
    full = {t: n for t, n in counts.items() if n}
    if full and not force:
        listed = ", ".join(f"{t} has {n} rows" for t, n in full.items())
        raise Refused(f"refusing to drop tables that hold data: {listed}; pass --force to drop "
                      "them anyway")


def _execute(conn: Any, settings: Settings, path: Path, present: list[str], drops: list[str],
             target: MigrationFile, force: bool) -> None:
    import psycopg
    from psycopg import sql

    prelude = sql.SQL(load_sql("rollback_prelude.sql")).format(
        statement_timeout=sql.Literal(f"{settings.statement_timeout_ms}ms"),
        lock_key=sql.Literal(LOCK_KEY),
        lock_timeout=sql.Literal(f"{settings.lock_timeout_ms}ms"))
    try:
        with conn.transaction(), conn.cursor() as cur:
            cur.execute(prelude)
            if present:
                # Lock first, then count: no row can arrive between the count and the drop.
                cur.execute(sql.SQL("lock table {} in access exclusive mode").format(
                    sql.SQL(", ").join(sql.SQL("public.{}").format(sql.Identifier(t))
                                       for t in present)))
                _refuse_rows(_count_rows(cur, present), force)
            cur.execute(path.read_text(encoding="utf-8").encode())
            cur.execute(load_sql("history_delete.sql"), {"version": target.version})
    except psycopg.errors.LockNotAvailable:
        raise Refused(
            f"a lock on one of the tables was held for longer than lock_timeout "
            f"({settings.lock_timeout_ms} ms): nothing was dropped; retry later"
        ) from None
