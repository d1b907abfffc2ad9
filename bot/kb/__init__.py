"""The knowledge base: notice clauses, FAQ, schedule and series, loaded from knowledge/*.yml."""
