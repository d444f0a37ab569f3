"""How a command runs: settings resolved once, signals, the one-line error, the exit code.

Every command body returns a report; `run` prints it and leaves with the verdict's code. A
failure becomes one redacted line on stderr (and a JSON object with --json), never a traceback.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer

from toolkit.errors import ConfigError, Declined, MigrationFileError, ToolkitError, failure

if TYPE_CHECKING:  # imported by the commands that use them, not by --help
    from toolkit.output.report import Report
    from toolkit.settings import Settings


class Interrupted(KeyboardInterrupt):
    """SIGTERM, turned into an exception so open transactions roll back on the way out.

    A KeyboardInterrupt, so psycopg treats it as Ctrl-C: it cancels the running statement
    and waits for the server before the rollback, instead of leaving the backend busy.
    """


def _on_sigterm(signum: int, frame: Any) -> None:
    raise Interrupted()


def _settings(**flags: str | None) -> Settings:
    from toolkit.project.root import default_env_file
    from toolkit.settings import load_settings

    env_file = flags.pop("env_file", None)
    # The default .env is the project root's, found by walking up like the Supabase CLI.
    path = Path(env_file) if env_file and env_file != ".env" else default_env_file()
    return load_settings(flags, env_file=path)


def _declined(exc: Declined, command: str, as_json: bool) -> NoReturn:
    """Answering no is not an error: say that nothing changed, exit 4."""
    import json

    sys.stderr.write(f"toolkit: {exc}\n")
    if as_json:
        print(json.dumps({"command": command, "ok": False, "status": "declined",
                          "exit_code": int(exc.exit_code), "error": None, "notes": [str(exc)]}))
    raise SystemExit(int(exc.exit_code))


def confirmer(command: str, yes: bool) -> Callable[[str], bool]:
    """Ask on a terminal; without one, --yes is required (never prompt a script)."""

    def confirm(question: str) -> bool:
        if yes:
            return True
        if not sys.stdin.isatty():
            raise ConfigError(f"{command} needs --yes when not run from a terminal")
        return typer.confirm(question, default=False, err=True)

    return confirm


def require_yes(command: str, yes: bool, as_json: bool, why: str) -> None:
    """Without --yes and without a terminal to ask at: one line, exit 2, before any work."""
    if yes or sys.stdin.isatty():
        return
    with leave_on_error(command, as_json):
        raise ConfigError(f"{command} needs --yes when not run from a terminal ({why})")


def terminal_question() -> Callable[[str], bool] | None:
    """A yes/no question on the terminal (default no); None when there is none to ask at."""
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        return None
    return lambda question: typer.confirm(question, default=False, err=True)


@contextmanager
def leave_on_error(command: str, as_json: bool) -> Iterator[None]:
    """For commands without a report: any failure is one line and its exit code."""
    from toolkit.output.write import emit_error

    try:
        yield
    except Declined as exc:
        _declined(exc, command, as_json)
    except (Exception, KeyboardInterrupt) as exc:
        if _debugging(exc):
            raise
        line, code = failure(exc)
        emit_error(line, code=code, as_json=as_json, settings=None, command=command)
        raise SystemExit(int(code)) from None


def _debugging(exc: BaseException) -> bool:
    """TOOLKIT_DEBUG=1 shows the traceback of what toolkit did not expect."""
    return bool(os.environ.get("TOOLKIT_DEBUG")) and \
        not isinstance(exc, ToolkitError | KeyboardInterrupt)


def _empty_note(settings: Settings | None, message: str = "") -> str:
    """Name the variables that were set but empty (an undefined GitHub secret expands to "")."""
    if settings is None:
        return ""
    names = [name for name, where in settings.sources.items()
             if where == "empty" and f"{name} is set but empty" not in message]
    if not names:
        return ""
    return (f"{', '.join(names)} {'is' if len(names) == 1 else 'are'} set but empty, so "
            "treated as not set (an undefined GitHub secret expands to an empty string)")


def _settle() -> None:
    """The outcome is decided: a late SIGINT/SIGTERM must not change the exit code. SIG_IGN, not
    a Python handler, since interpreter shutdown puts SIG_DFL back for handlers it installed."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_IGN)


def _leave(code: int) -> NoReturn:
    """Exit without interpreter shutdown: a REST probe still waiting in its thread (the database
    refused at once) must not hold the exit for the connect timeout, and no late signal can
    land during shutdown. Everything worth keeping has been written and flushed by now."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


def run(command: str, fmt: str, as_json: bool, make_settings: Callable[[], Settings],
        body: Callable[[Settings], Report]) -> NoReturn:
    """Run a command body and leave with its exit code; errors become one line, never a trace."""
    from toolkit.output.formats import github_mode
    from toolkit.output.progress import configure
    from toolkit.output.write import emit, emit_error

    as_json = as_json or fmt == "json"
    configure(as_json=as_json, github=github_mode(fmt))
    settings: Settings | None = None
    signal.signal(signal.SIGTERM, _on_sigterm)
    # An interrupt that lands between psycopg's calls makes it log "error ignored in rollback"
    # lines on the way out; the server rolls back the closed connection's transaction anyway,
    # and the one "interrupted" line below says so.
    quiet = logging.getLogger("psycopg")
    quiet.addHandler(logging.NullHandler())
    quiet.propagate = False
    try:
        settings = make_settings()
        from toolkit.output.github import announce_masks

        announce_masks(settings, fmt, sys.stderr if as_json else sys.stdout)
        report = body(settings)
        if _empty_note(settings):
            report.warn(_empty_note(settings))
    except Declined as exc:
        _declined(exc, command, as_json)
    except (Exception, KeyboardInterrupt) as exc:  # KeyboardInterrupt: SIGINT, or SIGTERM
        _settle()
        if _debugging(exc):
            raise
        line, code = failure(exc)
        location: dict[str, object] | None = None
        if isinstance(exc, MigrationFileError):
            location = {"file": exc.path, "line": exc.line, "col": exc.column}
        if isinstance(exc, KeyboardInterrupt):
            line = ("interrupted: the transaction in progress was rolled back; files committed "
                    "before it stay applied (toolkit check shows what is)")
        empty = _empty_note(settings, line) if isinstance(exc, ConfigError) else ""
        emit_error(f"{line}; {empty}" if empty else line, code=code, as_json=as_json,
                   settings=settings, command=command, location=location, fmt=fmt)
        _leave(int(code))
    _settle()
    emit(report, as_json=as_json, fmt=fmt, settings=settings)
    from toolkit.judge.outcome import verdict

    _leave(verdict(report).code)
