"""End-to-end: application status through the real servers — verified, masked, audited, and
no verification digit or ID number in Rasa's tracker store or the servers' logs."""
from __future__ import annotations

import json
import re
import sqlite3
import uuid

import pytest

from bot.db import new_session
from bot.status import vault
from bot.status.models import LookupAudit
from bot.status.service import NEUTRAL_FAILURE
from tests.e2e import ask

ID4 = '/choose_factor{"factor_kind": "id4"}'
PHONE4 = '/choose_factor{"factor_kind": "phone4"}'


def conversation(servers, *texts, sender=None, client=None) -> list[str]:
    """One user's turns; each test's user comes from its own address (X-Real-IP), as behind nginx."""
    sender = sender or f"st-{uuid.uuid4().hex[:10]}"
    client = client or ask.client_of(sender)
    return [ask.ask(servers.rasa_url, t, sender, client=client) for t in texts]


def check_status(servers, app_id, factor, kind=ID4, sender=None) -> str:
    replies = conversation(servers, "我的申报到哪一步了", app_id, kind, factor, sender=sender)
    assert "申报编号" in replies[0]
    assert "验证方式" in replies[1]
    assert "后4位" in replies[2]
    return replies[3]


@pytest.mark.parametrize("n, facts", [
    (1, ["个人已提交", "参保单位", "三(一)2"]),
    (5, ["退回补正", "补正后重新提交", "再次联系参保单位审核推荐", "视为放弃", "三(一)3"]),
    (6, ["待缴费", "网上缴费", "视为放弃", "三(一)4"]),
    (8, ["答辩已通知", "答辩通知书", "三(一)5"]),
    (10, ["公示中", "5个工作日", "本年度评审结果公示", "三(一)6"]),
    (11, ["证书已核发", "本人证书查询", "三(一)7"]),
    (12, ["视为放弃"]),
    (13, ["未通过", "四(三)"]),
])
def test_each_stage_answers_next_step_and_clause(servers, n, facts):
    reply = check_status(servers, f"DEMO-2024-{n:04d}", f"{n:04d}")
    for fact in facts:
        assert fact in reply, (fact, reply)
    assert "依据：京人社事业字〔2024〕96号" in reply
    assert "演示" in reply and "*" in reply  # the name is masked


def test_phone_factor_works_too(servers):
    reply = check_status(servers, "DEMO-2024-0006", "9006", kind=PHONE4)
    assert "待缴费" in reply


def test_wrong_id_and_wrong_factor_get_the_same_message(servers):
    wrong_factor = check_status(servers, "DEMO-2024-0006", "1111")
    wrong_id = check_status(servers, "DEMO-2024-9999", "0006")
    assert NEUTRAL_FAILURE in wrong_factor and NEUTRAL_FAILURE in wrong_id
    assert wrong_factor == wrong_id
    assert "待缴费" not in wrong_factor and "演示" not in wrong_id


def test_five_failures_lock_the_conversation(servers):
    sender = f"lock-{uuid.uuid4().hex[:8]}"
    replies = conversation(servers, "查进度", "DEMO-2024-0003", ID4, "1111", sender=sender)
    for _ in range(4):
        replies += conversation(servers, "DEMO-2024-0003", "2222", sender=sender)
    assert "查询已暂停" in replies[-1] and "12333" in replies[-1], replies[-1]
    assert replies[-3].count(NEUTRAL_FAILURE) == 1  # the 4th failure was still neutral
    # even the right factor is refused while locked
    again = conversation(servers, "查进度", "DEMO-2024-0003", ID4, "0003", sender=sender)[-1]
    assert "演示" not in again and "12333" in again


def test_leaving_and_changing_the_id(servers):
    sender = f"leave-{uuid.uuid4().hex[:8]}"
    replies = conversation(servers, "查一下我的申报进度", "算了", sender=sender)
    assert "退出" in replies[1]
    assert "一第4段" in conversation(servers, "公务员能评职称吗", sender=sender)[0]
    replies = conversation(servers, "查进度", "DEMO-2024-0001", "换一个编号", sender=sender)
    assert "申报编号" in replies[2]
    reply = conversation(servers, "DEMO-2024-0011", ID4, "0011", sender=sender)[-1]
    assert "证书已核发" in reply


RANDOM_ID = re.compile(r"[0-9A-Za-z_-]{12,}")


def without_random_ids(text: str) -> str:
    """Blank out message ids, model ids, uuids and vault tokens.

    They are random hex or base64: one in a few thousand holds "9007" by chance,
    which says nothing about the factor. A run of digits alone (an ID or phone
    number) is kept, so a leaked number is still found.
    """
    return RANDOM_ID.sub(lambda m: "<id>" if re.search(r"[A-Za-z]", m.group()) else m.group(), text)


def test_without_random_ids_keeps_bare_numbers():
    assert without_random_ids("a3f09007c1d2e4b5 尾号9007 110101199003077280") == "<id> 尾号9007 110101199003077280"


def test_no_verification_digits_in_tracker_store_or_logs(servers):
    sender = f"secret-{uuid.uuid4().hex[:8]}"
    reply = check_status(servers, "DEMO-2024-0007", "9007", kind=PHONE4, sender=sender)
    assert "已缴费待评审" in reply
    conversation(servers, "我的身份证号是110101199003077280，手机13987654321", sender=sender)
    var = servers.endpoints.parent
    con = sqlite3.connect(var / "tracker.db")
    rows = con.execute("select data from events where sender_id = ?", (sender,)).fetchall()
    everything = [json.loads(r[0]) for r in con.execute("select data from events")]
    con.close()
    texts = [json.loads(r[0]).get("text") or "" for r in rows]
    assert any("已缴费待评审" in t for t in texts)  # the conversation is stored…
    assert any(vault.ID_PLACEHOLDER in t and vault.PHONE_PLACEHOLDER in t for t in texts)
    for event in everything:  # timestamps are digits too: look at everything else
        event.pop("timestamp", None)
    stored = without_random_ids(json.dumps(everything, ensure_ascii=False))
    logs = [without_random_ids(p.read_text(errors="replace")) for p in (var / "logs").glob("*.log")]
    raw = b"".join(p.read_bytes() for p in var.glob("tracker.db*"))
    for secret in ("9007", "7280", "110101199003077280", "13987654321"):  # …but not the digits
        standalone = re.compile(rf"(?<![\d.]){secret}(?!\d)")
        assert not standalone.search(stored), secret
        assert not any(standalone.search(log) for log in logs), secret
    for secret in ("110101199003077280", "13987654321"):
        assert secret.encode() not in raw
    with new_session() as s:
        audits = s.query(LookupAudit).all()
    factor = re.compile(r"(?<![\d.:])9007(?!\d)")
    rows = [without_random_ids(" ".join(str(v) for k, v in vars(a).items() if k != "at")) for a in audits]
    assert rows and not any(factor.search(row) for row in rows)
