"""Score sheets (评分表): the YAML file, validated on load (points, rule kinds, bands, grades)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    ValidationError,
)

from perfkit import config, reads, yamlcheck
from perfkit.assess.intervals import Interval, plain
from perfkit.assess.reviewrules import ReviewRules, default_rules, review_rules
from perfkit.assess.rules import RULE_KINDS, Rule, _IntervalText, _Positive, _Text
from perfkit.cells import is_missing
from perfkit.data.params import check_department
from perfkit.errors import ScoreSheetError
from perfkit.indicators.registry import Registry, registry

SHEETS_DIR_NAME = "score_sheets"


#: Grade bands of 财预〔2020〕10号 and most local sheets; a sheet may declare its own.
DEFAULT_GRADES = (("优", "[90, 100]"), ("良", "[80, 90)"), ("中", "[60, 80)"), ("差", "[0, 60)"))


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
    evidence_zh: str = ""


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
        review: the 复核口径 (``rules:``, over perfkit's defaults) deductions cite.
    """

    name: str
    title_zh: str
    basis_zh: str
    items: tuple[SheetItem, ...]
    grades: tuple[tuple[str, Interval], ...]
    decimals: int = 2
    path: Path = field(default=Path())
    review: ReviewRules | None = None

    @property
    def rules(self) -> ReviewRules:
        """The 复核口径 in force (perfkit's defaults for a sheet built in code)."""
        if self.review is None:
            return default_rules()
        return self.review

    @property
    def total_points(self) -> float:
        return math.fsum(i.points for i in self.items)

    def grade_for(self, total: float | None) -> str:
        """The grade whose band holds ``total`` ("" when none does or total is missing)."""
        if total is None or is_missing(total):
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


def sheet_path(name: str, project: config.Project | None = None) -> Path:
    """The project's ``params/score_sheets/<name>.yaml``, else perfkit's (a plain file stem)."""
    check_department(name)  # same rule as a folder name: letters, digits, - and _
    return config.score_sheet_path(name, project)


def available_sheets(project: config.Project | None = None) -> list[str]:
    """Names of the score sheets a project can use (its own and those shipped with perfkit)."""
    return config.score_sheet_names(project)


def load_sheet(name_or_path: str | Path, project: config.Project | None = None) -> ScoreSheet:
    """Load and validate a score sheet by name (params/score_sheets/<name>.yaml) or by path.

    A ``str`` is always a sheet name (as in the run settings), so a setting cannot point outside
    params/score_sheets/; pass a :class:`~pathlib.Path` to load another file. Every problem is
    collected and raised together: points not adding up to 100, unknown rule kinds or keys,
    unknown indicators, overlapping band edges, a manual score without reason.

    ``project`` (default: the current one) is where a name is looked up first, and whose
    indicators the rules may name; it keeps the sheet once read (per version of the file and of
    its indicators: a run reads the same sheet for the tables, the summary and the audit).

    Raises:
        ScoreSheetError: naming the file and each offending entry.
    """
    project = project or config.current()
    path = name_or_path if isinstance(name_or_path, Path) else _named(name_or_path, project)
    reads.file(path)
    if not path.exists():
        where = str(path)
        if not isinstance(name_or_path, Path):
            where = (f"{project.params_dir / SHEETS_DIR_NAME / name_or_path}.yaml"
                     "（perfkit 也没有自带同名评分表）")
        raise ScoreSheetError(f"评分表不存在：{where}；"
                              f"可用的评分表：{', '.join(available_sheets(project))}")
    stat, path, reg = path.stat(), path.resolve(), registry(project)
    return project.cached(f"score_sheet:{path}", (stat.st_mtime_ns, stat.st_size, reg),
                          lambda: _read_sheet(path, reg))


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
    evidence_zh: StrictStr = ""


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
    rules: list[Any] | None = None
    items: Annotated[list[Any], Field(min_length=1)]


#: What a missing key is for, said after "缺少此项".
_MISSING_HINTS = {"text_zh": "评分标准的中文原文，报告照印",
                  "indicator": "perfkit 指标代码，见数据字典",
                  "item": "定性评价表“评价指标”列的名称", "items": "三级指标的列表"}


def _read_sheet(path: Path, reg: Registry) -> ScoreSheet:
    """Read and validate a sheet file, its rules against the indicators of ``reg``."""
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
            return model.model_validate(data, context={"registry": reg})
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
                               it.missing, it.evidence_zh.strip()))
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
        parts = "、".join(f"{k} {plain(v)}" for k, v in by_level.items())
        problem(("items",), f"分值合计为 {plain(total)}，应为 100（{parts}）")
    review = review_rules(raw.get("rules"), node, found, tuple(seen))
    if found:
        raise ScoreSheetError(yamlcheck.report(path, "评分表",
                                               [t for _, t in sorted(found, key=lambda f: f[0])]))
    assert spec is not None
    return ScoreSheet(spec.name or path.stem, spec.title_zh or path.stem, spec.basis_zh or "",
                      tuple(items), grades, spec.decimals, path, review)


def _named(name: str, project: config.Project) -> Path:
    try:
        return sheet_path(name, project)
    except Exception:
        raise ScoreSheetError(f"评分表名称“{name}”无效：只能包含字母、数字、- 和 _") from None
