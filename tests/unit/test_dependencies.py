"""pyproject.toml declares exactly what toolkit/ imports, each bounded to the release line the
suite runs on; the Action's lock pins all of it; the version comes from the package metadata."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions, version

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

import toolkit
from tests.conftest import ROOT, run_toolkit

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
# Imported only when present (the gateway falls back to its own HTTP/1.1 server without it).
OPTIONAL = {"hypercorn": "local"}


def imported_top_level() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "toolkit").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {"toolkit", "__future__"}


def declared(requirements: list[str]) -> set[str]:
    return {canonicalize_name(Requirement(r).name) for r in requirements}


def test_runtime_dependencies_are_exactly_the_imports() -> None:
    dists = packages_distributions()
    imported = {}
    for module in imported_top_level():
        assert module in dists, f"toolkit imports {module}, which no installed package provides"
        imported[module] = {canonicalize_name(d) for d in dists[module]}
    required = {name for m, names in imported.items() if m not in OPTIONAL for name in names}
    # psycopg[binary] pulls psycopg-binary, which provides no module of its own name.
    assert declared(PYPROJECT["dependencies"]) == required
    extras = PYPROJECT["optional-dependencies"]
    for module, extra in OPTIONAL.items():
        assert imported[module] <= declared(extras[extra]), (module, extra)
        assert not imported[module] & declared(PYPROJECT["dependencies"]), module
    # The design card's client: supabase-py's .table() sends the REST probes.
    assert "supabase" in declared(PYPROJECT["dependencies"])


def pins(lock: str) -> dict[str, str]:
    text = (ROOT / "requirements" / lock).read_text(encoding="utf-8")
    return {canonicalize_name(m[1]): m[2]
            for m in re.finditer(r"^([A-Za-z0-9._-]+)==([^\s;]+)", text, re.M)}


EVERY_REQUIREMENT = PYPROJECT["dependencies"] + [
    r for extra in PYPROJECT["optional-dependencies"].values() for r in extra]


@pytest.mark.parametrize("spec", EVERY_REQUIREMENT)
def test_every_requirement_is_bounded_to_the_locked_release_line(spec: str) -> None:
    """At least the locked major.minor, below the next major (0.x: the next minor), so neither
    an old release nor the next major, nor its pre-releases, is installed untested."""
    req = Requirement(spec)
    locked = Version(pins("dev.txt")[canonicalize_name(req.name)])
    bounds = {s.operator: Version(s.version) for s in req.specifier}
    assert set(bounds) == {">=", "<"}, f"{spec}: one lower and one upper bound"
    assert bounds[">="] == Version(f"{locked.major}.{locked.minor}"), (spec, str(locked))
    upper = f"0.{locked.minor + 1}" if locked.major == 0 else f"{locked.major + 1}"
    assert bounds["<"] == Version(upper), (spec, str(locked))
    assert req.specifier.contains(locked)
    assert not req.specifier.contains(Version(f"{upper}.0a1"), prereleases=True), spec


def test_the_build_backend_is_in_the_locks() -> None:
    """`make deps` and the Action build toolkit without isolation, from the lock alone."""
    build = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["build-system"]
    build_in = (ROOT / "requirements" / "build.in").read_text(encoding="utf-8")
    for spec in build["requires"]:
        req = Requirement(spec)
        assert spec in build_in.splitlines(), f"{spec} is not in requirements/build.in"
        for lock in ("action.txt", "dev.txt"):
            pinned = pins(lock).get(canonicalize_name(req.name))
            assert pinned and req.specifier.contains(pinned), (lock, spec)


def test_the_action_lock_pins_every_runtime_dependency_with_hashes() -> None:
    text = (ROOT / "requirements" / "action.txt").read_text(encoding="utf-8")
    pinned = pins("action.txt")
    for spec in PYPROJECT["dependencies"]:
        req = Requirement(spec)
        name = canonicalize_name(req.name)
        assert name in pinned, f"{name} is not in requirements/action.txt: run make lock"
        assert req.specifier.contains(pinned[name]), f"{name}=={pinned[name]} vs {spec}: make lock"
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", text.count("#"))[-1])
    for entry in (e for e in entries if "==" in e):
        assert "--hash=sha256:" in entry, entry.splitlines()[0]
    for dev_only in ("hypercorn", "pytest", "uv"):
        assert dev_only not in pinned, dev_only


def test_version_comes_from_the_package_metadata() -> None:
    init = (ROOT / "toolkit" / "__init__.py").read_text(encoding="utf-8")
    assert not re.search(r"__version__\s*=", init)
    result = run_toolkit("--version")
    assert result.code == 0
    assert result.stdout.strip() == f"toolkit {version(toolkit.DISTRIBUTION)}"
    # From the git tag (setuptools-scm), never written by hand.
    assert "version" not in PYPROJECT and "version" in PYPROJECT["dynamic"]
    assert PYPROJECT["name"] == toolkit.DISTRIBUTION
