"""toolkit.redact and Settings.secrets, directly: what must never be printed is masked."""

from __future__ import annotations

import pytest

from toolkit.local.jwt import role_key
from toolkit.redact import MASK, mask_url, redact
from toolkit.settings import Settings

JWT = role_key("service_role", "a-jwt-secret-of-some-length-123456")


@pytest.mark.parametrize(("url", "shown"), [
    ("postgresql://postgres:s3cret@db.example.co:5432/postgres",
     "postgresql://postgres:***@db.example.co:5432/postgres"),
    ("postgresql://postgres.abcdefghijklmnopqrst:p@ss:w0rd@aws-0-eu-central-1.pooler."
     "supabase.com:6543/postgres",
     "postgresql://postgres.abcdefghijklmnopqrst:***@aws-0-eu-central-1.pooler.supabase.com:"
     "6543/postgres"),
    ("postgresql://postgres:p%40ss@127.0.0.1/postgres", "postgresql://postgres:***@127.0.0.1/postgres"),
    ("postgresql://postgres@127.0.0.1/postgres", "postgresql://postgres@127.0.0.1/postgres"),
    ("postgresql://u:pw@127.0.0.1:abc/postgres", "postgresql://u:***@127.0.0.1:abc/postgres"),
])
def test_mask_url(url: str, shown: str) -> None:
    assert mask_url(url) == shown


def test_mask_url_survives_a_malformed_url() -> None:
    shown = mask_url("postgresql://postgres:hunter22@[::1/postgres")
    assert "hunter22" not in shown


@pytest.mark.parametrize("text", [
    f"apikey: {JWT}",
    f"Authorization: Bearer {JWT}",
    "key sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz and sb_publishable_abcDEF123_xyz",
    "connection to postgresql://postgres:Zx9-long_pass@db.x.supabase.co:5432/postgres failed",
    "host=127.0.0.1 port=5432 password=Zx9-long_pass dbname=postgres",
    "host=127.0.0.1 password='Zx9 long pass' dbname=postgres",
    "host=127.0.0.1 password='Zx9 long pass \\'q\\' \\\\ more' dbname=postgres",
    "PASSWORD = Zx9-long_pass",
])
def test_redact_patterns(text: str) -> None:
    out = redact(text)
    assert MASK in out
    for secret in (JWT, "sb_secret_N7UND0UgjKTVK", "sb_publishable_abcDEF123", "Zx9-long_pass",
                   "Zx9 long pass"):
        assert secret not in out, out


def test_redact_known_secrets_longest_first() -> None:
    assert redact("token abcdef and abc", ["abc", "abcdef"]) == "token *** and ***"
    assert redact("nothing here", ["", "x"]) == "nothing here"  # too short to mask safely


def test_settings_secrets_cover_every_form_of_the_password() -> None:
    s = Settings(db_url="postgresql://postgres:p%40ss-word@127.0.0.1/postgres",
                 supabase_url="http://127.0.0.1:1", service_key=JWT)
    assert set(s.secrets) == {"p%40ss-word", "p@ss-word", JWT}
    line = redact("libpq said p@ss-word and p%40ss-word, key " + JWT, s.secrets)
    assert "p@ss" not in line and "p%40ss" not in line and JWT not in line
    assert s.shown_db_url() == "postgresql://postgres:***@127.0.0.1/postgres"


def test_a_key_value_dsn_is_read_as_libpq_reads_it() -> None:
    dsn = "host=127.0.0.1 user=postgres password='p@ss w\\'rd \\\\ Zx9' dbname=postgres"
    s = Settings(db_url=dsn)
    assert "p@ss w'rd \\ Zx9" in s.secrets  # as libpq reads it: what GitHub must mask
    shown = s.shown_db_url()
    assert "password=***" in shown and "Zx9" not in shown and "p@ss" not in shown
    assert "Zx9" not in redact(f"connection failed: {dsn}", s.secrets)
