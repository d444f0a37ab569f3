"""start / stop / status / load of a local stack: orchestration only; each part's details live
in its own module (postgres, bootstrap, api)."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from toolkit.errors import ServerError
from toolkit.local import api, bootstrap, envfile, postgres
from toolkit.local.errors import LocalStackError
from toolkit.local.paths import Paths, temp_state_dir
from toolkit.local.postgrest_bin import ensure_postgrest
from toolkit.local.state import LocalStack, State, read_state, write_state
from toolkit.postgres import procs
from toolkit.postgres.osuser import ServerUser, check_reachable, server_user


@contextmanager
def _locked(paths: Paths) -> Iterator[None]:
    """One start/stop at a time per state dir (parallel test sessions, a double Ctrl-R...)."""
    with open(paths.lock_file, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _prepare_dirs(paths: Paths) -> None:
    try:
        # 0711: the server user must traverse it; listing it is nobody else's business.
        paths.root.mkdir(mode=0o711, parents=True, exist_ok=True)
        paths.logs.mkdir(mode=0o755, exist_ok=True)
        paths.conf.mkdir(mode=0o700, exist_ok=True)
        paths.apis.mkdir(mode=0o700, exist_ok=True)
        paths.run.mkdir(mode=0o700, exist_ok=True)
    except OSError as exc:
        raise LocalStackError(f"cannot create state dir {paths.root}: {exc.strerror}") from None


def _keep_or_new(port: int) -> int:
    """Keep a stack's port across restarts when still free, so its URLs stay stable."""
    return port if procs.port_free(port) else procs.free_port()


def load(state_dir: Path) -> LocalStack | None:
    """The stack recorded in `state_dir` (running or not), or None if never started."""
    paths = Paths.of(state_dir)
    state = read_state(paths)
    if state is None or not state.bootstrapped:
        return None
    return state.stack(paths.root)


def start(state_dir: Path, *, write_env: Path | None = None) -> LocalStack:
    """Start (or finish starting) the stack in `state_dir` and return it. Idempotent."""
    paths = Paths.of(state_dir)
    _prepare_dirs(paths)
    with _locked(paths):
        user = server_user()
        if user.switch:
            # The server user must traverse the state dir (search only; state.json is 0600).
            paths.root.chmod(paths.root.stat().st_mode & 0o7777 | 0o711)
        check_reachable(user, paths.root)
        user.chown(paths.run)
        ensure_postgrest()  # fail before starting anything when PostgREST is unavailable

        state = read_state(paths)
        if state is None:
            state = State.new(procs.free_port(), procs.free_port(), procs.free_port())
            write_state(paths, state)

        if not state.bootstrapped or not postgres.initialized(paths):
            # New, or a start interrupted before bootstrap finished: nothing worth keeping.
            postgres.stop(paths, user)
            state.bootstrapped = False
            state.db_port = _keep_or_new(state.db_port)
            write_state(paths, state)
            postgres.initdb(paths, user)
            _start_postgres(paths, user, state)
            bootstrap.bootstrap(state.stack(paths.root))
            state.bootstrapped = True
            write_state(paths, state)
        elif postgres.postmaster_pid(paths) is None:
            state.db_port = _keep_or_new(state.db_port)
            _start_postgres(paths, user, state)

        try:
            _start_api(paths, state)
        except LocalStackError:
            # Most likely a port taken between our free-port probe and the bind (another
            # stack starting at the same moment): once more on fresh ports.
            _stop_part(state, "gateway")
            _stop_part(state, "postgrest")
            state.postgrest_port, state.api_port = procs.free_port(), procs.free_port()
            _start_api(paths, state)
        stack = state.stack(paths.root)
    if write_env is not None:
        envfile.merge(write_env, stack.env())
    return stack


def _start_postgres(paths: Paths, user: ServerUser, state: State) -> None:
    """Start the cluster on state.db_port; on failure retry once on a fresh port (the probed
    port may have been taken meanwhile)."""
    for attempt in (1, 2):
        postgres.configure(paths, user, state.db_port)
        write_state(paths, state)
        try:
            postgres.start(paths, user)
            return
        except ServerError:
            if attempt == 2:
                raise
            state.db_port = procs.free_port()


def _running(state: State, name: str) -> bool:
    entry = state.pids.get(name) or {}
    return procs.is_ours(entry.get("pid"), entry.get("marker", "\0"))


def _start_api(paths: Paths, state: State) -> None:
    rest_ok = _running(state, "postgrest")
    gateway_ok = _running(state, "gateway")
    launched: list[api.Launched] = []
    if not rest_ok:
        state.postgrest_port = _keep_or_new(state.postgrest_port)
        launched.append(
            api.launch_postgrest(
                state.stack(paths.root),
                "postgres",
                state.postgrest_port,
                paths.conf / "postgrest.conf",
                paths.logs / "postgrest.log",
            )
        )
    if not gateway_ok or not rest_ok:
        # A new PostgREST may sit on a new port: the gateway must follow it.
        _stop_part(state, "gateway")
        state.api_port = _keep_or_new(state.api_port)
        launched.append(
            api.launch_gateway(
                state.stack(paths.root),
                state.api_port,
                state.postgrest_port,
                paths.conf / "gateway.json",
                paths.logs / "gateway.log",
            )
        )
    for item in launched:
        state.pids[item.name] = item.record()
    write_state(paths, state)
    api.wait_ready(launched)


def _stop_part(state: State, name: str) -> bool:
    entry = state.pids.pop(name, None) or {}
    return procs.terminate(entry.get("pid"), entry.get("marker", "\0"))


def stop(state_dir: Path) -> bool:
    """Stop what `start` started in `state_dir` (verified PIDs; pg_ctl for the cluster).
    True if anything was running."""
    paths = Paths.of(state_dir)
    if not paths.state_file.exists():
        return False
    with _locked(paths):
        state = read_state(paths)
        stopped = api.stop_recorded_apis(paths)
        if state is not None:
            stopped |= _stop_part(state, "gateway")
            stopped |= _stop_part(state, "postgrest")
            write_state(paths, state)
        if postgres.postmaster_pid(paths) is not None:
            stopped |= postgres.stop(paths, server_user())
    return stopped


@contextmanager
def throwaway_state_dir(prefix: str) -> Iterator[Path]:
    """A fresh state directory for a stack that lives only as long as the block (tests,
    benchmark): on the way out whatever was started there is stopped and the folder removed."""
    import shutil

    state_dir = temp_state_dir(prefix)
    try:
        yield state_dir
    finally:
        stop(state_dir)
        shutil.rmtree(state_dir, ignore_errors=True)


@dataclass(frozen=True)
class PartStatus:
    name: str
    running: bool
    pid: int | None
    port: int | None


@dataclass(frozen=True)
class StackStatus:
    state_dir: Path
    initialized: bool
    parts: tuple[PartStatus, ...]
    api_url: str | None

    @property
    def running(self) -> bool:
        core = [p for p in self.parts if p.name in ("postgres", "postgrest", "gateway")]
        return self.initialized and bool(core) and all(p.running for p in core)

    def to_json(self) -> dict[str, Any]:
        return {
            "state_dir": str(self.state_dir),
            "initialized": self.initialized,
            "running": self.running,
            "api_url": self.api_url,
            "parts": [asdict(p) for p in self.parts],
        }


def status(state_dir: Path) -> StackStatus:
    """What is running, on which ports. Never prints or returns secrets."""
    paths = Paths.of(state_dir)
    state = read_state(paths)
    if state is None:
        return StackStatus(paths.root, False, (), None)
    pg_pid = postgres.postmaster_pid(paths)
    parts = [PartStatus("postgres", pg_pid is not None, pg_pid, state.db_port)]
    for name, port in (("postgrest", state.postgrest_port), ("gateway", state.api_port)):
        entry = state.pids.get(name) or {}
        running = _running(state, name)
        parts.append(PartStatus(name, running, entry.get("pid") if running else None, port))
    for record in api.recorded_apis(paths):
        pids = record.get("pids", [])
        alive = bool(pids) and all(procs.is_ours(p.get("pid"), p.get("marker", "\0")) for p in pids)
        gateway_pid = pids[-1].get("pid") if pids and alive else None
        parts.append(
            PartStatus(f"api[{record.get('dbname')}]", alive, gateway_pid, record.get("port"))
        )
    initialized = state.bootstrapped and postgres.initialized(paths)
    return StackStatus(paths.root, initialized, tuple(parts), state.stack(paths.root).api_url)
