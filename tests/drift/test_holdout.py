"""The held-out drift measure (bench/drift_holdout.py) as a test: its 83 hand edits, each on a
fresh clone, named with the right object and property (at least 80), every suggested fix
restoring a clean check without revoking what the migrations grant, the no-ops and the
default-privilege changes silent on every table and object. About 100 s on two cores."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.conftest import SHADOW
from toolkit.local import LocalStack

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import drift_holdout


def test_the_held_out_hand_edits(stack: LocalStack) -> None:
    assert len(drift_holdout.EDITS) == 83 and len(drift_holdout.NO_OPS) == 11
    summary = drift_holdout.run(stack, Path(SHADOW["TOOLKIT_CACHE_DIR"]), drift_holdout.EDITS)
    detail = "\n".join([*drift_holdout.problems(summary), summary.line()])
    assert summary.named >= 80, detail
    fixed, expected = summary.fixes
    assert expected > 50 and fixed == expected, detail
    assert summary.weakening == 0, detail
    assert len(summary.no_ops) == 11 and all(r.named for r in summary.no_ops), detail
    assert summary.default_privileges and all(r.named for r in summary.default_privileges), \
        detail
