-- Embedded shadow template: drop template0/template1, which a shadow never needs (less to copy per run).
drop database {name}
