"""PostgreSQL servers toolkit starts itself (the shadow and the local stack): one launcher."""
