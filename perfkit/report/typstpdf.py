"""The PDF by Typst: reviewer HTML as a JSON document model, laid out by ``templates/report.typ``.

The reviewer HTML (what :mod:`perfkit.report.html` writes, sanitized) is read into a document
model of plain data — headings, paragraphs of inline runs (bold, italic, code, links), lists,
quotes, preformatted text, tables (column widths, type size, cell classes and spans), images —
and written as JSON next to the images; ``report.typ`` reads it with ``json()`` and lays it out
as print.css lays out the HTML. Workbook text therefore only ever reaches Typst as string
values, which Typst prints as they are: nothing a notebook outputs becomes Typst code.

One ``typst.Compiler`` per process (fonts loaded once), reused for every document.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
import logging
import multiprocessing.util
import re
import shutil
import struct
import tempfile
import threading
import zlib
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import typst

from perfkit.report.fonts import CjkFont, find_cjk_fonts
from perfkit.report.html import asset
from perfkit.report.layout import CLASS_SIZE_PT

log = logging.getLogger(__name__)

#: Headings that open a section: the last block of a Markdown cell (or Markdown output) that
#: starts with one stays with what follows it (print.css: ``h2 ~ :last-child``).
_SECTION_HEADINGS = {"text_cell_render": {1, 2, 3, 4}, "output_markdown": {2, 3, 4}}
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
#: Elements that end the current paragraph (their content starts a new block).
_BLOCK_TAGS = frozenset({
    "p", "div", "ul", "ol", "li", "blockquote", "pre", "table", "caption", "dl", "dt", "dd",
    "figure", "figcaption", "details", "summary", "hr", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "footer", "nav", "section", "main",
})
#: Inline elements and the run style they give.
_INLINE_STYLE = {
    "strong": "b", "b": "b", "em": "i", "i": "i", "cite": "i", "dfn": "i", "var": "i",
    "code": "m", "kbd": "m", "samp": "m", "tt": "m", "sub": "sub", "sup": "sup", "u": "u",
    "ins": "u", "s": "st", "del": "st", "mark": "hl", "small": "sm",
}
#: Table cell classes report.css gives a colour or weight (html.py and tables.py set them).
_CELL_CLASSES = frozenset({"num", "na", "verdict-bad", "verdict-note", "verdict-na"})
#: A run of characters no line may break inside (Latin words, numbers, URLs); longer ones get
#: break opportunities, as ``overflow-wrap: break-word`` does in print.css: zero-width spaces
#: in the model, which report.typ turns into boxes (so that the PDF's text has none).
_UNBREAKABLE = re.compile(r"[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]+")
_LONG_WORD = 30
_IMAGE_TYPES = {b"\x89PNG": "png", b"\xff\xd8\xff": "jpg", b"GIF8": "gif"}
#: Print text widths (print.css: A4 less the margins), in mm.
TEXT_WIDTH_MM = {"portrait": 210 - 25 - 20, "landscape": 297 - 18 - 18}
CHART_MAX_HEIGHT_MM = 200


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
    document over one damaged image; WeasyPrint leaves it out)."""
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


def _image_size(data: bytes) -> tuple[int, int] | None:
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    return None


@dataclass
class _Cell:
    th: bool
    colspan: int
    rowspan: int
    classes: list[str]
    align: str
    runs: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _TableState:
    classes: list[str]
    widths: list[float] = field(default_factory=list)
    caption: list[dict[str, Any]] = field(default_factory=list)
    head: list[list[dict[str, Any]]] = field(default_factory=list)
    body: list[list[dict[str, Any]]] = field(default_factory=list)
    section: str = "tbody"
    row: list[dict[str, Any]] | None = None
    cell: _Cell | None = None
    in_caption: bool = False


class _Model(HTMLParser):
    """Reviewer HTML → document model (see the module docstring)."""

    def __init__(self, images: Path, tokens: bool = False) -> None:
        super().__init__(convert_charrefs=True)
        self.images = images
        self.tokens = tokens
        self.meta: dict[str, Any] = {"facts": [], "date": ""}
        self.blocks: list[dict[str, Any]] = []
        self.sinks: list[list[dict[str, Any]]] = [self.blocks]
        self.runs: list[dict[str, Any]] = []  # the open paragraph
        self.par_attrs: dict[str, Any] = {}
        self.style: list[tuple[str, str]] = []  # (tag, style) of open inline elements
        self.links: list[tuple[str, str | None]] = []
        self.stack: list[tuple[str, set[str]]] = []  # open elements: tag, classes
        self.skip = 0
        self.where = "head"  # head, cover, toc, main, end
        self.cover_field: str | None = None
        self.fact: list[str] | None = None
        self.pre: list[str] | None = None
        self.lists: list[dict[str, Any]] = []
        self.quotes: list[dict[str, Any]] = []
        self.tables: list[_TableState] = []
        self.sections: list[tuple[str, int, int]] = []  # kind, depth in stack, first block
        self.heading_ids: set[str] = set()
        self.images_written: dict[str, str] = {}

    # -- output helpers ---------------------------------------------------------------
    @property
    def sink(self) -> list[dict[str, Any]]:
        return self.sinks[-1]

    def _flush(self) -> None:
        """End the open paragraph."""
        runs, attrs = self.runs, self.par_attrs
        self.runs, self.par_attrs = [], {}
        while runs and "s" in runs[-1] and not runs[-1]["s"].strip():
            runs.pop()
        if not any("s" in r and r["s"].strip() for r in runs):
            return
        if "s" in runs[0]:
            runs[0]["s"] = runs[0]["s"].lstrip()
        if "s" in runs[-1]:
            runs[-1]["s"] = runs[-1]["s"].rstrip()
        self._emit({"t": "par", "runs": runs, **attrs})

    def _emit(self, block: dict[str, Any]) -> None:
        if self.where != "main":
            return
        if block.get("signature") and self.sink:
            # The 落款 never stands alone on the last page: the paragraph before it goes along.
            self.sink[-1]["sticky"] = True
        self.sink.append(block)

    def _run_style(self) -> dict[str, Any]:
        style: dict[str, Any] = {}
        for _tag, name in self.style:
            style[name] = True
        if self.links:
            style["link"] = self.links[-1][1]
        return style

    def _text(self, text: str) -> None:
        target = self._runs_target()
        if target is None:
            return
        if self.pre is None:
            text = re.sub(r"[ \t\r\n\f]+", " ", text)
            if not target or "br" in target[-1] or target[-1].get("s", " ").endswith(" "):
                text = text.lstrip(" ")
            if not text:
                return
        run = {"s": _break_long_words(text), **self._run_style()}
        if target and {k: v for k, v in target[-1].items() if k != "s"} == \
                {k: v for k, v in run.items() if k != "s"} and "s" in target[-1]:
            target[-1]["s"] += run["s"]
        else:
            target.append(run)

    def _runs_target(self) -> list[dict[str, Any]] | None:
        if self.tables:
            table = self.tables[-1]
            if table.cell is not None:
                return table.cell.runs
            if table.in_caption:
                return table.caption
            return None
        return self.runs

    def _break(self) -> None:
        target = self._runs_target()
        if target is not None and target and "br" not in target[-1]:
            target.append({"br": True})

    # -- parser callbacks -------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, closing=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, closing=True)

    def _start(self, tag: str, attrs: list[tuple[str, str | None]], *, closing: bool) -> None:
        a = {k: v or "" for k, v in attrs}
        classes = set(a.get("class", "").split())
        void = closing or tag in ("br", "img", "hr", "col", "wbr", "meta", "link")
        if self.skip:
            if not void:
                self.skip += 1
            return
        if tag in ("style", "script", "title", "head", "nav"):
            if tag == "nav":
                self.meta["toc"] = True
            if not void:
                self.skip = 1
            return
        if not void:
            self.stack.append((tag, classes))
        if tag == "header" and "cover" in classes:
            self.where = "cover"
        elif tag == "main":
            self.where = "main"
        elif tag == "footer" and "colophon" in classes:
            self.where = "end"  # the cover states the same facts (version, time, SHA-256)
        if self.where == "cover":
            self._cover_start(tag, classes)
            return
        if self.where != "main":
            return
        if self.tables and self._table_start(tag, a, classes):
            return
        if tag in _INLINE_STYLE:
            if not void:
                self.style.append((tag, _INLINE_STYLE[tag]))
            return
        if tag == "a":
            self.links.append((tag, self._href(a.get("href", ""))))
            return
        if tag == "span" and "sha256" in classes:
            self.style.append((tag, "m"))
            return
        if tag in ("br", "wbr"):
            if tag == "br":
                self._break()
            return
        if tag == "img":
            self._image(a, classes)
            return
        if tag in _BLOCK_TAGS or tag == "table":
            if self.tables:  # a block inside a table cell: a line break
                self._break()
                return
            self._flush()
        if tag in _HEADINGS:
            self.par_attrs = {"heading": _HEADINGS[tag], "id": a.get("id", ""),
                              "wide": "with-wide-table" in classes}
            if a.get("id"):
                self.heading_ids.add(a["id"])
        elif tag == "p":
            self.par_attrs = {k: True for k in ("signature",) if k in classes}
            if "with-wide-table" in classes:
                self.par_attrs["wide"] = True
        elif tag in ("ul", "ol"):
            start = a.get("start", "1")
            block = {"t": "list", "ordered": tag == "ol",
                     "start": int(start) if start.isdigit() else 1, "items": [],
                     "wide": "with-wide-table" in classes}
            self.sink.append(block)
            self.lists.append(block)
            self.sinks.append([])  # content before the first <li> is dropped with it
        elif tag == "li" and self.lists:
            item: list[dict[str, Any]] = []
            items: list[list[dict[str, Any]]] = self.lists[-1]["items"]
            items.append(item)
            self.sinks[-1] = item
        elif tag in ("blockquote", "figure", "dd"):
            inner: list[dict[str, Any]] = []
            block = {"t": "quote", "blocks": inner}
            self.sink.append(block)
            self.quotes.append(block)
            self.sinks.append(inner)
        elif tag == "pre":
            self.pre = []
        elif tag == "hr":
            self.sink.append({"t": "rule"})
        elif tag == "table":
            self.tables.append(_TableState(sorted(classes)))
        elif tag == "div":
            for kind in _SECTION_HEADINGS:
                if kind in classes:
                    self.sections.append((kind, len(self.stack), len(self.sink)))

    def handle_endtag(self, tag: str) -> None:
        if self.skip:
            self.skip -= 1
            return
        if not any(t == tag for t, _ in self.stack):
            return  # a stray end tag
        while self.stack:
            open_tag, classes = self.stack.pop()
            self._end(open_tag, classes)
            if open_tag == tag:
                break

    def _end(self, tag: str, classes: set[str]) -> None:
        if self.style and self.style[-1][0] == tag:
            self.style.pop()
            return
        if self.where == "cover":
            self._cover_end(tag, classes)
            return
        if self.where != "main":
            return
        if tag == "main":
            self._flush()
            self.where = "end"
            return
        if self.tables and self._table_end(tag):
            return
        if tag == "a" and self.links:
            self.links.pop()
            return
        if tag in _BLOCK_TAGS and self.tables:
            return
        if tag == "pre" and self.pre is not None:
            text = "".join(self.pre).strip("\n")
            self.pre = None
            if text.strip():
                self.sink.append({"t": "pre", "text": text})
            return
        if tag in _BLOCK_TAGS:
            self._flush()
        if tag in ("ul", "ol") and self.lists:
            self.lists.pop()
            self.sinks.pop()
        elif tag == "li" and self.lists:
            pass
        elif tag in ("blockquote", "figure", "dd") and self.quotes:
            self.quotes.pop()
            self.sinks.pop()
        elif tag == "div" and self.sections and self.sections[-1][1] == len(self.stack) + 1:
            kind, _depth, first = self.sections.pop()
            blocks = self.sink[first:]
            levels = _SECTION_HEADINGS[kind]
            heads = [i for i, b in enumerate(blocks) if b.get("heading") in levels]
            if heads and heads[0] < len(blocks) - 1:
                blocks[-1]["sticky"] = True

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.where == "cover":
            if self.cover_field is not None:
                self.meta[self.cover_field] = self.meta.get(self.cover_field, "") + data
            elif self.fact is not None:
                self.fact.append(data)
            return
        if self.where != "main":
            return
        if self.pre is not None and not self.tables:
            self.pre.append(data)
            return
        self._text(data)

    # -- parts ------------------------------------------------------------------------
    def _cover_start(self, tag: str, classes: set[str]) -> None:
        for name in ("cover-dept", "cover-title", "cover-year", "cover-date"):
            if name in classes:
                self.cover_field = name.removeprefix("cover-")
        if tag == "tr":
            self.fact = []
        elif tag in ("th", "td") and self.fact is not None:
            self.fact.append("\x00")

    def _cover_end(self, tag: str, classes: set[str]) -> None:
        if tag == "header":
            self.where = "front"
        elif self.cover_field and tag in ("p", "h1"):
            self.meta[self.cover_field] = " ".join(self.meta[self.cover_field].split())
            self.cover_field = None
        elif tag == "tr" and self.fact is not None:
            parts = [" ".join(p.split()) for p in "".join(self.fact).split("\x00")[1:]]
            if len(parts) == 2:
                self.meta["facts"].append(parts)
            self.fact = None

    def _href(self, href: str) -> str | None:
        if href.startswith("#"):
            return href  # resolved against the headings once all are known
        if re.match(r"^(https?:|mailto:)", href, re.I):
            return href
        return None  # relative links to other files: text only (the PDF travels alone)

    def _image(self, a: dict[str, str], classes: set[str]) -> None:
        src = a.get("src", "")
        match = re.match(r"^data:image/[a-z]+;base64,(.*)$", src, re.S)
        if not match:
            return
        try:
            data = base64.b64decode(match.group(1), validate=False)
        except (binascii.Error, ValueError):
            return
        kind = next((k for magic, k in _IMAGE_TYPES.items() if data.startswith(magic)), None)
        if kind == "png" and not _png_intact(data):
            log.warning("PDF: left out a damaged PNG image (alt %r)", a.get("alt", "")[:40])
            kind = None
        if kind is None:  # webp and the like: the alt text stands in
            if a.get("alt"):
                self._text(a["alt"])
            return
        name = f"img-{hashlib.sha256(data).hexdigest()[:24]}.{kind}"
        path = self.images / name
        if not path.exists():
            path.write_bytes(data)
        self.images_written[name] = name
        size = _image_size(data)
        block: dict[str, Any] = {"t": "image", "path": "/" + name, "alt": a.get("alt", "")}
        if "chart" in classes and size:
            width, height = size
            block["width_mm"] = min(TEXT_WIDTH_MM["portrait"],
                                    CHART_MAX_HEIGHT_MM * width / height)
            block["chart"] = True
        elif size:  # CSS pixels (96 per inch) at their size, never wider than the column
            block["width_mm"] = min(TEXT_WIDTH_MM["portrait"], size[0] * 25.4 / 96)
        if self.tables and self.tables[-1].cell is not None:
            return  # no images inside table cells
        self._flush()
        self.sink.append(block)

    def _table_start(self, tag: str, a: dict[str, str], classes: set[str]) -> bool:
        table = self.tables[-1]
        if tag == "table":  # a table inside a table: its cells become text
            self._break()
            return True
        if tag == "caption":
            table.in_caption = True
            return True
        if tag == "col":
            width = re.search(r"--pw:\s*([\d.]+)%", a.get("style", ""))
            if width:
                table.widths.append(float(width.group(1)))
            return True
        if tag in ("thead", "tbody", "tfoot"):
            table.section = tag
            return True
        if tag == "tr":
            table.row = []
            (table.head if table.section == "thead" else table.body).append(table.row)
            return True
        if tag in ("td", "th") and table.row is not None:
            def span(name: str) -> int:
                value = a.get(name, "1")
                return max(1, min(1000, int(value))) if value.isdigit() else 1

            style = a.get("style", "")
            align = a.get("align", "")
            found = re.search(r"text-align:\s*(left|right|center)", style)
            table.cell = _Cell(tag == "th", span("colspan"), span("rowspan"),
                               sorted(classes & _CELL_CLASSES), (found.group(1) if found
                                                                 else align))
            return True
        return False

    def _table_end(self, tag: str) -> bool:
        table = self.tables[-1]
        if tag == "table":
            self.tables.pop()
            self._flush()
            self.sink.append(self._table_block(table))
            return True
        if tag == "caption":
            table.in_caption = False
            return True
        if tag in ("td", "th") and table.cell is not None and table.row is not None:
            cell = table.cell
            runs = cell.runs
            while runs and "br" in runs[-1]:
                runs.pop()
            if runs and "s" in runs[-1]:
                runs[-1]["s"] = runs[-1]["s"].rstrip()
            entry: dict[str, Any] = {"runs": runs}
            if cell.th:
                entry["th"] = True
            if cell.colspan > 1:
                entry["colspan"] = cell.colspan
            if cell.rowspan > 1:
                entry["rowspan"] = cell.rowspan
            if cell.classes:
                entry["cls"] = cell.classes
            if cell.align in ("left", "right", "center"):
                entry["align"] = cell.align
            if self.tokens:  # what no line can break inside, for :func:`overflowing_cells`
                text = "".join(r.get("s", "") for r in runs)
                entry["tokens"] = sorted({t for word in _UNBREAKABLE.findall(text)
                                          for t in word.split("\u200b") if t})
            table.row.append(entry)
            table.cell = None
            return True
        if tag == "tr":
            table.row = None
            return True
        return tag in ("thead", "tbody", "tfoot", "colgroup")

    def _table_block(self, table: _TableState) -> dict[str, Any]:
        rows = table.head + table.body
        columns = 0
        pending: dict[int, int] = {}  # column -> rows still covered by a rowspan
        for row in rows:
            col, used = 0, {c for c, n in pending.items() if n > 0}
            for cell in row:
                while col in used:
                    col += 1
                span = cell.get("colspan", 1)
                for c in range(col, col + span):
                    if cell.get("rowspan", 1) > 1:
                        pending[c] = cell["rowspan"]
                col += span
            columns = max(columns, col, max(used, default=-1) + 1)
            pending = {c: n - 1 for c, n in pending.items() if n - 1 > 0}
        widths = table.widths if len(table.widths) == columns else [100 / max(columns, 1)] * columns
        size = next((CLASS_SIZE_PT[c] for c in table.classes if c in CLASS_SIZE_PT), 9.0)
        return {"t": "table", "widths": widths, "size": size, "head": table.head,
                "body": table.body, "caption": table.caption,
                "squeeze": "squeeze" in table.classes,
                "wide": "landscape" in table.classes}

    # -- result -----------------------------------------------------------------------
    def result(self) -> dict[str, Any]:
        self.close()
        self._flush()
        ids = self.heading_ids

        def resolve(blocks: list[dict[str, Any]]) -> None:
            for block in blocks:
                for runs in _all_runs(block):
                    for run in runs:
                        link = run.get("link")
                        if link and link.startswith("#") and link[1:] not in ids:
                            del run["link"]
                for child in block.get("blocks", []):
                    resolve([child])
                for item in block.get("items", []):
                    resolve(item)

        resolve(self.blocks)
        return {"meta": self.meta, "blocks": _group_landscape(self.blocks)}


def _all_runs(block: dict[str, Any]) -> list[list[dict[str, Any]]]:
    if block.get("t") == "par":
        return [block["runs"]]
    if block.get("t") == "table":
        return [block["caption"]] + [c["runs"] for rows in (block["head"], block["body"])
                                     for row in rows for c in row]
    return []


def _group_landscape(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Consecutive blocks for a landscape page (a wide table, the heading and short
    introduction html.py moves with it) as one ``landscape`` block."""
    out: list[dict[str, Any]] = []
    for block in blocks:
        if block.pop("wide", False):
            if out and out[-1]["t"] == "landscape":
                out[-1]["blocks"].append(block)
            else:
                out.append({"t": "landscape", "blocks": [block]})
        else:
            out.append(block)
    return out


def document_model(reviewer_html: str, images: Path, *, tokens: bool = False) -> dict[str, Any]:
    """The reviewer HTML as the data ``report.typ`` lays out; images are written to ``images``.

    Args:
        tokens: also list, for each table cell, the runs of its text no line can break inside
            (for :func:`overflowing_cells`).

    Returns:
        ``{"meta": {dept, title, year, date, facts, toc}, "blocks": [...]}``.
    """
    model = _Model(images, tokens)
    model.feed(reviewer_html)
    return model.result()


# ---- the compiler ----------------------------------------------------------------------------

_LOCK = threading.Lock()


@dataclass
class _Typst:
    compiler: Any
    root: Path


@functools.cache
def _typst(font_dirs: tuple[str, ...]) -> _Typst:
    """One compiler per process and font set: loading the fonts is the costly part of a first
    compile. System fonts are not scanned; Typst's own (DejaVu Sans Mono for code) stay."""
    root = Path(tempfile.mkdtemp(prefix="perfkit-typst-"))
    # Removed when the process ends: multiprocessing's finalizers run in worker processes too,
    # where atexit handlers do not.
    multiprocessing.util.Finalize(None, shutil.rmtree, args=(root, True), exitpriority=0)
    fonts = typst.Fonts(include_system_fonts=False, include_embedded_fonts=True,
                        font_paths=list(font_dirs))
    return _Typst(typst.Compiler(root=str(root), font_paths=fonts), root)


def typst_pdf(reviewer_html: str, font: CjkFont | None = None) -> bytes:
    """Typeset reviewer HTML into an A4 PDF with Typst (``templates/report.typ``).

    Args:
        reviewer_html: the complete reviewer HTML document.
        font: the CJK family to set the text in; :func:`find_cjk_fonts` when None.

    Raises:
        FontMissingError: no CJK font is installed.
    """
    pdf = _compile(reviewer_html, font)
    assert isinstance(pdf, bytes)
    return pdf


def overflowing_cells(reviewer_html: str, font: CjkFont | None = None) -> list[str]:
    """Table cells whose text runs out of their column in the Typst layout: for each cell,
    the template measures every run of its text that no line can break inside against the
    width the cell gives its content (``sys.inputs.check``), and reports those wider.

    Returns:
        One ``text (width > room)`` line per overflowing cell.
    """
    found = _compile(reviewer_html, font, query="<overflow>")
    return [f"{v['text']} ({v['width']} > {v['room']})" for v in json.loads(str(found))]


def _compile(reviewer_html: str, font: CjkFont | None, query: str | None = None) -> Any:
    font = font or find_cjk_fonts()
    dirs = tuple(sorted({str(p.parent) for p in (font.regular, font.bold) if p is not None}))
    engine = _typst(dirs)
    with _LOCK:
        model = document_model(reviewer_html, engine.root, tokens=query is not None)
        model["meta"]["family"] = font.family
        data = json.dumps(model, ensure_ascii=False).encode("utf-8")
        name = f"doc-{hashlib.sha256(data).hexdigest()[:24]}.json"
        (engine.root / name).write_bytes(data)
        template = asset("report.typ").encode("utf-8")
        try:
            if query is None:
                return engine.compiler.compile(input=template, format="pdf", pdf_tags=False,
                                               sys_inputs={"doc": "/" + name})
            run_query: Any = typst.query  # its stub's type variable cannot be inferred here
            return run_query(template, query, field="value", root=str(engine.root),
                               font_paths=list(dirs), ignore_system_fonts=True,
                               sys_inputs={"doc": "/" + name, "check": "overflow"})
        finally:
            (engine.root / name).unlink(missing_ok=True)
            for image in engine.root.glob("img-*"):
                image.unlink(missing_ok=True)


__all__ = ["document_model", "overflowing_cells", "typst_pdf"]
