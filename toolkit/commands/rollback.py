"""`toolkit rollback [VERSION]`: undo the newest applied migration with its rollback file.

The down SQL lives beside the migration (supabase/rollbacks/<version>_<name>.sql) and may be
any SQL. It runs in one transaction with the history row's deletion. Whatever it would drop
(tables, columns) is counted first, and again under an ACCESS EXCLUSIVE lock inside that
transaction, so nothing can slip in between the count and the drop; data is refused unless
--force. Only what the migration itself created may be dropped: `agents` never.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from toolkit.db.connect import connect
from toolkit.db.history import LOCK_KEY, remote_versions, version_order
from toolkit.db.sqlfiles import load_sql
from toolkit.db.target import describe_target
from toolkit.errors import ConfigError, Declined, ExitCode, Refused, ToolkitError
from toolkit.judge.rollback_effects import (
    Loss,
    count_losses,
    created,
    foreign,
    is_empty,
    loss_present,
    losses,
)
from toolkit.output.report import Report
from toolkit.project.load import load_project
from toolkit.project.migrations import MigrationFile
from toolkit.settings import Settings
from toolkit.words import plural

Confirm = Callable[[str], bool]


class RollbackFailed(ToolkitError):
    """The rollback SQL failed: rolled back, nothing changed."""

    exit_code = ExitCode.INCOMPLETE


def rollback_file(migration: MigrationFile) -> Path:
    from toolkit.project.root import readable_path

    folder = migration.path.absolute().parent.parent / "rollbacks"
    return readable_path(folder / migration.path.name)


def run_rollback(settings: Settings, *, version: str | None, force: bool,
                 confirm: Confirm) -> Report:
    report = Report("rollback", target=describe_target(settings))
    # Every migration file parsed first, as check does: a broken file is named before connecting.
    files = load_project(settings, report).migrations.files
    with connect(settings, autocommit=True) as conn:
        recorded = set(remote_versions(conn))
        applied = [f for f in files if f.version in recorded]
        target = _target(files, applied, version)
        path = rollback_file(target)
        if not path.is_file():
            raise ConfigError(f"no rollback file for {target.path.name}: expected {path} "
                              "(toolkit migration new --rollback writes one beside a new "
                              "migration)")
        text = path.read_text(encoding="utf-8")
        drops = losses(path, text)
        if not drops and is_empty(path, text):
            raise ConfigError(f"{path} is empty: write the SQL that undoes {target.path.name}")
        bad = foreign(drops, created(target.path, target.sql))
        if bad:
            raise Refused(f"{path.name} would drop {', '.join(b.label for b in bad)}, which "
                          f"{target.path.name} does not create: refusing (toolkit never drops "
                          "agents or anything the migrations did not create)")
        with conn.cursor() as cur:
            present = [d for d in drops if loss_present(cur, d)]
            counts = count_losses(cur, present)
        _refuse_data(counts, force)
        if not confirm(_question(target, path, counts)):
            raise Declined("rollback declined: nothing changed")
        _execute(conn, settings, path, text, present, target, force)
    report.rolled_back = f"{target.version}_{target.name}"
    report.notes.append(
        f"rolled back {target.version}_{target.name}: ran {path.name} and deleted its history "
        "row in one transaction")
    report.notes += [f"dropped {loss.table_label if loss.column is None else loss.label} "
                     f"({_amount(loss, n)})" for loss, n in counts.items()]
    return report


def _target(files: list[MigrationFile], applied: list[MigrationFile],
            version: str | None) -> MigrationFile:
    """The newest applied migration; a named VERSION must be that one (one at a time)."""
    if not applied:
        raise Refused("no migration is recorded as applied: nothing to roll back")
    if version:
        match = [f for f in files if f.version == version]
        if not match:
            raise ConfigError(f"no migration file with version {version}")
        if match[0] not in applied:
            raise Refused(f"{version} is not recorded as applied: nothing to roll back")
        if applied[-1] is not match[0]:
            newer = [f.version for f in applied if int(f.version) > int(version)]
            raise Refused(f"{version} is not the newest applied migration: roll back "
                          f"{', '.join(reversed(newer))} first (newest first, one at a time)")
    return applied[-1]


def _amount(loss: Loss, n: int) -> str:
    return plural(n, "row") if loss.column is None else plural(n, "non-null value")


def _refuse_data(counts: dict[Loss, int], force: bool) -> None:
    full = [(loss, n) for loss, n in counts.items() if n]
    if full and not force:
        listed = ", ".join(f"{loss.label} holds {_amount(loss, n)}" for loss, n in full)
        raise Refused(f"refusing to drop data: {listed}; pass --force to drop it anyway")


def _question(target: MigrationFile, path: Path, counts: dict[Loss, int]) -> str:
    lost = ", ".join(f"{loss.label} ({_amount(loss, n)})" for loss, n in counts.items())
    what = f"drops {lost}" if lost else "drops no table or column"
    return (f"Roll back {target.version}_{target.name}: run rollbacks/{path.name} ({what}) and "
            "delete its history row?")


def _execute(conn: Any, settings: Settings, path: Path, text: str, present: list[Loss],
             target: MigrationFile, force: bool) -> None:
    import psycopg
    from psycopg import sql

    prelude = sql.SQL(load_sql("rollback_prelude.sql")).format(
        statement_timeout=sql.Literal(f"{settings.statement_timeout_ms}ms"),
        lock_key=sql.Literal(LOCK_KEY),
        lock_timeout=sql.Literal(f"{settings.lock_timeout_ms}ms"))
    tables = sorted({(loss.schema, loss.table) for loss in present})
    try:
        with conn.transaction(), conn.cursor() as cur:
            cur.execute(prelude)
            _still_newest(cur, target)
            if tables:
                cur.execute(sql.SQL(load_sql("rollback_lock.sql")).format(
                    tables=sql.SQL(", ").join(sql.Identifier(*t) for t in tables)))
                _refuse_data(count_losses(cur, present), force)
            cur.execute(text.encode())  # simple protocol: the whole file, one round trip
            cur.execute(load_sql("history_delete.sql"), {"version": target.version})
    except psycopg.errors.LockNotAvailable:
        raise Refused(
            f"a lock on one of the tables was held for longer than lock_timeout "
            f"({settings.lock_timeout_ms} ms): nothing was changed; retry later") from None
    except psycopg.errors.DependentObjectsStillExist as exc:
        raise Refused(f"rollback blocked: {_dependants(exc)}; nothing was changed. Drop or "
                      "change those objects yourself (they are not the migration's), then "
                      "run rollback again") from None
    except psycopg.Error as exc:
        if isinstance(exc, psycopg.errors.OperationalError) and not exc.sqlstate:
            raise
        first = (exc.diag.message_primary or str(exc)).splitlines()[0]
        raise RollbackFailed(f"{path}: {first} [{exc.sqlstate}]; the transaction was rolled "
                             "back, nothing was changed") from None


def _still_newest(cur: Any, target: MigrationFile) -> None:
    """Decided again with the lock held: an apply that ran while this rollback waited may have
    recorded a newer version, and rolling back the older one would leave a hole."""
    cur.execute(load_sql("history_versions.sql"))
    now = [str(r[0]) for r in cur.fetchall()]
    if target.version not in now:
        raise Refused(f"{target.version} left the history while this rollback waited for the "
                      "lock (another run rolled it back or repaired it): nothing was changed")
    newer = [v for v in now if version_order(v) > version_order(target.version)]
    if newer:
        raise Refused(f"another run recorded {', '.join(newer)} while this rollback waited for "
                      f"the lock: {target.version} is no longer the newest applied migration, "
                      "so nothing was changed (roll back the newest first)")


def _dependants(exc: Any) -> str:
    """PostgreSQL's 'view v depends on table t' lines, without its hint (never CASCADE)."""
    detail = exc.diag.message_detail or exc.diag.message_primary or "other objects depend on it"
    return "; ".join(line.strip() for line in detail.splitlines() if line.strip())
