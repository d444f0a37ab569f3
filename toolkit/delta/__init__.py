"""The schema-diff engine: Supabase's pg-delta (installed pinned on first use) between two
databases, and the proof that a generated migration makes what it was generated for."""
