"""The advisor's decisions, in one place: facts in, a Verdict (decision, reasons, clauses,
next steps, missing facts) out. Pure functions, no Rasa, no database.

  decide_eligibility(facts)                     我能报吗            eligibility.py
  decide_entrustment(facts)                     要不要开委托函        entrustment.py
  decide_institution(facts, *, directory)       该找哪个机构          institution.py
  decide_deadline(stages, *, today)             现在还能报吗          deadline.py
  render_verdict(verdict, *, notice_number)     the reply text       verdict.py
"""
from bot.advisor.deadline import decide_deadline
from bot.advisor.eligibility import decide_eligibility
from bot.advisor.entrustment import decide_entrustment
from bot.advisor.institution import decide_institution
from bot.advisor.verdict import FACT_LABELS, Facts, Verdict, render_verdict

__all__ = ["FACT_LABELS", "Facts", "Verdict", "decide_deadline", "decide_eligibility", "decide_entrustment",
           "decide_institution", "render_verdict"]
