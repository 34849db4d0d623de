"""What people type into cells: labels folded for matching, numbers and dates parsed strictly."""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from pathlib import Path
from typing import Any

_PREFIXES = ("其中：", "其中:", "其中")


def normalize_label(text: Any) -> str:
    """Fold a label for matching: NFKC (full-width → half-width), no spaces, no 其中 prefix."""
    s = unicodedata.normalize("NFKC", str(text or "")).strip()
    for p in _PREFIXES:
        if s.startswith(unicodedata.normalize("NFKC", p)):
            s = s[len(unicodedata.normalize("NFKC", p)) :]
    s = re.sub(r"\s+", "", s)
    return s.replace('"', "").replace("“", "").replace("”", "")


_NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_CN_NUMERAL_RE = re.compile(r"^[负零〇一二两三四五六七八九十百千万亿点壹贰叁肆伍陆柒捌玖拾佰仟]+$")
_PLACEHOLDERS = {"—", "-", "－", "/", "N/A", "NA", "n/a", "na", "无", "空", "不详", "——", "--", "…",
                 "...", "null", "NULL", "None", "nan", "NaN", "暂无", "未提供", "x", "X", "?", "？"}
_EXCEL_ERRORS = {"#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!",
                 "#CALC!", "#GETTING_DATA"}


def clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def parse_number(raw: Any) -> tuple[float | None, str | None]:
    """Parse a cell value as a number.

    Only plain numbers are accepted: no unit, no thousands separator, no Chinese numerals, no
    placeholder for "not provided" (an empty cell says that). Guessing would risk a silently
    wrong figure.

    Returns:
        ``(value, None)`` on success (``value`` None for an empty cell), or ``(None, why)``
        where ``why`` explains the text that is not a number, with a suggested fix.
    """
    if raw is None:
        return None, None
    if isinstance(raw, bool):
        return None, "逻辑值（TRUE/FALSE）"
    if isinstance(raw, (dt.datetime, dt.date, dt.time, dt.timedelta)):
        return None, (f"日期或时间“{raw}”（单元格被设成了日期格式；把单元格格式改为“常规”或“数值”后"
                      "重新输入数字）")
    if isinstance(raw, (int, float)):
        try:
            f = float(raw)
        except OverflowError:
            return None, "超出范围的数值"
        if math.isnan(f) or math.isinf(f):
            return None, f"非有限数值 {raw!r}"
        return f, None
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    if text == "":
        return None, None
    if _NUMBER_RE.match(text):
        f = float(text)
        if math.isinf(f):
            return None, f"超出范围的数值“{clip(text)}”"
        return f, None
    hint = ""
    if re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?", text):
        hint = f"（去掉千分位逗号，写作 {text.replace(',', '')}）"
    elif re.fullmatch(r"[+-]?\d+(\.\d+)?\s*(万元|亿元|万|亿|元|%|人次|人|所|个|名)", text):
        hint = ("（去掉单位或百分号，只填数字，并按本表的单位换算：金额单位见基本信息“金额单位”，"
                "百分数填 90 表示 90%）")
    elif text in _PLACEHOLDERS:
        hint = "（未提供的数请留空，不要填占位符）"
    elif text.upper() in _EXCEL_ERRORS:
        hint = "（Excel 错误值：公式计算出错，改正公式或直接填写数值）"
    elif _CN_NUMERAL_RE.match(text):
        hint = "（请用阿拉伯数字填写，如“二千”写作 2000）"
    elif re.fullmatch(r"\(\d+(\.\d+)?\)", text):
        hint = f"（会计格式的负数请写作 -{text.strip('()')}）"
    elif re.fullmatch(r"[+-]?\d[\d\s]*(\.\d+)?", text):
        hint = f"（去掉数字中间的空格，写作 {''.join(text.split())}）"
    elif text.startswith("="):
        hint = "（公式以文本形式保存，perfkit 不计算公式：填写计算结果）"
    return None, f"文本“{clip(text)}”{hint}"


#: Every number a cell may hold is smaller than this in size: 10^15 is 1000 万亿 — more 元 than
#: the national budget, more people than there are. Larger (1e27, 1e308) is a typing or
#: program error, and would overflow the decimal arithmetic of the reports.
MAX_ABS_NUMBER = 1e15


def out_of_range(value: float, label: str, low: float | None = None, high: float | None = None,
                 integer: bool = False) -> str | None:
    """What is wrong with a number outside its plausible range (None when it is inside).

    Every number must be smaller than :data:`MAX_ABS_NUMBER` in size; ``low``/``high`` and
    ``integer`` narrow that for one column or item (自评得分 0–100, 编制数 a whole number).
    """
    if abs(value) >= MAX_ABS_NUMBER:
        return f"{label} {value:g}，超出任何部门数据的数量级（绝对值应小于 1e15）"
    if low is not None and value < low:
        return f"{label} {_plain(value)}，小于 {_plain(low)}" + ("（不能为负数）" if low == 0 else "")
    if high is not None and value > high:
        return f"{label} {_plain(value)}，大于 {_plain(high)}"
    if integer and not float(value).is_integer():
        return f"{label} {_plain(value)} 不是整数"
    return None


def range_text(low: float | None = None, high: float | None = None, integer: bool = False) -> str:
    """The plausible range in words: ``0 到 100 之间的数``, ``不小于 0 的整数``."""
    kind = "整数" if integer else "数"
    if low is not None and high is not None:
        return f"{_plain(low)} 到 {_plain(high)} 之间的{kind}"
    if low is not None:
        return f"不小于 {_plain(low)} 的{kind}"
    if high is not None:
        return f"不大于 {_plain(high)} 的{kind}"
    return f"绝对值小于 1e15 的{kind}"


def _plain(v: float) -> str:
    return f"{round(v, 6):g}"


_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def parse_date(raw: Any) -> dt.date | None:
    """Parse a date cell: an Excel date, ``2020-04-28``, ``2020/4/28`` or ``2020年4月28日``.

    Returns:
        The date, or None when the value is not a valid date.
    """
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    m = _DATE_RE.match(unicodedata.normalize("NFKC", str(raw)).strip())
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def year_from_filename(path: str | Path) -> int | None:
    """Return the one year a file name states (``2019.xlsx``, ``益阳教育局2019年决算.xlsx``).

    None when the name states no year, or several different ones (``2018-2019对比.xlsx``).
    """
    years = set(re.findall(r"(?<!\d)((?:19|20)\d\d)(?!\d)", Path(path).stem))
    return int(years.pop()) if len(years) == 1 else None
