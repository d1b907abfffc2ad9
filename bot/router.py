"""Where a message goes: one pure function of the NLU ranking, the retrieval scores, the text
and the conversation's context. No Rasa, no database: the action gathers the inputs, calls
`route`, and renders what it decides.

Destinations:
- `advisor`: a verdict for this person (eligibility, entrustment, institution, deadline), when
  the message asks for one, answers the advisor's open question, or states facts that continue
  the conversation's topic ("央企本级" after the 委托函 answer, "单位在亦庄" after 找哪个区);
- `faq`: the best plausible knowledge-base entry, with runners-up as "您可能还想问";
- `refuse`: a request to fake or cheat (the integrity rules of 四(一) are the answer);
- `ack`: 好的 / 算了 / a yes or no with nothing open;
- `cannot_answer`: nothing in the knowledge base covers it (honest, with 12333).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from bot.advisor import dialogue
from bot.text import is_question

TOPIC_OF_INTENT = {"ask_eligibility": "eligibility", "ask_entrustment": "entrustment",
                   "ask_institution": "institution", "ask_deadline": "deadline"}
# the advisor topic an FAQ answer opens, by the clause it rests on: a terse follow-up with facts
# ("二级单位", "在亦庄") continues that topic
_TOPIC_OF_CLAUSE = (("五(二)", "entrustment"), ("五(一)", "institution"), ("二", "institution"),
                    ("三(一)1", "deadline"), ("一", "eligibility"),
                    # who may apply, by series, exam and 破格: the eligibility advisor decides these too
                    ("三(二)", "eligibility"), ("三(三)", "eligibility"), ("五(五)", "eligibility"),
                    ("五(六)", "eligibility"))
PLAUSIBLE = 0.35  # combined score (NLU confidence + retrieval, each 0..1) worth answering
CLEAR_LEAD = 1.8  # or a lower score this many times the runner-up's (the classifier leans one way)
FLOOR = 0.18  # below this nothing is answered
ALSO = 0.25  # a runner-up worth listing under the answer
STRONG_OUT_OF_SCOPE = 0.6  # the classifier's out_of_scope confidence that retrieval must beat
MAX_ALSO = 3
_MISUSE = re.compile(r"造假|作假|伪造|弄虚作假|假的?[\u4e00-\u9fff]{0,4}?(学历|学位|证书|证明|材料|论文|业绩|社保)|假证|办个?证|买(个)?证|代写|代做|"
                     r"改一?下?(学历|证书|日期)|P图|ps一?下|fake|forge|绕过(审核|验证)|走后门|托关系")
# asking for help to do it, not about its consequences
_ASKS_HELP = re.compile(r"帮我|帮忙|给我|教我|教教|怎么|怎样|如何|能不能|可不可以|可以帮|有没有办法|有办法|做个|做一|办个|弄个|"
                        r"开个|搞个|代我|替我|开发者模式|忽略|how to|help me", re.I)
_CONSEQUENCE = re.compile(r"会怎样|会怎么|怎么处理|如何处理|怎么处罚|处罚|追责|追究|查处|后果|责任|被发现|处分|取消")


@dataclass(frozen=True)
class Candidate:
    faq_id: str
    score: float
    question: str
    clauses: tuple[str, ...] = ()


@dataclass(frozen=True)
class Context:
    intent: str | None  # the classifier's best intent (its best guess when it was unsure)
    unsure: bool = False  # the classifier's top was nlu_fallback
    intent_confidence: float = 0.0
    out_of_scope: float = 0.0  # the classifier's confidence that the message is out of scope
    asking: str | None = None  # the advisor's open question
    topic: str | None = None  # the conversation's last topic (advisor's, or the last FAQ answer's)
    facts: Mapping[str, Any] = field(default_factory=dict)
    # advisor topics that could give a final verdict on the known facts plus this message's,
    # without asking anything more (the action works it out with the decision functions)
    decidable: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Route:
    kind: str  # advisor | faq | refuse | ack | weekday | clarify | cannot_answer
    topic: str | None = None
    faq_id: str | None = None
    also: tuple[Candidate, ...] = ()
    reason: str = ""
    date: tuple[int, int] | None = None  # (month, day) for `weekday`


_WEEKDAY_Q = re.compile(r"(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?.{0,6}?(星期几|周几|礼拜几|是周|是星期|星期|周[一二三四五六日天]吗)")
_VAGUE = re.compile(r"职称|评审|申报|评职")


def topic_of_clauses(clauses: Sequence[str]) -> str | None:
    """The advisor topic an answer resting on these clauses belongs to."""
    for clause in clauses:
        for prefix, topic in _TOPIC_OF_CLAUSE:
            if clause == prefix or clause.startswith(prefix + "第"):
                return topic
    return None





def advisor_topic(text: str, ctx: Context, *, faq_fits: bool = False) -> str | None:
    """The advisor this message belongs to, or None. `faq_fits`: a knowledge-base entry would
    answer the question plausibly (then an advisor that could only ask questions gives way)."""
    from_intent = TOPIC_OF_INTENT.get(ctx.intent or "")
    facts = dialogue.merge(dict(ctx.facts), text, asking=ctx.asking, answer=None)
    states_facts = dialogue.understood(dict(ctx.facts), facts)
    own_facts = dialogue.understood({}, dialogue.merge({}, text, asking=None, answer=None))
    named = dialogue.topic_in(text)
    if ctx.asking and states_facts:
        return ctx.topic or named or from_intent
    if from_intent and (not ctx.unsure or named == from_intent):
        return from_intent
    # a question with the user's own facts gets their verdict when the facts suffice for one;
    # otherwise a sure FAQ answer serves better than a string of questions
    sure_faq = bool(ctx.intent and ctx.intent.startswith("faq_") and not ctx.unsure)
    if named and own_facts and (named in ctx.decidable or not (sure_faq or faq_fits)):
        return named
    if ctx.topic and states_facts and (ctx.intent in ("inform", None) or ctx.unsure or not is_question(text)):
        return ctx.topic  # "央企本级" / "单位在亦庄" continue the topic at hand
    if ctx.intent == "inform" and own_facts:
        return ctx.topic or named or "eligibility"
    return None


def plausible(ranked: Sequence[Candidate]) -> bool:
    """Whether the best candidate is worth answering: good enough, or clearly ahead."""
    best = ranked[0].score
    second = ranked[1].score if len(ranked) > 1 else 0.0
    return best >= PLAUSIBLE or best >= FLOOR and best >= CLEAR_LEAD * second


def route(text: str, ctx: Context, candidates: Sequence[Candidate]) -> Route:
    """Where `text` goes. `candidates` are FAQ entries scored by NLU confidence plus retrieval."""
    if _MISUSE.search(text) and _ASKS_HELP.search(text) and not _CONSEQUENCE.search(text):
        return Route("refuse", reason="asks to fake or cheat")
    weekday = _WEEKDAY_Q.search(text)
    if weekday and 1 <= int(weekday.group(1)) <= 12 and 1 <= int(weekday.group(2)) <= 31:
        return Route("weekday", date=(int(weekday.group(1)), int(weekday.group(2))), reason="weekday of a date")
    if not ctx.unsure and (ctx.intent == "stop" or ctx.intent in ("affirm", "deny") and not ctx.asking):
        return Route("ack", reason=ctx.intent or "")
    ranked = sorted(candidates, key=lambda c: c.score, reverse=True)
    topic = advisor_topic(text, ctx, faq_fits=bool(ranked) and plausible(ranked))
    if topic:
        return Route("advisor", topic=topic, reason="advisor")
    if ctx.asking and (ctx.intent in ("affirm", "deny", "skip") or not is_question(text)):
        # an answer to the open question, understood or not: the advisor asks again or offers a way out
        return Route("advisor", topic=ctx.topic, reason="answers the open question")
    if ctx.unsure and ctx.intent == "stop":
        return Route("ack", reason="stop")
    if ctx.intent == "out_of_scope" and ctx.intent_confidence >= STRONG_OUT_OF_SCOPE \
            and not (ranked and ranked[0].score >= 0.9):
        return Route("cannot_answer", reason="out of scope")
    if ranked and plausible(ranked) and ranked[0].score > ctx.out_of_scope:
        best = ranked[0]
        also = tuple(c for c in ranked[1:MAX_ALSO + 1] if c.score >= ALSO and c.question != best.question)
        return Route("faq", faq_id=best.faq_id, topic=topic_of_clauses(best.clauses), also=also,
                     reason=f"best {best.score:.2f}")
    if len(text) <= 14 and _VAGUE.search(text) and not is_question(text.replace("问", "")):
        return Route("clarify", reason="about titles in general")  # "我想问一下评职称的事"
    return Route("cannot_answer", also=tuple(c for c in ranked[:MAX_ALSO] if c.score >= ALSO),
                 reason="nothing plausible")
