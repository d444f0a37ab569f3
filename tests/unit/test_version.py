"""The version comes from the git tag (setuptools-scm) on every way a source reaches a build: a
clone with the tag, a clone without tags, GitHub's tarball of a tag (what `uses: OWNER/toolkit@v1`
downloads: .git_archival.txt filled in by export-subst), and a bare copy of the tree."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.version import Version

from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def scm_version(root: Path) -> str:
    proc = subprocess.run([sys.executable, "-m", "setuptools_scm", "-r", str(root),
                           "-c", str(root / "pyproject.toml")],
                          capture_output=True, text=True, timeout=60, cwd=root)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip().splitlines()[-1]


def git(*args: str, cwd: Path) -> str:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t", "PATH": "/usr/bin:/bin"}
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True,
                          env=env, timeout=60).stdout


def test_the_version_follows_the_tag_in_a_clone_a_tarball_and_a_copy(tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    git("clone", "--quiet", "--no-tags", str(ROOT), str(clone), cwd=tmp_path)
    untagged = Version(scm_version(clone))
    assert untagged.is_devrelease and untagged.local and untagged.local.startswith("g")

    git("tag", "-a", "v9.8.7", "-m", "release", cwd=clone)
    assert scm_version(clone) == "9.8.7"

    tarball = tmp_path / "tarball"
    tarball.mkdir()
    archive = subprocess.run(["git", "archive", "--format=tar", "v9.8.7"], cwd=clone,
                             check=True, capture_output=True, timeout=60).stdout
    subprocess.run(["tar", "-x", "-C", str(tarball)], input=archive, check=True, timeout=60)
    assert "$Format" not in (tarball / ".git_archival.txt").read_text(encoding="utf-8")
    assert scm_version(tarball) == "9.8.7"

    copy = tmp_path / "copy"
    copy.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(clone / name, copy / name)
    assert scm_version(copy) == "0.0"  # the fallback: no git, no filled-in archival file
