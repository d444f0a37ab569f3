"""Verdicts that can be trusted. Only PostgREST's own answers count, wrong keys are
named, every non-zero exit says why. Real PostgreSQL, PostgREST and gateway throughout; the
STAND-IN server (tests/rest/standin.py) only fakes answers no real part gives here."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

from tests.conftest import NEW_TABLES, ROOT, admin, run_toolkit
from tests.rest.standin import (
    FIREWALL_403,
    HTML_PAGE,
    PROXY_502,
    SCHEMA_CACHE_503,
    standin,
    table_of,
)
from toolkit.local import ApiHandle, LocalStack
from toolkit.local.jwt import role_key


def _env(db: str, url: str, key: str) -> dict[str, str]:
    return {"SUPABASE_DB_URL": db, "SUPABASE_URL": url, "SUPABASE_SERVICE_ROLE_KEY": key}


def _one_line(stderr: str) -> str:
    lines = [line for line in stderr.strip().splitlines() if line]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def _tables(stack: LocalStack, db: str) -> tuple[int, int]:
    """(new tables in public, history rows): nothing may change before a refusal."""
    with admin(stack, db) as conn:
        row = conn.execute(
            "select (select count(*) from pg_tables where schemaname = 'public' and "
            "tablename = any(%s)), (select count(*) from pg_tables where schemaname = "
            "'supabase_migrations')", [NEW_TABLES]).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def test_url_ending_in_rest_v1_or_slash_is_normalised(db: str, api: ApiHandle) -> None:
    applied = run_toolkit("apply", "--json",
                          env=_env(db, api.api_url + "/rest/v1/", api.service_role_key))
    assert applied.code == 0, applied.output
    assert {t["rest"] for t in applied.json["tables"]} == {"present"}
    for url in (api.api_url + "/", api.api_url + "/rest/v1"):
        result = run_toolkit("check", env=_env(db, url, api.service_role_key))
        assert result.code == 0, result.output
        assert "OK: 12/12 tables present (exit 0)" in result.stdout


def test_a_url_that_is_not_the_api_is_exit_2(db: str, api: ApiHandle) -> None:
    # The real gateway answers its own 404 (no route) under another path: not PostgREST's.
    result = run_toolkit("check", env=_env(db, api.api_url + "/app", api.service_role_key))
    assert result.code == 2, result.output
    line = _one_line(result.stderr)
    assert "SUPABASE_URL does not answer as the Supabase API: application/json 404 from " \
           f"{api.api_url}/app/rest/v1/" in line


def test_an_html_page_is_never_present_and_apply_refuses_before_ddl(
        stack: LocalStack, db: str, api: ApiHandle) -> None:
    """STAND-IN: the app's own web page (HTML, 200) given as SUPABASE_URL."""
    with standin(lambda path: HTML_PAGE) as url:
        env = _env(db, url, api.service_role_key)
        for command in ("check", "verify", "apply"):
            result = run_toolkit(command, env=env)
            assert result.code == 2, (command, result.output)
            line = _one_line(result.stderr)
            assert f"does not answer as the Supabase API: text/html 200 from {url}/rest/v1/" \
                in line, line
            assert "OK" not in result.stdout
    assert _tables(stack, db) == (0, 0)


def test_a_firewall_403_page_is_unknown_not_forbidden(db: str, api: ApiHandle) -> None:
    """STAND-IN: a firewall's HTML 403 for the tables the database says are missing; agents
    is forwarded to the real API, so some tables got PostgREST's answer: exit 1, not 2."""
    def fake(path: str) -> tuple[int, str, bytes] | None:
        return FIREWALL_403 if table_of(path) in NEW_TABLES else None

    with standin(fake, api.api_url) as url:
        result = run_toolkit("check", "--json", env=_env(db, url, api.service_role_key))
    assert result.code == 1, result.output
    rest = {t["name"]: t["rest"] for t in result.json["tables"]}
    assert rest == {"agents": "present", **{n: "unknown" for n in NEW_TABLES}}
    messages = [p["message"] for p in result.json["problems"] if p["level"] == "error"]
    assert any(m.startswith("no PostgREST answer for: agent_profiles") and "text/html 403" in m
               for m in messages), messages


def test_a_proxy_502_for_one_table_is_exit_1_with_the_reason(db: str, api: ApiHandle) -> None:
    """STAND-IN: a proxy's HTML 502 for agent_logs only; every other table is the real API's."""
    env = _env(db, api.api_url, api.service_role_key)
    assert run_toolkit("apply", env=env).code == 0

    def fake(path: str) -> tuple[int, str, bytes] | None:
        return PROXY_502 if table_of(path) == "agent_logs" else None

    with standin(fake, api.api_url) as url:
        env["SUPABASE_URL"] = url
        result = run_toolkit("check", env=env)
        verified = run_toolkit("verify", "--json", env=env)
    assert result.code == 1, result.output
    assert "INCOMPLETE: 11/12 tables ok, 1 without a PostgREST answer (exit 1)" in result.stdout
    assert "error: no PostgREST answer for: agent_logs (not a PostgREST answer: text/html 502 " \
           f"from {url}/rest/v1/agent_logs: 502 Bad Gateway" in result.stdout
    assert verified.code == 1, verified.output
    logs = next(t for t in verified.json["tables"] if t["name"] == "agent_logs")
    assert (logs["database"], logs["rest"]) == ("present", "unknown")


def test_schema_cache_loading_503_is_not_ok_and_apply_refuses(
        stack: LocalStack, db: str, api: ApiHandle) -> None:
    """STAND-IN: PostgREST's 503 PGRST002 (schema cache still loading) for every table."""
    with standin(lambda path: SCHEMA_CACHE_503) as url:
        env = _env(db, url, api.service_role_key)
        checked = run_toolkit("check", "--json", env=env)
        applied = run_toolkit("apply", env=env)
    assert checked.code == 1, checked.output
    assert {t["rest"] for t in checked.json["tables"]} == {"unknown"}
    assert any("PGRST002" in p["message"] for p in checked.json["problems"])
    assert checked.json["ok"] is False
    assert applied.code == 2, applied.output
    line = _one_line(applied.stderr)
    assert "refusing to apply" in line and "PGRST002" in line and "nothing was changed" in line
    assert _tables(stack, db) == (0, 0)


def test_keys_that_are_not_the_service_role_are_named(
        stack: LocalStack, db: str, api: ApiHandle) -> None:
    keys = {
        "the anon key": api.anon_key,
        "the publishable key": api.publishable_key,
        "a signed-in user's JWT (role authenticated)": role_key("authenticated",
                                                                stack.jwt_secret),
    }
    for named, key in keys.items():
        for command in ("check", "apply", "verify"):
            result = run_toolkit(command, env=_env(db, api.api_url, key))
            assert result.code == 2, (command, result.output)
            line = _one_line(result.stderr)
            assert f"SUPABASE_SERVICE_ROLE_KEY holds {named}" in line, line
            assert key not in result.output
    assert _tables(stack, db) == (0, 0)


def test_bearer_prefix_is_stripped(db: str, api: ApiHandle) -> None:
    result = run_toolkit("check", "--json",
                         env=_env(db, api.api_url, f"Bearer {api.service_role_key}"))
    assert result.code == 1, result.output
    assert next(t for t in result.json["tables"] if t["name"] == "agents")["rest"] == "present"
    assert api.service_role_key not in result.output


def test_a_role_postgrest_does_not_know_is_one_line(
        stack: LocalStack, db: str, api: ApiHandle, tmp_path: Path) -> None:
    """The real gateway and PostgREST, the gateway mapping an sb_secret_ key to a JWT whose
    role this database lacks (a key minted for another setup): PostgREST answers 400 22023."""
    secret = "sb_secret_ghostrole0123456789"
    postgrest = next(item for item in api.launched if item.name == "postgrest")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = tmp_path / "gateway.json"
    config.write_text(json.dumps({
        "host": "127.0.0.1", "port": port, "upstream": postgrest.ready_url.rstrip("/"),
        "keys": {secret: role_key("ghost_role", stack.jwt_secret)}}))
    gateway = subprocess.Popen([sys.executable, "-m", "toolkit.local.gateway", "--config",
                                str(config)], cwd=ROOT)
    try:
        ready = None
        for _ in range(200):
            ready = run_ready(port)
            if ready:
                break
        assert ready, "gateway did not start"
        result = run_toolkit("check", env=_env(db, f"http://127.0.0.1:{port}", secret))
    finally:
        gateway.terminate()
        gateway.wait(timeout=10)
    assert result.code == 2, result.output
    line = _one_line(result.stderr)
    assert "the API does not know the role of SUPABASE_SERVICE_ROLE_KEY (22023" in line, line
    assert "ghost_role" in line
    assert secret not in result.output


def run_ready(port: int) -> bool:
    import time
    import urllib.request

    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as resp:
            return int(resp.status) == 200
    except OSError:
        time.sleep(0.05)
        return False


def test_refused_database_ends_the_run_while_rest_is_still_waiting(api: ApiHandle) -> None:
    """STAND-IN: an API host that accepts and never answers. With the database refusing at
    once, check must not sit out the 60 s connect timeout for the REST thread: the
    subprocess limit (30 s) fails the test if it does."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    with standin(lambda path: None, silent=True) as url:
        env = _env(f"postgresql://postgres@127.0.0.1:{closed}/postgres", url,
                   api.service_role_key)
        result = run_toolkit("check", "--connect-timeout", "60s", env=env, timeout=30)
    assert result.code == 2, result.output
    assert "connection refused" in _one_line(result.stderr)


def test_service_role_that_may_not_read_agents_says_why(
        stack: LocalStack, db: str, api: ApiHandle) -> None:
    env = _env(db, api.api_url, api.service_role_key)
    assert run_toolkit("apply", env=env).code == 0
    with admin(stack, db) as conn:
        conn.execute("revoke all on public.agents from service_role")
    result = run_toolkit("check", env=env)
    assert result.code == 1, result.output
    assert "12/12" not in result.stdout
    assert "INCOMPLETE: 11/12 tables ok, 1 forbidden over REST (exit 1)" in result.stdout
    errors = [line for line in result.stdout.splitlines() if line.startswith("error: ")]
    assert any("agents" in line and "42501" in line for line in errors), result.stdout


def test_apply_with_nothing_pending_still_checks_rest(
        stack: LocalStack, db: str, api: ApiHandle) -> None:
    env = _env(db, api.api_url, api.service_role_key)
    assert run_toolkit("apply", env=env).code == 0
    with admin(stack, db) as conn:
        conn.execute("revoke select on public.agent_logs from service_role")
    again = run_toolkit("apply", "--json", env=env)
    assert again.code == 1, again.output
    assert any("nothing pending" in n for n in again.json["notes"])
    logs = next(t for t in again.json["tables"] if t["name"] == "agent_logs")
    assert logs["rest"] == "forbidden"
    errors = [p["message"] for p in again.json["problems"] if p["level"] == "error"]
    assert any("agent_logs" in m for m in errors), errors
    assert again.json["status"] == "incomplete"


def test_verify_names_the_agents_column_it_cannot_fill(
        stack: LocalStack, db: str, api: ApiHandle) -> None:
    env = _env(db, api.api_url, api.service_role_key)
    assert run_toolkit("apply", env=env).code == 0
    with admin(stack, db) as conn:
        conn.execute("delete from public.agents")
        conn.execute("alter table public.agents add column home inet not null")
    result = run_toolkit("verify", "--json", env=env)
    assert result.code == 1, result.output
    assert "Traceback" not in result.stderr and "unexpected" not in result.output
    insert = next(f for f in result.json["functional"] if f["name"] == "insert agent_profiles")
    assert insert["ok"] is False
    assert "could not fill agents.home (inet)" in insert["detail"], insert
    assert "[22P02]" in insert["detail"]
    text = run_toolkit("verify", env=env)
    assert "error: functional test, insert agent_profiles: could not fill agents.home (inet)" \
        in text.stdout, text.stdout
    assert "INCOMPLETE: 12/12 tables ok, 1 functional check failed (exit 1)" in text.stdout
    with admin(stack, db) as conn:
        assert conn.execute("select count(*) from public.agents").fetchone() == (0,)
        assert conn.execute("select count(*) from public.agent_profiles").fetchone() == (0,)


def test_verify_shows_the_database_view_and_says_why_the_test_was_skipped(
        db: str, api: ApiHandle) -> None:
    result = run_toolkit("verify", "--json", env=_env(db, api.api_url, api.service_role_key))
    assert result.code == 1, result.output
    views = {t["name"]: (t["database"], t["rest"]) for t in result.json["tables"]}
    assert views["agents"] == ("present", "present")
    assert views["agent_profiles"] == ("missing", "missing")
    assert any("functional test skipped: agent_profiles not in the database" in n
               for n in result.json["notes"])
    errors = [p["message"] for p in result.json["problems"] if p["level"] == "error"]
    assert errors, result.json


def test_check_before_apply_gives_its_reason_and_counts_that_agree(
        db: str, api: ApiHandle) -> None:
    result = run_toolkit("check", env=_env(db, api.api_url, api.service_role_key))
    assert result.code == 1, result.output
    assert f"error: missing in the database: {', '.join(NEW_TABLES)} (20261126021500 pending: " \
           "toolkit apply creates them)" in result.stdout
    assert result.stdout.rstrip().endswith(
        "INCOMPLETE: 1/12 tables ok, 11 missing, 1 migration pending (exit 1)")
