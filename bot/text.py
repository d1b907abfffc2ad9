"""Chinese text normalisation shared by the NLU pipeline, the actions and retrieval.

normalize(): traditional -> simplified (OpenCC t2s), full-width -> half-width (NFKC),
HTML stripped, invisible characters dropped, English domain words put in Chinese
(deadline -> 截止日期), homophone typos of KB terms repaired (委托涵 -> 委托函),
whitespace collapsed, Latin lower-cased.
bad_input_reason(): why a message cannot be a question (empty, too long, markup, no text).
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

from opencc import OpenCC

from bot.lexicon import Lexicon, lexicon

_SCRIPT = re.compile(r"<\s*(script|style)\b.*?(<\s*/\s*\1\s*>|$)", re.I | re.S)
_TAG = re.compile(r"</?\s*[a-zA-Z][^<>]*>")
_MARKUP = re.compile(r"</?\s*[a-z][a-z0-9]*(\s[^<>]*)?/?>|javascript:|\bon\w+\s*=\s*[\"']", re.I)
_INVISIBLE = re.compile(r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")
_SPACE = re.compile(r"\s+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[a-z0-9\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]", re.I)


@lru_cache(maxsize=1)
def _t2s() -> OpenCC:
    return OpenCC("t2s")


def to_simplified(text: str) -> str:
    simplified: str = _t2s().convert(text)
    return simplified


def normalize(text: str | None) -> str:
    if not text:
        return ""
    # a message is normalised several times on its way (the NLU, the router, retrieval): the
    # answer depends on the text and the lexicon only, so the last ones are kept
    return _normalize(str(text), lexicon())


@lru_cache(maxsize=4096)
def _normalize(text: str, lex: Lexicon) -> str:
    text = _INVISIBLE.sub("", text)
    text = _SCRIPT.sub(" ", text)
    text = _TAG.sub(" ", text)
    text = unicodedata.normalize("NFKC", text)
    if _CJK.search(text):
        text = to_simplified(text)
    text = lex.repair_homophones(lex.translate_english(text))
    return _SPACE.sub(" ", text).strip().lower()


# set in the parse data by the NLU's InputGuard for a message over the limit: the text it passes
# on is cut to the limit and reduced to its question part, so its length no longer tells
TOO_LONG = "zc_too_long"


def bad_input_of(parse_data: dict[str, Any], max_chars: int) -> str | None:
    """bad_input_reason of a parsed message (Rasa's latest_message), too_long as the NLU saw it."""
    if parse_data.get(TOO_LONG):
        return "too_long"
    return bad_input_reason(parse_data.get("text"), max_chars)


def bad_input_reason(raw: str | None, max_chars: int) -> str | None:
    """None for a message that may be a question, else one of: empty, too_long, markup, no_text."""
    raw = "" if raw is None else str(raw)
    if not raw.strip():
        return "empty"
    if len(raw) > max_chars:
        return "too_long"
    if _MARKUP.search(raw) and not _WORD.search(normalize(raw)):
        return "markup"  # markup around a real question is stripped and the question answered
    if not _WORD.search(normalize(raw)):
        return "no_text"
    return None


# ... and the A-not-A questions: 会不会, 是不是, 有没有, 行不行, 算不算
_QUESTION_CUE = re.compile(r"吗|么|呢|\?|？|怎|如何|哪|什么|多少|能不能|可不可以|是否|要不要|需不需要|(?<![那这好前过头后十])几|谁|"
                           r"(?![不没])([\u4e00-\u9fff])[不没]\1|"
                           r"((?<!好)的|是|对|没错)吧\s*[。.!！]*\s*$")  # "初级是按区报的吧": a tag question
_CLAUSE_SPLIT = re.compile(r"[。！!？?；;\n]+|[，,](?=[^，,]{4,})")
_ENGLISH_WORD = re.compile(r"[a-z]*[aeiouy][a-z]*[,.!?;:'\"]*", re.I)  # a whole whitespace-separated word


def readable(text: str) -> bool:
    """Whether a message has words to read: a term of the domain, a few different Chinese
    characters, or a few English words ("请问在哪个网站申报" and "Is that true?" are readable,
    "啊啊啊啊" and "asdfjkl" are not)."""
    chars = _CJK.findall(text)
    words = [w.rstrip(",.!?;:'\"").lower() for w in text.split() if _ENGLISH_WORD.fullmatch(w)]
    words = [w for w in words if len(w) >= 2]
    return has_subject(text) or len(chars) >= 4 and len(set(chars)) >= 3 or len(set(words)) >= 2


def has_subject(text: str) -> bool:
    """Whether a message names something of the domain (a KB term), not only a question frame."""
    return lexicon().has_term(text)


def is_question(text: str) -> bool:
    return bool(_QUESTION_CUE.search(text))


LONG = 40  # characters: a message this long may tell a story before its question
MAX_BORROWED = 3  # clauses a question part may take from before it to say what it is about


def question_part(text: str) -> str:
    """The part of a long message that asks: its clauses with a question cue (the last ones first
    matter most), else the last clause. A short message is its own question."""
    if len(text) < LONG:
        return text
    clauses = [c.strip() for c in _CLAUSE_SPLIT.split(text) if c.strip()]
    if not clauses:
        return text
    asking = [i for i, c in enumerate(clauses) if _QUESTION_CUE.search(c)]
    lex = lexicon()
    if not asking:  # a story with no question: what it says of the domain (its last such clauses)
        told = [i for i, c in enumerate(clauses) if lex.has_term(c)][-MAX_BORROWED:]
        return "，".join(clauses[i] for i in told) if told else clauses[-1]
    picked = asking[-2:]
    # "……论文是找人代写的，后来被查出来了，会有什么后果": a question that names nothing of the
    # domain is about the clauses before it
    first = picked[0]
    while first > 0 and picked[0] - first < MAX_BORROWED and \
            not any(lex.has_term(clauses[i]) for i in range(first, picked[-1] + 1)):
        first -= 1
    return "，".join(clauses[i] for i in sorted(set(range(first, picked[0])) | set(picked)))
