"""The audit of figures read from a report's text: per sentence, across the text, against a workbook.

A relation whose operands are printed is recomputed from them
(:func:`perfkit.assess.recompute.recompute_printed`) and judged by
:func:`perfkit.assess.figures.judge`: the same verdicts, diagnoses and printed-precision rules as the
workbook audit. Figures mapped to workbook cells through the catalog's phrases are collected into a
text-only workbook, on which the finance cross-checks (:mod:`perfkit.assess.checks`) and the mapped
finance indicators are recomputed: "结转结余-595.92万元" against 收入 − 支出 stated in other
paragraphs, the "三公" parts listed in three paragraphs against their total. Given a workbook,
every mapped figure is also checked against the data (:func:`perfkit.assess.figures.audit_figure`).

Rules that keep the audit honest: a sentence-level check only uses figures the sentence prints; a
recomputation that would read the figure itself is 无法核对; a sum whose listed parts may not be
all of them ("其中") and falls short of its total is 未解释差额, as in the workbook audit, unless
the catalog knows the parts are complete.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import math
import re
from collections import Counter
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd

from perfkit import config
from perfkit.assess.audit import with_tolerances
from perfkit.assess.checks import SUM_CHECKS
from perfkit.assess.checkspec import parse_check
from perfkit.assess.evaluation import Evaluation
from perfkit.assess.figures import (
    audit_figure,
    judge_row,
    rows_from_checks,
    tolerance_for,
)
from perfkit.assess.recompute import recompute, recompute_printed
from perfkit.assess.reportfigures import Extraction, Figure
from perfkit.assess.reporttext import map_figures
from perfkit.assess.sentenceaudit import (
    DOCUMENT,
    NOT_STATED,
    SENTENCE,
    SENTENCE_CHARS,
    SENTENCE_FULL,
    TEXT_AUDIT_COLUMNS,
    TEXT_CATEGORIES,
    WORKBOOK,
    cell_key,
    describe,
    quoted,
    said_by,
    sentence_row,
    text_row,
    where,
)
from perfkit.atomic import write_bytes_atomic
from perfkit.data.params import load_settings, load_settings_file, settings_from_dict
from perfkit.data.reader import load_workbook
from perfkit.data.sheets import AMOUNT, NUMBER, SHEET_BY_KEY, SHEETS
from perfkit.data.template import write_cell
from perfkit.data.values import normalize_label
from perfkit.data.workbook import WorkbookData
from perfkit.errors import Problem, WorkbookError
from perfkit.verdicts import UNVERIFIABLE

log = logging.getLogger(__name__)

__all__ = ["DOCUMENT", "NOT_STATED", "SENTENCE", "SENTENCE_CHARS", "SENTENCE_FULL",
           "TEXT_AUDIT_COLUMNS", "TEXT_CATEGORIES", "WORKBOOK", "audit_text", "quoted",
           "stated_rows", "text_settings", "text_workbook", "write_stated_sheet"]


def text_workbook(extraction: Extraction, year: int, name: str = "报告文字"):
    """A workbook holding the amounts the text states, each in the cell its phrase maps to.

    Cells the text does not state are empty and named “报告中未列出”; a cell stated twice keeps
    its first value (the second is judged against it). The row's 数据来源 quotes each printed
    figure, so printed precision applies as in a transcribed workbook.

    Returns:
        ``(WorkbookData, {cell key: figure}, [(first, later), …])``.
    """
    frames, cells = {}, {}
    for sheet in SHEETS:
        columns = [c.key for c in sheet.columns]
        index = [i.key for i in sheet.items] if sheet.layout != "records" else []
        frame = pd.DataFrame(index=index, columns=columns, dtype=object)
        for c in sheet.columns:
            if c.kind in (AMOUNT, NUMBER):
                frame[c.key] = frame[c.key].astype("float64")
        if sheet.items and "label" in frame.columns:
            frame["label"] = [i.label for i in sheet.items]
        frames[sheet.key] = frame
        for item in index:
            for c in sheet.columns:
                if c.kind == AMOUNT:
                    cells[(sheet.key, item, c.key)] = NOT_STATED
    stated: dict[tuple, Figure] = {}
    repeats = []
    deltas = {id(r.operands["delta"]) for r in extraction.relations if "delta" in r.operands}
    for fig in extraction.figures:
        key = cell_key(fig)
        if key is None or fig.role != "value" or fig.printed.bound or id(fig) in deltas:
            continue
        if key in stated:
            repeats.append((stated[key], fig))
            continue
        stated[key] = fig
        frame = frames[key[0]]
        frame.at[key[1], key[2]] = fig.printed.in_unit("万元").value
        if "source" in frame.columns:
            before = frame.at[key[1], "source"]
            quote = f"{fig.location}“{fig.text}”"
            frame.at[key[1], "source"] = f"{before}；{quote}" if isinstance(before, str) else quote
        cells[key] = where(fig)
    info = {"department_name": "", "year": year, "unit": "万元"}
    frames["info"].loc[:, "value"] = None
    frames["info"].at["year", "value"] = year
    data = WorkbookData(path=Path(name), sha256="", info=info, frames=frames, cells=cells)
    return data, stated, repeats


#: The cell each finance cross-check's printed figure stands in (perfkit.assess.checks).
def _internal_totals() -> dict[str, tuple[str, str, str]]:
    out = {c.id: (c.sheet, c.total, c.column) for c in SUM_CHECKS}
    out.update({"carryover_current": ("balance", "current", "amount"),
                "carryover_identity": ("balance", "closing", "amount")})
    return out


def _document_rows(extraction: Extraction, settings, judged: set[int]) -> list[dict[str, Any]]:
    """Checks across sentences, on the text-only workbook."""
    year = _year_of(extraction) or settings.year
    data, stated, repeats = text_workbook(extraction, year)
    ev = Evaluation(data, settings, extraction.project)
    rows = []
    for first, later in repeats:
        r = recompute_printed(lambda v: v["x"], {"x": first.printed.in_unit("万元")}, "万元",
                              {"x": where(first)})
        result = judge_row(later.printed, r, 0.0)  # the same quantity: no tolerance
        result.pop("cells")
        result["explanation"] = f"同一数值前文为“{first.text}”（{first.location}）；" + result[
            "explanation"]
        rows.append(text_row(ref=later.id, category=DOCUMENT, figure=f"{later.describe()}（前后两处）",
                              check=later.check, stated=later.text, location=later.location,
                              **said_by(later), source_cells=where(first), **result))
    for fig in extraction.figures:
        if id(fig) in judged or not _document_check(fig, extraction):
            continue
        common = {"ref": fig.id, "category": DOCUMENT, "figure": _figure_name(fig, extraction),
                  "check": fig.check, "stated": fig.text, "location": fig.location,
                  **said_by(fig)}
        mismatch = _basis_mismatch(fig, settings)
        if mismatch:
            rows.append(text_row(**common, verdict=UNVERIFIABLE, explanation=mismatch))
            continue
        r = recompute(ev, parse_check(fig.check, data, extraction.registry.indicators))
        own = where(fig)
        if own in r.cells:
            rows.append(text_row(**common, verdict=UNVERIFIABLE, source_cells="; ".join(r.cells),
                             explanation="该指标的计算用到了这一报告值本身，不能用来核对它"))
            continue
        result = judge_row(fig.printed, r, tolerance_for(r.unit, settings))
        cells = [c for c in result.pop("cells") if c != NOT_STATED]
        rows.append(text_row(**common, **result, source_cells="; ".join(cells)))
    totals = _internal_totals()
    sum_totals = {id(r.result) for r in extraction.relations if r.kind == "sum"}
    for row in rows_from_checks(ev.checks):
        fig = stated.get(totals.get(row["ref"], ()))
        if fig is None or id(fig) in sum_totals or math.isnan(row["stated_value"]):
            continue
        # perfkit.assess.checks speaks of a workbook ("表列", "未提供"); here the figures are printed.
        note = (str(row["explanation"]).replace("表列", "报告所列").replace("已提供分项", "报告所列分项")
                .replace("未提供", "未在报告中列出"))
        row = {**text_row(), **row, "category": DOCUMENT, "stated": fig.text, "explanation": note,
               "location": fig.location, **said_by(fig),
               "source_cells": "; ".join(c for c in str(row["source_cells"]).split("; ")
                                         if c != NOT_STATED)}
        rows.append(row)
    return rows


def _document_check(fig: Figure, extraction: Extraction) -> bool:
    """Whether the text-only workbook can recompute a figure: a mapped finance indicator."""
    if fig.target is None:
        return False
    spec = fig.spec or extraction.spec(fig.check)
    return spec.kind == "indicator" and extraction.registry.get(spec.names[0]).domain == "finance"


def _year_of(extraction: Extraction) -> int | None:
    years: Counter[int] = Counter()
    for text, _ in extraction.paragraphs[:20]:
        years.update(int(y) for y in re.findall(r"(20\d\d)年度", text))
    return years.most_common(1)[0][0] if years else None


def _basis_mismatch(fig: Figure, settings) -> str:
    basis = fig.target.budget_basis if fig.target else ""
    if not basis or basis == settings.budget_basis:
        return ""
    said = "年初预算" if basis == "initial" else "调整预算"
    return (f"报告按“{said}”计算，而运行设置的预算口径为“{settings.budget_label_zh}”"
            f"（budget_basis: {settings.budget_basis}），口径不同，未核对")


def _figure_name(fig: Figure, extraction: Extraction) -> str:
    rel = extraction.relation_of(fig)
    return describe(rel) if rel is not None and rel.kind != "sum" else fig.describe()


def _workbook_rows(extraction: Extraction, ev) -> list[dict[str, Any]]:
    """Every mapped figure against the workbook, as the 报告数值 audit checks it."""
    rows = []
    for fig in extraction.figures:
        if fig.target is None:
            continue
        common = {"ref": fig.id, "category": WORKBOOK, "figure": _figure_name(fig, extraction),
                  "check": fig.check, "stated": fig.text, "location": fig.location,
                  **said_by(fig)}
        mismatch = _basis_mismatch(fig, ev.settings)
        if mismatch:
            rows.append(text_row(**common, verdict=UNVERIFIABLE, explanation=mismatch))
            continue
        result = audit_figure(ev, fig.check, fig.printed)
        cells = result.pop("cells")
        rows.append(text_row(**common, **result, source_cells="; ".join(cells)))
    return rows


def audit_text(extraction: Extraction, settings, ev=None) -> pd.DataFrame:
    """Judge every figure the text lets perfkit check.

    Args:
        extraction: what :func:`extract` read.
        settings: run settings (tolerances, budget basis).
        ev: the department's workbook, when one is given (adds 对照工作簿 rows).

    Returns:
        Tidy frame with :data:`TEXT_AUDIT_COLUMNS` and :data:`SENTENCE_FULL`, rows of 本句核对,
        全文核对 and 对照工作簿 in document order within each category.
    """
    map_figures(extraction)
    rows, judged = [], set()
    for rel in extraction.relations:
        row = sentence_row(rel, settings)
        if row is None:
            continue
        if row["verdict"] == UNVERIFIABLE and _document_check(rel.result, extraction):
            continue  # operands elsewhere: the 全文核对 row says what can be said
        rows.append(row)
        judged.add(id(rel.result))
    rows += _document_rows(extraction, settings, judged)
    if ev is not None:
        against = _workbook_rows(extraction, ev)
        # A figure the workbook verifies has that verdict; the text alone not stating its
        # operands (全文核对 无法核对) is then no finding about it.
        verified = {r["ref"] for r in against if r["verdict"] != UNVERIFIABLE}
        rows = [r for r in rows if not (r["category"] == DOCUMENT and r["ref"] in verified
                                        and r["verdict"] == UNVERIFIABLE)]
        rows += against
    order = {f.id: i for i, f in enumerate(extraction.figures)}
    first_at: dict[str, int] = {}  # location → its first figure's place
    for i, f in enumerate(extraction.figures):
        first_at.setdefault(f.location, i)
    frame = pd.DataFrame(rows, columns=[*TEXT_AUDIT_COLUMNS, SENTENCE_FULL])
    if frame.empty:
        return frame
    frame["_c"] = frame["category"].map(TEXT_CATEGORIES.index)
    frame["_o"] = [order.get(ref, first_at.get(loc, 0))
                   for ref, loc in zip(frame["ref"], frame["location"], strict=True)]
    return frame.sort_values(["_c", "_o"], kind="stable").drop(columns=["_c", "_o"]).reset_index(
        drop=True)


def text_settings(extraction: Extraction, params_file: str | Path = "",
                  tolerance_pp: float | None = None, tolerance_wan_yuan: float | None = None):
    """Run settings for auditing a report without a workbook: defaults, a settings file, and
    tolerance overrides (the department code is ``audit``).

    The year is the one the report states ("2019年度"), else the previous calendar year (the year
    a self-evaluation reports on); it only dates the text-only workbook, no check depends on it.

    Raises:
        ParamsError: a bad settings file or a negative tolerance.
    """
    year = _year_of(extraction) or dt.date.today().year - 1
    if params_file:
        settings = load_settings_file(params_file, "audit", year)
    elif not (extraction.project.root / config.MARKER).is_file():
        # A report audited outside any project (a bureau's own folder): the defaults.
        settings = settings_from_dict({"department": "audit", "year": year})
    else:
        settings = load_settings("audit", year, project=extraction.project)
    return with_tolerances(settings, tolerance_pp, tolerance_wan_yuan)


def stated_rows(extraction: Extraction) -> list[dict[str, Any]]:
    """The 报告数值 rows proposed for a report: every figure mapped to a 核对对象, and every
    ratio, change or total the text states with an operand (核对对象 left empty for a person
    to fill); a bare percentage nothing maps ("仅占50%") is left out."""
    map_figures(extraction)
    results = {id(r.result) for r in extraction.relations if r.operands or r.parts}
    rows = []
    for fig in extraction.figures:
        if fig.target is None and id(fig) not in results:
            continue
        rows.append({"ref": fig.id, "statement": _figure_name(fig, extraction),
                     "check": fig.check, "stated": fig.text, "location": fig.location})
    return rows


def write_stated_sheet(workbook: str | Path, extraction: Extraction) -> tuple[Path, int]:
    """Write the proposed 报告数值 rows into a copy of ``workbook``: ``<name>-报告数值.xlsx``.

    The workbook itself is never changed. Refused when its 报告数值 sheet already has rows (a
    person's rows would be lost if the copy replaced it) or when the copy exists. Formulas are
    copied as the values Excel last saved for them (perfkit reads those values anyway).

    Returns:
        ``(copy, number of rows written)``.

    Raises:
        WorkbookError: the sheet has rows, or the copy exists (the message says what to do).
    """
    workbook = Path(workbook)
    sheet = SHEET_BY_KEY["stated"]
    existing = load_workbook(workbook).frames.get("stated")
    if existing is not None and not existing.empty:
        raise WorkbookError([Problem(
            str(workbook), sheet.name, "", f"已有{len(existing)}行数值",
            "空的“报告数值”表（--write-sheet 不改动已有的行）",
            "先核对现有的行（perfkit audit 工作簿），或把这些行移走后再运行 --write-sheet")])
    copy = workbook.with_name(f"{workbook.stem}-报告数值{workbook.suffix}")
    if copy.exists():
        raise WorkbookError([Problem(str(copy), "", "", "文件已存在", "一个尚不存在的文件",
                                     "把已有的副本改名或删除后重试（perfkit 不覆盖文件）")])
    book = openpyxl.load_workbook(workbook)
    if any(c.data_type == "f" for ws in book.worksheets for row in ws.iter_rows() for c in row):
        book = openpyxl.load_workbook(workbook, data_only=True)
    ws = book[sheet.name] if sheet.name in book.sheetnames else None
    if ws is None:
        ws = book.create_sheet(sheet.name)
        for j, c in enumerate(sheet.columns, 1):
            write_cell(ws, 1, j, c.header)
    header_row, columns = 1, dict[str, int | None]()
    for r in range(1, min(ws.max_row, 10) + 1):
        found = {normalize_label(ws.cell(row=r, column=j).value): j
                 for j in range(1, ws.max_column + 1) if ws.cell(row=r, column=j).value}
        if all(normalize_label(c.header) in found for c in sheet.columns if c.required):
            header_row = r
            columns = {c.key: found.get(normalize_label(c.header)) for c in sheet.columns}
            break
    if not columns:
        columns = {c.key: j for j, c in enumerate(sheet.columns, 1)}
    rows = stated_rows(extraction)
    for i, rec in enumerate(rows, header_row + 1):
        for key, col in columns.items():
            if col:
                write_cell(ws, i, col, rec.get(key) or None)  # a sentence stays text
    buf = io.BytesIO()
    book.save(buf)
    write_bytes_atomic(copy, buf.getvalue())
    return copy, len(rows)


__all__ = ["DOCUMENT", "SENTENCE", "SENTENCE_CHARS", "SENTENCE_FULL", "TEXT_AUDIT_COLUMNS", "WORKBOOK",
           "audit_text", "quoted", "text_settings",
           "text_workbook", "write_stated_sheet"]
