"""Figures a report states in its sentences: extraction by the report catalog, and their audit.

The input is paragraphs as ``(text, location)`` pairs — from a file (:mod:`perfkit.assess.reportfile`)
or from anywhere else that holds a report's words — so the same extractor reads a submitted
.docx and a department's own paragraphs.

1. **Figures.** Every number printed with a unit of the catalog (万元, %, 人次 …) is a figure,
   parsed by :func:`perfkit.data.printed.parse_printed` (so "4.04亿元" is 40400 万元 ± 50 and
   "93.96%以上" a bound). Its *label* is the clause before it; the catalog's subject phrases
   name the quantity (决算收入, “三公”经费 …, the one ending closest to the number), its
   qualifier phrases the variant (年初预算, 上年 …). A figure without a subject takes the
   subject of the figure before it in the same sentence ("上年数为23.95万元").
2. **Relations.** The catalog's sentence patterns find ratios (A为B的X%), changes (较上年增加C)
   and sums (合计S，其中a、b、c), each with the operands the sentence prints.
3. **Audit.** A relation whose operands are printed is recomputed from them
   (:func:`perfkit.assess.audit.recompute_printed`) and judged by :func:`perfkit.assess.audit.judge`: the
   same verdicts, diagnoses and printed-precision rules as the workbook audit (category
   本句核对). Figures mapped to workbook cells through the catalog's phrases are collected into
   a text-only workbook, on which the finance cross-checks (:mod:`perfkit.assess.checks`) and the mapped
   finance indicators are recomputed (全文核对): "结转结余-595.92万元" against 收入 − 支出 stated
   in other paragraphs, the "三公" parts listed in three paragraphs against their total. Given a
   workbook, every mapped figure is also checked against the data
   (:func:`perfkit.assess.audit.audit_figure`, 对照工作簿).

Rules that keep the audit honest: a sentence-level check only uses figures the sentence
prints; a recomputation that would read the figure itself is 无法核对; a sum whose listed
parts may not be all of them ("其中") and falls short of its total is 未解释差额, as in the
workbook audit, unless the catalog knows the parts are complete.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from perfkit import fmt
from perfkit.assess.checks import INCONSISTENT, UNEXPLAINED, UNVERIFIABLE
from perfkit.assess.figures import (
    AUDIT_COLUMNS,
    Recomputed,
    blank_row,
    check_syntax,
    judge_row,
    recompute_printed,
    sum_of,
    tolerance_for,
)
from perfkit.assess.reportcatalog import (
    CLOSE,
    OPEN,
    SENTENCE_END,
    Catalog,
    Pattern,
    PhraseEntry,
    Target,
    catalog_files,
    read_catalog,
)
from perfkit.data.printed import AuditParseError, PrintedValue, parse_printed
from perfkit.errors import CatalogError, Problem, WorkbookError

log = logging.getLogger(__name__)

#: Categories of text-audit rows.
SENTENCE = "本句核对"
DOCUMENT = "全文核对"
WORKBOOK = "对照工作簿"
TEXT_CATEGORIES = (SENTENCE, DOCUMENT, WORKBOOK)
#: Columns of ``perfkit audit --report --out``: the workbook audit's, plus the sentence.
TEXT_AUDIT_COLUMNS = [*AUDIT_COLUMNS, "sentence"]
#: How a cell the report does not state is named in explanations.
NOT_STATED = "报告中未列出"

# One character for one: locations in the folded text are locations in the original.
_FOLD = str.maketrans({
    **{chr(0xFF10 + i): str(i) for i in range(10)},
    "％": "%", "．": ".", "＋": "+", "－": "-", "\u2212": "-", "\u2013": "-", "\u3000": " ",
    OPEN: "〈", CLOSE: "〉",
})
_CLAUSE_END = set("，,。；;：:、！？!?")
_QUOTES = re.compile(r"[“”‘’\"'「」『』《》〈〉\s]")


# ---------------------------------------------------------------------------------------------
# Catalog
# ---------------------------------------------------------------------------------------------


def load_catalog(extra: Iterable[str | Path] = ()) -> Catalog:
    """The report catalog: the package's files, ``params/report_catalog/``, then ``extra``.

    Each pattern must read its own ``example`` sentence; a pattern that does not is refused
    with the file and id named.

    Raises:
        CatalogError: a file or an entry cannot be used.
    """
    catalog = read_catalog(catalog_files(list(extra)))
    for pattern in catalog.patterns:
        found = extract([(pattern.example, "example")], catalog, only=pattern)
        if not any(r.pattern is pattern for r in found.relations):
            raise CatalogError(f"{pattern.file}：patterns（id: {pattern.id}）的 example："
                               f"正则表达式没有从示例“{pattern.example}”中读出 {pattern.kind} 关系；"
                               "请改正 regex 或 example")
    return catalog


def _fold_label(text: str) -> str:
    return _QUOTES.sub("", unicodedata.normalize("NFKC", text))


# ---------------------------------------------------------------------------------------------
# Extraction
# ---------------------------------------------------------------------------------------------


@dataclass
class Figure:
    """One figure as the report prints it, where, and what it is about.

    ``text`` is the printed figure ("133.49%"; a change with its direction word, "增加16.69万元");
    ``role`` is ``value``, or ``ratio`` / ``change`` when a pattern reads it as one; ``target``
    the catalog's 核对对象 for it (None when unmapped).
    """

    id: str
    paragraph: int
    start: int
    end: int
    text: str
    printed: PrintedValue
    kind: str
    unit: str
    label: str
    location: str
    sentence: str
    after: str = ""  # the clause after the figure ("56名教师受到行政处理" → 教师受到行政处理)
    subject: str = ""
    entry: PhraseEntry | None = None
    inherited: bool = False
    qualifier: str = ""
    role: str = "value"
    target: Target | None = None

    @property
    def check(self) -> str:
        return self.target.check if self.target else ""

    def describe(self) -> str:
        """A short Chinese name of the figure: its quantity and qualifier, else its clause."""
        label = re.split(r"其中|[（(]", self.label)[-1].strip("，,。：:；;、 ")
        name = _QUOTES.sub("", self.subject) or label or self.after or self.text
        return f"{name}（{self.qualifier}）" if self.qualifier and self.role == "value" else name


@dataclass
class Relation:
    """A ratio, change or sum a sentence states, with the operands it prints."""

    kind: str
    pattern: Pattern
    result: Figure
    operands: dict[str, Figure] = field(default_factory=dict)  # part/base or now/base
    parts: list[Figure] = field(default_factory=list)
    base_label: str = ""
    sentence: str = ""
    base_from_sum: bool = False


@dataclass
class Extraction:
    """Everything read from a report: figures in document order and the relations among them."""

    figures: list[Figure]
    relations: list[Relation]
    paragraphs: list[tuple[str, str]]
    catalog: Catalog

    def relation_of(self, figure: Figure) -> Relation | None:
        return next((r for r in self.relations if r.result is figure), None)

    def counts(self) -> dict[str, int]:
        """Figures by kind and relations by kind (for the command line's summary)."""
        out = Counter(f.kind for f in self.figures)
        out.update(f"relation_{r.kind}" for r in self.relations)
        return dict(out)


def _token_regex(catalog: Catalog) -> re.Pattern:
    units = sorted((u for us in catalog.units.values() for u in us), key=len, reverse=True)
    return re.compile(
        r"(?<![0-9A-Za-z.\-+])(?:约|近|超过|逾)?(?:[-+](?=\d))?"
        r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
        r"\s?(?:万亿|亿|万|千)?(?:余|多)?\s?(?P<unit>" + "|".join(map(re.escape, units)) + ")"
        r"(?:以上|以内|以下|左右)?")


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    a = max((text.rfind(c, 0, start) for c in SENTENCE_END), default=-1) + 1
    ends = [i for i in (text.find(c, max(end, a)) for c in SENTENCE_END) if i >= 0]
    b = min(ends) + 1 if ends else len(text)
    return a, b


class _Paragraph:
    """One paragraph: its folded text, figures, and the skeleton the patterns run on."""

    def __init__(self, index: int, raw: str, location: str, catalog: Catalog, token_re,
                 figures: list[Figure]):
        self.index, self.raw, self.location = index, raw, location
        self.text = raw.translate(_FOLD)
        self.figures: list[Figure] = []
        pieces: list[str] = []
        self.sk_pos: list[int] = []
        last = 0
        for m in token_re.finditer(self.text):
            kind = catalog.unit_kind(m.group("unit"))
            try:
                printed = parse_printed(m.group(0))
            except AuditParseError:
                continue
            start, end = m.span()
            a, b = _sentence_bounds(self.text, start, end)
            fig = Figure(id=f"T{len(figures) + 1}", paragraph=index, start=start, end=end,
                         text=raw[start:end].strip(), printed=printed, kind=kind,
                         unit=m.group("unit"), label="", location=location,
                         sentence=raw[a:b].strip())
            figures.append(fig)
            self.figures.append(fig)
            gap = self.text[last:start]
            token = f"{OPEN}{'APC'[('amount', 'percent', 'count').index(kind)]}:{len(figures) - 1}{CLOSE}"
            self._piece(pieces, gap, last)
            self._piece(pieces, token, start, fixed=True)
            last = end
        self._piece(pieces, self.text[last:], last)
        self.sk_pos.append(len(self.text))
        self.skeleton = "".join(pieces)

    def _piece(self, pieces: list[str], s: str, origin: int, fixed: bool = False) -> None:
        pieces.append(s)
        self.sk_pos.extend([origin] * len(s) if fixed else range(origin, origin + len(s)))

    def sentence(self, sk_start: int, sk_end: int) -> str:
        """The sentence(s) spanned by a match in the skeleton, as printed."""
        start, end = self.sk_pos[sk_start], self.sk_pos[min(sk_end, len(self.sk_pos) - 1)]
        a, b = _sentence_bounds(self.text, start, max(start, end - 1) + 1)
        return self.raw[a:b].strip()

    def after_of(self, fig: Figure) -> str:
        """The words after a figure up to the next clause end, figure or bracket."""
        m = re.match(r"[^，,。；;：:、！？!?（(）)" + OPEN + "]*", self.text[fig.end:])
        words = m.group(0) if m else ""
        nxt = next((o.start for o in self.figures if o.start >= fig.end), None)
        if nxt is not None:
            words = words[:max(0, nxt - fig.end)]
        return words.strip()

    def label_of(self, fig: Figure) -> str:
        """The clause before a figure, other figures removed; a bracket still open before the
        figure starts a new context ("56名教师受到行政处理（其中违规补课30人")."""
        start = max((i for i in range(fig.start) if self.text[i] in _CLAUSE_END), default=-1) + 1
        depth = 0
        for i in range(fig.start - 1, start - 1, -1):
            if self.text[i] in "）)":
                depth += 1
            elif self.text[i] in "（(":
                if depth == 0:
                    start = i + 1
                    break
                depth -= 1
        chunks, pos = [], start
        for other in self.figures:
            if other.end <= start or other.start >= fig.start:
                continue
            chunks.append(self.text[pos:other.start])
            pos = other.end
        chunks.append(self.text[pos:fig.start])
        return "".join(chunks)


def _find_phrase(label: str, phrases: dict[str, Any], blank: tuple[int, int] | None = None):
    """The phrase naming what ``label`` is about: (phrase, start, end), or None.

    The last group of overlapping phrase occurrences is the one nearest the number ("决算收入总额
    中事业收入" is about 事业收入); within it the phrase starting first, longest on a tie, since
    a Chinese modifier comes first ("“三公”经费支出合计" is about 三公经费, not 支出合计).
    """
    text = label if blank is None else label[:blank[0]] + " " * (blank[1] - blank[0]) + label[blank[1]:]
    hits = []
    for phrase in phrases:
        key = _fold_label(phrase)
        i = text.rfind(key) if key else -1
        if i >= 0:
            hits.append((i, i + len(key), phrase))
    if not hits:
        return None
    hits.sort(key=lambda h: (h[1], h[1] - h[0]))
    group = [hits[-1]]
    for h in reversed(hits[:-1]):
        if h[1] > min(g[0] for g in group):
            group.append(h)
    start, end, phrase = min(group, key=lambda h: (h[0], -(h[1] - h[0])))
    return phrase, start, end


_NUMBERING = re.compile(r"\d{4}年度?|[(（]\d+[)）]|\d+[.、]|[一二三四五六七八九十]+是|[\W\d_]")


def _name(fig: Figure, label: str, catalog: Catalog) -> None:
    """Set a figure's subject, entry and qualifier from its label, and whether it may inherit."""
    folded = _fold_label(label)
    fig.label = label
    hit = _find_phrase(folded, catalog.subjects)
    if hit and catalog.subjects[hit[0]] is not None:
        fig.subject, fig.entry = hit[0], catalog.subjects[hit[0]]
    q = _find_phrase(folded, catalog.qualifiers, (hit[1], hit[2]) if hit else None)
    fig.qualifier = catalog.qualifiers[q[0]] if q else ""
    # Only a label that names nothing else may take the subject of the figure before it.
    fig.inherited = not hit and _only_fillers(folded, catalog)


def _only_fillers(folded: str, catalog: Catalog) -> bool:
    rest = folded
    for phrase in sorted([*catalog.qualifiers, *catalog.fillers], key=len, reverse=True):
        rest = rest.replace(_fold_label(phrase), "")
    return not _NUMBERING.sub("", rest)


def extract(paragraphs: Iterable[tuple[str, str]], catalog: Catalog | None = None, *,
            only: Pattern | None = None) -> Extraction:
    """Read every figure and every ratio, change and sum stated in ``paragraphs``.

    Args:
        paragraphs: ``(text, location)`` pairs in document order, e.g. ``("2019年度部门决算收入
            24192.45万元，为年初预算18122.94万元的133.49%。", "第5段")``.
        catalog: the report catalog; the default is :func:`load_catalog`.
        only: use this pattern alone (to test a catalog's example).

    Returns:
        The :class:`Extraction`: figures numbered T1, T2 … in document order.
    """
    catalog = catalog or load_catalog()
    paragraphs = [(str(t), str(loc)) for t, loc in paragraphs]
    token_re = _token_regex(catalog)
    figures: list[Figure] = []
    paras = [_Paragraph(i, t, loc, catalog, token_re, figures)
             for i, (t, loc) in enumerate(paragraphs)]
    for para in paras:
        for fig in para.figures:
            _name(fig, para.label_of(fig), catalog)
            fig.after = para.after_of(fig)
    patterns = [only] if only else catalog.patterns
    relations: list[Relation] = []
    for para in paras:
        if not para.figures:
            continue
        for pattern in (p for p in patterns if p.kind in ("ratio", "change")):
            relations += _match_relations(para, pattern, figures, relations, catalog)
        for pattern in (p for p in patterns if p.kind == "sum"):
            relations += _match_sums(para, pattern, figures, relations, catalog)
    _bases_from_sums(relations)
    for para in paras:
        _inherit(para, catalog)
    for rel in relations:
        _name_result(rel, catalog)
    return Extraction(figures, relations, paragraphs, catalog)


def _inherit(para: _Paragraph, catalog: Catalog) -> None:
    """Name the figures whose label names no quantity.

    A label of qualifiers and fillers only (上年数为…, 为年初预算…), or a ratio's or change's,
    means the quantity named last before it in its clause group (sentence, up to a "；"). A
    count is usually followed by its noun ("56名教师受到行政处理", "1000余所学校开展了应急演练"):
    the words after it are read first; for other figures only when nothing was inherited.
    """
    previous: Figure | None = None
    for fig in para.figures:
        if previous is not None and (previous.sentence != fig.sentence or any(
                c in para.text[previous.end:fig.start] for c in "；;")):
            previous = None
        # "28人受到警告…" names its own (unknown) noun after it: it inherits nothing.
        may = (fig.inherited and _only_fillers(_fold_label(fig.after), catalog)) or (
            fig.role != "value" and not fig.subject)
        fig.inherited = False
        if not fig.subject and fig.kind == "count" and fig.role == "value":
            _name_from_after(fig, catalog)
        if not fig.subject and may and previous is not None:
            fig.subject, fig.entry, fig.inherited = previous.subject, previous.entry, True
        if not fig.subject and fig.role == "value":
            _name_from_after(fig, catalog)
        if fig.subject:
            previous = fig


def _name_from_after(fig: Figure, catalog: Catalog) -> None:
    hit = _find_phrase(_fold_label(fig.after), catalog.subjects)
    if hit and catalog.subjects[hit[0]] is not None:
        fig.subject, fig.entry = hit[0], catalog.subjects[hit[0]]


def _group_figure(m: re.Match, name: str, figures: list[Figure]) -> Figure | None:
    if name not in m.re.groupindex or m.group(name) is None:
        return None
    return figures[int(m.group(name))]


def _taken(relations: list[Relation], fig: Figure, kinds=("ratio", "change")) -> bool:
    return any(r.result is fig and r.kind in kinds for r in relations)


def _match_relations(para, pattern, figures, relations, catalog) -> list[Relation]:
    out: list[Relation] = []
    result_role = "result" if pattern.kind == "ratio" else "change"
    for m in pattern.regex.finditer(para.skeleton):
        result = _group_figure(m, result_role, figures)
        if result is None or _taken(relations + out, result, ("ratio", "change", "sum")):
            continue
        operands = {}
        for role in (("part", "base") if pattern.kind == "ratio" else ("now", "base")):
            fig = _group_figure(m, role, figures)
            if fig is not None and fig is not result:
                operands[role] = fig
        base_label = (m.group("base_label") or "") if "base_label" in m.re.groupindex else ""
        base_label = base_label.strip().removesuffix("的").strip()
        if pattern.kind == "change":
            direction = m.group("direction")
            try:
                result.printed = parse_printed(direction + result.text)
            except AuditParseError:
                continue
            result.text = direction + result.text
            _drop_incompatible_change(operands, result)
            base = operands.get("base")
            if base is not None and not base.qualifier and pattern.base_qualifier:
                base.qualifier = pattern.base_qualifier
        result.role = pattern.kind
        out.append(Relation(pattern.kind, pattern, result, operands, [], base_label,
                            para.sentence(*m.span()), False))
    return out


def _drop_incompatible_change(operands: dict[str, Figure], change: Figure) -> None:
    """Keep now/base only when they can give the printed change (same kind, or a rate)."""
    for role, fig in list(operands.items()):
        same = fig.kind == change.kind and (fig.kind != "count" or fig.unit == change.unit)
        rate = change.kind == "percent" and change.printed.suffix == "%" and fig.kind != "percent"
        if not (same or rate):
            del operands[role]


def _match_sums(para, pattern, figures, relations, catalog) -> list[Relation]:
    out: list[Relation] = []
    claimed = {id(r.result) for r in relations if r.kind in ("ratio", "change")}
    bases = {id(r.operands["base"]) for r in relations if "base" in r.operands}
    for m in pattern.regex.finditer(para.skeleton):
        total = _group_figure(m, "total", figures)
        if total is None or id(total) in claimed or any(
                r.result is total for r in relations + out if r.kind == "sum"):
            continue
        start, end = m.span("parts")
        parts = []
        for t in re.finditer(f"{OPEN}[APC]:(\\d+){CLOSE}", para.skeleton[start:end]):
            fig = figures[int(t.group(1))]
            if (fig is total or fig.kind != total.kind or id(fig) in claimed or id(fig) in bases
                    or (fig.kind == "count" and not catalog.same_count_family(
                        fig.printed.unit, total.printed.unit))):
                continue
            parts.append(fig)
        if len(parts) < 2:
            continue
        out.append(Relation("sum", pattern, total, {}, parts, "", para.sentence(*m.span()),
                            False))
    return out


def _bases_from_sums(relations: list[Relation]) -> None:
    """"其中：A 1102.55万元，占73.58%": a share without a base is a share of the list's total."""
    for rel in relations:
        if (rel.kind != "ratio" or not rel.pattern.base_from_sum or "base" in rel.operands
                or rel.base_label or "part" not in rel.operands):
            continue
        part = rel.operands["part"]
        whole = next((s for s in relations if s.kind == "sum" and part in s.parts), None)
        if whole is not None:
            rel.operands["base"] = whole.result
            rel.base_from_sum = True


def _name_result(rel: Relation, catalog: Catalog) -> None:
    """A ratio's qualifier comes from what it divides by (its base label or base figure)."""
    if rel.kind != "ratio":
        return
    fig = rel.result
    base = rel.operands.get("base")
    if rel.base_label:
        q = _find_phrase(_fold_label(rel.base_label), catalog.qualifiers)
        if q:
            fig.qualifier = catalog.qualifiers[q[0]]
    elif base is not None and base.qualifier:
        fig.qualifier = base.qualifier


# ---------------------------------------------------------------------------------------------
# Mapping figures to 核对对象
# ---------------------------------------------------------------------------------------------


def _base_entry(rel: Relation | None, catalog: Catalog) -> PhraseEntry | None:
    if rel is None:
        return None
    base = rel.operands.get("base")
    if base is not None and base.entry is not None and not base.inherited:
        return base.entry
    if rel.base_label:
        hit = _find_phrase(_fold_label(rel.base_label), catalog.subjects)
        if hit:
            return catalog.subjects[hit[0]]
    return None


def map_figure(fig: Figure, extraction: Extraction) -> Target | None:
    """The 核对对象 the catalog gives a figure (None when it has none or units do not fit)."""
    entry = fig.entry
    if entry is None:
        return None
    target = None
    if fig.role == "value":
        target = entry.qualified.get(fig.qualifier) if fig.qualifier else entry.value
    elif fig.role == "ratio":
        base_entry = _base_entry(extraction.relation_of(fig), extraction.catalog)
        by_subject = next((t for k, t in entry.ratio.items() if base_entry is not None
                           and extraction.catalog.subjects.get(k) is base_entry), None)
        target = by_subject or entry.ratio.get(fig.qualifier) or entry.ratio.get("")
    elif fig.role == "change":
        target = entry.change.get(fig.kind)
    if target is None or not _fits(fig, target.check):
        return None
    return target


def _fits(fig: Figure, check: str) -> bool:
    """Whether a figure of this kind can be compared with what the 核对对象 computes."""
    from perfkit.indicators import REGISTRY, load_all

    spec = check_syntax(check)
    if spec.kind in ("cell", "sum_aid"):
        return fig.kind == "amount"
    if spec.kind == "indicator":
        load_all()
        unit = REGISTRY[spec.names[0]].unit
        kind = "percent" if unit == "%" else "amount" if unit in ("万元", "元", "亿元") else "count"
        if kind == "count" and fig.kind == "count":  # 35台 is no count of 所
            return unit == fig.printed.unit or (unit in ("分", "人", "名", "位") and (
                fig.printed.unit in ("人", "名", "位")))
        return kind == fig.kind
    return fig.kind != "amount" or spec.kind != "info"


def map_figures(extraction: Extraction) -> None:
    """Set every figure's ``target`` from the catalog's phrase entries."""
    for fig in extraction.figures:
        fig.target = map_figure(fig, extraction)


# ---------------------------------------------------------------------------------------------
# Audit
# ---------------------------------------------------------------------------------------------


def audit_row(**kw: Any) -> dict[str, Any]:
    return blank_row(TEXT_AUDIT_COLUMNS, kw)


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
    from perfkit.indicators.base import safe_divide

    return safe_divide(v["part"], v["base"]) * 100


def _rate(v: dict[str, float]) -> float:
    from perfkit.indicators.base import safe_divide

    return safe_divide(v["now"] - v["base"], v["base"]) * 100


def _difference(v: dict[str, float]) -> float:
    return v["now"] - v["base"]


def _formula_text(rel: Relation) -> str:
    o = rel.operands
    if rel.kind == "ratio":
        return f"{o['part'].text} ÷ {o['base'].text} × 100%"
    if rel.kind == "sum":
        return " + ".join(p.text for p in rel.parts)
    if rel.result.kind == "percent" and o["now"].kind != "percent":
        return f"({o['now'].text} − {o['base'].text}) ÷ {o['base'].text} × 100%"
    return f"{o['now'].text} − {o['base'].text}"


def _describe(rel: Relation) -> str:
    fig = rel.result
    subject = fig.subject or ""
    part = rel.operands.get("part") or rel.operands.get("now")
    subject = _QUOTES.sub("", subject) or (part.describe() if part is not None else "")
    if rel.kind == "ratio":
        base = rel.base_label or (rel.operands["base"].describe() if "base" in rel.operands
                                  else fig.qualifier or "基数")
        return f"{subject or '本句比例'}为{_QUOTES.sub('', base)}的比例" if not rel.base_from_sum else (
            f"{subject}占合计的比例")
    if rel.kind == "change":
        base = _QUOTES.sub("", rel.base_label) or fig.qualifier or "上年"
        return f"{subject or '本句'}较{base}增减"
    names = [p.describe() for p in rel.parts]
    return f"{rel.result.describe()} = {' + '.join(names)}"


def _sentence_row(rel: Relation, settings) -> dict[str, Any] | None:
    """Recompute a relation from the operands its sentence prints, or say what is missing."""
    fig = rel.result
    common = {"ref": fig.id, "category": SENTENCE, "figure": _describe(rel), "stated": fig.text,
              "location": fig.location, "sentence": rel.sentence}
    formula: Callable[[dict[str, float]], float]
    if rel.kind == "sum":
        operands = {f"p{i}": p for i, p in enumerate(rel.parts)}
        formula = sum_of
    elif rel.kind == "ratio":
        operands = {k: rel.operands[k] for k in ("part", "base") if k in rel.operands}
        formula = _ratio
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
        if rel.kind == "change" and "base" not in operands:
            missing = f"{rel.base_label or fig.qualifier or '上年'}的数值"
        return audit_row(**common, check="", verdict=UNVERIFIABLE,
                    explanation=f"本句未列出{missing}，不能由本句核对",
                    source_cells="; ".join(_where(o) for o in operands.values()))
    converted = _in_common_unit(operands)
    cells = {k: _where(o) for k, o in operands.items()}
    places = {k: o.location for k, o in operands.items()}
    if converted is None:
        kinds = "、".join(f"“{o.text}”" for o in operands.values())
        return audit_row(**common, check=_formula_text(rel), verdict=UNVERIFIABLE,
                    explanation=f"运算数{kinds}的单位不同，不能相互运算",
                    source_cells="; ".join(cells.values()))
    values, unit = converted
    if rel.kind == "ratio" or formula is _rate:
        unit = "%"
    r = recompute_printed(formula, values, unit, places)
    result = judge_row(fig.printed, r, tolerance_for(unit, settings))
    result.pop("cells")
    if rel.kind == "sum":
        _sum_verdict(rel, result, r)
    return audit_row(**common, check=_formula_text(rel), **result,
                source_cells="; ".join(cells.values()))


def _decomposition(rel: Relation) -> tuple[bool, list[str]]:
    """Whether a sum's parts are known to be all of them, and the known parts it leaves out."""
    from perfkit.assess.checks import SUM_CHECKS
    from perfkit.data.sheets import SHEET_BY_KEY

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
    spec = check_syntax(fig.target.check)
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
    from perfkit.data.sheets import AMOUNT, NUMBER, SHEETS
    from perfkit.data.workbook import WorkbookData

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
    for fig in extraction.figures:
        key = _cell_key(fig)
        if key is None or fig.role != "value" or fig.printed.bound:
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
    from perfkit.assess.checks import SUM_CHECKS

    out = {c.id: (c.sheet, c.total, c.column) for c in SUM_CHECKS}
    out.update({"carryover_current": ("balance", "current", "amount"),
                "carryover_identity": ("balance", "closing", "amount")})
    return out


def _document_rows(extraction: Extraction, settings, judged: set[int]) -> list[dict[str, Any]]:
    """Checks across sentences, on the text-only workbook."""
    from perfkit.assess.evaluation import Evaluation
    from perfkit.assess.figures import parse_check, recompute, rows_from_checks

    year = _year_of(extraction) or settings.year
    data, stated, repeats = text_workbook(extraction, year)
    ev = Evaluation(data, settings)
    rows = []
    for first, later in repeats:
        r = recompute_printed(lambda v: v["x"], {"x": first.printed.in_unit("万元")}, "万元",
                              {"x": _where(first)})
        result = judge_row(later.printed, r, 0.0)  # the same quantity: no tolerance
        result.pop("cells")
        result["explanation"] = f"同一数值前文为“{first.text}”（{first.location}）；" + result[
            "explanation"]
        rows.append(audit_row(ref=later.id, category=DOCUMENT, figure=f"{later.describe()}（前后两处）",
                         check=later.check, stated=later.text, location=later.location,
                         sentence=later.sentence, source_cells=_where(first), **result))
    for fig in extraction.figures:
        if id(fig) in judged or not _document_check(fig):
            continue
        common = {"ref": fig.id, "category": DOCUMENT, "figure": _figure_name(fig, extraction),
                  "check": fig.check, "stated": fig.text, "location": fig.location,
                  "sentence": fig.sentence}
        mismatch = _basis_mismatch(fig, settings)
        if mismatch:
            rows.append(audit_row(**common, verdict=UNVERIFIABLE, explanation=mismatch))
            continue
        r = recompute(ev, parse_check(fig.check, data))
        own = _where(fig)
        if own in r.cells:
            rows.append(audit_row(**common, verdict=UNVERIFIABLE, source_cells="; ".join(r.cells),
                             explanation="该指标的计算用到了这一报告值本身，不能用来核对它"))
            continue
        result = judge_row(fig.printed, r, tolerance_for(r.unit, settings))
        cells = [c for c in result.pop("cells") if c != NOT_STATED]
        rows.append(audit_row(**common, **result, source_cells="; ".join(cells)))
    totals = _internal_totals()
    sum_totals = {id(r.result) for r in extraction.relations if r.kind == "sum"}
    for row in rows_from_checks(ev.checks):
        fig = stated.get(totals.get(row["ref"], ()))
        if fig is None or id(fig) in sum_totals or math.isnan(row["stated_value"]):
            continue
        # perfkit.assess.checks speaks of a workbook ("表列", "未提供"); here the figures are printed.
        note = (str(row["explanation"]).replace("表列", "报告所列").replace("已提供分项", "报告所列分项")
                .replace("未提供", "未在报告中列出"))
        row = {**audit_row(), **row, "category": DOCUMENT, "stated": fig.text, "explanation": note,
               "location": fig.location, "sentence": fig.sentence,
               "source_cells": "; ".join(c for c in str(row["source_cells"]).split("; ")
                                         if c != NOT_STATED)}
        rows.append(row)
    return rows


def _document_check(fig: Figure) -> bool:
    """Whether the text-only workbook can recompute a figure: a mapped finance indicator."""
    from perfkit.indicators import REGISTRY, load_all

    if fig.target is None:
        return False
    spec = check_syntax(fig.check)
    load_all()
    return spec.kind == "indicator" and REGISTRY[spec.names[0]].domain == "finance"


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
    from perfkit.assess.figures import audit_figure

    rows = []
    for fig in extraction.figures:
        if fig.target is None:
            continue
        common = {"ref": fig.id, "category": WORKBOOK, "figure": _figure_name(fig, extraction),
                  "check": fig.check, "stated": fig.text, "location": fig.location,
                  "sentence": fig.sentence}
        mismatch = _basis_mismatch(fig, ev.settings)
        if mismatch:
            rows.append(audit_row(**common, verdict=UNVERIFIABLE, explanation=mismatch))
            continue
        result = audit_figure(ev, fig.check, fig.printed)
        cells = result.pop("cells")
        rows.append(audit_row(**common, **result, source_cells="; ".join(cells)))
    return rows


def audit_text(extraction: Extraction, settings, ev=None) -> pd.DataFrame:
    """Judge every figure the text lets perfkit check.

    Args:
        extraction: what :func:`extract` read.
        settings: run settings (tolerances, budget basis).
        ev: the department's workbook, when one is given (adds 对照工作簿 rows).

    Returns:
        Tidy frame with :data:`TEXT_AUDIT_COLUMNS`, rows of 本句核对, 全文核对 and 对照工作簿
        in document order within each category.
    """
    map_figures(extraction)
    rows, judged = [], set()
    for rel in extraction.relations:
        row = _sentence_row(rel, settings)
        if row is None:
            continue
        if row["verdict"] == UNVERIFIABLE and _document_check(rel.result):
            continue  # operands elsewhere: the 全文核对 row says what can be said
        rows.append(row)
        judged.add(id(rel.result))
    rows += _document_rows(extraction, settings, judged)
    if ev is not None:
        rows += _workbook_rows(extraction, ev)
    order = {f.id: i for i, f in enumerate(extraction.figures)}
    frame = pd.DataFrame(rows, columns=TEXT_AUDIT_COLUMNS)
    if frame.empty:
        return frame
    frame["_c"] = frame["category"].map(TEXT_CATEGORIES.index)
    frame["_o"] = frame.apply(
        lambda r: order.get(r["ref"], order.get(_first_id(r["location"], extraction), 0)), axis=1)
    return frame.sort_values(["_c", "_o"], kind="stable").drop(columns=["_c", "_o"]).reset_index(
        drop=True)


def _first_id(location: str, extraction: Extraction) -> str:
    return next((f.id for f in extraction.figures if f.location == location), "")


def text_settings(params_file: str | Path = "", tolerance_pp: float | None = None,
                  tolerance_wan_yuan: float | None = None):
    """Run settings for auditing a report without a workbook: defaults, a settings file, and
    tolerance overrides (the department code is ``audit``).

    Raises:
        ParamsError: a bad settings file or a negative tolerance.
    """
    from perfkit import config
    from perfkit.assess.audit import with_tolerances
    from perfkit.data.params import load_settings, load_settings_file

    settings = (load_settings_file(params_file, "audit", config.SAMPLE_YEAR) if params_file
                else load_settings("audit", config.SAMPLE_YEAR))
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
    import io

    import openpyxl

    from perfkit.atomic import write_bytes_atomic
    from perfkit.data.reader import load_workbook
    from perfkit.data.sheets import SHEET_BY_KEY
    from perfkit.data.values import normalize_label

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
            ws.cell(row=1, column=j, value=c.header)
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
                ws.cell(row=i, column=col, value=rec.get(key) or None)
    buf = io.BytesIO()
    book.save(buf)
    write_bytes_atomic(copy, buf.getvalue())
    return copy, len(rows)


__all__ = [
    "DOCUMENT", "SENTENCE", "TEXT_AUDIT_COLUMNS", "WORKBOOK", "Extraction", "Figure",
    "Relation", "audit_text", "extract", "load_catalog", "map_figures", "text_workbook",
]
