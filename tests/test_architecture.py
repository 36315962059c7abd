"""The import graph of vankien's own modules (read with ast, nothing imported): no circle, and the
core (``vankien.graph``) never imports the web layer or the command line."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parent.parent
# The folder → package map, read from setup.py so this test follows the packaging.
PACKAGE_DIRS: dict[str, str] = next(
    ast.literal_eval(node.value) for node in ast.parse((ROOT / "setup.py").read_text()).body
    if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "PACKAGE_DIRS")
CORE_MUST_NOT_IMPORT = ("vankien.api", "vankien.cli")


def module_files() -> dict[str, Path]:
    """Every module of the package: dotted name → file."""
    modules = {}
    for package, folder in PACKAGE_DIRS.items():
        base = ROOT / folder
        for path in base.rglob("*.py"):
            parts = list(path.relative_to(base).with_suffix("").parts)
            if package == "vankien" and parts != ["__init__"]:
                continue           # vankien_pkg holds only the top package
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join([package, *parts])] = path
    return modules


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The vankien modules ``name`` imports (at any depth in the file: lazy imports count too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    for node in ast.walk(tree):
        if _type_checking_only(node):
            node.body = [ast.Pass()]   # imports for type hints only are no runtime dependency
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".") if is_package else name.split(".")[:-1]
                anchor = anchor[:len(anchor) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            # `from pkg import mod` imports the module pkg.mod when there is one
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                       for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def _type_checking_only(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def import_graph() -> nx.DiGraph:
    modules = module_files()
    graph = nx.DiGraph()
    for name, path in modules.items():
        graph.add_node(name)
        for target in imports_of(name, path, set(modules)):
            graph.add_edge(name, target)
    return graph


def test_the_graph_covers_every_package():
    names = set(import_graph())
    assert set(PACKAGE_DIRS) <= names
    assert {"vankien.graph.store", "vankien.api.app", "vankien.cli.commands"} <= names


def test_no_import_circle():
    graph = import_graph()
    # A package's __init__ re-exporting its own modules is not a circle of logic: leave those edges out.
    for source, target in list(graph.edges):
        if target.startswith(source + ".") and module_files()[source].name == "__init__.py":
            graph.remove_edge(source, target)
    cycles = list(nx.simple_cycles(graph))
    assert not cycles, "import circles: " + "; ".join(" → ".join(c + [c[0]]) for c in cycles)


@pytest.mark.parametrize("layer", CORE_MUST_NOT_IMPORT)
def test_the_core_imports_nothing_above_it(layer):
    graph = import_graph()
    upward = sorted((source, target) for source, target in graph.edges
                    if source.startswith("vankien.graph") and target.startswith(layer))
    assert not upward, f"vankien.graph imports {layer}: {upward}"


def test_the_console_script_is_the_cli():
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["vankien"] == "vankien.cli:main"
