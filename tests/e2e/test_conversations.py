"""Multi-turn advisor conversations through the real servers (tests/e2e/conversations.yml)."""
from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import yaml

from tests.e2e import ask

CONVERSATIONS = yaml.safe_load(Path(__file__).with_name("conversations.yml").read_text(encoding="utf-8"))["conversations"]


def test_there_are_enough_conversations():
    assert len(CONVERSATIONS) >= 40
    assert all(1 <= len(c["turns"]) <= 6 for c in CONVERSATIONS)


@pytest.mark.parametrize("conv", CONVERSATIONS, ids=[c["id"] for c in CONVERSATIONS])
def test_conversation(servers, conv):
    sender = f"conv-{conv['id']}-{uuid.uuid4().hex[:6]}"
    replies = [ask.ask(servers.rasa_url, turn, sender) for turn in conv["turns"]]
    last = replies[-1]
    clauses = ask.cited(last)
    for item in conv.get("must_contain") or []:
        options = item if isinstance(item, list) else [item]
        assert any(ask._present(o, last, clauses) for o in options), (item, replies)
    for item in conv.get("must_not_contain") or []:
        assert not ask._present(item, last, clauses), (item, replies)
    assert "Traceback" not in "".join(replies)
