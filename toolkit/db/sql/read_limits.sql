-- The user's lock and statement timeouts for toolkit's own reads (the catalog of the target or
-- the shadow), local to the read's transaction so nothing lingers on a pooled connection.
set local lock_timeout = {lock_timeout};
set local statement_timeout = {statement_timeout};
