"""Every SQLAlchemy model module, imported so that Base.metadata knows all tables."""
import bot.advisor.models  # noqa: F401
import bot.feedback  # noqa: F401
import bot.handover  # noqa: F401
import bot.kb.models  # noqa: F401
import bot.status.models  # noqa: F401
import bot.kb.revisions  # noqa: F401
import bot.staff.accounts  # noqa: F401
import bot.staff.inbox  # noqa: F401
