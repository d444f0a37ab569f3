"""The local gateway without hypercorn (the `local` extra): the relay alone, HTTP/1.1 only.

The gateway process is started with hypercorn made unimportable (sys.modules entry None, what
Python does for a package that is not installed), in front of the stack's real PostgREST.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT, run_toolkit
from toolkit.local import LocalStack
from toolkit.postgres.procs import free_port

WITHOUT_HYPERCORN = (
    "import sys; sys.modules['hypercorn'] = None; "
    "from toolkit.local.gateway import main; raise SystemExit(main(sys.argv[1:]))"
)


@pytest.fixture
def plain_gateway(stack: LocalStack, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(URL, stderr log path) of a gateway running without hypercorn."""
    port = free_port()
    conf = tmp_path / "gateway.json"
    conf.write_text(json.dumps({"host": "127.0.0.1", "port": port, "keys": stack.api_keys(),
                                "upstream": f"http://127.0.0.1:{stack.postgrest_port}"}))
    log = tmp_path / "gateway.log"
    with log.open("wb") as err:
        proc = subprocess.Popen([sys.executable, "-c", WITHOUT_HYPERCORN, "--config", str(conf)],
                                cwd=ROOT, stderr=err)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):  # readiness poll, not a timing assertion
            try:
                if httpx.get(f"{url}/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, log.read_text()
            time.sleep(0.05)
        else:
            pytest.fail(f"the gateway never answered /health: {log.read_text()}")
        yield url, str(log)
    finally:
        proc.terminate()
        assert proc.wait(timeout=30) == 0, log.read_text()  # SIGTERM: a clean shutdown


def test_gateway_serves_rest_without_hypercorn(stack: LocalStack,
                                               plain_gateway: tuple[str, str]) -> None:
    url, log = plain_gateway
    assert "HTTP/1.1 only" in Path(log).read_text()
    with httpx.Client(base_url=f"{url}/rest/v1") as client:
        # Several requests on one keep-alive connection, bodies both ways.
        r = client.get("/agents?select=id", headers={"apikey": stack.secret_key})
        assert r.status_code == 200 and len(r.json()) == 2
        assert r.headers["date"] and r.headers["content-type"].startswith("application/json")
        r = client.get("/agents", headers={"apikey": stack.secret_key, "Range": "0-0",
                                           "Prefer": "count=exact"})
        assert r.headers["content-range"] == "0-0/2"
        assert client.get("/agents").json() == {"message": "No API key found in request"}
        assert client.get("/agents", headers={"apikey": "wrong"}).status_code == 401
        r = client.post("/agents", content=b'{"name": 1}',
                        headers={"apikey": stack.anon_key, "Content-Type": "application/json"})
        assert r.status_code == 401 and r.json()["code"] == "42501"  # anon may not insert
        r = client.head("/agents?select=id", headers={"apikey": stack.secret_key})
        assert r.status_code == 200 and r.content == b""
        r = client.get("/agents?select=id", headers={"apikey": stack.secret_key})
        assert r.status_code == 200 and r.reason_phrase == "OK"
    # HEAD of a route the gateway answers itself (a body it must not send), then a GET on
    # the same connection: the connection survived it.
    with httpx.Client(base_url=url) as client:
        assert client.head("/health").status_code == 200
        assert client.get("/health").json() == {"status": "ok"}
    assert "Error" not in Path(log).read_text()  # the server logs a failed exchange there


def test_h2c_is_refused_without_hypercorn(plain_gateway: tuple[str, str]) -> None:
    """Prior-knowledge HTTP/2 is what the extra adds: here it must fail, not hang."""
    url, _ = plain_gateway
    with httpx.Client(http1=False, http2=True, timeout=10) as client, \
            pytest.raises(httpx.HTTPError):
        client.get(f"{url}/health")


def test_toolkit_check_through_the_plain_gateway(stack: LocalStack,
                                                 plain_gateway: tuple[str, str]) -> None:
    url, _ = plain_gateway
    result = run_toolkit("check", "--json", env={
        "SUPABASE_DB_URL": stack.db_url(), "SUPABASE_URL": url,
        "SUPABASE_SERVICE_ROLE_KEY": stack.service_role_key})
    rest = {t["name"]: t["rest"] for t in result.json["tables"]}
    assert rest["agents"] == "present"
    assert rest["agent_logs"] == "missing"


def test_relay_passes_the_query_on_without_the_apikey(stack: LocalStack,
                                                      plain_gateway: tuple[str, str]) -> None:
    """The key only in the query: PostgREST would read `apikey` as a column filter (400), so an
    answer of rows proves it was taken out; `limit=1` after it proves the rest went on."""
    url, _ = plain_gateway
    key = stack.secret_key
    r = httpx.get(f"{url}/rest/v1/agents?select=id&apikey={key}&limit=1")
    assert r.status_code == 200, r.text
    assert len(r.json()) == 1
    r = httpx.get(f"{url}/rest/v1/agents?api%6Bey={key}&select=name")  # the name encoded
    assert r.status_code == 200 and {"name"} == set(r.json()[0])


def test_relay_sends_a_chunked_body_on(stack: LocalStack,
                                       plain_gateway: tuple[str, str]) -> None:
    url, _ = plain_gateway
    name = f"relay-{time.monotonic_ns()}"

    def body() -> Iterator[bytes]:  # no length known: httpx sends it chunked
        yield b'[{"name": '
        yield json.dumps(name).encode() + b"}]"

    headers = {"apikey": stack.secret_key, "Content-Type": "application/json",
               "Prefer": "return=representation"}
    with httpx.Client(base_url=f"{url}/rest/v1", headers=headers) as client:
        r = client.post("/agents", content=body())
        assert r.status_code == 201, r.text
        assert [row["name"] for row in r.json()] == [name]
        r = client.delete(f"/agents?name=eq.{name}")
        assert r.status_code == 200 and len(r.json()) == 1


def test_relay_answers_502_when_postgrest_is_gone(stack: LocalStack, tmp_path: Path) -> None:
    port, dead = free_port(), free_port()
    conf = tmp_path / "gateway.json"
    conf.write_text(json.dumps({"host": "127.0.0.1", "port": port, "keys": stack.api_keys(),
                                "upstream": f"http://127.0.0.1:{dead}"}))
    proc = subprocess.Popen([sys.executable, "-c", WITHOUT_HYPERCORN, "--config", str(conf)],
                            cwd=ROOT, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):  # readiness poll, not a timing assertion
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/rest/v1/agents",
                              headers={"apikey": stack.secret_key})
                break
            except httpx.TransportError:
                time.sleep(0.05)
        else:
            pytest.fail("the gateway never answered")
        assert r.status_code == 502
        assert r.json() == {"message": "upstream (PostgREST) unavailable"}
        assert httpx.get(f"http://127.0.0.1:{port}/health").status_code == 200  # still up
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_relay_closes_when_asked_and_refuses_garbage(plain_gateway: tuple[str, str]) -> None:
    url, _ = plain_gateway
    port = int(url.rsplit(":", 1)[1])

    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"GET /health HTTP/1.0\r\n\r\n")  # HTTP/1.0 without keep-alive
        answer = b""
        while chunk := sock.recv(4096):  # ends: the relay closed the connection
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200 OK\r\n") and b"connection: close" in answer
    assert answer.endswith(b'{"status": "ok"}')
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"NOT HTTP AT ALL\r\n\r\n")
        assert sock.recv(4096).startswith(b"HTTP/1.1 400 ")
