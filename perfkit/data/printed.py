"""Figures as reports print them: the parser ("4.04亿元", "增长16.69万元") and printed precision.

Shared by the domain checks (perfkit.indicators) and the audit (perfkit.assess.audit), so that both
judge rounding by one rule: a workbook value is precise to its last printed digit, unless its row's
数据来源/备注 quotes the printed figure (“3.1亿元”) and that quote parses back to the value — then the
quote's precision applies (3.1亿元 → ±500万元). Reading trailing zeros as rounding would make a
budget of 20000 ±5000 and excuse real errors.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from perfkit.data.sheets import AMOUNT, SHEET_BY_KEY
from perfkit.data.workbook import WorkbookData

AMOUNT_UNITS = {"元": 1e-4, "万元": 1.0, "亿元": 1e4}
_MULTIPLIERS = {"": 1.0, "千": 1e3, "万": 1e4, "亿": 1e8, "万亿": 1e12}


class AuditParseError(ValueError):
    """A printed value or a 核对对象 cannot be read."""


_QUALIFIER_WORDS = "约|近|超过|逾|达到|达|共计|共|合计|累计|总计|仅|为|是"
_DIRECTION_WORDS = {"增加": 1, "增长": 1, "提高": 1, "上升": 1, "多": 1,
                    "减少": -1, "下降": -1, "降低": -1, "少": -1}
#: Rates printed per thousand or per 100,000 (婴儿死亡率4.54‰, 孕产妇死亡率9.80/10万): a kind of
#: their own, comparable only with the same unit.
RATE_UNITS = {"‰": 1000, "/10万": 100000}
_PRINTED_RE = re.compile(
    rf"""^(?P<lead>(?:{_QUALIFIER_WORDS})*)
    (?:(?P<dir>{'|'.join(_DIRECTION_WORDS)})了?)?
    (?P<lead2>(?:{_QUALIFIER_WORDS})*)
    (?P<sign>[+-])?
    (?P<num>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)
    (?P<mult>万亿|亿|万|千)?
    (?P<more>余|多)?
    (?P<unit>元|%|个百分点|百分点|‰|/10万|分|(?!以上|以内|以下|左右)[\u4e00-\u9fff]{{1,2}})?
    (?P<tail>以上|以内|以下|左右)?$""",
    re.X,
)


@dataclass(frozen=True)
class PrintedValue:
    """A figure as a report prints it.

    Attributes:
        text: the text as printed.
        number: the printed number with its sign (direction words applied), e.g. ``4.04``.
        decimals: decimals printed (``4.04`` → 2; ``4761`` → 0).
        scale: multiplier from the printed number to ``unit`` (``4.04亿元`` → 10000 万元).
        unit: ``%``, ``万元`` (any amount), ``分``, a count unit (``名``), or "" for a bare number.
        kind: ``percent``, ``amount``, ``score``, ``count`` or ``number``.
        bound: ``≥`` (以上/超过/余), ``≤`` (以内/以下), ``≈`` (约/近/左右), or "".
        direction: +1 (增加…), -1 (减少…), 0 when no direction word is printed.
        multiplier: the 万/亿 printed before the unit ("" if none).
        suffix: the unit as printed, multiplier included (``亿元``, ``%``, ``万人次``).
    """

    text: str
    number: Decimal
    decimals: int
    scale: float
    unit: str
    kind: str
    bound: str = ""
    direction: int = 0
    multiplier: str = ""
    suffix: str = ""

    @property
    def value(self) -> float:
        """The value in ``unit``."""
        return float(self.number) * self.scale

    @property
    def half_unit(self) -> float:
        """Half of the last printed digit, in ``unit`` (4.04亿元 → 50 万元)."""
        return 0.5 * 10.0 ** (-self.decimals) * self.scale

    def in_unit(self, unit: str) -> PrintedValue:
        """The same printed value expressed in a check's unit.

        A bare number is taken in ``unit`` ("1,055.1" against 万元 is 1055.1万元), except that
        a bare 万/亿 against an amount means 元 ("4.04亿" → 40400万元).

        Raises:
            AuditParseError: the printed unit cannot be compared with ``unit``.
        """
        kind = _unit_kind(unit)
        if self.kind == "amount" and kind == "amount":
            return _replace(self, self.scale / AMOUNT_UNITS[unit], unit)
        if self.kind == "number":
            if kind == "amount" and self.multiplier:
                return _replace(self, self.scale * AMOUNT_UNITS["元"] / AMOUNT_UNITS[unit], unit)
            if kind != "percent" or not self.multiplier:
                return _replace(self, self.scale, unit)
        if self.kind == "percent" and kind == "percent":
            return self
        if self.kind == "score" and kind in ("score", "count"):
            return _replace(self, self.scale, unit)
        if self.kind == "count" and kind == "count":
            return _replace(self, self.scale, unit)
        if self.kind == "rate" and unit == self.unit:
            return self
        raise AuditParseError(f"报告值“{self.text}”的单位（{self.unit or '无'}）与核对对象的单位"
                              f"（{unit or '无'}）不能比较")


def _replace(p: PrintedValue, scale: float, unit: str) -> PrintedValue:
    return PrintedValue(p.text, p.number, p.decimals, scale, unit, p.kind, p.bound, p.direction,
                        p.multiplier, p.suffix)


def _unit_kind(unit: str) -> str:
    if unit in ("%", "个百分点"):
        return "percent"
    if unit in RATE_UNITS:
        return "rate"
    if unit in AMOUNT_UNITS:
        return "amount"
    if unit == "分":
        return "score"
    return "count"


def parse_printed(text: Any) -> PrintedValue:
    """Parse a figure as a report prints it.

    Accepts "133.49%", "109.03 %", "4.04亿元", "4761万元", "1,055.1", "增长16.69万元",
    "减少16.69万元", "-595.92万元", "96.8分", "857名", "75.22万人次", "93.96％以上", "近3000人".
    Full-width characters, spaces and thousands separators are folded first.

    Args:
        text: the printed figure.

    Returns:
        The :class:`PrintedValue`; amounts are in 万元.

    Raises:
        AuditParseError: the text is not one printed figure.
    """
    raw = "" if text is None else str(text)
    norm = unicodedata.normalize("NFKC", raw).replace("\u2212", "-").replace("\u2013", "-")
    norm = re.sub(r"\s+", "", norm).rstrip("。，,;；")
    m = _PRINTED_RE.match(norm)
    if not m:
        raise AuditParseError(f"报告值“{raw}”不是一个可识别的数值（如 133.49%、4.04亿元、857名）")
    digits = m.group("num").replace(",", "")
    number = Decimal(digits)
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    sign = -1 if m.group("sign") == "-" else 1
    direction = _DIRECTION_WORDS.get(m.group("dir") or "", 0)
    if direction:
        sign *= direction
    number = number.copy_negate() if sign < 0 else number
    mult, unit = m.group("mult") or "", m.group("unit") or ""
    suffix = mult + unit
    factor = _MULTIPLIERS[mult]
    if unit in RATE_UNITS:
        kind, scale = "rate", 1.0
    elif unit in ("%", "个百分点", "百分点"):
        if mult:
            raise AuditParseError(f"报告值“{raw}”：百分数前不应有“{mult}”")
        kind, scale, unit = "percent", 1.0, "%"
    elif unit == "元":
        kind, scale, unit = "amount", factor * AMOUNT_UNITS["元"], "万元"
    elif unit == "分":
        kind, scale = "score", factor
    elif unit:
        kind, scale = "count", factor
    else:
        kind, scale = "number", factor
    words = (m.group("lead") or "") + (m.group("lead2") or "")
    bound = ""
    if m.group("tail") in ("以上",) or m.group("more") or re.search("超过|逾", words):
        bound = "≥"
    elif m.group("tail") in ("以内", "以下"):
        bound = "≤"
    elif m.group("tail") == "左右" or re.search("约|近", words):
        bound = "≈"
    return PrintedValue(raw, number, decimals, scale, unit, kind, bound, direction, mult, suffix)


def decimals_of(value: float) -> int:
    """Decimals in the shortest printed form of ``value`` (2117.95 → 2, 31000 → 0)."""
    d = Decimal(repr(round(float(value), 9))).normalize()
    return max(0, -int(d.as_tuple().exponent))


def _quotes(data: WorkbookData, sheet: str, row: Any) -> list[str]:
    frame = data.frames.get(sheet)
    if frame is None or row not in frame.index:
        return []
    text = " ".join(str(frame.at[row, c]) for c in ("source", "note")
                    if c in frame.columns and isinstance(frame.at[row, c], str))
    return re.findall(r"“([^”]+)”", text)


def input_precision(data: WorkbookData, sheet: str, row: Any, column: str) -> tuple[float, str]:
    """Half of the last printed digit of one workbook value, and the quote it came from.

    See the module docstring: the shortest decimal form of the value, unless the row's
    数据来源/备注 quotes the printed figure (“3.1亿元”) and the quote parses back to the value.

    Returns:
        ``(half_unit, quote)`` with ``half_unit`` in the value's loaded unit (万元 for amounts)
        and ``quote`` "" when no quote was used.
    """
    value = data.value(sheet, row, column)
    if math.isnan(value):
        return 0.0, ""
    spec = SHEET_BY_KEY.get(sheet)
    is_amount = spec is not None and any(c.key == column and c.kind == AMOUNT for c in spec.columns)
    for quote in _quotes(data, sheet, row):
        try:
            p = parse_printed(quote)
        except AuditParseError:
            continue
        if p.bound or (is_amount and p.kind not in ("amount", "number")):
            continue
        if is_amount and p.kind == "number":
            p = p.in_unit("万元")
        if math.isclose(p.value, value, rel_tol=1e-9, abs_tol=1e-9):
            return p.half_unit, quote
    factor = data.unit_factor if is_amount else 1.0
    return 0.5 * 10.0 ** (-decimals_of(value / factor)) * factor, ""


