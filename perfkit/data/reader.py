"""Reading a department-year workbook: open it, check its layout, read every sheet, validate."""

from __future__ import annotations

import copy
import logging
import math
import warnings
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
from openpyxl.utils import get_column_letter

from perfkit import config, domains, reads
from perfkit.atomic import sha256_file
from perfkit.data.collector import Collector
from perfkit.data.plausibility import check_magnitudes, check_percent_scale, check_self_scores
from perfkit.data.schema import check_totals, validate_frames
from perfkit.data.sheets import (
    AMOUNT,
    CHOICE,
    NUMBER,
    SHEET_BY_KEY,
    SHEETS,
    UNIT_CHOICES,
    Sheet,
)
from perfkit.data.values import clip, normalize_label, parse_date, parse_number, year_from_filename
from perfkit.data.workbook import WorkbookData
from perfkit.domains import Catalog
from perfkit.errors import ProjectNotFoundError, WorkbookError

log = logging.getLogger(__name__)


#: Workbooks a project keeps once read (a department-year and its earlier years; bounds memory
#: in long batches). A worker executes the notebooks of a department-year in turn, each loading
#: the same file (0.07-0.2 s each), and a year's PEFA reads the earlier years' workbooks again.
CACHE_SIZE = 6

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

#: What to do about formulas that have no cached value (perfkit never computes formulas).
_FORMULA_FIX = ("perfkit 不计算公式，只读取公式上次计算保存的结果：在 Excel 或 WPS 中"
                "打开该文件并保存一次；或运行 soffice --headless --convert-to xlsx "
                "--outdir 新文件夹 文件名.xlsx（LibreOffice）让公式算出结果；也可以把公式改为数值")


def _is_blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and v.strip() == "")


def load_workbook(path: str | Path, *, expected_year: int | None = None,
                  confirmed: tuple[str, ...] | list[str] = (),
                  project: config.Project | None = None) -> WorkbookData:
    """Read and validate a department-year workbook.

    Every problem in the file is collected and raised together as one
    :class:`~perfkit.errors.WorkbookError`, each naming sheet, cell and fix. Formulas are never
    evaluated: only the values Excel/WPS cached when the file was saved are read, and a formula
    without a cached value is a problem.

    Args:
        path: the ``.xlsx`` file; a relative path is relative to the project root (as in
            :func:`perfkit.load`).
        expected_year: when given, 基本信息 评价年度 must equal it.
        confirmed: cells (``三公经费!C5``, the run settings' ``confirmed_values``) whose
            implausible size the department confirmed: reported as notes, not problems.
        project: the project whose 领域 labels the 绩效指标 sheet uses, and that keeps the
            workbooks last read (by path, content and these arguments, :data:`CACHE_SIZE`;
            callers get a deep copy, 3 ms, never the kept object); default the current one.

    Returns:
        The validated :class:`WorkbookData`; notes that do not block (for example a small
        mismatch between a total and its parts) are in its ``warnings``.

    Raises:
        WorkbookError: when anything is wrong with the file.
    """
    try:
        project = project or config.current()
    except ProjectNotFoundError:  # an absolute path, outside any project: perfkit's domains
        project = None
    path = config.resolve(path, project)
    reads.file(path)
    cats = domains.catalogs(project)
    # Kept per version of the catalogs: the 领域 labels a workbook is read with come from them.
    kept: dict[tuple, WorkbookData] = (
        project.cached("workbooks", cats, dict) if project is not None else {})
    try:
        key: tuple | None = (str(path), sha256_file(path), expected_year, tuple(confirmed))
    except OSError:
        key = None  # missing: _load says so
    if key is not None and key in kept:
        kept[key] = kept.pop(key)  # most recently used
        return copy.deepcopy(kept[key])
    col = Collector(path.name, tuple(confirmed))
    try:
        data = _load(path, col, expected_year, cats)
        if key is not None:
            kept[key] = copy.deepcopy(data)
            while len(kept) > CACHE_SIZE:
                del kept[next(iter(kept))]  # least recently used
        return data
    except WorkbookError:
        raise
    except Exception as exc:  # a defect of perfkit must still reach the user as a located message
        log.error("unexpected %s while reading %s: %s", type(exc).__name__, path, exc)
        log.debug("traceback", exc_info=True)
        col.add("", "", f"读取时出现意外错误（{type(exc).__name__}）", "perfkit 能读取的工作簿",
                "这是 perfkit 的缺陷：请把该文件和 PERFKIT_LOG=DEBUG 时的日志交给维护者；"
                "同时按上面其他提示检查文件")
        raise WorkbookError(col.problems) from None


def _load(path: Path, col: Collector, expected_year: int | None,
          cats: dict[str, Catalog]) -> WorkbookData:
    book = _open_book(path, col)
    if book is None:
        raise WorkbookError(col.problems)
    try:
        _check_formulas(path, book, col)
        frames, cells, info, factor = _read_sheets(book, col, expected_year, cats)
    finally:
        book.close()
    _check_name_year(path, info, col, cells, expected_year)

    if info.get("unit") in UNIT_CHOICES:
        check_magnitudes(frames, info, col, cells)
    check_percent_scale(frames.get("targets"), col, cells)
    check_self_scores(frames.get("self_scores"), col, cells)
    col.problems.extend(validate_frames(path.name, frames, cells, skip=col.flagged))
    errors, notes = check_totals(path.name, frames, cells, skip=col.flagged)
    col.problems.extend(errors)
    col.warnings.extend(notes)
    for ref in [r for r, used in col.to_confirm.items() if not used]:
        col.warn("", "", f"运行设置 confirmed_values 列出的 {ref} 没有被规模检查提示",
                 "只列出被提示为数量级异常、并经核实的单元格", "从 confirmed_values 中删去该项")
    if col.problems:
        raise WorkbookError(col.problems)
    for w in col.warnings:
        log.info("%s", w)
    return WorkbookData(path, sha256_file(path), info, frames, cells, factor,
                        warnings=list(col.warnings), confirmed=list(col.confirmed))


def _open_book(path: Path, col: Collector):
    """Open ``path`` with openpyxl (cached values only), or record why it cannot be opened."""
    if not path.exists():
        col.add("", "", "文件不存在", "一个 .xlsx 工作簿", f"检查路径 {path}，或用 perfkit template 生成模板")
        return None
    if not path.is_file():
        col.add("", "", "这是一个文件夹，不是文件", "一个 .xlsx 工作簿", "给出工作簿文件的路径")
        return None
    data = path.read_bytes()
    save_as = "在 Excel/WPS 中打开后“另存为” Excel 工作簿 (*.xlsx)，再用新文件运行"
    if not data:
        col.add("", "", "文件为空（0 字节）", "一个 .xlsx 工作簿",
                "文件可能在复制、下载或保存时中断：重新导出，或从备份恢复")
        return None
    if data.startswith(_OLE_MAGIC):
        # An OLE compound file is either a 97-2003 .xls or an .xlsx encrypted with a password
        # to open (its streams are named EncryptionInfo / EncryptedPackage).
        if "EncryptedPackage".encode("utf-16-le") in data:
            col.add("", "", "工作簿设置了打开密码（文件已加密）", "未加密的 .xlsx 工作簿",
                    "perfkit 不读取加密文件：在 Excel/WPS 中输入密码打开，在“文件 → 信息 → "
                    "保护工作簿 → 用密码进行加密”中清空密码后保存（只保护工作表不影响读取）")
        else:
            col.add("", "", "旧版 Excel 97-2003 (.xls) 文件", "Excel 2007 及以上的 .xlsx 工作簿",
                    save_as)
        return None
    if not data.startswith(b"PK"):
        head = data[:2048]
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
    damaged = "重新从原系统导出，或从备份恢复；若仍能在 Excel/WPS 中打开，另存为新的 .xlsx"
    if not zipfile.is_zipfile(path):
        col.add("", "", "文件不完整（被截断）或已损坏", "完整的 .xlsx 工作簿", damaged)
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
            bad = z.testzip()
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError,
            ValueError) as exc:
        log.debug("zip check failed: %s", exc)
        bad = "?"
    if bad:
        col.add("", "", f"文件已损坏（内部数据 {bad} 校验失败）", "完整的 .xlsx 工作簿", damaged)
        return None
    try:
        with warnings.catch_warnings():
            # openpyxl warns about Excel features it drops (slicers, extensions): not our concern.
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        log.debug("openpyxl could not open %s", path, exc_info=True)
        col.add("", "", f"文件已损坏或不完整（{type(exc).__name__}）", "完整的 .xlsx 工作簿",
                damaged)
        return None


def _looks_like_text(head: bytes) -> bool:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError:
            continue
        return all(ch.isprintable() or ch in "\r\n\t" for ch in text)
    return False


def _template_sheet(title: str) -> Sheet | None:
    return next((s for s in SHEETS if normalize_label(s.name) == normalize_label(title)), None)


def _has_formula(xml: bytes) -> bool:
    return b"<f>" in xml or b"<f " in xml


def _check_formulas(path: Path, book, col: Collector) -> None:
    """Report formulas whose result was never computed (written by a tool that does not
    calculate, e.g. a script). Their cells read as empty, which would silently turn a figure
    into a data gap.
    """
    with zipfile.ZipFile(path) as z:
        sheets_xml = [n for n in z.namelist()
                      if n.startswith("xl/worksheets/") and n.endswith(".xml")]
        if not any(_has_formula(z.read(n)) for n in sheets_xml):
            return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # data_only=False gives the formula text; it is displayed, never evaluated.
        formulas = openpyxl.load_workbook(path, data_only=False)
    try:
        for ws in formulas.worksheets:
            if _template_sheet(ws.title) is None:
                continue
            cached = book[ws.title]
            for row in ws.iter_rows():
                for cell in row:
                    if cell.data_type != "f" or cached[cell.coordinate].value is not None:
                        continue
                    text = cell.value if isinstance(cell.value, str) else getattr(
                        cell.value, "text", None) or str(cell.value)
                    col.add(ws.title, cell.coordinate,
                            f"公式 {clip(str(text))} 没有计算结果（文件中没有保存公式的值）",
                            "已计算并保存了结果的单元格", _FORMULA_FIX)
    finally:
        formulas.close()


def _check_layout(ws, sheet: Sheet, col: Collector) -> bool:
    """Report merged cells in a template sheet; return True when the header row has any."""
    header_merged = False
    for rng in sorted(ws.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col)):
        col.add(sheet.name, rng.coord, f"合并单元格 {rng.coord}",
                "不合并的单元格：每个表头、每个数值各占一个单元格",
                "选中该区域，取消“合并单元格”，再把值分别填入各自的单元格（合并后只有左上角有值，其余读作空）")
        header_merged = header_merged or rng.min_row == 1
    if ws.protection.sheet:
        # Sheet protection only stops editing in Excel; reading is unaffected, so no message.
        log.info("sheet %s is protected; reading is unaffected", ws.title)
    return header_merged


def _hidden_row(ws, sheet: Sheet, r: int, col: Collector) -> None:
    dim = ws.row_dimensions.get(r)  # .get: do not create a dimension for every row read
    if dim is not None and dim.hidden:
        col.add(sheet.name, f"A{r}", f"第{r}行被隐藏，但有数据", "不隐藏的数据行",
                "perfkit 读取所有行，隐藏不等于删除：该行不应计入的，删除整行；"
                "应计入的，取消隐藏后核对")


def _read_sheets(book, col: Collector, expected_year: int | None, cats: dict[str, Catalog]):
    frames: dict[str, pd.DataFrame] = {}
    cells: dict[tuple[str, Any, str], str] = {}
    present = {normalize_label(n): n for n in book.sheetnames}
    info: dict[str, Any] = {}
    factor = 1.0
    if not any(normalize_label(s.name) in present for s in SHEETS):
        col.add("", "", f"工作簿中没有任何模板工作表（只有：{clip('、'.join(book.sheetnames))}）",
                "、".join(s.name for s in SHEETS if s.required) + " 等工作表",
                "用 perfkit template 文件名.xlsx 生成模板，把数据填入模板")
        for sheet in SHEETS:
            frames[sheet.key] = _empty_frame(sheet)
        frames["info"] = pd.DataFrame({"value": [math.nan] * len(_INFO_NUMERIC)},
                                      index=list(_INFO_NUMERIC))
        return frames, cells, info, factor
    for sheet in SHEETS:
        actual_name = present.get(normalize_label(sheet.name))
        if actual_name is None:
            if sheet.required:
                col.add(sheet.name, "", "缺少工作表", f"名为“{sheet.name}”的工作表",
                        "用 perfkit template 生成的模板补上该表，或把已有表重命名")
            frames[sheet.key] = _empty_frame(sheet)
            continue
        ws = book[actual_name]
        if not hasattr(ws, "iter_rows"):
            col.add(sheet.name, "", "这是图表页，不是数据表", "数据工作表",
                    "删除该图表页，用模板的工作表填写数据")
            frames[sheet.key] = _empty_frame(sheet)
            continue
        header_merged = _check_layout(ws, sheet, col)
        if sheet.layout == "keyvalue":
            info = _read_keyvalue(ws, sheet, col, cells)
        else:
            frames[sheet.key] = _read_table(ws, sheet, col, cells, cats, header_merged)
    unit = str(info.get("unit") or "").strip()
    if normalize_label("基本信息") in present:
        factor = _check_info(info, col, expected_year, cells)
    if factor != 1.0:
        for sheet in SHEETS:
            frame = frames.get(sheet.key)
            if frame is None:
                continue
            for c in sheet.columns:
                if c.kind == AMOUNT and c.key in frame:
                    frame[c.key] = frame[c.key] * factor
    info["unit_declared"] = unit
    numeric = {k: info.get(k) for k in _INFO_NUMERIC}
    frames["info"] = pd.DataFrame(
        {"value": [parse_number(v)[0] for v in numeric.values()]},
        index=list(numeric),
    )
    return frames, cells, info, factor


_INFO_NUMERIC = ("year", "staff_authorized_count", "staff_actual_count", "claimed_score")


def _empty_frame(sheet: Sheet) -> pd.DataFrame:
    cols = [c.key for c in sheet.columns]
    if sheet.layout == "items":
        frame = pd.DataFrame(index=[i.key for i in sheet.items], columns=cols, dtype=object)
        frame["label"] = [i.label for i in sheet.items]
        return _coerce_types(frame, sheet)
    return _coerce_types(pd.DataFrame(columns=cols), sheet)


def _coerce_types(frame: pd.DataFrame, sheet: Sheet) -> pd.DataFrame:
    for c in sheet.columns:
        if c.kind in (AMOUNT, NUMBER):
            frame[c.key] = pd.to_numeric(frame[c.key], errors="coerce").astype("float64")
        else:
            frame[c.key] = frame[c.key].astype(object)
    return frame


#: Value columns whose header must be present even though cells may be empty.
_CORE_COLUMNS = {
    "income": ("budget_initial", "actual"),
    "expenditure": ("budget_initial", "actual"),
    "balance": ("amount",),
    "three_public": ("budget", "actual", "prior_actual"),
    "targets": ("target", "actual"),
    "aid": ("persons", "amount"),
}

_BUDGET_ALIASES = {
    "预算数": "budget_initial", "年初预算": "budget_initial", "年初预算金额": "budget_initial",
    "调整后预算数": "budget_adjusted", "调整后预算": "budget_adjusted",
    "全年预算数": "budget_adjusted",
    "决算": "actual", "决算金额": "actual", "上年决算": "prior_actual", "上年数": "prior_actual",
}
#: Headers people type instead of the template's: reported with the right name (perfkit does
#: not guess what a column means), but read meanwhile so that one pass finds every problem.
_HEADER_ALIASES: dict[str, dict[str, str]] = {
    "income": _BUDGET_ALIASES,
    "expenditure": _BUDGET_ALIASES,
    "functional": {k: v for k, v in _BUDGET_ALIASES.items() if v != "prior_actual"},
    "three_public": {"年初预算数": "budget", "年初预算": "budget", "预算": "budget",
                     "决算": "actual", "上年决算": "prior_actual", "上年数": "prior_actual",
                     "上年预算": "prior_budget"},
    "balance": {"决算数": "amount", "金额数": "amount"},
    "targets": {"目标": "target", "实际": "actual", "完成值": "actual", "实际完成值": "actual",
                "指标名称": "name", "上年": "prior"},
    "aid": {"人次": "persons", "受助人数": "persons", "资助金额": "amount", "项目名称": "program"},
}


def _row_texts(ws, r: int) -> list[tuple[Any, Any]]:
    row = next(ws.iter_rows(min_row=r, max_row=r), ())
    return [(cell, normalize_label(cell.value)) for cell in row]


def _header_map(
    ws, sheet: Sheet, col: Collector, header_merged: bool
) -> tuple[dict[str, int], int]:
    """Map column key → 1-based column index; return it with the header row number (1)."""
    wanted = {normalize_label(c.header): c.key for c in sheet.columns}
    aliases = {normalize_label(a): k for a, k in _HEADER_ALIASES.get(sheet.key, {}).items()}
    needed = [c for c in sheet.columns if c.required or c.key in _CORE_COLUMNS.get(sheet.key, ())]

    def score(r: int) -> int:
        keys = {wanted.get(t) or aliases.get(t) for _, t in _row_texts(ws, r)}
        return sum(c.key in keys for c in needed)

    header_row = 1
    if needed and score(1) < len(needed):
        # A title line above the header is the most common hand edit; find the real header.
        for r in range(2, min(ws.max_row, 10) + 1):
            if score(r) == len(needed):
                header_row = r
                col.add(sheet.name, f"A{r}", f"表头在第{r}行（上方有 {r - 1} 行标题或空行）",
                        "表头在第1行", f"删除第1至{r - 1}行，使表头位于第1行")
                break
    headers: dict[str, int] = {}
    row = _row_texts(ws, header_row)
    for cell, text in row:
        key = wanted.get(text)
        if key is None:
            continue
        if key in headers:
            col.add(sheet.name, cell.coordinate,
                    f"列“{sheet.column(key).header}”重复（{get_column_letter(headers[key])}列已有）",
                    "每个表头只出现一次", "删除重复的列，或改为正确的列名")
            continue
        headers[key] = cell.column
    for cell, text in row:
        key = aliases.get(text)
        if key is None or key in headers or text in wanted:
            continue
        header = sheet.column(key).header
        col.add(sheet.name, cell.coordinate,
                f"列名“{clip(str(cell.value).strip())}”应为“{header}”", f"模板的列名“{header}”",
                f"把该表头改为“{header}”（列名须与模板一致，perfkit 不猜测列的含义）")
        headers[key] = cell.column
    for c in needed:
        if c.key not in headers and not header_merged:
            col.add(sheet.name, f"第{header_row}行", f"缺少列“{c.header}”",
                    f"表头中有“{c.header}”列", "按模板恢复该列表头，列名须与模板一致")
    return headers, header_row


def _read_keyvalue(ws, sheet: Sheet, col: Collector, cells) -> dict[str, Any]:
    wanted = {normalize_label(i.label): i for i in sheet.items}
    info: dict[str, Any] = {}
    rows: dict[str, int] = {}
    for row in ws.iter_rows(min_row=2):
        if not row or _is_blank(row[0].value):
            continue
        item = wanted.get(normalize_label(row[0].value))
        if item is None:
            continue
        r = row[0].row
        if item.key in rows:
            col.add(sheet.name, f"A{r}", f"“{item.label}”重复（第{rows[item.key]}行已有）",
                    "每项一行", "删除重复的行")
            continue
        rows[item.key] = r
        value = row[1].value if len(row) > 1 else None
        if not _is_blank(value):
            _hidden_row(ws, sheet, r, col)
        cells[("info", item.key, "value")] = f"{sheet.name}!B{r}"
        if isinstance(value, str):
            value = value.strip() or None
        info[item.key] = value
    for key in ("staff_authorized_count", "staff_actual_count", "claimed_score"):
        raw = info.get(key)
        num, why = parse_number(raw)
        if why:
            col.add(sheet.name, cells[("info", key, "value")].split("!")[1], why, "数字",
                    "只填阿拉伯数字")
        info[key] = num
    return info


def _check_info(info: dict[str, Any], col: Collector, expected_year: int | None, cells) -> float:
    sheet = SHEET_BY_KEY["info"]

    def where(key: str) -> str:
        ref = cells.get(("info", key, "value"))
        return ref.split("!")[1] if ref else f"A列“{sheet.item(key).label}”"

    if _is_blank(info.get("department_name")):
        col.add(sheet.name, where("department_name"), "部门名称为空", "部门全称", "在“值”列填写部门名称")
    elif not isinstance(info["department_name"], str):
        info["department_name"] = str(info["department_name"])
    year_raw = info.get("year")
    year, why = parse_number(year_raw)
    if year is None or why or not float(year).is_integer() or not 1990 <= year <= 2100:
        col.add(sheet.name, where("year"), f"评价年度“{clip(str(year_raw))}”", "四位年份，如 2019",
                "在“值”列填写评价年度")
    else:
        info["year"] = int(year)
        if expected_year is not None and int(year) != int(expected_year):
            col.add(sheet.name, where("year"), f"评价年度 {int(year)}",
                    f"{expected_year}（本次运行的年度）",
                    "核对是否用错了工作簿（如上一年的文件），或改正评价年度")
    raw_date = info.get("report_date")
    if not _is_blank(raw_date):
        parsed = parse_date(raw_date)
        if parsed is None:
            col.add(sheet.name, where("report_date"), f"报告日期“{clip(str(raw_date))}”",
                    "日期，如 2020-04-28 或 2020年4月28日", "在“值”列填写报告的落款日期")
        info["report_date"] = parsed
    unit = str(info.get("unit") or "").strip()
    if unit not in UNIT_CHOICES:
        col.add(sheet.name, where("unit"), f"金额单位“{clip(unit) or '（空）'}”", "万元 或 元",
                "在“值”列填写 万元 或 元")
        info["unit"] = None
        return 1.0
    info["unit"] = unit
    return UNIT_CHOICES[unit]


def _check_name_year(path: Path, info: dict[str, Any], col: Collector, cells,
                     expected_year: int | None) -> None:
    """A 评价年度 that differs from the year the file name states: probably the wrong file."""
    named = year_from_filename(path)
    year = info.get("year")
    if named is None or not isinstance(year, int) or named in (year, expected_year):
        return  # (a mismatch with the requested year is reported once, by _check_info)
    ref = cells.get(("info", "year", "value"))
    col.add(SHEET_BY_KEY["info"].name, ref.split("!")[1] if ref else "", f"评价年度 {year}",
            f"{named}（文件名“{path.name}”中的年度）",
            "核对是否用错了工作簿（如上一年的文件），或改正评价年度或文件名")


#: Columns that identify a record; two rows with the same identity are duplicates. A target may
#: repeat its code for another 目标年度, so the year is part of its identity.
_RECORD_IDENTITY = {
    "targets": (("code", "target_year"), ("name", "target_year")),
    "aid": (("program", "stage"),),
    "qualitative": (("item", "condition"),),
    "stated": (("ref",),),
    "functional": (("code",),),
    "self_scores": (("item",), ("level3",)),
}


def _read_table(
    ws, sheet: Sheet, col: Collector, cells, cats: dict[str, Catalog],
    header_merged: bool = False,
) -> pd.DataFrame:
    """One items or records sheet as a frame; a 领域 is read as the label or the key of a domain
    of ``cats`` (or a built-in one), and kept as the key."""
    labels, names = domains.labels_of(cats), domains.names_of(cats)
    headers, header_row = _header_map(ws, sheet, col, header_merged)

    rows: list[dict[str, Any]] = []
    keys: list[Any] = []
    by_label = {normalize_label(i.label): i for i in sheet.items}
    seen: dict[Any, int] = {}
    identities = _RECORD_IDENTITY.get(sheet.key, ())
    if sheet.layout == "items" and "label" not in headers:
        return _empty_frame(sheet)  # the missing 项目 column is reported; rows cannot be matched
    for row in ws.iter_rows(min_row=header_row + 1):
        values = {k: (row[i - 1].value if i - 1 < len(row) else None) for k, i in headers.items()}
        if all(_is_blank(v) for v in values.values()):
            continue  # blank rows, including trailing rows of spaces, are not data
        r = row[0].row
        _hidden_row(ws, sheet, r, col)
        if sheet.layout == "items":
            label = values.get("label")
            item = by_label.get(normalize_label(label))
            if item is None:
                col.add(sheet.name, f"A{r}", f"未知项目“{clip(str(label))}”",
                        "、".join(i.label for i in sheet.items) + " 之一",
                        "按模板的项目名称填写，或删除该行")
                continue
            key: Any = item.key
            if key in seen:
                col.add(sheet.name, f"A{r}", f"项目“{item.label}”重复（第{seen[key]}行已有）",
                        "每个项目一行", "合并或删除重复的行")
                continue
            seen[key] = r
        else:
            key = len(rows)
        record: dict[str, Any] = {}
        for c in sheet.columns:
            if c.key not in headers:
                record[c.key] = None
                continue
            raw = values[c.key]
            ref = f"{get_column_letter(headers[c.key])}{r}"
            cells[(sheet.key, key, c.key)] = f"{sheet.name}!{ref}"
            if c.kind in (AMOUNT, NUMBER):
                num, why = parse_number(raw)
                if why and (sheet.name, ref) not in col.flagged:
                    col.add(sheet.name, ref, why, f"“{c.header}”应为数字", "只填阿拉伯数字，未提供的留空")
                record[c.key] = num
            elif c.kind == CHOICE:
                text = None if _is_blank(raw) else normalize_label(raw)
                choices = list(labels) if c.key == "domain" else c.choices
                if c.key == "domain" and text is not None:
                    text = text if text in labels else names.get(text, text)
                if text is not None and text not in {normalize_label(x) for x in choices}:
                    col.add(sheet.name, ref, f"“{clip(str(raw))}”", "、".join(choices) + " 之一",
                            "从下拉列表中选择")
                record[c.key] = text
            else:
                record[c.key] = None if _is_blank(raw) else str(raw).strip()
            if (c.required and record[c.key] is None and sheet.layout == "records"
                    and (sheet.name, ref) not in col.flagged):
                col.add(sheet.name, ref, f"“{c.header}”为空", "必填", f"填写“{c.header}”或删除该行")
        identity = next((i for i in identities if record.get(i[0]) is not None), None)
        if identity:
            ident = (identity, *(normalize_label(record.get(k)) for k in identity))
            if ident in seen:
                shown = "、".join(str(record.get(k)) for k in identity if record.get(k) is not None)
                col.add(sheet.name, f"A{r}", f"与第{seen[ident]}行重复（{clip(shown)}）",
                        "每个" + sheet.column(identity[0]).header + "一行",
                        "删除或合并重复的行")
            seen.setdefault(ident, r)
        rows.append(record)
        keys.append(key)
    frame = pd.DataFrame(rows, index=keys, columns=[c.key for c in sheet.columns])
    if sheet.layout == "items":
        frame = frame.reindex([i.key for i in sheet.items])
        frame["label"] = [i.label for i in sheet.items]
    if sheet.key == "targets" and not frame.empty:
        frame["domain"] = frame["domain"].map(lambda d: labels.get(d, d))
    return _coerce_types(frame, sheet)
