"""Working days (chinese_calendar) and the state of each stage of the shipped schedule."""
import datetime as dt

import pytest

from bot.advisor.decisions import decide_deadline, render_verdict
from bot.calendar import (
    CalendarUnavailable,
    add_working_days,
    is_working_day,
    latest_start,
    nth_working_day,
    schedule_states,
    stage_status,
    working_days_between,
)

D = dt.date


# --- working days around 2024 国庆 (10月1日—7日 off, 9月29日 Sunday and 10月12日 Saturday are 调休 working days)
def test_holidays_and_make_up_days():
    assert is_working_day(D(2024, 9, 29))  # Sunday, 调休上班
    assert not is_working_day(D(2024, 10, 1))
    assert not is_working_day(D(2024, 10, 7))  # Monday, still holiday
    assert is_working_day(D(2024, 10, 12))  # Saturday, 调休上班
    assert not is_working_day(D(2024, 10, 13))


@pytest.mark.parametrize("start, n, expected", [
    (D(2024, 9, 30), 1, D(2024, 10, 8)),  # over the whole holiday
    (D(2024, 9, 27), 1, D(2024, 9, 29)),  # Friday -> the make-up Sunday
    (D(2024, 9, 27), 5, D(2024, 10, 10)),
    (D(2024, 10, 8), -1, D(2024, 9, 30)),
    (D(2024, 10, 3), 0, D(2024, 10, 3)),
    (D(2024, 7, 19), 1, D(2024, 7, 22)),  # an ordinary weekend
])
def test_add_working_days(start, n, expected):
    assert add_working_days(start, n) == expected


@pytest.mark.parametrize("start, end, expected", [
    (D(2024, 9, 28), D(2024, 10, 13), 7),  # 29, 30, 8, 9, 10, 11, 12
    (D(2024, 10, 1), D(2024, 10, 7), 0),
    (D(2024, 7, 2), D(2024, 7, 23), 16),
    (D(2024, 7, 23), D(2024, 7, 2), 0),
])
def test_working_days_between(start, end, expected):
    assert working_days_between(start, end) == expected


def test_five_working_day_publicity_over_national_day():
    # a publicity starting on Friday 9月27日: 27, 29 (调休), 30, then 10月8日, 9日
    assert nth_working_day(D(2024, 9, 27), 5) == D(2024, 10, 9)
    assert working_days_between(D(2024, 9, 27), D(2024, 10, 9)) == 5
    assert nth_working_day(D(2024, 10, 1), 5) == D(2024, 10, 12)  # starts on the first working day, 10月8日
    assert latest_start(D(2024, 7, 30), 5) == D(2024, 7, 24)
    assert latest_start(D(2024, 10, 7), 2) == D(2024, 9, 29)  # deadline on a holiday counts back from 9月30日
    with pytest.raises(ValueError):
        nth_working_day(D(2024, 7, 1), 0)


def test_years_without_holiday_data_raise_a_clear_error():
    with pytest.raises(CalendarUnavailable, match="2099"):
        is_working_day(D(2099, 1, 1))


# --- the shipped schedule at the dates that matter
@pytest.fixture
def stages(knowledge):
    return knowledge.stages


def _states(stages, today):
    return {s.key: s for s in schedule_states(stages, today)}


def test_before_july_2(stages):
    s = _states(stages, D(2024, 6, 20))
    assert s["personal_apply"].state == "not_open" and s["personal_apply"].days == 12
    assert "个人网上申报将于7月2日开始" in s["personal_apply"].text
    assert s["defense"].state == "open" and "须在11月底前完成" in s["defense"].text


def test_first_day(stages):
    s = _states(stages, D(2024, 7, 2))
    apply = s["personal_apply"]
    assert (apply.state, apply.days, apply.working_days) == ("open", 22, 16)
    assert "7月23日截止，还剩22天" in apply.text and "工作日16天" in apply.text
    review = s["unit_review"]
    assert "不少于5个工作日" in review.text and "最晚须在7月24日开始公示" in review.text
    assert "来不及" not in review.text


def test_last_day_of_personal_application(stages):
    s = _states(stages, D(2024, 7, 23))
    assert s["personal_apply"].state == "open" and s["personal_apply"].text == "个人网上申报今天（7月23日）截止。"


def test_after_july_23(stages):
    s = _states(stages, D(2024, 7, 25))
    assert s["personal_apply"].state == "closed"
    assert s["personal_apply"].text == "个人网上申报已于2024年7月23日截止。"
    review = s["unit_review"]
    assert review.state == "open" and review.days == 6 and review.working_days == 4
    assert "来不及" in review.text  # 7月25日 + 5 working days is after 7月30日


def test_during_institution_review(stages):
    s = _states(stages, D(2024, 8, 15))
    assert s["unit_review"].state == "closed" and "2024年7月30日截止" in s["unit_review"].text
    assert s["institution_review"].state == "open" and s["institution_review"].days == 16


def test_after_august_30(stages):
    s = _states(stages, D(2024, 8, 31))
    assert s["institution_review"].state == "closed" and "2024年8月30日截止" in s["institution_review"].text
    assert s["defense"].state == "open"


def test_december_2024(stages):
    s = _states(stages, D(2024, 12, 10))
    assert {v.state for v in s.values()} == {"closed"}
    assert "11月底前完成，这个期限已经过了" in s["defense"].text
    assert "以当年发布的通知为准" not in s["defense"].text


def test_a_later_year_points_to_that_years_notice(stages):
    s = _states(stages, D(2026, 11, 24))
    assert "2026年度的安排以当年发布的通知为准" in s["personal_apply"].text


def test_stage_rows_and_dicts_both_work(session):
    from bot.kb.queries import stage
    row = stage(session=session, year=2024, key="personal_apply")
    assert stage_status(row, D(2024, 7, 10)).days == 14


def test_working_days_left_out_when_the_calendar_has_no_data():
    far = {"key": "x", "name": "测试阶段", "start": D(2099, 1, 1), "end": D(2099, 1, 31), "clause": "三(一)2"}
    s = stage_status(far, D(2099, 1, 10))
    assert s.state == "open" and s.working_days is None and "工作日" not in s.text.replace("5个工作日", "")


# --- "现在还能报吗"
@pytest.mark.parametrize("today, decision, words", [
    (D(2024, 6, 20), "not_open", ["7月2日开始"]),
    (D(2024, 7, 10), "open", ["7月23日截止", "还有14天"]),
    (D(2024, 7, 24), "closed", ["2024年7月23日截止", "单位审核推荐正在进行"]),
    (D(2024, 12, 1), "closed", ["不能再申报"]),
    (D(2025, 3, 1), "closed", ["2025年度的安排以当年发布的通知为准"]),
])
def test_decide_deadline(stages, today, decision, words, clause_ids):
    v = decide_deadline(stages, today=today)
    assert v.decision == decision
    text = render_verdict(v, notice_number="京人社事业字〔2024〕96号")
    for w in words:
        assert w in text, text
    assert "三(一)1" in v.clauses and set(v.clauses) <= clause_ids


def test_decide_deadline_unknown_stage(stages):
    v = decide_deadline(stages, today=D(2024, 7, 10), key="nope")
    assert v.decision == "unknown" and "12333" in "".join(v.next_steps)


def test_stage_with_a_start_and_an_end_text():
    s = stage_status({"key": "k", "name": "某阶段", "start": D(2024, 11, 1), "end": D(2024, 11, 30),
                      "end_text": "11月底前", "clause": "三(一)5", "year": 2024}, D(2024, 11, 20))
    assert s.state == "open" and s.text == "某阶段正在进行，11月底前完成，还有11天（含今天）。"
