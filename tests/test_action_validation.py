"""The compiled-once validation of action-server replies accepts and rejects what Rasa's does."""
import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

import components  # noqa: F401  (installs the validator)
from components.action_validation import validate_action_result


def action() -> RemoteAction:
    return RemoteAction("action_answer_faq", None)


def test_installed_on_remote_action():
    assert RemoteAction._validate_action_result is validate_action_result


def test_a_reply_with_events_and_messages_is_valid():
    result = {"events": [{"event": "slot", "name": "adv_asking", "value": None}],
              "responses": [{"text": "您好", "buttons": []}]}
    assert action()._validate_action_result(result) is True
    assert action()._validate_action_result(result) is True  # the compiled validator is reused


@pytest.mark.parametrize("bad", [{"events": "not a list"}, {"events": [{"no_event_key": 1}]}])
def test_a_malformed_reply_is_rejected_with_rasas_message(bad):
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action()._validate_action_result(bad)
