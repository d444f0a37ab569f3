"""action.yml: the inputs and outputs the docs promise (and the code writes), no script
injection, actions pinned by SHA, an install from the committed lock that leaves the workspace
alone, and its scripts run for real (bash, the installed toolkit, a real database) as the runner
would run them. Read with PyYAML (dev extra).
"""

from __future__ import annotations

import ast
import json
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
          "python-version", "comment-on-pr", "github-token"}
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
    page = (ROOT / "docs" / "action.md").read_text(encoding="utf-8")
    for name in OUTPUTS:
        assert f"`{name}`" in page, f"docs/action.md does not name the output {name}"
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


# The steps' scripts, run by bash as the runner does (`bash -e {0}`), against a real database.

def _script(action: dict[str, Any], step: str = "toolkit") -> str:
    return str(next(s for s in action["runs"]["steps"] if s.get("id") == step)["run"])


def run_step(action: dict[str, Any], tmp: Path, inputs: dict[str, str],
             env: dict[str, str] | None = None, cwd: Path = ROOT,
             step: str = "toolkit") -> tuple[int, str, dict[str, str]]:
    toolkit = Path(sys.executable).parent / "toolkit"
    if not toolkit.exists():
        pytest.skip("the toolkit console script is not installed in this Python's bin folder")
    script = tmp / f"{step}.sh"
    script.write_text(_script(action, step))
    output, summary = tmp / f"{step}-output.txt", tmp / f"{step}-summary.md"
    output.write_text("")
    summary.write_text("")
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("SUPABASE_", "TOOLKIT_", "GITHUB_", "INPUT_", "RUNNER_"))}
    base |= {"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": str(output),
             "GITHUB_STEP_SUMMARY": str(summary), "RUNNER_TEMP": str(tmp), "RUNNER_OS": "Linux",
             "RUNNER_ARCH": "X64", "GITHUB_WORKSPACE": str(ROOT), "GITHUB_ACTION_PATH": str(ROOT),
             "GITHUB_REPOSITORY": "octo/project", "TOOLKIT_BIN": str(toolkit),
             "PYTHON": sys.executable}
    # Each step's env: block names the inputs it reads; an expression-free value is set as is.
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


# One contract for `status`: what the code can write is what action.yml, ACTION.md and every
# workflow condition name.

def statuses_the_code_writes() -> set[str]:
    """The second argument of every Verdict(...) and _make(...) in toolkit/judge/outcome.py, and the
    status the error path writes (toolkit/output/github.py)."""
    tree = ast.parse((ROOT / "toolkit" / "judge" / "outcome.py").read_text(encoding="utf-8"))
    found = {node.args[1].value for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
             and node.func.id in ("Verdict", "_make") and len(node.args) > 1
             and isinstance(node.args[1], ast.Constant)}
    errors = (ROOT / "toolkit" / "output" / "github.py").read_text(encoding="utf-8")
    found |= set(re.findall(r'"status": "(\w+)"', errors))
    return {str(v) for v in found}


def test_status_values_are_one_contract(action: dict[str, Any]) -> None:
    code = statuses_the_code_writes()
    assert {"ok", "pending", "incomplete", "failed"} <= code, code
    documented = set(re.findall(r"`(\w+)`", action["outputs"]["status"]["description"]))
    assert documented == code, "action.yml's status description"
    row = next(line for line in DOC.read_text(encoding="utf-8").splitlines()
               if line.startswith("| `status` |"))
    assert set(re.findall(r"`(\w+)`", row.split("|")[2])) - {"plan", "check", "apply",
                                                              "verify"} == code
    # Every condition or test on the output, in the docs and the workflows, names a real value.
    texts = [DOC.read_text(encoding="utf-8")] + [
        p.read_text(encoding="utf-8") for p in (ROOT / ".github" / "workflows").glob("*.yml")]
    compared = [v for t in texts for v in re.findall(r"outputs\.status\s*[!=]=\s*'(\w+)'", t)]
    compared += [v for t in texts for v in re.findall(r'_STATUS"\s*!?=\s*(\w+)', t)]
    assert compared and set(compared) <= code, compared


def test_the_outputs_are_what_the_code_writes(action: dict[str, Any], db: str,
                                              tmp_path: Path) -> None:
    """A real run's $GITHUB_OUTPUT, success and error path, holds exactly action.yml's outputs
    (plus the step's own `summary`, which comment-on-pr reads)."""
    code, log, out = run_step(action, tmp_path, {"command": "plan", "db-url": db})
    assert code == 0, log
    assert set(out) - {"summary"} == set(action["outputs"]) == OUTPUTS
    assert out["status"] == "pending"
    code, log, out = run_step(action, tmp_path, {"command": "check"},
                              env={"SUPABASE_DB_URL": "postgresql://u:pw@127.0.0.1:1/x"})
    assert code == 2, log
    assert set(out) - {"summary"} == OUTPUTS
    assert out["status"] == "failed"


# Supply chain: third-party actions by commit SHA, checkouts without a persisted token.

def every_uses() -> list[tuple[str, str]]:
    found = [("action.yml", str(s["uses"])) for s in yaml.safe_load(
        ACTION.read_text(encoding="utf-8"))["runs"]["steps"] if "uses" in s]
    for path in sorted((ROOT / ".github" / "workflows").glob("*.yml")):
        for job in yaml.safe_load(path.read_text(encoding="utf-8"))["jobs"].values():
            found += [(path.name, str(s["uses"])) for s in job.get("steps", []) if "uses" in s]
    for used in re.findall(r"uses: (\S+)", DOC.read_text(encoding="utf-8")):
        found.append((DOC.name, used))
    return found


def test_third_party_actions_are_pinned_by_commit_sha() -> None:
    uses = every_uses()
    assert len(uses) > 10
    for where, used in uses:
        if used.startswith("./") or used.startswith("OWNER/toolkit@"):
            continue  # this repository's own action
        assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", used), (where, used)
    # Each pinned SHA says its release beside it, and one action is pinned to one SHA.
    texts = [ACTION.read_text(encoding="utf-8"), DOC.read_text(encoding="utf-8")] + [
        p.read_text(encoding="utf-8") for p in (ROOT / ".github" / "workflows").glob("*.yml")]
    pins: dict[str, set[str]] = {}
    for text in texts:
        for name, sha, tag in re.findall(r"uses: ([\w.-]+/[\w.-]+)@([0-9a-f]{40})( # v[\d.]+)?",
                                         text):
            assert tag, f"{name}@{sha} without its release tag in a comment"
            pins.setdefault(name, set()).add(sha)
    assert all(len(shas) == 1 for shas in pins.values()), pins


def test_checkouts_do_not_persist_the_token() -> None:
    steps = []
    for path in sorted((ROOT / ".github" / "workflows").glob("*.yml")):
        for job in yaml.safe_load(path.read_text(encoding="utf-8"))["jobs"].values():
            steps += [s for s in job.get("steps", [])
                      if str(s.get("uses", "")).startswith("actions/checkout@")]
    assert steps
    for step in steps:
        assert step.get("with", {}).get("persist-credentials") is False, step
    doc = DOC.read_text(encoding="utf-8")
    assert doc.count("actions/checkout@") == doc.count("persist-credentials: false")


# The other steps' scripts.

def test_other_runners_stop_at_once_with_one_line(action: dict[str, Any],
                                                  tmp_path: Path) -> None:
    assert action["runs"]["steps"][0]["id"] == "os"  # before anything is installed
    code, log, _ = run_step(action, tmp_path, {}, step="os")
    assert code == 0 and not log.strip(), log
    code, log, _ = run_step(action, tmp_path, {}, env={"RUNNER_OS": "macOS"}, step="os")
    assert code == 1
    assert log.strip().count("\n") == 0 and log.startswith("::error")
    assert "Linux runner" in log and "macOS" in log


def _shadow_key(action: dict[str, Any], tmp: Path, workspace: Path,
                inputs: dict[str, str]) -> tuple[str, str]:
    code, log, out = run_step(action, tmp, inputs, step="key", cwd=workspace,
                              env={"GITHUB_WORKSPACE": str(workspace)})
    assert code == 0, log
    assert out["shadow"].startswith(out["shadow-prefix"])
    return out["shadow"], out["shadow-prefix"]


def test_the_shadow_cache_is_keyed_on_the_project_and_its_files(
        action: dict[str, Any], tmp_path: Path) -> None:
    cache = next(s for s in action["runs"]["steps"] if s.get("name") == "Cache the shadow replay")
    assert cache["with"]["key"] == "${{ steps.key.outputs.shadow }}"
    assert cache["with"]["restore-keys"] == "${{ steps.key.outputs.shadow-prefix }}"
    key_env = next(s for s in action["runs"]["steps"] if s.get("id") == "key")["env"]
    assert key_env["INPUT_WORKING_DIRECTORY"] == "${{ inputs.working-directory }}"
    assert key_env["INPUT_MIGRATIONS_DIR"] == "${{ inputs.migrations-dir }}"
    ws = tmp_path / "ws"
    for project in ("a", "b"):
        shutil.copytree(ROOT / "supabase" / "migrations", ws / project / "supabase" / "migrations")
    shutil.copytree(ROOT / "supabase" / "migrations", ws / "a" / "db")
    a = _shadow_key(action, tmp_path, ws, {"working-directory": "a"})
    assert _shadow_key(action, tmp_path, ws, {"working-directory": "a"}) == a
    b = _shadow_key(action, tmp_path, ws, {"working-directory": "b"})
    other_dir = _shadow_key(action, tmp_path, ws, {"working-directory": "a",
                                                   "migrations-dir": "db"})
    assert len({a[1], b[1], other_dir[1]}) == 3  # three projects, three caches
    (ws / "a" / "supabase" / "migrations" / "20990101000000_more.sql").write_text(
        "create table more (id bigint primary key);\n")
    changed = _shadow_key(action, tmp_path, ws, {"working-directory": "a"})
    assert changed[1] == a[1] and changed[0] != a[0]  # same project, new files: a new key


FAKE_GH = '''#!/usr/bin/env python3
"""fake_gh: a stand-in for the GitHub CLI's `gh api` (no GitHub here). Keeps the comments
in a JSON file and appends every call to a log."""
import json, os, sys
store = os.environ["FAKE_GH_STORE"]
comments = json.load(open(store)) if os.path.exists(store) else []
args = sys.argv[1:]
with open(store + ".log", "a") as log:
    log.write(json.dumps(args) + "\\n")
method = args[args.index("--method") + 1] if "--method" in args else "GET"
path = next(a for a in args[1:] if a.startswith("repos/"))
if os.environ.get("FAKE_GH_DENY"):
    print("HTTP 403: Resource not accessible by integration", file=sys.stderr)
    sys.exit(1)
if method == "GET":
    marker = os.environ["MARKER"]
    found = [c["id"] for c in comments if c["body"].startswith(marker)]
    print(found[0] if found else "")
    sys.exit(0)
body = json.load(sys.stdin if args[args.index("--input") + 1] == "-"
                 else open(args[args.index("--input") + 1]))["body"]
if method == "POST":
    comments.append({"id": 100 + len(comments), "body": body})
else:
    cid = int(path.rsplit("/", 1)[1])
    next(c for c in comments if c["id"] == cid)["body"] = body
json.dump(comments, open(store, "w"))
print("https://github.com/" + path)
'''


def test_comment_on_pr_keeps_one_comment_up_to_date(action: dict[str, Any],
                                                    tmp_path: Path) -> None:
    step = next(s for s in action["runs"]["steps"] if s.get("id") == "comment")
    assert "inputs.comment-on-pr == 'true'" in step["if"]
    assert "github.event.pull_request.number" in step["if"] and "!cancelled()" in step["if"]
    assert step["env"]["GH_TOKEN"] == "${{ inputs.github-token }}"
    assert action["inputs"]["github-token"]["default"] == "${{ github.token }}"
    assert action["inputs"]["comment-on-pr"]["default"] == "false"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "gh").write_text(FAKE_GH)
    (bin_dir / "gh").chmod(0o755)
    store = tmp_path / "comments.json"
    json.dump([{"id": 7, "body": "a reviewer's own comment"}], store.open("w"))
    summary = tmp_path / "toolkit-summary-plan.md"
    env = {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "FAKE_GH_STORE": str(store),
           "GH_TOKEN": "t", "PR_NUMBER": "12", "SUMMARY": str(summary)}
    for plan in ("### toolkit plan: pending\n\nfirst push\n", "### toolkit plan: ok\n\nsecond\n"):
        summary.write_text(plan)
        code, log, _ = run_step(action, tmp_path, {"command": "plan"}, env=env, step="comment")
        assert code == 0, log
    comments = json.loads(store.read_text())
    assert [c["id"] for c in comments] == [7, 101]  # one comment of ours, edited in place
    ours = comments[1]["body"]
    assert ours.startswith("<!-- toolkit comment-on-pr: plan . -->\n")
    assert ours.endswith("second\n") and "first push" not in ours
    calls = [json.loads(line) for line in (tmp_path / "comments.json.log").read_text().splitlines()]
    assert [c[c.index("--method") + 1] if "--method" in c else "GET" for c in calls] == [
        "GET", "POST", "GET", "PATCH"]
    assert "repos/octo/project/issues/comments/101" in calls[-1]
    # Another project in the same pull request gets its own comment.
    code, log, _ = run_step(action, tmp_path, {"command": "plan", "working-directory": "apps/x"},
                            env=env, step="comment")
    assert code == 0, log
    assert len(json.loads(store.read_text())) == 3
    # A token that may not comment (a fork): a warning, never a failed step.
    code, log, _ = run_step(action, tmp_path, {"command": "plan"},
                            env=env | {"FAKE_GH_DENY": "1"}, step="comment")
    assert code == 0, log
    assert "::warning" in log and "pull-requests: write" in log
