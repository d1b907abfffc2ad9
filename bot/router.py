"""Where a message goes: one pure function of the NLU ranking, the retrieval scores, the text
and the conversation's context. No Rasa, no database: the action gathers the inputs, calls
`route`, and renders what it decides.

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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from bot.advisor import dialogue
from bot.misuse import _UNNOTICED, misuse
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
PLAUSIBLE = 0.35  # combined score (NLU confidence + retrieval, each 0..1) worth answering
CLEAR_LEAD = 1.8  # or a lower score this many times the runner-up's (the classifier leans one way)
FLOOR = 0.18  # below this nothing is answered
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


@dataclass(frozen=True)
class Candidate:
    faq_id: str
    score: float
    question: str
    clauses: tuple[str, ...] = ()
    dated: bool = False  # the entry's answer gives a date window (its schedule)


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
    last_faq: str | None = None  # the entry the reply before this message answered from, if any
    after_status: bool = False  # that reply was an application's status (last_faq: its stage's entry)
    before: str = ""  # the user's message before this one (typed, not a button), if any
    refused: bool = False  # the reply to it refused to help (misuse)


@dataclass(frozen=True)
class Route:
    kind: str  # advisor | faq | refuse | ack | weekday | clarify | noted | cannot_answer
    topic: str | None = None
    faq_id: str | None = None
    also: tuple[Candidate, ...] = ()
    reason: str = ""
    date: tuple[int, int] | None = None  # (month, day) for `weekday`
    # `faq`: the entry is only the nearest the notice comes to the question (a follow-up asking
    # beyond the answer just given): the reply says so and points to 12333
    beyond: bool = False


_WEEKDAY_Q = re.compile(r"(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?.{0,6}?(星期几|周几|礼拜几|是周|是星期|星期|周[一二三四五六日天]吗)")
_VAGUE = re.compile(r"职称|评审|申报|评职")
# what a message about titles in general says besides: "我想问一下评职称的事" is vague, "告诉我评审专家名单" is not
_FILLER = re.compile(r"我想|想|问问|问一下|问下|咨询|了解|一下|关于|有关|的|事情|事|情况|请问|你好|您好|我|那|方面")
_CJK_CHAR = re.compile(r"[\u4e00-\u9fff]")


# "那二级单位呢", "What about 初级?", "模板在哪": a message that leans on the one before
_LEANS = re.compile(r"^((ok|okay|好的?|嗯)[,，\s]+)?(那|那么|那如果|如果|要是|假如|假设|换成|换做|他|她|它|这|对方|and\b|so\b|then\b|what about|how about|"
                    r"what if)|呢\s*[?？]?$", re.I)  # "他说是人社局委托的": a pronoun points back too
_PUNCT = re.compile(r"[\s,，。.!！?？、;；:：~～]+")
TERSE = 8  # characters (punctuation aside): a question this short borrows the previous one's subject


_AGAIN = re.compile(r"还要|还需要|还得|还用|要再|需要再|也要|也需要")  # "我们单位还要再推荐一次吗"
# "要交哪些材料给他们", "过了这个时间还能推荐吗", "Who issues it?"
_POINTS_BACK = re.compile(r"他们|她们|它们|给他|给她|找他|找她|那边|这边|上面说的|刚才说的|你说的|这个|那个|这些|那些|"
                          r"\b(it|this|that|them|they)\b", re.I)


def elliptical(text: str) -> bool:
    """Whether a message is a follow-up that only makes sense with the question before it."""
    core = _PUNCT.sub("", text)
    return len(core) <= TERSE or bool(_LEANS.search(text.strip())) or len(core) <= 2 * TERSE and (
        bool(_AGAIN.search(core)) or bool(_POINTS_BACK.search(text)))


_SENTENCE_END = re.compile(r"[?？]+")


def questions_in(text: str) -> list[str]:
    """The question sentences of a message, in order ("…截止是哪天？单位推荐截止又是哪天？" is two)."""
    parts = [p.strip(" ,，。.!！") for p in _SENTENCE_END.split(text)]
    if len(parts) > 2:
        return [p for p in parts if len(p) >= 4 and is_question(p + "?")]
    # typed without question marks: "个人申报几号截至 单位审核又是几号截至" — pieces that each ask
    # about something of the domain
    pieces = [p for p in re.split(r"[\s,，;；]+", text.strip(" ?？。")) if p]
    asking = [p for p in pieces if len(p) >= 4 and is_question(p) and has_subject(p)]
    return asking if len(asking) >= 2 and len(asking) == len(pieces) else []


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


SURE_ALONE = 0.7  # the classifier's confidence that leads even when retrieval finds nothing of its entry


def supported(confidence: float, retrieval: float) -> bool:
    """Whether the classifier's sure entry may lead: confident enough on its own, or found by
    retrieval too (an entry that shares nothing with the question — not among retrieval's hits —
    was a wrong guess in every such case of the development sets: "单位写的推荐意见有啥用" is not
    about 委托函)."""
    return confidence >= SURE_ALONE or retrieval > 0.0


def plausible(ranked: Sequence[Candidate]) -> bool:
    """Whether the best candidate is worth answering: good enough, or clearly ahead."""
    best = ranked[0].score
    second = ranked[1].score if len(ranked) > 1 else 0.0
    return best >= PLAUSIBLE or best >= FLOOR and best >= CLEAR_LEAD * second


_WHEN = re.compile(r"哪天|几号|什么时候|啥时候|何时|截止|最晚|最迟|期限|几月|日期|时间|来得及|赶得上|还能")


# clauses written for others than this person: a freelancer has no 参保单位 to recommend them
# (三(一)2 is the unit's review; 三(一)2第2段 the freelancers' way, by an association)
_NOT_FOR = {"自由职业": ("三(一)2",)}
NOT_FOR_WEIGHT = 0.5
NOT_FOR_CAP = 0.34  # under PLAUSIBLE: an entry for others leads only when nothing else is plausible
# and clauses written for this person: the freelancers' own way (一第3段, 三(一)2第2段)
_FOR = {"自由职业": ("一第3段", "三(一)2第2段")}
FOR_WEIGHT = 1.25


def for_this_person(candidates: Sequence[Candidate], facts: Mapping[str, Any]) -> list[Candidate]:
    """The candidates, with those resting only on clauses written for others weighed down, and those
    written for this person weighed up."""
    employer = str(facts.get("employer") or "")
    other, own = _NOT_FOR.get(employer, ()), _FOR.get(employer, ())
    return [replace(c, score=min(c.score * NOT_FOR_WEIGHT, NOT_FOR_CAP)) if c.clauses and set(c.clauses) <= set(other)
            else replace(c, score=c.score * FOR_WEIGHT) if set(c.clauses) & set(own) else c
            for c in candidates]


def dated_follow_up(text: str, ctx: Context, ranked: Sequence[Candidate],
                    context: Sequence[Candidate]) -> Candidate | None:
    """"最晚哪天" / "现在还来得及吗" right after an entry: that entry's dates, or those of the dated
    entry resting on the same clause (补正 → 首次审核)."""
    if not ctx.last_faq or not _WHEN.search(text):
        return None
    last = next((c for c in (*context, *ranked) if c.faq_id == ctx.last_faq), None)
    if last is None or has_subject(text) and not names_own_step(text, last):
        return None  # "那单位推荐几号截止" after the application window asks about another step
    dated = last if last.dated else next((c for c in context if c.dated and set(c.clauses) & set(last.clauses)), None)
    return replace(dated, score=max(dated.score, PLAUSIBLE)) if dated is not None else None


# "what comes after X": the steps of the review procedure are the numbered paragraphs of 三(一), in
# the notice's own order (the action passes them with the entries resting on each)
PROCESS = "三(一)"
# the step a message says is done, by its words (the last one named before the cue counts)
_STEP_WORDS = (("三(一)1", r"个人网上申报|网上申报|个人申报|申报|报名|报上去|报完|提交|填报|上传"),
               ("三(一)2", r"单位审核|单位推荐|推荐|单位(审|盖章|同意)|公示无异议"),
               ("三(一)3", r"机构审核|首次审核|材料审核|审核|审查|补正"),
               ("三(一)4", r"缴费|交费|交钱|付费|付款|交完钱|评审费"),
               ("三(一)5", r"答辩|评审会|评委会评审|表决|评审(完|结束|过了|通过)"),
               ("三(一)6", r"公示"),
               ("三(一)7", r"证书"))
_NEXT = re.compile(r"下一步|下一个环节|下个环节|接下来|然后呢|然后\s*[?？]|然后\s*什么|然后(要|该|干|做|是)|之后呢|以后呢|后来呢|再往后|"
                   r"后面(呢|还有|要|该|是)|\bnext\b|happens\s*之后|"
                   r"(之后|以后|完了?|过了|好了|完成了?|结束了?)[，,\s]?(呢|还(要|有|得|需要)|要干|要做|该干|该做|干什么|干啥|做什么|"
                   r"怎么办|怎么弄|怎么走|是什么|是啥|走什么|进行什么|进入什么|到哪一步|什么环节|什么流程|等什么)")
_NOTIFIED = re.compile(r"(收到|接到|来了)[^，,。]{0,6}(短信|通知)|(短信|通知)[^，,。]{0,4}(收到|来了|到了)")
_DONE = re.compile(r"通过|完了|完成|结束|过了|之后|以后")
# words that name a part of another step too: the unit publicises and reviews within 三(一)2
_WITHIN = {"三(一)2": re.compile(r"公示|审核|审查")}
# English word order, through the glossary: "after the unit recommends, what then?" → "之后 the 单位 推荐, 然后?"
_AFTER = re.compile(r"(?:之后|以后)\s*(?:[a-z]+\s+){0,2}")


def names_own_step(text: str, entry: Candidate) -> bool:
    """Whether every step of the procedure `text` names is the one `entry` rests on ("过了这个时间
    还能推荐吗" after the unit's review names that review, 三(一)2)."""
    named = {step for step, words in _STEP_WORDS if re.search(words, text)}
    own = {step for step, _ in _STEP_WORDS if any(c == step or c.startswith(step + "第") for c in entry.clauses)}
    return bool(named) and named <= own


def asks_next(text: str) -> bool:
    """Whether a message asks what comes after something ("之后呢", "下一步")."""
    return bool(_NEXT.search(text))


def step_named(text: str, cue: re.Match[str] | None = None) -> str | None:
    """The step of the procedure a "what comes after" message says is done: the last one named
    before the cue ("审核通过以后呢" → 三(一)3), or None."""
    cue = cue or _NEXT.search(text)
    if not cue:
        return None
    before = text[:cue.start()] or text
    best, at = None, -1
    for step, words in _STEP_WORDS:
        for m in re.finditer(words, before):
            if m.start() > at or m.start() == at and best is None:
                best, at = step, m.start()
    if best is None or re.match(r"\W*(?:and|so|then)?\W*(?:之后|以后)", before):
        after = _AFTER.search(text)  # "之后 the 单位 推荐": the step comes after the word
        named = after and next((step for step, words in _STEP_WORDS if re.match(words, text[after.end():])), None)
        best = named or best
    return best


def _leading(candidate: Candidate) -> Candidate:
    return replace(candidate, score=max(candidate.score, PLAUSIBLE))


def next_step(text: str, ctx: Context, steps: Sequence[tuple[str, Sequence[Candidate]]]) -> Candidate | None:
    """"推荐完之后呢", "submit 之后 next step 是什么", "然后呢" after the payment answer: the entry on the
    step that follows the one named, or the one the last answer was on. `steps`: the procedure's
    steps in order, each with the entries resting on it."""
    cue = _NEXT.search(text)
    if not steps or not cue:
        return None
    asked = text[cue.end():]
    if any(re.search(words, asked) for _, words in _STEP_WORDS):
        return None  # "补正之后还要单位再推荐吗" asks about that step, not what comes next
    if re.search(r"[\u4e00-\u9fff]{3,}.*(吗|(?<![什怎这那多])么)[?？]?$", asked):
        return None  # "改完还得单位再推一遍吗": a yes/no question of its own, not "what comes next"
    order = [step for step, _ in steps]
    named = done = step_named(text, cue)
    last = next((step for step, entries in steps if any(c.faq_id == ctx.last_faq for c in entries)), None) \
        if ctx.last_faq else None
    if done is None and not has_subject(text):
        done = last
    elif last in _WITHIN and done != last and _WITHIN[last].search(text[:cue.start()]):
        return None  # "公示完了呢" after the unit's review: its own publicity, still within that step
    if done not in order or order.index(done) + 1 >= len(order):
        return None
    notified = _NOTIFIED.search(text) and not _DONE.search(text) or named is None and done == last and \
        bool(_NOTIFIED.search(ctx.before)) and not _DONE.search(ctx.before)  # "收到答辩短信了" → "接下来呢"
    if notified:
        # "答辩 收到短信了 然后干嘛": the notice of a step came, the step itself is still ahead
        own = step_entry(done, steps, ctx.facts)
        return _leading(own) if own is not None else None
    if ctx.after_status and done == last and named is None:
        # "那我下一步该干啥" after "待缴费": what to do at the stage the application is in
        return next((_leading(c) for _, entries in steps for c in entries if c.faq_id == ctx.last_faq), None)
    best = step_entry(order[order.index(done) + 1], steps, ctx.facts)
    return _leading(best) if best is not None else None


def step_entry(step: str, steps: Sequence[tuple[str, Sequence[Candidate]]],
               facts: Mapping[str, Any] | None = None) -> Candidate | None:
    """The entry that tells about `step`: the one on the step itself (dated first: it tells when),
    before a paragraph of it written for others than this person."""
    entries = for_this_person(dict(steps).get(step, ()), facts or {})
    return max(entries, key=lambda c: (c.score, c.dated, -entries.index(c))) if entries else None


def read_along(ctx: Context, ranked: Sequence[Candidate], context: Sequence[Candidate]) -> list[Candidate]:
    """A terse follow-up's candidates: its own score, plus half of how well each entry fits the
    questions before it, with a lean towards the entry answered just before ("公示几天" after the
    unit's review, "在哪交" after payment)."""
    now = {c.faq_id: c for c in ranked}
    before = {c.faq_id: c for c in context}
    scored = []
    for faq_id in now.keys() | before.keys():
        base = now.get(faq_id) or before[faq_id]
        # the lean: the entry just answered, else the advisor topic at hand ("谁开？" after 委托函)
        close = faq_id == ctx.last_faq or not ctx.last_faq and ctx.topic and topic_of_clauses(base.clauses) == ctx.topic
        lean = (before[faq_id].score if faq_id in before else 0.0) + (CONTINUITY if close else 0.0)
        scored.append(replace(base, score=(now[faq_id].score if faq_id in now else 0.0) + CONTEXT_WEIGHT * lean))
    return sorted(scored, key=lambda c: c.score, reverse=True)


_LATIN_WORD = re.compile(r"[a-z][a-z'-]*", re.I)
_CODE = re.compile(r"[{}$<>\\|`=]|://|\.\./|www\.|\.(com|cn|org|net)\b", re.I)
_CODE_PART = re.compile(r"\S*([{}$<>\\|`=/]|://)\S*")  # a whitespace-separated token with code in it
ENGLISH = 0.5  # share of a message's words left in English (after the glossary) above which it is English


def mostly_english(text: str) -> bool:
    """Whether a message is mostly English words the glossary left as they were: the classifier,
    trained on Chinese, reads those as out of scope; retrieval reads what was translated."""
    if _CODE.search(text):
        return False  # markup, code or an address is not a question in English
    latin, cjk = len(_LATIN_WORD.findall(text)), len(_CJK_CHAR.findall(text))
    # some words translated: it speaks of the domain
    return latin > 0 and cjk >= 2 and latin / (latin + cjk / 2) > ENGLISH


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
    weekday = _WEEKDAY_Q.search(text)
    if weekday and 1 <= int(weekday.group(1)) <= 12 and 1 <= int(weekday.group(2)) <= 31:
        return Route("weekday", date=(int(weekday.group(1)), int(weekday.group(2))), reason="weekday of a date")
    if ctx.intent in ("affirm", "deny") and not ctx.asking and ctx.topic and ctx.facts.get(dialogue.ASSUMED_KEY) \
            and not is_question(text):
        return Route("advisor", topic=ctx.topic, reason="confirms what the verdict assumed")
    if not ctx.unsure and (ctx.intent == "stop" and not is_question(text)
                           or ctx.intent in ("affirm", "deny") and not ctx.asking) \
            and not has_subject(text) and not _WHEN.search(text):  # "公示完了呢", "上传时间" ask something
        return Route("ack", reason=ctx.intent or "")
    if _CODE.search(text) and not _CJK_CHAR.search(text) and not _LATIN_WORD.search(_CODE_PART.sub(" ", text)):
        return Route("cannot_answer", reason="code, no question")  # "${jndi:ldap://…}", "../../etc/passwd"
    after = next_step(text, ctx, steps)
    if after is not None:
        return Route("faq", faq_id=after.faq_id, topic=topic_of_clauses(after.clauses), reason="the next step")
    # the person's facts, this message's own included ("我是自由职业的…，谁给我推荐")
    facts = dialogue.merge(dict(ctx.facts), text, asking=ctx.asking, answer=None)
    ranked = sorted(for_this_person(candidates, facts), key=lambda c: c.score, reverse=True)
    followups = for_this_person(followups, facts)
    following = bool(followups) and elliptical(text)
    if following and ctx.after_status and ctx.last_faq and not has_subject(text):
        # "为啥会这样" / "那怎么办" right after an application's status: about that stage
        return Route("faq", faq_id=ctx.last_faq, reason="about the status just given")
    if following:
        dated = dated_follow_up(text, ctx, ranked, followups)
        if dated is not None:  # the dates of what was just answered, before any advisor
            return Route("faq", faq_id=dated.faq_id, topic=topic_of_clauses(dated.clauses),
                         reason="dates of the last answer")
        ranked = read_along(ctx, ranked, followups)
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
    if len(text) <= 14 and _VAGUE.search(text) and not is_question(text.replace("问", "")) \
            and len(_CJK_CHAR.findall(_FILLER.sub("", _VAGUE.sub("", text)))) <= 2:
        return Route("clarify", reason="about titles in general")  # "我想问一下评职称的事"
    if ranked and ctx.last_faq and not ctx.after_status and ranked[0].faq_id == ctx.last_faq \
            and ranked[0].score >= FLOOR and is_question(text):
        # "单位要纸质版怎么办" after the certificate's answer: the notice says no more than that answer
        # (its nearest entry is still the one just given): say so, give it again, point to 12333
        return Route("faq", faq_id=ctx.last_faq, topic=topic_of_clauses(ranked[0].clauses), beyond=True,
                     reason="beyond the last answer")
    return Route("cannot_answer", also=tuple(c for c in ranked[:MAX_ALSO] if c.score >= ALSO),
                 reason="nothing plausible")
