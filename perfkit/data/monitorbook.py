"""The mid-year monitoring workbook (绩效运行监控): reading and validating it, and its template."""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd

from perfkit import config, reads
from perfkit.atomic import sha256_file, write_bytes_atomic
from perfkit.cells import as_text, is_missing
from perfkit.data.collector import Collector
from perfkit.data.limits import ReadLimits
from perfkit.data.reader import _read_keyvalue, _read_table
from perfkit.data.sheets import AMOUNT, UNIT_CHOICES, Sheet, monitor_sheets
from perfkit.data.template import write_sheet
from perfkit.data.values import normalize_label, parse_number
from perfkit.data.workbook import WorkbookData
from perfkit.data.xlsx import check_grid, open_book, sheet_grid
from perfkit.errors import PerfkitError, WorkbookError

#: Months a cut-off may be: the year's last month is the year-end self-evaluation, not monitoring.
FIRST_MONTH, LAST_MONTH = 1, 11


@dataclass
class MonitorData:
    """A validated 监控 workbook.

    Attributes:
        path: the file; sha256 its hash.
        department_name, year, month: from 基本信息 (``month`` the cut-off: 1-``month``月).
        info: 基本信息 as read.
        budget: 预算执行 by line key (columns ``label``, ``budget``, ``executed``, ``note``), 万元.
        targets: 监控 rows (columns of :func:`perfkit.data.sheets.monitor_sheets`).
        cells: (sheet key, row key, column key) → ``监控!H3``.
    """

    path: Path
    sha256: str
    department_name: str
    year: int
    month: int
    info: dict[str, Any]
    budget: pd.DataFrame
    targets: pd.DataFrame
    cells: dict[tuple[str, Any, str], str] = field(default_factory=dict)

    def cell(self, sheet: str, row: Any, column: str) -> str:
        return self.cells.get((sheet, row, column), "")


def monitor_path(department: str, year: int, month: int,
                 project: config.Project | None = None) -> Path:
    """The conventional place of a 监控 workbook: ``data/<dept>/<year>-monitor-<MM>.xlsx``."""
    return (project or config.current()).data_dir / department / f"{year}-monitor-{month:02d}.xlsx"


def monitor_paths(department: str, year: int,
                  project: config.Project | None = None) -> dict[int, Path]:
    """Every 监控 workbook of a department-year at its conventional place, by month."""
    folder = (project or config.current()).data_dir / department
    found = {}
    for p in sorted(folder.glob(f"{year}-monitor-*.xlsx")):
        tail = p.stem.rsplit("-", 1)[-1]
        if tail.isdigit() and FIRST_MONTH <= int(tail) <= LAST_MONTH:
            found[int(tail)] = p
    return found


def monitored(month: int, project: config.Project | None = None) -> list[tuple[str, int]]:
    """Every (department, year) with a 监控 workbook for ``month`` at its conventional place."""
    data = (project or config.current()).data_dir
    if not data.is_dir():
        return []
    found = []
    for p in data.glob(f"*/*-monitor-{month:02d}.xlsx"):
        year = p.name.split("-", 1)[0]
        if year.isdigit() and not p.name.startswith("~$"):
            found.append((p.parent.name, int(year)))
    return sorted(found)


def _shown(value: Any) -> str:
    return "空" if value is None or str(value).strip() == "" else str(value)


def _month_of(raw: Any) -> int | None:
    num, why = parse_number(raw)
    if why or num is None or not float(num).is_integer():
        return None
    return int(num) if FIRST_MONTH <= num <= LAST_MONTH else None


def load_monitor(path: str | Path, *, expected_year: int | None = None,
                 expected_month: int | None = None, limits: ReadLimits | None = None,
                 project: config.Project | None = None) -> MonitorData:
    """Read and validate a 监控 workbook; every problem is collected and raised together.

    Raises:
        WorkbookError: each problem names sheet, cell and fix.
    """
    path = config.resolve(path, project)
    reads.file(path)
    limits = limits or ReadLimits()
    col = Collector(path.name)
    book = open_book(path, col, limits)
    if book is None:
        raise WorkbookError(col.problems)
    cells: dict[tuple[str, Any, str], str] = {}
    try:
        info_sheet = monitor_sheets(expected_month or 7)[0]
        info = _read_sheet(book, info_sheet, col, cells, limits) or {}
        month = _month_of(info.get("month"))
        where = cells.get(("info", "month", "value"), "基本信息!B4").split("!")[1]
        if month is None:
            col.add("基本信息", where, f"截至月份“{_shown(info.get('month'))}”",
                    f"{FIRST_MONTH} 到 {LAST_MONTH} 的整数", "填写监控截至的月份，如 7（即1-7月）")
        elif expected_month is not None and month != expected_month:
            col.add("基本信息", where, f"截至月份为 {month}", f"{expected_month}（--monitor 给出的月份）",
                    f"核对截至月份，或运行 perfkit run --monitor {month}")
        sheets = monitor_sheets(month or expected_month or 7)
        budget = _read_sheet(book, sheets[1], col, cells, limits)
        rows = _read_sheet(book, sheets[2], col, cells, limits)
    finally:
        book.close()
    year = _check_header(info, col, cells, expected_year)
    factor = UNIT_CHOICES.get(str(info.get("unit") or "").strip(), 1.0)
    if isinstance(budget, pd.DataFrame):
        for c in sheets[1].columns:
            if c.kind == AMOUNT:
                budget[c.key] = budget[c.key] * factor
    if isinstance(rows, pd.DataFrame):
        _check_rows(rows, sheets[2], col, cells)
    if col.problems:
        raise WorkbookError(col.problems)
    assert isinstance(budget, pd.DataFrame) and isinstance(rows, pd.DataFrame) and month
    return MonitorData(path, sha256_file(path), str(info.get("department_name") or ""),
                       year, month, info, budget, rows, cells)


def _read_sheet(book, sheet: Sheet, col: Collector, cells, limits: ReadLimits):
    present = {normalize_label(n): n for n in book.sheetnames}
    name = present.get(normalize_label(sheet.name))
    if name is None:
        col.add(sheet.name, "", "缺少工作表", f"名为“{sheet.name}”的工作表",
                "用 perfkit template --monitor 月份 生成的监控模板补上该表")
        return None
    grid = sheet_grid(book, name, sheet, col, limits)
    if grid is None:
        return None
    merged = check_grid(grid, sheet, col, limits)
    if sheet.layout == "keyvalue":
        return _read_keyvalue(grid, sheet, col, cells)
    return _read_table(grid, sheet, col, cells, {}, merged)


def _check_header(info: dict[str, Any], col: Collector, cells, expected_year: int | None) -> int:
    def where(key: str, row: int) -> str:
        return cells.get(("info", key, "value"), f"基本信息!B{row}").split("!")[1]

    if not str(info.get("department_name") or "").strip():
        col.add("基本信息", where("department_name", 2), "部门名称为空", "部门全称", "填写部门名称")
    num, why = parse_number(info.get("year"))
    year = int(num) if num is not None and not why and float(num).is_integer() else 0
    if not 1990 <= year <= 2100:
        col.add("基本信息", where("year", 3), f"监控年度“{_shown(info.get('year'))}”",
                "四位年份", "填写监控年度，如 2019")
    elif expected_year is not None and year != expected_year:
        col.add("基本信息", where("year", 3), f"监控年度为 {year}", str(expected_year),
                "核对监控年度，或把文件放到该年度的位置")
    unit = str(info.get("unit") or "").strip()
    if unit not in UNIT_CHOICES:
        col.add("基本信息", where("unit", 5), f"金额单位“{unit or '空'}”", "万元 或 元",
                "填写 万元 或 元")
    return year


def _check_rows(rows: pd.DataFrame, sheet: Sheet, col: Collector, cells) -> None:
    """A row that cannot be judged: 年度指标值 without 方向, or 方向 without 年度指标值."""
    for i, r in rows.iterrows():
        ref = cells.get(("monitor_targets", i, "target"), "")
        cell = ref.split("!")[1] if ref else ""
        if is_missing(r["target"]) and as_text(r["direction"]) and r["direction"] != "全面":
            col.add(sheet.name, cell, f"“{as_text(r['name'])}”的年度指标值为空",
                    "年度指标值（数字）", "填写年度指标值；不再考核的指标删除该行")
        if not is_missing(r["target"]) and not as_text(r["direction"]):
            ref = cells.get(("monitor_targets", i, "direction"), "")
            col.add(sheet.name, ref.split("!")[1] if ref else "",
                    f"“{as_text(r['name'])}”的方向为空", "≥、≤、= 或 全面",
                    "从下拉列表中选择方向（≥ 越大越好，≤ 越小越好）")


# -- the template --------------------------------------------------------------------------------


def monitor_content(data: WorkbookData | None, month: int, department_name: str = "",
                    year: int = 0, targets: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """What ``perfkit template --monitor N`` pre-fills: 基本信息, the budget lines' 预算数 (the
    year's 调整预算数, else 年初预算数, when the workbook has them) and one 监控 row per target of
    the year: ``targets`` when given (the year's judged targets, derived ones included: keys
    code, name, unit, direction, target), else the 绩效指标 rows with a 方向 or 目标值 for the
    year, not next year's."""
    content: dict[str, Any] = {"monitor_info": {
        "department_name": department_name or (data.department_name if data else ""),
        "year": year or (data.year if data else None), "month": month, "unit": "万元"}}
    if data is None:
        return content
    spend = data.frames["expenditure"]
    content["monitor_budget"] = {
        key: {"budget": next((float(spend.at[key, c]) for c in ("budget_adjusted", "budget_initial")
                              if not math.isnan(float(spend.at[key, c]))), None)}
        for key in spend.index}
    if targets is not None:
        content["monitor_targets"] = [dict(t) for t in targets]
        return content
    rows = []
    frame = data.frames.get("targets")
    for _, t in (frame if frame is not None else pd.DataFrame()).iterrows():
        later = not is_missing(t["target_year"]) and int(t["target_year"]) > data.year
        if later or (is_missing(t["target"]) and not as_text(t["direction"])):
            continue
        rows.append({"code": as_text(t["code"]) or None, "name": as_text(t["name"]),
                     "unit": as_text(t["unit"]) or None,
                     "direction": as_text(t["direction"]) or None,
                     "target": None if is_missing(t["target"]) else float(t["target"])})
    content["monitor_targets"] = rows
    return content


def write_monitor(path: str | Path, content: dict[str, Any], month: int,
                  project: config.Project | None = None) -> Path:
    """Write a documented 监控 workbook (headers with notes, drop-downs), optionally filled."""
    if not FIRST_MONTH <= month <= LAST_MONTH:
        raise PerfkitError(f"截至月份 {month} 无效：应为 {FIRST_MONTH} 到 {LAST_MONTH} 的整数"
                           "（12月的情况由年度自评反映），例如 --monitor 7")
    book = openpyxl.Workbook()
    book.remove(book.active)
    for sheet in monitor_sheets(month):
        write_sheet(book, sheet, content.get(sheet.key))
    buf = io.BytesIO()
    book.save(buf)
    return write_bytes_atomic(config.resolve(path, project), buf.getvalue())
