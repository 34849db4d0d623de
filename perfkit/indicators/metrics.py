"""Reading 绩效指标 values by code, stated figures, and the hooks a domain adds in Python."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from perfkit.data.params import Settings
from perfkit.data.printed import parse_printed
from perfkit.data.workbook import WorkbookData
from perfkit.indicators.base import Reader, Undefined

METRIC_SOURCE = "绩效指标: 实际值（按指标代码）"




def metric_value(r: Reader, code: str, column: str = "actual") -> float:
    """Return a 绩效指标 value by code, raising :class:`Undefined` that names the metric.

    ``actual`` reads the reader's :attr:`~perfkit.indicators.base.Reader.metric_column`.
    """
    if column == "actual":
        column = r.metric_column
    row = r.metric_row(code)
    v = r.optional("targets", row, column)
    if math.isnan(v):
        ref = r.data.cell("targets", row, column)
        header = {"actual": "实际值", "target": "目标值", "prior": "上年值"}.get(column, column)
        raise Undefined(f"数据缺失：绩效指标“{r.registry.label(code)}”{header}（{ref}）未提供", (ref,))
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
# Domain checks: rows in the shape of perfkit.assess.checks, with a unit
# ---------------------------------------------------------------------------------------------

CHECK_COLUMNS = ["check", "domain", "label_zh", "unit", "expected", "actual", "difference",
                 "tolerance", "verdict", "explanation", "source_cells"]


def check_row(check: str, domain: str, label: str, unit: str, expected: float, actual: float,
              tolerance: float, verdict: str, explanation: str, cells: Iterable[str]) -> dict[str, Any]:
    """One domain-check row: ``expected`` by the rule (Σ parts, a standard), ``actual`` as stated;
    ``difference`` = actual − expected (表列 − 应为, as perfkit.assess.checks), NaN when either is missing."""
    diff = actual - expected if not (math.isnan(expected) or math.isnan(actual)) else math.nan
    return {"check": check, "domain": domain, "label_zh": label, "unit": unit, "expected": expected,
            "actual": actual, "difference": diff, "tolerance": tolerance, "verdict": verdict,
            "explanation": explanation, "source_cells": "; ".join(dict.fromkeys(c for c in cells if c))}


#: Checks a domain computes in Python beyond its catalog's sum checks: domain → function of
#: (workbook, settings) returning check rows (:func:`check_row`). See :func:`domain_checks`.
CHECK_HOOKS: dict[str, Callable[[WorkbookData, Settings], list[dict]]] = {}
#: Data gaps a domain finds in Python beyond missing indicator values: domain → function of the
#: workbook returning rows with label_zh, kind, reason, cells.
GAP_HOOKS: dict[str, Callable[[WorkbookData], list[dict]]] = {}


def domain_checks(domain: str):
    """Register a function as the Python checks of ``domain`` (e.g. the 学生资助 sheet's)."""
    def register(func):
        CHECK_HOOKS[domain] = func
        return func
    return register


def domain_gaps(domain: str):
    """Register a function as the Python data-gap finder of ``domain``."""
    def register(func):
        GAP_HOOKS[domain] = func
        return func
    return register
