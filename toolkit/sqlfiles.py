"""Every statement toolkit sends lives in toolkit/sql/*.sql, loaded from the package."""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def load_sql(name: str) -> str:
    return resources.files("toolkit.sql").joinpath(name).read_text(encoding="utf-8")


def without_header(text: str) -> str:
    """The statement without its leading comment lines and final newline, for text that must
    stay byte for byte what it was (inspect_text, which the Edge Function bundle carries)."""
    lines = text.splitlines(keepends=True)
    while lines and lines[0].lstrip().startswith("--"):
        lines.pop(0)
    return "".join(lines).rstrip("\n")
