"""Every SQLAlchemy model module, imported so that Base.metadata knows all tables."""
import bot.kb.models  # noqa: F401
import bot.status.models  # noqa: F401
