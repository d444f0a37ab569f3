"""The report as a readable table for people."""

from __future__ import annotations

from typing import Any

from toolkit.output.progress import paint
from toolkit.output.report import Report
from toolkit.words import plural

_MARK = {True: "ok ", False: "!! "}
# ok / missing / drifted at a glance, on a terminal only (the caller decides).
_STATE_COLOUR = {"present": "green", "missing": "red", "drifted": "yellow", "forbidden": "red",
                 "unknown": "yellow", "error": "red"}


def _table(rows: list[list[str]], header: list[str], colour: bool = False,
           tones: dict[str, str] | None = None) -> list[str]:
    tones = tones or _STATE_COLOUR
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    lines = [fmt.format(*header).rstrip(), fmt.format(*("-" * w for w in widths))]
    for r in rows:
        # Pad first, then colour the state cells: escape codes must not skew the columns.
        cells = [c.ljust(w) for c, w in zip(r, widths, strict=True)]
        for i in (1, 2):
            state = r[i].strip()
            if state in tones:
                cells[i] = paint(r[i], tones[state], colour) + " " * (widths[i] - len(r[i]))
        lines.append("  ".join(cells).rstrip())
    return lines


def _mark(ok: bool, colour: bool) -> str:
    return paint(_MARK[ok], "green" if ok else "red", colour)


def render_text(report: Report, *, colour: bool = False) -> str:
    out: list[str] = []
    target = " | ".join(f"{k}: {v}" for k, v in report.target.items())
    out.append(f"toolkit {report.command}" + (f"  ({target})" if target else ""))
    if report.preconditions:
        out.append("")
        out.append("Preconditions")
        for p in report.preconditions:
            out.append(f"  {_mark(p.ok, colour)}{p.name:<10} {p.detail}")
    if report.functional:
        out.append("")
        out.append("Functional test (one transaction, rolled back)")
        for f in report.functional:
            out.append(f"  {_mark(f.ok, colour)}{f.name:<22} {f.detail}")
    if report.planned:
        out.append("")
        for plan in report.planned:
            out.append(f"Pending {plan.version}_{plan.name} ({plan.file})")
            out += [f"  + {c}" for c in plan.creates]
            name = plan.file.rsplit("/", 1)[-1]
            out += [f"  ! {name}:{w.line}: {w.message}" if w.line else f"  ! {w.message}"
                    for w in plan.warnings]
            out += [f"  x {name}:{w.line}: {w.message}" for w in plan.non_transactional]
    if report.applied:
        out.append("")
        for a in report.applied:
            out.append(f"Applied {a.version}_{a.name} in {a.ms:.0f} ms: {_kinds(a.kinds)}")
    if report.tables:
        out.append("")
        rows = [[t.name, t.database, t.rest, t.detail if len(t.detail) < 90
                 else t.detail[:87] + "..."] for t in report.tables]
        # In a plan, a table the pending files create is missing as expected: not an alarm.
        tones = {**_STATE_COLOUR, "missing": "yellow"} if report.command == "plan" else None
        out += _table(rows, ["table", "database", "rest", "detail"], colour, tones)
    if report.objects:
        out.append("")
        rows = [[f"{o.kind} {o.name}", o.database, o.detail if len(o.detail) < 90
                 else o.detail[:87] + "..."] for o in report.objects]
        out += _table(rows, ["object", "database", "detail"], colour)
    if report.shadow:
        sh = report.shadow
        out.append("")
        origin = str(sh.get("origin"))
        if "PostgreSQL" not in origin:
            origin += f" (PostgreSQL {sh.get('major')})"
        out.append(f"Shadow: {origin}, " + ("cached replay" if sh.get("cached") else
                                           f"replayed in {sh.get('replay_seconds', 0):.2f}s"))
    if report.pending and not report.planned:
        out.append("")
        out.append("Pending: " + ", ".join(report.pending))
    if report.fix_sql is not None:
        out += ["", *_fix_sql(report.fix_sql)]
    problems = [p for p in report.problems if p.level != "notice"]
    if problems or report.notes:
        out.append("")
    level_colour = {"error": "red", "warning": "yellow"}
    for finding in problems:
        out.append(f"{paint(finding.level, level_colour.get(finding.level, 'dim'), colour)}: "
                   f"{finding.message}")
        if finding.fix_sql and finding.fix_tried:  # tried on a shadow database, rolled back
            out.append(f"  fix: {finding.fix_sql};")
    out += [f"note: {n}" for n in report.notes]
    out.append("")
    summary = _summary(report)
    # Pending is a plan's answer, not an error: yellow like INCOMPLETE; red is for failures.
    tone = "green" if summary.startswith("OK") else "yellow" if summary.startswith(
        ("INCOMPLETE", "PLAN", "PENDING")) else "red"
    out.append(paint(summary, tone, colour))
    return "\n".join(out)


def _fix_sql(fix: dict[str, Any]) -> list[str]:
    if not fix.get("sql"):
        return ["Fix SQL: none (the engine finds nothing to change)"]
    return ["Fix SQL (what makes the database match its applied migrations; check never runs "
            "it):", *fix["sql"].rstrip("\n").splitlines()]


def _kinds(counts: dict[str, int]) -> str:
    """'11 tables, 17 foreign keys, ...': the full list is in --json and in plan."""
    return ", ".join(f"RLS on {plural(n, 'table')}" if k == "row level security"
                     else plural(n, k) for k, n in counts.items()) or "nothing new"


def _summary(report: Report) -> str:
    from toolkit.judge.outcome import verdict

    return verdict(report).summary
