"""Scale mode (`zhicheng run --scale`): Rasa's own mechanisms for more than one worker.

- several `rasa run` processes (ZHICHENG_RASA_WORKERS, 2 by default) on loopback ports, behind
  an nginx load balancer on the public Rasa port (config generated under var/scale/);
- `RedisLockStore`, so the messages of one conversation are handled one after the other
  whichever worker receives them (ZHICHENG_REDIS_URL, key prefix ZHICHENG_REDIS_PREFIX);
- the tracker store and the knowledge database on PostgreSQL (DATABASE_URL; default
  postgresql://postgres@127.0.0.1:5432/zhicheng), the tracker store with long conversations
  trimmed (bot.sessionstore);
- the action server with several Sanic workers (`--action-workers`, 2 by default).

A worker that dies is restarted by the supervisor (bot.runner); while it is down nginx sends
its requests to the others, and a request it was handling when it died is retried on another
worker (it had not been saved: Rasa saves the tracker after the reply is computed).
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.config import secure_var_dir, settings
from bot.runner import Servers
from bot.trackerstore import STORE_CLASS

NGINX = Path("/usr/sbin/nginx")
DEFAULT_DATABASE_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/zhicheng"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/5"


def scale_database_url() -> str:
    url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    if not url.startswith("postgresql"):
        raise RuntimeError(f"多进程模式需要 PostgreSQL：DATABASE_URL 应为 postgresql://…，现为 {make_url(url).drivername}")
    return url


def ensure_database(url: str) -> bool:
    """Create the PostgreSQL database named in `url` if it is missing; True if it was created."""
    target = make_url(url)
    name = target.database
    last_error: Exception | None = None
    for maintenance in ("postgres", "template1"):
        engine = create_engine(target.set(database=maintenance), isolation_level="AUTOCOMMIT", future=True)
        try:
            with engine.connect() as conn:
                if conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first():
                    return False
                quoted = conn.dialect.identifier_preparer.quote(name)
                conn.execute(text(f"CREATE DATABASE {quoted}"))
                return True
        except Exception as err:  # noqa: BLE001 - try the next maintenance database
            last_error = err
        finally:
            engine.dispose()
    raise RuntimeError(f"无法连接 PostgreSQL 或创建数据库 {name}：{type(last_error).__name__}")


def redis_config(url: str, prefix: str) -> dict[str, Any]:
    u = make_url(url)
    config = {"type": "bot.lockstore.RedisLockStore", "url": u.host or "127.0.0.1", "port": u.port or 6379,
              "db": int(u.database or 0), "key_prefix": prefix}
    if u.password:
        config["password"] = u.password
    if u.username:
        config["username"] = u.username
    return config


def tracker_config(url: str) -> dict[str, Any]:
    u = make_url(url)
    config = {"type": STORE_CLASS, "dialect": u.drivername, "url": u.host or "127.0.0.1",
              "port": u.port or 5432, "db": u.database}
    if u.username:
        config["username"] = u.username
    if u.password:
        config["password"] = u.password
    return config


@dataclass
class ScaleServers(Servers):
    rasa_workers: int = 2
    worker_ports: list[int] | None = None  # default: rasa_port + 1 … rasa_port + rasa_workers
    action_workers: int = 2
    database_url: str = field(default_factory=scale_database_url)
    redis_url: str = field(default_factory=lambda: os.environ.get("ZHICHENG_REDIS_URL", DEFAULT_REDIS_URL))
    redis_prefix: str = field(default_factory=lambda: os.environ.get("ZHICHENG_REDIS_PREFIX", "zhicheng"))
    lock_lifetime: int = 10  # seconds a ticket of a worker that died blocks its conversation
    # ZHICHENG_SCALE_STICKY=1: a conversation's messages to the same worker while it is up (its kept
    # tracker is used); off by default: measured at 10 users on 2 shared cores, round robin answered
    # more (19.1 vs 15.2 msg/s, load 5.5–5.7): a few conversations hashed onto two one-core workers
    # load them unevenly
    sticky: bool = field(default_factory=lambda: os.environ.get("ZHICHENG_SCALE_STICKY", "0") == "1")

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.redis_prefix.isalnum():
            raise ValueError("ZHICHENG_REDIS_PREFIX 只能含字母和数字（Rasa 的要求）")
        self.env = {**self.env, "DATABASE_URL": self.database_url,
                    "TICKET_LOCK_LIFETIME": str(self.lock_lifetime)}

    @property
    def ports(self) -> list[int]:
        return self.worker_ports or [self.rasa_port + 1 + i for i in range(self.rasa_workers)]

    @property
    def rasa_names(self) -> list[str]:
        return [f"rasa-{i + 1}" for i in range(len(self.ports))]

    def worker_url(self, name: str) -> str:
        return f"http://{self.host}:{self.ports[self.rasa_names.index(name)]}"

    def endpoints_config(self) -> dict[str, Any]:
        config = super().endpoints_config()
        config["tracker_store"] = tracker_config(self.database_url)
        config["lock_store"] = redis_config(self.redis_url, self.redis_prefix)
        return config

    def scale_dir(self) -> Path:
        path = (self.log_dir or settings().var_dir) / "scale"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def nginx_config(self) -> Path:
        """The load balancer's config: the public Rasa port, the worker with the fewest messages in
        flight (or by conversation, `sticky`)."""
        d = self.scale_dir()
        servers = "\n".join(f"        server {self.host}:{p} max_fails=1 fail_timeout=3s;" for p in self.ports)
        # round robin kept each worker's queue length to chance; least_conn hands a message to the
        # worker with the fewest in flight: p95 at 10 users 147–187 → 117–155 ms (/tmp A/B, 3 runs each)
        balance = "        hash $zhicheng_sender consistent;\n" if self.sticky else "        least_conn;\n"
        user = "user root;\n" if os.geteuid() == 0 else ""
        conf = f"""# generated by bot/scale.py for this run; edit the code, not this file
{user}worker_processes 1;
daemon off;
pid {d}/nginx.{self.rasa_port}.pid;
error_log {d}/nginx.{self.rasa_port}.error.log warn;
events {{ worker_connections 4096; }}
http {{
    # which worker answered (method, path, status; never a body): tests/scale checks the spread
    log_format workers '$upstream_addr $status "$request"';
    access_log {d}/nginx.{self.rasa_port}.access.log workers;
    server_tokens off;
    client_body_temp_path {d}/client_body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
    client_max_body_size {settings().max_body_bytes};
    client_body_buffer_size {settings().max_body_bytes};
    # the client address: kept from a trusted proxy in front (deploy/nginx.conf), else the peer
    map $http_x_real_ip $zhicheng_client {{ "" $remote_addr; default $http_x_real_ip; }}
    map $http_upgrade $zhicheng_connection {{ default upgrade; "" ""; }}
    # with ZHICHENG_SCALE_STICKY=1, a conversation's messages to one worker (the REST body's sender;
    # consistent hash, so a worker that dies moves only its own conversations): that worker still
    # holds the tracker it saved and skips loading it (bot/sessionstore.py). Correct either way;
    # without a sender (a body too big for memory, another channel) round robin.
    map $request_body $zhicheng_sender {{ "~\\"sender\\"\\s*:\\s*\\"(?<s>[^\\"]*)\\"" $s; default ""; }}
    upstream rasa_workers {{
{balance}{servers}
        keepalive 64;
    }}
    upstream rasa_sticky {{   # socket.io keeps a session in one worker's memory
        hash $zhicheng_client consistent;
{servers}
    }}
    server {{
        listen {self.host}:{self.rasa_port} backlog=4096;
        proxy_http_version 1.1;
        proxy_set_header Host $host;
        proxy_set_header X-Real-IP $zhicheng_client;
        proxy_read_timeout 60s;
        proxy_connect_timeout 2s;
        location /socket.io/ {{
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $zhicheng_connection;
            proxy_pass http://rasa_sticky;
        }}
        location / {{
            proxy_set_header Connection "";
            # a worker that died before answering: try another (nothing was saved yet)
            proxy_next_upstream error timeout http_502 non_idempotent;
            proxy_next_upstream_tries {len(self.ports)};
            proxy_pass http://rasa_workers;
        }}
    }}
}}
"""
        out = d / f"nginx.{self.rasa_port}.conf"
        out.write_text(conf, encoding="utf-8")
        return out

    def process_args(self, name: str) -> list[str]:
        if name in self.rasa_names:
            return self.rasa_args(self.ports[self.rasa_names.index(name)])
        if name == "proxy":
            return [str(NGINX), "-p", str(self.scale_dir()), "-c", str(self.nginx_config()),
                    "-e", str(self.scale_dir() / f"nginx.{self.rasa_port}.error.log")]
        return super().process_args(name)

    def start_rasa(self) -> None:
        if not Path(self.model).exists():
            raise RuntimeError(f"没有找到模型 {self.model}：请先运行 make model（或 rasa train）")
        if not NGINX.exists():
            raise RuntimeError("没有找到 nginx：请运行 make deps（apt-get install -y nginx）")
        for name in self.rasa_names:
            self._spawn(name)

    def start(self, timeout: float = 240) -> None:
        secure_var_dir()
        ensure_database(self.database_url)
        started = time.monotonic()
        self.start_actions()
        self.start_rasa()
        self.start_web()
        # the balancer last: probed while the workers still load, nginx would count them as failed
        self.wait(timeout, names=tuple(n for n in self.health_urls() if n != "proxy"))
        self._spawn("proxy")
        self.wait(max(timeout - (time.monotonic() - started), 10))
        self.supervise()

    def stop_rasa(self) -> None:
        self._stop([*self.rasa_names, "proxy"])

    def health_urls(self) -> dict[str, str]:
        urls = super().health_urls()
        for name in self.rasa_names:
            urls[name] = f"{self.worker_url(name)}/webhooks/rest/"
        urls["proxy"] = urls.pop("rasa")
        return urls
