"""decide_institution: the directory rows behind series + level (+ district for 工程技术 初级, 五(一))."""
import pytest

from bot.advisor.decisions import Facts, decide_institution, render_verdict
from bot.advisor.directory import DirectoryEntry
from bot.advisor.directory_file import read_directory_file

SHIPPED = [DirectoryEntry(**{k: v for k, v in row.items()}) for row in read_directory_file()]
OFFICIAL = DirectoryEntry(series="会计", level="中级", district=None, name="某会计评审服务机构（测试）",
                          committee="会计系列中级评审委员会（测试）", phone="010-12345678", address="测试地址",
                          verified=True, source="测试")


@pytest.mark.parametrize("facts, directory, decision, words, clauses, missing", [
    (dict(), SHIPPED, "need_info", ["系列"], ["二"], ["series"]),
    (dict(series="卫生技术", level="中级"), SHIPPED, "refer", ["行业主管部门"], ["三(二)"], []),
    (dict(series="工程技术", level="中级", employer="自主评聘单位"), SHIPPED, "refer", ["自主评聘"], ["三(三)"], []),
    (dict(series="工程技术"), SHIPPED, "need_info", ["级别"], ["二"], ["level"]),
    (dict(series="工程技术", level="初级"), SHIPPED, "need_info", ["参保单位所在区"], ["五(一)"], ["district"]),
    (dict(series="工程技术", level="初级", district="朝阳区"), SHIPPED, "found",
     ["北京市朝阳区人力资源和社会保障局", "附件1", "12333"], ["五(一)", "三(一)1"], []),
    (dict(series="工程技术", level="初级", district="经开区"), SHIPPED, "found", ["北京经济技术开发区社会事业局"],
     ["五(一)"], []),
    (dict(series="工程技术", level="初级", district="朝阳区"), [], "unknown", ["朝阳区", "12333"], ["五(一)"], []),
    (dict(series="工程技术", level="副高级", district="朝阳区"), SHIPPED, "unverified", ["附件1", "尚未核实"],
     ["二"], []),
    (dict(series="会计", level="中级"), SHIPPED, "unverified", ["附件1未随通知文本提供", "尚未核实"], ["二"], []),
    (dict(series="会计", level="中级"), SHIPPED + [OFFICIAL], "found", ["某会计评审服务机构", "010-12345678",
                                                                      "测试地址"], ["二"], []),
    (dict(series="会计", level="中级"), [], "unknown", ["还没有"], ["二"], []),
])
def test_institution(facts, directory, decision, words, clauses, missing, clause_ids):
    v = decide_institution(Facts(**facts), directory=directory)
    assert v.kind == "institution"
    assert v.decision == decision, v
    text = v.summary + "".join(v.reasons) + "".join(v.next_steps)
    for w in words:
        assert w in text, (w, text)
    assert set(clauses) <= set(v.clauses)
    assert set(v.clauses) <= clause_ids
    assert v.missing == missing


def test_junior_engineering_picks_only_the_insured_units_district():
    v = decide_institution(Facts(series="工程技术", level="初级", district="海淀区"), directory=SHIPPED)
    assert [e.name for e in v.institutions] == ["北京市海淀区人力资源和社会保障局"]
    assert all("朝阳" not in r for r in v.reasons)


def test_never_invents_a_phone_number():
    v = decide_institution(Facts(series="工程技术", level="初级", district="延庆区"), directory=SHIPPED)
    text = render_verdict(v, notice_number="京人社事业字〔2024〕96号")
    assert "电话：" not in text
    assert "没有提供这些机构的电话和地址" in text and "附件1" in text and "12333" in text


def test_verified_level_specific_row_wins_over_placeholder():
    v = decide_institution(Facts(series="会计", level="中级"), directory=SHIPPED + [OFFICIAL])
    assert v.institutions == [OFFICIAL]


@pytest.mark.parametrize("series, level", [("工程技术", "中级"), ("出版", "初级")])
def test_asked_whether_it_goes_by_district_the_answer_says_only_junior_engineering_does(series, level):
    v = decide_institution(Facts(series=series, level=level, district="石景山区"), directory=SHIPPED)
    text = render_verdict(v, notice_number="京人社事业字〔2024〕96号")
    assert "五(一)" in v.clauses and "工程技术系列的初级职称" in text and "附件1" in text
    assert "石景山区人力资源" not in text


def test_other_levels_and_series_get_no_district_note():
    v = decide_institution(Facts(series="会计", level="中级"), directory=SHIPPED)
    assert "五(一)" not in v.clauses
