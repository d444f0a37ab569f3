"""A real local stack per test session (real processes, no mocks)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from toolkit.local import LocalStack, start, stop


def new_state_dir(prefix: str) -> Path:
    # Not pytest's tmp_path: /tmp/pytest-of-root is 0700, and as root the cluster runs as an
    # unprivileged user that must be able to reach its data directory.
    path = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    os.chmod(path, 0o711)
    return path


@pytest.fixture(scope="session")
def stack() -> Iterator[LocalStack]:
    state_dir = new_state_dir("toolkit-local-")
    try:
        yield start(state_dir)
    finally:
        stop(state_dir)
        shutil.rmtree(state_dir, ignore_errors=True)


@pytest.fixture
def other_state_dir() -> Iterator[Path]:
    state_dir = new_state_dir("toolkit-local-b-")
    try:
        yield state_dir
    finally:
        stop(state_dir)
        shutil.rmtree(state_dir, ignore_errors=True)
