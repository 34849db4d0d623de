"""Reading a department-year workbook: open it (:mod:`perfkit.data.xlsx`), check its layout, read
every sheet, validate."""

from __future__ import annotations

import copy
import logging
import math
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl.utils import get_column_letter

from perfkit import config, domains, reads
from perfkit.atomic import sha256_file
from perfkit.data.collector import Collector
from perfkit.data.grid import Grid, is_blank
from perfkit.data.limits import ReadLimits
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
from perfkit.data.values import (
    clip,
    normalize_label,
    out_of_range,
    parse_date,
    parse_number,
    range_text,
    year_from_filename,
)
from perfkit.data.workbook import WorkbookData
from perfkit.data.xlsx import check_grid, hidden_row, open_book, sheet_grid
from perfkit.domains import Catalog
from perfkit.errors import ProjectNotFoundError, WorkbookError

log = logging.getLogger(__name__)


#: Workbooks a project keeps once read (a department-year and its earlier years; bounds memory
#: in long batches). A worker executes the notebooks of a department-year in turn, each loading
#: the same file (0.07-0.2 s each), and a year's PEFA reads the earlier years' workbooks again.
CACHE_SIZE = 6


def load_workbook(path: str | Path, *, expected_year: int | None = None,
                  confirmed: tuple[str, ...] | list[str] = (),
                  limits: ReadLimits | None = None,
                  project: config.Project | None = None) -> WorkbookData:
    """Read and validate a department-year workbook.

    Every problem in the file is collected and raised together as one
    :class:`~perfkit.errors.WorkbookError`, each naming sheet, cell and fix. Formulas are never
    evaluated: only the values Excel/WPS cached when the file was saved are read, and a formula
    without a cached value is a problem. Reading is bounded (:mod:`perfkit.data.grid`): a file
    beyond ``limits`` is refused with the place and the setting that allows it.

    Args:
        path: the ``.xlsx`` file; a relative path is relative to the project root (as in
            :func:`perfkit.load`).
        expected_year: when given, 基本信息 评价年度 must equal it.
        confirmed: cells (``三公经费!C5``, the run settings' ``confirmed_values``) whose
            implausible size the department confirmed: reported as notes, not problems.
        limits: rows, columns and decompressed size read at most (the run settings'
            ``max_rows``, ``max_columns``, ``max_workbook_mb``); default
            :class:`~perfkit.data.limits.ReadLimits`.
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
    limits = limits or ReadLimits()
    reads.file(path)
    cats = domains.catalogs(project)
    # Kept per version of the catalogs: the 领域 labels a workbook is read with come from them.
    kept: dict[tuple, WorkbookData] = (
        project.cached("workbooks", cats, dict) if project is not None else {})
    try:
        key: tuple | None = (str(path), sha256_file(path), expected_year, tuple(confirmed), limits)
    except OSError:
        key = None  # missing: _load says so
    if key is not None and key in kept:
        kept[key] = kept.pop(key)  # most recently used
        return copy.deepcopy(kept[key])
    col = Collector(path.name, tuple(confirmed))
    try:
        data = _load(path, col, expected_year, limits, cats)
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
          limits: ReadLimits, cats: dict[str, Catalog]) -> WorkbookData:
    book = open_book(path, col, limits)
    if book is None:
        raise WorkbookError(col.problems)
    try:
        frames, cells, info, factor = _read_sheets(book, col, expected_year, limits, cats)
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
    unused = [r for r, used in col.to_confirm.items() if not used]
    for ref in unused[:_UNUSED_SHOWN]:
        col.warn("", "", f"运行设置 confirmed_values 列出的 {ref} 没有被规模检查提示",
                 "只列出被提示为数量级异常、并经核实的单元格", "从 confirmed_values 中删去该项")
    if len(unused) > _UNUSED_SHOWN:  # one note for the rest, not thousands of lines
        col.warn("", "", f"运行设置 confirmed_values 另有 {len(unused) - _UNUSED_SHOWN} 个单元格"
                 f"（{unused[_UNUSED_SHOWN]} 等）没有被规模检查提示",
                 "只列出被提示为数量级异常、并经核实的单元格", "从 confirmed_values 中删去这些项")
    if col.problems:
        raise WorkbookError(col.problems)
    for w in col.warnings:
        log.info("%s", w)
    return WorkbookData(path, sha256_file(path), info, frames, cells, factor,
                        warnings=list(col.warnings), confirmed=list(col.confirmed))


#: Unused confirmed_values named one by one (the rest in one note).
_UNUSED_SHOWN = 10
def _read_sheets(book, col: Collector, expected_year: int | None, limits: ReadLimits,
                 cats: dict[str, Catalog]):
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
        if not hasattr(book[actual_name], "_get_source"):
            col.add(sheet.name, "", "这是图表页，不是数据表", "数据工作表",
                    "删除该图表页，用模板的工作表填写数据")
            frames[sheet.key] = _empty_frame(sheet)
            continue
        grid = sheet_grid(book, actual_name, sheet, col, limits)
        if grid is None:
            frames[sheet.key] = _empty_frame(sheet)
            continue
        header_merged = check_grid(grid, sheet, col, limits)
        if sheet.layout == "keyvalue":
            info = _read_keyvalue(grid, sheet, col, cells)
        else:
            frames[sheet.key] = _read_table(grid, sheet, col, cells, cats, header_merged)
    _check_required_items(frames, col, cells)
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


def _row_texts(grid: Grid, r: int) -> list[tuple[int, Any, str]]:
    """(column, value, folded label) of each value of row ``r``, left to right."""
    return [(c, v, normalize_label(v)) for c, v in sorted(grid.rows.get(r, {}).items())]


def _header_map(
    grid: Grid, sheet: Sheet, col: Collector, header_merged: bool
) -> tuple[dict[str, int], int]:
    """Map column key → 1-based column index; return it with the header row number (1)."""
    wanted = {normalize_label(c.header): c.key for c in sheet.columns}
    aliases = {normalize_label(a): k for a, k in _HEADER_ALIASES.get(sheet.key, {}).items()}
    needed = [c for c in sheet.columns if c.required or c.key in _CORE_COLUMNS.get(sheet.key, ())]

    def score(r: int) -> int:
        keys = {wanted.get(t) or aliases.get(t) for _, _, t in _row_texts(grid, r)}
        return sum(c.key in keys for c in needed)

    header_row = 1
    if needed and score(1) < len(needed):
        # A title line above the header is the most common hand edit; find the real header.
        for r in range(2, min(grid.max_row, 10) + 1):
            if score(r) == len(needed):
                header_row = r
                col.add(sheet.name, f"A{r}", f"表头在第{r}行（上方有 {r - 1} 行标题或空行）",
                        "表头在第1行", f"删除第1至{r - 1}行，使表头位于第1行")
                break
    headers: dict[str, int] = {}
    row = _row_texts(grid, header_row)
    for column, _, text in row:
        key = wanted.get(text)
        if key is None:
            continue
        if key in headers:
            col.add(sheet.name, f"{get_column_letter(column)}{header_row}",
                    f"列“{sheet.column(key).header}”重复（{get_column_letter(headers[key])}列已有）",
                    "每个表头只出现一次", "删除重复的列，或改为正确的列名")
            continue
        headers[key] = column
    for column, value, text in row:
        key = aliases.get(text)
        if key is None or key in headers or text in wanted:
            continue
        header = sheet.column(key).header
        col.add(sheet.name, f"{get_column_letter(column)}{header_row}",
                f"列名“{clip(str(value).strip())}”应为“{header}”", f"模板的列名“{header}”",
                f"把该表头改为“{header}”（列名须与模板一致，perfkit 不猜测列的含义）")
        headers[key] = column
    for c in needed:
        if c.key not in headers and not header_merged:
            col.add(sheet.name, f"第{header_row}行", f"缺少列“{c.header}”",
                    f"表头中有“{c.header}”列", "按模板恢复该列表头，列名须与模板一致")
    return headers, header_row


def _read_keyvalue(grid: Grid, sheet: Sheet, col: Collector, cells) -> dict[str, Any]:
    wanted = {normalize_label(i.label): i for i in sheet.items}
    info: dict[str, Any] = {}
    rows: dict[str, int] = {}
    for r, values in sorted(grid.rows.items()):
        label = values.get(1)
        if r < 2 or is_blank(label):
            continue
        item = wanted.get(normalize_label(label))
        if item is None:
            continue
        if item.key in rows:
            col.add(sheet.name, f"A{r}", f"“{item.label}”重复（第{rows[item.key]}行已有）",
                    "每项一行", "删除重复的行")
            continue
        rows[item.key] = r
        value = values.get(2)
        if not is_blank(value):
            hidden_row(grid, sheet, r, col)
        cells[("info", item.key, "value")] = f"{sheet.name}!B{r}"
        if isinstance(value, str):
            value = value.strip() or None
        info[item.key] = value
    for item in sheet.items:
        if item.key not in ("staff_authorized_count", "staff_actual_count", "claimed_score"):
            continue
        raw = info.get(item.key)
        num, why = parse_number(raw)
        ref = cells.get(("info", item.key, "value"), "!").split("!")[1]
        if why:
            col.add(sheet.name, ref, why, "数字", "只填阿拉伯数字")
        elif num is not None:
            found = out_of_range(num, item.label, item.low, item.high, item.integer)
            if found:
                col.add(sheet.name, ref, found, range_text(item.low, item.high, item.integer),
                        item.range_fix or "核对该数；未提供的留空")
                num = None
        info[item.key] = num
    return info


def _check_info(info: dict[str, Any], col: Collector, expected_year: int | None, cells) -> float:
    sheet = SHEET_BY_KEY["info"]

    def where(key: str) -> str:
        ref = cells.get(("info", key, "value"))
        return ref.split("!")[1] if ref else f"A列“{sheet.item(key).label}”"

    if is_blank(info.get("department_name")):
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
    if not is_blank(raw_date):
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
    grid: Grid, sheet: Sheet, col: Collector, cells, cats: dict[str, Catalog],
    header_merged: bool = False,
) -> pd.DataFrame:
    """One items or records sheet as a frame; a 领域 is read as the label or the key of a domain
    of ``cats`` (or a built-in one), and kept as the key."""
    labels, names = domains.labels_of(cats), domains.names_of(cats)
    headers, header_row = _header_map(grid, sheet, col, header_merged)

    rows: list[dict[str, Any]] = []
    keys: list[Any] = []
    by_label = {normalize_label(i.label): i for i in sheet.items}
    seen: dict[Any, int] = {}
    identities = _RECORD_IDENTITY.get(sheet.key, ())
    if sheet.layout == "items" and "label" not in headers:
        return _empty_frame(sheet)  # the missing 项目 column is reported; rows cannot be matched
    for r, row in sorted(grid.rows.items()):
        if r <= header_row:
            continue
        values = {k: row.get(i) for k, i in headers.items()}
        if all(is_blank(v) for v in values.values()):
            continue  # blank rows, including trailing rows of spaces, are not data
        hidden_row(grid, sheet, r, col)
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
                elif num is not None:
                    found = out_of_range(num, c.header, c.low, c.high, c.integer)
                    if found:
                        col.add(sheet.name, ref, found, range_text(c.low, c.high, c.integer),
                                c.range_fix or "核对该数；未提供的留空")
                        num = None  # never reaches a figure: the workbook is refused
                record[c.key] = num
            elif c.kind == CHOICE:
                text = None if is_blank(raw) else normalize_label(raw)
                choices = list(labels) if c.key == "domain" else c.choices
                if c.key == "domain" and text is not None:
                    text = text if text in labels else names.get(text, text)
                if text is not None and text not in {normalize_label(x) for x in choices}:
                    col.add(sheet.name, ref, f"“{clip(str(raw))}”", "、".join(choices) + " 之一",
                            "从下拉列表中选择")
                record[c.key] = text
            else:
                record[c.key] = None if is_blank(raw) else str(raw).strip()
            exempt = bool(c.required_unless) and not is_blank(values.get(c.required_unless))
            if (c.required and not exempt and record[c.key] is None
                    and sheet.layout == "records" and (sheet.name, ref) not in col.flagged):
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


#: The columns of the final-accounts sheets that hold the year's own figures (not last year's
#: carried over): once any is filled, the accounts are being filled in for the year.
_OWN_YEAR_COLUMNS = {"income": ("budget_initial", "budget_adjusted", "actual"),
                     "expenditure": ("budget_initial", "budget_adjusted", "actual"),
                     "balance": ("amount",), "three_public": ("budget", "actual")}


def _check_required_items(frames: dict[str, pd.DataFrame], col: Collector, cells) -> None:
    """Report required cells of the item sheets left empty (本年收入合计 决算数 …) in a workbook
    whose final-accounts sheets hold any figure of its own year: without them the reports would
    say the total is not provided. A new year's template (last year's figures only) and a year
    whose accounts are not yet typed in are not refused: their reports list the gap."""
    if not any(column in frame and frame[column].notna().any()
               for key, columns in _OWN_YEAR_COLUMNS.items()
               if (frame := frames.get(key)) is not None for column in columns):
        return
    read = {k for k, _, _ in cells}
    for sheet in SHEETS:
        frame = frames.get(sheet.key)
        if sheet.key not in read:
            continue  # the sheet (or its 项目 column) is missing: reported
        for item in sheet.items:
            for key in item.required:
                if frame is None or key not in frame or pd.notna(frame.at[item.key, key]):
                    continue
                header = sheet.column(key).header
                ref = cells.get((sheet.key, item.key, key), "").rpartition("!")[2]
                if ref and (sheet.name, ref) in col.flagged:
                    continue  # already reported (text, out of range …)
                if ref:
                    where, fix = ref, f"按部门决算报表填写{item.label}的{header}"
                elif any(k == sheet.key and r == item.key for k, r, _ in cells):
                    continue  # the row is there but the column is missing: reported
                else:
                    where, fix = "A列", f"按模板补上“{item.label}”一行，并填写{header}"
                col.add(sheet.name, where, f"{item.label}的“{header}”为空",
                        f"必填：{item.label}{header}（部门决算报表中的数）", fix)
