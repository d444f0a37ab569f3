"""Counting words and naming parser nodes the way people read them."""

from __future__ import annotations

_IRREGULAR = {"index": "indexes", "policy": "policies", "RLS": "RLS", "was": "were",
              "is": "are", "has": "have", "entry": "entries"}


def plural(n: int, word: str) -> str:
    """'1 index', '2 indexes', '0 rows'."""
    if n == 1:
        return f"{n} {word}"
    return f"{n} {_IRREGULAR.get(word, word + 's')}"


# pglast's AlterTableType names (AT_AddColumn ...) as the SQL a person wrote.
_AT = {"AddColumn": "ADD COLUMN", "DropColumn": "DROP COLUMN", "AlterColumnType": "ALTER COLUMN "
       "TYPE", "ColumnDefault": "ALTER COLUMN SET/DROP DEFAULT", "SetNotNull": "ALTER COLUMN SET "
       "NOT NULL", "DropNotNull": "ALTER COLUMN DROP NOT NULL", "AddConstraint": "ADD CONSTRAINT",
       "DropConstraint": "DROP CONSTRAINT", "EnableRowSecurity": "ENABLE ROW LEVEL SECURITY",
       "DisableRowSecurity": "DISABLE ROW LEVEL SECURITY", "ForceRowSecurity": "FORCE ROW LEVEL "
       "SECURITY", "ChangeOwner": "OWNER TO", "AddIndex": "ADD INDEX",
       "ValidateConstraint": "VALIDATE CONSTRAINT", "SetStatistics": "SET STATISTICS",
       "ReplicaIdentity": "REPLICA IDENTITY", "AddIdentity": "ADD GENERATED AS IDENTITY",
       "DropIdentity": "DROP IDENTITY", "EnableTrig": "ENABLE TRIGGER",
       "DisableTrig": "DISABLE TRIGGER", "AttachPartition": "ATTACH PARTITION",
       "DetachPartition": "DETACH PARTITION", "SetLogged": "SET LOGGED",
       "SetUnLogged": "SET UNLOGGED", "SetTableSpace": "SET TABLESPACE"}

# pglast's statement node names as the SQL command they stand for.
_STMT = {"CreateStmt": "CREATE TABLE", "AlterTableStmt": "ALTER TABLE", "DropStmt": "DROP",
         "IndexStmt": "CREATE INDEX", "InsertStmt": "INSERT", "UpdateStmt": "UPDATE",
         "DeleteStmt": "DELETE", "SelectStmt": "SELECT", "TruncateStmt": "TRUNCATE",
         "RenameStmt": "RENAME", "CreatePolicyStmt": "CREATE POLICY", "GrantStmt": "GRANT",
         "CreateFunctionStmt": "CREATE FUNCTION", "CreateTrigStmt": "CREATE TRIGGER",
         "ViewStmt": "CREATE VIEW", "CreateExtensionStmt": "CREATE EXTENSION",
         "CreateSchemaStmt": "CREATE SCHEMA", "CommentStmt": "COMMENT", "DoStmt": "DO",
         "TransactionStmt": "BEGIN/COMMIT", "VariableSetStmt": "SET",
         "CreateEnumStmt": "CREATE TYPE ... AS ENUM", "CompositeTypeStmt": "CREATE TYPE",
         "AlterPolicyStmt": "ALTER POLICY", "CreateSeqStmt": "CREATE SEQUENCE",
         "VacuumStmt": "VACUUM", "CreatedbStmt": "CREATE DATABASE",
         "AlterSystemStmt": "ALTER SYSTEM", "ReindexStmt": "REINDEX"}


def node_name(name: str) -> str:
    """'AT_AddColumn' -> 'ADD COLUMN', 'AlterTableStmt' -> 'ALTER TABLE'; else readable."""
    if name.startswith("AT_"):
        return _AT.get(name[3:], name[3:])
    return _STMT.get(name, name.removesuffix("Stmt"))
