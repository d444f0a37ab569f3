"""A second fresh database beside the `db` fixture's, for the psql side of each comparison."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from toolkit.local import LocalStack, create_database, drop_database


@pytest.fixture
def psql_db(stack: LocalStack) -> Iterator[str]:
    """Name of a fresh Supabase-shaped database, cloned from the same template as `db`."""
    name = f"p_{uuid.uuid4().hex[:12]}"
    create_database(stack, name)
    try:
        yield name
    finally:
        drop_database(stack, name)
