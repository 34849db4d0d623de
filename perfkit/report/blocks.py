"""The document model: the blocks a notebook displays and every renderer reads.

A document is a sequence of blocks — heading, paragraph of runs, list, table, chart, signature,
page break —
each a small frozen dataclass. Displayed in a notebook a block carries two representations in
one output: ``text/html`` (JupyterLab and nbconvert's analyst copy) and :data:`BLOCK_MIME`, its
JSON (versioned: :data:`VERSION`), which the reviewer HTML (:mod:`perfkit.report.html`), the
Typst PDF (:mod:`perfkit.report.typstpdf`) and the Word file (:mod:`perfkit.report.word`) read
back from the executed notebook (:func:`read_blocks`). No renderer parses HTML or Markdown: text
reaches each of them as plain strings, so workbook text is printed exactly as typed (no escaping
to get wrong), and a block says what it is (a run in bold, a figure's source cell, a table's
figure columns) instead of a renderer guessing it back.

Blocks hold what to show, already formatted: numbers reach them computed by the assess and
indicator stages and formatted by :mod:`perfkit.fmt`; a block never computes.
"""

from __future__ import annotations

import base64
import html
import io
import struct
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

#: Mime type of a block's JSON in a notebook output.
BLOCK_MIME = "application/vnd.perfkit.block+json"
#: Version of the JSON; a renderer refuses blocks of a version it does not know.
VERSION = 1

#: Paragraph roles: a plain paragraph, a note (smaller, under a table or chart), a lead (the
#: opening paragraph under a document's title), a centred line, and a draft's statement that it
#: is one (a document holding it is marked 草稿 on every page).
ROLES = ("", "note", "lead", "center", "draft")
#: Cell tones a table may give cells by their text (report.css colours them; Word and Typst too).
TONES = ("verdict-bad", "verdict-note", "verdict-na", "verdict-ok")


# ---------------------------------------------------------------------------------------------
# Inline: runs
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """A piece of a paragraph's text, in one style.

    Attributes:
        text: the text as it is to read (never escaped, never marked up).
        bold: a bold run (a run-in title such as ``（一）队伍结构不合理``, a figure stressed).
        cell: the workbook cell(s) a figure comes from (``收入!D8``): HTML shows it on hover,
            the other renderers keep it out of the text.
    """

    text: str
    bold: bool = False
    cell: str = ""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"text": self.text}
        if self.bold:
            out["b"] = True
        if self.cell:
            out["cell"] = self.cell
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Run:
        return cls(str(data["text"]), bool(data.get("b", False)), str(data.get("cell", "")))


Inline = str | Run


def b(text: object, cell: str = "") -> Run:
    """A bold run."""
    return Run(str(text), True, cell)


def fig(text: object, cell: str = "") -> Run:
    """A figure with the cell(s) it comes from."""
    return Run(str(text), False, cell)


def runs(*parts: Inline | Iterable[Inline] | None) -> tuple[Run, ...]:
    """Runs from strings and runs (nested iterables flattened, None and "" dropped); adjacent
    runs of one style are merged."""
    out: list[Run] = []

    def add(part: Any) -> None:
        if part is None or part == "":
            return
        if isinstance(part, Run):
            run = part
        elif isinstance(part, str):
            run = Run(part)
        else:
            for p in part:
                add(p)
            return
        if out and out[-1].bold == run.bold and not out[-1].cell and not run.cell:
            out[-1] = Run(out[-1].text + run.text, run.bold)
        else:
            out.append(run)

    for part in parts:
        add(part)
    return tuple(r for r in out if r.text)


def text_of(rs: Iterable[Run]) -> str:
    """The text of some runs."""
    return "".join(r.text for r in rs)


def runs_html(rs: Iterable[Run]) -> str:
    out = []
    for r in rs:
        text = html.escape(r.text, quote=False).replace("\n", "<br>")
        if r.cell:
            text = f'<span class="fig" title="{html.escape(r.cell)}">{text}</span>'
        out.append(f"<strong>{text}</strong>" if r.bold else text)
    return "".join(out)


# ---------------------------------------------------------------------------------------------
# Blocks
# ---------------------------------------------------------------------------------------------


class Block:
    """Base of every block: its JSON kind, its JSON and HTML, and its notebook display."""

    kind: ClassVar[str] = ""

    def payload(self) -> dict[str, Any]:  # pragma: no cover - every block defines it
        raise NotImplementedError

    def to_json(self) -> dict[str, Any]:
        return {"v": VERSION, "t": self.kind, **self.payload()}

    def to_html(self) -> str:  # pragma: no cover - every block defines it
        raise NotImplementedError

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {"text/html": self.to_html(), BLOCK_MIME: self.to_json(),
                "text/plain": self.plain_text()}

    def plain_text(self) -> str:
        return ""

    def __str__(self) -> str:
        return self.plain_text()

    def __contains__(self, text: str) -> bool:
        """``"…" in block``: whether its text contains ``text``."""
        return text in self.plain_text()

    def blocks(self) -> Iterator[Block]:
        yield self


@dataclass(frozen=True)
class Heading(Block):
    """A heading; level 1 is the document's title, 2 一、, 3 （一）, 4 a minor heading."""

    level: int
    text: str
    kind: ClassVar[str] = "heading"

    def __post_init__(self) -> None:
        if not 1 <= self.level <= 4:
            raise ValueError(f"heading level {self.level}")

    def payload(self) -> dict[str, Any]:
        return {"level": self.level, "text": self.text}

    def to_html(self) -> str:
        return f"<h{self.level}>{html.escape(self.text, quote=False)}</h{self.level}>"

    def plain_text(self) -> str:
        return self.text


@dataclass(frozen=True)
class Paragraph(Block):
    """A paragraph of runs; ``role`` one of :data:`ROLES`."""

    runs: tuple[Run, ...]
    role: str = ""
    kind: ClassVar[str] = "par"

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"paragraph role {self.role!r}")

    def payload(self) -> dict[str, Any]:
        out: dict[str, Any] = {"runs": [r.to_json() for r in self.runs]}
        if self.role:
            out["role"] = self.role
        return out

    def to_html(self) -> str:
        cls = f' class="{self.role}"' if self.role else ""
        return f"<p{cls}>{runs_html(self.runs)}</p>"

    def plain_text(self) -> str:
        return text_of(self.runs)


@dataclass(frozen=True)
class ListBlock(Block):
    """A list: each item a paragraph's runs; ``ordered`` numbers them 1. 2. …"""

    items: tuple[tuple[Run, ...], ...]
    ordered: bool = False
    kind: ClassVar[str] = "list"

    def payload(self) -> dict[str, Any]:
        return {"ordered": self.ordered, "items": [[r.to_json() for r in item] for item in self.items]}

    def to_html(self) -> str:
        tag = "ol" if self.ordered else "ul"
        items = "".join(f"<li>{runs_html(item)}</li>" for item in self.items)
        return f"<{tag}>{items}</{tag}>"

    def plain_text(self) -> str:
        return "\n".join(text_of(item) for item in self.items)


@dataclass(frozen=True)
class Table(Block):
    """A table of display strings (numbers already formatted, missing values ``未提供``).

    Attributes:
        columns: the headers (units included: ``决算数（万元）``).
        rows: one tuple of cell texts per row.
        numeric: per column, whether it holds figures (right-aligned in print).
        caption: shown above the table, or "".
        tones: per column, cell text → a tone of :data:`TONES` for the cells with that text
            (a verdict's colour).
        orientation: ``auto`` (the layout decides: a table too wide for portrait gets a
            landscape page), ``portrait`` or ``landscape``.
    """

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...]
    caption: str = ""
    tones: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    orientation: str = "auto"
    kind: ClassVar[str] = "table"

    def __post_init__(self) -> None:
        if len(self.numeric) != len(self.columns) or any(len(r) != len(self.columns)
                                                          for r in self.rows):
            raise ValueError("table rows and columns differ in length")
        if self.orientation not in ("auto", "portrait", "landscape"):
            raise ValueError(f"orientation {self.orientation!r}")
        for column, by_text in self.tones.items():
            if column not in self.columns or not set(by_text.values()) <= set(TONES):
                raise ValueError(f"tones of column {column!r}")

    def payload(self) -> dict[str, Any]:
        out: dict[str, Any] = {"columns": list(self.columns), "rows": [list(r) for r in self.rows],
                               "numeric": list(self.numeric)}
        if self.caption:
            out["caption"] = self.caption
        if self.tones:
            out["tones"] = {k: dict(v) for k, v in self.tones.items()}
        if self.orientation != "auto":
            out["orientation"] = self.orientation
        return out

    @property
    def frame(self) -> Any:
        """The table as a pandas DataFrame of its display strings (for an analyst or a test)."""
        import pandas as pd  # only when asked: blocks are read without pandas

        return pd.DataFrame(list(self.rows), columns=list(self.columns))

    def tone(self, column: int, text: str) -> str:
        """The tone of a cell ("" for none)."""
        return self.tones.get(self.columns[column], {}).get(text, "")

    def to_html(self) -> str:
        head = "".join(f"<th>{html.escape(c, quote=False)}</th>" for c in self.columns)
        body = []
        for row in self.rows:
            cells = []
            for j, text in enumerate(row):
                classes = " ".join(filter(None, ["num" if self.numeric[j] else "",
                                                 self.tone(j, text)]))
                cls = f' class="{classes}"' if classes else ""
                cells.append(f"<td{cls}>{html.escape(text, quote=False)}</td>")
            body.append(f"<tr>{''.join(cells)}</tr>")
        caption = f"<caption>{html.escape(self.caption, quote=False)}</caption>" if self.caption else ""
        return (f'<table class="pk-table">{caption}<thead><tr>{head}</tr></thead>'
                f"<tbody>{''.join(body)}</tbody></table>")

    def plain_text(self) -> str:
        return f"<表 {self.caption} {len(self.rows)}×{len(self.columns)}>"


@dataclass(frozen=True)
class Chart(Block):
    """A chart as a PNG image, drawn at its printed size (:mod:`perfkit.report.charts`).

    Attributes:
        png: the image.
        alt: what it shows, in words (the image's alternative text).
    """

    png: bytes = field(repr=False)
    alt: str = "图表"
    #: The matplotlib Figure it was drawn from, for an analyst (not part of the JSON).
    figure: Any = field(default=None, repr=False, compare=False)
    kind: ClassVar[str] = "chart"

    @property
    def size(self) -> tuple[int, int]:
        """Pixel width and height, from the PNG header."""
        if self.png[:8] != b"\x89PNG\r\n\x1a\n" or len(self.png) < 24:
            return (0, 0)
        w, h = struct.unpack(">II", self.png[16:24])
        return int(w), int(h)

    def payload(self) -> dict[str, Any]:
        w, h = self.size
        return {"png": base64.b64encode(self.png).decode("ascii"), "alt": self.alt,
                "width": w, "height": h}

    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")

    def to_html(self) -> str:
        return f'<img class="chart" src="{self.data_uri()}" alt="{html.escape(self.alt)}">'

    def plain_text(self) -> str:
        return f"<图表 {self.alt}>"

    @classmethod
    def from_figure(cls, figure: Any, alt: str = "图表", dpi: int = 200) -> Chart:
        """A matplotlib Figure drawn to PNG at its printed size and ``dpi``. A figure with a
        layout engine (perfkit's charts: constrained) already fits its canvas; one without
        is cropped to what it draws."""
        buf = io.BytesIO()
        crop = "tight" if figure.get_layout_engine() is None else None
        figure.savefig(buf, format="png", dpi=dpi, bbox_inches=crop, facecolor="white")
        return cls(buf.getvalue(), alt, figure)


@dataclass(frozen=True)
class Signature(Block):
    """The 落款: the unit and the date, right-aligned at the end of a department's document."""

    lines: tuple[str, ...]
    kind: ClassVar[str] = "signature"

    def payload(self) -> dict[str, Any]:
        return {"lines": list(self.lines)}

    def to_html(self) -> str:
        return '<p class="signature">' + "<br>".join(
            html.escape(line, quote=False) for line in self.lines) + "</p>"

    def plain_text(self) -> str:
        return "\n".join(self.lines)


@dataclass(frozen=True)
class PageBreak(Block):
    """What follows starts a new page in print (a 复核意见's one-page conclusion stands alone);
    on screen a rule."""

    kind: ClassVar[str] = "break"

    def payload(self) -> dict[str, Any]:
        return {}

    def to_html(self) -> str:
        return '<hr class="page-break">'


BLOCK_TYPES: dict[str, type[Block]] = {
    c.kind: c for c in (Heading, Paragraph, ListBlock, Table, Chart, Signature, PageBreak)}


class Blocks(tuple):
    """Several blocks one notebook cell shows in order, each as its own output (so a cell stays
    one ``pk.*`` call where the number of blocks depends on the data). Empty: nothing shown."""

    def __new__(cls, *items: Block | Iterable[Block] | None) -> Blocks:
        flat: list[Block] = []

        def add(item: Any) -> None:
            if item is None:
                return
            if isinstance(item, Block):
                flat.append(item)
            else:
                for x in item:
                    add(x)

        for item in items:
            add(item)
        return super().__new__(cls, flat)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        for block in self:
            display(block)

    def blocks(self) -> Iterator[Block]:
        yield from self

    def plain_text(self) -> str:
        """The text of the blocks, a blank line between two."""
        return "\n\n".join(t for t in (b.plain_text() for b in self) if t)

    def __str__(self) -> str:
        return self.plain_text()

    def __contains__(self, item: object) -> bool:
        """A block among them, or (a string) text that their text contains."""
        if isinstance(item, str):
            return item in self.plain_text()
        return tuple.__contains__(self, item)

    def __repr__(self) -> str:
        return f"<Blocks: {len(self)}>"


# ---------------------------------------------------------------------------------------------
# Building blocks (what the report modules call)
# ---------------------------------------------------------------------------------------------


def heading(level: int, text: str) -> Heading:
    return Heading(level, text)


def par(*parts: Inline | Iterable[Inline] | None, role: str = "") -> Paragraph:
    """A paragraph of strings and runs (:func:`b`, :func:`fig`)."""
    return Paragraph(runs(*parts), role)


def note(*parts: Inline | Iterable[Inline] | None) -> Paragraph:
    return Paragraph(runs(*parts), "note")


def bullets(items: Iterable[Iterable[Inline] | Inline]) -> ListBlock:
    """A bulleted list; each item a string, a run or an iterable of them."""
    return ListBlock(tuple(runs(i) for i in items))


def numbered(items: Iterable[Iterable[Inline] | Inline]) -> ListBlock:
    """A numbered list (1. 2. …)."""
    return ListBlock(tuple(runs(i) for i in items), ordered=True)


def run_in(title: str) -> tuple[Run, ...]:
    """A bold run-in title that leads a paragraph: ``（一）队伍结构不合理`` + ``。``."""
    return (b(title), Run("。"))


def section(title: str, *intro: str, level: int = 2) -> Blocks:
    """A heading and the paragraphs that say what the section shows (a notebook's prose)."""
    return Blocks(Heading(level, title), *(Paragraph(runs(p)) for p in intro if p))


def is_draft(blocks: Iterable[Block]) -> bool:
    """Whether a document is a draft (it holds a paragraph of role ``draft``): every renderer
    then marks each page 草稿."""
    return any(isinstance(b, Paragraph) and b.role == "draft" for b in blocks)


# ---------------------------------------------------------------------------------------------
# Reading blocks back
# ---------------------------------------------------------------------------------------------


class BlockError(ValueError):
    """A block's JSON that this perfkit cannot read."""


def from_json(data: Mapping[str, Any]) -> Block:
    """A block from its JSON (:meth:`Block.to_json`).

    Raises:
        BlockError: an unknown version or kind, or a malformed block.
    """
    if data.get("v") != VERSION:
        raise BlockError(f"块的版本 {data.get('v')!r} 不是 {VERSION}：请用同一版本的 perfkit 重新运行")
    kind = data.get("t")
    try:
        if kind == "heading":
            return Heading(int(data["level"]), str(data["text"]))
        if kind == "par":
            return Paragraph(tuple(Run.from_json(r) for r in data["runs"]), str(data.get("role", "")))
        if kind == "list":
            return ListBlock(tuple(tuple(Run.from_json(r) for r in item) for item in data["items"]),
                             bool(data.get("ordered", False)))
        if kind == "table":
            return Table(tuple(map(str, data["columns"])),
                         tuple(tuple(map(str, r)) for r in data["rows"]),
                         tuple(bool(x) for x in data["numeric"]), str(data.get("caption", "")),
                         {str(k): {str(a): str(t) for a, t in v.items()}
                          for k, v in (data.get("tones") or {}).items()},
                         str(data.get("orientation", "auto")))
        if kind == "chart":
            return Chart(base64.b64decode(data["png"]), str(data.get("alt", "图表")))
        if kind == "signature":
            return Signature(tuple(map(str, data["lines"])))
        if kind == "break":
            return PageBreak()
    except (KeyError, TypeError, ValueError) as exc:
        raise BlockError(f"块（{kind}）无法读取：{exc}") from exc
    raise BlockError(f"未知的块类型 {kind!r}")


def prose_blocks(source: str) -> list[Block]:
    """A notebook's own text cell as blocks: a paragraph whose first line starts with ``#``s is
    a heading of that level (its further lines a paragraph), any other paragraph is text as
    written; the lines of one paragraph are joined (without a space between Chinese
    characters). Nothing else is read into it: ``**`` or ``<b>`` print as typed.

    This is how a project's own notebooks (the copies ``perfkit init`` made, an analyst's
    edits) keep their headings and explanations; perfkit's notebooks write theirs as
    ``pk.blocks.section`` cells.
    """
    out: list[Block] = []
    for chunk in str(source).replace("\r\n", "\n").split("\n\n"):
        lines = [line.strip() for line in chunk.split("\n") if line.strip()]
        if not lines:
            continue
        first = lines[0]
        level = len(first) - len(first.lstrip("#"))
        if 1 <= level <= 6 and first[level:level + 1] in (" ", ""):
            out.append(Heading(min(level, 4), first[level:].strip()))
            lines = lines[1:]
        if lines:
            out.append(Paragraph(runs(_join_lines(lines))))
    return out


def _join_lines(lines: list[str]) -> str:
    text = lines[0]
    for line in lines[1:]:
        text += (" " if text[-1].isascii() and line[0].isascii() else "") + line
    return text


def read_blocks(nb: Any) -> list[Block]:
    """Every block an executed notebook displayed, in order, with the notebook's own text cells
    (:func:`prose_blocks`); outputs without a block (an analyst's own print) are not part of
    the document."""
    out: list[Block] = []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "markdown":
            source = cell.get("source", "")
            out += prose_blocks("".join(source) if isinstance(source, list) else source)
            continue
        if cell.get("cell_type") != "code":
            continue
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if BLOCK_MIME in data:
                out.append(from_json(data[BLOCK_MIME]))
    return out


__all__ = [
    "BLOCK_MIME", "BLOCK_TYPES", "ROLES", "TONES", "VERSION", "Block", "BlockError", "Blocks",
    "Chart", "Heading", "ListBlock", "PageBreak", "Paragraph", "Run", "Signature", "Table", "b", "bullets",
    "fig", "from_json", "heading", "is_draft", "note", "numbered", "par", "prose_blocks",
    "read_blocks",
    "run_in",
    "runs", "runs_html", "section", "text_of",
]
