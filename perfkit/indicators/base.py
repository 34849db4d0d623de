"""The Indicator record, the @indicator registry, safe_divide and the cell-recording reader."""

from __future__ import annotations

import enum
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..params import Settings
from ..workbook import SHEET_BY_KEY, WorkbookData


class Direction(enum.Enum):
    """Which way is good for an indicator."""

    HIGHER_BETTER = "越高越好"
    LOWER_BETTER = "越低越好"
    NEAR_100 = "接近100%为好"
    NEUTRAL = "描述性"


class Undefined(Exception):
    """The indicator has no value: a zero base, or an input the department did not provide."""

    def __init__(self, reason: str, cells: tuple[str, ...] = ()):
        super().__init__(reason)
        self.reason = reason
        self.cells = cells


NOT_COMPUTABLE_ZERO = "无法计算（基数为0）"


def safe_divide(numerator: float, denominator: float) -> float:
    """Divide, raising :class:`Undefined` on a zero base (never inf, never "100%")."""
    if denominator == 0:
        raise Undefined(NOT_COMPUTABLE_ZERO)
    return numerator / denominator


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


REGISTRY: dict[str, Indicator] = {}


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
        if func.__name__ in REGISTRY:
            raise ValueError(f"indicator {func.__name__} declared twice")
        REGISTRY[func.__name__] = Indicator(
            func.__name__, domain, label_zh, unit, direction, definition_zh, source, func, decimals
        )
        return func

    return register


def get(indicator_id: str) -> Indicator:
    """Return a registered indicator by id."""
    from . import load_all

    load_all()
    return REGISTRY[indicator_id]


def for_domain(domain: str) -> list[Indicator]:
    """Return the indicators of one domain, in declaration order."""
    from . import load_all

    load_all()
    return [i for i in REGISTRY.values() if i.domain == domain]


@dataclass
class Reader:
    """Read access to one workbook that records which cells an indicator used."""

    data: WorkbookData
    settings: Settings
    used: list[str] = field(default_factory=list)

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

    def metric(self, code: str, column: str = "actual") -> float:
        """Return a 绩效指标 value (实际值 by default) for a metric code."""
        return self.get("targets", self.metric_row(code), column)


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


def evaluate(ind: Indicator, data: WorkbookData, settings: Settings) -> dict[str, Any]:
    """Compute one indicator and return its tidy row."""
    reader = Reader(data, settings)
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
    }


def compute(data: WorkbookData, settings: Settings, domain: str | None = None) -> pd.DataFrame:
    """Compute every indicator of a domain (or all) into one tidy frame indexed by id."""
    from . import load_all

    load_all()
    rows = [evaluate(i, data, settings) for i in REGISTRY.values() if domain in (None, i.domain)]
    return pd.DataFrame(rows).set_index("id", drop=False)
