"""Executed notebooks as HTML pages: the reviewer copy (code hidden, print-ready) and the analyst copy."""

from __future__ import annotations

import copy
import functools
import html
import logging
import re
from dataclasses import dataclass, field
from typing import Any

import jinja2
import nbformat
from markupsafe import Markup
from pygments.formatters import HtmlFormatter

from perfkit import config, fmt
from perfkit.report.blocks import (
    Block,
    Chart,
    Heading,
    ListBlock,
    PageBreak,
    Paragraph,
    Signature,
    Table,
    is_draft,
    runs_html,
)
from perfkit.report.layout import TableLayout, TocEntry, document_layout
from perfkit.report.meta import ReportMeta
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

@dataclass
class _Body:
    html: str
    headings: list[TocEntry] = field(default_factory=list)
    draft: bool = False


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


def analyst_body(nb: nbformat.NotebookNode) -> _Body:
    """The analyst copy's body: the notebook with its code as nbconvert shows it (each output as
    its own HTML: a block's text/html), sanitized; no print layout, no table of contents."""
    return _Body(sanitize(export_body(nb, with_code=True)))


#: Plain-text reprs that mean nothing to a reader, e.g. ``<Figure size 1125x630 with 1 Axes>``.
_OBJECT_REPR_RE = re.compile(
    r"^(<(Figure|Axes|matplotlib|seaborn|Styler|pandas)[^<>]*>|<[\w.]+ object at 0x[0-9a-f]+>)$"
)
def _classes(*names: str) -> str:
    names = tuple(n for n in names if n)
    return f' class="{" ".join(names)}"' if names else ""


def _table_html(table: Table, layout: TableLayout) -> str:
    """A table block as report.css/print.css lay it out: type size and orientation classes,
    print column widths, each cell's class (figures right-aligned, missing values grey, long
    text, short labels kept on a line, verdict tones)."""
    wrap = "table-wrap" + (" wide" if layout.wide else "") + (" landscape" if layout.landscape else "")
    caption = (f"<caption>{html.escape(table.caption, quote=False)}</caption>"
               if table.caption else "")
    cols = "".join(f'<col style="--pw: {w:.2f}%">' for w in layout.widths)
    head = "".join(f"<th{_classes(*cls)}>{html.escape(c, quote=False)}</th>"
                   for c, cls in zip(table.columns, layout.head, strict=True))
    body = []
    for row, cells in zip(table.rows, layout.cells, strict=True):
        body.append("<tr>" + "".join(f"<td{_classes(*cls)}>{html.escape(text, quote=False)}</td>"
                                      for text, cls in zip(row, cells, strict=True)) + "</tr>")
    return (f'<div class="{wrap}"><table{_classes("pk-table", f"cols-{len(table.columns)}", *layout.classes)}>'
            f"{caption}<colgroup>{cols}</colgroup><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table></div>")


def render_body(blocks: list[Block]) -> _Body:
    """The reviewer body from the document's blocks (:mod:`perfkit.report.blocks`), laid out
    for print by :mod:`perfkit.report.layout`: heading ids and the table of contents, tables
    sized, wide tables on landscape pages with their heading and short introduction, a
    section's introduction kept with what follows it."""
    doc = document_layout(blocks)
    out = []
    after_heading = False
    for i, block in enumerate(blocks):
        wide = "with-wide-table" if i in doc.with_wide else ""
        if isinstance(block, Heading):
            level = min(block.level, 4)
            out.append(f'<h{level} id="{doc.ids[i]}"{_classes(wide)}>'
                       f"{html.escape(block.text, quote=False)}</h{level}>")
            after_heading = True
            continue
        keep = "keep-next" if after_heading and isinstance(block, (Paragraph, ListBlock)) else ""
        if isinstance(block, Paragraph):
            out.append(f"<p{_classes(block.role, wide, keep)}>{runs_html(block.runs)}</p>")
        elif isinstance(block, ListBlock):
            tag = "ol" if block.ordered else "ul"
            items = "".join(f"<li>{runs_html(item)}</li>" for item in block.items)
            out.append(f"<{tag}{_classes(wide, keep)}>{items}</{tag}>")
        elif isinstance(block, Table):
            out.append(_table_html(block, doc.tables[i]))
        elif isinstance(block, Chart):
            out.append(f'<img class="chart" src="{block.data_uri()}" '
                       f'alt="{html.escape(block.alt)}">')
        elif isinstance(block, (Signature, PageBreak)):
            out.append(block.to_html())
        if not isinstance(block, (Paragraph, ListBlock)) or not keep:
            after_heading = False
    return _Body("\n".join(out), list(doc.toc), is_draft(blocks))


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
                "draft" if body.draft else "",
            )
            if c
        ),
    ))


@functools.cache
def _pygments_css() -> str:
    return "\n" + HtmlFormatter(style="default").get_style_defs(".highlight")
