"""Start the Rasa server and the action server, wait until both answer, stop both cleanly."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from bot.config import ROOT

BIN = Path(sys.executable).parent


@dataclass
class Servers:
    rasa_port: int = 5005
    actions_port: int = 5055
    endpoints: Path = ROOT / "endpoints.yml"
    credentials: Path = ROOT / "credentials.yml"
    model: Path = ROOT / "models"
    env: dict = field(default_factory=dict)
    log_dir: Path | None = None
    procs: list = field(default_factory=list)

    @property
    def rasa_url(self) -> str:
        return f"http://localhost:{self.rasa_port}"

    @property
    def actions_url(self) -> str:
        return f"http://localhost:{self.actions_port}"

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen:
        env = {**os.environ, **self.env}
        out = None
        if self.log_dir:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            out = open(self.log_dir / f"{name}.log", "ab")
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT if out else None,
                                start_new_session=True)
        self.procs.append(proc)
        return proc

    def start_actions(self) -> None:
        self._spawn("actions", [str(BIN / "rasa"), "run", "actions", "--port", str(self.actions_port),
                                "--actions", "actions"])

    def start_rasa(self) -> None:
        self._spawn("rasa", [str(BIN / "rasa"), "run", "--enable-api", "--cors", "*",
                             "--port", str(self.rasa_port), "--model", str(self.model),
                             "--endpoints", str(self.endpoints), "--credentials", str(self.credentials)])

    def start(self, timeout: float = 240) -> None:
        self.start_actions()
        self.start_rasa()
        self.wait(timeout)

    def wait(self, timeout: float = 240) -> None:
        deadline = time.monotonic() + timeout
        pending = {f"{self.actions_url}/health", f"{self.rasa_url}/status"}
        while pending:
            for proc in self.procs:
                if proc.poll() is not None:
                    raise RuntimeError(f"a server exited early with code {proc.returncode}: {proc.args}")
            for url in list(pending):
                try:
                    with urllib.request.urlopen(url, timeout=2) as resp:
                        if resp.status == 200:
                            pending.discard(url)
                except urllib.error.HTTPError as err:
                    if err.code == 409:  # Rasa is up but could not load the model
                        raise RuntimeError(f"Rasa started without a model: check {self.model}") from err
                except OSError:
                    pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"servers not healthy after {timeout}s: {sorted(pending)}")
            if pending:
                time.sleep(0.5)

    def stop_rasa(self) -> None:
        self._stop([p for p in self.procs if "actions" not in p.args])

    def stop(self) -> None:
        self._stop(list(self.procs))

    def _stop(self, procs: list) -> None:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            self.procs.remove(proc)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def run_forever(servers: Servers) -> int:
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops the servers as cleanly as Ctrl-C
    print("正在启动动作服务器和 Rasa 服务器（加载模型约需 20–40 秒）…", flush=True)
    try:
        servers.start()
    except (RuntimeError, TimeoutError, KeyboardInterrupt) as err:
        servers.stop()
        print(f"启动失败：{err}", file=sys.stderr)
        return 1
    print(f"职称咨询助手已启动：\n  REST:   {servers.rasa_url}/webhooks/rest/webhook\n"
          f"  socket.io: {servers.rasa_url}/socket.io\n  动作服务器: {servers.actions_url}/health\n"
          "按 Ctrl-C 停止。", flush=True)
    try:
        while all(p.poll() is None for p in servers.procs):
            time.sleep(1)
        print("有服务器意外退出，正在停止其余服务。", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\n正在停止…", flush=True)
        return 0
    finally:
        servers.stop()
