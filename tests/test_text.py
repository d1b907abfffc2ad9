"""Normalisation: what the NLU and retrieval see for what users type."""
import pytest

from bot.text import bad_input_reason, normalize


@pytest.mark.parametrize("raw, expected", [
    ("我是香港人，可以申報北京職稱嗎？", "我是香港人,可以申报北京职称吗?"),
    ("委託函要誰開", "委托函要谁开"),
    ("ＣＰＡ能對應職稱嗎", "cpa能对应职称吗"),
    ("  初级\t\n要答辩吗  ", "初级 要答辩吗"),
    ("<b>委托函</b>怎么开", "委托函 怎么开"),
    ("<script>alert(1)</script>公务员", "公务员"),
    ("申\u200b报\ufeff时间", "申报时间"),
    ("京人社事业字〔2024〕96号", "京人社事业字〔2024〕96号"),
    (None, ""),
])
def test_normalize(raw, expected):
    assert normalize(raw) == expected


@pytest.mark.parametrize("raw, reason", [
    ("", "empty"), ("   \n ", "empty"), ("职称" * 300, "too_long"),
    ("<script>alert('x')</script>", "markup"), ('<img src=x onerror="alert(1)">', "markup"),
    ("😀😀😀", "no_text"), ("？？？！！", "no_text"),
    ("委托函 二级单位", None), ("'; DROP TABLE users;--", None), ("deadline是哪天", None),
])
def test_bad_input_reason(raw, reason):
    assert bad_input_reason(raw, 500) == reason
