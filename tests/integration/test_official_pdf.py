"""The official-layout PDF: GB/T 9704-2012 page, 22 lines of 28 characters, official faces."""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
from collections import Counter

import pytest
from blocknb import notebook_of

from perfkit.data.params import settings_from_dict
from perfkit.report.blocks import Heading, Signature, par
from perfkit.report.meta import ReportMeta
from perfkit.report.render import render_notebook

pytestmark = pytest.mark.slow

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler missing")

TEXT = "部门整体支出绩效自评报告按照党政机关公文格式排版每页二十二行每行二十八字"  # 36 characters
#: The faces of the official layout as the PDF names them: 仿宋 and 宋体 (Noto Serif CJK SC),
#: 小标宋 (its bold), 黑体 (Noto Sans CJK SC Bold), 楷体 (AR PL UKai CN).
OFFICIAL_FACES = {"仿宋": "NotoSerifCJKsc-Regular", "小标宋": "NotoSerifCJKsc-Bold",
                  "黑体": "NotoSansCJKsc-Bold", "楷体": "UKaiCN"}


def _render(tmp_path, layout: str):
    path = notebook_of(
        tmp_path / "doc.ipynb", Heading(1, "某局2019年度部门整体支出绩效自评报告"),
        Heading(2, "一、部门基本情况"), Heading(3, "（一）部门职能"),
        *(par(TEXT * 8) for _ in range(12)), Signature(("某局", "2020年4月28日")))
    meta = ReportMeta(department="某局", year=2019, title="部门整体支出绩效自评报告",
                      generated_at="2020-04-28T10:00:00+08:00", perfkit_version="test",
                      workbook_sha256="0" * 64, kind="department", report_date="2020年4月28日",
                      pdf_layout=layout)
    return render_notebook(path, tmp_path, "doc", meta, pdf=True)["pdf"]


def _lines(pdf) -> dict[int, list[tuple[float, float, str]]]:
    """Per page: (y, x, text) of every text line, from pdftotext's layout boxes."""
    xml = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    pages: dict[int, list[tuple[float, float, str]]] = {}
    for n, page in enumerate(re.findall(r"<page\b.*?</page>", xml, re.S), 1):
        for line in re.findall(r"<line\b[^>]*>.*?</line>", page, re.S):
            y = float(re.search(r'yMin="([\d.]+)"', line).group(1))
            x = float(re.search(r'xMin="([\d.]+)"', line).group(1))
            text = "".join(re.findall(r"<word[^>]*>([^<]*)</word>", line))
            pages.setdefault(n, []).append((y, x, text))
    return pages


@needs_poppler
def test_official_pdf_has_the_official_page(tmp_path):
    pdf = _render(tmp_path, "official")
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    for role, face in OFFICIAL_FACES.items():
        assert face in fonts, role
    pages = _lines(pdf)
    assert len(pages) >= 3
    body = [t for t in pages[2] if TEXT[:4] in t[2] or t[2][:1] in TEXT]
    # A full page of body text: 22 lines at a 28.95 pt pitch (225 mm / 22) ...
    assert len(body) == 22
    pitches = Counter(round(b[0] - a[0], 1) for a, b in itertools.pairwise(body))
    assert set(pitches) <= {28.9, 29.0}
    # ... of 28 characters, starting at the 28 mm left margin.
    assert Counter(len(t) for _, _, t in body).most_common(1)[0][0] == 28
    assert min(x for _y, x, _t in body) == pytest.approx(28 * 72 / 25.4, abs=1.5)
    # Page numbers "— N —": odd pages right, even pages left; no "第 N 页".
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True).stdout
    assert re.search(r"—\s*1\s*—", text) and re.search(r"—\s*2\s*—", text)
    assert "第 1 页" not in text
    # 落款: the date on one line, four characters from the right margin, the unit centred on it.
    xml = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True,
                         text=True).stdout

    def box(word: str) -> tuple[float, float]:
        m = re.search(r'xMin="([\d.]+)"[^>]*xMax="([\d.]+)"[^>]*>' + word + "<", xml)
        return float(m.group(1)), float(m.group(2))

    date, unit = box("2020年4月28日"), box("某局")
    right_margin = (210 - 26) * 72 / 25.4
    assert date[1] == pytest.approx(right_margin - 4 * 16, abs=3)
    assert sum(unit) / 2 == pytest.approx(sum(date) / 2, abs=2)
    numbers = {n: x for n, lines in pages.items() for _y, x, t in lines
               if re.fullmatch(r"—\d+—", t)}
    assert numbers[1] > 297 and numbers[2] < 297  # right half, left half of the 595 pt page


@needs_poppler
def test_web_pdf_is_unchanged_by_default(tmp_path):
    fonts = subprocess.run(["pdffonts", str(_render(tmp_path, "web"))], capture_output=True,
                           text=True).stdout
    assert OFFICIAL_FACES["仿宋"] not in fonts and OFFICIAL_FACES["楷体"] not in fonts


def test_pdf_layout_is_a_run_setting():
    assert settings_from_dict({"department": "x", "year": 2019, "pdf_layout": "official"}).pdf_layout == "official"
    assert settings_from_dict({"department": "x", "year": 2019}).pdf_layout == "web"
    from perfkit.errors import ParamsError

    with pytest.raises(ParamsError, match="pdf_layout"):
        settings_from_dict({"department": "x", "year": 2019, "pdf_layout": "fancy"})


def test_the_retired_pdf_engine_setting_is_refused_with_what_to_do(tmp_path):
    """pdf_engine chose WeasyPrint or Typst; Typst now sets both layouts, and a settings file
    that still names the setting says how to fix it rather than listing unknown keys."""
    from perfkit.errors import ParamsError
    from perfkit.yamlcheck import load

    path = tmp_path / "2019.yaml"
    path.write_text("department: x\nyear: 2019\npdf_engine: weasyprint\n", encoding="utf-8")
    raw, node = load(path, ParamsError, "运行设置")
    with pytest.raises(ParamsError, match=r"第 3 行 pdf_engine: 这一设置已取消，请删去这一行") as err:
        settings_from_dict(raw, str(path), node)
    assert "pdf_layout: official" in str(err.value)


@needs_poppler
def test_the_signature_never_stands_alone_on_the_last_official_page(tmp_path):
    """GB/T 9704: the 落款 does not take a page of its own; the text before it goes along."""
    para = "本部门按照要求完成了年度工作任务，各项指标总体达到预期目标。" * 3
    for n in range(5, 18):
        folder = tmp_path / str(n)
        folder.mkdir()
        path = notebook_of(folder / "doc.ipynb", *(par(f"正文第{i}段：{para}") for i in range(n)),
                           Signature(("某局", "2020年4月28日")))
        meta = ReportMeta(department="某局", year=2019, title="部门整体支出绩效自评报告",
                          generated_at="2020-04-28T10:00:00+08:00", perfkit_version="test",
                          workbook_sha256="0" * 64, pdf_layout="official")
        pdf = render_notebook(path, folder, "doc", meta, pdf=True)["pdf"]
        pages = _lines(pdf)
        last = "".join(text for _, _, text in pages[max(pages)])
        assert "某局" in last and "预期目标" in last, f"{n} paragraphs: the 落款 alone"
