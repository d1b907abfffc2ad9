"""Synthetic applications, one per stage, so every status reply can be tried (`zhicheng status demo`).

Ids are DEMO-2024-0001 … DEMO-2024-0013: the `DEMO-` prefix is refused by the real importer,
so demo records can never be mistaken for, or mixed with, real ones. Names are 演示甲, 演示乙 …
Verification factors of DEMO-2024-00NN (NN = 01 … 13):

  身份证号后4位  00NN   (0001 … 0013)
  手机号后4位    90NN   (9001 … 9013)

  0001 个人已提交   0002 单位审核中   0003 单位已推荐   0004 机构审核中   0005 退回补正
  0006 待缴费       0007 已缴费待评审 0008 答辩已通知   0009 已评审       0010 公示中
  0011 证书已核发   0012 视为放弃     0013 未通过

The dates are fixed in the 2024 calendar of the notice, so re-running changes nothing;
ZHICHENG_TODAY=2024-08-20 shows the deadlines still open.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.status.importer import ImportRow, upsert
from bot.status.stages import BY_CODE, STAGES
from bot.tables import ImportReport

YEAR = 2024
_NAMES = "甲乙丙丁戊己庚辛壬癸子丑寅"
_T = dt.datetime.fromisoformat
# when each stage is reached on the demo timeline (and the deadline that goes with it)
_WHEN = {
    "submitted": _T("2024-07-10T10:00"), "unit_review": _T("2024-07-15T09:00"),
    "unit_recommended": _T("2024-07-25T16:00"), "institution_review": _T("2024-08-05T09:00"),
    "returned": _T("2024-08-12T09:30"), "awaiting_payment": _T("2024-09-02T10:00"),
    "paid": _T("2024-09-10T11:00"), "defense_notified": _T("2024-10-21T10:00"),
    "reviewed": _T("2024-11-20T17:00"), "publicity": _T("2024-12-09T09:00"),
    "certified": _T("2024-12-27T10:00"), "abandoned": _T("2024-09-20T09:00"), "failed": _T("2024-11-22T17:00"),
}
_DEADLINES = {"returned": dt.date(2024, 8, 30), "awaiting_payment": dt.date(2024, 9, 13),
              "defense_notified": dt.date(2024, 11, 15)}
_NOTES = {"returned": "继续教育学时证明未上传；单位推荐意见表缺少单位公章；代表作首页扫描件不清晰，请重新上传"}
_REASONS = {"abandoned": "逾期未完成缴费（缴费截止2024年9月13日）"}
_PATH = ("submitted", "unit_review", "unit_recommended", "institution_review", "awaiting_payment", "paid",
         "defense_notified", "reviewed", "publicity", "certified")
_BEFORE = {"returned": _PATH[:4], "abandoned": _PATH[:5], "failed": _PATH[:8]}
_SERIES = (("工程技术", "中级"), ("会计", "中级"), ("经济", "中级"), ("工程技术", "高级"), ("翻译", "中级"),
           ("艺术", "中级"), ("出版", "高级"), ("工程技术", "中级"), ("档案", "中级"), ("图书资料", "中级"),
           ("新闻", "中级"), ("统计", "中级"), ("工程技术", "高级"))


@dataclass(frozen=True)
class DemoApplication:
    application_id: str
    name: str
    id_last4: str
    phone_last4: str
    stage: str  # code


DEMO_APPLICATIONS: tuple[DemoApplication, ...] = tuple(
    DemoApplication(f"DEMO-{YEAR}-{n:04d}", f"演示{_NAMES[n - 1]}", f"{n:04d}", f"{9000 + n}", s.code)
    for n, s in enumerate(STAGES, 1))


def _history(code: str) -> tuple[str, ...]:
    if code in _BEFORE:
        return _BEFORE[code] + (code,)
    return _PATH[:_PATH.index(code) + 1]


def demo_rows() -> list[ImportRow]:
    rows = []
    for n, d in enumerate(DEMO_APPLICATIONS, 1):
        series, level = _SERIES[n - 1]
        for step in _history(d.stage):
            rows.append(ImportRow(
                line=0, application_id=d.application_id, year=YEAR, name=d.name, id_last4=d.id_last4,
                phone_last4=d.phone_last4, series=series, level=level,
                committee=f"演示用{series}系列{level}评审委员会（非真实数据）", stage=step, at=_WHEN[step],
                deadline=_DEADLINES.get(step), note=_NOTES.get(step), reason=_REASONS.get(step)))
    return rows


def create_demo(*, session: Session) -> ImportReport:
    """Create or refresh the demo applications in the caller's transaction; idempotent."""
    return upsert(demo_rows(), session=session, source="demo")


def demo_table() -> str:
    """The demo ids and their verification factors, one line each."""
    lines = ["申报编号          姓名    身份证后4位  手机后4位  阶段"]
    lines += [f"{d.application_id}  {d.name}  {d.id_last4}         {d.phone_last4}       {BY_CODE[d.stage].name}"
              for d in DEMO_APPLICATIONS]
    return "\n".join(lines)
