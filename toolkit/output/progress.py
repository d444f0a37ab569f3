"""Progress and colour for people at a terminal, and nothing of either for anyone else.

A step that takes over a second gets a live line (what, which statement, elapsed), redrawn in
place on stderr and erased when the step ends. Colour marks ok / missing / drifted. Both only
when the stream is a terminal and the output is for a person: never with --json, in GitHub mode,
with NO_COLOR set to anything but "" (https://no-color.org) or TERM=dumb, or when piped.
FORCE_COLOR set to anything but "" (https://force-color.org) colours the table even when piped;
NO_COLOR still wins, and the live lines still need a terminal.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

DELAY_S = 1.0  # a step shorter than this shows nothing
TICK_S = 0.2

_COLOURS = {"green": "32", "red": "31", "yellow": "33", "dim": "2", "bold": "1"}


def for_people(stream: TextIO, *, as_json: bool = False, github: bool = False) -> bool:
    """Is this output read by a person at a terminal who wants the extras? NO_COLOR turns
    off the live lines too: a plain, append-only output is what it asks for."""
    if as_json or github or os.environ.get("TERM") == "dumb" or os.environ.get("NO_COLOR"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def use_colour(stream: TextIO, *, as_json: bool = False, github: bool = False) -> bool:
    if not (as_json or github) and os.environ.get("FORCE_COLOR") and \
            not os.environ.get("NO_COLOR"):
        return True
    return for_people(stream, as_json=as_json, github=github)


def statements_detail(statements: list[str]) -> str:
    """What a file's step is running: its one statement, or how many run in one go."""
    if len(statements) == 1:
        return statements[0]
    return f"{len(statements)} statements in one transaction, from: {statements[0]}" \
        if statements else ""


def paint(text: str, colour: str, enabled: bool) -> str:
    return f"\033[{_COLOURS[colour]}m{text}\033[0m" if enabled and text else text


class Progress:
    """Live lines on `stream` for steps that outlast DELAY_S; a no-op when disabled."""

    def __init__(self, stream: TextIO | None = None, *, enabled: bool | None = None,
                 plain: bool = False) -> None:
        self.stream = stream or sys.stderr
        self.enabled = for_people(self.stream) if enabled is None else enabled
        self.plain = plain  # no terminal: say what we wait for on a line of its own, once
        self._lock = threading.Lock()
        self._label = ""
        self._detail = ""
        self._shown = False
        self._stepping = False
        self._waiting: str | None = None
        self._said: set[str] = set()

    def waiting(self, text: str | None, key: str | None = None) -> None:
        """What a database wait is blocked on (None: it ended). At a terminal it takes the live
        line over, inside a step or on one of its own; otherwise a plain line, once per text
        (a lock held for a minute must not print sixty lines): once per `key` when given."""
        if not self.enabled:
            if text and self.plain and (key or text) not in self._said:
                self._said.add(key or text)
                self.stream.write(f"toolkit: {text}\n")
                self.stream.flush()
            return
        if self._stepping:
            if text:  # what the step is doing now, shown on the next redraw
                with self._lock:
                    self._detail = " ".join(text.split())[:120]
            return
        with self._lock:
            if text:
                self._waiting = " ".join(text.split())
                width = shutil.get_terminal_size((100, 20)).columns - 3
                self.stream.write(f"\r\033[K{paint('…', 'dim', True)} {self._waiting[:width]}")
                self._shown = True
            elif self._waiting is not None:
                self._waiting = None
                self.stream.write("\r\033[K")
                self._shown = False
            self.stream.flush()

    @contextmanager
    def step(self, label: str, detail: str = "") -> Iterator[None]:
        if not self.enabled:
            yield
            return
        self._label, self._detail, self._shown = label, " ".join(detail.split())[:60], False
        self._stepping = True
        done = threading.Event()
        start = time.monotonic()
        ticker = threading.Thread(target=self._tick, args=(start, done), daemon=True)
        ticker.start()
        try:
            yield
        finally:
            done.set()
            ticker.join()
            self._stepping = False
            with self._lock:
                if self._shown:
                    self.stream.write("\r\033[K")
                    self.stream.flush()

    def _tick(self, start: float, done: threading.Event) -> None:
        if done.wait(DELAY_S):
            return
        while True:
            with self._lock:
                if done.is_set():
                    return
                elapsed = time.monotonic() - start
                what = f"{self._label}: {self._detail}" if self._detail else self._label
                line = f"{paint('…', 'dim', True)} {what}  {elapsed:.1f}s"
                self.stream.write(f"\r\033[K{line}")
                self.stream.flush()
                self._shown = True
            if done.wait(TICK_S):
                return


_current: Progress | None = None


def current() -> Progress:
    """The run's progress (disabled unless the CLI enabled it for a person at a terminal)."""
    global _current
    if _current is None:
        _current = Progress(enabled=False)
    return _current


def configure(*, as_json: bool, github: bool) -> Progress:
    """Called once by the CLI: live lines only for a person at a terminal."""
    global _current
    _current = Progress(sys.stderr, enabled=for_people(sys.stderr, as_json=as_json,
                                                        github=github)
                        and for_people(sys.stdout, as_json=as_json, github=github),
                        plain=not as_json)
    return _current
