"""A finance bureau's year: the departments' records gathered from the outputs, last year's
整改台账 read back, and the year's documents written to ``outputs/<year>/``: 复核汇总.xlsx,
复核汇总.html (linked from the outputs index), 结果通报.docx and 整改台账.xlsx."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import openpyxl

from perfkit import __version__, config
from perfkit.assess.bureau import RECORD_VERSION, cross_flags, recurred
from perfkit.atomic import write_bytes_atomic, write_text_atomic
from perfkit.errors import PerfkitError, write_problem
from perfkit.report.bureau import (
    LEDGER_FILLED,
    LEDGER_SHEET,
    BureauYear,
    Failed,
    ledger_xlsx,
    notice_docx,
    summary_xlsx,
)
from perfkit.report.bureaupage import render_page, score_distribution

log = logging.getLogger(__name__)

SUMMARY_XLSX, SUMMARY_HTML = "复核汇总.xlsx", "复核汇总.html"
NOTICE_DOCX, LEDGER_XLSX = "结果通报.docx", "整改台账.xlsx"
NOT_RUN = ("本年度没有可用的运行结果：工作簿未通过输入检查或尚未运行。"
           "运行 perfkit run --year {year} 查看原因，改正后重新运行。")


def bureau_dir(outputs_root: Path, year: int) -> Path:
    """``outputs/<year>/``: the bureau's documents of the year."""
    return Path(outputs_root) / str(year)


def read_record(out_dir: Path) -> dict[str, Any] | None:
    """A department-year's record (``tables/bureau.json``), None when absent or of another
    version (the next run writes it again)."""
    try:
        data = json.loads((Path(out_dir) / "tables" / config.BUREAU_RECORD).read_text(
            encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("version") == RECORD_VERSION else None


def read_ledger(path: Path) -> dict[tuple[str, str], dict[str, Any]]:
    """A 整改台账 read back: (部门代码, 问题编号) → its row (整改情况 as ``status``, 备注 …).

    Raises:
        PerfkitError: the file is not a 整改台账 perfkit wrote (sheet or columns missing), named
            with the fix.
    """
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise PerfkitError(f"无法读取整改台账 {path}（{type(exc).__name__}）：请用 Excel 或 WPS "
                           "打开后另存为 .xlsx，或删除该文件后重新运行（已填写的整改情况将丢失）。"
                           ) from None
    try:
        if LEDGER_SHEET not in book.sheetnames:
            raise PerfkitError(f"整改台账 {path} 中没有“{LEDGER_SHEET}”工作表：请恢复该工作表的名称，"
                               "或删除该文件后重新运行。")
        rows = book[LEDGER_SHEET].iter_rows(values_only=True)
        header = [str(v).strip() if v is not None else "" for v in next(rows, ())]
        need = ("部门代码", "问题编号", *LEDGER_FILLED)
        missing = [c for c in need if c not in header]
        if missing:
            raise PerfkitError(f"整改台账 {path} 的“{LEDGER_SHEET}”工作表第1行缺少列："
                               f"{'、'.join(missing)}；请恢复表头（不要改动第1行）后重新运行。")
        col = {c: header.index(c) for c in header if c}
        out = {}
        for values in rows:
            dept, key = (values[col["部门代码"]] if len(values) > col["部门代码"] else None,
                         values[col["问题编号"]] if len(values) > col["问题编号"] else None)
            if not dept or not key:
                continue  # the note under the table, blank rows
            row = {c: values[j] for c, j in col.items() if j < len(values)}
            row["status"] = str(row.get("整改情况") or "").strip()
            row["key"] = str(key)
            out[(str(dept), str(key))] = row
        return out
    finally:
        book.close()


def gather(outputs_root: Path, year: int, failures: Mapping[str, str] | None = None,
           project: config.Project | None = None) -> BureauYear:
    """The year's records from ``outputs/<dept>/<year>/tables/bureau.json``, the departments
    left out (a failure of this run, or a workbook of the year without a record) and what
    recurred from last year's 整改台账.

    Args:
        outputs_root: the outputs folder.
        year: the evaluation year.
        failures: department → why this run could not use it (its input check failed …): its
            record from an earlier run, if any, is not used.
        project: the project whose ``data/<dept>/<year>.xlsx`` list the year's departments.
    """
    failures = dict(failures or {})
    root = Path(outputs_root)
    records, failed = [], []
    for folder in sorted(root.glob(f"*/{year}")):
        dept = folder.parent.name
        if dept in failures:
            continue
        record = read_record(folder)
        if record is not None:
            records.append(record)
    have = {r["department"] for r in records}
    data = (project or config.current()).root / "data"
    expected = sorted({p.parent.name for p in data.glob(f"*/{year}.xlsx")} | set(failures))
    for dept in expected:
        if dept not in have:
            failed.append(Failed(dept, dept, failures.get(dept) or NOT_RUN.format(year=year)))
    last_path = bureau_dir(root, year - 1) / LEDGER_XLSX
    last = read_ledger(last_path) if last_path.is_file() else None
    recurring = {}
    if last is not None:
        for r in records:
            rows = [row for (d, _), row in last.items() if d == r["department"]]
            hits = recurred(r, rows)
            if hits:
                recurring[r["department"]] = hits
    records.sort(key=lambda r: r["department"])
    return BureauYear(year, records, cross_flags(records), failed, recurring, last is not None)


def write_bureau(outputs_root: Path, year: int, failures: Mapping[str, str] | None = None,
                 project: config.Project | None = None) -> list[Path]:
    """Write the year's 复核汇总 (xlsx, html), 结果通报 and 整改台账 under ``outputs/<year>/``.

    The 整改台账's 整改情况 and 备注 the bureau typed are kept (matched by 部门代码 and 问题编号).

    Returns:
        The written files.

    Raises:
        PerfkitError: a 整改台账 (this year's or last year's) cannot be read.
    """
    folder = bureau_dir(outputs_root, year)
    year_data = gather(outputs_root, year, failures, project)
    ledger = folder / LEDGER_XLSX
    filled = read_ledger(ledger) if ledger.is_file() else {}
    now = dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="seconds")
    written = [
        write_bytes_atomic(folder / SUMMARY_XLSX, summary_xlsx(year_data)),
        write_bytes_atomic(folder / LEDGER_XLSX, ledger_xlsx(year_data, filled)),
        write_bytes_atomic(folder / NOTICE_DOCX, notice_docx(year_data, now, __version__)),
        write_text_atomic(folder / SUMMARY_HTML,
                          render_page(year_data, score_distribution(year_data))),
    ]
    log.info("bureau %s: %d departments, %d left out, %d flags -> %s", year,
             len(year_data.records), len(year_data.failed), len(year_data.flags), folder)
    return written


#: Department-years of one year in a run from which that year's documents are written.
MIN_DEPARTMENTS = 2


def after_run(planned: list[tuple[str, int]], failures: list[tuple[str, int, str]],
              outputs_root: Path, changed: bool) -> list[tuple[int, str]]:
    """After a run: write the documents of each year with :data:`MIN_DEPARTMENTS` or more
    departments in it (a department whose input check failed is listed as left out); skipped
    when nothing changed and they exist.

    Returns:
        (year, message) of each year whose documents could not be written.
    """
    failed: dict[int, dict[str, str]] = {}
    for dept, year, error in failures:
        failed.setdefault(year, {})[dept] = error
    years: dict[int, set[str]] = {}
    for dept, year in [*planned, *((d, y) for d, y, _ in failures)]:
        years.setdefault(year, set()).add(dept)
    problems = []
    for year, depts in sorted(years.items()):
        if len(depts) < MIN_DEPARTMENTS or (not (changed or failed.get(year)) and (
                bureau_dir(outputs_root, year) / SUMMARY_HTML).exists()):
            continue
        try:
            write_bureau(outputs_root, year, failed.get(year))
        except Exception as exc:
            log.debug("bureau %s", year, exc_info=True)
            why = (str(exc) if isinstance(exc, PerfkitError) else
                   write_problem(exc, bureau_dir(outputs_root, year)) if isinstance(exc, OSError)
                   else f"无法生成{year}年度复核汇总：{type(exc).__name__}: {exc}。")
            problems.append((year, why + "各部门年度的报告不受影响；问题解决后重新运行即可更新复核汇总。"))
    return problems


__all__ = [
    "LEDGER_XLSX",
    "NOTICE_DOCX",
    "SUMMARY_HTML",
    "SUMMARY_XLSX",
    "after_run",
    "bureau_dir",
    "gather",
    "read_ledger",
    "read_record",
    "write_bureau",
]
