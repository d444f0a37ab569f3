"""action.yml: the inputs and outputs the docs promise, no script injection, and its main script
run for real (bash, the installed toolkit, a real database) as the runner would run it.

PyYAML is not a dependency, so the file is read with a small parser for the subset it uses
(mappings, block scalars, lists of mappings); with PyYAML installed the two must agree.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.actions.test_github_mode import VERSION, parse_outputs
from tests.conftest import NEW_TABLES, ROOT

ACTION = ROOT / "action.yml"
DOC = ROOT / ".github" / "ACTION.md"
INPUTS = {"command", "working-directory", "db-url", "supabase-url", "service-role-key",
          "migrations-dir", "lock-timeout", "statement-timeout", "enable-extensions", "args",
          "python-version"}
OUTPUTS = {"status", "missing", "applied", "pending", "report"}


def _scalar(text: str) -> str | bool:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return {"true": True, "false": False}.get(text, text)


def load_yaml_subset(text: str) -> Any:
    """Mappings, `- ` lists of mappings, `|`/`>-` block scalars, quoted and plain scalars."""
    raw_lines = text.splitlines()
    lines = [(len(raw) - len(raw.lstrip(" ")), raw.strip()) for raw in raw_lines]

    def skip(i: int) -> int:  # blank lines and comments between keys
        while i < len(lines) and (not lines[i][1] or lines[i][1].startswith("#")):
            i += 1
        return i

    def block(i: int, indent: int, folded: bool) -> tuple[str, int]:
        body: list[str] = []
        while i < len(lines) and (lines[i][0] > indent or not lines[i][1]):
            body.append(raw_lines[i])
            i += 1
        while body and not body[-1].strip():
            body.pop()
            i -= 1
        if not body:
            return "", i
        cut = min(len(b) - len(b.lstrip(" ")) for b in body if b.strip())
        parts = [b[cut:] for b in body]
        return (" ".join(p.strip() for p in parts) if folded else "\n".join(parts) + "\n"), i

    def value(i: int, indent: int, rest: str) -> tuple[Any, int]:
        if rest in ("|", "|-", ">", ">-"):
            return block(i, indent, rest.startswith(">"))
        if rest:
            return _scalar(rest), i
        i = skip(i)
        if i < len(lines) and lines[i][0] > indent:
            return node(i, lines[i][0])
        if i < len(lines) and lines[i][0] == indent and lines[i][1].startswith("- "):
            return node(i, indent)
        return None, i

    def node(i: int, indent: int) -> tuple[Any, int]:
        i = skip(i)
        if lines[i][1].startswith("- "):
            items = []
            while i < len(lines) and lines[i][0] == indent and lines[i][1].startswith("- "):
                # a list item is a mapping whose first key sits after "- "
                raw_lines[i] = " " * (indent + 2) + lines[i][1][2:]
                lines[i] = (indent + 2, lines[i][1][2:])
                item, i = node(i, indent + 2)
                items.append(item)
                i = skip(i)
            return items, i
        out: dict[str, Any] = {}
        while i < len(lines) and lines[i][0] == indent and not lines[i][1].startswith("- "):
            m = re.match(r"^([\w.-]+):(?:\s+(.*))?$", lines[i][1])
            assert m, f"unsupported YAML line: {lines[i][1]!r}"
            out[m.group(1)], i = value(i + 1, indent, (m.group(2) or "").strip())
            i = skip(i)
        return out, i

    return node(0, 0)[0]


@pytest.fixture(scope="module")
def action() -> dict[str, Any]:
    data: dict[str, Any] = load_yaml_subset(ACTION.read_text(encoding="utf-8"))
    try:
        import yaml
    except ImportError:
        return data
    assert yaml.safe_load(ACTION.read_text(encoding="utf-8")) == data
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
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in OUTPUTS:
        assert f"`{name}`" in readme, f"README does not name the output {name}"
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


def test_install_is_from_the_action_checkout_and_cached(action: dict[str, Any]) -> None:
    steps = action["runs"]["steps"]
    uses = [s.get("uses", "") for s in steps]
    assert any(u.startswith("actions/setup-python@") for u in uses)
    assert any(u.startswith("actions/cache@") for u in uses)
    install = next(s for s in steps if s.get("id") == "install")
    assert '"$GITHUB_ACTION_PATH"' in install["run"]
    key = next(s for s in steps if s.get("id") == "key")
    assert "$GITHUB_ACTION_PATH/pyproject.toml" in key["run"]


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
