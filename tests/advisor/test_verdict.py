"""Facts, Verdict and render_verdict; a sentence all the way to the rendered replies."""
import dataclasses
import datetime as dt

from bot.advisor import verdict as V
from bot.advisor.decisions import (
    Facts,
    Verdict,
    decide_eligibility,
    decide_entrustment,
    decide_institution,
    render_verdict,
)
from bot.advisor.directory import DirectoryEntry
from bot.advisor.directory_file import read_directory_file
from bot.advisor.entities import extract_facts
from bot.text import normalize

NOTICE = "京人社事业字〔2024〕96号"


def test_facts_are_frozen_and_built_from_dicts():
    f = Facts.from_dict({"series": "会计", "slot_we_do_not_know": 1})
    assert f.series == "会计" and f.level is None
    assert dataclasses.is_dataclass(f) and Facts.__dataclass_params__.frozen
    assert Verdict.__dataclass_params__.frozen
    assert all(f.name in V.FACT_LABELS for f in dataclasses.fields(Facts))


def test_every_decision_code_reaches_the_user_as_a_conclusion_its_reasons_and_its_citation(knowledge):
    """Each of the sixteen decision codes, from a real decision: the reply leads with the verdict,
    says every reason and next step, asks for what is missing, and ends with the clauses it rests on."""
    from bot.advisor.decisions import decide_deadline
    from tests.advisor.test_eligibility import CASES as ELIGIBILITY
    from tests.advisor.test_entrustment import CASES as ENTRUSTMENT
    shipped = [DirectoryEntry(**row) for row in read_directory_file()]
    verdicts = [decide_eligibility(Facts(**c[1])) for c in ELIGIBILITY]
    verdicts += [decide_entrustment(Facts(**c[1])) for c in ENTRUSTMENT]
    verdicts += [decide_institution(Facts(**facts), directory=shipped) for facts in (
        dict(series="工程技术", level="初级", district="朝阳区"), dict(series="会计", level="中级"))]
    verdicts += [decide_deadline(knowledge.stages, today=dt.date(2024, month, day))
                 for month, day in ((6, 20), (7, 10), (7, 24))]
    codes = {}
    for v in verdicts:
        lines = render_verdict(v, notice_number=NOTICE).splitlines()
        text = "\n".join(lines)
        assert lines[0] == f"结论：{v.summary}", text
        assert all(r in text for r in v.reasons + v.next_steps), text
        if len(v.missing) > 1:
            assert all(V.FACT_LABELS[m] in text for m in v.missing), text
        assert lines[-1] == f"依据：{NOTICE} {'、'.join(v.clauses)}", text
        codes.setdefault(v.decision, v.summary)
    assert set(codes) == {"yes", "conditional", "no", "not_met", "refer", "needed", "not_needed", "not_accepted",
                          "not_applicable", "found", "unverified", "not_open", "open", "closed", "unknown",
                          "need_info"}
    # the conclusions differ where the verdicts do: a user can tell 需要 from 不需要 from 不被接受
    assert len({codes["needed"], codes["not_needed"], codes["not_accepted"], codes["not_applicable"]}) == 4
    assert len({codes["yes"], codes["no"], codes["not_met"], codes["unknown"]}) == 4


def test_render_single_reason_inline_and_citation_last():
    v = Verdict("eligibility", "no", "不行。", reasons=["因为甲。"], clauses=["一第4段"], next_steps=["拨打12333。"])
    assert render_verdict(v, notice_number=NOTICE) == (
        "结论：不行。\n原因：因为甲。\n下一步：拨打12333。\n依据：京人社事业字〔2024〕96号 一第4段")


def test_render_numbered_lists():
    v = Verdict("eligibility", "yes", "可以。", reasons=["甲。", "乙。"], clauses=["一", "三(一)"])
    assert render_verdict(v, notice_number=NOTICE) == (
        "结论：可以。\n原因：\n1. 甲。\n2. 乙。\n依据：京人社事业字〔2024〕96号 一、三(一)")


def test_silent_notice_points_to_12333():
    v = V.silent("eligibility", "不清楚。", ["理由。"], ["一"])
    assert v.decision == "unknown" and "没有作出具体规定" in v.reasons[-1] and "12333" in v.next_steps[0]


def test_a_sentence_to_three_replies():
    facts = Facts.from_dict(extract_facts(normalize("我在亦莊一家央企二級公司做會計，想報副高")))
    eligibility = decide_eligibility(facts)
    assert eligibility.decision == "need_info" and eligibility.missing == ["passed_exam", "insured_in_beijing"]
    assert "五(五)" in eligibility.clauses and "五(二)" in eligibility.clauses
    entrustment = decide_entrustment(facts)
    assert entrustment.missing == ["insured_in_beijing"]
    facts = dataclasses.replace(facts, insured_in_beijing=True, passed_exam=True)
    assert decide_eligibility(facts).decision == "conditional"
    assert decide_entrustment(facts).decision == "needed"
    directory = [DirectoryEntry(**r) for r in read_directory_file()]
    institution = decide_institution(facts, directory=directory)
    assert institution.decision == "unverified"
    for v in (decide_eligibility(facts), decide_entrustment(facts), institution):
        text = render_verdict(v, notice_number=NOTICE)
        assert text.startswith("结论：") and text.splitlines()[-1].startswith(f"依据：{NOTICE} ")
