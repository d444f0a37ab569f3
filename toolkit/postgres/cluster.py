"""The one PostgreSQL launcher: the embedded shadow and the local stack make, start and stop
their clusters with these, as the server's OS user, in one locale.

The locale is C.UTF-8 for both. Its collation sorts by code point, exactly as C does, so
indexes, ORDER BY and constraints behave as under C; its character classes know UTF-8, so
lower(), upper(), ILIKE and regular expressions on non-ASCII text answer as on a UTF-8
Supabase database. The shadow used to run under C and the local stack under C.UTF-8, so a
migration replayed on the one could behave otherwise on the other.
"""

from __future__ import annotations

import contextlib
import functools
import glob
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from toolkit.errors import ServerError
from toolkit.postgres import procs
from toolkit.postgres.osuser import ServerUser

LOCALE = "C.UTF-8"
TOOLS = ("initdb", "pg_ctl", "postgres")
# Debian/Ubuntu (and GitHub's ubuntu runners), then Homebrew on Apple silicon and on Intel.
BINDIR_GLOBS = (
    "/usr/lib/postgresql/*/bin",
    "/opt/homebrew/opt/postgresql@*/bin",
    "/usr/local/opt/postgresql@*/bin",
)
_MAJOR_IN_PATH = re.compile(r"postgresql[/@](\d+)")
_MAJOR_IN_VERSION = re.compile(r"\(PostgreSQL\) (\d+)")


@dataclass(frozen=True)
class ServerBinaries:
    major: int
    bindir: Path

    def tool(self, name: str) -> str:
        return str(self.bindir / name)


def candidate_bindirs() -> list[Path]:
    """Every directory that may hold a PostgreSQL server, in the order we look."""
    found = [Path(p) for pattern in BINDIR_GLOBS for p in sorted(glob.glob(pattern))]
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True,
                                 timeout=10, check=True).stdout.strip()
            if out:
                found.append(Path(out))
    initdb = shutil.which("initdb")
    if initdb:
        found.append(Path(initdb).resolve().parent)
    unique: list[Path] = []
    for path in found:
        if path not in unique:
            unique.append(path)
    return unique


def _major(bindir: Path) -> int | None:
    match = _MAJOR_IN_PATH.search(str(bindir))
    if match:
        return int(match.group(1))
    try:
        out = subprocess.run([str(bindir / "postgres"), "--version"], capture_output=True,
                             text=True, timeout=10, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = _MAJOR_IN_VERSION.search(out)
    return int(match.group(1)) if match else None


def find_binaries(prefer_major: int | None = None) -> ServerBinaries:
    """The server to run: `prefer_major` when installed, else the newest one found."""
    servers: list[ServerBinaries] = []
    for bindir in candidate_bindirs():
        if all(os.access(bindir / tool, os.X_OK) for tool in TOOLS):
            major = _major(bindir)
            if major is not None:
                servers.append(ServerBinaries(major, bindir))
    if not servers:
        wanted = prefer_major or 15
        raise ServerError(
            f"no PostgreSQL server found (looked in {', '.join(BINDIR_GLOBS)} and PATH): "
            f"install postgresql-{wanted} (apt-get install postgresql-{wanted}; brew install "
            f"postgresql@{wanted})")
    preferred = [s for s in servers if s.major == prefer_major]
    return preferred[0] if preferred else max(servers, key=lambda s: s.major)


def pg_bin(name: str) -> Path:
    """A PostgreSQL 15 binary (the local stack's major; psql and pg_dump for the tests), or the
    newest server's when 15 is not installed."""
    return _local_server().bindir / name


@functools.cache
def _local_server() -> ServerBinaries:
    # Looked up once per process: the stack asks for initdb, pg_ctl and postgres in turn.
    return find_binaries(15)


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
