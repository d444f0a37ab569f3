"""A project folder of its own (supabase/migrations with the seed's migration and rollback),
for tests that write files or run toolkit from inside the project."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    for part in ("migrations", "rollbacks"):
        shutil.copytree(ROOT / "supabase" / part, root / "supabase" / part)
    return root
