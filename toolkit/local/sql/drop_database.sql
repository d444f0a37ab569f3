-- A stack database, even if sessions (say a PostgREST pool) are still connected.
drop database if exists {name} with (force)
