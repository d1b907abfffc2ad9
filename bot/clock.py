"""Today's date, injectable: ZHICHENG_TODAY=2024-07-10 makes the assistant live on that day."""
from __future__ import annotations

import datetime as dt
import os


def today() -> dt.date:
    override = os.environ.get("ZHICHENG_TODAY")  # settings().today, read alone: asked several times per message
    if override:
        return dt.date.fromisoformat(override)
    return dt.date.today()
