-- Ends a migration file's transaction, after its history row.
commit
