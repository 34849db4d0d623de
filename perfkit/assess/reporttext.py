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

import bisect
import functools
import logging
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from perfkit import config
from perfkit.assess.checkspec import CheckSpec
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
from perfkit.assess.reportfigures import QUOTES, Extraction, Figure, Relation
from perfkit.data.printed import AuditParseError, parse_printed
from perfkit.errors import CatalogError
from perfkit.indicators.registry import Registry

log = logging.getLogger(__name__)


# One character for one: locations in the folded text are locations in the original.
_FOLD = str.maketrans({
    **{chr(0xFF10 + i): str(i) for i in range(10)},
    "％": "%", "．": ".", "＋": "+", "－": "-", "\u2212": "-", "\u2013": "-", "\u3000": " ",
    OPEN: "〈", CLOSE: "〉",
})
_CLAUSE_END = set("，,。；;：:、！？!?")
#: How far before a figure its label reaches at most (characters). A real label is the clause
#: before the number, a few words; the bound keeps a clause of thousands of characters without a
#: comma (a hostile file) from making every figure read all of it again.
LABEL_CHARS = 120
_AFTER = re.compile(r"[^，,。；;：:、！？!?（(）)" + OPEN + "]*")


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


@functools.lru_cache(maxsize=8192)  # the catalog's phrases are folded for every label
def _fold_label(text: str) -> str:
    return QUOTES.sub("", unicodedata.normalize("NFKC", text))


# ---------------------------------------------------------------------------------------------
# Extraction
# ---------------------------------------------------------------------------------------------


def _token_regex(catalog: Catalog) -> re.Pattern:
    units = sorted((u for us in catalog.units.values() for u in us), key=len, reverse=True)
    return re.compile(
        r"(?<![0-9A-Za-z.\-+])(?:约|近|超过|逾)?(?:[-+](?=\d))?"
        r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
        r"\s?(?:万亿|亿|万|千)?(?:余|多)?\s?(?P<unit>" + "|".join(map(re.escape, units)) + ")"
        r"(?:以上|以内|以下|左右)?")


_CELL_BEFORE = re.compile(r"[\d%—-]\s+$")
_CELL_AFTER = re.compile(r"\s+[\d—-]")
_RUN_TOGETHER = re.compile(r"\d{7,}(?:\.\d+)?%")


def _table_cell(text: str, start: int, end: int) -> bool:
    """A number of a table flattened into text ("0 207.4538 10 100% 10", "21182118100%"): its
    columns cannot be told apart, so it is no figure a sentence states."""
    return bool(_CELL_BEFORE.search(text[max(0, start - 4):start])
                or _CELL_AFTER.match(text, end, end + 3)
                or _RUN_TOGETHER.fullmatch(text[start:end].strip()))


def _positions(text: str, chars: str) -> list[int]:
    """Ascending positions in ``text`` of any of ``chars``."""
    return [i for i, c in enumerate(text) if c in chars]


class _Paragraph:
    """One paragraph: its folded text, figures, and the skeleton the patterns run on.

    Everything a figure needs from its paragraph (its sentence, its clause, the bracket still
    open before it, the figure after it) is found by bisecting positions listed once, so the
    cost is linear in the paragraph however many figures one sentence holds; figures of one
    sentence share one string.
    """

    def __init__(self, index: int, raw: str, location: str, catalog: Catalog, token_re,
                 figures: list[Figure]):
        self.index, self.raw, self.location = index, raw, location
        self.text = raw.translate(_FOLD)
        self.figures: list[Figure] = []
        self._ends = _positions(self.text, SENTENCE_END)
        self._sentences: dict[tuple[int, int], tuple[str, int]] = {}
        pieces: list[str] = []
        # Skeleton ↔ text: (skeleton start, text start, whether the piece is a figure's token).
        self._sk_starts: list[int] = []
        self._sk_pieces: list[tuple[int, bool]] = []
        self._sk_len = 0
        last = 0
        for m in token_re.finditer(self.text):
            if _table_cell(self.text, *m.span()):
                continue
            kind = catalog.unit_kind(m.group("unit"))
            try:
                printed = parse_printed(m.group(0))
            except AuditParseError:
                continue
            start, end = m.span()
            span = self.sentence_span(start, end)
            sentence, at = self._sentence_text(*span)
            fig = Figure(id=f"T{len(figures) + 1}", paragraph=index, start=start, end=end,
                         text=raw[start:end].strip(), printed=printed, kind=kind,
                         unit=m.group("unit"), label="", location=location,
                         sentence=sentence, sentence_span=span, sentence_at=start - at)
            figures.append(fig)
            self.figures.append(fig)
            gap = self.text[last:start]
            token = f"{OPEN}{'APC'[('amount', 'percent', 'count').index(kind)]}:{len(figures) - 1}{CLOSE}"
            self._piece(pieces, gap, last)
            self._piece(pieces, token, start, fixed=True)
            last = end
        self._piece(pieces, self.text[last:], last)
        self.skeleton = "".join(pieces)
        self._starts = [f.start for f in self.figures]
        self._ends_of = [f.end for f in self.figures]
        self._opens = self._open_brackets() if self.figures else []

    def _piece(self, pieces: list[str], s: str, origin: int, fixed: bool = False) -> None:
        if not s:
            return
        pieces.append(s)
        self._sk_starts.append(self._sk_len)
        self._sk_pieces.append((origin, fixed))
        self._sk_len += len(s)

    def _text_pos(self, sk: int) -> int:
        """The text position of a skeleton position (a token maps to its figure's start)."""
        if sk >= self._sk_len or not self._sk_starts:
            return len(self.text)
        i = bisect.bisect_right(self._sk_starts, sk) - 1
        origin, fixed = self._sk_pieces[i]
        return origin if fixed else origin + sk - self._sk_starts[i]

    def sentence_span(self, start: int, end: int) -> tuple[int, int]:
        """The sentence around ``text[start:end]``: after the sentence end before ``start`` up
        to and with the first sentence end at or after ``end``."""
        i = bisect.bisect_left(self._ends, start)
        a = self._ends[i - 1] + 1 if i else 0
        j = bisect.bisect_left(self._ends, max(end, a))
        b = self._ends[j] + 1 if j < len(self._ends) else len(self.text)
        return a, b

    def _sentence_text(self, a: int, b: int) -> tuple[str, int]:
        """``raw[a:b]`` stripped (one string for every figure of the sentence), and where it
        starts in the paragraph."""
        found = self._sentences.get((a, b))
        if found is None:
            whole = self.raw[a:b]
            lead = len(whole) - len(whole.lstrip())
            found = self._sentences[(a, b)] = (whole.strip(), a + lead)
        return found

    def sentence(self, sk_start: int, sk_end: int) -> tuple[str, int]:
        """The sentence(s) spanned by a match in the skeleton, as printed, and where they start
        in the paragraph."""
        start, end = self._text_pos(sk_start), self._text_pos(sk_end)
        return self._sentence_text(*self.sentence_span(start, max(start, end - 1) + 1))

    def _open_brackets(self) -> list[int]:
        """For each figure, the position after the innermost bracket still open before it in
        its clause, or -1 (brackets matched once, forward, as the clause is read)."""
        out: list[int] = []
        stack: list[int] = []
        k = 0
        for i, c in enumerate(self.text):
            while k < len(self._starts) and self._starts[k] == i:
                out.append(stack[-1] + 1 if stack else -1)
                k += 1
            if k == len(self._starts):
                break
            if c in _CLAUSE_END:
                stack.clear()
            elif c in "（(":
                stack.append(i)
            elif c in "）)" and stack:
                stack.pop()
        out += [stack[-1] + 1 if stack else -1] * (len(self._starts) - len(out))
        return out

    def after_of(self, fig: Figure) -> str:
        """The words after a figure up to the next clause end, figure or bracket."""
        i = bisect.bisect_left(self._starts, fig.end)
        stop = self._starts[i] if i < len(self._starts) else len(self.text)
        m = _AFTER.match(self.text, fig.end, stop)
        return m.group(0).strip() if m else ""

    def label_of(self, fig: Figure) -> str:
        """The clause before a figure (its last :data:`LABEL_CHARS` characters), other figures
        removed; a bracket still open before the figure starts a new context
        ("56名教师受到行政处理（其中违规补课30人")."""
        n = bisect.bisect_left(self._starts, fig.start)
        clause = max(self._clause_start(fig.start), self._opens[n], fig.start - LABEL_CHARS)
        chunks, pos = [], clause
        for k in range(bisect.bisect_right(self._ends_of, clause), n):
            other = self.figures[k]
            chunks.append(self.text[pos:other.start])
            pos = max(pos, other.end)
        chunks.append(self.text[pos:fig.start])
        return "".join(chunks)

    def _clause_start(self, pos: int) -> int:
        clauses = self.__dict__.get("_clauses")
        if clauses is None:
            clauses = self.__dict__["_clauses"] = _positions(self.text, "".join(_CLAUSE_END))
        i = bisect.bisect_left(clauses, pos)
        return clauses[i - 1] + 1 if i else 0

    def breaks_between(self, a: int, b: int) -> bool:
        """Whether a "；" (or ";") stands in ``text[a:b]``."""
        semis = self.__dict__.get("_semis")
        if semis is None:
            semis = self.__dict__["_semis"] = _positions(self.text, "；;")
        i = bisect.bisect_left(semis, a)
        return i < len(semis) and semis[i] < b


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
    q = _find_phrase(_blank(folded, catalog.qualifier_not), catalog.qualifiers,
                     (hit[1], hit[2]) if hit else None)
    fig.qualifier = catalog.qualifiers[q[0]] if q else ""
    # Only a label that names nothing else may take the subject of the figure before it.
    fig.inherited = not hit and _only_fillers(folded, catalog)


def _blank(text: str, phrases: list[str]) -> str:
    """``text`` with every occurrence of ``phrases`` blanked (same length: positions hold)."""
    for phrase in phrases:
        key = _fold_label(phrase)
        if key and key in text:
            text = text.replace(key, " " * len(key))
    return text


def _only_fillers(folded: str, catalog: Catalog) -> bool:
    rest = folded
    for phrase in sorted([*catalog.qualifiers, *catalog.fillers], key=len, reverse=True):
        rest = rest.replace(_fold_label(phrase), "")
    return not _NUMBERING.sub("", rest)


def extract(paragraphs: Iterable[tuple[str, str]], catalog: Catalog | None = None, *,
            only: Pattern | None = None, project: config.Project | None = None) -> Extraction:
    """Read every figure and every ratio, change and sum stated in ``paragraphs``.

    Args:
        paragraphs: ``(text, location)`` pairs in document order, e.g. ``("2019年度部门决算收入
            24192.45万元，为年初预算18122.94万元的133.49%。", "第5段")``.
        catalog: the report catalog; the default is :func:`load_catalog`.
        only: use this pattern alone (to test a catalog's example).
        project: where the report is checked (its report catalog and indicators); default the
            current one.

    Returns:
        The :class:`Extraction`: figures numbered T1, T2 … in document order.
    """
    project = project or config.current()
    catalog = catalog or load_catalog(project=project)
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
        # A relation's figures are its paragraph's: only the paragraph's relations can claim them.
        found: list[Relation] = []
        for pattern in (p for p in patterns if p.kind in ("ratio", "change")):
            found += _match_relations(para, pattern, figures, found, catalog)
        for pattern in (p for p in patterns if p.kind == "sum"):
            found += _match_sums(para, pattern, figures, found, catalog)
        relations += found
    _bases_from_sums(relations)
    _changes_without_comparison(figures)
    _parts_take_the_total_qualifier(relations)
    for para in paras:
        _inherit(para, catalog)
    for rel in relations:
        _name_result(rel, catalog)
    return Extraction(figures, relations, paragraphs, catalog, project)


_DIRECTION_BEFORE = re.compile("(增加|减少|增长|下降|提高|降低|上升|节约|超支)了?$")


def _changes_without_comparison(figures: list[Figure]) -> None:
    """"公务接待费支出决算增加56,716.00元": a figure printed after a direction word is a change,
    not the quantity's value, even where no pattern reads what it is compared with."""
    for fig in figures:
        if fig.role != "value":
            continue
        m = _DIRECTION_BEFORE.search(fig.label.rstrip(" 为是"))
        if not m or m.group(1) in ("节约", "超支"):
            if m:
                fig.role = "difference"
            continue
        try:
            fig.printed = parse_printed(m.group(1) + fig.text)
        except AuditParseError:
            continue
        fig.text = m.group(1) + fig.text
        fig.role = "change"


def _parts_take_the_total_qualifier(relations: list[Relation]) -> None:
    """"部门预算收入X，其中：一般公共预算财政拨款收入a…": the parts of a budget are budgets."""
    for rel in relations:
        if rel.kind == "sum" and rel.result.qualifier:
            for part in rel.parts:
                if not part.qualifier:
                    part.qualifier = rel.result.qualifier


def _inherit(para: _Paragraph, catalog: Catalog) -> None:
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


def _match_relations(para, pattern, figures, relations, catalog) -> list[Relation]:
    out: list[Relation] = []
    result_role = "result" if pattern.kind == "ratio" else "change"
    taken = {id(r.result) for r in relations}  # every relation is a ratio, change or sum
    part_of_base: dict[int, Figure] = {}  # a ratio's base → its part (the first such ratio)
    for r in relations:
        if r.kind == "ratio" and "base" in r.operands and "part" in r.operands:
            part_of_base.setdefault(id(r.operands["base"]), r.operands["part"])
    for m in pattern.regex.finditer(para.skeleton):
        result = _group_figure(m, result_role, figures)
        if result is None or id(result) in taken:
            continue
        operands = {}
        for role in (("part", "base") if pattern.kind == "ratio" else ("now", "base", "delta")):
            fig = _group_figure(m, role, figures)
            if fig is not None and fig is not result:
                operands[role] = fig
        base_label = (m.group("base_label") or "") if "base_label" in m.re.groupindex else ""
        base_label = base_label.strip().removesuffix("的").strip()
        if "delta" in operands:
            _operands_of_delta(operands, relations + out, para, catalog)
        elif "base" not in operands and base_label and (operands.get("part") or operands.get("now")):
            _base_named_before(operands, base_label, para, catalog)
        if pattern.kind == "change":
            direction = m.group("direction")
            try:
                result.printed = parse_printed(direction + result.text)
            except AuditParseError:
                continue
            result.text = direction + result.text
            _now_is_the_subject(operands, part_of_base)
            _drop_incompatible_change(operands, result)
            base = operands.get("base")
            if base is not None and not base.qualifier and pattern.base_qualifier:
                base.qualifier = pattern.base_qualifier
        result.role = pattern.kind
        sentence, at = para.sentence(*m.span())
        out.append(Relation(pattern.kind, pattern, result, operands, [], base_label,
                            sentence, False, result.start - at))
        taken.add(id(result))
    return out


def _noun_key(label: str, catalog: Catalog) -> str:
    """What a label names once years, numbering, qualifiers and fillers are taken out: "2024年
    民政局预算支出" and "民政局实际支出" are both 民政局支出 (budget and actual of one quantity)."""
    folded = _fold_label(re.split(r"[，,。；;：:、]", label)[-1])
    kept = {}
    for i, phrase in enumerate(catalog.qualifier_not):  # 一般公共预算 is a name, not a qualifier
        token = "Q" + "".join(chr(65 + int(d)) for d in str(i)) + "Q"
        kept[token] = _fold_label(phrase)
        folded = folded.replace(kept[token], token)
    for phrase in sorted([*catalog.qualifiers, *catalog.fillers, "实际", "完成", "各", "均",
                          "增加", "减少", "增长", "下降"], key=len, reverse=True):
        folded = folded.replace(_fold_label(phrase), "")
    for token, phrase in kept.items():
        folded = folded.replace(token, phrase)
    return _NUMBERING.sub("", folded)


def _same_quantity(a: Figure, b: Figure, catalog: Catalog) -> bool:
    if a.entry is not None or b.entry is not None:
        return a.entry is b.entry
    key = _noun_key(a.label, catalog)
    return len(key) >= 2 and key == _noun_key(b.label, catalog)


def _earlier(para: _Paragraph, fig: Figure, same_sentence: bool) -> list[Figure]:
    """The figures of ``fig``'s paragraph before it, nearest first (its sentence only)."""
    out = [f for f in para.figures if f.end <= fig.start
           and (not same_sentence or f.sentence_span == fig.sentence_span)]
    return out[::-1]


def _base_named_before(operands: dict[str, Figure], base_label: str, para: _Paragraph,
                       catalog: Catalog) -> None:
    """"支出预算为A，支出决算为B，完成年初预算的X%": the base the ratio names (年初预算) is printed
    earlier in the same sentence, as the figure of that qualifier; "实际支出B，比预算增加X%" with
    the 预算 of the same quantity in an earlier sentence of the paragraph."""
    q = _find_phrase(_blank(_fold_label(base_label), catalog.qualifier_not), catalog.qualifiers)
    if not q:
        return
    qualifier = catalog.qualifiers[q[0]]
    ref = operands.get("part") or operands["now"]
    for same_sentence in (True, False):
        for fig in _earlier(para, ref, same_sentence):
            near = same_sentence and not para.breaks_between(fig.end, ref.start)
            if fig.kind == ref.kind and fig.qualifier == qualifier and fig.role == "value" and (
                    near or _same_quantity(fig, ref, catalog)):
                operands["base"] = fig
                return


def _operands_of_delta(operands: dict[str, Figure], relations: list[Relation],
                       para: _Paragraph, catalog: Catalog) -> None:
    """"…减少2万元，下降0.46%": the rate's operands are the change and what the change is of —
    the now and base its own sentence prints, else the quantity's value printed before it
    (the same quantity: its catalog subject, or the same words)."""
    delta = operands["delta"]
    own = next((r for r in relations if r.result is delta and r.kind == "change"), None)
    for role in ("now", "base"):
        if own is not None and role in own.operands and role not in operands:
            operands[role] = own.operands[role]
    if "now" in operands or "base" in operands:
        return
    for same_sentence in (True, False):
        for fig in _earlier(para, delta, same_sentence):
            if fig.kind != delta.kind or fig.role != "value" or fig.qualifier or fig.printed.bound:
                continue
            if same_sentence and (delta.entry is None or fig.entry is delta.entry):
                operands["now"] = fig
                return
            if not same_sentence and _same_quantity(fig, delta, catalog):
                operands["now"] = fig
                return


def _now_is_the_subject(operands: dict[str, Figure], part_of_base: dict[int, Figure]) -> None:
    """"A，为预算B的X%，较上年C减少D": the figure just before 较 is B, the base of a ratio whose
    part is A; the change is of A (the sentence's subject), not of the budget B."""
    now = operands.get("now")
    if now is not None and id(now) in part_of_base:
        operands["now"] = part_of_base[id(now)]


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
    totals = {id(r.result) for r in relations if r.kind == "sum"}
    for m in pattern.regex.finditer(para.skeleton):
        total = _group_figure(m, "total", figures)
        if total is None or id(total) in claimed or id(total) in totals:
            continue
        start, end = m.span("parts")
        if end <= m.start("total") and _COMPARING.search(para.skeleton[start:end]):
            continue  # a total after a sentence of changes: its amounts are no list of parts
        parts = _list_parts(para.skeleton[start:end], total, figures, claimed | bases, catalog)
        if parts is None or len(parts) < 2:
            continue
        sentence, at = para.sentence(*m.span())
        out.append(Relation("sum", pattern, total, {}, parts, "", sentence, False,
                            total.start - at))
        totals.add(id(total))
    return out


_TOKEN = re.compile(f"{OPEN}[APC]:(\\d+){CLOSE}")
_COMPARING = re.compile("较|比上年|同比|上年|增长|下降")
#: A part whose label holds one of these is a total of its own (", 全年累计下达…共1.82亿元").
_TOTAL_WORDS = re.compile("(?:共计|合计|总计|累计|总额|共)(?:为|达|约)?$")


def _list_parts(region: str, total: Figure, figures: list[Figure], excluded: set[int],
                catalog: Catalog) -> list[Figure] | None:
    """The parts a "其中" list names for ``total``: the figures of the total's kind in
    ``region`` (the list's text, with figure tokens), read as a list is written.

    - The list's separator is the punctuation before its second item: a list of items
      separated by "，" or "、" ends at the first "；" (what follows is another statement:
      "其中基本支出a，项目支出b；年末结转结余c"); one separated by "；" runs to the sentence end.
    - Figures in brackets opened inside the list, and everything after an inner "其中", are
      parts of a part ("40.27万元（村卫生室12.72万元、…）").
    - A figure labelled as a total of its own ("共1.82亿元") ends the list.
    - Items holding several such figures ("支出0万元，年初预算为0万元，差值为0万元；…") are
      parallel columns: the list is read only when the total is the first column (its first
      figure), taking the first figure of each item; otherwise None (which column sums to which
      total is not certain).
    """
    pieces = []  # (figure, position in region, item number)
    depth, item, sep = 0, 0, ""
    pos = 0
    first_part_seen = False
    while pos < len(region):
        m = _TOKEN.match(region, pos)
        if m:
            fig = figures[int(m.group(1))]
            if depth == 0:
                if fig.kind == total.kind and fig is not total:
                    if first_part_seen and not sep:
                        sep = "，、,"  # a second part before any "；": a comma list
                    first_part_seen = True
                pieces.append((fig, item))
            pos = m.end()
            continue
        c = region[pos]
        if c in "（(":
            depth += 1
        elif c in "）)":
            depth = max(0, depth - 1)
        elif depth == 0 and region.startswith("其中", pos) and pos > 0 and first_part_seen:
            break
        elif depth == 0 and c in "；;":
            if sep == "，、,":
                break
            sep = sep or "；;"
            item += 1
        elif depth == 0 and c in "，,、" and sep == "，、,":
            item += 1
        pos += 1
    parts: list[Figure] = []
    per_item: dict[int, list[Figure]] = {}
    for fig, n in pieces:
        if fig is total or id(fig) in excluded:
            continue
        if _TOTAL_WORDS.search(_fold_label(fig.label)):
            break
        if fig.kind != total.kind or (fig.kind == "count" and not catalog.same_count_family(
                fig.printed.unit, total.printed.unit)):
            continue
        per_item.setdefault(n, []).append(fig)
        parts.append(fig)
    if sum(len(v) > 1 for v in per_item.values()) >= 2:
        return None  # parallel columns
    return parts


def _bases_from_sums(relations: list[Relation]) -> None:
    """"其中：A 1102.55万元，占73.58%": a share without a base is a share of the list's total."""
    sum_of_part: dict[int, Relation] = {}
    for s in relations:
        if s.kind == "sum":
            for p in s.parts:
                sum_of_part.setdefault(id(p), s)
    for rel in relations:
        if (rel.kind != "ratio" or not rel.pattern.base_from_sum or "base" in rel.operands
                or rel.base_label or "part" not in rel.operands):
            continue
        whole = sum_of_part.get(id(rel.operands["part"]))
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
