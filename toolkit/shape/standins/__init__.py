"""Stand-ins for the extensions of Supabase's image a shadow server lacks (see managed.py)."""
