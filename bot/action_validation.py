"""Validate action-server replies with a schema compiled once, not on every action.

Rasa 3.6's `RemoteAction._validate_action_result` calls `jsonschema.validate(result, schema)`
for every custom action it runs. `validate` first checks the *schema itself* against the
JSON-Schema meta-schema (draft 2020-12 with jsonschema 4.x: `$dynamicRef`, slow) and builds
a new validator. Profiling `rasa run` under load (py-spy, bench/bench.py's message mix)
put about 65% of the server's CPU there. The schema never changes, so we check it once,
keep the validator, and validate each reply with it: same checks, same error message.

Most of what remains (~0.9 ms per message, bench/profile.py) is the `oneOf` over the 23 event
schemas, each of which an event is tried against. They are told apart by `event`'s `const`, so
an event can only ever match the one named by its `event`: a reply is checked first against the
schema without that `oneOf`, each event against its own schema alone, and only a reply that fails
there is validated in full, for Rasa's own error.

Installed explicitly, never on import: `bot.rasaserver.install()` (what `zhicheng run` starts Rasa
with) calls `install()` before Rasa's CLI runs. Plain `rasa run` / `rasa shell` / `rasa test` do not
install it and validate with Rasa's own code: the same checks, only slower.
"""
from __future__ import annotations

from typing import Any

from jsonschema import ValidationError, validators
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

_validator: Any = None  # set by install(): the schema checked and compiled once (a jsonschema validator)
_fast: tuple[Any, dict[str, Any]] | None = None  # the schema without the events' oneOf, and each event's own


def _split(schema: dict[str, Any], cls: Any) -> tuple[Any, dict[str, Any]] | None:
    """The fast check's validators, or None when the events' oneOf is not told apart by `event`."""
    import copy
    items = schema.get("properties", {}).get("events", {}).get("items", {})
    options = items.get("oneOf") or []
    consts = [o.get("properties", {}).get("event", {}).get("const") for o in options]
    if not options or None in consts or len(set(consts)) != len(consts) or "event" not in items.get("required", []):
        return None
    outer = copy.deepcopy(schema)
    del outer["properties"]["events"]["items"]["oneOf"]
    return cls(outer), {c: cls(o) for c, o in zip(consts, options, strict=True)}


def _valid_fast(result: Any) -> bool:
    if _fast is None:  # not installed, or the schema cannot be split: only the full validation
        return False
    outer, by_event = _fast
    if not outer.is_valid(result):
        return False
    for event in (result.get("events") or []) if isinstance(result, dict) else []:
        own = by_event.get(event.get("event"))
        if own is None or not own.is_valid(event):
            return False
    return True


def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    if _valid_fast(result):
        return True
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
    global _validator, _fast
    if _validator is None:
        schema = RemoteAction.action_response_format_spec()
        cls = validators.validator_for(schema)
        cls.check_schema(schema)
        _validator = cls(schema)
        _fast = _split(schema, cls)
    RemoteAction._validate_action_result = validate_action_result
