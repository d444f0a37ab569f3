"""A throwaway, Supabase-shaped PostgreSQL database to replay migrations on (the "shadow").

Two sources, one interface (`shadow_database`):
- no URL: an embedded cluster started from server binaries found on this machine
  (toolkit.oracle.embedded), private to this process, gone on exit;
- a URL (TOOLKIT_SHADOW_DB_URL): a scratch database `toolkit_shadow_<unix time>_<hex>` on that
  server, dropped on exit; leftovers of killed runs are dropped by the next run.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from toolkit import shape
from toolkit.db.sqlfiles import load_sql
from toolkit.db.waits import Limits
from toolkit.envnames import DEFAULT_CONNECT_TIMEOUT_S, ENV_SHADOW_DB_URL
from toolkit.errors import ConfigError, ConnectError
from toolkit.oracle.database import ShadowDatabase
from toolkit.redact import mask_url, redact

SCRATCH_PREFIX = "toolkit_shadow_"
# A scratch database older than this with nobody connected belongs to a killed run.
LEFTOVER_AGE_S = 600


@contextmanager
def shadow_database(
    url: str | None = None, *, prefer_major: int | None = None,
    connect_timeout_s: int = DEFAULT_CONNECT_TIMEOUT_S,
    resume: Path | None = None, copy: bool = False,
) -> Iterator[ShadowDatabase]:
    """A ready shadow database for the duration of the block; everything is removed after it,
    also on exceptions and Ctrl-C. `resume` (embedded only): start from that snapshot (taken,
    or with `copy` copied and left for others)."""
    if url:
        with _scratch_database(url, connect_timeout_s) as shadow:
            yield shadow
    else:
        from toolkit.oracle.embedded import embedded_shadow

        with embedded_shadow(prefer_major=prefer_major, resume=resume, copy=copy) as shadow:
            yield shadow


def _first_line(exc: BaseException, secret_source: str) -> str:
    lines = str(exc).strip().splitlines()
    text = lines[0] if lines else type(exc).__name__
    return redact(text, [p for p in (_password(secret_source),) if p])


def _password(url: str) -> str | None:
    try:
        from psycopg.conninfo import conninfo_to_dict

        value = conninfo_to_dict(url).get("password")
    except psycopg.Error:
        return None
    return str(value) if value else None


Conn = psycopg.Connection[tuple[Any, ...]]


def connect_shadow(conninfo: str, connect_timeout_s: int, limits: Limits) -> Conn:
    """The replay's connection: the user's timeouts as the session's defaults (a startup
    option: the shadow is a server of our own, no pooler in between), keepalives for a shadow
    server across a network."""
    from toolkit.db.connect import KEEPALIVES

    options = f"-c lock_timeout={limits.lock_ms}ms -c statement_timeout={limits.statement_ms}ms"
    conn: Conn = psycopg.connect(conninfo, autocommit=True, connect_timeout=connect_timeout_s,
                                 options=options, **KEEPALIVES)
    conn.prepare_threshold = None
    return conn


@contextmanager
def _scratch_database(url: str, connect_timeout_s: int) -> Iterator[ShadowDatabase]:
    shown = mask_url(url)
    try:
        from toolkit.db.connect import KEEPALIVES

        admin: Conn = psycopg.connect(url, autocommit=True, connect_timeout=connect_timeout_s,
                                      **KEEPALIVES)
    except psycopg.OperationalError as exc:
        raise ConnectError(
            f"cannot connect to the shadow database server {shown} ({ENV_SHADOW_DB_URL}): "
            + _first_line(exc, url)
        ) from None
    except psycopg.ProgrammingError as exc:  # a malformed URL
        raise ConfigError(f"{ENV_SHADOW_DB_URL} is not a valid connection string: "
                          + _first_line(exc, url)) from None
    with admin:
        user, may_create, is_super, major = admin.execute(
            load_sql("shadow_server_role.sql")
        ).fetchone() or ("?", False, False, 0)
        if not (may_create or is_super):
            raise ConfigError(
                f"the shadow database server's role {user} may not create databases "
                f"({shown}): grant it CREATEDB, or leave {ENV_SHADOW_DB_URL} unset for the "
                "embedded shadow"
            )
        try:
            admin.execute(shape.load(shape.ROLES).encode())
        except psycopg.Error as exc:
            raise ConfigError(
                f"the shadow database server's role {user} cannot create Supabase's roles "
                f"(anon, authenticated, ...): {_first_line(exc, url)}; create them once as a "
                f"superuser, or leave {ENV_SHADOW_DB_URL} unset for the embedded shadow"
            ) from None
        drop_leftovers(admin)
        name = f"{SCRATCH_PREFIX}{int(time.time())}_{secrets.token_hex(4)}"
        # Owned by postgres where we may hand it over, as a Supabase project's database is;
        # else by us, as CREATE DATABASE does by default.
        may_hand_over = admin.execute(load_sql("shadow_server_may_own.sql")).fetchone() == (True,)
        create = sql.SQL(load_sql("shadow_create_database.sql")).format(
            name=sql.Identifier(name), owner=sql.Identifier("postgres" if may_hand_over else user))
        try:
            admin.execute(create)
        except psycopg.Error as exc:
            raise ConfigError(
                f"cannot create a scratch database on the shadow server {shown}: "
                + _first_line(exc, url)
            ) from None
        try:
            conninfo = make_conninfo(url, dbname=name, connect_timeout=connect_timeout_s)
            _shape(conninfo, name, user, url, bool(is_super))
            yield ShadowDatabase(conninfo=conninfo, major=int(major), origin=shown)
        finally:
            admin.execute(sql.SQL(load_sql("shadow_drop_database.sql")).format(
                name=sql.Identifier(name)))


def _shape(conninfo: str, name: str, user: str, url: str, superuser: bool) -> None:
    from toolkit.db.connect import KEEPALIVES

    with psycopg.connect(conninfo, autocommit=True, **KEEPALIVES) as conn:
        try:
            shape.shape_database(conn, name, superuser=superuser)
        except psycopg.Error as exc:
            raise ConfigError(
                f"the shadow database server's role {user} cannot build the Supabase shape: "
                f"{_first_line(exc, url)}; use a superuser URL, or leave {ENV_SHADOW_DB_URL} "
                "unset for the embedded shadow"
            ) from None


def drop_leftovers(admin: Conn, min_age_s: int = LEFTOVER_AGE_S) -> list[str]:
    """Drop scratch databases left by killed runs; returns the names dropped. One that is in
    use or not ours to drop is left alone (another run may own it)."""
    rows = admin.execute(
        shape.load("shadow_leftovers.sql").encode(), {"min_age_s": min_age_s}
    ).fetchall()
    dropped: list[str] = []
    for (name,) in rows:
        try:
            admin.execute(sql.SQL(load_sql("shadow_drop_leftover.sql")).format(
                name=sql.Identifier(name)))
        except (psycopg.errors.ObjectInUse, psycopg.errors.InsufficientPrivilege):
            continue
        dropped.append(str(name))
    return dropped
