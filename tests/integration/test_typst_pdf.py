"""The Typst PDF: workbook text is data, never Typst code; the engine is a choice of ReportMeta."""

from __future__ import annotations

import html
import re
import shutil
import subprocess

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from perfkit.report.html import ReportMeta
from perfkit.report.render import render_notebook
from perfkit.report.typstpdf import document_model, overflowing_cells

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler missing")

#: Text with a meaning in Typst markup or code: each must be printed as it is written.
TYPST_SYNTAX = [
    '#set page(fill: red)',
    '#panic("boom")',
    '#read("/etc/passwd")',
    '$x^2$',
    'a]b[c',
    '// not a comment',
    '/* nor this */',
    '@sec-1',
    '<x>',
    'back\\slash \\ #h(1fr)',
    '*strong* _emph_ `raw`',
    '= heading',
    '{ 1 + 1 }',
    '#import "x.typ": *',
]


def _meta(**kw) -> ReportMeta:
    return ReportMeta(department="#set text(red) 某局]", year=2019, title="测试 $x$ 报告",
                      generated_at="2020-01-01T00:00:00+08:00", perfkit_version="test",
                      workbook_sha256="0" * 64, **kw)


def _notebook(path):
    import pandas as pd

    rows = pd.DataFrame({"项目": TYPST_SYNTAX, "金额（万元）": [f"{i}.00" for i in
                                                          range(len(TYPST_SYNTAX))]})
    para = "".join(f"<p>说明：{html.escape(t)}</p>" for t in TYPST_SYNTAX)
    nb = new_notebook(cells=[
        new_markdown_cell("# 一、标题 #strong[x] $y$"),
        new_code_cell("t", execution_count=1, outputs=[
            new_output("execute_result", data={"text/html": rows.to_html(index=False),
                                               "text/plain": "t"}, execution_count=1),
            new_output("display_data", data={"text/html": para, "text/plain": "p"}),
        ]),
    ])
    nbformat.write(nb, path)
    return path


def _text(pdf) -> str:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    return re.sub(r"\s+", "", out)


@needs_poppler
def test_typst_syntax_in_workbook_text_is_printed_literally(tmp_path):
    pdf = render_notebook(_notebook(tmp_path / "nb.ipynb"), tmp_path / "out", "doc", _meta(),
                          analyst_copy=False)["pdf"]
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert "Typst" in info  # typeset by Typst, the default engine
    text = _text(pdf)
    for payload in TYPST_SYNTAX:
        squashed = re.sub(r"\s+", "", payload)
        assert text.count(squashed) >= 2, payload  # in the table and in the paragraph
    assert "#set text(red) 某局]".replace(" ", "") in text  # cover and running header
    assert "测试$x$报告" in text and "一、标题#strong[x]$y$" in text
    assert "boom" in text and "root:" not in text  # nothing ran, nothing was read


def test_document_model_keeps_text_as_data(tmp_path):
    page = ('<html><body><header class="cover"><p class="cover-dept">#a]</p></header>'
            '<main class="report"><h2 id="sec-1">二、#b</h2><p>正文 <strong>$c$</strong> '
            '<a href="#sec-1">@d</a> <a href="#nowhere">e</a></p></main></body></html>')
    model = document_model(page, tmp_path)
    assert model["meta"]["dept"] == "#a]"
    heading, par = model["blocks"]
    assert heading["heading"] == 2 and heading["runs"] == [{"s": "二、#b"}]
    assert "".join(r["s"] for r in par["runs"]) == "正文 $c$ @d e"
    assert {"s": "$c$", "b": True} in par["runs"]
    assert {"s": "@d", "link": "#sec-1"} in par["runs"]
    assert not any(r.get("link") == "#nowhere" for r in par["runs"])  # unknown target: text


def test_overflow_check_can_fail(tmp_path):
    page = ('<html><body><main class="report"><div class="table-wrap"><table class="fs-9">'
            '<colgroup><col style="--pw: 5%"><col style="--pw: 95%"></colgroup>'
            '<tr><td>123456789012.00</td><td>短</td></tr></table></div></main></body></html>')
    found = overflowing_cells(page)
    assert len(found) == 1 and found[0].startswith("123456789012.00")


@needs_poppler
def test_weasyprint_engine_on_request(tmp_path):
    path = _notebook(tmp_path / "nb.ipynb")
    pdf = render_notebook(path, tmp_path / "out", "doc", _meta(pdf_engine="weasyprint"),
                          analyst_copy=False)["pdf"]
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert "WeasyPrint" in info
    with pytest.raises(ValueError, match="PDF engine"):
        render_notebook(path, tmp_path / "out2", "doc", _meta(pdf_engine="latex"),
                        analyst_copy=False)


def test_a_damaged_image_is_left_out_not_fatal(tmp_path):
    from perfkit.report.typstpdf import typst_pdf

    damaged = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4"
               "nGNgYPj/HwADAgH/eL9GtQAAAABJRU5ErkJggg==")  # a wrong CRC in IDAT
    page = (f'<html><body><main class="report"><p>前</p><img src="{damaged}" alt="坏图">'
            '<p>后</p></main></body></html>')
    assert [b["t"] for b in document_model(page, tmp_path)["blocks"]] == ["par", "par", "par"]
    assert typst_pdf(page).startswith(b"%PDF")


def _typeset_in_child(html_text: str, report) -> None:
    import glob
    import tempfile

    from perfkit.report import typstpdf

    pattern = f"{tempfile.gettempdir()}/perfkit-typst-*"
    before = set(glob.glob(pattern))
    typstpdf.typst_pdf(html_text)
    report.put(sorted(set(glob.glob(pattern)) - before))


def test_a_worker_process_leaves_no_compiler_folder_behind(tmp_path):
    """Worker processes end without running atexit handlers: the compiler's folder is removed by
    a multiprocessing finalizer (84 empty perfkit-typst-* folders had piled up in /tmp)."""
    import multiprocessing as mp
    from pathlib import Path

    html_text = (tmp_path / "x.html")
    nb = new_notebook(cells=[new_markdown_cell("# 标题\n\n正文。")])
    nbformat.write(nb, tmp_path / "x.ipynb")
    meta = ReportMeta(department="测试", year=2019, title="测试", generated_at="2019-01-01",
                      perfkit_version="", workbook_sha256="")
    render_notebook(tmp_path / "x.ipynb", tmp_path, "x", meta, pdf=False, analyst_copy=False)
    ctx = mp.get_context("forkserver")
    report = ctx.Queue()
    child = ctx.Process(target=_typeset_in_child, args=(html_text.read_text(encoding="utf-8"),
                                                        report))
    child.start()
    made = [Path(p) for p in report.get(timeout=120)]
    child.join(timeout=60)
    assert child.exitcode == 0
    assert len(made) == 1  # the compiler's folder, while the process lived …
    assert not made[0].exists()  # … and gone with it


@needs_poppler
def test_the_signature_never_stands_alone_on_the_last_page(tmp_path):
    """落款 (department and date) stays with the paragraph before it, whatever the page fill:
    for some number of paragraphs it would otherwise be all the last page holds."""
    from perfkit.report.typstpdf import typst_pdf

    para = "本部门按照要求完成了年度工作任务，各项指标总体达到预期目标。" * 3
    for n in range(24, 44):
        page = ('<html><body><main class="report">'
                + "".join(f"<p>正文第{i}段：{para}</p>" for i in range(n))
                + '<p class="signature">某县卫生健康局<br>2021年4月30日</p></main></body></html>')
        pdf = tmp_path / f"{n}.pdf"
        pdf.write_bytes(typst_pdf(page))
        pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(
            ["pdfinfo", str(pdf)], capture_output=True, text=True).stdout).group(1))
        last = _text_of_page(pdf, pages)
        assert "某县卫生健康局" in last
        assert "正文第" in last, f"{n} paragraphs: the 落款 alone on page {pages}"


def _text_of_page(pdf, page: int) -> str:
    return subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-enc", "UTF-8",
                           str(pdf), "-"], capture_output=True, text=True, check=True).stdout
