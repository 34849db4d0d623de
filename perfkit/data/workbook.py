"""The input workbook: sheet and column definitions, the template writer and the reader."""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from perfkit import config, fmt, reads
from perfkit.atomic import sha256_file
from perfkit.errors import Problem, WorkbookError

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
    choices: Sequence[str] = ()  # a tuple, or the 领域 labels read on use
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

class _DomainChoices(Mapping):
    """领域 label → key: 财务, then each domain catalog in use (perfkit's and the project's,
    :mod:`perfkit.domains`), then 其他. Read on use, so a project's own catalog counts."""

    def _labels(self) -> dict[str, str]:
        from perfkit.domains import domain_labels

        return domain_labels()

    def __getitem__(self, label: str) -> str:
        return self._labels()[label]

    def __iter__(self):
        return iter(self._labels())

    def __len__(self) -> int:
        return len(self._labels())


class _DomainLabels(Sequence):
    """The 领域 column's choices (the labels of :data:`DOMAIN_CHOICES`), read on use."""

    def __getitem__(self, i):
        return list(DOMAIN_CHOICES)[i]

    def __iter__(self):
        return iter(list(DOMAIN_CHOICES))

    def __len__(self) -> int:
        return len(DOMAIN_CHOICES)


DOMAIN_CHOICES: Mapping[str, str] = _DomainChoices()
DIRECTION_CHOICES = ("≥", "≤", "=", "全面")
#: Counting units of the 学生资助 sheet's 受助人次 column (计数单位); the first is the default.
COUNT_UNITS = ("人次", "人")
UNIT_CHOICES = {"万元": 1.0, "元": 1e-4}

@dataclass(frozen=True)
class TextSection:
    """One section of the department's own text (报告文字 sheet): where it goes in the report.

    ``label`` is what the 章节 column holds; ``guidance`` is what the template pre-fills in
    填写说明; ``titled`` sections are lists of numbered items (each row a 标题 and its 内容).
    """

    key: str
    label: str
    guidance: str
    titled: bool = False


#: The sections of a 部门整体支出绩效自评报告 that hold the department's own words, in report
#: order. The report's structure (perfkit.report.selfreport) places each one; figures are computed.
TEXT_SECTIONS: tuple[TextSection, ...] = (
    TextSection("basis", "评价依据", "自评工作所依据的法规和文件，以及自评的方式（一段话）"),
    TextSection("functions", "部门职能", "部门的主要职能，可按“三定”方案概括"),
    TextSection("organization", "机构设置", "内设机构和所属二级单位的个数、名称"),
    TextSection("staffing", "人员情况", "编制数、实有人数及其构成（人数同时填入基本信息表）"),
    TextSection("goals", "年度绩效目标",
                "本年度部门整体支出绩效目标；可先写一段总述（标题留空），再每项目标一行"
                "（标题写目标名称，内容写目标要求）", titled=True),
    TextSection("finance", "收支情况说明",
                "对收入、支出和预算执行情况的说明（数字由收入、支出表生成，这里写原因）"),
    TextSection("three_public", "三公经费说明",
                "对“三公”经费总体情况的说明（各项增减原因填在三公经费表“变动原因”列）"),
    TextSection("disclosure", "预决算公开", "部门预算、决算公开的时间和平台"),
    TextSection("assets", "资产管理", "资产管理制度、资产清查和处置情况"),
    TextSection("internal_control", "内部控制", "内部控制制度建设和执行情况"),
    TextSection("process", "自评工作开展情况",
                "自评的目的、组织和步骤；可每部分一行（标题如“评价目的”“评价过程”）",
                titled=True),
    TextSection("results", "主要绩效",
                "按工作领域逐项写主要绩效：每个领域一行，标题写领域小标题，内容写完成情况；"
                "标题留空的行作为不编号的段落", titled=True),
    TextSection("problems", "存在的问题", "每个问题一行：标题概括问题，内容写具体表现",
                titled=True),
    TextSection("measures", "改进措施", "针对问题的改进措施或建议，每条一行", titled=True),
    TextSection("plan", "下年工作思路", "下一年度的工作思路和目标，每条一行", titled=True),
    TextSection("conclusion", "自评结论",
                "对全年绩效的总体评价（自评得分填入基本信息表“自评得分”，等级填“自评等级”）"),
)
TEXT_SECTION_BY_LABEL = {t.label: t for t in TEXT_SECTIONS}


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
            Item("claimed_grade", "自评等级", note="部门自报的等级（优、良、中、差），可选"),
            Item("report_date", "报告日期", note="自评报告的落款日期，如 2020-04-28"),
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
            Column("reason", "变动原因", TEXT, width=40,
                   note="部门对本项较上年增减的说明，自评报告照录（如“招商引资力度加大”）"),
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
            Column("domain", "领域", CHOICE, required=True, choices=_DomainLabels(), width=10),
            Column("code", "指标代码", TEXT, note="perfkit 指标代码（见数据字典）；自定义指标可留空",
                   width=30),
            Column("name", "指标", TEXT, required=True, width=30),
            Column("unit", "单位", TEXT, width=8),
            Column("direction", "方向", CHOICE, choices=DIRECTION_CHOICES, width=6,
                   note="≥ 越大越好；≤ 越小越好；= 等于目标；全面 即100%"),
            Column("target", "目标值", NUMBER, nonnegative=False),
            Column("actual", "实际值", NUMBER, nonnegative=False),
            Column("prior", "上年值", NUMBER, nonnegative=False),
            Column("qualifier", "数值修饰", CHOICE, choices=fmt.QUALIFIERS, width=8,
                   note="报告对实际值的修饰（如“1000余所”填“余”，“近9000名”填“近”，"
                        "“93.96%以上”填“以上”）；实际值填数字本身"),
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
            Column("persons", "受助人次", NUMBER,
                   note="受助的人次或人数，以“计数单位”列为准"),
            Column("amount", "金额", AMOUNT),
            Column("standard_yuan", "标准（元/人）", NUMBER, note="国家或省定资助标准（元/人·年）"),
            Column("count_unit", "计数单位", CHOICE, choices=COUNT_UNITS, width=10,
                   note="“受助人次”一列的计数单位：人次（留空即人次），或 人——报告按人数陈述时"
                        "（如“受益学生5.6万人”“7.2万名学生”“贷款人数3847人”）"),
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
        "text", "报告文字", "records",
        columns=(
            Column("section", "章节", CHOICE, required=True, width=14,
                   choices=tuple(t.label for t in TEXT_SECTIONS)),
            Column("title", "标题", TEXT, width=24,
                   note="小标题，如“队伍结构不合理”；报告按顺序编号（（一）（二）…），此处不写序号"),
            Column("content", "内容", TEXT, width=80,
                   note="部门的原文，自评报告照录，不改写；一格可写多段（单元格内换行）。"
                        "可用 {指标代码} 引用绩效指标的实际值或 perfkit 指标的值，由数据填入"),
            Column("guidance", "填写说明", TEXT, width=40,
                   note="模板预填的说明，报告不使用"),
            SOURCE,
        ),
        required=False,
        note="部门自评报告的文字：每行一段，按章节和行序排入报告；内容为空的行不使用，"
             "没有内容的章节在报告中注明“未提供”。",
    ),
    Sheet(
        "self_scores", "自评表", "records",
        columns=(
            Column("item", "指标编号", TEXT, width=22, note="评分表中该项的编号（模板预填）"),
            Column("level1", "一级指标", TEXT, width=10),
            Column("level2", "二级指标", TEXT, width=12),
            Column("level3", "三级指标", TEXT, required=True, width=22),
            Column("points", "分值", NUMBER, width=8),
            Column("score", "自评得分", NUMBER, width=10, note="部门对本项的自评得分"),
            Column("reason", "扣分原因", TEXT, width=50, note="未得满分的原因（部门说明）"),
        ),
        required=False,
        note="部门按评分表逐项自评的得分（可选）。填写后，自评报告列出各项得分，"
             "复核意见逐项对照复核得分；各项得分之和应等于基本信息“自评得分”。",
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
        warnings: located notes that do not block loading (for example a total that differs
            from its parts by more than rounding but less than a tenth of the total).
        confirmed: plausibility findings (implausible magnitudes) on cells the run settings'
            ``confirmed_values`` list as real figures: kept as notes (also in ``warnings``)
            for the check, the reports and the audit, instead of refusing the workbook.
    """

    path: Path
    sha256: str
    info: dict[str, Any]
    frames: dict[str, pd.DataFrame]
    cells: dict[tuple[str, Any, str], str] = field(default_factory=dict)
    unit_factor: float = 1.0
    warnings: list[Problem] = field(default_factory=list)
    confirmed: list[Problem] = field(default_factory=list)

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
_CN_NUMERAL_RE = re.compile(r"^[负零〇一二两三四五六七八九十百千万亿点壹贰叁肆伍陆柒捌玖拾佰仟]+$")
_PLACEHOLDERS = {"—", "-", "－", "/", "N/A", "NA", "n/a", "na", "无", "空", "不详", "——", "--", "…",
                 "...", "null", "NULL", "None", "nan", "NaN", "暂无", "未提供", "x", "X", "?", "？"}
_EXCEL_ERRORS = {"#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!",
                 "#CALC!", "#GETTING_DATA"}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

#: What to do about formulas that have no cached value (perfkit never computes formulas).
_FORMULA_FIX = ("perfkit 不计算公式，只读取公式上次计算保存的结果：在 Excel 或 WPS 中"
                "打开该文件并保存一次；或运行 soffice --headless --convert-to xlsx "
                "--outdir 新文件夹 文件名.xlsx（LibreOffice）让公式算出结果；也可以把公式改为数值")


class _Collector:
    """Collects problems for one file so that the user sees all of them at once.

    ``flagged`` holds the cells already reported, so that one wrong cell gives one message even
    when several checks would trip over it.
    """

    def __init__(self, file: str, confirmed: tuple[str, ...] = ()):
        self.file = file
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.flagged: set[tuple[str, str]] = set()
        #: Cells (``三公经费!C5``) the user confirmed as real despite a plausibility finding.
        self.to_confirm: dict[str, bool] = dict.fromkeys(confirmed, False)
        self.confirmed: list[Problem] = []

    def add(self, sheet: str, cell: str, found: str, expected: str, fix: str) -> None:
        self.problems.append(Problem(self.file, sheet, cell, found, expected, fix))
        if cell:
            self.flagged.add((sheet, cell))

    def warn(self, sheet: str, cell: str, found: str, expected: str, fix: str) -> None:
        self.warnings.append(Problem(self.file, sheet, cell, found, expected, fix))

    def implausible(self, sheet: str, cell: str, found: str, expected: str, fix: str) -> None:
        """A plausibility finding: a problem, or a note when the user confirmed the cell."""
        ref = f"{sheet}!{cell}"
        if ref not in self.to_confirm:
            self.add(sheet, cell, found, expected, fix + CONFIRM_HINT.format(ref=ref))
            return
        if not self.to_confirm[ref]:
            self.to_confirm[ref] = True
            note = Problem(self.file, sheet, cell, found, "经部门核实的实际数",
                           f"已按运行设置 confirmed_values 确认为实际数（{ref}）；"
                           "复核时请核对原始凭证")
            self.confirmed.append(note)
            self.warnings.append(note)


#: How to accept a genuine outlier that a plausibility check flags (appended to its fix).
CONFIRM_HINT = ("；若经核实确为实际数，在运行设置（params/<部门>/<年度>.yaml）的 "
                "confirmed_values 中列出该单元格（confirmed_values: [\"{ref}\"]），"
                "报告和复核意见将注明“已核实”")


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def parse_number(raw: Any) -> tuple[float | None, str | None]:
    """Parse a cell value as a number.

    Only plain numbers are accepted: no unit, no thousands separator, no Chinese numerals, no
    placeholder for "not provided" (an empty cell says that). Guessing would risk a silently
    wrong figure.

    Returns:
        ``(value, None)`` on success (``value`` None for an empty cell), or ``(None, why)``
        where ``why`` explains the text that is not a number, with a suggested fix.
    """
    if raw is None:
        return None, None
    if isinstance(raw, bool):
        return None, "逻辑值（TRUE/FALSE）"
    if isinstance(raw, (dt.datetime, dt.date, dt.time, dt.timedelta)):
        return None, (f"日期或时间“{raw}”（单元格被设成了日期格式；把单元格格式改为“常规”或“数值”后"
                      "重新输入数字）")
    if isinstance(raw, (int, float)):
        try:
            f = float(raw)
        except OverflowError:
            return None, "超出范围的数值"
        if math.isnan(f) or math.isinf(f):
            return None, f"非有限数值 {raw!r}"
        return f, None
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    if text == "":
        return None, None
    if _NUMBER_RE.match(text):
        f = float(text)
        if math.isinf(f):
            return None, f"超出范围的数值“{_clip(text)}”"
        return f, None
    hint = ""
    if re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?", text):
        hint = f"（去掉千分位逗号，写作 {text.replace(',', '')}）"
    elif re.fullmatch(r"[+-]?\d+(\.\d+)?\s*(万元|亿元|万|亿|元|%|人次|人|所|个|名)", text):
        hint = ("（去掉单位或百分号，只填数字，并按本表的单位换算：金额单位见基本信息“金额单位”，"
                "百分数填 90 表示 90%）")
    elif text in _PLACEHOLDERS:
        hint = "（未提供的数请留空，不要填占位符）"
    elif text.upper() in _EXCEL_ERRORS:
        hint = "（Excel 错误值：公式计算出错，改正公式或直接填写数值）"
    elif _CN_NUMERAL_RE.match(text):
        hint = "（请用阿拉伯数字填写，如“二千”写作 2000）"
    elif re.fullmatch(r"\(\d+(\.\d+)?\)", text):
        hint = f"（会计格式的负数请写作 -{text.strip('()')}）"
    elif re.fullmatch(r"[+-]?\d[\d\s]*(\.\d+)?", text):
        hint = f"（去掉数字中间的空格，写作 {''.join(text.split())}）"
    elif text.startswith("="):
        hint = "（公式以文本形式保存，perfkit 不计算公式：填写计算结果）"
    return None, f"文本“{_clip(text)}”{hint}"


_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def parse_date(raw: Any) -> dt.date | None:
    """Parse a date cell: an Excel date, ``2020-04-28``, ``2020/4/28`` or ``2020年4月28日``.

    Returns:
        The date, or None when the value is not a valid date.
    """
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    m = _DATE_RE.match(unicodedata.normalize("NFKC", str(raw)).strip())
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def year_from_filename(path: str | Path) -> int | None:
    """Return the one year a file name states (``2019.xlsx``, ``益阳教育局2019年决算.xlsx``).

    None when the name states no year, or several different ones (``2018-2019对比.xlsx``).
    """
    years = set(re.findall(r"(?<!\d)((?:19|20)\d\d)(?!\d)", Path(path).stem))
    return int(years.pop()) if len(years) == 1 else None


def _is_blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and v.strip() == "")


def load_workbook(path: str | Path, *, expected_year: int | None = None,
                  confirmed: tuple[str, ...] | list[str] = ()) -> WorkbookData:
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

    Returns:
        The validated :class:`WorkbookData`; notes that do not block (for example a small
        mismatch between a total and its parts) are in its ``warnings``.

    Raises:
        WorkbookError: when anything is wrong with the file.
    """
    path = config.resolve(path)
    reads.file(path)
    col = _Collector(path.name, tuple(confirmed))
    try:
        return _load(path, col, expected_year)
    except WorkbookError:
        raise
    except Exception as exc:  # a defect of perfkit must still reach the user as a located message
        log.error("unexpected %s while reading %s: %s", type(exc).__name__, path, exc)
        log.debug("traceback", exc_info=True)
        col.add("", "", f"读取时出现意外错误（{type(exc).__name__}）", "perfkit 能读取的工作簿",
                "这是 perfkit 的缺陷：请把该文件和 PERFKIT_LOG=DEBUG 时的日志交给维护者；"
                "同时按上面其他提示检查文件")
        raise WorkbookError(col.problems) from None


def _load(path: Path, col: _Collector, expected_year: int | None) -> WorkbookData:
    book = _open_book(path, col)
    if book is None:
        raise WorkbookError(col.problems)
    try:
        _check_formulas(path, book, col)
        frames, cells, info, factor = _read_sheets(book, col, expected_year)
    finally:
        book.close()
    _check_name_year(path, info, col, cells, expected_year)
    from perfkit.data.schema import check_totals, validate_frames

    if info.get("unit") in UNIT_CHOICES:
        _check_magnitudes(frames, info, col, cells)
    _check_percent_scale(frames.get("targets"), col, cells)
    _check_self_scores(frames.get("self_scores"), col, cells)
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


def _open_book(path: Path, col: _Collector):
    """Open ``path`` with openpyxl (cached values only), or record why it cannot be opened."""
    import openpyxl

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


def _check_formulas(path: Path, book, col: _Collector) -> None:
    """Report formulas whose result was never computed (written by a tool that does not
    calculate, e.g. a script). Their cells read as empty, which would silently turn a figure
    into a data gap.
    """
    import openpyxl

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
                            f"公式 {_clip(str(text))} 没有计算结果（文件中没有保存公式的值）",
                            "已计算并保存了结果的单元格", _FORMULA_FIX)
    finally:
        formulas.close()


def _check_layout(ws, sheet: Sheet, col: _Collector) -> bool:
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


def _hidden_row(ws, sheet: Sheet, r: int, col: _Collector) -> None:
    dim = ws.row_dimensions.get(r)  # .get: do not create a dimension for every row read
    if dim is not None and dim.hidden:
        col.add(sheet.name, f"A{r}", f"第{r}行被隐藏，但有数据", "不隐藏的数据行",
                "perfkit 读取所有行，隐藏不等于删除：该行不应计入的，删除整行；"
                "应计入的，取消隐藏后核对")


def _read_sheets(book, col: _Collector, expected_year: int | None):
    frames: dict[str, pd.DataFrame] = {}
    cells: dict[tuple[str, Any, str], str] = {}
    present = {normalize_label(n): n for n in book.sheetnames}
    info: dict[str, Any] = {}
    factor = 1.0
    if not any(normalize_label(s.name) in present for s in SHEETS):
        col.add("", "", f"工作簿中没有任何模板工作表（只有：{_clip('、'.join(book.sheetnames))}）",
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
            frames[sheet.key] = _read_table(ws, sheet, col, cells, header_merged)
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
    ws, sheet: Sheet, col: _Collector, header_merged: bool
) -> tuple[dict[str, int], int]:
    """Map column key → 1-based column index; return it with the header row number (1)."""
    from openpyxl.utils import get_column_letter

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
                f"列名“{_clip(str(cell.value).strip())}”应为“{header}”", f"模板的列名“{header}”",
                f"把该表头改为“{header}”（列名须与模板一致，perfkit 不猜测列的含义）")
        headers[key] = cell.column
    for c in needed:
        if c.key not in headers and not header_merged:
            col.add(sheet.name, f"第{header_row}行", f"缺少列“{c.header}”",
                    f"表头中有“{c.header}”列", "按模板恢复该列表头，列名须与模板一致")
    return headers, header_row


def _read_keyvalue(ws, sheet: Sheet, col: _Collector, cells) -> dict[str, Any]:
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


def _check_info(info: dict[str, Any], col: _Collector, expected_year: int | None, cells) -> float:
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
        col.add(sheet.name, where("year"), f"评价年度“{_clip(str(year_raw))}”", "四位年份，如 2019",
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
            col.add(sheet.name, where("report_date"), f"报告日期“{_clip(str(raw_date))}”",
                    "日期，如 2020-04-28 或 2020年4月28日", "在“值”列填写报告的落款日期")
        info["report_date"] = parsed
    unit = str(info.get("unit") or "").strip()
    if unit not in UNIT_CHOICES:
        col.add(sheet.name, where("unit"), f"金额单位“{_clip(unit) or '（空）'}”", "万元 或 元",
                "在“值”列填写 万元 或 元")
        info["unit"] = None
        return 1.0
    info["unit"] = unit
    return UNIT_CHOICES[unit]


def _check_name_year(path: Path, info: dict[str, Any], col: _Collector, cells,
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
    ws, sheet: Sheet, col: _Collector, cells, header_merged: bool = False
) -> pd.DataFrame:
    headers, header_row = _header_map(ws, sheet, col, header_merged)
    from openpyxl.utils import get_column_letter

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
                col.add(sheet.name, f"A{r}", f"未知项目“{_clip(str(label))}”",
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
                if c.key == "domain" and text is not None:
                    text = text if text in DOMAIN_CHOICES else (
                        {v: k for k, v in DOMAIN_CHOICES.items()}.get(text, text))
                if text is not None and text not in {normalize_label(x) for x in c.choices}:
                    col.add(sheet.name, ref, f"“{_clip(str(raw))}”", "、".join(c.choices) + " 之一",
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
                col.add(sheet.name, f"A{r}", f"与第{seen[ident]}行重复（{_clip(shown)}）",
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
        frame["domain"] = frame["domain"].map(lambda d: DOMAIN_CHOICES.get(d, d))
    return _coerce_types(frame, sheet)


# ---------------------------------------------------------------------------------------------
# Plausibility: figures that type-check but cannot be meant as written
# ---------------------------------------------------------------------------------------------

#: Bounds that catch amounts typed in 元 in a workbook that declares 万元 (10000 times) and the
#: reverse (÷10000). Each sits orders of magnitude away from both a real department-year and the
#: mistake: the sample's largest amount is 31000 万元, its 三公 total 88.53 万元, its costliest
#: aid 8279 元 per person, its total spending 24788.37 万元.
MAX_AMOUNT_WAN_YUAN = 1e7  # 1000 亿元: more than any department that files this evaluation
MAX_THREE_PUBLIC_WAN_YUAN = 1e4  # 1 亿元 of 三公 spending in one department-year
MIN_TOTAL_WAN_YUAN = 10.0  # 10 万元 for a whole department-year: less than one salary
MAX_PART_TO_TOTAL = 100.0  # an item a hundred times its own sheet's total
MAX_AID_PER_PERSON_YUAN = 1e5  # 10 万元 per student per year: above every aid standard

_TOTAL_CELLS = (("income", "total", "actual"), ("expenditure", "total", "actual"),
                ("income", "total", "budget_initial"), ("expenditure", "total", "budget_initial"))


def _check_magnitudes(frames, info, col: _Collector, cells) -> None:
    """Report amounts whose size says they are in the other unit than the declared one.

    When the sheet totals themselves are off, the declared unit is wrong for the whole
    workbook: one problem at 基本信息 金额单位. Otherwise each implausible cell is reported.
    """
    from perfkit import fmt

    info_sheet = SHEET_BY_KEY["info"]
    unit = info.get("unit")
    unit_ref = cells.get(("info", "unit", "value"), f"{info_sheet.name}!B4").split("!")[1]

    def value(sheet: str, row: Any, column: str) -> float:
        frame = frames.get(sheet)
        if frame is None or row not in frame.index or column not in frame:
            return math.nan
        v = frame.at[row, column]
        return math.nan if v is None or pd.isna(v) else float(v)

    def ref(sheet: str, row: Any, column: str) -> str:
        return cells.get((sheet, row, column), "!").split("!")[1]

    totals = [(k, value(*k)) for k in _TOTAL_CELLS]
    big = [(k, v) for k, v in totals if v > MAX_AMOUNT_WAN_YUAN]
    actual = [v for k, v in totals if k[2] == "actual" and not math.isnan(v)]
    small = [(k, v) for k, v in totals if 0 < v < MIN_TOTAL_WAN_YUAN and k[2] == "actual"]
    if len(small) < len(actual):
        small = []  # only when every given actual total is tiny is the whole workbook in 万元
    confirmed_big = all(f"{SHEET_BY_KEY[k[0]].name}!{ref(*k)}" in col.to_confirm for k, _ in big)
    if (big and not confirmed_big) or (small and unit == "元"):
        (sheet, row, column), v = (big or small)[0]
        where = f"{SHEET_BY_KEY[sheet].name}!{ref(sheet, row, column)}"
        if big:
            found = (f"金额单位声明为“{unit}”，但{where}（{SHEET_BY_KEY[sheet].item(row).label}）"
                     f"折合 {fmt.num(v / 1e4)} 亿元，超出任何部门的规模")
            fix = ("表中金额看来是按“元”填写的：把金额单位改为“元”（perfkit 会换算为万元）；"
                   "若确为万元，请核对数量级")
        else:
            found = (f"金额单位声明为“元”，但{where}（{SHEET_BY_KEY[sheet].item(row).label}）"
                     f"折合只有 {fmt.num(v * 1e4)} 元，不足一个人一年的工资")
            fix = "表中金额看来是按“万元”填写的：把金额单位改为“万元”；若确为元，请核对数量级"
        if big:
            fix += CONFIRM_HINT.format(ref=where)
        col.add(info_sheet.name, unit_ref, found, "与表中金额一致的金额单位", fix)
        return

    def flag(sheet: str, row: Any, column: str, found: str) -> None:
        r = ref(sheet, row, column)
        name = SHEET_BY_KEY[sheet].name
        if not r or (name, r) in col.flagged:
            return
        col.implausible(name, r, found, f"与本表其他金额同一单位（基本信息声明的“{unit}”）",
                        f"该数看来是按{'“元”' if unit == '万元' else '“万元”'}填写的：换算为"
                        f"{unit}后填入，或核对数量级")

    for key in ("income", "expenditure", "balance", "three_public", "aid"):
        spec = SHEET_BY_KEY[key]
        frame = frames.get(key)
        if frame is None or frame.empty:
            continue
        amount_cols = [c.key for c in spec.columns if c.kind == AMOUNT]
        limit = MAX_THREE_PUBLIC_WAN_YUAN if key == "three_public" else MAX_AMOUNT_WAN_YUAN
        for row in frame.index:
            for column in amount_cols:
                v = value(key, row, column)
                if math.isnan(v):
                    continue
                if abs(v) > limit:
                    scope = "一个部门一年“三公”经费" if key == "three_public" else "任何部门"
                    flag(key, row, column,
                         f"金额 {fmt.amount(v)}（{fmt.num(v / 1e4)} 亿元），超出{scope}的规模")
                    continue
                if spec.layout == "items" and row != "total" and "total" in frame.index:
                    total = value(key, "total", column)
                    if total > 0 and v > MAX_PART_TO_TOTAL * total:
                        flag(key, row, column, f"金额 {fmt.amount(v)}，是本表合计"
                             f"{fmt.amount(total)}的 {v / total:.0f} 倍")
    tp, spend = value("three_public", "total", "actual"), value("expenditure", "total", "actual")
    if tp > 0 and spend > 0 and tp > spend:
        flag("three_public", "total", "actual",
             f"“三公”经费合计 {fmt.amount(tp)} 大于本年支出合计 {fmt.amount(spend)}"
             "（前者是后者的一部分）")
    aid = frames.get("aid")
    if aid is not None and not aid.empty:
        for row in aid.index:
            amount, persons = value("aid", row, "amount"), value("aid", row, "persons")
            if persons > 0 and amount * 1e4 / persons > MAX_AID_PER_PERSON_YUAN:
                flag("aid", row, "amount",
                     f"金额 {fmt.amount(amount)} 折合每人 {fmt.num(amount * 1e4 / persons)} 元，"
                     "超过任何资助标准")


def _check_percent_scale(frame: pd.DataFrame | None, col: _Collector, cells) -> None:
    """Report percentages written as fractions (0.9 where 90 is meant).

    In a row whose unit is %, a value of at most 1.5 is a fraction written by mistake when
    another value of the row is about a hundred times larger (0.9 next to a target of 90: the
    row mixes scales; a real 1.2% next to a target of 10% is left alone), when the direction is
    全面 (that is 100%), or when the row is a rate that should be high (name says 率, direction
    ≥): an 入学率 or 巩固率 of 1.5% is not meant. Rates that should be low (辍学率 ≤ 0.5%) and
    change rates (增长率) are left alone.
    """
    if frame is None or frame.empty:
        return
    sheet = SHEET_BY_KEY["targets"]
    columns = ("target", "actual", "prior")
    for idx in frame.index:
        unit = normalize_label(frame.at[idx, "unit"] or "")
        if unit != "%":
            continue
        vals = {c: frame.at[idx, c] for c in columns}
        known = {c: float(v) for c, v in vals.items() if v is not None and not pd.isna(v)}
        name = str(frame.at[idx, "name"] or "")
        direction = frame.at[idx, "direction"]
        change = re.search("增长|增幅|变动|下降|降低|减少", name)
        high_rate = direction == "全面" or ("率" in name and direction == "≥" and not change)
        for c, v in known.items():
            if not 0 < abs(v) <= 1.5:
                continue
            # Mixed scales: 100 v is of the size of a percentage-point value of the same row.
            big = [o for o, w in known.items() if abs(w) > 1.5 and 0.5 <= v * 100 / w <= 2]
            if not (big or high_rate):
                continue
            ref = cells.get(("targets", idx, c), "!").split("!")[1]
            header = sheet.column(c).header
            if big:
                why = f"同一行的{sheet.column(big[0]).header}为 {_plain(known[big[0]])}"
            elif direction == "全面":
                why = "方向为“全面”（即 100%）"
            else:
                why = f"“{_clip(name, 20)}”是应接近 100% 的比率"
            col.add(sheet.name, ref, f"{header} {_plain(v)}（单位 %），{why}",
                    f"百分数按百分点填写：{_plain(v * 100)} 表示 {_plain(v * 100)}%",
                    f"把 {_plain(v)} 改为 {_plain(v * 100)}；若确实只有 {_plain(v)}%，"
                    "请在备注列说明并核对目标值")


def _check_self_scores(frame: pd.DataFrame | None, col: _Collector, cells) -> None:
    """Report an item score above the item's own points (自评得分 > 分值)."""
    if frame is None or frame.empty:
        return
    sheet = SHEET_BY_KEY["self_scores"]
    for idx in frame.index:
        points, score = frame.at[idx, "points"], frame.at[idx, "score"]
        if pd.isna(points) or pd.isna(score) or score <= points + 1e-9:
            continue
        ref = cells.get(("self_scores", idx, "score"), "!").split("!")[1]
        col.add(sheet.name, ref, f"自评得分 {_plain(score)} 大于分值 {_plain(points)}",
                "不大于本项分值的得分", "核对该项的自评得分或分值")


def _plain(v: float) -> str:
    # A number as a person types it: 0.985, 98.5, 90.
    return f"{round(v, 6):g}"


# ---------------------------------------------------------------------------------------------
# Writing: the documented template, optionally filled (sample, next-year templates, tests)
# ---------------------------------------------------------------------------------------------


def write_workbook(path: str | Path, content: dict[str, Any] | None = None) -> Path:
    """Write a documented workbook: every sheet, header notes, drop-downs, fixed row labels.

    Args:
        path: destination ``.xlsx`` (a relative path is relative to the project root).
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

    from perfkit.atomic import write_bytes_atomic

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
    return write_bytes_atomic(config.resolve(path), buf.getvalue())
