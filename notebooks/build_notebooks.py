"""Write the report notebooks from their cell lists: the one source of the notebooks' cells.

Run ``python notebooks/build_notebooks.py`` after editing a cell list below and commit both this
file and the ``.ipynb`` it writes; ``tests/contracts/test_notebooks.py`` fails while a committed
notebook differs from what this file writes (ARCHITECTURE.md says why the cells live here).
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from perfkit.config import cells_stamp

HERE = Path(__file__).resolve().parent

# Empty defaults open a notebook on the project's own data (its one department, that
# department's latest year, its first domain), wherever ``perfkit init`` copied it; ``perfkit
# run`` sets every parameter. A project with several departments is told to set ``department``.
PARAMETERS = '''department: str = ""  # 部门代码（data/ 下的文件夹名）；留空即本项目唯一的部门
year: int = 0  # 评价年度；0 即该部门最新的年度
workbook: str = ""  # 工作簿路径（相对项目根目录）；留空即 data/<部门>/<年度>.xlsx
params_file: str = ""  # 运行设置 YAML；留空即 params/<部门>/<年度>.yaml'''

LOAD = "ev = pk.load(department, year, workbook=workbook, params_file=params_file)"


def md(text: str):
    """A notebook's own heading and text, as a code cell that displays them as blocks
    (``pk.blocks.section``): renderers read blocks, never Markdown. Written here as Markdown-like
    source for legibility: ``#``s give the heading level; blank lines separate paragraphs;
    lines of one paragraph are joined without spaces (Chinese)."""
    lines = text.strip().split("\n")
    head = lines[0]
    level = len(head) - len(head.lstrip("#"))
    if not level:
        raise ValueError(f"a prose cell starts with its heading: {head!r}")
    paragraphs = [p for p in "\n".join(lines[1:]).split("\n\n") if p.strip()]
    args = [_literal(head.lstrip("#").strip())]
    args += [_literal("".join(line.strip() for line in p.split("\n"))) for p in paragraphs]
    if level != 2:
        args.append(f"level={level}")
    call = "pk.blocks.section(" + ", ".join(args) + ")"
    if len(call) > 100:
        call = "pk.blocks.section(\n    " + ",\n    ".join(args) + ",\n)"
    return code(call)


def note(text: str):
    """A paragraph of the notebook's own text without a heading."""
    joined = "".join(line.strip() for line in text.strip().split("\n"))
    return code(f"pk.blocks.par({_literal(joined)})")


def _literal(text: str) -> str:
    """A Python string literal of ``text`` in double quotes, Chinese as it is."""
    return json.dumps(text, ensure_ascii=False)


def code(text: str):
    return new_code_cell(text.strip())


DOMAIN_PARAMETERS = PARAMETERS + '''
domain: str = ""  # 领域代码：领域目录的文件名（perfkit codes 列出全部领域）；留空即本部门的第一个领域'''
DOMAIN_LOAD = LOAD + "\ndomain = pk.domainreport.resolve_domain(ev, domain)"


def header(title_call: str, parameters: str = PARAMETERS, load: str = LOAD) -> list:
    params = code(parameters)
    params.metadata["tags"] = ["parameters"]
    return [code("import perfkit as pk"), params, code(load), code(title_call)]


NOTEBOOKS = {
    "finance": header('pk.narrative.title(ev, "部门整体支出（财务）")') + [
        md("""
## 一、收支概况

本节根据部门决算表，给出收入、支出的决算数及其与预算的对比。下文数字均由工作簿计算得出，
括号中的单元格（如“收入!D8”）即数据出处。"""),
        code("pk.narrative.finance_overview(ev)"),
        md("### （一）收入决算"),
        code('pk.tables.budget_table(ev, "income")'),
        md("### （二）支出决算"),
        code('pk.tables.budget_table(ev, "expenditure")'),
        code("pk.charts.budget_vs_actual(ev)"),
        md("""
## 二、支出结构

基本支出、项目支出等分项占本年支出合计的比例。分项之和与合计不符时，差额以红色斜线单独显示为
“未说明差额”，需部门作出说明。"""),
        code("pk.charts.spending_structure(ev)"),
        md("""
## 三、“三公”经费

“三公”经费的预算、决算及与上年的对比。预算数未提供时，控制率无法计算。"""),
        code("pk.tables.three_public_table(ev)"),
        code("pk.charts.three_public_change(ev)"),
        md("""
## 四、财务绩效指标

各指标的计算方法见“计算方法”列；无法计算的指标注明原因。"""),
        code('pk.tables.indicator_table(ev, "finance")'),
        md("""
## 五、数据核对

决算报表内部的勾稽关系（合计 = 分项之和、结转结余恒等式）。容差按运行设置。"""),
        code("pk.tables.check_table(ev)"),
        md("### 需要说明的问题"),
        code("pk.narrative.finance_findings(ev)"),
        md("""
## 六、数据缺口

以下指标因工作簿未提供数据或基数为0而无法计算，不以0或100%代替。"""),
        code('pk.tables.gap_table(ev, "finance")'),
        md("""
## 七、历年变化

本年指标与此前各年度的比较。此前年度的数值取自各年度评价时保存的指标结果，不重新计算；
没有此前年度的结果时，本节只作说明。百分比指标的变动以百分点计。"""),
        code('pk.tables.change_table(ev, "finance")'),
        code('pk.charts.indicator_trend(ev, "finance")'),
    ],
}

def _gaps_md(numeral: str):
    return md(f"""
## {numeral}、数据缺口

以下目标有目标值而工作簿未提供实际值，或指标因数据缺失、基数为0而无法计算。它们不以0或100%代替，
请在工作簿中补充后重新运行。""")


def _checks_md(numeral: str):
    return md(f"""
## {numeral}、数据核对

业务数据内部的勾稽关系（分项之和 = 合计），以及与标准的比较。结论为“需说明”或“不一致”的，
需部门作出说明。""")


# One notebook for every domain (any catalog's, a project's own included): the runner runs it
# once per domain of the department-year with ``domain`` set; what it shows comes from the
# catalog (perfkit/domains/<key>.yaml): its label, topics, targets and sum checks.
NOTEBOOKS["domain"] = header("pk.domainreport.title(ev, domain)", DOMAIN_PARAMETERS,
                            DOMAIN_LOAD) + [
    code("pk.domainreport.intro(ev, domain)"),
    md("""
## 一、年度目标完成情况

年度目标来自工作簿“绩效指标”表（目标值、方向）。完成情况由实际值与目标值计算：方向“≥”时超过目标为
“超额”，“≤”时不超过目标为“达成”，“全面”即100%；没有实际值的目标标为“无实际值”，列入数据缺口。
标“推算”的目标数不是报告直接给出的，由领域目录的规则推算，推算方法见说明列。"""),
    code("pk.narrative.attainment_summary(ev, domain)"),
    code("pk.tables.attainment_table(ev, domain)"),
    code("pk.charts.attainment_overview(ev, domain)"),
    md("""
## 二、主要工作与成效

按领域目录的指标分组逐组列示。“类型”列为“报告数”的是工作簿填报的数值，为“计算”的是 perfkit 由多项
数据计算得出的，并给出计算方法；约数、“以上”等修饰照原文注明。"""),
    code("pk.domainreport.sections(ev, domain)"),
    _checks_md("三"),
    code("pk.tables.domain_check_table(ev, domain)"),
    code("pk.narrative.domain_findings(ev, domain)"),
    md("""
## 四、下年度目标

工作簿中目标年度晚于评价年度的目标（如下年工作思路中的目标），只列示，不在本年度判断完成情况。"""),
    code("pk.narrative.next_year_targets_text(ev, domain)"),
    code("pk.tables.next_year_table(ev, domain)"),
    md("""
## 五、与以前年度比较

本年各指标与以前年度评价时保存的指标结果比较；百分比指标有两个及以上年度数值的，
绘制趋势。工作簿“上年值”列给出的变化见第一节目标表。"""),
    code("pk.tables.change_table(ev, domain)"),
    code("pk.charts.indicator_trend(ev, domain)"),
    _gaps_md("六"),
    code("pk.tables.data_gap_table(ev, domain)"),
]

# The department's own document: its words from the 报告文字 sheet, in its own outline when it
# wrote one (标题级别), else in the standard outline; its figures from the workbook; a draft
# when it wrote nothing. No reviewer material here.
NOTEBOOKS["report"] = header("pk.selfreport.title(ev)") + [
    code("pk.selfreport.document(ev)"),
    code("pk.selfreport.signature(ev)"),
]

# The reviewer's document, an opinion a finance bureau signs: a one-page 复核结论 (both scores
# and grades — a range in a first reading —, the main problems, 整改要求 with its deadline,
# 结果应用, signature and seal), then every problem with its evidence and 整改建议, the 复核说明,
# the 补充资料清单 of a first reading, and the 附件 (the score sheet as reviewed with the
# deductions and the 口径 they cite, the audit, the cross-checks, PEFA, the gaps): each table
# once, cell references only in the 附件.
NOTEBOOKS["review"] = header("pk.review.title(ev)") + [
    code("pk.review.opinion_head(ev)"),
    code("pk.review.conclusion_page(ev)"),
    md("## 三、主要问题及整改建议"),
    code("pk.review.main_problems(ev)"),
    md("## 四、复核说明"),
    code("pk.review.stage_note(ev)"),
    code("pk.narrative.evaluation_process(ev)"),
    code("pk.review.monitoring_link(ev)"),
    note("""
复核扣分按原因归类：缺少佐证、年度目标未完成、指标值未达到评分标准、定性评价要点未满足、数据质量问题。
各类扣分之和减去部门自评时自己扣除的分数，等于自评得分与复核得分之差；逐项得分和理由见附件1。"""),
    code("pk.review.decomposition_table(ev)"),
    code("pk.review.supplements_section(ev)"),
    code("pk.blocks.PageBreak()"),
    md("## 附件"),
    md("""
### 附件1　复核评分表

逐项列出评分标准、复核得分和得分理由；“依据”列是评分所用的工作簿单元格或佐证材料。""", ),
    code("pk.review.score_table(ev)"),
    code("pk.reviewstage.deductions_table(ev)"),
    code("pk.reviewstage.rules_table(ev)"),
    md("""
### 附件2　报告数值与勾稽关系核对

把报告中陈述的数值（工作簿“报告数值”表）与由原始数据重新计算的结果逐项对照，并核对工作簿内部的勾稽关系。
“一致”：按报告所印位数四舍五入相符，或差额在容差以内；“舍入差异”：报告值是截尾值，或差额可由所引数据
本身的舍入解释；“不一致”：需部门更正或书面说明；“无法核对”：所需数据未提供、基数为0，或该数值无法独立于
报告本身重新计算；“未解释差额”：分项之和小于合计而缺少的分项未提供。"""),
    code("pk.narrative.audit_summary(ev)"),
    code('pk.tables.audit_table(ev, "报告数值")'),
    code('pk.tables.audit_table(ev, "勾稽关系")'),
    md("""
#### 报告文字中的数值

从部门的报告文字中识别所陈述的数值：句中给出运算数的按本句核对，能对应到工作簿数据的与数据核对。"""),
    code("pk.review.text_audit_summary(ev)"),
    code("pk.review.text_audit_table(ev)"),
    md("""
### 附件3　国际参照：PEFA 预算可靠性

PEFA 2016 框架支柱一衡量实际收支与年初批准预算的偏差，作为本地评分的第二意见；只有一个年度的数据时为
单年度参考评级。"""),
    code("pk.narrative.pefa_paragraph(ev)"),
    code("pk.tables.pefa_table(ev)"),
    md("""
### 附件4　数据缺口

工作簿没有提供的数据，以及因此无法计算的指标；不以0或100%代替。"""),
    code("pk.review.gaps_table(ev)"),
    md("""
### 附件5　指标定义（数据字典）

每个指标的名称、单位、计算方法和数据来源。"""),
    code("pk.tables.data_dictionary(ev)"),
    md("### 附件6　数据来源与版本"),
    code("pk.narrative.provenance(ev)"),
]


# Mid-year monitoring (绩效运行监控): run by ``perfkit run --monitor N`` on the 监控 workbook
# data/<dept>/<year>-monitor-<MM>.xlsx, not on the year's workbook; never part of a default run.
MONITOR_PARAMETERS = PARAMETERS.replace(
    "workbook: str = \"\"  # 工作簿路径（相对项目根目录）；留空即 data/<部门>/<年度>.xlsx",
    "workbook: str = \"\"  # 监控工作簿路径；留空即 data/<部门>/<年度>-monitor-<月份>.xlsx") + """
month: int = 7  # 截至月份（1-11）：监控1至该月的执行情况"""
MONITOR_LOAD = ("mon = pk.monitoring.load(department, year, month, workbook=workbook, "
                "params_file=params_file)")
NOTEBOOKS["monitor"] = header("pk.monitor.title(mon)", MONITOR_PARAMETERS, MONITOR_LOAD) + [
    note("""
本监控情况根据部门填报的绩效运行监控工作簿（预算执行表和监控表）生成：预算执行按时间进度调整后分级预警，
绩效目标按全年预计完成与年度指标值的比较判断完成风险，有偏差而未写明偏差原因或纠偏措施的逐项列出。"""),
    code("pk.monitor.overview(mon)"),
    md("""
## 一、预算执行进度

执行率 = 截至月末执行数 ÷ 预算数；按时间进度调整的执行率 = 执行率 ÷（已过月数/12）。预警等级的界限和按月的进度
节点按运行设置；缺少预算数的项目执行率无法计算，不以0代替。"""),
    code("pk.monitor.budget_table(mon)"),
    code("pk.monitor.execution_chart(mon)"),
    md("""
## 二、绩效目标执行情况

目标进度只对累计型目标计算（1至N月执行情况 ÷ 年度指标值）；比率、水平型目标（单位为%等）以截至月末的值
列示。全年预计完成按指标方向与年度指标值比较：预计完成达不到年度指标值，或完成目标可能性不是“确定能”的，
判断为有风险。"""),
    code("pk.monitor.target_table(mon)"),
    code("pk.monitor.targets_chart(mon)"),
    md("## 三、有完成风险的目标"),
    code("pk.monitor.risks(mon)"),
    md("## 四、未说明的偏差"),
    code("pk.monitor.unexplained(mon)"),
    md("## 五、预算执行与目标进度"),
    code("pk.monitor.mismatch(mon)"),
]


def notebook(name: str) -> nbformat.NotebookNode:
    """The notebook ``name`` as this file defines it."""
    nb = new_notebook(cells=NOTEBOOKS[name])
    for i, cell in enumerate(nb.cells):
        cell.id = f"{name}-{i:02d}"  # stable ids: a rebuild changes only what was edited
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    # What this notebook is, for a project's copy of it: an unedited copy made by an earlier
    # perfkit gives way to the current notebook (perfkit.config.notebook_path).
    nb.metadata["perfkit"] = {"cells_sha256": cells_stamp(nb)}
    return nb


def text(name: str) -> str:
    """The committed file's exact text (what :func:`build` writes)."""
    return nbformat.writes(notebook(name)) + "\n"


def build(name: str) -> Path:
    path = HERE / f"{name}.ipynb"
    path.write_text(text(name), encoding="utf-8")
    return path


if __name__ == "__main__":
    for name in NOTEBOOKS:
        print("wrote", build(name))
