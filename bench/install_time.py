"""The Action's install step, timed: a fresh venv from requirements/action.txt, as a runner does it.

    .venv/bin/python bench/run.py --only install

The step's own script is taken from action.yml and run by bash with the runner's variables:
GITHUB_ACTION_PATH is a copy of the repository's tracked files, RUNNER_TEMP a scratch folder.
pip is cut off from this machine's configuration (PIP_CONFIG_FILE=/dev/null, no PIP_*
variables) so that it downloads from the index as a runner does. Run twice: first with no
wheel folder (a cache miss: the lock's wheels are downloaded, then installed), then again with
the folder the first run filled (what actions/cache restores on a hit: an install with
--no-index). pip's own cache starts empty and is not shared with the machine's. Afterwards
the action's folder must hold exactly the files it held before (no build/, no .egg-info), or
the benchmark stops. Last, for comparison, the step as it was before the lock (BEFORE).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import yaml

ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T")


def tracked_copy(target: Path) -> None:
    """The repository's tracked files as they are in the work tree (what a checkout holds)."""
    names = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True,
                           capture_output=True).stdout.decode().split("\0")
    for name in filter(None, names):
        src = ROOT / name
        if src.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target / name)


def files_under(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def install_script() -> str:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    return str(next(s for s in action["runs"]["steps"] if s.get("id") == "install")["run"])


# The step as it was before the lock, for comparison: the newest of every dependency resolved on
# each run, pip's HTTP cache as the only cache, toolkit built inside the action's folder.
BEFORE = """
venv="$RUNNER_TEMP/before-venv"
rm -rf "$venv"
"$PYTHON" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$GITHUB_ACTION_PATH"
"""


def measure(python: str, run: Callable[[list[str], dict[str, str], Path], T]
            ) -> tuple[T, T, T]:
    """(miss, hit, before) samples of the install step; `run(argv, env, cwd)` times one child.
    `before` runs last, with pip's cache as the miss left it (warm), in a copy of its own."""
    with tempfile.TemporaryDirectory(prefix="toolkit-install-") as tmp_name:
        tmp = Path(tmp_name)
        action, runner, cache = tmp / "action", tmp / "runner", tmp / "pip-cache"
        for folder in (action, runner, cache):
            folder.mkdir()
        tracked_copy(action)
        before = files_under(action)
        script = tmp / "install.sh"
        script.write_text(install_script())
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "GITHUB_"))}
        env |= {"PYTHON": python, "RUNNER_TEMP": str(runner), "GITHUB_ACTION_PATH": str(action),
                "GITHUB_OUTPUT": str(tmp / "output"), "PIP_CACHE_DIR": str(cache),
                "PIP_CONFIG_FILE": os.devnull, "PIP_DISABLE_PIP_VERSION_CHECK": "1",
                "WHEELS": str(runner / "toolkit-wheels")}  # the key step's `dir` output
        argv = ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)]
        cold = run(argv, env, action)
        warm = run(argv, env, action)
        left = files_under(action) - before
        old = tmp / "before"
        old.mkdir()
        tracked_copy(old)
        (tmp / "before.sh").write_text(BEFORE)
        earlier = run([*argv[:-1], str(tmp / "before.sh")],
                      env | {"GITHUB_ACTION_PATH": str(old)}, old)
        if left:
            raise SystemExit(f"the install step left files in the action's folder: {sorted(left)}")
        toolkit = runner / "toolkit-venv" / "bin" / "toolkit"
        version = subprocess.run([str(toolkit), "--version"], capture_output=True, text=True) \
            if toolkit.exists() else None
        if version is None or not version.stdout.startswith("toolkit "):
            raise SystemExit(f"the install step installed no working toolkit:\n{cold}\n{warm}")
        return cold, warm, earlier
