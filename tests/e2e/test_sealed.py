"""The sealed set (tests/sealed): questions and conversations written apart from the project and
never tuned on. Its pass rates are printed in the CI log; see tests/sealed/README.md."""
from __future__ import annotations

from tests.e2e import ask

SEALED = ask.SETS["sealed"]
# Floors below which `make test` fails: a regression guard set under the figures measured when
# they were last raised (README, "Accuracy"). The targets (92% / 90%) are not met yet;
# raise these only with work that was not tuned on this set.
GATE_QUESTIONS = 0.90
GATE_CONVERSATIONS = 0.85


def test_sealed_set(servers, capsys):
    questions = ask.run(servers.rasa_url, ask.load_questions(SEALED / "questions.yml"), workers=4)
    conversations = ask.run_conversations(servers.rasa_url, ask.load_conversations(SEALED / "conversations.yml"))
    with capsys.disabled():
        q = ask.report(questions, title="封存集 单轮问题")
        c = ask.report(conversations, title="封存集 多轮对话", breakdown=False)
    assert q["total"] >= 300 and c["total"] >= 60
    assert not ask.shape_failures(questions + conversations), ask.shape_failures(questions + conversations)
    assert q["rate"] >= GATE_QUESTIONS and c["rate"] >= GATE_CONVERSATIONS

