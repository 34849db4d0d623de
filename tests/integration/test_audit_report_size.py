"""`perfkit audit --report` on huge and repetitive reports (issue 28 item 5): every step grows
with the input, a long sentence is printed once, memory is bounded by the report limits.

Time is measured by benchmarks/audit_report_bench.py, not asserted here: these tests assert
what makes the cost linear (output that grows with the figures, not figures × sentence; files
beyond any report refused while they are read) and that the faster code reads the same."""

from __future__ import annotations

import io
import zipfile

import docx
import pandas as pd
import pytest
from typer.testing import CliRunner

from perfkit import config
from perfkit.assess import reportfile, reportparagraph, reporttext, textaudit
from perfkit.assess.reportfile import read_report
from perfkit.cli import app
from perfkit.cliparts import TERMINAL_ROWS
from perfkit.errors import ReportFileError

# Slow tier (reads reports of millions of paragraphs): CI runs it (.ci/run); pytest alone leaves it out.
pytestmark = pytest.mark.slow

runner = CliRunner()
WIDE = {"COLUMNS": "220", "NO_COLOR": "1"}
SEED_TEXT = config.DATA_DIR / "yiyang-edu" / "2019-report.txt"
#: The issue's shape: one short sentence repeated, no full stop, every figure mapped to the same
#: 核对对象 (each repeat is a 全文核对 row "前后两处" quoting the whole run-on sentence).
CLAUSE = "决算收入1万元，"


def _audit(tmp_path, text: str, name: str = "r.txt"):
    report = tmp_path / name
    report.write_text(text, encoding="utf-8")
    out = tmp_path / f"{name}.csv"
    result = runner.invoke(app, ["audit", "--report", str(report), "--out", str(out)], env=WIDE)
    assert result.exit_code in (0, 1), result.output
    return result.output, pd.read_csv(out, encoding="utf-8-sig"), out


def test_a_long_sentence_is_printed_once_and_rows_refer_to_it(tmp_path):
    text = CLAUSE * 300
    output, frame, _ = _audit(tmp_path, text)
    assert output.count(text) == 1  # once, whole, after the tables
    assert "长句1（第1段）：" + text in output
    assert output.count("（长句1）") == min(TERMINAL_ROWS, len(frame))  # each printed row
    assert len(frame) == 299  # every repeat checked against the first
    assert frame["sentence"].str.len().max() <= textaudit.SENTENCE_CHARS + 2  # "…" each side
    assert frame["sentence"].str.startswith("…").any() and frame["sentence"].str.endswith("…").any()
    assert f"另有{len(frame) - TERMINAL_ROWS}项未在此列出" in output


def test_the_output_grows_with_the_figures_not_figures_times_sentence(tmp_path):
    """Before: 300 repeats wrote a 2.1 MB CSV and 600 repeats 8.1 MB (the sentence on each
    row); now the CSV doubles when the input doubles."""
    _, small, small_csv = _audit(tmp_path, CLAUSE * 300, "small.txt")
    _, large, large_csv = _audit(tmp_path, CLAUSE * 600, "large.txt")
    assert len(large) == 2 * len(small) + 1
    ratio = large_csv.stat().st_size / small_csv.stat().st_size
    assert 1.8 < ratio < 2.3, ratio


def test_short_sentences_are_quoted_whole_as_before(tmp_path):
    _, frame, _ = _audit(tmp_path, SEED_TEXT.read_text(encoding="utf-8"))
    row = frame.set_index("ref").loc["T3"]
    assert row["sentence"] == "2019年度部门决算收入24192.45万元，为年初预算18122.94万元的133.49%。"
    assert not frame["sentence"].str.contains("…").any()


def test_figures_of_one_sentence_share_one_string():
    ex = reporttext.extract([(CLAUSE * 50 + "。" + CLAUSE * 50, "第1段")])
    assert len({id(f.sentence) for f in ex.figures}) == 2
    assert len(ex.figures) == 100


def test_repeated_sentences_are_different_sentences():
    """A figure takes the subject of the figure before it only in the same sentence: two equal
    sentences are two sentences (they were compared by their text)."""
    ex = reporttext.extract([("上年数为1万元。上年数为1万元。", "第1段")])
    assert ex.figures[0].sentence_span != ex.figures[1].sentence_span


def test_labels_and_brackets_read_as_before():
    ex = reporttext.extract([("56名教师受到行政处理（其中违规补课30人、学生食堂问题7人）。", "第1段"),
                             ("部门决算收入" + "的" * 500 + "24192.45万元。", "第2段")])
    labels = [f.label for f in ex.figures]
    assert labels[:3] == ["", "其中违规补课", "学生食堂问题"]
    assert len(labels[3]) == reportparagraph.LABEL_CHARS  # a clause of 500 characters, its end


# --- files beyond any report ---------------------------------------------------------------


def _docx(path, body: bytes, repeat: int) -> None:
    """A .docx whose body is ``body`` ``repeat`` times (written in chunks: a small file, a huge
    main part)."""
    buf = io.BytesIO()
    docx.Document().save(buf)
    src = zipfile.ZipFile(buf)
    head = src.read("word/document.xml").decode().split("<w:body>")[0] + "<w:body>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            if item.filename != "word/document.xml":
                z.writestr(item, src.read(item.filename))
        with z.open("word/document.xml", "w", force_zip64=True) as w:
            w.write(head.encode())
            for _ in range(repeat // 10_000):
                w.write(body * 10_000)
            w.write(b"</w:body></w:document>")


@pytest.mark.parametrize("body,found", [
    (b"<w:p><w:r><w:t>1</w:t></w:r></w:p>", "有超过50000段文字"),
    (b"<w:p/>", "个段落和表格行（含空段落）"),
    (b"<w:tbl>" + b"<w:tr><w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc></w:tr>" * 10
     + b"</w:tbl>", "个段落和表格行（含空段落）"),
], ids=["short-paragraphs", "empty-paragraphs", "table-rows"])
def test_a_docx_of_millions_of_paragraphs_is_refused_while_read(tmp_path, body, found):
    """Before: a 593 KB .docx of 3 million short paragraphs ran past 300 s and 8 GB (python-docx
    built the whole tree); now the stream stops at the limit with a message."""
    path = tmp_path / "huge.docx"
    _docx(path, body, 3_000_000 // (10 if b"w:tbl" in body else 1))
    assert path.stat().st_size < 2_000_000
    with pytest.raises(ReportFileError) as info:
        read_report(path)
    assert str(path) in str(info.value) and found in str(info.value)
    assert "分成几部分分别核对" in str(info.value)


def test_txt_beyond_the_character_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(reportfile, "MAX_CHARS", 1000)
    path = tmp_path / "long.txt"
    path.write_text(CLAUSE * 200, encoding="utf-8")
    with pytest.raises(ReportFileError, match=r"有1600个字符.*上限1000个字符"):
        read_report(path)


def test_a_zip_entry_larger_than_it_says_is_stopped(tmp_path, monkeypatch):
    monkeypatch.setattr(reportfile, "MAX_DOCX_XML_BYTES", 100_000)
    path = tmp_path / "big.docx"
    _docx(path, b"<w:p><w:r><w:t>" + "收入".encode() * 50 + b"</w:t></w:r></w:p>", 10_000)
    with pytest.raises(ReportFileError, match="正文部分解压后"):
        read_report(path)


# --- the stream reads what python-docx reads -----------------------------------------------


def test_docx_text_as_python_docx_gives_it(tmp_path):
    """Runs, tabs, line and page breaks, non-breaking hyphens, hyperlinks, a table and a text
    box: the streaming reader gives each body paragraph's text exactly as python-docx does."""
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    body = (
        '<w:p><w:r><w:t xml:space="preserve">决算收入 </w:t></w:r><w:r><w:t>24192.45万元</w:t>'
        '</w:r></w:p>'
        '<w:p><w:r><w:t>一</w:t><w:tab/><w:t>二</w:t><w:br/><w:t>三</w:t><w:br w:type="page"/>'
        '<w:t>四</w:t><w:noBreakHyphen/><w:t>五</w:t><w:cr/><w:t>六</w:t></w:r></w:p>'
        '<w:p><w:hyperlink><w:r><w:t>链接文字</w:t></w:r></w:hyperlink><w:r><w:t>之后</w:t>'
        '</w:r></w:p>'
        '<w:tbl><w:tr><w:tc><w:p><w:r><w:t>表内99999万元</w:t></w:r></w:p></w:tc></w:tr></w:tbl>'
        '<w:p/><w:p><w:r><w:t>   </w:t></w:r></w:p>'
        '<w:p><w:r><w:t>末段</w:t></w:r></w:p>')
    buf = io.BytesIO()
    docx.Document().save(buf)
    src = zipfile.ZipFile(buf)
    xml = src.read("word/document.xml").decode()
    xml = xml.split("<w:body>")[0] + "<w:body>" + body + "</w:body></w:document>"
    assert w in xml
    path = tmp_path / "rich.docx"
    with zipfile.ZipFile(path, "w") as z:
        for item in src.infolist():
            z.writestr(item, xml if item.filename == "word/document.xml"
                       else src.read(item.filename))
    expected = [p.text.strip() for p in docx.Document(str(path)).paragraphs if p.text.strip()]
    assert [t for t, _ in read_report(path).paragraphs] == expected
    assert expected[1] == "一\t二\n三四-五\n六"
