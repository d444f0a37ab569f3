"""A real local stack per test session (real processes, no mocks)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from toolkit.local import LocalStack, start, throwaway_state_dir


@pytest.fixture(scope="session")
def stack() -> Iterator[LocalStack]:
    """Its own stack, not the suite's: these tests stop and restart stacks."""
    with throwaway_state_dir("toolkit-local-") as state_dir:
        yield start(state_dir)


@pytest.fixture
def other_state_dir() -> Iterator[Path]:
    with throwaway_state_dir("toolkit-local-b-") as state_dir:
        yield state_dir
