"""Which stand-ins a history asks for, and where: read from its CREATE EXTENSION statements."""

from __future__ import annotations

from toolkit.oracle.expected import stand_in_note
from toolkit.shape.managed import Wanted, made_before, stand_in_limit, wanted


def test_each_stand_in_extension_once_with_its_schema() -> None:
    found = wanted([
        ("CreateExtensionStmt", 'create extension if not exists "vector" with schema extensions'),
        ("CreateExtensionStmt", "create extension pg_net"),
        ("CreateExtensionStmt", "create extension vector schema public"),  # again: first wins
        ("CreateExtensionStmt", "create extension pg_trgm"),  # real on every server: no stand-in
        ("CreateStmt", "create table t (id int)"),
    ])
    assert found == [Wanted("vector", "extensions"), Wanted("pg_net", "public")]


def test_upper_case_names_are_found_and_other_extensions_ask_for_none() -> None:
    assert wanted([("CreateExtensionStmt", "CREATE EXTENSION VECTOR WITH SCHEMA extensions"),
                   ("CreateExtensionStmt", "create extension Pg_Cron")]) == \
        [Wanted("vector", "extensions"), Wanted("pg_cron", "public")]
    assert wanted([("CreateExtensionStmt", 'create extension if not exists "uuid-ossp"'),
                   ("CreateStmt", "create table vector_notes (id int)")]) == []


def test_what_the_stand_ins_explain_and_what_they_do_not() -> None:
    assert made_before("42710", 'extension "vector" already exists', ["vector"])
    assert not made_before("42710", 'extension "vector" already exists', [])
    assert not made_before("42P07", 'relation "t" already exists', ["vector"])
    assert stand_in_limit('unrecognized parameter "lists"', ["vector"]) == "vector"
    assert stand_in_limit('unrecognized parameter "lists"', []) is None


def test_the_note_names_each_extension_once_and_why() -> None:
    note = stand_in_note(["pg_net", "vector", "pg_net"])
    assert note.startswith("the shadow database stood in for pg_net, which exists only on "
                           "Supabase's image, and for vector, which this server lacks: ")
    assert note.count("pg_net") == 1 and note.count("vector") == 1
    assert "install" not in note
