"""The 复核得分: a score sheet applied to the evidence of one department-year, item by item."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from perfkit import fmt
from perfkit.assess.evaluation import Evaluation
from perfkit.assess.intervals import EPS, plain
from perfkit.assess.reviewrules import NO_EVIDENCE, STANDARD, RuleContext
from perfkit.assess.rules import LOSS_COLUMNS, LOSS_MISSING, LOSS_ZH, Outcome
from perfkit.assess.scoresheet import ScoreSheet, load_sheet
from perfkit.cells import is_missing

log = logging.getLogger(__name__)


MISSING_POLICIES = ("zero", "exclude")
POLICY_ZH = {
    "zero": "输入缺失的指标按0分计",
    "exclude": "输入缺失的指标不计分，其分值按比例分配给其余指标",
}
#: Item status in the 自评表. ``error``: the rule raised, so the item (and the total) cannot
#: be scored; it is never counted as missing data.
SCORED, MISSING_ZERO, EXCLUDED, ERROR = "scored", "missing_zero", "excluded", "error"
STATUS_ZH = {SCORED: "已评分", MISSING_ZERO: "输入缺失（计0分）", EXCLUDED: "输入缺失（不计分）",
             ERROR: "无法评分（规则出错）"}


@dataclass(frozen=True)
class ScoreResult:
    """The sheet scored from the evidence of one department-year (the reviewer's 复核得分).

    Attributes:
        sheet: the score sheet used.
        policy: the missing-input policy applied (``zero`` or ``exclude``).
        items: one row per 三级 indicator (columns in :data:`ITEM_COLUMNS`); the ``lost_*``
            columns split each deduction by cause and add up to it exactly.
        subtotals: one row per 一级 indicator: level1, points, points_adjusted, score, deduction.
        total: the total score (sum of the sub-totals); NaN when a rule failed.
        grade: the grade of ``total`` ("" when it cannot be scored).
        claimed: the department's own score (基本信息 自评得分), or None.
        errors: one message per rule that raised (item and error); any makes the sheet
            无法评分.
        stated_grade: the grade the department states (基本信息 自评等级), "" when it gives none.
        cites: per item (in the order of ``items``), its deduction by the 复核口径 that decides
            it (``applies`` → points, recorded at the sheet's precision, summing to the item's
            deduction exactly).
        figures: per item, the figures its rule used (:attr:`Outcome.figures`).
    """

    sheet: ScoreSheet
    policy: str
    items: pd.DataFrame
    subtotals: pd.DataFrame
    total: float
    grade: str
    claimed: float | None
    errors: tuple[str, ...] = ()
    stated_grade: str = ""
    cites: tuple[dict[str, float], ...] = ()
    figures: tuple[dict[str, float | str], ...] = ()

    @property
    def scorable(self) -> bool:
        """False when a rule failed: the total is then not a score at all."""
        return not self.errors

    @property
    def claimed_grade(self) -> str:
        """The band the claimed score falls in on this sheet (not necessarily a grade the
        department stated: see :attr:`stated_grade` and :meth:`claim_text`)."""
        return self.sheet.grade_for(self.claimed)

    def claim_text(self) -> str:
        """The department's claim as every document words it: ``96.80分（优）`` with the grade it
        stated, ``96.80分（未填报等级，按分数属“优”）`` without one; "" without a claim."""
        if self.claimed is None:
            return ""
        if self.stated_grade:
            return f"{fmt.num(self.claimed)}分（{self.stated_grade}）"
        band = f"按分数属“{self.claimed_grade}”" if self.claimed_grade else "分数无对应等级"
        return f"{fmt.num(self.claimed)}分（未填报等级，{band}）"

    @property
    def claim_difference(self) -> float:
        """Claimed minus 复核 total (NaN without a claim or a total)."""
        if self.claimed is None or is_missing(self.total):
            return math.nan
        return record_score(self.claimed - self.total, self.sheet.decimals)

    @property
    def total_deduction(self) -> float:
        """Points lost over the whole sheet (the sum of the item deductions)."""
        return record_score(math.fsum(self.subtotals["deduction"]), self.sheet.decimals)

    @property
    def unsupported(self) -> pd.DataFrame:
        """Items where points were lost: where a claimed score near full marks lacks support."""
        return self.items[self.items["deduction"] > EPS]

    def losses(self) -> dict[str, float]:
        """Points lost over the sheet by cause (keys of :data:`LOSS_ZH`), summing exactly to
        :attr:`total_deduction`."""
        return {k: record_score(math.fsum(self.items[f"lost_{k}"]), self.sheet.decimals)
                for k in LOSS_ZH}


#: Columns of :attr:`ScoreResult.items` (and of tables/scores.csv).
ITEM_COLUMNS = ["sheet", "item", "level1", "level2", "level3", "indicator", "rule_kind", "rule_zh",
                "points", "points_adjusted", "score", "deduction", *LOSS_COLUMNS, "status",
                "value", "unit", "reason", "evidence"]

def score(ev: Evaluation, sheet: str | Path | ScoreSheet | None = None,
          policy: str | None = None) -> ScoreResult:
    """Score one evaluation against a sheet (default: the run settings' ``score_sheet``).

    Item scores are recorded at the sheet's precision (2 decimals) and every total is the sum
    of recorded scores, so the printed sheet adds up exactly. A rule that raises does not count
    as missing data: its item is marked ``error`` and the total is NaN (无法评分).

    Args:
        ev: the evaluation.
        sheet: a sheet name, a YAML path or a loaded sheet.
        policy: ``zero`` or ``exclude``; default the run settings' ``missing_policy``.

    Returns:
        The :class:`ScoreResult` (cached per evaluation, sheet and policy).

    Raises:
        ScoreSheetError: the sheet is malformed.
    """
    if not isinstance(sheet, ScoreSheet):
        sheet = load_sheet(sheet or ev.settings.score_sheet, ev.project)
    policy = policy or ev.settings.missing_policy
    if policy not in MISSING_POLICIES:
        raise ValueError(f"missing policy must be one of {MISSING_POLICIES}, got {policy!r}")
    return ev.result(("score", str(sheet.path), sheet.name, policy),
                     lambda: _score(ev, sheet, policy))


def record_score(x: float, decimals: int) -> float:
    return float(fmt.round_half_up(x, decimals))


def _split(total: float, parts: dict[str, float], decimals: int) -> dict[str, float]:
    """Round ``parts`` to ``decimals`` so that they add up to the recorded ``total`` exactly
    (largest remainder); every cause of :data:`LOSS_ZH` gets a key."""
    shares = fmt.largest_remainder([max(0.0, parts.get(k, 0.0)) for k in LOSS_ZH], total, decimals)
    return dict(zip(LOSS_ZH, shares, strict=True))


def _score(ev: Evaluation, sheet: ScoreSheet, run_policy: str) -> ScoreResult:
    rows, errors = [], []
    for item in sheet.items:
        policy = item.missing or run_policy
        try:
            out = item.rule.apply(ev, item.points, policy, RuleContext(sheet.rules, item.id))
        except Exception as exc:  # reported as 无法评分, never as missing data
            log.exception("rule %s failed", item.id)
            message = f"{item.level3}（{item.id}）的评分规则执行出错：{type(exc).__name__}: {exc}"
            errors.append(message)
            out = Outcome(None, message)
            status, reason, value, lost = ERROR, message, math.nan, {}
            cites: dict[str, float] = {}
        else:
            if out.score is None:
                status = MISSING_ZERO if policy == "zero" else EXCLUDED
                reason = f"{out.reason.rstrip('。')}；{POLICY_ZH[policy]}"
                value = math.nan
                lost = {LOSS_MISSING: item.points} if policy == "zero" else {}
                cites = (out.cites or {NO_EVIDENCE: item.points}) if policy == "zero" else {}
            else:
                status, reason = SCORED, out.reason
                value = min(item.points, max(0.0, out.score))
                lost = out.lost if out.lost is not None else {item.rule.LOSS: item.points - value}
                cites = out.cites if out.cites is not None else {
                    NO_EVIDENCE: lost.get(LOSS_MISSING, 0.0),
                    STANDARD: item.points - value - lost.get(LOSS_MISSING, 0.0)}
        rows.append({
            "sheet": sheet.name, "item": item.id, "level1": item.level1, "level2": item.level2,
            "level3": item.level3, "indicator": item.rule.reference_for(ev), "rule_kind": item.rule.kind,
            "rule_zh": item.rule.text_zh, "points": item.points, "raw": value, "status": status,
            "value": out.value, "unit": out.unit, "reason": reason, "evidence": out.evidence,
            "lost": lost, "cites": cites, "figures": dict(out.figures or {}),
        })
    items = pd.DataFrame(rows)
    # 口径: excluded items give their points to the others in proportion, so the sheet still
    # totals 100; adjusted points are rounded by largest remainder to add up exactly.
    included = items["status"] != EXCLUDED
    items["points_adjusted"] = _redistribute(items["points"].where(included, 0.0).tolist(),
                                             sheet.decimals)
    factor = items["points_adjusted"] / items["points"]
    raw = items["raw"].where(items["status"] == SCORED, 0.0) * factor
    items["score"] = [record_score(v, sheet.decimals) for v in raw]
    items.loc[items["status"].isin([EXCLUDED, ERROR]), "score"] = math.nan
    rescaled = (items["status"] == SCORED) & (items["points_adjusted"] != items["points"])
    items.loc[rescaled, "reason"] = [
        f"{r}；按调整后分值{plain(a)}折算，得{fmt.num(s)}分"
        for r, a, s in zip(items.loc[rescaled, "reason"], items.loc[rescaled, "points_adjusted"],
                           items.loc[rescaled, "score"], strict=True)
    ]
    items["deduction"] = [
        record_score(p - (0.0 if is_missing(s) else s), sheet.decimals) if st not in (EXCLUDED, ERROR)
        else 0.0
        for p, s, st in zip(items["points_adjusted"], items["score"], items["status"], strict=True)
    ]
    splits = [_split(d, lost, sheet.decimals)
              for d, lost in zip(items["deduction"], items["lost"], strict=True)]
    for k in LOSS_ZH:
        items[f"lost_{k}"] = [sp[k] for sp in splits]
    cited = tuple(_split_cites(d, c, sheet.decimals)
                  for d, c in zip(items["deduction"], items["cites"], strict=True))
    figures = tuple(items["figures"])
    items = items[ITEM_COLUMNS]
    subtotals = (items.assign(score=items["score"].fillna(0.0))
                 .groupby("level1", sort=False)[["points", "points_adjusted", "score", "deduction"]]
                 .sum().reset_index())
    for col in ("score", "deduction"):
        subtotals[col] = subtotals[col].map(lambda v: record_score(v, sheet.decimals))
    total = math.nan if errors else record_score(math.fsum(subtotals["score"]), sheet.decimals)
    grade = sheet.grade_for(total)
    claimed = ev.data.info.get("claimed_score")
    claimed = None if claimed is None or is_missing(claimed) else float(claimed)
    stated = ev.data.info.get("claimed_grade")
    stated = "" if stated is None or is_missing(stated) else str(stated).strip()
    return ScoreResult(sheet, run_policy, items, subtotals, total, grade, claimed, tuple(errors),
                       stated, cited, figures)


def _split_cites(total: float, cites: dict[str, float], decimals: int) -> dict[str, float]:
    """A recorded deduction split over the 复核口径 that decide it (largest remainder; the
    parts add up to ``total`` exactly; a deduction no rule claims is charged to ``standard``)."""
    keys = [k for k, v in cites.items() if v > 1e-9]
    if total <= 0:
        return {}
    if not keys:
        return {STANDARD: total}
    shares = fmt.largest_remainder([cites[k] for k in keys], total, decimals)
    return {k: v for k, v in zip(keys, shares, strict=True) if v > 0}


def _redistribute(points: list[float], decimals: int) -> list[float]:
    """Scale ``points`` to sum to 100 at ``decimals``, rounding by largest remainder."""
    if abs(math.fsum(points) - 100) < 1e-9:
        return list(points)
    return fmt.largest_remainder(points, 100, decimals)


def score_sheet(ev: Evaluation, sheet: str | Path | ScoreSheet | None = None,
                policy: str | None = None) -> pd.DataFrame:
    """The 自评表 as a frame with the sheet's own headings (one row per 三级 indicator).

    Columns: 一级指标, 二级指标, 三级指标, 分值, 得分, 扣分原因, 证据 (plus 调整后分值 when the
    ``exclude`` policy redistributed points, and 评分标准). Excluded items show 得分 NaN.
    """
    r = score(ev, sheet, policy)
    frame = pd.DataFrame({
        "一级指标": r.items["level1"], "二级指标": r.items["level2"], "三级指标": r.items["level3"],
        "分值": r.items["points"], "调整后分值": r.items["points_adjusted"],
        "得分": r.items["score"],
        "扣分": r.items["deduction"], "评分标准": r.items["rule_zh"], "扣分原因": r.items["reason"],
        "证据": r.items["evidence"],
    })
    if (r.items["points_adjusted"] == r.items["points"]).all():
        frame = frame.drop(columns="调整后分值")
    return frame


def score_summary(ev: Evaluation) -> dict[str, Any]:
    """Total, grade and claimed score for the run manifest (``{"total", "grade", "claimed"}``…)."""
    r = score(ev)
    return {"sheet": r.sheet.name, "total": None if is_missing(r.total) else r.total,
            "grade": r.grade or None, "claimed": r.claimed,
            "claimed_grade": r.stated_grade or None, "claimed_band": r.claimed_grade or None,
            "missing_policy": r.policy,
            "errors": list(r.errors)}
