"""GitHub Actions mode: masks, annotations, the job summary and step outputs.

Active with GITHUB_ACTIONS=true or --format github. Masks go out before anything else; when
stdout carries JSON, everything here goes to stderr so stdout stays pure JSON.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import TextIO

from toolkit.output import github_mode
from toolkit.redact import redact
from toolkit.report import Report
from toolkit.settings import Settings


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_prop(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def announce_masks(settings: Settings, fmt: str, stream: TextIO) -> None:
    if not github_mode(fmt):
        return
    for secret in settings.secrets:
        stream.write(f"::add-mask::{secret}\n")
    stream.flush()


def annotation_lines(report: Report, secrets: list[str]) -> list[str]:
    lines = []
    for p in report.problems:
        if p.level == "notice":
            continue
        props = [f"title={_escape_prop('toolkit ' + report.command)}"]
        if p.file:
            props.append(f"file={_escape_prop(p.file)}")
            if p.line:
                props.append(f"line={p.line}")
            if p.column:
                props.append(f"col={p.column}")
        lines.append(f"::{p.level} {','.join(props)}::{_escape_data(redact(p.message, secrets))}")
    level = "warning" if report.command == "plan" else "error"
    for t in report.tables:
        if t.database == "missing" or t.rest in ("missing", "forbidden"):
            what = "missing" if "missing" in (t.database, t.rest) else "not readable over REST"
            lines.append(f"::{level} title=toolkit {report.command}::table {t.name} is {what}"
                         f" (database: {t.database}, REST: {t.rest})")
    return lines


def summary_markdown(report: Report) -> str:
    icon = {"ok": "✅", "incomplete": "⚠️", "failed": "❌"}[report.status]
    out = [f"### {icon} toolkit {report.command}: {report.status}", ""]
    if report.preconditions:
        out += ["| precondition | ok | detail |", "|---|---|---|"]
        out += [f"| {p.name} | {'yes' if p.ok else '**no**'} | {p.detail} |"
                for p in report.preconditions]
        out.append("")
    if report.tables:
        out += ["| table | database | REST | detail |", "|---|---|---|---|"]
        out += [f"| `{t.name}` | {t.database} | {t.rest} | {t.detail.replace('|', '/')} |"
                for t in report.tables]
        out.append("")
    if report.applied:
        out.append("**Applied:** " + ", ".join(
            f"`{a.version}_{a.name}` ({a.ms:.0f} ms)" for a in report.applied))
        out.append("")
    if report.pending:
        out.append("**Pending:** " + ", ".join(f"`{v}`" for v in report.pending))
        out.append("")
    for plan in report.planned:
        out.append(f"<details><summary>{plan.version}_{plan.name}: creates "
                   f"{len(plan.creates)} objects</summary>\n")
        out += [f"- {c}" for c in plan.creates] + [f"- ⚠️ {w}" for w in plan.warnings]
        out.append("\n</details>\n")
    for p in report.problems:
        if p.level == "error":
            out.append(f"- ❌ {p.message}")
    if report.timings:
        out.append("")
        out.append("Timings: " + ", ".join(f"{k} {v:.0f} ms" for k, v in report.timings.items()))
    return "\n".join(out) + "\n"


def _append(path_var: str, text: str) -> None:
    path = os.environ.get(path_var)
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(text)


def write_report_file(report: Report) -> Path:
    directory = Path(os.environ.get("RUNNER_TEMP") or tempfile.gettempdir())
    path = directory / f"toolkit-{report.command}-report.json"
    path.write_text(json.dumps(report.to_dict(), indent=2), encoding="utf-8")
    return path


def emit_github(report: Report, settings: Settings | None, stream: TextIO) -> None:
    secrets = settings.secrets if settings else []
    for line in annotation_lines(report, secrets):
        stream.write(line + "\n")
    stream.flush()
    _append("GITHUB_STEP_SUMMARY", redact(summary_markdown(report), secrets))
    report_path = write_report_file(report)
    outputs = {
        "status": report.status,
        "missing": ",".join(report.missing),
        "applied": ",".join(a.version for a in report.applied),
        "report": str(report_path),
    }
    _append("GITHUB_OUTPUT", "".join(f"{k}={v}\n" for k, v in outputs.items()))
