"""The target database: connecting, the catalog query, the history table, the .sql files."""
