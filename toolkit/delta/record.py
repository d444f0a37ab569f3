"""The history rows a generated migration gets, written as the Supabase CLI writes them.

`pull` records its file as applied (the target already has what it says); `migration squash`
baselines the history as `supabase migration squash` does: every version up to the squashed
file's deleted, then that file's row inserted with its new statements. Each runs in one
transaction under the advisory lock every writing toolkit run takes, and checks first that the
history is still what the command read before it asked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from toolkit.db.history import LOCK_KEY, remote_versions, version_order
from toolkit.db.sqlfiles import load_sql
from toolkit.errors import Refused


def _locked(conn: Any, statement_timeout_ms: int, read: list[str], local: set[str],
            version: str) -> None:
    """Take the lock, then refuse when another run changed the history since `read`."""
    from toolkit.db.history import changed_under_lock

    conn.execute(load_sql("history_lock.sql"), {
        "statement_timeout": f"{statement_timeout_ms}ms", "lock_key": LOCK_KEY})
    why = changed_under_lock(remote_versions(conn), set(read), local | {version}, version)
    if why is not None:
        raise Refused(why)


def record_applied(conn: Any, version: str, name: str, statements: list[str], *,
                   read: list[str], local: set[str], statement_timeout_ms: int) -> None:
    """Record `version` as applied (its SQL is not run): one row, as `supabase db push`
    writes it after running the file."""
    if any(version_order(v) >= version_order(version) for v in read):
        raise Refused(f"the target's history already holds a version at or after {version}: "
                      "a new file would sort before it")
    with conn.transaction():
        _locked(conn, statement_timeout_ms, read, local, version)
        conn.execute(load_sql("history_ensure.sql"))
        conn.execute(load_sql("history_insert.sql"),
                     {"version": version, "name": name, "statements": statements})


def baseline(conn: Any, version: str, name: str, statements: list[str], *, read: list[str],
             local: set[str], statement_timeout_ms: int,
             before_write: Callable[[], None] | None = None) -> None:
    """Delete every version up to `version`, then insert `version` with `statements`, in one
    transaction; `before_write` runs under the lock, before anything is written."""
    with conn.transaction():
        _locked(conn, statement_timeout_ms, read, local, version)
        if before_write is not None:
            before_write()
        conn.execute(load_sql("history_ensure.sql"))
        conn.execute(load_sql("history_baseline_delete.sql"), {"version": version})
        conn.execute(load_sql("history_insert.sql"),
                     {"version": version, "name": name, "statements": statements})
