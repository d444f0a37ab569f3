"""action.yml: the inputs and outputs the docs promise, no script injection, an install from
the committed lock that leaves the workspace alone, and its main script run for real (bash, the
installed toolkit, a real database) as the runner would run it. Read with PyYAML (dev extra).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.actions.test_github_mode import VERSION, parse_outputs
from tests.conftest import NEW_TABLES, ROOT

ACTION = ROOT / "action.yml"
DOC = ROOT / ".github" / "ACTION.md"
INPUTS = {"command", "working-directory", "db-url", "supabase-url", "service-role-key",
          "migrations-dir", "lock-timeout", "statement-timeout", "enable-extensions", "args",
          "python-version"}
OUTPUTS = {"status", "missing", "applied", "pending", "report"}


@pytest.fixture(scope="module")
def action() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    return data


def test_inputs_and_outputs_are_the_documented_ones(action: dict[str, Any]) -> None:
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) == INPUTS
    assert set(action["outputs"]) == OUTPUTS
    assert action["inputs"]["command"]["default"] == "check"
    assert action["inputs"]["python-version"]["default"] == "3.11"
    assert action["inputs"]["enable-extensions"]["default"] == "false"
    for name in ("db-url", "supabase-url", "service-role-key"):
        assert action["inputs"][name]["default"] == "", name
        assert action["inputs"][name].get("required") in (None, False, "false"), name
    for name, spec in action["outputs"].items():
        assert spec["value"] == f"${{{{ steps.toolkit.outputs.{name} }}}}", name
        assert spec["description"]
    readme = (ROOT / "docs" / "action.md").read_text(encoding="utf-8")
    for name in OUTPUTS:
        assert f"`{name}`" in readme, f"docs/action.md does not name the output {name}"
    doc = DOC.read_text(encoding="utf-8")
    for name in INPUTS | OUTPUTS:
        assert f"| `{name}` |" in doc, f"{name} is not documented in {DOC.name}"


def test_no_input_is_spliced_into_a_script(action: dict[str, Any]) -> None:
    """Script injection: inputs reach `run:` only through `env:`."""
    used: set[str] = set()
    for step in action["runs"]["steps"]:
        script = step.get("run", "")
        assert "${{" not in script, f"expression inside the script of {step.get('name')!r}"
        for v in (step.get("env") or {}).values():
            used |= set(re.findall(r"inputs\.([\w-]+)", str(v)))
    text = ACTION.read_text(encoding="utf-8")
    assert set(re.findall(r"inputs\.([\w-]+)", text)) <= INPUTS
    secrets = {"db-url", "supabase-url", "service-role-key", "args", "command"}
    assert secrets <= used


def test_install_is_from_the_lock_and_cached_on_it(action: dict[str, Any]) -> None:
    steps = action["runs"]["steps"]
    uses = [s.get("uses", "") for s in steps]
    assert any(u.startswith("actions/setup-python@") for u in uses)
    cache = next(s for s in steps if s.get("uses", "").startswith("actions/cache@"))
    assert cache["with"]["key"] == "${{ steps.key.outputs.key }}"
    assert cache["with"]["path"] == "${{ steps.key.outputs.dir }}"
    key = next(s for s in steps if s.get("id") == "key")
    assert 'sha256sum "$GITHUB_ACTION_PATH/requirements/action.txt"' in key["run"]
    install = next(s for s in steps if s.get("id") == "install")
    assert install["env"]["WHEELS"] == "${{ steps.key.outputs.dir }}"  # what the cache keeps
    assert 'lock="$GITHUB_ACTION_PATH/requirements/action.txt"' in install["run"]
    pips = _pip_installs(install["run"])
    # A download of the lock's wheels (cache miss only), then two offline installs: every
    # dependency pinned and hash-checked from the lock's wheels, then toolkit itself with no
    # dependency resolution, no index and no build environment of its own.
    assert [p[p.index("--disable-pip-version-check") + 1] for p in pips] == [
        "download", "install", "install"], pips
    assert {"--require-hashes", "-r", "$lock", "-d", "$WHEELS"} <= set(pips[0])
    assert {"--require-hashes", "-r", "$lock", "--no-index", "--find-links", "$WHEELS"} <= set(
        pips[1])
    assert {"--no-deps", "--no-build-isolation", "--no-index"} <= set(pips[2])
    assert (ROOT / "requirements" / "action.txt").is_file()


def _pip_installs(script: str) -> list[list[str]]:
    """The argument lists of the script's pip commands, with "${pip[@]}" expanded."""
    joined = script.replace("\\\n", " ")
    prefix = re.search(r"^\s*pip=\((.*)\)\s*$", joined, re.M)
    assert prefix, "the install step names its pip command once, as pip=(...)"
    out = []
    for line in joined.splitlines():
        words = shlex.split(line.strip()) if line.strip().startswith('"${pip[@]}"') else []
        if words[1:2] in (["install"], ["download"]):
            out.append(shlex.split(prefix.group(1)) + words[1:])
    return out


def test_install_builds_toolkit_outside_the_workspace(action: dict[str, Any]) -> None:
    """For `uses: ./` the action's folder is the workspace: pip must build from a copy."""
    script = next(s for s in action["runs"]["steps"] if s.get("id") == "install")["run"]
    pips = _pip_installs(script)
    assert pips[2][-1] == "$src"
    assert re.search(r'\bsrc="\$tmp/toolkit-src"', script)
    assert re.search(r'\btmp="\$\{RUNNER_TEMP', script)
    assert re.search(r'cp -R "\$GITHUB_ACTION_PATH/pyproject.toml" .*"\$src/"', script.replace(
        "\\\n", " "))


# The main step's script, run by bash as the runner does (`bash -e {0}`), against a real database.

def _script(action: dict[str, Any]) -> str:
    return str(next(s for s in action["runs"]["steps"] if s.get("id") == "toolkit")["run"])


def run_step(action: dict[str, Any], tmp: Path, inputs: dict[str, str],
             env: dict[str, str] | None = None,
             cwd: Path = ROOT) -> tuple[int, str, dict[str, str]]:
    toolkit = Path(sys.executable).parent / "toolkit"
    if not toolkit.exists():
        pytest.skip("the toolkit console script is not installed in this Python's bin folder")
    script = tmp / "step.sh"
    script.write_text(_script(action))
    output, summary = tmp / "output.txt", tmp / "summary.md"
    output.write_text("")
    summary.write_text("")
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("SUPABASE_", "TOOLKIT_", "GITHUB_", "INPUT_"))}
    base |= {"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": str(output),
             "GITHUB_STEP_SUMMARY": str(summary), "RUNNER_TEMP": str(tmp),
             "GITHUB_WORKSPACE": str(ROOT), "TOOLKIT_BIN": str(toolkit)}
    defaults = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    for name, value in (defaults | inputs).items():
        base[f"INPUT_{name.upper().replace('-', '_')}"] = value
    base |= env or {}
    bash = shutil.which("bash")
    assert bash
    proc = subprocess.run([bash, "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                          env=base, cwd=cwd, capture_output=True, text=True, timeout=180)
    return proc.returncode, proc.stdout + proc.stderr, parse_outputs(output.read_text())


def test_step_falls_back_to_the_environment(action: dict[str, Any], db: str,
                                            tmp_path: Path) -> None:
    code, log, out = run_step(action, tmp_path, {"command": "check"},
                              env={"SUPABASE_DB_URL": db})
    assert code == 1, log
    assert out["status"] == "incomplete"
    assert sorted(out["missing"].split(",")) == sorted(NEW_TABLES)


def test_step_input_wins_and_args_pass_through(action: dict[str, Any], db: str,
                                               tmp_path: Path) -> None:
    code, log, out = run_step(
        action, tmp_path,
        {"command": "apply", "db-url": db, "lock-timeout": "3s", "enable-extensions": "true",
         "args": "--no-verify  --connect-timeout 20s"},
        env={"SUPABASE_DB_URL": "postgresql://nobody:wrong@127.0.0.1:1/none"})
    assert code == 0, log
    assert out["status"] == "ok"
    assert out["applied"] == VERSION
    assert Path(out["report"]).is_file()


def test_step_rejects_an_unknown_command(action: dict[str, Any], tmp_path: Path) -> None:
    code, log, out = run_step(action, tmp_path, {"command": "drop; rm -rf /"})
    assert code == 2
    assert "::error" in log
    assert out["status"] == "failed"


def test_step_reports_failed_when_toolkit_stops_before_a_report(
        action: dict[str, Any], tmp_path: Path) -> None:
    code, log, out = run_step(action, tmp_path, {"command": "check"},
                              env={"SUPABASE_DB_URL": "postgresql://u:secretpw@127.0.0.1:1/x"})
    assert code == 2, log
    assert out["status"] == "failed"
    assert "secretpw" not in log.replace("::add-mask::secretpw", "")


def test_step_runs_in_the_working_directory(action: dict[str, Any], db: str,
                                            tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(ROOT / "supabase" / "migrations", project / "supabase" / "migrations")
    code, log, out = run_step(action, tmp_path, {"command": "plan", "db-url": db},
                              cwd=project)
    assert code == 0, log  # plan is a review tool: pending is its normal answer
    assert out["status"] == "pending"
    assert out["pending"] == VERSION
