"""The compiled-once validation of action-server replies accepts and rejects what Rasa's does."""
import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from bot import action_validation
from bot.action_validation import validate_action_result


@pytest.fixture(autouse=True)
def _installed():
    """Installed as `zhicheng run` installs it (bot.rasaserver), then taken out again."""
    original = RemoteAction._validate_action_result
    action_validation.install()
    yield
    RemoteAction._validate_action_result = original


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


REPLIES = [
    {"events": [{"event": "slot", "name": "adv_facts", "value": {"series": "工程"}}, {"event": "followup", "name": "action_listen"},
                {"event": "rewind"}, {"event": "active_loop", "name": None}, {"event": "bot", "text": "您好"}],
     "responses": [{"text": "您好", "json_message": {"faq_id": "x"}}]},
    {"events": [], "responses": []},
    {"events": [{"event": "user", "text": "hi", "parse_data": {"intent": {"name": "greet", "confidence": 1}}}]},
    {"events": [{"event": "slot", "name": "x"}]},  # no value
    {"events": [{"event": "slot", "value": 1}]},  # no name
    {"events": [{"event": "nonsense"}]},
    {"events": [{"event": 7}]},
    {"events": [{"event": "action", "name": 5}]},
    {"events": [{"event": "user", "parse_data": {"entities": [{"entity": "e"}]}}]},  # an entity without value
    {"events": [{"event": "bot", "timestamp": "soon"}]},
    {"events": [["event", "slot"]]},
    {"events": None},
    {"responses": "text"},
    [],
]


@pytest.mark.parametrize("reply", REPLIES)
def test_the_fast_check_accepts_exactly_what_the_full_schema_accepts(reply):
    from jsonschema import validators

    schema = RemoteAction.action_response_format_spec()
    full = validators.validator_for(schema)(schema).is_valid(reply)
    assert action_validation._fast is not None
    assert action_validation._valid_fast(reply) is full
    if full:
        assert action()._validate_action_result(reply) is True
    else:
        with pytest.raises(ValidationError, match="Failed to validate Action server response"):
            action()._validate_action_result(reply)
