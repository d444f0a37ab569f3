"""toolkit: check, plan, apply, verify and roll back Supabase migrations."""

from __future__ import annotations


def __getattr__(name: str) -> str:
    # The version lives in the package metadata (pyproject.toml), read only when asked for:
    # importlib.metadata costs ~30 ms of imports that no other command needs.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("toolkit")
        except PackageNotFoundError:  # run from a source tree that was never installed
            return "0+unknown"
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
