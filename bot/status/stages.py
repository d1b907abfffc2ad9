"""The stages of an application (三(一)1–7 of the notice) and the status reply: pure functions.

`render_status(view, today=..., notice_number=...)` turns an ApplicationView into the text
an applicant or an agent reads: masked name, series/level/committee, the current stage in
plain words, what to do next and by when (against `today`), and the citation line.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

from bot.answers import citation
from bot.calendar import CalendarUnavailable, md, nth_working_day
from bot.config import HOTLINE


@dataclass(frozen=True)
class Stage:
    code: str
    name: str
    meaning: str  # the stage in plain words
    next_step: str
    clauses: tuple[str, ...]
    deadline_label: str | None = None  # set when a deadline applies to the applicant at this stage
    no_deadline: str | None = None  # said when a deadline applies but none is recorded
    overdue: str | None = None  # said after the deadline has passed
    schedule_key: str | None = None  # the notice's schedule stage that gives the default deadline
    workdays: int | None = None  # deadline = this many working days from the stage start
    final: bool = False


STAGES: tuple[Stage, ...] = (
    Stage("submitted", "个人已提交",
          "您已在系统中提交了个人申报信息，正等待参保单位审核推荐。",
          "请尽快联系参保单位，由单位登录系统对您的申报信息进行审核，公示不少于5个工作日后填写推荐意见并提交。"
          "从事艺术、工艺美术工作的自由职业者，请联系相关协会、学会推荐。",
          ("三(一)2", "三(一)2第2段"),
          deadline_label="单位审核推荐截止", no_deadline="单位审核推荐的时间以通知规定为准，请尽早联系单位。",
          overdue="请尽快联系参保单位和评审服务机构，确认申报能否继续。",
          schedule_key="unit_review"),
    Stage("unit_review", "单位审核中",
          "参保单位正在审核您的申报信息（单位须公示不少于5个工作日）。",
          "请与单位人事部门保持联系，公示无异议后由单位填写推荐意见并在系统中提交。",
          ("三(一)2",),
          deadline_label="单位审核推荐截止", no_deadline="单位审核推荐的时间以通知规定为准。",
          overdue="请尽快联系参保单位和评审服务机构，确认申报能否继续。",
          schedule_key="unit_review"),
    Stage("unit_recommended", "单位已推荐",
          "参保单位已提交推荐意见，申报已转到评审服务机构，等待审核。",
          "目前您无需操作。评审服务机构审核时如发现材料需要补正，会一次性告知并退回，请留意系统和短信通知。",
          ("三(一)3",)),
    Stage("institution_review", "机构审核中",
          "评审服务机构正在审核您的申报材料。",
          "目前您无需操作。如材料不完整、不规范，评审服务机构会一次性告知需要补正的全部内容并退回，请留意系统和短信通知。",
          ("三(一)3",)),
    Stage("returned", "退回补正",
          "评审服务机构审核后认为申报材料不完整或不规范，已退回给您补正。",
          "请按要求补正后重新提交，并再次联系参保单位审核推荐；评审服务机构会再次审核。",
          ("三(一)3",),
          deadline_label="补正截止",
          no_deadline="补正期限以评审服务机构的通知为准，请及时补正。逾期未补正的，视为放弃申报。",
          overdue="逾期未补正的，视为放弃申报；如您已补正并提交，请联系评审服务机构确认。"),
    Stage("awaiting_payment", "待缴费",
          "评审服务机构审核已通过，等待您缴纳评审费。",
          "请在评审服务机构通知的规定时间内登录系统进行网上缴费。",
          ("三(一)4",),
          deadline_label="缴费截止",
          no_deadline="缴费期限以评审服务机构通知的时间为准。逾期未完成缴费，视为放弃申报。",
          overdue="逾期未完成缴费，视为放弃申报；如您已缴费，请联系评审服务机构确认。"),
    Stage("paid", "已缴费待评审",
          "审核已通过、缴费已成功，评审服务机构将把您的申报提交评审委员会评审。",
          "请留意短信：答辩前评审服务机构会通过短信告知答辩事宜（高、中级职称需现场答辩，初级职称不答辩）。",
          ("三(一)4", "三(一)5")),
    Stage("defense_notified", "答辩已通知",
          "评审服务机构已通过短信通知您参加答辩。",
          "请及时登录系统，下载答辩通知书，按照通知书要求参加答辩。",
          ("三(一)5",),
          deadline_label="答辩时间", no_deadline="答辩的具体时间和地点以答辩通知书为准。",
          overdue="请等待评审结果。"),
    Stage("reviewed", "已评审",
          "评审委员会已完成评审，结果正在上报验收。",
          "目前您无需操作。验收通过后，评审结果将在市人力资源社会保障局政府网站公示不少于5个工作日。",
          ("三(一)6",)),
    Stage("publicity", "公示中",
          "评审结果正在公示，公示期不少于5个工作日。",
          "可在市人力资源社会保障局政府网站—“个人办事”—“职称评审”—“本年度评审结果公示”查看。"
          "公示无异议后，将分批核发电子职称证书。",
          ("三(一)6",),
          deadline_label="公示期满", no_deadline="公示期不少于5个工作日。",
          overdue="公示无异议的，将分批核发电子职称证书。", workdays=5),
    Stage("certified", "证书已核发",
          "您的电子职称证书和电子职称评价结果通知书已核发。",
          "请登录市人力资源社会保障局政府网站—“个人办事”—“职称评审”—“本人证书查询”模块下载使用。",
          ("三(一)7",), final=True),
    Stage("abandoned", "视为放弃",
          "按通知规定，您的本次申报已视为放弃申报。",
          f"本年度申报已终止。如对此有疑问，请联系评审服务机构，或拨打{HOTLINE}咨询。",
          ("三(一)3", "三(一)4"), final=True),
    Stage("failed", "未通过",
          "评审委员会表决未通过（需获得出席委员三分之二以上同意票）。",
          f"如对评审结果有异议，可向评审服务机构提出复查申请，评审服务机构会按规定受理并答复您；也可拨打{HOTLINE}咨询。",
          ("三(一)5第2段", "四(三)"), final=True),
)

BY_CODE: dict[str, Stage] = {s.code: s for s in STAGES}
BY_NAME: dict[str, Stage] = {s.name: s for s in STAGES}


def stage_for(value: str | None) -> Stage | None:
    """The stage named by its code (`returned`) or its Chinese name (`退回补正`)."""
    v = (value or "").strip()
    return BY_CODE.get(v) or BY_CODE.get(v.lower()) or BY_NAME.get(v)


@dataclass(frozen=True)
class HistoryItem:
    stage: str  # code
    at: dt.datetime
    note: str | None = None


@dataclass(frozen=True)
class ApplicationView:
    """What a status reply may show: no factor, no full name."""

    application_id: str
    year: int
    name_masked: str
    series: str
    level: str
    committee: str
    stage: str  # code
    stage_since: dt.datetime
    deadline: dt.date | None = None
    corrections: tuple[str, ...] = ()
    reason: str | None = None
    history: tuple[HistoryItem, ...] = ()


_ITEM_SEP = re.compile(r"[；;\n\r]+")
_NUMBERING = re.compile(r"^\s*(?:[（(]?\d{1,2}[)）.、．]|[①-⑳]|[-•·*])\s*")


def split_corrections(note: str | None) -> tuple[str, ...]:
    """The correction items of a 退回补正 note: split on ；/; and newlines, numbering removed."""
    items = (_NUMBERING.sub("", part).strip(" \t。") for part in _ITEM_SEP.split(note or ""))
    return tuple(i for i in items if i)


def _date(day: dt.date, today: dt.date) -> str:
    return md(day) if day.year == today.year else f"{day.year}年{md(day)}"


def deadline_text(stage: Stage, *, deadline: dt.date | None, since: dt.date | None, today: dt.date,
                  schedule: Mapping[str, dt.date] | None = None) -> str | None:
    """The deadline line of a stage against today, or None when no deadline applies.

    The application's own deadline wins; else the notice's schedule date (`schedule_key`);
    else a period of working days from the stage start (公示); else the stage's `no_deadline`.
    """
    if stage.deadline_label is None:
        return None
    label = stage.deadline_label
    if deadline is None and stage.schedule_key and schedule and schedule.get(stage.schedule_key):
        deadline, label = schedule[stage.schedule_key], f"{label}（按通知）"
    if deadline is None and stage.workdays and since is not None:
        try:
            end = nth_working_day(since, stage.workdays)
        except CalendarUnavailable:  # no official holiday data for that year: no guessed date
            return f"{label}：自{_date(since, today)}起不少于{stage.workdays}个工作日。"
        head = f"{label}：最早{_date(end, today)}（自{_date(since, today)}起不少于{stage.workdays}个工作日）"
        if today > end:
            return f"{head}，已满。{stage.overdue or ''}"
        return f"{head}，" + ("今天期满。" if today == end else f"还剩{(end - today).days + 1}天（含今天）。")
    if deadline is None:
        return stage.no_deadline
    when = _date(deadline, today)
    if today > deadline:
        return f"{label}：{when}，已过。{stage.overdue or ''}"
    days = (deadline - today).days
    if stage.code == "defense_notified":
        return f"{label}：{when}，" + ("就在今天。" if days == 0 else f"还有{days}天。")
    tail = {"returned": "逾期未补正的，视为放弃申报。", "awaiting_payment": "逾期未完成缴费，视为放弃申报。"}
    left = "今天截止" if days == 0 else f"还剩{days + 1}天（含今天）"
    return f"{label}：{when}，{left}。{tail.get(stage.code, '')}"


def abandon_clauses(reason: str | None) -> tuple[str, ...]:
    """视为放弃 cites 三(一)4 for late payment, 三(一)3 for late correction, both when unclear."""
    r = reason or ""
    if "缴费" in r and "补正" not in r:
        return ("三(一)4",)
    if "补正" in r and "缴费" not in r:
        return ("三(一)3",)
    return ("三(一)3", "三(一)4")


def clauses_for(view: ApplicationView) -> tuple[str, ...]:
    stage = BY_CODE[view.stage]
    return abandon_clauses(view.reason) if stage.code == "abandoned" else stage.clauses


def render_status(view: ApplicationView, *, today: dt.date, notice_number: str,
                  schedule: Mapping[str, dt.date] | None = None) -> str:
    """The status reply. `schedule` maps the notice's schedule keys (e.g. unit_review) to end dates."""
    stage = BY_CODE[view.stage]
    since = view.stage_since.date() if view.stage_since else None
    lines = [
        f"申报人：{view.name_masked}（申报编号 {view.application_id}，{view.year}年度）",
        f"系列/级别：{view.series} {view.level}　评审委员会：{view.committee}",
        f"当前阶段：{stage.name}" + (f"（{_date(since, today)}起）" if since else ""),
        stage.meaning,
    ]
    if stage.code == "returned":
        if view.corrections:
            lines.append("需要补正的全部内容：")
            lines += [f"{i}. {item}" for i, item in enumerate(view.corrections, 1)]
        else:
            lines.append("记录中没有列出补正内容，请登录系统查看退回意见，或联系评审服务机构。")
    if stage.code == "abandoned":
        lines.append(f"原因：{view.reason}" if view.reason else "原因：记录中未注明，请联系评审服务机构了解。")
    lines.append(f"下一步：{stage.next_step}")
    due = deadline_text(stage, deadline=view.deadline, since=since, today=today, schedule=schedule)
    if due:
        lines.append(due)
    lines.append(citation(notice_number, list(clauses_for(view))))
    return "\n".join(lines)
