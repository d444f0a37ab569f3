"""A run's outcome, computed once from the finished report: the exit code, the status, the
verdict line, and every reason behind a non-zero exit. The text, JSON and GitHub renderers only
read it. A green verdict is earned: unknown is never ok, and a non-zero exit always comes with
its reason.

Commands record most failures as findings; what they leave implicit (a table a view finds
missing, forbidden or unanswered, an unmet precondition, a failed functional check) becomes a
line of the outcome's own (`reasons`, findings of kind "reason": restatements, which the
verdict does not count again), grouped so twelve tables are not twelve lines. The report
itself is never changed: the report a command returns is the one printed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from toolkit.errors import ExitCode
from toolkit.judge.mode import Mode, mode_of
from toolkit.output.report import Finding, Report, TableResult
from toolkit.words import plural

# Errors of these kinds mean a migration failed or was refused, not just "not there yet".
FAILED_KINDS = {"migration", "refused", "shadow"}
Level = Literal["error", "warning", "notice"]


@dataclass(frozen=True)
class Verdict:
    code: int
    status: str  # ok | incomplete | failed | pending (plan): the Action's `status` output
    reason: str  # why the exit is not 0 ("" when it is)
    summary: str  # the last line of the text report

    @property
    def ok(self) -> bool:
        return self.code == ExitCode.OK


@dataclass(frozen=True)
class Outcome:
    """Everything a renderer says beyond the report's own fields."""

    command: str
    code: int
    status: str
    reason: str
    summary: str
    # The report's findings followed by the outcome's reasons: what every renderer lists.
    findings: tuple[Finding, ...]
    reasons: tuple[Finding, ...]
    # The findings, the tables and the plan, each located on its file, for GitHub annotations.
    annotations: tuple[Finding, ...]
    # plan: a table the pending files create is missing as expected, not an alarm.
    missing_expected: bool
    # apply: the summary says what it applied, "nothing" included.
    shows_applied: bool
    # rollback: the JSON report names what it undid.
    shows_rolled_back: bool

    @property
    def ok(self) -> bool:
        return self.code == ExitCode.OK


def outcome(report: Report) -> Outcome:
    """The one outcome of a finished report (an Assessment's report, or any command's)."""
    mode = mode_of(report.command)
    v = verdict(report)
    reasons = tuple(_reasons(report, v, mode))
    findings = (*report.problems, *reasons)
    return Outcome(report.command, v.code, v.status, v.reason, v.summary, findings, reasons,
                   tuple(_located(report, findings, mode)),
                   missing_expected=mode.answers_pending, shows_applied=mode.writes,
                   shows_rolled_back=mode.undoes)


# -- the verdict -----------------------------------------------------------------------------

def _names(tables: list[TableResult], limit: int = 4) -> str:
    names = [t.name for t in tables]
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def rest_ok(t: TableResult) -> bool:
    return t.rest_ok


def table_ok(t: TableResult) -> bool:
    return t.ok


def _table_reason(tables: list[TableResult], both_views: bool = False) -> str:
    parts: list[str] = []
    for state, word in (("missing", "missing"), ("drifted", "drifted"),
                        ("pending", "changed by a pending migration"),
                        ("unknown", "not judged")):
        hit = [t for t in tables if t.database == state and t.db_judged]
        if hit:
            parts.append(f"{plural(len(hit), 'table')} {word} ({_names(hit)})")
    for state, word in (("missing", "missing over REST"), ("forbidden", "forbidden over REST"),
                        ("unknown", "without a PostgREST answer")):
        hit = [t for t in tables if t.rest == state and t.database != "missing"]
        if hit:
            parts.append(f"{plural(len(hit), 'table')} {word} ({_names(hit)})")
    unseen = [t for t in tables if not t.db_judged and both_views]
    if unseen:
        parts.append(f"{plural(len(unseen), 'table')} not judged in the database: no database "
                     f"URL ({_names(unseen)}; set SUPABASE_DB_URL)")
    odd = [t for t in tables if t.disagreement and t.rest != "missing"]
    if odd:
        parts.append(f"REST and database disagree on {_names(odd)}")
    return "; ".join(parts)


def verdict(report: Report) -> Verdict:
    """Exit code, status, reason and summary line; `outcome` asks for it once per run."""
    mode = mode_of(report.command)
    counted = [t for t in report.tables if t.counts]
    present = sum(1 for t in counted if table_ok(t))
    tally = f"{present}/{len(counted)} tables present" if counted else ""
    errors = [e for e in report.errors if e.kind != "reason"]  # restatements, never counted
    unmet = [p for p in report.preconditions if not p.ok]
    failed = [e for e in errors if e.kind in FAILED_KINDS]
    if unmet:  # the cause comes first: a file the shadow cannot run without it follows
        return _make(ExitCode.PRECONDITION, "failed",
                     f"precondition unmet: {unmet[0].name}: {unmet[0].detail}", "NOT READY")
    if failed:
        return _make(ExitCode.INCOMPLETE, "failed", failed[0].message, "FAILED")
    if mode.answers_pending:
        if errors:
            return _make(ExitCode.INCOMPLETE, "incomplete", errors[0].message, "INCOMPLETE")
        if report.pending:
            listed = ", ".join(report.pending)
            what = f"{plural(len(report.pending), 'migration')} pending: {listed}"
            if report.exit_on_pending:
                return _make(ExitCode.PENDING, "pending", what, "PENDING")
            return Verdict(0, "pending", "", f"PLAN: {what} (exit 0)")
        return Verdict(0, "ok", "", "OK: nothing pending (exit 0)")
    # Tables outside this command's verdict (apply: not touched by its files) still count over
    # REST: an API that does not answer is never ok.
    bad = [t for t in report.tables if not (table_ok(t) if t.counts else rest_ok(t))]
    unseen = [t for t in report.tables if mode.both_views and t.counts and not t.db_judged]
    bad += [t for t in unseen if t not in bad]
    bad_objects = [] if mode.writes else \
        [o for o in report.objects if o.database in ("missing", "drifted")]
    failing = [f for f in report.functional if not f.ok]
    pending = report.pending if mode.counts_pending else []
    if bad or bad_objects or failing or pending or errors:
        reason = "; ".join(filter(None, [
            errors[0].message if errors else "",
            _table_reason(bad, both_views=mode.both_views),
            f"{plural(len(bad_objects), 'other object')} missing or drifted: "
            + ", ".join(f"{o.kind} {o.name}" for o in bad_objects[:4]) if bad_objects else "",
            f"functional test failed: {failing[0].name}: {failing[0].detail}" if failing else "",
            f"{plural(len(pending), 'migration')} pending: {', '.join(pending)}" if pending else "",
        ]))
        counts = _counts(report, mode, bad_objects, failing)
        if "," not in counts:  # every table ok: the counts alone would not say why
            counts += f"; {reason}"
        return Verdict(int(ExitCode.INCOMPLETE), "incomplete", reason,
                       f"INCOMPLETE: {counts} (exit 1)")
    done = tally or "done"
    if report.rolled_back:
        done = f"rolled back {report.rolled_back}"
    if mode.writes:
        shown = [t for t in report.tables if t.db_judged]
        ok = sum(1 for t in shown if table_ok(t))
        done = (f"applied {plural(len(report.applied), 'migration')}" if report.applied
                else "nothing pending") + (f"; {ok}/{len(shown)} tables present" if shown else "")
        if ok < len(shown):
            done += " (the others differ outside what this apply touched: see the warnings)"
    return Verdict(0, "ok", "", f"OK: {done} (exit 0)")


def _counts(report: Report, mode: Mode, bad_objects: Sequence[object],
            failing: Sequence[object]) -> str:
    """"11/12 tables ok, 1 forbidden over REST": counts that agree with the verdict."""
    tables = report.tables

    def fine(t: TableResult) -> bool:
        return (table_ok(t) and (t.db_judged or not mode.both_views)) or not t.counts

    parts = [f"{sum(1 for t in tables if fine(t))}/{len(tables)} tables ok"]
    for what, n in (
        ("missing", sum(1 for t in tables if t.database == "missing" or t.rest == "missing")),
        ("drifted", sum(1 for t in tables if t.database == "drifted" and t.counts)),
        ("changed by a pending migration", sum(1 for t in tables if t.database == "pending")),
        ("not judged", sum(1 for t in tables if t.database == "unknown" and t.db_judged)),
        ("not judged in the database", sum(1 for t in tables if not t.db_judged
                                           and mode.both_views)),
        ("forbidden over REST", sum(1 for t in tables if t.rest == "forbidden")),
        ("without a PostgREST answer", sum(1 for t in tables if t.rest == "unknown")),
    ):
        if n:
            parts.append(f"{n} {what}")
    if bad_objects:
        parts.append(f"{plural(len(bad_objects), 'other object')} missing or drifted")
    if failing:
        parts.append(f"{plural(len(failing), 'functional check')} failed")
    if report.pending and mode.counts_pending:
        parts.append(f"{plural(len(report.pending), 'migration')} pending")
    return ", ".join(parts)


def _make(code: int, status: str, reason: str, word: str) -> Verdict:
    return Verdict(int(code), status, reason, f"{word}: {reason} (exit {int(code)})")


# -- the reasons behind a non-zero exit ------------------------------------------------------

def _said(report: Report, name: str) -> bool:
    return any(name in p.message for p in report.problems if p.level == "error")


def _table_reasons(report: Report) -> list[str]:
    bad = [t for t in report.tables if not t.ok and not _said(report, t.name)]
    out: list[str] = []

    def names(tables: list[TableResult]) -> str:
        return ", ".join(t.name for t in tables)

    db_missing = [t for t in bad if t.database == "missing"]
    if db_missing:
        line = f"missing in the database: {names(db_missing)}"
        pending = sorted({t.created_by for t in db_missing if t.created_by in report.pending})
        if pending and all(t.created_by in report.pending for t in db_missing):
            line += f" ({', '.join(v for v in pending if v)} pending: toolkit apply creates them)"
        out.append(line)
    changing = [t for t in bad if t.database == "pending"]
    if changing:
        out.append(f"changed by a pending migration: {names(changing)} (toolkit apply changes "
                   "them)")
    unjudged = [t for t in bad if t.database == "unknown" and t.db_judged]
    if unjudged:
        out.append(f"not judged by the shadow database: {names(unjudged)} (see the warnings)")
    for t in (t for t in bad if t.database == "drifted"):
        diff = "; ".join(t.differences) or t.detail
        out.append(f"{t.name}: differs from what the migrations declare ({diff})")
    rest_missing = [t for t in bad if t.rest == "missing" and t.database != "missing"]
    if rest_missing:
        out.append(f"the API answers missing for: {names(rest_missing)}")
    forbidden = [t for t in bad if t.rest == "forbidden"]
    if forbidden:
        out.append(f"the service role may not read over REST: {names(forbidden)} (42501: "
                   "grant select on them to service_role)")
    unknown = [t for t in bad if t.rest == "unknown"]
    if unknown:
        first = unknown[0].detail.split("REST: ", 1)[-1]
        out.append(f"no PostgREST answer for: {names(unknown)} ({first})")
    return out


def _reasons(report: Report, v: Verdict, mode: Mode) -> list[Finding]:
    """A line for every reason behind a non-zero exit the report does not state already."""
    if v.code == ExitCode.OK or v.status == "pending":
        return []  # plan's pending files, listed on lines of their own, are its answer
    lines = [] if mode.answers_pending else _table_reasons(report)
    lines += [f"precondition {p.name}: {p.detail}" for p in report.preconditions
              if not p.ok and not _said(report, p.name)]
    lines += [f"functional test, {f.name}: {f.detail}" for f in report.functional if not f.ok]
    if not lines and not report.errors and not v.reason:
        lines.append(f"exit {v.code} without a recorded reason (a bug: please report it with "
                     "--json output)")
    return [Finding("error", line, kind="reason") for line in lines]


# -- located, for annotations on the files ---------------------------------------------------

def _located(report: Report, findings: Sequence[Finding], mode: Mode) -> list[Finding]:
    """The findings and what the tables, preconditions and plan say, each located by the
    fields the core filled in, without saying the same thing twice."""
    by_name = {t.name: t for t in report.tables}
    out: list[Finding] = []
    for p in findings:
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
    table_level: Level = "warning" if mode.answers_pending else "error"
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
    for version, tables in unapplied.items():
        listed = ", ".join(t.name for t in tables)
        file = tables[0].file
        name = Path(file).name if file else version
        if mode.answers_pending:
            problem = Finding("notice", f"{name} is pending: apply creates {listed}")
        else:
            problem = Finding(table_level, f"{name} is not applied: "
                              f"{plural(len(tables), 'table')} missing ({listed}); run "
                              "toolkit apply")
        if file:
            problem.file, problem.line = file, 1
        out.append(problem)
    for plan in report.planned:  # plan: what each pending file does, on the file itself
        if plan.version not in unapplied:
            out.append(Finding("notice", f"{Path(plan.file).name} is pending: apply creates "
                               + (", ".join(plan.tables) or plural(len(plan.creates), "object")),
                               file=plan.file, line=1))
        for note in plan.warnings:
            out.append(Finding("warning", note.message, file=plan.file, line=note.line))
    return out
