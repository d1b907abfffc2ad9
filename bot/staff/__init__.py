"""Staff accounts, sessions and the knowledge workbench behind the agent console and /admin."""
