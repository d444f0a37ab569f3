-- After a migration file's statements, before its history row: the role toolkit connected as,
-- whatever SET ROLE or SET SESSION AUTHORIZATION the file ran, so the row is written as toolkit.
reset session authorization;
reset role
