"""Education-quality indicators: teachers, class size, admission rates, special education, conduct."""

from __future__ import annotations

from .base import Direction, Reader, indicator, safe_divide
from .metrics import (
    Metric,
    MetricSum,
    implied_integer_base,
    metric_value,
    register_metrics,
    stated_number,
)

D = "quality"
H, L = Direction.HIGHER_BETTER, Direction.LOWER_BETTER

register_metrics(D, (
    # 队伍建设 (三(一))
    Metric("teacher_training_person_times", "教师培训", "人次", H),
    Metric("teacher_directed_total_count", "定向培养农村中小学教师", "名", H),
    Metric("teacher_directed_provincial_count", "省级定向培养农村中小学教师", "名", H),
    Metric("teacher_directed_municipal_count", "市级定向培养农村中小学教师", "名", H),
    Metric("teacher_recruited_count", "招聘考录教师", "名", H),
    Metric("masters_recruited_count", "机关引进硕士研究生", "名", H),
    # 大班额与办学条件 (三(二), 工作要点)
    Metric("big_class_eliminated_count", "消除义务教育大班额", "个", H),
    Metric("big_class_remaining_count", "剩余大班额任务", "个", L),
    Metric("oversize_class_remaining_count", "剩余超大班额", "个", L),
    Metric("big_class_ratio_pct", "56人以上大班额比例", "%", L),
    Metric("compulsory_retention_rate_pct", "九年义务教育巩固率", "%", H),
    Metric("high_school_gross_enrollment_pct", "高中阶段教育毛入学率", "%", H),
    Metric("compulsory_schools_baseline_pct", "达到办学条件20条底线要求的义务教育学校比例", "%", H),
    Metric("rural_public_kindergartens_built_count", "建设农村公办幼儿园", "所", H),
    Metric("urban_new_schools_count", "中心城区新建学校", "所", H),
    Metric("urban_expanded_schools_count", "中心城区改扩建学校", "所", H),
    Metric("urban_school_investment_yi_yuan", "中心城区学校建设投入", "亿元", H),
    Metric("schools_with_research_topics_pct", "有省、市、县、校级科研课题的学校比例", "%", H),
    Metric("two_types_schools_investment_wan_yuan", "两类学校建设投资", "万元"),
    Metric("furong_school_investment_yi_yuan", "“芙蓉学校”项目建设投入", "亿元"),
    # 质量 (三(七))
    Metric("tier1_admission_rate_pct", "普高一本上线率", "%", H),
    Metric("tier2_admission_rate_pct", "普高二本上线率", "%", H),
    Metric("vocational_tier2_admission_rate_pct", "职高二本上线率", "%", H),
    # 特殊教育 (三(四) 三)
    Metric("special_ed_places_count", "解决适龄残疾儿童学位", "个", H),
    Metric("disabled_children_enrollment_pct", "适龄三类残疾儿童少年入学率", "%", H),
    # 整肃办学行为 (三(三))
    Metric("irregular_cases_count", "违规办学整治立案", "件"),
    Metric("teachers_sanctioned_count", "受到行政处理的教师", "名"),
    Metric("teachers_sanctioned_tutoring_count", "因违规补课受到行政处理的教师", "名"),
    Metric("teachers_sanctioned_canteen_count", "因学生食堂问题受到行政处理的教师", "名"),
    Metric("teachers_sanctioned_poverty_count", "因扶贫领域问题受到行政处理的教师", "名"),
    Metric("teachers_sanctioned_training_count", "因校外培训机构问题受到行政处理的教师", "名"),
    Metric("teachers_disciplined_count", "受到警告、记过等处分并通报曝光的人员", "人"),
    Metric("private_teachers_dismissed_count", "被解聘的民办学校教师", "名"),
    # 存在的问题 (一) 队伍结构: context, not targets
    Metric("teachers_retiring_5y_count", "5年内将退休的中小学教师", "名"),
    Metric("temporary_teaching_staff_count", "临聘教学人员", "人", L),
    Metric("subject_teacher_shortfall_count", "英语、音乐、体育等学科教师缺口", "人", L),
    Metric("normal_school_teacher_share_pct", "师范类教师占比", "%", H),
    # 2020年工作思路: next year's targets (target_year in the workbook)
    Metric("public_kindergarten_share_pct", "公办幼儿园占比", "%", H),
    Metric("inclusive_kindergarten_share_pct", "普惠性幼儿园占比", "%", H),
    Metric("community_kindergartens_rectified_count", "完成整改的小区配套幼儿园", "个", H),
    Metric("standard_class_size_pct", "按标准班额办学的比例", "%", H),
))


@indicator(domain=D, label_zh="消除大班额任务目标（推算）", unit="个",
           definition_zh="报告只给出完成比例：目标数 = 已消除大班额数 ÷ 报告所称完成比例，"
                         "取与该比例（按所印位数舍入）相容的唯一整数",
           source="绩效指标: big_class_eliminated_count 实际值; "
                  "报告数值: big_class_elimination_completion_pct")
def big_class_target_count(r: Reader) -> float:
    done = metric_value(r, "big_class_eliminated_count")
    return float(implied_integer_base(done, stated_number(r, "big_class_elimination_completion_pct")))


def _big_class_target(r: Reader) -> float:
    """The workbook's target when given, else the one derived from the stated ratio."""
    row = r.metric_row("big_class_eliminated_count")
    given = r.optional("targets", row, "target")
    return given if given == given else big_class_target_count(r)


@indicator(domain=D, label_zh="消除大班额完成比例", unit="%", direction=H,
           definition_zh="已消除大班额数 / 大班额任务目标数 × 100%（目标数未填时用推算值）",
           source="绩效指标: big_class_eliminated_count 实际值、目标值; 报告数值")
def big_class_elimination_completion_pct(r: Reader) -> float:
    done = metric_value(r, "big_class_eliminated_count")
    return safe_divide(done, _big_class_target(r)) * 100


@indicator(domain=D, label_zh="市级定向培养完成比例", unit="%", direction=H,
           definition_zh="市级定向培养农村教师数 / 年度目标数 × 100%",
           source="绩效指标: teacher_directed_municipal_count 实际值、目标值")
def teacher_directed_municipal_completion_pct(r: Reader) -> float:
    return safe_divide(metric_value(r, "teacher_directed_municipal_count"),
                       metric_value(r, "teacher_directed_municipal_count", "target")) * 100


@indicator(domain=D, label_zh="省级与市级定向培养合计", unit="名", direction=H,
           definition_zh="省级定向培养数 + 市级定向培养数（用于核对总数）",
           source="绩效指标: teacher_directed_provincial_count, teacher_directed_municipal_count")
def teacher_directed_parts_count(r: Reader) -> float:
    return (metric_value(r, "teacher_directed_provincial_count")
            + metric_value(r, "teacher_directed_municipal_count"))


@indicator(domain=D, label_zh="省级定向培养占定向培养总数比例", unit="%",
           definition_zh="省级定向培养数 / 定向培养总数 × 100%",
           source="绩效指标: teacher_directed_provincial_count, teacher_directed_total_count")
def teacher_directed_provincial_share_pct(r: Reader) -> float:
    return safe_divide(metric_value(r, "teacher_directed_provincial_count"),
                       metric_value(r, "teacher_directed_total_count")) * 100


#: Targets the workbook leaves empty but the report implies: code → (indicator, direction).
DERIVED_TARGETS = {"big_class_eliminated_count": ("big_class_target_count", "≥")}

#: Sections of the quality notebook: topic → indicator ids, in display order.
TOPICS = {
    "teachers": ("teacher_directed_total_count", "teacher_directed_provincial_count",
                 "teacher_directed_municipal_count", "teacher_directed_parts_count",
                 "teacher_directed_municipal_completion_pct",
                 "teacher_directed_provincial_share_pct", "teacher_recruited_count",
                 "teacher_training_person_times", "masters_recruited_count"),
    "class_size": ("big_class_eliminated_count", "big_class_target_count",
                   "big_class_elimination_completion_pct", "big_class_remaining_count",
                   "oversize_class_remaining_count", "two_types_schools_investment_wan_yuan",
                   "furong_school_investment_yi_yuan"),
    "outcomes": ("tier1_admission_rate_pct", "tier2_admission_rate_pct",
                 "vocational_tier2_admission_rate_pct"),
    "special_ed": ("special_ed_places_count", "disabled_children_enrollment_pct"),
    "conduct": ("irregular_cases_count", "teachers_sanctioned_count",
                "teachers_sanctioned_tutoring_count", "teachers_sanctioned_canteen_count",
                "teachers_sanctioned_poverty_count", "teachers_sanctioned_training_count",
                "teachers_disciplined_count", "private_teachers_dismissed_count"),
    "context": ("teachers_retiring_5y_count", "temporary_teaching_staff_count",
                "subject_teacher_shortfall_count", "normal_school_teacher_share_pct"),
}

SUM_CHECKS = (
    MetricSum("teacher_directed_parts", "定向培养总数 = 省级 + 市级", "teacher_directed_total_count",
              ("teacher_directed_provincial_count", "teacher_directed_municipal_count")),
    MetricSum("teachers_sanctioned_parts", "受到行政处理的教师 = 违规补课 + 学生食堂 + 扶贫领域 + 校外培训机构",
              "teachers_sanctioned_count",
              ("teachers_sanctioned_tutoring_count", "teachers_sanctioned_canteen_count",
               "teachers_sanctioned_poverty_count", "teachers_sanctioned_training_count")),
)
