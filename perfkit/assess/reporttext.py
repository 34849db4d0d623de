"""Figures a report states in its sentences: extraction by the report catalog.

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

What is read — figures, relations, the whole extraction — is :mod:`perfkit.assess.reportfigures`;
their audit is :mod:`perfkit.assess.textaudit`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from pathlib import Path

from perfkit import config
from perfkit.assess.checkspec import CheckSpec
from perfkit.assess.reportcatalog import (
    Catalog,
    Pattern,
    PhraseEntry,
    Target,
    catalog_files,
    read_catalog,
)
from perfkit.assess.reportdomain import domain_rates, rate_relations
from perfkit.assess.reportfigures import Extraction, Figure, Relation
from perfkit.assess.reportparagraph import (
    NUMBERING,
    Paragraph,
    blank,
    find_phrase,
    fold_label,
    token_regex,
)
from perfkit.assess.reportrelations import (
    bases_from_sums,
    changes_without_comparison,
    match_relations,
    match_respectively,
    match_sums,
    operands_by_name,
    parts_take_the_total_qualifier,
)
from perfkit.errors import CatalogError
from perfkit.indicators.registry import Registry

log = logging.getLogger(__name__)


# ---------------------------------------------------------------------------------------------
# Catalog
# ---------------------------------------------------------------------------------------------


def load_catalog(extra: Iterable[str | Path] = (), project: config.Project | None = None) -> Catalog:
    """The report catalog: the package's files, the project's (default: the current one)
    ``params/report_catalog/``, then ``extra``.

    Each pattern must read its own ``example`` sentence; a pattern that does not is refused
    with the file and id named.

    Raises:
        CatalogError: a file or an entry cannot be used.
    """
    catalog = read_catalog(catalog_files(list(extra), project))
    for pattern in catalog.patterns:
        found = extract([(pattern.example, "example")], catalog, only=pattern, project=project)
        if not any(r.pattern is pattern for r in found.relations):
            raise CatalogError(f"{pattern.file}：patterns（id: {pattern.id}）的 example："
                               f"正则表达式没有从示例“{pattern.example}”中读出 {pattern.kind} 关系；"
                               "请改正 regex 或 example")
    return catalog


# ---------------------------------------------------------------------------------------------
# Extraction
# ---------------------------------------------------------------------------------------------


def _name(fig: Figure, label: str, catalog: Catalog) -> None:
    """Set a figure's subject, entry and qualifier from its label, and whether it may inherit."""
    folded = fold_label(label)
    fig.label = label
    hit = find_phrase(folded, catalog.subjects)
    if hit and catalog.subjects[hit[0]] is not None:
        fig.subject, fig.entry = hit[0], catalog.subjects[hit[0]]
    q = find_phrase(blank(folded, catalog.qualifier_not), catalog.qualifiers,
                     (hit[1], hit[2]) if hit else None)
    fig.qualifier = catalog.qualifiers[q[0]] if q else ""
    # Only a label that names nothing else may take the subject of the figure before it.
    fig.inherited = not hit and _only_fillers(folded, catalog)


def _rest(folded: str, catalog: Catalog) -> str:
    """A folded label without its qualifiers, fillers, years and numbering."""
    rest = folded
    for phrase in sorted([*catalog.qualifiers, *catalog.fillers], key=len, reverse=True):
        rest = rest.replace(fold_label(phrase), "")
    return NUMBERING.sub("", rest)


def _only_fillers(folded: str, catalog: Catalog) -> bool:
    return not _rest(folded, catalog)


def _names_the_end_of(label: str, subject: str, catalog: Catalog) -> bool:
    """Whether a label's own words (two characters at least) are the end of ``subject``."""
    clause = re.split(r"[，,。；;：:、]", label)[-1]
    rest = _rest(fold_label(clause), catalog)
    return len(rest) >= 2 and bool(subject) and fold_label(subject).endswith(rest)


def extract(paragraphs: Iterable[tuple[str, str]], catalog: Catalog | None = None, *,
            only: Pattern | None = None, project: config.Project | None = None) -> Extraction:
    """Read every figure and every ratio, change and sum stated in ``paragraphs``.

    Args:
        paragraphs: ``(text, location)`` pairs in document order, e.g. ``("2019年度部门决算收入
            24192.45万元，为年初预算18122.94万元的133.49%。", "第5段")``.
        catalog: the report catalog; the default is :func:`load_catalog`.
        only: use this pattern alone (to test a catalog's example).
        project: where the report is checked (its report catalog and indicators); default the
            current one, else (outside any project) perfkit's own catalogs.

    Returns:
        The :class:`Extraction`: figures numbered T1, T2 … in document order.
    """
    project = project or config.current_or_outside()
    catalog = catalog or load_catalog(project=project)
    paragraphs = [(str(t), str(loc)) for t, loc in paragraphs]
    token_re = token_regex(catalog)
    figures: list[Figure] = []
    paras = [Paragraph(i, t, loc, catalog, token_re, figures)
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
        # A relation's figures are its paragraph's: only the paragraph's relations can claim them.
        found: list[Relation] = []
        if only is None:
            found += match_respectively(para, figures, found)
        for pattern in (p for p in patterns if p.kind != "sum"):
            found += match_relations(para, pattern, figures, found, catalog)
        for pattern in (p for p in patterns if p.kind == "sum"):
            found += match_sums(para, pattern, figures, found, catalog)
        relations += found
    if only is None:
        relations += rate_relations(paras, relations, domain_rates(project))
    bases_from_sums(relations, catalog)
    changes_without_comparison(figures)
    parts_take_the_total_qualifier(relations)
    for para in paras:
        _inherit(para, catalog)
    operands_by_name(relations, figures, catalog)
    for rel in relations:
        _name_result(rel, catalog)
    return Extraction(figures, relations, paragraphs, catalog, project)


def _inherit(para: Paragraph, catalog: Catalog) -> None:
    """Name the figures whose label names no quantity.

    A label of qualifiers and fillers only (上年数为…, 为年初预算…), or a ratio's or change's,
    means the quantity named last before it in its clause group (sentence, up to a "；"). A
    count is usually followed by its noun ("56名教师受到行政处理", "1000余所学校开展了应急演练"):
    the words after it are read first; for other figures only when nothing was inherited.
    """
    previous: Figure | None = None
    for fig in para.figures:
        if previous is not None and (previous.sentence_span != fig.sentence_span
                                     or para.breaks_between(previous.end, fig.start)):
            previous = None
        # "28人受到警告…" names its own (unknown) noun after it: it inherits nothing.
        may = (fig.inherited and _only_fillers(fold_label(fig.after), catalog)) or (
            fig.role != "value" and not fig.subject)
        fig.inherited = False
        if not fig.subject and fig.kind == "count" and fig.role == "value":
            _name_from_after(fig, catalog)
        # "“三公”经费支出预算为A，支出决算为B": a label naming the end of the subject before it.
        may = may or (previous is not None and fig.role == "value"
                      and _names_the_end_of(fig.label, previous.subject, catalog))
        if not fig.subject and may and previous is not None:
            fig.subject, fig.entry, fig.inherited = previous.subject, previous.entry, True
        if not fig.subject and fig.role == "value":
            _name_from_after(fig, catalog)
        if fig.subject:
            previous = fig


def _name_from_after(fig: Figure, catalog: Catalog) -> None:
    hit = find_phrase(fold_label(fig.after), catalog.subjects)
    if hit and catalog.subjects[hit[0]] is not None:
        fig.subject, fig.entry = hit[0], catalog.subjects[hit[0]]


def _name_result(rel: Relation, catalog: Catalog) -> None:
    """A ratio's qualifier comes from what it divides by (its base label or base figure)."""
    if rel.kind != "ratio":
        return
    fig = rel.result
    base = rel.operands.get("base")
    if rel.base_label:
        q = find_phrase(fold_label(rel.base_label), catalog.qualifiers)
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
        hit = find_phrase(fold_label(rel.base_label), catalog.subjects)
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
    if target is None or not _fits(fig, extraction.spec(target.check), extraction.registry):
        return None
    return target


def _fits(fig: Figure, spec: CheckSpec, reg: Registry) -> bool:
    """Whether a figure of this kind can be compared with what the 核对对象 computes."""
    if spec.kind in ("cell", "sum_aid"):
        return fig.kind == "amount"
    if spec.kind == "indicator":
        unit = reg.get(spec.names[0]).unit
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
        fig.spec = extraction.spec(fig.target.check) if fig.target is not None else None


__all__ = ["extract", "load_catalog", "map_figures"]
