"""`command: diff` of action.yml, its step run by bash as the runner runs it: a pull request
whose supabase/schemas and migrations disagree fails with the SQL in the job summary; once the
migration is written, it passes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.actions.test_action_yml import ACTION, run_step
from tests.conftest import SHADOW, run_toolkit
from tests.delta.test_diff import DECLARED_NOTES, DECLARED_TAGS, NOTES, make_project
from toolkit.local import LocalStack


@pytest.fixture(scope="module")
def action() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    return data


def test_diff_fails_a_pull_request_until_the_migration_is_written(
        action: dict[str, Any], stack: LocalStack, tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", {"20260101000000_notes.sql": NOTES},
                           {"10_notes.sql": DECLARED_NOTES, "20_note_tags.sql": DECLARED_TAGS})
    code, log, out = run_step(action, tmp_path, {"command": "diff"}, env=dict(SHADOW),
                              cwd=project)
    assert code == 1, log
    assert out["status"] == "incomplete"
    assert "::error title=toolkit diff::INCOMPLETE: the migrations lack" in log
    summary = (tmp_path / "toolkit-summary.md").read_text(encoding="utf-8")
    assert "```sql" in summary and 'CREATE TABLE "public"."note_tags"' in summary, summary
    assert Path(out["report"]).is_file()

    assert run_toolkit("diff", "-f", "note_tags", cwd=project).code == 0
    code, log, out = run_step(action, tmp_path, {"command": "diff"}, env=dict(SHADOW),
                              cwd=project)
    assert code == 0, log
    assert out["status"] == "ok"
    assert "::error" not in log
