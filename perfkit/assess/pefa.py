"""PEFA 2016 pillar I (budget reliability) beside the local score: PI-1, PI-2, PI-3.1."""

from __future__ import annotations

import dataclasses
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from perfkit import config, fmt, reads
from perfkit.assess.evaluation import Evaluation
from perfkit.assess.intervals import Interval
from perfkit.cells import is_missing
from perfkit.data.params import Settings, load_settings, safe_path
from perfkit.data.reader import load_workbook
from perfkit.data.sheets import SHEET_BY_KEY
from perfkit.errors import PerfkitError

log = logging.getLogger(__name__)

NO_GRADE = "D"

#: PEFA 2016 bands (A, B, C; anything else is D). Outturns are closed ranges around 100%;
#: composition variances are "less than" thresholds.
PI1_BANDS = (("A", Interval.parse("[95, 105]")), ("B", Interval.parse("[90, 110]")),
             ("C", Interval.parse("[85, 115]")))
PI2_BANDS = (("A", Interval.parse("[0, 5)")), ("B", Interval.parse("[0, 10)")),
             ("C", Interval.parse("[0, 15)")))
PI31_BANDS = (("A", Interval.parse("[97, 106]")), ("B", Interval.parse("[94, 112]")),
              ("C", Interval.parse("[92, 116]")))

SINGLE_YEAR = "单年度参考（PEFA 要求最近三年数据，此为单一年度的指示性评级）"
TWO_YEARS = "两年数据（三年中两年的规则已满足的最低等级，第三年数据可能使评级提高）"
TWO_OF_THREE = "最近三年中至少两年达到该等级（PEFA 2016 规则）"
NOT_RATED = "无法评级"

#: The economic categories of PI-2.2: the top-level lines of the 支出 sheet.
ECONOMIC_LINES = tuple(i.key for i in SHEET_BY_KEY["expenditure"].items
                       if i.parent is None and i.key != "total")


@dataclass(frozen=True)
class YearValue:
    """One year's value of a PEFA measure (NaN with ``note`` when it cannot be computed)."""

    year: int
    value: float
    note: str = ""
    cells: str = ""


def band_grade(value: float, bands) -> str:
    """The best grade whose band holds ``value`` (D when none does, "" when value is NaN)."""
    if is_missing(value):
        return ""
    for grade, band in bands:
        if value in band:
            return grade
    return NO_GRADE


def multi_year_grade(values: Sequence[float], bands) -> tuple[str, str]:
    """Grade a measure over years with PEFA's two-of-the-last-three rule.

    Args:
        values: the yearly values, oldest first; NaN for a year without data.
        bands: (grade, interval) pairs, best first.

    Returns:
        (grade, basis): one usable year gives a single-year indication; two give the grade both
        reach (a floor); three or more apply "at least two of the last three years".
    """
    known = [v for v in list(values)[-3:] if not math.isnan(v)]
    if not known:
        return "", NOT_RATED
    if len(known) == 1:
        return band_grade(known[0], bands), SINGLE_YEAR
    for grade, band in bands:
        if sum(v in band for v in known) >= 2:
            return grade, TWO_OF_THREE if len(known) == 3 else TWO_YEARS
    return NO_GRADE, TWO_OF_THREE if len(known) == 3 else TWO_YEARS


def composition_variance_pct(budget: Sequence[float], actual: Sequence[float]) -> float:
    """PEFA composition variance by the adjusted-budget method, in %.

    k = Σactual / Σbudget; variance = Σ|actual_i − k·budget_i| / Σ(k·budget_i) × 100, so the
    aggregate deviation (PI-1) is taken out and only the shift between categories remains.

    Raises:
        ValueError: lengths differ, fewer than two categories, or a zero budget total.
    """
    if len(budget) != len(actual):
        raise ValueError("budget and actual must have the same categories")
    if len(budget) < 2:
        raise ValueError("composition needs at least two categories")
    total_b, total_a = math.fsum(budget), math.fsum(actual)
    if total_b == 0:
        raise ValueError("zero budget total")
    k = total_a / total_b
    adjusted = [k * b for b in budget]
    denominator = math.fsum(adjusted)
    if denominator == 0:
        raise ValueError("zero adjusted budget total")
    deviation = math.fsum(abs(a - kb) for a, kb in zip(actual, adjusted, strict=True))
    return deviation / denominator * 100


# ---------------------------------------------------------------------------------------------
# One year's measures from a workbook
# ---------------------------------------------------------------------------------------------


def _outturn(ev: Evaluation, sheet: str) -> YearValue:
    """Actual / original approved budget (年初预算, whatever the local completion-rate basis)."""
    d = ev.data
    actual, budget = d.value(sheet, "total", "actual"), d.value(sheet, "total", "budget_initial")
    cells = f"{d.cell(sheet, 'total', 'actual')}; {d.cell(sheet, 'total', 'budget_initial')}"
    label = SHEET_BY_KEY[sheet].name
    if math.isnan(actual) or math.isnan(budget):
        which = "决算数" if math.isnan(actual) else "年初预算数"
        return YearValue(ev.year, math.nan, f"{label}合计{which}未提供", cells)
    if budget == 0:
        return YearValue(ev.year, math.nan, fmt.NOT_COMPUTABLE_ZERO, cells)
    return YearValue(ev.year, actual / budget * 100, "", cells)


def composition_categories(ev: Evaluation, classification: str) -> pd.DataFrame:
    """The categories PI-2 compares, with budget, actual and their completeness.

    Args:
        ev: the evaluation.
        classification: ``economic`` (the top-level 支出 lines) or ``functional`` (the
            支出功能分类 sheet, at the broadest code level that has at least two categories).

    Returns:
        Frame: name, budget, actual, cells (one row per category that has any figure).
    """
    d = ev.data
    rows = []
    if classification == "economic":
        for key in ECONOMIC_LINES:
            b = d.value("expenditure", key, "budget_initial")
            a = d.value("expenditure", key, "actual")
            if math.isnan(b) and math.isnan(a):
                continue
            rows.append({"name": SHEET_BY_KEY["expenditure"].item(key).label,
                         "budget": b, "actual": a,
                         "cells": f"{d.cell('expenditure', key, 'budget_initial')}; "
                                  f"{d.cell('expenditure', key, 'actual')}"})
        return pd.DataFrame(rows, columns=["name", "budget", "actual", "cells"])
    frame = d.frames.get("functional")
    if frame is None or frame.empty:
        return pd.DataFrame(columns=["name", "budget", "actual", "cells"])
    lengths = frame["code"].astype(str).str.strip().str.len()
    level = next((n for n in sorted(lengths.unique()) if (lengths == n).sum() >= 2), lengths.min())
    for idx, r in frame[lengths == level].iterrows():
        rows.append({"name": f"{str(r['code']).strip()} {r['name']}", "budget": r["budget_initial"],
                     "actual": r["actual"],
                     "cells": f"{d.cell('functional', idx, 'budget_initial')}; "
                              f"{d.cell('functional', idx, 'actual')}"})
    return pd.DataFrame(rows, columns=["name", "budget", "actual", "cells"])


def _composition(ev: Evaluation, classification: str) -> YearValue:
    cats = composition_categories(ev, classification)
    what = "支出功能分类科目" if classification == "functional" else "支出经济分类（支出表各分项）"
    if cats.empty:
        return YearValue(ev.year, math.nan, f"未提供{what}的预算与决算")
    incomplete = cats[cats["budget"].isna() | cats["actual"].isna()]
    cells = "; ".join(cats["cells"])
    if not incomplete.empty:
        names = "、".join(f"{n}{'年初预算数' if math.isnan(b) else '决算数'}"
                         for n, b in zip(incomplete["name"], incomplete["budget"], strict=True))
        return YearValue(ev.year, math.nan, f"{names}未提供，无法按类别比较", cells)
    try:
        value = composition_variance_pct(cats["budget"].tolist(), cats["actual"].tolist())
    except ValueError:
        note = ("类别不足两个，无法计算结构偏差" if len(cats) < 2 else fmt.NOT_COMPUTABLE_ZERO)
        return YearValue(ev.year, math.nan, note, cells)
    return YearValue(ev.year, value, "", cells)


# ---------------------------------------------------------------------------------------------
# Several years
# ---------------------------------------------------------------------------------------------


def history(ev: Evaluation, years: int = 3) -> list[Evaluation]:
    """The evaluation and up to ``years − 1`` earlier ones (data/<dept>/<year>.xlsx), oldest first.

    An earlier workbook that is absent is skipped; one that fails validation is skipped with a
    warning (its problems are reported when that year is run).
    """
    found = [ev]
    for y in range(ev.year - 1, ev.year - years, -1):
        path = config.workbook_path(ev.settings.department, y, ev.project)
        if not path.exists():
            reads.file(path)  # absent now: adding it later changes this assessment
            continue
        try:
            path = safe_path(path, "workbook", ev.project)  # a link out of the project is not followed
            known = _settings(ev.settings.department, y, ev.project)
            data = load_workbook(path, expected_year=y,
                                 confirmed=known.confirmed_values if known else (),
                                 limits=known.read_limits if known else ev.settings.read_limits,
                                 project=ev.project)
        except PerfkitError as exc:
            log.warning("PEFA: %s not used: %s", path, exc)
            continue
        found.append(Evaluation(data, dataclasses.replace(ev.settings, year=y, workbook=""),
                                ev.project))
    return sorted(found, key=lambda e: e.year)


def _settings(department: str, year: int, project: config.Project) -> Settings | None:
    """That year's own run settings, if any (its workbook is read as its run reads it: the
    cells it confirms, its limits)."""
    if not config.params_path(department, year, project).exists():
        return None
    return load_settings(department, year, project=project)


@dataclass(frozen=True)
class Dimension:
    """One PEFA dimension perfkit assesses."""

    id: str
    label_zh: str
    definition_zh: str
    bands: tuple
    measure: str  # "expenditure" / "income" outturn, or "economic" / "functional" composition


DIMENSIONS = (
    Dimension("PI-1", "支出总额执行偏差（PI-1）", "本年支出合计决算数 / 年初预算数 × 100%",
              PI1_BANDS, "expenditure"),
    Dimension("PI-2.1", "支出结构偏差：功能分类（PI-2.1）",
              "调整预算法：k = Σ决算 / Σ年初预算，偏差 = Σ|决算ᵢ − k·预算ᵢ| / Σk·预算ᵢ × 100%"
              "（支出功能分类科目）",
              PI2_BANDS, "functional"),
    Dimension("PI-2.2", "支出结构偏差：经济分类（PI-2.2）",
              "调整预算法，类别为支出表的基本支出、项目支出、上缴上级支出、经营支出、对附属单位补助支出",
              PI2_BANDS, "economic"),
    Dimension("PI-3.1", "收入总额执行偏差（PI-3.1）", "本年收入合计决算数 / 年初预算数 × 100%",
              PI31_BANDS, "income"),
)

#: What each grade means, for the report's legend.
BAND_TEXT = {
    "PI-1": "A：95%–105%；B：90%–110%；C：85%–115%；超出为D",
    "PI-2.1": "A：<5%；B：<10%；C：<15%；否则为D",
    "PI-2.2": "A：<5%；B：<10%；C：<15%；否则为D",
    "PI-3.1": "A：97%–106%；B：94%–112%；C：92%–116%；超出为D",
}


def measure(ev: Evaluation, dimension: Dimension) -> YearValue:
    """One year's value of a dimension."""
    if dimension.measure in ("expenditure", "income"):
        return _outturn(ev, dimension.measure)
    return _composition(ev, dimension.measure)


def assess(ev: Evaluation, evaluations: Sequence[Evaluation] | None = None) -> pd.DataFrame:
    """Assess PI-1, PI-2.1, PI-2.2 and PI-3.1.

    Args:
        ev: the evaluation year.
        evaluations: the years to use (oldest first, ``ev`` last); default :func:`history`.

    Returns:
        One row per dimension: dimension, label_zh, year, value_pct (the evaluation year),
        grade, basis, values (each year's value as text), bands_zh, note, source_cells.
    """
    evs = list(evaluations) if evaluations is not None else history(ev)
    rows = []
    for dim in DIMENSIONS:
        yearly = [measure(e, dim) for e in evs]
        current = next(y for y in yearly if y.year == ev.year)
        grade, basis = multi_year_grade([y.value for y in yearly], dim.bands)
        values = "；".join(f"{y.year}年 {fmt.pct(y.value, missing=y.note or fmt.MISSING)}"
                          for y in yearly)
        notes = [f"{y.year}年：{y.note}" for y in yearly if y.note]
        rows.append({
            "dimension": dim.id, "label_zh": dim.label_zh, "year": ev.year,
            "value_pct": current.value, "grade": grade, "basis": basis, "values": values,
            "definition_zh": dim.definition_zh, "bands_zh": BAND_TEXT[dim.id],
            "note": "；".join(notes), "source_cells": current.cells,
        })
    return pd.DataFrame(rows)
