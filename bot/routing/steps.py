"""The review procedure's steps in a message: which step it names, whether it asks what comes next,
and the entry on the step that follows. The steps are the numbered paragraphs of 三(一), in the
notice's own order (the action passes them with the entries resting on each)."""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from bot.routing.inputs import Candidate, Context
from bot.routing.scores import for_this_person, leading
from bot.text import has_subject

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


def step_of(clause: str) -> str:
    """The step a clause belongs to: "三(一)5第2段" is a paragraph of step 三(一)5."""
    return clause.split("第")[0]


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
        return leading(own) if own is not None else None
    if ctx.after_status and done == last and named is None:
        # "那我下一步该干啥" after "待缴费": what to do at the stage the application is in
        return next((leading(c) for _, entries in steps for c in entries if c.faq_id == ctx.last_faq), None)
    best = step_entry(order[order.index(done) + 1], steps, ctx.facts)
    return leading(best) if best is not None else None


def step_entry(step: str, steps: Sequence[tuple[str, Sequence[Candidate]]],
               facts: Mapping[str, Any] | None = None) -> Candidate | None:
    """The entry that tells about `step`: the one on the step itself (dated first: it tells when),
    before a paragraph of it written for others than this person."""
    entries = for_this_person(dict(steps).get(step, ()), facts or {})
    return max(entries, key=lambda c: (c.score, c.dated, -entries.index(c))) if entries else None
