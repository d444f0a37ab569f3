"""Only PostgREST passes for the Supabase API. The STAND-IN here (tests/rest/standin.py) is an
HTTP stub answering 200 [] to every request, the shape of an empty readable table: it must be
named as not PostgREST (exit 2), whatever key it is sent, never counted as 24/24 present."""

from __future__ import annotations

import time

import pytest

from tests.conftest import SESSION_SECRETS, run_toolkit
from tests.rest.standin import EMPTY_ARRAY, EMPTY_ARRAY_WITH_HEADERS, standin
from toolkit.local import ApiHandle
from toolkit.local.jwt import sign

FORGED = sign({"role": "service_role", "iss": "supabase"}, "not-the-projects-secret-0123456789")
EXPIRED = sign({"role": "service_role", "exp": int(time.time()) - 3600},
               "not-the-projects-secret-0123456789")
SESSION_SECRETS.update({FORGED, EXPIRED})


@pytest.mark.parametrize("command", ["verify", "check"])
@pytest.mark.parametrize("key", [FORGED, EXPIRED], ids=["forged", "expired"])
def test_a_stub_with_postgrest_headers_is_not_the_api(db: str, command: str,
                                                      key: str) -> None:
    with standin(lambda path: EMPTY_ARRAY_WITH_HEADERS) as url:
        result = run_toolkit(command, env={"SUPABASE_DB_URL": db, "SUPABASE_URL": url,
                                           "SUPABASE_SERVICE_ROLE_KEY": key})
    assert result.code == 2, result.output
    assert "OK" not in result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert "does not answer as PostgREST" in lines[0], lines[0]
    assert "a table that cannot exist" in lines[0]


def test_a_stub_without_postgrest_headers_is_not_the_api(db: str) -> None:
    with standin(lambda path: EMPTY_ARRAY) as url:
        result = run_toolkit("verify", env={"SUPABASE_DB_URL": db, "SUPABASE_URL": url,
                                            "SUPABASE_SERVICE_ROLE_KEY": FORGED})
    assert result.code == 2, result.output
    assert "does not answer as the Supabase API" in result.stderr
    assert "without PostgREST's Content-Range header" in result.stderr


def test_real_postgrest_through_the_stand_in_still_passes(db: str, api: ApiHandle) -> None:
    """The same stand-in forwarding everything: PostgREST's own answers and headers get through,
    so the signature is PostgREST's, not the stand-in's."""
    apply = run_toolkit("apply", "--no-verify", env={"SUPABASE_DB_URL": db})
    assert apply.code == 0, apply.output
    with standin(lambda path: None, api.api_url) as url:
        result = run_toolkit("verify", env={"SUPABASE_DB_URL": db, "SUPABASE_URL": url,
                                            "SUPABASE_SERVICE_ROLE_KEY": api.service_role_key})
    assert result.code == 0, result.output
