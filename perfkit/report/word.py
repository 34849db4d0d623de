"""The 自评报告 and the 复核意见 as editable Word files in the official-document layout.

A third renderer of an executed notebook, beside the reviewer HTML and the PDF: it reads what
the HTML shows (the reviewer copy of the notebook: tagged cells and code removed) — Markdown
cells and ``text/markdown`` outputs through markdown-it, tables from their structured form
(:data:`perfkit.report.tables.TABLE_MIME`), PNG charts as pictures — and writes a ``.docx`` with
python-docx, laid out as GB/T 9704-2012 (党政机关公文格式) lays out a document:

- A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm (type area 156 by 225 mm).
- Body 3号 (16 pt) 仿宋, 22 lines of 28 characters a page: fixed line pitch 225 mm / 22 and
  characters condensed so that 28 fill 156 mm; first-line indent of two characters; Latin
  letters and digits in Times New Roman.
- Title 2号 (22 pt) 小标宋, centred, one line of space below; a title longer than a line
  breaks where its words allow (after 年度, the unit …) into balanced lines.
- 一级标题 (一、) 黑体, 二级 (（一）) 楷体, 三级 (1.) 仿宋 bold — as Word heading styles, and as
  character styles for run-in titles ("**（一）队伍结构不合理**。教师…").
- Page numbers "— N —" in 4号 宋体 7 mm below the type area, odd pages right and even pages
  left, one character in from the edge of the type area (GB/T 9704-2012 7.5).
- 落款: the date in Arabic numerals four characters from the right margin, the unit centred
  above it (7.3.5.1, a document the department stamps), two lines below the text.
- Tables as Word tables: header row repeated on every page, rows kept whole, figures
  right-aligned, 4号 仿宋 or smaller as the columns need, very wide tables on a landscape page;
  charts as pictures at their 200 dpi resolution with a caption "图N 标题".

Fonts are declared by the names government PCs have (仿宋_GB2312, 方正小标宋简体, 黑体,
楷体_GB2312, 宋体) as East-Asian fonts, each with an alternative name in the font table (仿宋,
华文中宋, SimHei, 楷体, SimSun) for machines without it; nothing is embedded. Every format is
a named style (Normal, Title, Heading 1-3, Caption, Footer, 表格文字, 公文表格, 落款 …), so a
department edits the document consistently in Word or WPS.
"""

from __future__ import annotations

import base64
import binascii
import copy
import datetime as dt
import io
import logging
import math
import re
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser
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
from docx.text.paragraph import Paragraph
from lxml import etree
from markdown_it import MarkdownIt

from perfkit.report.tables import is_number_text

TABLE_MIME = "application/vnd.perfkit.table+json"  # interim: the Word writer is being rewritten

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

#: Chinese type sizes in points.
SIZE_2 = 22.0  # 2号: title
SIZE_3 = 16.0  # 3号: body and headings
SIZE_4 = 14.0  # 4号: page numbers, captions, table text at most
SIZE_SMALL_4 = 12.0  # 小四
SIZE_5 = 10.5  # 5号
SIZE_SMALL_5 = 9.0  # 小五

_TWIPS_PER_MM = 1440 / 25.4
#: Line pitch in twips: 225 mm / 22 lines = 28.99 pt, rounded down so 22 lines fit (28.95 pt).
LINE_PITCH_TWIPS = math.floor(TYPE_HEIGHT_MM * _TWIPS_PER_MM / LINES_PER_PAGE)
_TYPE_WIDTH_PT = (
    PAGE_WIDTH_MM * _TWIPS_PER_MM // 1
    - round(MARGIN_LEFT_MM * _TWIPS_PER_MM)
    - round(MARGIN_RIGHT_MM * _TWIPS_PER_MM)
) / 20
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
#: 落款: the longer of unit and date ends four characters from the right margin (7.3.5.1).
SIGNATURE_RIGHT_CHARS = 4
#: Blank lines between the text and the 落款 (room for the seal, whose top must come within
#: one line of the text).
SIGNATURE_GAP_LINES = 2


@dataclass(frozen=True)
class Face:
    """A font as a Word file declares it.

    Attributes:
        name: the font name written in the runs' ``w:eastAsia`` (what government PCs have).
        alt: the font table's ``w:altName``, used where ``name`` is not installed.
        panose: the PANOSE classification Word matches a substitute by.
        family: ``roman``, ``modern``, ``swiss`` or ``auto``.
        pitch: ``fixed`` or ``variable``.
    """

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

#: Paragraph style of each Markdown heading level: # is the title, ## 一级标题, ### 二级 …
HEADING_STYLES = {1: "Title", 2: "Heading 1", 3: "Heading 2", 4: "Heading 3", 5: "Heading 4",
                  6: "Heading 4"}

#: Character styles of run-in titles (a bold run that opens a paragraph), by numbering.
RUN_IN_STYLES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^[一二三四五六七八九十百]+、"), "文内一级标题"),
    (re.compile(r"^（[一二三四五六七八九十百]+）"), "文内二级标题"),
    (re.compile(r"^\d+[.\uff0e]"), "文内三级标题"),
)

TABLE_STYLE = "公文表格"
#: Table text styles by size, largest first (4号 … 小五).
TABLE_TEXT_STYLES: tuple[tuple[float, str], ...] = (
    (SIZE_4, "表格文字"), (SIZE_SMALL_4, "表格文字（小四）"), (SIZE_5, "表格文字（五号）"),
    (SIZE_SMALL_5, "表格文字（小五）"))
#: Sizes tried for a table on a portrait page, then on a landscape page.
PORTRAIT_TABLE_SIZES = (SIZE_4, SIZE_SMALL_4, SIZE_5)
LANDSCAPE_TABLE_SIZES = (SIZE_SMALL_4, SIZE_5, SIZE_SMALL_5)
#: Cell padding left and right (twips) and the width it and the border take, in points.
CELL_MARGIN_TWIPS = 57  # 1 mm
CELL_MARGIN_V_TWIPS = 40  # 2 pt above and below the text
_CELL_PAD_PT = 2 * CELL_MARGIN_TWIPS / 20 + 0.5
#: Column widths in em: text wraps, but labels up to SHORT_EM stay on one line, longer text
#: gets at least LONG_MIN_EM and headers at least HEADER_MIN_EM before they wrap.
SHORT_EM = 8.0
LONG_MIN_EM = 8.0
HEADER_MIN_EM = 4.0
#: A table whose tallest row would wrap to more lines than this tries a smaller type or a
#: landscape page.
MAX_ROW_LINES = 8
#: Rows of up to this many lines are never split across pages.
KEEP_ROW_LINES = 5

#: Priority of output types, as nbconvert's HTML (text/html first) with tables first.
OUTPUT_PRIORITY = (TABLE_MIME, "text/html", "image/png", "image/jpeg", "text/markdown",
                   "text/plain")

_MD = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


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


def _no_snap(pPr: Any) -> None:
    """Keep a paragraph off the document grid (titles, tables, captions, pictures)."""
    _replace(pPr, "w:snapToGrid", val="0")


def _spacing(pPr: Any, *, line_twips: int | None = None, exact: bool = True,
             before: int = 0, after: int = 0) -> None:
    attrs: dict[str, Any] = {"before": before, "after": after, "beforeLines": 0,
                             "afterLines": 0}
    if line_twips is None:
        attrs |= {"line": 240, "lineRule": "auto"}
    else:
        attrs |= {"line": line_twips, "lineRule": "exact" if exact else "atLeast"}
    _replace(pPr, "w:spacing", **attrs)


def _indent(pPr: Any, *, first_chars: float = 0, left_twips: int = 0, right_twips: int = 0,
            right_chars: float | None = None) -> None:
    attrs: dict[str, Any] = {"left": left_twips, "right": right_twips,
                             "firstLineChars": round(first_chars * 100),
                             "firstLine": round(first_chars * _CHAR_TWIPS)}
    if right_chars is not None:
        attrs |= {"rightChars": round(right_chars * 100), "right": round(right_chars * _CHAR_TWIPS)}
    _replace(pPr, "w:ind", **attrs)


def _size(rPr: Any, points: float) -> None:
    _replace(rPr, "w:sz", val=round(points * 2))
    _replace(rPr, "w:szCs", val=round(points * 2))


def _field(paragraph: Any, instruction: str, result: str, style: str | None = None) -> None:
    """Append a complex field (``PAGE``, ``SEQ 表``) with its current result."""
    def run(*children: Any, text: str | None = None) -> None:
        r = paragraph.add_run(text, style=style)
        for child in children:
            r._r.append(child)

    run(_el("w:fldChar", fldCharType="begin"))
    instr = _el("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run(instr)
    run(_el("w:fldChar", fldCharType="separate"))
    run(text=result)
    run(_el("w:fldChar", fldCharType="end"))


#: Words a title may break after (GB/T 9704 7.3.1: 回行时词意完整、排列对称).
TITLE_BREAK_AFTER = ("年度", "局", "厅", "委", "办公室", "关于", "的")


def title_lines(text: str, width_em: float) -> list[str]:
    """Split a title into lines of at most ``width_em``, breaking after a word of
    :data:`TITLE_BREAK_AFTER` into the most balanced lines (one line if it fits)."""
    text = " ".join(text.split())
    if _em(text) <= width_em:
        return [text]
    best: tuple[float, int] | None = None
    for word in TITLE_BREAK_AFTER:
        for m in re.finditer(re.escape(word), text):
            cut = m.end()
            head, tail = text[:cut], text[cut:]
            if not tail or _em(head) > width_em or _em(tail) > width_em:
                continue
            score = abs(_em(head) - _em(tail))
            if best is None or score < best[0]:
                best = (score, cut)
    if best is None:  # no word to break after: the middle, then what remains
        cut = len(text) // 2
        while cut < len(text) and _em(text[:cut]) < _em(text) / 2:
            cut += 1
        return [text[:cut], *title_lines(text[cut:], width_em)]
    return [text[:best[1]], text[best[1]:]]


def _em(text: str, half: float = 0.55) -> float:
    """Advance of ``text`` in em: CJK full width; Latin letters and digits (Times New Roman)
    ``half`` (digits are 0.5 em, letters vary: tables allow a little more)."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else half for ch in text)


_LATIN_RUN = re.compile(r"[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]+")


def _unbreakable_em(text: str) -> float:
    """Width of the longest run that does not wrap (numbers, Latin words, cell references)."""
    return max((_em(run) for run in _LATIN_RUN.findall(text)), default=0.0)


def _is_cjk(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in "WF"


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
        etree.SubElement(font, qn("w:altName"), {qn("w:val"): face.alt})
        etree.SubElement(font, qn("w:panose1"), {qn("w:val"): face.panose})
        etree.SubElement(font, qn("w:charset"), {qn("w:val"): "86"})  # GB2312
        etree.SubElement(font, qn("w:family"), {qn("w:val"): face.family})
        etree.SubElement(font, qn("w:pitch"), {qn("w:val"): face.pitch})
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
    for tag in ("w:pBdr", "w:contextualSpacing"):
        for old in pPr.findall(qn(tag)):
            pPr.remove(old)
    for tag in ("w:color", "w:spacing", "w:kern", "w:i", "w:iCs"):
        for old in rPr.findall(qn(tag)):
            rPr.remove(old)
    _set_fonts(rPr, face)
    _size(rPr, size)
    for tag in ("w:b", "w:bCs"):
        _replace(rPr, tag, val="1" if bold else "0")
    _replace(rPr, "w:spacing", val=CHAR_SPACING_TWIPS if condensed else 0)
    _spacing(pPr, line_twips=line_twips, before=before, after=after)
    _indent(pPr, first_chars=first_chars)
    if align is not None:
        _replace(pPr, "w:jc", val=align)
    if not snap:
        _no_snap(pPr)
    style.paragraph_format.keep_with_next = keep_next or None
    return style


def _character_style(doc: Any, name: str, face: Face, *, bold: bool) -> None:
    style = doc.styles.add_style(name, WD_STYLE_TYPE.CHARACTER)
    style.base_style = doc.styles["Default Paragraph Font"]
    style.quick_style = True
    rPr = style.element.get_or_add_rPr()
    _set_fonts(rPr, face)
    for tag in ("w:b", "w:bCs"):
        _replace(rPr, tag, val="1" if bold else "0")


def _styles(doc: Any) -> None:
    """Define every style the writer uses (so a user edits the document consistently)."""
    styles_el = doc.styles.element
    defaults = styles_el.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(rpr, FANGSONG)
    _size(rpr, SIZE_3)
    _replace(rpr, "w:lang", val="en-US", eastAsia="zh-CN", bidi="ar-SA")
    ppr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
    _spacing(ppr, line_twips=LINE_PITCH_TWIPS)

    normal = _paragraph_style(doc, "Normal", base=None, first_chars=2, align="both",
                              condensed=True)
    normal_pPr = normal.element.get_or_add_pPr()
    _replace(normal_pPr, "w:widowControl", val="0")  # 22 lines on every page
    # No extra space between Chinese and Latin text or digits: 28 characters a line.
    _replace(normal_pPr, "w:autoSpaceDE", val="0")
    _replace(normal_pPr, "w:autoSpaceDN", val="0")
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
        _character_style(doc, name, face, bold=bold)
    _paragraph_style(doc, "Caption", face=HEITI, size=SIZE_4, align="center", snap=False)
    _paragraph_style(doc, "图片", align="center", line_twips=None, snap=False, keep_next=True,
                     before=120)
    _paragraph_style(doc, "落款", align="right", keep_next=True, condensed=True)
    _paragraph_style(doc, "Footer", face=SONGTI, size=SIZE_4, line_twips=None, snap=False)
    footer = doc.styles["Footer"].element.get_or_add_pPr()
    for old in footer.findall(qn("w:tabs")):
        footer.remove(old)
    for size, name in TABLE_TEXT_STYLES:
        _paragraph_style(doc, name, base="Normal" if name == "表格文字" else "表格文字",
                         size=size, align="left", line_twips=None, snap=False)
        _replace(doc.styles[name].element.get_or_add_rPr(), "w:snapToGrid", val="0")
    for name in ("List Bullet", "List Bullet 2"):
        style = _paragraph_style(doc, name, first_chars=0, condensed=True)
        depth = 1 if name == "List Bullet" else 2
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
    top, right, bottom, left = (MARGIN_TOP_MM, MARGIN_RIGHT_MM, MARGIN_BOTTOM_MM,
                                MARGIN_LEFT_MM)
    if landscape:
        width, height = height, width
        top, right, bottom, left = left, top, right, bottom
    section.page_width, section.page_height = width, height
    section.top_margin, section.bottom_margin = Mm(top), Mm(bottom)
    section.left_margin, section.right_margin = Mm(left), Mm(right)
    section.footer_distance = Mm(FOOTER_DISTANCE_MM)
    section.header_distance = Mm(15)
    sectPr = section._sectPr
    for old in sectPr.findall(qn("w:docGrid")):
        sectPr.remove(old)
    sectPr.append(_el("w:docGrid", type="lines", linePitch=LINE_PITCH_TWIPS))


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


def _settings(doc: Any) -> None:
    settings = doc.settings.element
    for lang in settings.findall(qn("w:themeFontLang")):
        lang.set(qn("w:eastAsia"), "zh-CN")


def _drop_thumbnail(doc: Any) -> None:
    """The template's thumbnail would show another document's preview in file browsers."""
    package = doc.part.package
    for rel_id, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            package.rels.pop(rel_id)


def _properties(doc: Any, meta: ReportMeta | None, title: str) -> None:
    props = doc.core_properties
    props.title = title
    props.author = meta.department if meta else ""
    props.last_modified_by = meta.department if meta else ""
    props.subject = meta.title if meta else ""
    props.keywords = f"{meta.year}年度" if meta else ""
    props.comments = ""
    props.category = ""
    props.revision = 1
    props.language = "zh-CN"
    when = None
    if meta is not None:
        try:
            when = dt.datetime.fromisoformat(meta.generated_at)
        except (TypeError, ValueError):
            when = None
    if when is not None:
        when = when.astimezone(dt.UTC).replace(tzinfo=None)
        props.created = props.modified = when


def new_document() -> Any:
    """An empty document with the official page, grid, fonts, styles and page numbers."""
    doc = Document()
    _font_table(doc)
    _styles(doc)
    _settings(doc)
    _drop_thumbnail(doc)
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
    longest = max((_em(c) for line in cells for c in line.split("\n")), default=0.0)
    if numeric:
        need = longest
    else:
        need = max((_unbreakable_em(c) for c in cells), default=0.0)
        need = max(need, longest if longest <= SHORT_EM else LONG_MIN_EM)
    need = max(need, _unbreakable_em(header), min(_em(header), HEADER_MIN_EM))
    return need, max(need, longest, min(_em(header), SHORT_EM))


def _lines(text: str, width_em: float) -> int:
    return sum(max(1, math.ceil(_em(line) / max(width_em, 1.0) - 1e-9))
               for line in text.split("\n"))


def table_layout(columns: list[str], rows: list[list[str]], numeric: list[bool]) -> TableLayout:
    """Choose type size, orientation and column widths for a table.

    Candidates, in order of preference: a portrait page at 4号, 小四, 五号, then a landscape
    page at 小四, 五号, 小五. In each, every column gets its narrowest width and the rest of
    the line is shared in proportion to how much wider each column would like to be (as a
    browser lays out a table). The first candidate where nine rows in ten wrap to at most
    MAX_ROW_LINES lines wins; if none does, the one where they are lowest.

    Args:
        columns: header texts.
        rows: cell texts.
        numeric: which columns hold figures (never wrapped).
    """
    ems = [_column_ems(h, [r[i] for r in rows if i < len(r)],
                       numeric[i] if i < len(numeric) else False)
           for i, h in enumerate(columns)]
    need, most = [n for n, _ in ems], [m for _, m in ems]
    portrait_pt = _TYPE_WIDTH_PT
    landscape_pt = TYPE_HEIGHT_MM * 72 / 25.4
    pad = _CELL_PAD_PT * len(columns)
    best: TableLayout | None = None
    for landscape, width, sizes in ((False, portrait_pt, PORTRAIT_TABLE_SIZES),
                                    (True, landscape_pt, LANDSCAPE_TABLE_SIZES)):
        for size in sizes:
            room = (width - pad) / size  # in em
            if sum(need) > room:
                continue
            widths = _share(need, most, room)
            row_lines = tuple(max(_lines(r[i] if i < len(r) else "", widths[i])
                                  for i in range(len(columns))) for r in [columns, *rows])
            layout = TableLayout(size, landscape, tuple(w * size + _CELL_PAD_PT for w in widths),
                                 row_lines)
            if layout.typical_row_lines <= MAX_ROW_LINES:
                return layout
            if best is None or (layout.typical_row_lines * size
                                < best.typical_row_lines * best.size):
                best = layout
    if best is not None:
        return best
    size = LANDSCAPE_TABLE_SIZES[-1]  # too wide for anything: squeeze by what columns need
    room = (landscape_pt - pad) / size
    total = sum(need) or 1.0
    return TableLayout(size, True, tuple(room * n / total * size + _CELL_PAD_PT for n in need))


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


_CSS_COLOR = re.compile(r"color\s*:\s*#([0-9a-fA-F]{6})")
_CSS_BOLD = re.compile(r"font-weight\s*:\s*(bold|[6-9]00)")


# ---------------------------------------------------------------------------------------------
# HTML fragments (inline HTML in Markdown, text/html outputs without a table form)
# ---------------------------------------------------------------------------------------------


class _HtmlBlocks(HTMLParser):
    """Blocks of simple HTML: paragraphs (lines split at ``<br>``, class kept) and tables."""

    _BLOCK = frozenset({"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "caption",
                        "pre", "blockquote"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, Any]] = []  # ("p", (class, lines)) / ("table", spec)
        self._lines: list[str] = [""]
        self._class = ""
        self._skip = 0
        self._table: dict[str, Any] | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._header_row = False

    def _flush(self) -> None:
        lines = [" ".join(line.split()) for line in self._lines]
        if any(lines):
            self.blocks.append(("p", (self._class, lines)))
        self._lines, self._class = [""], ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "table":
            self._flush()
            self._table = {"columns": [], "rows": [], "caption": None}
        elif self._table is not None:
            if tag == "tr":
                self._row, self._header_row = [], True
            elif tag in ("td", "th"):
                self._cell = []
                self._header_row &= tag == "th"
            elif tag == "br" and self._cell is not None:
                self._cell.append("\n")
        elif tag == "br":
            self._lines.append("")
        elif tag in self._BLOCK:
            self._flush()
            self._class = dict(attrs).get("class") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif self._table is not None:
            if tag in ("td", "th") and self._cell is not None and self._row is not None:
                self._row.append(" ".join("".join(self._cell).split()))
                self._cell = None
            elif tag == "tr" and self._row is not None:
                table = self._table
                if self._header_row and not table["rows"] and not table["columns"]:
                    table["columns"] = self._row
                else:
                    table["rows"].append(self._row)
                self._row = None
            elif tag == "table":
                table, self._table = self._table, None
                if not table["columns"] and table["rows"]:
                    table["columns"] = table["rows"].pop(0)
                width = max([len(table["columns"]), *map(len, table["rows"])], default=0)
                table["columns"] += [""] * (width - len(table["columns"]))
                table["rows"] = [r + [""] * (width - len(r)) for r in table["rows"]]
                table["numeric"] = _numeric_columns(table["rows"], width)
                self.blocks.append(("table", table))
        elif tag in self._BLOCK:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._table is not None:
            if self._cell is not None:
                self._cell.append(data)
            return
        self._lines[-1] += data

    def close(self) -> None:
        super().close()
        self._flush()


def _numeric_columns(rows: list[list[str]], width: int) -> list[bool]:
    out = []
    for i in range(width):
        cells = [r[i].strip() for r in rows if i < len(r)]
        figures = [c for c in cells if is_number_text(c)]
        out.append(bool(figures) and len(figures) * 2 >= len([c for c in cells if c]))
    return out


# ---------------------------------------------------------------------------------------------
# The writer
# ---------------------------------------------------------------------------------------------


@dataclass
class _Segment:
    text: str
    bold: bool = False
    italic: bool = False
    style: str | None = None
    kind: str = "text"  # text, soft (soft line break), hard (line break)


class WordWriter:
    """Builds one official-layout document from notebook content, block by block."""

    def __init__(self, meta: ReportMeta | None = None):
        self.meta = meta
        self.doc = new_document()
        self.tables = 0
        self.figures = 0
        self.landscape = False
        self.title = ""
        self._style_ids: dict[str, str] = {}

    # -- blocks -------------------------------------------------------------------------------
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
            mark = _replace(holder.get_or_add_pPr(), "w:rPr")
            _size(mark, 1)
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

    def paragraph(self, style: str = "Normal") -> Any:
        self._portrait()
        p = self.doc.add_paragraph()
        if style != "Normal":  # by id: python-docx looks a name up among all styles each time
            p._p.style = self._style_id(style)
        return p

    def _style_id(self, name: str) -> str:
        if name not in self._style_ids:
            self._style_ids[name] = self.doc.styles[name].style_id
        return self._style_ids[name]

    def heading(self, level: int, segments: list[_Segment]) -> None:
        style = HEADING_STYLES.get(level, "Heading 4")
        text = "".join(s.text for s in segments if s.kind == "text")
        if style == "Title":
            self.title = self.title or " ".join(text.split())
        p = self.paragraph(style)
        if style == "Title":
            width = (self.doc.sections[-1].page_width - self.doc.sections[-1].left_margin
                     - self.doc.sections[-1].right_margin) / 12700 / SIZE_2
            lines = title_lines(text, width)
            segments = []
            for n, line in enumerate(lines):
                segments += [_Segment("", kind="hard")] if n else []
                segments.append(_Segment(line))
        self._runs(p, [_Segment(s.text, kind=s.kind) for s in segments])

    def text_paragraph(self, segments: list[_Segment], style: str = "Normal") -> None:
        segments = _run_in(segments)
        if not any(s.text.strip() for s in segments if s.kind == "text"):
            return
        p = self.paragraph(style)
        self._runs(p, segments)

    def plain(self, text: str) -> None:
        for line in text.splitlines():
            if line.strip():
                self.text_paragraph([_Segment(line.strip())])

    def signature(self, lines: list[str]) -> None:
        """落款: unit and date, the longer line four characters from the right margin and
        the shorter centred on it, two lines below the text (7.3.5.1)."""
        lines = [line.strip() for line in lines if line.strip()]
        if not lines:
            return
        self._portrait()
        last = self.doc.element.body[-2] if len(self.doc.element.body) > 1 else None
        if last is not None and last.tag == qn("w:p"):  # the text's last lines go with it
            Paragraph(last, self.doc._body).paragraph_format.keep_with_next = True
        for _ in range(SIGNATURE_GAP_LINES):
            self.doc.add_paragraph(style="落款")
        widest = max(_em(line, 0.5) for line in lines)
        for i, line in enumerate(lines):
            p = self.doc.add_paragraph(line, style="落款")
            right = SIGNATURE_RIGHT_CHARS + (widest - _em(line, 0.5)) / 2
            _indent(p._p.get_or_add_pPr(), right_chars=right)
            if i == len(lines) - 1:
                p.paragraph_format.keep_with_next = False

    def caption(self, label: str, text: str, *, keep_next: bool) -> None:
        number = self.tables if label == "表" else self.figures
        p = self.doc.add_paragraph(style="Caption")  # on the page of its table or picture
        p.add_run(label)
        _field(p, f"SEQ {label} \\* ARABIC", str(number))
        if text:
            p.add_run("\u3000" + text)
        p.paragraph_format.keep_with_next = keep_next

    def picture(self, data: bytes, title: str | None) -> None:
        try:
            image = Image.from_blob(data)
        except Exception as exc:  # not an image python-docx reads
            log.warning("Word: skipped a picture python-docx cannot read (%s)", exc)
            return
        self._portrait()
        section = self.doc.sections[-1]
        room_w = section.page_width - section.left_margin - section.right_margin
        room_h = int(Mm(TYPE_HEIGHT_MM) * 0.8)  # leave room for the caption
        width, height = image.width, image.height  # native size at the image's dpi (EMU)
        scale = min(1.0, room_w / width, room_h / height)
        p = self.paragraph("图片")
        p.add_run().add_picture(io.BytesIO(data), width=Emu(int(width * scale)),
                                height=Emu(int(height * scale)))
        self.figures += 1
        generic = not title or title == "图表"
        self.caption("图", "" if generic or title is None else title, keep_next=False)

    def table(self, spec: dict[str, Any]) -> None:
        columns = [str(c) for c in spec.get("columns") or []]
        rows = [[str(v) for v in r] for r in spec.get("rows") or []]
        if not columns:
            return
        numeric = list(spec.get("numeric") or _numeric_columns(rows, len(columns)))
        numeric += [False] * (len(columns) - len(numeric))
        styles = spec.get("styles") or {}
        layout = table_layout(columns, rows, numeric)
        if layout.landscape != self.landscape:
            self._new_section(landscape=layout.landscape)
        caption = spec.get("caption")
        self.tables += 1
        if caption:
            self.caption("表", str(caption), keep_next=True)
        text_style = dict(TABLE_TEXT_STYLES)[layout.size]
        text_style_id = self.doc.styles[text_style].style_id
        table = self.doc.add_table(rows=1 + len(rows), cols=len(columns))
        table.style = self.doc.styles[TABLE_STYLE]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        tblPr = table._tbl.tblPr
        _replace(tblPr, "w:tblW", w=round(sum(layout.widths_pt) * 20), type="dxa")
        _replace(tblPr, "w:tblLayout", type="fixed")
        grid = table._tbl.tblGrid
        for col, width in zip(grid.findall(qn("w:gridCol")), layout.widths_pt, strict=True):
            col.set(qn("w:w"), str(round(width * 20)))
        for r, row in enumerate(table.rows):
            trPr = row._tr.get_or_add_trPr()
            lines = layout.row_lines[r] if r < len(layout.row_lines) else 1
            if lines <= KEEP_ROW_LINES:  # a taller row may break rather than leave a gap
                trPr.append(_el("w:cantSplit"))
            if r == 0:
                trPr.append(_el("w:tblHeader"))
            values = columns if r == 0 else rows[r - 1]
            for c, cell in enumerate(row.cells):
                cell.width = Pt(layout.widths_pt[c])
                cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
                value = values[c] if c < len(values) else ""
                p = cell.paragraphs[0]
                p._p.style = text_style_id  # (python-docx's setter looks it up each time)
                if r == 0:
                    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                elif numeric[c]:
                    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                css = (styles.get(columns[c]) or {}).get(value, "") if r else ""
                for i, line in enumerate(value.split("\n")):
                    if i:
                        p.add_run().add_break(WD_BREAK.LINE)
                    run = p.add_run(line)
                    run.bold = True if r == 0 or _CSS_BOLD.search(css) else None
                    color = _CSS_COLOR.search(css)
                    if color:
                        run.font.color.rgb = RGBColor.from_string(color.group(1).upper())

    # -- Markdown -----------------------------------------------------------------------------
    def markdown(self, source: str) -> None:
        tokens = _MD.parse(source)
        lists: list[list[Any]] = []  # [kind, next number, first paragraph of the item pending]
        quote = 0
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            kind = tok.type
            if kind == "heading_open":
                self.heading(int(tok.tag[1]), _segments(tokens[i + 1]))
                i += 3
                continue
            if kind == "paragraph_open":
                segments = _segments(tokens[i + 1])
                if lists:
                    self._list_paragraph(lists, segments)
                else:
                    self.text_paragraph(segments)
                    if quote:
                        self._quote_indent(quote)
                i += 3
                continue
            if kind in ("bullet_list_open", "ordered_list_open"):
                start = int(tok.attrGet("start") or 1) if kind == "ordered_list_open" else 0
                lists.append(["ordered" if start else "bullet", start, False])
            elif kind in ("bullet_list_close", "ordered_list_close"):
                lists.pop()
            elif kind == "list_item_open":
                lists[-1][2] = True
            elif kind == "list_item_close":
                if lists[-1][0] == "ordered":
                    lists[-1][1] += 1
            elif kind == "blockquote_open":
                quote += 1
            elif kind == "blockquote_close":
                quote -= 1
            elif kind in ("fence", "code_block"):
                self.plain(tok.content)
            elif kind == "html_block":
                self.html(tok.content)
            elif kind == "table_open":
                i = self._markdown_table(tokens, i)
                continue
            i += 1

    def _quote_indent(self, depth: int) -> None:
        p = self.doc.paragraphs[-1]
        p.paragraph_format.left_indent = Pt(CHAR_PITCH_PT * 2 * depth)

    def _list_paragraph(self, lists: list[list[Any]], segments: list[_Segment]) -> None:
        kind, number, first = lists[-1]
        lists[-1][2] = False
        if kind == "ordered":
            if first:
                segments = [_Segment(f"{number}."), *segments]
            self.text_paragraph(segments)
            return
        style = "List Bullet" if len(lists) == 1 else "List Bullet 2"
        self.text_paragraph(segments, style=style if first else "Normal")

    def _markdown_table(self, tokens: list[Any], i: int) -> int:
        header: list[str] = []
        rows: list[list[str]] = []
        row: list[str] | None = None
        in_head = False
        while tokens[i].type != "table_close":
            tok = tokens[i]
            if tok.type == "thead_open":
                in_head = True
            elif tok.type == "thead_close":
                in_head = False
            elif tok.type == "tr_open":
                row = []
            elif tok.type == "tr_close" and row is not None:
                if in_head:
                    header = row
                else:
                    rows.append(row)
            elif tok.type == "inline" and row is not None:
                row.append("".join(s.text for s in _segments(tok) if s.kind == "text"))
            i += 1
        self.table({"columns": header, "rows": rows, "caption": None,
                    "numeric": _numeric_columns(rows, len(header))})
        return i + 1

    def html(self, source: str) -> None:
        parser = _HtmlBlocks()
        parser.feed(source)
        parser.close()
        for kind, value in parser.blocks:
            if kind == "table":
                self.table(value)
                continue
            cls, lines = value
            if "signature" in cls.split():
                self.signature(lines)
                continue
            segments: list[_Segment] = []
            for n, line in enumerate(lines):
                if n:
                    segments.append(_Segment("", kind="hard"))
                segments.append(_Segment(line))
            self.text_paragraph(segments)

    # -- runs ---------------------------------------------------------------------------------
    def _runs(self, paragraph: Any, segments: list[_Segment]) -> None:
        segments = _resolve_breaks(segments)
        merged: list[_Segment] = []
        for s in segments:
            if (merged and s.kind == "text" and merged[-1].kind == "text"
                    and (s.bold, s.italic, s.style) == (merged[-1].bold, merged[-1].italic,
                                                        merged[-1].style)):
                merged[-1].text += s.text
            else:
                merged.append(copy.copy(s))
        for s in merged:
            if s.kind == "hard":
                paragraph.add_run().add_break(WD_BREAK.LINE)
                continue
            if not s.text:
                continue
            run = paragraph.add_run(s.text, style=s.style)
            if s.bold and s.style is None:
                run.bold = True
            if s.italic:
                run.italic = True

    # -- notebook -----------------------------------------------------------------------------
    def notebook(self, nb: nbformat.NotebookNode) -> None:
        """Add every cell the reviewer copy shows (code is never shown)."""
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                self.markdown(_text(cell.source))
            elif cell.cell_type == "code":
                for output in cell.get("outputs", []):
                    self.output(output)

    def output(self, output: Any) -> None:
        kind = output.get("output_type")
        if kind == "stream":
            if output.get("name") == "stdout":
                self.plain(_text(output.get("text", "")))
            return
        if kind not in ("execute_result", "display_data"):
            return
        data = output.get("data", {})
        mime = next((m for m in OUTPUT_PRIORITY if m in data), None)
        if mime == TABLE_MIME:
            self.table(dict(data[mime]))
        elif mime == "text/html":
            self.html(_text(data[mime]))
        elif mime in ("image/png", "image/jpeg"):
            try:
                raw = base64.b64decode(_text(data[mime]))
            except (binascii.Error, ValueError):
                log.warning("Word: skipped an image output that is not base64")
                return
            title = (output.get("metadata", {}).get(mime) or {}).get("alt")
            self.picture(raw, title)
        elif mime == "text/markdown":
            self.markdown(_text(data[mime]))
        elif mime == "text/plain":
            self.plain(_text(data[mime]))

    def save(self) -> bytes:
        _properties(self.doc, self.meta, self.title)
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return buffer.getvalue()


def _is_heading(element: Any) -> bool:
    style = element.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
    return (element.tag == qn("w:p") and style is not None
            and style.get(qn("w:val")).startswith("Heading"))


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _segments(inline: Any) -> list[_Segment]:
    """The runs of a Markdown inline token: text with bold/italic, soft and hard breaks."""
    out: list[_Segment] = []
    bold = italic = 0
    for child in inline.children or []:
        kind = child.type
        if kind in ("text", "code_inline", "text_special"):
            out.append(_Segment(child.content, bool(bold), bool(italic)))
        elif kind == "softbreak":
            out.append(_Segment("", kind="soft"))
        elif kind == "hardbreak":
            out.append(_Segment("", kind="hard"))
        elif kind == "strong_open":
            bold += 1
        elif kind == "strong_close":
            bold = max(0, bold - 1)
        elif kind in ("em_open", "s_open"):
            italic += kind == "em_open"
        elif kind in ("em_close", "s_close"):
            italic = max(0, italic - (kind == "em_close"))
        elif kind == "image":
            out.append(_Segment(child.content or "", bool(bold), bool(italic)))
        elif kind == "html_inline":
            tag = child.content.strip().lower()
            if re.match(r"^<br\s*/?>$", tag):
                out.append(_Segment("", kind="hard"))
            elif re.match(r"^<(strong|b)(\s[^>]*)?>$", tag):
                bold += 1
            elif re.match(r"^</(strong|b)>$", tag):
                bold = max(0, bold - 1)
            elif re.match(r"^<(em|i)(\s[^>]*)?>$", tag):
                italic += 1
            elif re.match(r"^</(em|i)>$", tag):
                italic = max(0, italic - 1)
    return out


def _run_in(segments: list[_Segment]) -> list[_Segment]:
    """Give a paragraph's opening bold run its heading style by its numbering (一、 → 黑体,
    （一） → 楷体, 1. → 仿宋 bold), with the full stop that closes it."""
    texts = [s for s in segments if s.kind == "text" and s.text]
    if not texts or not texts[0].bold:
        return segments
    first = segments.index(texts[0])
    end = first
    while end + 1 < len(segments) and segments[end + 1].bold and segments[end + 1].kind == "text":
        end += 1
    title = "".join(s.text for s in segments[first:end + 1])
    style = next((name for pattern, name in RUN_IN_STYLES if pattern.match(title)), None)
    if style is None:
        return segments
    out = [*segments[:first], _Segment(title, bold=True, style=style)]
    rest = segments[end + 1:]
    if rest and rest[0].kind == "text" and rest[0].text.startswith("。"):
        out[-1].text += "。"
        rest = [_Segment(rest[0].text[1:], rest[0].bold, rest[0].italic, rest[0].style),
                *rest[1:]]
    return out + rest


def _resolve_breaks(segments: list[_Segment]) -> list[_Segment]:
    """A soft line break is a space between Latin words and nothing inside Chinese text."""
    out: list[_Segment] = []
    for i, s in enumerate(segments):
        if s.kind != "soft":
            out.append(s)
            continue
        before = next((x.text[-1] for x in reversed(segments[:i]) if x.text), "")
        after = next((x.text[0] for x in segments[i + 1:] if x.text), "")
        cjk = (before and _is_cjk(before)) or (after and _is_cjk(after))
        if before and after and not cjk:
            out.append(_Segment(" ", s.bold, s.italic, s.style))
    return out


def notebook_docx(nb: nbformat.NotebookNode, meta: ReportMeta | None = None) -> bytes:
    """The reviewer copy of an executed notebook as an official-layout ``.docx``.

    Args:
        nb: the notebook as reviewers see it (tagged cells removed; see
            :func:`perfkit.report.render.render_notebook`); code is never shown.
        meta: the report's facts, for the document properties (author, title, date).

    Returns:
        The ``.docx`` bytes.
    """
    writer = WordWriter(meta)
    writer.notebook(nb)
    return writer.save()


__all__ = [
    "CHAR_PITCH_PT",
    "CHAR_SPACING_TWIPS",
    "LINE_PITCH_TWIPS",
    "TableLayout",
    "WordWriter",
    "new_document",
    "notebook_docx",
    "table_layout",
    "title_lines",
]
