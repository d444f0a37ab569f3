-- Rows a DROP TABLE would lose.
select count(*) from {table}
