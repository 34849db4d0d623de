"""Display formatting of numbers (round half up at display time, never in formulas)."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

MISSING = "未提供"


def round_half_up(value: float, decimals: int = 2) -> Decimal:
    """Round like a person does (0.005 → 0.01), using the shortest repr of the float."""
    q = Decimal(1).scaleb(-decimals)
    return Decimal(repr(float(value))).quantize(q, rounding=ROUND_HALF_UP)


def num(value: float | None, decimals: int = 2, *, missing: str = MISSING) -> str:
    """Format a number with fixed decimals, or ``missing`` for None/NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return missing
    d = round_half_up(value, decimals)
    if d == 0:
        d = abs(d)  # no "-0.00"
    return f"{d:.{decimals}f}"


def amount(value: float | None, decimals: int = 2, *, missing: str = MISSING) -> str:
    """Format an amount in 万元, e.g. ``24192.45万元``."""
    s = num(value, decimals, missing=missing)
    return s if s == missing else f"{s}万元"


def pct(value: float | None, decimals: int = 2, *, missing: str = MISSING) -> str:
    """Format a percentage, e.g. ``133.49%``."""
    s = num(value, decimals, missing=missing)
    return s if s == missing else f"{s}%"


def count(value: float | None, *, missing: str = MISSING) -> str:
    """Format a count without decimals when it is whole."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return missing
    return f"{int(value)}" if float(value).is_integer() else num(value, 2)


def with_unit(value: float | None, unit: str, decimals: int = 2, *, missing: str = MISSING) -> str:
    """Format a value with its unit: % and 万元 get 2 decimals, counts none."""
    if unit == "%":
        return pct(value, decimals, missing=missing)
    if unit == "万元":
        return amount(value, decimals, missing=missing)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return missing
    s = count(value) if float(value).is_integer() else num(value, decimals)
    return f"{s}{unit}"
