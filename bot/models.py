"""The model registry: every module that defines tables, imported so that `metadata` knows them all.

bot.db imports this where it creates the tables. Model modules derive from bot.base.Base and never
import bot.db (nor anything that does), so the registry closes no import cycle.
"""
import bot.advisor.models  # noqa: F401  (registers its tables on Base.metadata)
import bot.feedback_model  # noqa: F401
import bot.handover  # noqa: F401
import bot.kb.models  # noqa: F401
import bot.kb.revisions  # noqa: F401
import bot.staff.accounts  # noqa: F401
import bot.staff.inbox  # noqa: F401
import bot.status.models  # noqa: F401
from bot.base import Base

metadata = Base.metadata
