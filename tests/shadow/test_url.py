"""The shadow on a server the user names: the machine's PostgreSQL on 127.0.0.1:5432 (trust,
user postgres), where the shadow lives in a scratch database that is dropped after use."""

from __future__ import annotations

import time

import psycopg
import pytest

from toolkit.errors import ConfigError, ConnectError
from toolkit.oracle.servers import SCRATCH_PREFIX, shadow_database

SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


def _databases() -> set[str]:
    with psycopg.connect(SERVER, autocommit=True) as conn:
        return {r[0] for r in conn.execute(
            "select datname from pg_database where datname like 'toolkit\\_shadow\\_%'")}


def test_creates_shapes_and_drops_its_scratch_database() -> None:
    with shadow_database(SERVER) as shadow:
        name = psycopg.conninfo.conninfo_to_dict(shadow.conninfo)["dbname"]
        assert isinstance(name, str) and name.startswith(SCRATCH_PREFIX)
        assert name in _databases()
        assert shadow.origin == SERVER and shadow.major >= 13
        with psycopg.connect(shadow.conninfo) as conn:
            conn.execute("set role postgres")
            conn.execute("create table public.profiles (id uuid primary key"
                         " references auth.users on delete cascade)")
            assert conn.execute("select count(*) from pg_publication"
                                " where pubname = 'supabase_realtime'").fetchone() == (1,)
    assert name not in _databases()


def test_removes_an_old_leftover_but_not_a_recent_one() -> None:
    old = f"{SCRATCH_PREFIX}{int(time.time()) - 3600}_deadbeef"
    recent = f"{SCRATCH_PREFIX}{int(time.time()) - 5}_cafef00d"
    with psycopg.connect(SERVER, autocommit=True) as conn:
        for name in (old, recent):
            conn.execute(f'create database "{name}"')
    try:
        with shadow_database(SERVER):
            pass
        left = _databases()
        assert old not in left
        assert recent in left  # may belong to a run still going
    finally:
        with psycopg.connect(SERVER, autocommit=True) as conn:
            for name in (old, recent):
                conn.execute(f'drop database if exists "{name}"')


def test_dropped_after_an_exception_too() -> None:
    with pytest.raises(RuntimeError), shadow_database(SERVER) as shadow:
        name = psycopg.conninfo.conninfo_to_dict(shadow.conninfo)["dbname"]
        raise RuntimeError("boom")
    assert name not in _databases()


def test_a_role_without_createdb_is_one_line_and_no_password() -> None:
    with psycopg.connect(SERVER, autocommit=True) as conn:
        conn.execute("drop role if exists toolkit_shadow_weak")
        conn.execute("create role toolkit_shadow_weak login password 'Sekr1t-pw'")
    try:
        url = "postgresql://toolkit_shadow_weak:Sekr1t-pw@127.0.0.1:5432/postgres"
        with pytest.raises(ConfigError) as err, shadow_database(url):
            pass
        message = str(err.value)
        assert "may not create databases" in message and "CREATEDB" in message
        assert "Sekr1t-pw" not in message and "\n" not in message
    finally:
        with psycopg.connect(SERVER, autocommit=True) as conn:
            conn.execute("drop role toolkit_shadow_weak")


def test_an_unreachable_server_is_a_connect_error_without_the_password() -> None:
    url = "postgresql://postgres:Sekr1t-pw@127.0.0.1:1/postgres"
    with pytest.raises(ConnectError) as err, shadow_database(url, connect_timeout_s=2):
        pass
    assert "Sekr1t-pw" not in str(err.value)
    assert "127.0.0.1" in str(err.value)
