"""Keys and URLs judged before any request: whose key, which project."""

from __future__ import annotations

import base64
import json

import pytest

from toolkit.errors import ConfigError
from toolkit.rest.keys import api_project_ref, db_project_ref, describe_key, strip_bearer
from toolkit.settings import load_settings

API = "https://abcdefghijklmnopqrst.supabase.co"


def _jwt(claims: dict[str, object]) -> str:
    def b64(obj: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    return f"{b64({'alg': 'HS256', 'typ': 'JWT'})}.{b64(claims)}.c2lnbmF0dXJl"


@pytest.mark.parametrize(("key", "named"), [
    (_jwt({"role": "anon"}), "holds the anon key"),
    (_jwt({"role": "authenticated", "sub": "u1"}), "holds a signed-in user's JWT"),
    (_jwt({"role": "supabase_admin"}), "holds a JWT for role 'supabase_admin'"),
    (_jwt({"iss": "supabase"}), "holds a JWT without a role claim"),
    ("sb_publishable_abc123", "holds the publishable key"),
    ("Bearer " + _jwt({"role": "anon"}), "holds the anon key"),
])
def test_keys_that_are_not_the_service_role_are_named(key: str, named: str) -> None:
    with pytest.raises(ConfigError, match=named) as err:
        load_settings({"SUPABASE_URL": API, "SUPABASE_SERVICE_ROLE_KEY": key}, environ={},
                      env_file=None)
    assert str(err.value).startswith("SUPABASE_SERVICE_ROLE_KEY holds")
    assert key.removeprefix("Bearer ") not in str(err.value)


def test_bearer_prefix_is_stripped_and_service_keys_pass() -> None:
    token = _jwt({"role": "service_role", "ref": "abcdefghijklmnopqrst"})
    for given in (f"Bearer {token}", f"bearer  {token}", token):
        s = load_settings({"SUPABASE_URL": API, "SUPABASE_SERVICE_ROLE_KEY": given},
                          environ={}, env_file=None)
        assert s.service_key == token
    assert strip_bearer("Bearer sb_secret_x") == "sb_secret_x"
    assert describe_key("sb_secret_x") is None


@pytest.mark.parametrize("given", [API + "/rest/v1", API + "/rest/v1/", API + "/", API + "//"])
def test_api_url_is_normalised(given: str) -> None:
    s = load_settings({"SUPABASE_URL": given, "SUPABASE_SERVICE_ROLE_KEY": "sb_secret_x"},
                      environ={}, env_file=None)
    assert s.supabase_url == API


def test_project_refs_are_read_from_both_urls() -> None:
    assert api_project_ref(API) == "abcdefghijklmnopqrst"
    assert api_project_ref("http://127.0.0.1:54321") is None
    assert db_project_ref("postgresql://postgres:pw@db.abcdefghijklmnopqrst.supabase.co:5432/"
                          "postgres") == "abcdefghijklmnopqrst"
    assert db_project_ref("postgresql://postgres.abcdefghijklmnopqrst:pw@aws-0-eu-central-1."
                          "pooler.supabase.com:6543/postgres") == "abcdefghijklmnopqrst"
    assert db_project_ref("postgresql://postgres:pw@127.0.0.1/postgres") is None


@pytest.mark.parametrize("db_url", [
    "postgresql://postgres:pw@db.zzzzzzzzzzzzzzzzzzzz.supabase.co:5432/postgres",
    "postgresql://postgres.zzzzzzzzzzzzzzzzzzzz:pw@aws-0-us-east-1.pooler.supabase.com:5432/"
    "postgres",
])
def test_database_and_api_of_different_projects_are_refused(db_url: str) -> None:
    flags = {"SUPABASE_DB_URL": db_url, "SUPABASE_URL": API,
             "SUPABASE_SERVICE_ROLE_KEY": "sb_secret_x"}
    with pytest.raises(ConfigError, match="project 'zzzzzzzzzzzzzzzzzzzz' but SUPABASE_URL is "
                                          "project 'abcdefghijklmnopqrst'") as err:
        load_settings(flags, environ={}, env_file=None)
    assert ":pw@" not in str(err.value)
    same = {**flags, "SUPABASE_DB_URL": db_url.replace("zzzzzzzzzzzzzzzzzzzz",
                                                       "abcdefghijklmnopqrst")}
    load_settings(same, environ={}, env_file=None)
