"""One relation a report's sentence states, judged from the figures the sentence prints (本句核对).

A ratio, change, difference, product or sum read by :mod:`perfkit.assess.reportrelations` (or
:mod:`perfkit.assess.reportdomain`) is recomputed from its printed operands
(:func:`perfkit.assess.recompute.recompute_printed`) and judged by
:func:`perfkit.assess.figures.judge`, to the figure's own printed precision. An operand the
sentence does not print (:attr:`Relation.inferred`) only confirms a figure: otherwise the row is
无法核对 and says where the operand was taken from. :mod:`perfkit.assess.textaudit` assembles
these rows with the checks across the text and against a workbook.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from perfkit import fmt
from perfkit.assess.checks import SUM_CHECKS
from perfkit.assess.checkspec import check_syntax
from perfkit.assess.figures import AUDIT_COLUMNS, blank_row, judge_row, tolerance_for
from perfkit.assess.recompute import Recomputed, recompute_printed, sum_of
from perfkit.assess.reportfigures import QUOTES, Figure, Relation
from perfkit.data.printed import RATE_UNITS, AuditParseError, PrintedValue
from perfkit.data.sheets import SHEET_BY_KEY
from perfkit.indicators.base import safe_divide
from perfkit.rates import change_pct
from perfkit.verdicts import CONSISTENT, INCONSISTENT, ROUNDING, UNEXPLAINED, UNVERIFIABLE

#: Categories of text-audit rows.
SENTENCE = "本句核对"
DOCUMENT = "全文核对"
WORKBOOK = "对照工作簿"
TEXT_CATEGORIES = (SENTENCE, DOCUMENT, WORKBOOK)
#: Columns of ``perfkit audit --report --out``: the workbook audit's, plus the sentence (whole
#: up to :data:`SENTENCE_CHARS` characters, else the part around the row's figure, "…" marking
#: the cuts).
TEXT_AUDIT_COLUMNS = [*AUDIT_COLUMNS, "sentence"]
#: A frame column beside :data:`TEXT_AUDIT_COLUMNS` (not written to CSV): the whole sentence,
#: one string shared by every row of the sentence, for a display that shows a long one once.
SENTENCE_FULL = "sentence_full"
#: Sentences up to this many characters are quoted whole in each row. A longer one (thousands
#: of figures in one sentence without a full stop, in a hostile file) is quoted by the part
#: around the row's figure, so that the rows grow with the figures, not figures × sentence.
SENTENCE_CHARS = 300
#: How a cell the report does not state is named in explanations.
NOT_STATED = "报告中未列出"


def text_row(**kw: Any) -> dict[str, Any]:
    return blank_row(TEXT_AUDIT_COLUMNS, kw)


def quoted(sentence: str, at: int, length: int = 0) -> str:
    """``sentence`` as a row quotes it: whole up to :data:`SENTENCE_CHARS` characters, else the
    :data:`SENTENCE_CHARS` characters around ``sentence[at:at + length]`` with "…" at each cut."""
    if len(sentence) <= SENTENCE_CHARS:
        return sentence
    a = max(0, min(at - (SENTENCE_CHARS - length) // 2, len(sentence) - SENTENCE_CHARS))
    b = a + SENTENCE_CHARS
    return ("…" if a else "") + sentence[a:b] + ("…" if b < len(sentence) else "")


def said(sentence: str, at: int, fig: Figure) -> dict[str, str]:
    """The row's sentence columns for ``fig`` standing at ``at`` in ``sentence``."""
    return {"sentence": quoted(sentence, at, fig.end - fig.start), SENTENCE_FULL: sentence}


def said_by(fig: Figure) -> dict[str, str]:
    return said(fig.sentence, fig.sentence_at, fig)


def where(fig: Figure) -> str:
    return f"{fig.location}“{fig.text}”"


def in_common_unit(figs: dict[str, Figure]) -> tuple[dict[str, PrintedValue], str] | None:
    """Operands in one unit: 万元 for amounts, % for percents, the first unit for counts."""
    kinds = {f.kind for f in figs.values()}
    if len(kinds) != 1:
        return None
    kind = kinds.pop()
    unit = {"amount": "万元", "percent": "%"}.get(kind) or next(iter(figs.values())).printed.unit
    try:
        return {k: f.printed.in_unit(unit) for k, f in figs.items()}, unit
    except AuditParseError:
        return None


def _ratio(v: dict[str, float]) -> float:
    return safe_divide(v["part"], v["base"]) * 100


def _ratio_per(scale: int) -> Callable[[dict[str, float]], float]:
    """part ÷ base per ``scale`` (‰: 1000; /10万: 100000), for a rate printed in that unit."""
    return lambda v: safe_divide(v["part"], v["base"]) * scale


def _rate(v: dict[str, float]) -> float:
    return change_pct(v["now"], v["base"], decimals=None)  # the operands as the text prints them


def _difference(v: dict[str, float]) -> float:
    return v["now"] - v["base"]


def _rate_of_change(against: str, sign: int) -> Callable[[dict[str, float]], float]:
    """The rate of a change C printed before it: C ÷ base, or C ÷ (now − C) when the sentence
    prints what the quantity is now rather than what it was ("7.8万元…减少1.24万元，下降13.71%")."""

    def rate(v: dict[str, float]) -> float:
        delta = sign * abs(v["delta"])
        base = v["base"] if against == "base" else v["now"] - delta
        return safe_divide(delta, base) * 100

    return rate


def _product(v: dict[str, float]) -> float:
    return v["a"] * v["b"]


def _product_row(rel: Relation, common: dict[str, Any], settings) -> dict[str, Any]:
    """"150人，标准200元/人，共发放3元": the count times the amount per unit. A result off by a
    factor of 10 000 is a dropped or wrong unit (元/万元) and 不一致; any other difference may be
    people paid less than the standard, so it is 无法核对 with the product named."""
    fig, a, b = rel.result, rel.operands["a"], rel.operands["b"]
    cells = {"a": where(a), "b": where(b)}
    try:
        values = {"a": replace(a.printed, scale=1.0, unit=""), "b": b.printed.in_unit("万元")}
    except AuditParseError:
        return text_row(**common, check=_formula_text(rel), verdict=UNVERIFIABLE,
                    explanation="运算数的单位不能换算", source_cells="; ".join(cells.values()))
    r = recompute_printed(_product, values, "万元", {k: o.location for k, o in rel.operands.items()})
    result = judge_row(fig.printed, r, _printed_tolerance(fig, "万元", settings))
    result.pop("cells")
    if result.get("verdict") == INCONSISTENT and "一万倍" not in result.get("explanation", ""):
        result["verdict"] = UNVERIFIABLE
        result["explanation"] = (f"按{a.text} × {b.text}应为{fmt.num(r.value)}万元，与报告值不符；"
                                 "差额可能因部分对象未按标准发放，本句不能确定，请人工核对")
    return text_row(**common, check=_formula_text(rel), **result, source_cells="; ".join(cells.values()))


def _gap_between(v: dict[str, float]) -> float:
    return abs(v["a"] - v["b"])


_DIRECTION_WORD = re.compile("^(?:增加|减少|增长|下降|提高|降低|上升)了?")


def _formula_text(rel: Relation) -> str:
    o = rel.operands
    if rel.kind == "ratio":
        per = {"‰": " × 1000‰", "/10万": " × 10万"}.get(rel.result.printed.unit, " × 100%")
        return f"{o['part'].text} ÷ {o['base'].text}{per}"
    if rel.kind == "difference":
        return f"|{o['a'].text} − {o['b'].text}|"
    if rel.kind == "product":
        return f"{o['a'].text} × {o['b'].text}"
    if "delta" in o:
        d = _DIRECTION_WORD.sub("", o["delta"].text)
        if "base" in o:
            return f"{d} ÷ {o['base'].text} × 100%"
        if "now" in o:
            sign = "+" if (o["delta"].printed.direction or rel.result.printed.direction) < 0 else "−"
            return f"{d} ÷ ({o['now'].text} {sign} {d}) × 100%"
    if rel.kind == "sum":
        return " + ".join(p.text for p in rel.parts)
    if rel.result.kind == "percent" and o["now"].kind != "percent":
        return f"({o['now'].text} − {o['base'].text}) ÷ {o['base'].text} × 100%"
    return f"{o['now'].text} − {o['base'].text}"


def describe(rel: Relation) -> str:
    fig = rel.result
    subject = fig.subject or ""
    part = rel.operands.get("part") or rel.operands.get("now")
    subject = QUOTES.sub("", subject) or (part.describe() if part is not None else "")
    if rel.kind == "ratio" and not rel.pattern.source:  # a domain catalog's rate
        return rel.pattern.text
    if rel.kind == "ratio":
        base = rel.base_label or (rel.operands["base"].describe() if "base" in rel.operands
                                  else fig.qualifier or "基数")
        return f"{subject or '本句比例'}为{QUOTES.sub('', base)}的比例" if not rel.base_from_sum else (
            f"{subject}占合计的比例")
    if rel.kind == "change":
        base = QUOTES.sub("", rel.base_label) or fig.qualifier or "上年"
        return f"{subject or '本句'}较{base}增减"
    if rel.kind == "difference":
        return f"{rel.operands['a'].describe()}与{rel.operands['b'].describe()}的差值"
    if rel.kind == "product":
        return f"{rel.result.describe()} = 数量 × 标准"
    names = [p.describe() for p in rel.parts]
    return f"{rel.result.describe()} = {' + '.join(names)}"


def sentence_row(rel: Relation, settings) -> dict[str, Any] | None:
    """Recompute a relation from the operands its sentence prints, or say what is missing."""
    fig = rel.result
    common = {"ref": fig.id, "category": SENTENCE, "figure": describe(rel), "stated": fig.text,
              "location": fig.location, **said(rel.sentence, rel.sentence_at, fig)}
    formula: Callable[[dict[str, float]], float]
    if rel.kind == "sum":
        operands = {f"p{i}": p for i, p in enumerate(rel.parts)}
        formula = sum_of
    elif rel.kind == "ratio":
        operands = {k: rel.operands[k] for k in ("part", "base") if k in rel.operands}
        formula = _ratio_per(RATE_UNITS[fig.printed.unit]) if fig.printed.kind == "rate" else _ratio
    elif rel.kind == "difference":
        operands = {k: rel.operands[k] for k in ("a", "b")}
        formula = _gap_between
    elif rel.kind == "product":
        return _product_row(rel, common, settings)
    elif "delta" in rel.operands:
        delta = rel.operands["delta"]
        against = "base" if "base" in rel.operands else "now"
        operands = {"delta": delta, **({against: rel.operands[against]}
                                        if against in rel.operands else {})}
        # A change printed without its direction ("支出决算174,732.10元，增长176.55%") takes the
        # rate's; it is read as the change only if that reproduces the rate (below).
        sign = (delta.printed.direction or (1 if delta.printed.value >= 0 else -1)) if (
            delta.printed.direction) else (fig.printed.direction or 1)
        formula = _rate_of_change(against, sign)
    else:
        operands = {k: rel.operands[k] for k in ("now", "base") if k in rel.operands}
        rate = fig.kind == "percent" and fig.printed.suffix == "%" and any(
            o.kind != "percent" for o in operands.values())
        formula = _rate if rate else _difference
    needed = 2 if rel.kind != "sum" else len(operands)
    if len(operands) < needed:
        if not operands:
            return None
        missing = "、".join(
            {"part": "分子", "base": rel.base_label or "基数", "now": "本年数"}[k]
            for k in (("part", "base") if rel.kind == "ratio" else ("now", "base"))
            if k not in operands)
        if "delta" in operands:
            if not operands["delta"].printed.direction:
                return None
            missing = "增减前后的数值"
        if rel.kind == "change" and "base" not in operands:
            missing = f"{rel.base_label or fig.qualifier or '上年'}的数值"
        return text_row(**common, check="", verdict=UNVERIFIABLE,
                    explanation=f"本句未列出{missing}，不能由本句核对",
                    source_cells="; ".join(where(o) for o in operands.values()))
    converted = in_common_unit(operands)
    cells = {k: where(o) for k, o in operands.items()}
    places = {k: o.location for k, o in operands.items()}
    if converted is None:
        kinds = "、".join(f"“{o.text}”" for o in operands.values())
        return text_row(**common, check=_formula_text(rel), verdict=UNVERIFIABLE,
                    explanation=f"运算数{kinds}的单位不同，不能相互运算",
                    source_cells="; ".join(cells.values()))
    values, unit = converted
    values = _list_precision(operands, values)
    if rel.kind == "ratio" or formula is _rate or "delta" in operands:
        unit = fig.printed.unit if fig.printed.kind == "rate" else "%"
    r = recompute_printed(formula, values, unit, places)
    result = judge_row(fig.printed, r, _printed_tolerance(fig, unit, settings))
    result.pop("cells")
    if rel.kind == "sum":
        _sum_verdict(rel, result, r)
    for o in operands.values():
        if o.unit_from:  # a dropped unit: flagged, never silent
            result["explanation"] += f"；“{o.text}”未印单位，按本句“{o.unit_from}”的单位{o.unit}计"
    if "delta" in operands and not operands["delta"].printed.direction and result.get(
            "verdict") not in (CONSISTENT, ROUNDING):
        return None  # the figure before the rate may be the level, not the change: not certain
    if rel.inferred:
        if result.get("verdict") in (INCONSISTENT, UNEXPLAINED):
            # An operand found by name elsewhere may be another quantity of that name.
            return text_row(**common, check=_formula_text(rel), verdict=UNVERIFIABLE,
                        recomputed=result.get("recomputed", math.nan),
                        explanation=(f"本句未列出全部运算数：{rel.inferred}，据此重算为"
                                     f"{fmt.num(result.get('recomputed', math.nan))}{unit}，"
                                     "与报告值不符；该数是否即本句所指，不能由本句确定，请人工核对"),
                        source_cells="; ".join(cells.values()))
        result["explanation"] += f"（{rel.inferred}）"
    return text_row(**common, check=_formula_text(rel), **result,
                source_cells="; ".join(cells.values()))


def _list_precision(figs: dict[str, Figure], values: dict[str, PrintedValue]
                    ) -> dict[str, PrintedValue]:
    """Operands printed in one unit share the finest precision printed among them: a list
    "30万元…；30万元…；29.99万元" writes 30.00 as 30 (trailing zeros dropped), so 30 is no
    30 ± 0.5 that could hide a difference of 0.02 in the total."""
    finest: dict[str, int] = {}
    for k, f in figs.items():
        finest[f.printed.suffix] = max(finest.get(f.printed.suffix, 0), values[k].decimals)
    return {k: replace(v, decimals=finest[figs[k].printed.suffix]) for k, v in values.items()}


def _printed_tolerance(fig: Figure, unit: str, settings) -> float:
    """A figure recomputed from the figures its sentence prints is judged to its own printed
    precision: each operand's rounding is already in the recomputed range, so the settings'
    tolerance (0.50万元) applies only up to half the figure's last printed digit — 3.21
    against 3.12 is a digit swap, not a difference "within 0.50万元"."""
    tolerance = tolerance_for(unit, settings)
    try:
        half = fig.printed.in_unit(unit).half_unit
    except AuditParseError:
        return tolerance
    return min(tolerance, half)


def _decomposition(rel: Relation) -> tuple[bool, list[str]]:
    """Whether a sum's parts are known to be all of them, and the known parts it leaves out."""
    if rel.pattern.complete:
        return True, []
    total = cell_key(rel.result)
    if total is None:
        return False, []
    for c in SUM_CHECKS:
        if (c.sheet, c.total, c.column) != total:
            continue
        sheet = SHEET_BY_KEY[c.sheet]
        covered = set()
        for p in rel.parts:
            key = cell_key(p)
            if key is None or key[0] != c.sheet:
                continue
            covered.add(key[1])
            parent = sheet.item(key[1]).parent
            if parent:
                covered.add(parent)
        missing = [sheet.item(k).label for k in c.parts if k not in covered]
        return not missing, missing
    return False, []


def _sum_verdict(rel: Relation, result: dict[str, Any], r: Recomputed) -> None:
    """A shortfall of parts that may not be all of them is 未解释差额, as in the workbook audit."""
    if result.get("verdict") != INCONSISTENT:
        return
    complete, missing = _decomposition(rel)
    diff = result.get("difference", math.nan)
    if complete or not diff > 0:
        return
    names = "、".join(p.describe() for p in rel.parts)
    gap = (f"所列分项（{names}）合计{fmt.amount(r.value) if r.unit == '万元' else fmt.num(r.value)}"
           f"{'' if r.unit == '万元' else r.unit}，比{rel.result.describe()}“{rel.result.text}”少"
           f"{fmt.num(diff)}{r.unit}")
    why = (f"{'、'.join(missing)}未列出，差额未在文中说明" if missing
           else "文中未说明所列分项是否即全部分项，差额未在文中说明")
    result["verdict"], result["explanation"] = UNEXPLAINED, f"{gap}；{why}"


def cell_key(fig: Figure) -> tuple[str, str, str] | None:
    if fig.target is None:
        return None
    # Whether a 核对对象 is a cell does not depend on the indicators in use.
    spec = fig.spec or check_syntax(fig.target.check, indicators=())
    if spec.kind != "cell":
        return None
    sheet, item, column = spec.names
    return sheet, item, column
