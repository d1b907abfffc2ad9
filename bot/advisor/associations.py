"""The 脱钩 list (附件3) where the notice uses it: 五(二)第3段 — the applicants of the units on
《全国性行业协会商会脱钩改革名单》, insured in Beijing, need no entrustment letter (委托函).

The list holds only what staff imported (`zhicheng kb import-list associations FILE`, or the
workbench's 导入 page): nothing here knows a unit of the list by itself. A message that names a
national association or chamber ("我在中国汽车工业协会上班") is looked up in it:

  - a list entry named in the message    -> on the list: the facts say so, with the entry's name
  - a name not found (or no list yet)    -> the unit is named but cannot be confirmed: the advisor
                                            says so and points to 附件3 and 12333
  - no association named                 -> nothing

The list is read only for a message with 协会/商会/联合会 in it.
"""
from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.advisor.directory_rows import name_key
from bot.advisor.models import DecoupledAssociation

# the words a unit of the list ends with (全国性行业协会商会: 协会, 商会, and their 联合会)
_UNIT_WORD = re.compile(r"协会|商会|联合会|協會|商會|聯合會")  # traditional too: checked before normalising
# a national association or chamber by its name ("中国汽车工业协会", "中华全国工商业联合会"): the
# shortest name from 中国/中华/全国 to the first 协会/商会/联合会; "全国性行业协会" is a kind, no name
_NAMED = re.compile(r"(?:中国|中华|全国)(?!性)[\u4e00-\u9fff]{1,24}?(?:协会|商会|联合会)")
_NOT_IN_NAMES = "的个这那些我你他某"  # "中国某某协会": any association, no name


def named_association(text: str) -> str | None:
    """The national association or chamber the text names, as written; None when it names none."""
    match = _NAMED.search(text or "")
    if not match or any(c in match.group(0) for c in _NOT_IN_NAMES):
        return None  # "中国的一个协会": a description, no name
    return match.group(0)


def list_entry_in(*, session: Session, text: str) -> str | None:
    """The name of the imported list's entry the text names (the longest, when several), or None."""
    key = name_key(text)
    found = [(len(k), name) for name, k in session.execute(select(DecoupledAssociation.name, DecoupledAssociation.key))
             if k and k in key]
    return max(found)[1] if found else None


def has_list(*, session: Session) -> bool:
    return session.scalar(select(DecoupledAssociation.id).limit(1)) is not None


def association_facts(*, session: Session, text: str) -> dict[str, Any]:
    """The facts a message gives about the association it names, from the imported list (see above):
    {"association": name, "association_listed": True | False | None, ["on_decoupled_list": True]}.
    association_listed is None while no list has been imported (nothing can be confirmed)."""
    if not text or not _UNIT_WORD.search(text):
        return {}  # most messages: no list read, no normalising
    text = name_key(text)  # simplified, no spaces: as the list's keys are
    entry = list_entry_in(session=session, text=text)
    if entry:
        return {"association": entry, "association_listed": True, "on_decoupled_list": True}
    named = named_association(text)
    if not named:
        return {}
    return {"association": named, "association_listed": False if has_list(session=session) else None}
