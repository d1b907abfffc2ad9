"""Importing the project changes nothing in the libraries it uses: no patch is installed as a side
effect of an import. What `zhicheng run` changes in Rasa is installed explicitly, at start-up, by
`bot.rasaserver.install()` — and this test sees that it does (so it would see an import that did).

Each check runs in a fresh interpreter, so nothing another test imported or installed counts.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = r'''
import importlib, inspect, json, pkgutil, sys, types
# the Rasa machinery a patch would target, imported first so its state can be compared
for name in ("rasa.core.actions.action", "rasa.utils.endpoints", "rasa.core.processor", "rasa.core.agent",
             "rasa.engine.runner.dask", "rasa.core.channels.rest", "rasa.core.channels.socketio",
             "rasa.core.tracker_store", "rasa.core.lock_store", "rasa_sdk.executor", "rasa_sdk.endpoint",
             "rasa.utils.tensorflow.models", "sqlalchemy.orm", "jsonschema", "sanic", "aiohttp"):
    importlib.import_module(name)
WATCHED = ("rasa", "rasa_sdk", "sanic", "aiohttp", "jsonschema", "sqlalchemy", "jieba")

def snapshot():
    out = {}
    for mod_name, mod in list(sys.modules.items()):
        if not isinstance(mod, types.ModuleType) or mod_name.split(".")[0] not in WATCHED:
            continue
        for attr, value in list(vars(mod).items()):
            if isinstance(value, types.ModuleType) or not callable(value):
                continue  # a submodule is set on its package by Python; counters and caches are data
            out[f"{mod_name}.{attr}"] = id(value)
            if inspect.isclass(value) and value.__module__ == mod_name:
                for name, member in list(vars(value).items()):
                    out[f"{mod_name}.{attr}.{name}"] = id(member)
    return out

before = snapshot()
imported = []
for package in ("bot", "actions", "channels", "components"):
    pkg = importlib.import_module(package)
    imported.append(package)
    for info in pkgutil.walk_packages(pkg.__path__, package + "."):
        if info.name.endswith("__main__"):
            continue
        importlib.import_module(info.name)
        imported.append(info.name)
after_import = snapshot()
from bot import rasaserver
rasaserver.install()
after_install = snapshot()
print(json.dumps({"imported": imported,
                  "changed_by_import": sorted(k for k in before if k in after_import and before[k] != after_import[k]),
                  "changed_by_install": sorted(k for k in before if k in after_install and before[k] != after_install[k])}))
'''


@pytest.fixture(scope="module")
def result() -> dict:
    out = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True,
                         timeout=300, env={"PATH": "/usr/bin:/bin", "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
                                           "TF_CPP_MIN_LOG_LEVEL": "2", "RASA_TELEMETRY_ENABLED": "false",
                                           "HOME": str(Path.home())})
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_importing_every_project_module_patches_nothing(result):
    assert {"components", "channels.secure", "bot.rasaserver", "bot.action_validation", "actions.respond"} \
        <= set(result["imported"])
    assert result["changed_by_import"] == []


def test_the_start_up_installs_them_explicitly(result):
    """What `python -m bot.rasaserver` (zhicheng run) installs is seen by the same check."""
    changed = result["changed_by_install"]
    assert "rasa.core.actions.action.RemoteAction._validate_action_result" in changed
    assert "rasa.utils.endpoints.EndpointConfig.session" in changed
    assert "rasa.core.processor.DaskGraphRunner" in changed
    assert "rasa.utils.tensorflow.models.RasaModel.load" in changed
