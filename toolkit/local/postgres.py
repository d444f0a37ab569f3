"""The local stack's PostgreSQL 15 cluster: its configuration, and start/stop via pg_ctl on the
shared launcher (toolkit.postgres.cluster). Listens on 127.0.0.1 only; the unix socket lives
in the state dir."""

from __future__ import annotations

import shutil

from toolkit.local.errors import LocalStackError
from toolkit.local.paths import Paths
from toolkit.postgres import cluster
from toolkit.postgres.osuser import ServerUser

ADMIN = "supabase_admin"
# The unix socket path (dir + "/.s.PGSQL.<port>") must fit in sockaddr_un (107 bytes).
MAX_SOCKET_DIR = 107 - len("/.s.PGSQL.65535")

HBA = f"""\
# Written by toolkit local. The superuser is trusted on the unix socket only (whose directory
# is private to the server user); everything else is password (SCRAM) over loopback TCP.
local   all   {ADMIN}   trust
host    all   all       127.0.0.1/32   scram-sha-256
"""


def initialized(paths: Paths) -> bool:
    return (paths.pgdata / "PG_VERSION").exists()


def initdb(paths: Paths, user: ServerUser) -> None:
    """Create the cluster with superuser supabase_admin."""
    if len(str(paths.run)) > MAX_SOCKET_DIR:
        raise LocalStackError(
            f"state dir path too long for a unix socket ({paths.run}); use a shorter --state-dir"
        )
    if paths.pgdata.exists():
        shutil.rmtree(paths.pgdata)  # a half-made cluster from an interrupted start
    paths.pgdata.mkdir(mode=0o700)
    user.chown(paths.pgdata)
    cluster.initdb(cluster.pg_bin("initdb"), paths.pgdata, user, ADMIN,
                   "--auth-local=trust", "--auth-host=scram-sha-256")
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
    libdir = cluster.pg_bin("postgres").parent.parent / "lib"
    if not (libdir / "pg_stat_statements.so").exists():
        return ""
    return "shared_preload_libraries = 'pg_stat_statements'\n"


def postmaster_pid(paths: Paths) -> int | None:
    return cluster.postmaster_pid(paths.pgdata)


def start(paths: Paths, user: ServerUser) -> None:
    log = paths.logs / "postgres.log"
    log.touch()
    user.chown(log)
    cluster.run(user, [str(cluster.pg_bin("pg_ctl")), "start", "-D", str(paths.pgdata),
                       "-l", str(log), "-w", "-t", "60", "-s"],
                f"starting PostgreSQL (see {log})", timeout=90)


def stop(paths: Paths, user: ServerUser) -> bool:
    if postmaster_pid(paths) is None:
        return False
    cluster.stop(cluster.pg_bin("pg_ctl"), paths.pgdata, user)
    return True
