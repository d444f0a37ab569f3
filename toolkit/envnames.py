"""The environment variables toolkit reads: the names Supabase itself injects into Edge
Functions (so users already have them), and toolkit's own tuning knobs, with the defaults of
those knobs (the one place they are written). Kept apart from settings.py so the CLI can name
them in --help without importing the settings machinery."""

ENV_DB_URL = "SUPABASE_DB_URL"
ENV_URL = "SUPABASE_URL"
ENV_SERVICE_KEY = "SUPABASE_SERVICE_ROLE_KEY"
ENV_MIGRATIONS = "TOOLKIT_MIGRATIONS_DIR"
ENV_LOCK_TIMEOUT = "TOOLKIT_LOCK_TIMEOUT"
ENV_STATEMENT_TIMEOUT = "TOOLKIT_STATEMENT_TIMEOUT"
ENV_CONNECT_TIMEOUT = "TOOLKIT_CONNECT_TIMEOUT"
ENV_SHADOW_DB_URL = "TOOLKIT_SHADOW_DB_URL"
ENV_API_SCHEMAS = "TOOLKIT_API_SCHEMAS"

DEFAULT_LOCK_TIMEOUT_MS = 4000
DEFAULT_STATEMENT_TIMEOUT_MS = 120_000
DEFAULT_CONNECT_TIMEOUT_S = 10
DEFAULT_API_SCHEMAS = ("public",)
