"""The audit of figures read from a report's text: per sentence, across the text, against a workbook.

A relation whose operands are printed is recomputed from them
(:func:`perfkit.assess.recompute.recompute_printed`) and judged by
:func:`perfkit.assess.figures.judge`: the same verdicts, diagnoses and printed-precision rules as the
workbook audit. Figures mapped to workbook cells through the catalog's phrases are collected into a
text-only workbook, on which the finance cross-checks (:mod:`perfkit.assess.checks`) and the mapped
finance indicators are recomputed: "结转结余-595.92万元" against 收入 − 支出 stated in other
paragraphs, the "三公" parts listed in three paragraphs against their total. Given a workbook,
every mapped figure is also checked against the data (:func:`perfkit.assess.figures.audit_figure`).

Rules that keep the audit honest: a sentence-level check only uses figures the sentence prints; a
recomputation that would read the figure itself is 无法核对; a sum whose listed parts may not be
all of them ("其中") and falls short of its total is 未解释差额, as in the workbook audit, unless
the catalog knows the parts are complete.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd

from perfkit import config, fmt
from perfkit.assess.audit import with_tolerances
from perfkit.assess.checks import SUM_CHECKS
from perfkit.assess.checkspec import check_syntax, parse_check
from perfkit.assess.evaluation import Evaluation
from perfkit.assess.figures import (
    AUDIT_COLUMNS,
    audit_figure,
    blank_row,
    judge_row,
    rows_from_checks,
    tolerance_for,
)
from perfkit.assess.recompute import Recomputed, recompute, recompute_printed, sum_of
from perfkit.assess.reportfigures import QUOTES, Extraction, Figure, Relation
from perfkit.assess.reporttext import map_figures
from perfkit.atomic import write_bytes_atomic
from perfkit.data.params import load_settings, load_settings_file, settings_from_dict
from perfkit.data.printed import RATE_UNITS, AuditParseError, PrintedValue
from perfkit.data.reader import load_workbook
from perfkit.data.sheets import AMOUNT, NUMBER, SHEET_BY_KEY, SHEETS
from perfkit.data.template import write_cell
from perfkit.data.values import normalize_label
from perfkit.data.workbook import WorkbookData
from perfkit.errors import Problem, WorkbookError
from perfkit.indicators.base import safe_divide
from perfkit.rates import change_pct
from perfkit.verdicts import CONSISTENT, INCONSISTENT, ROUNDING, UNEXPLAINED, UNVERIFIABLE

log = logging.getLogger(__name__)


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


def _row(**kw: Any) -> dict[str, Any]:
    return blank_row(TEXT_AUDIT_COLUMNS, kw)


def quoted(sentence: str, at: int, length: int = 0) -> str:
    """``sentence`` as a row quotes it: whole up to :data:`SENTENCE_CHARS` characters, else the
    :data:`SENTENCE_CHARS` characters around ``sentence[at:at + length]`` with "…" at each cut."""
    if len(sentence) <= SENTENCE_CHARS:
        return sentence
    a = max(0, min(at - (SENTENCE_CHARS - length) // 2, len(sentence) - SENTENCE_CHARS))
    b = a + SENTENCE_CHARS
    return ("…" if a else "") + sentence[a:b] + ("…" if b < len(sentence) else "")


def _said(sentence: str, at: int, fig: Figure) -> dict[str, str]:
    """The row's sentence columns for ``fig`` standing at ``at`` in ``sentence``."""
    return {"sentence": quoted(sentence, at, fig.end - fig.start), SENTENCE_FULL: sentence}


def _said_by(fig: Figure) -> dict[str, str]:
    return _said(fig.sentence, fig.sentence_at, fig)


def _where(fig: Figure) -> str:
    return f"{fig.location}“{fig.text}”"


def _in_common_unit(figs: dict[str, Figure]) -> tuple[dict[str, PrintedValue], str] | None:
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
    cells = {"a": _where(a), "b": _where(b)}
    try:
        values = {"a": replace(a.printed, scale=1.0, unit=""), "b": b.printed.in_unit("万元")}
    except AuditParseError:
        return _row(**common, check=_formula_text(rel), verdict=UNVERIFIABLE,
                    explanation="运算数的单位不能换算", source_cells="; ".join(cells.values()))
    r = recompute_printed(_product, values, "万元", {k: o.location for k, o in rel.operands.items()})
    result = judge_row(fig.printed, r, _printed_tolerance(fig, "万元", settings))
    result.pop("cells")
    if result.get("verdict") == INCONSISTENT and "一万倍" not in result.get("explanation", ""):
        result["verdict"] = UNVERIFIABLE
        result["explanation"] = (f"按{a.text} × {b.text}应为{fmt.num(r.value)}万元，与报告值不符；"
                                 "差额可能因部分对象未按标准发放，本句不能确定，请人工核对")
    return _row(**common, check=_formula_text(rel), **result, source_cells="; ".join(cells.values()))


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


def _describe(rel: Relation) -> str:
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


def _sentence_row(rel: Relation, settings) -> dict[str, Any] | None:
    """Recompute a relation from the operands its sentence prints, or say what is missing."""
    fig = rel.result
    common = {"ref": fig.id, "category": SENTENCE, "figure": _describe(rel), "stated": fig.text,
              "location": fig.location, **_said(rel.sentence, rel.sentence_at, fig)}
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
        return _row(**common, check="", verdict=UNVERIFIABLE,
                    explanation=f"本句未列出{missing}，不能由本句核对",
                    source_cells="; ".join(_where(o) for o in operands.values()))
    converted = _in_common_unit(operands)
    cells = {k: _where(o) for k, o in operands.items()}
    places = {k: o.location for k, o in operands.items()}
    if converted is None:
        kinds = "、".join(f"“{o.text}”" for o in operands.values())
        return _row(**common, check=_formula_text(rel), verdict=UNVERIFIABLE,
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
            return _row(**common, check=_formula_text(rel), verdict=UNVERIFIABLE,
                        recomputed=result.get("recomputed", math.nan),
                        explanation=(f"本句未列出全部运算数：{rel.inferred}，据此重算为"
                                     f"{fmt.num(result.get('recomputed', math.nan))}{unit}，"
                                     "与报告值不符；该数是否即本句所指，不能由本句确定，请人工核对"),
                        source_cells="; ".join(cells.values()))
        result["explanation"] += f"（{rel.inferred}）"
    return _row(**common, check=_formula_text(rel), **result,
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
    total = _cell_key(rel.result)
    if total is None:
        return False, []
    for c in SUM_CHECKS:
        if (c.sheet, c.total, c.column) != total:
            continue
        sheet = SHEET_BY_KEY[c.sheet]
        covered = set()
        for p in rel.parts:
            key = _cell_key(p)
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


def _cell_key(fig: Figure) -> tuple[str, str, str] | None:
    if fig.target is None:
        return None
    # Whether a 核对对象 is a cell does not depend on the indicators in use.
    spec = fig.spec or check_syntax(fig.target.check, indicators=())
    if spec.kind != "cell":
        return None
    sheet, item, column = spec.names
    return sheet, item, column


def text_workbook(extraction: Extraction, year: int, name: str = "报告文字"):
    """A workbook holding the amounts the text states, each in the cell its phrase maps to.

    Cells the text does not state are empty and named “报告中未列出”; a cell stated twice keeps
    its first value (the second is judged against it). The row's 数据来源 quotes each printed
    figure, so printed precision applies as in a transcribed workbook.

    Returns:
        ``(WorkbookData, {cell key: figure}, [(first, later), …])``.
    """
    frames, cells = {}, {}
    for sheet in SHEETS:
        columns = [c.key for c in sheet.columns]
        index = [i.key for i in sheet.items] if sheet.layout != "records" else []
        frame = pd.DataFrame(index=index, columns=columns, dtype=object)
        for c in sheet.columns:
            if c.kind in (AMOUNT, NUMBER):
                frame[c.key] = frame[c.key].astype("float64")
        if sheet.items and "label" in frame.columns:
            frame["label"] = [i.label for i in sheet.items]
        frames[sheet.key] = frame
        for item in index:
            for c in sheet.columns:
                if c.kind == AMOUNT:
                    cells[(sheet.key, item, c.key)] = NOT_STATED
    stated: dict[tuple, Figure] = {}
    repeats = []
    deltas = {id(r.operands["delta"]) for r in extraction.relations if "delta" in r.operands}
    for fig in extraction.figures:
        key = _cell_key(fig)
        if key is None or fig.role != "value" or fig.printed.bound or id(fig) in deltas:
            continue
        if key in stated:
            repeats.append((stated[key], fig))
            continue
        stated[key] = fig
        frame = frames[key[0]]
        frame.at[key[1], key[2]] = fig.printed.in_unit("万元").value
        if "source" in frame.columns:
            before = frame.at[key[1], "source"]
            quote = f"{fig.location}“{fig.text}”"
            frame.at[key[1], "source"] = f"{before}；{quote}" if isinstance(before, str) else quote
        cells[key] = _where(fig)
    info = {"department_name": "", "year": year, "unit": "万元"}
    frames["info"].loc[:, "value"] = None
    frames["info"].at["year", "value"] = year
    data = WorkbookData(path=Path(name), sha256="", info=info, frames=frames, cells=cells)
    return data, stated, repeats


#: The cell each finance cross-check's printed figure stands in (perfkit.assess.checks).
def _internal_totals() -> dict[str, tuple[str, str, str]]:
    out = {c.id: (c.sheet, c.total, c.column) for c in SUM_CHECKS}
    out.update({"carryover_current": ("balance", "current", "amount"),
                "carryover_identity": ("balance", "closing", "amount")})
    return out


def _document_rows(extraction: Extraction, settings, judged: set[int]) -> list[dict[str, Any]]:
    """Checks across sentences, on the text-only workbook."""
    year = _year_of(extraction) or settings.year
    data, stated, repeats = text_workbook(extraction, year)
    ev = Evaluation(data, settings, extraction.project)
    rows = []
    for first, later in repeats:
        r = recompute_printed(lambda v: v["x"], {"x": first.printed.in_unit("万元")}, "万元",
                              {"x": _where(first)})
        result = judge_row(later.printed, r, 0.0)  # the same quantity: no tolerance
        result.pop("cells")
        result["explanation"] = f"同一数值前文为“{first.text}”（{first.location}）；" + result[
            "explanation"]
        rows.append(_row(ref=later.id, category=DOCUMENT, figure=f"{later.describe()}（前后两处）",
                         check=later.check, stated=later.text, location=later.location,
                         **_said_by(later), source_cells=_where(first), **result))
    for fig in extraction.figures:
        if id(fig) in judged or not _document_check(fig, extraction):
            continue
        common = {"ref": fig.id, "category": DOCUMENT, "figure": _figure_name(fig, extraction),
                  "check": fig.check, "stated": fig.text, "location": fig.location,
                  **_said_by(fig)}
        mismatch = _basis_mismatch(fig, settings)
        if mismatch:
            rows.append(_row(**common, verdict=UNVERIFIABLE, explanation=mismatch))
            continue
        r = recompute(ev, parse_check(fig.check, data, extraction.registry.indicators))
        own = _where(fig)
        if own in r.cells:
            rows.append(_row(**common, verdict=UNVERIFIABLE, source_cells="; ".join(r.cells),
                             explanation="该指标的计算用到了这一报告值本身，不能用来核对它"))
            continue
        result = judge_row(fig.printed, r, tolerance_for(r.unit, settings))
        cells = [c for c in result.pop("cells") if c != NOT_STATED]
        rows.append(_row(**common, **result, source_cells="; ".join(cells)))
    totals = _internal_totals()
    sum_totals = {id(r.result) for r in extraction.relations if r.kind == "sum"}
    for row in rows_from_checks(ev.checks):
        fig = stated.get(totals.get(row["ref"], ()))
        if fig is None or id(fig) in sum_totals or math.isnan(row["stated_value"]):
            continue
        # perfkit.assess.checks speaks of a workbook ("表列", "未提供"); here the figures are printed.
        note = (str(row["explanation"]).replace("表列", "报告所列").replace("已提供分项", "报告所列分项")
                .replace("未提供", "未在报告中列出"))
        row = {**_row(), **row, "category": DOCUMENT, "stated": fig.text, "explanation": note,
               "location": fig.location, **_said_by(fig),
               "source_cells": "; ".join(c for c in str(row["source_cells"]).split("; ")
                                         if c != NOT_STATED)}
        rows.append(row)
    return rows


def _document_check(fig: Figure, extraction: Extraction) -> bool:
    """Whether the text-only workbook can recompute a figure: a mapped finance indicator."""
    if fig.target is None:
        return False
    spec = fig.spec or extraction.spec(fig.check)
    return spec.kind == "indicator" and extraction.registry.get(spec.names[0]).domain == "finance"


def _year_of(extraction: Extraction) -> int | None:
    years: Counter[int] = Counter()
    for text, _ in extraction.paragraphs[:20]:
        years.update(int(y) for y in re.findall(r"(20\d\d)年度", text))
    return years.most_common(1)[0][0] if years else None


def _basis_mismatch(fig: Figure, settings) -> str:
    basis = fig.target.budget_basis if fig.target else ""
    if not basis or basis == settings.budget_basis:
        return ""
    said = "年初预算" if basis == "initial" else "调整预算"
    return (f"报告按“{said}”计算，而运行设置的预算口径为“{settings.budget_label_zh}”"
            f"（budget_basis: {settings.budget_basis}），口径不同，未核对")


def _figure_name(fig: Figure, extraction: Extraction) -> str:
    rel = extraction.relation_of(fig)
    return _describe(rel) if rel is not None and rel.kind != "sum" else fig.describe()


def _workbook_rows(extraction: Extraction, ev) -> list[dict[str, Any]]:
    """Every mapped figure against the workbook, as the 报告数值 audit checks it."""
    rows = []
    for fig in extraction.figures:
        if fig.target is None:
            continue
        common = {"ref": fig.id, "category": WORKBOOK, "figure": _figure_name(fig, extraction),
                  "check": fig.check, "stated": fig.text, "location": fig.location,
                  **_said_by(fig)}
        mismatch = _basis_mismatch(fig, ev.settings)
        if mismatch:
            rows.append(_row(**common, verdict=UNVERIFIABLE, explanation=mismatch))
            continue
        result = audit_figure(ev, fig.check, fig.printed)
        cells = result.pop("cells")
        rows.append(_row(**common, **result, source_cells="; ".join(cells)))
    return rows


def audit_text(extraction: Extraction, settings, ev=None) -> pd.DataFrame:
    """Judge every figure the text lets perfkit check.

    Args:
        extraction: what :func:`extract` read.
        settings: run settings (tolerances, budget basis).
        ev: the department's workbook, when one is given (adds 对照工作簿 rows).

    Returns:
        Tidy frame with :data:`TEXT_AUDIT_COLUMNS` and :data:`SENTENCE_FULL`, rows of 本句核对,
        全文核对 and 对照工作簿 in document order within each category.
    """
    map_figures(extraction)
    rows, judged = [], set()
    for rel in extraction.relations:
        row = _sentence_row(rel, settings)
        if row is None:
            continue
        if row["verdict"] == UNVERIFIABLE and _document_check(rel.result, extraction):
            continue  # operands elsewhere: the 全文核对 row says what can be said
        rows.append(row)
        judged.add(id(rel.result))
    rows += _document_rows(extraction, settings, judged)
    if ev is not None:
        against = _workbook_rows(extraction, ev)
        # A figure the workbook verifies has that verdict; the text alone not stating its
        # operands (全文核对 无法核对) is then no finding about it.
        verified = {r["ref"] for r in against if r["verdict"] != UNVERIFIABLE}
        rows = [r for r in rows if not (r["category"] == DOCUMENT and r["ref"] in verified
                                        and r["verdict"] == UNVERIFIABLE)]
        rows += against
    order = {f.id: i for i, f in enumerate(extraction.figures)}
    first_at: dict[str, int] = {}  # location → its first figure's place
    for i, f in enumerate(extraction.figures):
        first_at.setdefault(f.location, i)
    frame = pd.DataFrame(rows, columns=[*TEXT_AUDIT_COLUMNS, SENTENCE_FULL])
    if frame.empty:
        return frame
    frame["_c"] = frame["category"].map(TEXT_CATEGORIES.index)
    frame["_o"] = [order.get(ref, first_at.get(loc, 0))
                   for ref, loc in zip(frame["ref"], frame["location"], strict=True)]
    return frame.sort_values(["_c", "_o"], kind="stable").drop(columns=["_c", "_o"]).reset_index(
        drop=True)


def text_settings(extraction: Extraction, params_file: str | Path = "",
                  tolerance_pp: float | None = None, tolerance_wan_yuan: float | None = None):
    """Run settings for auditing a report without a workbook: defaults, a settings file, and
    tolerance overrides (the department code is ``audit``).

    The year is the one the report states ("2019年度"), else the previous calendar year (the year
    a self-evaluation reports on); it only dates the text-only workbook, no check depends on it.

    Raises:
        ParamsError: a bad settings file or a negative tolerance.
    """
    year = _year_of(extraction) or dt.date.today().year - 1
    if params_file:
        settings = load_settings_file(params_file, "audit", year)
    elif not (extraction.project.root / config.MARKER).is_file():
        # A report audited outside any project (a bureau's own folder): the defaults.
        settings = settings_from_dict({"department": "audit", "year": year})
    else:
        settings = load_settings("audit", year, project=extraction.project)
    return with_tolerances(settings, tolerance_pp, tolerance_wan_yuan)


def stated_rows(extraction: Extraction) -> list[dict[str, Any]]:
    """The 报告数值 rows proposed for a report: every figure mapped to a 核对对象, and every
    ratio, change or total the text states with an operand (核对对象 left empty for a person
    to fill); a bare percentage nothing maps ("仅占50%") is left out."""
    map_figures(extraction)
    results = {id(r.result) for r in extraction.relations if r.operands or r.parts}
    rows = []
    for fig in extraction.figures:
        if fig.target is None and id(fig) not in results:
            continue
        rows.append({"ref": fig.id, "statement": _figure_name(fig, extraction),
                     "check": fig.check, "stated": fig.text, "location": fig.location})
    return rows


def write_stated_sheet(workbook: str | Path, extraction: Extraction) -> tuple[Path, int]:
    """Write the proposed 报告数值 rows into a copy of ``workbook``: ``<name>-报告数值.xlsx``.

    The workbook itself is never changed. Refused when its 报告数值 sheet already has rows (a
    person's rows would be lost if the copy replaced it) or when the copy exists. Formulas are
    copied as the values Excel last saved for them (perfkit reads those values anyway).

    Returns:
        ``(copy, number of rows written)``.

    Raises:
        WorkbookError: the sheet has rows, or the copy exists (the message says what to do).
    """
    workbook = Path(workbook)
    sheet = SHEET_BY_KEY["stated"]
    existing = load_workbook(workbook).frames.get("stated")
    if existing is not None and not existing.empty:
        raise WorkbookError([Problem(
            str(workbook), sheet.name, "", f"已有{len(existing)}行数值",
            "空的“报告数值”表（--write-sheet 不改动已有的行）",
            "先核对现有的行（perfkit audit 工作簿），或把这些行移走后再运行 --write-sheet")])
    copy = workbook.with_name(f"{workbook.stem}-报告数值{workbook.suffix}")
    if copy.exists():
        raise WorkbookError([Problem(str(copy), "", "", "文件已存在", "一个尚不存在的文件",
                                     "把已有的副本改名或删除后重试（perfkit 不覆盖文件）")])
    book = openpyxl.load_workbook(workbook)
    if any(c.data_type == "f" for ws in book.worksheets for row in ws.iter_rows() for c in row):
        book = openpyxl.load_workbook(workbook, data_only=True)
    ws = book[sheet.name] if sheet.name in book.sheetnames else None
    if ws is None:
        ws = book.create_sheet(sheet.name)
        for j, c in enumerate(sheet.columns, 1):
            write_cell(ws, 1, j, c.header)
    header_row, columns = 1, dict[str, int | None]()
    for r in range(1, min(ws.max_row, 10) + 1):
        found = {normalize_label(ws.cell(row=r, column=j).value): j
                 for j in range(1, ws.max_column + 1) if ws.cell(row=r, column=j).value}
        if all(normalize_label(c.header) in found for c in sheet.columns if c.required):
            header_row = r
            columns = {c.key: found.get(normalize_label(c.header)) for c in sheet.columns}
            break
    if not columns:
        columns = {c.key: j for j, c in enumerate(sheet.columns, 1)}
    rows = stated_rows(extraction)
    for i, rec in enumerate(rows, header_row + 1):
        for key, col in columns.items():
            if col:
                write_cell(ws, i, col, rec.get(key) or None)  # a sentence stays text
    buf = io.BytesIO()
    book.save(buf)
    write_bytes_atomic(copy, buf.getvalue())
    return copy, len(rows)


__all__ = ["DOCUMENT", "SENTENCE", "SENTENCE_CHARS", "SENTENCE_FULL", "TEXT_AUDIT_COLUMNS", "WORKBOOK",
           "audit_text", "quoted", "text_settings",
           "text_workbook", "write_stated_sheet"]
