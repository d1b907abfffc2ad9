"""zhicheng kb load/check/export: validation with file, entry and reason; atomic loads; round trip."""
from __future__ import annotations

import re

import pytest
import yaml
from sqlalchemy import func, select

from bot import cli
from bot.db import session_factory
from bot.kb import exporter, loader
from bot.kb.models import FaqEntry


def _edit(path, fn):
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    fn(doc)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _problems(kb_dir):
    with pytest.raises(loader.KnowledgeError) as err:
        loader.read_knowledge(kb_dir)
    return [str(p) for p in err.value.problems]


def test_shipped_knowledge_is_valid_and_complete(knowledge):
    assert knowledge.notice["number"] == "京人社事业字〔2024〕96号"
    assert str(knowledge.notice["published"]) == "2024-06-19"
    paragraphs = {c["id"] for c in knowledge.clauses if c["kind"] == "paragraph"}
    cited = {cid for e in knowledge.faq for cid in e["clauses"]}
    assert paragraphs - cited == set(), "every paragraph of the notice is covered by an FAQ entry"
    assert {"一", "一第4段", "三(一)1", "五(二)", "五(二)第3段", "五(七)"} <= paragraphs


def test_every_line_of_the_notice_is_in_a_clause(knowledge):
    notice = (loader.Path(__file__).resolve().parents[2] / "shared" / "notice-2024.txt")
    if not notice.exists():
        pytest.skip("../shared/notice-2024.txt is not beside this checkout")
    text = "\n".join(c["text"] for c in knowledge.clauses)
    for line in notice.read_text(encoding="utf-8").splitlines()[1:]:
        line = line.strip().replace("学历或?qū学位", "学历或学位")
        if line and not line.startswith("附件:") and not re.match(r"^\d\.附件", line):
            assert line in text, line


@pytest.mark.parametrize("file, edit, expected", [
    ("faq.yml", lambda d: d["faq"][0]["clauses"].append("九(九)"), "faq.yml [who_can_apply]: 引用了不存在的条款 '九(九)'"),
    ("faq.yml", lambda d: d["faq"].append(dict(d["faq"][1], intent=None)), "faq.yml [hk_macao_taiwan_foreign]: 问答 id 重复"),
    ("faq.yml", lambda d: d["faq"][2].update(answer="  "), "faq.yml [high_skill]: answer 为空"),
    ("faq.yml", lambda d: d["faq"][3].update(intent="faq_who_can_apply"), "faq.yml [freelancer]: intent faq_who_can_apply 已被 who_can_apply 使用"),
    ("faq.yml", lambda d: d["faq"][3].update(verified=False), "faq.yml [freelancer]: 未核实（verified: false）的条目必须写明来源 source"),
    ("schedule.yml", lambda d: d["stages"][0].update(end="2024-07-32"), "schedule.yml [personal_apply]: end 日期无效: '2024-07-32'"),
    ("schedule.yml", lambda d: d["stages"][0].update(end_weekday="周三"), "schedule.yml [personal_apply]: end 2024-07-23 是周二，不是周三"),
    ("notice.yml", lambda d: d["clauses"].append(dict(d["clauses"][1])), "notice.yml [一]: 条款 id 重复"),
    ("series.yml", lambda d: d["series"][0].update(method="评审"), "series.yml [自然科学研究]: method 必须是 资格评审/职务评审"),
])
def test_bad_files_are_rejected_with_file_entry_and_reason(kb_dir, file, edit, expected):
    _edit(kb_dir / file, edit)
    assert expected in _problems(kb_dir)


def test_yaml_syntax_error_names_file_and_line(kb_dir):
    path = kb_dir / "faq.yml"
    path.write_text(path.read_text(encoding="utf-8") + "\n  - id: [unclosed\n", encoding="utf-8")
    problems = _problems(kb_dir)
    assert any(p.startswith("faq.yml: YAML 语法错误 第") for p in problems), problems


def test_failed_load_keeps_previous_content(kb_dir, db_url, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", db_url)
    assert cli.main(["kb", "load", "--dir", str(kb_dir)]) == 0
    with session_factory(db_url)() as s:
        loaded = s.scalar(select(func.count()).select_from(FaqEntry))
    _edit(kb_dir / "faq.yml", lambda d: (d["faq"][0].update(answer="改过的答案"), d["faq"][5].update(clauses=["不存在"])))
    assert cli.main(["kb", "load", "--dir", str(kb_dir)]) == 1
    err = capsys.readouterr().err
    assert "faq.yml [civil_servant]: 引用了不存在的条款 '不存在'" in err
    with session_factory(db_url)() as s:
        first = s.get(FaqEntry, (2024, "who_can_apply"))
        assert "改过的答案" not in first.answer
        assert s.scalar(select(func.count()).select_from(FaqEntry)) == loaded  # every entry of the first load


def test_check_writes_nothing(kb_dir, db_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", db_url)
    assert cli.main(["kb", "check", "--dir", str(kb_dir)]) == 0
    with session_factory(db_url)() as s:
        assert s.scalar(select(func.count()).select_from(FaqEntry)) == 0


def test_load_export_round_trips(knowledge, session, tmp_path):
    exported = exporter.export(session=session, year=2024)
    assert exported == knowledge
    exporter.write_files(exported, tmp_path / "out")
    (tmp_path / "out" / "terms.yml").write_text("terms: []\n", encoding="utf-8")
    assert loader.read_knowledge(tmp_path / "out") == knowledge


def test_reload_replaces_a_staff_edit(kb_dir, db_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", db_url)
    assert cli.main(["kb", "load", "--dir", str(kb_dir)]) == 0
    _edit(kb_dir / "faq.yml", lambda d: d["faq"][5].update(answer="公务员不能参加（测试改写）。"))
    assert cli.main(["kb", "load", "--dir", str(kb_dir)]) == 0
    with session_factory(db_url)() as s:
        assert s.get(FaqEntry, (2024, "civil_servant")).answer == "公务员不能参加（测试改写）。"
