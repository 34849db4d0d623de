"""Checks of single setting values, as pydantic validators: names that are file names never
paths (:data:`SLUG`), one-line texts, ISO dates, workbook cells (``三公经费!C5``), 结果应用 by
grade, the monitoring thresholds. Each raises ``ValueError`` with a Chinese message that says how
to write the value; :mod:`perfkit.data.params` declares which field uses which."""

from __future__ import annotations

import datetime
import re

from perfkit.data.sheets import SHEET_BY_NAME

#: A department code, score-sheet name or notebook name: a folder or file name, never a path.
#: Matched with ``fullmatch`` (``$`` would accept a trailing newline).
SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
#: A cell as perfkit names it in messages: ``三公经费!C5`` (sheet name, then A1 reference).
CELL_REF = re.compile(
    r"^\s*(?P<sheet>[^!！\s]+)\s*[!！]\s*(?P<cell>[A-Za-z]{1,3}[1-9][0-9]{0,6})\s*$")


def slug(value: str) -> str:
    if not SLUG.fullmatch(value):
        raise ValueError(f"“{shown(value)}”无效：只能包含字母、数字、- 和 _，例如 yiyang-edu")
    return value


def shown(value: object) -> str:
    """A name as typed, control characters visible (a trailing newline shows as \\n)."""
    text = str(value)
    return repr(text)[1:-1] if any(not ch.isprintable() for ch in text) else text


def sheet_name(value: str) -> str:
    if not SLUG.fullmatch(value):  # a file stem under params/score_sheets/, never a path
        raise ValueError(f"“{shown(value)}”无效：应为 params/score_sheets/ 下评分表的文件名（不含 "
                         ".yaml），只能包含字母、数字、- 和 _")
    return value


def one_line(value: str) -> str:
    if any(ch in value for ch in "\r\n\t") or len(value) > 200:
        raise ValueError("应为一行文字（不超过200字，不含换行）")
    return value.strip()


def date_text(value: object) -> object:
    """A date YAML read as a date (``review_date: 2020-06-30``), as the text it was."""
    return value.isoformat() if isinstance(value, datetime.date) else value


def iso_date(value: str) -> str:
    value = value.strip()
    if value:
        try:
            datetime.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"“{shown(value)}”不是日期：应写成 YYYY-MM-DD，如 2020-06-30") from None
    return value


#: 结果应用 by grade when the settings say nothing (财预〔2020〕10号 第二十七条 practice).
RESULT_USE_DEFAULT: dict[str, str] = {
    "优": "予以支持，下年度预算优先保障",
    "良": "予以支持，督促整改存在的问题",
    "中": "核减下年度预算10%-30%，限期整改",
    "差": "核减下年度预算30%以上，限期整改；整改不到位的暂停安排",
}


def result_use_map(value: dict[str, str]) -> dict[str, str]:
    unknown = [k for k in value if k not in RESULT_USE_DEFAULT]
    if unknown:
        raise ValueError(f"结果应用的等级只能是 优、良、中、差，不能是“{shown(unknown[0])}”")
    return {k: v.strip() for k, v in value.items()}


def workbook_cell(value: str) -> str:
    m = CELL_REF.match(value)
    if not m or m["sheet"] not in SHEET_BY_NAME:
        raise ValueError(f"“{value}”不是工作簿单元格：应写作 表名!单元格，如 三公经费!C5"
                         "（照抄 perfkit 提示中的位置）")
    return f"{m['sheet']}!{m['cell'].upper()}"


def ascending(value: tuple[float, float]) -> tuple[float, float]:
    if not 0 <= value[0] <= value[1] <= 200:
        raise ValueError("两个界限应在 0 到 200 之间，且第一个不大于第二个，如 [60, 80]")
    return value


def month_floors(value: dict[int, float]) -> dict[int, float]:
    for month, floor in value.items():
        if not 1 <= month <= 11 or not 0 <= floor <= 100:
            raise ValueError(f"“{month}: {floor}”无效：月份为 1 到 11，执行率为 0 到 100，"
                             "如 {4: 25, 6: 40}")
    return dict(sorted(value.items()))
