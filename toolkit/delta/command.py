"""`toolkit diff`'s outcome and output: the SQL on stdout (as `supabase db diff` prints it, so
it can be redirected), warnings and the verdict line on stderr; one JSON object with --json;
in GitHub mode an error annotation, the SQL in the job summary and the `status` output."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, NoReturn, TextIO

from toolkit.delta.diff import DiffResult
from toolkit.errors import ExitCode
from toolkit.redact import redact
from toolkit.words import plural

if TYPE_CHECKING:
    from toolkit.settings import Settings


@dataclass(frozen=True)
class Outcome:
    code: ExitCode
    status: str  # ok | incomplete | failed (the Action's status output)
    summary: str  # the verdict line


def outcome(r: DiffResult) -> Outcome:
    if r.failures:
        return Outcome(ExitCode.INCOMPLETE, "failed",
                       f"FAILED: {plural(len(r.failures), 'statement')} of the declared files "
                       f"failed on the shadow: {r.failures[0]} (exit 1)")
    if r.delta.empty:
        return Outcome(ExitCode.OK, "ok", "OK: no schema changes: the migrations make the "
                       "declared schema (exit 0)")
    n = plural(len(r.delta.actions) + len(r.fixes), "statement")
    marked = len(r.delta.destructive)
    loses = f", {marked} destructive (marked)" if marked else ""
    if r.proof is not None and not r.proof.ok:
        left = len(r.proof.differences) + len(r.proof.failures)
        return Outcome(ExitCode.INCOMPLETE, "failed",
                       f"FAILED: the engine's {n} do not make the declared schema "
                       f"({plural(left, 'difference')} left); nothing written (exit 1)")
    if r.written is not None:
        return Outcome(ExitCode.OK, "ok", f"OK: wrote {r.written} ({n}{loses}, proven on a "
                       "fresh shadow) (exit 0)")
    return Outcome(ExitCode.INCOMPLETE, "incomplete",
                   f"INCOMPLETE: the migrations lack {n} of the declared schema{loses} "
                   "(toolkit diff -f NAME writes them) (exit 1)")


def text_lines(r: DiffResult) -> list[str]:
    """What goes to stderr: warnings, what the proof left, the verdict."""
    out = [f"warning: {w}" for w in r.warnings]
    out += [f"error: {f}" for f in r.failures]
    if r.proof is not None:
        out += [f"error: still differs after the file: {d}" for d in r.proof.lines]
        out += [f"error: the file fails on the shadow: {f}" for f in r.proof.failures]
    out.append(outcome(r).summary)
    return out


def as_json(r: DiffResult) -> dict[str, object]:
    o = outcome(r)
    return {"command": "diff", "ok": o.code == ExitCode.OK, "status": o.status,
            "exit_code": int(o.code), "summary": o.summary, **r.as_json()}


def _github(r: DiffResult, secrets: list[str], stream: TextIO) -> None:
    from toolkit.output.github import _append, command_line, output_lines, report_path

    o = outcome(r)
    if o.code != ExitCode.OK:
        stream.write(command_line("error", o.summary, secrets, title="toolkit diff") + "\n")
    for w in r.warnings:
        stream.write(command_line("warning", w, secrets, title="toolkit diff") + "\n")
    mark = "✅" if o.code == ExitCode.OK else "❌"
    summary = [f"### {mark} toolkit diff: {o.status}", "", o.summary.replace("|", "\\|"), ""]
    if r.sql:
        summary += ["The statements that make the migrations match `supabase/schemas/`:", "",
                    "```sql", r.sql.rstrip("\n"), "```", ""]
    _append("GITHUB_STEP_SUMMARY", redact("\n".join(summary), secrets))
    path = report_path("diff")
    if path is not None:
        path.write_text(redact(json.dumps(as_json(r), indent=2), secrets) + "\n",
                        encoding="utf-8")
    _append("GITHUB_OUTPUT", output_lines({"status": o.status, "missing": "", "applied": "",
                                           "pending": "", "report": str(path or "")}))


def emit(r: DiffResult, *, as_json_out: bool, github: bool, secrets: list[str]) -> ExitCode:
    if github:
        _github(r, secrets, sys.stderr if as_json_out else sys.stdout)
    if as_json_out:
        sys.stdout.write(redact(json.dumps(as_json(r), indent=2), secrets) + "\n")
    else:
        if r.sql and r.written is None:
            sys.stdout.write(redact(r.sql, secrets))
        sys.stderr.write(redact("\n".join(text_lines(r)), secrets) + "\n")
    sys.stdout.flush()
    sys.stderr.flush()
    return outcome(r).code


def run_diff(make_settings: Callable[[], Settings], name: str | None, fmt: str,
             as_json_out: bool) -> NoReturn:
    """Run diff and leave with its exit code; any error is one line (cli_run's rule)."""
    import signal

    from toolkit.cli.run import _on_sigterm, leave_on_error
    from toolkit.delta.diff import run
    from toolkit.output.formats import github_mode
    from toolkit.output.progress import configure
    from toolkit.project.root import project_root

    as_json_out = as_json_out or fmt == "json"
    github = github_mode(fmt)
    configure(as_json=as_json_out, github=github)
    signal.signal(signal.SIGTERM, _on_sigterm)
    with leave_on_error("diff", as_json_out):
        settings = make_settings()
        from toolkit.output.github import announce_masks

        announce_masks(settings, fmt, sys.stderr if as_json_out else sys.stdout)
        result = run(settings, project_root() / "supabase", name)
    raise SystemExit(int(emit(result, as_json_out=as_json_out, github=github,
                              secrets=settings.secrets)))
