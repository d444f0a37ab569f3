"""The expected schema for a target: the shadow replay in the order the target will see the
files (applied ones first, then pending), with stand-ins copied from the target."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from toolkit.db.catalog import Catalog
from toolkit.db.waits import Limits
from toolkit.oracle import prefix
from toolkit.oracle.replay import Replay, expected
from toolkit.oracle.standins import StandIns, standins
from toolkit.output.report import Report
from toolkit.project.load import Project
from toolkit.settings import Settings
from toolkit.shape.managed import IMAGE_ONLY


@dataclass
class Oracle:
    replay: Replay
    stand: StandIns
    applied: list[str]  # versions replayed before the boundary
    pending: list[str]  # versions replayed after it
    adopt: list[str] = field(default_factory=list)  # pending, but applied by hand already


def build(settings: Settings, project: Project, target: Catalog | None,
          report: Report) -> Oracle:
    applied = target.applied_versions if target is not None and target.history_readable \
        else set()
    files = project.migrations.files
    done = [f.version for f in files if f.version in applied]
    todo = [f.version for f in files if f.version not in applied]
    order = project.pairs(done) + project.pairs(todo)
    stand = standins(project.analysis, target)
    start = time.perf_counter()
    pending = project.pairs(todo)
    candidates = prefix.candidates(pending, target) if target is not None and \
        target.history_readable else 0
    replay = expected(order, len(done), stand, target, settings.shadow_db_url,
                      settings.connect_timeout_s, Limits.of(settings), candidates=candidates)
    adopt: list[str] = []
    if candidates and target is not None:
        states = [replay.states[len(done) + j] for j in range(candidates + 1)]
        held = prefix.held(states, target, [*stand.copied, *stand.made], replay.unknown)
        if held:
            adopt = todo[:held]
            replay.before = states[held]
            prefix.explain(report, pending[:held], pending[held:])
    report.timings["shadow"] = (time.perf_counter() - start) * 1000
    report.shadow = {"origin": replay.origin, "major": replay.major, "cached": replay.cached,
                     "replay_seconds": round(replay.seconds, 3),
                     "replayed_files": replay.replayed}
    if target is not None and replay.major != target.major:
        report.warn(f"the shadow database is PostgreSQL {replay.major} but the target is "
                    f"{target.major}: deparsed definitions may differ between majors (point "
                    "TOOLKIT_SHADOW_DB_URL at a server of the target's major)", kind="shadow")
    wanted = settings.config.major_version
    if wanted is not None and replay.major != wanted and (target is None
                                                           or target.major == replay.major):
        report.warn(f"the shadow database is PostgreSQL {replay.major} but "
                    f"{settings.config.path} says [db] major_version = {wanted}: deparsed "
                    f"definitions may differ between majors (install postgresql-{wanted}, or "
                    "point TOOLKIT_SHADOW_DB_URL at a server of that major)", kind="shadow")
    if replay.stood_in:
        report.warn(stand_in_note(replay.stood_in), kind="shadow-limit")
    if stand.made and target is None:
        report.notes.append("no database URL: " + ", ".join(stand.made) + " stood in from "
                            "what the migrations reference")
    return Oracle(replay, stand, done + adopt, todo[len(adopt):], adopt)


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def stand_in_note(stood_in: list[str]) -> str:
    """One line for every stand-in, each extension named once: which exist only on Supabase's
    image, which this server lacks, and what is therefore not judged."""
    names = list(dict.fromkeys(stood_in))
    only = [n for n in names if n in IMAGE_ONLY]
    absent = [n for n in names if n not in IMAGE_ONLY]
    parts = []
    if only:
        verb = "exists" if len(only) == 1 else "exist"
        parts.append(f"{_listed(only)}, which {verb} only on Supabase's image")
    if absent:
        parts.append(f"{_listed(absent)}, which this server lacks")
    them, these = ("it", "the extension") if len(names) == 1 else ("them", "these extensions")
    return (f"the shadow database stood in for {', and for '.join(parts)}: the files that use "
            f"{them} replayed and what else they create is judged; what {these} do and return "
            "is not")
