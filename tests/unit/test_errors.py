"""The one mapping from an exception to its line and exit code (toolkit.errors.failure), and the
one way a cache entry is keyed (toolkit.cache.Key): pure functions, tested in-process."""

from __future__ import annotations

import errno

import psycopg.errors

from toolkit.cache import Key
from toolkit.errors import ConfigError, ExitCode, MigrationFileError, Refused, ServerError, failure


def test_toolkits_own_errors_keep_their_code() -> None:
    assert failure(ConfigError("bad flag")) == ("bad flag", ExitCode.USAGE)
    assert failure(MigrationFileError("x.sql: broken")) == ("x.sql: broken", ExitCode.INCOMPLETE)
    assert failure(Refused("no")) == ("no", ExitCode.PRECONDITION)
    assert failure(ServerError("initdb failed: boom")) == ("initdb failed: boom", ExitCode.USAGE)


def test_an_interrupt_leaves_the_run_incomplete() -> None:
    assert failure(KeyboardInterrupt()) == ("interrupted", ExitCode.INCOMPLETE)


def test_a_database_error_keeps_its_sqlstate_and_says_whether_the_run_could_look() -> None:
    line, code = failure(psycopg.errors.UndefinedTable("relation \"x\" does not exist"))
    assert line == 'database error [42P01]: relation "x" does not exist'
    assert code == ExitCode.INCOMPLETE
    # A privilege error means the run could not look: a setup problem, exit 2.
    assert failure(psycopg.errors.InsufficientPrivilege("denied"))[1] == ExitCode.USAGE
    assert failure(psycopg.OperationalError("no route"))[1] == ExitCode.USAGE


def test_an_os_error_names_the_file() -> None:
    exc = PermissionError(errno.EACCES, "Permission denied", "/x/y")
    assert failure(exc) == ("Permission denied: /x/y", ExitCode.USAGE)


def test_anything_else_is_unexpected_and_points_at_the_debug_switch() -> None:
    line, code = failure(ValueError("odd"))
    assert line.startswith("unexpected ValueError: odd") and "TOOLKIT_DEBUG=1" in line
    assert code == ExitCode.USAGE


def test_a_cache_key_depends_on_every_part_and_its_boundaries() -> None:
    assert Key("k", "a", "b").hex() == Key("k", "a", "b").hex()
    assert Key("k", "ab").hex() != Key("k", "a", "b").hex()  # parts are separated
    assert Key("k", "a").hex() != Key("other", "a").hex()  # the kind counts
    assert Key("k", b"a").hex() == Key("k", "a").hex()
    assert len(Key("k").hex()) == 32 and len(Key("k").hex(16)) == 16


def test_a_growing_key_gives_the_key_of_every_prefix() -> None:
    grown = Key("chain")
    chain = [grown.add(part).hex() for part in ("1", "2", "3")]
    assert chain == [Key("chain", "1").hex(), Key("chain", "1", "2").hex(),
                     Key("chain", "1", "2", "3").hex()]
