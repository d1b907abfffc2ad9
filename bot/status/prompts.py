"""What the status lookup asks, in one place: the form's questions and the factor-kind buttons."""
from __future__ import annotations

import json

from bot.config import HOTLINE

FACTOR_NAMES = {"id4": "身份证号后4位", "phone4": "手机号后4位"}
STATUS_PROMPTS = {
    "status_application_id": ("请输入您的申报编号（例如 DEMO-2024-0005）。随时可以说“算了”退出；"
                              f"不方便在这里提供的，也可以拨打{HOTLINE}，话务员核验身份后帮您查询。"),
    "status_factor_kind": ("为了确认是您本人，请选择验证方式：身份证号后4位，或手机号后4位（点下面的按钮，或直接输入“手机号”"
                           f"“身份证”）。不方便在这里验证的，可以拨打{HOTLINE}，话务员核验身份后帮您查询。"),
}


def factor_kind_buttons() -> list[dict]:
    return [{"title": title, "payload": "/choose_factor" + json.dumps({"factor_kind": kind})}
            for kind, title in FACTOR_NAMES.items()]


def factor_prompt(kind: str | None) -> str:
    return (f"请输入{FACTOR_NAMES.get(kind or 'id4')}（只输入4位，X 也可以）。这4位只用于核对身份，不会被记录。"
            f"想不起来的话，可以说“算了”退出，或拨打{HOTLINE}。")
