"""Layers that point one way: the `annotator` package's import graph, read from its source.

Every module is parsed with `ast`, imports inside functions included (a deferred import is
still a dependency; it only hides a cycle). Imports under `if TYPE_CHECKING:` are left out:
they never run, and only name types in annotations.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "scripts" / "annotator"
NAME = "annotator"


def _modules() -> dict[str, ast.Module]:
    return {p.stem: ast.parse(p.read_text(encoding="utf-8"), str(p)) for p in sorted(PACKAGE.glob("*.py"))}


def _type_checking_only(tree: ast.Module) -> set[int]:
    """ids of the import nodes inside `if TYPE_CHECKING:` blocks."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    return skipped


def _imports(name: str, tree: ast.Module) -> list[tuple[str, str, int]]:
    """(imported module: a package module's stem or an outside top-level name, name imported
    from it or "", line) for every import statement of one module."""
    found = []
    skipped = _type_checking_only(tree)
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                target = parts[1] if parts[0] == NAME and len(parts) > 1 else parts[0]
                found.append((target if parts[0] == NAME else f"!{target}", "", node.lineno))
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level == 1 or module.split(".")[0] == NAME:
                inside = module if node.level == 1 else module.partition(".")[2]
                if inside:
                    found += [(inside.split(".")[0], a.name, node.lineno) for a in node.names]
                else:  # from . import x, y: each is a module
                    found += [(a.name, "", node.lineno) for a in node.names]
            elif node.level == 0:
                found += [(f"!{module.split('.')[0]}", a.name, node.lineno) for a in node.names]
    if name == "cli":  # cli loads each module of EXTERNAL by name: __import__(f"annotator.{name}")
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "EXTERNAL" for t in node.targets):
                names = [c.value for c in ast.walk(node.value) if isinstance(c, ast.Constant)]
                found += [(module, "add_parser", node.lineno) for module in names]
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {
        name: {target for target, _, _ in _imports(name, tree) if target in modules and target != name}
        for name, tree in modules.items()
    }


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle (a list of modules, first == last), or []."""
    state: dict[str, int] = {}  # 1: on the path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return []

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return []


def test_the_graph_is_read():
    graph = _graph()
    assert "model" in graph["pipeline"] and "schema" in graph["model"]
    assert "verify" in graph["cli"]  # through the EXTERNAL table


def test_no_import_cycle():
    cycle = _cycle(_graph())
    assert not cycle, "import cycle: " + " -> ".join(cycle)


def test_only_the_plugin_imports_mkdocs():
    offenders = [
        f"{name}.py:{line}"
        for name, tree in _modules().items()
        if name != "mkdocs_plugin"
        for target, _, line in _imports(name, tree)
        if target == "!mkdocs"
    ]
    assert not offenders, f"mkdocs imported outside mkdocs_plugin: {offenders}"


def _command_modules(modules: dict[str, ast.Module]) -> set[str]:
    """Modules a command runs from: cli, and any module that defines add_parser or a cmd_ function."""
    return {"cli", "__main__", "mkdocs_plugin"} | {
        name
        for name, tree in modules.items()
        if any(
            isinstance(n, ast.FunctionDef) and (n.name == "add_parser" or n.name.startswith("cmd_")) for n in tree.body
        )
    }


def test_commands_import_no_private_name():
    modules = _modules()
    offenders = [
        f"{name}.py:{line}: {imported} from {target}"
        for name in sorted(_command_modules(modules))
        for target, imported, line in _imports(name, modules[name])
        if target in modules and imported.startswith("_") and not imported.startswith("__")
    ]
    assert not offenders, f"command modules importing another module's private names: {offenders}"


def test_private_names_are_found(tmp_path):
    """The check itself: a private import in a function body is seen."""
    tree = ast.parse("def f():\n    from .anchor import _EQUIVALENT\n")
    assert ("anchor", "_EQUIVALENT", 2) in _imports("x", tree)
    tree = ast.parse("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .reliability import Policy\n")
    assert not [t for t in _imports("x", tree) if t[0] == "reliability"]


def _declared(requirement_lines: list[str]) -> set[str]:
    """Normalised distribution names from requirement strings ("jsonschema>=4.20", "pagefind[bin]==1.5")."""
    import re

    names = set()
    for line in requirement_lines:
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            names.add(re.split(r"[\[<>=!~; ]", line, maxsplit=1)[0].lower().replace("_", "-"))
    return names


def test_every_outside_import_is_a_declared_and_pinned_dependency():
    """An import that only works because the developer's venv happens to hold the package fails
    CI's clean install; this names it before CI does (fastjsonschema once slipped through so)."""
    import sys
    import tomllib
    from importlib.metadata import packages_distributions

    root = PACKAGE.parents[1]
    declared = _declared(tomllib.loads((root / "pyproject.toml").read_text())["project"]["dependencies"])
    declared |= {"mkdocs"}  # the optional [mkdocs] extra, imported by the plugin only
    pinned = _declared((root / "requirements.txt").read_text().splitlines())
    owners = packages_distributions()
    outside = {
        (target[1:], f"{name}.py:{line}")
        for name, tree in _modules().items()
        for target, _, line in _imports(name, tree)
        if target.startswith("!") and target[1:] not in sys.stdlib_module_names
    }
    assert any(module == "jsonschema" for module, _ in outside)  # the walk sees outside imports
    missing = sorted(
        f"{where}: {module} ({', '.join(owners.get(module, ['no installed distribution']))})"
        for module, where in outside
        if not {d.lower().replace("_", "-") for d in owners.get(module, [])} & declared & pinned
    )
    assert not missing, f"imported but not declared in pyproject.toml and pinned in requirements.txt: {missing}"
