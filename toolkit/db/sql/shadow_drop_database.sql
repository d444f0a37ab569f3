-- Our own scratch shadow database at exit, sessions included.
drop database if exists {name} with (force)
