"""REST verification through a real PostgREST 12 behind the /rest/v1 gateway."""

from __future__ import annotations

import socket
import time
import uuid

from tests.conftest import ALL_TABLES, NEW_TABLES, admin, run_toolkit
from toolkit.local import ApiHandle, LocalStack, create_database, drop_database, serve_api


def _env(db: str, api: ApiHandle, key: str | None = None) -> dict[str, str]:
    return {"SUPABASE_DB_URL": db, "SUPABASE_URL": api.api_url,
            "SUPABASE_SERVICE_ROLE_KEY": key or api.service_role_key}


def test_check_shows_both_views_before_and_after_apply(db: str, api: ApiHandle) -> None:
    env = _env(db, api)
    before = run_toolkit("check", "--json", env=env)
    assert before.code == 1, before.output
    views = {t["name"]: (t["database"], t["rest"]) for t in before.json["tables"]}
    assert views["agents"] == ("present", "present")
    assert all(views[n] == ("missing", "missing") for n in NEW_TABLES)

    applied = run_toolkit("apply", "--json", env=env)
    assert applied.code == 0, applied.output
    # apply ends by probing REST (after NOTIFY pgrst and a bounded retry)
    assert {t["rest"] for t in applied.json["tables"]} == {"present"}
    assert any("REST: all 12 tables answer" in n for n in applied.json["notes"])

    after = run_toolkit("check", "--json", env=env)
    assert after.code == 0, after.output
    assert [(t["name"], t["database"], t["rest"]) for t in after.json["tables"]] == [
        (n, "present", "present") for n in ALL_TABLES]


def test_rest_only_check(db: str, api: ApiHandle) -> None:
    env = _env(db, api)
    del env["SUPABASE_DB_URL"]
    result = run_toolkit("check", "--json", env=env)
    assert result.code == 1
    assert {t["database"] for t in result.json["tables"]} == {"unknown"}
    assert sum(t["rest"] == "missing" for t in result.json["tables"]) == 11


def test_no_apply_verify(db: str, api: ApiHandle) -> None:
    env = _env(db, api)
    assert run_toolkit("apply", "--no-verify", "--json", env=env).json["tables"][1]["rest"] == \
        "skipped"


def test_forbidden_table_is_reported_and_not_ok(stack: LocalStack, db: str,
                                                api: ApiHandle) -> None:
    env = _env(db, api)
    assert run_toolkit("apply", env=env).code == 0
    with admin(stack, db) as conn:
        conn.execute("revoke all on public.agent_logs from service_role")
    result = run_toolkit("check", "--json", env=env)
    assert result.code == 1, result.output
    logs = next(t for t in result.json["tables"] if t["name"] == "agent_logs")
    # Grants are part of drift: the database view names what was revoked, and the GRANT
    # that fixes it; the API's own answer is 42501.
    assert (logs["database"], logs["rest"]) == ("drifted", "forbidden")
    assert "42501" in logs["detail"]
    assert any(d.startswith("service_role lacks DELETE, INSERT, REFERENCES, SELECT")
               and "(fix: grant delete, insert, references, select" in d
               and "on public.agent_logs to service_role)" in d
               for d in logs["differences"]), logs["differences"]


def test_disagreement_between_the_views_is_not_ok(stack: LocalStack, db: str,
                                                  api: ApiHandle) -> None:
    """The API answers for another database than the one SUPABASE_DB_URL names (a staging URL
    beside a production DB URL, say): the database has the tables, the API does not."""
    env = _env(db, api)
    assert run_toolkit("apply", "--no-verify", env=env).code == 0
    other = f"t_{uuid.uuid4().hex[:12]}"
    create_database(stack, other)
    try:
        with serve_api(stack, other) as other_api:
            env["SUPABASE_URL"] = other_api.api_url
            result = run_toolkit("check", "--json", env=env)
    finally:
        drop_database(stack, other)
    assert result.code == 1, result.output
    profiles = next(t for t in result.json["tables"] if t["name"] == "agent_profiles")
    assert (profiles["database"], profiles["rest"]) == ("present", "missing")
    assert any("in the database but the API answers missing" in p["message"]
               for p in result.json["problems"])


def test_opaque_secret_key_is_accepted(db: str, api: ApiHandle) -> None:
    result = run_toolkit("check", "--json", env=_env(db, api, api.secret_key))
    assert result.code == 1, result.output
    assert next(t for t in result.json["tables"] if t["name"] == "agents")["rest"] == "present"


def test_rejected_key_is_a_configuration_error(db: str, api: ApiHandle) -> None:
    forged = api.service_role_key[:-4] + ("AAAA" if not api.service_role_key.endswith("AAAA")
                                           else "BBBB")
    for key in (forged, "sb_secret_not_a_real_key"):
        result = run_toolkit("check", env=_env(db, api, key))
        assert result.code == 2, result.output
        assert "Invalid API key" in result.stderr
        assert key not in result.output
        assert len(result.stderr.strip().splitlines()) == 1


def test_url_without_key_and_key_without_url(db: str, api: ApiHandle) -> None:
    only_url = run_toolkit("check", env={"SUPABASE_DB_URL": db, "SUPABASE_URL": api.api_url})
    assert only_url.code == 2
    assert "SUPABASE_SERVICE_ROLE_KEY is not" in only_url.stderr
    only_key = run_toolkit("check", env={"SUPABASE_DB_URL": db,
                                         "SUPABASE_SERVICE_ROLE_KEY": api.service_role_key})
    assert only_key.code == 2
    assert "SUPABASE_URL is not" in only_key.stderr


def test_url_that_does_not_answer(db: str, api: ApiHandle) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = _env(db, api)
    env["SUPABASE_URL"] = f"http://127.0.0.1:{port}"
    start = time.monotonic()
    result = run_toolkit("check", env=env)
    assert result.code == 2
    assert "cannot reach SUPABASE_URL" in result.stderr
    # Refused at once, so far below the 10 s connect timeout (+ start-up on a busy runner).
    assert time.monotonic() - start < 15


def test_verify_after_apply_leaves_nothing_behind(stack: LocalStack, db: str,
                                                  api: ApiHandle) -> None:
    env = _env(db, api)
    before = run_toolkit("verify", "--json", env=env)
    assert before.code == 1
    assert before.json["functional"] == []
    assert run_toolkit("apply", env=env).code == 0
    result = run_toolkit("verify", "--json", env=env)
    assert result.code == 0, result.output
    functional = {f["name"]: f for f in result.json["functional"]}
    assert functional["insert agent_profiles"]["ok"]
    assert functional["foreign key"]["ok"] and "23503" in functional["foreign key"]["detail"]
    with admin(stack, db) as conn:
        assert conn.execute("select count(*) from agent_profiles").fetchone() == (0,)


def test_verify_with_no_agents_uses_a_temporary_one(stack: LocalStack, db: str,
                                                    api: ApiHandle) -> None:
    env = _env(db, api)
    assert run_toolkit("apply", env=env).code == 0
    with admin(stack, db) as conn:
        conn.execute("delete from agents")
    result = run_toolkit("verify", "--json", env=env)
    assert result.code == 0, result.output
    assert "temporary agent" in result.json["functional"][0]["detail"]
    with admin(stack, db) as conn:
        assert conn.execute("select count(*) from agents").fetchone() == (0,)
        assert conn.execute("select count(*) from agent_profiles").fetchone() == (0,)


def test_verify_needs_rest_settings(db: str) -> None:
    result = run_toolkit("verify", env={"SUPABASE_DB_URL": db})
    assert result.code == 2
    assert "verify needs SUPABASE_URL" in result.stderr
