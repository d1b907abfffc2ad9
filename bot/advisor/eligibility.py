"""May this person apply? (一, 一第2段, 一第3段, 一第4段, 三(二), 三(三), 五(二), 五(五), 五(六))

A pure function: Facts in, Verdict out. The rules run in the notice's order; a rule that
settles the case (公务员, a series decided elsewhere, …) wins even when other facts are
still unknown, so the dialogue never asks a question whose answer cannot matter.
"""
from __future__ import annotations

from bot.advisor import entities as E
from bot.advisor.entities import SeriesInfo, series_catalog
from bot.advisor.verdict import Facts, Verdict, need_info, silent, unique
from bot.config import HOTLINE

# the notice's own wording (一第2段, 一第3段, 五(五)), quoted in replies
HIGH_SKILL_SERIES_TEXT = "工程、农业、工艺美术、文物博物、实验技术、艺术、体育、技工院校教师"
FREELANCE_FIELDS_TEXT = "舞台影视、美术、动漫游戏、文学创作、工艺美术等"
FREELANCE_SERIES_TEXT = "艺术、工艺美术"
EXAM_SERIES_TEXT = "经济、统计、会计、审计、翻译"
APPLY_STEP = ("在个人网上申报期内登录市人力资源社会保障局网站（http://rsj.beijing.gov.cn）“个人办事”—“职称评审”，"
              "进入北京市专业技术人员职称管理系统，选择拟申报专业的评审委员会，填写并提交申报信息。")
UNIT_STEP = "提交后联系参保单位审核推荐；参保单位审核并进行不少于5个工作日公示后提交推荐意见。"
FREELANCE_STEP = ("打印职称申报信息表、个人诚信承诺、公示模板等材料，线下提交相关协会、学会推荐；经协会、学会审核公示并"
                  "加盖公章后，通过系统上传，提交评审服务机构审核。")
LETTER_TEXT = ("由中央在京单位人事部门开具《2024年北京市职称评审委托函》（附件2），或经中央在京单位同意后由所属二级单位"
               "开具委托函，并在个人申报时上传到系统")


LOCAL_EMPLOYERS = (E.STATE_OWNED, E.NON_PUBLIC, E.SOCIAL_ORG)  # within 一 by the employer alone


def _is_freelancer(f: Facts) -> bool:
    return f.employer == E.FREELANCE or f.is_freelancer is True


def _ruled_out(f: Facts, info: SeriesInfo | None) -> Verdict | None:
    """A rule of the notice that settles the case by itself, or None."""
    k = "eligibility"
    if f.is_civil_servant is True:
        return Verdict(k, "no", "公务员不得参加专业技术人才职称评审。",
                       reasons=["通知第一条明确规定：公务员不得参加专业技术人才职称评审。"], clauses=["一第4段"],
                       next_steps=[f"如果您并非公务员，请告诉我您的单位类型；有疑问可拨打{HOTLINE}。"])
    if f.employer == E.GOVERNMENT and f.is_civil_servant is False:
        return silent(k, "党政机关中非公务员人员能否申报，通知没有明确规定。", [
            "通知第一条的申报范围是与本市国有企事业单位、非公有制经济组织、社会组织等机构建立人事劳动关系的专业技术人才，"
            "并明确公务员不得参加；对党政机关中非公务员人员没有专门说明。"], ["一", "一第4段"])
    if f.identity == E.FOREIGN and f.has_work_permit is False:
        return Verdict(k, "no", "没有《外国人来华工作许可证》的外籍人员不在通知规定的申报范围内。",
                       reasons=["通知第一条的申报范围含“持外国人来华工作许可证的外籍人才”；您目前没有工作许可证。"],
                       clauses=["一"],
                       next_steps=[f"取得《外国人来华工作许可证》后可按通知申报；具体请拨打{HOTLINE}咨询。"])
    if f.series and info is None:
        return silent(k, f"通知列出的系列中没有“{f.series}”。", [
            "通知第三条列出了采取专业技术资格评审的系列（三(一)）和以行业主管部门通知为准的系列（三(二)），"
            f"没有“{f.series}”。"], ["三(一)", "三(二)"])
    if info and info.method == "职务评审":
        clauses = ["三(二)"] + (["一第2段"] if f.is_high_skill and info.high_skill else [])
        return Verdict(k, "refer", f"{info.name}系列的专业技术职务评审以行业主管部门通知为准。",
                       reasons=["通知第三条（二）规定：卫生技术、中小学教师、中等职业学校教师、技工院校教师等系列（专业）"
                                "专业技术职务评审，以行业主管部门通知为准；本通知没有规定这些系列的申报条件和日程。"],
                       clauses=clauses,
                       next_steps=[f"请关注{info.name}系列行业主管部门发布的通知，或向本单位人事部门咨询；"
                                   f"也可拨打{HOTLINE}。"])
    if f.employer == E.SELF_EVALUATING:
        return Verdict(k, "refer", "您的单位实行自主评聘，按本单位备案的自主评聘工作方案评审。",
                       reasons=["经备案实行自主评聘的高等院校、党校和部分科研机构、新型研发机构、民营企业，按照备案的自主评聘"
                                "工作方案开展职称评审工作（三(三)）。"], clauses=["三(三)", "二"],
                       next_steps=["请向本单位人事（职称）部门了解自主评聘工作方案、申报条件和时间安排。"])
    if _is_freelancer(f):
        if info and not info.freelancer:
            return Verdict(k, "no", f"自由职业者不能申报{info.name}系列。",
                           reasons=[f"通知规定，符合条件的自由职业者可参加{FREELANCE_SERIES_TEXT}系列职称评价"
                                    f"（一第3段）；{info.name}系列不在其中。"], clauses=["一第3段"],
                           next_steps=[f"如果您从事{FREELANCE_FIELDS_TEXT}领域的工作，可以考虑"
                                       f"{FREELANCE_SERIES_TEXT}系列；有疑问可拨打{HOTLINE}。"])
        if f.beijing_1yr is False:
            return Verdict(k, "no", "不满足“近1年在北京地区工作”的条件。",
                           reasons=[f"通知要求自由职业者近1年在北京地区{FREELANCE_FIELDS_TEXT}专业领域工作（一第3段）。"],
                           clauses=["一第3段"], next_steps=[f"有疑问请拨打{HOTLINE}。"])
        if f.freelance_field and f.freelance_field not in E.FREELANCE_FIELDS:
            return silent(k, f"“{f.freelance_field}”领域的自由职业者能否申报，通知没有明确。", [
                f"通知列举的是{FREELANCE_FIELDS_TEXT}专业领域（一第3段），没有明确提到“{f.freelance_field}”。"],
                ["一第3段"])
    if f.is_high_skill is True and info and not info.high_skill:
        return Verdict(k, "no", f"高技能人才不能申报{info.name}系列。",
                       reasons=[f"通知规定，符合相应申报条件的高技能人才，可申报{HIGH_SKILL_SERIES_TEXT}系列职称评价"
                                f"（一第2段）；{info.name}系列不在其中。"], clauses=["一第2段"],
                       next_steps=[f"可以考虑{HIGH_SKILL_SERIES_TEXT}中与您工作相关的系列；有疑问可拨打{HOTLINE}。"])
    if info and info.exam_for_deputy_senior and f.level == "副高级" and f.passed_exam is False:
        return Verdict(k, "no", f"{info.name}系列副高级须先通过国家统一考试，才能申报评审。",
                       reasons=[f"{EXAM_SERIES_TEXT}系列副高级职称采取考试与评审相结合方式，申报人参加国家统一组织的"
                                "专业技术人员职业资格考试通过后，方可申报相应专业副高级职称评审（五(五)）。"],
                       clauses=["五(五)"],
                       next_steps=[f"先参加并通过{info.name}专业的国家统一职业资格考试，再申报副高级评审。"])
    if f.meets_standard_conditions is False:
        if f.level in ("初级", "中级"):
            return Verdict(k, "no", f"不符合规定学历、资历条件的，通知没有为{f.level}职称提供破格渠道。",
                           reasons=["通知畅通的是高级职称的破格申报渠道（五(六)）；初级、中级须符合本系列（专业）规定的申报条件。"],
                           clauses=["五(六)"], next_steps=[f"请对照本系列（专业）的申报条件；有疑问可拨打{HOTLINE}。"])
        if f.level in E.SENIOR_LEVELS and f.exceptional_merit is False:
            return Verdict(k, "no", "不具备规定学历、资历，又不属于业绩显著、贡献突出的，不能破格申报。",
                           reasons=["通知规定，申报人不具备规定学历、资历，但业绩显著、贡献突出的，才可按破格条件申报高级职称"
                                    "（五(六)）。"], clauses=["五(六)"],
                           next_steps=[f"请在满足规定学历、资历后再申报；有疑问可拨打{HOTLINE}。"])
    central = f.employer in E.CENTRAL_TYPES
    association = f.employer == E.NATIONAL_ASSOCIATION or f.on_decoupled_list is True
    if central and f.insured_in_beijing is False:
        return Verdict(k, "not_met", "不满足通知规定的“在京正常参保”条件。",
                       reasons=["通知规定，中央在京单位的专业技术人才申报时在京正常参保，才可参加本市职称评审"
                                "（五(二)、五(二)第2段）；您目前不在北京参保。",
                                "通知没有规定不在京参保的中央在京单位人员如何参加本市评审。"],
                       clauses=["五(二)", "五(二)第2段"],
                       next_steps=[f"请向本单位人事部门了解评审渠道，或拨打{HOTLINE}确认。"])
    if f.employer in (E.CENTRAL_TOP, E.CENTRAL_SECOND) and f.series_in_central_catalog is True:
        return Verdict(k, "no", "该系列已在中央单位备案目录中备案，不接受委托，不能通过委托函参加本市评审。",
                       reasons=["经人力资源社会保障部核准备案的《中央单位高级职称评审委员会备案目录》中已备案的职称系列（专业）"
                                "不接受委托（五(二)第4段）。"], clauses=["五(二)第4段", "五(二)"],
                       next_steps=["请向本单位人事部门了解中央单位的评审安排。"])
    if f.employer == E.NATIONAL_ASSOCIATION and f.on_decoupled_list is False:
        return silent(k, "不在脱钩改革名单中的全国性行业协会商会，通知没有说明如何申报本市职称。", [
            "通知只规定了《全国性行业协会商会脱钩改革名单》（附件3）中涉及单位的申报人，在京正常参保的可直接申报"
            "（五(二)第3段）。"], ["五(二)第3段"])
    if association and f.on_decoupled_list is True and f.insured_in_beijing is False:
        return Verdict(k, "not_met", "不满足通知规定的“在京正常参保”条件。",
                       reasons=["通知规定，附件3名单中涉及单位的申报人，在我市正常参保的，可直接申报本市职称评审"
                                "（五(二)第3段）；您目前不在北京参保。", "通知没有规定不在京参保时如何申报。"],
                       clauses=["五(二)第3段"], next_steps=[f"请拨打{HOTLINE}确认。"])
    return None


def _established(f: Facts, info: SeriesInfo | None) -> list[tuple[str, str]]:
    """(reason, clause) for what the known facts already settle about who may apply, before the
    rest is known: "我是香港人，在民企上班" is within 一 whatever the series."""
    out = []
    if f.identity == E.HMT:
        out.append(("申报人员范围明确包含港澳台地区人才（一）。", "一"))
    elif f.identity == E.FOREIGN and f.has_work_permit is True:
        out.append(("申报人员范围明确包含持外国人来华工作许可证的外籍人才（一）。", "一"))
    if f.is_high_skill is True:
        out.append((f"符合相应申报条件的高技能人才，可申报{HIGH_SKILL_SERIES_TEXT}系列职称评价（一第2段）。", "一第2段"))
    if info and info.exam_for_deputy_senior and f.level == "副高级" and f.passed_exam is True:
        out.append((f"{info.name}系列副高级实行考评结合：您已通过国家统一组织的职业资格考试，可以申报相应专业副高级职称"
                    "评审（五(五)）。", "五(五)"))
    if _is_freelancer(f):
        out.append((f"符合条件的自由职业者，经认可的文艺家协会或行业协会推荐，可参加{FREELANCE_SERIES_TEXT}系列职称评价"
                    "（一第3段）。", "一第3段"))
    elif f.employer in LOCAL_EMPLOYERS:
        out.append((f"与本市{f.employer}建立人事劳动关系的专业技术人才，可参加本市职称评价（一）。", "一"))
    return out


def _missing(f: Facts, info: SeriesInfo | None) -> list[tuple[str, str, str]]:
    """(fact, why it matters, clause) for every fact still needed, most important first."""
    out = []
    freelancer = _is_freelancer(f)
    if not f.series:
        out.append(("series", "能否申报、按什么程序评审，要看系列（专业）：多数系列采取专业技术资格评审，卫生技术、"
                              "中小学教师等系列以行业主管部门通知为准（三(一)、三(二)）。", "三(一)"))
    if not f.employer and not freelancer and f.on_decoupled_list is not True:
        out.append(("employer", "申报人员范围按所在单位确定（一）；中央在京单位等有专门规定（五(二)）。", "一"))
    if f.employer == E.GOVERNMENT and f.is_civil_servant is None:
        out.append(("is_civil_servant", "公务员不得参加专业技术人才职称评审（一第4段）。", "一第4段"))
    if f.identity == E.FOREIGN and f.has_work_permit is None:
        out.append(("has_work_permit", "申报范围含持外国人来华工作许可证的外籍人才（一）。", "一"))
    if freelancer:
        if not f.freelance_field:
            out.append(("freelance_field", f"自由职业者须在{FREELANCE_FIELDS_TEXT}专业领域工作（一第3段）。", "一第3段"))
        if f.beijing_1yr is None:
            out.append(("beijing_1yr", "自由职业者须近1年在北京地区相关领域工作（一第3段）。", "一第3段"))
    exam = f"{EXAM_SERIES_TEXT}系列副高级须先通过国家统一组织的职业资格考试才能申报评审（五(五)）。"
    if info and info.exam_for_deputy_senior:
        if not f.level:
            out.append(("level", exam, "五(五)"))
        elif f.level == "副高级" and f.passed_exam is None:
            out.append(("passed_exam", exam, "五(五)"))
    if f.meets_standard_conditions is False:
        merit = "不具备规定学历、资历的，只有业绩显著、贡献突出，才能申报高级职称破格（五(六)）。"
        if not f.level:
            out.append(("level", merit, "五(六)"))
        elif f.level in E.SENIOR_LEVELS and f.exceptional_merit is None:
            out.append(("exceptional_merit", merit, "五(六)"))
    if f.employer == E.NATIONAL_ASSOCIATION and f.on_decoupled_list is None:
        out.append(("on_decoupled_list", "附件3名单中涉及单位的申报人，在我市正常参保的可直接申报（五(二)第3段）。",
                    "五(二)第3段"))
    if f.employer in E.CENTRAL_TYPES and f.insured_in_beijing is None:
        out.append(("insured_in_beijing", "中央在京单位的专业技术人才，须在京正常参保才能参加本市职称评审（五(二)）。",
                    "五(二)"))
    elif (f.employer == E.NATIONAL_ASSOCIATION or f.on_decoupled_list is True) and f.insured_in_beijing is None:
        out.append(("insured_in_beijing", "附件3名单中涉及单位的申报人，须在我市正常参保（五(二)第3段）。", "五(二)第3段"))
    return out


def decide_eligibility(facts: Facts, *, catalog: dict[str, SeriesInfo] | None = None) -> Verdict:
    """yes | conditional | no | not_met | refer | unknown | need_info, with reasons and clauses."""
    catalog = series_catalog() if catalog is None else catalog
    f = facts
    info = catalog.get(f.series) if f.series else None
    ruled = _ruled_out(f, info)
    if ruled is not None:
        return ruled
    missing = _missing(f, info)
    if missing:
        settled = _established(f, info)
        return need_info("eligibility", [m[0] for m in missing], [r for r, _ in settled] + [m[1] for m in missing],
                         [c for _, c in settled] + [m[2] for m in missing],
                         established="从您说的情况看，您在本通知的申报人员范围内。"
                         if f.employer in LOCAL_EMPLOYERS else None)

    reasons: list[str] = []
    clauses: list[str] = []
    conditions: list[str] = []
    steps: list[str] = []
    freelancer = _is_freelancer(f)

    # who: the scope of 一 and the special routes
    if freelancer:
        reasons.append(f"近1年在北京地区{f.freelance_field}等专业领域工作、符合条件的自由职业者，可参加"
                       f"{info.name}系列职称评价（一第3段）。")
        clauses.append("一第3段")
        if f.has_association_recommendation is True:
            reasons.append("您已取得协会推荐。")
        else:
            conditions.append("须经市文化和旅游局、市文联等行业主管部门认可的文艺家协会或行业协会推荐（一第3段）。")
        steps.append(FREELANCE_STEP)
        clauses.append("三(一)2第2段")
    elif f.employer in E.CENTRAL_TYPES:
        clauses.append("五(二)")
        if f.employer == E.CENTRAL_LOWER:
            reasons.append("中央在京单位本级及所属二级单位以外的申报人，在我市正常参保的，无需开具委托函，可直接申报本市职称评审"
                           "（五(二)第2段）；中央在京单位另有规定的，按其要求执行。")
            clauses.append("五(二)第2段")
        elif f.employer == E.CENTRAL:
            reasons.append("中央在京单位的专业技术人才，在京正常参保的可参加本市职称评审（五(二)）。")
            conditions.append(f"如果您在中央在京单位本级或所属二级单位，须{LETTER_TEXT}（五(二)）；三级及以下单位在京"
                              "正常参保的无需委托函（五(二)第2段）。")
            clauses.append("五(二)第2段")
        else:
            reasons.append("中央在京单位本级及所属二级单位的专业技术人才，申报时在京正常参保，凭委托函可参加本市职称评审"
                           "（五(二)）。")
            conditions.append(f"须{LETTER_TEXT}（五(二)）。")
            if f.series_in_central_catalog is None:
                reasons.append("如果该系列已列入《中央单位高级职称评审委员会备案目录》，则不接受委托（五(二)第4段），"
                               "请先向本单位人事部门确认。")
                clauses.append("五(二)第4段")
    elif f.employer == E.NATIONAL_ASSOCIATION or f.on_decoupled_list is True:
        reasons.append("《全国性行业协会商会脱钩改革名单》（附件3）中涉及单位的申报人，在我市正常参保的，无需开具委托函，"
                       "可直接申报本市职称评审（五(二)第3段）。")
        clauses.append("五(二)第3段")
    else:
        reasons.append(f"与本市{f.employer}建立人事劳动关系的专业技术人才，可参加本市职称评价（一）。")
        clauses.append("一")
    if f.identity == E.HMT:
        reasons.append("申报人员范围明确包含港澳台地区人才（一）。")
        clauses.append("一")
    elif f.identity == E.FOREIGN:
        reasons.append("申报人员范围明确包含持外国人来华工作许可证的外籍人才（一）。")
        clauses.append("一")
    if f.is_high_skill is True:
        reasons.append(f"符合相应申报条件的高技能人才，可申报{HIGH_SKILL_SERIES_TEXT}系列职称评价（一第2段）。")
        clauses.append("一第2段")

    # how: the series' method, the exam, the conditions
    reasons.append(f"{info.name}系列采取专业技术资格评审（三(一)），按本通知的日程申报。")
    clauses.append("三(一)")
    if info.exam_for_deputy_senior and f.level == "副高级":
        reasons.append(f"{info.name}系列副高级实行考评结合，您已通过国家统一组织的职业资格考试，可以申报评审（五(五)）。")
        clauses.append("五(五)")
    if f.meets_standard_conditions is False:  # a senior level with exceptional merit: 破格
        reasons.append("您不具备规定学历、资历，但业绩显著、贡献突出，可以走高级职称破格申报渠道（五(六)）。")
        conditions.append("须符合本市相关系列（专业）破格条件，并由2名及以上具备正高级职称的同行专家填写《北京市高级职称"
                          "破格申报推荐表》（附件5）推荐申报（五(六)）。")
        if f.expert_recommenders is not None and f.expert_recommenders < 2:
            reasons.append(f"您目前有{f.expert_recommenders}名正高级同行专家推荐，还差{2 - f.expert_recommenders}名。")
        steps.append("专家推荐表及相关材料在个人申报时上传到系统。")
        clauses.append("五(六)")
    elif f.meets_standard_conditions is True:
        reasons.append("您符合本系列（专业）规定的申报条件。")
    else:
        reasons.append(f"前提是符合{info.name}系列（专业）基本评价标准中的申报条件；通知本身没有列出具体条件。")
        clauses.append("三(一)1")

    steps.insert(0, APPLY_STEP)
    clauses.append("三(一)1")
    if f.employer in (E.CENTRAL_TOP, E.CENTRAL_SECOND):
        steps.insert(1, "开好的委托函在个人申报时上传到系统。")
    elif f.employer == E.CENTRAL:
        steps.insert(1, "如需委托函，开好后在个人申报时上传到系统。")
    if not freelancer:
        steps.append(UNIT_STEP)
        clauses.append("三(一)2")
    if conditions:
        return Verdict("eligibility", "conditional", "可以申报，但需要满足下面的条件。",
                       reasons=unique(conditions + reasons), clauses=unique(clauses), next_steps=unique(steps))
    return Verdict("eligibility", "yes", f"可以申报{info.name}系列。", reasons=unique(reasons),
                   clauses=unique(clauses), next_steps=unique(steps))
