"""pandera schemas, one per sheet, and the load-time cross-checks (totals = parts)."""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Collection
from typing import Any

import pandas as pd
import pandera.pandas as pa

from perfkit import fmt
from perfkit.cells import as_number
from perfkit.data.sheets import AMOUNT, NUMBER, SHEET_BY_KEY, SHEETS, SUM_CHECKS, Sheet
from perfkit.errors import Problem

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
    file: str,
    frames: dict[str, pd.DataFrame],
    cells: dict[tuple[str, Any, str], str],
    skip: Collection[tuple[str, str]] = (),
) -> list[Problem]:
    """Validate every loaded sheet, collecting every failure (``lazy=True``).

    Args:
        file: file name for messages.
        frames: sheet key → typed frame.
        cells: cell references recorded by the reader.
        skip: (sheet name, cell) pairs already reported, so one cell gives one message.

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
                if (sheet.name, ref.split("!")[-1]) in skip:
                    continue
                found, expected, fix = _CHECK_TEXT.get(
                    str(fc.get("check")), (f"不符合检查 {fc.get('check')}", "见模板说明", "按模板改正")
                )
                problems.append(
                    Problem(file, sheet.name, ref.split("!")[-1], f"{found} {fc.get('failure_case')}",
                            expected, fix)
                )
    return problems


#: Rounding tolerance between a total and its parts: the 0.5 万元 published checkers use.
TOTAL_TOLERANCE_WAN_YUAN = 0.5
#: Share of the total beyond which a mismatch is refused at load time rather than reported.
GROSS_MISMATCH_SHARE = 0.1


def check_totals(
    file: str,
    frames: dict[str, pd.DataFrame],
    cells: dict[tuple[str, Any, str], str],
    skip: Collection[tuple[str, str]] = (),
) -> tuple[list[Problem], list[Problem]]:
    """Check totals against their parts in every amount column, at load time.

    The identities are those of :data:`perfkit.data.sheets.SUM_CHECKS`, plus "a 其中 item does not
    exceed its parent". Only mismatches that missing parts cannot explain count: the given
    parts exceed the total, or every part is given. A shortfall with parts left empty (the
    sample's 基本 + 项目 = 18930.95 against 24788.37) is a finding for the report
    (``Evaluation.checks``: 未解释差额), not an input error.

    A mismatch above a tenth of the total is refused: it is not rounding or one mistyped digit
    but a row, column or unit entered in the wrong place, and every ratio built on the sheet
    would be wrong. A smaller one (over 0.5 万元), or one against a total of 0 (a zero base,
    whose ratios read 无法计算), is a warning; the report lists it as 不一致.

    Args:
        file: file name for messages.
        frames: sheet key → typed frame (万元).
        cells: cell references recorded by the reader.
        skip: (sheet name, cell) pairs already reported; identities touching them are skipped.

    Returns:
        (problems that block loading, warnings).
    """
    errors: list[Problem] = []
    notes: list[Problem] = []
    identities: dict[tuple[str, str, tuple[str, ...]], str] = {}
    for c in SUM_CHECKS:  # checked in every amount column, so the year qualifier goes
        identities.setdefault((c.sheet, c.total, c.parts), re.sub("（[本上]年）$", "", c.label_zh))
    for sheet in SHEETS:
        for item in sheet.items:
            covered = any(k == sheet.key and t == item.parent for k, t, _ in identities)
            if item.parent and not covered:
                label = f"{item.label} 不大于 {sheet.item(item.parent).label}"
                identities[(sheet.key, item.parent, (item.key,))] = label
    for (key, total_key, parts), label in identities.items():
        sheet = SHEET_BY_KEY[key]
        frame = frames.get(key)
        if frame is None or total_key not in frame.index:
            continue
        partial = len(parts) == 1 and sheet.item(parts[0]).parent == total_key
        for column in (c.key for c in sheet.columns if c.kind == AMOUNT):
            total = _value(frame, total_key, column)
            known = {}
            for p in parts:
                v = _value(frame, p, column)
                if math.isnan(v):  # a subtotal left empty counts as given when its parts are
                    sub = [_value(frame, i.key, column) for i in sheet.items if i.parent == p]
                    sub = [x for x in sub if not math.isnan(x)]
                    v = sum(sub) if sub else math.nan
                if not math.isnan(v):
                    known[p] = v
            if math.isnan(total) or not known:
                continue
            refs = [cells.get((key, k, column), "!").split("!")[1] for k in (total_key, *parts)]
            if any((sheet.name, r) in skip for r in refs if r):
                continue
            parts_sum = sum(known.values())
            diff = parts_sum - total
            complete = len(known) == len(parts) and not partial
            if abs(diff) <= TOTAL_TOLERANCE_WAN_YUAN or (diff < 0 and not complete):
                continue
            named = "、".join(sheet.item(p).label for p in known)
            total_label = sheet.item(total_key).label
            header = sheet.column(column).header
            found = (f"“{header}”列 {named}合计{fmt.amount(parts_sum)}，{total_label}"
                     f"{fmt.amount(total)}，{'多' if diff > 0 else '少'}{fmt.amount(abs(diff))}")
            expected = f"{label}（相差不超过 {TOTAL_TOLERANCE_WAN_YUAN:g} 万元）"
            # A zero total is a zero base: ratios on it already read 无法计算（基数为0）, so no
            # wrong figure follows from it; it stays a warning, like small mismatches.
            if total != 0 and abs(diff) > GROSS_MISMATCH_SHARE * abs(total):
                errors.append(Problem(file, sheet.name, refs[0], found, expected,
                                      "差额超过合计的十分之一，多为填错行、列或单位：以部门决算报表为准"
                                      "核对合计与各分项"))
            else:
                notes.append(Problem(file, sheet.name, refs[0], found, expected,
                                     "报告将把它列为“不一致”；若是录入错误，按部门决算报表改正"))
    return errors, notes


def _value(frame: pd.DataFrame, row: str, column: str) -> float:
    if row not in frame.index or column not in frame:
        return math.nan
    return as_number(frame.at[row, column])
