"""toolkit: check, plan, apply, verify and roll back Supabase migrations."""

__version__ = "0.1.0"
