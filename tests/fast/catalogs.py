"""The fast lane's fixtures: catalogs captured from real replays (scripts/capture-catalogs.py),
the projects' own files parsed in-process, and the judge run over them as the commands run it.

No server: a target is a captured catalog (a copy the test may change), the oracle is the
replay's captured states.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from toolkit.db.catalog import Catalog
from toolkit.judge import target as judge
from toolkit.oracle.replay import Failure, Replay
from toolkit.oracle.standins import StandIns, standins
from toolkit.output.report import Report
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


def judged(project: str, command: str, target_doc: dict[str, Any] | None,
           failures: list[Failure] | None = None) -> Judged:
    """The judge's steps in the order check/plan/verify run them (toolkit/assess.py): preconditions
    and history on the target, then the shadow's failures, then every relation."""
    migrations, analysis = _parsed(project)
    report = Report(command)
    cat = Catalog.from_json(target_doc) if target_doc is not None else None
    if cat is not None:
        judge.preconditions(report, analysis, cat)
        judge.history(report, analysis, migrations, cat)
    applied = cat.applied_versions if cat is not None and cat.history_readable else set()
    boundary = sum(1 for f in migrations.files if f.version in applied)
    captured = _captured(project)
    replay = Replay(before=Catalog.from_json(state(project, boundary)),
                    after=Catalog.from_json(state(project)), major=captured["major"],
                    origin="captured", failures=list(failures or []))
    stand = standins(analysis, cat)
    pending = {f.version for f in migrations.files if f.version not in applied}
    judge.shadow_failures(report, replay, pending, migrations)
    judge.relations(report, analysis, replay, stand, cat, before=replay.before,
                    after=replay.after)
    return Judged(report, stand, migrations, analysis)
