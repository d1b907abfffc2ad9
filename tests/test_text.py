"""Normalisation: what the NLU and retrieval see for what users type."""
import pytest

from bot.text import bad_input_reason, normalize, question_part


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
    ("<b>加粗</b>", None), ("<div><p></p></div>", "markup"), ("x > 3 and y < 2", None),
    ("委托函 二级单位", None), ("'; DROP TABLE users;--", None), ("deadline是哪天", None),
])
def test_bad_input_reason(raw, reason):
    assert bad_input_reason(raw, 500) == reason


@pytest.mark.parametrize("raw, expected", [
    ("公物员能申报职称吗", "公务员能申报职称吗"),
    ("委托涵 二级单位", "委托函 二级单位"),
    ("职称正书在哪下载", "职称证书在哪下载"),
    ("学力比对失败", "学历比对失败"),
    ("破隔申报", "破格申报"),
    ("公示期间有异议怎么办", "公示期间有异议怎么办"),  # correct text is left alone
    ("我在海淀区上班", "我在海淀区上班"),
    # a sound several terms share: the one written with a character of the typo (缴费, not 交费)
    ("审核过了但是忘了缴废", "审核过了但是忘了缴费"),
    ("我要交费", "我要交费"),
    # words the tokenizer does not need, kept for repair (knowledge/terms.yml `spelling`)
    ("申报进渡怎么查", "申报进度怎么查"),
    ("弄虚做假会怎么样", "弄虚作假会怎么样"),
    ("作家协会推荐", "作家协会推荐"),  # 作家 is a word, not a typo of 作假
])
def test_homophone_typos_of_domain_terms_are_repaired(raw, expected):
    assert normalize(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("deadline是哪天", "截止日期是哪天"),
    ("评审 fee 要在什么时候 pay？", "评审 费用 要在什么时候 缴费?"),
    ("Freelancer能报吗", "自由职业者能报吗"),
    ("checklist", "checklist"),  # only whole English words are translated
])
def test_english_domain_words_are_put_in_chinese(raw, expected):
    assert normalize(raw) == expected


def test_the_english_glossary_has_no_key_twice():
    """A key written twice silently keeps only its last meaning."""
    import yaml

    from bot.config import ROOT

    seen: list[str] = []

    class Strict(yaml.SafeLoader):
        def construct_mapping(self, node, deep=False):
            keys = [self.construct_object(k, deep=deep) for k, _ in node.value]
            seen.extend(k for k in keys if keys.count(k) > 1)
            return super().construct_mapping(node, deep=deep)

    yaml.load((ROOT / "knowledge" / "terms.yml").read_text(encoding="utf-8"), Loader=Strict)
    assert not seen


def test_a_story_without_a_question_keeps_what_it_says_of_the_domain():
    story = "我的材料机构审核已经通过了，短信让我在规定时间内缴费，结果那几天我在国外出差，一直没网。"
    part = question_part(story)
    assert "缴费" in part and "一直没网" not in part


@pytest.mark.parametrize("text, ok", [("Is that true?", True), ("What about 初级?", True), ("请问在哪个网站申报", True),
                                      ("asdfjkl", False), ("asdf jkl", False), ("啊啊啊啊", False), ("ok", False),
                                      ("../../../../etc/passwd", False)])
def test_a_message_of_real_words_chinese_or_english_is_readable(text, ok):
    from bot.text import readable
    assert readable(text) is ok
