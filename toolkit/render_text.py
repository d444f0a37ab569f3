"""The report as a readable table for people."""

from __future__ import annotations

from toolkit.report import Report

_MARK = {True: "ok ", False: "!! "}


def _table(rows: list[list[str]], header: list[str]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    lines = [fmt.format(*header).rstrip(), fmt.format(*("-" * w for w in widths))]
    lines += [fmt.format(*r).rstrip() for r in rows]
    return lines


def render_text(report: Report) -> str:
    out: list[str] = []
    target = " | ".join(f"{k}: {v}" for k, v in report.target.items())
    out.append(f"toolkit {report.command}" + (f"  ({target})" if target else ""))
    if report.preconditions:
        out.append("")
        out.append("Preconditions")
        for p in report.preconditions:
            out.append(f"  {_MARK[p.ok]}{p.name:<10} {p.detail}")
    if report.functional:
        out.append("")
        out.append("Functional test (one transaction, rolled back)")
        for f in report.functional:
            out.append(f"  {_MARK[f.ok]}{f.name:<22} {f.detail}")
    if report.planned:
        out.append("")
        for plan in report.planned:
            out.append(f"Pending {plan.version}_{plan.name} ({plan.file})")
            out += [f"  + {c}" for c in plan.creates]
            out += [f"  ! {w}" for w in plan.warnings]
            out += [f"  x {w}" for w in plan.non_transactional]
    if report.applied:
        out.append("")
        for a in report.applied:
            out.append(f"Applied {a.version}_{a.name} in {a.ms:.0f} ms: {_kinds(a.created)}")
    if report.tables:
        out.append("")
        rows = [[t.name, t.database, t.rest, t.detail if len(t.detail) < 90
                 else t.detail[:87] + "..."] for t in report.tables]
        out += _table(rows, ["table", "database", "rest", "detail"])
    if report.pending and not report.planned:
        out.append("")
        out.append("Pending: " + ", ".join(report.pending))
    problems = [p for p in report.problems if p.level != "notice"]
    if problems or report.notes:
        out.append("")
    out += [f"{p.level}: {p.message}" for p in problems]
    out += [f"note: {n}" for n in report.notes]
    out.append("")
    out.append(_summary(report))
    return "\n".join(out)


def _kinds(created: list[str]) -> str:
    """'11 tables, 17 foreign keys, ...': the full list is in --json and in plan."""
    counts: dict[str, int] = {}
    for line in created:
        kind = next((k for k in ("row level security", "foreign key") if line.startswith(k)),
                    line.split(" ", 1)[0])
        counts[kind] = counts.get(kind, 0) + 1
    plural = {"row level security": "RLS on {n} tables", "index": "{n} indexes"}
    return ", ".join(plural.get(k, "{n} " + k + ("s" if n != 1 else "")).format(n=n)
                     for k, n in counts.items()) or "nothing new"


def _summary(report: Report) -> str:
    """The last line. It never says OK with a non-zero exit, and its counts agree with the
    verdict: a table counts as ok only when every view that answered says so."""
    code = int(report.exit_code)
    if report.failed:
        return f"FAILED (exit {code})"
    if not report.preconditions_ok:
        return f"NOT READY: a precondition is unmet (exit {code})"
    total = len(report.tables)
    good = sum(1 for t in report.tables if t.ok)
    if report.ok and code == 0:
        return f"OK: {good}/{total} tables present (exit {code})" if total else f"OK (exit {code})"
    counts = {
        "missing": len(report.missing),
        "drifted": sum(1 for t in report.tables if t.database == "drifted"),
        "forbidden over REST": sum(1 for t in report.tables if t.rest == "forbidden"),
        "without a PostgREST answer": sum(1 for t in report.tables if t.rest == "unknown"),
    }
    parts = [f"{good}/{total} tables ok"] if total else []
    parts += [f"{n} {what}" for what, n in counts.items() if n]
    if report.pending and report.pending_is_incomplete:
        parts.append(f"{len(report.pending)} pending")
    failed_checks = sum(1 for f in report.functional if not f.ok)
    if failed_checks:
        parts.append(f"{failed_checks} functional check{'s' if failed_checks > 1 else ''} failed")
    if len(parts) <= 1:
        parts.append("see the errors above")
    return f"INCOMPLETE: {', '.join(parts)} (exit {code})"
