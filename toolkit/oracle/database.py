"""What a shadow server hands the replay: a fresh, Supabase-shaped database to connect to."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ShadowDatabase:
    conninfo: str  # a superuser (or the URL's user) connection to a fresh, shaped database
    major: int  # server major version, e.g. 15
    origin: str  # for reports: "embedded PostgreSQL 15 (/usr/lib/...)" or the masked URL
    # Embedded only: stop the server and keep its data as the snapshot of a replay prefix
    # (the key), so a later replay of longer files starts from it.
    keep: Callable[[str], None] | None = None
    resumed: bool = False  # started from the snapshot asked for (another run may take it first)
