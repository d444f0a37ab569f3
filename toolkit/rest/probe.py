"""What one REST probe found: light enough for the parent process to hold the answers
without importing the Supabase client (toolkit.rest.worker)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Probe:
    table: str
    state: str  # present | missing | forbidden | unknown
    status: int | None
    detail: str
    from_postgrest: bool = True
