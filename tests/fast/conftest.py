"""The fast lane starts no service: a test here that asks for the session stack fails at once
instead of starting PostgreSQL and PostgREST."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def stack() -> None:
    pytest.fail("tests/fast runs with no service: test against a captured catalog instead")
