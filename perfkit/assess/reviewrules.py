"""复核口径 (the reviewer's scoring conventions) as data: the ``rules:`` of a score sheet.

Each convention has an ``id`` (``K01`` …) that every deduction cites, the text printed in the
复核意见 and the 复核底稿, and what perfkit applies it to (``applies``, with its parameters).
A sheet without ``rules:`` uses perfkit's defaults (``perfkit/resources/review_rules.yaml``);
a sheet's own entries replace the defaults of the same ``applies``. The same file holds the
catalog of the documents that evidence an item (``evidence_zh``), for the 补充资料清单.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictStr, ValidationError

from perfkit import config, yamlcheck
from perfkit.errors import ScoreSheetError

DEFAULTS = config.PACKAGE_DIR / "resources" / "review_rules.yaml"

NO_EVIDENCE, SATISFACTION, OVER_ACHIEVEMENT, UNEXAMINABLE = (
    "no_evidence", "satisfaction_samples", "over_achievement", "unexaminable")
DUPLICATES, MISFIT, BUDGET_BASIS, GRADES, STANDARD = (
    "duplicates", "misfit", "budget_basis", "grades", "standard")
#: 绩效指标明确性 judged on the workbook's targets; what a checklist accepts as evidence.
TARGET_CLARITY, CHECKLIST_EVIDENCE = "target_clarity", "checklist_evidence"
APPLIES = (NO_EVIDENCE, SATISFACTION, OVER_ACHIEVEMENT, UNEXAMINABLE, DUPLICATES, MISFIT,
           BUDGET_BASIS, GRADES, TARGET_CLARITY, CHECKLIST_EVIDENCE, STANDARD)
#: What only a reviewer can decide: perfkit cites the rule but does not apply it itself.
MANUAL_APPLIES = (MISFIT,)
#: Why a 绩效指标 cannot be examined (keys of ``deduct_pct``).
NO_FORMULA, NO_SOURCE, EMPTY_QUANTITY = "no_formula", "no_source", "empty_quantity"


def _nonblank(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("不能为空")
    return value


def _why_keys(value: dict[str, float]) -> dict[str, float]:
    unknown = sorted(set(value) - {NO_FORMULA, NO_SOURCE, EMPTY_QUANTITY})
    if unknown:
        raise ValueError(f"未知的原因 {', '.join(unknown)}；可用：{NO_FORMULA}（无计算方法）、"
                         f"{NO_SOURCE}（有计算方法无数据来源）、{EMPTY_QUANTITY}（无指标值）")
    return value


def _patterns(value: tuple[str, ...]) -> tuple[str, ...]:
    for p in value:
        try:
            re.compile(p)
        except re.error as exc:
            raise ValueError(f"正则表达式“{p}”无效：{exc}") from None
    return value


_Text = Annotated[StrictStr, AfterValidator(_nonblank)]
_Pct = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]


class ReviewRule(BaseModel):
    """One 复核口径 of a sheet file (parameters only where its ``applies`` reads them)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: Annotated[StrictStr, Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,15}$")]
    applies: Literal[
        "no_evidence", "satisfaction_samples", "over_achievement", "unexaminable",
        "duplicates", "misfit", "budget_basis", "grades", "target_clarity",
        "checklist_evidence", "standard"]
    text_zh: _Text
    items: tuple[StrictStr, ...] | dict[StrictStr, Literal["initial", "adjusted"]] = ()
    above_pct: Annotated[float, Field(gt=100, allow_inf_nan=False)] = 130.0
    deduct_pct: Annotated[dict[StrictStr, _Pct], AfterValidator(_why_keys)] = Field(
        default_factory=lambda: {NO_SOURCE: 30.0, NO_FORMULA: 60.0, EMPTY_QUANTITY: 100.0})
    #: checklist_evidence: evidence naming something a reviewer can check (a document title,
    #: a figure, a 文号) is accepted whatever else it says …
    accepts: Annotated[tuple[StrictStr, ...], AfterValidator(_patterns)] = ()
    #: … else it is not accepted when it only quotes the department's own report (it opens
    #: with one of these) …
    quoting: tuple[StrictStr, ...] = ()
    #: … or restates the condition: at least this share of its character pairs are the
    #: condition's own.
    restating_pct: Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)] = 50.0


@dataclass(frozen=True)
class ReviewRules:
    """The 复核口径 in force for a sheet, one per ``applies``, and the evidence catalog."""

    rules: tuple[ReviewRule, ...]
    evidence: dict[str, str] = field(default_factory=dict, hash=False, compare=False)

    def get(self, applies: str) -> ReviewRule:
        for r in self.rules:
            if r.applies == applies:
                return r
        raise KeyError(applies)

    def id_of(self, applies: str) -> str:
        """The id deductions of this kind cite."""
        return self.get(applies).id

    def id_or(self, applies: str) -> str:
        """:meth:`id_of`, or ``applies`` itself when no 口径 of the kind is in force (a sheet
        built in code may lack one)."""
        try:
            return self.id_of(applies)
        except KeyError:
            return applies

    def text(self, rule_id: str) -> str:
        for r in self.rules:
            if r.id == rule_id:
                return r.text_zh
        return ""

    def basis_for(self, item: str) -> str:
        """``initial``/``adjusted`` when the 口径 fixes an item's budget basis, else ""."""
        items = self.get(BUDGET_BASIS).items
        return items.get(item, "") if isinstance(items, dict) else ""

    def applies_to(self, applies: str, item: str) -> bool:
        return item in self.get(applies).items

    def find(self, applies: str) -> ReviewRule | None:
        """The 口径 of this kind, or None when none is in force."""
        try:
            return self.get(applies)
        except KeyError:
            return None

    @property
    def over_achievement_pct(self) -> float:
        return self.get(OVER_ACHIEVEMENT).above_pct

    def unexaminable_pct(self, why: str) -> float:
        return self.get(UNEXAMINABLE).deduct_pct.get(why, 100.0)

    def evidence_for(self, reference: str, own: str = "") -> str:
        """The document that would evidence an item reading ``reference`` (an indicator id,
        ``定性评价:<item>``, ``绩效指标:…``, ``数据核对``): the item's own ``evidence_zh``, else
        the catalog's entry for the reference, for its kind, or the default."""
        if own:
            return own
        kind = reference.split(":")[0]
        return (self.evidence.get(reference) or self.evidence.get(kind)
                or self.evidence.get("default", ""))


#: Why a condition's evidence is not accepted (:func:`unaccepted`).
EMPTY, QUOTING, RESTATING = "empty", "quoting", "restating"


def _pairs(text: str) -> set[str]:
    kept = "".join(ch for ch in text if ch.isalnum())
    return {kept[i:i + 2] for i in range(len(kept) - 1)}


def unaccepted(rule: ReviewRule, condition: str, evidence: str) -> str:
    """Why the 口径 ``checklist_evidence`` does not accept ``evidence`` for a condition
    answered 是: :data:`EMPTY`, :data:`QUOTING` (it only quotes the department's report),
    :data:`RESTATING` (it repeats the condition's words); "" when accepted.

    Evidence naming something checkable (``accepts``) is always accepted: only what is
    certainly no evidence is refused, and what is refused waits for 补充资料 in a first
    reading rather than scoring 0.
    """
    text = evidence.strip()
    if not text:
        return EMPTY
    if any(re.search(p, text) for p in rule.accepts):
        return ""
    if any(text.startswith(q) for q in rule.quoting):
        return QUOTING
    own = _pairs(text)
    if own and len(own & _pairs(condition)) * 100 >= rule.restating_pct * len(own):
        return RESTATING
    return ""


def _validate(raw: Any, node: Any, prefix: tuple[int | str, ...],
              found: list[tuple[int, str]]) -> list[ReviewRule]:
    out: list[ReviewRule] = []
    if not isinstance(raw, list):
        found.append(yamlcheck.located(node, prefix, "应为复核口径的列表（id、applies、text_zh）"))
        return out
    seen: dict[str, int] = {}
    for i, entry in enumerate(raw):
        try:
            rule = ReviewRule.model_validate(entry)
        except ValidationError as exc:
            found.extend(yamlcheck.errors(exc, node, (*prefix, i)))
            continue
        if rule.id in seen:
            found.append(yamlcheck.located(node, (*prefix, i, "id"),
                                           f"复核口径编号“{rule.id}”重复（第{seen[rule.id] + 1}条已有）"))
        seen.setdefault(rule.id, i)
        out.append(rule)
    return out


def _defaults() -> tuple[list[ReviewRule], dict[str, str]]:
    # perfkit's own resource, as problems.yaml: it changes with perfkit's version (part of every
    # input hash), not with the project, so it is not among the files a run records as read.
    raw, node = yamlcheck.load(DEFAULTS, ScoreSheetError, "复核口径")
    found: list[tuple[int, str]] = []
    rules = _validate(raw.get("rules"), node, ("rules",), found)
    if found:
        raise ScoreSheetError(yamlcheck.report(DEFAULTS, "复核口径", [t for _, t in found]))
    return rules, {str(k): str(v) for k, v in (raw.get("evidence_zh") or {}).items()}


def review_rules(raw: Any, node: Any, found: list[tuple[int, str]],
                 sheet_items: tuple[str, ...] = ()) -> ReviewRules:
    """The 复核口径 of a sheet: its ``rules:`` (``raw``, may be None) over perfkit's defaults.

    Problems are appended to ``found`` (line, message), as the sheet reader collects them.
    """
    defaults, evidence = _defaults()
    own = [] if raw is None else _validate(raw, node, ("rules",), found)
    by_applies = {r.applies: r for r in defaults}
    for r in own:
        by_applies[r.applies] = r
    ids: dict[str, str] = {}
    for r in by_applies.values():
        if r.id in ids and ids[r.id] != r.applies:
            found.append(yamlcheck.located(node, ("rules",),
                                           f"复核口径编号“{r.id}”同时用于 {ids[r.id]} 和 {r.applies}"
                                           "（评分表的口径与 perfkit 默认口径编号冲突，请改用其他编号）"))
        ids[r.id] = r.applies
    for i, r in enumerate(own):
        names = list(r.items) if r.items else []
        unknown = [n for n in names if sheet_items and n not in sheet_items]
        if unknown:
            found.append(yamlcheck.located(node, ("rules", i, "items"),
                                           f"评分表中没有项目 {', '.join(unknown)}；可用："
                                           f"{', '.join(sheet_items)}"))
    ordered = tuple(by_applies[a] for a in APPLIES if a in by_applies)
    return ReviewRules(ordered, evidence)


def default_rules() -> ReviewRules:
    """perfkit's default 复核口径 (for code that scores without a sheet file)."""
    rules, evidence = _defaults()
    return ReviewRules(tuple(rules), evidence)


def rules_path() -> Path:
    return DEFAULTS


@dataclass(frozen=True)
class RuleContext:
    """What a score-sheet rule needs of the 复核口径 while it scores one item."""

    rules: ReviewRules
    item: str

    def basis(self) -> str:
        """The budget basis the 口径 fixes for the item ("" for the run settings')."""
        return self.rules.basis_for(self.item)
