"""The checks of one template, shared by `kb check` (bot.kb.loader) and the staff workbench."""
from __future__ import annotations

import string

from bot.wording.spec import COMMON, GLOBALS, GROUPS, placeholders

_FORMATTER = string.Formatter()


def fields(text: str) -> list[str]:
    """The placeholder names a template uses; ValueError for a malformed one ("{", "{a.b}", "{a!r}")."""
    names = []
    for _literal, name, spec, conversion in _FORMATTER.parse(text):
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            shown = name + ("!" + conversion if conversion else "") + (":" + spec if spec else "")
            raise ValueError(f"占位符 {{{shown}}} 只能写成 {{名字}}")
        names.append(name)
    return names


def usable(template_id: str) -> tuple[str, ...]:
    """Every placeholder a template may use: its own, the notice's, and (outside `common`) the shared snippets."""
    own = placeholders(template_id) or ()
    shared = () if template_id.startswith(COMMON + ".") else tuple(GROUPS[COMMON][1])
    return tuple(dict.fromkeys((*own, *GLOBALS, *shared)))


def problems(template_id: str, text: str) -> list[str]:
    """What is wrong with one template (empty: nothing), in the words `kb check` prints."""
    if placeholders(template_id) is None:
        return ["程序里没有这个模板（编号写错了？）"]
    if not text.strip():
        return ["模板为空"]
    try:
        used = fields(text)
    except ValueError as err:
        return [f"{err}（花括号本身请写成 {{{{ 或 }}}}）"]
    allowed = usable(template_id)
    unknown = [n for n in dict.fromkeys(used) if n not in allowed]
    if unknown:
        names = "、".join("{" + n + "}" for n in allowed)
        return [f"未知的占位符 {'、'.join('{' + n + '}' for n in unknown)}；这个模板能用的是：{names}"]
    return []
