"""Print layout of a document's blocks, shared by the HTML and Typst renderers.

For each table: the class of every cell (``num`` figures, ``na`` missing, ``long`` text, ``wN``
short labels), the type size class (``fs-9`` … ``fs-6``), ``compact``/``landscape``/``squeeze``
when portrait cannot hold it, and each column's share of the width — estimated from the cell
texts with the CJK font's Latin advances, as CSS's automatic table layout would share the width
out. For the document: heading ids (``sec-N``) and the table of contents, and which headings and
short introductions go to a landscape page with a wide table that follows them.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from dataclasses import dataclass

from perfkit.errors import FontMissingError
from perfkit.report.blocks import Block, Chart, Heading, ListBlock, Paragraph, Table
from perfkit.report.fonts import find_cjk_fonts, latin_advances

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

#: A figure as a cell prints it: sign, digits, a unit of up to four characters (元/人 too), and
#: the qualifiers of fmt.QUALIFIERS (近9000名, 1000余所, 93.96%以上) — right-aligned.
NUMBER_RE = re.compile(
    r"^[\s(（]*(近|约|超过|逾)?[-+\u2212]?[¥￥$]?\s*\d[\d,，]*(\.\d+)?(余|多)?\s*"
    r"(%|％|‰|[\u4e00-\u9fff]{1,4}(/[\u4e00-\u9fff]{1,3})?|/10万)?(以上|以下|以内)?[)）]?\s*$"
)
NA_TEXTS = frozenset(
    {"未提供", "\u2014", "\u2013", "-", "--", "nan", "NaN", "<NA>", "None", "N/A", "NA", ""}
)


def text_em(text: str) -> float:
    """Estimated width in em: full-width characters 1, others 0.55."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.55 for ch in text)


def natural_em(text: str, advances: dict[str, float]) -> float:
    """Width in em of ``text`` on one line, Latin characters at the font's own advances."""
    if not advances:
        return text_em(text)
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else advances.get(ch, 0.55)
               for ch in text)


def unbreakable_em(text: str) -> float:
    """Width of the longest run of characters no line may break inside (Latin words, numbers)."""
    words = re.findall(r"[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]+", text)
    return max((text_em(w) for w in words), default=0.0)


@functools.cache
def _advances() -> dict[str, float]:
    try:
        return latin_advances(find_cjk_fonts())
    except FontMissingError:
        return {}


@dataclass(frozen=True)
class TableLayout:
    """How one table is printed.

    Attributes:
        head: per column, the header cell's classes (``num`` for a figure, ``long`` text).
        cells: per body row, per column, the cell's layout classes (``num``, ``na``, ``long``,
            ``wN``) and its tone.
        classes: the table's classes: a type size class, and ``compact``, ``landscape``,
            ``squeeze`` as needed.
        widths: each column's share of the table width, in percent (sums to 100).
    """

    head: tuple[tuple[str, ...], ...]
    cells: tuple[tuple[tuple[str, ...], ...], ...]
    classes: tuple[str, ...]
    widths: tuple[float, ...]

    @property
    def landscape(self) -> bool:
        return "landscape" in self.classes

    @property
    def wide(self) -> bool:
        """May not fit the text column on screen either (report.css widens it there)."""
        return self.landscape or bool({"compact", PORTRAIT_SIZES[-1][1]} & set(self.classes))

    @property
    def size_pt(self) -> float:
        return next((CLASS_SIZE_PT[c] for c in self.classes if c in CLASS_SIZE_PT), 9.0)


def _cell(text: str, header: bool, advances: dict[str, float]
          ) -> tuple[tuple[str, ...], float, float | None, float]:
    """Classes, narrowest width, narrowest compact width and one-line width (em) of a cell."""
    value = " ".join(text.split())
    shown = " ".join(text.strip(" \t\r\n").split(" "))
    compact = None
    if NUMBER_RE.match(value):
        # Numbers never wrap: their width as the font sets them.
        classes: tuple[str, ...] = ("num",)
        low = natural_em(value, advances)
    elif value in NA_TEXTS and not header:
        classes, low = ("num", "na"), text_em(value)
    elif len(value) > LONG_TEXT_CHARS:
        classes = ("long",)
        low = max(LONG_MIN_EM, unbreakable_em(value))
        compact = max(COMPACT_LONG_MIN_EM, unbreakable_em(value))
    elif not header and text_em(shown) > CELL_MIN_EM:
        # Short labels (row names) stay on one line up to SHORT_TEXT_MAX_EM (class wN).
        width = min(SHORT_TEXT_MAX_EM, math.ceil(text_em(shown) + 0.2))
        classes, low = (f"w{width}",), max(width, unbreakable_em(value))
    else:
        classes, low = (), max(CELL_MIN_EM, unbreakable_em(value))
    high = max(low, natural_em(shown.strip(), advances))
    return classes, low, compact, high


def table_layout(table: Table, advances: dict[str, float] | None = None) -> TableLayout:
    """Cell classes, type size, orientation and column widths of ``table`` in print."""
    adv = _advances() if advances is None else advances
    n = len(table.columns)
    col_min = [0.0] * n
    compact_min = [0.0] * n
    col_max = [0.0] * n

    def record(j: int, low: float, compact: float | None, high: float) -> None:
        col_min[j] = max(col_min[j], low)
        compact_min[j] = max(compact_min[j], low if compact is None else compact)
        col_max[j] = max(col_max[j], high)

    head = []
    for j, text in enumerate(table.columns):
        classes, low, compact, high = _cell(text, True, adv)
        head.append(classes)
        record(j, low, compact, high)
    cells = []
    for row in table.rows:
        out = []
        for j, text in enumerate(row):
            classes, low, compact, high = _cell(text, False, adv)
            if table.numeric[j] and "num" not in classes and text.strip() in NA_TEXTS:
                classes = ("num", "na")
            tone = table.tone(j, text)
            out.append(classes + ((tone,) if tone else ()))
            record(j, low, compact, high)
        cells.append(tuple(out))
    classes = _print_classes(col_min, compact_min, len(table.rows), table.orientation)
    return TableLayout(tuple(head), tuple(cells), classes,
                       _widths(col_min, compact_min, col_max, classes))


def _print_classes(col_min: list[float], compact_min: list[float], rows: int,
                   orientation: str) -> tuple[str, ...]:
    width_em = sum(max(v, CELL_MIN_EM) + CELL_PAD_EM for v in col_min)
    if orientation != "landscape":
        for size, name in PORTRAIT_SIZES:
            if width_em * size <= PORTRAIT_WIDTH_PT:
                return (name,)
        if rows <= COMPACT_MAX_ROWS or orientation == "portrait":
            compact_em = sum(max(v, CELL_MIN_EM) + CELL_PAD_EM for v in compact_min)
            size, name = PORTRAIT_SIZES[-1]
            if compact_em * size <= PORTRAIT_WIDTH_PT or orientation == "portrait":
                return (name, "compact")
    for size, name in LANDSCAPE_SIZES:
        if width_em * size <= LANDSCAPE_WIDTH_PT:
            return (name, "landscape")
    return (LANDSCAPE_SIZES[-1][1], "landscape", "squeeze")


def _widths(col_min: list[float], compact_min: list[float], col_max: list[float],
            classes: tuple[str, ...]) -> tuple[float, ...]:
    """Percentages of the table width for each column, as CSS's automatic table layout would
    share the width out (CSS 2.1 17.5.2.2): each column at least its narrowest width, space
    left over in proportion to what its text needs on one line."""
    n = len(col_min)
    if n == 0:
        return ()
    mins = compact_min if "compact" in classes else col_min
    low = [max(mins[c], CELL_MIN_EM) + CELL_PAD_EM for c in range(n)]
    high = [max(col_max[c] + CELL_PAD_EM, low[c]) for c in range(n)]
    size = next((CLASS_SIZE_PT[c] for c in classes if c in CLASS_SIZE_PT), 9.0)
    room = TEXT_WIDTH_PT["landscape" if "landscape" in classes else "portrait"] / size
    if sum(high) <= room:
        widths = [h + (room - sum(high)) * h / sum(high) for h in high]
    elif sum(low) < room:
        spare = (room - sum(low)) / (sum(high) - sum(low))
        widths = [lo + (h - lo) * spare for lo, h in zip(low, high, strict=True)]
    else:
        widths = low
    total = sum(widths)
    return tuple(100 * w / total for w in widths)


@dataclass(frozen=True)
class TocEntry:
    level: int
    id: str
    text: str


@dataclass(frozen=True)
class DocumentLayout:
    """The layout of a whole document.

    Attributes:
        ids: per block index, the id of a heading (``sec-N``).
        toc: the headings of levels 1-3, in order.
        tables: per block index, the layout of a table.
        with_wide: the indices of blocks (a heading, a short introduction) that go to the
            landscape page of the wide table after them.
    """

    ids: dict[int, str]
    toc: tuple[TocEntry, ...]
    tables: dict[int, TableLayout]
    with_wide: frozenset[int]


def document_layout(blocks: list[Block], advances: dict[str, float] | None = None
                    ) -> DocumentLayout:
    """Heading ids, the table of contents, table layouts and what moves with a wide table."""
    ids: dict[int, str] = {}
    toc: list[TocEntry] = []
    tables: dict[int, TableLayout] = {}
    with_wide: set[int] = set()
    last_heading: int | None = None
    intro: list[int] = []
    intro_chars = 0
    text_after = False
    for i, block in enumerate(blocks):
        if isinstance(block, Heading):
            ids[i] = f"sec-{len(ids) + 1}"
            if block.level <= 3:
                toc.append(TocEntry(block.level, ids[i], block.text))
            last_heading, intro, intro_chars, text_after = i, [], 0, False
        elif isinstance(block, (Paragraph, ListBlock)):
            text = block.plain_text().strip()
            if text:
                intro.append(i)
                intro_chars += len(text)
                text_after = True
        elif isinstance(block, Chart):
            text_after, intro_chars = True, INTRO_MAX_CHARS + 1
        elif isinstance(block, Table):
            layout = table_layout(block, advances)
            tables[i] = layout
            short = intro_chars <= INTRO_MAX_CHARS and len(intro) <= INTRO_MAX_BLOCKS
            if layout.landscape and last_heading is not None and (not text_after or short):
                with_wide.update([last_heading, *intro])
            text_after, intro_chars = True, INTRO_MAX_CHARS + 1  # a later table does not take it
    return DocumentLayout(ids, tuple(toc), tables, frozenset(with_wide))


__all__ = ["CLASS_SIZE_PT", "DocumentLayout", "TableLayout", "TocEntry", "document_layout",
           "table_layout"]
