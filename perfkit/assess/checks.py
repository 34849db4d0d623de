"""Cross-checks the final-accounts identities must pass (totals = parts, carry-over identity)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from perfkit import fmt
from perfkit.data.params import Settings
from perfkit.data.sheets import SHEET_BY_KEY
from perfkit.data.workbook import WorkbookData

CONSISTENT = "一致"
INCONSISTENT = "不一致"
UNEXPLAINED = "未解释差额"
UNVERIFIABLE = "无法核对"


@dataclass(frozen=True)
class SumCheck:
    """``total`` of ``sheet`` must equal the sum of ``parts`` in ``column``."""

    id: str
    label_zh: str
    sheet: str
    total: str
    parts: tuple[str, ...]
    column: str = "actual"


SUM_CHECKS: tuple[SumCheck, ...] = (
    SumCheck("income_parts", "本年收入合计 = 各项收入之和", "income", "total",
             ("fiscal", "superior_subsidy", "service", "business", "affiliated", "other")),
    SumCheck("expenditure_parts", "本年支出合计 = 基本 + 项目 + 上缴上级 + 经营 + 对附属单位补助",
             "expenditure", "total", ("basic", "project", "remit", "business", "subsidy")),
    SumCheck("basic_parts", "基本支出 = 人员经费 + 公用经费", "expenditure", "basic",
             ("personnel", "public")),
    SumCheck("three_public_parts", "“三公”合计 = 出国 + 公务用车 + 接待（本年）", "three_public", "total",
             ("abroad", "vehicle", "reception")),
    SumCheck("three_public_prior_parts", "“三公”合计 = 出国 + 公务用车 + 接待（上年）", "three_public",
             "total", ("abroad", "vehicle", "reception"), "prior_actual"),
    SumCheck("vehicle_parts", "公务用车小计 = 购置费 + 运行维护费", "three_public", "vehicle",
             ("vehicle_purchase", "vehicle_operation")),
)


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
