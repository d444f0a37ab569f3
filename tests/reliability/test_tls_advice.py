"""TLS failures get advice that points forward: the CA certificate and
sslrootcert=, never sslmode=disable for a remote host.

The local PostgreSQL has no TLS, so a STAND-IN TCP server plays the one step needed: it answers
PostgreSQL's SSLRequest with 'S' (TLS accepted). The real libpq then looks for the root
certificate that sslmode=verify-full needs, and fails as it does against Supabase."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import run_toolkit


@contextlib.contextmanager
def accepts_tls() -> Iterator[int]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn, contextlib.suppress(OSError):
                conn.recv(8)  # SSLRequest
                conn.sendall(b"S")
                conn.recv(1024)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        server.close()


def test_untrusted_certificate_names_sslrootcert_not_disable(tmp_path: Path) -> None:
    with accepts_tls() as port:
        # A hosted project's host name; hostaddr keeps the connection on loopback.
        url = (f"postgresql://postgres:s3cret-pw@db.abcdefghijklmnopqrst.supabase.co:{port}/"
               "postgres?hostaddr=127.0.0.1&sslmode=verify-full")
        result = run_toolkit("plan", env={"SUPABASE_DB_URL": url, "HOME": str(tmp_path)},
                             timeout=60)
    assert result.code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert "sslrootcert=" in lines[0] and "Supabase's CA certificate" in lines[0], lines[0]
    assert "sslmode=disable" not in lines[0]
    assert "s3cret-pw" not in result.output
