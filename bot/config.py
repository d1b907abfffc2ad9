"""All settings, read from the environment with safe defaults (listed in README.md)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The notice's 咨询电话 clause: where every "I cannot say" reply sends the user.
HOTLINE = "12333"


@dataclass(frozen=True)
class Settings:
    database_url: str
    knowledge_dir: Path
    var_dir: Path
    today: str | None  # ISO date that replaces the system date (tests, demos)
    max_message_chars: int


def settings() -> Settings:
    var_dir = Path(os.environ.get("ZHICHENG_VAR_DIR", ROOT / "var"))
    return Settings(
        database_url=os.environ.get("DATABASE_URL") or f"sqlite:///{var_dir / 'zhicheng.db'}",
        knowledge_dir=Path(os.environ.get("ZHICHENG_KNOWLEDGE_DIR", ROOT / "knowledge")),
        var_dir=var_dir,
        today=os.environ.get("ZHICHENG_TODAY") or None,
        max_message_chars=int(os.environ.get("ZHICHENG_MAX_MESSAGE_CHARS", "500")),
    )
