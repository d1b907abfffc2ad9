"""Retrieval over the FAQ: ranked entries with scores; typos, traditional and new entries."""
import pytest

from bot.kb import search as search_mod
from bot.kb.loader import load
from bot.kb.models import FaqEntry


@pytest.mark.parametrize("query, expected", [
    ("委托函谁来开", "entrustment_needed"),
    ("评审费多少钱", "fee_amount"),
    ("委托涵 二级单位", "entrustment_needed"),
    ("學歷比對不成功", "degree_equivalence"),
    ("初级要答辩吗", "defense_required"),
    ("电子证书在哪下载", "certificate"),
    ("破格 专家推荐", "exceptional"),
    ("高级会计师要先考试吗", "exam_evaluation"),
    # everyday words read as the notice's (knowledge/terms.yml, colloquial)
    ("论文是抄别人的，职称会被撤掉吗", "integrity"),
    ("评审机构会不会今天退一点明天退一点，让我来回改好几遍", "correction"),
    ("评审服务机构违反程序乱评，人社局管不管", "institution_violation"),
])
def test_top_hit(session, query, expected):
    hits = search_mod.search(query, session=session, year=2024)
    assert hits and hits[0].faq_id == expected, hits
    assert 0 < hits[0].score <= 1
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_nonsense_finds_nothing_confident(session):
    hits = search_mod.search("今天天气怎么样", session=session, year=2024)
    assert not hits or hits[0].score < 0.3


def test_new_entry_is_found_after_load_without_training(session, knowledge):
    new = dict(id="photo_size", topic="申报流程", question="申报照片有什么要求？",
               answer="通知没有规定照片要求。", clauses=["三(一)1"], keywords=["照片", "证件照"])
    knowledge2 = type(knowledge)(knowledge.notice, knowledge.clauses, knowledge.faq + [new],
                                 knowledge.stages, knowledge.series)
    with session.begin():
        load(knowledge2, session=session, source="test")
    assert session.get(FaqEntry, (2024, "photo_size")).intent is None
    hits = search_mod.search("证件照有啥要求", session=session, year=2024)
    assert hits[0].faq_id == "photo_size"


def test_the_classifiers_examples_are_indexed_with_their_entry(session):
    """The ways users ask for an entry (data/nlu) lead to it: nearly every example of a FAQ intent
    finds its own entry first, so retrieval knows the users' words, not only the staff's."""
    entries = {e.intent: e.id for e in session.query(FaqEntry).filter(FaqEntry.year == 2024) if e.intent}
    examples = search_mod._examples()
    tried = found = 0
    for intent, faq_id in entries.items():
        for text in examples.get(intent, [])[:5]:
            hits = search_mod.search(text, session=session, year=2024)
            tried += 1
            found += bool(hits) and hits[0].faq_id == faq_id
    assert tried > 100 and found / tried >= 0.85, (found, tried)


def test_a_message_session_asks_the_knowledge_version_once(session):
    """actions.kb.kb_session marks its session: retrieval and the wording then share one answer."""
    from bot.kb import queries
    session.info[queries.ONE_VERSION] = True
    try:
        first = queries.kb_version(session=session)
        assert session.info.get("zc_kb_version") == first
        assert search_mod.kb_version(session=session) == first
    finally:
        session.info.pop(queries.ONE_VERSION, None)
        session.info.pop("zc_kb_version", None)
