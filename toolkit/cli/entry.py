"""The `toolkit` executable: the REST probes' process is started (when this run will probe)
before the CLI is imported, so it imports its client while typer parses the command."""

from __future__ import annotations

import sys


def main() -> None:
    from toolkit.rest.worker import prestart

    prestart(sys.argv[1:])
    from toolkit.cli.app import main as run

    run()
