"""An FAQ reply tied to a schedule stage states that stage's deadline against today
(principle 4: time is explicit), with the same wording the advisor uses (bot.calendar)."""
import datetime as dt
from types import SimpleNamespace

import pytest

from bot.answers import render_faq

APPLY = SimpleNamespace(key="personal_apply", name="个人网上申报", start=dt.date(2024, 7, 2), end=dt.date(2024, 7, 23),
                        end_text=None, clause="三(一)1", year=2024)
ENTRY = SimpleNamespace(answer="个人网上申报时间为7月2日至7月23日。", verified=True, source="", clauses=["三(一)1"])


def reply(today, stage=APPLY):
    return render_faq(ENTRY, notice_number="京人社事业字〔2024〕96号", stage=stage, today=today)


@pytest.mark.parametrize("today, fragment", [
    (dt.date(2024, 6, 20), "按今天（2024年6月20日）计算：个人网上申报将于7月2日开始（7月2日—7月23日），还有12天。"),
    (dt.date(2024, 7, 2), "个人网上申报正在进行，7月23日截止，还剩22天（含今天，其中工作日16天）。"),
    (dt.date(2024, 7, 23), "个人网上申报今天（7月23日）截止。"),
    (dt.date(2024, 7, 24), "个人网上申报已于2024年7月23日截止。"),
    (dt.date(2026, 11, 24), "2026年度的安排以当年发布的通知为准，可拨打12333咨询。"),
])
def test_personal_apply_window(today, fragment):
    text = reply(today)
    assert fragment in text
    assert text.startswith(ENTRY.answer) and text.endswith("依据：京人社事业字〔2024〕96号 三(一)1")


def test_end_text_is_used_for_month_end():
    defense = SimpleNamespace(key="defense", name="答辩评审", start=None, end=dt.date(2024, 11, 30), end_text="11月底前",
                              clause="三(一)5", year=2024)
    assert "答辩评审按通知在2024年11月底前完成，这个期限已经过了。" in reply(dt.date(2024, 12, 5), defense)
    assert "答辩评审须在11月底前完成，距期限还有11天（含今天）。" in reply(dt.date(2024, 11, 20), defense)


def test_no_stage_no_deadline_line():
    text = render_faq(ENTRY, notice_number="京人社事业字〔2024〕96号", stage=None, today=dt.date(2024, 7, 2))
    assert "按今天" not in text
