"""A report's paragraph as the extractor reads it: folded text, figures, sentences, clauses.

:class:`Paragraph` finds every figure of a paragraph (a number with a unit of the report catalog)
and the sentence, clause, label and bracket of each by bisecting positions listed once;
:func:`find_phrase` names what a label is about. :mod:`perfkit.assess.reporttext` names the
figures, :mod:`perfkit.assess.reportrelations` reads the relations among them.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from typing import Any

from perfkit.assess.reportcatalog import CLOSE, CODES, OPEN, SENTENCE_END, Catalog
from perfkit.assess.reportfigures import QUOTES, Figure
from perfkit.data.printed import AuditParseError, parse_printed

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


@functools.lru_cache(maxsize=8192)  # the catalog's phrases are folded for every label
def fold_label(text: str) -> str:
    return QUOTES.sub("", unicodedata.normalize("NFKC", text))


def token_regex(catalog: Catalog) -> re.Pattern:
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


#: "较上年2.08减少0.03万元": the prior-year amount printed without its unit, which the change
#: right after it gives (a dropped unit, issue #25).
_UNITLESS_BASE = re.compile(
    r"(?:较|比)(?:上年|去年|上年度|上一年度?)(?:同期)?(?:的)?"
    r"(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?=(?:减少|增加|下降|增长|提高|降低)了?"
    r"(?P<change>\d+(?:\.\d+)?\s?(?P<unit>亿元|万元|元)))")


#: "收、支总计各是4125.49,4143.91万元": the first of a "各/分别" list printed without the unit
#: the list's last figure gives.
_UNITLESS_IN_LIST = re.compile(
    r"(?:各|分别)(?:是|为|减少|增加)了?"
    r"(?P<number>\d{1,3}(?:,\d{3})+\.\d+|\d+(?:\.\d+)?)(?=[,，、]\s?"
    r"(?P<change>\d+(?:\.\d+)?\s?(?P<unit>亿元|万元|元)))")


def _numbers(text: str, token_re: re.Pattern) -> list[tuple[int, int, str, str, str]]:
    """Every number with its unit in ``text``: (start, end, unit, text to parse, the printed
    figure that gives the unit when the number has none, else "")."""
    out = [(m.start(), m.end(), m.group("unit"), m.group(0), "") for m in token_re.finditer(text)]
    for m in (*_UNITLESS_BASE.finditer(text), *_UNITLESS_IN_LIST.finditer(text)):
        start, end = m.span("number")
        out.append((start, end, m.group("unit"), m.group("number") + m.group("unit"),
                    m.group("change")))
    out.sort()
    return out


def _positions(text: str, chars: str) -> list[int]:
    """Ascending positions in ``text`` of any of ``chars``."""
    return [i for i, c in enumerate(text) if c in chars]


class Paragraph:
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
        for start, end, unit, printed_text, unit_from in _numbers(self.text, token_re):
            if _table_cell(self.text, start, end):
                continue
            kind = catalog.unit_kind(unit)
            try:
                printed = parse_printed(printed_text)
            except AuditParseError:
                continue
            span = self.sentence_span(start, end)
            sentence, at = self._sentence_text(*span)
            fig = Figure(id=f"T{len(figures) + 1}", paragraph=index, start=start, end=end,
                         text=raw[start:end].strip(), printed=printed, kind=kind,
                         unit=unit, label="", location=location,
                         sentence=sentence, sentence_span=span, sentence_at=start - at,
                         unit_from=unit_from)
            figures.append(fig)
            self.figures.append(fig)
            token = f"{OPEN}{CODES[kind]}:{len(figures) - 1}{CLOSE}"
            self._gap(pieces, last, start, after_figure=bool(self.figures[:-1]))
            self._piece(pieces, token, start, fixed=True)
            last = end
        self._gap(pieces, last, len(self.text), after_figure=bool(self.figures))
        self.skeleton = "".join(pieces)
        self._starts = [f.start for f in self.figures]
        self._ends_of = [f.end for f in self.figures]
        self._opens = self._open_brackets() if self.figures else []

    def _gap(self, pieces: list[str], a: int, b: int, after_figure: bool) -> None:
        """The text between two figures, without the spaces next to a figure: text copied from
        a PDF spaces its numbers ("下降 6.00 %"), which tells the patterns nothing."""
        gap = self.text[a:b]
        lead = len(gap) - len(gap.lstrip()) if after_figure else 0
        tail = len(gap) - len(gap.rstrip()) if b < len(self.text) else 0
        if lead < len(gap):
            self._piece(pieces, gap[lead:len(gap) - tail], a + lead)

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

    def before(self, fig: Figure, most: int) -> list[Figure]:
        """The figures of this paragraph before ``fig``, nearest first, at most ``most``."""
        n = bisect.bisect_left(self._starts, fig.start)
        return self.figures[max(0, n - most):n][::-1]

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


def find_phrase(label: str, phrases: dict[str, Any], blank: tuple[int, int] | None = None):
    """The phrase naming what ``label`` is about: (phrase, start, end), or None.

    The last group of overlapping phrase occurrences is the one nearest the number ("决算收入总额
    中事业收入" is about 事业收入); within it the phrase starting first, longest on a tie, since
    a Chinese modifier comes first ("“三公”经费支出合计" is about 三公经费, not 支出合计).
    """
    text = label if blank is None else label[:blank[0]] + " " * (blank[1] - blank[0]) + label[blank[1]:]
    hits = []
    for phrase in phrases:
        key = fold_label(phrase)
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


NUMBERING = re.compile(r"\d{4}年度?|[(（]\d+[)）]|\d+[.、]|[一二三四五六七八九十]+是|[\W\d_]")


def blank(text: str, phrases: list[str]) -> str:
    """``text`` with every occurrence of ``phrases`` blanked (same length: positions hold)."""
    for phrase in phrases:
        key = fold_label(phrase)
        if key and key in text:
            text = text.replace(key, " " * len(key))
    return text
