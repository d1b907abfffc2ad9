"""What the type checker is told by hand must match what runs."""
from __future__ import annotations

import ast
from pathlib import Path

from bot import answers


def test_the_reply_names_declared_for_mypy_are_the_ones_answers_serves():
    """bot/answers.py declares the names its module __getattr__ serves, under TYPE_CHECKING: a name
    declared there but not served would type-check and fail at run time, one served but not
    declared would not type-check."""
    tree = ast.parse(Path(answers.__file__).read_text(encoding="utf-8"))
    block = next(n for n in tree.body if isinstance(n, ast.If) and ast.unparse(n.test) == "TYPE_CHECKING"
                 and any(isinstance(s, ast.AnnAssign) for s in n.body))
    declared = {s.target.id for s in block.body if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)}
    assert declared == {*answers._NAMED, "CLARIFY_BUTTONS"}
    for name in declared:
        assert getattr(answers, name)  # each one renders
