"""A stated figure's value recomputed from the data, with the range its inputs' rounding allows.

Precision of the inputs. A number cell carries no printed precision: 31000 may be an
exact count of 万元 or "3.1亿" rounded. Reading trailing zeros as rounding would make every round
budget (20000) a ±5000 range and excuse real errors, so a cell's precision is the last decimal of
its shortest representation (24192.45 → ±0.005, 4761 → ±0.5, 31000 → ±0.5). A coarser precision
is used only when the row's 数据来源 or 备注 quotes the printed figure in “…” and the quote parses
back to the cell's value (the sample's “3.1亿元” → 31000 ± 500万元): the transcriber recorded how
the report printed it. The recomputed value's range is the set of values the formula takes at the
corners of the input box; this is exact for what the registry holds — sums, differences and
ratios of same-signed inputs are monotone in each input — and is skipped when an input's range
straddles zero.

The verdicts (:mod:`perfkit.assess.figures`) compare a printed figure with this range.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

from perfkit import fmt
from perfkit.assess.checkspec import CheckSpec, aid_rows, target_rows
from perfkit.assess.evaluation import Evaluation
from perfkit.data.printed import AuditParseError, PrintedValue, decimals_of, input_precision
from perfkit.data.sheets import AMOUNT, SHEET_BY_KEY
from perfkit.data.workbook import WorkbookData
from perfkit.indicators.base import Reader, Undefined

_MAX_BOX_INPUTS = 12  # 2**12 corner evaluations at most


@dataclass
class Recomputed:
    """A value recomputed from the workbook, with the range its rounded inputs allow."""

    value: float
    unit: str
    low: float = math.nan
    high: float = math.nan
    reason: str = ""  # why ``value`` is NaN
    cells: list[str] = field(default_factory=list)
    coarse: list[str] = field(default_factory=list)  # inputs printed coarsely (quoted hints)

    def __post_init__(self) -> None:
        if math.isnan(self.low):
            self.low = self.value
        if math.isnan(self.high):
            self.high = self.value


@dataclass
class _BoxReader(Reader):
    """A Reader that records the cells a formula reads and can shift their values."""

    shifts: dict[tuple[str, Any, str], float] = field(default_factory=dict)
    keys: list[tuple[str, Any, str]] = field(default_factory=list)

    def optional(self, sheet: str, row: Any, column: str) -> float:
        self.keys.append((sheet, row, column))
        return super().optional(sheet, row, column) + self.shifts.get((sheet, row, column), 0.0)


def _shiftable(inputs):
    """(key, value, half_unit, quote) → the box of shiftable inputs (key, half_unit, quote).

    None when an input's range straddles zero (the corners would not bound the formula).
    """
    box = []
    for key, v, half, quote in inputs:
        if math.isnan(v) or half <= 0:
            continue
        if v - half < 0 < v + half:
            return None
        box.append((key, half, quote))
    return box


def _box(data: WorkbookData, keys: list[tuple[str, Any, str]]):
    """The shiftable workbook inputs: (key, half_unit, quote), or None (see _shiftable)."""
    return _shiftable((key, data.value(*key), *input_precision(data, *key))
                      for key in dict.fromkeys(keys))


def _corners(box, evaluate) -> tuple[float, float] | None:
    if not box or len(box) > _MAX_BOX_INPUTS:
        return None
    values = []
    for signs in itertools.product((-1.0, 1.0), repeat=len(box)):
        try:
            v = float(evaluate({k: s * h for (k, h, _), s in zip(box, signs, strict=True)}))
        except (Undefined, ZeroDivisionError):
            return None
        if not math.isfinite(v):
            return None
        values.append(v)
    return min(values), max(values)


def _coarse(data: WorkbookData, box) -> list[str]:
    out = []
    for key, half, quote in box or []:
        if quote:
            unit = "万元" if _unit_of(key) == "万元" else ""
            out.append(f"“{quote}”（{data.cell(*key)}，±{fmt.num(half, decimals_of(half))}{unit}）")
    return out


def _unit_of(key: tuple[str, Any, str]) -> str:
    spec = SHEET_BY_KEY.get(key[0])
    amount = spec is not None and any(c.key == key[2] and c.kind == AMOUNT for c in spec.columns)
    return "万元" if amount else ""


def recompute_indicator(ev: Evaluation, indicator_id: str) -> Recomputed:
    """Recompute one indicator, with the range its printed inputs allow."""
    ind = ev.registry.get(indicator_id)
    if indicator_id not in ev.indicators.index:
        return Recomputed(math.nan, ind.unit, reason=ev.not_covered(indicator_id))
    row = ev.indicators.loc[indicator_id]
    cells = [c for c in str(row["source_cells"]).split("; ") if c]
    if any(c.startswith(SHEET_BY_KEY["stated"].name + "!") for c in cells):
        return Recomputed(math.nan, ind.unit, cells=cells,
                          reason="该指标的计算用到了报告值本身（如由报告比例推算目标数），不能用来独立核对报告值")
    if math.isnan(row["value"]):
        return Recomputed(math.nan, ind.unit, reason=str(row["note"]), cells=cells)
    reader = _BoxReader(ev.data, ev.settings, ev.registry)
    value = float(ind.func(reader))
    box = _box(ev.data, reader.keys)

    def evaluate(shifts):
        return ind.func(_BoxReader(ev.data, ev.settings, ev.registry, shifts=shifts))

    bounds = _corners(box, evaluate) if box is not None else None
    low, high = bounds or (value, value)
    return Recomputed(value, ind.unit, min(low, value), max(high, value), cells=cells,
                      coarse=_coarse(ev.data, box))


def _recompute_sum(data: WorkbookData, keys: list[tuple[str, Any, str]], unit: str,
                   what: str) -> Recomputed:
    cells = [data.cell(*k) for k in keys]
    if not keys:
        return Recomputed(math.nan, unit, reason=f"数据缺失：{what}没有匹配的行", cells=cells)
    missing = [data.cell(*k) for k in keys if math.isnan(data.value(*k))]
    if missing:
        count = "" if len(keys) == 1 else f"有{len(missing)}项"
        return Recomputed(math.nan, unit, cells=cells,
                          reason=f"数据缺失：{what}{count}未提供（{'、'.join(missing)}）")
    value = sum(data.value(*k) for k in keys)
    box = [(k, *input_precision(data, *k)) for k in keys]
    spread = sum(h for _, h, _ in box)
    return Recomputed(value, unit, value - spread, value + spread, cells=cells,
                      coarse=_coarse(data, box))


def _printed_coarse(operands: dict[str, PrintedValue], cells: dict[str, str], unit: str):
    """Operands printed to whole units or coarser ("3.1亿元", "4761万元"), for the explanation."""
    out = []
    for key, p in operands.items():
        if p.half_unit > 0.5:
            where = f"{cells[key]}，" if cells.get(key) else ""
            out.append(f"“{p.text.strip()}”（{where}±{fmt.num(p.half_unit, decimals_of(p.half_unit))}"
                       f"{'' if unit == '%' else unit}）")
    return out


def recompute_printed(formula, operands: dict[str, PrintedValue], unit: str,
                      cells: dict[str, str] | None = None) -> Recomputed:
    """Recompute a figure from other figures as a report prints them (its own operands).

    The same rule as for workbook inputs: each operand is precise to its last printed digit
    (:attr:`PrintedValue.half_unit`), and the recomputed range is the set of values the formula
    takes at the corners of that box.

    Args:
        formula: ``{name: value} → value``; may raise :class:`Undefined` (a zero base).
        operands: the printed operands, already in one unit (:meth:`PrintedValue.in_unit`).
        unit: the unit of the result.
        cells: where each operand is printed (for the explanation and ``source_cells``).
    """
    cells = cells or {}
    where = [cells.get(k) or p.text for k, p in operands.items()]
    rough = [p.text.strip() for p in operands.values() if p.bound]
    if rough:
        return Recomputed(math.nan, unit, cells=where,
                          reason=f"运算数“{rough[0]}”是约数或界限（约、近、以上…），不能据以精确重算")
    values = {k: p.value for k, p in operands.items()}
    try:
        value = float(formula(values))
    except Undefined as u:
        return Recomputed(math.nan, unit, reason=u.reason, cells=where)
    box = _shiftable((k, values[k], p.half_unit, p.text) for k, p in operands.items())

    def evaluate(shifts):
        return formula({k: v + shifts.get(k, 0.0) for k, v in values.items()})

    bounds: tuple[float, float] | None
    if box is not None and len(box) > _MAX_BOX_INPUTS and formula is sum_of:
        spread = sum(h for _, h, _ in box)
        bounds = (value - spread, value + spread)
    else:
        bounds = _corners(box, evaluate) if box is not None else None
    low, high = bounds or (value, value)
    return Recomputed(value, unit, min(low, value), max(high, value), cells=where,
                      coarse=_printed_coarse(operands, cells, unit))


def sum_of(values: dict[str, float]) -> float:
    """The formula of a stated total: the sum of its parts (for :func:`recompute_printed`)."""
    return sum(values.values())


def recompute(ev: Evaluation, spec: CheckSpec) -> Recomputed:
    """Recompute the value a 核对对象 names from the raw workbook data."""
    data = ev.data
    if spec.kind == "indicator":
        return recompute_indicator(ev, spec.names[0])
    if spec.kind == "info":
        key = spec.names[0]
        unit = "分" if key == "claimed_score" else "人"
        return _recompute_sum(data, [("info", key, "value")], unit,
                              f"基本信息“{SHEET_BY_KEY['info'].item(key).label}”")
    if spec.kind in ("metric", "sum_targets"):
        frame = data.frames["targets"]
        rows, unknown = target_rows(frame, spec.names)
        if unknown:
            return Recomputed(math.nan, "", reason=f"绩效指标表中没有指标代码 {'、'.join(unknown)}")
        units = {str(frame.at[i, "unit"]) for i in rows if isinstance(frame.at[i, "unit"], str)}
        if len(units) > 1:
            return Recomputed(math.nan, "",
                              reason=f"所列指标的单位不同（{'、'.join(sorted(units))}），不能相加")
        unit = units.pop() if units else ""
        return _recompute_sum(data, [("targets", i, "actual") for i in rows], unit,
                              "绩效指标实际值")
    if spec.kind == "cell":
        sheet, item, column = spec.names
        spec_sheet = SHEET_BY_KEY[sheet]
        what = f"{spec_sheet.name}“{spec_sheet.item(item).label}”{spec_sheet.column(column).header}"
        return _recompute_sum(data, [(sheet, item, column)], "万元", what)
    if spec.kind == "sum_aid":
        frame = data.frames.get("aid")
        if frame is None or frame.empty:
            return Recomputed(math.nan, "万元", reason="数据缺失：学生资助表为空")
        rows = aid_rows(frame, spec.names)
        return _recompute_sum(data, [("aid", i, "amount") for i in rows], "万元",
                              f"学生资助“{'、'.join(spec.names) or '全部'}”")
    raise AuditParseError(f"unknown check kind {spec.kind}")
