"""The REST probes in a process of their own, so they run on another core.

Under one interpreter the probes and the database view take turns on the GIL: importing the
Supabase client (~0.35 s of CPU), the probes' own CPU (~1 ms each) and the database view's
catalog work added up, so a check with REST cost their sum rather than the slower of the two.
A child process imports the client while the parent connects and reads, and probes while the
parent judges. The parent starts it first (`spawn`), hands it the request on stdin once the
table names are known (so the key is never in its argv), and reads one JSON answer from its
stdout; a failure comes back as the same one-line error the probes would have raised here.
The request is read on a thread of its own as soon as it comes, and the TCP handshakes it needs
are begun then (toolkit.rest.http.begin), so the import hides their round trip too.

`python -P -m toolkit.rest.worker`: -P keeps a folder named `toolkit` in the user's working
directory from shadowing the installed package.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.envnames import ENV_URL
from toolkit.errors import ConnectError, ToolkitError

if TYPE_CHECKING:  # imported where used: cli/entry.py imports this module for every command
    import subprocess

    from toolkit.rest.http import Opened
    from toolkit.rest.probe import Probe

OBSERVING = ("check", "verify")  # the commands whose assessment probes REST


_early: subprocess.Popen[bytes] | None = None  # started by prestart, taken by spawn


def spawn() -> subprocess.Popen[bytes]:
    """A worker that imports the REST client at once, then waits for its request: the one
    prestart began, if any, else a new one."""
    global _early
    if _early is not None:
        child, _early = _early, None
        return child
    import subprocess

    return subprocess.Popen([sys.executable, "-P", "-m", "toolkit.rest.worker"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


def prestart(argv: list[str]) -> None:
    """Start the worker before the CLI itself is imported (~0.2 s sooner than assess could)
    when this run will most likely probe REST. A guess from argv and the environment, not the
    settings: a wrong yes costs an import on another core (the worker leaves when our stdin
    pipe closes), a wrong no only that head start."""
    global _early
    if _early is None and _will_probe(argv, os.environ):
        _early = spawn()


def _will_probe(argv: list[str], environ: Mapping[str, str]) -> bool:
    words = [a for a in argv if not a.startswith("-")]
    if not words or words[0] not in OBSERVING or {"--help", "-h"} & set(argv):
        return False
    if any(a == "--supabase-url" or a.startswith("--supabase-url=") for a in argv):
        return True
    if environ.get(ENV_URL, "").strip():
        return True
    from dotenv import dotenv_values  # the parser the settings read .env with

    from toolkit.project.root import default_env_file

    given = [argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "--env-file"]
    given += [a.split("=", 1)[1] for a in argv if a.startswith("--env-file=")]
    try:
        path = Path(given[-1]) if given else default_env_file()
        if not path.is_file():
            return False
        return bool((dotenv_values(path, encoding="utf-8").get(ENV_URL) or "").strip())
    except (OSError, UnicodeDecodeError, ToolkitError):
        return False


def ask(worker: subprocess.Popen[bytes], url: str, key: str, tables: list[str],
        timeout_s: float) -> list[Probe]:
    """Send the request, wait for the probes; the worker's error is raised here as its own.
    The answers are read into toolkit.rest.probe's Probe: the parent never imports the
    Supabase client (0.35 s of CPU, which would contend with the judging it overlaps)."""
    import json

    from toolkit.rest.probe import Probe

    request = json.dumps({"url": url, "key": key, "tables": tables, "timeout_s": timeout_s})
    out, err = worker.communicate(request.encode())
    try:
        doc = json.loads(out)
    except ValueError:
        last = (err.decode("utf-8", "replace").strip().splitlines() or ["no output"])[-1]
        raise ToolkitError(f"the REST probes' process ended with exit {worker.returncode}: "
                           f"{last[:300]}") from None
    if "error" in doc:
        raise (ConnectError if doc["error"] == "ConnectError" else ToolkitError)(doc["message"])
    return [Probe(**p) for p in doc["probes"]]


def _serve() -> int:
    import dataclasses
    import json
    import threading

    arrived: list[tuple[dict[str, Any], Opened | None]] = []  # filled by read()

    def read() -> None:
        """The request, and the TCP handshakes it asks for begun, while the client imports."""
        from toolkit.rest.http import begin, in_flight

        raw = sys.stdin.buffer.read()
        if raw:
            request = json.loads(raw)
            url = request["url"]
            count = min(in_flight(url), len(request["tables"]) + 1)  # + the signature probe
            arrived.append((request, begin(url, count)))

    reading = threading.Thread(target=read, name="rest-request", daemon=True)
    try:
        reading.start()
        from toolkit.rest.client import probe  # the import is what runs in parallel
        reading.join()
        if not arrived:
            return 0  # the parent needed no probes after all (or ended): nothing to say
        request, opened = arrived[0]
        try:
            found = probe(request["url"], request["key"], request["tables"],
                          request["timeout_s"], opened)
            if opened is not None:
                opened.close()  # those no connection took
            answer: dict[str, Any] = {"probes": [dataclasses.asdict(p) for p in found]}
        except ToolkitError as exc:
            answer = {"error": type(exc).__name__, "message": str(exc)}
        sys.stdout.write(json.dumps(answer))
        sys.stdout.flush()
    except KeyboardInterrupt:
        return 130  # Ctrl-C reached the whole process group: the parent reports it
    except BrokenPipeError:
        return 0  # the parent ended before the answer: nobody to tell
    return 0


if __name__ == "__main__":
    os._exit(_serve())  # nothing to tear down: skip the interpreter's slow shutdown
