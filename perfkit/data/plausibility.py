"""Plausibility: figures that type-check but cannot be meant as written (wrong unit, scale)."""

from __future__ import annotations

import math
import re
from typing import Any

import pandas as pd

from perfkit import fmt
from perfkit.cells import as_number, is_missing
from perfkit.data.collector import CONFIRM_HINT, Collector
from perfkit.data.sheets import AMOUNT, SHEET_BY_KEY
from perfkit.data.values import clip, normalize_label

#: Bounds that catch amounts typed in 元 in a workbook that declares 万元 (10000 times) and the
#: reverse (÷10000). Each sits orders of magnitude away from both a real department-year and the
#: mistake: the sample's largest amount is 31000 万元, its 三公 total 88.53 万元, its costliest
#: aid 8279 元 per person, its total spending 24788.37 万元.
MAX_AMOUNT_WAN_YUAN = 1e7  # 1000 亿元: more than any department that files this evaluation
MAX_THREE_PUBLIC_WAN_YUAN = 1e4  # 1 亿元 of 三公 spending in one department-year
MIN_TOTAL_WAN_YUAN = 10.0  # 10 万元 for a whole department-year: less than one salary
MAX_PART_TO_TOTAL = 100.0  # an item a hundred times its own sheet's total
MAX_AID_PER_PERSON_YUAN = 1e5  # 10 万元 per student per year: above every aid standard

_TOTAL_CELLS = (("income", "total", "actual"), ("expenditure", "total", "actual"),
                ("income", "total", "budget_initial"), ("expenditure", "total", "budget_initial"))


def check_magnitudes(frames, info, col: Collector, cells) -> None:
    """Report amounts whose size says they are in the other unit than the declared one.

    When the sheet totals themselves are off, the declared unit is wrong for the whole
    workbook: one problem at 基本信息 金额单位. Otherwise each implausible cell is reported.
    """
    info_sheet = SHEET_BY_KEY["info"]
    unit = info.get("unit")
    unit_ref = cells.get(("info", "unit", "value"), f"{info_sheet.name}!B4").split("!")[1]

    def value(sheet: str, row: Any, column: str) -> float:
        frame = frames.get(sheet)
        if frame is None or row not in frame.index or column not in frame:
            return math.nan
        return as_number(frame.at[row, column])

    def ref(sheet: str, row: Any, column: str) -> str:
        return cells.get((sheet, row, column), "!").split("!")[1]

    totals = [(k, value(*k)) for k in _TOTAL_CELLS]
    big = [(k, v) for k, v in totals if v > MAX_AMOUNT_WAN_YUAN]
    if len(big) < sum(not math.isnan(v) for _, v in totals):
        big = []  # some totals are of the declared unit: the others are cells typed in 元
    actual = [v for k, v in totals if k[2] == "actual" and not math.isnan(v)]
    small = [(k, v) for k, v in totals if 0 < v < MIN_TOTAL_WAN_YUAN and k[2] == "actual"]
    if len(small) < len(actual):
        small = []  # only when every given actual total is tiny is the whole workbook in 万元
    confirmed_big = all(f"{SHEET_BY_KEY[k[0]].name}!{ref(*k)}" in col.to_confirm for k, _ in big)
    if (big and not confirmed_big) or (small and unit == "元"):
        (sheet, row, column), v = (big or small)[0]
        where = f"{SHEET_BY_KEY[sheet].name}!{ref(sheet, row, column)}"
        if big:
            found = (f"金额单位声明为“{unit}”，但{where}（{SHEET_BY_KEY[sheet].item(row).label}）"
                     f"折合 {fmt.num(v / 1e4)} 亿元，超出任何部门的规模")
            fix = ("表中金额看来是按“元”填写的：把金额单位改为“元”（perfkit 会换算为万元）；"
                   "若确为万元，请核对数量级")
        else:
            found = (f"金额单位声明为“元”，但{where}（{SHEET_BY_KEY[sheet].item(row).label}）"
                     f"折合只有 {fmt.num(v * 1e4)} 元，不足一个人一年的工资")
            fix = "表中金额看来是按“万元”填写的：把金额单位改为“万元”；若确为元，请核对数量级"
        if big:
            fix += CONFIRM_HINT.format(ref=where)
        col.add(info_sheet.name, unit_ref, found, "与表中金额一致的金额单位", fix)
        return

    def flag(sheet: str, row: Any, column: str, found: str) -> None:
        r = ref(sheet, row, column)
        name = SHEET_BY_KEY[sheet].name
        if not r or (name, r) in col.flagged:
            return
        wan_yuan = value(sheet, row, column)  # as read: the typed number in the declared unit
        converted = wan_yuan / 1e4 if unit == "万元" else wan_yuan * 1e8
        col.implausible(name, r, found, f"与本表其他金额同一单位（基本信息声明的“{unit}”）",
                        f"该数看来是按{'“元”' if unit == '万元' else '“万元”'}填写的：只换算这一格，"
                        f"改为 {_decimal(converted)}（{unit}）；其他金额和金额单位不必改动。"
                        "若不是单位问题，核对数量级")

    for key in ("income", "expenditure", "balance", "three_public", "aid"):
        spec = SHEET_BY_KEY[key]
        frame = frames.get(key)
        if frame is None or frame.empty:
            continue
        amount_cols = [c.key for c in spec.columns if c.kind == AMOUNT]
        limit = MAX_THREE_PUBLIC_WAN_YUAN if key == "three_public" else MAX_AMOUNT_WAN_YUAN
        for row in frame.index:
            for column in amount_cols:
                v = value(key, row, column)
                if math.isnan(v):
                    continue
                if abs(v) > limit:
                    scope = "一个部门一年“三公”经费" if key == "three_public" else "任何部门"
                    flag(key, row, column,
                         f"金额 {fmt.amount(v)}（{fmt.num(v / 1e4)} 亿元），超出{scope}的规模")
                    continue
                if spec.layout == "items" and row != "total" and "total" in frame.index:
                    total = value(key, "total", column)
                    if total > 0 and v > MAX_PART_TO_TOTAL * total:
                        flag(key, row, column, f"金额 {fmt.amount(v)}，是本表合计"
                             f"{fmt.amount(total)}的 {v / total:.0f} 倍")
    tp, spend = value("three_public", "total", "actual"), value("expenditure", "total", "actual")
    if tp > 0 and spend > 0 and tp > spend:
        flag("three_public", "total", "actual",
             f"“三公”经费合计 {fmt.amount(tp)} 大于本年支出合计 {fmt.amount(spend)}"
             "（前者是后者的一部分）")
    aid = frames.get("aid")
    if aid is not None and not aid.empty:
        for row in aid.index:
            amount, persons = value("aid", row, "amount"), value("aid", row, "persons")
            if persons > 0 and amount * 1e4 / persons > MAX_AID_PER_PERSON_YUAN:
                flag("aid", row, "amount",
                     f"金额 {fmt.amount(amount)} 折合每人 {fmt.num(amount * 1e4 / persons)} 元，"
                     "超过任何资助标准")


def check_percent_scale(frame: pd.DataFrame | None, col: Collector, cells) -> None:
    """Report percentages written as fractions (0.9 where 90 is meant).

    In a row whose unit is %, a value of at most 1.5 is a fraction written by mistake when
    another value of the row is about a hundred times larger (0.9 next to a target of 90: the
    row mixes scales; a real 1.2% next to a target of 10% is left alone), when the direction is
    全面 (that is 100%), or when the row is a rate that should be high (name says 率, direction
    ≥): an 入学率 or 巩固率 of 1.5% is not meant. Rates that should be low (辍学率 ≤ 0.5%) and
    change rates (增长率) are left alone.
    """
    if frame is None or frame.empty:
        return
    sheet = SHEET_BY_KEY["targets"]
    columns = ("target", "actual", "prior")
    for idx in frame.index:
        unit = normalize_label(frame.at[idx, "unit"] or "")
        if unit != "%":
            continue
        vals = {c: frame.at[idx, c] for c in columns}
        known = {c: as_number(v) for c, v in vals.items() if not is_missing(v)}
        name = str(frame.at[idx, "name"] or "")
        direction = frame.at[idx, "direction"]
        change = re.search("增长|增幅|变动|下降|降低|减少", name)
        high_rate = direction == "全面" or ("率" in name and direction == "≥" and not change)
        for c, v in known.items():
            if not 0 < abs(v) <= 1.5:
                continue
            # Mixed scales: 100 v is of the size of a percentage-point value of the same row.
            big = [o for o, w in known.items() if abs(w) > 1.5 and 0.5 <= v * 100 / w <= 2]
            if not (big or high_rate):
                continue
            ref = cells.get(("targets", idx, c), "!").split("!")[1]
            header = sheet.column(c).header
            if big:
                why = f"同一行的{sheet.column(big[0]).header}为 {_plain(known[big[0]])}"
            elif direction == "全面":
                why = "方向为“全面”（即 100%）"
            else:
                why = f"“{clip(name, 20)}”是应接近 100% 的比率"
            col.add(sheet.name, ref, f"{header} {_plain(v)}（单位 %），{why}",
                    f"百分数按百分点填写：{_plain(v * 100)} 表示 {_plain(v * 100)}%",
                    f"把 {_plain(v)} 改为 {_plain(v * 100)}；若确实只有 {_plain(v)}%，"
                    "请在备注列说明并核对目标值")


def check_self_scores(frame: pd.DataFrame | None, col: Collector, cells) -> None:
    """Report an item score above the item's own points (自评得分 > 分值)."""
    if frame is None or frame.empty:
        return
    sheet = SHEET_BY_KEY["self_scores"]
    for idx in frame.index:
        points, score = frame.at[idx, "points"], frame.at[idx, "score"]
        if pd.isna(points) or pd.isna(score) or score <= points + 1e-9:
            continue
        ref = cells.get(("self_scores", idx, "score"), "!").split("!")[1]
        col.add(sheet.name, ref, f"自评得分 {_plain(score)} 大于分值 {_plain(points)}",
                "不大于本项分值的得分", "核对该项的自评得分或分值")


def _decimal(v: float) -> str:
    # A number as a person types it, without exponent: 123.4567, 1200000.
    return f"{v:.6f}".rstrip("0").rstrip(".")


def _plain(v: float) -> str:
    # A number as a person types it: 0.985, 98.5, 90.
    return f"{round(v, 6):g}"
