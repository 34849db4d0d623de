"""Intervals written "[80, 90)": band edges and grade bands, with explicit inclusive edges."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from perfkit import fmt

EPS = 1e-9


_INTERVAL = re.compile(
    r"^\s*([\[(（【])\s*([-+]?(?:inf|∞|\d+(?:\.\d+)?))\s*[,，]\s*([-+]?(?:inf|∞|\d+(?:\.\d+)?))"
    r"\s*([\])）】])\s*$"
)


@dataclass(frozen=True)
class Interval:
    """A real interval with explicit closed/open edges."""

    lo: float
    hi: float
    lo_closed: bool
    hi_closed: bool

    @classmethod
    def parse(cls, text: Any) -> Interval:
        """Parse ``"[80, 90)"``; ``-inf``/``inf`` for unbounded edges.

        Raises:
            ValueError: the text is not an interval or is empty.
        """
        m = _INTERVAL.match(str(text))
        if not m:
            raise ValueError(f"“{text}”不是区间，应写作 [下限, 上限)，方括号含端点、圆括号不含，"
                             "无界写 -inf / inf")

        def number(s: str) -> float:
            s = s.replace("∞", "inf")
            return float(s)

        lo, hi = number(m.group(2)), number(m.group(3))
        lo_closed = m.group(1) in "[【" and not math.isinf(lo)
        hi_closed = m.group(4) in "]】" and not math.isinf(hi)
        if lo > hi or (lo == hi and not (lo_closed and hi_closed)):
            raise ValueError(f"区间“{text}”为空（下限应小于上限）")
        return cls(lo, hi, lo_closed, hi_closed)

    def __contains__(self, v: float) -> bool:
        above = v > self.lo or (self.lo_closed and v == self.lo)
        below = v < self.hi or (self.hi_closed and v == self.hi)
        return above and below

    def overlaps(self, other: Interval) -> bool:
        """True when the two intervals share at least one point."""
        lo = max(self.lo, other.lo)
        hi = min(self.hi, other.hi)
        if lo < hi:
            return True
        if lo > hi:
            return False
        return lo in self and lo in other

    def notation(self) -> str:
        lo = "-inf" if math.isinf(self.lo) else fmt.num(self.lo, decimals_needed(self.lo))
        hi = "inf" if math.isinf(self.hi) else fmt.num(self.hi, decimals_needed(self.hi))
        return f"{'[' if self.lo_closed else '('}{lo}, {hi}{']' if self.hi_closed else ')'}"

    def describe(self, unit: str = "") -> str:
        """Chinese reading of the interval, e.g. ``80%（含）至90%（不含）`` or ``≤0%``."""

        def v(x: float) -> str:
            return f"{fmt.num(x, decimals_needed(x))}{unit}"

        if math.isinf(self.lo) and math.isinf(self.hi):
            return "任意值"
        if math.isinf(self.lo):
            return f"{'≤' if self.hi_closed else '<'}{v(self.hi)}"
        if math.isinf(self.hi):
            return f"{'≥' if self.lo_closed else '>'}{v(self.lo)}"
        if self.lo == self.hi:
            return f"={v(self.lo)}"
        return (f"{v(self.lo)}（{'含' if self.lo_closed else '不含'}）至"
                f"{v(self.hi)}（{'含' if self.hi_closed else '不含'}）")


def decimals_needed(x: float) -> int:
    """Decimals needed to print a sheet parameter exactly (0.5 → 1, 100 → 0)."""
    if math.isinf(x) or float(x).is_integer():
        return 0
    return min(4, len(repr(float(x)).split(".")[1]))


def plain(x: float) -> str:
    """A sheet parameter or a point value, printed without trailing zeros."""
    return fmt.num(x, decimals_needed(x))
