"""The 自评报告 and the 复核意见 as editable Word files in the official-document layout.

A third renderer of a document's blocks (:mod:`perfkit.report.blocks`, read back from the
reviewer copy of the executed notebook), beside the reviewer HTML and the PDF. It writes a
``.docx`` with python-docx on the GB/T 9704-2012 page and in the named styles of
:mod:`perfkit.report.wordpage`:

- Headings: level 1 the title (a title longer than a line breaks where its words allow — after
  年度, the unit … — into balanced lines), 2-4 the heading styles 一级-三级; a paragraph's bold
  opening run numbered 一、/（一）/1. takes its level's character style (a run-in title).
- Paragraphs of runs (bold kept, a figure's source cell not printed), notes in 4号 under their
  table or chart, centred lines, lists (bulleted, or numbered 1. 2. …).
- Tables as Word tables: header row repeated on every page, rows kept whole, figures
  right-aligned, verdicts in their colours, 4号 仿宋 or smaller as the columns need, very wide
  tables on a landscape page (the heading above them goes along); charts as pictures at their
  200 dpi resolution with a caption "图N 标题", tables with "表N 标题" (Word SEQ fields).
- 落款: the date in Arabic numerals four characters from the right margin, the unit centred
  above it (7.3.5.1, a document the department stamps), two lines below the text.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from docx.enum.section import WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.image.image import Image
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Emu, Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph as DocxParagraph

from perfkit.report import wordpage as wp
from perfkit.report.blocks import (
    Block,
    Chart,
    Heading,
    ListBlock,
    PageBreak,
    Paragraph,
    Run,
    Signature,
    Table,
    is_draft,
    read_blocks,
)
from perfkit.report.layout import text_em, unbreakable_em

if TYPE_CHECKING:
    import nbformat

    from perfkit.report.meta import ReportMeta

log = logging.getLogger(__name__)

#: Paragraph style of each heading level: 1 is the title, 2 一级标题, 3 二级, 4 三级.
HEADING_STYLES = {1: "Title", 2: "Heading 1", 3: "Heading 2", 4: "Heading 3"}
#: Character styles of run-in titles (a bold run that opens a paragraph), by their numbering.
RUN_IN_STYLES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^[一二三四五六七八九十百]+、"), "文内一级标题"),
    (re.compile(r"^（[一二三四五六七八九十百]+）"), "文内二级标题"),
    (re.compile(r"^\d+[.\uff0e]"), "文内三级标题"),
)
#: Paragraph style of each paragraph role (:data:`perfkit.report.blocks.ROLES`).
ROLE_STYLES = {"": "Normal", "lead": "Normal", "note": "注", "center": "居中", "draft": "Normal"}
#: Colour and weight of a table cell by its tone (as report.css and report.typ mark verdicts).
TONE_MARKS = {"verdict-bad": ("B22222", True), "verdict-note": ("B8860B", False),
              "verdict-na": ("808080", False)}
#: Sizes tried for a table on a portrait page, then on a landscape page.
PORTRAIT_TABLE_SIZES = (wp.SIZE_4, wp.SIZE_SMALL_4, wp.SIZE_5)
LANDSCAPE_TABLE_SIZES = (wp.SIZE_SMALL_4, wp.SIZE_5, wp.SIZE_SMALL_5)
#: Width cell padding and border take, in points.
_CELL_PAD_PT = 2 * wp.CELL_MARGIN_TWIPS / 20 + 0.5
#: Column widths in em: text wraps, but labels up to SHORT_EM stay on one line, longer text
#: gets at least LONG_MIN_EM and headers at least HEADER_MIN_EM before they wrap.
SHORT_EM, LONG_MIN_EM, HEADER_MIN_EM = 8.0, 8.0, 4.0
#: A table whose tallest row would wrap to more lines than MAX_ROW_LINES tries a smaller type
#: or a landscape page; rows of up to KEEP_ROW_LINES lines are never split across pages.
MAX_ROW_LINES, KEEP_ROW_LINES = 8, 5
#: 落款: the longer of unit and date ends four characters from the right margin (7.3.5.1),
#: two blank lines below the text (room for the seal, whose top must come within one line).
SIGNATURE_RIGHT_CHARS, SIGNATURE_GAP_LINES = 4, 2

#: Words a title may break after (GB/T 9704 7.3.1: 回行时词意完整、排列对称).
TITLE_BREAK_AFTER = ("年度", "局", "厅", "委", "办公室", "关于", "的")


def title_lines(text: str, width_em: float) -> list[str]:
    """Split a title into lines of at most ``width_em``, breaking after a word of
    :data:`TITLE_BREAK_AFTER` into the most balanced lines (one line if it fits)."""
    text = " ".join(text.split())
    if text_em(text) <= width_em:
        return [text]
    best: tuple[float, int] | None = None
    for word in TITLE_BREAK_AFTER:
        for m in re.finditer(re.escape(word), text):
            head, tail = text[:m.end()], text[m.end():]
            if not tail or text_em(head) > width_em or text_em(tail) > width_em:
                continue
            score = abs(text_em(head) - text_em(tail))
            if best is None or score < best[0]:
                best = (score, m.end())
    if best is None:  # no word to break after: the middle, then what remains
        cut = len(text) // 2
        while cut < len(text) and text_em(text[:cut]) < text_em(text) / 2:
            cut += 1
        return [text[:cut], *title_lines(text[cut:], width_em)]
    return [text[:best[1]], text[best[1]:]]


def _properties(doc: Any, meta: ReportMeta | None, title: str) -> None:
    props = doc.core_properties
    props.title, props.comments, props.category = title, "", ""
    props.author = props.last_modified_by = meta.department if meta else ""
    props.subject = meta.title if meta else ""
    props.keywords = f"{meta.year}年度" if meta else ""
    props.revision, props.language = 1, "zh-CN"
    try:
        when = dt.datetime.fromisoformat(meta.generated_at) if meta is not None else None
    except (TypeError, ValueError):
        when = None
    if when is not None:
        props.created = props.modified = when.astimezone(dt.UTC).replace(tzinfo=None)


# ---------------------------------------------------------------------------------------------
# Table layout
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TableLayout:
    """Type size, page orientation and column widths (points) chosen for a table."""

    size: float
    landscape: bool
    widths_pt: tuple[float, ...]
    row_lines: tuple[int, ...] = ()  # estimated lines of the header row and each body row

    @property
    def typical_row_lines(self) -> int:
        """Lines of a row at the 90th percentile (one very long row does not decide)."""
        lines = sorted(self.row_lines) or [1]
        return lines[int(0.9 * (len(lines) - 1))]


def _column_ems(header: str, cells: list[str], numeric: bool) -> tuple[float, float]:
    """(narrowest, widest) width of a column in em: figures never wrap; text wraps, but a
    label of up to SHORT_EM stays on one line and longer text gets at least LONG_MIN_EM; a
    header wraps after HEADER_MIN_EM characters. The widest is the longest cell unwrapped."""
    longest = max((text_em(c) for line in cells for c in line.split("\n")), default=0.0)
    if numeric:
        need = longest
    else:
        need = max((unbreakable_em(c) for c in cells), default=0.0)
        need = max(need, longest if longest <= SHORT_EM else LONG_MIN_EM)
    need = max(need, unbreakable_em(header), min(text_em(header), HEADER_MIN_EM))
    return need, max(need, longest, min(text_em(header), SHORT_EM))


def _lines(text: str, width_em: float) -> int:
    return sum(max(1, math.ceil(text_em(line) / max(width_em, 1.0) - 1e-9))
               for line in text.split("\n"))


def table_layout(columns: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[bool],
                 orientation: str = "auto") -> TableLayout:
    """Choose type size, orientation and column widths for a table.

    Candidates, in order of preference: a portrait page at 4号, 小四, 五号, then a landscape
    page at 小四, 五号, 小五 (only one of the two when ``orientation`` is ``portrait`` or
    ``landscape``). In each, every column gets its narrowest width and the rest of the line is
    shared in proportion to how much wider each column would like to be (as a browser lays out
    a table). The first candidate where nine rows in ten wrap to at most MAX_ROW_LINES lines
    wins; if none does, the one where they are lowest.

    Args:
        columns: header texts.
        rows: cell texts.
        numeric: which columns hold figures (never wrapped).
        orientation: ``auto``, ``portrait`` or ``landscape`` (a table block's).
    """
    ems = [_column_ems(h, [r[i] for r in rows], numeric[i]) for i, h in enumerate(columns)]
    need, most = [n for n, _ in ems], [m for _, m in ems]
    pages = [(False, wp.TYPE_WIDTH_PT, PORTRAIT_TABLE_SIZES),
             (True, wp.TYPE_HEIGHT_MM * 72 / 25.4, LANDSCAPE_TABLE_SIZES)]
    pages = [p for p in pages if orientation == "auto" or p[0] == (orientation == "landscape")]
    pad = _CELL_PAD_PT * len(columns)
    best: TableLayout | None = None
    for landscape, width, sizes in pages:
        for size in sizes:
            room = (width - pad) / size  # in em
            if sum(need) > room:
                continue
            widths = _share(need, most, room)
            row_lines = tuple(max(_lines(r[i], widths[i]) for i in range(len(columns)))
                              for r in [columns, *rows])
            layout = TableLayout(size, landscape, tuple(w * size + _CELL_PAD_PT for w in widths),
                                 row_lines)
            if layout.typical_row_lines <= MAX_ROW_LINES:
                return layout
            if best is None or (layout.typical_row_lines * size
                                < best.typical_row_lines * best.size):
                best = layout
    if best is not None:
        return best
    landscape, width, sizes = pages[-1]  # too wide for anything: squeeze by what columns need
    room = (width - pad) / sizes[-1]
    total = sum(need) or 1.0
    return TableLayout(sizes[-1], landscape,
                       tuple(room * n / total * sizes[-1] + _CELL_PAD_PT for n in need))


def _share(need: list[float], most: list[float], room: float) -> list[float]:
    """Widths (em) that fill ``room``: each column its need, the rest by (most - need); when
    every column has its widest, the rest by the widest."""
    gaps = [m - n for n, m in zip(need, most, strict=True)]
    extra = room - sum(need)
    if sum(gaps) >= extra:
        return [n + g * extra / sum(gaps) for n, g in zip(need, gaps, strict=True)]
    rest = extra - sum(gaps)
    total = sum(most) or 1.0
    return [m + rest * m / total for m in most]


# ---------------------------------------------------------------------------------------------
# The writer
# ---------------------------------------------------------------------------------------------


def _run_in(runs: Sequence[Run]) -> list[tuple[str, bool, str | None]]:
    """A paragraph's runs as (text, bold, character style): an opening bold title takes its
    heading style by its numbering (一、 → 黑体, （一） → 楷体, 1. → 仿宋 bold) with the full stop
    that closes it; adjacent runs of one style merged (a figure's cell is not printed)."""
    out: list[tuple[str, bool, str | None]] = []
    for r in runs:
        if out and out[-1][1:] == (r.bold, None):
            out[-1] = (out[-1][0] + r.text, r.bold, None)
        else:
            out.append((r.text, r.bold, None))
    if out and out[0][1]:
        style = next((name for pattern, name in RUN_IN_STYLES if pattern.match(out[0][0])), None)
        if style is not None:
            out[0] = (out[0][0], True, style)
            if len(out) > 1 and out[1][0].startswith("。"):
                out[:2] = [(out[0][0] + "。", True, style), (out[1][0][1:], out[1][1], None)]
    return out


def _is_heading(element: Any) -> bool:
    style = element.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
    return (element.tag == qn("w:p") and style is not None
            and style.get(qn("w:val")).startswith("Heading"))


class WordWriter:
    """Builds one official-layout document, block by block."""

    def __init__(self, meta: ReportMeta | None = None):
        self.meta = meta
        self.doc = wp.new_document()
        self.tables = self.figures = 0
        self.landscape = False
        self.title = ""
        self._style_ids: dict[str, str] = {}

    def add(self, block: Block) -> None:
        """Add one block (:mod:`perfkit.report.blocks`)."""
        if isinstance(block, Heading):
            self.heading(block.level, block.text)
        elif isinstance(block, Paragraph):
            self.par(block.runs, block.role)
        elif isinstance(block, ListBlock):
            for n, item in enumerate(block.items, 1):
                if block.ordered:
                    self.par((Run(f"{n}."), *item))
                else:
                    self.par(item, style="List Bullet")
        elif isinstance(block, Table):
            self.table(block)
        elif isinstance(block, Chart):
            self.picture(block.png, block.alt)
        elif isinstance(block, Signature):
            self.signature(block.lines)
        elif isinstance(block, PageBreak):
            self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    # -- pages --------------------------------------------------------------------------------
    def _portrait(self) -> None:
        if self.landscape:
            self._new_section(landscape=False)

    def _new_section(self, *, landscape: bool) -> None:
        """Start a new page in the other orientation.

        The section's properties go into its last paragraph; after a table (Word needs a
        paragraph there) into a one-point empty paragraph, so no blank line spills onto a page
        of its own. Headings directly above (nothing under them yet) move to the new page.
        """
        body = self.doc.element.body
        sentinel = body.get_or_add_sectPr()
        blocks = [c for c in body.iterchildren() if c.tag in (qn("w:p"), qn("w:tbl"))]
        staying = len(blocks)
        while staying and _is_heading(blocks[staying - 1]):
            staying -= 1
        last = blocks[staying - 1] if staying else None
        if last is None or last.tag != qn("w:p") or (
                last.pPr is not None and last.pPr.sectPr is not None):
            holder = OxmlElement("w:p")
            wp.spacing(holder.get_or_add_pPr(), line_twips=20)
            wp.type_size(wp.set_child(holder.get_or_add_pPr(), "w:rPr"), 1)
            if last is None:
                body.insert(0, holder)
            else:
                last.addnext(holder)
            last = holder
        last.set_sectPr(sentinel.clone())
        for ref in sentinel.xpath("w:headerReference|w:footerReference"):
            sentinel.remove(ref)
        section = Section(sentinel, self.doc.part)
        section.start_type = WD_SECTION.NEW_PAGE
        wp.page_setup(section, landscape=landscape)
        self.landscape = landscape

    def paragraph(self, style: str = "Normal", *, portrait: bool = True) -> Any:
        if portrait:
            self._portrait()
        p = self.doc.add_paragraph()
        if style != "Normal":  # by id: python-docx looks a name up among all styles each time
            if style not in self._style_ids:
                self._style_ids[style] = self.doc.styles[style].style_id
            p._p.style = self._style_ids[style]
        return p

    # -- text ---------------------------------------------------------------------------------
    def heading(self, level: int, text: str) -> None:
        style = HEADING_STYLES[level]
        p = self.paragraph(style)
        if style == "Title":
            self.title = self.title or " ".join(text.split())
            section = self.doc.sections[-1]
            width = (section.page_width - section.left_margin - section.right_margin) / 12700
            text = "\n".join(title_lines(text, width / wp.SIZE_2))
        self._runs(p, [(text, False, None)])

    def par(self, runs: Iterable[Run], role: str = "", style: str | None = None) -> None:
        """A paragraph of runs: a note stays on its table's page (a landscape one too)."""
        runs = tuple(runs)
        if not any(r.text.strip() for r in runs):
            return
        p = self.paragraph(style or ROLE_STYLES[role], portrait=role != "note")
        self._runs(p, _run_in(runs) if role in ("", "lead") else [(r.text, r.bold, None)
                                                                   for r in runs])

    @staticmethod
    def _runs(p: Any, runs: Iterable[tuple[str, bool, str | None]]) -> None:
        for text, bold, style in runs:
            for i, line in enumerate(text.split("\n")):
                if i:
                    p.add_run().add_break(WD_BREAK.LINE)
                if line:
                    run = p.add_run(line, style=style)
                    if bold and style is None:
                        run.bold = True

    def signature(self, lines: Iterable[str]) -> None:
        """落款: unit and date, the longer line four characters from the right margin and
        the shorter centred on it, two lines below the text (7.3.5.1)."""
        lines = [line.strip() for line in lines if line.strip()]
        if not lines:
            return
        self._portrait()
        last = self.doc.element.body[-2] if len(self.doc.element.body) > 1 else None
        if last is not None and last.tag == qn("w:p"):  # the text's last lines go with it
            DocxParagraph(last, self.doc._body).paragraph_format.keep_with_next = True
        for _ in range(SIGNATURE_GAP_LINES):
            self.doc.add_paragraph(style="落款")

        def em(line: str) -> float:  # digits of the date are half a character
            return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.5 for ch in line)

        widest = max(map(em, lines))
        for i, line in enumerate(lines):
            p = self.doc.add_paragraph(line, style="落款")
            wp.indent(p._p.get_or_add_pPr(), right_chars=SIGNATURE_RIGHT_CHARS + (widest - em(line)) / 2)
            if i == len(lines) - 1:
                p.paragraph_format.keep_with_next = False

    # -- tables and pictures ------------------------------------------------------------------
    def caption(self, label: str, text: str, *, keep_next: bool) -> None:
        number = self.tables if label == "表" else self.figures
        p = self.doc.add_paragraph(style="Caption")  # on the page of its table or picture
        p.add_run(label)
        wp.field(p, f"SEQ {label} \\* ARABIC", str(number))
        if text:
            p.add_run("\u3000" + text)
        p.paragraph_format.keep_with_next = keep_next

    def picture(self, data: bytes, title: str) -> None:
        try:
            image = Image.from_blob(data)
        except Exception as exc:  # not an image python-docx reads
            log.warning("Word: skipped a picture python-docx cannot read (%s)", exc)
            return
        self._portrait()
        section = self.doc.sections[-1]
        room_w = section.page_width - section.left_margin - section.right_margin
        room_h = int(Mm(wp.TYPE_HEIGHT_MM) * 0.8)  # leave room for the caption
        scale = min(1.0, room_w / image.width, room_h / image.height)  # native size at its dpi
        self.paragraph("图片").add_run().add_picture(
            io.BytesIO(data), width=Emu(int(image.width * scale)),
            height=Emu(int(image.height * scale)))
        self.figures += 1
        self.caption("图", "" if title == "图表" else title, keep_next=False)

    def table(self, block: Table) -> None:
        columns, rows = block.columns, block.rows
        if not columns:
            return
        layout = table_layout(columns, rows, block.numeric, block.orientation)
        if layout.landscape != self.landscape:
            self._new_section(landscape=layout.landscape)
        self.tables += 1
        if block.caption:
            self.caption("表", block.caption, keep_next=True)
        text_style = self.doc.styles[dict(wp.TABLE_TEXT_STYLES)[layout.size]].style_id
        table = self.doc.add_table(rows=1 + len(rows), cols=len(columns))
        table.style = self.doc.styles[wp.TABLE_STYLE]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        wp.set_child(table._tbl.tblPr, "w:tblW", w=round(sum(layout.widths_pt) * 20), type="dxa")
        wp.set_child(table._tbl.tblPr, "w:tblLayout", type="fixed")
        for col, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), layout.widths_pt,
                              strict=True):
            col.set(qn("w:w"), str(round(width * 20)))
        for r, row in enumerate(table.rows):
            trPr = row._tr.get_or_add_trPr()
            if (layout.row_lines[r] if r < len(layout.row_lines) else 1) <= KEEP_ROW_LINES:
                trPr.append(wp.el("w:cantSplit"))  # a taller row may break rather than leave a gap
            if r == 0:
                trPr.append(wp.el("w:tblHeader"))
            for c, cell in enumerate(row.cells):
                cell.width = Pt(layout.widths_pt[c])
                cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
                value = columns[c] if r == 0 else rows[r - 1][c]
                p = cell.paragraphs[0]
                p._p.style = text_style  # (python-docx's setter looks it up each time)
                if r == 0:
                    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                elif block.numeric[c]:
                    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                color, bold = TONE_MARKS.get(block.tone(c, value), (None, False)) if r else (
                    None, True)
                for i, line in enumerate(value.split("\n")):
                    if i:
                        p.add_run().add_break(WD_BREAK.LINE)
                    run = p.add_run(line)
                    run.bold = True if bold else None
                    if color:
                        run.font.color.rgb = RGBColor.from_string(color)

    def save(self) -> bytes:
        _properties(self.doc, self.meta, self.title)
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return buffer.getvalue()


def blocks_docx(blocks: Iterable[Block], meta: ReportMeta | None = None) -> bytes:
    """A document's blocks as an official-layout ``.docx``.

    Args:
        blocks: the blocks in order (:func:`perfkit.report.blocks.read_blocks`).
        meta: the report's facts, for the document properties (author, title, date).

    Returns:
        The ``.docx`` bytes.
    """
    blocks = list(blocks)
    writer = WordWriter(meta)
    for block in blocks:
        writer.add(block)
    if is_draft(blocks):
        wp.mark_draft(writer.doc)
    return writer.save()


def notebook_docx(nb: nbformat.NotebookNode, meta: ReportMeta | None = None) -> bytes:
    """The blocks of an executed notebook's reviewer copy (tagged cells removed; see
    :func:`perfkit.report.render.render_notebook`) as an official-layout ``.docx``."""
    return blocks_docx(read_blocks(nb), meta)


__all__ = ["TableLayout", "WordWriter", "blocks_docx", "notebook_docx", "table_layout", "title_lines"]
