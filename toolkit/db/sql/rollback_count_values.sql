-- Values a DROP COLUMN would lose: the rows where the column holds something.
select count(*) from {table} where {column} is not null
