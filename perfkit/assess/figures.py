"""Stated figures against the data: verdicts and the audit rows.

A reviewer copies the figures of a submitted report into the 报告数值 sheet, as printed
("68.2%", "4.04亿元", "增加16.69万元"), each with its 核对对象. :func:`audit_stated`
recomputes every one from the raw data and gives a verdict; :func:`audit_internal` gives the
workbook's internal sums (finance cross-checks from :mod:`perfkit.assess.checks`, the domains'
绩效指标 part-sums, the 支出功能分类 hierarchy). The whole audit, with the score-sheet arithmetic,
is :func:`perfkit.assess.audit.audit`.

What a figure is checked against is written in the 核对对象 language (:mod:`perfkit.assess.checkspec`);
its value is recomputed with the range its inputs' rounding allows (:mod:`perfkit.assess.recompute`).

Verdicts, decided in this order (``d`` = decimals the report prints):

1. 一致 — the recomputed value rounded half-up to ``d`` decimals is the printed value;
2. 舍入差异 — the printed value is the recomputed value *truncated* to ``d`` decimals;
3. 舍入差异 — some value within the rounding range of the inputs rounds to the printed value;
4. 一致 — the difference is within tolerance (``Settings.tolerance_pp`` for ratios,
   ``tolerance_wan_yuan`` for amounts, 0 for counts and scores);
5. 不一致 — otherwise, with the recomputed value, the difference and a diagnosis (digits
   swapped, one digit wrong, "100%" beside an overspend, sign reversed, 元/万元 mixed);
6. 无法核对 — an input is missing, the base is zero (no percentage exists, so a printed "100%"
   is not a growth rate), the 核对对象 is unknown, or the recomputation would use the stated
   figure itself.

Printed values carrying 以上/超过/余 or 以内/以下 are bounds, 约/近/左右 approximations.
"""

from __future__ import annotations

import logging
import math
import re
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

import pandas as pd

from perfkit import fmt
from perfkit.assess.checks import metric_sum_check
from perfkit.assess.checkspec import parse_check
from perfkit.assess.evaluation import Evaluation
from perfkit.assess.recompute import Recomputed, recompute, recompute_indicator
from perfkit.cells import as_text, is_missing
from perfkit.data.params import Settings, settings_from_dict
from perfkit.data.printed import (
    AMOUNT_UNITS,
    AuditParseError,
    PrintedValue,
    decimals_of,
    parse_printed,
)
from perfkit.data.sheets import SHEET_BY_KEY
from perfkit.data.workbook import WorkbookData
from perfkit.indicators.base import NOT_COMPUTABLE_ZERO
from perfkit.verdicts import CONFIRMED, CONSISTENT, INCONSISTENT, ROUNDING, UNVERIFIABLE

log = logging.getLogger(__name__)


STATED = "报告数值"
INTERNAL = "勾稽关系"
SCORES = "评分表"

#: Columns of tables/audit.csv. ``difference`` = stated - recomputed, in ``unit``.
AUDIT_COLUMNS = ["ref", "category", "figure", "check", "stated", "stated_value", "recomputed",
                 "unit", "difference", "tolerance", "verdict", "explanation", "location",
                 "source_cells"]


# ---------------------------------------------------------------------------------------------
# Verdicts
# ---------------------------------------------------------------------------------------------


def _dec(x: float) -> Decimal:
    return Decimal(repr(round(float(x), 9)))


def _round(x: float, decimals: int, mode=ROUND_HALF_UP) -> Decimal:
    return _dec(x).quantize(Decimal(1).scaleb(-decimals), rounding=mode)


def _show(x: float, unit: str, decimals: int) -> str:
    if unit == "%":
        return fmt.pct(x, decimals)
    return fmt.num(x, decimals) + unit


def _diff_unit(unit: str) -> str:
    return "个百分点" if unit == "%" else unit


def _show_decimals(p: PrintedValue, value: float) -> int:
    """Decimals to show a recomputed value with: one more than printed, so a reader sees why."""
    if p.unit == "%":
        return max(2, p.decimals + 1)
    if p.unit in AMOUNT_UNITS:
        return 2
    return min(decimals_of(value), p.decimals + 2)


def _digit_diagnosis(printed: Decimal, correct: Decimal) -> str:
    # Digits only: "134.39" against "133.49" is a swap of the adjacent digits 3 and 4.
    a, b = str(abs(printed)).replace(".", ""), str(abs(correct)).replace(".", "")
    if len(a) != len(b) or (printed < 0) != (correct < 0):
        return ""
    diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    adjacent = len(diff) == 2 and diff[1] == diff[0] + 1
    if adjacent and (a[diff[0]], a[diff[1]]) == (b[diff[1]], b[diff[0]]):
        return "疑为相邻两位数字颠倒"
    if len(diff) == 1:
        return "疑为一位数字错误"
    return ""


def judge(p: PrintedValue, r: Recomputed, tolerance: float) -> tuple[str, str]:
    """The verdict on one printed value against its recomputation.

    Args:
        p: the printed value, already in ``r.unit`` (see :meth:`PrintedValue.in_unit`).
        r: the recomputed value and the range its rounded inputs allow.
        tolerance: the difference accepted as 一致 (in ``r.unit``).

    Returns:
        ``(verdict, explanation)`` — the explanation is Chinese and names both values.
    """
    unit, d = r.unit, p.decimals
    if math.isnan(r.value):
        reason = r.reason.removeprefix("数据缺失：")
        if NOT_COMPUTABLE_ZERO in r.reason or "基数为0" in r.reason:
            note = "基数为0，百分比不存在（不能写作100%或无穷大）"
            if p.kind == "percent":
                note += f"；报告值“{p.text.strip()}”没有依据"
            return UNVERIFIABLE, note
        prefix = "输入缺失：" if r.reason.startswith("数据缺失") else ""
        return UNVERIFIABLE, prefix + reason
    shown = _show(r.value, unit, _show_decimals(p, r.value))
    stated = p.value
    diff = stated - r.value
    scale = p.scale
    rounded = _round(r.value / scale, d)
    rounded_text = f"{rounded}{p.suffix or unit}"
    base = f"重新计算为{shown}"
    if p.bound == "≥":
        if r.value >= stated - tolerance or rounded >= p.number:
            return CONSISTENT, f"{base}，不低于报告所称“{p.text.strip()}”"
        gap = _show(-diff, _diff_unit(unit), max(d, 2))
        return INCONSISTENT, f"{base}，低于报告所称“{p.text.strip()}”{gap}"
    if p.bound == "≤":
        if r.value <= stated + tolerance or rounded <= p.number:
            return CONSISTENT, f"{base}，不超过报告所称“{p.text.strip()}”"
        gap = _show(diff, _diff_unit(unit), max(d, 2))
        return INCONSISTENT, f"{base}，超出报告所称“{p.text.strip()}”{gap}"
    if p.bound == "≈":
        # An approximation is read to its significant digits: "近3000" is 3000 ± 500.
        sig = Decimal(str(abs(p.number))).normalize().as_tuple().exponent
        half = 0.5 * 10.0 ** max(int(sig), -d) * scale
        if abs(diff) <= half + tolerance:
            return CONSISTENT, f"{base}，报告所称约数“{p.text.strip()}”在其有效位数内相符"
        gap = _show(abs(diff), _diff_unit(unit), 2)
        return INCONSISTENT, f"{base}，与报告所称约数“{p.text.strip()}”相差{gap}"
    if rounded == p.number:
        return CONSISTENT, f"{base}，按报告所印位数四舍五入即“{p.text.strip()}”"
    truncated = _round(r.value / scale, d, ROUND_DOWN)
    if truncated == p.number:
        return ROUNDING, (f"{base}，报告值“{p.text.strip()}”为截尾（舍去）而非四舍五入，"
                          f"四舍五入应为{rounded_text}")
    lo_p, hi_p = r.low / scale, r.high / scale
    half_q = 0.5 * 10.0 ** (-d)
    eps = 1e-9 * max(1.0, abs(float(p.number)))
    # Half-up rounding: the printed value stands for [p − ½, p + ½) and the inputs' range is
    # half-open the same way, so ranges that only touch do not overlap.
    if lo_p + eps < float(p.number) + half_q and hi_p - eps > float(p.number) - half_q and (
            r.low != r.high):
        inputs = "；".join(r.coarse) if r.coarse else "各输入按其所印位数"
        gap = _show(abs(diff), _diff_unit(unit), 2)
        return ROUNDING, (f"{base}，与报告值“{p.text.strip()}”相差{gap}；"
                          f"输入数据本身是舍入后的数（{inputs}），其真值可使结果在"
                          f"{_show(r.low, unit, 2)}至{_show(r.high, unit, 2)}之间，"
                          "可解释该差异")
    if abs(diff) <= tolerance + 1e-9:
        return CONSISTENT, (f"{base}，与报告值相差{_show(abs(diff), _diff_unit(unit), 2)}，"
                            f"在容差{_show(tolerance, _diff_unit(unit), 2)}以内")
    notes = []
    if p.kind == "percent" and p.number == 100 and abs(r.value - 100) > tolerance:
        if r.value > 100:
            over = _show(r.value - 100, "个百分点", 2)
            notes.append(f"报告称“100%”，而实际为{shown}，超出预算{over}（超支或超收），"
                         "“完成100%”与数据矛盾")
        else:
            notes.append(f"报告称“100%”，而实际只有{shown}")
    elif r.value != 0 and (stated * r.value < 0) and math.isclose(abs(stated), abs(r.value),
                                                                rel_tol=0.01):
        notes.append("增减方向（正负号）与数据相反")
    elif r.value != 0 and any(math.isclose(abs(stated / r.value), f, rel_tol=0.01)
                              for f in (1e4, 1e-4)):
        notes.append("相差约一万倍，疑为元与万元混用")
    else:
        digits = _digit_diagnosis(p.number, rounded)
        if digits:
            notes.append(f"{digits}，按数据应为{rounded_text}")
        elif d == 0 and p.kind == "percent" and r.value < stated:
            notes.append(f"取整后的表述掩盖了差距：按数据四舍五入应为{rounded_text}")
    text = (f"{base}，报告值“{p.text.strip()}”，相差{_show(diff, _diff_unit(unit), 2)}，"
            f"超出容差{_show(tolerance, _diff_unit(unit), 2)}")
    if notes:
        text += "；" + "；".join(notes)
    return INCONSISTENT, text


def tolerance_for(unit: str, ev: Evaluation | Settings) -> float:
    """The tolerance for a figure in ``unit``: pp for ratios, 万元 for amounts, 0 otherwise."""
    settings = ev.settings if isinstance(ev, Evaluation) else ev
    if unit == "%":
        return float(settings.tolerance_pp)
    if unit in AMOUNT_UNITS:
        return float(settings.tolerance_wan_yuan) / AMOUNT_UNITS[unit]
    return 0.0



def blank_row(columns: list[str], values: dict[str, Any]) -> dict[str, Any]:
    """An audit row of ``columns``: text empty, figures NaN, then ``values``."""
    row: dict[str, Any] = dict.fromkeys(columns, "")
    row.update({"stated_value": math.nan, "recomputed": math.nan, "difference": math.nan,
                "tolerance": math.nan})
    row.update(values)
    return row


def audit_row(**kw: Any) -> dict[str, Any]:
    return blank_row(AUDIT_COLUMNS, kw)


def audit_figure(ev: Evaluation, check: Any, stated: Any) -> dict[str, Any]:
    """Recompute what one 核对对象 names and judge one printed figure against it.

    The one place where a stated figure meets the data: the 报告数值 sheet (:func:`audit_stated`)
    and figures read from a report's text (:mod:`perfkit.assess.reporttext`) both come here.

    Returns:
        The audit-row fields stated_value, recomputed, unit, difference, tolerance, verdict,
        explanation and ``cells`` (the workbook cells the recomputation read).
    """
    try:
        spec = parse_check(check, ev.data, ev.registry.indicators)
        r = recompute(ev, spec)
    except AuditParseError as exc:
        return {"verdict": UNVERIFIABLE, "explanation": str(exc), "cells": []}
    except Exception as exc:  # one faulty formula must not hide the rest of the audit
        log.exception("audit of %s failed", check)
        return {"verdict": UNVERIFIABLE, "cells": [],
                "explanation": f"重新计算出错（{type(exc).__name__}），请报告维护者"}
    return judge_row(stated, r, tolerance_for(r.unit, ev))


def judge_row(stated: Any, r: Recomputed, tolerance: float) -> dict[str, Any]:
    """Parse a printed figure, judge it against ``r`` and return the audit-row fields."""
    out = {"recomputed": r.value, "unit": r.unit, "tolerance": tolerance, "cells": r.cells}
    try:
        p = stated if isinstance(stated, PrintedValue) else parse_printed(stated)
        p = p.in_unit(r.unit)
    except AuditParseError as exc:
        return {**out, "verdict": UNVERIFIABLE, "explanation": str(exc)}
    verdict, note = judge(p, r, tolerance)
    # Rounded to 10 decimals so that float noise (-1.7e-12) does not reach the tidy file.
    diff = round(p.value - r.value, 10) if not math.isnan(r.value) else math.nan
    return {**out, "stated_value": p.value, "difference": diff, "verdict": verdict,
            "explanation": note}


def audit_stated(ev: Evaluation) -> pd.DataFrame:
    """Recompute every figure of the 报告数值 sheet and judge it (one row per figure)."""
    frame = ev.data.frames.get("stated")
    rows = []
    if frame is None or frame.empty:
        return pd.DataFrame(columns=AUDIT_COLUMNS)
    for i, rec in frame.iterrows():
        ref = as_text(rec["ref"]) or f"第{i + 2}行"
        common = {"ref": ref, "category": STATED, "figure": as_text(rec["statement"]),
                  "check": as_text(rec["check"]), "stated": as_text(rec["stated"]),
                  "location": as_text(rec["location"])}
        result = audit_figure(ev, rec["check"], rec["stated"])
        cells = result.pop("cells")
        if "recomputed" in result:
            cells = [ev.data.cell("stated", i, "stated"), *cells]
        else:  # the 核对对象 itself could not be used
            cells = [ev.data.cell("stated", i, "check")]
        rows.append(audit_row(**common, **result, source_cells="; ".join(dict.fromkeys(cells))))
        log.debug("audit %s: %s", ref, result["verdict"])
    return pd.DataFrame(rows, columns=AUDIT_COLUMNS)


def show_figure(value: float, unit: str) -> str:
    if is_missing(value):
        return ""
    if unit == "%" or unit in AMOUNT_UNITS:
        return _show(value, unit, 2)
    return fmt.count(value) + unit


def rows_from_checks(checks: pd.DataFrame, unit_default: str = "万元"):
    """Rows of a perfkit.assess.checks-shaped frame as audit rows (stated = the printed figure)."""
    rows = []
    for _, c in checks.iterrows():
        unit = as_text(c.get("unit", "")) or unit_default
        # Every check holds the stated figure in ``actual`` and what the rule gives in
        # ``expected`` (perfkit.assess.checks), so the audit's 报告值 − 重新计算 is the checks' 差额.
        stated, recomputed = c["actual"], c["expected"]
        known = not (math.isnan(stated) or math.isnan(recomputed))
        diff = stated - recomputed if known else math.nan
        rows.append(audit_row(ref=str(c["check"]), category=INTERNAL, figure=c["label_zh"],
                         check=str(c["check"]), stated=show_figure(stated, unit),
                         stated_value=stated, recomputed=recomputed, unit=unit, difference=diff,
                         tolerance=c["tolerance"], verdict=c["verdict"],
                         explanation=c["explanation"], source_cells=c["source_cells"]))
    return rows


def _metric_sum_rows(ev: Evaluation) -> list[dict]:
    """The 绩效指标 part-sums the catalogs of the covered domains declare (``sum_checks``)."""
    rows = []
    for domain in ev.domains:
        checks = [metric_sum_check(c, domain, ev.data, ev.settings, ev.registry)
                  for c in ev.registry.sum_checks(domain)]
        if checks:
            rows += rows_from_checks(pd.DataFrame(checks))
    return rows


def _functional_rows(ev: Evaluation) -> list[dict]:
    """支出功能分类: each 类/款 equals the sum of its 款/项, and Σ 类 equals 本年支出合计."""
    data = ev.data
    frame = data.frames.get("functional")
    if frame is None or frame.empty:
        return []
    tol = float(ev.settings.tolerance_wan_yuan)
    codes = {i: re.sub(r"\D", "", as_text(c)) for i, c in frame["code"].items()}
    rows = []

    def add(label, total_key, part_keys, column, ref):
        total = data.value(*total_key)
        parts = [data.value(*k) for k in part_keys]
        cells = "; ".join(data.cell(*k) for k in [total_key, *part_keys])
        if math.isnan(total) or any(math.isnan(p) for p in parts):
            rows.append(audit_row(ref=ref, category=INTERNAL, figure=label, check=ref, unit="万元",
                             verdict=UNVERIFIABLE, explanation="合计或分项未全部提供",
                             source_cells=cells))
            return
        s = sum(parts)
        verdict = CONSISTENT if abs(total - s) <= tol else INCONSISTENT
        note = f"分项合计{fmt.amount(s)}，表列{fmt.amount(total)}"
        if verdict == INCONSISTENT:
            note += f"，相差{fmt.amount(total - s)}"
        rows.append(audit_row(ref=ref, category=INTERNAL, figure=label, check=ref,
                         stated=fmt.num(total), stated_value=total, recomputed=s, unit="万元",
                         difference=total - s, tolerance=tol, verdict=verdict, explanation=note,
                         source_cells=cells))

    header = {c.key: c.header for c in SHEET_BY_KEY["functional"].columns}
    for i, code in codes.items():
        children = [j for j, c in codes.items() if len(c) == len(code) + 2 and c.startswith(code)]
        if len(code) not in (3, 5) or not children:
            continue
        for column in ("budget_initial", "budget_adjusted", "actual"):
            if math.isnan(data.value("functional", i, column)) and all(
                    math.isnan(data.value("functional", j, column)) for j in children):
                continue
            add(f"{code} {as_text(frame.at[i, 'name'])}（{header[column]}）= 下级科目之和",
                ("functional", i, column), [("functional", j, column) for j in children], column,
                f"functional_{code}_{column}")
    top = [i for i, c in codes.items() if len(c) == 3]
    if top and not math.isnan(data.value("expenditure", "total", "actual")):
        add("本年支出合计 = 支出功能分类各类之和（决算数）", ("expenditure", "total", "actual"),
            [("functional", i, "actual") for i in top], "actual", "functional_total")
    return rows


def audit_internal(ev: Evaluation) -> pd.DataFrame:
    """The workbook's own sums: finance cross-checks, 绩效指标 part-sums, 支出功能分类, and a 实际值
    typed on a computed indicator's row against the computed value."""
    rows = (rows_from_checks(ev.checks) + _metric_sum_rows(ev) + _functional_rows(ev)
            + typed_computed_rows(ev) + _confirmed_rows(ev))
    return pd.DataFrame(rows, columns=AUDIT_COLUMNS)


def typed_computed_notes(data: WorkbookData, settings: Settings | None = None) -> list[str]:
    """``perfkit check``'s notes on 实际值 typed on computed indicators' rows that disagree with
    the computed value (cell, both values, which one the reports use)."""
    settings = settings or settings_from_dict({"department": "check", "year": data.year})
    rows = typed_computed_rows(Evaluation(data, settings))
    return [f"{r['explanation']}（如计算所用的数据有误，请改正；否则删去该实际值，留空由perfkit计算）"
            for r in rows if r["verdict"] == INCONSISTENT]


#: Reference prefix of the audit rows :func:`typed_computed_rows` writes.
TYPED_COMPUTED = "typed_"


def typed_computed_rows(ev: Evaluation) -> list[dict]:
    """A 实际值 typed on the 绩效指标 row of an indicator perfkit computes (孕产妇死亡率 …), judged
    against the computed value as a printed figure is (its printed decimals, the rounding of the
    inputs, the settings' tolerance). The reports use the computed value; a typed figure that
    disagrees with it is a data-quality finding (不一致), one that agrees is listed as 一致.
    """
    frame = ev.data.frames.get("targets")
    if frame is None or frame.empty:
        return []
    wanted = set(ev.target_domains)
    indicators = ev.registry.indicators
    rows, seen = [], set()
    for i, rec in frame.iterrows():
        code = as_text(rec["code"])
        typed = float(rec["actual"])
        if (not code or code in seen or math.isnan(typed) or rec["domain"] not in wanted
                or code not in indicators or indicators[code].reported):
            continue
        seen.add(code)
        ind = indicators[code]
        cell = ev.data.cell("targets", i, "actual")
        r = recompute_indicator(ev, code)
        stated = PrintedValue(text=fmt.with_unit(typed, ind.unit, decimals_of(typed)),
                              number=Decimal(repr(typed)), decimals=decimals_of(typed), scale=1.0,
                              unit=ind.unit, kind="percent" if ind.unit == "%" else "number")
        result = judge_row(stated, r, tolerance_for(ind.unit, ev))
        cells = [cell, *result.pop("cells")]
        if result["verdict"] == INCONSISTENT:
            computed_text = fmt.with_unit(r.value, ind.unit, ind.decimals)
            result["explanation"] = (
                f"{cell}填写的{ind.label_zh}实际值{stated.text}与perfkit按“{ind.definition_zh}”"
                f"计算的{computed_text}不一致，相差{fmt.with_unit(typed - r.value, ind.unit, 2)}；"
                f"报告使用计算值{computed_text}")
        rows.append(audit_row(ref=f"{TYPED_COMPUTED}{code}", category=INTERNAL,
                              figure=f"{ind.label_zh}：填写的实际值与计算值", check=code,
                              stated=stated.text, location=cell, **result,
                              source_cells="; ".join(dict.fromkeys(cells))))
    return rows


def _confirmed_rows(ev: Evaluation) -> list[dict]:
    """One row per implausibly large (or small) figure the department confirmed as real."""
    return [audit_row(ref=f"confirmed_{p.sheet}!{p.cell}", category=INTERNAL,
                 figure=f"数值规模（{p.sheet}!{p.cell}）", check="confirmed_values",
                 verdict=CONFIRMED,
                 explanation=f"{p.found}；部门在运行设置 confirmed_values 中确认为实际数，"
                             "请核对原始凭证",
                 location="运行设置 confirmed_values", source_cells=f"{p.sheet}!{p.cell}")
            for p in ev.data.confirmed]
