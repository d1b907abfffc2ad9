"""Render replies from knowledge-base records. Pure functions: data in, text out."""
from __future__ import annotations

import datetime as dt

from bot.calendar import as_of, stage_status
from bot.config import HOTLINE
from bot.kb.models import FaqEntry, ScheduleStage


def citation(notice_number: str, clause_ids: list[str]) -> str:
    return f"依据：{notice_number} {'、'.join(clause_ids)}"


def render_faq(entry: FaqEntry, *, notice_number: str, stage: ScheduleStage | None = None,
               today: dt.date | None = None) -> str:
    lines = [entry.answer]
    if stage is not None and today is not None:
        lines.append(as_of(today) + stage_status(stage, today).text)
    if not entry.verified:
        lines.append(f"注意：这条信息来自{entry.source}，尚未核实，请以官方附件为准或拨打{HOTLINE}确认。")
    lines.append(citation(notice_number, list(entry.clauses)))
    return "\n".join(lines)


NOT_ANSWERABLE = (f"抱歉，这个问题我没能找到通知里的依据，不想给您不准确的答案。"
                  f"请拨打{HOTLINE}，或联系附件1中的评审服务机构咨询。")

BAD_INPUT = {
    "empty": f"您好像没有输入内容。请直接输入您的问题，例如“申报截止到哪天？”。需要人工帮助请拨打{HOTLINE}。",
    "too_long": f"您的消息太长了，我一次只能处理较短的问题。请用一两句话描述您想问的事，例如“央企二级单位要开委托函吗？”。也可以拨打{HOTLINE}。",
    "markup": f"您的消息里有网页代码，我无法处理。请用文字直接输入问题，例如“初级职称要答辩吗？”。也可以拨打{HOTLINE}。",
    "no_text": f"抱歉，我没看懂这条消息。请用文字描述您的问题，例如“公务员能评职称吗？”。也可以拨打{HOTLINE}。",
}


OUT_OF_SCOPE = (f"抱歉，我只能回答北京市2024年度职称评价通知（京人社事业字〔2024〕96号）相关的问题，比如申报条件、时间、"
                f"委托函、评审机构、缴费答辩和证书。其他问题请拨打{HOTLINE}咨询。")
REFUSE = "这个忙我不能帮：伪造、篡改材料或弄虚作假都不行。按通知的规定，后果如下："
REFUSE_BRIBERY = "这个忙我不能帮：给评审专家或工作人员送钱送礼、托关系“打点”，都属于不正当手段。按通知的规定，后果如下："
REFUSE_ROLE = ("我不能扮演人社局、评审服务机构或评审专家，也不能出具批复、证明，或保证任何人的评审结果。按通知，评审委员会"
               "采取无记名投票方式表决，获得出席委员三分之二以上同意票的，才取得相应的专业技术资格；评审结果验收通过后公示。"
               f"有疑问请拨打{HOTLINE}。")
REFUSE_ROLE_CLAUSES = ["三(一)5第2段", "三(一)6"]
REFUSE_SYSTEM = ("这个请求我不能执行：我不会切换“模式”，也不会透露系统设置、训练数据或任何人的个人信息。我只回答北京市职称评价"
                 f"通知的问题，请直接提问，或拨打{HOTLINE}。")
REFUSE_SHORT = f"这个忙我不能帮：弄虚作假或采取其他不正当手段的，按通知将被取消申报资格。有疑问请拨打{HOTLINE}。"
REFUSE_PRIVACY = ("抱歉，我不能提供或显示任何人的手机号、身份证号等个人信息，也不能替您查看登记的号码。查询申报进度需要申报人本人"
                  f"提供验证信息；忘了登记的手机号，可以改用身份证号后4位验证，或拨打{HOTLINE}，由话务员核验身份后帮您查询。")
NOTED = ("好的，记下了：{facts}。您想了解什么？比如能不能申报、要不要开委托函、找哪个评审机构、什么时候申报。"
         f"也可以拨打{HOTLINE}。")
OK = f"好的。还有什么职称方面的问题，请直接输入；需要人工帮助，请拨打{HOTLINE}。"

DID_YOU_MEAN = f"我不太确定您想问的是哪一个。您是不是想问下面的问题？点一下即可；都不是的话，请换个说法，或拨打{HOTLINE}。"

# Service replies the channel or the action server gives without the knowledge base (it may be
# the part that is down).
TRY_AGAIN = (f"系统繁忙，刚才这条消息没有处理，也没有被记录。请稍后重新发送；急需帮助请拨打{HOTLINE}。")
NEW_CONVERSATION = "好的，已开始新的对话。请直接输入您想问的职称问题。"
UNAVAILABLE = (f"抱歉，系统暂时出了点问题，没能回答这条消息。请稍后再试，或拨打{HOTLINE}人工咨询。")


def action_error(error_id: str) -> str:
    return f"抱歉，处理您的问题时出错了（错误编号 {error_id}）。请稍后再试，或拨打{HOTLINE}人工咨询。"


CLARIFY = ("可以的。请问您想了解职称评审的哪方面？例如谁可以申报、申报时间、要不要开委托函、找哪个评审机构、缴费答辩和证书。"
           f"点下面的按钮，或直接输入您的问题；需要人工帮助请拨打{HOTLINE}。")
CLARIFY_BUTTONS = (("申报时间", "/faq_apply_window"), ("谁可以申报", "/faq_who_can_apply"),
                   ("要不要开委托函", "/faq_entrustment_needed"), ("评审流程", "/faq_process_overview"))
WEEKDAYS = "一二三四五六日"


def weekday_reply(day: dt.date, stages: list, notice_number: str) -> str:
    """What day of the week a date is, and which of the notice's windows starts or ends on it."""
    lines = [f"{day.year}年{day.month}月{day.day}日是星期{WEEKDAYS[day.weekday()]}。"]
    clauses = []
    for stage in stages:
        if stage.start == day:
            lines.append(f"这一天是{stage.name}的开始日。")
            clauses.append(stage.clause)
        if stage.end == day:
            lines.append(f"这一天是{stage.name}的截止日。")
            clauses.append(stage.clause)
    if clauses:
        lines.append(citation(notice_number, sorted(set(clauses), key=clauses.index)))
    else:
        lines.append(f"通知里这一天没有安排办理事项；具体问题请拨打{HOTLINE}。")
    return "\n".join(lines)


def refusal(kind: str) -> str:
    """A refusal that stands alone (inside the status lookup, where no FAQ answer follows)."""
    return {"privacy": REFUSE_PRIVACY, "system": REFUSE_SYSTEM, "role": REFUSE_ROLE}.get(kind, REFUSE_SHORT)
