"""The 核对对象 language: what a stated figure is checked against (:func:`parse_check`).

核对对象 (the ``check`` column), a deliberately small language:

- ``<indicator id>`` — a registered indicator, e.g. ``revenue_execution_pct``;
- ``<基本信息 key>`` — ``claimed_score`` (自评得分), ``staff_actual_count``,
  ``staff_authorized_count``;
- ``<指标代码>`` — the 实际值 of that 绩效指标 row (when no indicator has that id);
- ``sum(学生资助:A,B)`` — Σ 金额 of the 学生资助 rows whose 所属政策 is A or B (a name that is no
  所属政策 matches 项目 instead); ``sum(学生资助)`` sums every row;
- ``sum(绩效指标:code1,code2)`` — Σ 实际值 of those codes (they must share one 单位);
- ``cell(收入:本年收入合计:决算数)`` — one value of an item sheet (收入, 支出, 结转结余, 三公经费),
  named by sheet, row label and column header (the keys ``income:total:actual`` work too): how a
  figure read from a report's text (:mod:`perfkit.assess.reporttext`) is checked against the data.

A reviewer writes one beside each figure of the 报告数值 sheet; the report catalog maps the figures
of a report's text to them (:mod:`perfkit.assess.reportcatalog`). :func:`unknown_checks` lists
the 报告数值 rows whose 核对对象 names nothing the workbook has (``perfkit check`` says so).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import pandas as pd

from perfkit.cells import as_text
from perfkit.data.printed import AuditParseError
from perfkit.data.sheets import AMOUNT, SHEET_BY_KEY, SHEET_BY_NAME
from perfkit.data.values import normalize_label
from perfkit.data.workbook import WorkbookData
from perfkit.errors import Problem
from perfkit.indicators.registry import Registry, registry


@dataclass(frozen=True)
class CheckSpec:
    """A parsed 核对对象: ``kind`` is indicator, info, metric, sum_aid, sum_targets or cell."""

    kind: str
    names: tuple[str, ...] = ()


_SUM_RE = re.compile(r"^sum\((?P<sheet>[^:)]+)(?::(?P<names>[^)]*))?\)$", re.I)
_CELL_RE = re.compile(r"^cell\((?P<sheet>[^:]+):(?P<row>[^:]+):(?P<column>[^:]+)\)$", re.I)
_METRIC_CODE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_INFO_KEYS = ("claimed_score", "staff_actual_count", "staff_authorized_count")


def _parse_cell(m: re.Match) -> CheckSpec:
    """``cell(收入:本年收入合计:决算数)`` → CheckSpec("cell", ("income", "total", "actual"))."""
    sheet_text, row_text, column_text = (m.group(k) for k in ("sheet", "row", "column"))
    sheet = SHEET_BY_NAME.get(sheet_text) or SHEET_BY_KEY.get(sheet_text)
    if sheet is None or sheet.layout != "items":
        names = "、".join(s.name for s in SHEET_BY_KEY.values() if s.layout == "items")
        raise AuditParseError(f"核对对象 cell(…) 的工作表“{sheet_text}”不是 {names} 之一")
    wanted = normalize_label(row_text)
    item = next((i for i in sheet.items if wanted in (normalize_label(i.label), i.key)), None)
    if item is None:
        raise AuditParseError(f"核对对象 cell(…)：{sheet.name}表没有项目“{row_text}”（应为 "
                              f"{'、'.join(i.label for i in sheet.items)} 之一）")
    column = next((c for c in sheet.columns[1:] if c.kind == AMOUNT
                   and column_text in (c.header, c.key)), None)
    if column is None:
        heads = "、".join(c.header for c in sheet.columns if c.kind == AMOUNT)
        raise AuditParseError(f"核对对象 cell(…)：{sheet.name}表没有金额列“{column_text}”"
                              f"（应为 {heads} 之一）")
    return CheckSpec("cell", (sheet.key, item.key, column.key))


def check_syntax(text: Any, indicators: Collection[str] | None = None) -> CheckSpec:
    """Parse a 核对对象 without a workbook (for catalogs): a bare code is an indicator when it is
    among ``indicators`` (default: those in use in the current project), else a metric.

    Raises:
        AuditParseError: the text is no 核对对象 whatever the workbook holds.
    """
    s = re.sub(r"\s+", "", unicodedata.normalize("NFKC", "" if text is None else str(text)))
    try:
        return parse_check(s, indicators=indicators)
    except AuditParseError:
        if _METRIC_CODE_RE.match(s):
            return CheckSpec("metric", (s,))
        raise


def parse_check(text: Any, data: WorkbookData | None = None,
                indicators: Collection[str] | None = None) -> CheckSpec:
    """Parse a 核对对象 (see the module docstring for the language).

    Args:
        text: the 核对对象.
        data: the workbook, whose 绩效指标 codes a bare code may name.
        indicators: the indicator ids in use; default the current project's.

    Raises:
        AuditParseError: the text is not a 核对对象 (the message says what is).
    """
    s = unicodedata.normalize("NFKC", "" if text is None else str(text)).strip()
    s = re.sub(r"\s+", "", s)
    if not s:
        raise AuditParseError("核对对象为空：填写指标代码，或 sum(学生资助:所属政策)")
    m = _CELL_RE.match(s)
    if m:
        return _parse_cell(m)
    m = _SUM_RE.match(s)
    if m:
        sheet = m.group("sheet")
        key = SHEET_BY_NAME[sheet].key if sheet in SHEET_BY_NAME else sheet
        names = tuple(n for n in (m.group("names") or "").split(",") if n)
        if key == "aid":
            return CheckSpec("sum_aid", names)
        if key == "targets" and names:
            return CheckSpec("sum_targets", names)
        raise AuditParseError(
            f"核对对象“{s}”：只支持 sum(学生资助:所属政策…) 或 sum(绩效指标:代码,…)")
    if s in (registry().indicators if indicators is None else indicators):
        return CheckSpec("indicator", (s,))
    if s in _INFO_KEYS:
        return CheckSpec("info", (s,))
    targets = None if data is None else data.frames.get("targets")
    if targets is not None and not targets.empty and (targets["code"] == s).any():
        return CheckSpec("metric", (s,))
    raise AuditParseError(f"核对对象“{s}”不是已登记的指标代码、基本信息项、绩效指标代码或 "
                          "cell(工作表:项目:列)")


def target_rows(frame: pd.DataFrame, codes: tuple[str, ...]) -> tuple[list[Any], list[str]]:
    """Rows of the 绩效指标 codes (the first of each), and the codes no row has."""
    rows, unknown = [], []
    for code in codes:
        hits = list(frame.index[frame["code"] == code])
        (rows.append(hits[0]) if hits else unknown.append(code))
    return rows, unknown


def _folded(text: Any) -> str:
    return normalize_label(text) if isinstance(text, str) else ""


def aid_rows(frame: pd.DataFrame, names: tuple[str, ...]) -> list[Any]:
    """学生资助 rows whose 所属政策 is one of ``names`` (else whose 项目 is); all when none."""
    if not names:
        return list(frame.index)
    wanted = {normalize_label(n) for n in names}
    group = frame["group"].map(_folded)
    program = frame["program"].map(_folded)
    rows = [i for i in frame.index if group[i] in wanted]
    named = {group[i] for i in rows}
    return rows + [i for i in frame.index if program[i] in wanted - named and i not in rows]


def unknown_checks(data: WorkbookData, reg: Registry | None = None) -> list[Problem]:
    """报告数值 rows the audit could not use whatever the figure (it would say 无法核对).

    A 核对对象 outside the language, or naming 绩效指标 codes or 学生资助 policies the workbook
    does not have, is a mistake in the sheet, not a gap in the data: ``perfkit check`` lists it.

    Args:
        data: the workbook.
        reg: the indicators in use; default the current project's.

    Returns:
        One located problem per such row (empty when every row can be checked).
    """
    indicators = (reg or registry()).indicators
    frame = data.frames.get("stated")
    if frame is None or frame.empty:
        return []
    expected = ("已登记的指标代码、基本信息项、绩效指标代码、cell(工作表:项目:列)，"
                "或 sum(学生资助:所属政策) / sum(绩效指标:代码1,代码2)")
    fix = "改正核对对象（指标代码见数据字典）；无法由工作簿数据重新计算的数值不要列入报告数值表"
    out = []
    for i, rec in frame.iterrows():
        sheet, _, cell = data.cell("stated", i, "check").rpartition("!")
        found = f"核对对象“{as_text(rec['check'])}”"
        try:
            spec = parse_check(rec["check"], data, indicators)
        except AuditParseError as exc:
            out.append(Problem(data.path.name, sheet, cell, str(exc), expected, fix))
            continue
        if spec.kind == "sum_targets":
            _, unknown = target_rows(data.frames["targets"], spec.names)
            if unknown:
                out.append(Problem(data.path.name, sheet, cell,
                                   f"{found}中的指标代码 {'、'.join(unknown)} 在绩效指标表中没有",
                                   "绩效指标表中已有的指标代码", fix))
        elif spec.kind == "sum_aid" and spec.names:
            aid = data.frames.get("aid")
            if aid is None or aid.empty or not aid_rows(aid, spec.names):
                out.append(Problem(data.path.name, sheet, cell,
                                   f"{found}在学生资助表中没有匹配的所属政策或项目",
                                   "学生资助表“所属政策”或“项目”列中的名称", fix))
    return out
