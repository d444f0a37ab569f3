"""pyproject.toml declares exactly what toolkit/ imports; the Action's lock pins all of it;
the version comes from the package metadata."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions, version

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

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
    # The full Supabase client is the benchmark's, not the Action's.
    assert "supabase" not in declared(PYPROJECT["dependencies"])
    assert "supabase" in declared(extras["bench"])


def test_the_action_lock_pins_every_runtime_dependency_with_hashes() -> None:
    text = (ROOT / "requirements" / "action.txt").read_text(encoding="utf-8")
    pins = {canonicalize_name(m[1]): m[2]
            for m in re.finditer(r"^([A-Za-z0-9._-]+)==([^\s;]+)", text, re.M)}
    for spec in PYPROJECT["dependencies"]:
        req = Requirement(spec)
        name = canonicalize_name(req.name)
        assert name in pins, f"{name} is not in requirements/action.txt: run make lock"
        assert req.specifier.contains(pins[name]), f"{name}=={pins[name]} vs {spec}: make lock"
    assert "setuptools" in pins  # builds toolkit with --no-build-isolation
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", text.count("#"))[-1])
    for entry in (e for e in entries if "==" in e):
        assert "--hash=sha256:" in entry, entry.splitlines()[0]
    for dev_only in ("supabase", "hypercorn", "pytest"):
        assert dev_only not in pins, dev_only


def test_version_comes_from_the_package_metadata() -> None:
    init = (ROOT / "toolkit" / "__init__.py").read_text(encoding="utf-8")
    assert not re.search(r"__version__\s*=", init)
    result = run_toolkit("--version")
    assert result.code == 0
    assert result.stdout.strip() == f"toolkit {version('toolkit')}"
    assert PYPROJECT["version"] == version("toolkit")
