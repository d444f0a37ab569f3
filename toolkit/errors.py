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
