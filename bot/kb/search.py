"""BM25 retrieval over the FAQ, jieba-tokenised, with character bigrams for typo tolerance.

The index is built once per knowledge-base version (a staff load bumps the version) and
kept in memory; `search` returns ranked hits with a score normalised to 0..1.
"""
from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import jieba
import yaml
from rank_bm25 import BM25Okapi
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.kb import queries
from bot.kb.models import Clause, FaqEntry, Series
from bot.lexicon import lexicon
from bot.text import normalize

_STOP = set("的 了 吗 呢 吧 啊 呀 么 嘛 是 我 你 他 她 我们 请问 请 问 想 下 一下 能 可以 怎么 怎么办 怎么样 怎样 如何 咋 啥 什么 哪些 哪个 哪里 要 会 有 没有 在 和 与 或 及 就 都 也 还 这 那 个 一 不 吗 ? ! , . 、 : ; \" ' ( ) 【 】 《 》 “ ” ‘ ’ ~ …".split())
_LATIN = re.compile(r"[a-z'’.\-]+")
_lock = threading.Lock()
_cache: dict[str, _Index] = {}
_known_terms: set[str] = set()


@dataclass(frozen=True)
class Hit:
    faq_id: str
    question: str
    score: float  # 0..1: share of the query's best possible BM25 score


def add_terms(terms: Iterable[str]) -> None:
    """Teach jieba the knowledge base's own terms (once per term)."""
    for term in terms:
        term = normalize(term)
        if len(term) >= 2 and term not in _known_terms:
            jieba.add_word(term, freq=20000)
            _known_terms.add(term)


def tokens(text: str) -> list[str]:
    text = normalize(text)
    words = [w for w in jieba.lcut_for_search(text) if w.strip() and w not in _STOP]
    cjk = [c for c in text if "\u4e00" <= c <= "\u9fff"]
    bigrams = ["".join(cjk[i:i + 2]) for i in range(len(cjk) - 1)]
    return words + bigrams


QUESTION_KEYWORD = 8  # a keyword this long is a whole question staff linked to the entry (the inbox)


def _bare(text: str) -> str:
    """A question for exact comparison: normalised, without spaces and punctuation."""
    return "".join(c for c in normalize(text) if c.isalnum())


NLU_DIR = Path(__file__).resolve().parents[2] / "data" / "nlu"


@functools.lru_cache(maxsize=1)
def _examples() -> dict[str, list[str]]:
    """The classifier's training examples by intent (data/nlu): the ways users ask for an entry."""
    out: dict[str, list[str]] = {}
    for path in sorted(NLU_DIR.glob("*.yml")):
        for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            if item.get("intent") and item.get("examples"):
                lines = [re.sub(r"\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\{[^}]*\}", r"\1\2", ln.lstrip("- ").strip())
                         for ln in str(item["examples"]).splitlines() if ln.strip()]
                out.setdefault(item["intent"], []).extend(lines)
    return out


class _Index:
    def __init__(self, entries: list[FaqEntry]):
        self.ids = [e.id for e in entries]
        self.questions = [e.question for e in entries]
        # a question staff linked to an entry (bot.staff.inbox) is that entry's answer, whatever BM25 says
        self.linked = {_bare(k): i for i, e in enumerate(entries) for k in (e.keywords or [])
                       if len(_bare(k)) >= QUESTION_KEYWORD}
        docs = []
        examples = _examples()
        for e in entries:
            keywords = " ".join(e.keywords or [])
            # the classifier's examples for the entry: the words users ask it with (an entry staff
            # added without an intent is found by its question, keywords and answer alone)
            said = tokens(" ".join(examples.get(e.intent or "", [])))
            docs.append(tokens(f"{e.question} {e.question} {keywords} {keywords} {e.answer}") + said)
        self._index_docs(docs)

    def _index_docs(self, docs: list[list[str]]) -> None:
        """BM25 over `docs`, with each term's weight per document and the rarest word's idf
        computed here, once per knowledge version, not per query."""
        self.bm25 = BM25Okapi(docs) if docs else None
        self.weights = _term_weights(self.bm25) if self.bm25 else {}
        self.rarest = max(self.bm25.idf.values(), default=1.0) if self.bm25 else 1.0

    def search(self, query: str, limit: int) -> list[Hit]:
        # the notice's words for everyday ones ("撤掉" → 撤销职称) join the query
        formal = lexicon().formal_words(normalize(query))
        if formal:
            query = f"{query} {formal}"
        # an English word the glossary could not translate says nothing for or against an entry:
        # it is left out, not counted as a rare word every entry lacks
        q = [t for t in tokens(query) if not _LATIN.fullmatch(t) or t in self.bm25.idf] if self.bm25 else []
        if not q or self.bm25 is None:
            return []
        scores = self._scores(q)
        k1 = self.bm25.k1
        # a query word the FAQ never uses counts as a rare word the best match lacks
        rare = self.rarest
        ceiling = sum(max(self.bm25.idf.get(t, rare), 0.0) for t in q) * (k1 + 1)
        if ceiling <= 0:
            return []
        ranked = sorted(range(len(scores)), key=lambda i: scores[i], reverse=True)[:limit]
        hits = [Hit(self.ids[i], self.questions[i], round(min(scores[i] / ceiling, 1.0), 4))
                for i in ranked if scores[i] > 0]
        linked = self.linked.get(_bare(query)) if getattr(self, "linked", None) else None
        if linked is not None:
            hits = [Hit(self.ids[linked], self.questions[linked], 1.0)] + \
                   [h for h in hits if h.faq_id != self.ids[linked]][:limit - 1]
        return hits

    def _scores(self, query: list[str]) -> list[float]:
        """bm25.get_scores(query) from the weights: the same sums in the same order, without a
        pass over every document per term."""
        scores = [0.0] * len(self.ids)
        for term in query:
            for i, weight in self.weights.get(term, ()):
                scores[i] += weight
        return scores


def _term_weights(bm25: BM25Okapi) -> dict[str, list[tuple[int, float]]]:
    """term -> [(document, its BM25 weight)], the documents holding it; BM25Okapi's formula with its
    operations in its order, so the scores are the very same floats."""
    k1, b, avgdl = bm25.k1, bm25.b, bm25.avgdl
    out: dict[str, list[tuple[int, float]]] = {}
    for i, (freqs, length) in enumerate(zip(bm25.doc_freqs, bm25.doc_len, strict=True)):
        norm = k1 * (1 - b + b * length / avgdl)
        for term, tf in freqs.items():
            idf = bm25.idf.get(term) or 0
            out.setdefault(term, []).append((i, idf * (tf * (k1 + 1) / (tf + norm))))
    return out


def kb_version(*, session: Session) -> int:
    return queries.kb_version(session=session)


def _index(*, session: Session, year: int) -> _Index:
    key = f"{session.get_bind().engine.url}|{year}|{kb_version(session=session)}"
    with _lock:
        index = _cache.get(key)
        if index is None:
            entries = list(session.scalars(select(FaqEntry).where(FaqEntry.year == year, FaqEntry.enabled.is_(True))
                                           .order_by(FaqEntry.position)))
            terms = [k for e in entries for k in (e.keywords or [])]
            for s in session.scalars(select(Series).where(Series.year == year)):
                terms += [s.name, *s.aliases]
            add_terms(terms)
            index = _Index(entries)
            _cache.clear()
            _cache[key] = index
    return index


def search(query: str, *, session: Session, year: int, limit: int = 3) -> list[Hit]:
    return _index(session=session, year=year).search(query, limit)


# -- notice clauses (the agent console searches them beside the FAQ) ---------------------------
_clause_cache: dict[str, _Index] = {}


class _ClauseIndex(_Index):
    def __init__(self, clauses: list[Clause]) -> None:
        self.ids = [c.id for c in clauses]
        self.questions = [c.title for c in clauses]
        self._index_docs([tokens(f"{c.title} {c.text}") for c in clauses])


def search_clauses(query: str, *, session: Session, year: int, limit: int = 3) -> list[Hit]:
    """Clauses of the notice by BM25 over title and text (Hit.faq_id is the clause id)."""
    _index(session=session, year=year)  # the FAQ's terms are in jieba's dictionary first
    key = f"{session.get_bind().engine.url}|{year}|{kb_version(session=session)}"
    with _lock:
        index = _clause_cache.get(key)
        if index is None:
            clauses = list(session.scalars(select(Clause).where(Clause.year == year, Clause.kind == "paragraph")
                                           .order_by(Clause.position)))
            index = _ClauseIndex(clauses)
            _clause_cache.clear()
            _clause_cache[key] = index
    return index.search(query, limit)
