"""Running the mid-year monitoring (``perfkit run --monitor N``): validate a department's 监控
workbook, write its 绩效监控表, plan the ``monitor`` notebook; a bureau's 监控汇总 across departments."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from pathlib import Path
from typing import Any

from perfkit import __version__, config, reads
from perfkit.assess.monitor import load, summary
from perfkit.atomic import sha256_file
from perfkit.data.monitorbook import monitor_path
from perfkit.data.params import check_department, load_settings
from perfkit.report.monitorreport import write_monitor_summary, write_monitor_table
from perfkit.run.engine import OK, SKIPPED, NotebookResult, Task

log = logging.getLogger(__name__)

#: The 监控汇总 of a year, in the outputs root, when several departments are monitored.
SUMMARY_NAME = "监控汇总_{year}年.xlsx"


def sheet_name(year: int, month: int) -> str:
    """The 绩效监控表's file name in the department-year's output folder."""
    return f"绩效监控表_{year}年1-{month}月.xlsx"


def _digest(components: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(components, sort_keys=True, default=str).encode()).hexdigest()


def plan_monitor(department: str, year: int, month: int, *, outputs: Path, force: bool = False,
                 params_file: str = "", pdf: bool = True, pdf_layout: str | None = None,
                 analyst_copy: bool = False, previous: dict[str, Any] | None = None,
                 on_work=None) -> tuple[list[Task], list[NotebookResult], dict[str, Any]]:
    """Validate one department's 监控 workbook for ``month``, write its 绩效监控表 and plan the
    ``monitor`` notebook (skipped when nothing it reads changed).

    Returns:
        (tasks, skipped results, manifest header: the ``monitor`` summary the index and the
        监控汇总 read).

    Raises:
        PerfkitError: a missing or invalid 监控 workbook (every problem located), bad settings.
    """
    check_department(department)
    settings = load_settings(department, year, params_file or None)
    out_dir = config.output_dir(department, year, outputs)
    with reads.recording() as read:
        mon = load(department, year, month, params_file=params_file)
    out_dir.mkdir(parents=True, exist_ok=True)
    sheet = sheet_name(year, month)
    write_monitor_table(mon, out_dir / sheet)
    book = monitor_path(department, year, month)
    shown = (book.relative_to(config.ROOT).as_posix() if book.is_relative_to(config.ROOT)
             else book.name)
    header = {"department": department, "year": year,
              "monitor": {**summary(mon), "sheet": sheet, "workbook": shown}}
    if not (previous or {}).get("department_name"):
        header["department_name"] = mon.department_name
    source = config.notebook_path(config.MONITOR_NOTEBOOK)
    nb = config.MONITOR_NOTEBOOK
    if not source.exists():
        return [], [NotebookResult(department, year, nb, SKIPPED, error="笔记本不存在")], header
    layout = pdf_layout or settings.pdf_layout
    inputs = {"monitor_sha256": mon.data.sha256, "reads": read, "month": month,
              "notebook_sha256": sha256_file(source), "pdf": pdf, "pdf_layout": layout,
              "analyst_copy": analyst_copy, "perfkit_version": __version__}
    digest = _digest(inputs)
    prev = ((previous or {}).get("notebooks") or {}).get(nb) or {}
    if (not force and prev.get("status") == OK and prev.get("input_hash") == digest
            and all((out_dir / f).exists() for f in (prev.get("outputs") or {}).values())):
        return [], [NotebookResult(department, year, nb, SKIPPED, outputs=prev["outputs"],
                                   input_hash=digest, inputs=inputs,
                                   error="输入未变，沿用上次结果")], header
    if on_work:
        on_work()
    meta = {"department": mon.department_name, "year": year,
            "title": f"{year}年1-{month}月{config.DOCUMENT_TITLES[nb]}",
            "generated_at": dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="seconds"),
            "perfkit_version": __version__, "workbook_sha256": mon.data.sha256,
            "report_date": str(mon.data.info.get("report_date") or ""), "pdf_layout": layout,
            "kind": "analysis"}
    task = Task(department, year, nb, str(source), "", params_file, str(out_dir),
                str(config.ROOT), str(outputs), digest, meta, pdf, inputs, docx=True,
                parameters={"month": month}, analyst_copy=analyst_copy)
    return [task], [], header


def write_summary(outputs: Path, year: int) -> Path | None:
    """Write the year's 监控汇总 (outputs/监控汇总_<year>年.xlsx) from every department-year
    manifest of ``year`` with a ``monitor`` entry; None when fewer than two departments."""
    entries = []
    for path in sorted(Path(outputs).glob(f"*/{year}/manifest.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            log.warning("monitor summary: %s unreadable, left out", path)
            continue
        if isinstance(data, dict) and isinstance(data.get("monitor"), dict):
            entries.append({"department": path.parent.parent.name,
                            "department_name": data.get("department_name"),
                            "monitor": data["monitor"]})
    if len(entries) < 2:
        return None
    return write_monitor_summary(entries, year, Path(outputs) / SUMMARY_NAME.format(year=year))
