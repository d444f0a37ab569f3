"""toolkit's own .sql files sent in pipeline mode (one statement a message) are split without a
parser: the split must agree with PostgreSQL's grammar (pglast), statement for statement."""

from __future__ import annotations

import re
from pathlib import Path

import pglast
import pytest

from toolkit.db.sqlfiles import load_sql, load_statements

TOOLKIT = Path(__file__).resolve().parents[2] / "toolkit"
SPLIT = sorted({m for path in TOOLKIT.rglob("*.py")
                for m in re.findall(r'load_statements\("([a-z_]+\.sql)"\)', path.read_text())})


def test_the_pipelined_files_are_found() -> None:
    assert "apply_prelude.sql" in SPLIT and "apply_session_reset.sql" in SPLIT


@pytest.mark.parametrize("name", SPLIT)
def test_split_agrees_with_the_grammar(name: str) -> None:
    ours = load_statements(name)
    theirs = [s.strip() for s in pglast.split(load_sql(name).replace("{", "_").replace(
        "}", "_"))]
    assert len(ours) == len(theirs), (ours, theirs)
    for text in ours:
        assert len(pglast.split(text.replace("{", "_").replace("}", "_"))) == 1, text
