"""The embedded shadow: a private PostgreSQL cluster from server binaries on this machine.

Speed: initdb and the shape cost about a second, so they are done once and kept as a template
data directory in the user's cache (keyed by major, binaries, shape and toolkit version). Each
run copies the template into a private temp dir, starts it on a unix socket only, and removes
it on exit (`pg_ctl stop -m immediate`: nothing in it is worth a checkpoint).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg import sql

from toolkit import shape
from toolkit.db.sqlfiles import load_sql
from toolkit.envnames import ENV_SHADOW_DB_URL
from toolkit.errors import ConfigError, ConnectError, ServerError
from toolkit.oracle.database import ShadowDatabase
from toolkit.postgres import cluster, lifecycle
from toolkit.postgres.cluster import ServerBinaries
from toolkit.postgres.osuser import ServerUser, server_user

SUPERUSER = "supabase_admin"
DBNAME = "postgres"
RECIPE = "3"  # the template build steps' version (part of the cache key)
PORT = 5432  # only names the socket file; the socket dir is private to this run
STALE_TEMPLATE_S = 3600  # a template of another shape or version unused this long is removed
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


def find_binaries(prefer_major: int | None = None) -> ServerBinaries:
    """The server to run: `prefer_major` when installed, else the newest one found."""
    try:
        return cluster.find_binaries(prefer_major)
    except ServerError as exc:
        raise ConfigError(f"{exc} for the shadow database, or set {ENV_SHADOW_DB_URL} to a "
                          "server where toolkit may create a scratch database") from None


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
    from toolkit.cache import Key

    # SERVER_CONF and RECIPE stand for how the template is built: bump RECIPE on any change.
    key = Key("shadow-template", RECIPE, str(bins.bindir), shape.digest(),
              server_conf(bins))
    return f"shadow-pg{bins.major}-{key.hex(16)}"


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
            bins.tool("postgres"), data, log, cluster.server_env(user),
            user.popen_kwargs())
    except (RuntimeError, OSError) as exc:
        tail = log.read_text(errors="replace").strip().splitlines()
        raise ConnectError(f"shadow database: starting PostgreSQL failed: {exc}"
                           f"{f' ({tail[-1]})' if tail else ''}") from None


# pg_ctl stop's modes as the signals it sends the postmaster.
STOP_SIGNALS = {"fast": signal.SIGINT, "immediate": signal.SIGQUIT}


def _stop(bins: ServerBinaries, user: ServerUser, data: Path, mode: str,
          proc: subprocess.Popen[bytes] | None = None) -> None:
    """Stop the cluster in `data` if it runs; a postmaster pg_ctl cannot stop is killed (only
    after /proc shows it is the one serving this data dir). `proc`: ours, to reap.

    Our own postmaster (`proc`, our child) gets pg_ctl's signal from us and is waited for: the
    same shutdown, but its exit is seen at once, where pg_ctl -w polls every 100 ms (and is a
    process of its own to start). pg_ctl stays the way for any other, and the fallback."""
    pid_file = data / "postmaster.pid"
    if proc is not None and proc.poll() is None and mode in STOP_SIGNALS:
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            proc.send_signal(STOP_SIGNALS[mode])
            proc.wait(timeout=30)
    if pid_file.exists():
        try:
            cluster.stop(bins.tool("pg_ctl"), data, user, mode, timeout=30)
        except ServerError:
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
        try:
            # 1 MB WAL segments instead of 16: less to copy on every run.
            cluster.initdb(bins.tool("initdb"), data, user, SUPERUSER, "--auth=trust",
                           "--wal-segsize=1")
        except ServerError as exc:
            raise ConnectError(f"shadow database: {exc}") from None
        with open(data / "postgresql.conf", "a") as fh:
            fh.write(server_conf(bins))
        server = _start(bins, user, work)
        with psycopg.connect(conninfo(work), autocommit=True) as conn:
            conn.execute(shape.load(shape.ROLES).encode())
            shape.shape_database(conn, DBNAME, superuser=True)
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
def embedded_shadow(prefer_major: int | None = None, resume: Path | None = None,
                    copy: bool = False) -> Iterator[ShadowDatabase]:
    """A private cluster copied from the template, or made of `resume` (a snapshot of a replayed
    prefix, see snapshots), which is taken: the run keeps its own end as the next one. `copy`:
    the snapshot is copied and left in place, for a run whose end is worth nothing later (a
    diff's proof, of a file named by the time it runs)."""
    bins = find_binaries(prefer_major)
    try:
        user = server_user()
    except ServerError as exc:
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
                if copy:
                    shutil.copytree(resume, data, symlinks=True,
                                    ignore=shutil.ignore_patterns("postmaster.*"))
                else:
                    os.rename(resume, data)
            except (shutil.Error, OSError):  # taken first by another run, or another disk
                shutil.rmtree(data, ignore_errors=True)
                resume = None
        if resume is None:
            _copy_template(bins, user, data)
        data.chmod(0o700)
        if resume is not None and not copy and \
                (data / "PG_VERSION").stat().st_uid == user.uid:
            # A snapshot moved here whole: its files are the server user's already (its server
            # wrote them; keep() gave only the folder to us), so only the folder goes back,
            # not a walk over its thousands of files. One keep() copied (another file system)
            # is ours throughout: walked.
            user.chown(data)
        else:
            _chown_tree(user, data)
        server = _start(bins, user, work)
        yield ShadowDatabase(conninfo=conninfo(work), major=bins.major,
                             origin=f"embedded PostgreSQL {bins.major} ({bins.bindir})",
                             keep=_keeper(bins, user, data, server),
                             resumed=resume is not None)
    finally:
        _stop(bins, user, data, "immediate", server)
        shutil.rmtree(work, ignore_errors=True)
