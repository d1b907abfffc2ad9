"""How candidates are weighed (bot.routing.scores): a score worth answering, entries written for
others than this person."""
from __future__ import annotations

from bot.router import route
from bot.routing.inputs import Candidate, Context


def test_a_low_score_clearly_ahead_is_answered_but_a_tie_is_not():
    ahead = [Candidate("publicity", 0.28, "在哪看公示？", ("三(一)6",)), Candidate("notice", 0.08, "?", ())]
    assert route("评完了去哪看自己过没过", Context(intent="faq_publicity", unsure=True), ahead).kind == "faq"
    tie = [Candidate("a", 0.26, "A?", ()), Candidate("b", 0.25, "B?", ())]
    r = route("我们能自己评吗", Context(intent="faq_a", unsure=True), tie)
    assert r.kind == "cannot_answer" and len(r.also) == 2
    oos = Context(intent="faq_publicity", unsure=True, out_of_scope=0.3)
    assert route("去年通过率多少", oos, ahead).kind == "cannot_answer"


def test_entries_written_for_the_unit_give_way_for_a_freelancer():
    unit = Candidate("unit_review", 0.6, "单位审核推荐什么时候做？", ("三(一)2",))
    theirs = Candidate("freelancer_recommend", 0.4, "自由职业者的推荐材料怎么提交？", ("三(一)2第2段",))
    assert route("谁给我推荐", Context(intent="faq_unit_review", unsure=True), [unit, theirs]).faq_id == "unit_review"
    freelancer = Context(intent="faq_unit_review", unsure=True, facts={"employer": "自由职业"})
    assert route("谁给我推荐", freelancer, [unit, theirs]).faq_id == "freelancer_recommend"


def test_entries_written_for_this_person_lead_for_them():
    own = Candidate("freelancer_recommend", 0.41, "自由职业者的推荐材料怎么提交？", ("三(一)2第2段",))
    other = Candidate("correction", 0.45, "材料被退回补正怎么办？", ("三(一)3",))
    r = route("具体材料怎么交？", Context(intent="faq_correction", unsure=True, facts={"employer": "自由职业"}), [own, other])
    assert r.faq_id == "freelancer_recommend"
    assert route("具体材料怎么交？", Context(intent="faq_correction", unsure=True), [own, other]).faq_id == "correction"


def test_an_entry_for_others_does_not_lead_on_the_classifiers_certainty():
    unit = Candidate("unit_review", 2.0, "单位审核推荐？", ("三(一)2",))
    own = Candidate("freelancer_recommend", 0.4, "自由职业者推荐？", ("三(一)2第2段",))
    r = route("没有单位，那这一步我怎么办？", Context(intent="faq_unit_review", facts={"employer": "自由职业"}), [unit, own])
    assert r.faq_id == "freelancer_recommend"


def test_the_classifier_s_sure_entry_needs_retrieval_to_find_it_when_retrieval_finds_others():
    from bot.routing.scores import supported
    assert supported(0.76, 0.2, elsewhere=True)  # found by both
    assert not supported(0.76, 0.0, elsewhere=True)  # retrieval found other entries, not this one
    assert supported(0.76, 0.0, elsewhere=False)  # retrieval found nothing at all: the classifier decides
    assert not supported(0.5, 0.0, elsewhere=False)
