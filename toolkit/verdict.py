"""The verdict, computed in one place from the report alone: exit code, status, the reason and
the summary line every renderer prints. A green verdict is earned: unknown is never ok, and a
non-zero exit always comes with its reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from toolkit.errors import ExitCode
from toolkit.report import Report, TableResult

# Errors of these kinds mean a migration failed or was refused, not just "not there yet".
FAILED_KINDS = {"migration", "refused", "shadow"}
PENDING_EXIT = ExitCode.PENDING


@dataclass(frozen=True)
class Verdict:
    code: int
    status: str  # ok | incomplete | failed | pending (plan): the Action's `status` output
    reason: str  # why the exit is not 0 ("" when it is)
    summary: str  # the last line of the text report

    @property
    def ok(self) -> bool:
        return self.code == ExitCode.OK


def _n(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else plural or word + 's'}"


def _names(tables: list[TableResult], limit: int = 4) -> str:
    names = [t.name for t in tables]
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def rest_ok(t: TableResult) -> bool:
    return t.rest in ("present", "skipped") and not t.disagreement


def table_ok(t: TableResult) -> bool:
    if t.db_judged and t.database != "present":
        return False
    return rest_ok(t)


def _table_reason(tables: list[TableResult]) -> str:
    parts: list[str] = []
    for state, word in (("missing", "missing"), ("drifted", "drifted"),
                        ("pending", "changed by a pending migration"),
                        ("unknown", "not judged")):
        hit = [t for t in tables if t.database == state and t.db_judged]
        if hit:
            parts.append(f"{_n(len(hit), 'table')} {word} ({_names(hit)})")
    for state, word in (("missing", "missing over REST"), ("forbidden", "forbidden over REST"),
                        ("unknown", "without a PostgREST answer")):
        hit = [t for t in tables if t.rest == state and t.database != "missing"]
        if hit:
            parts.append(f"{_n(len(hit), 'table')} {word} ({_names(hit)})")
    odd = [t for t in tables if t.disagreement and t.rest != "missing"]
    if odd:
        parts.append(f"REST and database disagree on {_names(odd)}")
    return "; ".join(parts)


def verdict(report: Report) -> Verdict:
    counted = [t for t in report.tables if t.counts]
    present = sum(1 for t in counted if table_ok(t))
    tally = f"{present}/{len(counted)} tables present" if counted else ""
    errors = report.errors
    unmet = [p for p in report.preconditions if not p.ok]
    failed = [e for e in errors if e.kind in FAILED_KINDS]
    if unmet:  # the cause comes first: a file the shadow cannot run without it follows
        return _make(ExitCode.PRECONDITION, "failed",
                     f"precondition unmet: {unmet[0].name}: {unmet[0].detail}", "NOT READY")
    if failed:
        return _make(ExitCode.INCOMPLETE, "failed", failed[0].message, "FAILED")
    if errors:
        return _make(ExitCode.INCOMPLETE, "incomplete", errors[0].message, "INCOMPLETE",
                     tally)
    if report.command == "plan":
        if report.pending:
            what = f"{_n(len(report.pending), 'migration')} pending: {', '.join(report.pending)}"
            if report.exit_on_pending:
                return _make(PENDING_EXIT, "pending", what, "PENDING")
            return Verdict(0, "pending", "", f"PLAN: {what} (exit 0)")
        return Verdict(0, "ok", "", "OK: nothing pending (exit 0)")
    # Tables outside this command's verdict (apply: not touched by its files) still count over
    # REST: an API that does not answer is never ok.
    bad = [t for t in report.tables if not (table_ok(t) if t.counts else rest_ok(t))]
    bad_objects = [o for o in report.objects if o.database in ("missing", "drifted")]
    if bad:
        return _make(ExitCode.INCOMPLETE, "incomplete", _table_reason(bad), "INCOMPLETE", tally)
    if bad_objects and report.command != "apply":
        o = bad_objects[0]
        return _make(ExitCode.INCOMPLETE, "incomplete",
                     f"{len(bad_objects)} other object(s) {o.database}: {o.kind} {o.name}"
                     + (f" ({o.detail})" if o.detail else ""), "INCOMPLETE", tally)
    failing = [f for f in report.functional if not f.ok]
    if failing:
        return _make(ExitCode.INCOMPLETE, "incomplete",
                     f"functional test failed: {failing[0].name}: {failing[0].detail}",
                     "INCOMPLETE", tally)
    if report.pending and report.command in ("check", "verify"):
        return _make(ExitCode.INCOMPLETE, "incomplete",
                     f"{_n(len(report.pending), 'migration')} pending: "
                     f"{', '.join(report.pending)}", "INCOMPLETE", tally)
    done = tally or "done"
    if report.command == "apply":
        shown = [t for t in report.tables if t.db_judged]
        ok = sum(1 for t in shown if table_ok(t))
        done = (f"applied {_n(len(report.applied), 'migration')}" if report.applied
                else "nothing pending") + (f"; {ok}/{len(shown)} tables present" if shown else "")
        if ok < len(shown):
            done += " (the others differ outside what this apply touched: see the warnings)"
    return Verdict(0, "ok", "", f"OK: {done} (exit 0)")


def _make(code: int, status: str, reason: str, word: str, tally: str = "") -> Verdict:
    head = f"{word}: {reason}"
    return Verdict(int(code), status, reason, f"{head} (exit {int(code)})")
