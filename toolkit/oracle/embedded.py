"""The embedded shadow: a private PostgreSQL cluster from server binaries on this machine.

Speed: initdb and the shape cost about a second, so they are done once and kept as a template
data directory in the user's cache (keyed by major, binaries, shape and toolkit version). Each
run copies the template into a private temp dir, starts it on a unix socket only, and removes
it on exit (`pg_ctl stop -m immediate`: nothing in it is worth a checkpoint).
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from toolkit import shape as supabase_shape
from toolkit.db.sqlfiles import load_sql
from toolkit.envnames import ENV_SHADOW_DB_URL
from toolkit.errors import ConfigError, ConnectError
from toolkit.local.errors import LocalStackError
from toolkit.oracle.database import ShadowDatabase
from toolkit.postgres import lifecycle, procs
from toolkit.postgres.osuser import ServerUser, server_user

SUPERUSER = "supabase_admin"
DBNAME = "postgres"
RECIPE = "2"  # the template build steps' version (part of the cache key)
PORT = 5432  # only names the socket file; the socket dir is private to this run
STALE_TEMPLATE_S = 3600  # a template of another shape or version unused this long is removed
TOOLS = ("initdb", "pg_ctl", "postgres")
# Debian/Ubuntu (and GitHub's ubuntu runners), then Homebrew on Apple silicon and on Intel.
BINDIR_GLOBS = (
    "/usr/lib/postgresql/*/bin",
    "/opt/homebrew/opt/postgresql@*/bin",
    "/usr/local/opt/postgresql@*/bin",
)
_MAJOR_IN_PATH = re.compile(r"postgresql[/@](\d+)")
_MAJOR_IN_VERSION = re.compile(r"\(PostgreSQL\) (\d+)")
# Appended to the template's postgresql.conf: a throwaway cluster, no TCP, no durability.
SERVER_CONF = """
# Written by toolkit: a throwaway shadow cluster.
listen_addresses = ''
unix_socket_permissions = 0700
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 20
shared_buffers = 16MB
log_min_messages = warning
timezone = 'UTC'
include_if_exists = 'shadow.conf'
"""
# Libraries hosted Supabase preloads (supabase/postgres ansible/files/postgresql_config/
# postgresql.conf.j2: shared_preload_libraries) that a Debian server may have: pg_stat_statements
# (contrib) and pg_cron (postgresql-NN-cron). pg_cron runs in the database named by
# cron.database_name, as on hosted projects ('postgres', the shadow's database).
PRELOAD = ("pg_stat_statements", "pg_cron")


def library_dirs(bins: ServerBinaries) -> list[Path]:
    """Where this server's loadable modules are ($libdir): Debian's ../lib, Homebrew's
    ../lib/postgresql."""
    return [bins.bindir.parent / "lib", bins.bindir.parent / "lib" / "postgresql"]


def server_conf(bins: ServerBinaries) -> str:
    """SERVER_CONF plus the preloads this server has (a missing one would stop it starting)."""
    have = [name for name in PRELOAD
            if any((d / f"{name}.so").exists() or (d / f"{name}.dylib").exists()
                   for d in library_dirs(bins))]
    if not have:
        return SERVER_CONF
    extra = f"shared_preload_libraries = '{', '.join(have)}'\n"
    if "pg_cron" in have:
        extra += f"cron.database_name = '{DBNAME}'\n"
    return SERVER_CONF + extra


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
        raise ConfigError(
            "no PostgreSQL server found for the shadow database (looked in "
            f"{', '.join(BINDIR_GLOBS)} and PATH): install postgresql-{wanted} "
            f"(apt-get install postgresql-{wanted}; brew install postgresql@{wanted}), or set "
            f"{ENV_SHADOW_DB_URL} to a server where toolkit may create a scratch database"
        )
    preferred = [s for s in servers if s.major == prefer_major]
    return preferred[0] if preferred else max(servers, key=lambda s: s.major)


def cache_root() -> Path:
    """$XDG_CACHE_HOME/toolkit or ~/.cache/toolkit: created 0700, and refused when another
    user owns it or may write into it (a template from someone else would run as our shadow
    and make check say OK on a drifted database). Never repaired and then trusted: what
    someone else could write into may hold their files already."""
    from toolkit.cache import cache_dir, untrusted

    root = cache_dir()
    try:
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = root.stat()
    except OSError as exc:
        raise ConfigError(f"cannot create the cache folder {root}: {exc.strerror}") from None
    why = untrusted(info)
    if why:
        raise ConfigError(f"the cache folder {root} {why}, so toolkit does not trust what it "
                          "holds: remove it (toolkit makes a new one, 0700) or set "
                          "TOOLKIT_CACHE_DIR to a folder of your own")
    return root


def template_key(bins: ServerBinaries) -> str:
    from toolkit.cache import toolkit_version

    # SERVER_CONF and RECIPE stand for how the template is built: bump RECIPE on any change.
    raw = (f"{RECIPE}\0{bins.bindir}\0{supabase_shape.digest()}\0{toolkit_version()}\0"
           f"{server_conf(bins)}")
    return f"shadow-pg{bins.major}-{hashlib.sha256(raw.encode()).hexdigest()[:16]}"


def _run(user: ServerUser, argv: list[str], what: str, timeout: float = 60) -> None:
    env = procs.clean_env(user.env() | {"LC_ALL": "C"})
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, env=env, cwd="/",
                              timeout=timeout, check=False, start_new_session=True,
                              **user.popen_kwargs())
    except subprocess.TimeoutExpired:
        raise ConnectError(f"shadow database: {what} timed out after {timeout:.0f}s") from None
    except OSError as exc:
        raise ConfigError(f"shadow database: cannot run {argv[0]}: {exc.strerror}") from None
    if proc.returncode != 0:
        lines = (proc.stderr or proc.stdout).strip().splitlines()
        raise ConnectError(f"shadow database: {what} failed: "
                           f"{lines[-1] if lines else f'exit {proc.returncode}'}")


def _chown_tree(user: ServerUser, top: Path) -> None:
    if not user.switch:
        return
    user.chown(top)
    for dirpath, dirnames, filenames in os.walk(top):
        for name in dirnames + filenames:
            os.chown(os.path.join(dirpath, name), user.uid, user.gid, follow_symlinks=False)


def _workdir(user: ServerUser) -> Path:
    """A private dir for one cluster, short enough for a unix socket path (107 bytes), marked
    with our pid so a later run can tell it is an orphan if we are killed."""
    path = lifecycle.new_workdir()
    _chown_tree(user, path)
    return path


def _start(bins: ServerBinaries, user: ServerUser, work: Path) -> subprocess.Popen[bytes]:
    """The postmaster as our child, dying with us (toolkit.postgres.lifecycle)."""
    data = work / "data"
    conf = data / "shadow.conf"
    conf.write_text(f"unix_socket_directories = '{work}'\nport = {PORT}\n")
    user.chown(conf)
    log = work / "postgres.log"
    log.touch()
    user.chown(log)
    try:
        return lifecycle.start_postmaster(
            bins.tool("postgres"), data, log, procs.clean_env(user.env() | {"LC_ALL": "C"}),
            user.popen_kwargs())
    except (RuntimeError, OSError) as exc:
        tail = log.read_text(errors="replace").strip().splitlines()
        raise ConnectError(f"shadow database: starting PostgreSQL failed: {exc}"
                           f"{f' ({tail[-1]})' if tail else ''}") from None


def _stop(bins: ServerBinaries, user: ServerUser, data: Path, mode: str,
          proc: subprocess.Popen[bytes] | None = None) -> None:
    """Stop the cluster in `data` if it runs; a postmaster pg_ctl cannot stop is killed (only
    after /proc shows it is the one serving this data dir). `proc`: ours, to reap."""
    pid_file = data / "postmaster.pid"
    if pid_file.exists():
        try:
            _run(user, [bins.tool("pg_ctl"), "stop", "-D", str(data), "-m", mode, "-w", "-s"],
                 "stopping PostgreSQL", timeout=30)
        except (ConnectError, ConfigError):
            lifecycle.stop_server(data)
    if proc is not None:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def conninfo(work: Path) -> str:
    return f"host={work} port={PORT} user={SUPERUSER} dbname={DBNAME}"


def _build_template(bins: ServerBinaries, user: ServerUser, target: Path) -> None:
    """initdb + the Supabase shape, stopped cleanly, then moved into the cache as `target`."""
    work = _workdir(user)
    data = work / "data"
    try:
        _run(user, [bins.tool("initdb"), "-D", str(data), "-U", SUPERUSER, "-E", "UTF8",
                    "--locale=C", "--auth=trust", "--no-sync", "--no-instructions",
                    # 1 MB WAL segments instead of 16: less to copy on every run.
                    "--wal-segsize=1"], "initdb")
        with open(data / "postgresql.conf", "a") as fh:
            fh.write(server_conf(bins))
        server = _start(bins, user, work)
        with psycopg.connect(conninfo(work), autocommit=True) as conn:
            conn.execute(supabase_shape.load(supabase_shape.ROLES).encode())
            supabase_shape.shape_database(conn, DBNAME, superuser=True)
            # The template databases are two thirds of the files every run copies, and a
            # shadow never creates databases: drop them.
            for name in ("template0", "template1"):
                for step in ("shadow_template_unmark.sql", "shadow_template_drop.sql"):
                    conn.execute(sql.SQL(load_sql(step)).format(name=sql.Identifier(name)))
            conn.execute(load_sql("shadow_checkpoint.sql"))
        _stop(bins, user, data, "fast", server)  # a clean checkpoint: copies start cleanly
        (data / "shadow.conf").unlink()
        staging = Path(tempfile.mkdtemp(prefix=".building-", dir=target.parent))
        shutil.copytree(data, staging / "data", symlinks=True)
        os.replace(staging / "data", target)
        staging.rmdir()
    finally:
        _stop(bins, user, data, "immediate")
        shutil.rmtree(work, ignore_errors=True)


def _trusted_entry(target: Path) -> None:
    from toolkit.cache import untrusted

    why = untrusted(target.lstat())
    if why:
        raise ConfigError(f"the shadow template {target} {why}, so toolkit does not trust "
                          f"it: remove it (toolkit builds a new one) or set TOOLKIT_CACHE_DIR "
                          "to a folder of your own")


def _os_reason(exc: OSError) -> str:
    """strerror, also for shutil.Error, which lists each (source, target, why) it met."""
    if exc.strerror:
        return exc.strerror
    if isinstance(exc, shutil.Error) and exc.args and isinstance(exc.args[0], list):
        for *_, why in exc.args[0]:
            text = str(why)
            return text.split("] ", 1)[-1].split(": '", 1)[0]
    return type(exc).__name__


def ensure_template(bins: ServerBinaries, user: ServerUser) -> Path:
    root = cache_root()
    target = root / template_key(bins)
    try:
        if (target / "PG_VERSION").exists():
            _trusted_entry(target)
            with contextlib.suppress(OSError):
                os.utime(target)  # last used: see the stale ones below
            return target
        # One builder at a time; the others find it ready once they get the lock.
        with open(root / ".shadow.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not (target / "PG_VERSION").exists():
                now = time.time()
                for stale in root.glob(f"shadow-pg{bins.major}-*"):
                    # Built from another shape or version: removed once unused for a while,
                    # not at once, or two toolkit versions on one machine would delete each
                    # other's template while the other copies it.
                    with contextlib.suppress(OSError):
                        if now - stale.stat().st_mtime > STALE_TEMPLATE_S:
                            shutil.rmtree(stale, ignore_errors=True)
                _build_template(bins, user, target)
    except OSError as exc:  # a full disk, a read-only folder
        raise ConfigError(f"cannot write the shadow template into the cache folder {root}: "
                          f"{_os_reason(exc)}; free space there or set TOOLKIT_CACHE_DIR to "
                          "a writable folder") from None
    _trusted_entry(target)
    return target


def _copy_template(bins: ServerBinaries, user: ServerUser, data: Path) -> None:
    """Copy the template into `data`; built again if it vanished meanwhile (removed by hand,
    or by an older toolkit that removed other versions' templates at once)."""
    try:
        shutil.copytree(ensure_template(bins, user), data, symlinks=True)
    except (shutil.Error, OSError):
        shutil.rmtree(data, ignore_errors=True)
        shutil.copytree(ensure_template(bins, user), data, symlinks=True)


# Snapshots of replayed prefixes kept per template: the newest few, so adding a file to a long
# history replays only that file, while the cache stays a few template sizes.
SNAPSHOTS_KEPT = 3


def snapshots(prefer_major: int | None) -> dict[str, Path]:
    """The snapshots of replayed prefixes kept for this template, by prefix key."""
    try:
        prefix = f"{template_key(find_binaries(prefer_major))}-prefix-"
        found = list(cache_root().glob(prefix + "*"))
    except (ConfigError, ConnectError, OSError):
        return {}
    from toolkit.cache import untrusted

    return {p.name.removeprefix(prefix): p for p in found
            if (p / "PG_VERSION").exists() and untrusted(p.lstat()) is None}


def _keeper(bins: ServerBinaries, user: ServerUser, data: Path,
            proc: subprocess.Popen[bytes] | None) -> Callable[[str], None]:
    def keep(key: str) -> None:
        root = cache_root()
        target = root / f"{template_key(bins)}-prefix-{key}"
        _stop(bins, user, data, "fast", proc)  # a clean checkpoint: starts without recovery
        if target.exists():
            return
        try:
            os.rename(data, target)  # the run is over: its data dir moves, nothing is copied
            if user.switch:  # the folder is ours, as the cache's trust check wants it
                os.chown(target, os.geteuid(), os.getegid())
        except OSError:  # another file system, or another run kept the same prefix first
            staging = Path(tempfile.mkdtemp(prefix=".snapshot-", dir=root))
            try:
                shutil.copytree(data, staging / "data", symlinks=True,
                                ignore=shutil.ignore_patterns("shadow.conf", "postmaster.*"))
                os.replace(staging / "data", target)
            except OSError:
                return  # the disk is full, or the same prefix was kept meanwhile: no snapshot
            finally:
                shutil.rmtree(staging, ignore_errors=True)
        kept = sorted(root.glob(f"{template_key(bins)}-prefix-*"),
                      key=lambda p: p.stat().st_mtime, reverse=True)
        for old in kept[SNAPSHOTS_KEPT:]:
            shutil.rmtree(old, ignore_errors=True)
    return keep


@contextmanager
def embedded_shadow(prefer_major: int | None = None,
                    resume: Path | None = None) -> Iterator[ShadowDatabase]:
    """A private cluster copied from the template, or made of `resume` (a snapshot of a replayed
    prefix, see snapshots), which is taken: the run keeps its own end as the next one."""
    bins = find_binaries(prefer_major)
    try:
        user = server_user()
    except LocalStackError as exc:
        raise ConfigError(str(exc)) from None
    lifecycle.sweep_orphans(user.uid)
    if resume is None:
        ensure_template(bins, user)
    work = _workdir(user)
    data = work / "data"
    server: subprocess.Popen[bytes] | None = None
    try:
        if resume is not None:
            try:  # taken, not copied: this run keeps its own end as the next snapshot
                os.rename(resume, data)
            except OSError:  # another run took it first, or another file system
                resume = None
        if resume is None:
            _copy_template(bins, user, data)
        data.chmod(0o700)
        _chown_tree(user, data)
        server = _start(bins, user, work)
        yield ShadowDatabase(conninfo=conninfo(work), major=bins.major,
                             origin=f"embedded PostgreSQL {bins.major} ({bins.bindir})",
                             keep=_keeper(bins, user, data, server),
                             resumed=resume is not None)
    finally:
        _stop(bins, user, data, "immediate", server)
        shutil.rmtree(work, ignore_errors=True)
