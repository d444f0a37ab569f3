"""The database connection as every command opens it, and how the target is described."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from toolkit.settings import Settings

if TYPE_CHECKING:
    import psycopg


def describe_target(settings: Settings) -> dict[str, str]:
    from toolkit.db.connect import is_transaction_pooler

    out = {}
    if settings.config.project_id:  # supabase/config.toml's name for the project
        out["project"] = settings.config.project_id
    if settings.db_url:
        out["database"] = settings.shown_db_url()
        if is_transaction_pooler(settings):
            out["pooler"] = "transaction mode: no prepared statements, transaction-scoped locks"
    if settings.supabase_url:
        out["api"] = settings.supabase_url
    return out


class Connecting:
    """Open the database connection in a daemon thread, so the handshake (TCP, startup, SCRAM:
    about four round trips) overlaps reading the migrations. A daemon: a configuration error
    found meanwhile exits at once instead of waiting out the connect timeout."""

    def __init__(self, settings: Settings, *, autocommit: bool = True) -> None:
        self._settings = settings
        self._autocommit = autocommit
        self._done = threading.Event()
        self._conn: psycopg.Connection[Any] | None = None
        self._error: BaseException | None = None
        self._abandoned = False
        self._lock = threading.Lock()
        threading.Thread(target=self._run, name="db-connect", daemon=True).start()

    def _run(self) -> None:
        from toolkit.db.connect import connect

        try:
            conn = connect(self._settings, autocommit=self._autocommit)
        except BaseException as exc:
            self._error = exc
        else:
            with self._lock:
                self._conn = conn
                if self._abandoned:
                    conn.close()
        finally:
            self._done.set()

    def result(self) -> psycopg.Connection[Any]:
        self._done.wait()
        if self._error is not None:
            raise self._error
        assert self._conn is not None
        return self._conn

    def abandon(self) -> None:
        with self._lock:
            self._abandoned = True
            if self._conn is not None:
                self._conn.close()
