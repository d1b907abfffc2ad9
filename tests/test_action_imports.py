"""No action module imports another action module: where a message goes is decided once, by
bot.router, and actions/faq.py and actions/advisor.py are plain helpers."""
from __future__ import annotations

import ast
from pathlib import Path

ACTIONS = Path(__file__).resolve().parent.parent / "actions"


def _defines_actions(tree: ast.Module) -> bool:
    return any(isinstance(n, ast.ClassDef) and any(getattr(b, "id", getattr(b, "attr", "")).endswith("Action")
                                                   for b in n.bases) for n in tree.body)


def _imports(tree: ast.Module) -> set[str]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "actions":
                out |= {a.name for a in node.names}
            elif node.module.startswith("actions."):
                out.add(node.module.split(".", 1)[1])
        elif isinstance(node, ast.Import):
            out |= {a.name.split(".", 1)[1] for a in node.names if a.name.startswith("actions.")}
    return out


def test_no_action_module_imports_another():
    trees = {p.stem: ast.parse(p.read_text(encoding="utf-8")) for p in ACTIONS.glob("*.py")}
    with_actions = {name for name, tree in trees.items() if _defines_actions(tree)}
    assert {"respond", "status"} <= with_actions
    for name in with_actions:
        assert not (_imports(trees[name]) & (with_actions - {name})), name


def test_the_helpers_hold_no_actions():
    for name in ("faq", "advisor"):
        assert not _defines_actions(ast.parse((ACTIONS / f"{name}.py").read_text(encoding="utf-8"))), name
