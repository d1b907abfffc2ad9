"""Start the Rasa server, the action server and the web app, wait until all answer, keep them up,
stop cleanly.

All bind to ZHICHENG_HOST (127.0.0.1 by default). Rasa's HTTP API stays off unless
ZHICHENG_RASA_API=1, and then it needs a token (ZHICHENG_RASA_API_TOKEN, else generated into
var/rasa_api_token) and allows only ZHICHENG_ALLOWED_ORIGINS. The action server needs a shared
token that the runner writes into the endpoints file it hands to Rasa. A server that exits is
restarted with back-off (1, 2, 4 … 30 s) while the others keep serving. The web app (widget page,
widget.js, clause pages, feedback; bot.web) proxies the chat to this run's Rasa port; with
web_port=None it is not started.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn

import yaml

from bot.config import ROOT, secret_value, secure_var_dir, settings

BIN = Path(sys.executable).parent
MAX_BACKOFF = 30.0
STABLE_AFTER = 60.0  # a server up this long has its back-off reset


@dataclass
class Servers:
    rasa_port: int = field(default_factory=lambda: settings().rasa_port)
    actions_port: int = field(default_factory=lambda: settings().actions_port)
    web_port: int | None = field(default_factory=lambda: settings().web_port)  # None: no web app
    endpoints: Path = field(default_factory=lambda: settings().endpoints)
    credentials: Path = ROOT / "credentials.yml"
    model: Path = ROOT / "models"
    env: dict[str, str] = field(default_factory=dict)
    log_dir: Path | None = None
    action_workers: int = 1
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)  # name -> Popen
    restarts: dict[str, int] = field(default_factory=dict)  # name -> how many times the supervisor restarted it

    def __post_init__(self) -> None:
        self._lock = threading.RLock()
        self._wanted: set[str] = set()
        self._started_at: dict[str, float] = {}
        self._backoff: dict[str, float] = {}
        self._due: dict[str, float] = {}
        self._supervisor: threading.Thread | None = None
        self._closing = threading.Event()

    @property
    def host(self) -> str:
        return settings().host

    @property
    def rasa_url(self) -> str:
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def actions_url(self) -> str:
        return f"http://{self.host}:{self.actions_port}"

    @property
    def web_url(self) -> str:
        return f"http://{self.host}:{self.web_port}"

    # -- configuration handed to the servers ---------------------------------------------
    def _child_env(self) -> dict[str, str]:
        env = {**os.environ, **self.env}
        env.setdefault("RASA_TELEMETRY_ENABLED", "false")
        env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
        env["ZHICHENG_ACTION_TOKEN"] = self.action_token
        return env

    @property
    def action_token(self) -> str:
        if "ZHICHENG_ACTION_TOKEN" in self.env:
            return self.env["ZHICHENG_ACTION_TOKEN"]
        return secret_value("ZHICHENG_ACTION_TOKEN", "action_token")

    def endpoints_config(self) -> dict[str, Any]:
        from bot.actionserver import TOKEN_HEADER
        config = yaml.safe_load(self.endpoints.read_text(encoding="utf-8")) or {}
        config["action_endpoint"] = {"url": settings().action_url(self.actions_port),
                                     "headers": {TOKEN_HEADER: self.action_token}}
        return config

    def endpoints_file(self) -> Path:
        """endpoints.yml with this run's action-server port and token (written under var/)."""
        config = self.endpoints_config()
        out = (self.log_dir or settings().var_dir) / f"endpoints.{self.rasa_port}.yml"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
        out.chmod(0o600)
        return out

    def rasa_args(self, port: int | None = None) -> list[str]:
        conf = settings()
        # `rasa run` with bot.rasaserver's measured speed-ups installed first
        args = [str(BIN / "python"), "-m", "bot.rasaserver", "run", "--interface", self.host,
                "--port", str(port or self.rasa_port),
                "--model", str(self.model), "--endpoints", str(self.endpoints_file()),
                "--credentials", str(self.credentials)]
        if conf.rasa_api:
            token = secret_value("ZHICHENG_RASA_API_TOKEN", "rasa_api_token")
            args += ["--enable-api", "--auth-token", token, "--cors", *conf.allowed_origins]
        return args

    def actions_args(self) -> list[str]:
        return [str(BIN / "python"), "-m", "bot.actionserver", "--port", str(self.actions_port),
                "--workers", str(self.action_workers)]

    def web_args(self) -> list[str]:
        return [str(BIN / "python"), "-m", "bot.web", "--port", str(self.web_port)]

    # -- processes --------------------------------------------------------------------------
    def process_args(self, name: str) -> list[str]:
        return {"rasa": self.rasa_args, "actions": self.actions_args, "web": self.web_args}[name]()

    def _spawn(self, name: str) -> subprocess.Popen[bytes]:
        args = self.process_args(name)
        env = self._child_env()
        if name.startswith("rasa"):  # bodies above the limit get 413 from Sanic before any code runs
            env["SANIC_REQUEST_MAX_SIZE"] = str(settings().max_body_bytes)
        if name == "web":  # the chat proxy's target
            env["ZHICHENG_RASA_PORT"] = str(self.rasa_port)
            env["ZHICHENG_ENDPOINTS"] = str(self.endpoints)  # the console reads transcripts from its tracker store
        out = None
        if self.log_dir:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            out = open(self.log_dir / f"{name}.log", "ab")
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT if out else None,
                                start_new_session=True)
        with self._lock:
            self.procs[name] = proc
            self._started_at[name] = time.monotonic()
            self._wanted.add(name)
        return proc

    def start_actions(self) -> None:
        self._spawn("actions")

    def start_rasa(self) -> None:
        if not Path(self.model).exists():
            raise RuntimeError(f"没有找到模型 {self.model}：请先运行 make model（或 rasa train）")
        self._spawn("rasa")

    def start_web(self) -> None:
        if self.web_port is not None:
            self._spawn("web")

    def start(self, timeout: float = 240) -> None:
        secure_var_dir()
        self.start_actions()
        self.start_rasa()
        self.start_web()
        self.wait(timeout)
        self.supervise()

    def health_urls(self) -> dict[str, str]:
        # Rasa's channel routes answer only once the model is loaded; no API needed
        urls = {"actions": f"{self.actions_url}/health", "rasa": f"{self.rasa_url}/webhooks/rest/"}
        if self.web_port is not None:
            urls["web"] = f"{self.web_url}/healthz"
        return urls

    def wait(self, timeout: float = 240, names: tuple[str, ...] | None = None) -> None:
        deadline = time.monotonic() + timeout
        pending = {n: u for n, u in self.health_urls().items() if names is None or n in names}
        while pending:
            with self._lock:
                for name in pending:
                    proc = self.procs.get(name)
                    if proc is not None and proc.poll() is not None and self._supervisor is None:
                        shown = proc.args[:4] if isinstance(proc.args, list) else proc.args  # always a list here
                        raise RuntimeError(f"a server exited early with code {proc.returncode}: {shown!s}")
            for name, url in list(pending.items()):
                if healthy(url):
                    pending.pop(name)
            if time.monotonic() > deadline:
                raise TimeoutError(f"servers not healthy after {timeout}s: {sorted(pending)}")
            if pending:
                time.sleep(0.3)

    def supervise(self) -> None:
        """Restart any server that exits, with back-off, in a background thread."""
        if self._supervisor is None:
            self._supervisor = threading.Thread(target=self._watch, name="supervisor", daemon=True)
            self._supervisor.start()

    def _watch(self) -> None:
        while not self._closing.wait(0.3):
            now = time.monotonic()
            with self._lock:
                for name in list(self._wanted):
                    proc = self.procs.get(name)
                    if proc is None or proc.poll() is None:
                        if proc is not None and now - self._started_at.get(name, now) > STABLE_AFTER:
                            self._backoff.pop(name, None)
                        continue
                    if name not in self._due:
                        delay = self._backoff.get(name, 0.5) * 2
                        self._backoff[name] = min(delay, MAX_BACKOFF)
                        self._due[name] = now + self._backoff[name]
                        print(f"{_label(name)}意外退出（退出码 {proc.returncode}），{self._backoff[name]:.0f} 秒后重启；"
                              "其余服务照常运行。", file=sys.stderr, flush=True)
                    elif now >= self._due[name]:
                        del self._due[name]
                        try:
                            self._spawn(name)
                            self.restarts[name] = self.restarts.get(name, 0) + 1
                        except Exception as err:  # e.g. the model vanished: try again later
                            print(f"重启{_label(name)}失败：{err}", file=sys.stderr, flush=True)

    def stop_rasa(self) -> None:
        self._stop(["rasa"])

    def stop(self) -> None:
        self._closing.set()
        self._stop(list(self.procs))

    def _stop(self, names: list[str]) -> None:
        with self._lock:
            procs = []
            for name in names:
                self._wanted.discard(name)
                self._due.pop(name, None)
                proc = self.procs.pop(name, None)
                if proc is not None:
                    procs.append(proc)
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


_LABEL = {"rasa": "Rasa 服务器", "actions": "动作服务器", "web": "网页服务", "proxy": "负载均衡（nginx）"}


def _label(name: str) -> str:
    base, _, n = name.partition("-")
    return _LABEL[base] + (f" {n} 号" if n else "")


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            status: int = resp.status
            return status == 200
    except (OSError, urllib.error.HTTPError):
        return False


def _interrupt(signum: int, frame: FrameType | None) -> NoReturn:
    raise KeyboardInterrupt


def run_forever(servers: Servers) -> int:
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops the servers as cleanly as Ctrl-C
    print("正在启动动作服务器、Rasa 服务器和网页服务（加载模型约需 20–40 秒）…", flush=True)
    try:
        servers.start()
    except (RuntimeError, TimeoutError, KeyboardInterrupt) as err:
        servers.stop()
        print(f"启动失败：{err}", file=sys.stderr)
        return 1
    web = f"  网页（咨询组件演示页）: {servers.web_url}\n" if servers.web_port is not None else ""
    print(f"职称咨询助手已启动（只监听 {servers.host}）：\n{web}  REST:   {servers.rasa_url}/webhooks/rest/webhook\n"
          f"  socket.io: {servers.rasa_url}/socket.io\n  动作服务器: {servers.actions_url}/health\n"
          "按 Ctrl-C 停止。", flush=True)
    try:
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        print("\n正在停止…", flush=True)
        return 0
    finally:
        servers.stop()
