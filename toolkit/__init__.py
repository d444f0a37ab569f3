"""toolkit: check, plan, apply, verify and roll back Supabase migrations."""

from __future__ import annotations

# The name on PyPI ("toolkit" there is another project); the import package and command are
# toolkit.
DISTRIBUTION = "supabase-deploy-toolkit"


def __getattr__(name: str) -> str:
    # The version lives in the package metadata (the git tag, by setuptools-scm), read only
    # when asked for: importlib.metadata costs ~30 ms of imports that no other command needs.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version(DISTRIBUTION)
        except PackageNotFoundError:  # run from a source tree that was never installed
            return "0+unknown"
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
