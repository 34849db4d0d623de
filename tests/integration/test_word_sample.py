"""End to end: the sample's 自评报告 and 复核意见 as Word files, against their HTML."""

from __future__ import annotations

import html as html_lib
import re
import shutil
import subprocess
from collections import Counter

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Mm
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph

from perfkit.report.index import write_index
from perfkit.run.runner import WORD_NOTEBOOKS, plan, run

pytestmark = pytest.mark.slow

NUMBER = re.compile(r"\d+(?:\.\d+)?")
#: The label a Word caption adds before the title the HTML shows (表1, 图1).
CAPTION_LABEL = re.compile(r"^[表图]\d+\u3000?")


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    out = tmp_path_factory.mktemp("outputs")
    results = run([("yiyang-edu", 2019)], notebooks=["report", "review"], outputs=out, pdf=False)
    assert sorted(r.status for r in results) == ["ok", "ok"], results
    write_index(out)
    return out


@pytest.fixture(scope="module")
def folder(outputs):
    return outputs / "yiyang-edu" / "2019"


def _html_main(folder, name: str) -> str:
    page = (folder / f"{name}.html").read_text(encoding="utf-8")
    return page[page.index("<main"):page.index("</main>")]


def _html_text(main: str) -> str:
    """What the HTML shows in its body (cover and contents excluded), with the charts' titles
    (drawn in the pictures, printed under them in Word)."""
    main = re.sub(r"<(style|script)\b.*?</\1>", "", main, flags=re.S)
    main = re.sub(r"<img\b[^>]*\balt=\"([^\"]*)\"[^>]*>", r" \1 ", main)

    def numbered(ol: re.Match) -> str:  # the numbers an ordered list shows
        start = int(re.search(r'start="(\d+)"', ol.group(1)).group(1)) if "start" in ol.group(
            1) else 1
        items = iter(range(start, start + 1000))
        return re.sub(r"<li\b[^>]*>", lambda _: f"<li>{next(items)}.", ol.group(2))

    main = re.sub(r"<ol\b([^>]*)>(.*?)</ol>", numbered, main, flags=re.S)
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", main))


def _docx_text(document) -> str:
    """The Word body's text in order: paragraphs and table cells; caption labels dropped."""
    parts = []
    for block in document.element.body.iterchildren():
        if block.tag == qn("w:p"):
            p = Paragraph(block, document._body)
            text = p.text
            if p.style is not None and p.style.name == "Caption":
                text = CAPTION_LABEL.sub("", text)
            parts.append(text)
        elif block.tag == qn("w:tbl"):
            table = DocxTable(block, document._body)
            parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


@pytest.mark.parametrize("name", sorted(WORD_NOTEBOOKS))
def test_word_file_is_written_beside_the_html(folder, name):
    assert (folder / f"{name}.docx").stat().st_size > 10_000
    manifest = (folder / "manifest.json").read_text(encoding="utf-8")
    assert f'"docx": "{name}.docx"' in manifest


def test_report_docx_has_the_official_page_and_fonts(folder):
    document = docx.Document(folder / "report.docx")
    for section in document.sections:
        size = sorted((round(section.page_width / Mm(1)), round(section.page_height / Mm(1))))
        assert size == [210, 297]
    first = document.sections[0]
    margins = [round(m / Mm(1)) for m in (first.top_margin, first.bottom_margin,
                                          first.left_margin, first.right_margin)]
    assert margins == [37, 35, 28, 26]

    def east_asia(style_name: str) -> str:
        fonts = document.styles[style_name].element.rPr.find(qn("w:rFonts"))
        return fonts.get(qn("w:eastAsia"))

    assert east_asia("Normal") == "仿宋_GB2312"
    assert east_asia("Title") == "方正小标宋简体"
    assert [east_asia(f"Heading {n}") for n in (1, 2, 3)] == ["黑体", "楷体_GB2312", "仿宋_GB2312"]
    used = Counter(p.style.name for p in document.paragraphs)
    # The seed's own outline (报告文字 标题级别): six 一级, six 二级 and five 三级 headings.
    assert used["Title"] == 1
    assert (used["Heading 1"], used["Heading 2"], used["Heading 3"]) == (6, 6, 5)
    assert document.paragraphs[0].style.name == "Title"
    # 落款 at the end.
    assert [p.text for p in document.paragraphs[-2:]] == ["益阳市教育局", "2020年4月28日"]


@pytest.mark.parametrize("name", sorted(WORD_NOTEBOOKS))
def test_word_has_the_tables_the_html_shows(folder, name):
    html_tables = len(re.findall(r"<table\b", _html_main(folder, name)))
    # The sample's 自评报告 is the seed as written, which has no table; the others have several.
    assert html_tables > 0 or name == "report"
    assert len(docx.Document(folder / f"{name}.docx").tables) == html_tables


@pytest.mark.parametrize("name", sorted(WORD_NOTEBOOKS))
def test_word_carries_the_figures_of_the_html(folder, name):
    html_numbers = Counter(NUMBER.findall(_html_text(_html_main(folder, name))))
    word_numbers = Counter(NUMBER.findall(_docx_text(docx.Document(folder / f"{name}.docx"))))
    assert sum(html_numbers.values()) > 100
    assert html_numbers - word_numbers == Counter(), "figures the Word file lacks"
    assert word_numbers - html_numbers == Counter(), "figures only the Word file has"


def test_word_has_no_markdown_markers(folder):
    for name in WORD_NOTEBOOKS:
        text = _docx_text(docx.Document(folder / f"{name}.docx"))
        assert "**" not in text and "&lt;" not in text and "&amp;" not in text, name


def test_index_links_the_word_files(outputs):
    page = (outputs / "index.html").read_text(encoding="utf-8")
    for name in WORD_NOTEBOOKS:
        assert f'href="yiyang-edu/2019/{name}.docx">Word<' in page


def test_only_the_word_notebooks_get_a_word_file(tmp_path):
    tasks, _, _ = plan("yiyang-edu", 2019, outputs=tmp_path, pdf=False)
    assert {t.notebook for t in tasks if t.docx} == set(WORD_NOTEBOOKS) == {"report", "review"}
    assert all(t.inputs["docx"] == t.docx for t in tasks)


@pytest.mark.skipif(shutil.which("soffice") is None,
                    reason="LibreOffice (soffice) is not installed")
@pytest.mark.parametrize("name", WORD_NOTEBOOKS)
def test_a_word_processor_opens_the_word_file(folder, tmp_path, name):
    """LibreOffice Writer (the free word processor a reviewer may use instead of Word or WPS)
    opens the file and lays it out: A4 pages numbered "— N —", the department's figures in the
    text layer."""
    profile = tmp_path / "profile"
    done = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
         "pdf", "--outdir", str(tmp_path), str(folder / f"{name}.docx")],
        capture_output=True, text=True, timeout=300)
    pdf = tmp_path / f"{name}.pdf"
    assert pdf.exists(), done.stdout + done.stderr
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages > 5
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert (round(float(size.group(1))), round(float(size.group(2)))) == (595, 842)  # A4
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True).stdout
    numbers = [int(n) for n in re.findall(r"—\s*(\d+)\s*—", text)]
    assert numbers == list(range(1, pages + 1))  # one "— N —" on every page, in order
    assert "益阳市教育局" in text and "24192.45" in text.replace(",", "")
