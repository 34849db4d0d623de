"""Transcription of the Yiyang City Education Bureau 2019 self-evaluation into a workbook.

Source: 益阳市教育局部门整体支出绩效情况自评报告 (2020-04-28), the seed report, kept beside this
script as ``2019-report.txt``. Every value below is a figure the report states, with the section
it stands in (the 数据来源 column). What the report does not state is left out, so it stays empty
and shows as a data gap. Nothing is derived here: ratios the report states (133.49%, 72.56%,
161.98% …) go to 报告数值 verbatim. The department's own words (its goals, disclosure, assets,
internal control, process, results, problems, measures, plan, conclusion) go to 报告文字
verbatim, cut from the report text at the anchors below; the figures perfkit computes (收支,
"三公") are not copied there.

Run ``python data/yiyang-edu/transcribe_2019.py`` to rewrite ``2019.xlsx`` and ``SOURCES.md``.
"""

from __future__ import annotations

import re
from pathlib import Path

from perfkit.data.sheets import SHEET_BY_KEY
from perfkit.data.template import write_workbook

HERE = Path(__file__).resolve().parent
R = "益阳市教育局2019年度部门整体支出绩效自评报告"


def src(section: str) -> str:
    return f"{R} {section}"


S11 = src("一(一) 部门整体支出概况")
S4 = src('一(二)4 "三公"经费控制情况')
PLAN = src("一(二)1 个性指标（2019年工作要点）")

CONTENT = {
    "info": {
        "department_name": "益阳市教育局",
        "year": 2019,
        "unit": "万元",
        "claimed_score": 96.8,  # 三、主要绩效及评价结论 末段 "此次自评分数96.8分"
        "report_date": "2020-04-28",  # 封面 "（2020年4月28日）"
    },
    "income": {
        "total": {"budget_initial": 18122.94, "actual": 24192.45, "source": S11},
        "service": {"budget_initial": 3183.1, "actual": 3470.41, "source": S11},
        "other": {"actual": 727.30, "source": S11},
    },
    "expenditure": {
        "total": {"budget_initial": 18122.94, "actual": 24788.37, "source": S11},
        "basic": {"actual": 13738.19, "source": S11},
        "project": {"actual": 5192.76, "source": S11},
    },
    "balance": {
        "current": {"amount": -595.92, "source": S11},
        "closing": {"amount": 2838.22, "source": S11 + "（累计结转结余）"},
    },
    "three_public": {
        "total": {"actual": 88.53, "prior_actual": 71.84, "source": S4},
        "reception": {"actual": 36.71, "prior_actual": 23.95, "source": S4 + "(1)",
                      "reason": "增加的主要原因是由于招商引资的力度加大。"},
        "abroad": {"actual": 11, "prior_actual": 10.81, "source": S4 + "(2)"},
        "vehicle_operation": {
            "actual": 40.82, "prior_actual": 37.08, "source": S4 + "(3)",
            "reason": "增长主要原因是由于单位核定编制内1辆公务用车使用年限到期。经市财政局资产管理部门"
                      "批准同意后，在处置到期报废车辆的基础上新购置了一台公务用车。"},
    },
    "targets": [],
    "aid": [],
    "qualitative": [],
    "stated": [],
    "text": [],
    "self_scores": [],
}


def t(domain, code, name, unit, *, direction=None, target=None, actual=None, prior=None,
      target_year=None, source="", note=None, qualifier=None):
    CONTENT["targets"].append(dict(
        domain=domain, code=code, name=name, unit=unit, direction=direction, target=target,
        actual=actual, prior=prior, qualifier=qualifier, target_year=target_year, source=source,
        note=note))


Q1 = src("三(一) 队伍建设")
Q2 = src("三(二) 教育质量")
Q3 = src("三(三) 整肃办学行为")
Q4 = src("三(四) 精准资助")
Q5 = src("三(五) 校园安全")
Q7 = src("三(七) 质量")
P = src("存在的问题(一) 队伍结构")
N2020 = src("六、2020年工作思路 三")

# --- education quality -------------------------------------------------------------------
t("quality", "teacher_training_person_times", "全市教师培训", "人次", actual=20000,
  source=Q1, note="报告原文“2万人次”")
t("quality", "teacher_directed_total_count", "定向培养农村中小学教师", "名", actual=857, source=Q1)
t("quality", "teacher_directed_provincial_count", "其中：省级定向培养", "名", actual=465, source=Q1)
t("quality", "teacher_directed_municipal_count", "其中：市级定向培养", "名", direction="≥",
  target=350, actual=392, source=Q1 + "；目标见" + PLAN + "“年内完成市级农村教师公费定向培养350名”")
t("quality", "teacher_recruited_count", "全市招聘考录教师", "名", actual=2018, source=Q1)
t("quality", "masters_recruited_count", "机关引进硕士研究生", "名", actual=5, source=Q1)
t("quality", "big_class_eliminated_count", "消除义务教育大班额", "个", actual=703, source=Q2,
  note="目标数未直接列出；报告称“已完成任务目标的161.98%”（见报告数值）")
t("quality", "big_class_remaining_count", "剩余大班额任务", "个", actual=271, source=Q2)
t("quality", "oversize_class_remaining_count", "剩余超大班额", "个", direction="=", target=0,
  actual=0, source=Q2 + "“超大班额已全部消除”；目标见" + PLAN + "“全面消除超大班额”")
t("quality", "big_class_ratio_pct", "56人以上大班额比例", "%", direction="≤", target=10,
  source=PLAN + "“控制在10%以内”", note="报告未给出实际值")
t("quality", "compulsory_retention_rate_pct", "九年义务教育巩固率", "%", direction="≥", target=98,
  source=PLAN, note="报告未给出实际值")
t("quality", "high_school_gross_enrollment_pct", "高中阶段教育毛入学率", "%", direction="≥",
  target=90, source=PLAN, note="报告未给出实际值")
t("quality", "compulsory_schools_baseline_pct", "义务教育学校达到办学条件20条底线要求", "%",
  direction="全面", target=100, source=PLAN, note="报告未给出实际值")
t("quality", "rural_public_kindergartens_built_count", "建设农村公办幼儿园", "所", direction="≥",
  target=55, source=PLAN, note="报告未给出实际值")
t("quality", "urban_new_schools_count", "中心城区新建学校", "所", direction="≥", target=4,
  source=PLAN, note="报告未给出实际值")
t("quality", "urban_expanded_schools_count", "中心城区改扩建学校", "所", direction="≥", target=13,
  source=PLAN, note="报告未给出实际值")
t("quality", "urban_school_investment_yi_yuan", "中心城区学校建设投入资金", "亿元", direction="≥",
  target=8.6, source=PLAN, note="报告未给出实际值")
t("quality", "schools_with_research_topics_pct", "有省、市、县、校级科研课题的学校比例", "%",
  direction="全面", target=100, source=PLAN + "“力争100%的学校有…科研课题”", note="报告未给出实际值")
t("quality", "two_types_schools_investment_wan_yuan", "两类学校建设投资", "万元", actual=1330,
  source=Q2)
t("quality", "furong_school_investment_yi_yuan", "“芙蓉学校”项目建设投入", "亿元", actual=1.38,
  source=Q2)
t("quality", "tier1_admission_rate_pct", "普高一本上线率", "%", actual=17.35, source=Q7)
t("quality", "tier2_admission_rate_pct", "普高二本上线率", "%", actual=40.56, source=Q7)
t("quality", "vocational_tier2_admission_rate_pct", "职高二本上线率", "%", actual=21.56, source=Q7)
t("quality", "special_ed_places_count", "解决适龄残疾儿童学位", "个", actual=715, source=Q4)
t("quality", "disabled_children_enrollment_pct", "适龄三类残疾儿童少年入学率", "%", actual=93.96,
  source=Q4, qualifier="以上", note="报告原文“达93.96％以上”")
t("quality", "irregular_cases_count", "违规办学整治立案", "件", actual=49, source=Q3)
t("quality", "teachers_sanctioned_count", "受到行政处理的教师", "名", actual=56, source=Q3)
t("quality", "teachers_sanctioned_tutoring_count", "其中：违规补课", "名", actual=30, source=Q3)
t("quality", "teachers_sanctioned_canteen_count", "其中：学生食堂问题", "名", actual=7, source=Q3)
t("quality", "teachers_sanctioned_poverty_count", "其中：扶贫领域问题", "名", actual=17, source=Q3)
t("quality", "teachers_sanctioned_training_count", "其中：校外培训机构问题", "名", actual=2, source=Q3)
t("quality", "teachers_disciplined_count", "受到警告、记过等处分并通报曝光", "人", actual=28,
  source=Q3)
t("quality", "private_teachers_dismissed_count", "被解聘的民办学校教师", "名", actual=2, source=Q3)
t("quality", "teachers_retiring_5y_count", "5年内将退休的中小学教师", "名", actual=9000, source=P,
  qualifier="近", note="报告原文“近9000名”，为约数")
t("quality", "temporary_teaching_staff_count", "临聘教学人员", "人", actual=3355, source=P)
t("quality", "subject_teacher_shortfall_count", "英语、音乐、体育等学科教师缺口", "人", actual=3000,
  source=P, qualifier="近", note="报告原文“近3000人”，为约数")
t("quality", "normal_school_teacher_share_pct", "师范类教师占比", "%", actual=50, source=P)
t("quality", "public_kindergarten_share_pct", "公办幼儿园占比", "%", direction="≥", target=50,
  target_year=2020, source=N2020)
t("quality", "inclusive_kindergarten_share_pct", "普惠性幼儿园占比", "%", direction="≥", target=80,
  target_year=2020, source=N2020)
t("quality", "community_kindergartens_rectified_count", "完成整改的小区配套幼儿园", "个",
  direction="≥", target=35, target_year=2020, source=N2020)
t("quality", "standard_class_size_pct", "按标准班额办学", "%", direction="全面", target=100,
  target_year=2020, source=N2020 + "“到2020年全面实行按标准班额办学”")

# Results the report states without a perfkit indicator code (领域 kept, 指标代码 empty).
Q3M = Q3 + "“5月…动员大会”"
t("quality", None, "违规办学整治行动暨师德师风建设动员大会参会人员", "人", actual=800,
  qualifier="多", source=Q3M, note="报告原文“800多人参加了大会”")
t("quality", None, "违规办学整治内容", "个方面", actual=8, source=Q3)
t("quality", None, "在《益阳日报》公开曝光的第一批违规补课受处分教师", "人", actual=13,
  source=Q3 + "“8月26日”")
Q7S = src("三(七) 体卫艺")
t("quality", None, "湖南省第十四届中小学体育与健康课教学竞赛一等奖", "个", actual=3, source=Q7S)
t("quality", None, "湖南省第十四届中小学体育与健康课教学竞赛二等奖", "个", actual=3, source=Q7S)
t("quality", None, "湖南省第十四届中小学体育与健康课教学竞赛三等奖", "个", actual=3, source=Q7S)
t("quality", None, "体育与健康课教学竞赛成绩超过省平均水平", "%", actual=15.2, source=Q7S)
t("quality", None, "获评现场展示课的一等奖课（全省共5堂）", "堂", actual=1, source=Q7S,
  note="报告原文“一堂一等奖课被评选为现场展示课（全省仅5堂）”")
t("quality", None, "全省三独比赛高中组一等奖", "个", actual=4, source=Q7S)
t("quality", None, "全省三独比赛高中组二等奖", "个", actual=3, source=Q7S)
t("quality", None, "全省三独比赛高中组三等奖", "个", actual=3, source=Q7S)
t("quality", None, "已创建全国文明校园", "所", actual=2, source=Q7S)
t("quality", None, "未成年人思想道德建设工作考核全国排名", "名", actual=13, source=Q7S,
  note="名次，越小越好")
t("quality", None, "未成年人思想道德建设工作考核全省排名", "名", actual=1, source=Q7S,
  note="名次，越小越好")

# --- student aid (business statistics; programme amounts are in 学生资助) -------------------
t("aid", "two_exemptions_beneficiaries_person_times", "“两免一补”受惠学生", "人次",
  actual=752200, source=Q4, note="报告原文“75.22万人次”")

# --- school safety ------------------------------------------------------------------------
t("safety", "schools_total_count", "全市中小学幼儿园总数", "所", source=Q5,
  note="报告称“全覆盖”“全面覆盖”，但未给出全市学校总数，覆盖率无法核算")
t("safety", "safety_inspected_schools_count", "校园及周边安全全覆盖排查的中小学幼儿园", "所",
  actual=1468, source=Q5)
t("safety", "spot_check_schools_count", "秋季安全专项督查随机抽查学校", "所", actual=32, source=Q5)
t("safety", "spot_check_buses_count", "秋季安全专项督查随机抽查校车", "台", actual=35, source=Q5)
t("safety", "safety_assessment_meetings_count", "校园安全形势研判会", "次", actual=5, source=Q5)
t("safety", "safety_work_meetings_count", "全市学校安全工作会议", "次", actual=4, source=Q5)
t("safety", "drill_schools_count", "开展应急演练的学校", "所", actual=1000, source=Q5,
  qualifier="余", note="报告原文“1000余所”，按下限1000计")
t("safety", "drill_participants_person_times", "参与应急演练师生", "人次", actual=450000,
  source=Q5, note="报告原文“45万人次”")
t("safety", "protection_schools_count", "五大护苗行动覆盖学校（幼儿园）", "所", actual=1461,
  source=Q5)
t("safety", "protection_students_count", "五大护苗行动覆盖学生", "人", actual=642800, source=Q5,
  note="报告原文“64.28万学生”")
t("safety", "protection_teachers_count", "五大护苗行动覆盖教师", "人", actual=49000, source=Q5,
  note="报告原文“4.9万教师”")
t("safety", "closed_management_pct", "中小学封闭化管理", "%", direction="全面", target=100,
  source=Q5, note="报告称“力争在今年年底前”实现，未给出实际值")
t("safety", "alarm_police_link_pct", "一键式紧急报警及视频监控系统与公安机关联网率", "%",
  direction="全面", target=100, source=Q5, note="报告称“力争在今年年底前”实现，未给出实际值")
t("safety", "urban_security_guard_pct", "城市中小学专职保安员配备率", "%", direction="全面",
  target=100, source=Q5, note="报告称“力争在今年年底前”实现，未给出实际值")


def aid(program, stage, persons, amount, *, group=None, standard=None, unit=None, source=Q4):
    CONTENT["aid"].append(dict(program=program, stage=stage, group=group, persons=persons,
                               amount=amount, standard_yuan=standard, count_unit=unit,
                               source=source))


# 金额单位万元；"3.1亿" is entered as 31000 万元 and "75.22万人次" as 752200. 计数单位: the report
# counts 生活费补助 ("直接受益学生达5.6万人"), 营养改善计划 ("7.2万名学生") and 生源地贷款
# ("贷款人数3847人") in persons (人); every other programme in 人次 (the default, left empty).
aid("免除学杂费补助公用经费", "义务教育", None, 31000, group="两免一补",
    source=Q4 + " 一“3.1亿元”")
aid("免费教科书", "义务教育", 752200, 4761, group="两免一补", source=Q4 + " 一“75.22万人次”")
aid("家庭经济困难学生生活费补助", "义务教育", 56000, 4586, group="两免一补", unit="人",
    source=Q4 + " 一“直接受益学生达5.6万人”")
aid("农村义务教育学生营养改善计划", "义务教育", 72000, 4238, standard=800, unit="人",
    source=Q4 + " 一“每生每年800元”“7.2万名学生”")
aid("学前教育资助", "学前教育", 21100, 1055.1, source=Q4 + " 二")
aid("普通高中国家助学金", "普通高中", 18343, 2117.95, source=Q4 + " 二")
aid("普通高中免学费", "普通高中", 8642, 769.16, source=Q4 + " 二")
aid("中职免学费", "中等职业教育", 53208, 6624.12, source=Q4 + " 二")
aid("中职国家助学金", "中等职业教育", 17366, 1736.6, source=Q4 + " 二")
aid("生源地信用助学贷款", "高等教育", 3847, 3185.08, unit="人",
    source=Q4 + " 二“生源地贷款人数3847人”")


def q(item, condition, met, evidence, source):
    CONTENT["qualitative"].append(dict(item=item, condition=condition, met=met,
                                       evidence=evidence, source=source))


# 定性评价: one row per condition of the input-process-output-outcome score sheet (its wording), answered only where
# the report gives evidence; "否" where the report says the condition is not met; empty where
# the report is silent (no evidence, no points — the reviewer's rule).
IC = src("一(二)5 内部控制制度建设情况")
DISC = src("一(二)2 预决算公开情况")
ASSET = src("一(二)3 资产管理的情况")
PROC = src("二(二) 绩效评价的过程")
q("绩效目标合理性", "部门整体绩效目标依据部门职责和年度工作要点设定", "是",
  "依据《益阳市教育局 中共益阳市委教育工委2019年工作要点》设定个性指标", PLAN)
q("绩效目标合理性", "绩效目标与部门预算资金量相匹配", None, "报告未说明目标与预算资金的对应关系", PLAN)
q("绩效目标合理性", "绩效目标清晰、可衡量", None,
  "个性指标多为定性表述，部分有数量（如市级定向培养350名、巩固率98%）", PLAN)
q("绩效指标明确性", "绩效指标已细化、量化", None, "报告未列出绩效指标体系", PLAN)
q("绩效指标明确性", "指标值可衡量且有明确的数据来源", None, "报告未列出指标的数据来源", PLAN)
q("管理制度健全性", "已制定内部控制制度", "是", "《益阳市教育局内部控制业务汇编》，含风险评估、业务层面、"
  "单位层面、业务流程、评价与监督五个方面", IC)
q("管理制度健全性", "已制定收入、支出、专项资金、资产等管理办法", "是",
  "《收入管理办法》《支出管理办法》《专项资金管理办法》《固定资产管理办法》", IC)
q("资金使用合规性", "符合国家财经法规和财务管理制度", None, "报告未涉及", "")
q("资金使用合规性", "资金拨付有完整的审批程序和手续", None, "报告未涉及", "")
q("资金使用合规性", "无截留、挤占、挪用、虚列支出等情况", None, "报告未涉及", "")
q("资金使用合规性", "项目支出按规定用途使用", None, "报告未涉及", "")
q("预决算信息公开性", "按规定公开部门预算", "是",
  "2019年2月1日在市财政局网站和市教育局官网公开2019年度部门预算", DISC)
q("预决算信息公开性", "按规定公开部门决算", None,
  "报告称“预计于2019年7月对2019年度决算进行公开”，未说明已公开", DISC)
q("资产管理安全性", "开展资产清查、账实相符", "是", "对单位往来资产进行了自查，成立资产清查工作机构；"
  "实地查看并核对了各科室部门的实物资产", ASSET + "；" + PROC + " 3")
q("资产管理安全性", "长期挂账往来及应核销资产已按规定处理", "否",
  "计划2020年聘请第三方机构出具往来清查审计报告后核销", ASSET)
q("完成及时率", "年度重点工作均在计划时间内完成", None,
  "报告未逐项说明完成时间；校园三防目标称“力争在今年年底前”实现", src("三(五) 二"))
q("质量达标率", "年度重点工作均达到规定的质量标准", None, "报告未说明质量标准的达标情况", "")
q("社会效益", "部门履职对经济社会发展产生积极影响，有量化证据", "是",
  "全市消除义务教育大班额703个；“两免一补”受惠学生75.22万人次；普高一本上线率17.35%",
  src("三(二)、三(四)、三(七)"))
q("社会效益", "服务对象受益情况有统计数据", "是",
  "学前教育、高中、中职各项资助的受助人次和金额逐项列出", src("三(四) 二"))
q("社会效益", "获得上级表彰或考核优秀", "是",
  "已创建全国文明校园2所；未成年人思想道德建设工作考核全国第13、全省第1名；"
  "机关第四支部评为湖南省“五好”老干支部", src("三(六)、三(七)"))
q("社会效益", "无重大负面舆情或安全责任事故", None, "报告未说明", "")
q("满意度", "开展了服务对象满意度调查，满意度达到90%以上", None, "报告未开展或未报告满意度调查", "")
q("长效管理", "建立了预算绩效管理长效机制", "是",
  "报告称“针对发现的问题寻找解决的方法，制定相应的管理制度，建立费用支出管理的长效机制”",
  PROC + " 4")
q("长效管理", "绩效评价结果用于改进管理和预算安排", None,
  "报告只称下一年度将“优化支出结构”，未说明评价结果如何使用", src("二(一) 绩效评价的目的"))
q("人力资源建设", "制定了人才队伍建设规划", "是",
  "实施“三支队伍”培训工程（校长“龙头”工程、名师“骨干”工程、教研员队伍“引领”工程），"
  "完善教师队伍补充机制", src("三(一) 二、三"))
q("人力资源建设", "开展了干部职工培训且有记录", "是", "2019年全市开展各级各类教师培训2万人次",
  src("三(一) 二"))


def s(ref, statement, check, stated, location):
    CONTENT["stated"].append(dict(ref=ref, statement=statement, check=check, stated=stated,
                                  location=location))


s("S1", "决算收入为年初预算的比例", "revenue_execution_pct", "133.49%", "一(一)")
s("S2", "事业收入为年初预算的比例", "service_revenue_execution_pct", "109.03%", "一(一)")
s("S3", "决算支出为年初预算的比例", "expenditure_execution_pct", "136.78 %", "一(一)")
s("S4", "本年结转结余", "carryover_current_wan_yuan", "-595.92万元", "一(一)")
s("S5", "“三公”经费为年初预算的比例", "three_public_control_pct", "72.56%", "一(二)4")
s("S6", "“三公”经费较2018年度增加", "three_public_change_wan_yuan", "增加16.69万元", "一(二)4")
s("S7", "“两免一补”资金合计", "sum(学生资助:两免一补)", "4.04亿元", "三(四) 一")
s("S8", "消除大班额为任务目标的比例", "big_class_elimination_completion_pct", "161.98%", "三(二) 二")
s("S9", "定向培养农村中小学教师（省级+市级）", "sum(绩效指标:teacher_directed_provincial_count,"
  "teacher_directed_municipal_count)", "857名", "三(一) 三")
s("S10", "部门自评得分", "claimed_score", "96.8分", "三 末段")


# --- the department's own words (报告文字), verbatim -------------------------------------------

REPORT = HERE / "2019-report.txt"
LINES = [line.strip() for line in REPORT.read_text(encoding="utf-8").splitlines() if line.strip()]


def line(prefix: str) -> int:
    """Index of the one report line that starts with ``prefix`` (the anchors must be unique)."""
    hits = [i for i, text in enumerate(LINES) if text.startswith(prefix)]
    assert len(hits) == 1, (prefix, hits)
    return hits[0]


def between(first: str, stop: str) -> list[str]:
    """The report lines from the one starting with ``first`` up to (not incl.) ``stop``."""
    return LINES[line(first):line(stop)]


#: The seed's headings as written, with their level (1 一、 … 4 （1）): the 自评报告 reproduces
#: them in this order with this numbering (issue #23). "存在的问题" stands unnumbered in the seed.
HEADINGS = {
    "一、基本情况": 1, "（一）部门整体支出概况": 2, "（二）部门整体支出的绩效目标": 2,
    "1.部门绩效考核的个性指标": 3, "2.2019年度预决算公开情况": 3, "3.资产管理的情况": 3,
    "4.“三公”经费控制情况": 3, "5.内部控制制度建设情况": 3,
    "二、绩效评价情况": 1, "（一）绩效评价的目的": 2, "（二）绩效评价的过程": 2,
    "三、主要绩效及评价结论": 1, "存在的问题": 1,
    "五、有关建议": 1, "（一）提高认识，加强部门整体支出绩效评价工作": 2,
    "（二）严格预算管理，增强预算控制意识": 2, "六、2020年工作思路": 1,
}
#: Where each part of the seed belongs in a 自评报告 (章节: what the reviewer looks for), by the
#: first line of the part; a part runs to the next entry.
SECTIONS = [
    ("根据《中华人民共和国预算法》", "评价依据", "引言"),
    ("2019年度部门决算收入", "收支情况说明", "一(一) 部门整体支出概况"),
    ("根据市教育局关于印发", "年度绩效目标", "一(二)1 个性指标"),
    ("根据省、市财政部门关于部门预决算公开要求", "预决算公开", "一(二)2 预决算公开情况"),
    ("益阳市教育局按照《行政事业单位资产清查核实管理办法》", "资产管理", "一(二)3 资产管理的情况"),
    ("2019年度“三公”经费支出共计", "三公经费说明", '一(二)4 "三公"经费控制情况'),
    ("市教育局制定了《益阳市教育局内部控制业务汇编》", "内部控制", "一(二)5 内部控制制度建设情况"),
    ("市教育局部门整体支出绩效评价，全面评价", "自评工作开展情况", "二 绩效评价情况"),
    ("市教育局部门整体支出绩效情况自评如下", "主要绩效", "三 主要绩效"),
    ("综上所述", "自评结论", "三 末段"),
    ("（一）队伍结构不合理", "存在的问题", "存在的问题"),
    ("单位全体干职工要提升", "改进措施", "五 有关建议"),
    ("一是注重立德树人", "下年工作思路", "六、2020年工作思路"),
]
#: The cover: the title (two lines in the seed), the unit and the date, in 基本信息.
COVER_LINES = 4
CONTENT["info"]["report_title"] = LINES[0] + LINES[1]


def _transcribe_text() -> None:
    """Every line of the seed after its cover, in order: a heading row (标题级别, 标题 as
    written) or a paragraph row (内容 verbatim) tagged with its 章节."""
    starts = {line(first): (section, where) for first, section, where in SECTIONS}
    section, where = None, ""
    for i, text in enumerate(LINES[COVER_LINES:], COVER_LINES):
        if i in starts:
            section, where = starts[i]
        if text in HEADINGS:
            CONTENT["text"].append(dict(section=None, level=HEADINGS[text], title=text,
                                        content=None, source=src("标题")))
            continue
        assert section is not None, text
        CONTENT["text"].append(dict(section=section, level=None, title=None, content=text,
                                    source=src(where)))


_transcribe_text()


#: The sample's monitoring workbook is not transcribed: SOURCES.md says so, and how it is made.
MONITORING_NOTE = [
    "## 监控（2019-monitor-07.xlsx）: SYNTHETIC",
    "",
    "`2019-monitor-07.xlsx`, the 1-7月 2019 绩效运行监控 workbook, is **synthetic**: the seed "
    "report has no monitoring, and nothing in that file was published by the department. "
    "`monitor_2019.py` derives it from the transcribed 2019 figures by fixed rules (stated in "
    "its docstring and in the 说明/备注 cells): 本年支出合计 预算数 = 年初预算 18122.94; 基本支出 "
    "and 项目支出 take their 2019 决算数 as 预算数; 截至7月执行数 = 基本支出 × 7/12 and 项目支出 × "
    "25%, 本年支出合计 their sum; each 2019 target's 1-7月 = 实际值 × 7/12 (when the report "
    "states one), 全年预计完成 = 实际值 (else 年度指标值), 确定能; two invented risks "
    "(建设农村公办幼儿园 without a 纠偏措施, 中心城区学校建设投入 with one). It exists to show "
    "and test `perfkit run --monitor 7`; it is never mixed into `2019.xlsx`.",
    "",
]


def write_sources_note(path: Path) -> None:
    """Write SOURCES.md: each transcribed figure with its sheet and the seed section."""
    lines = ["# 2019 sample: where each figure comes from", "",
             "Generated by `transcribe_2019.py` from the seed report (益阳市教育局, 2020-04-28).",
             "Empty cells in the workbook are figures the report does not state (data gaps).",
             "报告文字 rows are cut verbatim from `2019-report.txt` (a copy of the seed report).",
             ""]
    lines.append(f"基本信息: 报告日期 {CONTENT['info']['report_date']}（封面）, "
                 f"自评得分 {CONTENT['info']['claimed_score']}（三 末段）.")
    lines.append("")
    for key in ("income", "expenditure", "balance", "three_public"):
        sheet = SHEET_BY_KEY[key]
        lines += [f"## {sheet.name}", "", "| 项目 | 列 | 值 | 来源 |", "|---|---|---|---|"]
        for item, cols in CONTENT[key].items():
            for ck, v in cols.items():
                if ck != "source":
                    lines.append(f"| {sheet.item(item).label} | {sheet.column(ck).header} | {v} | "
                                 f"{cols.get('source', '')} |")
        lines.append("")
    for key, cols in (("targets", ("name", "target", "actual", "unit", "qualifier")),
                      ("aid", ("program", "persons", "count_unit", "amount", "standard_yuan")),
                      ("qualitative", ("item", "condition", "met")),
                      ("stated", ("ref", "statement", "stated", "location")),
                      ("text", ("section", "level", "title", "excerpt"))):
        sheet = SHEET_BY_KEY[key]
        heads = [sheet.column(c).header if c != "excerpt" else "内容（开头）" for c in cols]
        heads.append("来源")
        lines += [f"## {sheet.name}", "", "| " + " | ".join(heads) + " |",
                  "|" + "---|" * len(heads)]
        for rec in CONTENT[key]:
            rec = rec | {"excerpt": _excerpt(rec.get("content"))}
            vals = ["" if rec.get(c) is None else str(rec.get(c)) for c in cols]
            lines.append("| " + " | ".join(vals) + f" | {rec.get('source', rec.get('location', ''))} |")
        lines.append("")
    lines += MONITORING_NOTE
    path.write_text("\n".join(lines), encoding="utf-8")


def _excerpt(content: str | None) -> str | None:
    """The first words of a paragraph, for the SOURCES.md table."""
    if content is None:
        return None
    first = content.replace("\n", " ")
    return first if len(first) <= 30 else first[:30] + "…"


if __name__ == "__main__":
    write_workbook(HERE / "2019.xlsx", CONTENT)
    write_sources_note(HERE / "SOURCES.md")
    print("wrote", HERE / "2019.xlsx")
