"""School-safety indicators: inspection coverage, spot checks, drills, 护苗行动, the 100% targets."""

from __future__ import annotations

from .base import Direction, Reader, indicator, safe_divide
from .metrics import Metric, metric_value, register_metrics

D = "safety"
H = Direction.HIGHER_BETTER

register_metrics(D, (
    Metric("schools_total_count", "全市中小学幼儿园总数", "所",
           definition_zh="绩效指标表“实际值”：全市中小学幼儿园总数（覆盖率的分母）"),
    Metric("safety_inspected_schools_count", "校园及周边安全排查的中小学幼儿园", "所", H),
    Metric("spot_check_schools_count", "秋季安全专项督查随机抽查学校", "所", H),
    Metric("spot_check_buses_count", "秋季安全专项督查随机抽查校车", "台", H),
    Metric("safety_assessment_meetings_count", "校园安全形势研判会", "次"),
    Metric("safety_work_meetings_count", "全市学校安全工作会议", "次"),
    Metric("drill_schools_count", "开展应急演练的学校", "所", H),
    Metric("drill_participants_person_times", "参与应急演练师生", "人次", H),
    Metric("protection_schools_count", "五大护苗行动覆盖学校（幼儿园）", "所", H),
    Metric("protection_students_count", "五大护苗行动覆盖学生", "人", H),
    Metric("protection_teachers_count", "五大护苗行动覆盖教师", "人", H),
    Metric("closed_management_pct", "中小学封闭化管理比例", "%", H),
    Metric("alarm_police_link_pct", "一键式紧急报警及视频监控系统与公安机关联网率", "%", H),
    Metric("urban_security_guard_pct", "城市中小学专职保安员配备率", "%", H),
))


@indicator(domain=D, label_zh="校园安全排查覆盖率", unit="%", direction=H,
           definition_zh="排查的中小学幼儿园数 / 全市中小学幼儿园总数 × 100%",
           source="绩效指标: safety_inspected_schools_count, schools_total_count 实际值")
def safety_inspection_coverage_pct(r: Reader) -> float:
    return safe_divide(metric_value(r, "safety_inspected_schools_count"),
                       metric_value(r, "schools_total_count")) * 100


@indicator(domain=D, label_zh="五大护苗行动学校覆盖率", unit="%", direction=H,
           definition_zh="护苗行动覆盖学校（幼儿园）数 / 全市中小学幼儿园总数 × 100%",
           source="绩效指标: protection_schools_count, schools_total_count 实际值")
def protection_coverage_pct(r: Reader) -> float:
    return safe_divide(metric_value(r, "protection_schools_count"),
                       metric_value(r, "schools_total_count")) * 100


@indicator(domain=D, label_zh="随机抽查学校占排查学校比例", unit="%",
           definition_zh="秋季专项督查随机抽查学校数 / 安全排查的中小学幼儿园数 × 100%",
           source="绩效指标: spot_check_schools_count, safety_inspected_schools_count 实际值")
def spot_check_share_pct(r: Reader) -> float:
    return safe_divide(metric_value(r, "spot_check_schools_count"),
                       metric_value(r, "safety_inspected_schools_count")) * 100


@indicator(domain=D, label_zh="每所演练学校参与师生", unit="人次/所",
           definition_zh="参与应急演练师生人次 / 开展应急演练的学校数（学校数为“余所”下限时，"
                         "本值为上限）",
           source="绩效指标: drill_participants_person_times, drill_schools_count 实际值")
def drill_participants_per_school(r: Reader) -> float:
    return safe_divide(metric_value(r, "drill_participants_person_times"),
                       metric_value(r, "drill_schools_count"))


@indicator(domain=D, label_zh="校园安全会议合计", unit="次",
           definition_zh="校园安全形势研判会次数 + 全市学校安全工作会议次数",
           source="绩效指标: safety_assessment_meetings_count, safety_work_meetings_count 实际值")
def safety_meetings_total_count(r: Reader) -> float:
    return (metric_value(r, "safety_assessment_meetings_count")
            + metric_value(r, "safety_work_meetings_count"))


TOPICS = {
    "inspection": ("safety_inspected_schools_count", "schools_total_count",
                   "safety_inspection_coverage_pct", "spot_check_schools_count",
                   "spot_check_share_pct", "spot_check_buses_count",
                   "safety_assessment_meetings_count", "safety_work_meetings_count",
                   "safety_meetings_total_count"),
    "drills": ("drill_schools_count", "drill_participants_person_times",
               "drill_participants_per_school", "protection_schools_count",
               "protection_coverage_pct", "protection_students_count",
               "protection_teachers_count"),
}
