"""Opening a database connection the way Supabase users need it; the one module the settings
enter on the way to the database (the connection, its limits, the watchdog's own connection,
the target as shown).

TLS by default off loopback, no prepared statements (safe through Supavisor or pgbouncer in
transaction mode), bounded connect time, and errors turned into one redacted actionable line.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from toolkit.db.url import origin_name
from toolkit.db.waits import Limits, Opener
from toolkit.errors import ConnectError
from toolkit.redact import redact
from toolkit.settings import LOOPBACK, Settings

if TYPE_CHECKING:
    import psycopg


# A peer that vanishes (packets dropped, a NAT forgetting the flow) must not leave a read
# waiting for ever: TCP keepalives probe an idle connection after 15 s, every 5 s, and give up
# after 3 unanswered probes; tcp_user_timeout drops a connection whose sent data goes
# unacknowledged for 30 s. A live server answers both from its kernel, so a long statement is
# never cut short by them; the statement timeout bounds the rest (toolkit.db.waits).
KEEPALIVES: dict[str, Any] = {
    "keepalives": 1,
    "keepalives_idle": 15,
    "keepalives_interval": 5,
    "keepalives_count": 3,
    "tcp_user_timeout": 30_000,
}


def connect_kwargs(settings: Settings) -> dict[str, Any]:
    url = settings.require_db()
    kwargs: dict[str, Any] = {
        "connect_timeout": settings.connect_timeout_s,
        "application_name": "toolkit",
    }
    # A setting in the URL is the user's choice and wins.
    kwargs.update({k: v for k, v in KEEPALIVES.items() if k not in url})
    if "sslmode" not in url:
        host = urlsplit(url).hostname if "://" in url else _conninfo_host(url)
        if (host or "") not in LOOPBACK and not (host or "").startswith("/"):
            kwargs["sslmode"] = "require"  # hosted Supabase requires TLS
    return kwargs


def _is_loopback(settings: Settings) -> bool:
    url = settings.db_url or ""
    try:
        host = urlsplit(url).hostname if "://" in url else _conninfo_host(url)
    except ValueError:
        return False
    return (host or "") in LOOPBACK or (host or "").startswith("/")


def _conninfo_host(conninfo: str) -> str | None:
    for part in conninfo.split():
        if part.startswith("host="):
            return part[5:]
    return None


def is_transaction_pooler(settings: Settings) -> bool:
    """Supavisor/pgbouncer transaction mode: port 6543 by Supabase's convention."""
    url = settings.db_url or ""
    try:
        port = urlsplit(url).port if "://" in url else None
    except ValueError:
        return False
    return port == 6543 or "pgbouncer=true" in url or "6543" in parse_qs(urlsplit(url).query).get(
        "port", []
    )


def connect(settings: Settings, *, autocommit: bool = False,
            application_name: str = "toolkit") -> psycopg.Connection[Any]:
    import psycopg

    kwargs = connect_kwargs(settings) | {"application_name": application_name}
    try:
        conn = psycopg.connect(settings.require_db(), autocommit=autocommit, **kwargs)
    except psycopg.Error as exc:
        raise ConnectError(describe_connect_error(exc, settings)) from None
    # Prepared statements break behind transaction-mode poolers; we never need them.
    conn.prepare_threshold = None
    return conn


def describe_connect_error(exc: Exception, settings: Settings) -> str:
    """One line: what went wrong connecting, and what to do about it."""
    text = " ".join(str(exc).split())
    low = text.lower()
    target = settings.shown_db_url()
    origin = origin_name(settings.sources.get("SUPABASE_DB_URL"))
    if "password authentication failed" in low or "authentication failed" in low:
        hint = f"wrong password or user: check {origin} (Project Settings > Database)"
    elif "does not exist" in low and "database" in low:
        hint = "that database does not exist: the Supabase database is named 'postgres'"
    elif "could not translate host name" in low or "name or service not known" in low:
        hint = f"unknown host: check the host name in {origin}"
    elif "timeout" in low or "timed out" in low:
        hint = (f"no answer within {settings.connect_timeout_s}s (--connect-timeout): is the host "
                "reachable? GitHub runners have no IPv6: use the session pooler URL")
    elif "connection refused" in low:
        hint = "connection refused: is the database running and the port right?"
    elif "certificate" in low or "sslrootcert" in low:
        hint = ("TLS certificate verification failed: download Supabase's CA certificate "
                "(Project Settings > Database > SSL Configuration) and add sslrootcert=<path to "
                "it> to the URL; sslmode=require encrypts without verifying the server")
    elif "ssl" in low and _is_loopback(settings):
        hint = "this local server offers no TLS: add ?sslmode=disable to the URL"
    elif "ssl" in low:
        # Never advise turning TLS off for a remote host: hosted Supabase requires it.
        hint = ("TLS problem: hosted Supabase always offers TLS, so check the host and port; "
                "with sslmode=verify-full, add sslrootcert=<Supabase's CA certificate>")
    elif "tenant or user not found" in low:
        hint = "the pooler does not know this user: pooler URLs use user postgres.<project-ref>"
    else:
        hint = "could not connect"
    detail = redact(text, settings.secrets)
    return f"cannot connect to {target}: {hint} ({detail})"


def limits(settings: Settings) -> Limits:
    """The user's lock and statement timeouts, as every read and every file runs under them."""
    return Limits(settings.lock_timeout_ms, settings.statement_timeout_ms)


def monitor_opener(settings: Settings) -> Opener:
    """How the watchdog opens its own connection to the target (toolkit.db.waits)."""
    def open_monitor() -> psycopg.Connection[Any]:
        return connect(settings, autocommit=True, application_name="toolkit watch")

    return open_monitor


def conninfo_opener(conninfo: str, connect_timeout_s: int) -> Opener:
    """How the watchdog opens its own connection to a shadow database."""
    def open_monitor() -> psycopg.Connection[Any]:
        import psycopg

        return psycopg.connect(conninfo, autocommit=True, connect_timeout=connect_timeout_s,
                               application_name="toolkit watch", **KEEPALIVES)

    return open_monitor


def describe_target(settings: Settings) -> dict[str, str]:
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

    def done(self) -> bool:
        """Whether the handshake has ended (connected or failed)."""
        return self._done.is_set()

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
