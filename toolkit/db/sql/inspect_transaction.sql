-- inspect.sql (after inspect_search_path.sql) in a read-only transaction of its own, when not inside a caller's.
begin read only; {head}{query}; commit
