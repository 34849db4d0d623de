"""Nothing injected: hostile workbook text is shown as text in every HTML output, never run."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from perfkit import config

pytestmark = pytest.mark.slow

NAME = "<script>alert(1)</script>"
#: Each payload carries "alert(": none may reach a place where a browser would run it.
PAYLOADS = {
    "department_name": NAME,
    "markdown_link": "[点我](javascript:alert(2))",
    "img": "<img src=x onerror=alert(3)>",
    "attr": '"><svg onload=alert(4)>',
    "closing": "</script><script>alert(5)</script>",
    "style": "<style>body{background:url(javascript:alert(6))}</style>",
    # Browsers drop tabs and newlines inside a URL: this is javascript:alert(7).
    "tab_scheme": '<a href="java\tscript:alert(7)">点我</a>',
    "svg_animate": '<svg><a><animate attributeName="href" values="javascript:alert(8)"/>'
                   '<text y="20">点我</text></a></svg>',
    "data_link": '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCg5KTwvc2NyaXB0Pg==">'
                 'alert(9)</a>',
}
JS_TYPES = {"", "text/javascript", "application/javascript", "module", "text/ecmascript"}
URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data"}
#: SVG animation attributes that set another attribute (an href) to their value.
ANIMATION_ATTRS = {"values", "to", "from", "by"}


class _Audit(HTMLParser):
    """Collects what a browser would execute, and the visible text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.executable: list[str] = []
        self.text: list[str] = []
        self._in: list[tuple[str, bool]] = []

    def handle_starttag(self, tag, attrs):
        attrs = {k.lower(): (v or "") for k, v in attrs}
        for k, v in attrs.items():
            url = re.sub(r"[\t\n\r]", "", v).strip().lower()  # as a browser reads a URL
            if k.startswith("on") and "alert(" in v:
                self.executable.append(f"<{tag} {k}={v!r}>")
            if k in URL_ATTRS and url.startswith(("javascript:", "vbscript:")):
                self.executable.append(f"<{tag} {k}={v!r}>")
            if k in URL_ATTRS and url.startswith("data:") and not (
                    tag == "img" and k == "src" and url.startswith("data:image/png;base64,")):
                self.executable.append(f"<{tag} {k}={v!r}>")  # a document of its own
            if k in ANIMATION_ATTRS and "javascript:" in url:
                self.executable.append(f"<{tag} {k}={v!r}>")
            if k == "style" and "javascript:" in v.lower():
                self.executable.append(f"<{tag} style={v!r}>")
        if tag in ("script", "style"):
            js = tag == "script" and attrs.get("type", "").lower() in JS_TYPES
            self._in.append((tag, js or tag == "style"))

    def handle_endtag(self, tag):
        if self._in and self._in[-1][0] == tag:
            self._in.pop()

    def handle_data(self, data):
        if self._in:
            tag, active = self._in[-1]
            if active and ("alert(" in data or "javascript:" in data.lower()):
                self.executable.append(f"<{tag}>{data[:120]}")
        else:
            self.text.append(data)


def _audit(path: Path) -> _Audit:
    parser = _Audit()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    """The finance notebook run by the runner on the sample with hostile text everywhere."""
    from conftest import sample_content

    import perfkit as pk
    from perfkit.run.runner import run
    from synthetic import prepare_project

    root = prepare_project(tmp_path_factory.mktemp("hostile") / "project")
    content = sample_content()
    content["info"]["department_name"] = NAME + PAYLOADS["markdown_link"]
    hostile = list(PAYLOADS.values())
    for i, rec in enumerate(content["targets"][:12]):
        rec["name"] = rec["name"] + hostile[i % len(hostile)]
        rec["note"] = hostile[(i + 1) % len(hostile)]
    for key in ("income", "expenditure", "three_public"):
        for i, cols in enumerate(content[key].values()):
            cols["source"] = hostile[i % len(hostile)]
    for i, rec in enumerate(content["qualitative"]):
        rec["evidence"] = hostile[i % len(hostile)]
    for i, rec in enumerate(content["stated"]):
        rec["statement"] = rec["statement"] + hostile[i % len(hostile)]
    pk.write_workbook(root / "data" / "hostile" / "2019.xlsx", content)

    out = root / "outputs"
    mp = pytest.MonkeyPatch()
    mp.setenv("PERFKIT_ROOT", str(root))
    mp.setenv("PERFKIT_OUTPUTS", str(out))
    try:
        with config.using(config.Project.at(root, out)):
            results = run([("hostile", 2019)], notebooks=["finance"], outputs=out, pdf=False)
    finally:
        mp.undo()
    return out, results


def test_hostile_workbook_runs(hostile_run):
    _, results = hostile_run
    assert [r.status for r in results] == ["ok"], [(r.notebook, r.error) for r in results]


def test_no_html_output_can_execute_workbook_text(hostile_run):
    out, _ = hostile_run
    pages = sorted(out.rglob("*.html"))
    assert out / "index.html" in pages
    assert any(p.name.startswith("finance") for p in pages)
    for page in pages:
        raw = page.read_text(encoding="utf-8")
        assert "<script>alert" not in raw, page
        assert _audit(page).executable == [], page


@pytest.mark.parametrize("page", ["hostile/2019/finance.html", "index.html"])
def test_department_name_is_shown_as_text(hostile_run, page):
    out, _ = hostile_run
    text = "".join(_audit(out / page).text)
    assert NAME in text, page


def test_second_line_of_defence_holds_when_html_is_not_escaped(tmp_path):
    """Issue 12.5: a notebook output that emits raw HTML (escaping forgotten) is sanitized.

    The hand-written blocklist let ``java<TAB>script:``, ``<svg><animate values=javascript:…>``
    and ``data:`` links through; the allowlist sanitizer must not, while keeping what reports
    need: tables with their classes and ids, headings, local links, inline PNG charts.
    """
    import nbformat
    import nbformat.v4 as v4

    from perfkit.report.meta import ReportMeta
    from perfkit.report.render import render_notebook

    png = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNg"
           "YPj/HwADAgH/eL9GtQAAAABJRU5ErkJggg==")
    keep = ('<h2 id="x">二、分析</h2><table class="pk-table" id="T_1"><tr>'
            '<td class="data row0 col0" id="T_1_row0_col0">1.00</td></tr></table>'
            f'<a href="../2018/finance.html">上年报告</a><a href="#sec-1">第一节</a>'
            f'<img src="{png}" alt="图表">')
    # One output per payload, so that no payload hides another (an unclosed <svg> would).
    hostile = [*PAYLOADS.values(), f'<a href="{png}">png link</a>']
    nb = v4.new_notebook(cells=[v4.new_code_cell("x", outputs=[
        v4.new_output("display_data", {"text/html": html, "text/plain": "x"})
        for html in [keep, *hostile]])])
    path = tmp_path / "raw.ipynb"
    nbformat.write(nb, path)
    meta = ReportMeta(department="测试", year=2019, title="测试", generated_at="2019-01-01",
                      perfkit_version="", workbook_sha256="")
    outputs = render_notebook(path, tmp_path / "out", "raw", meta, pdf=False)
    # The reviewer's copy holds the document's blocks only: raw HTML never reaches it.
    reviewer = Path(outputs["html"])
    assert _audit(reviewer).executable == []
    assert "二、分析" not in reviewer.read_text(encoding="utf-8")
    # The analyst's copy shows every output, through the allowlist sanitizer.
    for key in ("code.html",):
        page = Path(outputs[key])
        raw = page.read_text(encoding="utf-8")
        assert _audit(page).executable == [], key
        assert "<svg" not in raw and "<animate" not in raw and "data:text/html" not in raw
        assert "<style" not in raw.split("</head>")[-1] and "alert(6)" not in raw
        assert 'href="../2018/finance.html"' in raw and 'href="#sec-1"' in raw
        assert f'src="{png}"' in raw and raw.count("data:image/png") == 1  # not in the <a>
        assert 'class="pk-table' in raw and 'id="T_1_row0_col0"' in raw
        assert "二、分析" in raw and "点我" in raw  # text of removed elements stays as text
