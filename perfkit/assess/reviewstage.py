"""The 复核 in two stages (run setting ``review_stage``): what the documents read, computed once.

``initial`` (初审): an item the evidence for which is missing is 待补充资料, not 0; the outcome
lists the 补充资料清单 (item, the document that would evidence it, deadline) and gives the score
as a range: 已核实部分 X 分 (of Y points examined), 待补充资料 Z 分, with the grades that range
allows. ``final`` (终审): what is still missing scores 0 under the 复核口径 that says so.

Every deduction is a :class:`Deduction` citing its 复核口径 (``rule``: ``K01`` …) with the
figures it used and the share of the item's points it takes; report/ words it.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from perfkit.assess.evaluation import Evaluation
from perfkit.assess.intervals import EPS, Interval
from perfkit.assess.reviewrules import CHECKLIST_EVIDENCE, NO_EVIDENCE, SATISFACTION, ReviewRules
from perfkit.assess.rulebase import Reason
from perfkit.assess.scoresheet import ScoreSheet
from perfkit.assess.scoring import (
    ERROR,
    ScoreResult,
    record_score,
    score,
    score_summary,
)

INITIAL, FINAL = "initial", "final"
STAGE_ZH = {INITIAL: "初审", FINAL: "终审"}
#: 口径 under which a missing input scores 0 in ``final`` (and is 待补充资料 in ``initial``).
PENDING_APPLIES = (NO_EVIDENCE, SATISFACTION, CHECKLIST_EVIDENCE)


@dataclass(frozen=True)
class Deduction:
    """One deduction of the 复核, as data (report/ writes the sentence).

    Attributes:
        item: the score-sheet item id.
        level1: its 一级指标.
        level3: its 三级指标.
        rule: the 复核口径 id it cites (``K01`` …).
        applies: what that 口径 is about (``no_evidence``, ``standard`` …).
        points: points deducted (recorded at the sheet's precision).
        share: ``points`` over the item's points (0–1).
        item_points: the item's points.
        figures: what the item's rule read (reference, value, unit).
        why: the item's reason as data (report/ words it).
    """

    item: str
    level1: str
    level3: str
    rule: str
    applies: str
    points: float
    share: float
    item_points: float
    figures: dict[str, float | str] = field(default_factory=dict, hash=False, compare=False)
    why: Reason = field(default_factory=lambda: Reason(""), hash=False, compare=False)


@dataclass(frozen=True)
class Supplement:
    """One line of the 补充资料清单: an item whose evidence is missing, what would evidence it.

    Attributes:
        item: the score-sheet item id.
        level1: its 一级指标.
        level3: its 三级指标.
        points: the points that wait for it (待补充资料).
        document: the document the department is asked for (catalog ``evidence_zh``).
        why: what perfkit found missing: the item's reason as data (report/ words the gap).
        cells: the workbook cells that are blank.
        rule: the 复核口径 under which it scores 0 if not supplied.
        deadline: the deadline as printed (``2020年7月15日前`` or ``自收到本意见之日起15日内``).
        applies: what the 口径 ``rule`` is about (an item may wait under two: K11 for a
            condition whose evidence is refused, K01 for one left unanswered).
    """

    item: str
    level1: str
    level3: str
    points: float
    document: str
    why: Reason
    cells: str
    rule: str
    deadline: str
    applies: str = ""


@dataclass(frozen=True)
class ReviewOutcome:
    """What the 复核意见, its conclusion page and the 复核底稿 read about the score.

    Attributes:
        stage: ``initial`` or ``final``.
        verified_score: points earned on what could be examined (X).
        verified_points: the points of what could be examined (Y).
        pending_points: the points waiting for 补充资料 (Z; 0 in ``final``).
        score: the 复核得分: in ``final`` the total; in ``initial`` None (a range, see
            :attr:`score_range`).
        grade: the grade of ``score`` ("" in ``initial`` and when it cannot be scored).
        possible_grades: the grades the range [X, X + Z] allows, best first (in ``final`` the
            one grade).
        supplements: the 补充资料清单 (empty in ``final``).
        deductions: every deduction, each citing its 口径 (in ``initial`` only those on
            examined evidence).
        deadline: the 补充资料 deadline as printed.
        rules: the 复核口径 in force (id → text).
        total_points: the sheet's points (100).
        result: the score sheet's result the outcome was derived from.
    """

    stage: str
    verified_score: float
    verified_points: float
    pending_points: float
    score: float | None
    grade: str
    possible_grades: tuple[str, ...]
    supplements: list[Supplement]
    deductions: list[Deduction]
    deadline: str = ""
    rules: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    total_points: float = 100.0
    result: ScoreResult | None = field(default=None, hash=False, compare=False, repr=False)

    @property
    def score_range(self) -> tuple[float, float]:
        """(lowest, highest) 复核得分 the stage allows: X and X + Z."""
        return self.verified_score, self.verified_score + self.pending_points

    @property
    def scorable(self) -> bool:
        return self.result is None or self.result.scorable

    @property
    def first_reading(self) -> bool:
        """A first reading waiting for 补充资料: the 复核得分 is the range, not a score."""
        return self.stage == INITIAL and bool(self.supplements) and self.scorable

    def pending_for(self, item: str) -> float:
        """Points of ``item`` waiting for 补充资料 (0 when none)."""
        return math.fsum(s.points for s in self.supplements if s.item == item)

    @property
    def deducted(self) -> float:
        """Points deducted on examined evidence (sum of :attr:`deductions`)."""
        return math.fsum(d.points for d in self.deductions)


def deadline_text(review_date: str, days: int) -> str:
    """``2020年7月15日前`` from the 复核意见 date, else ``自收到本意见之日起15日内``."""
    if not review_date:
        return f"自收到本意见之日起{days}日内"
    due = dt.date.fromisoformat(review_date) + dt.timedelta(days=days)
    return f"{due.year}年{due.month}月{due.day}日前"


def review_outcome(ev: Evaluation, stage: str | None = None) -> ReviewOutcome:
    """The 复核 of one department-year at ``stage`` (default: the run settings'
    ``review_stage``), computed once per evaluation.

    The score sheet is scored with missing inputs at 0 (the ``zero`` policy, which the 复核口径
    ``no_evidence`` states); in ``initial`` the points so lost wait for 补充资料 instead.
    """
    stage = stage or ev.settings.review_stage
    if stage not in STAGE_ZH:
        raise ValueError(f"review stage must be one of {tuple(STAGE_ZH)}, got {stage!r}")
    return ev.result(("review_outcome", stage), lambda: _outcome(ev, stage))


def _outcome(ev: Evaluation, stage: str) -> ReviewOutcome:
    r = score(ev, policy="zero")
    sheet = r.sheet
    rules = sheet.rules
    deadline = deadline_text(ev.settings.review_date, ev.settings.supplement_days)
    own = {i.id: i for i in sheet.items}
    deductions: list[Deduction] = []
    supplements: list[Supplement] = []
    pending = 0.0
    for (_, row), cites in zip(r.items.iterrows(), r.cites or [{}] * len(r.items), strict=True):
        if row["status"] == ERROR:
            continue
        figures = _figures(row)
        for applies, pts in cites.items():
            if pts <= EPS:
                continue
            rule_id = _rule_id(rules, applies)
            if stage == INITIAL and applies in PENDING_APPLIES:
                pending += pts
                supplements.append(Supplement(
                    row["item"], row["level1"], row["level3"], pts,
                    rules.evidence_for(str(row["indicator"]),
                                       own[row["item"]].evidence_zh if row["item"] in own else ""),
                    row["why"], str(row["evidence"] or ""), rule_id, deadline, applies))
                continue
            deductions.append(Deduction(
                row["item"], row["level1"], row["level3"], rule_id, applies, pts,
                pts / row["points"] if row["points"] else 0.0, float(row["points"]), figures,
                row["why"]))
    d = sheet.decimals
    pending = record_score(pending, d)
    total_points = sheet.total_points
    verified = r.total if r.scorable else math.nan
    if stage == FINAL:
        final_score: float | None = verified if r.scorable else None
        grade = r.grade
        possible: tuple[str, ...] = (grade,) if grade else ()
    else:
        final_score, grade = (verified, r.grade) if pending <= EPS and r.scorable else (None, "")
        possible = _possible(sheet, verified, pending) if r.scorable else ()
    return ReviewOutcome(
        stage, verified, record_score(total_points - pending, d), pending, final_score, grade,
        possible, supplements, deductions, deadline if supplements else "",
        {x.id: x.text_zh for x in rules.rules}, total_points, r)


def _rule_id(rules: ReviewRules, applies: str) -> str:
    return rules.id_or(applies)  # a sheet cannot drop a default, but a code-built one may


def _possible(sheet: ScoreSheet, low: float, pending: float) -> tuple[str, ...]:
    """Grades whose band meets [low, low + pending], best first."""
    span = Interval(low, low + pending, True, True)
    ranked = sorted(sheet.grades, key=lambda g: -g[1].hi)
    return tuple(grade for grade, band in ranked if band.overlaps(span))


def _figures(row: pd.Series) -> dict[str, float | str]:
    out: dict[str, float | str] = {"reference": str(row["indicator"])}
    value = row["value"]
    if isinstance(value, (int, float)) and not math.isnan(float(value)):
        out["value"] = float(value)
        out["unit"] = str(row["unit"] or "")
    return out


def review_summary(ev: Evaluation) -> dict[str, Any]:
    """:func:`perfkit.assess.scoring.score_summary` with the stage (tables/score.json, the run
    manifest, the outputs index): ``stage``, and in a first reading with 补充资料 pending the
    ``range`` [X, X + Z] and the ``possible_grades``."""
    out = score_summary(ev)
    o = review_outcome(ev)
    out["stage"] = o.stage
    if o.stage == INITIAL and o.pending_points > EPS and o.scorable:
        low, high = o.score_range
        out |= {"verified": low, "pending": o.pending_points, "range": [low, high],
                "possible_grades": list(o.possible_grades)}
    return out
