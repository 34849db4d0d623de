"""The Indicator record, @indicator and the indicators declared in Python, the reader, own rows."""

from __future__ import annotations

import enum
import hashlib
import math
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from perfkit.cells import as_text, is_missing
from perfkit.data.params import Settings
from perfkit.data.sheets import SHEET_BY_KEY
from perfkit.data.values import normalize_label
from perfkit.data.workbook import WorkbookData

# Defined in the base stage (perfkit.rates: history uses them without pandas); the indicator and
# assess modules import them from here as before.
from perfkit.fmt import NOT_COMPUTABLE_ZERO as NOT_COMPUTABLE_ZERO
from perfkit.rates import Undefined as Undefined
from perfkit.rates import safe_divide as safe_divide

if TYPE_CHECKING:
    from perfkit.indicators.registry import Registry


class Direction(enum.Enum):
    """Which way is good for an indicator."""

    HIGHER_BETTER = "越高越好"
    LOWER_BETTER = "越低越好"
    NEAR_100 = "接近100%为好"
    NEUTRAL = "描述性"


@dataclass(frozen=True)
class Indicator:
    """One indicator: everything a table, a chart or the data dictionary needs."""

    id: str
    domain: str
    label_zh: str
    unit: str
    direction: Direction
    definition_zh: str
    source: str
    func: Callable[[Reader], float]
    decimals: int = 2
    #: True when the value is a figure the department reports (a 绩效指标 实际值), False when
    #: perfkit computes it from several figures.
    reported: bool = False


#: Indicators declared in Python (``@indicator``: finance, and the 学生资助 sheet's): code, the
#: same in every project. The indicators in use in a project — these and its catalogs' — are its
#: :class:`~perfkit.indicators.registry.Registry`.
DECLARED: dict[str, Indicator] = {}


def indicator(
    *,
    domain: str,
    label_zh: str,
    unit: str,
    definition_zh: str,
    source: str,
    direction: Direction = Direction.NEUTRAL,
    decimals: int = 2,
) -> Callable[[Callable[[Reader], float]], Callable[[Reader], float]]:
    """Register a pure function as an indicator; the function name is the id."""

    def register(func: Callable[[Reader], float]) -> Callable[[Reader], float]:
        if func.__name__ in DECLARED:
            raise ValueError(f"indicator {func.__name__} declared twice")
        DECLARED[func.__name__] = Indicator(
            func.__name__, domain, label_zh, unit, direction, definition_zh, source, func, decimals
        )
        return func

    return register



@dataclass
class Reader:
    """Read access to one workbook that records which cells an indicator used."""

    data: WorkbookData
    settings: Settings
    #: The indicators in use (a catalog formula reads other indicators through it).
    registry: Registry
    used: list[str] = field(default_factory=list)
    #: The 绩效指标 column a reported figure is read from: ``actual``, or ``prior`` to compute an
    #: indicator on last year's figures (the 上年值 of its inputs).
    metric_column: str = "actual"

    def get(self, sheet: str, row: Any, column: str) -> float:
        """Return a required number; raise :class:`Undefined` naming the empty cell."""
        v = self.optional(sheet, row, column)
        if math.isnan(v):
            ref = self.data.cell(sheet, row, column)
            label = _row_label(sheet, row, column)
            raise Undefined(f"数据缺失：{label}（{ref}）未提供", (ref,))
        return v

    def optional(self, sheet: str, row: Any, column: str) -> float:
        """Return a number or NaN when not provided; the cell is recorded either way."""
        self.used.append(self.data.cell(sheet, row, column))
        return self.data.value(sheet, row, column)

    def budget_column(self) -> str:
        """Return the budget column the settings choose (年初预算 or 调整预算)."""
        return self.settings.budget_column

    def metric_row(self, code: str) -> Any:
        """Return the 绩效指标 row index of a metric code, or raise Undefined."""
        frame = self.data.frames["targets"]
        hits = frame.index[frame["code"] == code]
        if len(hits) == 0:
            raise Undefined(f"数据缺失：绩效指标表中没有指标代码 {code}")
        return hits[0]



def _row_label(sheet: str, row: Any, column: str) -> str:
    s = SHEET_BY_KEY[sheet]
    header = next((c.header for c in s.columns if c.key == column), "")
    if s.layout == "keyvalue":
        header = ""
    if s.items:
        try:
            return f"{s.name}“{s.item(row).label}”{header}"
        except StopIteration:
            pass
    return f"{s.name}{header}"


def evaluate(ind: Indicator, data: WorkbookData, settings: Settings, registry: Registry,
             metric_column: str = "actual") -> dict[str, Any]:
    """Compute one indicator and return its tidy row (``metric_column``: see :class:`Reader`)."""
    reader = Reader(data, settings, registry, metric_column=metric_column)
    note = ""
    try:
        value = float(ind.func(reader))
        if math.isnan(value) or math.isinf(value):
            value, note = math.nan, "数据缺失"
    except Undefined as u:
        value, note = math.nan, u.reason
    return {
        "id": ind.id,
        "domain": ind.domain,
        "label_zh": ind.label_zh,
        "value": value,
        "unit": ind.unit,
        "direction": ind.direction.value,
        "note": note,
        "source_cells": "; ".join(dict.fromkeys(reader.used)),
        "definition_zh": ind.definition_zh,
        "decimals": ind.decimals,
        "reported": ind.reported,
    }


# ---------------------------------------------------------------------------------------------
# The department's own indicators: 绩效指标 rows whose 指标代码 no catalog declares
# ---------------------------------------------------------------------------------------------

OWN_DEFINITION = "绩效指标表“实际值”（部门自定指标，未列入领域目录）"
_TARGET_DIRECTION = {"≥": Direction.HIGHER_BETTER, "全面": Direction.HIGHER_BETTER,
                     "≤": Direction.LOWER_BETTER}



def row_ids(frame: pd.DataFrame) -> pd.Series:
    """The indicator id of each 绩效指标 row: its 指标代码, or one derived from the row.

    A row without a code gets ``own_`` + 8 hex digits of its 领域 and 指标 name, so that the same
    row keeps its id from year to year (history compares by id); a second row with the same
    name gets ``_2`` appended, and so on.
    """
    ids: list[str] = []
    seen: dict[str, int] = {}
    for _, rec in frame.iterrows():
        base = row_key(rec)
        if as_text(rec["code"]):
            ids.append(base)
            continue
        seen[base] = seen.get(base, 0) + 1
        ids.append(base if seen[base] == 1 else f"{base}_{seen[base]}")
    return pd.Series(ids, index=frame.index, dtype=object)


def row_key(rec: Any) -> str:
    """What a 绩效指标 row is about, the same in every year's workbook: its 指标代码, or for a
    row without one ``own_`` + 8 hex digits of its 领域 and 指标 name (an empty code read as NaN
    is no code). Rows of one indicator for different 目标年度 share the key."""
    code = as_text(rec["code"])
    if code:
        return code
    key = f"{as_text(rec['domain'])}|{normalize_label(rec['name'])}"
    return "own_" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:8]


def own_rows(data: WorkbookData, declared: Collection[str]) -> list[dict[str, Any]]:
    """The department's own indicators: one tidy row per 绩效指标 row whose code is not among
    ``declared`` (the codes in use).

    Rows of every 领域 (其他 included) count; a row whose 目标年度 is a later year is a plan,
    not an indicator of this year, and is left to the targets. The first row of an id wins.
    """
    frame = data.frames.get("targets")
    if frame is None or frame.empty:
        return []
    rows, taken = [], set(declared)
    for (i, rec), ind_id in zip(frame.iterrows(), row_ids(frame), strict=True):
        year = rec["target_year"]
        later = not is_missing(year) and int(year) > data.year
        if ind_id in taken or later:
            continue
        taken.add(ind_id)
        cell = data.cell("targets", i, "actual")
        value = float(rec["actual"])
        name = as_text(rec["name"]) or ind_id
        rows.append({
            "id": ind_id, "domain": rec["domain"], "label_zh": name, "value": value,
            "unit": as_text(rec["unit"]),
            "direction": _TARGET_DIRECTION.get(as_text(rec["direction"]), Direction.NEUTRAL).value,
            "note": (f"数据缺失：绩效指标“{name}”实际值（{cell}）未提供"
                     if math.isnan(value) else ""),
            "source_cells": cell, "definition_zh": OWN_DEFINITION, "decimals": 2,
            "reported": True, "qualifier": as_text(rec.get("qualifier")),
        })
    return rows


def qualifiers(data: WorkbookData) -> dict[str, str]:
    """指标代码 → the 数值修饰 of its 绩效指标 row (余, 近, 以上 …), for the codes that have one.

    The row is the one a reported indicator reads (the first with the code).
    """
    frame = data.frames.get("targets")
    if frame is None or frame.empty or "qualifier" not in frame:
        return {}
    out: dict[str, str] = {}
    for code, qualifier in zip(frame["code"], frame["qualifier"], strict=True):
        code = as_text(code)
        if code and code not in out:
            out[code] = as_text(qualifier)
    return {k: v for k, v in out.items() if v}
