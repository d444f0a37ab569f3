"""The workflows, read with PyYAML: CI installs the committed lock, and a weekly or manual job
installs the newest of everything instead, so a pin that rots is noticed. actionlint checks
the rest (`make lint`, scripts/lint-workflows.sh)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"


def load(path: Path) -> dict[str, Any]:
    raw: dict[Any, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    # YAML 1.1 reads the bare key `on` as the boolean true; GitHub reads it as "on".
    return {"on" if key is True else str(key): value for key, value in raw.items()}


def runs(job: dict[str, Any]) -> str:
    return "\n".join(str(step.get("run", "")) for step in job["steps"])


@pytest.mark.parametrize("path", sorted(WORKFLOWS.glob("*.yml")), ids=lambda p: p.name)
def test_every_workflow_is_a_workflow(path: Path) -> None:
    wf = load(path)
    assert wf["on"] and wf["jobs"], path.name
    for name, job in wf["jobs"].items():
        assert job.get("timeout-minutes"), f"{path.name}: job {name} has no timeout"


def test_ci_installs_the_lock() -> None:
    ci = load(WORKFLOWS / "ci.yml")
    for name in ("lint", "test"):
        job = ci["jobs"][name]
        python = next(s for s in job["steps"] if s.get("uses", "").startswith(
            "actions/setup-python@"))
        assert python["with"]["cache-dependency-path"] == "requirements/dev.txt", name
        assert "NEWEST" not in str(job.get("env", {})) + runs(job), name
    assert ci["jobs"]["test"]["env"]["TOOLKIT_TEST_OUTPUT_LOG"] in runs(ci["jobs"]["test"])


def test_newest_job_runs_weekly_and_by_hand_without_the_lock() -> None:
    wf = load(WORKFLOWS / "newest.yml")
    assert "workflow_dispatch" in wf["on"]
    (cron,) = [entry["cron"] for entry in wf["on"]["schedule"]]
    _minute, _hour, day_of_month, month, day_of_week = cron.split()
    assert (day_of_month, month) == ("*", "*") and day_of_week.isdigit(), cron  # weekly
    (job,) = wf["jobs"].values()
    assert job["env"]["NEWEST"] == "1"
    script = runs(job)
    assert "make .venv/.installed NEWEST=1" in script and "make test" in script
    assert "requirements/" not in script


def test_makefile_installs_the_lock_unless_newest() -> None:
    lines = (ROOT / "Makefile").read_text(encoding="utf-8").splitlines()
    start = lines.index("ifeq ($(NEWEST),1)")
    other = lines.index("else", start)
    end = lines.index("endif", other)
    newest, locked = "\n".join(lines[start:other]), "\n".join(lines[other:end])
    assert "requirements/" not in newest and "--upgrade" in newest
    assert "--require-hashes -r requirements/dev.txt" in locked
    assert "--no-deps" in locked


def test_ci_installs_the_wheel_three_ways() -> None:
    """scripts/install-check.sh is too slow for `make test` (about 2.5 minutes): CI runs it as
    its own job, and .ci/run before the tests (pytest closes the run)."""
    job = load(WORKFLOWS / "ci.yml")["jobs"]["install"]
    python = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/setup-python@"))
    assert python["with"]["python-version"] == "3.11"  # the oldest supported: its own pip
    assert "make install-check" in runs(job)
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "\ninstall-check: deps\n\tscripts/install-check.sh\n" in makefile
    assert "make install-check" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    script = (ROOT / "scripts" / "install-check.sh").read_text(encoding="utf-8")
    for way in ("-m ensurepip", "pipx\" install", "tool install"):
        assert way in script, way
    assert "--upgrade pip" not in script  # the stock pip, as Python 3.11 ships it
