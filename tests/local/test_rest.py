"""REST through the gateway, as a Supabase client sees it."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import httpx
import psycopg
import pytest

from toolkit.local import LocalStack, create_database, drop_database, serve_api


@pytest.fixture(scope="module")
def client(stack: LocalStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{stack.api_url}/rest/v1", timeout=10) as c:
        yield c


def probe(client: httpx.Client, table: str, key: str) -> httpx.Response:
    return client.get(f"/{table}", params={"select": "*", "limit": "0"}, headers={"apikey": key})


def test_probe_existing_table(client: httpx.Client, stack: LocalStack) -> None:
    r = probe(client, "agents", stack.service_role_key)
    assert r.status_code == 200
    assert r.json() == []


def test_missing_table_is_42P01(client: httpx.Client, stack: LocalStack) -> None:
    r = probe(client, "no_such_table", stack.service_role_key)
    assert r.status_code == 404
    assert r.json()["code"] == "42P01"


def test_no_apikey(client: httpx.Client) -> None:
    r = client.get("/agents")
    assert r.status_code == 401
    assert r.json() == {"message": "No API key found in request"}


def test_unknown_apikey(client: httpx.Client, stack: LocalStack) -> None:
    r = probe(client, "agents", "sb_secret_not-a-real-key")
    assert r.status_code == 401
    assert r.json() == {"message": "Invalid API key"}


def test_opaque_keys_map_to_roles(client: httpx.Client, stack: LocalStack) -> None:
    # service_role bypasses RLS: both seed rows; anon sees none (RLS on, no policy).
    r = client.get("/agents?select=name", headers={"apikey": stack.secret_key})
    assert r.status_code == 200 and len(r.json()) == 2
    r = client.get("/agents?select=name", headers={"apikey": stack.publishable_key})
    assert r.status_code == 200 and r.json() == []
    # The opaque key as Bearer is mapped too; the apikey may come as a query parameter.
    r = client.get(
        "/agents?select=name",
        params={"apikey": stack.publishable_key},
        headers={"Authorization": f"Bearer {stack.secret_key}"},
    )
    assert r.status_code == 200 and len(r.json()) == 2


def test_foreign_jwt_is_judged_by_postgrest(client: httpx.Client, stack: LocalStack) -> None:
    from toolkit.local import jwt

    foreign = jwt.role_key("service_role", "some-other-secret-that-is-long-enough-000")
    r = client.get(
        "/agents", headers={"apikey": stack.anon_key, "Authorization": f"Bearer {foreign}"}
    )
    assert r.status_code == 401
    assert r.json()["code"] == "PGRST301"


def test_http2_prior_knowledge(stack: LocalStack) -> None:
    with httpx.Client(http1=False, http2=True, base_url=stack.api_url) as c:
        r = c.get("/rest/v1/agents?select=id", headers={"apikey": stack.service_role_key})
    assert r.http_version == "HTTP/2"
    assert r.status_code == 200 and len(r.json()) == 2


def test_health_and_unknown_paths(stack: LocalStack) -> None:
    assert httpx.get(f"{stack.api_url}/health").status_code == 200
    r = httpx.get(f"{stack.api_url}/auth/v1/user")
    assert r.status_code == 404
    assert "message" in r.json()


def test_new_table_visible_after_reload_trigger(client: httpx.Client, stack: LocalStack) -> None:
    """PostgREST 12.0 reads hit SQL directly (a new table answers 200 at once), but writes need
    the schema cache: a POST only succeeds once the event trigger's NOTIFY reloaded it."""
    table = f"t_{uuid.uuid4().hex[:8]}"
    assert probe(client, table, stack.service_role_key).status_code == 404
    with psycopg.connect(stack.db_url(), autocommit=True) as conn:
        conn.execute(f"create table public.{table} (id bigint primary key, note text)")
    try:
        assert probe(client, table, stack.service_role_key).status_code == 200
        deadline = time.monotonic() + 5.0
        while True:
            # Body, Prefer and Content-Type pass both ways.
            r = client.post(
                f"/{table}",
                json={"id": 1, "note": "hi"},
                headers={"apikey": stack.secret_key, "Prefer": "return=representation"},
            )
            if r.status_code != 404 or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert r.status_code == 201, r.text
        assert r.json() == [{"id": 1, "note": "hi"}]
        r = client.get(
            f"/{table}",
            headers={"apikey": stack.secret_key, "Range": "0-0", "Prefer": "count=exact"},
        )
        assert r.headers["content-range"] == "0-0/1"
    finally:
        with psycopg.connect(stack.db_url(), autocommit=True) as conn:
            conn.execute(f"drop table public.{table}")


def test_create_database_and_serve_api(stack: LocalStack) -> None:
    name = f"test_{uuid.uuid4().hex[:8]}"
    began = time.monotonic()
    url = create_database(stack, name)
    created_in = time.monotonic() - began
    try:
        # A generous bound, not a speed target: it clones the stack's template (the content
        # below proves it), so only a wait on a lock or a timeout could take this long.
        assert created_in < 20, created_in
        with psycopg.connect(url, autocommit=True) as conn:
            assert conn.execute("select count(*) from agents").fetchone() == (2,)
            assert conn.execute("show search_path").fetchone() == ('"$user", public, extensions',)
            conn.execute("create table public.only_here (id int)")
        with serve_api(stack, name) as api:
            assert api.api_url != stack.api_url
            headers = {"apikey": api.service_role_key}
            r = httpx.get(f"{api.api_url}/rest/v1/only_here?select=*&limit=0", headers=headers)
            assert r.status_code == 200
            r = httpx.get(f"{api.api_url}/rest/v1/agents", headers={"apikey": "wrong"})
            assert r.status_code == 401
            # The main API serves the main database, where the table does not exist.
            r = httpx.get(f"{stack.api_url}/rest/v1/only_here", headers=headers)
            assert r.status_code == 404
            pids = [item.pid for item in api.launched]
        from toolkit.postgres import procs

        assert all(procs.cmdline(pid) is None for pid in pids)
    finally:
        drop_database(stack, name)
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(url, connect_timeout=5)


def test_cors_preflight_needs_no_apikey(stack: LocalStack) -> None:
    r = httpx.options(
        f"{stack.api_url}/rest/v1/agents",
        headers={
            "Origin": "http://localhost:3000",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "apikey,authorization",
        },
    )
    assert r.status_code == 200
    assert r.headers.get("access-control-allow-origin")
