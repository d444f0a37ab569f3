"""What each command's judgement differs in, said once as traits: the judge, the outcome and
the renderers read these instead of comparing the command's name."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mode:
    name: str
    # plan: the pending files are its answer (exit 0, or 5 with --detailed-exitcode), a table
    # they create is missing as expected, and any error leaves the plan incomplete.
    answers_pending: bool = False
    # check, verify: pending files mean the database is not complete yet.
    counts_pending: bool = False
    # check: both views; a table the database view never saw is unknown there, never ok.
    both_views: bool = False
    # check, verify: the REST view beside the database's, and the drift fixes tried.
    observes: bool = False
    # apply: it writes. It refuses what the others warn about, its verdict rests on the
    # tables its files touched, and its summary says what it applied.
    writes: bool = False
    # plan and apply: what apply refuses is said as apply's refusal.
    before_apply: bool = False
    # rollback: the report says what it undid.
    undoes: bool = False


MODES = {m.name: m for m in (
    Mode("check", counts_pending=True, both_views=True, observes=True),
    Mode("verify", counts_pending=True, observes=True),
    Mode("plan", answers_pending=True, before_apply=True),
    Mode("apply", writes=True, before_apply=True),
    Mode("rollback", undoes=True),
)}


def mode_of(command: str) -> Mode:
    """The traits of a command; one without any (a new command) judges as verify does less
    the pending files, until it says otherwise here."""
    return MODES.get(command, Mode(command))
