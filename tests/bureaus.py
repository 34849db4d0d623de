"""A county health bureau's 2022 workbook as its staff would fill it (synthetic figures, chosen by
hand so that the expectations below can be computed by hand): targets typed on the rates perfkit
computes, six own indicators without a 指标代码, 报告文字 with ``{code}`` placeholders and a 自评表.

Issue #21 found perfkit wrong on exactly this department; the tests that use it hold the fixes.
Hand-computed figures used by the tests:

- 孕产妇死亡率 = 1 / 3215 × 100000 = 31.10/10万 (target ≤ 18: 未达成)
- 婴儿死亡率 = 12 / 3215 × 1000 = 3.73‰ (target ≤ 5: 达成)
- 家庭医生签约服务覆盖率 = 171300 / 412600 = 41.52% (target ≥ 40: 超额)
- 居民电子健康档案建档率 = 361200 / 412600 = 87.54% (target ≥ 85: 超额)
- 65岁及以上老年人健康管理率 = 41700 / 58900 = 70.80% (target ≥ 70: 超额)
- 法定传染病报告率 = 1230 / 1236 = 99.51% (target ≥ 95: 超额)
- 三公经费 27.85 against 31.27 last year: 减少3.42万元
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import openpyxl

from perfkit.assess.scoresheet import load_sheet
from perfkit.data.params import DEFAULT_SCORE_SHEET
from perfkit.data.sheets import SHEET_BY_KEY
from perfkit.run.prefill import qualitative_rows
from synthetic import fill_workbook

PERFKIT = Path(sys.executable).parent / "perfkit"
SOURCE = "合成测试数据（按县级卫生健康局的报表格式手工编制，非真实部门）"
NAME = "某县卫生健康局（合成测试数据）"
DEPT = "county-health"

#: 指标代码 → (实际值 2022, 上年值) of the catalog rows the bureau fills.
HEALTH_INPUTS = {
    "resident_population_count": (412600, 410900),
    "live_births_count": (3215, 3402),
    "maternal_deaths_count": (1, 0),
    "infant_deaths_count": (12, 14),
    "family_doctor_signed_count": (171300, 165200),
    "family_doctor_signed_key_groups_count": (118500, 112900),
    "family_doctor_signed_others_count": (52800, 52300),
    "ehr_established_count": (361200, 352700),
    "elderly_population_count": (58900, 56800),
    "elderly_health_managed_count": (41700, 39100),
    "immunization_coverage_pct": (98.12, 97.86),
    "hypertension_management_pct": (72.5, 70.1),
    "diabetes_management_pct": (70.3, 68.4),
    "notifiable_disease_registered_count": (1236, 1188),
    "notifiable_disease_reported_count": (1230, 1180),
    "health_literacy_pct": (25.36, 23.80),
    "life_expectancy_years": (78.2, 78.0),
    "basic_public_health_funds_wan_yuan": (3672.14, 3369.38),
    "basic_public_health_central_funds_wan_yuan": (2203.28, 2021.63),
    "basic_public_health_provincial_funds_wan_yuan": (918.04, 842.35),
    "basic_public_health_local_funds_wan_yuan": (550.82, 505.40),
    "basic_public_health_standard_yuan": (89, 84),
}

#: Targets on computed indicators (实际值 left empty: perfkit computes it): code → (方向, 目标值).
COMPUTED_TARGETS = {
    "maternal_mortality_per_100k": ("孕产妇死亡率", "/10万", "≤", 18),
    "infant_mortality_permille": ("婴儿死亡率", "‰", "≤", 5),
    "family_doctor_coverage_pct": ("家庭医生签约服务覆盖率", "%", "≥", 40),
    "ehr_coverage_pct": ("居民电子健康档案建档率", "%", "≥", 85),
    "elderly_health_management_pct": ("65岁及以上老年人健康管理率", "%", "≥", 70),
    "notifiable_disease_report_rate_pct": ("法定传染病报告率", "%", "≥", 95),
}

#: Hand-computed values of those indicators (2 decimals) and their expected status.
COMPUTED_EXPECTED = {
    "maternal_mortality_per_100k": (31.10, "未达成"),
    "infant_mortality_permille": (3.73, "达成"),
    "family_doctor_coverage_pct": (41.52, "超额"),
    "ehr_coverage_pct": (87.54, "超额"),
    "elderly_health_management_pct": (70.80, "超额"),
    "notifiable_disease_report_rate_pct": (99.51, "超额"),
}

#: The bureau's own indicators (领域 其他, no 指标代码): 指标, 单位, 方向, 目标值, 实际值, 上年值.
OWN = [
    ("卫生健康监督执法检查", "户次", "≥", 600, 724, 689),
    ("医疗纠纷人民调解成功率", "%", "≥", 90, 93.2, 92.3),
    ("基层医疗卫生机构标准化建设达标率", "%", "≥", 95, None, 90.0),  # not yet measured
    ("120急救平均反应时间", "分钟", "≤", 15, 13.6, 14.8),
    ("二级以上公立医院预约诊疗率", "%", "≥", 50, 55.4, 48.7),
    ("群众满意度", "%", "≥", 90, 94.1, 93.6),
]

TEXT = [
    ("评价依据", None, "根据《中华人民共和国预算法》和县财政局关于开展2022年度预算绩效自评工作的通知，"
     "县卫生健康局对2022年度部门整体支出开展了绩效自评。"),
    ("部门职能", None, "贯彻执行卫生健康法律法规，统筹全县医疗卫生资源配置，组织实施基本公共卫生服务、"
     "妇幼健康、疾病预防控制和卫生健康监督执法。"),
    ("机构设置", None, "局机关内设股室8个，下属二级单位5个。"),
    ("人员情况", None, "核定编制86人，年末实有在职人员81人。"),
    ("年度绩效目标", None, "2022年度部门整体支出绩效目标为：孕产妇死亡率控制在18/10万以内，婴儿死亡率控制在5‰以内，"
     "家庭医生签约服务覆盖率不低于40%。"),
    ("收支情况说明", None, "收入增加主要是年中追加基本公共卫生服务和疫情防控资金。"),
    ("三公经费说明", None, "2022年度“三公”经费支出27.85万元，较上年减少3.42万元，主要是公务用车运行维护费下降。"),
    ("预决算公开", None, "2022年2月在县政府门户网站公开了部门预算。"),
    ("资产管理", None, "建立了固定资产管理制度，年末开展了资产清查。"),
    ("内部控制", None, "制定了内部控制手册，覆盖预算、收支、采购、资产和合同管理。"),
    ("自评工作开展情况", "评价过程", "成立自评工作小组，核实决算数据，查阅业务资料，形成自评报告。"),
    ("主要绩效", "妇幼健康", "全县活产数{live_births_count}，孕产妇死亡率{maternal_mortality_per_100k}，"
     "婴儿死亡率{infant_mortality_permille}。"),
    ("主要绩效", "基本公共卫生服务", "家庭医生签约服务覆盖率达{family_doctor_coverage_pct}，"
     "居民电子健康档案建档率{ehr_coverage_pct}。"),
    ("存在的问题", "孕产妇死亡率未达目标", "全年发生孕产妇死亡1例，孕产妇死亡率未控制在目标以内。"),
    ("存在的问题", "基层人才不足", "乡镇卫生院全科医生缺口较大。"),
    ("改进措施", "加强危重孕产妇救治", "完善危重孕产妇救治网络，落实高危孕产妇专案管理。"),
    ("下年工作思路", None, "继续做实家庭医生签约服务，推进县域医共体建设。"),
    ("自评结论", None, "综上，2022年度县卫生健康局部门整体支出自评得分92.5分，等级为优。"),
]

#: The score sheet a new project's settings name (perfkit init, template).
DEFAULT_SHEET = DEFAULT_SCORE_SHEET
#: 定性评价 items the bureau leaves unanswered (no survey was made).
UNANSWERED = {"满意度", "社会公众或服务对象满意度"}

#: 自评表: 指标编号 → 自评得分 (the template of the default score sheet lists the items).
SELF_SCORE_DEDUCTIONS = {"expenditure_execution": 1.0, "target_completion": 4.5,
                         "staff_control": 0.5, "satisfaction": 1.5}


def perfkit(args: list[str], cwd: Path, *, ok: bool = True) -> subprocess.CompletedProcess:
    """Run the perfkit command as a user would (no PERFKIT_ROOT: the project is found by cwd)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PERFKIT_ROOT", "PERFKIT_OUTPUTS")}
    env["COLUMNS"] = "200"
    proc = subprocess.run([str(PERFKIT), *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=1200)
    if ok:
        assert proc.returncode == 0, f"perfkit {args}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


def content_2022() -> dict:
    """What the bureau types into its 2022 workbook (keys as :func:`fill_workbook` takes)."""
    def item(**values):
        return {**values, "source": SOURCE}

    targets = [{"domain": "health", "code": code, "actual": a, "prior": p, "source": SOURCE}
               for code, (a, p) in HEALTH_INPUTS.items()]
    targets += [{"domain": "health", "code": code, "name": n, "unit": u, "direction": d,
                 "target": t, "source": "县卫生健康局2022年度部门整体支出绩效目标表"}
                for code, (n, u, d, t) in COMPUTED_TARGETS.items()]
    targets += [{"domain": "other", "code": None, "name": n, "unit": u, "direction": d, "target": t,
                 "actual": a, "prior": p, "source": SOURCE} for n, u, d, t, a, p in OWN]
    return {
        "info": {"department_name": NAME, "year": 2022, "unit": "万元",
                 "staff_authorized_count": 86, "staff_actual_count": 81, "claimed_score": 92.5,
                 "claimed_grade": "优", "report_date": "2023-04-20", "preparer": "计财股"},
        "income": {
            "fiscal": item(budget_initial=9860.00, budget_adjusted=11240.50, actual=11180.36,
                           prior_actual=10205.12),
            "service": item(budget_initial=410.00, budget_adjusted=410.00, actual=420.15,
                            prior_actual=398.60),
            "other": item(budget_initial=30.00, budget_adjusted=30.00, actual=35.20,
                          prior_actual=28.77),
            "total": item(budget_initial=10300.00, budget_adjusted=11680.50, actual=11635.71,
                          prior_actual=10632.49),
        },
        "expenditure": {
            "basic": item(budget_initial=2980.00, budget_adjusted=3020.00, actual=3012.48,
                          prior_actual=2890.15),
            "personnel": item(budget_initial=2430.00, budget_adjusted=2460.00, actual=2455.30,
                              prior_actual=2340.02),
            "public": item(budget_initial=550.00, budget_adjusted=560.00, actual=557.18,
                           prior_actual=550.13),
            "project": item(budget_initial=7320.00, budget_adjusted=8660.50, actual=8438.25,
                            prior_actual=7622.21),
            "key_project": item(actual=5120.00),
            "total": item(budget_initial=10300.00, budget_adjusted=11680.50, actual=11450.73,
                          prior_actual=10512.36),
        },
        "balance": {"opening": item(amount=860.42), "current": item(amount=184.98),
                    "closing": item(amount=1045.40)},
        "three_public": {
            "abroad": item(budget=0, actual=0, prior_actual=0),
            "vehicle": item(budget=24.00, actual=18.60, prior_actual=21.30),
            "vehicle_purchase": item(budget=0, actual=0, prior_actual=0),
            "vehicle_operation": item(budget=24.00, actual=18.60, prior_actual=21.30),
            "reception": item(budget=11.00, actual=9.25, prior_actual=9.97,
                              reason="严格执行接待标准，接待批次减少"),
            "total": item(budget=35.00, actual=27.85, prior_actual=31.27, prior_budget=36.00),
        },
        "targets": targets,
        "qualitative": [{**r, "met": "是", "evidence": "见局办公室存档的制度文件和工作台账",
                         "source": SOURCE}
                        for r in qualitative_rows(load_sheet(DEFAULT_SHEET))
                        if r["item"] not in UNANSWERED],
        "stated": [
            {"ref": "S1", "statement": "“三公”经费较上年减少", "check": "three_public_change_wan_yuan",
             "stated": "减少3.42万元", "location": "一(二)"},
        ],
    }


def fill_text_and_scores(book_path: Path, text=None, deductions=None) -> None:
    """Fill 报告文字 into the template's pre-listed rows (as a person would: the row of its 章节,
    then new rows below) and the 自评表's 自评得分 column."""
    book = openpyxl.load_workbook(book_path)
    ws = book[SHEET_BY_KEY["text"].name]
    used: set[int] = set()
    for section, title, content in (TEXT if text is None else text):
        row = next((r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == section
                    and r not in used and not ws.cell(r, 3).value), None)
        if row is None:
            row = ws.max_row + 1
            ws.cell(row, 1, section)
        used.add(row)
        ws.cell(row, 2, title)
        ws.cell(row, 3, content)
        ws.cell(row, 5, SOURCE)
    ws = book[SHEET_BY_KEY["self_scores"].name]
    for r in range(2, ws.max_row + 1):
        key, points = ws.cell(r, 1).value, ws.cell(r, 5).value
        if key and points is not None:
            deduction = (SELF_SCORE_DEDUCTIONS if deductions is None else deductions).get(key, 0)
            ws.cell(r, 6, points - deduction)
            if deduction:
                ws.cell(r, 7, "部分目标未完成")
    book.save(book_path)


def make_county_health(work: Path) -> Path:
    """``perfkit init``, ``template --domains health`` and the 2022 fill; returns the project."""
    perfkit(["init", DEPT, "--name", "某县卫生健康局"], work)
    project = work / DEPT
    perfkit(["template", "--year", "2022", "--dept", DEPT, "--domains", "health"], project)
    book = project / "data" / DEPT / "2022.xlsx"
    fill_workbook(book, content_2022())
    fill_text_and_scores(book)
    return project


# ---------------------------------------------------------------------------------------------
# A city civil-affairs bureau (民政局), 2023, with a domain catalog of the project's own
# (tests/fixtures/civil/civil.yaml, copied to the project's domains/): no field perfkit ships.
# Hand-computed: 城乡低保人均年补助水平 = 9652.50万元 × 10000 / 21450人 = 4500.00元/人;
# 特困人员集中供养率 = 1248 / 3120 = 40.00% (≥45: 未达成); 每千名老年人养老床位数 =
# 6750 / 182400 × 1000 = 37.01张 (≥35: 超额); 护理型床位占比 = 3510 / 6750 = 52.00% (≥55:
# 未达成); 残疾人两项补贴发放率 = 14868 / 14900 = 99.79% (≥99: 超额).
# ---------------------------------------------------------------------------------------------

CIVIL_DEPT = "city-civil"
CIVIL_NAME = "某市民政局（合成测试数据）"
CIVIL_CATALOG = Path(__file__).resolve().parent / "fixtures" / "civil" / "civil.yaml"
CIVIL_INPUTS = {
    "dibao_persons_count": (21450, 22310),
    "dibao_funds_wan_yuan": (9652.50, 9820.44),
    "dibao_standard_yuan": (600, 570),
    "extreme_poverty_persons_count": (3120, 3180),
    "extreme_poverty_centralized_count": (1248, 1180),
    "temporary_assistance_person_times": (8760, 7905),
    "elderly_60_population_count": (182400, 176300),
    "elderly_care_beds_count": (6750, 6120),
    "nursing_beds_count": (3510, 2880),
    "disability_subsidy_persons_count": (14868, 14610),
    "disability_subsidy_eligible_count": (14900, 14650),
}
CIVIL_TARGETS = {
    "extreme_poverty_centralized_pct": ("特困人员集中供养率", "%", "≥", 45),
    "elderly_beds_per_thousand": ("每千名老年人养老床位数", "张", "≥", 35),
    "nursing_beds_pct": ("护理型床位占比", "%", "≥", 55),
    "disability_subsidy_coverage_pct": ("残疾人两项补贴发放率", "%", "≥", 99),
}
CIVIL_EXPECTED = {
    "dibao_per_capita_yuan": (4500.00, ""),
    "extreme_poverty_centralized_pct": (40.00, "未达成"),
    "elderly_beds_per_thousand": (37.01, "超额"),
    "nursing_beds_pct": (52.00, "未达成"),
    "disability_subsidy_coverage_pct": (99.79, "超额"),
}
CIVIL_OWN = [
    ("婚姻登记档案规范率", "%", "≥", 98, 99.2, 98.5),
    ("社会组织年检率", "%", "≥", 90, 93.4, 91.0),
    ("城乡社区综合服务设施覆盖率", "%", "≥", 95, 97.1, 94.6),
    ("困难群众救助政策知晓率", "%", "≥", 90, None, 88.0),  # survey not yet made
]
CIVIL_TEXT = [
    ("评价依据", None, "根据市财政局关于开展2023年度部门整体支出绩效自评的通知，市民政局开展了自评。"),
    ("部门职能", None, "负责全市社会救助、养老服务、残疾人福利、婚姻登记、社会组织登记管理等工作。"),
    ("机构设置", None, "局机关内设科室9个，下属事业单位4个。"),
    ("人员情况", None, "核定编制64人，实有在职60人。"),
    ("年度绩效目标", None, "特困人员集中供养率不低于45%，每千名老年人养老床位数不少于35张，护理型床位占比不低于55%。"),
    ("收支情况说明", None, "支出增加主要是提高城乡低保标准和新增养老服务设施补助。"),
    ("三公经费说明", None, "“三公”经费支出15.60万元，较上年减少2.33万元。"),
    ("预决算公开", None, "按规定在市政府网站公开了部门预算和决算。"),
    ("资产管理", None, "完成了资产清查，账实相符。"),
    ("内部控制", None, "修订了内部控制制度，覆盖救助资金审批和发放全流程。"),
    ("自评工作开展情况", None, "成立自评小组，核对救助台账和资金发放记录，形成自评报告。"),
    ("主要绩效", "社会救助", "全市城乡低保对象{dibao_persons_count}，人均年补助{dibao_per_capita_yuan}；"
     "特困人员集中供养率{extreme_poverty_centralized_pct}。"),
    ("主要绩效", "养老服务", "每千名老年人养老床位{elderly_beds_per_thousand}，护理型床位占比{nursing_beds_pct}。"),
    ("存在的问题", "护理型床位不足", "护理型床位占比未达到55%的目标。"),
    ("改进措施", None, "推进公办养老机构护理型床位改造。"),
    ("下年工作思路", None, "完善分层分类社会救助体系，发展普惠型养老服务。"),
    ("自评结论", None, "2023年度市民政局部门整体支出自评得分95分。"),
]
CIVIL_DEDUCTIONS = {"target_completion": 3.0, "satisfaction": 2.0}


def civil_content_2023() -> dict:
    """What the civil-affairs bureau types into its 2023 workbook."""
    def item(**values):
        return {**values, "source": SOURCE}

    targets = [{"domain": "民政", "code": code, "actual": a, "prior": p, "source": SOURCE}
               for code, (a, p) in CIVIL_INPUTS.items()]
    targets += [{"domain": "民政", "code": code, "name": n, "unit": u, "direction": d,
                 "target": t, "source": "市民政局2023年度部门整体支出绩效目标表"}
                for code, (n, u, d, t) in CIVIL_TARGETS.items()]
    targets += [{"domain": "other", "code": None, "name": n, "unit": u, "direction": d, "target": t,
                 "actual": a, "prior": p, "source": SOURCE} for n, u, d, t, a, p in CIVIL_OWN]
    return {
        "info": {"department_name": CIVIL_NAME, "year": 2023, "unit": "万元",
                 "staff_authorized_count": 64, "staff_actual_count": 60, "claimed_score": 95,
                 "report_date": "2024-04-15", "preparer": "规划财务科"},
        "income": {
            "fiscal": item(budget_initial=28000.00, budget_adjusted=31800.00, actual=31560.20,
                           prior_actual=29950.10),
            "other": item(budget_initial=100.00, budget_adjusted=100.00, actual=120.44,
                          prior_actual=96.30),
            "total": item(budget_initial=28100.00, budget_adjusted=31900.00, actual=31680.64,
                          prior_actual=30046.40),
        },
        "expenditure": {
            "basic": item(budget_initial=2800.00, budget_adjusted=2860.00, actual=2860.30,
                          prior_actual=2790.66),
            "personnel": item(budget_initial=2150.00, budget_adjusted=2210.00, actual=2210.50,
                              prior_actual=2145.20),
            "public": item(budget_initial=650.00, budget_adjusted=650.00, actual=649.80,
                           prior_actual=645.46),
            "project": item(budget_initial=25300.00, budget_adjusted=29040.00, actual=28650.12,
                            prior_actual=27231.52),
            "key_project": item(actual=24300.00),
            "total": item(budget_initial=28100.00, budget_adjusted=31900.00, actual=31510.42,
                          prior_actual=30022.18),
        },
        "balance": {"opening": item(amount=1420.35), "current": item(amount=170.22),
                    "closing": item(amount=1590.57)},
        "three_public": {
            "abroad": item(budget=0, actual=0, prior_actual=0),
            "vehicle": item(budget=15.00, actual=12.40, prior_actual=13.88),
            "vehicle_purchase": item(budget=0, actual=0, prior_actual=0),
            "vehicle_operation": item(budget=15.00, actual=12.40, prior_actual=13.88),
            "reception": item(budget=5.00, actual=3.20, prior_actual=4.05),
            "total": item(budget=20.00, actual=15.60, prior_actual=17.93, prior_budget=22.00),
        },
        "targets": targets,
        "qualitative": [{**r, "met": "是", "evidence": "见局办公室存档资料", "source": SOURCE}
                        for r in qualitative_rows(load_sheet(DEFAULT_SHEET))
                        if r["item"] not in UNANSWERED],
        "stated": [],
    }


def make_city_civil(work: Path) -> Path:
    """``perfkit init``, the project's own 民政 catalog, ``template --domains civil`` and the
    2023 fill; returns the project."""
    perfkit(["init", CIVIL_DEPT, "--name", "某市民政局"], work)
    project = work / CIVIL_DEPT
    (project / "domains" / "civil.yaml").write_text(CIVIL_CATALOG.read_text(encoding="utf-8"),
                                                    encoding="utf-8")
    perfkit(["template", "--year", "2023", "--dept", CIVIL_DEPT, "--domains", "civil"], project)
    book = project / "data" / CIVIL_DEPT / "2023.xlsx"
    fill_workbook(book, civil_content_2023())
    fill_text_and_scores(book, CIVIL_TEXT, CIVIL_DEDUCTIONS)
    return project


# ---------------------------------------------------------------------------------------------
# The county health bureau's 1-7月 2022 绩效运行监控 (synthetic, chosen by hand). Hand-computed:
# 本年支出合计 4126.94 / 11680.50 = 35.33%, ÷ 7/12 = 60.57% (黄色) and below the June floor 40%
# (lagging); 项目支出 2424.94 / 8660.50 = 28.00%, ÷ 7/12 = 48.00% (红色); 卫生健康监督执法检查
# 310 / 600 = 51.67% the only cumulative target's progress: 16.33 points from 35.33% (> 10).
# 孕产妇死亡率: 预计 22 > 18 (≤), 有可能, no 纠偏措施 → at risk, unexplained, and at year end
# 31.10 未达成: a 复核 finding.
# ---------------------------------------------------------------------------------------------

HEALTH_MONITOR_BUDGET = {"basic": 1702.00, "project": 2424.94, "total": 4126.94}
#: 三级指标 → (1-7月执行情况, 全年预计完成, 完成可能性, 偏差原因, 纠偏措施, 进度口径).
HEALTH_MONITOR = {
    "孕产妇死亡率": (26.5, 22, "有可能", "其他", None, None),
    "婴儿死亡率": (4.1, 4.5, "确定能", None, None, None),
    "家庭医生签约服务覆盖率": (38.2, 41, "确定能", None, None, None),
    "居民电子健康档案建档率": (86.0, 87, "确定能", None, None, None),
    "65岁及以上老年人健康管理率": (52.4, 70.5, "确定能", None, None, None),
    "法定传染病报告率": (99.2, 99.5, "确定能", None, None, None),
    "卫生健康监督执法检查": (310, 620, "确定能", None, None, None),
    "医疗纠纷人民调解成功率": (92.0, 92, "确定能", None, None, None),
    "基层医疗卫生机构标准化建设达标率": (None, 93, "有可能", "经费保障",
                           "申请县级配套资金，10月底前完成6家乡镇卫生院设备配置（规划财务股）", None),
    "120急救平均反应时间": (13.9, 14, "确定能", None, None, "水平"),
    "二级以上公立医院预约诊疗率": (53.1, 55, "确定能", None, None, None),
    "群众满意度": (None, 92, "确定能", None, None, None),
}


def fill_health_monitor(book_path: Path) -> None:
    """Type the bureau's 1-7月 figures into the 监控 workbook ``template --monitor 7`` wrote."""
    book = openpyxl.load_workbook(book_path)
    ws = book["预算执行"]
    rows = {str(ws.cell(r, 1).value).removeprefix("其中："): r for r in range(2, ws.max_row + 1)}
    for key, value in HEALTH_MONITOR_BUDGET.items():
        ws.cell(rows[SHEET_BY_KEY["expenditure"].item(key).label], 3, value)
    ws = book["监控"]
    headers = {ws.cell(1, c).value: c for c in range(1, ws.max_column + 1)}
    for r in range(2, ws.max_row + 1):
        name = ws.cell(r, headers["三级指标"]).value
        done, expected, likely, cause, measures, kind = HEALTH_MONITOR[name]
        for header, value in (("1-7月执行情况", done), ("全年预计完成", expected),
                              ("完成目标可能性", likely), ("偏差原因", cause),
                              ("纠偏措施", measures), ("进度口径", kind)):
            ws.cell(r, headers[header], value)
        ws.cell(r, headers["一级指标"], "效益指标" if "率" in name else "产出指标")
    book.save(book_path)


def make_health_monitor(project: Path) -> Path:
    """``template --monitor 7`` on the bureau's 2022 workbook, then the 1-7月 fill; the file."""
    perfkit(["template", "--year", "2022", "--dept", DEPT, "--monitor", "7"], project)
    book = project / "data" / DEPT / "2022-monitor-07.xlsx"
    fill_health_monitor(book)
    return book
