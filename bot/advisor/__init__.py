"""The advisor: may I apply, do I need an entrustment letter, which institution, can I still
apply — entities (entities.py), pure decisions (decisions.py), working days (bot/calendar.py) and
the institution directory (directory.py, models.py, cli.py)."""
