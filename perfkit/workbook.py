"""The input workbook: sheet and column definitions, the template writer and the reader."""

from __future__ import annotations

import hashlib
import logging
import math
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import Problem, WorkbookError

log = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------------
# Definitions: the one place where sheet names, row labels and column headers are declared.
# ---------------------------------------------------------------------------------------------

AMOUNT = "amount"  # money, converted to 万元 on load
NUMBER = "number"  # a plain number in its own unit
TEXT = "text"
CHOICE = "choice"


@dataclass(frozen=True)
class Column:
    """One column of a sheet."""

    key: str
    header: str
    kind: str = NUMBER
    required: bool = False
    note: str = ""
    choices: tuple[str, ...] = ()
    nonnegative: bool = True
    width: int = 14


@dataclass(frozen=True)
class Item:
    """One fixed row of an item sheet (收入, 支出 …), matched by its label."""

    key: str
    label: str
    parent: str | None = None
    note: str = ""


@dataclass(frozen=True)
class Sheet:
    """One sheet of the workbook.

    ``layout`` is ``keyvalue`` (项目/值 pairs), ``items`` (fixed row labels, value columns) or
    ``records`` (free rows).
    """

    key: str
    name: str
    layout: str
    columns: tuple[Column, ...]
    items: tuple[Item, ...] = ()
    required: bool = True
    note: str = ""

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def item(self, key: str) -> Item:
        return next(i for i in self.items if i.key == key)


SOURCE = Column("source", "数据来源", TEXT, note="决算报表的表号与行次，或报告章节", width=30)
BUDGET_COLUMNS = (
    Column("budget_initial", "年初预算数", AMOUNT, note="人大批准的年初预算"),
    Column("budget_adjusted", "调整预算数", AMOUNT, note="全年调整后预算（含追加）"),
    Column("actual", "决算数", AMOUNT, note="部门决算数"),
    Column("prior_actual", "上年决算数", AMOUNT, note="上一年度决算数，用于同比"),
)

DOMAIN_CHOICES = {
    "财务": "finance",
    "教育质量": "quality",
    "学生资助": "aid",
    "校园安全": "safety",
    "其他": "other",
}
DIRECTION_CHOICES = ("≥", "≤", "=", "全面")
UNIT_CHOICES = {"万元": 1.0, "元": 1e-4}

SHEETS: tuple[Sheet, ...] = (
    Sheet(
        "info", "基本信息", "keyvalue",
        columns=(
            Column("label", "项目", TEXT, required=True, width=16),
            Column("value", "值", TEXT, width=24),
            Column("note", "说明", TEXT, width=40),
        ),
        items=(
            Item("department_name", "部门名称", note="必填：部门全称"),
            Item("year", "评价年度", note="必填：四位年份，如 2019"),
            Item("unit", "金额单位", note="必填：万元 或 元；读入后统一换算为万元"),
            Item("staff_authorized_count", "编制数", note="核定编制人数"),
            Item("staff_actual_count", "在职人数", note="年末实有在职人数"),
            Item("claimed_score", "自评得分", note="部门自报的自评总分（如有）"),
            Item("preparer", "填报人", note="可选"),
        ),
        note="部门与年度的基本信息。",
    ),
    Sheet(
        "income", "收入", "items",
        columns=(Column("label", "项目", TEXT, required=True, width=22), *BUDGET_COLUMNS, SOURCE),
        items=(
            Item("fiscal", "财政拨款收入"),
            Item("superior_subsidy", "上级补助收入"),
            Item("service", "事业收入"),
            Item("business", "经营收入"),
            Item("affiliated", "附属单位上缴收入"),
            Item("other", "其他收入"),
            Item("total", "本年收入合计"),
        ),
        note="收入支出决算总表的收入部分（决算表一）。未提供的数留空，不要填0。",
    ),
    Sheet(
        "expenditure", "支出", "items",
        columns=(Column("label", "项目", TEXT, required=True, width=22), *BUDGET_COLUMNS, SOURCE),
        items=(
            Item("basic", "基本支出"),
            Item("personnel", "人员经费", parent="basic"),
            Item("public", "公用经费", parent="basic"),
            Item("project", "项目支出"),
            Item("key_project", "重点项目支出", parent="project"),
            Item("remit", "上缴上级支出"),
            Item("business", "经营支出"),
            Item("subsidy", "对附属单位补助支出"),
            Item("total", "本年支出合计"),
        ),
        note="支出决算表（决算表三）。人员经费、公用经费为基本支出的其中数。",
    ),
    Sheet(
        "balance", "结转结余", "items",
        columns=(
            Column("label", "项目", TEXT, required=True, width=22),
            Column("amount", "金额", AMOUNT, nonnegative=False),
            SOURCE,
        ),
        items=(
            Item("opening", "年初结转和结余"),
            Item("current", "本年结转结余", note="本年收入合计 − 本年支出合计，可为负"),
            Item("distribution", "结余分配"),
            Item("closing", "年末结转和结余", note="即累计结转结余"),
        ),
        note="结转结余情况。本年结转结余可以为负数。",
    ),
    Sheet(
        "three_public", "三公经费", "items",
        columns=(
            Column("label", "项目", TEXT, required=True, width=26),
            Column("budget", "预算数", AMOUNT),
            Column("actual", "决算数", AMOUNT),
            Column("prior_actual", "上年决算数", AMOUNT),
            Column("prior_budget", "上年预算数", AMOUNT, note="“三公”经费变动率按预算口径时使用"),
            SOURCE,
        ),
        items=(
            Item("abroad", "因公出国（境）费"),
            Item("vehicle", "公务用车购置及运行维护费"),
            Item("vehicle_purchase", "公务用车购置费", parent="vehicle"),
            Item("vehicle_operation", "公务用车运行维护费", parent="vehicle"),
            Item("reception", "公务接待费"),
            Item("total", "合计"),
        ),
        note='财政拨款"三公"经费支出决算表（决算表七）。',
    ),
    Sheet(
        "targets", "绩效指标", "records",
        columns=(
            Column("domain", "领域", CHOICE, required=True, choices=tuple(DOMAIN_CHOICES), width=10),
            Column("code", "指标代码", TEXT, note="perfkit 指标代码（见数据字典）；自定义指标可留空",
                   width=30),
            Column("name", "指标", TEXT, required=True, width=30),
            Column("unit", "单位", TEXT, width=8),
            Column("direction", "方向", CHOICE, choices=DIRECTION_CHOICES, width=6,
                   note="≥ 越大越好；≤ 越小越好；= 等于目标；全面 即100%"),
            Column("target", "目标值", NUMBER, nonnegative=False),
            Column("actual", "实际值", NUMBER, nonnegative=False),
            Column("prior", "上年值", NUMBER, nonnegative=False),
            Column("target_year", "目标年度", NUMBER, note="目标适用年度；留空即评价年度", width=10),
            SOURCE,
            Column("note", "备注", TEXT, width=30),
        ),
        note="年度绩效目标与业务统计：每行一个指标；没有实际值的留空，作为数据缺口列示。",
    ),
    Sheet(
        "aid", "学生资助", "records",
        columns=(
            Column("program", "项目", TEXT, required=True, width=28),
            Column("stage", "学段", TEXT, width=10),
            Column("group", "所属政策", TEXT, note="如 两免一补；用于分项合计核对", width=12),
            Column("persons", "受助人次", NUMBER),
            Column("amount", "金额", AMOUNT),
            Column("standard_yuan", "标准（元/人）", NUMBER, note="国家或省定资助标准（元/人·年）"),
            SOURCE,
        ),
        required=False,
        note="学生资助项目：每行一个项目。金额单位同基本信息。",
    ),
    Sheet(
        "qualitative", "定性评价", "records",
        columns=(
            Column("item", "评价指标", TEXT, required=True, width=20),
            Column("condition", "评价要点", TEXT, required=True, width=40),
            Column("met", "是否满足", CHOICE, choices=("是", "否"), width=10),
            Column("evidence", "证据说明", TEXT, width=50),
            SOURCE,
        ),
        required=False,
        note="定性指标的评价要点与证据；是否满足留空表示未提供。",
    ),
    Sheet(
        "stated", "报告数值", "records",
        columns=(
            Column("ref", "编号", TEXT, width=8),
            Column("statement", "表述内容", TEXT, required=True, width=36),
            Column("check", "核对对象", TEXT, width=30,
                   note="指标代码（如 revenue_execution_pct）；基本信息项 claimed_score；绩效指标的"
                        "指标代码（取实际值）；sum(学生资助:所属政策或项目,…) 金额合计；"
                        "sum(绩效指标:代码1,代码2) 实际值合计。perfkit audit 按此重新计算并核对"),
            Column("stated", "报告值", TEXT, required=True, note="照录报告原文，如 133.49%、4.04亿元",
                   width=16),
            Column("location", "报告位置", TEXT, width=20),
        ),
        required=False,
        note="报告中陈述的数值（照录原文），供核对。",
    ),
    Sheet(
        "functional", "支出功能分类", "records",
        columns=(
            Column("code", "科目编码", TEXT, required=True, width=12),
            Column("name", "科目名称", TEXT, required=True, width=28),
            *BUDGET_COLUMNS[:3],
            SOURCE,
        ),
        required=False,
        note="可选：按支出功能分类科目（类/款/项）的预算与决算。",
    ),
)
SHEET_BY_KEY = {s.key: s for s in SHEETS}
SHEET_BY_NAME = {s.name: s for s in SHEETS}


# ---------------------------------------------------------------------------------------------
# Normalisation of what people type
# ---------------------------------------------------------------------------------------------

_PREFIXES = ("其中：", "其中:", "其中")


def normalize_label(text: Any) -> str:
    """Fold a label for matching: NFKC (full-width → half-width), no spaces, no 其中 prefix."""
    s = unicodedata.normalize("NFKC", str(text or "")).strip()
    for p in _PREFIXES:
        if s.startswith(unicodedata.normalize("NFKC", p)):
            s = s[len(unicodedata.normalize("NFKC", p)) :]
    s = re.sub(r"\s+", "", s)
    return s.replace('"', "").replace("“", "").replace("”", "")


def sha256_file(path: Path) -> str:
    """Return the SHA-256 hex digest of a file."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


# ---------------------------------------------------------------------------------------------
# Loaded data
# ---------------------------------------------------------------------------------------------


@dataclass
class WorkbookData:
    """A validated workbook: typed frames plus the input cell behind every value.

    Attributes:
        path: the workbook file.
        sha256: its hash, for provenance.
        info: 基本信息 as a dict (``year`` int, amounts converted).
        frames: sheet key → DataFrame. Item sheets are indexed by item key; record sheets by a
            0-based row number. Amount columns are in 万元; missing values are NaN.
        cells: (sheet key, row key, column key) → cell reference such as ``收入!D7``.
        unit_factor: multiplier that converted the declared unit to 万元.
    """

    path: Path
    sha256: str
    info: dict[str, Any]
    frames: dict[str, pd.DataFrame]
    cells: dict[tuple[str, Any, str], str] = field(default_factory=dict)
    unit_factor: float = 1.0

    @property
    def department_name(self) -> str:
        return str(self.info.get("department_name") or "")

    @property
    def year(self) -> int:
        return int(self.info["year"])

    def value(self, sheet: str, row: Any, column: str) -> float:
        """Return one number (NaN when not provided)."""
        frame = self.frames.get(sheet)
        if frame is None or row not in frame.index:
            return math.nan
        v = frame.at[row, column]
        return math.nan if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)

    def cell(self, sheet: str, row: Any, column: str) -> str:
        """Return the cell reference of one value, e.g. ``收入!D7``."""
        ref = self.cells.get((sheet, row, column))
        if ref:
            return ref
        return f"{SHEET_BY_KEY[sheet].name}!{SHEET_BY_KEY[sheet].column(column).header}"


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


_NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


class _Collector:
    """Collects problems for one file so that the user sees all of them at once."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []

    def add(self, sheet: str, cell: str, found: str, expected: str, fix: str) -> None:
        self.problems.append(Problem(self.file, sheet, cell, found, expected, fix))


def parse_number(raw: Any) -> tuple[float | None, str | None]:
    """Parse a cell value as a number.

    Returns:
        ``(value, None)`` on success (``value`` None for an empty cell), or ``(None, why)``
        where ``why`` explains the text that is not a number, with a suggested fix.
    """
    if raw is None:
        return None, None
    if isinstance(raw, bool):
        return None, "逻辑值（TRUE/FALSE）"
    if isinstance(raw, (int, float)):
        f = float(raw)
        if math.isnan(f) or math.isinf(f):
            return None, f"非有限数值 {raw!r}"
        return f, None
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    if text == "":
        return None, None
    if _NUMBER_RE.match(text):
        return float(text), None
    hint = ""
    if re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?", text):
        hint = f"（去掉千分位逗号，写作 {text.replace(',', '')}）"
    elif re.fullmatch(r"[+-]?\d+(\.\d+)?\s*(万|亿|元|%|％)", text):
        hint = "（去掉单位或百分号，只填数字；单位在“单位”列或基本信息中声明）"
    elif text in {"—", "-", "－", "/", "N/A", "NA", "n/a", "无", "空", "不详", "——"}:
        hint = "（未提供的数请留空，不要填占位符）"
    return None, f"文本“{text}”{hint}"


def _is_blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and v.strip() == "")


def load_workbook(path: str | Path, *, expected_year: int | None = None) -> WorkbookData:
    """Read and validate a department-year workbook.

    Every problem in the file is collected and raised together as one
    :class:`~perfkit.errors.WorkbookError`, each naming sheet, cell and fix.

    Args:
        path: the ``.xlsx`` file.
        expected_year: when given, 基本信息 评价年度 must equal it.

    Returns:
        The validated :class:`WorkbookData`.

    Raises:
        WorkbookError: when anything is wrong with the file.
    """
    path = Path(path)
    col = _Collector(path.name)
    book = _open_book(path, col)
    if book is None:
        raise WorkbookError(col.problems)
    try:
        frames, cells, info, factor = _read_sheets(book, col, expected_year)
    finally:
        book.close()
    if not col.problems:
        from .schema import validate_frames

        col.problems.extend(validate_frames(path.name, frames, cells))
    if col.problems:
        raise WorkbookError(col.problems)
    return WorkbookData(path, sha256_file(path), info, frames, cells, factor)


def _open_book(path: Path, col: _Collector):
    import openpyxl

    if not path.exists():
        col.add("", "", "文件不存在", "一个 .xlsx 工作簿", f"检查路径 {path}，或用 perfkit template 生成模板")
        return None
    if path.suffix.lower() == ".xls":
        col.add("", "", "旧版 Excel 97-2003 (.xls) 文件", ".xlsx 工作簿",
                "在 Excel/WPS 中“另存为” Excel 工作簿 (*.xlsx)")
        return None
    if not zipfile.is_zipfile(path):
        head = path.read_bytes()[:8]
        found = "不是 xlsx 格式（可能是改了扩展名的 CSV 或文本文件）"
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            found = "旧版 .xls 或加密（设置了打开密码）的文件"
        col.add("", "", found, "Excel 2007 及以上的 .xlsx 工作簿",
                "在 Excel/WPS 中打开后“另存为” .xlsx；如设置了密码请先取消密码")
        return None
    try:
        return openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        col.add("", "", f"文件已损坏或不完整（{type(exc).__name__}）", "完整的 .xlsx 工作簿",
                "重新导出或从备份恢复该文件")
        return None


def _read_sheets(book, col: _Collector, expected_year: int | None):
    frames: dict[str, pd.DataFrame] = {}
    cells: dict[tuple[str, Any, str], str] = {}
    present = {normalize_label(n): n for n in book.sheetnames}
    info: dict[str, Any] = {}
    factor = 1.0
    for sheet in SHEETS:
        actual_name = present.get(normalize_label(sheet.name))
        if actual_name is None:
            if sheet.required:
                col.add(sheet.name, "", "缺少工作表", f"名为“{sheet.name}”的工作表",
                        "用 perfkit template 生成的模板补上该表，或把已有表重命名")
            frames[sheet.key] = _empty_frame(sheet)
            continue
        ws = book[actual_name]
        if sheet.layout == "keyvalue":
            info = _read_keyvalue(ws, sheet, col, cells)
        else:
            frames[sheet.key] = _read_table(ws, sheet, col, cells)
    unit = str(info.get("unit") or "").strip()
    if "基本信息" in {normalize_label(n) for n in present}:
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


def _header_map(ws, sheet: Sheet, col: _Collector) -> dict[str, int] | None:
    """Map column key → 1-based column index from the header row (row 1)."""
    headers: dict[str, int] = {}
    wanted = {normalize_label(c.header): c for c in sheet.columns}
    for cell in ws[1] if ws.max_row >= 1 else []:
        key = normalize_label(cell.value)
        if key in wanted:
            headers[wanted[key].key] = cell.column
    for c in sheet.columns:
        if c.key not in headers and (c.required or c.key in _CORE_COLUMNS.get(sheet.key, ())):
            col.add(sheet.name, "第1行", f"缺少列“{c.header}”", f"表头中有“{c.header}”列",
                    "按模板恢复该列表头（第1行），列名须与模板一致")
    return headers


def _read_keyvalue(ws, sheet: Sheet, col: _Collector, cells) -> dict[str, Any]:
    wanted = {normalize_label(i.label): i for i in sheet.items}
    info: dict[str, Any] = {}
    for row in ws.iter_rows(min_row=2):
        if not row or _is_blank(row[0].value):
            continue
        item = wanted.get(normalize_label(row[0].value))
        if item is None:
            continue
        value = row[1].value if len(row) > 1 else None
        ref = f"{sheet.name}!B{row[0].row}"
        cells[("info", item.key, "value")] = ref
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


def _check_info(info: dict[str, Any], col: _Collector, expected_year: int | None, cells) -> float:
    sheet = SHEET_BY_KEY["info"]

    def where(key: str) -> str:
        ref = cells.get(("info", key, "value"))
        return ref.split("!")[1] if ref else f"A列“{sheet.item(key).label}”"

    if not info.get("department_name"):
        col.add(sheet.name, where("department_name"), "部门名称为空", "部门全称", "在“值”列填写部门名称")
    year_raw = info.get("year")
    year, why = parse_number(year_raw)
    if year is None or why or not float(year).is_integer() or not 1990 <= year <= 2100:
        col.add(sheet.name, where("year"), f"评价年度“{year_raw}”", "四位年份，如 2019",
                "在“值”列填写评价年度")
    else:
        info["year"] = int(year)
        if expected_year is not None and int(year) != int(expected_year):
            col.add(sheet.name, where("year"), f"评价年度 {int(year)}", f"{expected_year}（本次运行的年度）",
                    "核对是否用错了工作簿，或改正评价年度")
    unit = str(info.get("unit") or "").strip()
    if unit not in UNIT_CHOICES:
        col.add(sheet.name, where("unit"), f"金额单位“{unit or '（空）'}”", "万元 或 元",
                "在“值”列填写 万元 或 元")
        return 1.0
    return UNIT_CHOICES[unit]


def _read_table(ws, sheet: Sheet, col: _Collector, cells) -> pd.DataFrame:
    headers = _header_map(ws, sheet, col)
    from openpyxl.utils import get_column_letter

    rows: list[dict[str, Any]] = []
    keys: list[Any] = []
    by_label = {normalize_label(i.label): i for i in sheet.items}
    seen: dict[Any, int] = {}
    for row in ws.iter_rows(min_row=2):
        values = {k: (row[i - 1].value if i - 1 < len(row) else None) for k, i in headers.items()}
        if all(_is_blank(v) for v in values.values()):
            continue
        r = row[0].row
        if sheet.layout == "items":
            label = values.get("label")
            item = by_label.get(normalize_label(label))
            if item is None:
                col.add(sheet.name, f"A{r}", f"未知项目“{label}”",
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
                if why:
                    col.add(sheet.name, ref, why, f"“{c.header}”应为数字", "只填阿拉伯数字，未提供的留空")
                record[c.key] = num
            elif c.kind == CHOICE:
                text = None if _is_blank(raw) else normalize_label(raw)
                if c.key == "domain" and text is not None:
                    text = text if text in DOMAIN_CHOICES else (
                        {v: k for k, v in DOMAIN_CHOICES.items()}.get(text, text))
                if text is not None and text not in {normalize_label(x) for x in c.choices}:
                    col.add(sheet.name, ref, f"“{raw}”", "、".join(c.choices) + " 之一",
                            "从下拉列表中选择")
                record[c.key] = text
            else:
                record[c.key] = None if _is_blank(raw) else str(raw).strip()
            if c.required and record[c.key] is None and sheet.layout == "records":
                col.add(sheet.name, ref, f"“{c.header}”为空", "必填", f"填写“{c.header}”或删除该行")
        rows.append(record)
        keys.append(key)
    frame = pd.DataFrame(rows, index=keys, columns=[c.key for c in sheet.columns])
    if sheet.layout == "items":
        frame = frame.reindex([i.key for i in sheet.items])
        frame["label"] = [i.label for i in sheet.items]
    if sheet.key == "targets" and not frame.empty:
        frame["domain"] = frame["domain"].map(lambda d: DOMAIN_CHOICES.get(d, d))
    return _coerce_types(frame, sheet)


# ---------------------------------------------------------------------------------------------
# Writing: the documented template, optionally filled (sample, next-year templates, tests)
# ---------------------------------------------------------------------------------------------


def write_workbook(path: str | Path, content: dict[str, Any] | None = None) -> Path:
    """Write a documented workbook: every sheet, header notes, drop-downs, fixed row labels.

    Args:
        path: destination ``.xlsx``.
        content: optional values. ``info`` maps item key → value; item sheets map item key →
            {column key: value}; record sheets are lists of {column key: value}. Record values
            for ``domain`` may be the English key or the Chinese label.

    Returns:
        The written path.
    """
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from .atomic import write_bytes_atomic

    content = content or {}
    book = openpyxl.Workbook()
    book.remove(book.active)
    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    domain_zh = {v: k for k, v in DOMAIN_CHOICES.items()}
    for sheet in SHEETS:
        ws = book.create_sheet(sheet.name)
        for j, c in enumerate(sheet.columns, 1):
            cell = ws.cell(row=1, column=j, value=c.header)
            cell.font, cell.fill = header_font, header_fill
            cell.alignment = Alignment(horizontal="center")
            note = c.note or ""
            if c.kind == AMOUNT:
                note = (note + "；" if note else "") + "金额，单位见基本信息“金额单位”"
            if note:
                cell.comment = Comment(note, "perfkit")
            ws.column_dimensions[get_column_letter(j)].width = c.width
        ws.freeze_panes = "B2" if sheet.layout != "records" else "A2"
        data = content.get(sheet.key)
        if sheet.layout == "keyvalue":
            for r, item in enumerate(sheet.items, 2):
                ws.cell(row=r, column=1, value=item.label)
                ws.cell(row=r, column=2, value=(data or {}).get(item.key))
                ws.cell(row=r, column=3, value=item.note)
            dv = DataValidation(type="list", formula1='"万元,元"', allow_blank=False)
            ws.add_data_validation(dv)
            dv.add(f"B{2 + [i.key for i in sheet.items].index('unit')}")
        elif sheet.layout == "items":
            for r, item in enumerate(sheet.items, 2):
                label = ("其中：" if item.parent else "") + item.label
                ws.cell(row=r, column=1, value=label)
                if item.note:
                    ws.cell(row=r, column=1).comment = Comment(item.note, "perfkit")
                for j, c in enumerate(sheet.columns[1:], 2):
                    ws.cell(row=r, column=j, value=((data or {}).get(item.key) or {}).get(c.key))
        else:
            for r, rec in enumerate(data or [], 2):
                for j, c in enumerate(sheet.columns, 1):
                    v = rec.get(c.key)
                    if c.key == "domain" and v in domain_zh:
                        v = domain_zh[v]
                    ws.cell(row=r, column=j, value=v)
            for j, c in enumerate(sheet.columns, 1):
                if c.kind == CHOICE:
                    dv = DataValidation(type="list", formula1='"' + ",".join(c.choices) + '"',
                                        allow_blank=True)
                    ws.add_data_validation(dv)
                    letter = get_column_letter(j)
                    dv.add(f"{letter}2:{letter}500")
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
    lines += [f"【{s.name}】{'必填' if s.required else '可选'}：{s.note}" for s in SHEETS]
    for r, line in enumerate(lines, 3):
        readme.cell(row=r, column=1, value=line)
    readme.column_dimensions["A"].width = 100
    import io

    buf = io.BytesIO()
    book.save(buf)
    return write_bytes_atomic(Path(path), buf.getvalue())
