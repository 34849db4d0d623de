"""Reading report files: .txt in any encoding Chinese offices save, .docx, .pdf, and every bad
file a bureau receives — each refused with a message naming the file and the fix."""

from __future__ import annotations

import io
import zipfile

import pytest

from perfkit import config
from perfkit.assess.reportfile import read_report
from perfkit.errors import ReportFileError

SEED_TEXT = config.DATA_DIR / "yiyang-edu" / "2019-report.txt"
SEED_PARAGRAPHS = [line.strip() for line in SEED_TEXT.read_text(encoding="utf-8").splitlines()
                   if line.strip()]


def refused(path, *words):
    with pytest.raises(ReportFileError) as info:
        read_report(path)
    message = str(info.value)
    assert str(path) in message or "poppler" in message
    for w in words:
        assert w in message, message
    return message


# --- .txt ----------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding,note", [("utf-8", ""), ("utf-8-sig", ""),
                                           ("gbk", "GB18030/GBK"), ("utf-16", "UTF-16")])
def test_txt_in_the_encodings_offices_save(tmp_path, encoding, note):
    path = tmp_path / f"report-{encoding}.txt"
    path.write_bytes(SEED_TEXT.read_text(encoding="utf-8").encode(encoding))
    report = read_report(path)
    assert [t for t, _ in report.paragraphs] == SEED_PARAGRAPHS
    assert report.paragraphs[7] == (SEED_PARAGRAPHS[7], "第8段")
    assert any(note in n for n in report.notes) if note else report.notes == []


def test_empty_txt(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    refused(tmp_path / "empty.txt", "文件为空")
    (tmp_path / "blank.txt").write_text(" \n\n\u3000\n", encoding="utf-8")
    refused(tmp_path / "blank.txt", "没有可读的文字")


def test_binary_junk_as_txt(tmp_path):
    path = tmp_path / "junk.txt"
    path.write_bytes(bytes(range(256)) * 20)
    refused(path, "不是文本文件")


def test_undecodable_txt(tmp_path):
    path = tmp_path / "latin.txt"
    path.write_bytes("决算收入".encode() + b"\x80\xff\x80\xff" * 10)
    refused(path, "编码无法识别", "UTF-8")


# --- .docx ----------------------------------------------------------------------------------


def make_docx(path, paragraphs, table=False):
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
        document.add_paragraph("")
    if table:
        t = document.add_table(rows=1, cols=2)
        t.cell(0, 0).text, t.cell(0, 1).text = "决算收入", "99999万元"
    document.save(str(path))
    return path


def test_docx_paragraphs(tmp_path):
    path = make_docx(tmp_path / "report.docx", SEED_PARAGRAPHS[:12], table=True)
    report = read_report(path)
    assert report.paragraphs == [(t, f"第{i}段") for i, t in enumerate(SEED_PARAGRAPHS[:12], 1)]


def test_docx_without_text(tmp_path):
    refused(make_docx(tmp_path / "blank.docx", []), "没有可读的文字")


def test_damaged_docx(tmp_path):
    whole = make_docx(tmp_path / "whole.docx", SEED_PARAGRAPHS[:5]).read_bytes()
    path = tmp_path / "cut.docx"
    path.write_bytes(whole[: len(whole) // 2])
    refused(path, "已损坏", "另存为")


def test_docx_missing_its_document_part(tmp_path):
    path = tmp_path / "gutted.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/other.xml", "<x/>")
    refused(path, "不是 Word 文档")


def test_workbook_renamed_docx(tmp_path):
    import perfkit as pk

    path = tmp_path / "book.docx"
    path.write_bytes(pk.write_workbook(tmp_path / "book.xlsx").read_bytes())
    refused(path, "Excel 工作簿")


def test_encrypted_docx(tmp_path):
    msoffcrypto = pytest.importorskip("msoffcrypto")
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = make_docx(tmp_path / "plain.docx", SEED_PARAGRAPHS[:5])
    out = io.BytesIO()
    with open(plain, "rb") as fh:
        OOXMLFile(fh).encrypt("secret", out)
    path = tmp_path / "locked.docx"
    path.write_bytes(out.getvalue())
    assert msoffcrypto  # the library that wrote it
    refused(path, "已加密", "取消密码")


def test_old_doc_renamed_docx(tmp_path):
    import xlwt  # writes a real OLE container (an .xls), as a .doc would be

    book = xlwt.Workbook()
    book.add_sheet("Sheet1").write(0, 0, "决算收入")
    path = tmp_path / "old.docx"
    book.save(str(path))
    refused(path, "旧版 Office 文件", "另存为 .docx")


# --- .pdf -----------------------------------------------------------------------------------


#: A department's report as a word processor prints it: A6 pages (so that paragraphs cross
#: page breaks), a running header and page numbers, paragraphs indented two characters.
_REPORT_TYP = """
#let paragraphs = json(sys.inputs.doc)
#let running = sys.inputs.header == "1"
#set page(paper: sys.inputs.page, margin: (y: 12mm, x: 11mm),
  header: if running { align(center, text(size: 6pt)[测试局2019年度部门整体支出绩效自评报告]) },
  footer: if running {
    context align(center, text(size: 6pt, "第 " + str(counter(page).get().first()) + " 页"))
  })
// Lines 1.5 em apart, no space between paragraphs.
#set text(font: "Noto Sans CJK SC", size: 10.5pt, lang: "zh", region: "cn", cjk-latin-spacing: none,
          top-edge: 1.1em, bottom-edge: -0.4em, overhang: false)
#set par(first-line-indent: (amount: 2em, all: true), justify: false, linebreaks: "simple", leading: 0pt,
         spacing: 0pt)
#for p in paragraphs { par(p) }
"""


def make_pdf(path, paragraphs, *, page="A6", header=True):
    import json
    import tempfile
    from pathlib import Path

    import typst

    from perfkit.report.fonts import find_cjk_fonts

    with tempfile.TemporaryDirectory() as root:
        (Path(root) / "doc.json").write_text(json.dumps(paragraphs, ensure_ascii=False),
                                             encoding="utf-8")
        (Path(root) / "report.typ").write_text(_REPORT_TYP, encoding="utf-8")
        path.write_bytes(typst.compile(
            str(Path(root) / "report.typ"), root=root, ignore_system_fonts=True,
            font_paths=[str(find_cjk_fonts().regular.parent)],
            sys_inputs={"doc": "/doc.json", "page": page.lower(), "header": "1" if header else ""}))
    return path


@pytest.fixture(scope="module")
def seed_pdf(tmp_path_factory):
    # Paragraphs 8-11 of the seed (its finance figures) and the “三公” section, on A6 pages so
    # that paragraphs cross page breaks under a running header and footer.
    return make_pdf(tmp_path_factory.mktemp("pdf") / "report.pdf",
                    SEED_PARAGRAPHS[7:11] + SEED_PARAGRAPHS[38:43])


def test_pdf_paragraphs_rebuilt_across_lines_and_pages(seed_pdf):
    import subprocess

    report = read_report(seed_pdf)
    assert [t for t, _ in report.paragraphs] == SEED_PARAGRAPHS[7:11] + SEED_PARAGRAPHS[38:43]
    assert report.paragraphs[0][1] == "第1页第1段" and report.paragraphs[-1][1] == "第2页第1段"
    # The “（3）公务用车…” paragraph starts on page 1 and ends on page 2, under the running
    # header: it is still one paragraph, located where it starts.
    page2 = subprocess.run(["pdftotext", "-f", "2", "-l", "2", str(seed_pdf), "-"],
                           capture_output=True, text=True, check=True).stdout
    assert "测试局2019年度" in page2 and "新购置了一台公务用车" in page2
    text, where = report.paragraphs[-2]
    assert text.startswith("（3）公务用车运行维护费") and where == "第1页第8段"


def test_encrypted_pdf(seed_pdf, tmp_path):
    pypdf = pytest.importorskip("pypdf")
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(seed_pdf))
    writer.encrypt("secret", "owner", algorithm="AES-256")
    path = tmp_path / "locked.pdf"
    writer.write(str(path))
    refused(path, "已加密")


def test_pdf_restricted_by_an_owner_password_is_read(seed_pdf, tmp_path):
    pypdf = pytest.importorskip("pypdf")
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(seed_pdf))
    writer.encrypt("", "owner", permissions_flag=pypdf.constants.UserAccessPermissions.PRINT,
                   algorithm="AES-128")
    path = tmp_path / "print-only.pdf"
    writer.write(str(path))
    assert read_report(path).paragraphs == read_report(seed_pdf).paragraphs


def test_scanned_pdf_without_text(tmp_path):
    pypdf = pytest.importorskip("pypdf")
    writer = pypdf.PdfWriter()
    writer.add_blank_page(595, 842)
    path = tmp_path / "scan.pdf"
    writer.write(str(path))
    refused(path, "没有可读的文字", "扫描件", "OCR")


def test_damaged_pdf(seed_pdf, tmp_path):
    path = tmp_path / "cut.pdf"
    path.write_bytes(seed_pdf.read_bytes()[:1500])
    refused(path, "已损坏")


def test_junk_named_pdf(tmp_path):
    path = tmp_path / "junk.pdf"
    path.write_bytes(b"\x00\x01binary junk" * 50)
    refused(path, "已损坏")


def test_pdf_tools_missing(seed_pdf, monkeypatch):
    monkeypatch.setattr("shutil.which", lambda name: None)
    refused(seed_pdf, "poppler-utils")


# --- any file -------------------------------------------------------------------------------


def test_missing_file(tmp_path):
    refused(tmp_path / "nope.docx", "找不到报告文件")


def test_folder(tmp_path):
    refused(tmp_path, "是文件夹")


@pytest.mark.parametrize("suffix,hint", [(".doc", "另存为 .docx"), (".rtf", "另存为 .docx"),
                                         (".xlsx", "第一个参数"), ("", "无扩展名")])
def test_unsupported_types(tmp_path, suffix, hint):
    path = tmp_path / f"report{suffix}"
    path.write_text("决算收入100万元", encoding="utf-8")
    refused(path, "不支持的报告文件类型", hint)


def test_pdf_saved_as_txt(seed_pdf, tmp_path):
    path = tmp_path / "report.txt"
    path.write_bytes(seed_pdf.read_bytes())
    refused(path, "内容却是 PDF", ".pdf")
