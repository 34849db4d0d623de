"""The department's own score (自评表, 自评得分, 自评等级) checked against its parts and the sheet."""

from __future__ import annotations

import math

import pandas as pd

from perfkit import fmt
from perfkit.assess.evaluation import Evaluation
from perfkit.assess.intervals import plain
from perfkit.assess.scoresheet import ScoreSheet, load_sheet
from perfkit.assess.scoring import record_score
from perfkit.cells import as_text, is_missing
from perfkit.data.values import normalize_label
from perfkit.verdicts import CONSISTENT, INCONSISTENT, UNVERIFIABLE

#: Columns of :func:`claim_checks`.
CLAIM_CHECK_COLUMNS = ["check", "label_zh", "expected", "actual", "difference", "verdict",
                       "explanation", "source_cells"]


def claimed_items(ev: Evaluation, sheet: ScoreSheet | None = None) -> pd.DataFrame:
    """The department's item scores (自评表 sheet) matched to the score sheet's items.

    Rows are matched by 指标编号, else by 三级指标 name. Columns: row (workbook row index),
    item (sheet item id or ""), level3, points (the department's 分值), sheet_points, score,
    reason, score_cell, points_cell, matched (bool).
    """
    sheet = sheet or load_sheet(ev.settings.score_sheet, ev.project)
    frame = ev.data.frames.get("self_scores")
    columns = ["row", "item", "level3", "points", "sheet_points", "score", "reason",
               "score_cell", "points_cell", "matched"]
    if frame is None or frame.empty:
        return pd.DataFrame(columns=columns)
    by_id = {i.id: i for i in sheet.items}
    by_name = {normalize_label(i.level3): i for i in sheet.items}
    rows = []
    for idx, r in frame.iterrows():
        hit = by_id.get(as_text(r["item"]).strip()) or by_name.get(normalize_label(r["level3"]))
        rows.append({
            "row": idx, "item": hit.id if hit else "", "level3": as_text(r["level3"]),
            "points": float(r["points"]), "sheet_points": hit.points if hit else math.nan,
            "score": float(r["score"]), "reason": as_text(r["reason"]),
            "score_cell": ev.data.cell("self_scores", idx, "score"),
            "points_cell": ev.data.cell("self_scores", idx, "points"), "matched": hit is not None,
        })
    return pd.DataFrame(rows, columns=columns)


def claim_checks(ev: Evaluation, sheet: ScoreSheet | None = None) -> pd.DataFrame:
    """Checks of the department's own score: each compares two independent statements.

    - 自评表分项得分之和 against 基本信息 自评得分;
    - 自评等级 (when stated) against the band of 自评得分 in the sheet;
    - each 自评表 分值 against the sheet's points, and every row matched to a sheet item;
    - every sheet item scored by the department (once it gives item scores at all).

    A check whose inputs are not provided is 无法核对. Returns :data:`CLAIM_CHECK_COLUMNS`.
    """
    sheet = sheet or load_sheet(ev.settings.score_sheet, ev.project)
    claimed = ev.data.info.get("claimed_score")
    claimed = None if claimed is None or is_missing(claimed) else float(claimed)
    total_cell = ev.data.cell("info", "claimed_score", "value")
    items = claimed_items(ev, sheet)
    rows = []

    def add(check, label, expected, actual, verdict, note, cells=""):
        diff = (actual - expected if not (is_missing(expected) or is_missing(actual)) else math.nan)
        rows.append({"check": check, "label_zh": label, "expected": expected, "actual": actual,
                     "difference": diff, "verdict": verdict, "explanation": note,
                     "source_cells": cells})

    scored = items[items["score"].notna()] if not items.empty else items
    label = "自评表各项得分之和 = 自评得分"
    if scored.empty or claimed is None:
        what = "部门未填报分项自评得分（自评表）" if scored.empty else "基本信息未填报自评得分"
        add("claim_items_sum", label, math.nan, math.nan, UNVERIFIABLE, what, total_cell)
    else:
        total = record_score(math.fsum(scored["score"]), sheet.decimals)
        ok = abs(total - claimed) <= 0.005
        add("claim_items_sum", label, claimed, total, CONSISTENT if ok else INCONSISTENT,
            f"自评表{len(scored)}项得分合计{fmt.num(total)}分，自评得分{fmt.num(claimed)}分"
            + ("，相符" if ok else f"，相差{fmt.num(abs(total - claimed))}分"),
            "; ".join([*scored["score_cell"], total_cell]))
    stated_grade = as_text(ev.data.info.get("claimed_grade")).strip()
    grade_cell = ev.data.cell("info", "claimed_grade", "value")
    label = "自评等级与自评得分所在区间一致"
    if not stated_grade or claimed is None:
        add("claim_grade", label, math.nan, math.nan, UNVERIFIABLE,
            "部门未填报自评等级" if not stated_grade else "基本信息未填报自评得分", grade_cell)
    else:
        band = sheet.grade_for(claimed)
        ok = band == stated_grade
        add("claim_grade", label, math.nan, math.nan, CONSISTENT if ok else INCONSISTENT,
            f"自评得分{fmt.num(claimed)}分按评分表属“{band or '无对应等级'}”，部门填报等级“"
            f"{stated_grade}”" + ("，相符" if ok else "，不符"), f"{grade_cell}; {total_cell}")
    if not items.empty:
        unknown = items[~items["matched"]]
        add("claim_items_known", "自评表各项均为评分表中的指标", 0.0, float(len(unknown)),
            CONSISTENT if unknown.empty else INCONSISTENT,
            "各项均可对应评分表" if unknown.empty else
            "评分表中没有：" + "；".join(f"{r['level3']}（{r['score_cell'].split('!')[-1]}行）"
                                     for _, r in unknown.iterrows()),
            "; ".join(unknown["score_cell"]))
        known = items[items["matched"] & items["points"].notna()]
        off = known[(known["points"] - known["sheet_points"]).abs() > 1e-9]
        add("claim_points", "自评表分值与评分表一致", 0.0, float(len(off)),
            CONSISTENT if off.empty else INCONSISTENT,
            "各项分值与评分表相符" if off.empty else "；".join(
                f"{r['level3']}：自评表{plain(r['points'])}分，评分表{plain(r['sheet_points'])}分"
                for _, r in off.iterrows()), "; ".join(off["points_cell"]))
        missing = [i for i in sheet.items if i.id not in set(items["item"])]
        add("claim_items_complete", "评分表各项均已自评", 0.0, float(len(missing)),
            CONSISTENT if not missing else INCONSISTENT,
            "评分表各项均有自评得分" if not missing else
            "未自评：" + "、".join(i.level3 for i in missing))
    return pd.DataFrame(rows, columns=CLAIM_CHECK_COLUMNS)
