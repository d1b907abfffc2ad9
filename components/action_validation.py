"""Validate action-server replies with a schema compiled once, not on every action.

Rasa 3.6's `RemoteAction._validate_action_result` calls `jsonschema.validate(result, schema)`
for every custom action it runs. `validate` first checks the *schema itself* against the
JSON-Schema meta-schema (draft 2020-12 with jsonschema 4.x: `$dynamicRef`, slow) and builds
a new validator. Profiling `rasa run` under load (py-spy, bench/bench.py's message mix)
put about 65% of the server's CPU there. The schema never changes, so we check it once,
keep the validator, and validate each reply with it: same checks, same error message.

Imported by `components/__init__.py`, which every Rasa process that loads the model imports
(run, shell, test).
"""
from __future__ import annotations

from typing import Any

from jsonschema import ValidationError, validators
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

_validator = None  # set by install(): the schema checked and compiled once


def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    try:
        _validator.validate(result)
        return True
    except ValidationError as e:
        e.message += (
            f". Failed to validate Action server response from API, "
            f"make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise e


def install() -> None:
    global _validator
    if _validator is None:
        schema = RemoteAction.action_response_format_spec()
        cls = validators.validator_for(schema)
        cls.check_schema(schema)
        _validator = cls(schema)
    RemoteAction._validate_action_result = validate_action_result
