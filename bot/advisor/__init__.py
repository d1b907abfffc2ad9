"""The advisor: may I apply, do I need an entrustment letter, which institution, can I still
apply — entities (entities.py, their words in vocabulary.py, the series in series_catalog.py),
pure decisions (decisions.py), working days (bot/calendar.py) and the institution directory
(queries in directory.py; directory.yml in directory_file.py; imports of the official tables in
directory_import.py, their rows checked by directory_rows.py and read by bot/tables.py;
models.py, cli.py)."""
