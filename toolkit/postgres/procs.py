"""Process and port helpers. PIDs are only ever signalled after /proc/<pid>/cmdline proves they
are ours (it must contain a marker such as our config path): never by name, never a stale PID."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path


def free_port() -> int:
    """Ask the OS for a free loopback port (so two stacks never collide by design)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_free(port: int) -> bool:
    """Free for a server: like our servers, ignore TIME_WAIT leftovers (SO_REUSEADDR), so a
    restarted stack keeps its ports; on Linux a listening socket still makes bind fail."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def cmdline(pid: int) -> str | None:
    """The process's argv joined by spaces, or None when it is gone or a zombie."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    if not raw:  # zombies and kernel threads have an empty cmdline
        return None
    return raw.rstrip(b"\0").replace(b"\0", b" ").decode(errors="replace")


def is_ours(pid: int | None, marker: str) -> bool:
    if not pid or pid <= 0:
        return False
    line = cmdline(pid)
    return line is not None and marker in line


def _reap(pid: int) -> None:
    # If the process is our own child (tests start stacks in-process), collect it so it does
    # not linger as a zombie; for anyone else's child this is a harmless ChildProcessError.
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def terminate(pid: int | None, marker: str, timeout: float = 5.0) -> bool:
    """SIGTERM (then SIGKILL) a process we verified as ours. True if something was stopped."""
    if pid is None or not is_ours(pid, marker):
        return False
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _reap(pid)
        if not is_ours(pid, marker):
            return True
        time.sleep(0.02)
    if is_ours(pid, marker):
        os.kill(pid, signal.SIGKILL)
        time.sleep(0.05)
        _reap(pid)
    return True


# Popen objects of the servers we started, kept alive on purpose: a collected Popen of a running
# child warns (ResourceWarning); `terminate` reaps the child itself via waitpid.
_SPAWNED: list[subprocess.Popen[bytes]] = []


def spawn(
    argv: Sequence[str],
    *,
    log: Path,
    env: Mapping[str, str],
    cwd: Path | None = None,
) -> subprocess.Popen[bytes]:
    """Start a long-running server detached from our session (Ctrl-C on the CLI or the end of
    a test process must not take it down); its output goes to `log`."""
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=dict(env),
            cwd=cwd,
            start_new_session=True,
        )
    _SPAWNED.append(proc)
    return proc


# What a server child needs from our environment: finding programs and libraries, locale, time
# zone, a temporary folder. Nothing else is passed: the service key, the database URL and the
# JWT secret would be readable in /proc/<pid>/environ by the server's account, and PGHOST or
# PGRST_DB_URI would silently change its configuration.
_PASSED = ("PATH", "LANG", "LANGUAGE", "TZ", "TMPDIR", "LD_LIBRARY_PATH", "HOME", "USER",
           "LOGNAME")


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The few variables a server child needs (see _PASSED), then `extra`."""
    env = {k: v for k, v in os.environ.items() if k in _PASSED or k.startswith("LC_")}
    env.update(extra or {})
    return env
