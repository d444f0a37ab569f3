"""The fast lane's fixtures: catalogs captured from real replays (scripts/capture-catalogs.py),
the projects' own files parsed in-process, and the judge run over them as the commands run it.

No server: a target is a captured catalog (a copy the test may change), the oracle is the
replay's captured states, and the judgement is assess()'s own (toolkit.assess.judge).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from toolkit.assess import Assessment, judge
from toolkit.db.catalog import Catalog
from toolkit.judge.mode import mode_of
from toolkit.oracle.expected import Oracle
from toolkit.oracle.replay import Failure, Replay
from toolkit.oracle.standins import StandIns, standins
from toolkit.output.report import Report
from toolkit.project.load import Project
from toolkit.project.migrations import MigrationSet, discover
from toolkit.project.model import Analysis
from toolkit.project.parse import analyse_file

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@cache
def _captured(project: str) -> dict[str, Any]:
    return dict(json.loads((FIXTURES / f"{project}.json").read_text(encoding="utf-8")))


def state(project: str, files: int | None = None) -> dict[str, Any]:
    """A copy of the shadow's catalog after the first `files` files (None: all of them)."""
    states = _captured(project)["states"]
    return copy.deepcopy(states[len(states) - 1 if files is None else files])


@cache
def _parsed(project: str) -> tuple[MigrationSet, Analysis]:
    migrations = discover(ROOT / "tests" / "projects" / project / "supabase" / "migrations")
    created: set[str] = set()
    return migrations, Analysis([analyse_file(f, created) for f in migrations.files])


def history_rows(project: str, files: int) -> list[dict[str, Any]]:
    """The history rows toolkit writes for the first `files` files (statements as recorded)."""
    migrations, analysis = _parsed(project)
    return [{"version": f.version, "name": f.name, "statements": list(a.recorded)}
            for f, a in zip(migrations.files[:files], analysis.files[:files], strict=True)]


def target(project: str, applied: int | None = None) -> dict[str, Any]:
    """A target that holds the first `applied` files (None: all), with their history rows."""
    n = len(_captured(project)["files"]) if applied is None else applied
    doc = state(project, n)
    doc["history"] = history_rows(project, n)
    return doc


@dataclass
class Judged:
    report: Report
    stand: StandIns
    migrations: MigrationSet
    analysis: Analysis
    assessment: Assessment


def project_of(name: str) -> Project:
    """A test project's files, parsed in-process as load_project parses them."""
    return Project(*_parsed(name))


def captured_oracle(project: str, failures: list[Failure] | None = None
                    ) -> Callable[[Catalog | None, Report], Oracle]:
    """The oracle assess() builds, from the captured replay states instead of a shadow: the
    boundary is where the target's history ends, as the replay's order puts it."""
    migrations, analysis = _parsed(project)

    def make(cat: Catalog | None, report: Report) -> Oracle:
        applied = cat.applied_versions if cat is not None and cat.history_readable else set()
        done = [f.version for f in migrations.files if f.version in applied]
        todo = [f.version for f in migrations.files if f.version not in applied]
        captured = _captured(project)
        replay = Replay(before=Catalog.from_json(state(project, len(done))),
                        after=Catalog.from_json(state(project)), major=captured["major"],
                        origin="captured",
                        failures=list(failures or []))
        return Oracle(replay, standins(analysis, cat), done, todo)

    return make


def judged(project: str, command: str, target_doc: dict[str, Any] | None,
           failures: list[Failure] | None = None, *, include_all: bool = False) -> Judged:
    """assess()'s judgement, in the mode `command`, of a captured target (None: no database
    URL) against the captured replay: the very steps the commands run, only without a server."""
    migrations, analysis = _parsed(project)
    cat = Catalog.from_json(target_doc) if target_doc is not None else None
    a = Assessment(mode_of(command), Report(command), Project(migrations, analysis), cat, None)
    judge(a, captured_oracle(project, failures), include_all=include_all)
    stand = a.oracle.stand if a.oracle is not None else standins(analysis, cat)
    return Judged(a.report, stand, migrations, analysis, a)
