"""The templates of the answers themselves (bot.wording.spec): the shared snippets, what goes
around an FAQ answer, refusals and clarifying questions, service errors and hand-over, small talk."""
from __future__ import annotations

# group → (what the group is for: written to knowledge/wording.yml as `about`,
#          {template name within the group: the placeholders the code supplies, space-separated})
SPEC: dict[str, tuple[str, dict[str, str]]] = {
    "common": (
        "各处共用的片段，其他模板用 {名字} 引用（如 {hotline}）；这里只能用 {year}、{notice}",
        {
            "hotline": "",
            "apply_step": "",
            "unit_step": "",
            "freelance_step": "",
            "letter": "",
            "letter_scope": "",
            "annex1": "",
            "high_skill_series": "",
            "freelance_fields": "",
            "freelance_series": "",
            "exam_series": "",
        }),
    "reply": (
        "问答回复的附加句子、答不了时的说法、拒绝和澄清（actions/respond.py、bot/answers.py）",
        {
            "unverified": "source",
            "not_answerable": "",
            "beyond_last": "",
            "out_of_scope": "",
            "bad_input.empty": "",
            "bad_input.too_long": "",
            "bad_input.markup": "",
            "bad_input.no_text": "",
            "refuse.fraud": "",
            "refuse.bribery": "",
            "refuse.role": "",
            "refuse.system": "",
            "refuse.short": "",
            "refuse.privacy": "",
            "noted": "facts",
            "ok": "",
            "clarify": "",
            "clarify.apply_window": "",
            "clarify.who_can_apply": "",
            "clarify.entrustment_needed": "",
            "clarify.process_overview": "",
            "also": "",
            "weekday.day": "date weekday",
            "weekday.start": "stage",
            "weekday.end": "stage",
            "weekday.nothing": "",
        }),
    "service": (
        "系统出错或繁忙时的回复（通道、动作服务器），转人工（bot/handover.py）",
        {
            "try_again": "",
            "new_conversation": "",
            "unavailable": "",
            "action_error": "error_id",
            "handover": "code hours",
            "chat_unavailable": "",
        }),
    "smalltalk": (
        "问候、感谢、道别和“你是机器人吗”的回复（actions/respond.py 的 action_small_talk；问候下面有“申报时间”等按钮，见 reply.clarify.*）",
        {
            "greet": "",
            "thank": "",
            "goodbye": "",
            "bot_challenge": "",
        }),
}
