"""Catalog entries as indicators: a small set of formula kinds over codes, evaluated generically.

A catalog entry without a formula is a reported figure (the 实际值 of its 绩效指标 row); one with
a formula is computed from other indicators by :func:`evaluate_formula` (share, ratio, per
person, sum, difference, and the target implied by a stated completion ratio). Nothing is
``eval()``-ed: a formula is data with a kind and named operands. Cross-file rules (unique codes,
known operands, no cycles) are checked here, when the registry is built.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from perfkit.data.sheets import SHEET_BY_NAME
from perfkit.domains import Catalog, ImpliedBase, IndicatorSpec, TargetRule, operands
from perfkit.errors import CatalogError
from perfkit.indicators.base import Direction, Indicator, Reader, safe_divide
from perfkit.indicators.metrics import (
    METRIC_SOURCE,
    implied_integer_base,
    metric_value,
    stated_number,
)

#: How a reported figure is defined when its catalog entry says nothing more.
REPORTED_DEFINITION = "绩效指标表“实际值”（报告所列业务统计）"
_DIRECTION = {"higher": Direction.HIGHER_BETTER, "lower": Direction.LOWER_BETTER,
              "near_100": Direction.NEAR_100, "neutral": Direction.NEUTRAL}
_COLUMN_ZH = {"actual": "实际值", "target": "目标值", "prior": "上年值"}

def _split(operand: str) -> tuple[str, str]:
    code, _, column = operand.partition(".")
    return code, column


def operand_value(r: Reader, operand: str) -> float:
    """The value of one operand: an indicator, or a column of a code's 绩效指标 row.

    ``code.target`` falls back to the code's target rule when the 目标值 cell is empty.
    """
    code, column = _split(operand)
    indicators, rules = r.registry.indicators, r.registry.target_rules
    if not column:
        return float(indicators[code].func(r))
    if column == "target" and code in rules:
        given = r.optional("targets", r.metric_row(code), "target")
        if math.isnan(given):
            return float(indicators[rules[code].target].func(r))
        return given
    return metric_value(r, code, column)


def evaluate_formula(formula, r: Reader) -> float:
    """Evaluate a catalog formula on the workbook (operands in declaration order)."""
    v = [operand_value(r, op) for op in operands(formula)] if formula.kind != "implied_base" else []
    if formula.kind == "share":
        return safe_divide(v[0], v[1]) * 100
    if formula.kind in ("ratio", "per_person"):
        return safe_divide(v[0], v[1]) * formula.scale
    if formula.kind == "sum":
        return sum(v)
    if formula.kind == "difference":
        return v[0] - v[1]
    if formula.kind == "implied_base":
        done = operand_value(r, formula.actual)
        return float(implied_integer_base(done, stated_number(r, formula.stated)))
    raise ValueError(f"unknown formula kind {formula.kind!r}")


# ---------------------------------------------------------------------------------------------
# Building the registry
# ---------------------------------------------------------------------------------------------


def _label(labels: Mapping[str, str], operand: str) -> str:
    code, column = _split(operand)
    return labels.get(code, code) + (_COLUMN_ZH[column] if column and column != "actual" else "")


def _definition(spec: IndicatorSpec, labels: Mapping[str, str]) -> str:
    f = spec.formula
    if spec.definition_zh:
        return spec.definition_zh
    if f is None:
        return REPORTED_DEFINITION
    names = [_label(labels, op) for op in operands(f)]
    if f.kind == "share":
        return f"{names[0]} / {names[1]} × 100%"
    if f.kind in ("ratio", "per_person"):
        return f"{names[0]} / {names[1]}" + (f" × {f.scale:g}" if f.scale != 1 else "")
    if f.kind == "sum":
        return " + ".join(names)
    if f.kind == "difference":
        return f"{names[0]} − {names[1]}"
    assert isinstance(f, ImpliedBase)  # the one kind left
    return (f"报告只给出完成比例：目标数 = {names[0]} ÷ 报告所称完成比例（报告数值 {f.stated}），"
            "取与该比例（按所印位数舍入）相容的唯一整数")


def _source(spec: IndicatorSpec, reported: set[str], rules: Mapping[str, TargetRule]) -> str:
    """Where the inputs are, e.g. ``绩效指标: a, b 实际值`` or ``绩效指标: a 实际值、目标值``."""
    if spec.formula is None:
        return METRIC_SOURCE.replace("代码", f"代码 {spec.code}")
    columns: dict[str, list[str]] = {}
    computed: list[str] = []
    for op in operands(spec.formula):
        code, column = _split(op)
        if code in reported:
            columns.setdefault(code, []).append(_COLUMN_ZH[column or "actual"])
        else:
            computed.append(code)
    parts = []
    if columns and all(c == ["实际值"] for c in columns.values()):
        parts.append(f"绩效指标: {', '.join(columns)} 实际值")
    elif columns:
        parts.append("绩效指标: " + ", ".join(f"{code} {'、'.join(dict.fromkeys(c))}"
                                            for code, c in columns.items()))
    fallbacks = [rules[code].target for code, c in columns.items()
                 if "目标值" in c and code in rules]
    parts += [f"指标: {', '.join(dict.fromkeys(computed + fallbacks))}"] if computed or fallbacks \
        else []
    if spec.formula.kind == "implied_base":
        parts.append(f"报告数值: {spec.formula.stated}")
    return "; ".join(parts)


def _reader(spec: IndicatorSpec) -> Callable[[Reader], float]:
    if spec.formula is None:
        def read_metric(r: Reader, code: str = spec.code) -> float:
            return metric_value(r, code)
        read_metric.__name__ = read_metric.__qualname__ = spec.code
        return read_metric

    def read_formula(r: Reader, formula: Any = spec.formula) -> float:
        return evaluate_formula(formula, r)
    read_formula.__name__ = read_formula.__qualname__ = spec.code
    return read_formula


def _fields(spec: IndicatorSpec) -> list[tuple[str, str]]:
    """(key, operand) pairs of a formula, the key as a message names it (``formula.part``)."""
    f = spec.formula
    if f is None:
        return []
    if f.kind == "sum":
        return [(f"formula.terms 第{n + 1}项", op) for n, op in enumerate(f.terms)]
    names = [k for k in type(f).model_fields if k not in ("kind", "scale", "stated")]
    return [(f"formula.{k}", getattr(f, k)) for k in names]


def _check_references(cats: Mapping[str, Catalog], declared: Mapping[str, Indicator]) -> None:
    problems: list[str] = []
    owner: dict[str, str] = {i: f"perfkit 的 Python 指标（{ind.func.__module__}）"
                             for i, ind in declared.items()}
    for c in cats.values():
        for spec in c.indicators:
            if spec.code in owner:
                problems.append(f"{c.path}: {c.entry(spec.code)} 的 code：指标代码已在 "
                                f"{owner[spec.code]} 中声明；每个指标代码只能声明一次")
            else:
                owner[spec.code] = str(c.path)
    reported = {s.code for c in cats.values() for s in c.indicators if s.formula is None}
    known = set(owner)

    def need(c: Catalog, where: str, code: str, column: str = "") -> None:
        if code not in known:
            problems.append(f"{c.path}: {where}：指标代码 {code} 不存在（不在任何领域目录中，也不是"
                            "perfkit 的财务或学生资助指标）；perfkit codes 列出全部代码")
        elif column and code not in reported:
            problems.append(f"{c.path}: {where}：{code} 不是报告值（有 formula 的指标没有“绩效指标”"
                            f"表的行），不能取其{_COLUMN_ZH.get(column, column)}")

    for c in cats.values():
        for spec in c.indicators:
            for key, op in _fields(spec):
                code, column = _split(op)
                need(c, f"{c.entry(spec.code)} 的 {key}", code, column)
        for n, t in enumerate(c.targets, 1):
            need(c, f"targets 第{n}项（{t.code}）的 code", t.code, "target")
            need(c, f"targets 第{n}项（{t.code}）的 target", t.target)
        for n, s in enumerate(c.sum_checks, 1):
            for key, code in [("total", s.total), *((f"parts 第{k}项", p)
                                                   for k, p in enumerate(s.parts, 1))]:
                need(c, f"sum_checks 第{n}项（{s.id}）的 {key}", code, "actual")
        for name, topic in c.topics.items():
            for k, code in enumerate(topic.indicators, 1):
                need(c, f"topics.{name} 的 indicators 第{k}项", code)
        for k, code in enumerate(c.headlines, 1):
            need(c, f"headlines 第{k}项", code)
        for k, name in enumerate(c.sheets, 1):
            if name not in SHEET_BY_NAME or SHEET_BY_NAME[name].required:
                optional = "、".join(s.name for s in SHEET_BY_NAME.values() if not s.required)
                problems.append(f"{c.path}: sheets 第{k}项：“{name}”不是工作簿的可选工作表"
                                f"（可选工作表：{optional}）")
    if not problems:
        problems += _cycles(cats)
    if problems:
        raise CatalogError(f"领域目录有 {len(problems)} 个问题：\n"
                           + "\n".join(f"  {p}" for p in problems))


def _cycles(cats: Mapping[str, Catalog]) -> list[str]:
    """Formulas that depend on themselves (through other formulas or target rules)."""
    specs = {s.code: (c, s) for c in cats.values() for s in c.indicators}
    rules = {t.code: t.target for c in cats.values() for t in c.targets}
    deps: dict[str, list[str]] = {}
    for code, (_, s) in specs.items():
        out = []
        for op in operands(s.formula):
            dep, column = _split(op)
            out.append(dep)
            if column == "target" and dep in rules:
                out.append(rules[dep])
        deps[code] = out
    state: dict[str, int] = {}
    found: list[str] = []

    def visit(code: str, path: list[str]) -> None:
        if state.get(code) == 2 or code not in deps:
            return
        if state.get(code) == 1:
            loop = " → ".join([*path[path.index(code):], code])
            c, _ = specs[code]
            found.append(f"{c.path}: {c.entry(code)} 的 formula：公式循环引用（{loop}）")
            return
        state[code] = 1
        for d in deps[code]:
            visit(d, [*path, code])
        state[code] = 2

    for code in deps:
        visit(code, [])
    return found


def build_registry(cats: Mapping[str, Catalog], declared: Mapping[str, Indicator]
                   ) -> tuple[dict[str, Indicator], dict[str, TargetRule]]:
    """Every indicator in domain order (finance, then per catalog its entries and Python ones),
    and the target rules: 指标代码 → the rule giving its target when the workbook leaves 目标值
    empty.

    Raises:
        CatalogError: duplicate codes, unknown operands or references, circular formulas.
    """
    _check_references(cats, declared)
    labels = {i: ind.label_zh for i, ind in declared.items()}
    labels |= {s.code: s.label_zh for c in cats.values() for s in c.indicators}
    reported = {s.code for c in cats.values() for s in c.indicators if s.formula is None}
    rules = {t.code: t for c in cats.values() for t in c.targets}
    out = {i: ind for i, ind in declared.items() if ind.domain == "finance"}
    for key, c in cats.items():
        for s in c.indicators:
            out[s.code] = Indicator(
                s.code, key, s.label_zh, s.unit, _DIRECTION[s.direction], _definition(s, labels),
                _source(s, reported, rules), _reader(s), s.decimals, reported=s.formula is None)
        out |= {i: ind for i, ind in declared.items() if ind.domain == key}
    out |= {i: ind for i, ind in declared.items() if i not in out}
    return out, rules
