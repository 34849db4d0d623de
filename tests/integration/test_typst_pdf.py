"""The Typst PDF: workbook text is data, never Typst code; blocks become the document model."""

from __future__ import annotations

import base64
import re
import shutil
import subprocess

import pytest
from blocknb import notebook_of

from perfkit.report.blocks import Chart, Heading, Signature, Table, b, fig, par
from perfkit.report.meta import ReportMeta
from perfkit.report.render import render_notebook
from perfkit.report.typstpdf import document_model, overflowing_cells, typst_pdf

# Slow tier (typesets PDFs): CI runs it (.ci/run); pytest alone leaves it out.
pytestmark = pytest.mark.slow

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
    return ReportMeta(**{"department": "#set text(red) 某局]", "year": 2019,
                         "title": "测试 $x$ 报告", "generated_at": "2020-01-01T00:00:00+08:00",
                         "perfkit_version": "test", "workbook_sha256": "0" * 64, **kw})


def _notebook(path):
    table = Table(("项目", "金额（万元）"), tuple((t, f"{i}.00") for i, t in enumerate(TYPST_SYNTAX)),
                  (False, True))
    return notebook_of(path, Heading(2, "一、标题 #strong[x] $y$"), table,
                       *(par("说明：", t) for t in TYPST_SYNTAX))


def _text(pdf) -> str:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    return re.sub(r"\s+", "", out)


@needs_poppler
@pytest.mark.parametrize("layout", ["web", "official"])
def test_typst_syntax_in_workbook_text_is_printed_literally(tmp_path, layout):
    pdf = render_notebook(_notebook(tmp_path / "nb.ipynb"), tmp_path / "out", "doc",
                          _meta(pdf_layout=layout), analyst_copy=False)["pdf"]
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert "Typst" in info  # both layouts are typeset by Typst
    text = _text(pdf)
    for payload in TYPST_SYNTAX:
        squashed = re.sub(r"\s+", "", payload)
        assert text.count(squashed) >= 2, payload  # in the table and in the paragraph
    if layout == "web":
        assert "#set text(red) 某局]".replace(" ", "") in text  # cover and running header
        assert "测试$x$报告" in text
    assert "一、标题#strong[x]$y$" in text
    assert "boom" in text and "root:" not in text  # nothing ran, nothing was read


def test_document_model_keeps_text_as_data(tmp_path):
    blocks = [Heading(2, "二、#b"), par("正文 ", b("$c$"), " ", fig("@d", "收入!D8"), " e")]
    model = document_model(blocks, _meta(department="#a]"), tmp_path)
    assert model["meta"]["dept"] == "#a]"
    heading, paragraph = model["blocks"]
    assert heading["level"] == 2 and heading["runs"] == [{"s": "二、#b"}]
    assert heading["id"] == "sec-1"
    assert "".join(r["s"] for r in paragraph["runs"]) == "正文 $c$ @d e"
    assert {"s": "$c$", "b": True} in paragraph["runs"]
    assert {"s": "@d"} in paragraph["runs"]  # a figure's source cell stays out of the text


def test_overflow_check_can_fail():
    """A table too wide even for a landscape page at the smallest type is squeezed: its figures
    may wrap, and a figure no line can break inside runs out of its column."""
    columns = tuple(f"列{i}" for i in range(30))
    table = Table(columns, (("123456789012.00", *("短",) * 29),), (True, *(False,) * 29))
    found = overflowing_cells([table], _meta())
    assert len(found) == 1 and found[0].startswith("123456789012.00")


def test_a_damaged_chart_is_left_out_not_fatal(tmp_path):
    damaged = base64.b64decode(  # a wrong CRC in IDAT
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYPj/HwADAgH/eL9GtQAAAABJRU5E"
        "rkJggg==")
    blocks = [par("前"), Chart(damaged, "坏图"), par("后")]
    model = document_model(blocks, _meta(), tmp_path)
    assert [x["t"] for x in model["blocks"]] == ["par", "par", "par"]  # its words stand in
    assert model["blocks"][1]["runs"] == [{"s": "坏图"}]
    assert typst_pdf(blocks, _meta()).startswith(b"%PDF")


def _typeset_in_child(report) -> None:
    import glob
    import tempfile

    from perfkit.report import typstpdf

    pattern = f"{tempfile.gettempdir()}/perfkit-typst-*"
    before = set(glob.glob(pattern))
    typstpdf.typst_pdf([Heading(1, "标题"), par("正文。")], _meta())
    report.put(sorted(set(glob.glob(pattern)) - before))


def test_a_worker_process_leaves_no_compiler_folder_behind():
    """Worker processes end without running atexit handlers: the compiler's folder is removed by
    a multiprocessing finalizer (84 empty perfkit-typst-* folders had piled up in /tmp)."""
    import multiprocessing as mp
    from pathlib import Path

    ctx = mp.get_context("forkserver")
    report = ctx.Queue()
    child = ctx.Process(target=_typeset_in_child, args=(report,))
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
    para = "本部门按照要求完成了年度工作任务，各项指标总体达到预期目标。" * 3
    for n in range(24, 44):
        blocks = [*(par(f"正文第{i}段：{para}") for i in range(n)),
                  Signature(("某县卫生健康局", "2021年4月30日"))]
        pdf = tmp_path / f"{n}.pdf"
        pdf.write_bytes(typst_pdf(blocks, _meta()))
        pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(
            ["pdfinfo", str(pdf)], capture_output=True, text=True).stdout).group(1))
        last = _text_of_page(pdf, pages)
        assert "某县卫生健康局" in last
        assert "正文第" in last, f"{n} paragraphs: the 落款 alone on page {pages}"


@needs_poppler
@pytest.mark.parametrize("official", [False, True])
def test_the_signature_after_a_table_takes_its_last_row_along(tmp_path, official):
    """A document that ends with a table (a department's item scores): the 落款 goes to the
    next page with the table's last row and its header, never alone."""
    seen_pages = set()
    for n in range(24, 64):
        rows = tuple((f"第{i}行", "投入", f"{i}.00") for i in range(n))
        blocks = [par("评分如下。"), Table(("指标", "类别", "得分"), rows, (False, False, True)),
                  Signature(("某县卫生健康局", "2021年4月30日"))]
        pdf = tmp_path / f"{n}.pdf"
        pdf.write_bytes(typst_pdf(blocks, _meta(), official=official))
        pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(
            ["pdfinfo", str(pdf)], capture_output=True, text=True).stdout).group(1))
        seen_pages.add(pages)
        last = _text_of_page(pdf, pages)
        assert "某县卫生健康局" in last
        assert f"第{n - 1}行" in last, f"{n} rows: the 落款 alone on page {pages}"
        if f"第{n - 2}行" not in last:  # the last row went over: under the repeated header
            assert "指标" in last
    assert len(seen_pages) > 1  # the rows cross a page end somewhere in the range


def _text_of_page(pdf, page: int) -> str:
    return subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-enc", "UTF-8",
                           str(pdf), "-"], capture_output=True, text=True, check=True).stdout
