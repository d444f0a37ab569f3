"""PROVISIONAL (lead's branch only; replaced by the real module from h-shape): URL mode only."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True)
class ShadowDatabase:
    conninfo: str
    major: int
    origin: str


@contextmanager
def shadow_database(url: str | None = None, *, prefer_major: int | None = None,
                    connect_timeout_s: int = 10) -> Iterator[ShadowDatabase]:
    import psycopg
    from psycopg import conninfo as ci
    from psycopg import sql

    assert url, "provisional shadow server: set TOOLKIT_SHADOW_DB_URL"
    name = f"toolkit_shadow_{int(time.time())}_{secrets.token_hex(4)}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(sql.SQL("create database {} owner postgres").format(sql.Identifier(name)))
        major = int(admin.info.server_version) // 10000
    target = ci.make_conninfo(url, dbname=name)
    try:
        shape = resources.files("toolkit.local").joinpath("sql", "database.sql").read_text()
        shape = shape.split("-- The team's pre-existing table")[0]
        with psycopg.connect(target, autocommit=True) as conn:
            conn.execute(shape.encode())
            conn.execute(sql.SQL('alter database {} set search_path = "$user", public, '
                                 'extensions').format(sql.Identifier(name)))
        yield ShadowDatabase(target, major, "provisional")
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(sql.SQL("drop database if exists {} with (force)").format(
                sql.Identifier(name)))
