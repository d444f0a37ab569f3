"""The shadow tests build their template in a cache of their own (the first test pays the
one-time build), never in the user's ~/.cache."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def shadow_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("shadow-cache")


@pytest.fixture(autouse=True)
def _private_cache(shadow_cache: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("XDG_CACHE_HOME", str(shadow_cache))
    yield
