"""Settings resolution and validation: plain values in, one clear error out."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from toolkit.db.connect import connect_kwargs, is_transaction_pooler
from toolkit.errors import ConfigError
from toolkit.settings import load_settings, parse_duration_ms


def _jwt(claims: dict[str, object]) -> str:
    def b64(obj: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    return f"{b64({'alg': 'HS256', 'typ': 'JWT'})}.{b64(claims)}.c2lnbmF0dXJl"


def test_flag_beats_env_beats_dotenv(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("SUPABASE_DB_URL=postgresql://a@dotenv/postgres\n"
                      "TOOLKIT_LOCK_TIMEOUT=9s\n")
    env = {"SUPABASE_DB_URL": "postgresql://a@env/postgres"}
    s = load_settings({"SUPABASE_DB_URL": "postgresql://a@flag/postgres"}, environ=env,
                      env_file=dotenv)
    assert s.db_url == "postgresql://a@flag/postgres"
    assert s.sources["SUPABASE_DB_URL"] == "flag"
    s = load_settings({}, environ=env, env_file=dotenv)
    assert s.db_url == "postgresql://a@env/postgres" and s.lock_timeout_ms == 9000
    s = load_settings({}, environ={}, env_file=dotenv)
    assert s.db_url == "postgresql://a@dotenv/postgres"


def test_empty_variable_is_named(tmp_path: Path) -> None:
    s = load_settings({}, environ={"SUPABASE_DB_URL": ""}, env_file=None)
    with pytest.raises(ConfigError, match="SUPABASE_DB_URL is set but empty"):
        s.require_db()
    with pytest.raises(ConfigError, match="SUPABASE_SERVICE_ROLE_KEY is empty"):
        load_settings({}, environ={"SUPABASE_URL": "https://x.supabase.co",
                                   "SUPABASE_SERVICE_ROLE_KEY": " "}, env_file=None)


@pytest.mark.parametrize(("url", "message"), [
    ("localhost:5432", "must look like postgresql://"),
    ("postgresql://u:p@host:99999/db", "port out of range"),
    ("postgresql://u:p@host:0/db", "port out of range"),
    ("https://x.supabase.co", "not postgresql://"),
    ("postgresql:///db", "has no host"),
])
def test_bad_database_urls(url: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as err:
        load_settings({"SUPABASE_DB_URL": url}, environ={}, env_file=None)
    assert ":p@" not in str(err.value)


def test_key_kinds_and_project_match() -> None:
    url = "https://abcdefghijklmnopqrst.supabase.co"
    for key in ("sb_secret_abc123",
                _jwt({"role": "service_role", "ref": "abcdefghijklmnopqrst"})):
        load_settings({"SUPABASE_URL": url, "SUPABASE_SERVICE_ROLE_KEY": key}, environ={},
                      env_file=None)
    with pytest.raises(ConfigError, match="neither a JWT nor an sb_secret_"):
        load_settings({"SUPABASE_URL": url, "SUPABASE_SERVICE_ROLE_KEY": "garbage"},
                      environ={}, env_file=None)
    with pytest.raises(ConfigError, match="belongs to project 'zzzz'"):
        load_settings({"SUPABASE_URL": url,
                       "SUPABASE_SERVICE_ROLE_KEY": _jwt({"role": "service_role", "ref": "zzzz"})},
                      environ={}, env_file=None)
    with pytest.raises(ConfigError, match="not an http"):
        load_settings({"SUPABASE_URL": "ftp://x", "SUPABASE_SERVICE_ROLE_KEY": "sb_secret_a"},
                      environ={}, env_file=None)


def test_durations() -> None:
    assert parse_duration_ms("4s", "x") == 4000
    assert parse_duration_ms("250ms", "x") == 250
    assert parse_duration_ms("1min", "x") == 60000
    assert parse_duration_ms("2", "x") == 2000
    assert parse_duration_ms("1h", "x") == 3_600_000
    assert parse_duration_ms("1ms", "x") == 1
    assert parse_duration_ms(" 1.5 s ", "x") == 1500
    for bad, why in (("soon", "not a duration"), ("-1s", "not a duration"), ("0", "under 1 ms"),
                     ("0.4ms", "under 1 ms"), ("25h", "maximum"), ("4 sec", "not a duration"),
                     ("1e3", "not a duration"), ("nan", "not a duration"),
                     ("99999999999999999999s", "maximum"), ("4S", "not a duration")):
        with pytest.raises(ConfigError, match=why):
            parse_duration_ms(bad, "lock timeout")


def test_tls_by_default_off_loopback_and_explicit_sslmode_wins() -> None:
    def kwargs(url: str) -> dict[str, object]:
        return connect_kwargs(load_settings({"SUPABASE_DB_URL": url}, environ={}, env_file=None))

    assert kwargs("postgresql://postgres:pw@db.abc.supabase.co:5432/postgres")["sslmode"] == \
        "require"
    assert "sslmode" not in kwargs("postgresql://postgres:pw@127.0.0.1:5432/postgres")
    assert "sslmode" not in kwargs("postgresql://postgres:pw@localhost/postgres")
    assert "sslmode" not in kwargs(
        "postgresql://postgres:pw@db.abc.supabase.co:5432/postgres?sslmode=verify-full")
    assert kwargs("postgresql://u@h/db")["connect_timeout"] == 10


def test_transaction_pooler_detection() -> None:
    def pooled(url: str) -> bool:
        return is_transaction_pooler(load_settings({"SUPABASE_DB_URL": url}, environ={},
                                                   env_file=None))

    assert pooled("postgresql://postgres.ref:pw@aws-0-eu-central-1.pooler.supabase.com:6543/postgres")
    assert not pooled("postgresql://postgres.ref:pw@aws-0-eu-central-1.pooler.supabase.com:5432/postgres")
