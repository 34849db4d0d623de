"""Score sheets (评分表): loading, validation, rule kinds, the 复核 score, the department's claim checks."""

from __future__ import annotations

import functools
import logging
import math
import re
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

import pandas as pd
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StrictInt,
    StrictStr,
    ValidationError,
    model_validator,
)

from perfkit import config, fmt, reads, yamlcheck
from perfkit.assess.evaluation import Evaluation
from perfkit.data.params import check_department
from perfkit.errors import ScoreSheetError

log = logging.getLogger(__name__)

SHEETS_DIR_NAME = "score_sheets"
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

#: Why points were lost, for the reviewer's decomposition of 自评得分 − 复核得分. Every rule
#: splits its deduction over these; the split of an item sums to its deduction exactly.
LOSS_MISSING, LOSS_TARGET, LOSS_STANDARD, LOSS_UNMET, LOSS_DEFECT = (
    "missing", "target", "standard", "unmet", "defect")
LOSS_ZH = {
    LOSS_MISSING: "缺少佐证（工作簿未提供评分所需的数据或材料）",
    LOSS_TARGET: "年度绩效目标未完成",
    LOSS_STANDARD: "指标值未达到评分标准",
    LOSS_UNMET: "定性评价要点未满足",
    LOSS_DEFECT: "数据质量问题（勾稽关系不符、报告数值与数据不一致）",
}
LOSS_COLUMNS = tuple(f"lost_{k}" for k in LOSS_ZH)

#: Grade bands of 财预〔2020〕10号 and most local sheets; a sheet may declare its own.
DEFAULT_GRADES = (("优", "[90, 100]"), ("良", "[80, 90)"), ("中", "[60, 80)"), ("差", "[0, 60)"))

_EPS = 1e-9


# ---------------------------------------------------------------------------------------------
# Intervals (band edges and grade bands), written "[80, 90)" so inclusive edges are explicit
# ---------------------------------------------------------------------------------------------

_INTERVAL = re.compile(
    r"^\s*([\[(（【])\s*([-+]?(?:inf|∞|\d+(?:\.\d+)?))\s*[,，]\s*([-+]?(?:inf|∞|\d+(?:\.\d+)?))"
    r"\s*([\])）】])\s*$"
)


@dataclass(frozen=True)
class Interval:
    """A real interval with explicit closed/open edges."""

    lo: float
    hi: float
    lo_closed: bool
    hi_closed: bool

    @classmethod
    def parse(cls, text: Any) -> Interval:
        """Parse ``"[80, 90)"``; ``-inf``/``inf`` for unbounded edges.

        Raises:
            ValueError: the text is not an interval or is empty.
        """
        m = _INTERVAL.match(str(text))
        if not m:
            raise ValueError(f"“{text}”不是区间，应写作 [下限, 上限)，方括号含端点、圆括号不含，"
                             "无界写 -inf / inf")

        def number(s: str) -> float:
            s = s.replace("∞", "inf")
            return float(s)

        lo, hi = number(m.group(2)), number(m.group(3))
        lo_closed = m.group(1) in "[【" and not math.isinf(lo)
        hi_closed = m.group(4) in "]】" and not math.isinf(hi)
        if lo > hi or (lo == hi and not (lo_closed and hi_closed)):
            raise ValueError(f"区间“{text}”为空（下限应小于上限）")
        return cls(lo, hi, lo_closed, hi_closed)

    def __contains__(self, v: float) -> bool:
        above = v > self.lo or (self.lo_closed and v == self.lo)
        below = v < self.hi or (self.hi_closed and v == self.hi)
        return above and below

    def overlaps(self, other: Interval) -> bool:
        """True when the two intervals share at least one point."""
        lo = max(self.lo, other.lo)
        hi = min(self.hi, other.hi)
        if lo < hi:
            return True
        if lo > hi:
            return False
        return lo in self and lo in other

    def notation(self) -> str:
        lo = "-inf" if math.isinf(self.lo) else fmt.num(self.lo, _decimals(self.lo))
        hi = "inf" if math.isinf(self.hi) else fmt.num(self.hi, _decimals(self.hi))
        return f"{'[' if self.lo_closed else '('}{lo}, {hi}{']' if self.hi_closed else ')'}"

    def describe(self, unit: str = "") -> str:
        """Chinese reading of the interval, e.g. ``80%（含）至90%（不含）`` or ``≤0%``."""

        def v(x: float) -> str:
            return f"{fmt.num(x, _decimals(x))}{unit}"

        if math.isinf(self.lo) and math.isinf(self.hi):
            return "任意值"
        if math.isinf(self.lo):
            return f"{'≤' if self.hi_closed else '<'}{v(self.hi)}"
        if math.isinf(self.hi):
            return f"{'≥' if self.lo_closed else '>'}{v(self.lo)}"
        if self.lo == self.hi:
            return f"={v(self.lo)}"
        return (f"{v(self.lo)}（{'含' if self.lo_closed else '不含'}）至"
                f"{v(self.hi)}（{'含' if self.hi_closed else '不含'}）")


def _decimals(x: float) -> int:
    """Decimals needed to print a sheet parameter exactly (0.5 → 1, 100 → 0)."""
    if math.isinf(x) or float(x).is_integer():
        return 0
    return min(4, len(repr(float(x)).split(".")[1]))


def _p(x: float) -> str:
    """A sheet parameter or a point value, printed without trailing zeros."""
    return fmt.num(x, _decimals(x))


# ---------------------------------------------------------------------------------------------
# Rule kinds: a small registry; each kind parses its YAML and scores one item
# ---------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What a rule found for one item.

    Attributes:
        score: points earned, or None when the input is missing (the missing policy decides).
        reason: why (Chinese; the numbers in it come from the data).
        evidence: source cells or the evidence texts that support the score.
        value: the value the rule judged (indicator value, completion ratio, conditions met).
        unit: unit of ``value``.
        lost: points lost by cause (keys of :data:`LOSS_ZH`), on the item's own points; None
            lets the scorer charge the whole deduction to the rule kind's usual cause.
    """

    score: float | None
    reason: str
    evidence: str = ""
    value: float = math.nan
    unit: str = ""
    lost: dict[str, float] | None = None


RULE_KINDS: dict[str, type[Rule]] = {}


def register_rule(kind: str) -> Callable[[type[Rule]], type[Rule]]:
    """Register a rule class under ``kind`` (the ``rule.kind`` value in a sheet)."""

    def add(cls: type[Rule]) -> type[Rule]:
        if kind in RULE_KINDS:
            raise ValueError(f"rule kind {kind} registered twice")
        cls.kind = kind
        RULE_KINDS[kind] = cls
        return cls

    return add


def _nonblank(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("不能为空")
    return value


def _known_indicator(ref: str) -> str:
    from perfkit.indicators import REGISTRY, load_all

    load_all()
    if ref not in REGISTRY:
        near = [k for k in REGISTRY if ref.split("_")[0] in k][:5]
        hint = f"；相近的指标：{', '.join(near)}" if near else ""
        raise ValueError(f"未知指标“{ref}”：指标注册表中没有这个代码{hint}")
    return ref


def _above_100(value: float) -> float:
    if value <= 100:
        raise ValueError("应大于100（超额完成的界限）")
    return value


def _domain(value: str) -> str:
    from perfkit.data.sheets import DOMAIN_CHOICES

    known = sorted(set(DOMAIN_CHOICES.values()))
    if value not in known:
        raise ValueError(f"未知的领域“{value}”；可用：{', '.join(known)}")
    return value


def _interval(value: Any) -> Interval:
    if isinstance(value, Interval):
        return value
    return Interval.parse(value)


#: Typed fields of the sheet YAML (validated by pydantic, errors located by perfkit.yamlcheck).
_Text = Annotated[StrictStr, AfterValidator(_nonblank)]
_Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]
_Positive = Annotated[float, Field(strict=True, gt=0, allow_inf_nan=False)]
_Indicator = Annotated[StrictStr, AfterValidator(_known_indicator)]
_IntervalText = Annotated[Interval, PlainValidator(_interval)]
#: Locations of problems found after validation: (keys under the rule, message).
Found = list[tuple[tuple[int | str, ...], str]]


class Rule(BaseModel):
    """Base class of the rule kinds; ``text_zh`` is the rule as the published sheet words it.

    A kind declares its YAML keys as typed fields (unknown keys are refused); :meth:`check`
    adds what depends on the item's points.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: ClassVar[str] = ""
    text_zh: _Text
    #: The cause a deduction of this rule kind is charged to when the rule does not split it.
    LOSS: ClassVar[str] = LOSS_STANDARD

    @model_validator(mode="before")
    @classmethod
    def _drop_kind(cls, raw: Any) -> Any:
        return {k: v for k, v in raw.items() if k != "kind"} if isinstance(raw, dict) else raw

    def check(self, points: float) -> Found:
        """Problems that depend on the item's points (or on several keys together)."""
        return []

    def reference(self) -> str:
        """What the rule reads: an indicator id, a 定性评价 item, or a target set."""
        return ""

    def reference_for(self, ev: Evaluation) -> str:
        """:meth:`reference` for one department-year (a target set ``all`` names its 领域)."""
        return self.reference()

    def apply(self, ev: Evaluation, points: float, policy: str) -> Outcome:  # pragma: no cover
        raise NotImplementedError


def _indicator_outcome(ev: Evaluation, ref: str) -> tuple[float, str, str, str, Outcome | None]:
    """(value, unit, label, source cells, missing outcome or None) of a registry indicator."""
    row = ev.indicators.loc[ref]
    value, unit, label = float(row["value"]), str(row["unit"]), str(row["label_zh"])
    cells = str(row["source_cells"] or "")
    if math.isnan(value):
        note = str(row["note"] or "数据缺失")
        return value, unit, label, cells, Outcome(None, f"{label}无法计算：{note}", cells)
    return value, unit, label, cells, None


def _unit_step(unit: str) -> str:
    return "个百分点" if unit == "%" else unit


@register_rule("linear_deduction")
class LinearDeduction(Rule):
    """Full marks on the good side of ``bound``; minus ``deduct`` per ``per`` units beyond it.

    ``side``: ``above`` deducts beyond an upper bound (控制率), ``below`` under a lower bound,
    ``both`` for any deviation (预算完成率 around 100%). ``steps: whole`` counts only complete
    steps ("每超过1个百分点"), ``continuous`` (default) deducts pro rata. Floor 0.
    """

    indicator: _Indicator
    bound: _Number
    side: Literal["above", "below", "both"] = "above"
    per: _Positive = 1.0
    deduct: _Positive
    steps: Literal["continuous", "whole"] = "continuous"

    def reference(self) -> str:
        return self.indicator

    def apply(self, ev: Evaluation, points: float, policy: str) -> Outcome:
        value, unit, label, cells, missing = _indicator_outcome(ev, self.indicator)
        if missing:
            return missing
        if self.side == "above":
            beyond, word = max(0.0, value - self.bound), "超过"
        elif self.side == "below":
            beyond, word = max(0.0, self.bound - value), "低于"
        else:
            beyond, word = abs(value - self.bound), "偏离"
        shown = fmt.with_unit(value, unit)
        bound = f"{_p(self.bound)}{unit}"
        if beyond <= _EPS:
            return Outcome(points, f"{label}{shown}，未{word}{bound}，得满分", cells, value, unit)
        steps = beyond / self.per
        if self.steps == "whole":
            steps = math.floor(steps + _EPS)
        deduction = min(points, steps * self.deduct)
        step_text = f"每{_p(self.per)}{_unit_step(unit)}扣{_p(self.deduct)}分"
        reason = (f"{label}{shown}，{word}{bound}达{fmt.num(beyond)}{_unit_step(unit)}，{step_text}"
                  f"{'（只计整数档）' if self.steps == 'whole' else ''}，扣{fmt.num(deduction)}分")
        if deduction >= points - _EPS:
            reason += "（扣完为止）"
        return Outcome(points - deduction, reason, cells, value, unit)


class Band(BaseModel):
    """One step of a banded rule: values in ``interval`` earn ``score`` points."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    interval: Annotated[_IntervalText, Field(alias="range")]
    score: _Number


@register_rule("bands")
class Bands(Rule):
    """Step bands with explicit inclusive edges; the bands may not overlap."""

    indicator: _Indicator
    bands: Annotated[tuple[Band, ...], Field(min_length=1)]

    def check(self, points: float) -> Found:
        found: Found = []
        for i, band in enumerate(self.bands):
            if band.score < 0 or band.score > points + _EPS:
                found.append((("bands", i, "score"),
                              f"得分 {_p(band.score)} 不在 0 至分值 {_p(points)} 之间"))
            for other in self.bands[:i]:
                if band.interval.overlaps(other.interval):
                    found.append((("bands", i, "range"),
                                  f"分档 {other.interval.notation()} 与 {band.interval.notation()}"
                                  " 重叠：同一数值只能落在一档（用方括号/圆括号标明端点归属）"))
        return found

    def reference(self) -> str:
        return self.indicator

    def apply(self, ev: Evaluation, points: float, policy: str) -> Outcome:
        value, unit, label, cells, missing = _indicator_outcome(ev, self.indicator)
        if missing:
            return missing
        shown = fmt.with_unit(value, unit)
        for band in self.bands:
            if value in band.interval:
                what = "得满分" if band.score >= points - _EPS else f"得{_p(band.score)}分"
                return Outcome(band.score, f"{label}{shown}，属“{band.interval.describe(unit)}”档，"
                                           f"{what}", cells, value, unit)
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
    direction = _text(direction) or _AT_LEAST
    if direction == _AT_MOST:
        if actual <= target + _EPS:
            return 1.0
        return max(0.0, target / actual) if actual > 0 and target > 0 else 0.0
    if direction == _EQUAL:
        if abs(actual - target) <= _EPS:
            return 1.0
        big, small = max(abs(actual), abs(target)), min(abs(actual), abs(target))
        return small / big if target != 0 and actual * target > 0 else 0.0
    if target == 0:
        return 1.0 if actual >= 0 else 0.0
    return max(0.0, min(1.0, actual / target))


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
    ``above_pct`` % by ``deduct_pct`` % of its share (a target set too low).
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

    def _share(self, ratio: float) -> tuple[float, str]:
        """Capped share and a note when the over-achievement cut applies."""
        share = min(1.0, ratio)
        cut = self.over_cut
        if cut and ratio * 100 > cut.above_pct + _EPS:
            share = 1.0 - cut.deduct_pct / 100
            return share, (f"完成比例超过{_p(cut.above_pct)}%，视为目标设定偏低，按"
                           f"{_p(100 - cut.deduct_pct)}%计")
        return share, ""

    def apply(self, ev: Evaluation, points: float, policy: str) -> Outcome:
        if self.indicator:
            value, unit, label, cells, missing = _indicator_outcome(ev, self.indicator)
            if missing:
                return missing
            assert self.target is not None  # required with an indicator
            ratio = value / self.target
            share, note = self._share(ratio)
            reason = (f"{label}{fmt.with_unit(value, unit)}，目标{_p(self.target)}{unit}，完成比例"
                      f"{fmt.pct(ratio * 100)}{'，' + note if note else ''}，得分 = {_p(points)} × "
                      f"{fmt.pct(share * 100)}")
            return Outcome(points * share, reason, cells, ratio * 100, "%",
                           {LOSS_STANDARD: points * (1 - share)})
        from perfkit.assess import targets

        rows = self._target_rows(ev)
        if rows.empty:
            scope = (f"代码 {self.target_code} 的" if self.target_code
                     else "、".join(_domain_zh(d) for d in self.domains(ev)))
            what = f"绩效指标表中没有{ev.year}年度的{scope}目标"
            return Outcome(None, f"数据缺失：{what}")
        judged = rows[rows["status"].isin(
            [targets.EXCEEDED, targets.ACHIEVED, targets.NOT_ACHIEVED])]
        unmeasured = rows[rows["status"] == targets.NO_ACTUAL]
        unjudged = rows[~rows.index.isin(judged.index) & ~rows.index.isin(unmeasured.index)]
        parts, shares = [], []
        for _, r in judged.iterrows():
            direction = r["direction"]
            share = target_attainment(direction, r["target"], r["actual"])
            note = ""
            if direction in (_AT_LEAST, _FULL) and not _nan(r["ratio_pct"]):
                share, note = self._share(r["ratio_pct"] / 100)
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
        evidence = "; ".join(list(judged["actual_cell"]) + list(unmeasured["actual_cell"]))
        skipped = ""
        if len(unjudged):
            skipped = (f"另有{len(unjudged)}项目标因{'、'.join(sorted(set(unjudged['status'])))}"
                       f"未纳入计分：{'；'.join(unjudged['label_zh'])}。")
        if judged.empty:
            return Outcome(None, f"数据缺失：纳入计分的{len(unmeasured)}项目标均无实际值（"
                                 f"{'；'.join(absent)}）。{skipped}", evidence)
        mean = math.fsum(shares) / len(shares)
        reason = (f"纳入计分的目标{len(shares)}项，平均完成比例{fmt.pct(mean * 100)}，得分 = "
                  f"{_p(points)} × {fmt.pct(mean * 100)}。" + "；".join(parts) + "。")
        if absent:
            reason += (f"{len(absent)}项目标无实际值，"
                       f"{'按0计' if policy == 'zero' else '不计入'}：{'；'.join(absent)}。")
        n = len(shares)
        unmeasured_lost = points * (len(shares) - len(judged)) / n  # the zeros of missing actuals
        lost = {LOSS_MISSING: unmeasured_lost,
                LOSS_TARGET: points * (1 - mean) - unmeasured_lost}
        return Outcome(points * mean, reason + skipped, evidence, mean * 100, "%", lost)

    def _target_rows(self, ev: Evaluation) -> pd.DataFrame:
        """This year's targets in scope, judged by :func:`perfkit.assess.targets.attainment`."""
        from perfkit.assess import targets

        if self.target_code:
            rows = targets.attainment(ev)
            return rows[rows["code"] == self.target_code]
        frames = [targets.attainment(ev, d) for d in self.domains(ev)]
        frames = [f for f in frames if not f.empty]
        if not frames:
            return pd.DataFrame(columns=targets.COLUMNS)
        return pd.concat(frames, ignore_index=True)


def _domain_zh(domain: str) -> str:
    from perfkit.data.sheets import DOMAIN_CHOICES

    return {v: k for k, v in DOMAIN_CHOICES.items()}.get(domain, domain)


def _nan(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _text(v: Any) -> str:
    """Workbook text, "" for an empty cell (pandas gives NaN for empty object cells)."""
    return "" if _nan(v) else str(v)


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

    def apply(self, ev: Evaluation, points: float, policy: str) -> Outcome:
        from perfkit.data.values import normalize_label

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
                if not _nan(r["evidence"]):
                    evidence.append(f"{cond}：{r['evidence']}")
            elif r["met"] == "否":
                unmet.append(cond)
            else:
                unknown.append(cond)
        if not met and not unmet:
            return Outcome(None, f"数据缺失：“{self.item}”的评价要点均未填写是否满足（"
                                 f"{'；'.join(unknown)}）", "; ".join(cells))
        score = min(points, len(met) * self.per_condition)
        lost_unknown = min(points - score, len(unknown) * self.per_condition)
        lost = {LOSS_MISSING: lost_unknown, LOSS_UNMET: points - score - lost_unknown}
        reason = f"满足{len(met)}项评价要点，每项{_p(self.per_condition)}分"
        reason += "，得满分" if score >= points - _EPS else f"，得{fmt.num(score)}分"
        if met:
            reason += f"（满足：{'；'.join(met)}）"
        if unmet:
            reason += f"；未满足：{'；'.join(unmet)}"
        if unknown:
            reason += f"；未提供是否满足：{'；'.join(unknown)}"
        return Outcome(score, reason, "; ".join(evidence) or "; ".join(cells), len(met), "项",
                       lost)


@register_rule("data_quality")
class DataQuality(Rule):
    """Full marks less ``deduct`` per finding of the audit: a workbook sum that does not hold
    (不一致, or 未解释差额 — parts that leave the total unexplained) or a figure the report
    states that the data contradict (不一致). Floor 0.

    The findings are perfkit's own checks of the department's data (perfkit.assess.audit: 勾稽关系
    and 报告数值), so the evidence is independent of the department's claim. When nothing at
    all could be checked the input is missing and the missing policy applies.
    """

    deduct: _Positive = 1.0
    LOSS: ClassVar[str] = LOSS_DEFECT
    #: Audit verdicts that count as a finding.
    FINDINGS: ClassVar[tuple[str, ...]] = ("不一致", "未解释差额")

    def reference(self) -> str:
        return "数据核对"

    def apply(self, ev: Evaluation, points: float, policy: str) -> Outcome:
        from perfkit.assess.audit import STATED, UNVERIFIABLE, audit_internal, audit_stated

        rows = pd.concat([audit_stated(ev), audit_internal(ev)], ignore_index=True)
        checked = rows[rows["verdict"] != UNVERIFIABLE]
        if checked.empty:
            return Outcome(None, "数据缺失：没有可核对的勾稽关系或报告数值")
        found = checked[checked["verdict"].isin(self.FINDINGS)]
        cells = "; ".join(c for c in found["source_cells"] if isinstance(c, str) and c)
        if found.empty:
            return Outcome(points, f"核对{len(checked)}项勾稽关系和报告数值，均无不一致，得满分",
                           "", 0, "处")
        deduction = min(points, len(found) * self.deduct)
        items = "；".join(
            f"{(r['ref'] + ' ') if r['category'] == STATED else ''}{r['figure']}（{r['verdict']}）"
            for _, r in found.iterrows())
        reason = (f"核对{len(checked)}项勾稽关系和报告数值，发现{len(found)}处问题：{items}；"
                  f"每处扣{_p(self.deduct)}分，扣{fmt.num(deduction)}分"
                  + ("（扣完为止）" if deduction >= points - _EPS else ""))
        return Outcome(points - deduction, reason, cells, len(found), "处",
                       {LOSS_DEFECT: deduction})


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
        if not 0 <= self.score <= points + _EPS:
            found.append((("score",), f"人工评分 {_p(self.score)} 不在 0 至分值 {_p(points)} 之间"))
        if not self.reason_zh:
            found.append(((), "人工评分必须写明理由（reason_zh）"))
        return found

    def reference(self) -> str:
        return "人工评分"

    def apply(self, ev: Evaluation, points: float, policy: str) -> Outcome:
        if self.score is None:
            return Outcome(None, "未评分：评分表中没有给出人工评分及理由")
        return Outcome(self.score, f"人工评分：{self.reason_zh}", "评分表 reason_zh",
                       self.score, "分")


# ---------------------------------------------------------------------------------------------
# The sheet
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetItem:
    """One 三级 indicator of a score sheet."""

    id: str
    level1: str
    level2: str
    level3: str
    points: float
    rule: Rule
    missing: str | None = None


@dataclass(frozen=True)
class ScoreSheet:
    """A validated score sheet (评分表).

    Attributes:
        name: file stem under params/score_sheets/.
        title_zh: the sheet's title as printed.
        basis_zh: the policy documents it follows.
        items: the 三级 indicators in order.
        grades: (grade, interval) pairs.
        decimals: precision of recorded item scores.
        path: the YAML file.
    """

    name: str
    title_zh: str
    basis_zh: str
    items: tuple[SheetItem, ...]
    grades: tuple[tuple[str, Interval], ...]
    decimals: int = 2
    path: Path = field(default=Path())

    @property
    def total_points(self) -> float:
        return math.fsum(i.points for i in self.items)

    def grade_for(self, total: float | None) -> str:
        """The grade whose band holds ``total`` ("" when none does or total is missing)."""
        if total is None or _nan(total):
            return ""
        for grade, band in self.grades:
            if total in band:
                return grade
        return ""

    def level1_points(self) -> dict[str, float]:
        """分值 of each 一级 indicator, in sheet order."""
        out: dict[str, float] = {}
        for i in self.items:
            out[i.level1] = out.get(i.level1, 0.0) + i.points
        return out


def sheet_path(name: str) -> Path:
    """The project's ``params/score_sheets/<name>.yaml``, else perfkit's (a plain file stem)."""
    check_department(name)  # same rule as a folder name: letters, digits, - and _
    return config.score_sheet_path(name)


def available_sheets() -> list[str]:
    """Names of the score sheets a project can use (its own and those shipped with perfkit)."""
    return config.score_sheet_names()


def load_sheet(name_or_path: str | Path) -> ScoreSheet:
    """Load and validate a score sheet by name (params/score_sheets/<name>.yaml) or by path.

    A ``str`` is always a sheet name (as in the run settings), so a setting cannot point outside
    params/score_sheets/; pass a :class:`~pathlib.Path` to load another file. Every problem is
    collected and raised together: points not adding up to 100, unknown rule kinds or keys,
    unknown indicators, overlapping band edges, a manual score without reason.

    Raises:
        ScoreSheetError: naming the file and each offending entry.
    """
    path = name_or_path if isinstance(name_or_path, Path) else _named(name_or_path)
    reads.file(path)
    if not path.exists():
        where = str(path)
        if not isinstance(name_or_path, Path):
            where = (f"{config.PARAMS_DIR / SHEETS_DIR_NAME / name_or_path}.yaml"
                     "（perfkit 也没有自带同名评分表）")
        raise ScoreSheetError(f"评分表不存在：{where}；"
                              f"可用的评分表：{', '.join(available_sheets())}")
    stat = path.stat()
    # A run reads the same sheet for the tables, the summary and the audit: parse it once per
    # file version (the key changes when the file is edited).
    return _load_sheet_cached(path.resolve(), stat.st_mtime_ns, stat.st_size)


class _ItemSpec(BaseModel):
    """One item of a sheet file; its rule is validated by the rule kind's own model."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: _Text
    level1: _Text
    level2: _Text
    level3: _Text
    points: _Positive
    rule: dict[str, Any]
    missing: Literal["zero", "exclude"] | None = None


class _GradeSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    grade: _Text
    range: _IntervalText


class _SheetSpec(BaseModel):
    """The top level of a sheet file (items are checked one by one, so all errors are found)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: StrictStr | None = None
    title_zh: StrictStr | None = None
    basis_zh: StrictStr | None = None
    note_zh: StrictStr | None = None
    decimals: Annotated[StrictInt, Field(ge=0, le=4)] = 2
    grades: tuple[_GradeSpec, ...] | None = None
    items: Annotated[list[Any], Field(min_length=1)]


#: What a missing key is for, said after "缺少此项".
_MISSING_HINTS = {"text_zh": "评分标准的中文原文，报告照印",
                  "indicator": "perfkit 指标代码，见数据字典",
                  "item": "定性评价表“评价指标”列的名称", "items": "三级指标的列表"}


@functools.lru_cache(maxsize=16)
def _load_sheet_cached(path: Path, _mtime_ns: int, _size: int) -> ScoreSheet:
    raw, node = yamlcheck.load(path, ScoreSheetError, "评分表")
    if not isinstance(raw, dict):
        raise ScoreSheetError(f"评分表 {path} 应为映射（name、title_zh、items …）")
    ids: dict[int, str] = {}

    def label(loc: yamlcheck.Loc) -> str:
        text = yamlcheck.where(loc)
        if len(loc) > 1 and loc[0] == "items" and isinstance(loc[1], int) and loc[1] in ids:
            text = text.replace(f"第{loc[1] + 1}项", f"第{loc[1] + 1}项（{ids[loc[1]]}）", 1)
        return text

    def hint(model: type[BaseModel] | None) -> Callable[[list[int | str], dict[str, Any]], str]:
        def say(loc: list[int | str], error: dict[str, Any]) -> str:
            if error["type"] == "missing" and str(loc[-1]) in _MISSING_HINTS:
                return f"（{_MISSING_HINTS[str(loc[-1])]}）"
            if error["type"] == "extra_forbidden" and model is not None:
                return f"；可用：{', '.join(k for k in model.model_fields if k != 'text_zh')}"
            return ""
        return say

    found: list[tuple[int, str]] = []

    def problem(loc: yamlcheck.Loc, message: str) -> None:
        found.append(yamlcheck.located(node, loc, message, label))

    def validate(model: type[BaseModel], data: Any, prefix: yamlcheck.Loc) -> Any:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            found.extend(yamlcheck.errors(exc, node, prefix, label, hint(model)))
            return None

    for i, item in enumerate(raw.get("items") or []):
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            ids[i] = item["id"]
    spec = validate(_SheetSpec, {**raw, "items": raw.get("items") or []}, ())
    items: list[SheetItem] = []
    seen: dict[str, int] = {}
    for i, raw_item in enumerate(raw.get("items") or []):
        at = ("items", i)
        it = validate(_ItemSpec, raw_item, at)
        if it is not None:
            if it.id in seen:
                problem((*at, "id"), f"id “{it.id}” 重复（第{seen[it.id] + 1}项已有）")
            seen.setdefault(it.id, i)
        raw_rule = raw_item.get("rule") if isinstance(raw_item, dict) else None
        if not isinstance(raw_rule, dict):
            continue  # reported by the item's own validation
        kind = raw_rule.get("kind")
        if kind not in RULE_KINDS:
            problem((*at, "rule", "kind") if "kind" in raw_rule else (*at, "rule"),
                    f"未知的规则类型“{kind}”；可用：{', '.join(RULE_KINDS)}")
            continue
        rule = validate(RULE_KINDS[kind], raw_rule, (*at, "rule"))
        if rule is None or it is None:
            continue
        for loc, message in rule.check(it.points):
            problem((*at, "rule", *loc), message)
        items.append(SheetItem(it.id, it.level1, it.level2, it.level3, it.points, rule,
                               it.missing))
    grades: tuple[tuple[str, Interval], ...] = ()
    if spec is not None:
        pairs = ([(g.grade, g.range) for g in spec.grades] if spec.grades is not None else
                 [(g, Interval.parse(r)) for g, r in DEFAULT_GRADES])
        for j, (ga, a) in enumerate(pairs):
            for gb, b in pairs[:j]:
                if a.overlaps(b):
                    problem(("grades", j), f"等级“{gb}”{b.notation()} 与“{ga}”{a.notation()} 重叠")
        grades = tuple(pairs)
    # 分值 of every item (its other keys valid or not); unknown while one of them is invalid.
    points = [(str(r.get("level1")), r.get("points")) for r in raw.get("items") or []
              if isinstance(r, dict)]
    valid = [(level, float(p)) for level, p in points
             if isinstance(p, (int, float)) and not isinstance(p, bool) and p > 0]
    total = math.fsum(p for _, p in valid) if len(valid) == len(points) else 100.0
    if points and abs(total - 100) > 1e-6:
        by_level: dict[str, float] = {}
        for level, p in valid:
            by_level[level] = by_level.get(level, 0.0) + p
        parts = "、".join(f"{k} {_p(v)}" for k, v in by_level.items())
        problem(("items",), f"分值合计为 {_p(total)}，应为 100（{parts}）")
    if found:
        raise ScoreSheetError(yamlcheck.report(path, "评分表",
                                               [t for _, t in sorted(found, key=lambda f: f[0])]))
    assert spec is not None
    return ScoreSheet(spec.name or path.stem, spec.title_zh or path.stem, spec.basis_zh or "",
                      tuple(items), grades, spec.decimals, path)


def _named(name: str) -> Path:
    try:
        return sheet_path(name)
    except Exception:
        raise ScoreSheetError(f"评分表名称“{name}”无效：只能包含字母、数字、- 和 _") from None


# ---------------------------------------------------------------------------------------------
# Scoring an evaluation
# ---------------------------------------------------------------------------------------------


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
    """

    sheet: ScoreSheet
    policy: str
    items: pd.DataFrame
    subtotals: pd.DataFrame
    total: float
    grade: str
    claimed: float | None
    errors: tuple[str, ...] = ()

    @property
    def scorable(self) -> bool:
        """False when a rule failed: the total is then not a score at all."""
        return not self.errors

    @property
    def claimed_grade(self) -> str:
        return self.sheet.grade_for(self.claimed)

    @property
    def claim_difference(self) -> float:
        """Claimed minus 复核 total (NaN without a claim or a total)."""
        if self.claimed is None or _nan(self.total):
            return math.nan
        return _record(self.claimed - self.total, self.sheet.decimals)

    @property
    def total_deduction(self) -> float:
        """Points lost over the whole sheet (the sum of the item deductions)."""
        return _record(math.fsum(self.subtotals["deduction"]), self.sheet.decimals)

    @property
    def unsupported(self) -> pd.DataFrame:
        """Items where points were lost: where a claimed score near full marks lacks support."""
        return self.items[self.items["deduction"] > _EPS]

    def losses(self) -> dict[str, float]:
        """Points lost over the sheet by cause (keys of :data:`LOSS_ZH`), summing exactly to
        :attr:`total_deduction`."""
        return {k: _record(math.fsum(self.items[f"lost_{k}"]), self.sheet.decimals)
                for k in LOSS_ZH}


#: Columns of :attr:`ScoreResult.items` (and of tables/scores.csv).
ITEM_COLUMNS = ["sheet", "item", "level1", "level2", "level3", "indicator", "rule_kind", "rule_zh",
                "points", "points_adjusted", "score", "deduction", *LOSS_COLUMNS, "status",
                "value", "unit", "reason", "evidence"]

_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


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
        sheet = load_sheet(sheet or ev.settings.score_sheet)
    policy = policy or ev.settings.missing_policy
    if policy not in MISSING_POLICIES:
        raise ValueError(f"missing policy must be one of {MISSING_POLICIES}, got {policy!r}")
    key = (str(sheet.path), sheet.name, policy)
    cached = _CACHE.setdefault(ev, {})
    if key not in cached:
        cached[key] = _score(ev, sheet, policy)
    return cached[key]


def _record(x: float, decimals: int) -> float:
    return float(fmt.round_half_up(x, decimals))


def _split(total: float, parts: dict[str, float], decimals: int) -> dict[str, float]:
    """Round ``parts`` to ``decimals`` so that they add up to the recorded ``total`` exactly
    (largest remainder); every cause of :data:`LOSS_ZH` gets a key."""
    unit = 10 ** decimals
    want = round(total * unit)
    raw = {k: max(0.0, parts.get(k, 0.0)) for k in LOSS_ZH}
    scale = math.fsum(raw.values())
    if want <= 0 or scale <= 0:
        return {k: 0.0 for k in LOSS_ZH}
    exact = {k: v / scale * want for k, v in raw.items()}
    floors = {k: math.floor(v + 1e-9) for k, v in exact.items()}
    short = want - sum(floors.values())
    for k in sorted(exact, key=lambda k: exact[k] - floors[k], reverse=True)[:short]:
        floors[k] += 1
    return {k: v / unit for k, v in floors.items()}


def _score(ev: Evaluation, sheet: ScoreSheet, run_policy: str) -> ScoreResult:
    rows, errors = [], []
    for item in sheet.items:
        policy = item.missing or run_policy
        try:
            out = item.rule.apply(ev, item.points, policy)
        except Exception as exc:  # reported as 无法评分, never as missing data
            log.exception("rule %s failed", item.id)
            message = f"{item.level3}（{item.id}）的评分规则执行出错：{type(exc).__name__}: {exc}"
            errors.append(message)
            out = Outcome(None, message)
            status, reason, value, lost = ERROR, message, math.nan, {}
        else:
            if out.score is None:
                status = MISSING_ZERO if policy == "zero" else EXCLUDED
                reason = f"{out.reason.rstrip('。')}；{POLICY_ZH[policy]}"
                value = math.nan
                lost = {LOSS_MISSING: item.points} if policy == "zero" else {}
            else:
                status, reason = SCORED, out.reason
                value = min(item.points, max(0.0, out.score))
                lost = out.lost if out.lost is not None else {item.rule.LOSS: item.points - value}
        rows.append({
            "sheet": sheet.name, "item": item.id, "level1": item.level1, "level2": item.level2,
            "level3": item.level3, "indicator": item.rule.reference_for(ev), "rule_kind": item.rule.kind,
            "rule_zh": item.rule.text_zh, "points": item.points, "raw": value, "status": status,
            "value": out.value, "unit": out.unit, "reason": reason, "evidence": out.evidence,
            "lost": lost,
        })
    items = pd.DataFrame(rows)
    # 口径: excluded items give their points to the others in proportion, so the sheet still
    # totals 100; adjusted points are rounded by largest remainder to add up exactly.
    included = items["status"] != EXCLUDED
    items["points_adjusted"] = _redistribute(items["points"].where(included, 0.0).tolist(),
                                             sheet.decimals)
    factor = items["points_adjusted"] / items["points"]
    raw = items["raw"].where(items["status"] == SCORED, 0.0) * factor
    items["score"] = [_record(v, sheet.decimals) for v in raw]
    items.loc[items["status"].isin([EXCLUDED, ERROR]), "score"] = math.nan
    rescaled = (items["status"] == SCORED) & (items["points_adjusted"] != items["points"])
    items.loc[rescaled, "reason"] = [
        f"{r}；按调整后分值{_p(a)}折算，得{fmt.num(s)}分"
        for r, a, s in zip(items.loc[rescaled, "reason"], items.loc[rescaled, "points_adjusted"],
                           items.loc[rescaled, "score"], strict=True)
    ]
    items["deduction"] = [
        _record(p - (0.0 if _nan(s) else s), sheet.decimals) if st not in (EXCLUDED, ERROR)
        else 0.0
        for p, s, st in zip(items["points_adjusted"], items["score"], items["status"], strict=True)
    ]
    splits = [_split(d, lost, sheet.decimals)
              for d, lost in zip(items["deduction"], items["lost"], strict=True)]
    for k in LOSS_ZH:
        items[f"lost_{k}"] = [sp[k] for sp in splits]
    items = items[ITEM_COLUMNS]
    subtotals = (items.assign(score=items["score"].fillna(0.0))
                 .groupby("level1", sort=False)[["points", "points_adjusted", "score", "deduction"]]
                 .sum().reset_index())
    for col in ("score", "deduction"):
        subtotals[col] = subtotals[col].map(lambda v: _record(v, sheet.decimals))
    total = math.nan if errors else _record(math.fsum(subtotals["score"]), sheet.decimals)
    grade = sheet.grade_for(total)
    claimed = ev.data.info.get("claimed_score")
    claimed = None if claimed is None or _nan(claimed) else float(claimed)
    return ScoreResult(sheet, run_policy, items, subtotals, total, grade, claimed, tuple(errors))


def _redistribute(points: list[float], decimals: int) -> list[float]:
    """Scale ``points`` to sum to 100 at ``decimals``, rounding by largest remainder."""
    total = math.fsum(points)
    if total <= 0:
        return [0.0] * len(points)
    if abs(total - 100) < 1e-9:
        return list(points)
    unit = 10 ** decimals
    exact = [p * 100 / total * unit for p in points]
    floors = [math.floor(x + 1e-9) for x in exact]
    short = round(100 * unit - sum(floors))
    order = sorted(range(len(points)), key=lambda i: exact[i] - floors[i], reverse=True)
    for i in order[:short]:
        floors[i] += 1
    return [f / unit for f in floors]


# ---------------------------------------------------------------------------------------------
# The department's own scores (自评表 sheet, 基本信息 自评得分/自评等级) against the sheet
# ---------------------------------------------------------------------------------------------

#: Columns of :func:`claim_checks`.
CLAIM_CHECK_COLUMNS = ["check", "label_zh", "expected", "actual", "difference", "verdict",
                       "explanation", "source_cells"]


def claimed_items(ev: Evaluation, sheet: ScoreSheet | None = None) -> pd.DataFrame:
    """The department's item scores (自评表 sheet) matched to the score sheet's items.

    Rows are matched by 指标编号, else by 三级指标 name. Columns: row (workbook row index),
    item (sheet item id or ""), level3, points (the department's 分值), sheet_points, score,
    reason, score_cell, points_cell, matched (bool).
    """
    from perfkit.data.values import normalize_label

    sheet = sheet or load_sheet(ev.settings.score_sheet)
    frame = ev.data.frames.get("self_scores")
    columns = ["row", "item", "level3", "points", "sheet_points", "score", "reason",
               "score_cell", "points_cell", "matched"]
    if frame is None or frame.empty:
        return pd.DataFrame(columns=columns)
    by_id = {i.id: i for i in sheet.items}
    by_name = {normalize_label(i.level3): i for i in sheet.items}
    rows = []
    for idx, r in frame.iterrows():
        hit = by_id.get(_text(r["item"]).strip()) or by_name.get(normalize_label(r["level3"]))
        rows.append({
            "row": idx, "item": hit.id if hit else "", "level3": _text(r["level3"]),
            "points": float(r["points"]), "sheet_points": hit.points if hit else math.nan,
            "score": float(r["score"]), "reason": _text(r["reason"]),
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
    sheet = sheet or load_sheet(ev.settings.score_sheet)
    claimed = ev.data.info.get("claimed_score")
    claimed = None if claimed is None or _nan(claimed) else float(claimed)
    total_cell = ev.data.cell("info", "claimed_score", "value")
    items = claimed_items(ev, sheet)
    rows = []

    def add(check, label, expected, actual, verdict, note, cells=""):
        diff = (actual - expected if not (_nan(expected) or _nan(actual)) else math.nan)
        rows.append({"check": check, "label_zh": label, "expected": expected, "actual": actual,
                     "difference": diff, "verdict": verdict, "explanation": note,
                     "source_cells": cells})

    scored = items[items["score"].notna()] if not items.empty else items
    label = "自评表各项得分之和 = 自评得分"
    if scored.empty or claimed is None:
        what = "部门未填报分项自评得分（自评表）" if scored.empty else "基本信息未填报自评得分"
        add("claim_items_sum", label, math.nan, math.nan, "无法核对", what, total_cell)
    else:
        total = _record(math.fsum(scored["score"]), sheet.decimals)
        ok = abs(total - claimed) <= 0.005
        add("claim_items_sum", label, claimed, total, "一致" if ok else "不一致",
            f"自评表{len(scored)}项得分合计{fmt.num(total)}分，自评得分{fmt.num(claimed)}分"
            + ("，相符" if ok else f"，相差{fmt.num(abs(total - claimed))}分"),
            "; ".join([*scored["score_cell"], total_cell]))
    stated_grade = _text(ev.data.info.get("claimed_grade")).strip()
    grade_cell = ev.data.cell("info", "claimed_grade", "value")
    label = "自评等级与自评得分所在区间一致"
    if not stated_grade or claimed is None:
        add("claim_grade", label, math.nan, math.nan, "无法核对",
            "部门未填报自评等级" if not stated_grade else "基本信息未填报自评得分", grade_cell)
    else:
        band = sheet.grade_for(claimed)
        ok = band == stated_grade
        add("claim_grade", label, math.nan, math.nan, "一致" if ok else "不一致",
            f"自评得分{fmt.num(claimed)}分按评分表属“{band or '无对应等级'}”，部门填报等级“"
            f"{stated_grade}”" + ("，相符" if ok else "，不符"), f"{grade_cell}; {total_cell}")
    if not items.empty:
        unknown = items[~items["matched"]]
        add("claim_items_known", "自评表各项均为评分表中的指标", 0.0, float(len(unknown)),
            "一致" if unknown.empty else "不一致",
            "各项均可对应评分表" if unknown.empty else
            "评分表中没有：" + "；".join(f"{r['level3']}（{r['score_cell'].split('!')[-1]}行）"
                                     for _, r in unknown.iterrows()),
            "; ".join(unknown["score_cell"]))
        known = items[items["matched"] & items["points"].notna()]
        off = known[(known["points"] - known["sheet_points"]).abs() > 1e-9]
        add("claim_points", "自评表分值与评分表一致", 0.0, float(len(off)),
            "一致" if off.empty else "不一致",
            "各项分值与评分表相符" if off.empty else "；".join(
                f"{r['level3']}：自评表{_p(r['points'])}分，评分表{_p(r['sheet_points'])}分"
                for _, r in off.iterrows()), "; ".join(off["points_cell"]))
        missing = [i for i in sheet.items if i.id not in set(items["item"])]
        add("claim_items_complete", "评分表各项均已自评", 0.0, float(len(missing)),
            "一致" if not missing else "不一致",
            "评分表各项均有自评得分" if not missing else
            "未自评：" + "、".join(i.level3 for i in missing))
    return pd.DataFrame(rows, columns=CLAIM_CHECK_COLUMNS)


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
    return {"sheet": r.sheet.name, "total": None if _nan(r.total) else r.total,
            "grade": r.grade or None, "claimed": r.claimed,
            "claimed_grade": r.claimed_grade or None, "missing_policy": r.policy,
            "errors": list(r.errors)}
