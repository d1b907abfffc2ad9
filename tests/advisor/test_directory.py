"""directory.yml load, CSV/XLSX import (validated rows, report, upsert in one transaction), queries."""
import shutil

import pytest
import yaml
from openpyxl import Workbook

from bot.advisor.associations import association_facts, list_entry_in
from bot.advisor.decisions import Facts, decide_institution
from bot.advisor.directory import find_institutions
from bot.advisor.directory_file import load_directory_file, read_directory_file
from bot.advisor.directory_import import import_associations, import_directory
from bot.advisor.directory_rows import valid_phone
from bot.advisor.entities import DISTRICTS, series_catalog
from bot.config import ROOT
from bot.kb.loader import KnowledgeError
from bot.tables import ImportFileError

DIRECTORY_FILE = ROOT / "knowledge" / "directory.yml"  # the shipped file

HEADER = "series,level,district,name,committee,phone,address,source\n"


def _csv(tmp_path, body, name="dir.csv", header=HEADER, encoding="utf-8"):
    path = tmp_path / name
    path.write_text(header + body, encoding=encoding)
    return path


# --- the shipped file
def test_shipped_directory_is_certain_only_where_the_notice_is():
    rows = read_directory_file()
    verified = [r for r in rows if r["verified"]]
    assert {r["district"] for r in verified} == set(DISTRICTS)
    assert all(r["series"] == "工程技术" and r["level"] == "初级" for r in verified)
    assert all(r["source"] == "京人社事业字〔2024〕96号 五(一)" for r in verified)
    assert "北京市东城区人力资源和社会保障局" in {r["name"] for r in verified}
    assert "北京经济技术开发区社会事业局" in {r["name"] for r in verified}
    assert not any(r["phone"] or r["address"] or r["committee"] for r in rows)  # never invented
    unverified = [r for r in rows if not r["verified"]]
    assert all(r["source"] == "附件1未随通知文本提供" and "附件1" in r["name"] for r in unverified)
    qualification = {s.name for s in series_catalog().values() if s.method == "资格评审"}
    assert {r["series"] for r in unverified} == qualification  # every series of 三(一) points to 附件1


def test_load_directory_file_and_query(factory):
    with factory() as s, s.begin():
        report = load_directory_file(DIRECTORY_FILE, session=s)
    assert report.added == len(read_directory_file()) and not report.rejected
    with factory() as s:
        found = find_institutions(session=s, series="工程", level="助理", district="亦庄")
        assert [e.name for e in found] == ["北京经济技术开发区社会事业局"]
        assert len(find_institutions(session=s, series="工程技术", level="初级")) == 17
        assert find_institutions(session=s, series="会计", level="中级")[0].verified is False
    with factory() as s, s.begin():  # loading again changes nothing
        again = load_directory_file(DIRECTORY_FILE, session=s)
    assert (again.added, again.updated, again.unchanged) == (0, 0, report.added)


def test_reload_removes_entries_dropped_from_the_file(factory, tmp_path):
    path = tmp_path / "directory.yml"
    shutil.copy(DIRECTORY_FILE, path)
    with factory() as s, s.begin():
        load_directory_file(path, session=s)
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["institutions"] = doc["institutions"][:3]
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with factory() as s, s.begin():
        report = load_directory_file(path, session=s)
    assert report.removed == len(read_directory_file()) - 3


@pytest.mark.parametrize("edit, message", [
    (lambda d: d["institutions"][0].update(series="烹饪"), "未知的系列：烹饪"),
    (lambda d: d["institutions"][0].update(level="特级"), "级别无效：特级"),
    (lambda d: d["institutions"][0].update(district="浦东"), "未知的区：浦东"),
    (lambda d: d["institutions"][0].update(name=""), "机构名称 name 为空"),
    (lambda d: d["institutions"][0].update(phone="打电话"), "电话格式不正确：打电话"),
    (lambda d: d["institutions"][0].update(verified="yes"), "verified 必须是 true 或 false"),
    (lambda d: d["institutions"][0].pop("source"), "必须写明来源 source"),
    (lambda d: d["institutions"][0].update(mail="x"), "未知的字段：mail"),
    (lambda d: d["institutions"][0].pop("district"), "须填写区 district"),
    (lambda d: d["institutions"].append(dict(d["institutions"][0])), "与第1条重复"),
    (lambda d: d["institutions"].append("oops"), "条目必须是键值对"),
    (lambda d: d.pop("institutions"), "缺少列表字段 institutions"),
])
def test_directory_file_problems_name_file_entry_and_reason(tmp_path, factory, edit, message):
    doc = yaml.safe_load(DIRECTORY_FILE.read_text(encoding="utf-8"))
    edit(doc)
    path = tmp_path / "directory.yml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(KnowledgeError) as err:
        with factory() as s, s.begin():
            load_directory_file(path, session=s)
    assert any(message in str(p) and str(p).startswith("directory.yml") for p in err.value.problems), \
        err.value.problems
    with factory() as s:  # nothing written
        assert find_institutions(session=s, series="工程技术", level="初级") == []


def test_directory_file_syntax_and_missing(tmp_path):
    bad = tmp_path / "directory.yml"
    bad.write_text("institutions: [\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="YAML 语法错误"):
        read_directory_file(bad)
    with pytest.raises(KnowledgeError, match="文件不存在"):
        read_directory_file(tmp_path / "nope.yml")


# --- CSV / XLSX import
def test_import_csv_good_and_rejected_rows(factory, tmp_path):
    path = _csv(tmp_path, "\n".join([
        "会计,中级,,北京某会计评审服务机构,会计中级评委会,010-12345678,北京市某区某路1号,附件1",
        "工程,副高,,北京某工程评审服务机构,,6512 3456,,",
        "烹饪,中级,,某机构,,,,",
        "会计,特级,,某机构,,,,",
        "工程技术,初级,浦东,某机构,,,,",
        "会计,初级,,,,,,",
        "会计,初级,,某机构,,电话123,,",
        "会计,中级,,北京某会计评审服务机构,,,,",
        "工程技术,初级,,某机构,,,,",
    ]) + "\n")
    with factory() as s, s.begin():
        report = import_directory(path, session=s)
    assert (report.rows, report.added, len(report.rejected)) == (9, 2, 7)
    reasons = {r.line: r.reason for r in report.rejected}
    assert reasons[4] == "未知的系列：烹饪"
    assert reasons[5].startswith("级别无效：特级")
    assert reasons[6] == "未知的区：浦东"
    assert reasons[7] == "机构名称 name 为空"
    assert reasons[8] == "电话格式不正确：电话123"
    assert reasons[9] == "与第2行重复"
    assert "须填写区" in reasons[10]
    text = "\n".join(report.lines())
    assert "拒绝 7" in text and "第4行：未知的系列：烹饪" in text
    with factory() as s:  # in the database at once, and the decision uses it
        rows = find_institutions(session=s, series="会计", level="中级")
        assert rows[0].phone == "010-12345678" and rows[0].verified and rows[0].source == "附件1"
        eng = find_institutions(session=s, series="工程技术", level="副高级")
        assert eng[0].source == "导入：dir.csv" and eng[0].phone == "6512 3456"
        v = decide_institution(Facts(series="会计", level="中级"), directory=rows)
        assert v.decision == "found" and "010-12345678" in "".join(v.reasons)


def test_import_upserts_and_overrides_yaml_rows(factory, tmp_path):
    with factory() as s, s.begin():
        load_directory_file(DIRECTORY_FILE, session=s)
    path = _csv(tmp_path, "工程技术,初级,朝阳,北京市朝阳区人力资源和社会保障局,朝阳区初级评委会（测试）,010-65000000,,附件1\n")
    with factory() as s, s.begin():
        first = import_directory(path, session=s)
    assert (first.added, first.updated) == (0, 1)
    with factory() as s, s.begin():
        second = import_directory(path, session=s)
    assert (second.added, second.updated, second.unchanged) == (0, 0, 1)
    with factory() as s, s.begin():  # reloading directory.yml keeps the imported data
        reload = load_directory_file(DIRECTORY_FILE, session=s)
    assert reload.kept == 1
    with factory() as s:
        [row] = find_institutions(session=s, series="工程技术", level="初级", district="朝阳区")
        assert row.phone == "010-65000000" and row.committee == "朝阳区初级评委会（测试）"


def test_import_is_one_transaction(factory, tmp_path):
    path = _csv(tmp_path, "会计,中级,,甲机构,,,,\n统计,中级,,乙机构,,,,\n")
    with pytest.raises(RuntimeError):
        with factory() as s, s.begin():
            import_directory(path, session=s)
            raise RuntimeError("boom")
    with factory() as s:
        assert find_institutions(session=s, series="会计", level="中级") == []


def test_import_xlsx_with_chinese_headers(factory, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["系列", "级别", "区", "机构名称", "评审委员会", "联系电话", "地址", "来源", "备注"])
    ws.append(["档案", "中级", None, "北京某档案评审服务机构", None, 63456789, None, "附件1"])
    ws.append([None] * 8)
    ws.append(["档案", "正高级", None, "", None, None, None, None])
    ws.append(["档案", "副高", None, "北京某档案评审服务机构", None, "13812345678", None, None, "x"])
    path = tmp_path / "名录.xlsx"
    wb.save(path)
    with factory() as s, s.begin():
        report = import_directory(path, session=s)
    assert report.added == 2 and report.ignored_columns == ["备注"]
    assert [(r.line, r.reason) for r in report.rejected] == [(4, "机构名称 name 为空")]
    with factory() as s:
        [row] = find_institutions(session=s, series="档案", level="中级")
        assert row.phone == "63456789"


def test_import_gbk_csv_and_verified_column(factory, tmp_path):
    path = _csv(tmp_path, "出版,中级,,某出版评审机构,,,,,否\n出版,初级,,某出版评审机构,,,,,也许\n",
                header=HEADER.replace("source\n", "source,verified\n"), encoding="gb18030")
    with factory() as s, s.begin():
        report = import_directory(path, session=s)
    assert report.added == 1 and "verified 应为" in report.rejected[0].reason
    with factory() as s:
        assert find_institutions(session=s, series="出版", level="中级")[0].verified is False


@pytest.mark.parametrize("name, content, message", [
    ("missing.csv", None, "找不到文件"),
    ("old.xls", b"xx", "不支持旧版 .xls"),
    ("list.txt", b"a", "不支持的文件类型"),
    ("broken.xlsx", b"not a zip", "不是有效的 XLSX 文件"),
    ("empty.csv", b"", "是空文件"),
    ("header.csv", HEADER.encode(), "没有数据行"),
    ("cols.csv", "系列,级别\n会计,中级\n".encode(), "缺少必需的列：name"),
    ("nul.csv", b"series,name\n\x00\x01", "不是有效的 CSV"),
])
def test_unusable_files(tmp_path, factory, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ImportFileError, match=message):
        with factory() as s, s.begin():
            import_directory(path, session=s)


@pytest.mark.parametrize("phone, ok", [
    ("010-12345678", True), ("12345678", True), ("(010)12345678", True), ("010-12345678转123", True),
    ("13812345678", True), ("12333", True), ("400-123-4567", True), ("010-12345678、13812345678", True),
    ("０１０－１２３４５６７８", True), ("123", False), ("abc", False), ("010-1234", False), ("、", False),
])
def test_phone_validation(phone, ok):
    assert valid_phone(phone) is ok


# --- 附件3
def test_associations(factory, tmp_path):
    with factory() as s:
        # no list yet: the unit is named, nothing is confirmed
        assert association_facts(session=s, text="我在中国测试协会") == {"association": "中国测试协会",
                                                                      "association_listed": None}
    path = tmp_path / "附件3.csv"
    path.write_text("序号,单位名称\n1,中国某某协会\n2,\n3,中国某某 协会\n4,中国另一商会\n", encoding="utf-8")
    with factory() as s, s.begin():
        report = import_associations(path, session=s)
    assert report.added == 2 and report.ignored_columns == ["序号"]
    assert [(r.line, r.reason) for r in report.rejected] == [(3, "名称 name 为空"), (4, "与第2行重复")]
    with factory() as s:
        assert list_entry_in(session=s, text="中国某某协会") == "中国某某协会"
        assert list_entry_in(session=s, text="我在 中國某某協會 上班") == "中国某某协会"  # traditional, spaces
        assert list_entry_in(session=s, text="北京某协会") is None
        assert list_entry_in(session=s, text="") is None
    with factory() as s, s.begin():
        again = import_associations(path, session=s)
    assert (again.added, again.unchanged) == (0, 2)


def test_report_lines_name_removed_kept_and_ignored():
    from bot.tables import ImportReport, Rejected
    r = ImportReport(what="评审服务机构目录", file="f.csv", rows=3, added=1, removed=2, kept=1, ignored_columns=["备注"],
                     rejected=[Rejected(3, "未知的系列：烹饪")])
    text = "\n".join(r.lines())
    assert "已删除 2 条" in text and "1 条已有导入的正式数据" in text and "忽略了未知的列：备注" in text
    assert text.endswith("  第3行：未知的系列：烹饪") and r.accepted == 2


def test_more_row_checks(factory, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["series", "level", "name", "verified"])
    ws.append([None, "中级", "甲机构", None])
    ws.append(["会计", "中级", "乙" * 201, None])
    ws.append(["会计", "各级别", "丙机构", False])  # a boolean cell, and 各级别 = every level
    path = tmp_path / "t.xlsx"
    wb.save(path)
    with factory() as s, s.begin():
        report = import_directory(path, session=s)
    assert [(r.line, r.reason) for r in report.rejected] == [(2, "系列 series 为空"), (3, "name 超过 200 个字符")]
    with factory() as s:
        [row] = find_institutions(session=s, series="会计", level="初级")
        assert row.level is None and row.verified is False
        from bot.advisor.directory import all_institutions
        assert [e.name for e in all_institutions(session=s)] == ["丙机构"]


def test_a_directory_is_not_a_file(tmp_path, factory):
    (tmp_path / "d.csv").mkdir()
    with pytest.raises(ImportFileError, match="不是文件"):
        with factory() as s, s.begin():
            import_directory(tmp_path / "d.csv", session=s)


def test_directory_file_must_be_utf8(tmp_path):
    path = tmp_path / "directory.yml"
    path.write_bytes("institutions: []  # 说明\n".encode("utf-16"))
    with pytest.raises(KnowledgeError, match="不是 UTF-8 编码"):
        read_directory_file(path)


def test_association_rows_update_and_verified(factory, tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("name,verified,source\n中国某某协会,是,附件3\n" + "长" * 201 + ",,\n中国乙协会,也许,\n",
                    encoding="utf-8")
    with factory() as s, s.begin():
        report = import_associations(path, session=s)
    assert [r.reason for r in report.rejected] == ["名称超过 200 个字符", "verified 应为 true/false（是/否）：也许"]
    path.write_text("name,verified,source\n中国某某协会,否,附件3（复核）\n", encoding="utf-8")
    with factory() as s, s.begin():
        again = import_associations(path, session=s)
    assert again.updated == 1
