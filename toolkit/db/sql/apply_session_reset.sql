-- Sent before each migration file's prelude (inside its transaction) and after its COMMIT: what a
-- file leaves on the connection (a SET, SET ROLE, a temporary table, a cursor, a LISTEN) must not
-- reach the next file, nor toolkit's own reads. DISCARD ALL would do it but cannot run inside a
-- transaction block, hence its parts.
close all;
reset session authorization;
reset role;
reset all;
discard temp;
discard sequences;
unlisten *
