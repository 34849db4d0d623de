"""The official-document page of a Word file (GB/T 9704-2012, 党政机关公文格式): the page, its
line grid, the fonts and the named styles :mod:`perfkit.report.word` writes a document's blocks in.

- A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm (type area 156 by 225 mm).
- Body 3号 (16 pt) 仿宋, 22 lines of 28 characters a page: fixed line pitch 225 mm / 22 and
  characters condensed so that 28 fill 156 mm; first-line indent of two characters; Latin
  letters and digits in Times New Roman.
- Title 2号 (22 pt) 小标宋, centred, one line of space below.
- 一级标题 (一、) 黑体, 二级 (（一）) 楷体, 三级 (1.) 仿宋 bold — as Word heading styles, and as
  character styles for a paragraph's bold run-in title (``（一）队伍结构不合理。教师…``).
- Page numbers "— N —" in 4号 宋体 7 mm below the type area, odd pages right and even pages
  left, one character in from the edge of the type area (GB/T 9704-2012 7.5).
- Captions 4号 黑体, notes 4号 仿宋, table text 4号 仿宋 down to 小五, tables ruled all round.

Fonts are declared by the names government PCs have (仿宋_GB2312, 方正小标宋简体, 黑体,
楷体_GB2312, 宋体) as East-Asian fonts, each with an alternative name in the font table (仿宋,
华文中宋, SimHei, 楷体, SimSun) for machines without it; nothing is embedded. Every format is
a named style (Normal, Title, Heading 1-3, Caption, Footer, 表格文字, 公文表格, 落款 …), so a
department edits the document consistently in Word or WPS.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from lxml import etree

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
#: Width of the type area in points, as Word rounds the page and margins to twips.
TYPE_WIDTH_PT = (PAGE_WIDTH_MM * _TWIPS_PER_MM // 1 - round(MARGIN_LEFT_MM * _TWIPS_PER_MM)
                 - round(MARGIN_RIGHT_MM * _TWIPS_PER_MM)) / 20
#: Character pitch that puts 28 3号 characters in 156 mm (15.79 pt), and the character
#: spacing that gets there: 3号 type condensed by 0.25 pt (whole twentieths of a point,
#: rounded so that 28 characters fit and 29 do not). Word, WPS and LibreOffice all apply
#: character spacing alike; a character grid (docGrid linesAndChars) LibreOffice lays out
#: differently.
CHAR_PITCH_PT = TYPE_WIDTH_PT / CHARS_PER_LINE
CHAR_SPACING_TWIPS = math.floor((CHAR_PITCH_PT - SIZE_3) * 20)
CHAR_TWIPS = round(SIZE_3 * 20 + CHAR_SPACING_TWIPS)  # one body character, for indents
#: Title lines: 2号 type on a fixed 35 pt line (common practice; the standard sets none).
TITLE_LINE_PT = 35.0
#: The page number's 一字线 sits 7 mm below the type area: the footer line (4号, 14 pt high)
#: ends about 2.7 mm below the dash, so the footer's bottom is 35 - 7 - 2.7 mm from the edge.
FOOTER_DISTANCE_MM = MARGIN_BOTTOM_MM - 7 - 2.7


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

#: The table style: ruled all round in black 0.5 pt, centred.
TABLE_STYLE = "公文表格"
#: Table text styles by size, largest first (4号 … 小五).
TABLE_TEXT_STYLES: tuple[tuple[float, str], ...] = (
    (SIZE_4, "表格文字"), (SIZE_SMALL_4, "表格文字（小四）"), (SIZE_5, "表格文字（五号）"),
    (SIZE_SMALL_5, "表格文字（小五）"))
#: Table cell padding left and right (1 mm) and above and below (2 pt), in twips.
CELL_MARGIN_TWIPS, CELL_MARGIN_V_TWIPS = 57, 40

# ---------------------------------------------------------------------------------------------
# Low-level XML helpers
# ---------------------------------------------------------------------------------------------


def el(tag: str, **attrs: Any) -> Any:
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


def set_child(parent: Any, tag: str, element: Any = None, **attrs: Any) -> Any:
    """Set ``parent``'s only ``tag`` child (``element`` or a new one with ``attrs``), in the
    schema order Word requires."""
    for old in parent.findall(qn(tag)):
        parent.remove(old)
    if element is None:
        element = el(tag, **attrs)
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
    set_child(rPr, "w:rFonts", ascii=latin, hAnsi=latin, cs=latin, eastAsia=east_asia.name,
             hint="eastAsia")


def spacing(pPr: Any, *, line_twips: int | None = None, before: int = 0, after: int = 0) -> None:
    """Space before and after; a fixed line of ``line_twips``, or single spacing."""
    line = {"line": 240, "lineRule": "auto"} if line_twips is None else {
        "line": line_twips, "lineRule": "exact"}
    set_child(pPr, "w:spacing", before=before, after=after, beforeLines=0, afterLines=0, **line)


def indent(pPr: Any, *, first_chars: float = 0, right_chars: float | None = None) -> None:
    attrs: dict[str, Any] = {"left": 0, "right": 0, "firstLineChars": round(first_chars * 100),
                             "firstLine": round(first_chars * CHAR_TWIPS)}
    if right_chars is not None:
        attrs |= {"rightChars": round(right_chars * 100), "right": round(right_chars * CHAR_TWIPS)}
    set_child(pPr, "w:ind", **attrs)


def type_size(rPr: Any, points: float) -> None:
    set_child(rPr, "w:sz", val=round(points * 2))
    set_child(rPr, "w:szCs", val=round(points * 2))


def field(paragraph: Any, instruction: str, result: str) -> None:
    """Append a complex field (``PAGE``, ``SEQ 表``) with its current result."""
    instr = el("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    for child in (el("w:fldChar", fldCharType="begin"), instr,
                  el("w:fldChar", fldCharType="separate"), result,
                  el("w:fldChar", fldCharType="end")):
        if isinstance(child, str):
            paragraph.add_run(child)
        else:
            paragraph.add_run()._r.append(child)



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
    type_size(rPr, size)
    for tag in ("w:b", "w:bCs"):
        set_child(rPr, tag, val="1" if bold else "0")
    set_child(rPr, "w:spacing", val=CHAR_SPACING_TWIPS if condensed else 0)
    spacing(pPr, line_twips=line_twips, before=before, after=after)
    indent(pPr, first_chars=first_chars)
    if align is not None:
        set_child(pPr, "w:jc", val=align)
    if not snap:  # off the document grid (titles, tables, captions, pictures)
        set_child(pPr, "w:snapToGrid", val="0")
    style.paragraph_format.keep_with_next = keep_next or None
    return style


def _styles(doc: Any) -> None:
    """Define every style the writer uses (so a user edits the document consistently)."""
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(rpr, FANGSONG)
    type_size(rpr, SIZE_3)
    set_child(rpr, "w:lang", val="en-US", eastAsia="zh-CN", bidi="ar-SA")
    spacing(defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")), line_twips=LINE_PITCH_TWIPS)

    normal = _paragraph_style(doc, "Normal", base=None, first_chars=2, align="both",
                              condensed=True).element.get_or_add_pPr()
    set_child(normal, "w:widowControl", val="0")  # 22 lines on every page
    # No extra space between Chinese and Latin text or digits: 28 characters a line.
    set_child(normal, "w:autoSpaceDE", val="0")
    set_child(normal, "w:autoSpaceDN", val="0")
    _paragraph_style(doc, "Title", face=XIAOBIAOSONG, size=SIZE_2, align="center",
                     line_twips=round(TITLE_LINE_PT * 20), snap=False, keep_next=True,
                     after=LINE_PITCH_TWIPS)
    for level, face, bold in ((1, HEITI, False), (2, KAITI, False), (3, FANGSONG, True),
                              (4, FANGSONG, False)):
        style = _paragraph_style(doc, f"Heading {level}", face=face, bold=bold, first_chars=2,
                                 keep_next=True, condensed=True)
        style.paragraph_format.keep_together = True
        set_child(style.element.get_or_add_pPr(), "w:outlineLvl", val=level - 1)
    for name, face, bold in (("文内一级标题", HEITI, False), ("文内二级标题", KAITI, False),
                             ("文内三级标题", FANGSONG, True)):
        char = doc.styles.add_style(name, WD_STYLE_TYPE.CHARACTER)
        char.base_style = doc.styles["Default Paragraph Font"]
        char.quick_style = True
        _set_fonts(char.element.get_or_add_rPr(), face)
        for tag in ("w:b", "w:bCs"):
            set_child(char.element.get_or_add_rPr(), tag, val="1" if bold else "0")
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
        set_child(style.element.get_or_add_rPr(), "w:snapToGrid", val="0")
    for depth, name in ((1, "List Bullet"), (2, "List Bullet 2")):
        style = _paragraph_style(doc, name, first_chars=0, condensed=True)
        set_child(style.element.get_or_add_pPr(), "w:ind", left=(2 + depth) * CHAR_TWIPS,
                 hanging=CHAR_TWIPS, firstLineChars=0)
    _table_style(doc)


def _table_style(doc: Any) -> None:
    style = doc.styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.TABLE)
    style.base_style = doc.styles["Table Grid"]
    style.quick_style = True
    tblPr = style.element.find(qn("w:tblPr"))
    if tblPr is None:
        tblPr = el("w:tblPr")
        style.element.append(tblPr)
    set_child(tblPr, "w:jc", val="center")
    borders = el("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(el(f"w:{side}", val="single", sz=4, space=0, color="000000"))
    set_child(tblPr, "w:tblBorders", borders)
    margins = el("w:tblCellMar")
    for side, width in (("top", CELL_MARGIN_V_TWIPS), ("left", CELL_MARGIN_TWIPS),
                        ("bottom", CELL_MARGIN_V_TWIPS), ("right", CELL_MARGIN_TWIPS)):
        margins.append(el(f"w:{side}", w=width, type="dxa"))
    set_child(tblPr, "w:tblCellMar", margins)


def page_setup(section: Any, *, landscape: bool) -> None:
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
    section._sectPr.append(el("w:docGrid", type="lines", linePitch=LINE_PITCH_TWIPS))


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
        field(paragraph, "PAGE", "1")
        paragraph.add_run(" —")


def mark_draft(doc: Any) -> None:
    """草稿 in the page header of every page (odd and even, every section): a draft says so."""
    for section in doc.sections:
        for header in (section.header, section.even_page_header):
            header.is_linked_to_previous = False
            paragraph = header.paragraphs[0]
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = paragraph.add_run("草稿")
            run.bold = True
            run.font.size = Pt(SIZE_3)
            run.font.color.rgb = RGBColor(0xB2, 0x22, 0x22)


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
    page_setup(doc.sections[0], landscape=False)
    _page_numbers(doc)
    return doc



__all__ = [
    "CHAR_PITCH_PT", "CHAR_SPACING_TWIPS", "CHAR_TWIPS", "LINE_PITCH_TWIPS", "SIZE_2", "SIZE_3",
    "SIZE_4", "SIZE_5", "SIZE_SMALL_4", "SIZE_SMALL_5", "TABLE_STYLE", "TABLE_TEXT_STYLES",
    "TYPE_HEIGHT_MM", "TYPE_WIDTH_PT", "el", "field", "indent", "mark_draft", "new_document",
    "page_setup",
    "set_child", "spacing", "type_size",
]
