"""Division by a base that may be zero: safe_divide and the relative change every rate uses.

A zero or missing base gives no value — :class:`Undefined` with 无法计算（基数为0）, or NaN —
never inf, never "100%", and never a percentage of a base that prints as 0.00.
"""

from __future__ import annotations

import math

from perfkit.fmt import NOT_COMPUTABLE_ZERO

__all__ = ["Undefined", "change_pct", "change_pct_noted", "safe_divide"]


class Undefined(Exception):
    """The indicator has no value: a zero base, or an input the department did not provide."""

    def __init__(self, reason: str, cells: tuple[str, ...] = ()):
        super().__init__(reason)
        self.reason = reason
        self.cells = cells


def safe_divide(numerator: float, denominator: float) -> float:
    """Divide, raising :class:`Undefined` on a zero base (never inf, never "100%")."""
    if denominator == 0:
        raise Undefined(NOT_COMPUTABLE_ZERO)
    return numerator / denominator


def change_pct(now: float, base: float, decimals: int | None = 2) -> float:
    """Relative change from ``base`` to ``now``: (now − base) / |base| × 100, in percent.

    Every relative change perfkit prints is computed here (finance lines and indicators, the
    绩效指标 上年值, earlier years, a report's own sentences). Over |base|, a rise from a
    negative base (a carry-over deficit shrinking) reads as a rise.

    Args:
        now: this year's value.
        base: the value compared with (last year's, the 年初预算 …).
        decimals: the precision the base is printed with: a base that rounds to zero there is
            zero (a base shown as 0.00 never carries "-171896.18%"); None for exactly zero only
            (a figure as a report prints it).

    Returns:
        The change in percent; NaN when ``now`` or ``base`` is missing.

    Raises:
        Undefined: :data:`NOT_COMPUTABLE_ZERO` when the base is zero.
    """
    if math.isnan(now) or math.isnan(base):
        return math.nan
    zero = base == 0 if decimals is None else abs(base) < 0.5 * 10.0 ** -decimals
    if zero:
        raise Undefined(NOT_COMPUTABLE_ZERO)
    return (now - base) / abs(base) * 100


def change_pct_noted(now: float, base: float, decimals: int | None = 2) -> tuple[float, str]:
    """:func:`change_pct` with why it has no value: (NaN, 无法计算（基数为0）) for a zero base,
    (NaN, "") when an input is missing (the table shows 未提供)."""
    try:
        return change_pct(now, base, decimals), ""
    except Undefined as u:
        return math.nan, u.reason
