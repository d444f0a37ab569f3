"""The API half of a stack: a PostgREST + gateway process pair in front of one database."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from toolkit.local.errors import LocalStackError
from toolkit.local.paths import Paths
from toolkit.local.postgrest_bin import ensure_postgrest
from toolkit.local.state import LocalStack, write_secret_file
from toolkit.postgres import procs

READY_TIMEOUT = 30.0


def postgrest_config(stack: LocalStack, dbname: str, port: int) -> str:
    """Configured as Supabase configures PostgREST."""
    return "\n".join(
        [
            f'db-uri = "{stack.authenticator_url(dbname)}"',
            'db-schemas = "public,graphql_public"',
            'db-anon-role = "anon"',
            'db-extra-search-path = "public,extensions"',
            "db-channel-enabled = true",
            'db-channel = "pgrst"',
            "db-pool = 10",
            f'jwt-secret = "{stack.jwt_secret}"',
            'server-host = "127.0.0.1"',
            f"server-port = {port}",
            'log-level = "error"',
            "",
        ]
    )


@dataclass(frozen=True)
class Launched:
    """A process we started: its PID and the marker that proves it is still ours."""

    name: str
    pid: int
    marker: str
    ready_url: str
    log: Path
    proc: subprocess.Popen[bytes] | None = field(default=None, compare=False, repr=False)

    def record(self) -> dict[str, Any]:
        return {"pid": self.pid, "marker": self.marker}


def launch_postgrest(stack: LocalStack, dbname: str, port: int, conf: Path, log: Path) -> Launched:
    binary = ensure_postgrest()
    write_secret_file(conf, postgrest_config(stack, dbname, port))
    proc = procs.spawn([str(binary), str(conf)], log=log, env=procs.clean_env())
    return Launched("postgrest", proc.pid, str(conf), f"http://127.0.0.1:{port}/", log, proc)


def launch_gateway(
    stack: LocalStack, port: int, upstream_port: int, conf: Path, log: Path
) -> Launched:
    config = {
        "host": "127.0.0.1",
        "port": port,
        "upstream": f"http://127.0.0.1:{upstream_port}",
        "keys": stack.api_keys(),
    }
    write_secret_file(conf, json.dumps(config))
    # Make `toolkit` importable in the child wherever the CLI was run from.
    package_parent = str(Path(__file__).resolve().parents[2])
    env = procs.clean_env({"PYTHONPATH": package_parent, "PYTHONUNBUFFERED": "1"})
    argv = [sys.executable, "-m", "toolkit.local.gateway", "--config", str(conf)]
    proc = procs.spawn(argv, log=log, env=env)
    return Launched("gateway", proc.pid, str(conf), f"http://127.0.0.1:{port}/health", log, proc)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1.0) as resp:
            return int(resp.status) == 200
    except (urllib.error.URLError, OSError):
        return False


def wait_ready(launched: list[Launched], timeout: float = READY_TIMEOUT) -> None:
    """Poll every new process until it answers 200; fail fast if one exits."""
    pending = list(launched)
    deadline = time.monotonic() + timeout
    while pending:
        for item in list(pending):
            if item.proc is not None and item.proc.poll() is not None:
                raise LocalStackError(f"{item.name} exited at start: {_tail(item.log)}")
            if _answers(item.ready_url):
                pending.remove(item)
        if not pending:
            return
        if time.monotonic() > deadline:
            names = ", ".join(i.name for i in pending)
            raise LocalStackError(
                f"{names} not ready after {timeout:.0f}s (see {paths_hint(pending)})"
            )
        time.sleep(0.02)


def paths_hint(items: list[Launched]) -> str:
    return ", ".join(str(i.log) for i in items)


def _tail(log: Path) -> str:
    try:
        lines = [ln for ln in log.read_text(errors="replace").splitlines() if ln.strip()]
    except OSError:
        lines = []
    return lines[-1] if lines else f"no output (see {log})"


@dataclass
class ApiHandle:
    """An extra PostgREST + gateway pair serving one database (see `serve_api`)."""

    api_url: str
    anon_key: str = field(repr=False)
    service_role_key: str = field(repr=False)
    publishable_key: str = field(repr=False)
    secret_key: str = field(repr=False)
    dbname: str
    launched: list[Launched] = field(repr=False)
    record: Path = field(repr=False)

    def stop(self) -> None:
        for item in reversed(self.launched):
            procs.terminate(item.pid, item.marker)
            if item.proc is not None:
                item.proc.wait(timeout=5)
        self.record.unlink(missing_ok=True)

    def __enter__(self) -> ApiHandle:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def serve_api(stack: LocalStack, dbname: str) -> ApiHandle:
    """Start a PostgREST + gateway pair for another database of the cluster, with the stack's
    keys. Recorded under <state>/apis so `stop` cleans it up if the caller never does."""
    paths = Paths.of(stack.state_dir)
    paths.apis.mkdir(exist_ok=True)
    rest_port, api_port = procs.free_port(), procs.free_port()

    def file(kind: str) -> Path:
        return paths.apis / f"{api_port}.{kind}"

    launched = [
        launch_postgrest(stack, dbname, rest_port, file("postgrest.conf"), file("postgrest.log")),
        launch_gateway(stack, api_port, rest_port, file("gateway.json"), file("gateway.log")),
    ]
    record = file("record.json")
    record.write_text(
        json.dumps({"dbname": dbname, "port": api_port, "pids": [i.record() for i in launched]})
    )
    handle = ApiHandle(
        api_url=f"http://127.0.0.1:{api_port}",
        anon_key=stack.anon_key,
        service_role_key=stack.service_role_key,
        publishable_key=stack.publishable_key,
        secret_key=stack.secret_key,
        dbname=dbname,
        launched=launched,
        record=record,
    )
    try:
        wait_ready(launched)
    except BaseException:
        handle.stop()
        raise
    return handle


def stop_recorded_apis(paths: Paths) -> bool:
    """Stop extra API pairs whose handles were never stopped (crashed test run...)."""
    stopped = False
    if not paths.apis.is_dir():
        return False
    for record in paths.apis.glob("*.record.json"):
        try:
            data = json.loads(record.read_text())
        except (OSError, ValueError):
            continue
        for item in reversed(data.get("pids", [])):
            stopped |= procs.terminate(item.get("pid"), item.get("marker", "\0"))
        record.unlink(missing_ok=True)
    return stopped


def recorded_apis(paths: Paths) -> list[dict[str, Any]]:
    if not paths.apis.is_dir():
        return []
    out = []
    for record in sorted(paths.apis.glob("*.record.json")):
        try:
            out.append(json.loads(record.read_text()))
        except (OSError, ValueError):
            continue
    return out
