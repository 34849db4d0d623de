"""Domain catalogs: what a field's indicators are, as data (``<key>.yaml``), validated on load.

A catalog declares one business domain (教育质量, 学生资助, 卫生健康 …): its indicators (code,
label, unit, direction, decimals, definition, and a formula over other codes where the value is
derived), target rules, sum checks, topic groups and the headline order of 主要绩效. The
catalogs shipped with perfkit are in this folder; a project adds its own (or replaces one of
the same key) in ``<project>/domains/<key>.yaml``. The file name is the domain key.

This module reads and validates the files; :mod:`perfkit.indicators.catalog` turns the entries
into indicators and evaluates the formulas.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from perfkit import config, yamlcheck
from perfkit.errors import CatalogError, ProjectNotFoundError

#: Domain keys that are not catalogs: the finance indicators (fixed sheets, Python) and the
#: department's own rows of the 绩效指标 sheet (领域 其他). Value: the 领域 label.
FINANCE, OTHER = "finance", "other"
BUILT_IN = {FINANCE: "财务", OTHER: "其他"}
#: Names that cannot be domain keys: the built-in domains, and the notebooks whose output files
#: share the folder with the domain reports (``<key>.html``).
_RESERVED = {FINANCE, OTHER, "summary", "report", "review", "domain", "index", "all"}

_CODE = r"^[a-z][a-z0-9_]*$"
Code = Annotated[str, Field(pattern=_CODE)]
#: An operand: an indicator code, optionally with the 绩效指标 column to read
#: (``code.target`` 目标值, ``code.prior`` 上年值; plain ``code`` is the indicator's value).
Operand = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*(\.(actual|target|prior))?$")]

#: Directions a catalog may write, in English or as the reports print them.
DIRECTIONS = {"higher": "越高越好", "lower": "越低越好", "near_100": "接近100%为好",
              "neutral": "描述性"}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Share(_Model):
    """part / whole × 100 (%)."""

    kind: Literal["share"]
    part: Operand
    whole: Operand


class Ratio(_Model):
    """numerator / denominator × scale (scale 1000 for ‰, 100000 for 1/10万)."""

    kind: Literal["ratio"]
    numerator: Operand
    denominator: Operand
    scale: float = 1.0


class PerPerson(_Model):
    """amount / persons × scale (scale 10000 turns 万元 per person into 元 per person)."""

    kind: Literal["per_person"]
    amount: Operand
    persons: Operand
    scale: float = 1.0


class Sum(_Model):
    """term + term + …"""

    kind: Literal["sum"]
    terms: list[Operand] = Field(min_length=2)


class Difference(_Model):
    """minuend − subtrahend."""

    kind: Literal["difference"]
    minuend: Operand
    subtrahend: Operand


class ImpliedBase(_Model):
    """The one whole number b with actual / b × 100 rounding to the completion ratio a report
    states (报告数值 row whose 核对对象 is ``stated``): a target given only as a ratio."""

    kind: Literal["implied_base"]
    actual: Operand
    stated: str = Field(min_length=1)


Formula = Annotated[Share | Ratio | PerPerson | Sum | Difference | ImpliedBase,
                    Field(discriminator="kind")]
FORMULA_KINDS = ("share", "ratio", "per_person", "sum", "difference", "implied_base")


def operands(formula: Any) -> list[str]:
    """The operands of a formula, in evaluation order."""
    if formula is None:
        return []
    fields = {"share": ("part", "whole"), "ratio": ("numerator", "denominator"),
              "per_person": ("amount", "persons"), "difference": ("minuend", "subtrahend"),
              "implied_base": ("actual",)}
    if formula.kind == "sum":
        return list(formula.terms)
    return [getattr(formula, f) for f in fields[formula.kind]]


class IndicatorSpec(_Model):
    """One indicator. Without ``formula`` it is reported: the 实际值 of the 绩效指标 row whose
    指标代码 is ``code``."""

    code: Code
    label_zh: str = Field(min_length=1)
    unit: str = Field(min_length=1)
    direction: str = "neutral"
    decimals: int = Field(default=2, ge=0, le=6)
    definition_zh: str | None = None
    formula: Formula | None = None
    #: Wordings a report uses for this indicator (for reading report text).
    phrases: list[str] = []

    @field_validator("direction", mode="before")
    @classmethod
    def _direction(cls, v: Any) -> str:
        key = {zh: en for en, zh in DIRECTIONS.items()}.get(v, v)
        if key not in DIRECTIONS:
            raise ValueError(f"“{v}”不是方向；应为 {' / '.join(DIRECTIONS)}"
                             f"（即 {' / '.join(DIRECTIONS.values())}）")
        return key


class TargetRule(_Model):
    """When the 绩效指标 目标值 of ``code`` is empty, its target is the value of ``target``."""

    code: Code
    target: Code
    direction: Literal["≥", "≤", "=", "全面"]


class SumCheck(_Model):
    """The 绩效指标 value of ``total`` must equal the sum of ``parts`` (exactly: counts)."""

    id: Code
    label_zh: str = Field(min_length=1)
    total: Code
    parts: list[Code] = Field(min_length=2)


class Topic(_Model):
    """A group of indicators shown together (a table, a chart)."""

    label_zh: str = Field(min_length=1)
    indicators: list[Code] = Field(min_length=1)
    #: The indicators its chart draws, when not all of them: the rates rather than the counts
    #: they are computed from (活产数 3215 beside 1 and 12 deaths compares nothing; the
    #: mortality rates against their targets do). ``[]``: no chart.
    chart: list[Code] | None = None


class Catalog(_Model):
    """One domain catalog (the file name is its key)."""

    label_zh: str = Field(min_length=1)
    #: Position among the domains (the 领域 list, reports): lower first, then by key.
    order: int = 100
    description_zh: str = ""
    indicators: list[IndicatorSpec] = Field(min_length=1)
    targets: list[TargetRule] = []
    sum_checks: list[SumCheck] = []
    topics: dict[Annotated[str, Field(pattern=_CODE)], Topic] = {}
    #: Indicator codes in the order 主要绩效 lists them.
    headlines: list[Code] = []
    #: Optional workbook sheets (by name) the domain reads besides 绩效指标: a workbook with
    #: rows there covers the domain even without a 绩效指标 row of its 领域.
    sheets: list[str] = []
    # Set by the loader, not written in the file.
    key: str = ""
    path: Path = Path()

    def indicator(self, code: str) -> IndicatorSpec:
        return next(i for i in self.indicators if i.code == code)

    def entry(self, code: str) -> str:
        """Where an indicator is declared, for messages: ``indicators[3]（code）``."""
        n = next(n for n, i in enumerate(self.indicators) if i.code == code)
        return f"indicators 第{n + 1}项（{code}）"


# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------

_MESSAGES = {
    "missing": "缺少必填的键",
    "extra_forbidden": "不认识的键（拼写错误？可用的键见 README“领域目录”）",
    "string_type": "应为文字",
    "int_type": "应为整数", "int_parsing": "应为整数", "int_from_float": "应为整数",
    "float_type": "应为数字", "float_parsing": "应为数字",
    "list_type": "应为列表（每项一行，以“- ”开头）",
    "dict_type": "应为“键: 值”映射", "model_type": "应为“键: 值”映射",
    "string_pattern_mismatch": ("只能用小写英文字母、数字和下划线，以字母开头"
                                "（列名可加 .target 或 .prior）"),
    "union_tag_not_found": "缺少 kind（公式类型：" + " / ".join(FORMULA_KINDS) + "）",
    "string_too_short": "不能为空",
}


def _message(err: dict[str, Any]) -> str:
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind == "union_tag_invalid":
        return f"公式类型“{ctx.get('tag')}”不存在；可用：{' / '.join(FORMULA_KINDS)}"
    if kind == "literal_error":
        return f"“{err.get('input')}”无效；应为 {ctx.get('expected')}"
    if kind == "too_short":
        return f"至少需要 {ctx.get('min_length')} 项"
    if kind in ("greater_than_equal", "less_than_equal"):
        word = "不小于" if kind == "greater_than_equal" else "不大于"
        return f"应{word} {ctx.get('ge', ctx.get('le'))}"
    if kind == "value_error":
        return str(ctx.get("error") or err["msg"])
    return _MESSAGES.get(kind, err["msg"])


def _where(raw: Any, loc: tuple) -> tuple[str, str]:
    """(entry, key) of a pydantic error location, e.g. (“indicators 第3项（x）”, “formula.kind”)."""
    if len(loc) >= 2 and loc[0] in ("indicators", "targets", "sum_checks", "headlines") \
            and isinstance(loc[1], int):
        entries = raw.get(loc[0]) if isinstance(raw, dict) else None
        item = entries[loc[1]] if isinstance(entries, list) and loc[1] < len(entries) else None
        name = ""
        if isinstance(item, dict):
            name = item.get("code") or item.get("id") or ""
        elif isinstance(item, str):
            name = item
        entry = f"{loc[0]} 第{loc[1] + 1}项" + (f"（{name}）" if name else "")
        rest = loc[2:]
    elif len(loc) >= 2 and loc[0] == "topics":
        entry, rest = f"topics.{loc[1]}", loc[2:]
    else:
        entry, rest = "文件顶层", loc
    # Drop the union member name pydantic inserts after "formula".
    keys = [str(k) for n, k in enumerate(rest)
            if not (n > 0 and rest[n - 1] == "formula" and k in FORMULA_KINDS)]
    return entry, ".".join(keys)


def _yaml_loc(loc: tuple) -> list[int | str]:
    """A pydantic location as a path in the YAML file (without the union member names)."""
    return [k for n, k in enumerate(loc)
            if not (n > 0 and loc[n - 1] == "formula" and k in FORMULA_KINDS)]


def load_catalog(path: Path) -> Catalog:
    """Read and validate one catalog file.

    Raises:
        CatalogError: listing every problem, each with the file, its line, the entry and the
            key.
    """
    key = path.stem
    if not re.fullmatch(_CODE.strip("^$"), key) or key in _RESERVED:  # ($ allows a final \n)
        raise CatalogError(f"{path}: 文件名“{path.name}”即领域代码，应为小写英文字母、数字和下划线"
                           f"（以字母开头），且不能是 {'、'.join(sorted(_RESERVED))}")
    try:
        raw, node = yamlcheck.load(path, CatalogError, "领域目录")
    except OSError as exc:
        raise CatalogError(f"{path}: 无法读取：{exc}") from None
    if not isinstance(raw, dict):
        raise CatalogError(f"{path}: 应为“键: 值”映射（label_zh、indicators 等）")
    for reserved in ("key", "path"):
        if reserved in raw:
            raise CatalogError(f"{path}: 文件顶层的键“{reserved}”：不能写在文件中"
                               "（领域代码即文件名）")
    try:
        catalog = Catalog.model_validate(raw)
    except ValidationError as exc:
        lines = []
        for e in exc.errors():
            loc = tuple(e["loc"])
            entry, where = _where(raw, loc)
            line = yamlcheck.line_of(node, _yaml_loc(loc))
            lines.append(f"  {f'第 {line} 行 ' if line else ''}{entry}"
                         + (f" 的 {where}" if where else "") + f"：{_message(dict(e))}")
        raise CatalogError(f"领域目录 {path} 有 {len(lines)} 个问题：\n"
                           + "\n".join(lines)) from None
    catalog = catalog.model_copy(update={"key": key, "path": path})
    _check_inside(catalog)
    return catalog


def _check_inside(c: Catalog) -> None:
    """Problems visible within one file: duplicate codes, topic and check names."""
    problems = []
    seen: dict[str, int] = {}
    for n, i in enumerate(c.indicators, 1):
        if i.code in seen:
            problems.append(f"indicators 第{n}项（{i.code}）：指标代码与第{seen[i.code]}项重复")
        seen.setdefault(i.code, n)
        if i.formula is not None and i.formula.kind == "share" and i.unit != "%":
            problems.append(f"{c.entry(i.code)} 的 unit：share（占比）公式的单位应为 %，"
                            f"写的是“{i.unit}”；其他倍数请用 ratio 并写明 scale")
    for name, topic in c.topics.items():
        for k, code in enumerate(topic.chart or [], 1):
            if code not in topic.indicators:
                problems.append(f"topics.{name} 的 chart 第{k}项：{code} 不在该分组的 indicators 中"
                                "（图只画分组表格中的指标）")
    ids = [s.id for s in c.sum_checks]
    for d in sorted({x for x in ids if ids.count(x) > 1}):
        problems.append(f"sum_checks：核对代码 {d} 重复")
    if problems:
        raise CatalogError(f"领域目录 {c.path} 有 {len(problems)} 个问题：\n"
                           + "\n".join(f"  {p}" for p in problems))


def catalogs(project: config.Project | None = None) -> dict[str, Catalog]:
    """Every catalog in use by key, in domain order (``order``, then key): perfkit's and the
    project's (default: the current one); read once per version of the files, and kept on the
    project. Outside any project: perfkit's, read on each call."""
    files = config.catalog_files(project)
    stamp = tuple((k, str(p), p.stat().st_mtime_ns, p.stat().st_size) for k, p in files.items())
    try:
        project = project or config.current()
    except ProjectNotFoundError:  # library use outside any project
        return _load(stamp)
    return project.cached("catalogs", stamp, lambda: _load(stamp))


def _load(stamp: tuple) -> dict[str, Catalog]:
    loaded = [load_catalog(Path(p)) for _, p, _, _ in stamp]
    labels: dict[str, Path] = {}
    for c in loaded:
        if c.label_zh in BUILT_IN.values() or c.label_zh in labels:
            other = labels.get(c.label_zh, "perfkit（财务、其他为内置领域）")
            raise CatalogError(f"{c.path}: label_zh“{c.label_zh}”与 {other} 重复；"
                               "每个领域的中文名称应唯一（它是“绩效指标”表“领域”列的选项）")
        labels[c.label_zh] = c.path
    return {c.key: c for c in sorted(loaded, key=lambda c: (c.order, c.key))}


def names_of(cats: dict[str, Catalog]) -> dict[str, str]:
    """Domain key → 领域 label of these catalogs and the built-in domains, in the order of the
    领域 drop-down: finance (财务), the catalogs, other (其他)."""
    return {FINANCE: BUILT_IN[FINANCE], **{k: c.label_zh for k, c in cats.items()},
            OTHER: BUILT_IN[OTHER]}


def labels_of(cats: dict[str, Catalog]) -> dict[str, str]:
    """领域 label → domain key: :func:`names_of` the other way round (labels are unique, as
    :func:`catalogs` checks). The one place the mapping is inverted."""
    return {label: key for key, label in names_of(cats).items()}


def domain_names(project: config.Project | None = None) -> dict[str, str]:
    """Domain key → 领域 label in the project (default: the current one)."""
    return names_of(catalogs(project))


def domain_labels(project: config.Project | None = None) -> dict[str, str]:
    """领域 label → domain key in the project (default: the current one)."""
    return labels_of(catalogs(project))
