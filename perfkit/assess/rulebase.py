"""The base of the score-sheet rule kinds: what a rule returns (:class:`Outcome`), the causes of
a deduction, the registry of kinds, the typed YAML fields and :class:`Rule` itself. The kinds are
in :mod:`perfkit.assess.rules`."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StrictStr,
    ValidationInfo,
    model_validator,
)

from perfkit.assess.evaluation import Evaluation
from perfkit.assess.intervals import Interval
from perfkit.assess.reviewrules import RuleContext
from perfkit.indicators.registry import Registry, registry

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
        cites: points lost by the 复核口径 that decides them (``applies`` of
            :mod:`perfkit.assess.reviewrules`); None: what is missing under ``no_evidence``,
            the rest under ``standard``. When the input is missing (``score`` None), the
            口径 under which it scores 0 (``{"satisfaction_samples": points}``).
        figures: the figures the rule used (value, target, bound …), for the 复核底稿.
    """

    score: float | None
    reason: str
    evidence: str = ""
    value: float = math.nan
    unit: str = ""
    lost: dict[str, float] | None = None
    cites: dict[str, float] | None = None
    figures: dict[str, float | str] | None = None


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


def _registry(info: ValidationInfo) -> Registry:
    """The indicators a sheet is validated against (:func:`perfkit.assess.scoresheet.load_sheet`
    passes its project's in the validation context), else the current project's."""
    return (info.context or {}).get("registry") or registry()


def _known_indicator(ref: str, info: ValidationInfo) -> str:
    indicators = _registry(info).indicators
    if ref not in indicators:
        near = [k for k in indicators if ref.split("_")[0] in k][:5]
        hint = f"；相近的指标：{', '.join(near)}" if near else ""
        raise ValueError(f"未知指标“{ref}”：指标注册表中没有这个代码{hint}")
    return ref


def _above_100(value: float) -> float:
    if value <= 100:
        raise ValueError("应大于100（超额完成的界限）")
    return value


def _domain(value: str, info: ValidationInfo) -> str:
    known = sorted(_registry(info).domain_names)
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

    def apply(self, ev: Evaluation, points: float, policy: str,
              ctx: RuleContext | None = None) -> Outcome:  # pragma: no cover
        raise NotImplementedError
