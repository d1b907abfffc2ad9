"""Build the jieba user dictionary for the NLU pipeline from the knowledge files."""
from __future__ import annotations

from pathlib import Path

import yaml

from bot.kb.loader import Knowledge

FREQ = 20000


def dictionary_terms(knowledge: Knowledge, terms_file: Path) -> list[str]:
    terms: list[str] = []
    if terms_file.exists():
        terms += (yaml.safe_load(terms_file.read_text(encoding="utf-8")) or {}).get("terms", [])
    for s in knowledge.series:
        terms += [s["name"], *s["aliases"]]
    for e in knowledge.faq:
        terms += e.get("keywords", [])
    seen, out = set(), []
    for t in terms:
        t = str(t).strip()
        # jieba needs a word without spaces; single characters add nothing
        if len(t) >= 2 and " " not in t and t not in seen:
            seen.add(t)
            out.append(t)
    return out


def render(terms: list[str]) -> str:
    return "".join(f"{t} {FREQ}\n" for t in terms)
