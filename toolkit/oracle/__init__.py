"""The expected schema: the migrations replayed on a shadow database, with Supabase's stand-ins."""
