"""Rendering a notebook into reviewer HTML, analyst HTML and PDF, checked as a reviewer would."""

from __future__ import annotations

import base64
import dataclasses
import io
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from perfkit.errors import FontMissingError
from perfkit.report import render
from perfkit.report.blocks import b
from perfkit.report.meta import ReportMeta
from perfkit.report.render import render_notebook

EVIL = "<script>alert(1)</script>"
SECRET_CODE = "secret_analysis_code = 42"
WIDE_LAST_HEADER = "第十六列"
FIGURE_REPR = "<Figure size 640x480 with 1 Axes>"

needs_poppler = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("pdffonts")),
    reason="poppler-utils (pdftotext, pdffonts) not installed",
)


def _chart_png() -> str:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from perfkit.report.fonts import matplotlib_rc

    with matplotlib.rc_context(matplotlib_rc()):
        fig = Figure(figsize=(6.4, 3.6), dpi=100, layout="constrained")
        ax = fig.subplots()
        ax.bar(["财务", "项目", "绩效"], [133.49, 98.2, -5.0])
        ax.set_title("预算执行率（%）")
        ax.set_ylabel("执行率（%）")
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _notebook(path: Path) -> Path:
    import pandas as pd

    df = pd.DataFrame(
        {
            "指标": ["预算执行率", "结转结余率", "“三公”经费控制率"],
            "金额（万元）": ["24192.45万元", "12.00万元", "未提供"],
            "比率": ["133.49%", "5.00%", "—"],
        }
    )
    wide = pd.DataFrame(
        [[f"{(r + 1) * (c + 1) * 1234.5:,.2f}" for c in range(16)] for r in range(3)],
        columns=[f"列{c + 1}" for c in range(15)] + [WIDE_LAST_HEADER],
    )
    long_text = "项目资金使用规范，绩效目标基本完成，群众满意度较高，后续将持续改进管理。" * 2
    projects = pd.DataFrame(
        [
            [f"项目{r}", long_text, f"{r * 1234567.891:,.2f}万元", "98.50%", long_text]
            for r in range(3)
        ],
        columns=["项目名称", "绩效目标完成情况说明", "预算金额", "执行率", "存在问题及整改措施"],
    )
    from perfkit.report.blocks import Chart, Heading, par
    from perfkit.report.tables import styled

    def shown(*blocks):
        return [new_output("display_data", data=b._repr_mimebundle_()) for b in blocks]

    cells = [
        new_code_cell("pk.blocks.section(…)", outputs=shown(
            Heading(1, "一、部门整体支出绩效自评"), par("本报告依据部门决算数据生成。"),
            Heading(2, "（一）预算执行情况"), par("预算执行率为 ", b("133.49%"), "。"))),
        new_code_cell(f"{SECRET_CODE}\ndf", execution_count=1, outputs=shown(styled(df))),
        new_code_cell(
            "import warnings",
            execution_count=2,
            outputs=[new_output("stream", name="stderr", text="FutureWarning: noise\n")],
        ),
        new_code_cell("pk.blocks.section(…)", outputs=shown(
            Heading(2, "（二）图表"), Heading(3, "1. 执行率"))),
        new_code_cell(
            "chart()",
            execution_count=3,
            outputs=[
                *shown(Chart(base64.b64decode(_chart_png()), "预算执行率（%）")),
                # An analyst's own outputs that are not blocks: never in the reviewer's copy.
                new_output("display_data", data={"application/javascript": "alert(2)"}),
                new_output("display_data", data={"text/plain": FIGURE_REPR}),
                new_output(
                    "display_data",
                    data={
                        "text/html": '<script src="https://cdn.example.com/x.js"></script>'
                        '<link rel="stylesheet" href="https://cdn.example.com/x.css">'
                        '<p onclick="alert(3)">输出说明</p>'
                    },
                ),
            ],
        ),
        new_code_cell("pk.blocks.section(…)", outputs=shown(
            Heading(2, "（三）项目情况"), par("参考链接：" + "https://example.com/" + "a" * 150))),
        new_code_cell("projects", execution_count=5, outputs=shown(styled(projects))),
        new_code_cell("pk.blocks.section(…)", outputs=shown(Heading(2, "（四）明细表"))),
        new_code_cell("wide", execution_count=4, outputs=shown(styled(wide))),
    ]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)
    return path


META = ReportMeta(
    department=EVIL,
    year=2019,
    title="部门整体支出（财务）",
    generated_at="2026-11-28T18:00:00+00:00",
    perfkit_version="0.1.0",
    workbook_sha256="0123456789abcdef" * 4,
)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("render")
    executed = _notebook(root / "finance.ipynb")
    return render_notebook(executed, root / "out", "finance", META)


def _pdftext(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.slow
def test_writes_three_files_atomically(rendered):
    assert set(rendered) == {"html", "code.html", "pdf"}
    out = rendered["html"].parent
    assert sorted(p.name for p in out.iterdir()) == [
        "finance.code.html",
        "finance.html",
        "finance.pdf",
    ]
    assert rendered["pdf"].read_bytes().startswith(b"%PDF")


@pytest.mark.slow
def test_reviewer_html_has_no_code_and_no_scripts(rendered):
    page = rendered["html"].read_text(encoding="utf-8")
    assert "secret_analysis_code" not in page
    assert "In&nbsp;[" not in page and "In [" not in page
    assert "<script" not in page.lower()
    assert not re.search(r"<script[^>]+src=", page, re.I)
    assert not re.search(r"\ssrc=[\"']?(https?:)?//", page, re.I)  # nothing loads from a network
    assert "<link" not in page.lower()
    assert "onclick" not in page
    assert "输出说明" not in page  # an output that is not a block is not part of the document
    assert "FutureWarning" not in page  # stderr is for analysts only
    assert "Figure size" not in page  # a figure's text repr means nothing to a reader


@pytest.mark.slow
def test_reviewer_html_cover_toc_and_css(rendered):
    page = rendered["html"].read_text(encoding="utf-8")
    assert EVIL not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    for fact in (
        "2019 年度",
        "部门整体支出（财务）",
        "0.1.0",
        "0123456789abcdef" * 4,
        "2026年11月29日 02:00（北京时间）",  # 2026-11-28T18:00 UTC + 8 h
    ):
        assert fact in page
    toc = page[page.index('<nav class="toc"') : page.index("</nav>")]
    for heading in ("一、部门整体支出绩效自评", "（一）预算执行情况", "（二）图表", "1. 执行率"):
        assert heading in toc
    assert re.search(r'href="#sec-1"', toc) and 'id="sec-1"' in page
    from perfkit.report.fonts import find_cjk_fonts

    assert f'font-family: "{find_cjk_fonts().family}"' in page
    assert '<td class="num">133.49%</td>' in page
    assert '<td class="long">' in page
    assert 'class="table-wrap' in page
    assert 'class="chart"' in page


@pytest.mark.slow
def test_analyst_copy_has_code(rendered):
    page = rendered["code.html"].read_text(encoding="utf-8")
    assert "secret_analysis_code" in page
    assert "<script" not in page.lower()
    assert "FutureWarning" in page


@pytest.mark.slow
@needs_poppler
def test_pdf_text_fonts_and_footer(rendered):
    text = _pdftext(rendered["pdf"])
    flat = _squash(text)
    assert "一、部门整体支出绩效自评" in flat
    assert "133.49%" in flat
    assert "第1页共" in flat
    assert _squash(EVIL) in flat  # shown as text, not interpreted
    assert WIDE_LAST_HEADER in flat  # the wide table is not cut off

    fonts_out = subprocess.run(
        ["pdffonts", str(rendered["pdf"])], capture_output=True, text=True, check=True
    ).stdout
    rows = [line.split() for line in fonts_out.splitlines()[2:] if line.strip()]
    cjk = [r for r in rows if "CJK" in r[0] or "WenQuanYi" in r[0] or "Perfkit" in r[0]]
    assert cjk, fonts_out
    # Columns: name, type (several words), encoding, emb, sub, uni, object ID (two numbers).
    assert all(r[-5] == "yes" for r in cjk), fonts_out
    assert any("Bold" in r[0] for r in cjk), "headings need a bold face"


@pytest.mark.slow
def test_pdf_pages_bookmarks_and_landscape_table(rendered):
    from pypdf import PdfReader

    reader = PdfReader(rendered["pdf"])
    sizes = [
        (round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in reader.pages
    ]
    assert sizes[0] == (595, 842)  # A4 portrait
    assert (842, 595) in sizes  # the 16-column table got a landscape page

    def titles(outline):
        for item in outline:
            if isinstance(item, list):
                yield from titles(item)
            else:
                yield item.title

    marks = list(titles(reader.outline))
    for heading in ("一、部门整体支出绩效自评", "（一）预算执行情况", "1. 执行率"):
        assert heading in marks
    assert "目录" not in marks

    landscape = [p for p in reader.pages if float(p.mediabox.width) > float(p.mediabox.height)]
    assert "（四）明细表" in _squash(landscape[0].extract_text())  # heading moves with its table


@pytest.mark.slow
@needs_poppler
def test_pdf_nothing_beyond_the_page_edges(rendered):
    """No word of any page (tables, long links, wide tables) is cut at the paper edge."""
    xml = subprocess.run(
        ["pdftotext", "-bbox", str(rendered["pdf"]), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    margin = 10 * 72 / 25.4  # every word must stay 10 mm inside the paper
    pages = re.findall(r'<page width="([\d.]+)" height="[\d.]+">(.*?)</page>', xml, re.S)
    assert pages
    for width, body in pages:
        for x_min, x_max, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">(.*?)</word>', body
        ):
            assert margin <= float(x_min) and float(x_max) <= float(width) - margin, word


@pytest.mark.slow
@needs_poppler
def test_pdf_with_synthetic_bold(tmp_path, monkeypatch):
    from perfkit.report.fonts import find_cjk_fonts

    no_bold = dataclasses.replace(find_cjk_fonts(), bold=None)
    monkeypatch.setattr(render, "find_cjk_fonts", lambda: no_bold)
    executed = _notebook(tmp_path / "nb.ipynb")
    out = render_notebook(executed, tmp_path / "out", "finance", META)
    assert "synthetic-bold" in out["html"].read_text(encoding="utf-8")
    fonts_out = subprocess.run(
        ["pdffonts", str(out["pdf"])], capture_output=True, text=True, check=True
    ).stdout
    # Typst synthesises no bold: bold text (headings, 133.49%) is the regular face drawn with
    # an outline as well (text rendering mode 2, fill and stroke), not another face.
    assert "Bold" not in fonts_out
    from pypdf import PdfReader

    assert any(b" 2 Tr" in page.get_contents().get_data()
               for page in PdfReader(out["pdf"]).pages[1:])
    assert "133.49%" in _squash(_pdftext(out["pdf"]))


def test_missing_font_keeps_html_and_refuses_pdf(tmp_path, monkeypatch):
    def no_font():
        raise FontMissingError("未找到中文字体：sudo apt-get install fonts-noto-cjk")

    monkeypatch.setattr(render, "find_cjk_fonts", no_font)
    executed = _notebook(tmp_path / "nb.ipynb")
    with pytest.raises(FontMissingError, match="fonts-noto-cjk"):
        render_notebook(executed, tmp_path / "out", "finance", META)
    assert (tmp_path / "out" / "finance.html").is_file()
    assert not (tmp_path / "out" / "finance.pdf").exists()
    html_only = render_notebook(executed, tmp_path / "out2", "finance", META, pdf=False)
    assert set(html_only) == {"html", "code.html"}


# ---- the reviewer body from blocks on its own (fast) ---------------------------------------


def test_body_from_blocks_prints_text_as_text():
    from perfkit.report.blocks import Heading, par
    from perfkit.report.html import render_body

    body = render_body([Heading(2, '二、<em>细项</em>'), par('<p onclick="x()">文字<script>'),
                        par('<img src="https://e.com/a.png">')]).html
    assert "<script" not in body and "<img" not in body and "<p onclick" not in body
    assert "&lt;em&gt;细项&lt;/em&gt;" in body and "&lt;script&gt;" in body


def test_body_from_blocks_headings_ids_and_toc():
    from perfkit.report.blocks import Heading, par
    from perfkit.report.html import render_body

    body = render_body([Heading(1, "一、总体"), par("见第二节"), Heading(2, "二、细项"),
                        Heading(4, "不进目录")])
    assert [(h.level, h.id, h.text) for h in body.headings] == [
        (1, "sec-1", "一、总体"),
        (2, "sec-2", "二、细项"),
    ]
    assert '<h2 id="sec-2">二、细项</h2>' in body.html


def test_body_from_blocks_sizes_tables_and_marks_numbers():
    from perfkit.report.blocks import Table
    from perfkit.report.html import render_body

    row = tuple(f"{i},234.56万元" for i in range(20))
    wide = render_body([Table(tuple(f"列{i}" for i in range(20)), (row,), (True,) * 20)]).html
    assert 'class="table-wrap wide landscape"' in wide and "cols-20" in wide

    small = render_body([Table(("项目", "金额", "比率"),
                               (("收入", "1.00", "133.49%"), ("支出", "-2.5", "未提供")),
                               (False, True, True))]).html
    assert "cols-3 fs-9" in small
    assert '<td class="num">133.49%</td>' in small
    assert '<td class="num">-2.5</td>' in small
    assert '<td class="num na">未提供</td>' in small
    assert '<div class="table-wrap">' in small


def test_audit_verdict_tones_reach_the_html(sample_ev):
    """Verdicts are marked by class (report.css colours them)."""
    import perfkit as pk
    from perfkit.report.html import TEMPLATES, render_body

    body = render_body([pk.tables.audit_table(sample_ev)]).html
    assert "<style" not in body
    assert body.count("verdict-note") >= 1 and "verdict-na" in body  # 舍入差异, 无法核对
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    assert "td.verdict-bad" in css and "td.verdict-note" in css and "td.verdict-na" in css
