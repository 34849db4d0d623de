"""Write the report notebooks from their cell lists (keeps them reviewable and output-free).

Run ``python notebooks/build_notebooks.py`` after editing a cell list below. The notebooks may
also be edited in JupyterLab; the hygiene test checks them either way.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

PARAMETERS = '''department: str = "yiyang-edu"  # 部门代码（data/ 下的文件夹名）
year: int = 2019  # 评价年度
workbook: str = ""  # 工作簿路径（相对项目根目录）；留空即 data/<部门>/<年度>.xlsx
params_file: str = ""  # 运行设置 YAML；留空即 params/<部门>/<年度>.yaml'''

LOAD = "ev = pk.load(department, year, workbook=workbook, params_file=params_file)"


def md(text: str):
    return new_markdown_cell(text.strip())


def code(text: str):
    return new_code_cell(text.strip())


def header(title_call: str) -> list:
    params = code(PARAMETERS)
    params.metadata["tags"] = ["parameters"]
    return [code("import perfkit as pk"), params, code(LOAD), code(title_call)]


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

本年指标与此前各年度的比较。此前年度的数值取自各年度运行时写下的指标表
（outputs/<部门>/<年度>/tables/indicators.csv），不重新计算；没有此前年度的结果时，本节只作说明。
百分比指标的变动以百分点计。"""),
        code('pk.tables.change_table(ev, "finance")'),
        code('pk.charts.indicator_trend(ev, "finance")'),
    ],
}


def build(name: str, cells: list) -> Path:
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    path = HERE / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


if __name__ == "__main__":
    for name, cells in NOTEBOOKS.items():
        print("wrote", build(name, cells))
