"""The status reply for every stage: plain words, next step, deadline against today, citation."""
from __future__ import annotations

import datetime as dt

import pytest

from bot.calendar import nth_working_day
from bot.status.stages import BY_CODE, STAGES, ApplicationView, render_status, split_corrections, stage_for
from tests.status.conftest import NOTICE

TODAY = dt.date(2024, 8, 20)


def view(stage: str, **kw) -> ApplicationView:
    base = dict(application_id="BJ2024ZC000123", year=2024, name_masked="张*明", series="工程技术", level="中级",
                committee="北京市工程技术系列中级评审委员会", stage=stage, stage_since=dt.datetime(2024, 8, 12, 9, 30))
    return ApplicationView(**{**base, **kw})


# stage → (a phrase of the next step the applicant must read, the citation line)
EXPECTED = {
    "submitted": ("联系参保单位", "三(一)2、三(一)2第2段"),
    "unit_review": ("公示无异议后由单位填写推荐意见", "三(一)2"),
    "unit_recommended": ("目前您无需操作", "三(一)3"),
    "institution_review": ("一次性告知需要补正的全部内容", "三(一)3"),
    "returned": ("补正后重新提交，并再次联系参保单位审核推荐", "三(一)3"),
    "awaiting_payment": ("在评审服务机构通知的规定时间内登录系统进行网上缴费", "三(一)4"),
    "paid": ("答辩前评审服务机构会通过短信告知答辩事宜", "三(一)4、三(一)5"),
    "defense_notified": ("登录系统，下载答辩通知书", "三(一)5"),
    "reviewed": ("验收通过后，评审结果将在市人力资源社会保障局政府网站公示", "三(一)6"),
    "publicity": ("“个人办事”—“职称评审”—“本年度评审结果公示”", "三(一)6"),
    "certified": ("“本人证书查询”模块下载", "三(一)7"),
    "abandoned": ("本年度申报已终止", "三(一)3、三(一)4"),
    "failed": ("向评审服务机构提出复查申请", "三(一)5第2段、四(三)"),
}


def test_there_are_thirteen_stages_in_the_order_of_the_notice():
    assert [s.name for s in STAGES] == ["个人已提交", "单位审核中", "单位已推荐", "机构审核中", "退回补正", "待缴费",
                                        "已缴费待评审", "答辩已通知", "已评审", "公示中", "证书已核发", "视为放弃", "未通过"]
    assert set(EXPECTED) == set(BY_CODE)


@pytest.mark.parametrize("code", list(EXPECTED))
def test_each_stage_renders_its_next_step_and_clause(code):
    text = render_status(view(code), today=TODAY, notice_number=NOTICE)
    step, clauses = EXPECTED[code]
    lines = text.splitlines()
    assert lines[0] == "申报人：张*明（申报编号 BJ2024ZC000123，2024年度）"
    assert "工程技术 中级" in lines[1] and "北京市工程技术系列中级评审委员会" in lines[1]
    assert lines[2] == f"当前阶段：{BY_CODE[code].name}（8月12日起）"
    assert BY_CODE[code].meaning in text
    assert any(line.startswith("下一步：") and step in line for line in lines), text
    assert lines[-1] == f"依据：{NOTICE} {clauses}"


def test_every_cited_clause_exists_in_the_notice(knowledge):
    known = {c["id"] for c in knowledge.clauses}
    cited = {c for s in STAGES for c in s.clauses} | {"三(一)3", "三(一)4"}
    assert cited <= known


def test_returned_lists_every_correction_and_the_days_left():
    text = render_status(view("returned", deadline=dt.date(2024, 8, 30),
                              corrections=("继续教育证明未上传", "推荐意见缺少公章", "代表作首页不清晰")),
                         today=TODAY, notice_number=NOTICE)
    assert "需要补正的全部内容：\n1. 继续教育证明未上传\n2. 推荐意见缺少公章\n3. 代表作首页不清晰" in text
    assert "补正截止：8月30日，还剩11天（含今天）。逾期未补正的，视为放弃申报。" in text


def test_returned_without_items_points_to_the_system():
    text = render_status(view("returned"), today=TODAY, notice_number=NOTICE)
    assert "请登录系统查看退回意见" in text
    assert "补正期限以评审服务机构的通知为准" in text and "视为放弃申报" in text


@pytest.mark.parametrize("today, expected", [
    (dt.date(2024, 8, 30), "补正截止：8月30日，今天截止。"),
    (dt.date(2024, 9, 2), "补正截止：8月30日，已过。逾期未补正的，视为放弃申报"),
    (dt.date(2025, 3, 1), "补正截止：2024年8月30日，已过。"),
])
def test_correction_deadline_against_today(today, expected):
    text = render_status(view("returned", deadline=dt.date(2024, 8, 30)), today=today, notice_number=NOTICE)
    assert expected in text
    assert "还剩" not in text


def test_payment_without_a_recorded_deadline_says_the_institution_decides():
    text = render_status(view("awaiting_payment"), today=TODAY, notice_number=NOTICE)
    assert "缴费期限以评审服务机构通知的时间为准。逾期未完成缴费，视为放弃申报。" in text


def test_payment_deadline_counts_down():
    text = render_status(view("awaiting_payment", deadline=dt.date(2024, 9, 13)), today=dt.date(2024, 9, 10),
                         notice_number=NOTICE)
    assert "缴费截止：9月13日，还剩4天（含今天）。逾期未完成缴费，视为放弃申报。" in text


def test_defense_date():
    text = render_status(view("defense_notified", deadline=dt.date(2024, 11, 15)), today=dt.date(2024, 11, 5),
                         notice_number=NOTICE)
    assert "答辩时间：11月15日，还有10天。" in text


def test_unit_review_deadline_comes_from_the_notice_schedule():
    schedule = {"unit_review": dt.date(2024, 7, 30)}
    text = render_status(view("unit_review"), today=dt.date(2024, 7, 25), notice_number=NOTICE, schedule=schedule)
    assert "单位审核推荐截止（按通知）：7月30日，还剩6天（含今天）。" in text
    late = render_status(view("unit_review"), today=dt.date(2024, 8, 1), notice_number=NOTICE, schedule=schedule)
    assert "7月30日，已过" in late


def test_stages_without_an_applicant_deadline_show_none():
    for code in ("unit_recommended", "institution_review", "paid", "reviewed", "certified", "abandoned", "failed"):
        text = render_status(view(code, deadline=dt.date(2024, 9, 1)), today=TODAY, notice_number=NOTICE)
        assert "截止" not in text and "还剩" not in text, code


def test_publicity_counts_five_working_days_over_the_national_day_holiday():
    # 9月30日 is a Monday, 10月1日–7日 are holidays: the 5th working day is 10月11日
    assert nth_working_day(dt.date(2024, 9, 30), 5) == dt.date(2024, 10, 11)
    text = render_status(view("publicity", stage_since=dt.datetime(2024, 9, 30, 9)), today=dt.date(2024, 10, 8),
                         notice_number=NOTICE)
    assert "公示期满：最早10月11日（自9月30日起不少于5个工作日），还剩4天（含今天）。" in text
    done = render_status(view("publicity", stage_since=dt.datetime(2024, 9, 30, 9)), today=dt.date(2024, 10, 14),
                         notice_number=NOTICE)
    assert "已满。公示无异议的，将分批核发电子职称证书。" in done


@pytest.mark.parametrize("reason, clauses", [
    ("逾期未补正", "三(一)3"),
    ("逾期未完成缴费", "三(一)4"),
    (None, "三(一)3、三(一)4"),
])
def test_abandoned_shows_its_reason_and_the_matching_clause(reason, clauses):
    text = render_status(view("abandoned", reason=reason), today=TODAY, notice_number=NOTICE)
    assert (f"原因：{reason}" if reason else "原因：记录中未注明") in text
    assert text.endswith(f"依据：{NOTICE} {clauses}")


def test_failed_points_to_review_via_the_institution():
    text = render_status(view("failed"), today=TODAY, notice_number=NOTICE)
    assert "复查申请" in text and "12333" in text
    assert "四(三)" in text.splitlines()[-1]


@pytest.mark.parametrize("note, items", [
    ("继续教育证明未上传；推荐意见缺少公章", ("继续教育证明未上传", "推荐意见缺少公章")),
    ("1. 学历证书不清晰\n2、缺少业绩材料\n（3）论文未上传。", ("学历证书不清晰", "缺少业绩材料", "论文未上传")),
    ("a;b；；\n", ("a", "b")),
    (None, ()),
])
def test_split_corrections(note, items):
    assert split_corrections(note) == items


def test_stage_by_code_or_chinese_name():
    assert stage_for("退回补正") is stage_for("returned") is BY_CODE["returned"]
    assert stage_for(" 待缴费 ").code == "awaiting_payment"
    assert stage_for("已提交") is None and stage_for("") is None
