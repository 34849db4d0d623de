"""Read a report file (.txt, .docx, .pdf) into paragraphs with their locations.

Every way a file can be unusable — missing, empty, another format under the extension,
encrypted, damaged, a scanned PDF without a text layer, text in an unknown encoding — ends in a
:class:`ReportFileError` naming the file, what is wrong and what to do; never a traceback.

- ``.txt``: UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030/GBK (what Chinese Windows
  saves); one paragraph per non-empty line, located “第N段”.
- ``.docx``: the document's body paragraphs, located “第N段” (empty paragraphs are not
  counted; tables, headers and footnotes are not read). The main part is read as a stream,
  paragraph by paragraph, with python-docx's rules for a paragraph's text (runs and hyperlinks;
  ``w:tab`` a tab, ``w:br``/``w:cr`` a line break, ``w:noBreakHyphen`` "-"), so memory does
  not grow with the XML (a 593 KB file can hold 3 million paragraphs).
- ``.pdf``: the text layer through poppler's ``pdftotext -bbox-layout`` (installed with
  poppler-utils); lines are joined into paragraphs by their geometry (a first-line indent, a
  short last line or a wider gap starts a new one), located “第P页第N段”.

A report is refused, with what was found and the limit, when it is beyond any department's
self-evaluation (which runs to tens of thousands of characters): more than
:data:`MAX_CHARS` characters of text, :data:`MAX_PARAGRAPHS` paragraphs, or a Word main part
of more than :data:`MAX_DOCX_ELEMENTS` paragraphs and table rows (empty ones too) or
:data:`MAX_DOCX_XML_BYTES` bytes once decompressed. The limits bound the time and memory
of the audit; reading stops as soon as one is passed.
"""

from __future__ import annotations

import posixpath
import re
import shutil
import subprocess
import unicodedata
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from lxml import etree

from perfkit.errors import ReportFileError

SUFFIXES = (".txt", ".docx", ".pdf")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_OLE = "EncryptionInfo".encode("utf-16-le")
_PDFTOTEXT_TIMEOUT = 120

#: Characters of text a report may have (a department's self-evaluation has 1–5万字).
MAX_CHARS = 500_000
#: Non-empty paragraphs a report may have.
MAX_PARAGRAPHS = 50_000
#: Bytes of a .docx main part (word/document.xml) once decompressed.
MAX_DOCX_XML_BYTES = 200_000_000
#: Paragraphs (empty ones too, and those in tables) and table rows a .docx may have.
MAX_DOCX_ELEMENTS = 200_000


@dataclass
class ReportText:
    """A report's paragraphs as ``(text, location)`` pairs, and how the file was read."""

    path: Path
    paragraphs: list[tuple[str, str]]
    kind: str  # txt, docx, pdf
    notes: list[str] = field(default_factory=list)  # e.g. the encoding a .txt was read in


def read_report(path: str | Path) -> ReportText:
    """Read a report file into paragraphs.

    Raises:
        ReportFileError: the file is missing, empty, of another type, encrypted, damaged or
            has no text.
    """
    path = Path(path)
    if not path.exists():
        raise ReportFileError(f"找不到报告文件：{path}。请检查路径和文件名。")
    if path.is_dir():
        raise ReportFileError(f"{path} 是文件夹，不是报告文件：请给出一个 .txt、.docx 或 .pdf 文件。")
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        hint = {".doc": "；.doc 请用 Word 或 WPS 另存为 .docx",
                ".wps": "；请用 WPS 另存为 .docx",
                ".rtf": "；请用 Word 或 WPS 另存为 .docx",
                ".xlsx": "；工作簿请作为 perfkit audit 的第一个参数给出"}.get(suffix, "")
        raise ReportFileError(f"{path}：不支持的报告文件类型“{suffix or '无扩展名'}”，"
                              f"应为 .txt、.docx 或 .pdf{hint}。")
    try:
        head = path.read_bytes()[:8]
        size = path.stat().st_size
    except OSError as exc:
        raise ReportFileError(f"{path}：无法读取（{exc.strerror}）。请检查文件权限。") from None
    if size == 0:
        raise ReportFileError(f"{path}：文件为空（0 字节）。请确认导出或复制时没有出错。")
    actual = _sniff(head)
    if actual == ".doc":
        _check_ole(path)
    if actual and actual != suffix:
        fix = "" if actual == ".doc" else f"请把文件改为正确的扩展名（{actual}）后再试。"
        raise ReportFileError(f"{path}：扩展名为 {suffix}，内容却是 {_KIND_NAMES[actual]}。{fix}")
    reader = {".txt": _read_txt, ".docx": _read_docx, ".pdf": _read_pdf}[suffix]
    report = reader(path)
    if not any(text.strip() for text, _ in report.paragraphs):
        raise ReportFileError(f"{path}：没有可读的文字。"
                              + ("若为扫描件，请先做文字识别（OCR）或向部门索取文字版 PDF/Word。"
                                 if suffix == ".pdf" else "请确认文件内容。"))
    return report


_KIND_NAMES = {".pdf": "PDF 文件", ".docx": "Word/Excel 等 Office 文件（zip 格式）",
               ".doc": "旧版 Office 文件（.doc/.xls）；.doc 请用 Word 或 WPS 另存为 .docx"}


def _sniff(head: bytes) -> str:
    if head.startswith(b"%PDF"):
        return ".pdf"
    if head.startswith(b"PK\x03\x04"):
        return ".docx"
    if head.startswith(_OLE_MAGIC):
        return ".doc"
    return ""


# ---------------------------------------------------------------------------------------------
# .txt
# ---------------------------------------------------------------------------------------------


def _decode(path: Path, raw: bytes) -> tuple[str, str]:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="strict"), ""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "按 UTF-16 编码读取"
    if b"\x00" in raw[:4096]:
        raise ReportFileError(f"{path}：不是文本文件（含二进制内容）。请给出 .txt、.docx 或 .pdf 报告。")
    try:
        return raw.decode("utf-8"), ""
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030"), "按 GB18030/GBK 编码读取"
    except UnicodeDecodeError:
        raise ReportFileError(f"{path}：文字编码无法识别（既不是 UTF-8 也不是 GBK/GB18030）。"
                              "请用记事本或 WPS 另存为 UTF-8 编码的 .txt。") from None


def _read_txt(path: Path) -> ReportText:
    try:
        text, note = _decode(path, path.read_bytes())
    except UnicodeDecodeError:
        raise ReportFileError(f"{path}：UTF-8 编码有误。请用记事本或 WPS 另存为 UTF-8 编码的 .txt。") from None
    controls = sum(1 for c in text if ord(c) < 32 and c not in "\r\n\t\f")
    if controls > max(10, len(text) // 100):
        raise ReportFileError(f"{path}：不是文本文件（含大量控制字符）。请给出 .txt、.docx 或 .pdf 报告。")
    return ReportText(path, _within_limits(path, text_paragraphs(text)), "txt",
                      [note] if note else [])


#: A line ending in one of these ends its paragraph even in hard-wrapped text.
_LINE_STOPS = "。！？!?；;：:”"


def _width(line: str) -> int:
    """Printed width in Latin characters (a CJK character is two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def text_paragraphs(text: str) -> list[tuple[str, str]]:
    """The paragraphs of a plain text with their locations ("第3段").

    A line is a paragraph, except in hard-wrapped text (copied from a PDF: at least three lines
    of nearly the full width stopping mid-sentence): there a line runs on into the next unless
    it ends with a full stop, semicolon or colon, or stops short (a heading, a paragraph's
    last line). "占支\n出总预算 10.73 %" is one sentence, as the PDF printed it.
    """
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    widths = [_width(line) for line in lines]
    full = max(widths, default=0)
    wrapped = [w >= 0.8 * full and line[-1] not in _LINE_STOPS for line, w in zip(lines, widths, strict=True)]
    if sum(wrapped) < 3:
        return [(line, f"第{i}段") for i, line in enumerate(lines, 1)]
    out: list[str] = []
    run_on = False
    for line, width in zip(lines, widths, strict=True):
        if run_on:
            out[-1] = _join(out[-1], line)
        else:
            out.append(line)
        run_on = line[-1] not in _LINE_STOPS and width >= 0.6 * full
    return [(para, f"第{i}段") for i, para in enumerate(out, 1)]


def _too_big(path: Path, found: str, limit: str) -> ReportFileError:
    return ReportFileError(f"{path}：{found}，超过一份部门整体支出绩效自评报告的规模（上限{limit}）。"
                           "请确认给出的是报告文件；篇幅确实如此时，请分成几部分分别核对。")


def _within_limits(path: Path, paragraphs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    if len(paragraphs) > MAX_PARAGRAPHS:
        raise _too_big(path, f"有{len(paragraphs)}段文字", f"{MAX_PARAGRAPHS}段")
    chars = sum(len(t) for t, _ in paragraphs)
    if chars > MAX_CHARS:
        raise _too_big(path, f"有{chars}个字符", f"{MAX_CHARS}个字符")
    return paragraphs


# ---------------------------------------------------------------------------------------------
# .docx
# ---------------------------------------------------------------------------------------------


def _read_docx(path: Path) -> ReportText:
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
    except zipfile.BadZipFile:
        raise ReportFileError(f"{path}：文件已损坏，不是有效的 .docx。请用 Word 或 WPS 打开后重新另存为"
                              " .docx。") from None
    if "word/document.xml" not in names:
        what = "一个 Excel 工作簿" if "xl/workbook.xml" in names else "一个 zip 文件"
        raise ReportFileError(f"{path}：这是{what}，不是 Word 文档（.docx）。请给出报告的 Word 文件。")

    try:
        with zipfile.ZipFile(path) as z:
            part = _main_part(z)
            if z.getinfo(part).file_size > MAX_DOCX_XML_BYTES:
                raise _too_big(path, f"正文部分解压后有{z.getinfo(part).file_size}字节",
                               f"{MAX_DOCX_XML_BYTES}字节")
            with z.open(part) as raw:
                paragraphs = _docx_paragraphs(path, _Capped(raw, path))
    except ReportFileError:
        raise
    except Exception as exc:  # damaged zip members and XML raise several kinds
        raise ReportFileError(f"{path}：无法读取 Word 文档（{type(exc).__name__}），文件可能已损坏。"
                              "请用 Word 或 WPS 打开后重新另存为 .docx。") from None
    return ReportText(path, paragraphs, "docx")


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_OFFICE_DOCUMENT = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
                    "officeDocument", "http://purl.oclc.org/ooxml/officeDocument/relationships/"
                    "officeDocument")


def _main_part(z: zipfile.ZipFile) -> str:
    """The main document part the package relationships name (word/document.xml usually)."""
    try:
        rels = etree.fromstring(z.read("_rels/.rels"),
                                etree.XMLParser(resolve_entities=False, no_network=True))
        for rel in rels:
            if rel.get("Type") in _OFFICE_DOCUMENT and rel.get("TargetMode") != "External":
                target = posixpath.normpath(rel.get("Target", "").lstrip("/"))
                if target in z.namelist():
                    return target
    except (KeyError, etree.XMLSyntaxError):
        pass
    return "word/document.xml"


class _Capped:
    """A file object that refuses to give more than :data:`MAX_DOCX_XML_BYTES` (a zip entry
    may decompress to more than its header says)."""

    def __init__(self, raw: IO[bytes], path: Path) -> None:
        self.raw, self.path, self.read_bytes = raw, path, 0

    def read(self, n: int = -1) -> bytes:
        data = self.raw.read(n)
        self.read_bytes += len(data)
        if self.read_bytes > MAX_DOCX_XML_BYTES:
            raise _too_big(self.path, f"正文部分解压后超过{MAX_DOCX_XML_BYTES}字节",
                           f"{MAX_DOCX_XML_BYTES}字节")
        return data


def _run_text(run: Any) -> str:
    """A ``w:r``'s text as python-docx gives it (``CT_R.text``)."""
    out = []
    for el in run:
        tag = el.tag
        if tag == _W + "t":
            out.append(el.text or "")
        elif tag in (_W + "tab", _W + "ptab"):
            out.append("\t")
        elif tag == _W + "cr":
            out.append("\n")
        elif tag == _W + "br":
            out.append("\n" if el.get(_W + "type", "textWrapping") == "textWrapping" else "")
        elif tag == _W + "noBreakHyphen":
            out.append("-")
    return "".join(out)


def _paragraph_text(p: Any) -> str:
    """A ``w:p``'s text as python-docx gives it: its runs and its hyperlinks' runs."""
    out = []
    for child in p:
        if child.tag == _W + "r":
            out.append(_run_text(child))
        elif child.tag == _W + "hyperlink":
            out.extend(_run_text(r) for r in child if r.tag == _W + "r")
    return "".join(out)


def _docx_paragraphs(path: Path, stream: Any) -> list[tuple[str, str]]:
    """The non-empty paragraphs directly in ``w:body``, read as a stream: each paragraph and
    table row is dropped once read, with the siblings before it, so memory holds about one
    paragraph whatever the document holds (a table of millions of rows too)."""
    paragraphs: list[tuple[str, str]] = []
    chars = elements = 0
    events = etree.iterparse(stream, events=("end",), tag=(_W + "p", _W + "tr"),
                             resolve_entities=False, no_network=True, huge_tree=False,
                             remove_comments=True)
    for _, el in events:
        elements += 1
        if elements > MAX_DOCX_ELEMENTS:
            raise _too_big(path, f"有超过{MAX_DOCX_ELEMENTS}个段落和表格行（含空段落）",
                           f"{MAX_DOCX_ELEMENTS}个")
        parent = el.getparent()
        if el.tag == _W + "p" and parent is not None and parent.tag == _W + "body" and len(el):
            text = _paragraph_text(el).strip()
            if text:
                paragraphs.append((text, f"第{len(paragraphs) + 1}段"))
                chars += len(text)
                if len(paragraphs) > MAX_PARAGRAPHS:
                    raise _too_big(path, f"有超过{MAX_PARAGRAPHS}段文字", f"{MAX_PARAGRAPHS}段")
                if chars > MAX_CHARS:
                    raise _too_big(path, f"有超过{MAX_CHARS}个字符", f"{MAX_CHARS}个字符")
        el.clear()
        if parent is not None:
            while el.getprevious() is not None:
                del parent[0]
    return paragraphs


def _check_ole(path: Path) -> None:
    """An Office file in the old binary container: encrypted, or a .doc/.xls."""
    raw = path.read_bytes()[:65536]
    if _ENCRYPTED_OLE in raw:
        raise ReportFileError(f"{path}：文件已加密（设有打开密码）。请在 Word 或 WPS 中取消密码后另存为"
                              " .docx 再核对。")


# ---------------------------------------------------------------------------------------------
# .pdf
# ---------------------------------------------------------------------------------------------


def _read_pdf(path: Path) -> ReportText:
    exe = shutil.which("pdftotext")
    if exe is None:
        raise ReportFileError("读取 PDF 需要 poppler 的 pdftotext：请安装 poppler-utils（Debian/Ubuntu："
                              "sudo apt-get install poppler-utils），或把报告另存为 .docx/.txt。")
    try:
        done = subprocess.run([exe, "-bbox-layout", "-enc", "UTF-8", str(path), "-"],
                              capture_output=True, timeout=_PDFTOTEXT_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise ReportFileError(f"{path}：PDF 文字提取超时（{_PDFTOTEXT_TIMEOUT} 秒）。"
                              "请把报告另存为 .docx 或 .txt。") from None
    err = done.stderr.decode("utf-8", errors="replace")
    if done.returncode != 0 or not done.stdout.strip():
        if "password" in err.lower():
            raise ReportFileError(f"{path}：PDF 已加密（设有打开密码）。请取得未加密的文件，"
                                  "或用密码打开后另存一份再核对。")
        raise ReportFileError(f"{path}：PDF 文件已损坏或不完整，无法读取文字。请重新下载或导出该 PDF。")
    try:
        root = ET.fromstring(done.stdout)
    except ET.ParseError:
        raise ReportFileError(f"{path}：PDF 文字提取结果无法解析，文件可能已损坏。"
                              "请重新导出 PDF，或另存为 .docx/.txt。") from None
    return ReportText(path, _within_limits(path, _pdf_paragraphs(root)), "pdf")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _join(a: str, b: str) -> str:
    """Join two wrapped lines: no space between CJK text, one between Latin words."""
    if a and b and re.match(r"[A-Za-z0-9]", a[-1]) and re.match(r"[A-Za-z]", b[0]):
        return a + " " + b
    return a + b


def _pdf_lines(page) -> list[dict]:
    lines: list[dict[str, Any]] = []
    for el in page.iter():
        if _local(el.tag) != "line":
            continue
        words = [w for w in el if _local(w.tag) == "word" and (w.text or "").strip()]
        if not words:
            continue
        text, prev_end = "", None
        for w in words:
            x0, x1 = float(w.get("xMin")), float(w.get("xMax"))
            h = float(w.get("yMax")) - float(w.get("yMin"))
            gap = "" if prev_end is None or x0 - prev_end < 0.15 * h else " "
            text += gap + w.text.strip()
            prev_end = x1
        lines.append({"x0": float(el.get("xMin")), "x1": float(el.get("xMax")),
                      "y0": float(el.get("yMin")), "y1": float(el.get("yMax")), "text": text})
    # pdftotext may cut one printed line in two (wide justified spaces): rejoin them.
    lines.sort(key=lambda line: (line["y0"], line["x0"]))
    merged: list[dict] = []
    for line in lines:
        last = merged[-1] if merged else None
        h = max(line["y1"] - line["y0"], 1.0)
        if last is not None and abs(line["y0"] - last["y0"]) < 0.4 * h and line["x0"] >= last["x1"]:
            space = " " if line["x0"] - last["x1"] > 0.15 * h else ""
            last.update(x1=line["x1"], y1=max(last["y1"], line["y1"]),
                        text=last["text"] + space + line["text"])
        else:
            merged.append(dict(line))
    return merged


def _running_lines(pages: list[tuple[float, list[dict]]]) -> set[str]:
    """Texts (digits ignored) of lines in the top or bottom 15% of at least half the pages:
    running headers and footers ("第 3 页 共 9 页"), which are no part of any paragraph."""
    seen: dict[str, set[int]] = {}
    for i, (height, lines) in enumerate(pages):
        for line in lines:
            if line["y1"] < 0.15 * height or line["y0"] > 0.85 * height:
                seen.setdefault(re.sub(r"\d+", "#", line["text"]), set()).add(i)
    return {t for t, on in seen.items() if len(on) >= 2 and len(on) >= len(pages) / 2}


def _ends_paragraph(line: dict, left: float, right: float, indents: bool) -> bool:
    """Whether a line is the last of its paragraph.

    A line a little short proves nothing: CJK line breaking and long Latin runs ("24192.45万元，")
    leave lines several characters short. So a line ends its paragraph when it stops short of
    the right margin after a full stop, or (a heading) stops before 60% of the width; in a
    document without first-line indents any line more than four characters short ends one.
    """
    char = 0.7 * max(line["y1"] - line["y0"], 1.0)
    short = right - line["x1"]
    stop = line["text"][-1:] in "。！？：；!?:;”"
    if short > 0.4 * (right - left):
        return True
    if indents:
        return short > 4 * char and stop
    return short > 4 * char or (short > 0.8 * char and stop)


def _indented(line: dict, left: float) -> bool:
    return line["x0"] > left + 0.8 * max(line["y1"] - line["y0"], 1.0)


def _pdf_paragraphs(root) -> list[tuple[str, str]]:
    """Paragraphs from the page geometry; one continuing onto the next page stays whole."""
    paragraphs: list[list] = []  # [text, page, number on page]
    open_para = False
    pages = [(float(p.get("height") or 842), _pdf_lines(p))
             for p in root.iter() if _local(p.tag) == "page"]
    running = _running_lines(pages)
    pages = [(height, [line for line in lines if not (
        (line["y1"] < 0.15 * height or line["y0"] > 0.85 * height)
        and re.sub(r"\d+", "#", line["text"]) in running)]) for height, lines in pages]
    # First-line indents, where the document uses them, are the surest paragraph starts.
    indents = sum(_indented(line, min(x["x0"] for x in lines))
                  for _, lines in pages if lines for line in lines) >= 3
    for page_no, (_, lines) in enumerate(pages, 1):
        if not lines:
            open_para = False
            continue
        left = min(line["x0"] for line in lines)
        right = max(line["x1"] for line in lines)
        on_page = 0
        prev = None
        for line in lines:
            h = max(line["y1"] - line["y0"], 1.0)
            indented = _indented(line, left)
            if prev is None:
                new = indented or not open_para
            else:
                new = (indented or _ends_paragraph(prev, left, right, indents)
                       or line["y0"] - prev["y1"] > 0.8 * h or line["y0"] < prev["y0"])
            if new:
                on_page += 1
                paragraphs.append([line["text"], page_no, on_page])
            else:
                paragraphs[-1][0] = _join(paragraphs[-1][0], line["text"])
            prev = line
        open_para = prev is not None and not _ends_paragraph(prev, left, right, indents)
    return [(text.strip(), f"第{page}页第{n}段") for text, page, n in paragraphs if text.strip()]
