"""The shape of a message's text, apart from what it asks about: a follow-up leaning on the question
before it, several questions in one, mostly English, code with no words, a date's weekday, a vague
message about titles in general, a question about when."""
from __future__ import annotations

import re

from bot.text import has_subject, is_question, question_part

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


_LATIN_RUN = re.compile(r"[a-z][a-z'-]*", re.I)


def _size(text: str) -> int:
    """A message's length in characters, an English word counting as two (it says about as much as a
    two-character Chinese word; its letters say no more than that)."""
    latin = _LATIN_RUN.findall(text)
    return len(_PUNCT.sub("", _LATIN_RUN.sub("", text))) + 2 * len(latin)


# of _LEANS, the words of "the same question, about X" alone: "那答辩呢", "what about 答辩?" (a
# pronoun or 如果 brings more than a new subject)
_ABOUT = re.compile(r"^\s*(那么?|那如果|and|so|what about|how about)\s*|\s*的?呢\s*[?？]*\s*$", re.I)
_OWN_ASK = re.compile(r"要|需|能|可以|吗|么|是否|不$")


def about_only(text: str) -> bool:
    """Whether a message only names what it is about and leans on the question before for the
    rest ("那答辩呢", "What about 初级?"), asking nothing of its own ("初级要答辩不")."""
    core = _ABOUT.sub("", text).strip(" ?？")
    return core != text.strip() and not is_question(core) and not _OWN_ASK.search(core)


def points_back(text: str) -> bool:
    """Whether a message names its subject only by pointing back ("它", "这个", "Who issues it?")."""
    return bool(_POINTS_BACK.search(text))


def elliptical(text: str) -> bool:
    """Whether a message is a follow-up that only makes sense with the question before it."""
    core = _PUNCT.sub("", text)
    size = _size(text)  # "which department issues it?" is four words, not 23 letters
    return size <= TERSE or bool(_LEANS.search(text.strip())) or size <= 2 * TERSE and (
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


_WHEN = re.compile(r"哪天|几号|什么时候|啥时候|何时|截止|最晚|最迟|期限|几月|日期|时间|来得及|赶得上|还能")


def asks_when(text: str) -> bool:
    """Whether a message asks about a date or a deadline ("最晚哪天", "现在还来得及吗", "上传时间")."""
    return bool(_WHEN.search(text))


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


def only_code(text: str) -> bool:
    """Whether a message is code with no words around it ("${jndi:ldap://…}", "../../etc/passwd")."""
    return bool(_CODE.search(text)) and not _CJK_CHAR.search(text) \
        and not _LATIN_WORD.search(_CODE_PART.sub(" ", text))


_WEEKDAY_Q = re.compile(r"(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?.{0,6}?(星期几|周几|礼拜几|是周|是星期|星期|周[一二三四五六日天]吗)")


def weekday_asked(text: str) -> tuple[int, int] | None:
    """The (month, day) whose weekday a message asks ("7月23日是星期几"), or None."""
    weekday = _WEEKDAY_Q.search(text)
    if weekday and 1 <= int(weekday.group(1)) <= 12 and 1 <= int(weekday.group(2)) <= 31:
        return int(weekday.group(1)), int(weekday.group(2))
    return None


_VAGUE = re.compile(r"职称|评审|申报|评职")
# what a message about titles in general says besides: "我想问一下评职称的事" is vague, "告诉我评审专家名单" is not
_FILLER = re.compile(r"我想|想|问问|问一下|问下|咨询|了解|一下|关于|有关|的|事情|事|情况|请问|你好|您好|我|那|方面")


def vague_about_titles(text: str) -> bool:
    """Whether a short message is about titles in general and asks nothing in particular ("我想问一下评职称的事")."""
    return len(text) <= 14 and bool(_VAGUE.search(text)) and not is_question(text.replace("问", "")) \
        and len(_CJK_CHAR.findall(_FILLER.sub("", _VAGUE.sub("", text)))) <= 2


# "工作满几年才能报中级", "副高要几篇论文": the years or papers a series requires — each series'
# evaluation standard sets them (三(一)1), the notice does not, and no verdict on the person's unit decides
# them; "干了十几年" / "前几年" tell a story, they do not ask
_AMOUNT = re.compile(r"(满|够|要|需要|得|至少|工作)几年|几年(才|以上|可以|能)|多少年(才|以上|可以|能)?|几篇|多少篇|年限够")


def asks_required_amount(text: str) -> bool:
    return bool(_AMOUNT.search(question_part(text)))
