"""Every wait on a database ends within the user's timeouts, and says what it waits for.

The server's own lock_timeout and statement_timeout are set on every transaction toolkit opens,
but a migration can lift them (`reset all`, `set statement_timeout = 0`) and a silent network
never delivers the server's answer. So each round trip also runs under a watchdog thread
(`watched`): after a second it asks the server, from a second connection, what the backend
waits for (pg_blocking_pids and pg_stat_activity) and shows it as the live line; past the lock
timeout on a relation lock, or past the statement timeout in all, it cancels the backend from
outside (libpq's cancel request, as Ctrl-C in psql), and if even that goes unanswered it shuts
the socket, so the blocked call returns. The caller learns from `Watch.fired` why it ended and
reports that, never the user's file, as the reason.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from toolkit.db.sqlfiles import load_sql
from toolkit.envnames import DEFAULT_LOCK_TIMEOUT_MS, DEFAULT_STATEMENT_TIMEOUT_MS
from toolkit.errors import ConnectError, ExitCode, ToolkitError
from toolkit.output import progress

if TYPE_CHECKING:
    import psycopg

    from toolkit.db.catalog import Catalog
    from toolkit.settings import Settings

_LITERAL = re.compile(r"(?:[eE]|\$[A-Za-z_]*\$)?'[^']*(?:'|$)|\$[A-Za-z_]*\$.*")
DELAY_S = 1.0  # a wait shorter than this is not worth a second connection
TICK_S = 0.25  # how often the watchdog looks while it waits
GRACE_S = 0.25  # the server's own timeout goes first: its error is the more precise one
CANCEL_WAIT_S = 1.0  # after a cancel request, how long before the socket is shut


class WaitTimeout(ToolkitError):
    """A read gave up waiting within the user's timeouts: nothing was judged or changed."""

    exit_code = ExitCode.INCOMPLETE


@dataclass(frozen=True)
class Limits:
    lock_ms: int
    statement_ms: int

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        return cls(settings.lock_timeout_ms, settings.statement_timeout_ms)

    def read_sql(self) -> str:
        """SET LOCAL of both timeouts, for the start of toolkit's own read transactions."""
        from psycopg import sql

        return sql.SQL(load_sql("read_limits.sql")).format(
            lock_timeout=sql.Literal(f"{self.lock_ms}ms"),
            statement_timeout=sql.Literal(f"{self.statement_ms}ms")).as_string(None)


# The settings' defaults, for callers without settings.
DEFAULT_LIMITS = Limits(DEFAULT_LOCK_TIMEOUT_MS, DEFAULT_STATEMENT_TIMEOUT_MS)


def shown_ms(ms: int) -> str:
    return f"{ms} ms" if ms < 1000 else f"{ms / 1000:g} s"


@dataclass
class Blocker:
    """What the watched backend waits for, as the server sees it."""

    wait_type: str | None
    wait_event: str | None
    locktype: str | None
    relation: str | None
    pid: int | None
    state: str | None
    state_s: int | None
    query: str | None
    lock_wait_s: float | None = None

    @property
    def on_relation_lock(self) -> bool:
        return self.wait_type == "Lock" and self.locktype != "advisory"

    def describe(self) -> str | None:
        if self.wait_type != "Lock":
            return None
        if self.locktype == "advisory":
            what = "another toolkit run to finish (its advisory lock"
        elif self.relation:
            what = f"a lock on {self.relation}"
        else:
            what = f"a {self.locktype or ''} lock".replace("a  ", "a ")
        if self.pid is None:
            return f"waiting for {what}" + (")" if self.locktype == "advisory" else "")
        held = f"held by pid {self.pid}"
        if self.locktype == "advisory":
            held = f"{held})"
        detail = []
        if self.state is None:
            detail.append("another role's session: its state is hidden from this role")
        elif self.state:
            detail.append(self.state + (f" for {self.state_s} s" if self.state_s is not None
                                        else ""))
        if self.query and not self.query.startswith("<"):
            # Another session's text may hold a password literal: never show literals.
            query = _LITERAL.sub("'…'", self.query)
            detail.append(query + ("…" if len(self.query) >= 60 else ""))
        return f"waiting for {what} {held}" + (f" ({': '.join(detail)})" if detail else "")


Opener = Callable[[], "psycopg.Connection[Any]"]


class Watch:
    """The watchdog of one round trip on `conn`. `fired` says why it intervened: "lock"
    (waited on a relation lock past the lock timeout), "statement" (ran past the statement
    timeout) or None; `severed` that the cancel went unanswered and the socket was shut."""

    def __init__(self, conn: psycopg.Connection[Any], limits: Limits, what: str,
                 opener: Opener | None) -> None:
        self.conn = conn
        self.limits = limits
        self.what = what
        self.fired: str | None = None
        self.severed = False
        self.blocker: Blocker | None = None
        self.started = time.monotonic()
        self.ended: float | None = None
        self._opener = opener
        self._monitor: psycopg.Connection[Any] | None = None
        self._pid = _backend_pid(conn)
        self._lock_since: float | None = None
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="db-watchdog", daemon=True)
        self._looker = threading.Thread(target=self._look_loop, name="db-wait-look", daemon=True)

    @property
    def elapsed_s(self) -> float:
        return (self.ended if self.ended is not None else time.monotonic()) - self.started

    def seen(self) -> str | None:
        """What the watchdog saw it wait for, if it looked (after a second)."""
        return self.blocker.describe() if self.blocker is not None else None

    def reason(self) -> str:
        """One line: why toolkit gave up, with the setting that bounds it."""
        seen = self.seen()
        if self.fired == "lock":
            return (f"{self.what}: gave up after {self.elapsed_s:.1f} s "
                    f"{seen or 'waiting for a lock'} (--lock-timeout "
                    f"{shown_ms(self.limits.lock_ms)})")
        tail = f"; it was {seen}" if seen else ""
        if self.severed:
            return (f"{self.what}: the database stopped answering: no reply within "
                    f"{self.elapsed_s:.1f} s (--statement-timeout "
                    f"{shown_ms(self.limits.statement_ms)}), so the connection was closed{tail}")
        return (f"{self.what}: ran past --statement-timeout "
                f"{shown_ms(self.limits.statement_ms)} and was cancelled after "
                f"{self.elapsed_s:.1f} s{tail}")

    def _run(self) -> None:
        if self._done.wait(DELAY_S):
            return
        # The second connection may hang too (a silent network takes both): it asks on a
        # thread of its own, so the limits below are kept whatever it does.
        self._looker.start()
        while not self._done.is_set():
            self.fired = self._due(time.monotonic())
            if self.fired is not None:
                threading.Thread(target=self._cancel, name="db-cancel", daemon=True).start()
                if not self._done.wait(CANCEL_WAIT_S):
                    self.severed = True
                    _shut(self.conn)
                return
            self._done.wait(TICK_S)

    def _look_loop(self) -> None:
        try:
            while not self._done.is_set() and self._opener is not None:
                self._look(time.monotonic())
                self._done.wait(TICK_S)
        finally:
            if self._monitor is not None:
                with contextlib.suppress(Exception):
                    self._monitor.close()

    def _due(self, now: float) -> str | None:
        if self._lock_since is not None and \
                now - self._lock_since > self.limits.lock_ms / 1000 + GRACE_S:
            return "lock"
        if now - self.started > self.limits.statement_ms / 1000 + GRACE_S:
            return "statement"
        return None

    def _look(self, now: float) -> None:
        """Ask the server what the backend waits for; show it; time a relation lock wait."""
        if self._opener is None or self._pid is None:
            return
        try:
            if self._monitor is None:
                self._monitor = self._opener()
            row = self._monitor.execute(load_sql("wait_blockers.sql"),
                                        {"pid": self._pid}).fetchone()
        except Exception:  # a second connection is a nicety: the limits hold without it
            self._opener = None
            return
        if row is None:
            return
        blocker = Blocker(*row)
        self.blocker = blocker if blocker.wait_type == "Lock" else self.blocker
        if blocker.on_relation_lock:
            if self._lock_since is None:
                # The server says since when; else from now: never early, at most a look late.
                waited = min(max(float(blocker.lock_wait_s or 0), 0.0), now - self.started)
                self._lock_since = now - waited
        else:
            self._lock_since = None
        text = blocker.describe()
        if text:
            progress.current().waiting(text, key=f"{blocker.locktype}:{blocker.relation}:"
                                                 f"{blocker.pid}")

    def _cancel(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.cancel_safe(timeout=CANCEL_WAIT_S)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.ended = time.monotonic()
        self._done.set()
        self._thread.join()
        if self._looker.is_alive():
            self._looker.join(TICK_S)
            if self._looker.is_alive() and self._monitor is not None:
                _shut(self._monitor)  # its query hangs: let it fail, the thread then ends


def _backend_pid(conn: psycopg.Connection[Any]) -> int | None:
    try:
        return int(conn.info.backend_pid) or None
    except Exception:
        return None


def _shut(conn: psycopg.Connection[Any]) -> None:
    """Make the blocked call return: shut the socket under libpq (a dup, so libpq's own
    descriptor is closed by libpq)."""
    with contextlib.suppress(Exception):
        fd = os.dup(conn.pgconn.socket)
        with socket.socket(fileno=fd) as sock:
            sock.shutdown(socket.SHUT_RDWR)


@contextmanager
def watched(conn: psycopg.Connection[Any], limits: Limits, what: str, *,
            opener: Opener | None = None) -> Iterator[Watch]:
    """Run the block's round trips on `conn` within `limits`, enforced from outside the
    session; `opener` opens a second connection to the same server to ask what it waits for
    (None: no live line, the limits still hold)."""
    watch = Watch(conn, limits, what, opener)
    watch.start()
    try:
        yield watch
    finally:
        watch.stop()
        if watch.blocker is not None:
            progress.current().waiting(None)


def target_opener(settings: Settings) -> Opener:
    def open_monitor() -> psycopg.Connection[Any]:
        from toolkit.db.connect import connect

        return connect(settings, autocommit=True, application_name="toolkit watch")

    return open_monitor


def conninfo_opener(conninfo: str, connect_timeout_s: int) -> Opener:
    def open_monitor() -> psycopg.Connection[Any]:
        import psycopg

        from toolkit.db.connect import KEEPALIVES

        return psycopg.connect(conninfo, autocommit=True, connect_timeout=connect_timeout_s,
                               application_name="toolkit watch", **KEEPALIVES)

    return open_monitor


def give_up(watch: Watch, exc: BaseException) -> ToolkitError | None:
    """The one-line error for a read that ended on a timeout (the server's or the
    watchdog's); None when `exc` is some other failure."""
    import psycopg

    if watch.severed:
        return ConnectError(watch.reason())
    if isinstance(exc, psycopg.errors.LockNotAvailable):
        watch.fired = watch.fired or "lock"
        return WaitTimeout(watch.reason())
    if isinstance(exc, psycopg.errors.QueryCanceled) or (
            watch.fired and isinstance(exc, psycopg.OperationalError)):
        watch.fired = watch.fired or "statement"
        return WaitTimeout(watch.reason())
    return None


def read_catalog(conn: psycopg.Connection[Any], limits: Limits, what: str, *,
                 opener: Opener | None = None, in_transaction: bool = False) -> Catalog:
    """inspect() within the user's timeouts: SET LOCAL on the server, the watchdog outside;
    a timeout ends in one line (WaitTimeout, exit 1) naming what it waited for."""
    from toolkit.db.catalog import inspect

    with watched(conn, limits, what, opener=opener) as watch:
        try:
            return inspect(conn, in_transaction=in_transaction, limits=limits.read_sql())
        except Exception as exc:
            timeout = give_up(watch, exc)
            if timeout is None:
                raise
            raise timeout from None
