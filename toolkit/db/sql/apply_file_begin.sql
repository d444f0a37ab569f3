-- Opens a migration file's transaction (apply, one round trip per file).
begin
