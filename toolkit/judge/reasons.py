"""Every non-zero exit gets its reason on a line of its own.

Commands record most failures as problems; what they leave implicit (a table a view finds
missing, forbidden or unanswered, an unmet precondition, a failed functional check, pending
files for plan) is added here as error lines, grouped so twelve tables are not twelve lines.
Called once on the finished report, before it is rendered, so text, JSON and GitHub agree.
These lines are findings of kind "reason": restatements, which the verdict does not count again.
"""

from __future__ import annotations

from toolkit.errors import ExitCode
from toolkit.judge.outcome import verdict
from toolkit.output.report import Report, TableResult


def _names(tables: list[TableResult]) -> str:
    return ", ".join(t.name for t in tables)


def _said(report: Report, name: str) -> bool:
    return any(name in p.message for p in report.problems if p.level == "error")


def _table_reasons(report: Report) -> list[str]:
    bad = [t for t in report.tables if not t.ok and not _said(report, t.name)]
    out: list[str] = []
    db_missing = [t for t in bad if t.database == "missing"]
    if db_missing:
        line = f"missing in the database: {_names(db_missing)}"
        pending = sorted({t.created_by for t in db_missing if t.created_by in report.pending})
        if pending and all(t.created_by in report.pending for t in db_missing):
            line += f" ({', '.join(v for v in pending if v)} pending: toolkit apply creates them)"
        out.append(line)
    changing = [t for t in bad if t.database == "pending"]
    if changing:
        out.append(f"changed by a pending migration: {_names(changing)} (toolkit apply changes "
                   "them)")
    unjudged = [t for t in bad if t.database == "unknown" and t.db_judged]
    if unjudged:
        out.append(f"not judged by the shadow database: {_names(unjudged)} (see the warnings)")
    drifted = [t for t in bad if t.database == "drifted"]
    for t in drifted:
        diff = "; ".join(t.differences) or t.detail
        out.append(f"{t.name}: differs from what the migrations declare ({diff})")
    rest_missing = [t for t in bad if t.rest == "missing" and t.database != "missing"]
    if rest_missing:
        out.append(f"the API answers missing for: {_names(rest_missing)}")
    forbidden = [t for t in bad if t.rest == "forbidden"]
    if forbidden:
        out.append(f"the service role may not read over REST: {_names(forbidden)} (42501: "
                   "grant select on them to service_role)")
    unknown = [t for t in bad if t.rest == "unknown"]
    if unknown:
        first = unknown[0].detail.split("REST: ", 1)[-1]
        out.append(f"no PostgREST answer for: {_names(unknown)} ({first})")
    return out


def explain(report: Report) -> None:
    """Add an error line for every reason behind a non-zero exit not already stated."""
    v = verdict(report)
    if v.code == ExitCode.OK or v.status == "pending":
        return  # plan's pending files, listed on lines of their own, are its answer
    reasons = _table_reasons(report) if report.command != "plan" else []
    reasons += [f"precondition {p.name}: {p.detail}" for p in report.preconditions
                if not p.ok and not _said(report, p.name)]
    reasons += [f"functional test, {f.name}: {f.detail}" for f in report.functional if not f.ok]
    for reason in reasons:
        report.error(reason, kind="reason")
    if not any(p.level == "error" for p in report.problems) and not v.reason:
        report.error(f"exit {v.code} without a recorded reason (a bug: please report it with "
                     "--json output)", kind="reason")
