"""The catalog model on captured catalogs: the inspect query's document parsed once into typed
objects and given back as it was (the replay cache and the Edge Function's bundle store that
form), and a cached state of another shape taken as a miss, never half-read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.fast.catalogs import FIXTURES, state
from toolkit import cache
from toolkit.db.catalog import Catalog
from toolkit.db.model import Column, Relation
from toolkit.oracle import replay


@pytest.mark.parametrize("fixture", sorted(p.stem for p in FIXTURES.glob("*.json")))
def test_every_captured_state_round_trips(fixture: str) -> None:
    states = json.loads((FIXTURES / f"{fixture}.json").read_text(encoding="utf-8"))["states"]
    for doc in states:
        cat = Catalog.from_json(doc)
        assert cat.to_json() == doc
        assert Catalog.from_json(cat.to_json()) == cat


def test_the_objects_are_typed_and_frozen() -> None:
    cat = Catalog.from_json(state("agent-road"))
    tasks = cat.relations["public.agent_tasks"]
    assert isinstance(tasks, Relation)
    title = next(c for c in tasks.columns if c.name == "title")
    assert isinstance(title, Column) and title.type == "text" and title.not_null
    assert any(k.type == "p" and k.columns == ("id",) for k in tasks.constraints)
    with pytest.raises(AttributeError):
        title.type = "varchar"  # type: ignore[misc]
    assert cat.major == cat.server_version // 10000


def test_history_states_round_trip() -> None:
    for history in (None, "forbidden", [], [{"version": "1", "name": "a", "statements": ["x"]}]):
        doc = {**state("agent-road", 0), "history": history}
        cat = Catalog.from_json(doc)
        assert cat.history_readable == (history != "forbidden")
        assert cat.to_json() == doc


def test_a_document_of_another_shape_is_refused() -> None:
    doc = state("agent-road")
    del doc["relations"]["public.agent_tasks"]["owner"]
    with pytest.raises(KeyError):
        Catalog.from_json(doc)


def test_a_cached_state_of_another_layout_is_a_miss(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOOLKIT_CACHE_DIR", str(tmp_path))
    good = {"catalog": state("agent-road"), "major": 15, "origin": "captured", "seconds": 0.1,
            "stood_in": [], "hosted_acl": None, "failures": []}
    cache.store("shadow-state", "good", good)
    loaded = replay._cached_states(["good"], [0])
    assert loaded is not None and loaded[0].catalog == Catalog.from_json(state("agent-road"))
    old = {**good, "catalog": {**state("agent-road"), "relations": {"public.t": {"kind": "r"}}}}
    cache.store("shadow-state", "old", old)
    assert replay._cached_states(["good", "old"], [0, 1]) is None
