"""The modules that need no service: statement splitting and comparison, migration file names
and order, durations, secrets kept out of output, database URLs explained, destructive
statements, and which pending files a target may hold already."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fast.catalogs import judged, state, target
from toolkit.db.catalog import Catalog
from toolkit.db.url import explain, password_forms
from toolkit.errors import ConfigError, MigrationFileError
from toolkit.judge.destructive import Lost, _candidates, _parsed, describe
from toolkit.judge.rollback_effects import Loss
from toolkit.oracle import prefix
from toolkit.project.migrations import discover
from toolkit.project.statements import same_statements, split
from toolkit.redact import MASK, mask_url, redact
from toolkit.settings import parse_duration_ms

# -- statements -------------------------------------------------------------------------------


def test_split_as_the_cli_records_statements() -> None:
    sql = ("create table a (id int);\n-- about b\ncreate function f() returns int language sql"
           " as $$ select 1; $$;\n-- trailing note\n")
    assert split(sql) == ("create table a (id int)",
                          "-- about b\ncreate function f() returns int language sql as $$ "
                          "select 1; $$", "-- trailing note")
    assert split("select 1; ; select 2") == ("select 1", "select 2")


def test_same_statements_is_blind_to_layout_only() -> None:
    ours = ("create table a (id int)",)
    assert same_statements(ours, ["CREATE TABLE a (\n  id int\n)"])
    assert not same_statements(ours, ["create table a (id bigint)"])
    assert not same_statements(ours, ["create table b (id int)"])


# -- migration files --------------------------------------------------------------------------


def _write(folder: Path, files: dict[str, str | bytes]) -> Path:
    folder.mkdir()
    for name, body in files.items():
        path = folder / name
        if isinstance(body, bytes):
            path.write_bytes(body)
        else:
            path.write_text(body, encoding="utf-8")
    return folder


def test_files_in_file_name_order_with_bad_names_skipped(tmp_path: Path) -> None:
    folder = _write(tmp_path / "m", {
        "20240130_x.sql": "select 1;", "20240108234540_y.sql": "select 2;",
        "notes.sql": "select 3;", "README.md": "", "20240201_z.txt": "",
        "20240301_bom.sql": "\ufeffselect 4;".encode()})
    found = discover(folder)
    assert [f.path.name for f in found.files] == [
        "20240108234540_y.sql", "20240130_x.sql", "20240301_bom.sql"]
    assert (found.files[0].version, found.files[0].name) == ("20240108234540", "y")
    assert found.files[2].sql == "select 4;"
    assert sorted(found.warnings) == [
        "skipping 20240201_z.txt: file name must match <timestamp>_name.sql",
        "skipping README.md: file name must match <timestamp>_name.sql",
        "skipping notes.sql: file name must match <timestamp>_name.sql"]


def test_bad_folders_and_files_are_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        discover(tmp_path / "nowhere")
    with pytest.raises(ConfigError, match="no migration files"):
        discover(_write(tmp_path / "empty", {"x.sql": ""}))
    with pytest.raises(ConfigError, match="two migration files share version 1"):
        discover(_write(tmp_path / "dup", {"1_a.sql": "", "1_b.sql": ""}))
    with pytest.raises(MigrationFileError, match="not UTF-8 text"):
        discover(_write(tmp_path / "latin", {"1_a.sql": b"select '\xe9';"}))


def test_no_transaction_directive_and_positions(tmp_path: Path) -> None:
    folder = _write(tmp_path / "m", {
        "1_a.sql": "-- toolkit:no-transaction\ncreate index concurrently i on t (x);",
        "2_b.sql": "create table t (x int);\n-- toolkit:no-transaction\n"})
    a, b = discover(folder).files
    assert a.no_transaction and not b.no_transaction
    assert b.position(b.sql.index("x int")) == (1, 17)
    assert a.position(a.sql.index("create")) == (2, 1)


# -- durations --------------------------------------------------------------------------------


@pytest.mark.parametrize(("given", "ms"), [("4s", 4000), ("500ms", 500), ("2min", 120_000),
                                           ("1h", 3_600_000), (3, 3000), (" 1.5s ", 1500)])
def test_durations(given: str | int, ms: int) -> None:
    assert parse_duration_ms(given, "--lock-timeout") == ms


@pytest.mark.parametrize(("given", "says"), [("4 weeks", "is not a duration"), ("0s", "under 1 ms"),
                                             ("25h", "over the maximum"), ("nan", "duration")])
def test_bad_durations(given: str, says: str) -> None:
    with pytest.raises(ConfigError, match=says):
        parse_duration_ms(given, "--lock-timeout")


# -- secrets ----------------------------------------------------------------------------------


def test_passwords_and_keys_are_masked() -> None:
    url = "postgresql://postgres:s3cr%40t@db.abc.supabase.co:5432/postgres"
    assert mask_url(url) == f"postgresql://postgres:{MASK}@db.abc.supabase.co:5432/postgres"
    assert "s3cr" not in mask_url("host=h password='it''s' user=u")
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYW5vbiJ9.c2lnbmF0dXJl"
    text = redact(f"failed {url} key {jwt} and sb_secret_abc123 and hunter2", ["hunter2"])
    for secret in ("s3cr", jwt, "sb_secret_abc123", "hunter2"):
        assert secret not in text
    assert "db.abc.supabase.co" in text


def test_password_in_every_printed_form() -> None:
    assert password_forms("postgresql://u:p%40ss@h/db") == ["p@ss", "p%40ss"]
    assert password_forms("postgresql://u@h/db") == []


def test_unescaped_characters_and_the_placeholder_are_explained() -> None:
    said = explain("postgresql://postgres:pa#ss@db.abc.supabase.co:5432/postgres", "--db-url")
    assert said is not None and "contains #" in said and "%23" in said and "pa#ss" not in said
    placeholder = explain("postgresql://postgres:[YOUR-PASSWORD]@db.x.supabase.co/postgres",
                          "SUPABASE_DB_URL")
    assert placeholder is not None and "[YOUR-PASSWORD] placeholder" in placeholder
    assert explain("postgresql://postgres:fine@localhost:5432/postgres", "--db-url") is None


# -- destructive statements -------------------------------------------------------------------


@pytest.mark.parametrize(("sql", "verb", "loss", "filtered"), [
    ("delete from notes where id = 1", "deletes", Loss("public", "notes"), True),
    ("delete from app.notes", "deletes", Loss("app", "notes"), False),
    ("truncate notes", "empties", Loss("public", "notes"), False),
    ("drop table if exists app.notes", "drops", Loss("app", "notes"), False),
    ("alter table notes drop column body", "drops", Loss("public", "notes", "body"), False),
])
def test_what_a_statement_would_destroy(sql: str, verb: str, loss: Loss, filtered: bool) -> None:
    assert _candidates(None, _parsed(sql)) == [(verb, loss, filtered)]


def test_harmless_statements_destroy_nothing() -> None:
    for sql in ("create table t (x int)", "alter table t add column y int", "drop index i"):
        assert _candidates(None, _parsed(sql)) == []


def test_losses_in_one_line() -> None:
    lost = [Lost("1_a.sql", 3, "drops", Loss("public", "notes", "body"), 2),
            Lost("1_a.sql", 4, "deletes", Loss("app", "t"), None, filtered=True)]
    assert describe(lost) == ("1_a.sql:3 drops column notes.body (2 non-null values); "
                              "1_a.sql:4 deletes rows matching its WHERE from app.t (it holds "
                              "rows this role may not count)")


# -- files applied by hand --------------------------------------------------------------------


def test_a_target_holding_the_first_file_without_its_row() -> None:
    j = judged("agent-road", "check", target("agent-road", 0))
    pairs = list(zip(j.migrations.files, j.analysis.files, strict=True))
    by_hand = Catalog.from_json({**state("agent-road", 1), "history": []})
    assert prefix.candidates(pairs, by_hand) == 1
    states = [Catalog.from_json(state("agent-road", i)) for i in (0, 1)]
    assert prefix.held(states, by_hand, j.stand.copied + j.stand.made, set()) == 1
    # one table it makes is not as it makes it: not held
    changed = {**state("agent-road", 1), "history": []}
    changed["relations"]["public.agent_logs"]["rls"] = False
    assert prefix.held(states, Catalog.from_json(changed), j.stand.copied + j.stand.made,
                       set()) == 0
    # what the shadow could not judge is never taken as held
    assert prefix.held(states, Catalog.from_json({**state("agent-road", 1), "history": []}),
                       j.stand.copied + j.stand.made, {"public.agent_logs"}) == 0
    assert prefix.candidates(
        pairs, Catalog.from_json({**state("agent-road", 0), "history": []})) == 0
