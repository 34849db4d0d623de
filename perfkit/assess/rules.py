"""Score-sheet rule kinds: each validates its YAML and scores one item from the evidence (their
base, the registry and the causes of a deduction: :mod:`perfkit.assess.rulebase`, whose names are
also importable from here)."""

from __future__ import annotations

import math
from typing import Annotated, Any, ClassVar, Literal

import pandas as pd
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictStr,
    model_validator,
)

from perfkit.assess import targets
from perfkit.assess.evaluation import Evaluation
from perfkit.assess.figures import STATED, audit_internal, audit_stated
from perfkit.assess.intervals import EPS, plain
from perfkit.assess.reviewrules import (
    BUDGET_BASIS,
    CHECKLIST_EVIDENCE,
    EMPTY_QUANTITY,
    NO_EVIDENCE,
    NO_FORMULA,
    SATISFACTION,
    STANDARD,
    UNEXAMINABLE,
    RuleContext,
    unaccepted,
)
from perfkit.assess.rulebase import LOSS_COLUMNS as LOSS_COLUMNS
from perfkit.assess.rulebase import LOSS_DEFECT as LOSS_DEFECT
from perfkit.assess.rulebase import LOSS_MISSING as LOSS_MISSING
from perfkit.assess.rulebase import LOSS_STANDARD as LOSS_STANDARD
from perfkit.assess.rulebase import LOSS_TARGET as LOSS_TARGET
from perfkit.assess.rulebase import LOSS_UNMET as LOSS_UNMET
from perfkit.assess.rulebase import LOSS_ZH as LOSS_ZH
from perfkit.assess.rulebase import RULE_KINDS as RULE_KINDS
from perfkit.assess.rulebase import Found as Found
from perfkit.assess.rulebase import Outcome as Outcome
from perfkit.assess.rulebase import Reason as Reason
from perfkit.assess.rulebase import Rule as Rule
from perfkit.assess.rulebase import _above_100, _domain, _Indicator, _Number
from perfkit.assess.rulebase import _IntervalText as _IntervalText
from perfkit.assess.rulebase import _Positive as _Positive
from perfkit.assess.rulebase import _Text as _Text
from perfkit.assess.rulebase import register_rule as register_rule
from perfkit.cells import as_text, is_missing
from perfkit.data.sheets import SUM_CHECKS
from perfkit.data.values import normalize_label
from perfkit.verdicts import INCONSISTENT, UNEXPLAINED, UNVERIFIABLE


def _coverage(ev: Evaluation, ref: str) -> dict[str, Any]:
    """Why a registered indicator is not this department-year's, as figures."""
    try:
        ind = ev.registry.get(ref)
    except KeyError:
        return {"indicator": ref, "label": "", "domain_label": "", "domains": list(ev.domains)}
    c = ev.registry.catalog(ind.domain)
    return {"indicator": ref, "label": ind.label_zh,
            "domain_label": c.label_zh if c else ind.domain, "domains": list(ev.domains)}


def _indicator_outcome(ev: Evaluation, ref: str, ctx: RuleContext | None = None
                       ) -> tuple[float, str, dict[str, Any], str, Outcome | None]:
    """(value, unit, the indicator's figures, source cells, missing outcome or None) of a
    registry indicator, over the budget basis the 复核口径 fixes for the item (``ctx``), if any.
    The figures: ``label``, and ``basis``/``basis_rule`` when the 口径 changes the basis."""
    basis = ctx.basis() if ctx else ""
    frame = ev.indicators_on(basis) if basis else ev.indicators
    if ref not in frame.index:  # another field's indicator: not this department's
        return math.nan, "", {}, "", Outcome(None, Reason("not_covered", _coverage(ev, ref)), "")
    row = frame.loc[ref]
    value, unit = float(row["value"]), str(row["unit"])
    about: dict[str, Any] = {"indicator": ref, "label": str(row["label_zh"])}
    if basis and basis != ev.settings.budget_basis:
        about |= {"basis": basis, "basis_rule": ctx.rules.id_of(BUDGET_BASIS) if ctx else ""}
    cells = str(row["source_cells"] or "")
    if math.isnan(value):
        about["note"] = str(row["note"] or "")
        return value, unit, about, cells, Outcome(None, Reason("not_computable", about), cells)
    return value, unit, about | {"value": value, "unit": unit}, cells, None


class IndicatorRule(Rule):
    """A rule kind that scores one indicator's value (``indicator``: its id)."""

    indicator: _Indicator

    def reference(self) -> str:
        return self.indicator


@register_rule("linear_deduction")
class LinearDeduction(IndicatorRule):
    """Full marks on the good side of ``bound``; minus ``deduct`` per ``per`` units beyond it.

    ``side``: ``above`` deducts beyond an upper bound (控制率), ``below`` under a lower bound,
    ``both`` for any deviation (预算完成率 around 100%). ``steps: whole`` counts only complete
    steps ("每超过1个百分点"), ``continuous`` (default) deducts pro rata. Floor 0.
    """

    bound: _Number
    side: Literal["above", "below", "both"] = "above"
    per: _Positive = 1.0
    deduct: _Positive
    steps: Literal["continuous", "whole"] = "continuous"

    def apply(self, ev: Evaluation, points: float, policy: str,
              ctx: RuleContext | None = None) -> Outcome:
        value, unit, about, cells, missing = _indicator_outcome(ev, self.indicator, ctx)
        if missing:
            return missing
        if self.side == "above":
            beyond = max(0.0, value - self.bound)
        elif self.side == "below":
            beyond = max(0.0, self.bound - value)
        else:
            beyond = abs(value - self.bound)
        figures = about | {"bound": self.bound, "side": self.side, "per": self.per,
                           "deduct": self.deduct, "beyond": beyond, "steps": self.steps}
        if beyond <= EPS:
            return Outcome(points, Reason("linear", figures | {"deduction": 0.0}), cells, value,
                           unit)
        steps = beyond / self.per
        if self.steps == "whole":
            steps = math.floor(steps + EPS)
        deduction = min(points, steps * self.deduct)
        figures |= {"deduction": deduction, "exhausted": deduction >= points - EPS}
        return Outcome(points - deduction, Reason("linear", figures), cells, value, unit)


class Band(BaseModel):
    """One step of a banded rule: values in ``interval`` earn ``score`` points."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    interval: Annotated[_IntervalText, Field(alias="range")]
    score: _Number


@register_rule("bands")
class Bands(IndicatorRule):
    """Step bands with explicit inclusive edges; the bands may not overlap."""

    bands: Annotated[tuple[Band, ...], Field(min_length=1)]

    def check(self, points: float) -> Found:
        found: Found = []
        for i, band in enumerate(self.bands):
            if band.score < 0 or band.score > points + EPS:
                found.append((("bands", i, "score"),
                              f"得分 {plain(band.score)} 不在 0 至分值 {plain(points)} 之间"))
            for other in self.bands[:i]:
                if band.interval.overlaps(other.interval):
                    found.append((("bands", i, "range"),
                                  f"分档 {other.interval.notation()} 与 {band.interval.notation()}"
                                  " 重叠：同一数值只能落在一档（用方括号/圆括号标明端点归属）"))
        return found

    def apply(self, ev: Evaluation, points: float, policy: str,
              ctx: RuleContext | None = None) -> Outcome:
        value, unit, about, cells, missing = _indicator_outcome(ev, self.indicator, ctx)
        if missing:
            return missing
        for band in self.bands:
            if value in band.interval:
                return Outcome(band.score, Reason("band", about | {
                    "band": band.interval, "band_score": band.score,
                    "full": band.score >= points - EPS}), cells, value, unit)
        return Outcome(0.0, Reason("no_band", about), cells, value, unit)


#: Directions of the 绩效指标 sheet.
_AT_LEAST, _AT_MOST, _EQUAL, _FULL = "≥", "≤", "=", "全面"


def target_attainment(direction: str | None, target: float, actual: float) -> float:
    """Completion share of one target, capped at 1 ("按完成比例计分").

    ≥ (and 全面, an at-least target of 100%): actual / target; ≤: 1 when within the ceiling,
    else target / actual; =: 1 when equal, else the smaller over the larger. A zero target
    makes the ratio undefined, so the target is then simply met (1) or not (0).

    Args:
        direction: ≥, ≤, = or 全面 (None is read as ≥).
        target: the target value.
        actual: the actual value.

    Returns:
        A share in [0, 1].
    """
    direction = as_text(direction) or _AT_LEAST
    if direction == _AT_MOST:
        if actual <= target + EPS:
            return 1.0
        return max(0.0, target / actual) if actual > 0 and target > 0 else 0.0
    if direction == _EQUAL:
        if abs(actual - target) <= EPS:
            return 1.0
        big, small = max(abs(actual), abs(target)), min(abs(actual), abs(target))
        return small / big if target != 0 and actual * target > 0 else 0.0
    if target == 0:
        return 1.0 if actual >= 0 else 0.0
    return max(0.0, min(1.0, actual / target))


def _once(rows: pd.DataFrame, ctx: RuleContext | None) -> tuple[pd.DataFrame, list[str]]:
    """Rows of a target set with a repeated target (same 指标, target and unit) counted once
    (复核口径 ``duplicates``), and the labels of the repeats left out."""
    if ctx is None or rows.empty:
        return rows, []
    key = (rows["label_zh"].map(lambda t: normalize_label(str(t))) + "|"
           + rows["target"].astype(str) + "|" + rows["unit"].astype(str))
    repeat = key.duplicated()
    return rows[~repeat], [str(t) for t in rows.loc[repeat, "label_zh"]]


class OverCut(BaseModel):
    """A target completed beyond ``above_pct`` % counts ``deduct_pct`` % less (set too low)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    above_pct: Annotated[_Positive, AfterValidator(_above_100)]
    deduct_pct: Annotated[_Positive, Field(le=100)]


#: ``targets: {domains: all}``: every domain of the department-year and 其他.
ALL_DOMAINS = "all"


class TargetSet(BaseModel):
    """Every 绩效指标 target of these 领域 (keys: ``quality``, ``health``, ``other`` …), or
    ``all``: every catalog domain of the department-year (run settings ``domains``) and 其他
    (the department's own targets). ``all`` leaves out 财务 rows: the finance items of the sheet
    score budget execution themselves."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    domains: Literal["all"] | Annotated[
        tuple[Annotated[StrictStr, AfterValidator(_domain)], ...], Field(min_length=1)]

    def resolve(self, ev: Evaluation) -> tuple[str, ...]:
        """The 领域 keys the set covers for one department-year."""
        if self.domains == ALL_DOMAINS:
            return (*ev.domains, "other")
        return tuple(self.domains)


@register_rule("proportional")
class Proportional(Rule):
    """min(1, actual / target) × points, for one indicator or the mean over a set of targets.

    Sources: ``indicator`` with a ``target`` number; ``target_code`` (a 绩效指标 code whose
    目标值/实际值 come from the workbook); or ``targets: {domains: [...]}``, every 绩效指标 row of
    those domains with a 目标值 for the evaluation year, each weighing the same. Within a set,
    each target is an indicator of its own: one without an 实际值 counts 0 under the ``zero``
    policy and is left out under ``exclude``. ``over_cut`` cuts a target completed beyond
    ``above_pct`` % by ``deduct_pct`` % of its share (a target set too low) — only when scored
    without the 复核口径: under ``over_achievement`` (K03) a target beyond its threshold counts
    100% and the reason says so. Under ``unexaminable`` (K04) a target that cannot be judged
    counts, less its share; under ``duplicates`` (K05) a repeated target counts once.
    """

    indicator: _Indicator = ""
    target: _Positive | None = None
    target_code: StrictStr = ""
    targets: TargetSet | None = None
    over_cut: OverCut | None = None
    LOSS: ClassVar[str] = LOSS_TARGET

    @model_validator(mode="after")
    def _one_source(self) -> Proportional:
        sources = [k for k in ("indicator", "target_code", "targets") if getattr(self, k)]
        if len(sources) != 1:
            raise ValueError("proportional 规则须且只须给出 indicator（另给 target）、"
                             "target_code、targets 三者之一")
        if self.indicator and self.target is None:
            raise ValueError("给出 indicator 时须给出 target（目标值）")
        return self

    def domains(self, ev: Evaluation) -> tuple[str, ...]:
        """The 领域 whose targets the rule averages (none for a single indicator)."""
        return self.targets.resolve(ev) if self.targets else ()

    def reference(self) -> str:
        if self.targets:
            return "绩效指标:" + (ALL_DOMAINS if self.targets.domains == ALL_DOMAINS
                                  else ",".join(self.targets.domains))
        return self.indicator or f"绩效指标:{self.target_code}"

    def reference_for(self, ev: Evaluation) -> str:
        if self.targets:
            return "绩效指标:" + ",".join(self.domains(ev))
        return self.reference()

    def _share(self, ratio: float, ctx: RuleContext | None
               ) -> tuple[float, dict[str, Any] | None]:
        """Capped share and, when the over-achievement rule applies, what it did. Under the
        复核口径 ``over_achievement`` no cut applies: beyond its threshold the target counts
        100% (``{"rule": K03, "above_pct": …}``; the target's setting is a problem to raise,
        not a deduction); without it ``over_cut`` cuts (``{"above_pct", "deduct_pct"}``)."""
        share = min(1.0, ratio)
        if ctx is not None:
            rule = ctx.rules.get("over_achievement")
            if ratio * 100 > rule.above_pct + EPS:
                return share, {"rule": rule.id, "above_pct": rule.above_pct}
            return share, None
        cut = self.over_cut
        if cut and ratio * 100 > cut.above_pct + EPS:
            share = 1.0 - cut.deduct_pct / 100
            return share, {"above_pct": cut.above_pct, "deduct_pct": cut.deduct_pct}
        return share, None

    def apply(self, ev: Evaluation, points: float, policy: str,
              ctx: RuleContext | None = None) -> Outcome:
        if self.indicator:
            value, _, about, cells, missing = _indicator_outcome(ev, self.indicator, ctx)
            if missing:
                return missing
            assert self.target is not None  # required with an indicator
            ratio = value / self.target
            share, cut = self._share(ratio, ctx)
            return Outcome(points * share, Reason("ratio", about | {
                "target": self.target, "ratio_pct": ratio * 100, "share_pct": share * 100,
                "points": points, "over": cut}), cells, ratio * 100, "%",
                           {LOSS_STANDARD: points * (1 - share)})

        rows = self._target_rows(ev)
        if rows.empty:
            return Outcome(None, Reason("no_targets", {
                "year": ev.year, "target_code": self.target_code,
                "domains": [ev.registry.domain_label(d) for d in self.domains(ev)]}))
        rows, repeated = _once(rows, ctx)
        judged = rows[rows["status"].isin(
            [targets.EXCEEDED, targets.ACHIEVED, targets.NOT_ACHIEVED])]
        unmeasured = rows[rows["status"] == targets.NO_ACTUAL]
        unjudged = rows[~rows.index.isin(judged.index) & ~rows.index.isin(unmeasured.index)]
        parts: list[dict[str, Any]] = []
        shares: list[float] = []
        over: list[str] = []
        for _, r in judged.iterrows():
            direction = r["direction"]
            share = target_attainment(direction, r["target"], r["actual"])
            note: dict[str, Any] | None = None
            if direction in (_AT_LEAST, _FULL) and not is_missing(r["ratio_pct"]):
                share, note = self._share(r["ratio_pct"] / 100, ctx)
                if note and ctx is not None:
                    over.append(str(r["label_zh"]))
            shares.append(share)
            parts.append({"label": str(r["label_zh"]),
                          "direction": "" if direction == _FULL else str(direction),
                          "target": float(r["target"]), "unit": str(r["unit"]),
                          "derived": bool(r["target_derived"]), "actual": float(r["actual"]),
                          "qualifier": r["qualifier"], "status": str(r["status"]),
                          "share_pct": share * 100, "over": note})
        absent = [{"label": str(r["label_zh"]), "cell": str(r["actual_cell"])}
                  for _, r in unmeasured.iterrows()]
        if policy == "zero":
            shares += [0.0] * len(absent)
        # 复核口径 unexaminable: a target that cannot be judged counts, less its share.
        examined: list[dict[str, Any]] = []
        if ctx is not None:
            rule = ctx.rules.get(UNEXAMINABLE)
            for _, r in unjudged.iterrows():
                why = NO_FORMULA if r["status"] == targets.NO_DIRECTION else EMPTY_QUANTITY
                examined.append({"label": str(r["label_zh"]), "status": str(r["status"]),
                                 "rule": rule.id, "cut_pct": ctx.rules.unexaminable_pct(why)})
            shares += [1.0 - e["cut_pct"] / 100 for e in examined]
        evidence = "; ".join(list(judged["actual_cell"]) + list(unmeasured["actual_cell"]))
        left: dict[str, Any] = {
            "examined": examined,
            "unjudged": [] if examined else [str(t) for t in unjudged["label_zh"]],
            "unjudged_statuses": [] if examined else sorted(set(unjudged["status"])),
            "repeated": repeated,
            "duplicates_rule": ctx.rules.id_of("duplicates") if ctx and repeated else ""}
        if judged.empty and not examined:
            return Outcome(None, Reason("targets_unmeasured", left | {"absent": absent}),
                           evidence)
        mean = math.fsum(shares) / len(shares)
        n_derived = int(judged["target_derived"].sum()) + int(unmeasured["target_derived"].sum())
        n = len(shares)
        unmeasured_lost = points * (len(absent) if policy == "zero" else 0) / n
        unexaminable_lost = points * math.fsum(e["cut_pct"] / 100 for e in examined) / n
        lost = {LOSS_MISSING: unmeasured_lost,
                LOSS_TARGET: points * (1 - mean) - unmeasured_lost}
        cites = {NO_EVIDENCE: unmeasured_lost, UNEXAMINABLE: unexaminable_lost,
                 STANDARD: points * (1 - mean) - unmeasured_lost - unexaminable_lost}
        # The department set the others; the count it states in its own report leaves the
        # derived ones out.
        return Outcome(points * mean, Reason("targets", left | {
            "targets": n, "derived": n_derived, "mean_pct": mean * 100, "points": points,
            "parts": parts, "absent": absent, "absent_policy": policy,
            "over_achieved": "、".join(over)}), evidence, mean * 100, "%", lost,
                       cites if ctx is not None else None)

    def _target_rows(self, ev: Evaluation) -> pd.DataFrame:
        """This year's targets in scope, judged by :func:`perfkit.assess.targets.attainment`."""
        if self.target_code:
            rows = targets.attainment(ev)
            return rows[rows["code"] == self.target_code]
        frames = [targets.attainment(ev, d) for d in self.domains(ev)]
        frames = [f for f in frames if not f.empty]
        if not frames:
            return pd.DataFrame(columns=targets.COLUMNS)
        return pd.concat(frames, ignore_index=True)


def _has_samples(rows: pd.DataFrame, answer: str) -> bool:
    """True when every condition answered ``answer`` states its evidence with a figure (a
    sample size or a rate): a 满意度 without one has no samples behind it."""
    said = rows[rows["met"] == answer]["evidence"]
    return bool(len(said)) and all(
        not is_missing(e) and any(ch.isdigit() for ch in str(e)) for e in said)


@register_rule("checklist")
class Checklist(Rule):
    """One ``per_condition`` points per 评价要点 met in the 定性评价 sheet, up to the item's points.

    A condition whose 是否满足 is empty earns nothing and is listed as 未提供; when no condition
    of the item is answered at all, the input is missing and the missing policy applies.
    """

    item: _Text
    per_condition: _Positive = 1.0
    conditions_zh: tuple[StrictStr, ...] = ()
    LOSS: ClassVar[str] = LOSS_UNMET

    def reference(self) -> str:
        return f"定性评价:{self.item}"

    def apply(self, ev: Evaluation, points: float, policy: str,
              ctx: RuleContext | None = None) -> Outcome:
        frame = ev.data.frames.get("qualitative")
        rows = (frame[frame["item"].map(normalize_label) == normalize_label(self.item)]
                if frame is not None and not frame.empty else None)
        if rows is None or rows.empty:
            return Outcome(None, Reason("checklist_missing", {"item": self.item}))
        met, unmet, unknown, cells = [], [], [], []
        said: dict[str, str] = {}
        for idx, r in rows.iterrows():
            cond = str(r["condition"])
            cells.append(ev.data.cell("qualitative", idx, "met"))
            if r["met"] == "是":
                met.append(cond)
                said[cond] = "" if is_missing(r["evidence"]) else str(r["evidence"])
            elif r["met"] == "否":
                unmet.append(cond)
            else:
                unknown.append(cond)
        samples = ctx is not None and ctx.rules.applies_to(SATISFACTION, ctx.item)
        cite = {SATISFACTION: points} if samples else None
        figures: dict[str, Any] = {"item": self.item, "met": met, "unmet": unmet,
                                   "unknown": unknown, "per": self.per_condition}
        if not met and not unmet:
            return Outcome(None, Reason("checklist_unanswered", figures), "; ".join(cells),
                           cites=cite)
        judge = ctx.rules.find(CHECKLIST_EVIDENCE) if ctx is not None and not samples else None
        if judge is not None:
            refused = {c: unaccepted(judge, c, said[c]) for c in met}
            refused = {c: why for c, why in refused.items() if why}
            if refused:
                met = [c for c in met if c not in refused]
                figures |= {"met": met, "unevidenced": list(refused),
                            "refusals": list(refused.values()), "evidence_rule": judge.id}
                if not met and not unmet:
                    per = self.per_condition
                    refused_pts = min(points, len(refused) * per)
                    return Outcome(None, Reason("checklist_unevidenced", figures),
                                   "; ".join(cells), cites={
                                       CHECKLIST_EVIDENCE: refused_pts,
                                       NO_EVIDENCE: points - refused_pts})
        if samples and met and not _has_samples(rows, "是"):
            assert ctx is not None
            return Outcome(None, Reason("checklist_no_samples", figures | {
                "rule": ctx.rules.get(SATISFACTION).id}), "; ".join(cells), cites=cite)
        evidence = [f"{c}：{said[c]}" for c in met if said.get(c)]
        score = min(points, len(met) * self.per_condition)
        refused_n = len(figures.get("unevidenced", ()))
        lost_refused = min(points - score, refused_n * self.per_condition)
        lost_unknown = min(points - score - lost_refused, len(unknown) * self.per_condition)
        lost = {LOSS_MISSING: lost_unknown + lost_refused,
                LOSS_UNMET: points - score - lost_unknown - lost_refused}
        cites = {NO_EVIDENCE: lost_unknown, CHECKLIST_EVIDENCE: lost_refused,
                 STANDARD: points - score - lost_unknown - lost_refused}
        return Outcome(score, Reason("checklist", figures | {
            "score": score, "full": score >= points - EPS}),
                       "; ".join(evidence) or "; ".join(cells), len(met), "项", lost,
                       cites if ctx is not None else None)


@register_rule("data_quality")
class DataQuality(Rule):
    """Full marks less ``deduct`` per finding of the audit: a workbook sum that does not hold
    (不一致, or 未解释差额 — parts that leave the total unexplained) or a figure the report
    states that the data contradict (不一致). Floor 0.

    The findings are perfkit's own checks of the department's data (perfkit.assess.audit: 勾稽关系
    and 报告数值), so the evidence is independent of the department's claim. Only the evaluated
    year's figures count: sums over the 上年 columns (carried over from last year's workbook,
    judged in last year's evaluation) neither earn nor lose marks, so a workbook whose own year
    is still blank has nothing checked. When nothing at all could be checked the input is
    missing and the missing policy applies.
    """

    deduct: _Positive = 1.0
    LOSS: ClassVar[str] = LOSS_DEFECT
    #: Audit verdicts that count as a finding.
    FINDINGS: ClassVar[tuple[str, ...]] = (INCONSISTENT, UNEXPLAINED)
    #: Workbook sums over last year's columns.
    PRIOR_YEAR: ClassVar[frozenset[str]] = frozenset(
        c.id for c in SUM_CHECKS if c.column != "actual")

    def reference(self) -> str:
        return "数据核对"

    def apply(self, ev: Evaluation, points: float, policy: str,
              ctx: RuleContext | None = None) -> Outcome:
        every = pd.concat([audit_stated(ev), audit_internal(ev)], ignore_index=True)
        rows = every[~every["check"].isin(self.PRIOR_YEAR)]
        checked = rows[rows["verdict"] != UNVERIFIABLE]
        if checked.empty:
            return Outcome(None, Reason("data_quality_unchecked", {"year": ev.year}))
        found = checked[checked["verdict"].isin(self.FINDINGS)]
        cells = "; ".join(c for c in found["source_cells"] if isinstance(c, str) and c)
        deduction = min(points, len(found) * self.deduct)
        # The counts of the audit section (报告数值 + 勾稽关系, every row), then what counts here.
        figures: dict[str, Any] = {
            "year": ev.year, "rows": len(every), "checked": len(checked),
            "unverifiable": len(rows) - len(checked), "prior_year": len(every) - len(rows),
            "findings": [{"ref": str(r["ref"]) if r["category"] == STATED else None,
                          "figure": str(r["figure"]), "verdict": str(r["verdict"])}
                         for _, r in found.iterrows()],
            "per_finding": self.deduct, "deduction": deduction,
            "exhausted": bool(len(found)) and deduction >= points - EPS}
        if found.empty:
            return Outcome(points, Reason("data_quality", figures), "", 0, "处")
        return Outcome(points - deduction, Reason("data_quality", figures), cells, len(found),
                       "处", {LOSS_DEFECT: deduction})


@register_rule("manual")
class Manual(Rule):
    """A score set by the evaluator in the sheet, with the written reason it requires.

    Without a ``score`` the item is unscored: its input is missing and the policy applies.
    """

    score: _Number | None = None
    reason_zh: Annotated[StrictStr, AfterValidator(str.strip)] = ""

    def check(self, points: float) -> Found:
        if self.score is None:
            return []
        found: Found = []
        if not 0 <= self.score <= points + EPS:
            found.append((("score",), f"人工评分 {plain(self.score)} 不在 0 至分值 {plain(points)} 之间"))
        if not self.reason_zh:
            found.append(((), "人工评分必须写明理由（reason_zh）"))
        return found

    def reference(self) -> str:
        return "人工评分"

    def apply(self, ev: Evaluation, points: float, policy: str,
              ctx: RuleContext | None = None) -> Outcome:
        if self.score is None:
            return Outcome(None, Reason("manual_unscored"))
        return Outcome(self.score, Reason("manual", {"reason_zh": self.reason_zh}),
                       "评分表 reason_zh", self.score, "分")
