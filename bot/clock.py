"""Today's date, injectable: ZHICHENG_TODAY=2024-07-10 makes the assistant live on that day."""
from __future__ import annotations

import datetime as dt

from bot.config import today_override


def today() -> dt.date:
    override = today_override()
    if override:
        return dt.date.fromisoformat(override)
    return dt.date.today()
