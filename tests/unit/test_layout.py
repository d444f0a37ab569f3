"""The import rules the package layout promises (docs/architecture.md), read from toolkit's own
source with `ast`: the core never imports the development stack, a command never imports
another command, only the faces (cli/, local/) import the commands, check never loads the Edge
Function's code (edge/), and no two modules import each other, directly or around a loop.

Every import counts, including those inside functions (toolkit imports heavy modules late),
except those under `if TYPE_CHECKING:`, which never run."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOOLKIT = ROOT / "toolkit"


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module(p): p for p in sorted(TOOLKIT.rglob("*.py"))}


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imported(tree: ast.AST) -> set[str]:
    """The toolkit modules `tree` imports at run time (a name imported from a package is the
    module of that name when there is one)."""
    out: set[str] = set()
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.split(".")[0] == "toolkit"}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0 \
                and node.module.split(".")[0] == "toolkit":
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                out.add(full if full in MODULES else node.module)
        stack.extend(ast.iter_child_nodes(node))
    return {m for m in out if m in MODULES}


GRAPH = {name: _imported(ast.parse(path.read_text(encoding="utf-8")))
         for name, path in MODULES.items()}


def _inside(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_the_graph_is_read() -> None:
    # The rules below prove nothing if the reading found no imports.
    assert len(GRAPH) > 60
    assert "toolkit.judge.compare" in GRAPH["toolkit.judge.target"]
    assert "toolkit.postgres.cluster" in GRAPH["toolkit.local.postgres"]


def test_the_core_never_imports_the_local_stack() -> None:
    offenders = [f"{m} imports {d}" for m, deps in sorted(GRAPH.items())
                 if not (_inside(m, "toolkit.local") or _inside(m, "toolkit.cli"))
                 for d in sorted(deps) if _inside(d, "toolkit.local")]
    assert not offenders, "\n".join(offenders)


def test_no_command_imports_another_command() -> None:
    offenders = [f"{m} imports {d}" for m, deps in sorted(GRAPH.items())
                 if _inside(m, "toolkit.commands")
                 for d in sorted(deps) if _inside(d, "toolkit.commands") and d != m]
    assert not offenders, "\n".join(offenders)


def test_only_the_faces_import_the_commands() -> None:
    faces = ("toolkit.cli", "toolkit.local", "toolkit.commands")
    offenders = [f"{m} imports {d}" for m, deps in sorted(GRAPH.items())
                 if not any(_inside(m, f) for f in faces)
                 for d in sorted(deps) if _inside(d, "toolkit.commands")]
    assert not offenders, "\n".join(offenders)


def test_check_does_not_load_the_edge_function() -> None:
    reached = _reachable("toolkit.commands.check")
    assert not [m for m in reached if _inside(m, "toolkit.edge")]


def _reachable(start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for dep in GRAPH[todo.pop()] - seen:
            seen.add(dep)
            todo.append(dep)
    return seen


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycle_among_modules() -> None:
    assert _cycles(GRAPH) == []


def test_the_cycle_check_can_fail() -> None:
    loop = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(loop) == [["a", "b", "c"]]


@pytest.mark.parametrize("source, expected", [
    ("from toolkit.judge import compare", {"toolkit.judge.compare"}),
    ("def f():\n    from toolkit.local import stack", {"toolkit.local.stack"}),
    ("from toolkit.errors import ConfigError", {"toolkit.errors"}),
    ("if TYPE_CHECKING:\n    from toolkit.local import stack", set()),
])
def test_the_reading_sees_late_imports_and_skips_type_only_ones(
        source: str, expected: set[str]) -> None:
    assert _imported(ast.parse(source)) == expected
