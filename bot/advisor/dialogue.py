"""The advisors' dialogue state as pure functions: merge what the user said into the facts,
decide, and choose the one question to ask next.

State is three values the Rasa action keeps in slots: the topic (eligibility, entrustment,
institution, deadline), the known facts (a dict of Facts fields) and the fact being asked.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.advisor.associations import named_association
from bot.advisor.entities import CENTRAL, SEVERAL_SERIES, bare_central_tier, extract_facts
from bot.advisor.verdict import FACT_LABELS, Facts, Verdict
from bot.wording import Phrases, say

TOPICS = ("eligibility", "entrustment", "institution", "deadline")
SKIPPED = "_skipped"  # facts the user chose not to answer: never asked again in this case

# the question for each fact (template advisor.ask.<fact>) and its quick replies (title, what the
# button sends): the titles are words the extractor understands, so they stay here with it
SKIP = ("advisor.button.skip", "/skip")
YES_NO = (("advisor.button.yes", "/affirm"), ("advisor.button.no", "/deny"), SKIP)
OPTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "series": tuple((s, s) for s in ("工程技术", "会计", "经济", "卫生技术", "中小学教师", "艺术")) + (SKIP,),
    "level": tuple((s, s) for s in ("初级", "中级", "副高级", "正高级")) + (SKIP,),
    "employer": tuple((s, s) for s in ("国有企事业单位", "民营企业", "社会组织", "中央在京单位本级", "中央在京单位二级单位",
                                       "中央在京单位三级及以下单位", "自由职业")) + (SKIP,),
    "identity": (("内地", "内地"), ("港澳台", "港澳台"), ("外籍", "外籍"), SKIP),
    "district": tuple((s, s) for s in ("东城区", "西城区", "朝阳区", "海淀区", "丰台区", "经开区")) + (SKIP,),
    "freelance_field": tuple((s, s) for s in ("舞台影视", "美术", "动漫游戏", "文学创作", "工艺美术")) + (SKIP,),
    "expert_recommenders": (("2名及以上", "2名及以上"), ("1名", "1名"), ("没有", "没有"), SKIP),
}
QUESTIONS = frozenset(OPTIONS)  # the facts asked with a question of their own (not yes/no)


def question(fact: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The question for `fact` and its quick replies (title, payload); yes/no facts get 是/不是/跳过.

    A choice's payload is `/inform{"fact_text": "<title>"}`, so a tap is understood exactly."""
    if fact not in OPTIONS:
        return say("advisor.ask_yes_no", fact=FACT_LABELS.get(fact, fact)), tuple((say(t), p) for t, p in YES_NO)
    return say(f"advisor.ask.{fact}"), tuple(
        (say(title), payload) if payload.startswith("/") else
        (title, "/inform" + json.dumps({"fact_text": payload}, ensure_ascii=False))
        for title, payload in OPTIONS[fact])


# with a central unit already known, a short tier word refines it ("那二级呢")
_CENTRAL_LEVEL = (("本级", "中央在京单位本级"), ("二级", "中央在京单位二级"), ("三级", "中央在京单位三级及以下"),
                  ("四级", "中央在京单位三级及以下"), ("下属", "中央在京单位三级及以下"))
ASSUMED_KEY = "_assumed"  # facts the last verdict assumed: a bare 是/不是 next answers the first
READ_AS = "_read_as"  # the bare tier word read as a central unit in this turn: the reply says so
_HIGH_SKILL = re.compile(r"高级工(?!程)|高级技师|(?<!工程)技师|高技能")  # 高级工程师 is no 高级工
_EXPERTS = ((re.compile(r"[2-9两三四五六七八九十]\s*[名个位]|2名及以上|两个以上|多名"), 2),
            (re.compile(r"[1一]\s*[名个位]|只有一"), 1), (re.compile(r"没有|0\s*[名个位]|一个都没"), 0))


_OTHER_PERSON = re.compile(r"^[，,。\s]*(那|那么|要是|如果是|换成)?(我|我自己|她|他|我爱人|我老公|我老婆|我媳妇|我同事|我朋友)"
                           r"(呢|的话呢|的情况呢|怎么样|咋样)(?=$|[，,。？?！!\s])")


def switches_person(text: str) -> bool:
    """Whether a turn moves to someone else ("那我呢，我在事业单位", "那她呢"): the facts known
    were another person's, and this person's start afresh."""
    return bool(_OTHER_PERSON.search(text))


def merge(known: dict[str, Any], text: str, *, asking: str | None, answer: bool | None,
          skip: bool = False) -> dict[str, Any]:
    """The facts after one user turn: what the text states overrides what was known.

    `answer` is the yes/no the user gave to the fact being asked; `skip` marks it skipped.
    A bare "二级单位"/"三级单位" refines an employer already known to be a central unit; without
    that context it is read as the central tier and `READ_AS` records the word for the reply.
    """
    facts = {} if switches_person(text) else dict(known)
    facts.pop(READ_AS, None)
    new = extract_facts(text)
    if "series" in new and SEVERAL_SERIES not in new:
        facts.pop(SEVERAL_SERIES, None)  # one series named now: the person's own
    if "employer" not in new:
        if str(facts.get("employer") or "").startswith(CENTRAL):
            employer = next((employer for word, employer in _CENTRAL_LEVEL if word in text), None)
            if employer:
                new["employer"] = employer
        elif tier := bare_central_tier(text):
            facts[READ_AS], new["employer"] = tier
    if "is_high_skill" not in new and _HIGH_SKILL.search(text):
        new["is_high_skill"] = True
    if asking == "expert_recommenders" and "expert_recommenders" not in new:
        for pattern, n in _EXPERTS:
            if pattern.search(text):
                new["expert_recommenders"] = n
                break
    if asking and answer is not None and asking not in new and asking not in QUESTIONS:
        new[asking] = answer
    if new.get("employer") and new["employer"] != facts.get("employer") and "is_civil_servant" not in new:
        facts.pop("is_civil_servant", None)  # "公务员能评吗" → "那事业单位的工作人员呢": another kind of post
    named = named_association(text)
    if named and named != facts.get("association"):
        # "我在中国汽车工业协会上班": whether it is on the imported 附件3 list is the glue's lookup
        new["association"], new["association_listed"] = named, None
    facts.update(new)
    if skip and asking:
        facts[SKIPPED] = sorted(set(facts.get(SKIPPED, [])) | {asking})
    elif new:
        # a fact the user states now is no longer skipped
        facts[SKIPPED] = [f for f in facts.get(SKIPPED, []) if f not in new]
    return facts


_TOPIC_WORDS = (("entrustment", re.compile(r"委托函")), ("deadline", re.compile(r"还能报|来得及|还能申报|还能提交")),
                ("institution", re.compile(r"哪个机构|哪家机构|评委会|找谁|找哪")),
                ("eligibility", re.compile(r"能报|能不能报|能评|能不能评|可以评|可不可以评|能申报|可以申报|可以报|能参加|能参评|"
                                            r"可以参评|有资格|够资格|够条件|符合条件吗|符合申报条件吗|有门路|有没有门路|"
                                            r"评得了|报得了|有没有机会评|有机会评|能接着评|还能评|还可以评|能继续评|能再评|"
                                            r"(能|可以|能不能|可不可以)(在|来)(北京|本市|京)(申报|报|评|参加|参评)")),
                # where to apply, when nothing above was named ("公司在丰台，报助理工程师找哪个区")
                ("institution", re.compile(r"哪个区|哪区|去哪|哪家|哪个评委会|在哪报|哪里报|哪儿报|向谁|"
                                            r"按[\u4e00-\u9fff]{0,8}区(报|评|申报)|区里(报|评|申报)")))


def topic_in(text: str) -> str | None:
    """The advisor a free sentence asks for, by its key words (when the classifier is unsure)."""
    return next((topic for topic, pattern in _TOPIC_WORDS if pattern.search(text)), None)


def understood(before: dict[str, Any], after: dict[str, Any]) -> bool:
    def state(facts: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in facts.items() if k != READ_AS and not k.startswith("_")}  # bookkeeping aside
    return state(before) != state(after)


def reading_note(facts: dict[str, Any]) -> str | None:
    """What the reply must say when a bare tier word was read as a central unit (see merge)."""
    word = facts.get(READ_AS)
    if not word:
        return None
    tier = "本级" if word.startswith("本级") else word + ("单位" if word.endswith("以下") else "")
    return say("advisor.read_as", word=word, tier=tier)


# What a 12333 agent assumes unless told otherwise, saying so in the answer: the notice's
# rules are written for applicants insured in Beijing (在京正常参保).
ASSUMED = {"insured_in_beijing": True}
ASSUMPTION_NOTES = Phrases({"insured_in_beijing": "advisor.assumed.insured_in_beijing"})


@dataclass(frozen=True)
class Turn:
    verdict: Verdict
    ask: str | None  # the fact to ask next, or None when the verdict is final for what we know
    assumed: tuple[str, ...] = ()  # facts taken from ASSUMED: the reply says so


def next_turn(facts: dict[str, Any], decide: Callable[[Facts], Verdict]) -> Turn:
    """Decide on the known facts (plus the stated assumptions); ask for the first missing fact
    the user has not skipped."""
    assumed = tuple(k for k in ASSUMED if facts.get(k) is None)
    verdict = decide(Facts.from_dict({**{k: ASSUMED[k] for k in assumed}, **{k: v for k, v in facts.items()
                                                                             if v is not None}}))
    skipped = set(facts.get(SKIPPED, []))
    ask = next((m for m in verdict.missing if m not in skipped), None)
    used = tuple(k for k in assumed if k in _fields_used(verdict))
    return Turn(verdict, ask, used)


def _fields_used(verdict: Verdict) -> set[str]:
    """Assumptions matter only where the notice conditions the verdict on them (五(二))."""
    return {"insured_in_beijing"} if any(c.startswith("五(二)") for c in verdict.clauses) else set()


# the yes/no facts in a few words (templates advisor.said.<fact>.yes / .no); None: not said
_YES_NO_FACTS = {"insured_in_beijing": (True, True), "has_work_permit": (True, True), "is_high_skill": (True, False),
                 "is_civil_servant": (True, True), "passed_exam": (True, True), "on_decoupled_list": (True, True)}


def summary(facts: dict[str, Any]) -> str:
    """The known facts in a few words: "外籍、非公有制经济组织、海淀区、有外国人来华工作许可证"."""
    words = [str(facts[k]) for k in ("identity", "employer", "freelance_field", "series", "level") if facts.get(k)]
    if facts.get("district"):
        words.append(str(facts["district"]))
    if facts.get("association"):
        words.append(str(facts["association"]))
    for key, (yes, no) in _YES_NO_FACTS.items():
        value = facts.get(key)
        if (value is True and yes) or (value is False and no):
            words.append(say(f"advisor.said.{key}.{'yes' if value else 'no'}"))
    return "、".join(words)
