"""Deadline state of a stage against today (principle 4: time is explicit)."""
import datetime as dt

import pytest

from bot.deadlines import stage_state

APPLY = dict(key="personal_apply", name="个人网上申报", start=dt.date(2024, 7, 2), end=dt.date(2024, 7, 23),
             clause="三(一)1", year=2024)


@pytest.mark.parametrize("today, state, days, fragment", [
    (dt.date(2024, 6, 20), "not_open", 12, "7月2日开始，还有12天"),
    (dt.date(2024, 7, 2), "open", 22, "7月23日截止，还剩22天"),
    (dt.date(2024, 7, 23), "open", 1, "还剩1天（含今天）"),
    (dt.date(2024, 7, 24), "closed", None, "已于2024年7月23日结束"),
    (dt.date(2026, 11, 24), "closed", None, "2026年度的安排以当年发布的通知为准"),
])
def test_personal_apply_window(today, state, days, fragment):
    s = stage_state(**APPLY, today=today)
    assert (s.state, s.days) == (state, days)
    assert fragment in s.text


def test_end_text_is_used_for_month_end():
    s = stage_state(key="defense", name="答辩评审", start=None, end=dt.date(2024, 11, 30), clause="三(一)5",
                    year=2024, today=dt.date(2024, 12, 5), end_text="11月底前")
    assert s.state == "closed" and "11月底前" in s.text
