"""The one PostgreSQL launcher: the embedded shadow and the local stack make, start and stop
their clusters with these, as the server's OS user, in one locale.

The locale is C.UTF-8 for both. Its collation sorts by code point, exactly as C does, so
indexes, ORDER BY and constraints behave as under C; its character classes know UTF-8, so
lower(), upper(), ILIKE and regular expressions on non-ASCII text answer as on a UTF-8
Supabase database. The shadow used to run under C and the local stack under C.UTF-8, so a
migration replayed on the one could behave otherwise on the other.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from toolkit.errors import ServerError
from toolkit.postgres import procs
from toolkit.postgres.osuser import ServerUser

LOCALE = "C.UTF-8"
PG_BIN_DIRS = (Path("/usr/lib/postgresql/15/bin"),)


def pg_bin(name: str) -> Path:
    """A PostgreSQL 15 binary: from Debian's layout first (PATH may hold another major
    version's wrapper), then PATH."""
    for directory in PG_BIN_DIRS:
        candidate = directory / name
        if candidate.exists():
            return candidate
    found = shutil.which(name)
    if found:
        return Path(found)
    raise ServerError(
        f"PostgreSQL 15 binary {name!r} not found (install postgresql-15 or put it on PATH)"
    )


def server_env(user: ServerUser) -> dict[str, str]:
    """The environment of initdb, pg_ctl and postgres: the clean one, in LOCALE."""
    return procs.clean_env(user.env() | {"LC_ALL": LOCALE})


def run(user: ServerUser, argv: list[str], what: str, timeout: float = 60) -> None:
    """Run a server binary as the server user; any failure is one ServerError line."""
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, env=server_env(user),
                              cwd="/", timeout=timeout, check=False,
                              # a postmaster started by pg_ctl must outlive our session
                              start_new_session=True, **user.popen_kwargs())
    except subprocess.TimeoutExpired:
        raise ServerError(f"{what} timed out after {timeout:.0f}s") from None
    except OSError as exc:
        raise ServerError(f"cannot run {argv[0]}: {exc.strerror}") from None
    if proc.returncode != 0:
        lines = (proc.stderr or proc.stdout).strip().splitlines()
        raise ServerError(f"{what} failed: {lines[-1] if lines else f'exit {proc.returncode}'}")


def initdb(initdb_bin: str | Path, data: Path, user: ServerUser, superuser: str,
           *options: str) -> None:
    """A new cluster in `data`, UTF-8 in LOCALE. --no-sync: both clusters are disposable and
    fsync is most of initdb's time."""
    run(user, [str(initdb_bin), "-D", str(data), "-U", superuser, "-E", "UTF8",
               f"--locale={LOCALE}", "--no-sync", "--no-instructions", *options], "initdb")


def stop(pg_ctl: str | Path, data: Path, user: ServerUser, mode: str = "fast",
         timeout: float = 60) -> None:
    run(user, [str(pg_ctl), "stop", "-D", str(data), "-m", mode, "-w", "-s"],
        "stopping PostgreSQL", timeout=timeout)


def postmaster_pid(data: Path) -> int | None:
    """The running postmaster's PID, verified against /proc (postmaster.pid can be stale)."""
    try:
        pid = int((data / "postmaster.pid").read_text().splitlines()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pid if procs.is_ours(pid, str(data)) else None
