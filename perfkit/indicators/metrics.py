"""Declared 绩效指标 metrics, stated-figure parsing and the domain-check row shared by domains."""

from __future__ import annotations

import importlib
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..params import Settings
from ..printed import parse_printed
from ..workbook import WorkbookData
from .base import Direction, Reader, Undefined, indicator

#: Verdict of a domain check whose figures disagree with a standard and need an explanation.
EXPLAIN = "需说明"
CONSISTENT = "一致"
INCONSISTENT = "不一致"
UNVERIFIABLE = "无法核对"

METRIC_SOURCE = "绩效指标: 实际值（按指标代码）"


@dataclass(frozen=True)
class Metric:
    """A business statistic that is one 绩效指标 value: declared here, read by its code.

    The id is both the indicator id and the 指标代码 of its 绩效指标 row.
    """

    id: str
    label_zh: str
    unit: str
    direction: Direction = Direction.NEUTRAL
    definition_zh: str = "绩效指标表“实际值”（报告所列业务统计）"
    decimals: int = 2


def register_metrics(domain: str, metrics: Iterable[Metric]) -> None:
    """Register each metric as an indicator that reads its 绩效指标 实际值."""
    for m in metrics:

        def read(r: Reader, code: str = m.id) -> float:
            return metric_value(r, code)

        read.__name__ = read.__qualname__ = m.id
        indicator(domain=domain, label_zh=m.label_zh, unit=m.unit, direction=m.direction,
                  definition_zh=m.definition_zh, source=METRIC_SOURCE.replace("代码", f"代码 {m.id}"),
                  decimals=m.decimals)(read)


def _label(code: str) -> str:
    from .base import REGISTRY

    ind = REGISTRY.get(code)
    return ind.label_zh if ind else code


def metric_value(r: Reader, code: str, column: str = "actual") -> float:
    """Return a 绩效指标 value by code, raising :class:`Undefined` that names the metric."""
    row = r.metric_row(code)
    v = r.optional("targets", row, column)
    if math.isnan(v):
        ref = r.data.cell("targets", row, column)
        header = {"actual": "实际值", "target": "目标值", "prior": "上年值"}.get(column, column)
        raise Undefined(f"数据缺失：绩效指标“{_label(code)}”{header}（{ref}）未提供", (ref,))
    return v


# ---------------------------------------------------------------------------------------------
# Stated figures (报告数值) as printed: value and printed precision
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class StatedNumber:
    """A number as a report prints it: value, unit and half of its last printed digit."""

    value: float
    unit: str
    half_unit: float
    text: str
    cell: str = ""


def parse_stated(text: str) -> StatedNumber:
    """Parse a printed figure such as ``161.98%`` or ``4.04亿元`` (amounts in 万元).

    Raises:
        ValueError: the text is not one printed figure.
    """
    p = parse_printed(text)
    if p.kind == "number" and p.multiplier:
        p = p.in_unit("万元")  # a bare 4.04亿 is an amount
    return StatedNumber(p.value, p.unit, p.half_unit, str(text))


def stated_number(r: Reader, check: str) -> StatedNumber:
    """Read the 报告数值 row for ``check`` (recording its cell) and parse it."""
    frame = r.data.frames.get("stated")
    hits = [] if frame is None or frame.empty else list(frame.index[frame["check"] == check])
    if frame is None or not hits:
        raise Undefined(f"数据缺失：报告数值表中没有核对对象 {check}")
    ref = r.data.cell("stated", hits[0], "stated")
    r.used.append(ref)
    text = str(frame.at[hits[0], "stated"])
    try:
        parsed = parse_stated(text)
    except ValueError:
        raise Undefined(f"报告数值“{text}”（{ref}）不是数字", (ref,)) from None
    return StatedNumber(parsed.value, parsed.unit, parsed.half_unit, parsed.text, ref)


def implied_integer_base(numerator: float, stated: StatedNumber) -> int:
    """The one whole number ``b`` with ``numerator / b × 100`` rounding to the stated percent.

    Used to recover a target count a report gives only as a completion ratio (703 eliminated,
    "161.98% of the target" → 434).

    Raises:
        Undefined: no whole number, or more than one, is consistent with the printed ratio.
    """
    low_pct, high_pct = stated.value - stated.half_unit, stated.value + stated.half_unit
    if low_pct <= 0:
        raise Undefined(f"报告比例“{stated.text}”为0或负数，无法推算目标数", (stated.cell,))
    lo = numerator / high_pct * 100
    hi = numerator / low_pct * 100
    candidates = list(range(math.ceil(lo), math.floor(hi) + 1))
    if len(candidates) != 1:
        raise Undefined(f"由报告比例“{stated.text}”无法唯一推算目标数（可能值{len(candidates)}个）",
                        (stated.cell,))
    return candidates[0]


# ---------------------------------------------------------------------------------------------
# Domain checks: rows in the shape of perfkit.checks, with a unit
# ---------------------------------------------------------------------------------------------

CHECK_COLUMNS = ["check", "domain", "label_zh", "unit", "expected", "actual", "difference",
                 "tolerance", "verdict", "explanation", "source_cells"]


def check_row(check: str, domain: str, label: str, unit: str, expected: float, actual: float,
              tolerance: float, verdict: str, explanation: str, cells: Iterable[str]) -> dict[str, Any]:
    """One domain-check row (``difference`` = actual − expected, NaN when either is missing)."""
    diff = actual - expected if not (math.isnan(expected) or math.isnan(actual)) else math.nan
    return {"check": check, "domain": domain, "label_zh": label, "unit": unit, "expected": expected,
            "actual": actual, "difference": diff, "tolerance": tolerance, "verdict": verdict,
            "explanation": explanation, "source_cells": "; ".join(dict.fromkeys(c for c in cells if c))}


@dataclass(frozen=True)
class MetricSum:
    """The 绩效指标 value ``total`` must equal the sum of ``parts`` (all by code)."""

    id: str
    label_zh: str
    total: str
    parts: tuple[str, ...]


def metric_sum_check(c: MetricSum, domain: str, data: WorkbookData, settings: Settings) -> dict:
    """Check one :class:`MetricSum` on the workbook (exact for counts: tolerance 0)."""
    from .. import fmt
    from .base import REGISTRY

    r = Reader(data, settings)
    unit = REGISTRY[c.total].unit if c.total in REGISTRY else ""
    try:
        total = metric_value(r, c.total)
        parts = [metric_value(r, p) for p in c.parts]
    except Undefined as u:
        return check_row(c.id, domain, c.label_zh, unit, math.nan, math.nan, 0.0, UNVERIFIABLE,
                         u.reason.removeprefix("数据缺失："), r.used)
    s = sum(parts)
    named = " + ".join(f"{_label(p)}{fmt.count(v)}" for p, v in zip(c.parts, parts, strict=True))
    if math.isclose(s, total, abs_tol=1e-9):
        verdict, note = CONSISTENT, f"{named} = {fmt.count(s)}{unit}，与{_label(c.total)}相符"
    else:
        verdict = INCONSISTENT
        note = (f"{named} = {fmt.count(s)}{unit}，{_label(c.total)}为{fmt.count(total)}{unit}，"
                f"相差{fmt.count(abs(s - total))}{unit}")
    return check_row(c.id, domain, c.label_zh, unit, total, s, 0.0, verdict, note, r.used)


def unit_checks(data: WorkbookData, domain: str) -> list[dict]:
    """Rows whose 单位 differs from the declared unit of their 指标代码 (one row per mismatch)."""
    from .base import REGISTRY

    frame = data.frames.get("targets")
    rows: list[dict] = []
    if frame is None or frame.empty:
        return rows
    for i, rec in frame[frame["domain"] == domain].iterrows():
        ind = REGISTRY.get(rec["code"]) if isinstance(rec["code"], str) else None
        unit = rec["unit"] if isinstance(rec["unit"], str) else ""
        if ind is None or not unit or unit == ind.unit:
            continue
        rows.append(check_row(f"unit_{ind.id}", domain, f"“{ind.label_zh}”的单位", ind.unit,
                              math.nan, math.nan, 0.0, INCONSISTENT,
                              f"工作簿填写单位“{unit}”，数据字典为“{ind.unit}”；请按数据字典的单位填写",
                              [data.cell("targets", i, "unit")]))
    return rows


def run_domain_checks(data: WorkbookData, settings: Settings, domain: str) -> pd.DataFrame:
    """Every check a domain declares (``SUM_CHECKS`` and ``checks()``), plus unit checks."""
    from . import load_all

    load_all()
    module = importlib.import_module(f"{__package__}.{domain}")
    rows = [metric_sum_check(c, domain, data, settings) for c in getattr(module, "SUM_CHECKS", ())]
    extra = getattr(module, "checks", None)
    if extra is not None:
        rows += extra(data, settings)
    rows += unit_checks(data, domain)
    return pd.DataFrame(rows, columns=CHECK_COLUMNS)
