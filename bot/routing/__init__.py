"""What the router (bot.router) reads, one job per module: its inputs and output (`inputs`), how
candidates are weighed (`scores`), the review procedure's steps and "what comes next" (`steps`),
and the shape of the text (`shape`: follow-ups, several questions, English, code). Pure functions:
no Rasa, no database."""
