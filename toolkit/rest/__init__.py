"""The REST probes: PostgREST behind /rest/v1, as supabase-py reaches it."""
