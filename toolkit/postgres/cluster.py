"""The PostgreSQL 15 cluster of a stack: initdb, config, start/stop via pg_ctl, as the server
user. Listens on 127.0.0.1 only; the unix socket lives in the state dir."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from toolkit.local.errors import LocalStackError
from toolkit.local.paths import Paths
from toolkit.postgres import procs
from toolkit.postgres.osuser import ServerUser

ADMIN = "supabase_admin"
PG_BIN_DIRS = (Path("/usr/lib/postgresql/15/bin"),)
# The unix socket path (dir + "/.s.PGSQL.<port>") must fit in sockaddr_un (107 bytes).
MAX_SOCKET_DIR = 107 - len("/.s.PGSQL.65535")

HBA = f"""\
# Written by toolkit local. The superuser is trusted on the unix socket only (whose directory
# is private to the server user); everything else is password (SCRAM) over loopback TCP.
local   all   {ADMIN}   trust
host    all   all       127.0.0.1/32   scram-sha-256
"""


def pg_bin(name: str) -> Path:
    """A server binary: PostgreSQL 15 from Debian's layout first (PATH may hold another major
    version's wrapper), then PATH."""
    for directory in PG_BIN_DIRS:
        candidate = directory / name
        if candidate.exists():
            return candidate
    found = shutil.which(name)
    if found:
        return Path(found)
    raise LocalStackError(
        f"PostgreSQL 15 binary {name!r} not found (install postgresql-15 or put it on PATH)"
    )


def _run(user: ServerUser, argv: list[str], what: str, timeout: float = 60) -> None:
    env = procs.clean_env(user.env() | {"LC_ALL": "C.UTF-8"})
    try:
        proc = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            env=env,
            cwd="/",
            timeout=timeout,
            check=False,
            start_new_session=True,  # a postmaster started by pg_ctl must outlive our session
            **user.popen_kwargs(),
        )
    except subprocess.TimeoutExpired:
        raise LocalStackError(f"{what} timed out after {timeout:.0f}s") from None
    if proc.returncode != 0:
        lines = (proc.stderr or proc.stdout).strip().splitlines()
        raise LocalStackError(f"{what} failed: {lines[-1] if lines else proc.returncode}")


def initialized(paths: Paths) -> bool:
    return (paths.pgdata / "PG_VERSION").exists()


def initdb(paths: Paths, user: ServerUser) -> None:
    """Create the cluster with superuser supabase_admin. --no-sync: it is a disposable local
    cluster and fsync is most of initdb's time."""
    if len(str(paths.run)) > MAX_SOCKET_DIR:
        raise LocalStackError(
            f"state dir path too long for a unix socket ({paths.run}); use a shorter --state-dir"
        )
    if paths.pgdata.exists():
        shutil.rmtree(paths.pgdata)  # a half-made cluster from an interrupted start
    paths.pgdata.mkdir(mode=0o700)
    user.chown(paths.pgdata)
    _run(
        user,
        [
            str(pg_bin("initdb")),
            "-D",
            str(paths.pgdata),
            "-U",
            ADMIN,
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "--no-sync",
            "--no-instructions",
        ],
        "initdb",
    )
    hba = paths.pgdata / "pg_hba.conf"
    hba.write_text(HBA)
    with open(paths.pgdata / "postgresql.conf", "a") as conf:
        conf.write("\ninclude_if_exists = 'toolkit.conf'\n")


def configure(paths: Paths, user: ServerUser, port: int) -> None:
    """Per-start settings (the port may change when the old one was taken meanwhile)."""
    conf = paths.pgdata / "toolkit.conf"
    conf.write_text(
        "# Written by toolkit local on every start.\n"
        f"port = {port}\n"
        "listen_addresses = '127.0.0.1'\n"
        f"unix_socket_directories = '{paths.run}'\n"
        "unix_socket_permissions = 0700\n"
        "password_encryption = 'scram-sha-256'\n"
        "max_connections = 200\n"
        # A throwaway dev/test cluster: trade crash safety for speed (per-test databases,
        # template clones, fast migrations). An OS crash may lose the local data; that is fine.
        "fsync = off\n"
        "synchronous_commit = off\n"
        "full_page_writes = off\n"
        "log_min_messages = warning\n"
        "log_timezone = 'UTC'\n"
        "timezone = 'UTC'\n"
        + preload_conf()
    )
    user.chown(conf)


def preload_conf() -> str:
    """pg_stat_statements preloaded, as hosted Supabase preloads it (supabase/postgres
    postgresql.conf.j2), when this server has it. Not pg_cron: its launcher would hold a
    session in the database bootstrap re-creates."""
    libdir = pg_bin("postgres").parent.parent / "lib"
    if not (libdir / "pg_stat_statements.so").exists():
        return ""
    return "shared_preload_libraries = 'pg_stat_statements'\n"


def postmaster_pid(paths: Paths) -> int | None:
    """The running postmaster's PID, verified against /proc (postmaster.pid can be stale)."""
    try:
        first = (paths.pgdata / "postmaster.pid").read_text().splitlines()[0]
        pid = int(first)
    except (OSError, ValueError, IndexError):
        return None
    return pid if procs.is_ours(pid, str(paths.pgdata)) else None


def start(paths: Paths, user: ServerUser) -> None:
    log = paths.logs / "postgres.log"
    log.touch()
    user.chown(log)
    _run(
        user,
        [
            str(pg_bin("pg_ctl")),
            "start",
            "-D",
            str(paths.pgdata),
            "-l",
            str(log),
            "-w",
            "-t",
            "60",
            "-s",
        ],
        f"starting PostgreSQL (see {log})",
        timeout=90,
    )


def stop(paths: Paths, user: ServerUser) -> bool:
    if postmaster_pid(paths) is None:
        return False
    _run(
        user,
        [str(pg_bin("pg_ctl")), "stop", "-D", str(paths.pgdata), "-m", "fast", "-w", "-s"],
        "stopping PostgreSQL",
    )
    return True
