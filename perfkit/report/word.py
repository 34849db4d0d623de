"""The 自评报告 and the 复核意见 as editable Word files in the official-document layout.

A third renderer of a document's blocks (:mod:`perfkit.report.blocks`, read back from the
reviewer copy of the executed notebook), beside the reviewer HTML and the PDF. It writes a
``.docx`` with python-docx, laid out as GB/T 9704-2012 (党政机关公文格式) lays out a document:

- A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm (type area 156 by 225 mm).
- Body 3号 (16 pt) 仿宋, 22 lines of 28 characters a page: fixed line pitch 225 mm / 22 and
  characters condensed so that 28 fill 156 mm; first-line indent of two characters; Latin
  letters and digits in Times New Roman.
- Title 2号 (22 pt) 小标宋, centred, one line of space below; a title longer than a line
  breaks where its words allow (after 年度, the unit …) into balanced lines.
- 一级标题 (一、) 黑体, 二级 (（一）) 楷体, 三级 (1.) 仿宋 bold — as Word heading styles, and as
  character styles for a paragraph's bold run-in title (``（一）队伍结构不合理。教师…``).
- Page numbers "— N —" in 4号 宋体 7 mm below the type area, odd pages right and even pages
  left, one character in from the edge of the type area (GB/T 9704-2012 7.5).
- 落款: the date in Arabic numerals four characters from the right margin, the unit centred
  above it (7.3.5.1, a document the department stamps), two lines below the text.
- Tables as Word tables: header row repeated on every page, rows kept whole, figures
  right-aligned, verdicts in their colours, 4号 仿宋 or smaller as the columns need, very wide
  tables on a landscape page; charts as pictures at their 200 dpi resolution with a caption
  "图N 标题"; notes under them in 4号.

Fonts are declared by the names government PCs have (仿宋_GB2312, 方正小标宋简体, 黑体,
楷体_GB2312, 宋体) as East-Asian fonts, each with an alternative name in the font table (仿宋,
华文中宋, SimHei, 楷体, SimSun) for machines without it; nothing is embedded. Every format is
a named style (Normal, Title, Heading 1-3, Caption, Footer, 表格文字, 公文表格, 落款 …), so a
department edits the document consistently in Word or WPS.
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

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.image.image import Image
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Emu, Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph as DocxParagraph
from lxml import etree

from perfkit.report.blocks import Block, Chart, Heading, ListBlock, Paragraph, Run, Signature, Table, read_blocks
from perfkit.report.layout import text_em, unbreakable_em

if TYPE_CHECKING:
    import nbformat

    from perfkit.report.meta import ReportMeta

log = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------------
# The layout (GB/T 9704-2012)
# ---------------------------------------------------------------------------------------------

PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210, 297
#: 天头 37 mm, 订口 28 mm; with the 156 by 225 mm type area the other two margins follow.
MARGIN_TOP_MM, MARGIN_BOTTOM_MM, MARGIN_LEFT_MM, MARGIN_RIGHT_MM = 37, 35, 28, 26
TYPE_WIDTH_MM = PAGE_WIDTH_MM - MARGIN_LEFT_MM - MARGIN_RIGHT_MM  # 156
TYPE_HEIGHT_MM = PAGE_HEIGHT_MM - MARGIN_TOP_MM - MARGIN_BOTTOM_MM  # 225
LINES_PER_PAGE, CHARS_PER_LINE = 22, 28

#: Chinese type sizes in points: 2号 title, 3号 body and headings, 4号 page numbers, captions,
#: notes and table text at most, then 小四, 5号, 小五.
SIZE_2, SIZE_3, SIZE_4, SIZE_SMALL_4, SIZE_5, SIZE_SMALL_5 = 22.0, 16.0, 14.0, 12.0, 10.5, 9.0

_TWIPS_PER_MM = 1440 / 25.4
#: Line pitch in twips: 225 mm / 22 lines = 28.99 pt, rounded down so 22 lines fit (28.95 pt).
LINE_PITCH_TWIPS = math.floor(TYPE_HEIGHT_MM * _TWIPS_PER_MM / LINES_PER_PAGE)
_TYPE_WIDTH_PT = (PAGE_WIDTH_MM * _TWIPS_PER_MM // 1 - round(MARGIN_LEFT_MM * _TWIPS_PER_MM)
                  - round(MARGIN_RIGHT_MM * _TWIPS_PER_MM)) / 20
#: Character pitch that puts 28 3号 characters in 156 mm (15.79 pt), and the character
#: spacing that gets there: 3号 type condensed by 0.25 pt (whole twentieths of a point,
#: rounded so that 28 characters fit and 29 do not). Word, WPS and LibreOffice all apply
#: character spacing alike; a character grid (docGrid linesAndChars) LibreOffice lays out
#: differently.
CHAR_PITCH_PT = _TYPE_WIDTH_PT / CHARS_PER_LINE
CHAR_SPACING_TWIPS = math.floor((CHAR_PITCH_PT - SIZE_3) * 20)
_CHAR_TWIPS = round(SIZE_3 * 20 + CHAR_SPACING_TWIPS)  # one body character, for indents
#: Title lines: 2号 type on a fixed 35 pt line (common practice; the standard sets none).
TITLE_LINE_PT = 35.0
#: The page number's 一字线 sits 7 mm below the type area: the footer line (4号, 14 pt high)
#: ends about 2.7 mm below the dash, so the footer's bottom is 35 - 7 - 2.7 mm from the edge.
FOOTER_DISTANCE_MM = MARGIN_BOTTOM_MM - 7 - 2.7
#: 落款: the longer of unit and date ends four characters from the right margin (7.3.5.1),
#: two blank lines below the text (room for the seal, whose top must come within one line).
SIGNATURE_RIGHT_CHARS, SIGNATURE_GAP_LINES = 4, 2


@dataclass(frozen=True)
class Face:
    """A font as a Word file declares it: ``name`` in the runs' ``w:eastAsia`` (what government
    PCs have), ``alt`` the font table's ``w:altName`` where it is not installed, and the PANOSE
    classification, family and pitch Word matches a substitute by."""

    name: str
    alt: str
    panose: str
    family: str = "modern"
    pitch: str = "fixed"


FANGSONG = Face("仿宋_GB2312", "仿宋", "02010609030101010101")
XIAOBIAOSONG = Face("方正小标宋简体", "华文中宋", "02000000000000000000", "auto", "variable")
HEITI = Face("黑体", "SimHei", "02010609060101010101")
KAITI = Face("楷体_GB2312", "楷体", "02010609030101010101")
SONGTI = Face("宋体", "SimSun", "02010600030101010101", "auto", "variable")
#: Latin letters and digits beside Chinese text.
LATIN = "Times New Roman"

#: Paragraph style of each heading level: 1 is the title, 2 一级标题, 3 二级, 4 三级.
HEADING_STYLES = {1: "Title", 2: "Heading 1", 3: "Heading 2", 4: "Heading 3"}
#: Character styles of run-in titles (a bold run that opens a paragraph), by their numbering.
RUN_IN_STYLES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^[一二三四五六七八九十百]+、"), "文内一级标题"),
    (re.compile(r"^（[一二三四五六七八九十百]+）"), "文内二级标题"),
    (re.compile(r"^\d+[.\uff0e]"), "文内三级标题"),
)
#: Paragraph style of each paragraph role (:data:`perfkit.report.blocks.ROLES`).
ROLE_STYLES = {"": "Normal", "lead": "Normal", "note": "注", "center": "居中"}
#: Colour and weight of a table cell by its tone (as report.css and report.typ mark verdicts).
TONE_MARKS = {"verdict-bad": ("B22222", True), "verdict-note": ("B8860B", False),
              "verdict-na": ("808080", False)}

TABLE_STYLE = "公文表格"
#: Table text styles by size, largest first (4号 … 小五).
TABLE_TEXT_STYLES: tuple[tuple[float, str], ...] = (
    (SIZE_4, "表格文字"), (SIZE_SMALL_4, "表格文字（小四）"), (SIZE_5, "表格文字（五号）"),
    (SIZE_SMALL_5, "表格文字（小五）"))
#: Sizes tried for a table on a portrait page, then on a landscape page.
PORTRAIT_TABLE_SIZES = (SIZE_4, SIZE_SMALL_4, SIZE_5)
LANDSCAPE_TABLE_SIZES = (SIZE_SMALL_4, SIZE_5, SIZE_SMALL_5)
#: Cell padding left and right (1 mm) and above and below (2 pt), in twips, and the width
#: padding and border take, in points.
CELL_MARGIN_TWIPS, CELL_MARGIN_V_TWIPS = 57, 40
_CELL_PAD_PT = 2 * CELL_MARGIN_TWIPS / 20 + 0.5
#: Column widths in em: text wraps, but labels up to SHORT_EM stay on one line, longer text
#: gets at least LONG_MIN_EM and headers at least HEADER_MIN_EM before they wrap.
SHORT_EM, LONG_MIN_EM, HEADER_MIN_EM = 8.0, 8.0, 4.0
#: A table whose tallest row would wrap to more lines than MAX_ROW_LINES tries a smaller type
#: or a landscape page; rows of up to KEEP_ROW_LINES lines are never split across pages.
MAX_ROW_LINES, KEEP_ROW_LINES = 8, 5

# ---------------------------------------------------------------------------------------------
# Low-level XML helpers
# ---------------------------------------------------------------------------------------------


def _el(tag: str, **attrs: Any) -> Any:
    element = OxmlElement(tag)
    for key, value in attrs.items():
        element.set(qn(f"w:{key}"), str(value))
    return element


#: Schema order of the children of the property elements the writer edits (ECMA-376).
_ORDER = {
    "pPr": ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl",
            "numPr", "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens",
            "kinsoku", "wordWrap", "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN",
            "bidi", "adjustRightInd", "snapToGrid", "spacing", "ind", "contextualSpacing",
            "mirrorIndents", "suppressOverlap", "jc", "textDirection", "textAlignment",
            "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange"),
    "rPr": ("rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike",
            "outline", "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish",
            "webHidden", "color", "spacing", "w", "kern", "position", "sz", "szCs", "highlight",
            "u", "effect", "bdr", "shd", "fitText", "vertAlign", "rtl", "cs", "em", "lang",
            "eastAsianLayout", "specVanish", "oMath"),
    "tblPr": ("tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize",
              "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders",
              "shd", "tblLayout", "tblCellMar", "tblLook", "tblCaption", "tblDescription"),
}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].split(":")[-1]


def _replace(parent: Any, tag: str, element: Any = None, **attrs: Any) -> Any:
    """Set ``parent``'s only ``tag`` child (``element`` or a new one with ``attrs``), in the
    schema order Word requires."""
    for old in parent.findall(qn(tag)):
        parent.remove(old)
    if element is None:
        element = _el(tag, **attrs)
    order = _ORDER.get(_local(parent.tag))
    name = _local(tag)
    if order is not None and name in order:
        later = set(order[order.index(name) + 1:])
        for child in parent.iterchildren():
            if _local(child.tag) in later:
                child.addprevious(element)
                return element
    parent.append(element)
    return element


def _set_fonts(rPr: Any, east_asia: Face, latin: str = LATIN) -> None:
    """Declare the run fonts explicitly (no theme fonts): Latin, and the East-Asian face."""
    _replace(rPr, "w:rFonts", ascii=latin, hAnsi=latin, cs=latin, eastAsia=east_asia.name,
             hint="eastAsia")


def _spacing(pPr: Any, *, line_twips: int | None = None, before: int = 0, after: int = 0) -> None:
    """Space before and after; a fixed line of ``line_twips``, or single spacing."""
    line = {"line": 240, "lineRule": "auto"} if line_twips is None else {
        "line": line_twips, "lineRule": "exact"}
    _replace(pPr, "w:spacing", before=before, after=after, beforeLines=0, afterLines=0, **line)


def _indent(pPr: Any, *, first_chars: float = 0, right_chars: float | None = None) -> None:
    attrs: dict[str, Any] = {"left": 0, "right": 0, "firstLineChars": round(first_chars * 100),
                             "firstLine": round(first_chars * _CHAR_TWIPS)}
    if right_chars is not None:
        attrs |= {"rightChars": round(right_chars * 100), "right": round(right_chars * _CHAR_TWIPS)}
    _replace(pPr, "w:ind", **attrs)


def _size(rPr: Any, points: float) -> None:
    _replace(rPr, "w:sz", val=round(points * 2))
    _replace(rPr, "w:szCs", val=round(points * 2))


def _field(paragraph: Any, instruction: str, result: str) -> None:
    """Append a complex field (``PAGE``, ``SEQ 表``) with its current result."""
    instr = _el("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    for child in (_el("w:fldChar", fldCharType="begin"), instr,
                  _el("w:fldChar", fldCharType="separate"), result,
                  _el("w:fldChar", fldCharType="end")):
        if isinstance(child, str):
            paragraph.add_run(child)
        else:
            paragraph.add_run()._r.append(child)


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


# ---------------------------------------------------------------------------------------------
# Document set-up: page, grid, fonts, styles, page numbers
# ---------------------------------------------------------------------------------------------


def _font_table(doc: Any) -> None:
    """Declare the Chinese faces in the font table, with alternative names and PANOSE."""
    part = doc.part.part_related_by(RT.FONT_TABLE)
    root = etree.fromstring(part.blob)
    names = {f.get(qn("w:name")) for f in root.findall(qn("w:font"))}
    for face in (FANGSONG, XIAOBIAOSONG, HEITI, KAITI, SONGTI):
        if face.name in names:
            continue
        font = etree.SubElement(root, qn("w:font"), {qn("w:name"): face.name})
        for tag, value in (("altName", face.alt), ("panose1", face.panose),
                           ("charset", "86"), ("family", face.family), ("pitch", face.pitch)):
            etree.SubElement(font, qn(f"w:{tag}"), {qn("w:val"): value})  # charset 86: GB2312
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _paragraph_style(doc: Any, name: str, *, base: str | None = "Normal", face: Face = FANGSONG,
                     size: float = SIZE_3, bold: bool = False, align: str | None = None,
                     first_chars: float = 0, line_twips: int | None = LINE_PITCH_TWIPS,
                     snap: bool = True, keep_next: bool = False, after: int = 0,
                     before: int = 0, condensed: bool = False) -> Any:
    styles = doc.styles
    style = styles[name] if name in [s.name for s in styles] else styles.add_style(
        name, WD_STYLE_TYPE.PARAGRAPH)
    if base is not None and name != base:
        style.base_style = styles[base]
    style.hidden = False
    style.quick_style = True
    pPr, rPr = style.element.get_or_add_pPr(), style.element.get_or_add_rPr()
    for parent, tags in ((pPr, ("w:pBdr", "w:contextualSpacing")),
                         (rPr, ("w:color", "w:spacing", "w:kern", "w:i", "w:iCs"))):
        for old in (o for tag in tags for o in parent.findall(qn(tag))):
            parent.remove(old)
    _set_fonts(rPr, face)
    _size(rPr, size)
    for tag in ("w:b", "w:bCs"):
        _replace(rPr, tag, val="1" if bold else "0")
    _replace(rPr, "w:spacing", val=CHAR_SPACING_TWIPS if condensed else 0)
    _spacing(pPr, line_twips=line_twips, before=before, after=after)
    _indent(pPr, first_chars=first_chars)
    if align is not None:
        _replace(pPr, "w:jc", val=align)
    if not snap:  # off the document grid (titles, tables, captions, pictures)
        _replace(pPr, "w:snapToGrid", val="0")
    style.paragraph_format.keep_with_next = keep_next or None
    return style


def _styles(doc: Any) -> None:
    """Define every style the writer uses (so a user edits the document consistently)."""
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(rpr, FANGSONG)
    _size(rpr, SIZE_3)
    _replace(rpr, "w:lang", val="en-US", eastAsia="zh-CN", bidi="ar-SA")
    _spacing(defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")), line_twips=LINE_PITCH_TWIPS)

    normal = _paragraph_style(doc, "Normal", base=None, first_chars=2, align="both",
                              condensed=True).element.get_or_add_pPr()
    _replace(normal, "w:widowControl", val="0")  # 22 lines on every page
    # No extra space between Chinese and Latin text or digits: 28 characters a line.
    _replace(normal, "w:autoSpaceDE", val="0")
    _replace(normal, "w:autoSpaceDN", val="0")
    _paragraph_style(doc, "Title", face=XIAOBIAOSONG, size=SIZE_2, align="center",
                     line_twips=round(TITLE_LINE_PT * 20), snap=False, keep_next=True,
                     after=LINE_PITCH_TWIPS)
    for level, face, bold in ((1, HEITI, False), (2, KAITI, False), (3, FANGSONG, True),
                              (4, FANGSONG, False)):
        style = _paragraph_style(doc, f"Heading {level}", face=face, bold=bold, first_chars=2,
                                 keep_next=True, condensed=True)
        style.paragraph_format.keep_together = True
        _replace(style.element.get_or_add_pPr(), "w:outlineLvl", val=level - 1)
    for name, face, bold in (("文内一级标题", HEITI, False), ("文内二级标题", KAITI, False),
                             ("文内三级标题", FANGSONG, True)):
        char = doc.styles.add_style(name, WD_STYLE_TYPE.CHARACTER)
        char.base_style = doc.styles["Default Paragraph Font"]
        char.quick_style = True
        _set_fonts(char.element.get_or_add_rPr(), face)
        for tag in ("w:b", "w:bCs"):
            _replace(char.element.get_or_add_rPr(), tag, val="1" if bold else "0")
    _paragraph_style(doc, "Caption", face=HEITI, size=SIZE_4, align="center", snap=False)
    _paragraph_style(doc, "注", size=SIZE_4, line_twips=None, snap=False)
    _paragraph_style(doc, "居中", align="center", condensed=True)
    _paragraph_style(doc, "图片", align="center", line_twips=None, snap=False, keep_next=True,
                     before=120)
    _paragraph_style(doc, "落款", align="right", keep_next=True, condensed=True)
    footer = _paragraph_style(doc, "Footer", face=SONGTI, size=SIZE_4, line_twips=None,
                              snap=False).element.get_or_add_pPr()
    for old in footer.findall(qn("w:tabs")):
        footer.remove(old)
    for size, name in TABLE_TEXT_STYLES:
        style = _paragraph_style(doc, name, base="Normal" if name == "表格文字" else "表格文字",
                                 size=size, align="left", line_twips=None, snap=False)
        _replace(style.element.get_or_add_rPr(), "w:snapToGrid", val="0")
    for depth, name in ((1, "List Bullet"), (2, "List Bullet 2")):
        style = _paragraph_style(doc, name, first_chars=0, condensed=True)
        _replace(style.element.get_or_add_pPr(), "w:ind", left=(2 + depth) * _CHAR_TWIPS,
                 hanging=_CHAR_TWIPS, firstLineChars=0)
    _table_style(doc)


def _table_style(doc: Any) -> None:
    style = doc.styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.TABLE)
    style.base_style = doc.styles["Table Grid"]
    style.quick_style = True
    tblPr = style.element.find(qn("w:tblPr"))
    if tblPr is None:
        tblPr = _el("w:tblPr")
        style.element.append(tblPr)
    _replace(tblPr, "w:jc", val="center")
    borders = _el("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(_el(f"w:{side}", val="single", sz=4, space=0, color="000000"))
    _replace(tblPr, "w:tblBorders", borders)
    margins = _el("w:tblCellMar")
    for side, width in (("top", CELL_MARGIN_V_TWIPS), ("left", CELL_MARGIN_TWIPS),
                        ("bottom", CELL_MARGIN_V_TWIPS), ("right", CELL_MARGIN_TWIPS)):
        margins.append(_el(f"w:{side}", w=width, type="dxa"))
    _replace(tblPr, "w:tblCellMar", margins)


def _page(section: Any, *, landscape: bool) -> None:
    """A4 with the official margins; a landscape page turns them with the sheet (the 订口
    comes on top, as GB/T 9704 turns a landscape table's page)."""
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    width, height = Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM)
    top, right, bottom, left = MARGIN_TOP_MM, MARGIN_RIGHT_MM, MARGIN_BOTTOM_MM, MARGIN_LEFT_MM
    if landscape:
        width, height = height, width
        top, right, bottom, left = left, top, right, bottom
    section.page_width, section.page_height = width, height
    section.top_margin, section.bottom_margin = Mm(top), Mm(bottom)
    section.left_margin, section.right_margin = Mm(left), Mm(right)
    section.footer_distance = Mm(FOOTER_DISTANCE_MM)
    section.header_distance = Mm(15)
    for old in section._sectPr.findall(qn("w:docGrid")):
        section._sectPr.remove(old)
    section._sectPr.append(_el("w:docGrid", type="lines", linePitch=LINE_PITCH_TWIPS))


def _page_numbers(doc: Any) -> None:
    """"— N —" in 4号 宋体: odd pages right, even pages left, one character in (7.5)."""
    doc.settings.odd_and_even_pages_header_footer = True
    section = doc.sections[0]
    for footer, align, side in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right"),
                                (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left")):
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0]
        paragraph.style = doc.styles["Footer"]
        paragraph.alignment = align
        setattr(paragraph.paragraph_format, f"{side}_indent", Pt(SIZE_4))
        paragraph.add_run("— ")
        _field(paragraph, "PAGE", "1")
        paragraph.add_run(" —")


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


def new_document() -> Any:
    """An empty document with the official page, grid, fonts, styles and page numbers."""
    doc = Document()
    _font_table(doc)
    _styles(doc)
    for lang in doc.settings.element.findall(qn("w:themeFontLang")):
        lang.set(qn("w:eastAsia"), "zh-CN")
    package = doc.part.package  # the template's thumbnail would preview another document
    for rel_id, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            package.rels.pop(rel_id)
    _page(doc.sections[0], landscape=False)
    _page_numbers(doc)
    return doc


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
    pages = [(False, _TYPE_WIDTH_PT, PORTRAIT_TABLE_SIZES),
             (True, TYPE_HEIGHT_MM * 72 / 25.4, LANDSCAPE_TABLE_SIZES)]
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
        self.doc = new_document()
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
            _spacing(holder.get_or_add_pPr(), line_twips=20)
            _size(_replace(holder.get_or_add_pPr(), "w:rPr"), 1)
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
        _page(section, landscape=landscape)
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
            text = "\n".join(title_lines(text, width / SIZE_2))
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
            _indent(p._p.get_or_add_pPr(), right_chars=SIGNATURE_RIGHT_CHARS + (widest - em(line)) / 2)
            if i == len(lines) - 1:
                p.paragraph_format.keep_with_next = False

    # -- tables and pictures ------------------------------------------------------------------
    def caption(self, label: str, text: str, *, keep_next: bool) -> None:
        number = self.tables if label == "表" else self.figures
        p = self.doc.add_paragraph(style="Caption")  # on the page of its table or picture
        p.add_run(label)
        _field(p, f"SEQ {label} \\* ARABIC", str(number))
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
        room_h = int(Mm(TYPE_HEIGHT_MM) * 0.8)  # leave room for the caption
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
        text_style = self.doc.styles[dict(TABLE_TEXT_STYLES)[layout.size]].style_id
        table = self.doc.add_table(rows=1 + len(rows), cols=len(columns))
        table.style = self.doc.styles[TABLE_STYLE]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        _replace(table._tbl.tblPr, "w:tblW", w=round(sum(layout.widths_pt) * 20), type="dxa")
        _replace(table._tbl.tblPr, "w:tblLayout", type="fixed")
        for col, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), layout.widths_pt,
                              strict=True):
            col.set(qn("w:w"), str(round(width * 20)))
        for r, row in enumerate(table.rows):
            trPr = row._tr.get_or_add_trPr()
            if (layout.row_lines[r] if r < len(layout.row_lines) else 1) <= KEEP_ROW_LINES:
                trPr.append(_el("w:cantSplit"))  # a taller row may break rather than leave a gap
            if r == 0:
                trPr.append(_el("w:tblHeader"))
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
    writer = WordWriter(meta)
    for block in blocks:
        writer.add(block)
    return writer.save()


def notebook_docx(nb: nbformat.NotebookNode, meta: ReportMeta | None = None) -> bytes:
    """The blocks of an executed notebook's reviewer copy (tagged cells removed; see
    :func:`perfkit.report.render.render_notebook`) as an official-layout ``.docx``."""
    return blocks_docx(read_blocks(nb), meta)


__all__ = [
    "CHAR_PITCH_PT", "CHAR_SPACING_TWIPS", "LINE_PITCH_TWIPS", "TableLayout", "WordWriter",
    "blocks_docx", "new_document", "notebook_docx", "table_layout", "title_lines",
]
