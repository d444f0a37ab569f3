"""toolkit.rest.http: which connections are begun before the client is imported, against a
real listening socket (no service needed)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from toolkit.rest import http


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    server = socket.create_server(("127.0.0.1", 0), backlog=16)
    try:
        yield server
    finally:
        server.close()


def test_plain_http_begins_the_handshakes_asked_for(listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    opened = http.begin(f"http://127.0.0.1:{port}/", 3)
    assert opened is not None
    try:
        assert len(opened.sockets) == 3
        accepted = [listener.accept()[0] for _ in range(3)]  # the kernel completed them
        for conn in accepted:
            conn.close()
        assert opened.take("127.0.0.1", port + 1) is None  # another port: not these
        assert opened.take("localhost", port) is None  # another name: not these either
        taken = opened.take("127.0.0.1", port)
        assert taken is not None and len(opened.sockets) == 2
        taken.close()
    finally:
        opened.close()
    assert opened.sockets == []


@pytest.mark.parametrize("url", ["https://abc.supabase.co", "http://"])
def test_nothing_is_begun_for_https_or_no_host(url: str) -> None:
    assert http.begin(url, 8) is None


def test_nothing_is_begun_for_h2c(listener: socket.socket,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOOLKIT_HTTP2", "1")  # one HTTP/2 connection: httpx opens it
    assert http.begin(f"http://127.0.0.1:{listener.getsockname()[1]}", 8) is None


def test_a_host_that_does_not_resolve_begins_nothing() -> None:
    assert http.begin("http://no-such-host.invalid:8000", 4) is None


def test_in_flight_is_the_pool_for_http1_and_the_streams_for_http2() -> None:
    assert http.in_flight("http://127.0.0.1:1") == http.HTTP1_IN_FLIGHT
    assert http.in_flight("https://abc.supabase.co") == http.HTTP2_IN_FLIGHT
