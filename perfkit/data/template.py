"""Writing the documented workbook template, optionally filled (sample, next year, tests)."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from perfkit import config
from perfkit.atomic import write_bytes_atomic
from perfkit.data.sheets import AMOUNT, CHOICE, SHEETS, Sheet
from perfkit.domains import FINANCE, OTHER, Catalog, catalogs, names_of

#: First characters that make a spreadsheet read typed text as a formula (OWASP, CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@")


def write_cell(ws, row: int, column: int, value: Any):
    """Write one cell as a person's value: text stays text, never a formula.

    openpyxl turns any string beginning with ``=`` into a formula, which Excel evaluates on
    opening (a department's ``=…`` text carried into next year's workbook became a live formula).
    Text is typed as a string; text beginning with a formula character also gets Excel's quote
    prefix, so that editing the cell in Excel keeps it text.

    Returns:
        The cell.
    """
    cell = ws.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
        if value.startswith(FORMULA_TRIGGERS):
            cell.quotePrefix = True
    return cell


def _sheets_for(keys: Sequence[str] | None, content: dict[str, Any],
                cats: dict[str, Catalog]) -> list[Sheet]:
    """The sheets of a workbook for the domains ``keys``: every sheet, except an optional one
    that only other domains' catalogs read (学生资助 for aid) and ``content`` leaves empty."""
    if keys is None:
        return list(SHEETS)
    read = {name for c in cats.values() for name in c.sheets}
    kept = {name for k in keys if k in cats for name in cats[k].sheets}
    return [s for s in SHEETS if s.name not in read - kept or content.get(s.key)]


def _without_sheets(note: str, names: set[str]) -> str:
    """``note`` without its clauses (separated by ；) that tell how to use a sheet of ``names``."""
    return "；".join(p for p in note.split("；") if not any(n in p for n in names))


def write_sheet(book, sheet: Sheet, data: Any, *, note_of: Callable[[str], str] = str,
                labels: dict[str, str] | None = None, domain_choices: list[str] | None = None):
    """Write one documented sheet of a workbook perfkit hands out (the year's, a 监控 one):
    header with its notes (amounts say where their unit is declared), widths, frozen header,
    fixed row labels, drop-downs, and ``data`` if given (item key → value for 基本信息, item key
    → {column: value} for item sheets, a list of {column: value} for record sheets).

    Args:
        note_of: how a column's note reads in this workbook (e.g. without sheets left out).
        labels: 领域 key → label, for a ``domain`` column given keys.
        domain_choices: the 领域 drop-down (default: the column's own choices).

    Returns:
        The worksheet.
    """
    ws = book.create_sheet(sheet.name)
    for j, c in enumerate(sheet.columns, 1):
        cell = write_cell(ws, 1, j, c.header)
        cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center")
        note = note_of(c.note or "")
        if c.kind == AMOUNT:
            note = (note + "；" if note else "") + "金额，单位见基本信息“金额单位”"
        if note:
            cell.comment = Comment(note, "perfkit")
        ws.column_dimensions[get_column_letter(j)].width = c.width
    ws.freeze_panes = "B2" if sheet.layout != "records" else "A2"
    if sheet.layout == "keyvalue":
        for r, item in enumerate(sheet.items, 2):
            write_cell(ws, r, 1, item.label)
            write_cell(ws, r, 2, (data or {}).get(item.key))
            write_cell(ws, r, 3, item.note)
        dv = DataValidation(type="list", formula1='"万元,元"', allow_blank=False)
        ws.add_data_validation(dv)
        dv.add(f"B{2 + [i.key for i in sheet.items].index('unit')}")
    elif sheet.layout == "items":
        for r, item in enumerate(sheet.items, 2):
            write_cell(ws, r, 1, ("其中：" if item.parent else "") + item.label)
            if item.note:
                ws.cell(row=r, column=1).comment = Comment(item.note, "perfkit")
            for j, c in enumerate(sheet.columns[1:], 2):
                write_cell(ws, r, j, ((data or {}).get(item.key) or {}).get(c.key))
    else:
        for r, rec in enumerate(data or [], 2):
            for j, c in enumerate(sheet.columns, 1):
                v = rec.get(c.key)
                if c.key == "domain" and labels and v in labels:
                    v = labels[v]
                write_cell(ws, r, j, v)
        for j, c in enumerate(sheet.columns, 1):
            if c.kind == CHOICE:
                choices = domain_choices if c.key == "domain" and domain_choices else c.choices
                dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"',
                                    allow_blank=True)
                ws.add_data_validation(dv)
                letter = get_column_letter(j)
                dv.add(f"{letter}2:{letter}500")
    return ws


def write_workbook(path: str | Path, content: dict[str, Any] | None = None,
                   domains: Sequence[str] | None = None,
                   project: config.Project | None = None) -> Path:
    """Write a documented workbook: its sheets, header notes, drop-downs, fixed row labels.

    Args:
        path: destination ``.xlsx`` (a relative path is relative to the project root).
        content: optional values. ``info`` maps item key → value; item sheets map item key →
            {column key: value}; record sheets are lists of {column key: value}. Record values
            for ``domain`` may be the English key or the Chinese label.
        domains: the department's catalog domains (``["health"]``), or None for a workbook of
            every domain. With them, the 领域 drop-down lists 财务, these domains and 其他, and an
            optional sheet only other domains read (学生资助) is left out, with its notes.
        project: the project whose domains the 领域 column lists, and whose root a relative
            ``path`` is in; default the current one.

    Returns:
        The written path.
    """
    content = content or {}
    book = openpyxl.Workbook()
    book.remove(book.active)
    cats = catalogs(project)
    domain_zh = names_of(cats)
    wanted = None if domains is None else {FINANCE, *domains, OTHER}
    domain_labels = [label for key, label in domain_zh.items() if wanted is None or key in wanted]
    sheets = _sheets_for(domains, content, cats)
    left_out = {s.name for s in SHEETS} - {s.name for s in sheets}
    for sheet in sheets:
        ws = write_sheet(book, sheet, content.get(sheet.key),
                         note_of=lambda note: _without_sheets(note, left_out),
                         labels=domain_zh, domain_choices=domain_labels)
        ws.sheet_properties.tabColor = "5B9BD5" if sheet.required else "A9D08E"
    readme = book.create_sheet("填表说明", 0)
    readme["A1"] = "perfkit 部门整体支出绩效自评 输入工作簿"
    readme["A1"].font = Font(bold=True, size=14)
    lines = [
        "1. 每个工作表第1行为表头，请勿改动；把鼠标移到表头上可看到填写说明。",
        "2. 未提供的数值一律留空，不要填 0、“—”或“N/A”；留空的数在报告中列为数据缺口。",
        "3. 金额单位在“基本信息”中声明（万元 或 元），全部金额须使用同一单位。",
        "4. 公式单元格须在 Excel/WPS 中计算并保存后再使用（perfkit 只读取缓存值，不计算公式）。",
        "5. 改完后运行 perfkit check 文件名.xlsx 检查。",
    ]
    lines += [f"【{s.name}】{'必填' if s.required else '可选'}：{s.note}" for s in sheets]
    for r, line in enumerate(lines, 3):
        write_cell(readme, r, 1, line)
    readme.column_dimensions["A"].width = 100

    buf = io.BytesIO()
    book.save(buf)
    return write_bytes_atomic(config.resolve(path, project), buf.getvalue())
