"""The small, named set of errors toolkit raises, each tied to its exit code.

The core raises these with actionable text; the CLI edge turns them into one line on stderr.
A failing statement, a lock timeout or an unmet precondition is not raised: it is a finding in
the report, which carries the exit code.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    INCOMPLETE = 1  # tables missing or drifted, or a migration failed
    USAGE = 2  # bad flags, configuration or connection
    PRECONDITION = 3  # the database is not ready for the migrations
    DECLINED = 4  # the user answered no at a prompt: nothing changed
    PENDING = 5  # plan --detailed-exitcode: it made a plan, and something is pending


class ToolkitError(Exception):
    """Base class: `str(err)` is the one line shown to the user."""

    exit_code: ExitCode = ExitCode.USAGE


class ConfigError(ToolkitError):
    """A setting is missing, empty or malformed."""


class ConnectError(ToolkitError):
    """The database or the REST API could not be reached or refused us."""


class ServerError(ToolkitError):
    """A PostgreSQL server toolkit runs itself (the embedded shadow, the local stack) could not
    be made, started or stopped: a missing binary, an OS user, a failed initdb."""


class MigrationFileError(ToolkitError):
    """A migration file cannot be read, parsed or run in a transaction."""

    exit_code = ExitCode.INCOMPLETE

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 column: int | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.line = line
        self.column = column


class Refused(ToolkitError):
    """A safety rule refused the operation (rollback of tables with rows, no --yes)."""

    exit_code = ExitCode.PRECONDITION


class Declined(ToolkitError):
    """The user answered no at a confirmation prompt: not an error, nothing changed."""

    exit_code = ExitCode.DECLINED

    def __init__(self, message: str = "nothing changed") -> None:
        super().__init__(message)


# SQLSTATEs that mean the run could not look (connection, login, privilege): exit 2 like any
# connection or configuration error; any other database error is a failed run: exit 1.
_SETUP_SQLSTATES = ("08", "28", "3D", "42501")


def failure(exc: BaseException) -> tuple[str, ExitCode]:
    """The one line a run that ended in `exc` prints and the code it exits with: the one
    mapping every front (toolkit's commands, `toolkit local`) uses. toolkit's own errors carry
    their code; an interrupt leaves the run incomplete; a database error that escaped the core
    keeps its SQLSTATE (psycopg is not imported here: --help stays fast); an OS error names
    the file; anything else is unexpected, exit 2."""
    if isinstance(exc, ToolkitError):
        return str(exc), exc.exit_code
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted", ExitCode.INCOMPLETE
    if type(exc).__module__.startswith("psycopg"):
        sqlstate = getattr(exc, "sqlstate", None) or ""
        diag = getattr(exc, "diag", None)
        first = getattr(diag, "message_primary", None) or str(exc) or type(exc).__name__
        code = ExitCode.USAGE if not sqlstate or sqlstate.startswith(_SETUP_SQLSTATES) \
            else ExitCode.INCOMPLETE
        return f"database error [{sqlstate or 'no SQLSTATE'}]: {' '.join(first.split())}", code
    if isinstance(exc, OSError) and exc.strerror:
        return (f"{exc.strerror}{f': {exc.filename}' if exc.filename else ''}",
                ExitCode.USAGE)
    return (f"unexpected {type(exc).__name__}: {exc} (set TOOLKIT_DEBUG=1 for details)",
            ExitCode.USAGE)
