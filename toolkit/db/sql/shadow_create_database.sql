-- A scratch shadow database, empty (template0), owned as the caller decides (postgres where it may).
create database {name} template template0 owner {owner}
