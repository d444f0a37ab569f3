"""The migration history, shared with the Supabase CLI (supabase_migrations.schema_migrations),
and the advisory lock every toolkit run that writes takes."""

from __future__ import annotations

# pg_advisory_xact_lock key shared by every toolkit run: the bytes of "toolkit" as a bigint.
LOCK_KEY = int.from_bytes(b"toolkit", "big")
