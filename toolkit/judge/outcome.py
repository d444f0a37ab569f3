"""The verdict, computed in one place from the report alone: exit code, status, the reason and
the summary line every renderer prints. A green verdict is earned: unknown is never ok, and a
non-zero exit always comes with its reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from toolkit.errors import ExitCode
from toolkit.words import plural

if TYPE_CHECKING:  # report.to_dict() asks for the verdict: types only, no import cycle
    from toolkit.output.report import Report, TableResult

# Errors of these kinds mean a migration failed or was refused, not just "not there yet".
FAILED_KINDS = {"migration", "refused", "shadow"}


@dataclass(frozen=True)
class Verdict:
    code: int
    status: str  # ok | incomplete | failed | pending (plan): the Action's `status` output
    reason: str  # why the exit is not 0 ("" when it is)
    summary: str  # the last line of the text report

    @property
    def ok(self) -> bool:
        return self.code == ExitCode.OK



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
    counted = [t for t in report.tables if t.counts]
    present = sum(1 for t in counted if table_ok(t))
    tally = f"{present}/{len(counted)} tables present" if counted else ""
    errors = [e for e in report.errors if e.kind != "reason"]  # explain's restatements
    unmet = [p for p in report.preconditions if not p.ok]
    failed = [e for e in errors if e.kind in FAILED_KINDS]
    if unmet:  # the cause comes first: a file the shadow cannot run without it follows
        return _make(ExitCode.PRECONDITION, "failed",
                     f"precondition unmet: {unmet[0].name}: {unmet[0].detail}", "NOT READY")
    if failed:
        return _make(ExitCode.INCOMPLETE, "failed", failed[0].message, "FAILED")
    if errors and report.command == "plan":
        return _make(ExitCode.INCOMPLETE, "incomplete", errors[0].message, "INCOMPLETE")
    if report.command == "plan":
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
    # check is both views: a table the database view never saw is unknown there, never ok.
    unseen = [t for t in report.tables
              if report.command == "check" and t.counts and not t.db_judged]
    bad += [t for t in unseen if t not in bad]
    bad_objects = [o for o in report.objects if o.database in ("missing", "drifted")]
    if bad_objects and report.command == "apply":
        bad_objects = []
    failing = [f for f in report.functional if not f.ok]
    pending = report.pending if report.command in ("check", "verify") else []
    if bad or bad_objects or failing or pending or errors:
        reason = "; ".join(filter(None, [
            errors[0].message if errors else "",
            _table_reason(bad, both_views=report.command == "check"),
            f"{plural(len(bad_objects), 'other object')} missing or drifted: "
            + ", ".join(f"{o.kind} {o.name}" for o in bad_objects[:4]) if bad_objects else "",
            f"functional test failed: {failing[0].name}: {failing[0].detail}" if failing else "",
            f"{plural(len(pending), 'migration')} pending: {', '.join(pending)}" if pending else "",
        ]))
        counts = _counts(report, bad_objects, failing)
        if "," not in counts:  # every table ok: the counts alone would not say why
            counts += f"; {reason}"
        return Verdict(int(ExitCode.INCOMPLETE), "incomplete", reason,
                       f"INCOMPLETE: {counts} (exit 1)")
    done = tally or "done"
    if report.command == "rollback" and report.rolled_back:
        done = f"rolled back {report.rolled_back}"
    if report.command == "apply":
        shown = [t for t in report.tables if t.db_judged]
        ok = sum(1 for t in shown if table_ok(t))
        done = (f"applied {plural(len(report.applied), 'migration')}" if report.applied
                else "nothing pending") + (f"; {ok}/{len(shown)} tables present" if shown else "")
        if ok < len(shown):
            done += " (the others differ outside what this apply touched: see the warnings)"
    return Verdict(0, "ok", "", f"OK: {done} (exit 0)")


def _counts(report: Report, bad_objects: Sequence[object], failing: Sequence[object]) -> str:
    """"11/12 tables ok, 1 forbidden over REST": counts that agree with the verdict."""
    tables = report.tables
    def fine(t: TableResult) -> bool:
        return (table_ok(t) and (t.db_judged or report.command != "check")) or not t.counts

    parts = [f"{sum(1 for t in tables if fine(t))}/{len(tables)} tables ok"]
    for what, n in (
        ("missing", sum(1 for t in tables if t.database == "missing" or t.rest == "missing")),
        ("drifted", sum(1 for t in tables if t.database == "drifted" and t.counts)),
        ("changed by a pending migration", sum(1 for t in tables if t.database == "pending")),
        ("not judged", sum(1 for t in tables if t.database == "unknown" and t.db_judged)),
        ("not judged in the database", sum(1 for t in tables if not t.db_judged
                                           and report.command == "check")),
        ("forbidden over REST", sum(1 for t in tables if t.rest == "forbidden")),
        ("without a PostgREST answer", sum(1 for t in tables if t.rest == "unknown")),
    ):
        if n:
            parts.append(f"{n} {what}")
    if bad_objects:
        parts.append(f"{plural(len(bad_objects), 'other object')} missing or drifted")
    if failing:
        parts.append(f"{plural(len(failing), 'functional check')} failed")
    if report.pending and report.command in ("check", "verify"):
        parts.append(f"{plural(len(report.pending), 'migration')} pending")
    return ", ".join(parts)


def _make(code: int, status: str, reason: str, word: str) -> Verdict:
    return Verdict(int(code), status, reason, f"{word}: {reason} (exit {int(code)})")
