"""Display formatting of numbers (round half up at display time, never in formulas).

How a value is written with its unit, as a Chinese report writes it:

- **Precision.** ``%`` and ``万元`` get 2 decimals; counts are printed without decimals when
  they are whole, otherwise with 2. No thousands separators (``24192.45万元``, ``752234人次``).
- **Large counts** (a unit without a magnitude or money sign: 人, 人次, 所, 名, 个 …) are scaled
  to 万 when the value is at least 10万 and is exact at 2 decimals in 万, and to 亿 likewise from
  1亿: ``752200人次`` → ``75.22万人次``, ``450000人次`` → ``45万人次``, ``642800人`` →
  ``64.28万人``. A count that is not exact at 2 decimals keeps its full digits
  (``752234人次``), so scaling never rounds a figure the source gives exactly. Bare numbers
  (no unit, e.g. a table column whose header carries the unit) are never scaled.
- **Units that start with a digit** are never glued to the number: a rate per ``1/N`` is
  written ``/N`` (15 per ``1/10万`` → ``15/10万``), with ``1/100`` → ``%`` and ``1/1000`` →
  ``‰``; any other unit starting with a digit is joined by ``×`` (3 in ``10万人`` →
  ``3×10万人``).
- **Qualifiers** (:data:`QUALIFIERS`, the choices of the workbook's 数值修饰 column) go where
  Chinese puts them: 余/多 between number and unit (``1000余所``, ``800多人``), 近/约/超过/逾
  before the number (``近9000名``), 以上/以下/以内 after the unit (``93.96%以上``).
- **Changes in words**: :func:`change` writes 增加X / 减少X, and 持平 when the change rounds
  to zero at the printed precision (never ``增加0.00万元``).
- **Times** a reader sees are in 北京时间 (Asia/Shanghai) and say so:
  ``2026年12月3日 09:42（北京时间）``. The environment variable ``PERFKIT_TIMEZONE`` (an IANA
  name such as ``Asia/Urumqi`` or ``UTC``) chooses another zone, named in the label. The zone
  data comes from the system or, where ``/usr/share/zoneinfo`` is missing, the ``tzdata``
  package (a dependency).
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from perfkit.cells import is_missing
from perfkit.errors import PerfkitError

MISSING = "未提供"
#: What a value whose base is zero shows (never inf, never "100%").
NOT_COMPUTABLE_ZERO = "无法计算（基数为0）"

#: Qualifiers written between the number and the unit (``1000余所``).
INFIX_QUALIFIERS: tuple[str, ...] = ("余", "多")
#: Qualifiers written before the number (``近9000名``).
PREFIX_QUALIFIERS: tuple[str, ...] = ("近", "约", "超过", "逾")
#: Qualifiers written after the unit (``93.96%以上``).
SUFFIX_QUALIFIERS: tuple[str, ...] = ("以上", "以下", "以内")
#: Every allowed qualifier of a printed value (the choices of the 数值修饰 column).
QUALIFIERS: tuple[str, ...] = INFIX_QUALIFIERS + PREFIX_QUALIFIERS + SUFFIX_QUALIFIERS

#: Scale steps for large counts: (factor, suffix), largest first.
_SCALES: tuple[tuple[int, str], ...] = ((100_000_000, "亿"), (10_000, "万"))
#: Smallest count written in 万 (10万) — below it a count keeps its digits (2000名, 20000人次).
SCALE_FROM = 100_000
#: Characters that mark a unit as already scaled, money, a share or a rate: never rescaled.
_NO_SCALE_CHARS = frozenset("万亿千百元%％‰/")
#: ``1/N`` units written as a sign instead of ``/N``.
_PER_SIGNS = {"100": "%", "1000": "‰"}
_PER_UNIT_RE = re.compile(r"^1\s*/\s*(.+)$")


def round_half_up(value: float, decimals: int = 2) -> Decimal:
    """Round like a person does (0.005 → 0.01), using the shortest repr of the float."""
    q = Decimal(1).scaleb(-decimals)
    return Decimal(repr(float(value))).quantize(q, rounding=ROUND_HALF_UP)


def largest_remainder(weights: Sequence[float], total: float, decimals: int) -> list[float]:
    """``total`` shared in proportion to ``weights``, each share rounded to ``decimals`` so that
    the shares add up to ``total`` (as rounded) exactly: every share is rounded down, and the
    units left over go to the largest remainders (the first of equal ones). All shares are 0
    when ``total`` or the weights sum to 0 or less.
    """
    unit = 10 ** decimals
    want = round(total * unit)
    scale = math.fsum(weights)
    if want <= 0 or scale <= 0:
        return [0.0] * len(weights)
    exact = [w / scale * want for w in weights]
    floors = [math.floor(x + 1e-9) for x in exact]
    for i in sorted(range(len(exact)), key=lambda i: exact[i] - floors[i],
                    reverse=True)[:want - sum(floors)]:
        floors[i] += 1
    return [f / unit for f in floors]


def num(value: float | None, decimals: int = 2, *, missing: str = MISSING) -> str:
    """Format a number with fixed decimals, or ``missing`` for None/NaN."""
    if value is None or is_missing(value):
        return missing
    d = round_half_up(value, decimals)
    if d == 0:
        d = abs(d)  # no "-0.00"
    return f"{d:.{decimals}f}"


def _check_qualifier(qualifier: str) -> str:
    qualifier = (qualifier or "").strip()
    if qualifier and qualifier not in QUALIFIERS:
        raise ValueError(f"unknown qualifier {qualifier!r}; allowed: {'、'.join(QUALIFIERS)}")
    return qualifier


def _unit_text(unit: str) -> tuple[str, str]:
    """``(joiner, unit)`` as printed after a number; see the module docstring."""
    unit = unit or ""
    per = _PER_UNIT_RE.match(unit)
    if per:
        denominator = per.group(1).strip()
        sign = _PER_SIGNS.get(denominator)
        return ("", sign) if sign else ("", f"/{denominator}")
    if unit[:1].isdigit():
        return "×", unit
    return "", unit


def compose(number: str, unit: str = "", qualifier: str = "") -> str:
    """Join an already formatted number, its unit and a qualifier in Chinese order.

    Args:
        number: the number as text, e.g. ``"1000"``, ``"75.22万"``.
        unit: the unit, e.g. ``"所"``, ``"%"``, ``"1/10万"``.
        qualifier: one of :data:`QUALIFIERS` or ``""``.

    Returns:
        e.g. ``1000余所``, ``近9000名``, ``93.96%以上``, ``15/10万``.

    Raises:
        ValueError: ``qualifier`` is not one of :data:`QUALIFIERS`.
    """
    qualifier = _check_qualifier(qualifier)
    joiner, shown = _unit_text(unit)
    if qualifier in PREFIX_QUALIFIERS:
        return f"{qualifier}{number}{joiner}{shown}"
    if qualifier in INFIX_QUALIFIERS:
        return f"{number}{qualifier}{joiner}{shown}"
    return f"{number}{joiner}{shown}{qualifier}"


def _scalable(unit: str) -> bool:
    return bool(unit) and not unit[:1].isdigit() and not (_NO_SCALE_CHARS & set(unit))


def _scaled(value: float) -> str | None:
    """``75.22万`` / ``1.5亿`` for a large count exact at 2 decimals in 万/亿, else None."""
    for factor, suffix in _SCALES:
        if abs(value) < max(factor, SCALE_FROM):
            continue
        scaled = Decimal(repr(float(value))) / factor
        if scaled == scaled.quantize(Decimal("0.01")):
            text = format(scaled.normalize(), "f")
            return f"{text}{suffix}"
    return None


def amount(value: float | None, decimals: int = 2, *, qualifier: str = "",
           missing: str = MISSING) -> str:
    """Format an amount in 万元, e.g. ``24192.45万元`` (``1000余万元`` with 余)."""
    s = num(value, decimals, missing=missing)
    return s if s == missing else compose(s, "万元", qualifier)


def pct(value: float | None, decimals: int = 2, *, qualifier: str = "",
        missing: str = MISSING) -> str:
    """Format a percentage, e.g. ``133.49%`` (``93.96%以上`` with 以上)."""
    s = num(value, decimals, missing=missing)
    return s if s == missing else compose(s, "%", qualifier)


def count(value: float | None, unit: str = "", *, qualifier: str = "",
          missing: str = MISSING) -> str:
    """Format a count: no decimals when whole, large counts in 万/亿 when a unit is given.

    Args:
        value: the count.
        unit: e.g. ``人次``; empty for a bare number (never scaled).
        qualifier: one of :data:`QUALIFIERS` or ``""``.
        missing: text for None/NaN.

    Returns:
        e.g. ``857``, ``75.22万人次``, ``1000余所``.
    """
    if value is None or is_missing(value):
        return missing
    whole = float(value).is_integer()
    text = (_scaled(value) if _scalable(unit) else None) or (
        f"{int(value)}" if whole else num(value, 2))
    return compose(text, unit, qualifier) if unit or qualifier else text


def with_unit(value: float | None, unit: str, decimals: int = 2, *, qualifier: str = "",
              missing: str = MISSING) -> str:
    """Format a value with its unit: % and 万元 get ``decimals`` decimals, counts none.

    Args:
        value: the value.
        unit: its unit as declared (``%``, ``万元``, ``人次``, ``1/10万`` …).
        decimals: decimals of a value that is not a whole count.
        qualifier: one of :data:`QUALIFIERS` or ``""`` (see the module docstring).
        missing: text for None/NaN.

    Returns:
        e.g. ``133.49%``, ``24192.45万元``, ``75.22万人次``, ``15/10万``, ``1000余所``.
    """
    if unit == "%":
        return pct(value, decimals, qualifier=qualifier, missing=missing)
    if unit == "万元":
        return amount(value, decimals, qualifier=qualifier, missing=missing)
    if value is None or is_missing(value):
        return missing
    if float(value).is_integer():  # only whole counts can be exact in 万 at 2 decimals
        return count(value, unit, qualifier=qualifier)
    return compose(num(value, decimals), unit, qualifier)


def change(value: float | None, unit: str = "万元", decimals: int = 2, *, up: str = "增加",
           down: str = "减少", same: str = "持平", missing: str = MISSING) -> str:
    """A signed change in words: ``增加16.69万元``, ``减少3.74万元``, ``持平``.

    The change is 持平 when it rounds to zero at ``decimals`` (what the reader would see as
    0.00), so a report never prints ``增加0.00万元``.

    Args:
        value: the change (later minus earlier).
        unit: unit of the change as for :func:`with_unit`; ``%`` for a change in percent.
        decimals: printed decimals.
        up: word for a positive change (``增加``, ``增长``, ``提高`` …).
        down: word for a negative change (``减少``, ``下降`` …).
        same: text for no change (``持平``, ``与上年持平`` …).
        missing: text for None/NaN.

    Returns:
        The phrase.
    """
    if value is None or is_missing(value):
        return missing
    if round_half_up(value, decimals) == 0:
        return same
    return f"{up if value > 0 else down}{with_unit(abs(value), unit, decimals)}"


def signed(value: float | None, unit: str = "", decimals: int = 2, *, same: str = "持平",
           missing: str = MISSING) -> str:
    """A change with its sign for a table: ``+16.69万元``, ``-3.74万元``, ``+2.10个百分点``.

    A change of a percentage is in percentage points. A change that rounds to zero at
    ``decimals`` is ``same`` (持平), never ``+0.00``.
    """
    if value is None or is_missing(value):
        return missing
    if round_half_up(value, decimals) == 0:
        return same
    sign = "+" if value > 0 else "-"
    if unit == "%":
        return f"{sign}{num(abs(value), decimals)}个百分点"
    return sign + with_unit(abs(value), unit, decimals)


def is_unchanged(value: float | None, decimals: int = 2) -> bool:
    """True when ``value`` rounds to zero at ``decimals`` (what :func:`change` calls 持平)."""
    return value is not None and not is_missing(value) and round_half_up(value, decimals) == 0


# ---------------------------------------------------------------------------------------------
# Times
# ---------------------------------------------------------------------------------------------

#: Zone of every time a reader sees, unless ``PERFKIT_TIMEZONE`` names another.
DEFAULT_TIMEZONE = "Asia/Shanghai"
TIMEZONE_ENV = "PERFKIT_TIMEZONE"
#: Chinese names of zones readers know by name; any other zone is labelled with its IANA
#: name and UTC offset.
_ZONE_LABELS = {"Asia/Shanghai": "北京时间", "Asia/Chongqing": "北京时间", "PRC": "北京时间",
                "Asia/Hong_Kong": "香港时间", "Asia/Macau": "澳门时间", "Asia/Taipei": "台北时间",
                "UTC": "UTC", "Etc/UTC": "UTC"}


def display_zone() -> dt.tzinfo:
    """The zone readers' times are shown in: ``PERFKIT_TIMEZONE`` or 北京时间.

    Raises:
        PerfkitError: ``PERFKIT_TIMEZONE`` is not a known IANA zone name.
    """
    name = os.environ.get(TIMEZONE_ENV, "").strip() or DEFAULT_TIMEZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise PerfkitError(
            f"环境变量 {TIMEZONE_ENV} 的值“{name}”不是有效的时区名称；请写 IANA 时区名，"
            f"如 Asia/Shanghai（北京时间）或 UTC，或删除该变量以使用北京时间。") from None


def display_time(value: str | dt.datetime, *, seconds: bool = False) -> str:
    """A time as a Chinese reader reads it, in the display zone and labelled.

    Args:
        value: an aware datetime or ISO 8601 text (a naive one is taken as the machine's
            local time); text that does not parse is returned unchanged.
        seconds: also show seconds.

    Returns:
        e.g. ``2026年12月3日 09:42（北京时间）`` for ``2026-12-03T01:42:00+00:00``.
    """
    if isinstance(value, dt.datetime):
        moment = value
    else:
        try:
            moment = dt.datetime.fromisoformat(str(value).strip())
        except (TypeError, ValueError):
            return value
    zone = display_zone()
    local = moment.astimezone(zone)
    name = getattr(zone, "key", str(zone))
    label = _ZONE_LABELS.get(name)
    if label is None:
        offset = local.strftime("%z")
        label = f"{name}，UTC{offset[:3]}:{offset[3:]}"
    clock = f"{local:%H:%M:%S}" if seconds else f"{local:%H:%M}"
    return f"{local.year}年{local.month}月{local.day}日 {clock}（{label}）"


def date_zh(value: dt.date) -> str:
    """A date as documents print it: ``2020年6月30日``."""
    return f"{value.year}年{value.month}月{value.day}日"


_DIGITS_ZH = "零一二三四五六七八九"


def zh_numeral(n: int) -> str:
    """A Chinese numeral as headings number items: 一 … 十, 十一 … 九十九 (Arabic beyond)."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _DIGITS_ZH[ones]
    return (_DIGITS_ZH[tens] if tens > 1 else "") + "十" + (_DIGITS_ZH[ones] if ones else "")


#: Numbering styles of listed items, by depth (GB/T 9704: 一、（一）1.（1）).
NUMBERING_STYLES = ("一、", "（一）", "1.", "（1）")


def numbering(n: int, style: str = "（一）") -> str:
    """The ``n``-th (1-based) label of a numbering style: 一、, （一）, 1. or （1）."""
    if style not in NUMBERING_STYLES:
        raise ValueError(f"numbering style {style!r}")
    zh = zh_numeral(n)
    return {"一、": f"{zh}、", "（一）": f"（{zh}）", "1.": f"{n}.", "（1）": f"（{n}）"}[style]
