"""The domain lexicon used by normalisation: KB terms (for homophone typo repair) and an
English glossary (for mixed Chinese-English questions).

Terms come from data/jieba/userdict.txt (built from knowledge/ by `zhicheng kb dict`), the
glossary from knowledge/terms.yml. Both are read once per process.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from pypinyin import Style, pinyin

from bot.config import ROOT, settings

USERDICT = ROOT / "data" / "jieba" / "userdict.txt"


def terms_file() -> Path:
    """knowledge/terms.yml, or its copy in ZHICHENG_KNOWLEDGE_DIR."""
    return settings().knowledge_file("terms.yml")


@lru_cache(maxsize=20000)  # pypinyin per character was half of normalize()'s time; the answer never changes
def char_key(ch: str) -> str:
    return pinyin(ch, style=Style.NORMAL, heteronym=False, errors="default")[0][0]


# words every question of the domain may use: they say nothing about what it asks
GENERIC = frozenset({"通知", "职称", "申报", "评审", "评职称", "北京", "北京市", "系统", "时间", "问题"})
COMMON = 50  # jieba's word frequency from which a word is an ordinary word, not a typo


@lru_cache(maxsize=1)
def _frequencies() -> dict[str, int]:
    import jieba  # the NLU pipeline loads it anyway; here only for its word list
    jieba.setLogLevel(60)
    jieba.initialize()
    frequencies: dict[str, int] = jieba.dt.FREQ
    return frequencies


def _inside_word(text: str, i: int, n: int) -> bool:
    """Whether text[i:i+n] is itself an ordinary word, or part of one that runs past its edge
    ("手机号": 机号 sounds like the keyword 几号, but 手机 is a word)."""
    freq = _frequencies()
    if freq.get(text[i:i + n], 0) >= COMMON:
        return True
    for a in range(max(0, i - 3), i + n):
        for b in range(max(a + 2, i + 1), min(len(text), a + 4) + 1):
            crosses = a < i < b or a < i + n < b
            if crosses and freq.get(text[a:b], 0) >= COMMON:
                return True
    return False


def _written_like(chunk: str, terms: tuple[str, ...]) -> str | None:
    """The term among those that sound like `chunk` that it was meant to be: itself, else the one
    term sharing a character in the same place (缴废 → 缴费, not 交费; 做假 → 作假, not 作家)."""
    if chunk in terms:
        return chunk
    alike = [t for t in terms if any(a == b for a, b in zip(t, chunk, strict=False))]
    return alike[0] if len(alike) == 1 else None


_ASCII_LETTER = re.compile(r"[A-Za-z]")


@dataclass(frozen=True, eq=False)  # hashed by identity: bot.text keeps normalised texts per lexicon
class Lexicon:
    by_sound: dict[str, tuple[str, ...]]  # "jiao fei" -> (交费, 缴费): the terms of each sound
    lengths: tuple[int, ...]
    english: re.Pattern[str] | None
    glossary: dict[str, str]
    terms: frozenset[str] = frozenset()  # every term of the user dictionary (2+ characters)
    term_lengths: tuple[int, ...] = ()  # their lengths, computed once with the lexicon
    colloquial: tuple[tuple[str, str], ...] = ()  # (everyday word, the notice's words), longest first

    def formal_words(self, text: str) -> str:
        """The notice's words for the everyday ones in `text` ("撤掉" → 撤销职称), space-separated."""
        return " ".join(formal for word, formal in self.colloquial if word in text)

    def has_term(self, text: str) -> bool:
        """Whether `text` names anything of the domain (a KB term of 2+ characters)."""
        return any(text[i:i + n] in self.terms for n in self.term_lengths for i in range(len(text) - n + 1))

    def repair_homophones(self, text: str) -> str:
        """Replace a run that sounds like a KB term but is written differently (公物员 -> 公务员)."""
        if not self.by_sound:
            return text
        keys = [char_key(c) if "\u4e00" <= c <= "\u9fff" else None for c in text]
        out, i = [], 0
        while i < len(text):
            for n in self.lengths:
                window = keys[i:i + n]
                if len(window) < n or None in window:
                    continue
                chunk = text[i:i + n]
                term = _written_like(chunk, self.by_sound.get(" ".join(k for k in window if k is not None), ()))
                if term and term != chunk and not _inside_word(text, i, n):
                    out.append(term)
                    i += n
                    break
                if term == chunk:
                    out.append(chunk)
                    i += n
                    break
            else:
                out.append(text[i])
                i += 1
        return "".join(out)

    def translate_english(self, text: str) -> str:
        if self.english is None or not _ASCII_LETTER.search(text):
            return text  # most messages: no Latin letter, nothing the glossary could match
        return self.english.sub(lambda m: self.glossary[m.group(0).lower()], text)


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    terms = []
    if USERDICT.exists():
        terms = [line.split()[0] for line in USERDICT.read_text(encoding="utf-8").splitlines() if line.strip()]
    terms_path = terms_file()
    doc = (yaml.safe_load(terms_path.read_text(encoding="utf-8")) or {}) if terms_path.exists() else {}
    sounds: dict[str, set[str]] = {}
    # the user dictionary's terms, and words of the domain typed often enough to be mistyped that
    # the tokenizer does not need (knowledge/terms.yml `spelling`: 进度, 弄虚作假)
    for term in [*terms, *(str(w) for w in doc.get("spelling") or ())]:
        if 2 <= len(term) <= 8 and all("\u4e00" <= c <= "\u9fff" for c in term):
            sounds.setdefault(" ".join(char_key(c) for c in term), set()).add(term)
    by_sound = {k: tuple(sorted(v)) for k, v in sounds.items()}
    lengths = tuple(sorted({len(t) for ts in by_sound.values() for t in ts}, reverse=True))
    glossary = {str(k).lower(): str(v) for k, v in (doc.get("english") or {}).items()}
    colloquial = {str(k): str(v) for k, v in (doc.get("colloquial") or {}).items()}
    english = None
    if glossary:
        words = sorted(glossary, key=len, reverse=True)
        english = re.compile(r"(?<![a-z0-9_.@/:-])(" + "|".join(re.escape(w) for w in words) + r")(?![a-z0-9_@/-]|\.[a-z0-9])", re.I)
    domain = frozenset(t for t in terms if len(t) >= 2) - GENERIC
    return Lexicon(by_sound, lengths, english, glossary, domain, tuple(sorted({len(t) for t in domain})),
                   tuple(sorted(colloquial.items(), key=lambda kv: len(kv[0]), reverse=True)))
