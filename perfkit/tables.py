"""Display tables for the notebooks: formatted, Chinese headers, text escaped; no new numbers."""

from __future__ import annotations

import math

import pandas as pd

from . import fmt
from .evaluation import Evaluation
from .workbook import SHEET_BY_KEY

MISSING = fmt.MISSING


def styled(frame: pd.DataFrame, caption: str | None = None):
    """Return a Styler without the index whose cells are HTML-escaped (workbook text is data)."""
    styler = frame.style.hide(axis="index").format(escape="html", na_rep=MISSING)
    styler = styler.set_table_attributes('class="pk-table"')
    if caption:
        styler = styler.set_caption(caption)
    return styler


def _ratio(num: float, den: float) -> str:
    if math.isnan(num) or math.isnan(den):
        return MISSING
    if den == 0:
        return "无法计算（基数为0）"
    return fmt.pct(num / den * 100)


def _change(now: float, before: float) -> tuple[str, str]:
    if math.isnan(now) or math.isnan(before):
        return MISSING, MISSING
    rate = "无法计算（基数为0）" if before == 0 else fmt.pct((now - before) / before * 100)
    return fmt.num(now - before), rate


def budget_table(ev: Evaluation, sheet: str):
    """收入 or 支出 by line: budgets, actual, completion rate, change on last year."""
    d = ev.data
    budget_col = "budget_adjusted" if ev.settings.budget_basis == "adjusted" else "budget_initial"
    basis = "调整预算" if budget_col == "budget_adjusted" else "年初预算"
    rows = []
    for item in SHEET_BY_KEY[sheet].items:
        v = {c: d.value(sheet, item.key, c)
             for c in ("budget_initial", "budget_adjusted", "actual", "prior_actual")}
        change, rate = _change(v["actual"], v["prior_actual"])
        rows.append({
            "项目": ("　其中：" if item.parent else "") + item.label,
            "年初预算数（万元）": fmt.num(v["budget_initial"]),
            "调整预算数（万元）": fmt.num(v["budget_adjusted"]),
            "决算数（万元）": fmt.num(v["actual"]),
            f"完成率（决算/{basis}）": _ratio(v["actual"], v[budget_col]),
            "上年决算数（万元）": fmt.num(v["prior_actual"]),
            "同比增减率": rate,
            "决算数单元格": d.cell(sheet, item.key, "actual"),
        })
    return styled(pd.DataFrame(rows))


def three_public_table(ev: Evaluation):
    """"三公"经费 by item: budget, actual, control rate, last year, change."""
    d = ev.data
    rows = []
    for item in SHEET_BY_KEY["three_public"].items:
        v = {c: d.value("three_public", item.key, c) for c in ("budget", "actual", "prior_actual")}
        change, rate = _change(v["actual"], v["prior_actual"])
        rows.append({
            "项目": ("　其中：" if item.parent else "") + item.label,
            "预算数（万元）": fmt.num(v["budget"]),
            "决算数（万元）": fmt.num(v["actual"]),
            "控制率（决算/预算）": _ratio(v["actual"], v["budget"]),
            "上年决算数（万元）": fmt.num(v["prior_actual"]),
            "增减额（万元）": change,
            "增减率": rate,
            "决算数单元格": d.cell("three_public", item.key, "actual"),
        })
    return styled(pd.DataFrame(rows))


def indicator_table(ev: Evaluation, domain: str):
    """Every indicator of a domain: value with unit, formula, note and the cells it read."""
    rows = []
    for _, r in ev.domain_indicators(domain).iterrows():
        rows.append({
            "指标": r["label_zh"],
            "数值": fmt.with_unit(r["value"], r["unit"], int(r["decimals"]),
                                 missing=r["note"] or MISSING),
            "计算方法": r["definition_zh"],
            "数据来源单元格": r["source_cells"],
        })
    return styled(pd.DataFrame(rows))


def gap_table(ev: Evaluation, domain: str):
    """Indicators of a domain that cannot be computed, with the reason (the data gaps)."""
    ind = ev.domain_indicators(domain)
    gaps = ind[ind["value"].isna()]
    frame = pd.DataFrame({"指标": gaps["label_zh"], "原因": gaps["note"]})
    if frame.empty:
        frame = pd.DataFrame({"指标": ["（无）"], "原因": ["全部指标均可计算"]})
    return styled(frame)


def check_table(ev: Evaluation):
    """Finance cross-checks with verdicts."""
    c = ev.checks
    frame = pd.DataFrame({
        "核对项": c["label_zh"],
        "应为（万元）": c["expected"].map(fmt.num),
        "实际（万元）": c["actual"].map(fmt.num),
        "差额（万元）": c["difference"].map(fmt.num),
        "容差（万元）": c["tolerance"].map(fmt.num),
        "结论": c["verdict"],
        "说明": c["explanation"],
    })
    return styled(frame)


# ---------------------------------------------------------------------------------------------
# Audit: the figures a report states, recomputed (numbers from perfkit.audit)
# ---------------------------------------------------------------------------------------------

#: How each audit verdict is marked in the reviewer's table.
AUDIT_VERDICT_STYLE = {"不一致": "color: #B22222; font-weight: bold", "舍入差异": "color: #B8860B",
                       "未解释差额": "color: #B8860B", "无法核对": "color: #808080"}


def _audit_value(value: float, unit: str, note: str, verdict: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        if verdict != "无法核对":
            return ""  # a pass/fail check without a figure (e.g. grade band)
        return "无法计算（基数为0）" if "基数为0" in str(note) else "无法计算"
    if unit == "%" or unit == "万元":
        return fmt.with_unit(value, unit)
    return fmt.count(value) + (unit or "")


def _audit_difference(value: float, unit: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    sign = "+" if value > 0 and fmt.num(value) != "0.00" else ""
    return sign + fmt.num(value) + ("个百分点" if unit == "%" else unit or "")


def audit_frame(ev: Evaluation, category: str | None = None) -> pd.DataFrame:
    """The audit as a reviewer reads it: figure, stated, recomputed, difference, verdict, why.

    Args:
        ev: the evaluation.
        category: only ``报告数值``, ``勾稽关系`` or ``评分表`` rows; all when None.

    Returns:
        A plain frame with Chinese headers (the CLI prints it; :func:`audit_table` styles it).
        差额 is 报告值 minus 重新计算.
    """
    from .audit import STATED, audit

    a = audit(ev)
    if category:
        a = a[a["category"] == category]
    return pd.DataFrame({
        "编号": [r if c == STATED else "" for r, c in zip(a["ref"], a["category"], strict=True)],
        "类别": a["category"],
        "核对项": a["figure"],
        "报告值": a["stated"],
        "重新计算": [_audit_value(v, u, n, c) for v, u, n, c in
                     zip(a["recomputed"], a["unit"], a["explanation"], a["verdict"], strict=True)],
        "差额": [_audit_difference(d, u) for d, u in zip(a["difference"], a["unit"], strict=True)],
        "结论": a["verdict"],
        "说明": a["explanation"],
    })


def audit_table(ev: Evaluation, category: str | None = None):
    """The audit table for the report, verdicts marked (不一致 red, 舍入差异 amber)."""
    frame = audit_frame(ev, category)
    if frame.empty:
        frame = pd.DataFrame({"核对项": ["（无）"],
                              "结论": ["工作簿“报告数值”表为空，没有需要核对的报告数值"]})
        return styled(frame)
    return styled(frame).map(lambda v: AUDIT_VERDICT_STYLE.get(v, ""), subset=["结论"])


def _signed(value: float, unit: str) -> str:
    """A change with its sign: percentage points for % indicators, else the indicator's unit."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    sign = "+" if value > 0 else ""
    if unit == "%":
        return f"{sign}{fmt.num(value)}个百分点"
    return sign + fmt.with_unit(value, unit)


def change_table(ev: Evaluation, domain: str = "finance"):
    """Each indicator this year against the latest earlier year with a value (perfkit.history).

    Earlier years come from their runs' ``tables/indicators.csv``. Without any earlier year the
    result is one line of text saying so.
    """
    from .history import changes, earlier_years
    from .narrative import Text

    years = earlier_years(ev)
    if not years:
        return Text(f"没有{ev.year}年以前年度的运行结果（outputs/{ev.settings.department}/ 下无此前"
                    "年度的 tables/indicators.csv），本节不作历年比较。")
    c = changes(ev, domain)
    # Never computable in any year: the gap table lists those.
    c = c[c["value"].notna() | c["prior_value"].notna()].reset_index(drop=True)
    unit = c["unit"]
    frame = pd.DataFrame({
        "指标": c["label_zh"],
        "比较年度": [MISSING if math.isnan(y) else f"{int(y)}年" for y in c["prior_year"]],
        "上期数值": [fmt.with_unit(v, u) for v, u in zip(c["prior_value"], unit, strict=True)],
        f"{ev.year}年": [fmt.with_unit(v, u) for v, u in zip(c["value"], unit, strict=True)],
        "变动": [_signed(v, u) for v, u in zip(c["change"], unit, strict=True)],
        "变动率": [n or fmt.pct(v)
                for v, n in zip(c["change_pct"], c["change_note"], strict=True)],
        "方向": c["direction"],
    })
    caption = f"与此前年度比较（此前有结果的年度：{'、'.join(str(y) for y in years)}）"
    return styled(frame, caption)
