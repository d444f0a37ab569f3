"""The project on disk: its root, config, migration files and what each statement does."""
