"""A real pgbouncer (Debian package) in transaction mode in front of the test cluster,
as Supavisor's port 6543 is in front of a Supabase database."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from toolkit.local import LocalStack
from toolkit.local.paths import temp_state_dir as new_state_dir

SERVER_USER = "toolkit-pg"  # pgbouncer refuses to run as root, like postgres


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def pgbouncer(stack: LocalStack) -> Iterator[int]:
    binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    if not Path(binary).exists():
        pytest.fail("pgbouncer is not installed: run scripts/ensure-postgres.sh (make deps)")
    home = new_state_dir("toolkit-pgbouncer-")
    port = _free_port()
    (home / "userlist.txt").write_text(f'"postgres" "{stack.db_password}"\n')
    (home / "pgbouncer.ini").write_text(f"""[databases]
* = host={stack.db_host} port={stack.db_port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = scram-sha-256
auth_file = {home}/userlist.txt
pool_mode = transaction
max_client_conn = 200
default_pool_size = 10
ignore_startup_parameters = extra_float_digits,options,application_name
logfile = {home}/pgbouncer.log
pidfile = {home}/pgbouncer.pid
""")
    argv = [binary, str(home / "pgbouncer.ini")]
    if os.geteuid() == 0:
        user = pwd.getpwnam(SERVER_USER)
        for f in home.iterdir():
            os.chown(f, user.pw_uid, user.pw_gid)
        os.chown(home, user.pw_uid, user.pw_gid)
        argv += ["-u", SERVER_USER]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if proc.poll() is not None:
                err = proc.stderr.read().decode() if proc.stderr else ""
                pytest.fail(f"pgbouncer exited: {err}")
            time.sleep(0.05)
    try:
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(home, ignore_errors=True)


def via_pooler(db_url: str, port: int) -> str:
    """The same database URL, but through pgbouncer's port."""
    prefix, rest = db_url.rsplit("@", 1)
    _, path = rest.split("/", 1)
    return f"{prefix}@127.0.0.1:{port}/{path}"
