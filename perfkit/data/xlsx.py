"""The .xlsx file as Excel stores it: what file it is, and what a sheet holds besides values.

Before any value is read: whether the file is a workbook at all (an old .xls, one encrypted with
a password, a web page or a text file renamed .xls, an .ods, a Word file), whether it is whole
(truncated, a part that does not decompress) and within the size limit (the run settings'
``max_workbook_mb``, from the sizes the zip directory declares). Then, sheet by sheet, what
reading found besides values (:mod:`perfkit.data.grid`): merged cells, formulas without a cached
result, values that cannot be read, content beyond the row and column limits, hidden rows with
data. Each is a located problem in the :class:`~perfkit.data.collector.Collector`; what the
cells mean is :mod:`perfkit.data.reader`'s.
"""

from __future__ import annotations

import logging
import warnings
import zipfile
import zlib
from pathlib import Path
from xml.etree.ElementTree import ParseError

import openpyxl
from openpyxl.reader.workbook import WorkbookParser
from openpyxl.worksheet.cell_range import CellRange

from perfkit.data.collector import Collector
from perfkit.data.grid import Grid, read_grid
from perfkit.data.limits import ReadLimits
from perfkit.data.sheets import SHEETS, Sheet
from perfkit.data.values import clip, normalize_label

log = logging.getLogger(__name__)

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

#: What to do about formulas that have no cached value (perfkit never computes formulas).
_FORMULA_FIX = ("perfkit 不计算公式，只读取公式上次计算保存的结果：在 Excel 或 WPS 中"
                "打开该文件并保存一次；或运行 soffice --headless --convert-to xlsx "
                "--outdir 新文件夹 文件名.xlsx（LibreOffice）让公式算出结果；也可以把公式改为数值")

#: What to do about a damaged file.
_DAMAGED = "重新从原系统导出，或从备份恢复；若仍能在 Excel/WPS 中打开，另存为新的 .xlsx"
#: Errors that reading a damaged package raises (a part that does not decompress, a CRC that
#: does not match, XML that does not parse).
_DAMAGE = (zipfile.BadZipFile, zlib.error, EOFError, ParseError, zipfile.LargeZipFile)


def open_book(path: Path, col: Collector, limits: ReadLimits):
    """Open ``path`` with openpyxl (read-only, cached values only), or record why it cannot be
    opened (not a workbook, damaged, beyond the size limit)."""
    if not path.exists():
        col.add("", "", "文件不存在", "一个 .xlsx 工作簿", f"检查路径 {path}，或用 perfkit template 生成模板")
        return None
    if not path.is_file():
        col.add("", "", "这是一个文件夹，不是文件", "一个 .xlsx 工作簿", "给出工作簿文件的路径")
        return None
    with path.open("rb") as f:
        head = f.read(4096)
    save_as = "在 Excel/WPS 中打开后“另存为” Excel 工作簿 (*.xlsx)，再用新文件运行"
    if not head:
        col.add("", "", "文件为空（0 字节）", "一个 .xlsx 工作簿",
                "文件可能在复制、下载或保存时中断：重新导出，或从备份恢复")
        return None
    if head.startswith(_OLE_MAGIC):
        # An OLE compound file is either a 97-2003 .xls or an .xlsx encrypted with a password
        # to open (its streams are named EncryptionInfo / EncryptedPackage).
        if "EncryptedPackage".encode("utf-16-le") in path.read_bytes():
            col.add("", "", "工作簿设置了打开密码（文件已加密）", "未加密的 .xlsx 工作簿",
                    "perfkit 不读取加密文件：在 Excel/WPS 中输入密码打开，在“文件 → 信息 → "
                    "保护工作簿 → 用密码进行加密”中清空密码后保存（只保护工作表不影响读取）")
        else:
            col.add("", "", "旧版 Excel 97-2003 (.xls) 文件", "Excel 2007 及以上的 .xlsx 工作簿",
                    save_as)
        return None
    if not head.startswith(b"PK"):
        head = head[:2048]
        kind = "不是 Excel 文件"
        if head.lstrip().lower().startswith((b"<!doctype html", b"<html", b"<table")):
            kind = "HTML 网页文件（某些系统导出的“xls”其实是网页）"
        elif head.lstrip().startswith(b"<?xml"):
            kind = "XML 文件（可能是 Excel 2003 XML 表格）"
        elif _looks_like_text(head):
            kind = "文本或 CSV 文件（改了扩展名）"
        col.add("", "", kind, "Excel 2007 及以上的 .xlsx 工作簿",
                "在 Excel/WPS 中打开该文件，核对内容后“另存为” Excel 工作簿 (*.xlsx)；"
                "不要只改扩展名")
        return None
    if not zipfile.is_zipfile(path):
        col.add("", "", "文件不完整（被截断）或已损坏", "完整的 .xlsx 工作簿", _DAMAGED)
        return None
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            if "xl/workbook.xml" not in names:
                kind = "压缩包，但不是 Excel 工作簿"
                if "mimetype" in names and b"opendocument.spreadsheet" in z.read("mimetype"):
                    kind = "LibreOffice/WPS 的 .ods 表格"
                elif "word/document.xml" in names:
                    kind = "Word 文档"
                col.add("", "", kind, "Excel 2007 及以上的 .xlsx 工作簿", save_as)
                return None
            parts, titles = _parts_read(z, col, limits)
            if parts is None:
                return None
            bad = _damaged_part(z, parts)
            if bad in titles:
                bad = f"{bad}，即工作表“{titles[bad]}”"
    except (*_DAMAGE, OSError, RuntimeError, NotImplementedError, ValueError) as exc:
        log.debug("zip check failed: %s", exc)
        bad = "?"
    if bad:
        col.add("", "", f"文件已损坏（内部数据 {bad} 无法解压或校验失败）", "完整的 .xlsx 工作簿",
                _DAMAGED)
        return None
    try:
        with warnings.catch_warnings():
            # openpyxl warns about Excel features it drops (slicers, extensions): not our concern.
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        log.debug("openpyxl could not open %s", path, exc_info=True)
        col.add("", "", f"文件已损坏或不完整（{type(exc).__name__}）", "完整的 .xlsx 工作簿",
                _DAMAGED)
        return None


def _parts_read(z: zipfile.ZipFile, col: Collector,
                limits: ReadLimits) -> tuple[list[str] | None, dict[str, str]]:
    """The package parts perfkit parses, when their decompressed size is within the limit
    (otherwise None, with the problem recorded, naming the largest part), and the sheet title
    of each worksheet part.

    The sizes are those the zip directory declares: decompressing never yields more (zipfile
    stops there, and a part that would be longer fails its CRC check), so nothing is
    decompressed before the check. Parts perfkit never parses (pictures, sheets not in the
    template) do not count.
    """
    infos = {i.filename: i for i in z.infolist()}
    xml = {n: i.file_size for n, i in infos.items() if n.endswith((".xml", ".rels"))}
    sheets = {n for n in xml if n.startswith("xl/worksheets/") and "/_rels/" not in n}
    titles: dict[str, str] = {}
    if all(xml[n] <= limits.max_bytes for n in xml if n not in sheets):
        try:
            parser = WorkbookParser(z, "xl/workbook.xml")
            parser.parse()
            titles = {rel.target: s.name for s, rel in parser.find_sheets()}
        except Exception as exc:  # openpyxl reports this damage itself when it opens the file
            log.debug("could not list the sheets of the workbook: %s", exc)
    template = {normalize_label(s.name) for s in SHEETS}
    read = [n for n in xml if n not in sheets or not titles  # unknown titles: count them all
            or normalize_label(titles.get(n, "")) in template]
    total = sum(xml[n] for n in read)
    if total <= limits.max_bytes:
        return read, titles
    largest = max(read, key=lambda n: xml[n])
    mb = 1024 * 1024
    if largest in titles:
        what, sheet = f"工作表“{titles[largest]}”", titles[largest]
    elif largest.endswith("sharedStrings.xml"):
        what, sheet = "共享文字表（工作簿中的全部文字）", ""
    else:
        what, sheet = "文件内部数据", ""
    col.add(sheet, "",
            f"工作簿解压后要读取的数据共 {total / mb:.1f} MB，其中{what}（{largest}）"
            f"{xml[largest] / mb:.1f} MB，超过上限 {limits.max_workbook_mb:g} MB",
            f"不超过 {limits.max_workbook_mb:g} MB（运行设置 max_workbook_mb）",
            "多为大片设置了格式的空单元格、粘贴进来的多余数据或文字：在 Excel/WPS 中选中数据区以外"
            "的行和列并“删除”（不是“清除内容”），保存后再检查；若确有这么多数据，在运行设置"
            "（params/<部门>/<年度>.yaml）中调大 max_workbook_mb")
    return None, titles


def _damaged_part(z: zipfile.ZipFile, parts: list[str]) -> str | None:
    """The first of ``parts`` that does not decompress or fails its CRC check, if any."""
    for name in parts:
        try:
            with z.open(name) as f:
                while f.read(1 << 20):
                    pass
        except _DAMAGE as exc:
            log.debug("part %s is damaged: %s", name, exc)
            return name
    return None


def _looks_like_text(head: bytes) -> bool:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError:
            continue
        return all(ch.isprintable() or ch in "\r\n\t" for ch in text)
    return False


def sheet_grid(book, title: str, sheet: Sheet, col: Collector, limits: ReadLimits) -> Grid | None:
    """The cells of one sheet (:func:`perfkit.data.grid.read_grid`), or None with its damage
    recorded."""
    try:
        return read_grid(book, title, limits)
    except (*_DAMAGE, OSError) as exc:
        log.debug("sheet %s could not be parsed", title, exc_info=True)
        col.add(sheet.name, "", f"工作表的内部数据已损坏（{type(exc).__name__}）",
                "完整的 .xlsx 工作簿", _DAMAGED)
        return None


#: How many merged ranges of one sheet are named one by one (the rest are counted).
_MERGED_SHOWN = 20
#: How many formulas without a result, or unreadable values, of one sheet are named one by one.
_CELLS_SHOWN = 50


def check_grid(grid: Grid, sheet: Sheet, col: Collector, limits: ReadLimits) -> bool:
    """Report what reading the sheet found besides values: merged cells, formulas without a
    cached result, values that cannot be read, content beyond the limits. Return True when
    the header row has merged cells."""
    header_merged = False
    ranges = []
    for ref in grid.merged:
        try:
            ranges.append(CellRange(ref))
        except (ValueError, TypeError):
            log.debug("unreadable merged range %r in %s", ref, sheet.name)
    ranges.sort(key=lambda r: (r.min_row, r.min_col))
    for rng in ranges[:_MERGED_SHOWN]:
        col.add(sheet.name, rng.coord, f"合并单元格 {rng.coord}",
                "不合并的单元格：每个表头、每个数值各占一个单元格",
                "选中该区域，取消“合并单元格”，再把值分别填入各自的单元格（合并后只有左上角有值，其余读作空）")
    if len(ranges) > _MERGED_SHOWN:
        col.add(sheet.name, "", f"另有 {len(ranges) - _MERGED_SHOWN} 处合并单元格",
                "不合并的单元格", "全选该表，取消“合并单元格”")
    header_merged = any(r.min_row == 1 for r in ranges)
    if grid.protected:
        # Sheet protection only stops editing in Excel; reading is unaffected, so no message.
        log.info("sheet %s is protected; reading is unaffected", grid.title)
    for ref, text in grid.uncached[:_CELLS_SHOWN]:
        col.add(sheet.name, ref, f"公式 {clip(str(text))} 没有计算结果（文件中没有保存公式的值）",
                "已计算并保存了结果的单元格", _FORMULA_FIX)
    if len(grid.uncached) > _CELLS_SHOWN:
        col.add(sheet.name, "", f"另有 {len(grid.uncached) - _CELLS_SHOWN} 个公式没有计算结果",
                "已计算并保存了结果的单元格", _FORMULA_FIX)
    unreadable_fix = ("在 Excel/WPS 中重新输入该单元格的值（未提供的留空）并保存；文件由程序生成的，"
                      "改正生成它的程序")
    for ref, why in grid.unreadable[:_CELLS_SHOWN]:
        col.add(sheet.name, ref, why, "Excel/WPS 保存的数字或文字", unreadable_fix)
    if len(grid.unreadable) > _CELLS_SHOWN:
        col.add(sheet.name, "", f"另有 {len(grid.unreadable) - _CELLS_SHOWN} 个单元格的值无法读取",
                "Excel/WPS 保存的数字或文字", unreadable_fix)
    if grid.beyond_rows:
        row = grid.beyond_rows.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        col.add(sheet.name, grid.beyond_rows,
                f"第{row}行有内容，超出每个工作表 {limits.max_rows} 行的上限（其下方未读取）",
                f"不超过 {limits.max_rows} 行（运行设置 max_rows）",
                "删除多余的行（选中整行后“删除”）；若确有这么多行，在运行设置"
                "（params/<部门>/<年度>.yaml）中调大 max_rows")
    if grid.beyond_columns:
        letters = grid.beyond_columns.rstrip("0123456789")
        col.add(sheet.name, grid.beyond_columns,
                f"{letters}列有内容，超出每个工作表 {limits.max_columns} 列的上限"
                f"（模板只有 {len(sheet.columns)} 列）",
                f"不超过 {limits.max_columns} 列（运行设置 max_columns）",
                "删除模板以外多余的列（选中整列后“删除”）；若确有这么多列，在运行设置中调大 "
                "max_columns")
    return header_merged


def hidden_row(grid: Grid, sheet: Sheet, r: int, col: Collector) -> None:
    """A row with data that Excel hides: perfkit reads it (hiding is not deleting); said so."""
    if r in grid.hidden:
        col.add(sheet.name, f"A{r}", f"第{r}行被隐藏，但有数据", "不隐藏的数据行",
                "perfkit 读取所有行，隐藏不等于删除：该行不应计入的，删除整行；"
                "应计入的，取消隐藏后核对")
