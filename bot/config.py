"""All settings, read from the environment with safe defaults (listed in README.md)."""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The notice's 咨询电话 clause: where every "I cannot say" reply sends the user.
HOTLINE = "12333"
# Sender ids of the publish-time check (bot.staff.precheck): its conversations are deleted
# afterwards and its misses are not logged as unanswered questions.
PROBE_PREFIX = "zc-precheck-"
DEFAULT_ORIGINS = ("http://localhost:8080", "http://127.0.0.1:8080")
# the ports `zhicheng run` starts the servers on (plain `rasa run` reads endpoints.yml, whose
# action-server port is this default: tests/test_settings.py keeps the two equal)
DEFAULT_RASA_PORT, DEFAULT_ACTIONS_PORT, DEFAULT_WEB_PORT = 5005, 5055, 8080


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


def _list(name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return tuple(x.strip() for x in raw.split(",") if x.strip())


@dataclass(frozen=True)
class Settings:
    database_url: str
    knowledge_dir: Path
    var_dir: Path
    today: str | None  # ISO date that replaces the system date (tests, demos)
    max_message_chars: int
    host: str  # the address Rasa and the action server bind to
    max_body_bytes: int  # largest request body the chat endpoints accept
    max_sender_chars: int
    allowed_origins: tuple[str, ...]  # browser origins allowed on socket.io (and Rasa's API, when on)
    trusted_proxies: tuple[str, ...]  # peers whose X-Real-IP header names the client
    rasa_api: bool  # Rasa's HTTP API (off by default; on only with a token)
    tracker_retention_days: int  # conversations idle longer are purged at start (0 = keep)
    guard_timeout: float  # seconds the channel waits for the factor vault before failing closed
    client_max_failures: int  # failed status lookups per client address within the window
    application_lock_clients: int  # distinct clients whose failures lock one 申报编号
    global_max_failures: int  # failures of all clients within 10 minutes that trip the breaker
    demo: bool  # `zhicheng status demo` may write to this database
    rasa_port: int  # the Rasa server (`zhicheng run --rasa-port` overrides; the web app proxies the chat to it)
    actions_port: int  # the action server (`zhicheng run --actions-port` overrides)
    web_port: int  # the web app (`zhicheng run --web-port` overrides)
    endpoints: Path  # the endpoints file `zhicheng run` bases Rasa's on (tracker store), and the console reads

    def knowledge_file(self, name: str) -> Path:
        """A file of the knowledge directory (ZHICHENG_KNOWLEDGE_DIR): every reader asks here."""
        return self.knowledge_dir / name

    def action_url(self, port: int | None = None) -> str:
        """The action server's webhook as Rasa is told it (the endpoints file `zhicheng run` writes)."""
        return f"http://{self.host}:{port or self.actions_port}/webhook"


def database_url() -> str:
    """settings().database_url without building the rest (asked for every database session)."""
    return os.environ.get("DATABASE_URL") or _default_database_url(os.environ.get("ZHICHENG_VAR_DIR"))


@lru_cache(maxsize=8)
def _default_database_url(var_dir: str | None) -> str:
    return f"sqlite:///{Path(var_dir or ROOT / 'var') / 'zhicheng.db'}"


def today_override() -> str | None:
    """settings().today alone (asked several times per message)."""
    return os.environ.get("ZHICHENG_TODAY") or None


def knowledge_file(name: str) -> Path:
    """settings().knowledge_file(name), resolved, without building the rest (asked per message)."""
    return _knowledge_file(os.environ.get("ZHICHENG_KNOWLEDGE_DIR"), name)


@lru_cache(maxsize=64)
def _knowledge_file(knowledge_dir: str | None, name: str) -> Path:
    return (Path(knowledge_dir or ROOT / "knowledge") / name).resolve()


def settings() -> Settings:
    """Every setting, read from the environment now (a test may change it between calls)."""
    var_dir = Path(os.environ.get("ZHICHENG_VAR_DIR", ROOT / "var"))
    explicit_db = os.environ.get("DATABASE_URL")
    return Settings(
        database_url=database_url(),
        knowledge_dir=Path(os.environ.get("ZHICHENG_KNOWLEDGE_DIR", ROOT / "knowledge")),
        var_dir=var_dir,
        today=today_override(),
        max_message_chars=_int("ZHICHENG_MAX_MESSAGE_CHARS", 500),
        host=os.environ.get("ZHICHENG_HOST", "127.0.0.1"),
        max_body_bytes=_int("ZHICHENG_MAX_BODY_BYTES", 8192),
        max_sender_chars=_int("ZHICHENG_MAX_SENDER_CHARS", 128),
        allowed_origins=_list("ZHICHENG_ALLOWED_ORIGINS", DEFAULT_ORIGINS),
        trusted_proxies=_list("ZHICHENG_TRUSTED_PROXIES", ("127.0.0.1", "::1")),
        rasa_api=os.environ.get("ZHICHENG_RASA_API", "0") == "1",
        tracker_retention_days=_int("ZHICHENG_TRACKER_RETENTION_DAYS", 90),
        guard_timeout=float(os.environ.get("ZHICHENG_GUARD_TIMEOUT", "2")),
        client_max_failures=_int("ZHICHENG_CLIENT_MAX_FAILURES", 5),
        application_lock_clients=_int("ZHICHENG_APPLICATION_LOCK_CLIENTS", 3),
        global_max_failures=_int("ZHICHENG_GLOBAL_MAX_FAILURES", 100),
        demo=explicit_db is None or os.environ.get("ZHICHENG_DEMO", "0") == "1",
        rasa_port=_int("ZHICHENG_RASA_PORT", DEFAULT_RASA_PORT),
        actions_port=_int("ZHICHENG_ACTIONS_PORT", DEFAULT_ACTIONS_PORT),
        web_port=_int("ZHICHENG_WEB_PORT", DEFAULT_WEB_PORT),
        endpoints=Path(os.environ.get("ZHICHENG_ENDPOINTS") or ROOT / "endpoints.yml"),
    )


def secure_var_dir(var_dir: Path | None = None) -> Path:
    """var/ exists with mode 0700, and files created from now on are private (umask 077)."""
    path = var_dir or settings().var_dir
    os.umask(0o077)
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)
    for child in path.iterdir():
        if child.is_file():
            child.chmod(0o600)
    return path


def secret_value(env: str, filename: str) -> str:
    """A secret from the environment, else from a 0600 file in var/, generated on first use.

    Only for secrets whose loss costs nothing but a restart (API and action-server tokens);
    the status secret has its own rules (bot.status.security.server_secret).
    """
    value = os.environ.get(env)
    if value:
        return value
    path = secure_var_dir() / filename
    create_secret_file(path, secrets.token_urlsafe(32))
    return path.read_text(encoding="ascii").strip()


def create_secret_file(path: Path, value: str) -> None:
    """Write `value` to a new 0600 file; if another process created it first, keep theirs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process won the race: use its secret
        return
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(value)
