"""The diff engine's pure parts: the URL handed to node-postgres (no password in it), the
marks above destructive statements, and which ALTERs change a column's type."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from toolkit.delta.engine import MARK, Action, changes_type, marked
from toolkit.delta.url import node_url


def test_the_password_goes_in_the_environment_never_in_the_url() -> None:
    url, env = node_url("postgresql://postgres.ref:p%40ss@aws-0-eu.pooler.supabase.com:5432/"
                        "postgres?sslmode=require")
    assert env == {"PGPASSWORD": "p@ss"}
    assert "p@ss" not in url and "p%40ss" not in url
    parts = urlsplit(url)
    assert (parts.username, parts.hostname, parts.port) == ("postgres.ref",
                                                           "aws-0-eu.pooler.supabase.com", 5432)
    # libpq's sslmode=require (encrypt, do not verify), not node-postgres's verify-full
    assert parse_qs(parts.query) == {"sslmode": ["require"], "uselibpqcompat": ["true"]}


def test_a_unix_socket_is_named_in_the_query() -> None:
    url, env = node_url("host=/tmp/toolkit-shadow-x port=5432 user=supabase_admin "
                        "dbname=postgres")
    assert env == {}
    parts = urlsplit(url)
    assert parts.hostname == "localhost" and parts.path == "/postgres"
    assert parse_qs(parts.query) == {"host": ["/tmp/toolkit-shadow-x"]}


def test_marks_go_above_each_destructive_statement_only() -> None:
    drop = Action('ALTER TABLE "public"."t" DROP COLUMN "c"', "drop", True, False,
                  ("column public.t.c",))
    add = Action('ALTER TABLE "public"."t" ADD COLUMN "d" text', "create", False, False)
    text = f"{drop.sql};\n\n{add.sql};\n"
    lines = marked(text, [drop, add]).splitlines()
    assert lines[0] == f"{MARK} loses data (drops column public.t.c)"
    assert lines[1] == f"{drop.sql};"
    assert [ln for ln in lines if ln.startswith(MARK)] == [lines[0]]


def test_only_a_column_type_change_counts_as_a_rewrite() -> None:
    assert changes_type('ALTER TABLE "public"."t" ALTER COLUMN "n" TYPE bigint')
    assert not changes_type('ALTER TABLE "public"."t" ADD COLUMN "d" text DEFAULT \'x\'')
    assert not changes_type('CREATE TABLE "public"."t" ("id" bigint)')
