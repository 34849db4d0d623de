"""pandera schemas, one per sheet, built from the sheet definitions in workbook.py."""

from __future__ import annotations

import functools
from typing import Any

import pandas as pd
import pandera.pandas as pa

from .errors import Problem
from .workbook import AMOUNT, NUMBER, SHEET_BY_KEY, SHEETS, Sheet

_CHECK_TEXT = {
    "greater_than_or_equal_to(0)": ("负数", "不小于 0 的数", "核对符号；支出、收入金额不能为负"),
}


@functools.cache
def sheet_schema(key: str) -> pa.DataFrameSchema:
    """Return the pandera schema of one sheet (typed frame after loading)."""
    sheet: Sheet = SHEET_BY_KEY[key]
    columns: dict[str, pa.Column] = {}
    for c in sheet.columns:
        if c.kind in (AMOUNT, NUMBER):
            checks = [pa.Check.ge(0)] if c.nonnegative else []
            columns[c.key] = pa.Column(float, checks=checks, nullable=True, required=False)
        else:
            columns[c.key] = pa.Column(object, nullable=True, required=False)
    return pa.DataFrameSchema(columns, strict=False, coerce=False, name=sheet.name)


def validate_frames(
    file: str, frames: dict[str, pd.DataFrame], cells: dict[tuple[str, Any, str], str]
) -> list[Problem]:
    """Validate every loaded sheet, collecting every failure (``lazy=True``).

    Args:
        file: file name for messages.
        frames: sheet key → typed frame.
        cells: cell references recorded by the reader.

    Returns:
        One :class:`Problem` per failing cell.
    """
    problems: list[Problem] = []
    for sheet in SHEETS:
        frame = frames.get(sheet.key)
        if frame is None or sheet.layout == "keyvalue":
            continue
        try:
            sheet_schema(sheet.key).validate(frame, lazy=True)
        except pa.errors.SchemaErrors as err:
            for _, fc in err.failure_cases.iterrows():
                column, index = fc.get("column"), fc.get("index")
                ref = cells.get((sheet.key, index, column), "")
                found, expected, fix = _CHECK_TEXT.get(
                    str(fc.get("check")), (f"不符合检查 {fc.get('check')}", "见模板说明", "按模板改正")
                )
                problems.append(
                    Problem(file, sheet.name, ref.split("!")[-1], f"{found} {fc.get('failure_case')}",
                            expected, fix)
                )
    return problems
