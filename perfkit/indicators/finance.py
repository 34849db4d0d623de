"""Finance indicators (部门整体支出) and the same rates line by line for the 收入, 支出, 三公 tables."""

from __future__ import annotations

import math

import pandas as pd

from perfkit.data.params import Settings
from perfkit.data.sheets import SHEET_BY_KEY
from perfkit.data.workbook import WorkbookData
from perfkit.indicators.base import Direction, Reader, Undefined, indicator, safe_divide
from perfkit.rates import change_pct, change_pct_noted

D = "finance"
_BASIS = "年初预算（或按设置取调整预算）"


@indicator(domain=D, label_zh="收入预算完成率", unit="%", direction=Direction.NEAR_100,
           definition_zh=f"本年收入合计决算数 / 本年收入合计{_BASIS} × 100%",
           source="收入: 本年收入合计 决算数, 年初预算数/调整预算数")
def revenue_execution_pct(r: Reader) -> float:
    return safe_divide(r.get("income", "total", "actual"),
                       r.get("income", "total", r.budget_column())) * 100


@indicator(domain=D, label_zh="事业收入完成率", unit="%", direction=Direction.NEAR_100,
           definition_zh=f"事业收入决算数 / 事业收入{_BASIS} × 100%",
           source="收入: 事业收入 决算数, 年初预算数/调整预算数")
def service_revenue_execution_pct(r: Reader) -> float:
    return safe_divide(r.get("income", "service", "actual"),
                       r.get("income", "service", r.budget_column())) * 100


@indicator(domain=D, label_zh="支出预算完成率", unit="%", direction=Direction.NEAR_100,
           definition_zh=f"本年支出合计决算数 / 本年支出合计{_BASIS} × 100%",
           source="支出: 本年支出合计 决算数, 年初预算数/调整预算数")
def expenditure_execution_pct(r: Reader) -> float:
    return safe_divide(r.get("expenditure", "total", "actual"),
                       r.get("expenditure", "total", r.budget_column())) * 100


@indicator(domain=D, label_zh="预算调整率", unit="%", direction=Direction.LOWER_BETTER,
           definition_zh="(调整预算数 − 年初预算数) / 年初预算数 × 100%（支出合计）",
           source="支出: 本年支出合计 年初预算数, 调整预算数")
def budget_adjustment_pct(r: Reader) -> float:
    initial = r.get("expenditure", "total", "budget_initial")
    return change_pct(r.get("expenditure", "total", "budget_adjusted"), initial)


@indicator(domain=D, label_zh="基本支出占比", unit="%",
           definition_zh="基本支出决算数 / 本年支出合计决算数 × 100%",
           source="支出: 基本支出, 本年支出合计 决算数")
def basic_expenditure_share_pct(r: Reader) -> float:
    return safe_divide(r.get("expenditure", "basic", "actual"),
                       r.get("expenditure", "total", "actual")) * 100


@indicator(domain=D, label_zh="项目支出占比", unit="%",
           definition_zh="项目支出决算数 / 本年支出合计决算数 × 100%",
           source="支出: 项目支出, 本年支出合计 决算数")
def project_expenditure_share_pct(r: Reader) -> float:
    return safe_divide(r.get("expenditure", "project", "actual"),
                       r.get("expenditure", "total", "actual")) * 100


_SPENDING_PARTS = ("basic", "project", "remit", "business", "subsidy")


@indicator(domain=D, label_zh="支出分项未说明差额", unit="万元", direction=Direction.LOWER_BETTER,
           definition_zh="本年支出合计 − (基本支出 + 项目支出 + 上缴上级支出 + 经营支出 + "
                         "对附属单位补助支出)，未提供的分项按未说明计",
           source="支出: 各分项及本年支出合计 决算数")
def unexplained_expenditure_wan_yuan(r: Reader) -> float:
    total = r.get("expenditure", "total", "actual")
    parts = [r.optional("expenditure", k, "actual") for k in _SPENDING_PARTS]
    known = [p for p in parts if p == p]
    if not known:
        raise Undefined("数据缺失：支出分项均未提供")
    return total - sum(known)


@indicator(domain=D, label_zh="人员经费占基本支出比例", unit="%",
           definition_zh="人员经费决算数 / 基本支出决算数 × 100%",
           source="支出: 人员经费, 基本支出 决算数")
def personnel_share_pct(r: Reader) -> float:
    return safe_divide(r.get("expenditure", "personnel", "actual"),
                       r.get("expenditure", "basic", "actual")) * 100


@indicator(domain=D, label_zh="公用经费占基本支出比例", unit="%",
           definition_zh="公用经费决算数 / 基本支出决算数 × 100%",
           source="支出: 公用经费, 基本支出 决算数")
def public_share_pct(r: Reader) -> float:
    return safe_divide(r.get("expenditure", "public", "actual"),
                       r.get("expenditure", "basic", "actual")) * 100


@indicator(domain=D, label_zh="公用经费控制率", unit="%", direction=Direction.LOWER_BETTER,
           definition_zh=f"公用经费决算数 / 公用经费{_BASIS} × 100%",
           source="支出: 公用经费 决算数, 预算数")
def public_funds_control_pct(r: Reader) -> float:
    return safe_divide(r.get("expenditure", "public", "actual"),
                       r.get("expenditure", "public", r.budget_column())) * 100


@indicator(domain=D, label_zh="重点支出安排率", unit="%", direction=Direction.HIGHER_BETTER,
           definition_zh="重点项目支出 / 项目支出 × 100%",
           source="支出: 重点项目支出, 项目支出 决算数")
def key_expenditure_share_pct(r: Reader) -> float:
    return safe_divide(r.get("expenditure", "key_project", "actual"),
                       r.get("expenditure", "project", "actual")) * 100


@indicator(domain=D, label_zh="本年结转结余", unit="万元",
           definition_zh="本年收入合计决算数 − 本年支出合计决算数（负数表示动用以前年度结余）",
           source="收入、支出: 合计 决算数")
def carryover_current_wan_yuan(r: Reader) -> float:
    return r.get("income", "total", "actual") - r.get("expenditure", "total", "actual")


@indicator(domain=D, label_zh="年末结转和结余", unit="万元",
           definition_zh="结转结余表 年末结转和结余（累计结转结余）", source="结转结余: 年末结转和结余")
def carryover_closing_wan_yuan(r: Reader) -> float:
    return r.get("balance", "closing", "amount")


@indicator(domain=D, label_zh="结转结余率", unit="%", direction=Direction.LOWER_BETTER,
           definition_zh="年末结转和结余 / 支出预算数（或按设置取支出决算数）× 100%",
           source="结转结余: 年末结转和结余; 支出: 本年支出合计")
def carryover_rate_pct(r: Reader) -> float:
    column = r.budget_column() if r.settings.carryover_rate_basis == "budget" else "actual"
    return safe_divide(r.get("balance", "closing", "amount"),
                       r.get("expenditure", "total", column)) * 100


@indicator(domain=D, label_zh="结转结余变动率", unit="%", direction=Direction.LOWER_BETTER,
           definition_zh="(年末结转和结余 − 年初结转和结余) / 年初结转和结余 × 100%",
           source="结转结余: 年初结转和结余, 年末结转和结余")
def carryover_change_pct(r: Reader) -> float:
    opening = r.get("balance", "opening", "amount")
    return change_pct(r.get("balance", "closing", "amount"), opening)


@indicator(domain=D, label_zh="“三公”经费支出合计", unit="万元", direction=Direction.LOWER_BETTER,
           definition_zh="“三公”经费 合计 决算数", source="三公经费: 合计 决算数")
def three_public_total_wan_yuan(r: Reader) -> float:
    return r.get("three_public", "total", "actual")


@indicator(domain=D, label_zh="“三公”经费控制率", unit="%", direction=Direction.LOWER_BETTER,
           definition_zh="“三公”经费决算数 / “三公”经费预算数 × 100%",
           source="三公经费: 合计 决算数, 预算数")
def three_public_control_pct(r: Reader) -> float:
    return safe_divide(r.get("three_public", "total", "actual"),
                       r.get("three_public", "total", "budget")) * 100


def _three_public_pair(r: Reader, item: str) -> tuple[float, float]:
    if r.settings.three_public_change_basis == "budget":
        return r.get("three_public", item, "budget"), r.get("three_public", item, "prior_budget")
    return r.get("three_public", item, "actual"), r.get("three_public", item, "prior_actual")


@indicator(domain=D, label_zh="“三公”经费较上年增减额", unit="万元", direction=Direction.LOWER_BETTER,
           definition_zh="本年“三公”经费决算数 − 上年决算数", source="三公经费: 合计 决算数, 上年决算数")
def three_public_change_wan_yuan(r: Reader) -> float:
    now, before = _three_public_pair(r, "total")
    return now - before


@indicator(domain=D, label_zh="“三公”经费变动率", unit="%", direction=Direction.LOWER_BETTER,
           definition_zh="(本年“三公”经费 − 上年“三公”经费) / 上年“三公”经费 × 100%（口径按设置取决算数或预算数）",
           source="三公经费: 合计 决算数, 上年决算数")
def three_public_change_pct(r: Reader) -> float:
    now, before = _three_public_pair(r, "total")
    return change_pct(now, before)


@indicator(domain=D, label_zh="在职人员控制率", unit="%", direction=Direction.LOWER_BETTER,
           definition_zh="在职人数 / 编制数 × 100%", source="基本信息: 在职人数, 编制数")
def staff_control_pct(r: Reader) -> float:
    return safe_divide(r.get("info", "staff_actual_count", "value"),
                       r.get("info", "staff_authorized_count", "value")) * 100


# ---------------------------------------------------------------------------------------------
# Line by line: the rates the 收入, 支出 and 三公经费 tables show for each of their rows
# ---------------------------------------------------------------------------------------------

#: Columns of :func:`sheet_lines`.
LINE_COLUMNS = ["item", "label", "parent", "budget_initial", "budget_adjusted", "budget", "actual",
                "prior_actual", "execution_pct", "execution_note", "change_wan_yuan",
                "change_pct", "change_note", "actual_cell"]


def _rate_pct(numerator: float, denominator: float) -> tuple[float, str]:
    """numerator / denominator × 100 and why it has no value: "" when an input is missing (the
    table shows 未提供), 无法计算（基数为0） for a zero base."""
    if math.isnan(numerator) or math.isnan(denominator):
        return math.nan, ""
    try:
        return safe_divide(numerator, denominator) * 100, ""
    except Undefined as u:
        return math.nan, u.reason


def sheet_lines(data: WorkbookData, settings: Settings, sheet: str) -> pd.DataFrame:
    """Every row of 收入, 支出 (``budget`` is the settings' budget column) or 三公经费 (its 预算数):
    the execution rate 决算 / 预算 × 100 (the control rate of 三公经费), the change on last
    year's 决算 in 万元 and in % of it.

    Returns:
        One row per item of the sheet, columns :data:`LINE_COLUMNS`; a rate that cannot be
        computed is NaN with its note.
    """
    budget_column = "budget" if sheet == "three_public" else settings.budget_column
    rows = []
    for item in SHEET_BY_KEY[sheet].items:
        def value(column: str, key: str = item.key) -> float:
            return data.value(sheet, key, column) if column in _columns(sheet) else math.nan

        actual, prior, budget = value("actual"), value("prior_actual"), value(budget_column)
        execution, execution_note = _rate_pct(actual, budget)
        known = not (math.isnan(actual) or math.isnan(prior))
        change, change_note = change_pct_noted(actual, prior)
        rows.append({
            "item": item.key, "label": item.label, "parent": item.parent or "",
            "budget_initial": value("budget_initial"), "budget_adjusted": value("budget_adjusted"),
            "budget": budget, "actual": actual, "prior_actual": prior,
            "execution_pct": execution, "execution_note": execution_note,
            "change_wan_yuan": actual - prior if known else math.nan,
            "change_pct": change, "change_note": change_note,
            "actual_cell": data.cell(sheet, item.key, "actual"),
        })
    return pd.DataFrame(rows, columns=LINE_COLUMNS)


def _columns(sheet: str) -> set[str]:
    return {c.key for c in SHEET_BY_KEY[sheet].columns}
