"""Which templates the code uses and which placeholders it fills in for each: the code's side of
knowledge/wording.yml. `zhicheng kb check` holds the file to it (an unknown or missing template,
a placeholder the code does not supply); tests/test_wording.py holds every `say(...)` call to it.

The groups are declared by the part of the bot that speaks them: spec_replies.py (common, reply,
service, smalltalk), spec_status.py (status, schedule), spec_advisor.py (the advisor and its
decisions); TITLES below names every group, in the file's order.

Add a sentence: add its id and placeholders to its group, its text to knowledge/wording.yml, and
call `say("group.name", placeholder=value)`. Every template may also use GLOBALS and, outside the
`common` group, the names of the `common` group's templates ({hotline}, {apply_step} …).
"""
from __future__ import annotations

from bot.wording import spec_advisor, spec_replies, spec_status

COMMON = "common"
GLOBALS = ("year", "notice")  # the current notice record's year and number

# group → its title: the heading staff see for the group (the workbench's 回复模板 page), written
# to knowledge/wording.yml as `title` with `about`
TITLES: dict[str, str] = {
    "common": "共用片段",
    "reply": "问答回复的附加说法",
    "service": "出错、繁忙和转人工",
    "status": "申报进度查询",
    "schedule": "日程和期限",
    "advisor": "判断助手的共用句子",
    "eligibility": "能不能报",
    "entrustment": "要不要开委托函",
    "institution": "找哪个评审服务机构",
    "deadline": "现在还能报吗",
    "smalltalk": "问候和闲聊",
}

_SPEC = {**spec_replies.SPEC, **spec_status.SPEC, **spec_advisor.SPEC}
if set(_SPEC) != set(TITLES):
    raise RuntimeError(f"wording groups without a title or titles without a group: {set(_SPEC) ^ set(TITLES)}")
GROUPS: dict[str, tuple[str, dict[str, tuple[str, ...]]]] = {
    group: (_SPEC[group][0], {name: tuple(names.split()) for name, names in _SPEC[group][1].items()})
    for group in TITLES}


def placeholders(template_id: str) -> tuple[str, ...] | None:
    """The placeholders the code supplies to `template_id` ("group.name"); None: no such template."""
    group, _, name = template_id.partition(".")
    return GROUPS[group][1].get(name) if group in GROUPS else None


def template_ids() -> list[str]:
    """Every template the code uses, in the file's order."""
    return [f"{group}.{name}" for group, (_, templates) in GROUPS.items() for name in templates]
