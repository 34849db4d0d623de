"""Typeset perfkit's reviewer HTML with Typst, to compare the engine with WeasyPrint (issue 15).

Usage: ``python benchmarks/typst_probe.py FOLDER STEM[,STEM…] [--out DIR]``

Reads ``FOLDER/<stem>.html`` (the reviewer copies ``perfkit run`` writes), turns the report body
into Typst markup — headings, paragraphs, lists, bold text, tables with the column widths and
type sizes render.py declared (landscape pages for the tables it marks ``landscape``), charts —
with a cover, contents, running header and "第 N 页 共 M 页" footer like print.css, and compiles
them with one warm ``typst.Compiler`` (the ``typst`` package; nothing is downloaded). Prints one
JSON line: ``{"cpu": seconds, "pages": {stem: n}}``, the CPU time of compiling every document
after one warm-up compile. ``--out`` also writes the PDFs and the ``.typ`` sources, to look at.

A measurement, not a renderer: it covers the elements the sample's reports use and nothing
more (no official layout, no page-break rules beyond Typst's own: headings stay with what
follows, table headers repeat). perfkit typesets with WeasyPrint (perfkit/report/pdf.py; why:
perfkit/templates/PDF_CHOICE.md).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import sys
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path

SIZES = {"fs-9": 9.0, "fs-8": 8.0, "fs-7": 7.0, "fs-6": 6.5}


def markup(text: str) -> str:
    """Text as Typst markup: every character Typst gives a meaning escaped."""
    return re.sub(r"([\\#*_`$<>@\[\]~/=\-+'\"])", r"\\\1", text)


class _Body(HTMLParser):
    """The report body (inside ``<main>``) as Typst markup."""

    def __init__(self, images: Path):
        super().__init__(convert_charrefs=True)
        self.images = images
        self.out: list[str] = []
        self.skip = 0
        self.heading: str | None = None
        self.lists: list[str] = []
        self.table: dict | None = None
        self.cell: list[str] | None = None
        self.cell_info: tuple[int, int, bool, bool] = (1, 1, False, False)

    def put(self, text: str) -> None:
        (self.cell if self.cell is not None else self.out).append(text)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        cls = (a.get("class") or "").split()
        if self.skip or tag in ("style", "script", "caption"):
            self.skip += tag in ("style", "script", "caption")
            return
        if tag in ("h1", "h2", "h3", "h4"):
            self.put("\n" + "=" * int(tag[1]) + " ")
            self.heading = tag
        elif tag == "p":
            self.put("\n\n")
        elif tag in ("ul", "ol"):
            self.lists.append(tag)
            self.put("\n")
        elif tag == "li":
            self.put("\n" + "  " * (len(self.lists) - 1) + ("- " if self.lists[-1] == "ul" else "+ "))
        elif tag in ("strong", "b"):
            self.put("#strong[")
        elif tag == "em":
            self.put("#emph[")
        elif tag == "br":
            self.put(" \\\n")
        elif tag == "table":
            self.table = {"rows": [], "head": 0, "widths": [],
                          "size": next((SIZES[c] for c in cls if c in SIZES), 9.0),
                          "landscape": "landscape" in cls}
        elif tag == "col" and self.table is not None:
            width = re.search(r"--pw:\s*([\d.]+)%", a.get("style") or "")
            if width:
                self.table["widths"].append(float(width.group(1)))
        elif tag == "tr" and self.table is not None:
            self.table["rows"].append([])
        elif tag in ("td", "th") and self.table is not None:
            self.cell = []
            self.cell_info = (int(a.get("colspan") or 1), int(a.get("rowspan") or 1),
                              "num" in cls, tag == "th")
        elif tag == "img" and (a.get("src") or "").startswith("data:image/png;base64,"):
            data = base64.b64decode(a["src"].split(",", 1)[1])
            name = hashlib.sha1(data).hexdigest()[:16] + ".png"
            (self.images / name).write_bytes(data)
            self.put(f'\n#block(breakable: false, image("{name}", width: 100%))\n')

    def handle_endtag(self, tag: str) -> None:
        if self.skip:
            self.skip -= tag in ("style", "script", "caption")
            return
        if tag == self.heading:
            self.put("\n")
            self.heading = None
        elif tag in ("ul", "ol"):
            self.lists.pop()
            self.put("\n")
        elif tag in ("strong", "b", "em"):
            self.put("]")
        elif tag == "thead" and self.table is not None:
            self.table["head"] = len(self.table["rows"])
        elif tag in ("td", "th") and self.cell is not None and self.table is not None:
            self.table["rows"][-1].append(("".join(self.cell).strip(), *self.cell_info))
            self.cell = None
        elif tag == "table" and self.table is not None:
            self.put(self._table(self.table))
            self.table = None

    def handle_data(self, data: str) -> None:
        if self.skip or (self.heading and not data.strip()):
            return
        self.put(markup(re.sub(r"\s+", " ", data)))

    @staticmethod
    def _table(t: dict) -> str:
        def cell(text, colspan, rowspan, num, th):
            opts = [f"colspan: {colspan}"] * (colspan > 1) + [f"rowspan: {rowspan}"] * (rowspan > 1)
            opts += ["align: right"] * num
            body = f"#strong[{text}]" if th else text
            return f"table.cell({', '.join(opts)})[{body}]" if opts else f"[{body}]"

        ncol = max((sum(c[1] for c in r) for r in t["rows"]), default=1)
        widths = t["widths"] if len(t["widths"]) == ncol else [100 / ncol] * ncol
        head, body = t["rows"][: t["head"]], t["rows"][t["head"]:]
        cols = ", ".join(f"{w:.2f}%" for w in widths)
        code = (f'\n#block(width: 100%)[#set text(size: {t["size"]}pt)\n'
                f'#table(columns: ({cols},), inset: (x: 0.45em, y: 0.25em), '
                f'stroke: 0.6pt + rgb("#9aa5b1"), '
                f'fill: (x, y) => if y < {len(head)} {{ rgb("#e6ebf1") }},\n')
        if head:
            code += "table.header(" + ", ".join(cell(*c) for r in head for c in r) + "),\n"
        code += ", ".join(cell(*c) for r in body for c in r) + ")]\n"
        if t["landscape"]:
            code = f"\n#page(flipped: true, margin: (top: 25mm, rest: 18mm))[{code}]\n"
        return code


def page_setup(html: str) -> str:
    """Cover, contents, page furniture and heading styles (print.css, in Typst)."""
    def meta(cls: str) -> str:
        found = re.search(rf'<[a-z0-9]+ class="{cls}">(.*?)</', html, re.S)
        return markup(re.sub(r"<[^>]+>|\s+", "", found.group(1))) if found else ""

    dept, title, year = meta("cover-dept"), meta("cover-title"), meta("cover-year")
    return f'''#set text(font: ("Noto Sans CJK SC",), size: 10.5pt, lang: "zh", region: "cn")
#set par(leading: 0.9em, justify: true)
#set page(paper: "a4", margin: (top: 22mm, right: 20mm, bottom: 20mm, left: 25mm),
  header: context {{ if counter(page).get().first() > 1 [
    #set text(size: 8.5pt, fill: rgb("#555")); {dept}　{year} #h(1fr) {title}] }},
  footer: context [#set align(center); #set text(size: 9pt)
    第 #counter(page).display() 页 共 #counter(page).final().first() 页])
#show heading: set text(fill: rgb("#0d2b52"))
#show heading.where(level: 1): set text(size: 16pt)
#show heading.where(level: 2): set text(size: 13.5pt)
#show heading.where(level: 3): set text(size: 12pt)
#block(inset: (top: 30mm))[#text(size: 13pt)[{dept}] \\ #text(size: 22pt, weight: "bold")[{title}]
  \\ #text(size: 13pt)[{year}]]
#outline(title: [目录], depth: 3)
#pagebreak()
'''


def to_typst(html: str, images: Path) -> str:
    body = html.split('<main class="report">', 1)[1].split("</main>", 1)[0]
    parser = _Body(images)
    parser.feed(body)
    parser.close()
    return page_setup(html) + "".join(parser.out)


def main() -> None:
    import typst  # the benchmark reports "not measured" when it is not installed

    folder, stems = Path(sys.argv[1]), sys.argv[2].split(",")
    out = Path(sys.argv[sys.argv.index("--out") + 1]) if "--out" in sys.argv else None
    work = Path(tempfile.mkdtemp(prefix="perfkit-typst-"))
    sources = {s: to_typst((folder / f"{s}.html").read_text(encoding="utf-8"), work)
               for s in stems}
    compiler = typst.Compiler(root=str(work))
    compiler.compile(input=sources[stems[-1]].encode(), format="pdf")  # warm: fonts, images
    pages, started = {}, time.process_time()
    pdfs = {}
    for stem in stems:
        pdfs[stem] = compiler.compile(input=sources[stem].encode(), format="pdf")
    cpu = time.process_time() - started
    for stem, pdf in pdfs.items():
        pages[stem] = len(re.findall(rb"/Type\s*/Page\b", pdf))
        if out:
            out.mkdir(parents=True, exist_ok=True)
            (out / f"{stem}.pdf").write_bytes(pdf)
            (out / f"{stem}.typ").write_text(sources[stem], encoding="utf-8")
    print(json.dumps({"cpu": cpu, "pages": pages}))


if __name__ == "__main__":
    main()
