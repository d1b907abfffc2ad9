"""The advisor's vocabulary: the canonical values of each entity and the words that name them.

Kinds: level (级别), employer (单位类型), identity (身份), district (参保单位所在区, the 16
districts + 经开区) and freelance_field (一第3段's fields); the series' names and aliases are in
knowledge/series.yml (bot.advisor.series_catalog). Besides the entities, the yes/no facts the
decisions need (公务员, 在京参保, 工作许可证, 考试通过 …) and the phrases that state them.

A phrase listed as a blocker consumes the text so that a shorter synonym inside it does not
fire (北京经济技术开发区 is not the 经济 series, 高级技师 is not 副高级). This module is data only:
bot.advisor.entities builds its matchers from it on first use.
"""
from __future__ import annotations

from typing import Any

# --- levels -------------------------------------------------------------------------------------
LEVELS = ("初级", "中级", "副高级", "正高级")
SENIOR_LEVELS = ("副高级", "正高级")  # 高级职称 in 五(六)
LEVEL_SYNONYMS = {
    # 初级工程 / 中级工程 ("评个初级工程职称") likewise, past the skill grades 初级工 / 中级工
    "初级": ["初级", "初级职称", "助理级", "员级", "助理", "初级工程师", "初级工程"],
    "中级": ["中级", "中级职称", "中级工程师", "中级工程"],
    # 高级工程师 / 高级工艺美术师 are named here so that the skill grade 高级工 does not block them
    "副高级": ["副高级", "副高", "副高职称", "副高级职称", "高级", "高级工程师", "高级工程", "高级工艺美术师"],
    "正高级": ["正高级", "正高", "正高职称", "正高级职称"],
}
# 高级职称 covers both 副高级 and 正高级 (五(六)); skill grades are not title levels;
# 助理研究员 is not 初级 and 经理助理 is not a level at all
LEVEL_BLOCKERS = ["高级职称", "高级技师", "高级工", "中级工", "初级工", "助理研究员", "经理助理", "总裁助理",
                  "行政助理"]

# --- employer types -----------------------------------------------------------------------------
STATE_OWNED = "国有企事业单位"
NON_PUBLIC = "非公有制经济组织"
SOCIAL_ORG = "社会组织"
CENTRAL = "中央在京单位"  # tier not yet known
CENTRAL_TOP = "中央在京单位本级"
CENTRAL_SECOND = "中央在京单位二级"
CENTRAL_LOWER = "中央在京单位三级及以下"
NATIONAL_ASSOCIATION = "全国性行业协会商会"
GOVERNMENT = "党政机关"
FREELANCE = "自由职业"
SELF_EVALUATING = "自主评聘单位"
CENTRAL_TYPES = (CENTRAL, CENTRAL_TOP, CENTRAL_SECOND, CENTRAL_LOWER)
EMPLOYERS = (STATE_OWNED, NON_PUBLIC, SOCIAL_ORG, CENTRAL, CENTRAL_TOP, CENTRAL_SECOND, CENTRAL_LOWER,
             NATIONAL_ASSOCIATION, GOVERNMENT, FREELANCE, SELF_EVALUATING)
EMPLOYER_SYNONYMS = {
    STATE_OWNED: ["国有企事业单位", "国有企业", "国企", "国有单位", "事业单位", "国有事业单位", "事业编"],
    NON_PUBLIC: ["非公有制经济组织", "非公有制企业", "非公企业", "非公有制", "民营企业", "民营", "民企", "私企",
                 "私营企业", "私营", "外企", "外资企业", "合资企业"],
    SOCIAL_ORG: ["社会组织", "社会团体", "社团", "民办非企业单位", "民办非企业", "民非", "基金会", "社会服务机构"],
    CENTRAL: ["中央在京单位", "中央单位", "央企", "中央企业", "中央事业单位", "中管企业"],
    CENTRAL_TOP: ["中央在京单位本级", "中央单位本级", "央企本级", "央企总部", "央企集团总部", "中央企业总部"],
    CENTRAL_SECOND: ["中央在京单位二级", "中央在京单位所属二级单位", "中央单位二级", "中央单位所属二级单位",
                     "央企二级", "央企二级单位", "央企二级公司", "央企下属二级", "央企所属二级"],
    CENTRAL_LOWER: ["中央在京单位三级及以下", "中央单位三级", "央企三级", "央企三级单位", "央企三级公司",
                    "央企四级", "央企孙公司"],
    NATIONAL_ASSOCIATION: ["全国性行业协会商会", "全国性行业协会", "全国性协会", "全国性商会", "行业协会商会",
                           "全国性学会", "脱钩协会", "脱钩商会", "脱钩行业协会"],
    GOVERNMENT: ["党政机关", "机关单位", "政府机关", "行政机关", "政府部门", "机关", "公务员"],
    FREELANCE: ["自由职业者", "自由职业", "自由职业专业技术人才", "自由职业人员", "自由职业人", "没有单位", "没单位",
                "无单位", "没有工作单位", "没有固定单位", "不在任何单位", "灵活就业", "自由插画师", "自由撰稿人",
                "自由摄影师", "自由设计师", "独立设计师", "独立插画师", "自由画家", "自由艺术家", "独立音乐人",
                "freelancer", "freelance"],
    SELF_EVALUATING: ["自主评聘单位", "自主评聘"],
}
# 参照公务员法管理 is not the notice's 公务员: leave it to the dialogue to ask
EMPLOYER_BLOCKERS = ["不是公务员", "非公务员", "是不是公务员", "参照公务员法管理"]
# a tier word next to a central-unit word makes the central type precise (央企的二级单位)
TIER_WORDS = {
    "本级": CENTRAL_TOP, "总部": CENTRAL_TOP, "集团总部": CENTRAL_TOP,
    "二级单位": CENTRAL_SECOND, "二级公司": CENTRAL_SECOND, "所属二级": CENTRAL_SECOND, "下属二级": CENTRAL_SECOND,
    "三级单位": CENTRAL_LOWER, "三级公司": CENTRAL_LOWER, "三级及以下": CENTRAL_LOWER, "四级单位": CENTRAL_LOWER,
    "四级公司": CENTRAL_LOWER, "孙公司": CENTRAL_LOWER, "本级单位": CENTRAL_TOP,
    "二级子公司": CENTRAL_SECOND, "二级子企业": CENTRAL_SECOND, "三级子公司": CENTRAL_LOWER, "三级子企业": CENTRAL_LOWER,
    "四级子公司": CENTRAL_LOWER, "下属三级": CENTRAL_LOWER, "所属三级": CENTRAL_LOWER,
}
# Tier words that name a central tier even alone: the notice tiers only 中央在京单位 (五(二)).
# 本级 / 总部 alone do not ("公司总部" is any company's head office).
BARE_TIER_WORDS = {w: v for w, v in TIER_WORDS.items() if w not in ("本级", "总部", "集团总部")}

# --- identity -----------------------------------------------------------------------------------
MAINLAND = "内地"
HMT = "港澳台"
FOREIGN = "外籍"
IDENTITIES = (MAINLAND, HMT, FOREIGN)
IDENTITY_SYNONYMS = {
    MAINLAND: ["内地", "大陆", "中国大陆"],
    HMT: ["港澳台", "港澳台地区", "港澳", "香港", "澳门", "台湾", "台胞", "台湾同胞", "港人", "港澳居民",
          "香港居民", "澳门居民", "台湾居民"],
    FOREIGN: ["外籍", "外籍人才", "外籍人士", "外国人", "外国籍", "外国专家", "老外"],
}
IDENTITY_BLOCKERS = ["内地企业"]

# --- districts ----------------------------------------------------------------------------------
DEVELOPMENT_ZONE = "经开区"
_DISTRICT_SHORT = ("东城", "西城", "朝阳", "海淀", "丰台", "石景山", "门头沟", "房山", "通州", "顺义", "昌平", "大兴",
                   "怀柔", "平谷", "密云", "延庆")
DISTRICTS = tuple(f"{d}区" for d in _DISTRICT_SHORT) + (DEVELOPMENT_ZONE,)
DISTRICT_SYNONYMS: dict[str, list[str]] = {f"{d}区": [f"{d}区", d, f"北京市{d}区"] for d in _DISTRICT_SHORT}
DISTRICT_SYNONYMS[DEVELOPMENT_ZONE] = ["经开区", "北京经开区", "北京经济技术开发区", "经济技术开发区", "亦庄",
                                       "亦庄开发区", "亦庄经济开发区", "亦庄经开区"]
DISTRICT_BLOCKERS = ["朝阳门", "大兴安岭", "南通"]

# --- freelance fields (一第3段) -----------------------------------------------------------------
FREELANCE_FIELDS = ("舞台影视", "美术", "动漫游戏", "文学创作", "工艺美术")
ART_SERIES, CRAFT_SERIES = "艺术", "工艺美术"  # the series those fields are evaluated in (一第3段)
FIELD_SYNONYMS = {
    "舞台影视": ["舞台影视", "影视", "舞台", "表演", "演员", "话剧", "电影", "戏剧", "导演", "摄影师", "配音", "舞蹈",
             "歌手", "音乐人", "作曲", "配乐"],
    "美术": ["美术", "绘画", "画家", "书法", "雕塑", "插画", "油画", "国画", "篆刻"],
    "动漫游戏": ["动漫游戏", "动漫", "游戏", "动画", "漫画", "原画"],
    "文学创作": ["文学创作", "文学", "写作", "作家", "编剧", "小说", "诗人", "网文", "散文"],
    "工艺美术": ["工艺美术", "工美", "工艺品", "陶艺", "景泰蓝", "刺绣", "雕漆", "玉雕", "珠宝设计"],
}

# --- series blockers: words that contain a series alias but are not about that series ---------
SERIES_BLOCKERS = ["经济技术开发区", "经济开发区", "非公有制经济", "经济组织", "民营经济", "文艺家协会",
                   "行业协会"]

# --- yes/no facts -------------------------------------------------------------------------------
# (fact, value, phrases); negative phrases are longer than the positive ones they contain,
# so leftmost-longest matching lets them win (没在北京参保 beats 北京参保). A later phrase wins a tie.
FLAGS: tuple[tuple[str, Any, list[str]], ...] = (
    ("is_civil_servant", True, ["公务员"]),
    ("is_civil_servant", False, ["不是公务员", "非公务员", "不是公务员身份"]),
    ("insured_in_beijing", True, ["在京参保", "在北京参保", "北京参保", "在京正常参保", "在北京交社保", "在北京缴社保",
                                  "北京社保", "社保在北京", "在京交社保", "北京交社保", "北京缴纳社保", "在京缴纳社保",
                                  "在北京缴纳社保", "北京的社保"]),
    ("insured_in_beijing", False, ["没在北京参保", "没有在北京参保", "不在北京参保", "未在京参保", "没在京参保",
                                   "不在京参保", "社保不在北京", "社保在外地", "外地社保", "外地参保", "京外参保",
                                   "没在北京交社保", "没有在北京交社保", "不在北京交社保", "没交北京社保",
                                   "没有北京社保", "没北京社保", "北京没有社保", "北京没社保", "在外地交社保"]),
    ("has_work_permit", True, ["工作许可证", "工作许可", "外国人来华工作许可证"]),
    ("has_work_permit", False, ["没有工作许可", "没有工作许可证", "没工作许可", "无工作许可", "无工作许可证",
                                "未办工作许可"]),
    ("is_high_skill", True, ["高技能人才", "高技能", "高级技师", "技师"]),
    ("is_freelancer", True, ["自由职业者", "自由职业", "灵活就业", "没有单位", "没单位", "无单位"]),
    ("beijing_1yr", True, ["近1年在北京", "近一年在北京", "近1年在京", "近一年在京", "在北京工作一年以上",
                           "在北京工作1年以上", "在北京工作了一年", "在北京工作满一年", "在北京一年多",
                           "在北京两年", "在北京好几年", "在北京工作多年", "都在北京干", "都在北京工作", "都在北京做", "都在北京搞",
                           "一直在北京工作", "一直在北京干", "一直在北京做", "一直在北京搞", "在北京干了",
                           "在北京做了", "在北京待了", "在北京干了好几年", "在北京三年", "在北京五年"]),
    ("beijing_1yr", False, ["来北京不到一年", "在北京不到一年", "在北京不满一年", "在京不满一年", "在京不到一年",
                            "刚来北京", "不在北京工作"]),
    ("has_association_recommendation", True, ["协会推荐", "学会推荐", "文联推荐", "协会同意推荐", "协会愿意推荐"]),
    ("has_association_recommendation", False, ["没有协会推荐", "没有推荐", "没协会推荐", "协会不推荐",
                                               "还没有推荐", "没人推荐"]),
    ("passed_exam", True, ["考试通过", "通过了考试", "考过了", "已通过考试", "通过考试", "考试过了",
                           "通过资格考试", "通过了资格考试", "考试已通过", "成绩合格"]),
    ("passed_exam", False, ["没考试", "没有考试", "还没考", "没通过考试", "没考过", "考试没过", "考试没通过",
                            "没参加考试", "没有参加考试", "未通过考试"]),
    ("on_decoupled_list", True, ["在脱钩名单里", "在脱钩名单中", "在脱钩名单上", "在脱钩改革名单", "属于脱钩",
                                  "已脱钩", "脱钩了", "脱钩协会", "脱钩商会", "脱钩的协会", "脱钩的商会",
                                  "脱钩改革名单里", "脱钩改革名单中", "脱钩改革名单上", "脱钩改革名单》里",
                                  "脱钩改革名单》中", "脱钩改革名单》上", "在附件3里", "在附件3中", "附件3里的",
                                  "脱钩名单里的", "名单里的协会", "名单里的商会"]),
    ("on_decoupled_list", False, ["不在脱钩名单", "没在脱钩名单", "没有脱钩", "未脱钩", "不在附件3"]),
    ("meets_standard_conditions", False, ["学历不够", "资历不够", "年限不够", "不符合申报条件", "条件不够",
                                          "不具备规定学历", "不具备规定资历"]),
    ("meets_standard_conditions", True, ["符合申报条件", "条件都符合", "条件够了"]),
    ("exceptional_merit", True, ["业绩显著", "贡献突出", "业绩突出"]),
)
# questions are not statements: these consume the text so that the phrases inside them do not fire
QUESTIONS = ("有没有工作许可", "有没有工作许可证", "是不是公务员", "在不在脱钩名单", "是不是在脱钩名单", "技师学院",
             "有没有在北京参保", "要不要考试", "需不需要考试", "是不是高技能人才", "参照公务员法管理")


def flag_phrases() -> dict[str, tuple[str, Any] | None]:
    """phrase -> (fact, value), or None for a question (a blocker), in FLAGS's order; built when called."""
    table: dict[str, tuple[str, Any] | None] = {}
    for fact, value, phrases in FLAGS:
        for p in phrases:
            table[p] = (fact, value)
    for question in QUESTIONS:
        table[question] = None
    return table
