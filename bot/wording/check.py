"""The checks of knowledge/wording.yml and of one template: `kb check` (bot.kb.loader) and the staff
workbench (which validates a draft through the same loader) give the same messages."""
from __future__ import annotations

import string
from typing import Any

from bot.wording.spec import COMMON, GLOBALS, GROUPS, TITLES, placeholders, template_ids

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


def problems_of(template_id: str, text: str) -> list[str]:
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


def check_file(doc: Any) -> tuple[list[dict[str, str]], list[tuple[str | None, str]]]:
    """wording.yml's templates ({"id", "text"}, in the file's order) and its problems as (template id
    or group, reason): every template the code uses, none it does not, only placeholders it supplies."""
    out: list[dict[str, str]] = []
    problems: list[tuple[str | None, str]] = []
    groups = doc.get("groups") if isinstance(doc, dict) else None
    if not isinstance(groups, list):
        return out, [(None, "缺少列表字段 groups")]
    seen: set[str] = set()
    for i, item in enumerate(groups, start=1):
        group = str(item.get("group") or "").strip() if isinstance(item, dict) else ""
        if group not in GROUPS:
            problems.append((group or f"第{i}组", f"未知的模板组 {group!r}（可用的组：{'、'.join(GROUPS)}）"))
            continue
        templates = item.get("templates")
        if not isinstance(templates, dict):
            problems.append((group, "缺少 templates（名字: 模板）"))
            continue
        for name, text in templates.items():
            tid = f"{group}.{name}"
            if tid in seen:
                problems.append((tid, "模板编号重复"))
                continue
            seen.add(tid)
            text = "" if text is None else text
            if not isinstance(text, str):
                problems.append((tid, "模板必须是文字（数字请加引号，如 '12333'）"))
                continue
            problems += [(tid, p) for p in problems_of(tid, text)]
            out.append({"id": tid, "text": text})
    problems += [(tid, "缺少这个模板（程序会用到它）") for tid in template_ids() if tid not in seen]
    return out, problems


def as_groups(templates: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Templates ({"id", "text"}) in wording.yml's shape: groups in order, each with its `title` and `about`."""
    groups: dict[str, dict[str, Any]] = {}
    for t in templates:
        group, _, name = t["id"].partition(".")
        about = GROUPS[group][0] if group in GROUPS else ""
        groups.setdefault(group, {"group": group, "title": TITLES.get(group, group), "about": about,
                                  "templates": {}})["templates"][name] = t.get("text")
    return list(groups.values())
