"""Where a message goes: one pure function of the NLU ranking, the retrieval scores, the text
and the conversation's context. No Rasa, no database: the action gathers the inputs, calls
`route`, and renders what it decides. What it reads is in bot.routing: its inputs and output
(`inputs`), the weighing of candidates (`scores`), the procedure's steps (`steps`) and the text's
shape (`shape`).

Destinations:
- `advisor`: a verdict for this person (eligibility, entrustment, institution, deadline), when
  the message asks for one, answers the advisor's open question, or states facts that continue
  the conversation's topic ("央企本级" after the 委托函 answer, "单位在亦庄" after 找哪个区);
- `faq`: the best plausible knowledge-base entry, with runners-up as "您可能还想问";
- `refuse`: a request to fake or cheat (the integrity rules of 四(一) are the answer; bot.misuse
  recognises it);
- `ack`: 好的 / 算了 / a yes or no with nothing open;
- `cannot_answer`: nothing in the knowledge base covers it (honest, with 12333).
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from bot.advisor import dialogue
from bot.misuse import _UNNOTICED, misuse
from bot.routing.inputs import Candidate, Context, Route
from bot.routing.scores import FLOOR, for_this_person, leading, plausible
from bot.routing.shape import (
    about_only,
    asks_required_amount,
    asks_when,
    elliptical,
    mostly_english,
    only_code,
    points_back,
    vague_about_titles,
    weekday_asked,
)
from bot.routing.steps import names_own_step, next_step, step_of
from bot.text import has_subject, is_question

TOPIC_OF_INTENT = {"ask_eligibility": "eligibility", "ask_entrustment": "entrustment",
                   "ask_institution": "institution", "ask_deadline": "deadline"}
# the advisor topic an FAQ answer opens, by the clause it rests on: a terse follow-up with facts
# ("二级单位", "在亦庄") continues that topic
_TOPIC_OF_CLAUSE = (("五(二)", "entrustment"), ("五(一)", "institution"), ("二", "institution"),
                    ("三(一)1", "deadline"), ("一", "eligibility"),
                    # who may apply, by series, exam and 破格: the eligibility advisor decides these too
                    ("三(二)", "eligibility"), ("三(三)", "eligibility"), ("五(五)", "eligibility"),
                    ("五(六)", "eligibility"))
ALSO = 0.25  # a runner-up worth listing under the answer
SURE = 0.9  # a combined score that answers a statement too ("公示期几天" typed without a question mark)
STRONG_OUT_OF_SCOPE = 0.6  # the classifier's out_of_scope confidence that retrieval must beat
MAX_ALSO = 3
PERSONAL_TOPICS = ("entrustment", "institution")  # topics whose answer depends on the person's own facts
CONTINUITY = 0.2  # a terse follow-up's lean towards the entry answered just before
CONTEXT_WEIGHT = 0.5  # how much the questions before a terse follow-up count against its own words
# "反正单位也不细查", "评委也认不出来": counting on lax checks, said after a refused request
_LAX = re.compile(r"(也|反正|根本|压根|又)[\u4e00-\u9fff]{0,3}(不(细|仔细|认真)?查|认不出|看不出|发现不了|不会发现)")
_OWN_TURN = ("affirm", "deny", "stop", "thank", "greet", "goodbye")


def pressing(text: str, ctx: Context) -> str | None:
    """After a refusal, a message that presses on with the same request ("写详细点", "反正评委也
    查不出来") is that request again: the kind of misuse of both read together, or None."""
    if not ctx.refused or not ctx.before or ctx.intent in _OWN_TURN:
        return None
    if _UNNOTICED.search(text) or _LAX.search(text) or elliptical(text) and not has_subject(text) \
            and not is_question(text):  # "那我这次能保证通过吗" is a question of its own
        return misuse(f"{ctx.before}，{text}")
    return None


def topic_of_clauses(clauses: Sequence[str]) -> str | None:
    """The advisor topic an answer resting on these clauses belongs to."""
    for clause in clauses:
        for prefix, topic in _TOPIC_OF_CLAUSE:
            if clause == prefix or clause.startswith(prefix + "第"):
                return topic
    return None


def advisor_topic(text: str, ctx: Context, best: Candidate | None = None) -> str | None:
    """The advisor this message belongs to, or None. `best`: the knowledge-base entry that would
    answer the question plausibly, if any (an advisor that could only ask questions gives way)."""
    if asks_required_amount(text) and not ctx.asking:
        return None  # the series' own conditions, not a verdict the person's facts decide
    from_intent = TOPIC_OF_INTENT.get(ctx.intent or "")
    facts = dialogue.merge(dict(ctx.facts), text, asking=ctx.asking, answer=None)
    states_facts = dialogue.understood(dict(ctx.facts), facts)
    own_facts = dialogue.understood({}, dialogue.merge({}, text, asking=None, answer=None))
    named = dialogue.topic_in(text)
    faq_topic = topic_of_clauses(best.clauses) if best else None
    if ctx.asking and states_facts:
        return ctx.topic or named or from_intent
    if ctx.asking and ctx.topic and named == ctx.topic:
        return ctx.topic  # "可以申报职称吗" again while the interview asks: the interview goes on
    # the question carries the person's facts and the entry it asks about is one the advisor can
    # decide on them: the verdict for this person ("丰台 助理工程师 受理"). Eligibility entries
    # answer a category ("公务员能评吗") as the verdict would, in the staff's own words: they stay
    if own_facts and faq_topic in PERSONAL_TOPICS and faq_topic in ctx.decidable:
        return faq_topic
    if from_intent and (not ctx.unsure or named == from_intent):
        # "我是香港人，在民企上班，能评吗": facts that settle nothing yet, and an entry on exactly this
        # question — its answer serves better than a string of questions
        if own_facts and faq_topic == from_intent and from_intent not in ctx.decidable:
            return None
        return from_intent
    # a question with the user's own facts gets their verdict when the facts suffice for one;
    # otherwise a sure FAQ answer serves better than a string of questions
    sure_faq = bool(ctx.intent and ctx.intent.startswith("faq_") and not ctx.unsure)
    # (an entry the classifier's out-of-scope reading outweighs would not be answered; an entry on
    # another topic answers another question: "出版系列副编审是哪个评委会评的" is not about 三(二))
    if named and own_facts and (named in ctx.decidable or not (sure_faq or best and best.score > ctx.out_of_scope
                                                               and faq_topic in (None, named))):
        return named
    if named and named == ctx.topic and named in ctx.decidable and is_question(text) and not own_facts:
        return named  # "要去哪里申报？" after the institution's verdict: that verdict, on the facts known
    if ctx.topic and states_facts and named in (None, ctx.topic) \
            and (ctx.intent in ("inform", None) or ctx.unsure or not is_question(text)):
        return ctx.topic  # "央企本级" / "单位在亦庄" continue the topic at hand (unless it asks for another)
    if named and best is None and is_question(text) and dialogue.understood({}, dict(ctx.facts)):
        return named  # "在哪报" after "我在海淀 想评个初级 工程的": no entry answers it, the facts known do
    if ctx.intent == "inform" and own_facts:
        if not (ctx.topic or named or is_question(text)):
            return None  # "我们公司在亦庄": facts before any question are noted, not an interview
        topic = ctx.topic or named or "eligibility"
        if best and topic not in ctx.decidable and (ctx.last_faq or is_question(text)):
            return None  # facts that settle nothing yet, and an entry that answers the question
        return topic
    return None


def dated_follow_up(text: str, ctx: Context, ranked: Sequence[Candidate],
                    context: Sequence[Candidate]) -> Candidate | None:
    """"最晚哪天" / "现在还来得及吗" right after an entry: that entry's dates, or those of the dated
    entry resting on the same clause (补正 → 首次审核)."""
    if not ctx.last_faq or not asks_when(text):
        return None
    last = next((c for c in (*context, *ranked) if c.faq_id == ctx.last_faq), None)
    if last is None or has_subject(text) and not names_own_step(text, last):
        return None  # "那单位推荐几号截止" after the application window asks about another step
    dated = last if last.dated else next((c for c in context if c.dated and set(c.clauses) & set(last.clauses)), None)
    return leading(dated) if dated is not None else None


def when_carried(text: str, ctx: Context, ranked: Sequence[Candidate]) -> Candidate | None:
    """"答辩呢" after "评审机构审核到什么时候": the same question about another step — its dates: the
    dated entry on the step of the follow-up's best entry (答辩要不要 → 答辩的时间)."""
    if not ranked or not ctx.before or not asks_when(ctx.before) or asks_when(text) or not has_subject(text):
        return None
    if not about_only(text):
        return None  # "初级要答辩不" asks a question of its own
    steps = {step_of(c) for c in ranked[0].clauses}
    return next((leading(c) for c in ranked if c.dated and steps & {step_of(x) for x in c.clauses}), None)


def read_along(ctx: Context, ranked: Sequence[Candidate], context: Sequence[Candidate],
               pointing: bool = False) -> list[Candidate]:
    """A terse follow-up's candidates: its own score, plus half of how well each entry fits the
    questions before it, with a lean towards the entry answered just before ("公示几天" after the
    unit's review, "在哪交" after payment). `pointing`: the message names its subject only by a
    pronoun ("Who issues it?"): the questions before say what it is about as much as its own words."""
    weight = 1.0 if pointing else CONTEXT_WEIGHT
    now = {c.faq_id: c for c in ranked}
    before = {c.faq_id: c for c in context}
    scored = []
    for faq_id in now.keys() | before.keys():
        base = now.get(faq_id) or before[faq_id]
        # the lean: the entry just answered, else the advisor topic at hand ("谁开？" after 委托函)
        close = faq_id == ctx.last_faq or not ctx.last_faq and ctx.topic and topic_of_clauses(base.clauses) == ctx.topic
        lean = (before[faq_id].score if faq_id in before else 0.0) + (CONTINUITY if close else 0.0)
        scored.append(replace(base, score=(now[faq_id].score if faq_id in now else 0.0) + weight * lean))
    return sorted(scored, key=lambda c: c.score, reverse=True)


def route(text: str, ctx: Context, candidates: Sequence[Candidate],
          followups: Sequence[Candidate] = (), steps: Sequence[tuple[str, Sequence[Candidate]]] = ()) -> Route:
    """Where `text` goes. `candidates` are FAQ entries scored by NLU confidence plus retrieval;
    `followups` the same for this message read together with the previous question (a terse
    follow-up like "那中级呢" or "在哪交" is answered in that light)."""
    abuse = misuse(text) or pressing(text, ctx)
    if abuse:
        return Route("refuse", reason=abuse)
    if mostly_english(text) and ctx.intent == "out_of_scope":
        ctx = replace(ctx, unsure=True, intent_confidence=ctx.intent_confidence / 2, out_of_scope=ctx.out_of_scope / 2)
    date = weekday_asked(text)
    if date is not None:
        return Route("weekday", date=date, reason="weekday of a date")
    if ctx.intent in ("affirm", "deny") and not ctx.asking and ctx.topic and ctx.facts.get(dialogue.ASSUMED_KEY) \
            and not is_question(text):
        return Route("advisor", topic=ctx.topic, reason="confirms what the verdict assumed")
    if not ctx.unsure and (ctx.intent == "stop" and not is_question(text)
                           or ctx.intent in ("affirm", "deny") and not ctx.asking) \
            and not has_subject(text) and not asks_when(text):  # "公示完了呢", "上传时间" ask something
        return Route("ack", reason=ctx.intent or "")
    if only_code(text):
        return Route("cannot_answer", reason="code, no question")  # "${jndi:ldap://…}", "../../etc/passwd"
    after = next_step(text, ctx, steps)
    if after is not None:
        return Route("faq", faq_id=after.faq_id, topic=topic_of_clauses(after.clauses), reason="the next step")
    # the person's facts, this message's own included ("我是自由职业的…，谁给我推荐")
    facts = dialogue.merge(dict(ctx.facts), text, asking=ctx.asking, answer=None)
    ranked = sorted(for_this_person(candidates, facts, ctx.position_series), key=lambda c: c.score, reverse=True)
    followups = for_this_person(followups, facts, ctx.position_series)
    following = bool(followups) and elliptical(text)
    if following and ctx.after_status and ctx.last_faq and not has_subject(text):
        # "为啥会这样" / "那怎么办" right after an application's status: about that stage
        return Route("faq", faq_id=ctx.last_faq, reason="about the status just given")
    if following:
        dated = dated_follow_up(text, ctx, ranked, followups)
        if dated is not None:  # the dates of what was just answered, before any advisor
            return Route("faq", faq_id=dated.faq_id, topic=topic_of_clauses(dated.clauses),
                         reason="dates of the last answer")
        carried = when_carried(text, ctx, ranked)
        if carried is not None:
            return Route("faq", faq_id=carried.faq_id, topic=topic_of_clauses(carried.clauses),
                         reason="asks when, as the question before")
        ranked = read_along(ctx, ranked, followups, pointing=points_back(text))
        following = bool(ranked) and ranked[0].score >= FLOOR
    fits = bool(ranked) and (following or plausible(ranked))
    topic = advisor_topic(text, ctx, ranked[0] if fits else None)
    if topic:
        return Route("advisor", topic=topic, reason="advisor")
    sure_faq = bool(ctx.intent and ctx.intent.startswith("faq_") and not ctx.unsure)
    if ctx.asking and (ctx.intent in ("affirm", "deny", "skip") or not is_question(text)) \
            and not (sure_faq and fits and has_subject(text)):
        # an answer to the open question, understood or not: the advisor asks again or offers a way out
        # (unless it is plainly about something else: "有个员工的材料被退回补正了")
        return Route("advisor", topic=ctx.topic, reason="answers the open question")
    if ctx.unsure and ctx.intent == "stop" and not is_question(text):
        return Route("ack", reason="stop")
    if not is_question(text) and not following and not (sure_faq and fits) and not (fits and ranked[0].score >= SURE) \
            and dialogue.understood({}, dialogue.merge({}, text, asking=None, answer=None)):
        # "I'm a foreigner with a work permit, at a 民企 in 海淀", "领导让我报个初级职称。": facts first,
        # the question to come (an entry that merely shares a word is no answer to a statement);
        # facts that settle who may apply ("现在是公务员了") get that verdict straight away
        if "eligibility" in ctx.decidable:
            return Route("advisor", topic="eligibility", reason="states facts that decide")
        return Route("noted", reason="states facts")
    if ctx.intent == "out_of_scope" and ctx.intent_confidence >= STRONG_OUT_OF_SCOPE \
            and not (ranked and (ranked[0].score >= 0.9 or fits and has_subject(text))):
        return Route("cannot_answer", reason="out of scope")
    if fits and ranked[0].score > ctx.out_of_scope:
        best = ranked[0]
        also = tuple(c for c in ranked[1:MAX_ALSO + 1] if c.score >= ALSO and c.question != best.question)
        return Route("faq", faq_id=best.faq_id, topic=topic_of_clauses(best.clauses), also=also,
                     reason=f"best {best.score:.2f}")
    if vague_about_titles(text):
        return Route("clarify", reason="about titles in general")  # "我想问一下评职称的事"
    if ranked and ctx.last_faq and not ctx.after_status and ranked[0].faq_id == ctx.last_faq \
            and ranked[0].score >= FLOOR and is_question(text):
        # "单位要纸质版怎么办" after the certificate's answer: the notice says no more than that answer
        # (its nearest entry is still the one just given): say so, give it again, point to 12333
        return Route("faq", faq_id=ctx.last_faq, topic=topic_of_clauses(ranked[0].clauses), beyond=True,
                     reason="beyond the last answer")
    return Route("cannot_answer", also=tuple(c for c in ranked[:MAX_ALSO] if c.score >= ALSO),
                 reason="nothing plausible")
