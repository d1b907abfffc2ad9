"""The one declarative base every SQLAlchemy model derives from.

Model modules import `Base` from here, never from `bot.db`: the engine module imports the model
registry (`bot.models`) to create the tables, so a model module that imported `bot.db` would close
an import cycle (tests/test_import_graph.py guards against that).
"""
from sqlalchemy.orm import declarative_base

Base = declarative_base()
