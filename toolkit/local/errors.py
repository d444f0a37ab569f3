"""The one error type of the local stack: its message is a single line meant for the user."""

from __future__ import annotations

from toolkit.errors import ServerError


class LocalStackError(ServerError):
    """A problem the user can act on (missing binary, busy state dir, failed start...)."""
