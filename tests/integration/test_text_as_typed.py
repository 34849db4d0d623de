"""The department's text is printed as typed in HTML, PDF and Word (issue 28 item 8).

nbconvert's Markdown (mistune) does math and autolinks: ``$a_b$`` was printed ``$a\\_b$``,
``\\(x\\)`` as ``$x$``, ``<https://…>`` before a space with ``&gt;``, and a bare address became a
link whose target ran on over the Chinese text after it. Word (markdown-it, CommonMark) was
right. Each case goes through what a report does with the department's words
(:func:`perfkit.report.selfreport.quote`, :func:`perfkit.report.markdown.esc`, then the notebook's
Markdown output) and is read back from each rendering.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import docx
import nbformat
import nbformat.v4 as v4
import pytest

from perfkit.report.blocks import b, bullets, par
from perfkit.report.meta import ReportMeta
from perfkit.report.render import render_notebook

CASES = [
    "变量$a_b$与$c_d$按公式计算",
    r"公式\(x\)与\[y\]照录",
    "详见<https://www.gov.cn/zhengce/> 的通知",
    "详见https://www.gov.cn/zhengce/content查看全文，http://a.cn。",
    "费用$5和$6，合计$$11",
    "A*B*C与_下划线_及**星号**",
    "~~删除线~~与`代码`",
    "[链接](http://x.cn)与![图](x.png)",
    "路径C:\\报告\\2019\\与\\begin{equation}",
    "实体&amp;与&#x41;照录",
    "标签<b>粗体</b>与<script>x</script>",
    "竖线|表格|照录",
]
#: Whole paragraphs whose first characters would start a block.
BLOCK_CASES = ["# 不是标题", "> 不是引用", "- 不是列表", "1. 不是编号", "= 不是标题线", ": 不是定义",
               "+ 不是列表"]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.links: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script", "head"):
            self._skip += 1
        if tag == "a":
            self.links.append(dict(attrs).get("href") or "")

    def handle_endtag(self, tag):
        if tag in ("style", "script", "head"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    folder = tmp_path_factory.mktemp("typed")
    shown = [par(c) for c in CASES + BLOCK_CASES]
    shown.append(bullets([(b(CASES[0]), f"：{CASES[3]}。")]))
    outputs = [v4.new_output("display_data", block._repr_mimebundle_()) for block in shown]
    nb = v4.new_notebook(cells=[v4.new_code_cell("x", outputs=outputs)])
    path = folder / "typed.ipynb"
    nbformat.write(nb, path)
    meta = ReportMeta(department="测试局", year=2019, title="测试", generated_at="2019-01-01",
                      perfkit_version="", workbook_sha256="")
    return render_notebook(path, folder / "out", "typed", meta, pdf=True, docx=True,
                           analyst_copy=False)


def test_html_shows_the_text_as_typed_and_links_nothing(rendered):
    parser = _Visible()
    parser.feed(Path(rendered["html"]).read_text(encoding="utf-8"))
    body = _squash("".join(parser.text))
    for case in CASES + BLOCK_CASES:
        assert _squash(case) in body, case
    assert parser.links == [] or all(h.startswith("#") for h in parser.links), parser.links


def test_word_shows_the_text_as_typed(rendered):
    text = _squash("".join(p.text for p in docx.Document(str(rendered["docx"])).paragraphs))
    for case in CASES + BLOCK_CASES:
        assert _squash(case) in text, case


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_pdf_shows_the_text_as_typed(rendered):
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(rendered["pdf"]), "-"],
                          capture_output=True, text=True, check=True).stdout
    text = _squash(text.replace("\u200b", ""))
    for case in CASES + BLOCK_CASES:
        assert _squash(case) in text, case
