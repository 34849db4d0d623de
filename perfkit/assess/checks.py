"""Checks the data must pass: the final accounts' identities and each domain's sums, hooks, units."""

from __future__ import annotations

import math

import pandas as pd

from perfkit import fmt
from perfkit.data.params import Settings
from perfkit.data.sheets import SHEET_BY_KEY, SUM_CHECKS, SumCheck
from perfkit.data.workbook import WorkbookData
from perfkit.domains import SumCheck as CatalogSumCheck
from perfkit.indicators.base import Reader, Undefined
from perfkit.indicators.metrics import CHECK_COLUMNS, CHECK_HOOKS, check_row, metric_value
from perfkit.indicators.registry import Registry, registry
from perfkit.verdicts import CONSISTENT, INCONSISTENT, UNEXPLAINED, UNVERIFIABLE


def _row(check_id, label, expected, actual, tol, verdict, explanation, cells):
    """One check: ``expected`` is what the rule gives (Σ parts, the identity), ``actual`` the
    figure the table states; ``difference`` = actual − expected (表列 − 应为), the sign the audit
    uses too (报告值 − 重新计算), so a difference reads the same in every report."""
    diff = actual - expected if not (math.isnan(expected) or math.isnan(actual)) else math.nan
    return {"check": check_id, "label_zh": label, "expected": expected, "actual": actual,
            "difference": diff, "tolerance": tol, "verdict": verdict, "explanation": explanation,
            "source_cells": "; ".join(cells)}


def _sum_check(c: SumCheck, data: WorkbookData, tol: float) -> dict:
    sheet = SHEET_BY_KEY[c.sheet]
    total = data.value(c.sheet, c.total, c.column)
    values = {p: data.value(c.sheet, p, c.column) for p in c.parts}
    # A subtotal row counts as given when its own parts are (e.g. 公务用车 = 购置 + 运维).
    if c.id.startswith("three_public") and math.isnan(values.get("vehicle", 0.0)):
        sub = [data.value(c.sheet, p, c.column) for p in ("vehicle_purchase", "vehicle_operation")]
        known_sub = [v for v in sub if not math.isnan(v)]
        if known_sub:
            values["vehicle"] = sum(known_sub)
    known = {p: v for p, v in values.items() if not math.isnan(v)}
    missing = [sheet.item(p).label for p in c.parts if p not in known]
    cells = [data.cell(c.sheet, c.total, c.column)] + [data.cell(c.sheet, p, c.column) for p in c.parts]
    if math.isnan(total) or not known:
        return _row(c.id, c.label_zh, math.nan, math.nan, tol, UNVERIFIABLE,
                    f"{sheet.item(c.total).label}或全部分项未提供", cells)
    parts_sum = sum(known.values())
    diff = parts_sum - total
    named = "、".join(sheet.item(p).label for p in known)
    if abs(diff) <= tol:
        note = f"已提供分项（{named}）合计{fmt.amount(parts_sum)}，与{sheet.item(c.total).label}相符"
        if missing:
            note += f"；{'、'.join(missing)}未提供"
        return _row(c.id, c.label_zh, parts_sum, total, tol, CONSISTENT, note, cells)
    gap = f"{named}合计{fmt.amount(parts_sum)}，比{sheet.item(c.total).label}{fmt.amount(total)}" + (
        f"少{fmt.amount(-diff)}" if diff < 0 else f"多{fmt.amount(diff)}")
    if missing and diff < 0:
        return _row(c.id, c.label_zh, parts_sum, total, tol, UNEXPLAINED,
                    f"{gap}；{'、'.join(missing)}未提供，差额未在分项中说明", cells)
    return _row(c.id, c.label_zh, parts_sum, total, tol, INCONSISTENT, gap, cells)


def _carryover_checks(data: WorkbookData, tol: float) -> list[dict]:
    income = data.value("income", "total", "actual")
    spend = data.value("expenditure", "total", "actual")
    current = data.value("balance", "current", "amount")
    opening = data.value("balance", "opening", "amount")
    closing = data.value("balance", "closing", "amount")
    distribution = data.value("balance", "distribution", "amount")
    rows = []
    cells = [data.cell("balance", "current", "amount"), data.cell("income", "total", "actual"),
             data.cell("expenditure", "total", "actual")]
    label = "本年结转结余 = 本年收入合计 − 本年支出合计"
    if any(math.isnan(v) for v in (income, spend, current)):
        rows.append(_row("carryover_current", label, math.nan, math.nan, tol, UNVERIFIABLE,
                         "本年结转结余、本年收入合计或本年支出合计未提供", cells))
    else:
        expected = income - spend
        verdict = CONSISTENT if abs(current - expected) <= tol else INCONSISTENT
        rows.append(_row("carryover_current", label, expected, current, tol, verdict,
                         f"收入{fmt.amount(income)} − 支出{fmt.amount(spend)} = {fmt.amount(expected)}，"
                         f"表列{fmt.amount(current)}", cells))
    label = "年末结转和结余 = 年初结转和结余 + 本年收入 − 本年支出 − 结余分配"
    cells = [data.cell("balance", k, "amount") for k in ("closing", "opening", "distribution")] + cells[1:]
    if any(math.isnan(v) for v in (opening, closing, income, spend)):
        missing = [n for n, v in (("年初结转和结余", opening), ("年末结转和结余", closing),
                                  ("本年收入合计", income), ("本年支出合计", spend)) if math.isnan(v)]
        rows.append(_row("carryover_identity", label, math.nan, closing, tol, UNVERIFIABLE,
                         f"{'、'.join(missing)}未提供", cells))
    else:
        expected = opening + income - spend - (0.0 if math.isnan(distribution) else distribution)
        verdict = CONSISTENT if abs(closing - expected) <= tol else INCONSISTENT
        rows.append(_row("carryover_identity", label, expected, closing, tol, verdict,
                         f"按恒等式应为{fmt.amount(expected)}，表列{fmt.amount(closing)}", cells))
    return rows


def run_checks(data: WorkbookData, settings: Settings) -> pd.DataFrame:
    """Run every finance cross-check.

    Returns:
        Tidy frame: check, label_zh, expected, actual, difference, tolerance, verdict,
        explanation, source_cells.
    """
    tol = settings.tolerance_wan_yuan
    rows = [_sum_check(c, data, tol) for c in SUM_CHECKS]
    rows += _carryover_checks(data, tol)
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------
# Domain checks: a catalog's sum checks, the domain's Python checks (hooks), units
# ---------------------------------------------------------------------------------------------


def metric_sum_check(c: CatalogSumCheck, domain: str, data: WorkbookData, settings: Settings,
                     reg: Registry) -> dict:
    """Check one catalog sum check on the workbook (exact for counts: tolerance 0)."""
    r = Reader(data, settings, reg)
    unit = reg.indicators[c.total].unit if c.total in reg.indicators else ""
    try:
        total = metric_value(r, c.total)
        parts = [metric_value(r, p) for p in c.parts]
    except Undefined as u:
        return check_row(c.id, domain, c.label_zh, unit, math.nan, math.nan, 0.0, UNVERIFIABLE,
                         u.reason.removeprefix("数据缺失："), r.used)
    s = sum(parts)
    named = " + ".join(f"{reg.label(p)}{fmt.count(v)}" for p, v in zip(c.parts, parts, strict=True))
    if math.isclose(s, total, abs_tol=1e-9):
        verdict, note = CONSISTENT, f"{named} = {fmt.count(s)}{unit}，与{reg.label(c.total)}相符"
    else:
        verdict = INCONSISTENT
        note = (f"{named} = {fmt.count(s)}{unit}，{reg.label(c.total)}为{fmt.count(total)}{unit}，"
                f"相差{fmt.count(abs(s - total))}{unit}")
    return check_row(c.id, domain, c.label_zh, unit, s, total, 0.0, verdict, note, r.used)


def unit_checks(data: WorkbookData, domain: str, reg: Registry) -> list[dict]:
    """Rows whose 单位 differs from the declared unit of their 指标代码 (one row per mismatch)."""
    frame = data.frames.get("targets")
    rows: list[dict] = []
    if frame is None or frame.empty:
        return rows
    for i, rec in frame[frame["domain"] == domain].iterrows():
        ind = reg.indicators.get(rec["code"]) if isinstance(rec["code"], str) else None
        unit = rec["unit"] if isinstance(rec["unit"], str) else ""
        if ind is None or not unit or unit == ind.unit:
            continue
        rows.append(check_row(f"unit_{ind.id}", domain, f"“{ind.label_zh}”的单位", ind.unit,
                              math.nan, math.nan, 0.0, INCONSISTENT,
                              f"工作簿填写单位“{unit}”，数据字典为“{ind.unit}”；请按数据字典的单位填写",
                              [data.cell("targets", i, "unit")]))
    return rows


def run_domain_checks(data: WorkbookData, settings: Settings, domain: str,
                      reg: Registry | None = None) -> pd.DataFrame:
    """Every check of a domain: its catalog's sum checks, its Python checks, unit checks (``reg``:
    the indicators in use, default the current project's)."""
    reg = reg or registry()
    rows = [metric_sum_check(c, domain, data, settings, reg) for c in reg.sum_checks(domain)]
    hook = CHECK_HOOKS.get(domain)
    if hook is not None:
        rows += hook(data, settings)
    rows += unit_checks(data, domain, reg)
    return pd.DataFrame(rows, columns=CHECK_COLUMNS)
