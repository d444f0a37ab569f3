"""Every statement toolkit sends lives in toolkit/sql/*.sql, loaded from the package."""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def load_sql(name: str) -> str:
    return resources.files("toolkit.sql").joinpath(name).read_text(encoding="utf-8")
