"""The fast lane's captured catalogs (tests/fast/fixtures) are what a replay on the shadow makes
today: a change to the inspect query or to those projects that is not recaptured fails here,
in the full suite, rather than leaving the fast lane judging catalogs PostgreSQL no longer
reports."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _capture_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("capture_catalogs",
                                                  ROOT / "scripts" / "capture-catalogs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CAPTURE = _capture_script()


def _comparable(doc: Any) -> Any:
    """As stored, without the server's minor release (another machine may run another)."""
    doc = json.loads(json.dumps(doc))
    for st in doc["states"]:
        st.pop("server_version")
    return doc


@pytest.mark.parametrize("project", CAPTURE.PROJECTS)
def test_the_fixture_is_what_a_replay_makes(project: str, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOOLKIT_CACHE_DIR", str(tmp_path))  # a replay, never a cached one
    stored = json.loads((CAPTURE.FIXTURES / f"{project}.json").read_text(encoding="utf-8"))
    assert _comparable(CAPTURE.capture(project)) == _comparable(stored), (
        f"tests/fast/fixtures/{project}.json is stale: run "
        ".venv/bin/python scripts/capture-catalogs.py")
