"""The probes over connections begun before the client was imported (toolkit.rest.http.begin),
against the real gateway: every one is taken and answers as PostgREST; one whose handshake
failed falls back to httpx's own connect, so its error is the usual one-line ConnectError."""

from __future__ import annotations

import socket

import pytest

from toolkit.errors import ConnectError
from toolkit.local import ApiHandle
from toolkit.rest import http
from toolkit.rest.client import probe


def test_the_probes_take_the_connections_begun_early(api: ApiHandle) -> None:
    tables = ["agents", "toolkit_test_absent"]
    opened = http.begin(api.api_url, len(tables) + 1)  # + the signature table's probe
    assert opened is not None and len(opened.sockets) == 3
    found = probe(api.api_url, api.service_role_key, tables, 10, opened)
    assert [(p.table, p.state, p.from_postgrest) for p in found] == [
        ("agents", "present", True), ("toolkit_test_absent", "missing", True)]
    assert opened.sockets == []  # each probe's connection was one of them


def test_a_failed_early_handshake_is_httpxs_own_error() -> None:
    closed = socket.create_server(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there now: the handshakes are refused
    url = f"http://127.0.0.1:{port}"
    opened = http.begin(url, 2)
    with pytest.raises(ConnectError, match=r"cannot reach SUPABASE_URL http://127\.0\.0\.1"):
        probe(url, "sb_secret_never-sent", ["agents"], 5, opened)
