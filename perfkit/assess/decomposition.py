"""The difference between the department's claimed score and the 复核得分, decomposed by cause
and item by item: numbers the 复核意见 shows (perfkit.report.review formats them)."""

from __future__ import annotations

import math

import pandas as pd

from perfkit import fmt
from perfkit.assess.claims import claimed_items
from perfkit.assess.evaluation import Evaluation
from perfkit.assess.rules import LOSS_ZH
from perfkit.assess.scoring import ERROR, EXCLUDED, score
from perfkit.cells import is_missing


def _round(x: float, decimals: int) -> float:
    return float(fmt.round_half_up(x, decimals))


COLUMNS = ["key", "figures", "points"]


def decomposition(ev: Evaluation) -> pd.DataFrame:
    """自评得分 − 复核得分 decomposed by cause; the rows add up to the difference exactly.

    Rows: the 复核 deduction of each cause, their sum, then the department's own deduction
    (100 − 自评得分, or item by item when it gave item scores, plus any difference between
    its item scores and its stated total), and the difference. Values are recorded at the
    sheet's precision, so the printed column adds up.

    Returns:
        Columns ``key`` (``lost_<cause>`` (a key of :data:`LOSS_ZH`), ``deduction``,
        ``own`` or ``own_items``, ``own_gap``, ``difference``), ``figures`` (what the row's
        label shows: the full points, the claimed score, the sum of the item scores) and
        ``points`` (NaN rows only when the claim or the score is missing); report/ words the
        labels.
    """
    r = score(ev)
    d = r.sheet.decimals
    rows: list[tuple[str, dict[str, float], float]] = [
        (f"lost_{k}", {}, v) for k, v in r.losses().items()]
    rows.append(("deduction", {}, r.total_deduction))
    if r.claimed is None or not r.scorable:
        return pd.DataFrame(rows, columns=COLUMNS)
    items = claimed_items(ev, r.sheet)
    scored = items[items["score"].notna() & items["matched"]] if not items.empty else items
    full = float(r.sheet.total_points)
    if scored.empty:
        own = _round(full - r.claimed, d)
        rows.append(("own", {"full": full, "claimed": r.claimed}, -own))
    else:
        items_total = _round(math.fsum(scored["score"]), d)
        own = _round(full - items_total, d)
        rows.append(("own_items", {"full": full, "items_total": items_total}, -own))
        gap = _round(r.claimed - items_total, d)
        if abs(gap) >= 0.005:
            rows.append(("own_gap", {}, gap))
    rows.append(("difference", {}, r.claim_difference))
    return pd.DataFrame(rows, columns=COLUMNS)


def item_comparison(ev: Evaluation) -> pd.DataFrame:
    """Item by item: points, the department's item score (when given), the 复核得分, the
    difference and the main cause of the 复核 deduction.

    Returns:
        Columns item, level1, level3, points, claimed, review, difference, deduction, cause
        (the key of :data:`LOSS_ZH` that lost most, "" without a deduction), status, why.
    """
    r = score(ev)
    items = claimed_items(ev, r.sheet)
    by_item = ({} if items.empty else
               items[items["matched"]].drop_duplicates("item").set_index("item")["score"].to_dict())
    out = []
    for _, i in r.items.iterrows():
        lost = {k: float(i[f"lost_{k}"]) for k in LOSS_ZH}
        cause = max(lost, key=lambda k: lost[k]) if max(lost.values()) > 0 else ""
        claimed = by_item.get(i["item"], math.nan)
        review = i["score"] if i["status"] not in (EXCLUDED, ERROR) else math.nan
        out.append({
            "item": i["item"], "level1": i["level1"], "level3": i["level3"],
            "points": i["points_adjusted"], "claimed": claimed, "review": review,
            "difference": (_round(claimed - review, r.sheet.decimals)
                           if not (is_missing(claimed) or is_missing(review)) else math.nan),
            "deduction": i["deduction"],
            "cause": cause,
            "status": i["status"], "why": i["why"],
        })
    return pd.DataFrame(out)
