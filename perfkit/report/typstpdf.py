"""The PDF: a document's blocks typeset by Typst, in perfkit's print layout or the official one.

The blocks (:mod:`perfkit.report.blocks`) and their print layout (:mod:`perfkit.report.layout`:
heading ids, table type sizes, column widths and cell classes, which blocks share a landscape
page) become a document model of plain data, written as JSON next to the charts;
``templates/report.typ`` (perfkit's print layout) or ``templates/official.typ`` (GB/T 9704-2012)
reads it with ``json()`` and lays it out, both through ``templates/blocks.typ``. Text only ever
reaches Typst as string values, which Typst prints as they are: nothing a notebook outputs
becomes Typst code.

One ``typst.Compiler`` per process and font set (fonts loaded once), reused for every document.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import multiprocessing.util
import re
import shutil
import tempfile
import threading
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typst

from perfkit import config, fmt
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
    text_of,
)
from perfkit.report.fonts import CjkFont, find_cjk_fonts, find_family
from perfkit.report.layout import DocumentLayout, document_layout
from perfkit.report.meta import ReportMeta

log = logging.getLogger(__name__)

TEMPLATES = config.PACKAGE_DIR / "templates"
#: The templates the compiler's root folder holds: the two layouts and what they share.
_TEMPLATE_FILES = ("blocks.typ", "report.typ", "official.typ")

#: A run of characters no line may break inside (Latin words, numbers, URLs); longer ones get
#: break opportunities, as ``overflow-wrap: break-word`` does in print.css: zero-width spaces
#: in the model, which blocks.typ turns into boxes (so that the PDF's text has none).
_UNBREAKABLE = re.compile(r"[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]+")
_LONG_WORD = 30

#: The faces of the official layout: the fonts GB/T 9704-2012 names, each by the free family
#: that stands in for it (role → fontconfig family, whether its bold face is the one used,
#: Debian package). 仿宋 sets the body and tables (its bold: bold runs, 三级标题), 小标宋 the
#: title, 黑体 the 一级标题 and table captions, 楷体 the 二级标题, 宋体 the page numbers.
OFFICIAL_FACES: dict[str, tuple[str, bool, str]] = {
    "fangsong": ("Noto Serif CJK SC", False, "fonts-noto-cjk"),
    "xiaobiaosong": ("Noto Serif CJK SC", True, "fonts-noto-cjk"),
    "heiti": ("Noto Sans CJK SC", True, "fonts-noto-cjk"),
    "kaiti": ("AR PL UKai CN", False, "fonts-arphic-ukai"),
    "songti": ("Noto Serif CJK SC", False, "fonts-noto-cjk"),
}


def _break_long_words(text: str) -> str:
    """Let lines break inside very long words (URLs, hashes): a zero-width space after ``/``,
    ``-``, ``_``, ``.``, ``?``, ``&``, ``=`` and every 20 characters without one."""
    def split(match: re.Match[str]) -> str:
        word = match.group()
        if len(word) <= _LONG_WORD:
            return word
        out, since = [], 0
        for ch in word:
            out.append(ch)
            since += 1
            if ch in "/-_.?&=" or since >= 20:
                out.append("\u200b")
                since = 0
        return "".join(out).rstrip("\u200b")

    return _UNBREAKABLE.sub(split, text)


def _png_intact(data: bytes) -> bool:
    """Whether every chunk of a PNG is complete and its CRC right (Typst refuses the whole
    document over one damaged image)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return False
    at = 8
    while at + 12 <= len(data):
        length = int.from_bytes(data[at:at + 4], "big")
        chunk = data[at + 4:at + 8 + length]
        if len(chunk) != length + 4 or at + 12 + length > len(data):
            return False
        if zlib.crc32(chunk) != int.from_bytes(data[at + 8 + length:at + 12 + length], "big"):
            return False
        if chunk[:4] == b"IEND":
            return True
        at += 12 + length
    return False


# ---- the document model ----------------------------------------------------------------------

def _runs(parts: Iterable[Run] | str) -> list[dict[str, Any]]:
    """Runs as the model has them: ``{"s": text, "b": bold}``, a line break ``{"br": true}``."""
    items = [Run(parts)] if isinstance(parts, str) else list(parts)
    out: list[dict[str, Any]] = []
    for run in items:
        for n, line in enumerate(run.text.split("\n")):
            if n:
                out.append({"br": True})
            if line:
                out.append({"s": _break_long_words(line), **({"b": True} if run.bold else {})})
    return out


def _tokens(text: str) -> list[str]:
    """What no line can break inside, for :func:`overflowing_cells`."""
    return sorted({t for word in _UNBREAKABLE.findall(_break_long_words(text))
                   for t in word.split("\u200b") if t})


def _table(table: Table, layout: Any, tokens: bool) -> dict[str, Any]:
    squeeze = "squeeze" in layout.classes

    def cell(text: str, classes: Sequence[str] = ()) -> dict[str, Any]:
        entry: dict[str, Any] = {"runs": _runs(text)}
        if classes:
            entry["cls"] = list(classes)
        if tokens:  # a figure never wraps (unless squeezed): all of it is one token
            entry["tokens"] = ([text.strip()] if "num" in classes and not squeeze and text.strip()
                               else _tokens(text))
        return entry

    head = [cell(c, layout.head[j]) for j, c in enumerate(table.columns)]
    body = [[cell(text, layout.cells[r][j]) for j, text in enumerate(row)]
            for r, row in enumerate(table.rows)]
    return {"t": "table", "widths": list(layout.widths), "size": layout.size_pt,
            "head": [head] if table.columns else [], "body": body,
            "caption": _runs(table.caption), "squeeze": squeeze,
            "compact": "compact" in layout.classes}


def _chart(chart: Chart, images: Path) -> dict[str, Any] | None:
    width, height = chart.size
    if not _png_intact(chart.png) or not width or not height:
        log.warning("PDF: left out a damaged chart (%s)", chart.alt[:40])
        return None
    name = f"img-{hashlib.sha256(chart.png).hexdigest()[:24]}.png"
    path = images / name
    if not path.exists():
        path.write_bytes(chart.png)
    return {"t": "image", "path": "/" + name, "alt": chart.alt, "aspect": width / height}


def _sticky(model: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Keep-with-next as print.css has it: a section's introduction (the text between a heading
    and the table or chart it introduces) stays with that table or chart; a chart with the note
    under it; the 落款 never stands alone: the block before it goes along — after a table, its
    last row (the table carries the 落款: blocks.typ ties them together)."""
    intro: list[dict[str, Any]] = []
    after_heading = False
    out: list[dict[str, Any]] = []
    for n, block in enumerate(model):
        previous = model[n - 1] if n else None
        if (block["t"] == "signature" and previous and previous["t"] == "table"
                and previous["body"] and previous.get("wide") == block.get("wide")):
            previous["signature"] = block["lines"]
            continue
        out.append(block)
        kind = block["t"]
        if kind == "heading":
            intro, after_heading = [], True
            continue
        if kind in ("par", "list"):
            if after_heading:
                intro.append(block)
            if kind == "par" and block.get("role") == "note" and n and model[n - 1]["t"] == "image":
                model[n - 1]["sticky"] = True
            continue
        # (An introduction too long to go to a wide table's landscape page stays behind.)
        if kind in ("table", "image") and intro and block.get("wide") == intro[-1].get("wide"):
            intro[-1]["sticky"] = True
        if kind == "signature" and previous:
            previous["sticky"] = True
        intro, after_heading = [], False
    return out


def _group_landscape(model: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Consecutive blocks for a landscape page (a wide table, and the heading and short
    introduction that go with it) as one ``landscape`` block."""
    out: list[dict[str, Any]] = []
    for block in model:
        if block.pop("wide", False):
            if block["t"] == "table":
                block["landscape"] = True
            if out and out[-1]["t"] == "landscape":
                out[-1]["blocks"].append(block)
            else:
                out.append({"t": "landscape", "blocks": [block]})
        else:
            out.append(block)
    return out


def _cover(meta: ReportMeta, layout: DocumentLayout) -> dict[str, Any]:
    """The cover's facts (the print layout's page 1), as the reviewer HTML states them."""
    cover: dict[str, Any] = {"dept": meta.department, "title": meta.title,
                             "year": f"{meta.year} 年度", "date": "", "facts": [],
                             "toc": bool(layout.toc), "kind": meta.kind}
    if meta.kind == "department":
        cover["date"] = meta.report_date  # none given: none printed
    else:
        cover["facts"] = [["部门", meta.department], ["年度", str(meta.year)],
                          ["生成时间", fmt.display_time(meta.generated_at)],
                          ["perfkit 版本", meta.perfkit_version],
                          *([["输入工作簿", meta.workbook]] if meta.workbook else []),
                          ["工作簿 SHA-256", meta.workbook_sha256]]
    return cover


def document_model(blocks: Sequence[Block], meta: ReportMeta, images: Path, *,
                   tokens: bool = False) -> dict[str, Any]:
    """The blocks as the data the templates lay out; charts are written to ``images``.

    Args:
        blocks: the document.
        meta: the cover's facts.
        images: the folder the compiler reads charts from.
        tokens: also list, for each table cell, the runs of its text no line can break inside
            (for :func:`overflowing_cells`).

    Returns:
        ``{"meta": {dept, title, year, date, facts, toc}, "blocks": [...]}``: headings (level,
        id, runs), paragraphs (runs, role), lists, tables (column widths in %, type size,
        header and body cells with their classes, caption), images, the 落款, and landscape
        pages holding blocks.
    """
    layout = document_layout(list(blocks))
    model: list[dict[str, Any]] = []
    for i, block in enumerate(blocks):
        entry: dict[str, Any] | None = None
        if isinstance(block, Heading):
            entry = {"t": "heading", "level": block.level, "id": layout.ids[i],
                     "runs": _runs(block.text)}
        elif isinstance(block, Paragraph):
            if text_of(block.runs).strip():
                entry = {"t": "par", "runs": _runs(block.runs)}
                if block.role:
                    entry["role"] = block.role
        elif isinstance(block, ListBlock):
            entry = {"t": "list", "ordered": block.ordered,
                     "items": [_runs(item) for item in block.items]}
        elif isinstance(block, Table):
            entry = _table(block, layout.tables[i], tokens)
        elif isinstance(block, Chart):
            entry = _chart(block, images)
            if entry is None and block.alt:  # the chart's words stand in for it
                entry = {"t": "par", "runs": _runs(block.alt)}
        elif isinstance(block, Signature):
            entry = {"t": "signature", "lines": [_runs(line) for line in block.lines]}
        elif isinstance(block, PageBreak):
            entry = {"t": "break"}
        if entry is None:
            continue
        if i in layout.with_wide or (i in layout.tables and layout.tables[i].landscape):
            entry["wide"] = True
        model.append(entry)
    cover = _cover(meta, layout) | {"draft": is_draft(blocks)}
    return {"meta": cover, "blocks": _group_landscape(_sticky(model))}


# ---- fonts -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Face:
    """A face the template sets text in: the font, whether its bold face is used, and whether
    bold must be drawn (a family without a bold face: the glyphs are stroked)."""

    font: CjkFont
    bold: bool = False

    @property
    def synthetic(self) -> bool:
        return not self.font.has_bold


def _faces(font: CjkFont, official: bool) -> dict[str, _Face]:
    """The faces a layout uses, by role: ``sans`` for the print layout; those of
    :data:`OFFICIAL_FACES` for the official one (a family that is not installed is replaced by
    ``font``, with a warning naming its package)."""
    if not official:
        return {"sans": _Face(font)}
    faces = {}
    for role, (family, bold, package) in OFFICIAL_FACES.items():
        found = find_family(family)
        if found is None:
            log.warning("official PDF: font %s not installed (Debian package %s); using %s",
                        family, package, font.family)
            found = font
        faces[role] = _Face(found, bold)
    return faces


# ---- the compiler ----------------------------------------------------------------------------

_LOCK = threading.Lock()


@dataclass
class _Typst:
    compiler: Any
    root: Path
    #: (font file, face index) → the family name Typst knows the face by (``AR PL UKai`` for
    #: fontconfig's ``AR PL UKai CN``).
    families: dict[tuple[str, int], str]

    def family(self, font: CjkFont) -> str:
        return self.families.get((str(font.regular), font.regular_index), font.family)


@functools.cache
def _typst(font_dirs: tuple[str, ...]) -> _Typst:
    """One compiler per process and font set: loading the fonts is the costly part of a first
    compile. System fonts are not scanned."""
    root = Path(tempfile.mkdtemp(prefix="perfkit-typst-"))
    # Removed when the process ends: multiprocessing's finalizers run in worker processes too,
    # where atexit handlers do not.
    multiprocessing.util.Finalize(None, shutil.rmtree, args=(root, True), exitpriority=0)
    for name in _TEMPLATE_FILES:  # the layouts import blocks.typ from beside them
        (root / name).write_bytes((TEMPLATES / name).read_bytes())
    fonts = typst.Fonts(include_system_fonts=False, include_embedded_fonts=True,
                        font_paths=list(font_dirs))
    families = {(info.path, info.index): info.family for info in fonts.fonts() if info.path}
    return _Typst(typst.Compiler(root=str(root), font_paths=fonts), root, families)


def typst_pdf(blocks: Sequence[Block], meta: ReportMeta, font: CjkFont | None = None, *,
              official: bool = False) -> bytes:
    """Typeset a document's blocks into an A4 PDF with Typst.

    Args:
        blocks: the document (:func:`perfkit.report.blocks.read_blocks`).
        meta: the cover's facts (department, year, title, run).
        font: the CJK family of the print layout; :func:`find_cjk_fonts` when None. A family
            without a bold face gets a drawn bold (its glyphs stroked).
        official: the GB/T 9704-2012 page (``templates/official.typ``) in free fonts that
            stand in for the official ones (:data:`OFFICIAL_FACES`), instead of perfkit's
            print layout (``templates/report.typ``).

    Raises:
        FontMissingError: no CJK font is installed.
    """
    pdf = _compile(blocks, meta, font, official)
    assert isinstance(pdf, bytes)
    return pdf


def overflowing_cells(blocks: Sequence[Block], meta: ReportMeta, font: CjkFont | None = None,
                      *, official: bool = False) -> list[str]:
    """Table cells whose text runs out of their column in the Typst layout: for each cell,
    the template measures every run of its text that no line can break inside against the
    width the cell gives its content (``sys.inputs.check``), and reports those wider.

    Returns:
        One ``text (width > room)`` line per overflowing cell.
    """
    found = _compile(blocks, meta, font, official, query="<overflow>")
    return [f"{v['text']} ({v['width']} > {v['room']})" for v in json.loads(str(found))]


def _compile(blocks: Sequence[Block], meta: ReportMeta, font: CjkFont | None, official: bool,
             query: str | None = None) -> Any:
    font = font or find_cjk_fonts()
    faces = _faces(font, official)
    dirs = tuple(sorted({str(path.parent) for face in faces.values()
                         for path in (face.font.regular, face.font.bold) if path is not None}))
    engine = _typst(dirs)
    template = engine.root / ("official.typ" if official else "report.typ")
    with _LOCK:
        # The official layout fits its tables' type to its narrower page by their tokens.
        model = document_model(blocks, meta, engine.root, tokens=official or query is not None)
        model["meta"]["faces"] = {
            role: {"family": engine.family(face.font),
                   "weight": "bold" if face.bold and not face.synthetic else "regular",
                   "synthetic": face.synthetic, "drawn": face.bold and face.synthetic}
            for role, face in faces.items()}
        data = json.dumps(model, ensure_ascii=False).encode("utf-8")
        name = f"doc-{hashlib.sha256(data).hexdigest()[:24]}.json"
        (engine.root / name).write_bytes(data)
        try:
            if query is None:
                return engine.compiler.compile(input=str(template), format="pdf",
                                               pdf_tags=False, sys_inputs={"doc": "/" + name})
            run_query: Any = typst.query  # its stub's type variable cannot be inferred here
            return run_query(str(template), query, field="value", root=str(engine.root),
                             font_paths=list(dirs), ignore_system_fonts=True,
                             sys_inputs={"doc": "/" + name, "check": "overflow"})
        finally:
            (engine.root / name).unlink(missing_ok=True)
            for image in engine.root.glob("img-*"):
                image.unlink(missing_ok=True)


__all__ = ["OFFICIAL_FACES", "document_model", "overflowing_cells", "typst_pdf"]
