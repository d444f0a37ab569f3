"""The embedded shadow's life: it dies with the toolkit that started it, and what a killed run
left behind is found and removed by the next one.

Why these two mechanisms:
- The postmaster is started directly (not through pg_ctl, whose shell would be its parent)
  with PR_SET_PDEATHSIG: when the toolkit thread that started it dies, by SIGKILL included,
  the kernel sends the postmaster SIGQUIT, PostgreSQL's immediate shutdown, which also ends
  its backends. It needs no helper process that could itself be killed, and no cooperation
  from the dying toolkit. It is Linux only, and the signal follows the starting *thread*, so
  the shadow must be started by a thread that outlives its use (the main thread does).
- Files cannot clean themselves up after a SIGKILL, so each run's folder carries a marker with
  its toolkit's pid and start time (a recycled pid does not fool it); the next embedded start
  stops any server still running from a folder whose owner is gone (on systems without
  PDEATHSIG) and removes the folder. A folder without a marker (from an older toolkit, or
  killed in the instant between creating it and writing the marker) is treated the same once
  it is ORPHAN_AGE_S old.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from toolkit.postgres import procs

PREFIX = "toolkit-shadow-"
MARKER = "toolkit-owner"
ORPHAN_AGE_S = 1800  # a folder without a marker and this old belongs to no live run
_PR_SET_PDEATHSIG = 1


def base_dir() -> str | None:
    """Where the shadows' folders live: /tmp keeps the unix socket path short (107 bytes)."""
    return "/tmp" if os.path.isdir("/tmp") else None


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (/proc/<pid>/stat field 22)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def _alive(pid: int, started: str | None) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    now = _start_time(pid)
    return started is None or now is None or now == started


def new_workdir() -> Path:
    """A private folder for one cluster, marked with the toolkit process that owns it."""
    path = Path(tempfile.mkdtemp(prefix=PREFIX, dir=base_dir()))
    pid = os.getpid()
    (path / MARKER).write_text(f"{pid} {_start_time(pid) or '-'}\n")
    return path


def _owner(work: Path) -> tuple[int, str | None] | None:
    try:
        fields = (work / MARKER).read_text().split()
        return int(fields[0]), (fields[1] if len(fields) > 1 and fields[1] != "-" else None)
    except (OSError, ValueError, IndexError):
        return None


def _is_orphan(work: Path, now: float) -> bool:
    owner = _owner(work)
    if owner is not None:
        return owner[0] != os.getpid() and not _alive(*owner)
    try:
        return now - work.stat().st_mtime > ORPHAN_AGE_S
    except OSError:
        return False


def _ours(work: Path, server_uid: int) -> bool:
    """Only folders of this user (or of the server account we run PostgreSQL as)."""
    try:
        uid = work.lstat().st_uid
    except OSError:
        return False
    return not work.is_symlink() and uid in (os.geteuid(), server_uid)


def stop_server(data: Path) -> bool:
    """Stop a postmaster serving `data`, verified by its command line; True if one ran."""
    try:
        pid = int((data / "postmaster.pid").read_text().splitlines()[0])
    except (OSError, ValueError, IndexError):
        return False
    return procs.terminate(pid, str(data))


def sweep_orphans(server_uid: int) -> list[Path]:
    """Stop and remove the shadows that killed runs left; returns the folders removed."""
    removed: list[Path] = []
    now = time.time()
    for work in sorted(Path(base_dir() or tempfile.gettempdir()).glob(f"{PREFIX}*")):
        if not work.is_dir() or not _ours(work, server_uid) or not _is_orphan(work, now):
            continue
        stop_server(work / "data")
        shutil.rmtree(work, ignore_errors=True)
        if not work.exists():
            removed.append(work)
    return removed


def _prctl() -> Any:
    """libc's prctl, resolved in the parent: the child between fork and exec must not load
    libraries (another thread may hold the loader's lock)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


def start_postmaster(postgres: str, data: Path, log: Path, env: Mapping[str, str],
                     popen_kwargs: Mapping[str, Any], timeout_s: float = 60,
                     ) -> subprocess.Popen[bytes]:
    """Run `postgres -D data` as our child, tied to our life, and wait until it accepts
    connections (postmaster.pid says "ready", as pg_ctl -w reads it). Raises RuntimeError
    with the log's last line when it does not come up."""
    parent = os.getpid()
    prctl = _prctl()
    quit_signal = int(signal.SIGQUIT)  # PostgreSQL's immediate shutdown

    def preexec() -> None:
        # Runs after the switch to the server user (which would clear the setting).
        if prctl is not None:
            prctl(_PR_SET_PDEATHSIG, quit_signal, 0, 0, 0)
            if os.getppid() != parent:  # toolkit died before the setting took effect
                os._exit(1)

    with open(log, "ab") as out:
        proc = subprocess.Popen([postgres, "-D", str(data)], stdin=subprocess.DEVNULL,
                                stdout=out, stderr=subprocess.STDOUT, env=dict(env), cwd="/",
                                start_new_session=True, preexec_fn=preexec,
                                **dict(popen_kwargs))
    deadline = time.monotonic() + timeout_s
    pid_file = data / "postmaster.pid"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"exited with code {proc.returncode}")
        with contextlib.suppress(OSError):
            lines = pid_file.read_text().splitlines()
            if len(lines) >= 8 and lines[0].strip() == str(proc.pid) and \
                    lines[7].strip() == "ready":
                return proc
        time.sleep(0.01)
    proc.kill()
    proc.wait()
    raise RuntimeError(f"not ready within {timeout_s:.0f}s")
