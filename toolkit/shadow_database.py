"""What a shadow server hands the replay: a fresh, Supabase-shaped database to connect to."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ShadowDatabase:
    conninfo: str  # a superuser (or the URL's user) connection to a fresh, shaped database
    major: int  # server major version, e.g. 15
    origin: str  # for reports: "embedded PostgreSQL 15 (/usr/lib/...)" or the masked URL
