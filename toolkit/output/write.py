"""Writing a report out: a table for people, JSON for machines, GitHub Actions extras."""

from __future__ import annotations

import json
import sys
from typing import TextIO

from toolkit.judge.reasons import explain
from toolkit.output.formats import github_mode
from toolkit.output.report import Report
from toolkit.redact import redact
from toolkit.settings import Settings


def emit(report: Report, *, as_json: bool, fmt: str, settings: Settings | None,
         stdout: TextIO | None = None, stderr: TextIO | None = None) -> None:
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    secrets = settings.secrets if settings else []
    explain(report)
    if github_mode(fmt):
        from toolkit.output.github import emit_github

        emit_github(report, settings, stream=err if as_json else out)
    if as_json:
        text = json.dumps(report.to_dict(), indent=2)
    else:
        from toolkit.output.progress import use_colour
        from toolkit.output.text import render_text

        text = render_text(report, colour=use_colour(out, github=github_mode(fmt)))
    out.write(redact(text, secrets) + "\n")
    out.flush()


def emit_error(message: str, *, code: int, as_json: bool, settings: Settings | None,
               command: str = "", location: dict[str, object] | None = None,
               fmt: str = "auto", stdout: TextIO | None = None,
               stderr: TextIO | None = None) -> None:
    """One line on stderr (and a JSON object on stdout for --json); never a secret."""
    secrets = settings.secrets if settings else []
    line = redact(message, secrets)
    err = stderr or sys.stderr
    err.write(f"toolkit: error: {line}\n")
    where = {k: v for k, v in (location or {}).items() if v}
    if github_mode(fmt):
        from toolkit.output.github import emit_github_error

        emit_github_error(line, code=code, command=command, settings=settings, location=where,
                          stream=err)
    if as_json:
        out = stdout or sys.stdout
        out.write(json.dumps({"command": command, "ok": False, "status": "failed",
                              "exit_code": code, "error": line, **where}) + "\n")
    err.flush()
