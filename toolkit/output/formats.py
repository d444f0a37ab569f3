"""Which output format a run speaks: read by the writers (output) and the GitHub renderer alike,
so neither imports the other for it."""

from __future__ import annotations

import os


def github_mode(fmt: str) -> bool:
    return fmt == "github" or (fmt == "auto" and os.environ.get("GITHUB_ACTIONS") == "true")
