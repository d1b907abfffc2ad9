"""The vanilla bot bench/bench.py compares against: Rasa's default Chinese config on the project's
NLU data with one canned reply per intent, built and trained under var/bench/vanilla, run by `rasa run`."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import yaml
from loadgen import run_servers, timed_train

from bot.runner import BIN

ROOT = Path(__file__).resolve().parent.parent
VANILLA_CONFIG = """recipe: default.v1
language: zh
assistant_id: vanilla-zh
pipeline:
  - name: JiebaTokenizer
  - name: RegexFeaturizer
  - name: LexicalSyntacticFeaturizer
  - name: CountVectorsFeaturizer
  - name: CountVectorsFeaturizer
    analyzer: char_wb
    min_ngram: 1
    max_ngram: 4
  - name: DIETClassifier
    epochs: 100
    constrain_similarities: true
  - name: EntitySynonymMapper
  - name: ResponseSelector
    epochs: 100
    constrain_similarities: true
  - name: FallbackClassifier
    threshold: 0.3
    ambiguity_threshold: 0.1
policies:
  - name: MemoizationPolicy
  - name: RulePolicy
  - name: UnexpecTEDIntentPolicy
    max_history: 5
    epochs: 100
  - name: TEDPolicy
    max_history: 5
    epochs: 100
    constrain_similarities: true
"""


def build_vanilla(project: Path) -> None:
    """Rasa's default Chinese bot on the project's NLU data: one canned reply per intent."""
    from rasa.shared.nlu.training_data.loading import load_data
    data = load_data(str(ROOT / "data" / "nlu"))
    intents = sorted(data.intents)
    shutil.rmtree(project / "data", ignore_errors=True)
    (project / "data").mkdir(parents=True)
    shutil.copytree(ROOT / "data" / "nlu", project / "data" / "nlu")
    (project / "config.yml").write_text(VANILLA_CONFIG, encoding="utf-8")
    domain = {"version": "3.1", "intents": intents, "entities": sorted(data.entities),
              "responses": {f"utter_{i}": [{"text": f"（{i}）"}] for i in intents} | {
                  "utter_default": [{"text": "抱歉，我没听懂。"}]},
              "session_config": {"session_expiration_time": 60, "carry_over_slots_to_new_session": True}}
    (project / "domain.yml").write_text(yaml.safe_dump(domain, allow_unicode=True), encoding="utf-8")
    rules = [{"rule": f"answer {i}", "steps": [{"intent": i}, {"action": f"utter_{i}"}]} for i in intents]
    rules.append({"rule": "fallback", "steps": [{"intent": "nlu_fallback"}, {"action": "utter_default"}]})
    stories = [{"story": f"ask {i}", "steps": [{"intent": i}, {"action": f"utter_{i}"}]} for i in intents]
    (project / "data" / "rules.yml").write_text(yaml.safe_dump({"version": "3.1", "rules": rules}, allow_unicode=True),
                                                encoding="utf-8")
    (project / "data" / "stories.yml").write_text(
        yaml.safe_dump({"version": "3.1", "stories": stories}, allow_unicode=True), encoding="utf-8")


class VanillaServer:
    """`rasa run` of the vanilla bot, shaped like Servers for run_servers()."""

    def __init__(self, project: Path, port: int, log: Path) -> None:
        self.project, self.port, self.log, self.procs = project, port, log, {}
        self.rasa_url = f"http://127.0.0.1:{port}"

    def start(self, timeout: float) -> None:
        from bot.runner import healthy
        self.procs["rasa"] = subprocess.Popen(
            [str(BIN / "rasa"), "run", "--interface", "127.0.0.1", "--port", str(self.port), "--model",
             str(self.project / "models")], cwd=self.project, stdout=open(self.log, "ab"), stderr=subprocess.STDOUT,
            start_new_session=True, env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"})
        deadline = time.monotonic() + timeout
        while not healthy(f"{self.rasa_url}/webhooks/rest/"):
            if self.procs["rasa"].poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"vanilla Rasa did not start: see {self.log}")
            time.sleep(0.3)

    def stop(self) -> None:
        import signal
        for p in self.procs.values():
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
                try:
                    p.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(p.pid, signal.SIGKILL)
                    p.wait()


def fingerprint(project: Path) -> str:
    import hashlib
    digest = hashlib.sha256()
    for path in sorted([project / "config.yml", project / "domain.yml", *(project / "data").rglob("*.yml")]):
        digest.update(str(path.relative_to(project)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def vanilla(port: int, messages: int, fresh: bool) -> dict:
    project = ROOT / "var" / "bench" / "vanilla"
    project.mkdir(parents=True, exist_ok=True)
    build_vanilla(project)
    stamp, current = project / "train.json", fingerprint(project)
    known = json.loads(stamp.read_text(encoding="utf-8")) if stamp.exists() else {}
    models = sorted((project / "models").glob("*.tar.gz")) if (project / "models").exists() else []
    if fresh or not models or known.get("fingerprint") != current:
        print("== vanilla: rasa train --force (about 5 min on 2 idle cores)", flush=True)
        shutil.rmtree(project / "models", ignore_errors=True)
        result = timed_train(project, project / "models")
        stamp.write_text(json.dumps({**result, "fingerprint": current}), encoding="utf-8")
    else:  # the model of these very files, and the time its training took
        result = {"train_s": known["train_s"], "load": known["load"], "cached": True}
    print(f"    train {result}", flush=True)
    result.update(run_servers(VanillaServer(project, port, project / "rasa.log"), "vanilla", messages))
    return result
