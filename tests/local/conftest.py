"""A real local stack per test session (real processes, no mocks)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from toolkit.local import LocalStack, start, stop
from toolkit.local.paths import temp_state_dir as new_state_dir


@pytest.fixture(scope="session")
def stack() -> Iterator[LocalStack]:
    """Its own stack, not the suite's: these tests stop and restart stacks."""
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
