"""No import cycle between the project's own modules.

The graph is read from the source with `ast`, so it sees every import: at the top of a module, inside a
function (a lazy import) and under `if TYPE_CHECKING:`. A cycle is a design smell even when Python
happens to resolve it at run time, so none is allowed.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "actions", "channels", "components")


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules(root: Path) -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            modules[module_name(path, root)] = path
    return modules


def resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The project module an imported name lives in: `bot.kb.search.search` -> `bot.kb.search`."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def imports_of(module: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Every project module that `module` imports, anywhere in its body."""
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            # `from bot import db` imports the module bot.db; `from bot.db import engine` imports bot.db
            names = [f"{prefix}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            target = resolve(name, modules)
            if target and target != module:
                found.add(target)
    return found


def import_graph(root: Path) -> dict[str, set[str]]:
    modules = project_modules(root)
    return {module: imports_of(module, path, modules) for module, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as [a, b, ..., a], or None. Iterative depth-first search with colours."""
    WHITE, GREY, BLACK = 0, 1, 2
    colour = dict.fromkeys(graph, WHITE)
    for start in sorted(graph):
        if colour[start] != WHITE:
            continue
        stack = [(start, iter(sorted(graph[start])))]
        colour[start] = GREY
        while stack:
            node, children = stack[-1]
            for child in children:
                if colour.get(child, BLACK) == GREY:
                    path = [n for n, _ in stack]
                    return path[path.index(child) :] + [child]
                if colour.get(child) == WHITE:
                    colour[child] = GREY
                    stack.append((child, iter(sorted(graph[child]))))
                    break
            else:
                colour[node] = BLACK
                stack.pop()
    return None


def test_the_graph_sees_top_level_lazy_and_relative_imports(tmp_path):
    pkg = tmp_path / "bot"
    (pkg / "kb").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "kb" / "__init__.py").write_text("from . import search\n")
    (pkg / "kb" / "search.py").write_text("from ..db import session\n")
    (pkg / "db.py").write_text("def f():\n    import bot.router\n")
    (pkg / "router.py").write_text("from bot.kb.search import find\n")
    graph = import_graph(tmp_path)
    assert graph["bot.kb"] == {"bot.kb.search"}
    assert graph["bot.kb.search"] == {"bot.db"}
    assert graph["bot.db"] == {"bot.router"}  # a lazy import inside a function counts
    assert find_cycle(graph) == ["bot.db", "bot.router", "bot.kb.search", "bot.db"]


def test_a_graph_without_a_cycle_has_none():
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_the_graph_covers_the_project():
    graph = import_graph(ROOT)
    assert {m.split(".")[0] for m in graph} == set(PACKAGES)
    assert "bot.routing.steps" in graph["actions.faq"]
    assert "bot.models" in graph["bot.db"]  # imported inside the function that creates the tables


def test_no_import_cycle_between_project_modules():
    cycle = find_cycle(import_graph(ROOT))
    if cycle:
        pytest.fail("import cycle: " + " -> ".join(cycle))
