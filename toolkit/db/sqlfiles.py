"""Every statement toolkit sends lives in toolkit/db/sql/*.sql, loaded from the package."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources


@cache
def load_sql(name: str) -> str:
    return resources.files("toolkit.db.sql").joinpath(name).read_text(encoding="utf-8")


def without_header(text: str) -> str:
    """The statement without its leading comment lines and final newline, for text that must
    stay byte for byte what it was (inspect_text, which the Edge Function bundle carries)."""
    lines = text.splitlines(keepends=True)
    while lines and lines[0].lstrip().startswith("--"):
        lines.pop(0)
    return "".join(lines).rstrip("\n")


_DOLLAR = re.compile(r"\$[A-Za-z_]*\$")


@cache
def load_statements(name: str) -> tuple[str, ...]:
    """A .sql file of toolkit's own as its statements, for pipeline mode (one statement per
    message). Toolkit's files end each statement with `;` at the end of a line, outside
    dollar quotes, which is all this splitter knows; no parser is imported for it."""
    out: list[str] = []
    current: list[str] = []
    quote: str | None = None
    for line in without_header(load_sql(name)).splitlines():
        if not current and (not line.strip() or line.lstrip().startswith("--")):
            continue
        current.append(line)
        for tag in _DOLLAR.findall(line):
            quote = None if tag == quote else (quote or tag)
        if quote is None and line.rstrip().endswith(";"):
            out.append("\n".join(current).rstrip().removesuffix(";"))
            current = []
    if "".join(current).strip():
        out.append("\n".join(current).rstrip())
    return tuple(out)
