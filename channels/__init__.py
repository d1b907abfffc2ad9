"""Rasa input channels that keep verification digits and ID numbers out of Rasa (bot.status.vault)."""
