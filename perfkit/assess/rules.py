"""Score-sheet rule kinds: each validates its YAML and scores one item from the evidence (their
base, the registry and the causes of a deduction: :mod:`perfkit.assess.rulebase`, whose names are
also importable from here)."""

from __future__ import annotations

import math
from typing import Annotated, ClassVar, Literal

import pandas as pd
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictStr,
    model_validator,
)

from perfkit import fmt
from perfkit.assess import targets
from perfkit.assess.evaluation import Evaluation
from perfkit.assess.figures import STATED, audit_internal, audit_stated
from perfkit.assess.intervals import EPS, plain
from perfkit.assess.reviewrules import (
    BUDGET_BASIS,
    EMPTY_QUANTITY,
    NO_EVIDENCE,
    NO_FORMULA,
    SATISFACTION,
    STANDARD,
    UNEXAMINABLE,
    RuleContext,
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

_BASIS_ZH = {"initial": "年初预算", "adjusted": "调整预算"}


def _indicator_outcome(ev: Evaluation, ref: str, ctx: RuleContext | None = None
                       ) -> tuple[float, str, str, str, Outcome | None]:
    """(value, unit, label, source cells, missing outcome or None) of a registry indicator,
    over the budget basis the 复核口径 fixes for the item (``ctx``), if any."""
    basis = ctx.basis() if ctx else ""
    frame = ev.indicators_on(basis) if basis else ev.indicators
    if ref not in frame.index:  # another field's indicator: not this department's
        return math.nan, "", ref, "", Outcome(None, ev.not_covered(ref), "")
    row = frame.loc[ref]
    value, unit, label = float(row["value"]), str(row["unit"]), str(row["label_zh"])
    if basis and basis != ev.settings.budget_basis:
        label += f"（按{_BASIS_ZH[basis]}，复核口径{ctx.rules.id_of(BUDGET_BASIS) if ctx else ''}）"
    cells = str(row["source_cells"] or "")
    if math.isnan(value):
        note = str(row["note"] or "数据缺失")
        return value, unit, label, cells, Outcome(None, f"{label}无法计算：{note}", cells)
    return value, unit, label, cells, None


def _unit_step(unit: str) -> str:
    return "个百分点" if unit == "%" else unit


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
        value, unit, label, cells, missing = _indicator_outcome(ev, self.indicator, ctx)
        if missing:
            return missing
        if self.side == "above":
            beyond, word = max(0.0, value - self.bound), "超过"
        elif self.side == "below":
            beyond, word = max(0.0, self.bound - value), "低于"
        else:
            beyond, word = abs(value - self.bound), "偏离"
        shown = fmt.with_unit(value, unit)
        bound = f"{plain(self.bound)}{unit}"
        figures: dict[str, float | str] = {"label": label, "bound": self.bound, "side": self.side,
                                           "per": self.per, "deduct": self.deduct,
                                           "beyond": beyond}
        if beyond <= EPS:
            return Outcome(points, f"{label}{shown}，未{word}{bound}，得满分", cells, value, unit,
                           figures=figures)
        steps = beyond / self.per
        if self.steps == "whole":
            steps = math.floor(steps + EPS)
        deduction = min(points, steps * self.deduct)
        step_text = f"每{plain(self.per)}{_unit_step(unit)}扣{plain(self.deduct)}分"
        reason = (f"{label}{shown}，{word}{bound}达{fmt.num(beyond)}{_unit_step(unit)}，{step_text}"
                  f"{'（只计整数档）' if self.steps == 'whole' else ''}，扣{fmt.num(deduction)}分")
        if deduction >= points - EPS:
            reason += "（扣完为止）"
        return Outcome(points - deduction, reason, cells, value, unit, figures=figures)


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
        value, unit, label, cells, missing = _indicator_outcome(ev, self.indicator, ctx)
        if missing:
            return missing
        shown = fmt.with_unit(value, unit)
        for band in self.bands:
            if value in band.interval:
                what = "得满分" if band.score >= points - EPS else f"得{plain(band.score)}分"
                return Outcome(band.score, f"{label}{shown}，属“{band.interval.describe(unit)}”档，"
                                           f"{what}", cells, value, unit,
                               figures={"label": label, "band": band.interval.describe(unit),
                                        "band_score": band.score})
        return Outcome(0.0, f"{label}{shown}，不在任何计分档内，得0分", cells, value, unit)


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

    def _share(self, ratio: float, ctx: RuleContext | None) -> tuple[float, str]:
        """Capped share and a note when the over-achievement cut applies. Under the 复核口径
        ``over_achievement`` no cut applies: beyond its threshold the target counts 100% and
        the note says so (the target's setting is a problem to raise, not a deduction)."""
        share = min(1.0, ratio)
        if ctx is not None:
            rule = ctx.rules.get("over_achievement")
            if ratio * 100 > rule.above_pct + EPS:
                return share, (f"完成比例超过{plain(rule.above_pct)}%，按100%计，不扣分"
                               f"（复核口径{rule.id}；目标设定偏低另行提出）")
            return share, ""
        cut = self.over_cut
        if cut and ratio * 100 > cut.above_pct + EPS:
            share = 1.0 - cut.deduct_pct / 100
            return share, (f"完成比例超过{plain(cut.above_pct)}%，视为目标设定偏低，按"
                           f"{plain(100 - cut.deduct_pct)}%计")
        return share, ""

    def apply(self, ev: Evaluation, points: float, policy: str,
              ctx: RuleContext | None = None) -> Outcome:
        if self.indicator:
            value, unit, label, cells, missing = _indicator_outcome(ev, self.indicator, ctx)
            if missing:
                return missing
            assert self.target is not None  # required with an indicator
            ratio = value / self.target
            share, note = self._share(ratio, ctx)
            reason = (f"{label}{fmt.with_unit(value, unit)}，目标{plain(self.target)}{unit}，完成比例"
                      f"{fmt.pct(ratio * 100)}{'，' + note if note else ''}，得分 = {plain(points)} × "
                      f"{fmt.pct(share * 100)}")
            return Outcome(points * share, reason, cells, ratio * 100, "%",
                           {LOSS_STANDARD: points * (1 - share)},
                           figures={"target": self.target, "ratio_pct": ratio * 100})

        rows = self._target_rows(ev)
        if rows.empty:
            scope = (f"代码 {self.target_code} 的" if self.target_code
                     else "、".join(ev.registry.domain_label(d) for d in self.domains(ev)))
            what = f"绩效指标表中没有{ev.year}年度的{scope}目标"
            return Outcome(None, f"数据缺失：{what}")
        rows, repeated = _once(rows, ctx)
        judged = rows[rows["status"].isin(
            [targets.EXCEEDED, targets.ACHIEVED, targets.NOT_ACHIEVED])]
        unmeasured = rows[rows["status"] == targets.NO_ACTUAL]
        unjudged = rows[~rows.index.isin(judged.index) & ~rows.index.isin(unmeasured.index)]
        parts, shares, over = [], [], []
        for _, r in judged.iterrows():
            direction = r["direction"]
            share = target_attainment(direction, r["target"], r["actual"])
            note = ""
            if direction in (_AT_LEAST, _FULL) and not is_missing(r["ratio_pct"]):
                share, note = self._share(r["ratio_pct"] / 100, ctx)
                if note and ctx is not None:
                    over.append(str(r["label_zh"]))
            shares.append(share)
            shown_dir = "" if direction == _FULL else direction
            derived = "（推算）" if r["target_derived"] else ""
            actual = fmt.with_unit(r["actual"], r["unit"], qualifier=r["qualifier"])
            parts.append(f"{r['label_zh']}：目标{shown_dir}{fmt.with_unit(r['target'], r['unit'])}"
                         f"{derived}，实际{actual}，{r['status']}，"
                         f"计{fmt.pct(share * 100)}" + (f"（{note}）" if note else ""))
        absent = [f"{r['label_zh']}（{r['actual_cell']}）" for _, r in unmeasured.iterrows()]
        if policy == "zero":
            shares += [0.0] * len(absent)
        # 复核口径 unexaminable: a target that cannot be judged counts, less its share.
        examined: list[tuple[str, float]] = []
        if ctx is not None:
            rule = ctx.rules.get(UNEXAMINABLE)
            for _, r in unjudged.iterrows():
                why = NO_FORMULA if r["status"] == targets.NO_DIRECTION else EMPTY_QUANTITY
                cut = ctx.rules.unexaminable_pct(why) / 100
                examined.append((f"{r['label_zh']}（{r['status']}，按复核口径{rule.id}扣"
                                 f"{plain(cut * 100)}%）", cut))
            shares += [1.0 - cut for _, cut in examined]
        evidence = "; ".join(list(judged["actual_cell"]) + list(unmeasured["actual_cell"]))
        skipped = ""
        if examined:
            skipped = (f"{len(examined)}项目标无法核实，计入平均："
                       f"{'；'.join(t for t, _ in examined)}。")
        elif len(unjudged):
            skipped = (f"另有{len(unjudged)}项目标因{'、'.join(sorted(set(unjudged['status'])))}"
                       f"未纳入计分：{'；'.join(unjudged['label_zh'])}。")
        if repeated:
            skipped += (f"{len(repeated)}项目标重复设置，按复核口径"
                        f"{ctx.rules.id_of('duplicates') if ctx else ''}只计一次："
                        f"{'；'.join(repeated)}。")
        if judged.empty and not examined:
            return Outcome(None, f"数据缺失：纳入计分的{len(unmeasured)}项目标均无实际值（"
                                 f"{'；'.join(absent)}）。{skipped}", evidence)
        mean = math.fsum(shares) / len(shares)
        n_derived = int(judged["target_derived"].sum()) + int(unmeasured["target_derived"].sum())
        # The department set the others; the count it states in its own report leaves these out.
        inferred = f"（其中{n_derived}项的目标值由perfkit推算）" if n_derived else ""
        reason = (f"纳入计分的目标{len(shares)}项{inferred}，平均完成比例{fmt.pct(mean * 100)}，得分 = "
                  f"{plain(points)} × {fmt.pct(mean * 100)}。" + "；".join(parts) + "。")
        if absent:
            reason += (f"{len(absent)}项目标无实际值，"
                       f"{'按0计' if policy == 'zero' else '不计入'}：{'；'.join(absent)}。")
        n = len(shares)
        unmeasured_lost = points * (len(absent) if policy == "zero" else 0) / n
        unexaminable_lost = points * math.fsum(cut for _, cut in examined) / n
        lost = {LOSS_MISSING: unmeasured_lost,
                LOSS_TARGET: points * (1 - mean) - unmeasured_lost}
        cites = {NO_EVIDENCE: unmeasured_lost, UNEXAMINABLE: unexaminable_lost,
                 STANDARD: points * (1 - mean) - unmeasured_lost - unexaminable_lost}
        return Outcome(points * mean, reason + skipped, evidence, mean * 100, "%", lost,
                       cites if ctx is not None else None,
                       {"targets": n, "mean_pct": mean * 100, "over_achieved": "、".join(over)})

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
        if frame is None or frame.empty:
            return Outcome(None, f"数据缺失：定性评价表未提供“{self.item}”的评价要点")
        rows = frame[frame["item"].map(normalize_label) == normalize_label(self.item)]
        if rows.empty:
            return Outcome(None, f"数据缺失：定性评价表未提供“{self.item}”的评价要点")
        met, unmet, unknown, evidence, cells = [], [], [], [], []
        for idx, r in rows.iterrows():
            cond = str(r["condition"])
            cells.append(ev.data.cell("qualitative", idx, "met"))
            if r["met"] == "是":
                met.append(cond)
                if not is_missing(r["evidence"]):
                    evidence.append(f"{cond}：{r['evidence']}")
            elif r["met"] == "否":
                unmet.append(cond)
            else:
                unknown.append(cond)
        samples = ctx is not None and ctx.rules.applies_to(SATISFACTION, ctx.item)
        cite = {SATISFACTION: points} if samples else None
        if not met and not unmet:
            return Outcome(None, f"数据缺失：“{self.item}”的评价要点均未填写是否满足（"
                                 f"{'；'.join(unknown)}）", "; ".join(cells), cites=cite)
        if samples and met and not _has_samples(rows, "是"):
            assert ctx is not None
            rule = ctx.rules.get(SATISFACTION)
            return Outcome(None, f"“{self.item}”填“是”，但证据说明未写明调查样本（样本量、满意度）"
                                 f"（复核口径{rule.id}）", "; ".join(cells), cites=cite)
        score = min(points, len(met) * self.per_condition)
        lost_unknown = min(points - score, len(unknown) * self.per_condition)
        lost = {LOSS_MISSING: lost_unknown, LOSS_UNMET: points - score - lost_unknown}
        reason = f"满足{len(met)}项评价要点，每项{plain(self.per_condition)}分"
        reason += "，得满分" if score >= points - EPS else f"，得{fmt.num(score)}分"
        if met:
            reason += f"（满足：{'；'.join(met)}）"
        if unmet:
            reason += f"；未满足：{'；'.join(unmet)}"
        if unknown:
            reason += f"；未提供是否满足：{'；'.join(unknown)}"
        return Outcome(score, reason, "; ".join(evidence) or "; ".join(cells), len(met), "项",
                       lost, figures={"met": len(met), "unmet": len(unmet),
                                      "unknown": len(unknown), "per": self.per_condition})


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
            return Outcome(None, f"数据缺失：{ev.year}年度没有可核对的勾稽关系或报告数值")
        # The counts of the audit section (报告数值 + 勾稽关系, every row), then what counts here.
        left_out = [f"{n}项{why}" for n, why in ((len(rows) - len(checked), "无法核对"),
                                                (len(every) - len(rows), "为上年数")) if n]
        counted = (f"报告数值和勾稽关系共{len(every)}项，可核对的{ev.year}年度数值{len(checked)}项"
                   + (f"（另{'、'.join(left_out)}，不计）" if left_out else ""))
        found = checked[checked["verdict"].isin(self.FINDINGS)]
        cells = "; ".join(c for c in found["source_cells"] if isinstance(c, str) and c)
        if found.empty:
            return Outcome(points, f"{counted}，均无不一致，得满分", "", 0, "处")
        deduction = min(points, len(found) * self.deduct)
        items = "；".join(
            f"{(r['ref'] + ' ') if r['category'] == STATED else ''}{r['figure']}（{r['verdict']}）"
            for _, r in found.iterrows())
        reason = (f"{counted}，发现{len(found)}处问题：{items}；"
                  f"每处扣{plain(self.deduct)}分，扣{fmt.num(deduction)}分"
                  + ("（扣完为止）" if deduction >= points - EPS else ""))
        return Outcome(points - deduction, reason, cells, len(found), "处",
                       {LOSS_DEFECT: deduction},
                       figures={"findings": len(found), "per_finding": self.deduct})


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
            return Outcome(None, "未评分：评分表中没有给出人工评分及理由")
        return Outcome(self.score, f"人工评分：{self.reason_zh}", "评分表 reason_zh",
                       self.score, "分")
