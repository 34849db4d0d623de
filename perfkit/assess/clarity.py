"""The rule kind ``target_clarity``: 绩效指标明确性 judged on the workbook's 绩效指标 targets
(are they quantified: a value, a direction, a unit?) instead of on a checklist the department
answers about itself."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field

from perfkit.assess import targets
from perfkit.assess.evaluation import Evaluation
from perfkit.assess.intervals import EPS
from perfkit.assess.reviewrules import TARGET_CLARITY, RuleContext
from perfkit.assess.rulebase import (
    LOSS_STANDARD,
    Outcome,
    Reason,
    Rule,
    _Positive,
    register_rule,
)
from perfkit.assess.rules import ALL_DOMAINS, TargetSet
from perfkit.cells import as_text, is_missing

#: What a clear target states, as the sheet names it (``requires``).
VALUE, DIRECTION, UNIT = "value", "direction", "unit"
Element = Literal["value", "direction", "unit"]


def _lacks(row: Any, requires: tuple[str, ...]) -> list[str]:
    """The elements of ``requires`` a target row does not state."""
    out = []
    if VALUE in requires and is_missing(row["target"]) and as_text(row["direction"]) != "全面":
        out.append(VALUE)
    if DIRECTION in requires and not as_text(row["direction"]):
        out.append(DIRECTION)
    if UNIT in requires and not as_text(row["unit"]):
        out.append(UNIT)
    return out


@register_rule("target_clarity")
class TargetClarity(Rule):
    """points × (share of this year's targets that state every element of ``requires``) ÷
    ``full_pct`` %, capped at the points.

    The targets are the 绩效指标 rows of ``targets`` (default every domain of the department-year
    and 其他) with a 目标值 or a 方向 for the evaluation year. A target whose value perfkit
    derived (the department did not state it) is left out of the count, not held against the
    department: perfkit's inference is no ground for a deduction; so is a target copied from
    last year's workbook that the department has not reviewed (填写说明 未核改): it is not yet
    this year's target. Without any target the input
    is missing (待补充资料 in a first reading). A deduction cites the 复核口径
    ``target_clarity``.
    """

    targets: TargetSet = TargetSet(domains="all")
    requires: Annotated[tuple[Element, ...], Field(min_length=1)] = ("value", "direction", "unit")
    full_pct: Annotated[_Positive, Field(le=100)] = 100.0
    LOSS: ClassVar[str] = LOSS_STANDARD

    def reference(self) -> str:
        return "绩效指标:" + (ALL_DOMAINS if self.targets.domains == ALL_DOMAINS
                              else ",".join(self.targets.domains))

    def reference_for(self, ev: Evaluation) -> str:
        return "绩效指标:" + ",".join(self.targets.resolve(ev))

    def apply(self, ev: Evaluation, points: float, policy: str,
              ctx: RuleContext | None = None) -> Outcome:
        rule = ctx.rules.find(TARGET_CLARITY) if ctx is not None else None
        about: dict[str, Any] = {"year": ev.year, "rule": rule.id if rule else "",
                                 "requires": list(self.requires), "full_pct": self.full_pct}
        frames = [targets.attainment(ev, d) for d in self.targets.resolve(ev)]
        rows = [r for f in frames for _, r in f.iterrows()]
        derived = [str(r["label_zh"]) for r in rows if bool(r["target_derived"])]
        unreviewed = [str(r["label_zh"]) for r in rows
                      if bool(r["unreviewed"]) and not bool(r["target_derived"])]
        rows = [r for r in rows if not bool(r["target_derived"]) and not bool(r["unreviewed"])]
        cells = "; ".join(str(r["target_cell"]) for r in rows if as_text(r["target_cell"]))
        if not rows:
            return Outcome(None, Reason("target_clarity_missing", about | {
                "derived": derived, "unreviewed": unreviewed}), cells)
        clear, unclear = [], []
        for r in rows:
            lacks = _lacks(r, self.requires)
            if lacks:
                unclear.append({"label": str(r["label_zh"]), "lacks": lacks})
            else:
                clear.append(str(r["label_zh"]))
        share = len(clear) / len(rows)
        credit = min(1.0, share * 100 / self.full_pct)
        score = points * credit
        lost = points - score
        return Outcome(score, Reason("target_clarity", about | {
            "targets": len(rows), "clear": clear, "unclear": unclear, "derived": derived,
            "unreviewed": unreviewed,
            "share_pct": share * 100, "credit_pct": credit * 100, "points": points,
            "score": score, "full": score >= points - EPS}), cells, share * 100, "%",
                       {LOSS_STANDARD: lost},
                       {TARGET_CLARITY if rule else "standard": lost} if ctx is not None
                       else None)

