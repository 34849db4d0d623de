"""The 自评报告 as the department wrote it (issue #23): the sample's report against the seed, in
HTML and in Word — the seed's title, every heading in order with its numbering, every sentence
once, nothing the department did not write; the PDF in the layout departments submit."""

from __future__ import annotations

import re
import subprocess

import docx
import pytest

import facts
from perfkit import config

pytestmark = pytest.mark.slow

SEED = config.DATA_DIR / "yiyang-edu" / "2019-report.txt"
#: The seed's cover: its title (two lines), the unit and the date; the report prints the title as
#: its heading and the unit and date as its 落款 (and the HTML's cover says the same).
COVER_LINES = 4
#: Words of perfkit's, never of a department: none may appear in its own report.
TOOL_WORDS = ("未提供", "工作簿", "perfkit", "未填报", "数据缺口", "推算", "复核", "无法计算")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    from perfkit.run.runner import run

    out = tmp_path_factory.mktemp("report")
    results = run([("yiyang-edu", 2019)], notebooks=["report"], outputs=out, pdf=True)
    assert [r.status for r in results] == ["ok"], results
    return out / "yiyang-edu" / "2019"


def _seed_lines() -> list[str]:
    return [line.strip() for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]


def _body_lines(text: str, title: str) -> list[str]:
    """A document's lines from its title heading on (after the HTML's cover and contents)."""
    lines = [re.sub(r"\s+", " ", line).strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    start = max(i for i, line in enumerate(lines) if line == title)
    return lines[start:]


def _check_against_the_seed(lines: list[str]) -> None:
    seed = _seed_lines()
    title = seed[0] + seed[1]
    assert lines[0] == title  # the department's own title
    body = seed[COVER_LINES:]
    # Every line of the seed (heading or paragraph) once, in the seed's order, nothing between.
    assert lines[1:1 + len(body)] == body, next(
        (f"line {i}: {a!r} != {b!r}" for i, (a, b) in enumerate(zip(lines[1:], body, strict=False))
         if a != b), "length")
    # After the seed's last line only the 落款: the unit and the date the cover gives.
    assert lines[1 + len(body):] == [seed[2], seed[3].strip("（）")]


def test_the_html_report_is_the_seed(rendered):
    text = facts.html_text(rendered / "report.html")
    seed = _seed_lines()
    _check_against_the_seed(_body_lines(text, seed[0] + seed[1]))


def test_the_word_report_is_the_seed(rendered):
    d = docx.Document(str(rendered / "report.docx"))
    lines = [p.text for p in d.paragraphs]
    seed = _seed_lines()
    _check_against_the_seed(_body_lines("\n".join(lines), seed[0] + seed[1]))
    assert not d.tables  # the seed has no table, so the report has none


def test_the_report_says_nothing_the_department_did_not_write(rendered):
    texts = {"html": facts.html_text(rendered / "report.html"),
             "docx": facts.docx_text(rendered / "report.docx")}
    for name, text in texts.items():
        found = [w for w in TOOL_WORDS if w in text]
        assert not found, (name, found)


def test_the_pdf_is_in_the_submitted_layout(rendered):
    from pypdf import PdfReader

    pdf = rendered / "report.pdf"
    reader = PdfReader(pdf)
    assert all(round(float(p.mediabox.width)) == 595 for p in reader.pages)  # A4 portrait
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert re.search(r"—\s*1\s*—", text) and "第 1 页" not in text  # 公文 page numbers
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                           check=True).stdout
    assert "NotoSerifCJK" in fonts  # 仿宋's stand-in, not the print layout's sans
    assert "LibertinusSerif" in fonts  # digits in a Times-like face
