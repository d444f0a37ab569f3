"""Opening a database connection the way Supabase users need it.

TLS by default off loopback, no prepared statements (safe through Supavisor or pgbouncer in
transaction mode), bounded connect time, and errors turned into one redacted actionable line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from toolkit.db.url import origin_name
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
