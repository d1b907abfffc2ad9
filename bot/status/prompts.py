"""What the status lookup asks, in one place: the form's questions and the factor-kind buttons.
The words are templates of the `status` group (knowledge/wording.yml)."""
from __future__ import annotations

import json

from bot.wording import Phrases, say

FACTOR_NAMES = Phrases({"id4": "status.factor.id4", "phone4": "status.factor.phone4"})
STATUS_PROMPTS = Phrases({"status_application_id": "status.prompt.application_id",
                          "status_factor_kind": "status.prompt.factor_kind"})


def factor_kind_buttons() -> list[dict[str, str]]:
    return [{"title": title, "payload": "/choose_factor" + json.dumps({"factor_kind": kind})}
            for kind, title in FACTOR_NAMES.items()]


def factor_prompt(kind: str | None) -> str:
    return say("status.prompt.factor", factor=FACTOR_NAMES.get(kind or "id4"))
