"""Reply wording as data: every sentence the bot says is a template in knowledge/wording.yml.

Code keeps the decisions and asks for a sentence by its stable id with named values:

    say("eligibility.civil_servant.summary")
    say("institution.found.summary", series="会计", level="中级", names="…")

A template is a `str.format` string with named placeholders only (`{series}`). Which names a
template may use is the code's promise, declared in bot.wording.spec; besides those, every
template may use `{year}` and `{notice}` (the current notice record) and the shared snippets of
the `common` group (`{hotline}`, `{apply_step}` …). `zhicheng kb check` (bot.kb.loader) rejects
an unknown or missing template and a placeholder the code does not supply, naming the template,
so a broken sentence never reaches a reply.

Where the words come from: the database, like the FAQ (`kb load` writes them, the staff
workbench publishes edits); the action server and the web app call `sync(session=…)` once per
unit of work, which re-reads them only when the knowledge version changed (the KbVersion row a
load or a publish adds — the same key retrieval re-indexes on). A process that never synced
(unit tests, the CLI, the channel before the database answers) reads knowledge/ directly.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.kb import queries
from bot.kb.models import Notice, Template
from bot.wording.spec import COMMON, template_ids

log = logging.getLogger(__name__)

FILE = "wording.yml"


class Wording:
    """One consistent set of templates (id → text) and the values every template may use: the
    notice's year and number, and the `common` group's snippets."""

    def __init__(self, texts: dict[str, str], *, year: int, notice: str):
        self.texts = dict(texts)
        base = {"year": year, "notice": notice}
        shared = {k.partition(".")[2]: v.format_map(base) for k, v in self.texts.items() if k.startswith(COMMON + ".")}
        self._globals = {**base, **shared}

    def say(self, template_id: str, /, **values: Any) -> str:
        try:
            text = self.texts[template_id]
        except KeyError:
            raise KeyError(f"no template {template_id!r} (bot.wording.spec and knowledge/{FILE})") from None
        return text.format_map({**self._globals, **values})


# -- the current wording of this process ----------------------------------------------------
_lock = threading.Lock()


@dataclass
class _State:
    key: str | None = None  # the database and knowledge version `words` was read for
    words: Wording | None = None
    file: tuple[tuple[str, int], Wording] | None = None  # (path, mtime) and knowledge/'s wording


_state = _State()


def from_files(directory: Path | None = None) -> Wording:
    """The templates and the notice as knowledge/ holds them (validated like `kb check`)."""
    from bot.config import settings
    from bot.kb import loader
    kb = loader.read_knowledge(Path(directory or settings().knowledge_dir))
    return Wording({t["id"]: t["text"] for t in kb.wording}, year=kb.year, notice=kb.notice["number"])


def _file_words() -> Wording:
    from bot.config import settings
    path = settings().knowledge_dir / FILE
    key = (str(path), path.stat().st_mtime_ns if path.exists() else 0)
    with _lock:
        if _state.file is None or _state.file[0] != key:
            _state.file = (key, from_files(path.parent))
        return _state.file[1]


def sync(*, session: Session) -> Wording:
    """The database's wording, re-read only when the knowledge version changed; it becomes the
    wording `say` uses in this process. With no wording in the database yet, knowledge/'s."""
    version = queries.kb_version(session=session)
    key = f"{session.get_bind().engine.url}|{version}"
    with _lock:
        if _state.key == key and _state.words is not None:
            return _state.words
    year = session.scalar(select(func.max(Notice.year)))
    notice = session.get(Notice, year) if year is not None else None
    rows = session.scalars(select(Template).where(Template.year == year)).all() if notice else []
    if notice is not None and rows:
        texts = {r.id: r.text for r in rows}
        missing = [t for t in template_ids() if t not in texts]
        if missing:  # a database loaded before this code added a sentence: knowledge/'s text until the next load
            log.warning("%d templates not in the database yet, read from knowledge/ (run zhicheng kb load)",
                        len(missing))
            texts.update({t: _file_words().texts[t] for t in missing})
        words = Wording(texts, year=notice.year, notice=notice.number)
    else:
        words = _file_words()
    with _lock:
        _state.key, _state.words = key, words
    return words


def current() -> Wording:
    return _state.words or _file_words()


def say(template_id: str, /, **values: Any) -> str:
    """The sentence `template_id` with `values` filled in, from the current wording."""
    return current().say(template_id, **values)


def reset() -> None:
    """Forget the synced wording (tests; a process that switches databases): `say` reads knowledge/
    again until the next sync."""
    with _lock:
        _state.key, _state.words = None, None


class Phrases(Mapping[str, str]):
    """A read-only mapping whose values are templates rendered on every lookup, from the current
    wording: `BAD_INPUT["empty"]` reads like the dict it replaces, and follows staff edits."""

    def __init__(self, ids: dict[str, str]):
        self._ids = dict(ids)

    def __getitem__(self, key: str) -> str:
        return say(self._ids[key])

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)
