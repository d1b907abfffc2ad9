"""Knowledge-base candidates the routing tests share: entries on the procedure's steps and others."""
from __future__ import annotations

from dataclasses import replace

from bot.routing.inputs import Candidate

ENTRUST = Candidate("entrustment_needed", 0.9, "哪些人需要开委托函？", ("五(二)",))
PAY = Candidate("payment", 0.5, "怎么缴费？", ("三(一)4",))
DEFENSE = Candidate("defense_required", 0.3, "哪些级别要答辩？", ("三(一)5第2段",))
UNIT = Candidate("unit_review", 0.9, "单位审核推荐什么时候做？", ("三(一)2",), dated=True)
WINDOW = Candidate("apply_window", 0.8, "什么时候申报？", ("三(一)1",), dated=True)
PUBLICITY = Candidate("publicity", 0.7, "结果公示多久？", ("三(一)6",))

# the procedure's steps (三(一)1 … 三(一)7, in the notice's order), each with the entries resting on it
STEPS = [("三(一)1", [Candidate("apply_window", 1.0, "申报时间？", ("三(一)1",), dated=True),
                     Candidate("how_to_apply", 1.0, "在哪申报？", ("三(一)1",))]),
         ("三(一)2", [Candidate("unit_review", 1.0, "单位审核推荐？", ("三(一)2",), dated=True),
                     Candidate("freelancer_recommend", 1.0, "自由职业者推荐？", ("三(一)2第2段",))]),
         ("三(一)3", [Candidate("institution_review", 1.0, "机构审核？", ("三(一)3",), dated=True),
                     Candidate("correction", 1.0, "补正？", ("三(一)3",))]),
         ("三(一)4", [Candidate("payment", 1.0, "缴费？", ("三(一)4",)),
                     Candidate("fee_amount", 1.0, "多少钱？", ("三(一)4",))]),
         ("三(一)5", [Candidate("defense_notice", 1.0, "答辩？", ("三(一)5",), dated=True)]),
         ("三(一)6", [Candidate("publicity", 1.0, "公示？", ("三(一)6",))]),
         ("三(一)7", [Candidate("certificate", 1.0, "证书？", ("三(一)7",))])]


def replace_score(c: Candidate, score: float) -> Candidate:
    return replace(c, score=score)
