"""Student aid on the 学生资助 sheet: per-programme figures, totals, per-person aid vs standards.

The sheet is part of the workbook contract, so its machinery is Python; the aid domain's other
indicators, its topics and headlines are in the catalog ``perfkit/domains/aid.yaml``.
"""

from __future__ import annotations

import math

import pandas as pd

from perfkit import fmt
from perfkit.cells import as_text
from perfkit.data.params import Settings
from perfkit.data.printed import input_precision, parse_printed
from perfkit.data.sheets import COUNT_UNITS
from perfkit.data.workbook import WorkbookData
from perfkit.indicators.base import Direction, Reader, Undefined, indicator, safe_divide
from perfkit.indicators.metrics import check_row, domain_checks, domain_gaps, parse_stated
from perfkit.verdicts import CONSISTENT, EXPLAIN, INCONSISTENT, ROUNDING, UNVERIFIABLE

D = "aid"
TWO_EXEMPTIONS = "两免一补"
#: 万元 → 元
YUAN_PER_WAN = 10_000

#: Columns of :func:`programme_frame`: key → (Chinese header, unit). Declared once here.
PROGRAMME_FIELDS = {
    "program": ("资助项目", ""),
    "stage": ("学段", ""),
    "group": ("所属政策", ""),
    "persons": ("受助人次/人数", ""),
    "count_unit": ("计数单位", ""),
    "amount_wan_yuan": ("资助金额", "万元"),
    "per_capita_yuan": ("人均资助金额", "元/计数单位"),
    "standard_yuan": ("资助标准", "元/人·年"),
    "per_capita_to_standard_pct": ("人均金额为标准的比例", "%"),
    "amount_share_pct": ("占资助资金合计比例", "%"),
    "flag": ("与标准比较", ""),
}

BELOW_STANDARD = "低于标准，需说明"
ABOVE_STANDARD = "高于标准，需说明"
AT_STANDARD = "与标准一致"
NO_STANDARD = "无标准"



def _standard_flag(per_capita: float, standard: float) -> str:
    if math.isnan(standard):
        return NO_STANDARD
    if math.isnan(per_capita):
        return "无法比较（人数或金额未提供）"
    # Per-person amounts are compared at the precision they are printed (0.01 元).
    if abs(per_capita - standard) < 0.005:
        return AT_STANDARD
    return BELOW_STANDARD if per_capita < standard else ABOVE_STANDARD


def programme_frame(data: WorkbookData) -> pd.DataFrame:
    """One row per 学生资助 programme with its derived figures (no rounding).

    Columns are the keys of :data:`PROGRAMME_FIELDS` plus ``persons_cell`` and ``amount_cell``.
    ``count_unit`` is what the 受助人次 column counts, 人次 (the default) or 人 (计数单位);
    per-person aid is 金额(万元) × 10000 / that count, in 元 per that unit; a missing or zero
    count leaves it NaN.
    """
    frame = data.frames.get("aid")
    columns = [*PROGRAMME_FIELDS, "persons_cell", "amount_cell", "per_capita_note"]
    if frame is None or frame.empty:
        return pd.DataFrame(columns=columns)
    total = frame["amount"].sum(min_count=1)
    rows = []
    for i, rec in frame.iterrows():
        persons, amount = float(rec["persons"]), float(rec["amount"])
        standard = float(rec["standard_yuan"])
        note = ""
        if math.isnan(persons) or math.isnan(amount):
            per_capita, note = math.nan, "受助人次或金额未提供"
        elif persons == 0:
            per_capita, note = math.nan, fmt.NOT_COMPUTABLE_ZERO
        else:
            per_capita = amount * YUAN_PER_WAN / persons
        to_standard = (per_capita / standard * 100
                       if not (math.isnan(per_capita) or math.isnan(standard) or standard == 0)
                       else math.nan)
        share = amount / total * 100 if total and not math.isnan(amount) else math.nan
        rows.append({
            "program": as_text(rec["program"]), "stage": as_text(rec["stage"]),
            "group": as_text(rec["group"]), "persons": persons,
            "count_unit": count_unit(rec), "amount_wan_yuan": amount,
            "per_capita_yuan": per_capita, "standard_yuan": standard,
            "per_capita_to_standard_pct": to_standard, "amount_share_pct": share,
            "flag": _standard_flag(per_capita, standard),
            "persons_cell": data.cell("aid", i, "persons"),
            "amount_cell": data.cell("aid", i, "amount"), "per_capita_note": note,
        })
    return pd.DataFrame(rows, columns=columns)


def count_unit(rec: pd.Series) -> str:
    """What a 学生资助 row's 受助人次 counts: its 计数单位, 人次 when empty."""
    return as_text(rec.get("count_unit")) or COUNT_UNITS[0]


def _group_amounts(r: Reader, group: str) -> list[float]:
    frame = r.data.frames.get("aid")
    if frame is None or frame.empty:
        raise Undefined("数据缺失：学生资助表未填写")
    rows = frame.index[frame["group"] == group]
    if len(rows) == 0:
        raise Undefined(f"数据缺失：学生资助表中没有所属政策为“{group}”的项目")
    return [r.get("aid", i, "amount") for i in rows]


@indicator(domain=D, label_zh="资助项目资金合计", unit="万元",
           definition_zh="学生资助表各项目金额之和（含免除学杂费补助公用经费、生源地信用助学贷款）",
           source="学生资助: 金额")
def aid_total_wan_yuan(r: Reader) -> float:
    frame = r.data.frames.get("aid")
    if frame is None or frame.empty:
        raise Undefined("数据缺失：学生资助表未填写")
    return sum(r.get("aid", i, "amount") for i in frame.index)


@indicator(domain=D, label_zh="“两免一补”分项合计", unit="万元",
           definition_zh="所属政策为“两免一补”的项目金额之和（免学杂费补助公用经费 + 免费教科书 + 生活费补助）",
           source="学生资助: 所属政策, 金额")
def two_exemptions_total_wan_yuan(r: Reader) -> float:
    return sum(_group_amounts(r, TWO_EXEMPTIONS))


@indicator(domain=D, label_zh="人均资助低于标准的项目数", unit="个", direction=Direction.LOWER_BETTER,
           definition_zh="有资助标准的项目中，人均金额（金额 × 10000 / 受助人次）低于标准的项目个数",
           source="学生资助: 受助人次, 金额, 标准")
def aid_below_standard_count(r: Reader) -> float:
    frame = r.data.frames.get("aid")
    if frame is None or frame.empty:
        raise Undefined("数据缺失：学生资助表未填写")
    compared, below = 0, 0
    for i in frame.index:
        standard = r.optional("aid", i, "standard_yuan")
        if math.isnan(standard):
            continue
        persons, amount = r.optional("aid", i, "persons"), r.optional("aid", i, "amount")
        if math.isnan(persons) or math.isnan(amount):
            continue
        compared += 1
        per_capita = safe_divide(amount * YUAN_PER_WAN, persons)
        below += _standard_flag(per_capita, standard) == BELOW_STANDARD
    if compared == 0:
        raise Undefined("数据缺失：没有可与标准比较的项目（标准、人次或金额未提供）")
    return float(below)


@domain_gaps(D)
def data_gaps(data: WorkbookData) -> list[dict]:
    """Programmes whose per-person aid cannot be computed (count or amount not provided)."""
    rows = []
    for _, p in programme_frame(data).iterrows():
        if p["per_capita_note"]:
            missing = p["persons_cell"] if math.isnan(p["persons"]) else p["amount_cell"]
            rows.append({"label_zh": f"“{p['program']}”人均资助金额", "kind": "指标无法计算",
                         "reason": f"{p['per_capita_note']}，人均金额无法计算", "cells": missing})
    return rows


def _group_check(data: WorkbookData, group: str) -> dict:
    """Parts of a 所属政策 group against the total the report states for it."""
    check_id, label = f"aid_group_{group}", f"“{group}”分项之和 = 报告所称合计"
    frame, stated = data.frames["aid"], data.frames.get("stated")
    key = f"sum(学生资助:{group})"
    rows = frame.index[frame["group"] == group]
    cells = [data.cell("aid", i, "amount") for i in rows]
    hits = [] if stated is None or stated.empty else list(stated.index[stated["check"] == key])
    if stated is None or not hits:
        return check_row(check_id, D, label, "万元", math.nan, math.nan, 0.0, UNVERIFIABLE,
                         f"报告数值表中没有“{key}”", cells)
    cells.insert(0, data.cell("stated", hits[0], "stated"))
    text = str(stated.at[hits[0], "stated"])
    try:
        total = parse_stated(text)
    except ValueError:
        return check_row(check_id, D, label, "万元", math.nan, math.nan, 0.0, UNVERIFIABLE,
                         f"报告数值“{text}”不是数字", cells)
    amounts = [float(frame.at[i, "amount"]) for i in rows]
    if any(math.isnan(a) for a in amounts) or not amounts:
        return check_row(check_id, D, label, "万元", math.nan, total.value, 0.0, UNVERIFIABLE,
                         "分项金额未全部提供", cells)
    s = sum(amounts)
    # Both sides are printed figures: the check allows their combined rounding range.
    halves = [input_precision(data, "aid", i, "amount")[0] for i in rows]
    tol = total.half_unit + sum(halves)
    diff = s - total.value
    names = "、".join(as_text(frame.at[i, "program"]) for i in rows)
    note = (f"{names}合计{fmt.amount(s)}，报告合计“{text.strip()}”即{fmt.amount(total.value)}，"
            f"相差{fmt.amount(abs(diff))}")
    coarse = [(as_text(frame.at[i, "program"]), a, h)
              for i, a, h in zip(rows, amounts, halves, strict=True) if h >= 1]
    printed = parse_printed(text)
    printed = printed.in_unit("万元") if printed.kind in ("number", "amount") else printed
    # The verdicts of perfkit.assess.figures.judge, so that the same figure audited as a
    # 报告数值 reads the same: 一致 when the sum rounds to the printed figure, 舍入差异 when
    # only the rounding of the printed inputs explains the difference.
    if abs(diff) <= 1e-9 or fmt.round_half_up(s / printed.scale, printed.decimals) == printed.number:
        return check_row(check_id, D, label, "万元", s, total.value, tol, CONSISTENT, note, cells)
    if abs(diff) <= tol:
        why = [f"报告合计“{text.strip()}”的舍入误差为±{fmt.num(total.half_unit, 0)}万元"]
        why += [f"{n}{fmt.num(a, 0)}万元（按所印位数）的舍入误差为±{fmt.num(h, 0)}万元"
                for n, a, h in coarse]
        note += (f"。{'，'.join(why)}；分项合计可能在{fmt.amount(s - sum(halves))}至"
                 f"{fmt.amount(s + sum(halves))}之间，差额在舍入误差范围（±{fmt.amount(tol)}）内，"
                 "差异可由舍入解释")
        return check_row(check_id, D, label, "万元", s, total.value, tol, ROUNDING, note, cells)
    return check_row(check_id, D, label, "万元", s, total.value, tol, INCONSISTENT,
                     note + f"，超出舍入范围（±{fmt.amount(tol)}），需核实", cells)


@domain_checks(D)
def checks(data: WorkbookData, settings: Settings) -> list[dict]:
    """Aid checks: each policy group against its stated total; per-person aid against standard."""
    frame = data.frames.get("aid")
    if frame is None or frame.empty:
        return []
    rows = [_group_check(data, g) for g in dict.fromkeys(frame["group"].dropna())]
    for _, p in programme_frame(data).iterrows():
        if p["flag"] == NO_STANDARD:
            continue
        cells = [p["amount_cell"], p["persons_cell"]]
        label = f"“{p['program']}”人均金额与标准"
        if math.isnan(p["per_capita_yuan"]):
            rows.append(check_row(f"aid_standard_{p['program']}", D, label, "元", p["standard_yuan"],
                                  math.nan, 0.005, UNVERIFIABLE, p["per_capita_note"], cells))
            continue
        verdict = CONSISTENT if p["flag"] == AT_STANDARD else EXPLAIN
        unit = p["count_unit"]
        note = (f"{fmt.amount(p['amount_wan_yuan'])} ÷ {fmt.count(p['persons'])}{unit} = "
                f"{fmt.num(p['per_capita_yuan'])}元/{unit}，标准{fmt.num(p['standard_yuan'])}元/人·年，"
                f"为标准的{fmt.pct(p['per_capita_to_standard_pct'])}")
        if verdict == EXPLAIN:
            note += "；请说明差异原因（如受助人数口径、补助月数）"
        rows.append(check_row(f"aid_standard_{p['program']}", D, label, "元", p["standard_yuan"],
                              p["per_capita_yuan"], 0.005, verdict, note, cells))
    return rows
