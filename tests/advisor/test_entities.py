"""Entity normalisation and extract_facts on realistic sentences."""
import pytest

from bot.advisor import entities as E
from bot.advisor.decisions import Facts
from bot.text import normalize


@pytest.mark.parametrize("text, expected", [
    ("工程", "工程技术"), ("工程技术", "工程技术"), ("工程技术系列", "工程技术"), ("工程师", "工程技术"),
    ("会计", "会计"), ("会计师", "会计"), ("财务", "会计"), ("卫生", "卫生技术"), ("中职", "中等职业学校教师"),
    ("工美", "工艺美术"), ("工艺美术", "工艺美术"), ("美术", "艺术"), ("文博", "文物博物"), ("經濟", "经济"),
    ("公共法律服务", "公共法律服务"), ("烹饪", None), ("", None), (None, None),
])
def test_normalize_series(text, expected):
    assert E.normalize_series(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("初级", "初级"), ("助理", "初级"), ("助理工程师", "初级"), ("中级", "中级"), ("副高", "副高级"),
    ("高级", "副高级"), ("高级工程师", "副高级"), ("副高级", "副高级"), ("正高", "正高级"), ("正高级工程师", "正高级"),
    ("高级职称", None), ("高级技师", None), ("助理研究员", None), ("特级", None),
])
def test_normalize_level(text, expected):
    assert E.normalize_level(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("国企", "国有企事业单位"), ("事业单位", "国有企事业单位"), ("民营", "非公有制经济组织"), ("外企", "非公有制经济组织"),
    ("社会团体", "社会组织"), ("央企", "中央在京单位"), ("中央在京单位本级", "中央在京单位本级"),
    ("央企总部", "中央在京单位本级"), ("央企二级公司", "中央在京单位二级"), ("中央单位的二级单位", "中央在京单位二级"),
    ("央企下面的三级公司", "中央在京单位三级及以下"), ("全国性行业协会", "全国性行业协会商会"), ("公务员", "党政机关"),
    ("政府部门", "党政机关"), ("自由职业者", "自由职业"), ("自主评聘", "自主评聘单位"), ("不是公务员", None),
    ("二级单位", None),
])
def test_normalize_employer(text, expected):
    assert E.normalize_employer(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("香港", "港澳台"), ("臺灣", "港澳台"), ("澳門", "港澳台"), ("外籍", "外籍"), ("外国人", "外籍"), ("内地", "内地"),
    ("火星", None),
])
def test_normalize_identity(text, expected):
    assert E.normalize_identity(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("朝阳", "朝阳区"), ("朝阳区", "朝阳区"), ("北京市朝阳区", "朝阳区"), ("亦庄", "经开区"), ("经开区", "经开区"),
    ("北京经济技术开发区", "经开区"), ("石景山", "石景山区"), ("门头沟区", "门头沟区"), ("延慶", "延庆区"),
    ("朝阳门", None), ("浦东", None),
])
def test_normalize_district(text, expected):
    assert E.normalize_district(text) == expected


def test_sixteen_districts_and_the_development_zone():
    assert len(E.DISTRICTS) == 17 and E.DISTRICTS[-1] == "经开区"
    for d in E.DISTRICTS:
        assert E.normalize_district(d) == d


@pytest.mark.parametrize("text, expected", [
    ("我在亦庄一家央企二级公司做会计，想报副高",
     dict(district="经开区", employer="中央在京单位二级", series="会计", level="副高级")),
    ("我在亦莊一家央企二級公司做會計，想報副高",  # traditional, pre-converted by bot.text.normalize
     dict(district="经开区", employer="中央在京单位二级", series="会计", level="副高级")),
    ("我是公务员，能评职称吗", dict(employer="党政机关", is_civil_servant=True)),
    ("我不是公务员，在事业单位做工程师", dict(employer="国有企事业单位", series="工程技术", is_civil_servant=False)),
    ("北京经济技术开发区的民营企业，想评高级工程师",
     dict(district="经开区", employer="非公有制经济组织", series="工程技术", level="副高级")),
    ("我是香港人，在朝阳区一家外企做翻译", dict(identity="港澳台", district="朝阳区", employer="非公有制经济组织",
                                              series="翻译")),
    ("我是外籍人士，持有外国人来华工作许可证，在海淀做实验技术", dict(identity="外籍", has_work_permit=True,
                                                                   district="海淀区", series="实验技术")),
    ("我是外國人，沒有工作許可", dict(identity="外籍", has_work_permit=False)),
    ("央企的三级单位，社保在北京，要开委托函吗", dict(employer="中央在京单位三级及以下", insured_in_beijing=True)),
    ("中央单位本级，但是没在北京交社保", dict(employer="中央在京单位本级", insured_in_beijing=False)),
    ("央企四级单位，员工社保都在北京正常交", dict(employer="中央在京单位三级及以下", insured_in_beijing=True)),
    ("社保一直在天津按时交", dict(insured_in_beijing=False)),
    ("社保一直挂在河北的子公司交", dict(insured_in_beijing=False)),
    ("我在一家民营芯片公司，老板以前在央企干过", dict(employer="非公有制经济组织")),
    ("我原来在国企，现在在民企", dict(employer="非公有制经济组织")),
    ("人常驻通州的项目部，但劳动合同和社保都是总公司签的交的，总公司在东城。想报助理工程师",
     dict(district="东城区", series="工程技术", level="初级")),
    ("社保是在北京的分公司交的", dict(insured_in_beijing=True)),
    ("我在部委下属研究所的下属公司，社保在西城交", dict(insured_in_beijing=True, district="西城区")),
    ("社保在亦庄交", dict(insured_in_beijing=True, district="经开区")),
    ("在大兴 评个初级工程职称 去哪报", dict(series="工程技术", level="初级", district="大兴区")),
    ("我是中级工，想评中级工程", dict(series="工程技术", level="中级")),
    ("自由职业画家，近一年在北京，还没有协会推荐，想报艺术系列",
     dict(employer="自由职业", is_freelancer=True, freelance_field="美术", beijing_1yr=True,
          has_association_recommendation=False, series="艺术")),
    ("我是高级技师，想报工程系列", dict(is_high_skill=True, series="工程技术")),
    ("会计副高考试通过了", dict(series="会计", level="副高级", passed_exam=True)),
    ("经济师副高还没考", dict(series="经济", level="副高级", passed_exam=False)),
    ("学历不够但业绩突出，想破格评正高", dict(meets_standard_conditions=False, exceptional_merit=True, level="正高级")),
    ("我们协会在脱钩名单里", dict(on_decoupled_list=True)),
    ("石景山区国企助理工程师", dict(district="石景山区", employer="国有企事业单位", series="工程技术", level="初级")),
    ("您好", {}),
    ("", {}),
])
def test_extract_facts(text, expected):
    facts = E.extract_facts(normalize(text))
    assert facts == expected
    Facts.from_dict(facts)  # every key is a Facts field


def test_extract_facts_takes_the_first_mention_and_ignores_blockers():
    facts = E.extract_facts("在北京经济技术开发区的非公有制经济组织工作")
    assert "series" not in facts  # 经济 inside 经济技术开发区 / 非公有制经济 is no series
    assert facts["district"] == "经开区" and facts["employer"] == "非公有制经济组织"


def test_synonym_tables_cover_every_kind_and_map_back():
    tables = E.synonym_tables()
    assert set(tables) == {"series", "level", "employer", "identity", "district", "freelance_field"}
    assert "工程" in tables["series"]["工程技术"] and "亦庄" in tables["district"]["经开区"]
    assert set(tables["series"]) == set(E.series_catalog())
    normalizers = {"series": E.normalize_series, "level": E.normalize_level, "employer": E.normalize_employer,
                   "identity": E.normalize_identity, "district": E.normalize_district,
                   "freelance_field": E.normalize_freelance_field}
    for kind, table in tables.items():
        for canonical, synonyms in table.items():
            assert synonyms[0] == canonical
            for s in synonyms:
                assert normalizers[kind](s) == canonical, (kind, s)


def test_series_file_can_be_passed_in(tmp_path):
    path = tmp_path / "series.yml"
    path.write_text("series:\n  - {name: 测试系列, method: 资格评审, clause: 三(一), aliases: [测一测]}\n",
                    encoding="utf-8")
    assert E.extract_facts("我想报测一测", series_path=path) == {"series": "测试系列"}
    assert list(E.read_series(path)) == ["测试系列"]


def test_civil_servant_like_wording_is_not_claimed():
    assert E.extract_facts("我们单位参照公务员法管理") == {}


def test_an_edited_series_file_is_picked_up(tmp_path):
    import os
    path = tmp_path / "series.yml"
    path.write_text("series:\n  - {name: 甲系列, method: 资格评审, clause: 三(一)}\n", encoding="utf-8")
    assert E.normalize_series("甲系列") is None  # the default file does not know it
    assert list(E.series_catalog(path)) == ["甲系列"]
    path.write_text("series:\n  - {name: 乙系列, method: 资格评审, clause: 三(一)}\n", encoding="utf-8")
    os.utime(path, ns=(1, 10**18))
    assert list(E.series_catalog(path)) == ["乙系列"]
    assert E.extract_facts("我报乙系列", series_path=path) == {"series": "乙系列"}


@pytest.mark.parametrize("text, expected", [
    ("自由职业需要协会推荐吗", dict(employer="自由职业", is_freelancer=True)),
    ("会计副高要通过考试吗", dict(series="会计", level="副高级")),
    ("是否在京参保有影响吗", {}),
    ("考试通过了吗", {}),
    ("我已经通过考试了", dict(passed_exam=True)),
])
def test_questions_are_not_statements(text, expected):
    assert E.extract_facts(text) == expected
