"""The proof's comparison (toolkit.delta.catalogs) on catalogs captured from real replays:
a catalog equals itself, and each kind of change to a copy is one difference, named."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from toolkit.db.catalog import Catalog
from toolkit.delta.catalogs import differences, line

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def catalog(name: str = "views-functions") -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())["states"][-1]
    return doc


def parsed(doc: dict[str, Any]) -> Catalog:
    """The changes are made on the captured JSON; the comparison reads it parsed."""
    return Catalog.from_json(doc)


def test_a_catalog_equals_itself() -> None:
    for name in ("views-functions", "profiles-auth", "agent-road"):
        assert differences(parsed(catalog(name)), parsed(catalog(name))) == []


def test_each_change_is_named() -> None:
    want = catalog()
    have = copy.deepcopy(want)
    table = next(n for n, r in have["relations"].items() if r["kind"] == "r")
    have["relations"][table]["columns"].pop()
    fn = next(iter(have["functions"]))
    del have["functions"][fn]
    have["default_acl"] = have["default_acl"][1:]
    found = [line(d) for d in differences(parsed(want), parsed(have))]
    assert any(f.startswith(f"table {table}") or table in f for f in found), found
    assert f"function {fn}: missing" in found, found
    assert any(f.startswith("default privileges in schema public") for f in found), found
    extra = copy.deepcopy(want)
    extra["relations"]["public.stray"] = want["relations"][table]
    assert [line(d) for d in differences(parsed(want), parsed(extra))] == [
        "relation public.stray: not wanted (the other side has no such relation)"]
