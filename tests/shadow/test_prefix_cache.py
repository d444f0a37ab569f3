"""The replay is cached per prefix of the files: plan reads the state at the applied/pending
boundary and at the end, so apply (same boundary) and the check after it (the boundary moved to
the end) start no replay of their own."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_toolkit


def test_plan_apply_check_share_one_replay(db: str, tmp_path: Path) -> None:
    env = {"SUPABASE_DB_URL": db, "TOOLKIT_CACHE_DIR": str(tmp_path / "cache")}
    runs = [run_toolkit(command, "--json", env=env) for command in ("plan", "apply", "check")]
    assert [r.code for r in runs] == [0, 0, 0], [r.output for r in runs]
    assert [r.json["shadow"]["cached"] for r in runs] == [False, True, True]
