"""GitHub Actions mode: masks, annotations, the job summary and step outputs.

Active with GITHUB_ACTIONS=true or --format github. Masks go out before anything else; when
stdout carries JSON, everything here goes to stderr so stdout stays pure JSON.

Annotations carry `file=`/`line=`/`col=` relative to the repository root (GITHUB_WORKSPACE) so
they land on the migration file in a pull request. GitHub shows at most ten annotations of each
level per step: tables missing because their file is not applied yet are folded into one
annotation per file, and anything past the limit into one last line.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Literal, TextIO
from urllib.parse import unquote

from toolkit.output.report import Finding, Report, TableResult
from toolkit.redact import redact
from toolkit.settings import Settings
from toolkit.words import plural

Level = Literal["error", "warning", "notice"]
MAX_PER_LEVEL = 10  # GitHub keeps ten error and ten warning annotations per step


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_prop(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def secrets_of(settings: Settings | None) -> list[str]:
    """Every secret, also in its URL-decoded form (a password may be percent-encoded)."""
    out: list[str] = []
    for secret in settings.secrets if settings else []:
        for form in (secret, unquote(secret)):
            if form and form not in out:
                out.append(form)
    return out


def announce_masks(settings: Settings, fmt: str, stream: TextIO) -> None:
    """`::add-mask::` for each secret, before anything else is printed. Only on a runner
    (GITHUB_ACTIONS=true), whatever the format: there a mask costs nothing and covers later
    steps' logs too; anywhere else (`--format github` on a laptop, a log collector) the line
    would print the secret itself."""
    if os.environ.get("GITHUB_ACTIONS") != "true":
        return
    for secret in secrets_of(settings):
        for line in secret.splitlines() or [secret]:
            if line.strip():
                stream.write(f"::add-mask::{_escape_data(line)}\n")
    stream.flush()


def repo_path(path: str) -> str:
    """A path as GitHub wants it in an annotation: relative to the repository root
    (GITHUB_WORKSPACE), else to the working directory, else as given."""
    try:
        absolute = Path(path).resolve()
    except (OSError, RuntimeError):
        return path
    for base in (os.environ.get("GITHUB_WORKSPACE"), os.getcwd()):
        if not base:
            continue
        try:
            return absolute.relative_to(Path(base).resolve()).as_posix()
        except (ValueError, OSError):
            continue
    return path


def command_line(level: str, message: str, secrets: Iterable[str] = (), *,
                 file: str | None = None, line: int | None = None, col: int | None = None,
                 title: str | None = None) -> str:
    """One workflow command, `::error file=f,line=1,col=2,title=t::message`, escaped and
    redacted."""
    props = []
    if file:
        props.append(f"file={_escape_prop(repo_path(file))}")
        if line:
            props.append(f"line={int(line)}")
            if col:
                props.append(f"col={int(col)}")
    if title:
        props.append(f"title={_escape_prop(title)}")
    head = f"::{level} {','.join(props)}" if props else f"::{level}"
    return f"{head}::{_escape_data(redact(message, list(secrets)))}"


def _problems(report: Report) -> list[Finding]:
    """The report's findings and what its tables and preconditions say, each located by the
    fields the core filled in, without saying the same thing twice."""
    by_name = {t.name: t for t in report.tables}
    out: list[Finding] = []
    for p in report.problems:
        if p.level == "notice":
            continue
        file, line, col = p.file, p.line, p.col
        table = by_name.get(p.table or "")
        if not file and table is not None:  # drift: point at the table's CREATE TABLE
            file, line, col = table.file, table.line, None
        # Drift carries its fix as a field: the annotation shows it on a line of its own.
        message = f"{p.message}\nfix: {p.fix_sql}" if p.fix_sql and p.fix_tried else p.message
        out.append(Finding(p.level, message, file=file, line=line, col=col))
    said = " ".join(p.message for p in out)
    table_level: Level = "warning" if report.command == "plan" else "error"
    for pre in report.preconditions:
        if not pre.ok and f"{pre.name}: {pre.detail}" not in said:
            out.append(Finding("error", f"precondition {pre.name}: {pre.detail}"))
    for check in report.functional:
        if not check.ok:
            out.append(Finding("error", f"functional test {check.name}: {check.detail}"))
    pending = set(report.pending)
    unapplied: dict[str, list[TableResult]] = {}
    for t in report.tables:
        if t.created_by is None and t.database == "missing":
            continue  # a precondition table: said above
        if t.database == "missing" and t.created_by in pending:
            unapplied.setdefault(t.created_by, []).append(t)
            continue
        if t.database == "missing" or (t.database != "present" and t.rest == "missing"):
            what = "missing"
        elif t.rest == "forbidden":
            what = "not readable over REST (the API role lacks SELECT)"
        else:
            continue  # present, drifted (warned above) or missing over REST only (an error above)
        out.append(Finding(table_level, f"table {t.name} is {what} (database: {t.database}, "
                           f"REST: {t.rest})", file=t.file, line=t.line))
    planned = {p.version: p for p in report.planned}
    for version, tables in unapplied.items():
        listed = ", ".join(t.name for t in tables)
        file = tables[0].file
        name = Path(file).name if file else version
        if report.command == "plan":
            problem = Finding("notice", f"{name} is pending: apply creates {listed}")
        else:
            problem = Finding(table_level, f"{name} is not applied: "
                              f"{plural(len(tables), 'table')} missing ({listed}); run "
                              "toolkit apply")
        if file:
            problem.file, problem.line = file, 1
        out.append(problem)
    for plan in planned.values():  # plan: what each pending file does, on the file itself
        if plan.version not in unapplied:
            out.append(Finding("notice", f"{Path(plan.file).name} is pending: apply creates "
                               + (", ".join(plan.tables) or plural(len(plan.creates), "object")),
                               file=plan.file, line=1))
        for note in plan.warnings:
            out.append(Finding("warning", note.message, file=plan.file, line=note.line))
    return out


def annotation_lines(report: Report, secrets: list[str],
                     settings: Settings | None = None) -> list[str]:
    title = f"toolkit {report.command}"
    problems = _problems(report)
    lines: list[str] = []
    for level in ("error", "warning", "notice"):
        mine = [p for p in problems if p.level == level]
        shown = mine if len(mine) <= MAX_PER_LEVEL else mine[:MAX_PER_LEVEL - 1]
        lines += [command_line(level, p.message, secrets, file=p.file, line=p.line,
                               col=p.col, title=title) for p in shown]
        if len(shown) < len(mine):
            lines.append(command_line(level, f"{len(mine) - len(shown)} more: see the job "
                                      "summary or the JSON report", title=title))
    return lines


def _md(text: object) -> str:
    """Text safe inside a Markdown table cell (no pipes, no HTML, one line)."""
    return (str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("|", "\\|").replace("\r", " ").replace("\n", " "))


def summary_markdown(report: Report) -> str:
    from toolkit.judge.outcome import table_ok, verdict

    v = verdict(report)
    icon = {"ok": "✅", "incomplete": "⚠️", "failed": "❌", "pending": "📝"}.get(v.status, "")
    out = [f"### {icon} toolkit {report.command}: {v.status}", ""]
    if v.reason:
        out += [_md(v.reason), ""]
    if report.target:
        out += [" · ".join(f"{_md(k)}: `{_md(v)}`" for k, v in report.target.items()), ""]
    # What will change comes first (plan), then what stays.
    for plan in report.planned:
        out.append(f"**Pending {_md(plan.version)}_{_md(plan.name)}** (creates "
                   f"{plural(len(plan.creates), 'object')})\n")
        out += [f"- {_md(c)}" for c in plan.creates]
        out += [f"- ⚠️ {_md(w.message)}" for w in plan.warnings]
        out += [f"- ❌ {_md(w.message)}" for w in plan.non_transactional]
        out.append("")
    if report.preconditions:
        out += ["| precondition | ok | detail |", "|---|---|---|"]
        out += [f"| {_md(p.name)} | {'✅' if p.ok else '❌'} | {_md(p.detail)} |"
                for p in report.preconditions]
        out.append("")
    if report.tables:
        present = sum(1 for t in report.tables if table_ok(t))
        out += [f"**Tables:** {present}/{len(report.tables)} present", "",
                "| table | database | REST | detail |", "|---|---|---|---|"]
        out += [f"| `{_md(t.name)}` | {_state(t.database)} | {_state(t.rest)} | {_md(t.detail)} |"
                for t in report.tables]
        out.append("")
    functional = report.functional
    if functional:
        out += ["| functional test | ok | detail |", "|---|---|---|"]
        out += [f"| {_md(f.name)} | {'✅' if f.ok else '❌'} | {_md(f.detail)} |"
                for f in functional]
        out.append("")
    if report.applied:
        out.append("**Applied:**")
        out += [f"- `{_md(a.version)}_{_md(a.name)}` in {a.ms:.0f} ms "
                f"({plural(len(a.created), 'object')})"
                for a in report.applied]
        out.append("")
    elif report.command == "apply" and v.status != "failed":
        out += ["**Applied:** nothing", ""]
    if report.pending:
        out += ["**Pending:** " + ", ".join(f"`{_md(v)}`" for v in report.pending), ""]
    marks = {"error": "❌", "warning": "⚠️"}
    problems = [p for p in report.problems if p.level in marks]
    if problems:
        out += [f"- {marks[p.level]} {_md(p.message)}" for p in problems]
        out.append("")
    if report.notes:
        out += [f"- {_md(n)}" for n in report.notes]
        out.append("")
    if report.timings:
        out.append("Timings: " + ", ".join(f"{_md(k)} {v:.0f} ms"
                                           for k, v in report.timings.items()))
        out.append("")
    return "\n".join(out) + "\n"


def _state(state: str) -> str:
    mark = {"present": "✅", "missing": "❌", "drifted": "⚠️", "forbidden": "⛔"}.get(state)
    return f"{mark} {state}" if mark else state


def error_summary_markdown(command: str, message: str) -> str:
    return f"### ❌ toolkit {command}: failed\n\n{_md(message)}\n"


def _append(path_var: str, text: str) -> None:
    path = os.environ.get(path_var)
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(text)


def output_lines(outputs: Mapping[str, str]) -> str:
    """`name=value` lines for $GITHUB_OUTPUT; a value with a line break uses the
    `name<<delimiter` form with a delimiter that cannot occur in it."""
    parts = []
    for name, value in outputs.items():
        if "\n" in value or "\r" in value:
            delimiter = f"ghadelimiter_{uuid.uuid4()}"
            parts.append(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
        else:
            parts.append(f"{name}={value}\n")
    return "".join(parts)


def report_path(command: str) -> Path | None:
    """The JSON report's place in the runner's temp folder; None outside a runner, where
    GitHub mode (--format github on a laptop) must not leave files behind."""
    directory = os.environ.get("RUNNER_TEMP")
    return Path(directory) / f"toolkit-{command or 'run'}-report.json" if directory else None


def write_report_file(report: Report, secrets: Iterable[str] = ()) -> Path | None:
    path = report_path(report.command)
    if path is not None:
        path.write_text(redact(json.dumps(report.to_dict(), indent=2), list(secrets)) + "\n",
                        encoding="utf-8")
    return path


def emit_github(report: Report, settings: Settings | None, stream: TextIO) -> None:
    secrets = secrets_of(settings)
    for line in annotation_lines(report, secrets, settings):
        stream.write(line + "\n")
    stream.flush()
    _append("GITHUB_STEP_SUMMARY", redact(summary_markdown(report), secrets))
    path = write_report_file(report, secrets)
    from toolkit.judge.outcome import verdict

    outputs = {
        "status": verdict(report).status,
        "missing": ",".join(report.missing),
        "applied": ",".join(a.version for a in report.applied),
        "pending": ",".join(report.pending),
        "report": str(path or ""),
    }
    _append("GITHUB_OUTPUT", redact(output_lines(outputs), secrets))


def emit_github_error(message: str, *, code: int, command: str, settings: Settings | None,
                      location: Mapping[str, object] | None, stream: TextIO) -> None:
    """For a run that ended in an error before it had a report: the located `::error`, a
    summary, a JSON report and the outputs (status=failed), so later steps can still read them.
    Meant to be called from output.emit_error in GitHub mode."""
    secrets = secrets_of(settings)
    where = dict(location or {})
    line_no, col = where.get("line"), where.get("col")
    stream.write(command_line(
        "error", message, secrets, file=str(where["file"]) if where.get("file") else None,
        line=int(line_no) if isinstance(line_no, int) else None,
        col=int(col) if isinstance(col, int) else None, title=f"toolkit {command}") + "\n")
    stream.flush()
    _append("GITHUB_STEP_SUMMARY", redact(error_summary_markdown(command, message), secrets))
    path = report_path(command)
    body = {"command": command, "ok": False, "status": "failed", "exit_code": code,
            "error": message, **{k: v for k, v in where.items() if v}}
    if path is not None:
        path.write_text(redact(json.dumps(body, indent=2), secrets) + "\n", encoding="utf-8")
    _append("GITHUB_OUTPUT", output_lines({"status": "failed", "missing": "", "applied": "",
                                           "pending": "", "report": str(path or "")}))
