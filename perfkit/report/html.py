"""Executed notebooks as HTML pages: the reviewer copy (code hidden, print-ready) and the analyst copy."""

from __future__ import annotations

import base64
import binascii
import copy
import functools
import html
import logging
import math
import re
import struct
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import jinja2
import nbformat
from markupsafe import Markup
from pygments.formatters import HtmlFormatter

from perfkit import config, fmt
from perfkit.errors import FontMissingError
from perfkit.report.fonts import find_cjk_fonts, latin_advances
from perfkit.report.sanitize import sanitize, with_csp

log = logging.getLogger(__name__)

TEMPLATES = config.PACKAGE_DIR / "templates"


#: Fallback stack after the detected CJK family, for readers on other systems.
FONT_STACK_TAIL: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Sans SC",
    "Microsoft YaHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "WenQuanYi Micro Hei",
)

#: Cell tags that hide a cell or its output in the reviewer copy (Jupyter Book conventions);
#: the analyst copy shows everything.
REMOVE_CELL_TAGS = frozenset({"remove-cell", "remove_cell", "reviewer-hide"})
REMOVE_OUTPUT_TAGS = frozenset({"remove-output", "hide-output"})

#: Width of the print text column (A4 less the margins in print.css) in points; the sizing of
#: tables leaves 4 % of it spare.
TEXT_WIDTH_PT = {"portrait": (210 - 25 - 20) * 72 / 25.4, "landscape": (297 - 18 - 18) * 72 / 25.4}
PORTRAIT_WIDTH_PT = TEXT_WIDTH_PT["portrait"] * 0.96
LANDSCAPE_WIDTH_PT = TEXT_WIDTH_PT["landscape"] * 0.96
#: Print type size (points) of each table size class of print.css.
CLASS_SIZE_PT = {"fs-9": 9.0, "fs-8": 8.0, "fs-7": 7.0, "fs-6": 6.5}
#: Print type sizes tried for a table, largest first, with their print.css classes.
PORTRAIT_SIZES: tuple[tuple[float, str], ...] = ((9.0, "fs-9"), (8.0, "fs-8"), (7.0, "fs-7"))
LANDSCAPE_SIZES: tuple[tuple[float, str], ...] = ((8.0, "fs-8"), (7.0, "fs-7"), (6.5, "fs-6"))
#: Cell widths in em as report.css sets them: any cell at least CELL_MIN_EM; cells with
#: more than LONG_TEXT_CHARS characters of text (class ``long``) at least LONG_MIN_EM;
#: shorter body labels their own width up to SHORT_TEXT_MAX_EM (classes ``w4``-``w10``).
CELL_MIN_EM = 3.0
LONG_TEXT_CHARS = 24
LONG_MIN_EM = 10.0
SHORT_TEXT_MAX_EM = 10
CELL_PAD_EM = 1.0  # horizontal padding and border
#: A short table (at most COMPACT_MAX_ROWS body rows) too wide for portrait at the smallest
#: portrait size first tries portrait with long text cells as narrow as COMPACT_LONG_MIN_EM
#: (class ``compact``): a landscape page for a few rows leaves two part-empty pages.
COMPACT_MAX_ROWS = 8
COMPACT_LONG_MIN_EM = 6.0
#: Text between a heading and a landscape table that moves to the landscape page with them
#: (a short introduction), so the portrait page before is not left with a stranded heading.
INTRO_MAX_CHARS = 400
INTRO_MAX_BLOCKS = 3


@dataclass(frozen=True)
class ReportMeta:
    """What the cover block of a rendered report states.

    Attributes:
        department: department name as readers know it, e.g. ``益阳市教育局``.
        year: evaluation year.
        title: report title, e.g. ``部门整体支出绩效自评报告``.
        generated_at: ISO 8601 timestamp of the run.
        perfkit_version: version of perfkit that produced the report.
        workbook_sha256: SHA-256 of the input workbook.
        workbook: input workbook path as the user gave it; shown when not empty.
        kind: ``department`` for the department's own 自评报告 (its cover shows the report date
            and none of perfkit's facts), ``review`` or ``analysis``.
        report_date: the report's date as printed (``2020年4月28日``), for a department's cover.
        pdf_layout: ``web`` (perfkit's print style) or ``official`` (the GB/T 9704-2012 page in
            free fonts approximating the official ones; ``templates/official.css``).
        pdf_engine: what typesets the ``web`` layout's PDF: ``typst`` (the default) or
            ``weasyprint`` (the official layout is always WeasyPrint's; see
            ``templates/PDF_CHOICE.md``).
    """

    department: str
    year: int
    title: str
    generated_at: str
    perfkit_version: str
    workbook_sha256: str
    workbook: str = ""
    kind: str = "analysis"
    report_date: str = ""
    pdf_layout: str = "web"
    pdf_engine: str = "typst"


@dataclass(frozen=True)
class Heading:
    """One heading of the report body, for the table of contents."""

    level: int
    id: str
    text: str


@dataclass
class _Body:
    html: str
    headings: list[Heading] = field(default_factory=list)


def reviewer_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Copy of ``nb`` without what reviewers must not see (tagged cells, stderr)."""
    nb = copy.deepcopy(nb)
    cells = []
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & REMOVE_CELL_TAGS:
            continue
        if cell.cell_type == "code":
            if tags & REMOVE_OUTPUT_TAGS:
                cell.outputs = []
            kept = []
            for out in cell.get("outputs", []):
                if out.get("output_type") == "stream" and out.get("name") == "stderr":
                    log.debug("reviewer copy: dropped stderr output %.80r", out.get("text", ""))
                    continue
                data = out.get("data", {})
                plain = data.get("text/plain", "")
                plain = "".join(plain) if isinstance(plain, list) else plain
                if set(data) == {"text/plain"} and _OBJECT_REPR_RE.match(plain.strip()):
                    log.warning(
                        "reviewer copy: dropped %r, an object shown without an image or table "
                        "(a matplotlib Figure needs the inline backend or display(fig))",
                        plain.strip()[:80],
                    )
                    continue
                kept.append(out)
            cell.outputs = kept
        cells.append(cell)
    nb.cells = cells
    return nb


@functools.cache
def _exporter(with_code: bool) -> Any:
    """nbconvert's HTML exporter with the ``basic`` template, made once per process (making one
    compiles its Jinja templates: a fifth of the HTML time when done for every notebook)."""
    from nbconvert import HTMLExporter  # 0.25 s, once per worker (cached): only rendering needs it

    return HTMLExporter(
        template_name="basic",
        exclude_input=not with_code,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        anchor_link_text="",
    )


def export_body(nb: nbformat.NotebookNode, *, with_code: bool) -> str:
    """Body HTML from nbconvert's ``basic`` template (no page chrome, no CDN links)."""
    body, _ = _exporter(with_code).from_notebook_node(nb)
    return body


#: A figure as a cell prints it: sign, digits, a unit of up to four characters (元/人 too), and
#: the qualifiers of fmt.QUALIFIERS (近9000名, 1000余所, 93.96%以上) — right-aligned.
_NUMBER_RE = re.compile(
    r"^[\s(（]*(近|约|超过|逾)?[-+\u2212]?[¥￥$]?\s*\d[\d,，]*(\.\d+)?(余|多)?\s*"
    r"(%|％|‰|[\u4e00-\u9fff]{1,4}(/[\u4e00-\u9fff]{1,3})?|/10万)?(以上|以下|以内)?[)）]?\s*$"
)
_NA_TEXTS = frozenset(
    {"未提供", "\u2014", "\u2013", "-", "--", "nan", "NaN", "<NA>", "None", "N/A", "NA", ""}
)
#: Plain-text reprs that mean nothing to a reader, e.g. ``<Figure size 1125x630 with 1 Axes>``.
_OBJECT_REPR_RE = re.compile(
    r"^(<(Figure|Axes|matplotlib|seaborn|Styler|pandas)[^<>]*>|<[\w.]+ object at 0x[0-9a-f]+>)$"
)
_HEADING_LEVELS = {"h1": 1, "h2": 2, "h3": 3}


def _png_size(src: str) -> tuple[int, int] | None:
    """Pixel size of a ``data:image/png;base64`` URI, read from its IHDR chunk."""
    prefix = "data:image/png;base64,"
    if not src.startswith(prefix):
        return None
    try:
        head = base64.b64decode(src[len(prefix) : len(prefix) + 48] + "==", validate=False)
    except (binascii.Error, ValueError):
        return None
    if head[:8] != b"\x89PNG\r\n\x1a\n" or len(head) < 24:
        return None
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def _text_em(text: str) -> float:
    """Approximate advance of ``text`` in em (CJK full width, the rest about 0.6 em)."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.6 for ch in text)


def _natural_em(text: str, advances: dict[str, float]) -> float:
    """Width of ``text`` on one line in em: Latin characters by the font's own advances
    (:func:`perfkit.report.fonts.latin_advances`), the rest as :func:`_text_em` counts them."""
    return sum(advances[ch] if ch in advances else
               (1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.6) for ch in text)


def _unbreakable_em(text: str) -> float:
    """Width of the longest run that cannot wrap (Latin words, numbers; CJK breaks anywhere)."""
    runs = re.findall(r"[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]+", text)
    return max((_text_em(run) for run in runs), default=0.0)


@dataclass
class _Table:
    """Column bookkeeping of one table while it is parsed, to size it for print."""

    start: int  # index of the <table> start tag in the output
    col_min: dict[int, float] = field(default_factory=dict)  # narrowest width per column, em
    compact_min: dict[int, float] = field(default_factory=dict)  # same with compact long cells
    col_max: dict[int, float] = field(default_factory=dict)  # width on one line per column, em
    #: Index of the output the column widths (``<colgroup>``) follow: the start tag, or the
    #: end of a caption that opens the table.
    colgroup_at: int | None = None
    rows: int = 0
    spans: dict[int, int] = field(default_factory=dict)  # column -> further rows covered
    occupied: set[int] = field(default_factory=set)
    new_spans: dict[int, int] = field(default_factory=dict)
    col: int = 0

    def start_row(self) -> None:
        self.rows += 1
        self.occupied = {c for c, n in self.spans.items() if n > 0}
        self.new_spans = {}
        self.col = 0

    def end_row(self) -> None:
        for c in self.occupied:
            self.spans[c] -= 1
        self.spans.update(self.new_spans)
        self.occupied = set()

    def place(self, colspan: int, rowspan: int) -> int:
        """Column of the next cell (skipping columns covered by row spans)."""
        while self.col in self.occupied:
            self.col += 1
        first = self.col
        if rowspan > 1:
            for c in range(first, first + colspan):
                self.new_spans[c] = rowspan - 1
        self.col += colspan
        return first

    def record(self, first: int, colspan: int, min_em: float,
               compact_em: float | None = None, max_em: float = 0.0) -> None:
        share = min_em / colspan
        compact = (min_em if compact_em is None else compact_em) / colspan
        for c in range(first, first + colspan):
            self.col_min[c] = max(self.col_min.get(c, 0.0), share)
            self.compact_min[c] = max(self.compact_min.get(c, 0.0), compact)
            self.col_max[c] = max(self.col_max.get(c, 0.0), max_em / colspan)

    @property
    def columns(self) -> int:
        return max(self.col_min, default=-1) + 1

    def print_classes(self) -> tuple[str, ...]:
        """Type size class, plus ``landscape`` (and ``squeeze``) when portrait cannot fit."""
        width_em = sum(max(v, CELL_MIN_EM) + CELL_PAD_EM for v in self.col_min.values())
        for size, name in PORTRAIT_SIZES:
            if width_em * size <= PORTRAIT_WIDTH_PT:
                return (name,)
        if self.rows <= COMPACT_MAX_ROWS + 1:  # + the header row
            compact_em = sum(max(v, CELL_MIN_EM) + CELL_PAD_EM for v in self.compact_min.values())
            size, name = PORTRAIT_SIZES[-1]
            if compact_em * size <= PORTRAIT_WIDTH_PT:
                return (name, "compact")
        for size, name in LANDSCAPE_SIZES:
            if width_em * size <= LANDSCAPE_WIDTH_PT:
                return (name, "landscape")
        return (LANDSCAPE_SIZES[-1][1], "landscape", "squeeze")

    def column_widths(self, classes: tuple[str, ...]) -> list[float]:
        """Percentages of the table width for each column in print, as CSS's automatic table
        layout would share the width out (CSS 2.1 17.5.2.2), from the estimated widths.

        Each column gets at least its narrowest width (what :meth:`print_classes` made fit);
        space left over goes to the columns in proportion to what their text needs on one
        line, so long text gets the room and short columns stay narrow. Declared, these widths
        let WeasyPrint lay the table out in one pass (``table-layout: fixed`` in print.css)
        instead of measuring the content of every cell first (about a quarter of the PDF
        time of a table-heavy report).
        """
        n = self.columns
        if n == 0:
            return []
        mins = self.compact_min if "compact" in classes else self.col_min
        low = [max(mins.get(c, 0.0), CELL_MIN_EM) + CELL_PAD_EM for c in range(n)]
        high = [max(self.col_max.get(c, 0.0) + CELL_PAD_EM, low[c]) for c in range(n)]
        size = next((CLASS_SIZE_PT[c] for c in classes if c in CLASS_SIZE_PT), 9.0)
        room = TEXT_WIDTH_PT["landscape" if "landscape" in classes else "portrait"] / size
        if sum(high) <= room:  # everything fits on one line: share the rest as the text does
            widths = [h + (room - sum(high)) * h / sum(high) for h in high]
        elif sum(low) < room:
            spare = (room - sum(low)) / (sum(high) - sum(low))
            widths = [lo + (h - lo) * spare for lo, h in zip(low, high, strict=True)]
        else:  # squeezed: the narrowest widths, scaled to the page
            widths = low
        total = sum(widths)
        return [100 * w / total for w in widths]


def _int_attr(attrs: list[tuple[str, str | None]], name: str) -> int:
    try:
        return max(1, min(1000, int(dict(attrs).get(name) or 1)))
    except ValueError:
        return 1


class _BodyProcessor(HTMLParser):
    """Lay out sanitized body HTML (:func:`perfkit.report.sanitize.sanitize`) for reviewers.

    Drops anchor links; collects h1-h3 for the table of contents (giving each a stable
    ``sec-N`` id); marks numeric table cells ``num`` and long text cells ``long``; wraps each
    table in a scroll container and gives it the print type size (and landscape page) its
    columns need, and its column widths in print (:meth:`_Table.column_widths`); marks
    matplotlib-sized PNGs as ``chart``.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        try:
            self._advances = latin_advances(find_cjk_fonts())
        except FontMissingError:
            self._advances = {}
        self.out: list[str] = []
        self.headings: list[Heading] = []
        self.id_map: dict[str, str] = {}
        self._skip: list[str] = []  # stack of dropped elements whose content is skipped
        self._heading: tuple[str, int, str, list[str]] | None = None  # tag, level, id, text
        # Open cell: start-tag index, first column, colspan, text so far.
        self._cell: tuple[int, int, int, list[str]] | None = None
        self._tables: list[_Table] = []
        self._in_thead = False
        self._heading_count = 0
        # Start-tag index of the latest heading, and whether text followed it: a heading
        # directly above a landscape table moves to the landscape page with it.
        self._last_heading: int | None = None
        self._text_after_heading = False
        # Start-tag indices of the blocks (p, ul, ol) after the latest heading and their text
        # length: a short introduction moves to a landscape page with its heading and table.
        self._intro_blocks: list[int] = []
        self._intro_chars = 0

    # -- helpers ------------------------------------------------------------------------
    @staticmethod
    def _attrs_html(attrs: list[tuple[str, str | None]]) -> str:
        parts = []
        for name, value in attrs:
            if value is None:
                parts.append(f" {name}")
            else:
                parts.append(f' {name}="{html.escape(value, quote=True)}"')
        return "".join(parts)

    @staticmethod
    def _add_class(
        attrs: list[tuple[str, str | None]], *classes: str
    ) -> list[tuple[str, str | None]]:
        attrs = list(attrs)
        for i, (name, value) in enumerate(attrs):
            if name == "class":
                attrs[i] = (name, " ".join(filter(None, [value or "", *classes])))
                return attrs
        return [*attrs, ("class", " ".join(classes))]

    # -- parser callbacks ---------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, self_closing=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, self_closing=True)

    def _start(self, tag: str, attrs: list[tuple[str, str | None]], *, self_closing: bool) -> None:
        if self._skip:
            if tag == self._skip[-1] and not self_closing:
                self._skip.append(tag)
            return
        cls = dict(attrs).get("class") or ""
        if tag in ("col", "colgroup") and self._tables:  # replaced by the declared widths
            if tag == "colgroup" and not self_closing:
                self._skip.append(tag)
            return
        if tag == "a" and "anchor-link" in cls.split():
            if not self_closing:
                self._skip.append(tag)
            return
        if tag in _HEADING_LEVELS and self._heading is None:
            self._heading_count += 1
            new_id = f"sec-{self._heading_count}"
            old_id = dict(attrs).get("id")
            if old_id:
                self.id_map[old_id] = new_id
            attrs = [(k, v) for k, v in attrs if k != "id"] + [("id", new_id)]
            self._heading = (tag, _HEADING_LEVELS[tag], new_id, [])
            self._last_heading = len(self.out)
            self._text_after_heading = False
            self._intro_blocks, self._intro_chars = [], 0
        elif tag in ("p", "ul", "ol") and not self._tables and self._heading is None:
            self._intro_blocks.append(len(self.out))
        elif tag == "table":
            self._tables.append(_Table(len(self.out)))
        elif tag == "thead":
            self._in_thead = True
        elif tag == "tr" and self._tables:
            self._tables[-1].start_row()
        elif tag in ("td", "th") and self._tables:
            colspan, rowspan = _int_attr(attrs, "colspan"), _int_attr(attrs, "rowspan")
            first = self._tables[-1].place(colspan, rowspan)
            self._cell = (len(self.out), first, colspan, [])
        elif tag == "img":
            if not self._tables:  # a chart after the heading keeps it on its own page
                self._text_after_heading = True
                self._intro_chars = INTRO_MAX_CHARS + 1
            src = dict(attrs).get("src") or ""
            size = _png_size(src)
            if size and size[0] >= 300:
                attrs = self._add_class(attrs, "chart")
                attrs = [
                    (k, "图表" if k == "alt" and (v or "").startswith("No description") else v)
                    for k, v in attrs
                ]
        end = "/>" if self_closing else ">"
        self.out.append(f"<{tag}{self._attrs_html(attrs)}{end}")

    def handle_endtag(self, tag: str) -> None:
        if self._skip:
            if tag == self._skip[-1]:
                self._skip.pop()
            return
        if self._heading is not None and tag == self._heading[0]:
            _tag, level, heading_id, text = self._heading
            title = " ".join("".join(text).split())
            if title:
                self.headings.append(Heading(level, heading_id, title))
            self._heading = None
        elif tag in ("td", "th") and self._cell is not None:
            self._end_cell(tag)
        elif tag == "tr" and self._tables:
            self._tables[-1].end_row()
        elif tag == "thead":
            self._in_thead = False
        self.out.append(f"</{tag}>")
        if tag == "caption" and self._tables and not self._tables[-1].rows:
            self._tables[-1].colgroup_at = len(self.out) - 1
        if tag == "table" and self._tables:
            self._end_table(self._tables.pop())

    def _end_cell(self, tag: str) -> None:
        assert self._cell is not None
        index, first, colspan, text = self._cell
        self._cell = None
        value = " ".join("".join(text).split())
        compact_em = None
        # As displayed: ideographic spaces used for indenting (“　其中：”) take room too.
        shown = " ".join("".join(text).strip(" \t\r\n").split(" "))
        classes = []
        if _NUMBER_RE.match(value):
            classes.append("num")
            # Numbers never wrap: their width as the font sets them (the PDF test checks
            # that no cell's text overflows), or the estimate when the font cannot be read.
            min_em = (_natural_em(value, self._advances) if self._advances
                      else _text_em(value))
        elif value in _NA_TEXTS and tag == "td":
            classes += ["num", "na"]
            min_em = _text_em(value)
        elif len(value) > LONG_TEXT_CHARS:
            classes.append("long")
            min_em = max(LONG_MIN_EM, _unbreakable_em(value))
            compact_em = max(COMPACT_LONG_MIN_EM, _unbreakable_em(value))
        elif not self._in_thead and _text_em(shown) > CELL_MIN_EM:
            # Short labels (row names) stay on one line up to SHORT_TEXT_MAX_EM (class wN).
            width = min(SHORT_TEXT_MAX_EM, math.ceil(_text_em(shown) + 0.2))
            classes.append(f"w{width}")
            min_em = max(width, _unbreakable_em(value))
        else:
            min_em = max(CELL_MIN_EM, _unbreakable_em(value))
        if classes:
            self.out[index] = self._retag(self.out[index], classes)
        if self._tables:
            # On one line: numbers and labels as they are; text as long as it is.
            max_em = max(min_em, _natural_em(shown.strip(), self._advances))
            self._tables[-1].record(first, colspan, min_em, compact_em, max_em)

    def _end_table(self, table: _Table) -> None:
        classes = table.print_classes()
        landscape = "landscape" in classes
        # ``wide``: may not fit the text column on screen either (report.css widens it there):
        # a landscape or compact table, or one that needs the smallest portrait type.
        narrowest = PORTRAIT_SIZES[-1][1]
        wide = " wide" if landscape or {"compact", narrowest} & set(classes) else ""
        wrap = f"table-wrap{wide}{' landscape' if landscape else ''}"
        self.out[table.start] = f'<div class="{wrap}">' + self._retag(
            self.out[table.start], [f"cols-{table.columns}", *classes]
        )
        widths = table.column_widths(classes)
        if widths:  # print.css: col { width: var(--pw) } — the screen layout ignores them
            cols = "".join(f'<col style="--pw: {w:.2f}%">' for w in widths)
            at = table.start if table.colgroup_at is None else table.colgroup_at
            self.out[at] += f"<colgroup>{cols}</colgroup>"
        self.out.append("</div>")
        if not self._tables:  # an outermost table
            heading = self._last_heading
            short_intro = (self._intro_chars <= INTRO_MAX_CHARS
                           and len(self._intro_blocks) <= INTRO_MAX_BLOCKS)
            if landscape and heading is not None and (not self._text_after_heading or short_intro):
                for index in [heading, *self._intro_blocks]:
                    self.out[index] = self._retag(self.out[index], ["with-wide-table"])
            self._text_after_heading = True
            self._intro_chars = INTRO_MAX_CHARS + 1  # a later table does not take the heading

    @staticmethod
    def _retag(start_tag: str, classes: list[str]) -> str:
        """Add ``classes`` to an already serialised start tag."""
        extra = " ".join(c for c in classes if c)
        match = re.match(r"^(<[a-zA-Z0-9]+)(.*?)(/?>)$", start_tag, re.S)
        if not match:
            return start_tag
        head, rest, end = match.groups()
        cls = re.search(r'\sclass="([^"]*)"', rest)
        if cls:
            rest = rest[: cls.start(1)] + f"{cls.group(1)} {extra}".strip() + rest[cls.end(1) :]
        else:
            rest += f' class="{extra}"'
        return f"{head}{rest}{end}"

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._heading is not None:
            self._heading[3].append(data)
        elif data.strip() and not self._tables:
            self._text_after_heading = True
            self._intro_chars += len(data.strip())
        if self._cell is not None:
            self._cell[3].append(data)
        self.out.append(html.escape(data, quote=False))

    def handle_comment(self, data: str) -> None:  # comments are dropped
        return

    def handle_decl(self, decl: str) -> None:
        return

    def handle_pi(self, data: str) -> None:
        return

    def unknown_decl(self, data: str) -> None:
        return

    # -- result -------------------------------------------------------------------------
    def result(self) -> _Body:
        self.close()
        text = "".join(self.out)
        for old, new in self.id_map.items():
            text = text.replace(f'href="#{html.escape(old, quote=True)}"', f'href="#{new}"')
        return _Body(text, self.headings)


def process_body(body_html: str) -> _Body:
    proc = _BodyProcessor()
    proc.feed(sanitize(body_html))
    return proc.result()


@functools.cache
def _jinja_env():
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


@functools.cache
def asset(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")


def css_string(value: str) -> str:
    """Quote ``value`` as a CSS string that is also safe inside an HTML ``<style>``."""
    escaped = "".join(ch if ch.isalnum() or ch in " -_." else f"\\{ord(ch):x} " for ch in value)
    return f'"{escaped}"'


def font_stack(first: str | None) -> str:
    names = [first] if first else []
    names += [n for n in FONT_STACK_TAIL if n != first]
    return ", ".join(css_string(n) for n in names) + ", sans-serif"


def page(
    body: _Body, meta: ReportMeta, *, with_code: bool, family: str | None, synthetic_bold: bool
) -> str:
    template = _jinja_env().get_template("report.html.j2")
    return with_csp(template.render(
        meta=meta,
        generated_at=fmt.display_time(meta.generated_at),
        toc=body.headings,
        body=Markup(body.html),
        with_code=with_code,
        report_css=Markup(asset("report.css") + (_pygments_css() if with_code else "")),
        print_css=Markup(asset("print.css")),
        font_stack=Markup(font_stack(family)),
        body_class=" ".join(
            c
            for c in (
                "analyst" if with_code else "reviewer",
                "synthetic-bold" if synthetic_bold else "",
            )
            if c
        ),
    ))


@functools.cache
def _pygments_css() -> str:
    return "\n" + HtmlFormatter(style="default").get_style_defs(".highlight")
