"""The workbook contract: every sheet, its row labels and column headers, declared once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from perfkit import fmt

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
    #: The values a CHOICE column takes; the 领域 column's are the project's domain labels
    #: (:func:`perfkit.domains.domain_labels`), given by the reader and the template writer.
    choices: Sequence[str] = ()
    nonnegative: bool = True
    width: int = 14
    #: The plausible range of a number (beyond :data:`perfkit.data.values.MAX_ABS_NUMBER`,
    #: which bounds every number): a value outside it is refused with its cell.
    low: float | None = None
    high: float | None = None
    integer: bool = False
    range_fix: str = ""
    #: A required column that may stay empty in a row whose ``required_unless`` column holds a
    #: value (报告文字: a heading row, with its 标题级别, needs no 章节).
    required_unless: str = ""


@dataclass(frozen=True)
class Item:
    """One fixed row of an item sheet (收入, 支出 …), matched by its label."""

    key: str
    label: str
    parent: str | None = None
    note: str = ""
    #: Columns that must hold a value in this row (本年收入合计 决算数).
    required: tuple[str, ...] = ()
    #: For a number of 基本信息: its plausible range (as :class:`Column`).
    low: float | None = None
    high: float | None = None
    integer: bool = False
    range_fix: str = ""


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

DIRECTION_CHOICES = ("≥", "≤", "=", "全面")
#: Counting units of the 学生资助 sheet's 受助人次 column (计数单位); the first is the default.
COUNT_UNITS = ("人次", "人")
UNIT_CHOICES = {"万元": 1.0, "元": 1e-4}
#: Marks a 填写说明 that asks the department to act (a target ``template --from`` copied from
#: last year): ``perfkit check`` reminds of every row still carrying it; deleting the 填写说明
#: says the target was reviewed. Guidance lives in 填写说明 columns, which no report reads.
UNREVIEWED = "未核改"

@dataclass(frozen=True)
class TextSection:
    """One section of the department's own text (报告文字 sheet): where it goes in the report.

    ``label`` is what the 章节 column holds; ``guidance`` is what the template pre-fills in
    填写说明; ``titled`` sections are lists of numbered items (each row a 标题 and its 内容);
    ``expected`` sections are those a 自评报告 normally has (the 复核意见 names the missing ones
    as 完整性 findings).
    """

    key: str
    label: str
    guidance: str
    titled: bool = False
    expected: bool = True


#: The sections of a 部门整体支出绩效自评报告 that hold the department's own words, in report
#: order. The report's structure (perfkit.report.selfreport) places each one; figures are computed.
TEXT_SECTIONS: tuple[TextSection, ...] = (
    TextSection("basis", "评价依据", "自评工作所依据的法规和文件，以及自评的方式（一段话）",
                expected=False),
    TextSection("functions", "部门职能", "部门的主要职能，可按“三定”方案概括"),
    TextSection("organization", "机构设置", "内设机构和所属二级单位的个数、名称"),
    TextSection("staffing", "人员情况", "编制数、实有人数及其构成（人数同时填入基本信息表）"),
    TextSection("goals", "年度绩效目标",
                "本年度部门整体支出绩效目标；可先写一段总述（标题留空），再每项目标一行"
                "（标题写目标名称，内容写目标要求）", titled=True),
    TextSection("finance", "收支情况说明",
                "对收入、支出和预算执行情况的说明（数字由收入、支出表生成，这里写原因）",
                expected=False),
    TextSection("three_public", "三公经费说明",
                "对“三公”经费总体情况的说明（各项增减原因填在三公经费表“变动原因”列）",
                expected=False),
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
            Item("staff_authorized_count", "编制数", note="核定编制人数", low=0, high=1e7,
                 integer=True, range_fix="填写核定编制的人数（整数）；未提供的留空"),
            Item("staff_actual_count", "在职人数", note="年末实有在职人数", low=0, high=1e7,
                 integer=True, range_fix="填写年末实有在职人数（整数）；未提供的留空"),
            Item("claimed_score", "自评得分", note="部门自报的自评总分（如有）", low=0, high=100,
                 range_fix="自评得分为百分制：填写 0 到 100 之间的总分；未自评的留空"),
            Item("claimed_grade", "自评等级", note="部门自报的等级（优、良、中、差），可选"),
            Item("report_date", "报告日期", note="自评报告的落款日期，如 2020-04-28"),
            Item("report_title", "报告标题",
                 note="自评报告的标题，照原文（如“××局部门整体支出绩效情况自评报告”）；"
                      "留空即“部门名称+年度+部门整体支出绩效自评报告”"),
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
            Item("total", "本年收入合计", required=("actual",)),
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
            Item("total", "本年支出合计", required=("actual",)),
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
            Column("domain", "领域", CHOICE, required=True, width=10),
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
            Column("target_year", "目标年度", NUMBER, note="目标适用年度；留空即评价年度", width=10,
                   low=1990, high=2100, integer=True,
                   range_fix="填写四位年份，如 2020；留空即评价年度"),
            SOURCE,
            Column("note", "备注", TEXT, width=30),
            Column("guidance", "填写说明", TEXT, width=40,
                   note="perfkit 生成模板时预填的说明（目标值、上年值从何而来），报告不使用；"
                        f"标有“{UNREVIEWED}”的，核改目标值后删除该说明"),
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
                   choices=tuple(t.label for t in TEXT_SECTIONS), required_unless="level",
                   note="这段文字属于自评报告的哪一部分（复核时据以查找，如“存在的问题”）；"
                        "标题行可不填"),
            Column("title", "标题", TEXT, width=24,
                   note="标题行：标题原文（含编号）。段落行：可写段首的小标题（加粗），"
                        "按标准提纲编排时报告自动编号（（一）（二）…），此处不写序号"),
            Column("content", "内容", TEXT, width=80,
                   note="部门的原文，自评报告照录，不改写；一格可写多段（单元格内换行）。"
                        "可用 {指标代码} 引用绩效指标的实际值或 perfkit 指标的值，由数据填入；"
                        "一段只写 {表:收入}、{表:支出}、{表:三公}、{表:目标}、{表:目标完成}、"
                        "{表:自评表} 之一时，在此处放入由工作簿生成的表格（数据齐全时）"),
            Column("guidance", "填写说明", TEXT, width=40,
                   note="模板预填的说明，报告不使用"),
            SOURCE,
            Column("level", "标题级别", NUMBER, width=10, low=1, high=4, integer=True,
                   note="按部门自己的提纲写报告时填写：本行是标题，1 为一级（如“一、基本情况”），"
                        "2 为二级（“（一）…”），3 为三级（“1.…”），4 为四级（“（1）…”）；"
                        "“标题”列照原文写，编号也照写。有任一行填了标题级别，自评报告就按本表的"
                        "行序照录全部标题和段落，不再套用标准提纲"),
        ),
        required=False,
        note="部门自评报告的文字：每行一段。按部门自己的提纲写的，填“标题级别”，报告按行序照录；"
             "否则按章节排入标准提纲。内容为空的行不使用；本表为空时，自评报告是标明“草稿”的"
             "标准提纲。",
    ),
    Sheet(
        "self_scores", "自评表", "records",
        columns=(
            Column("item", "指标编号", TEXT, width=22, note="评分表中该项的编号（模板预填）"),
            Column("level1", "一级指标", TEXT, width=10),
            Column("level2", "二级指标", TEXT, width=12),
            Column("level3", "三级指标", TEXT, required=True, width=22),
            Column("points", "分值", NUMBER, width=8, low=0, high=100,
                   range_fix="按评分表填写本项分值（百分制下的分数）"),
            Column("score", "自评得分", NUMBER, width=10, note="部门对本项的自评得分",
                   low=0, high=100, range_fix="填写 0 到本项分值之间的得分"),
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


#: Totals that must equal the sum of their parts on the fixed sheets (checked on load, by
#: :mod:`perfkit.data.schema`, and in the reports, by :mod:`perfkit.assess.checks`).
@dataclass(frozen=True)
class SumCheck:
    """``total`` of ``sheet`` must equal the sum of ``parts`` in ``column``."""

    id: str
    label_zh: str
    sheet: str
    total: str
    parts: tuple[str, ...]
    column: str = "actual"


SUM_CHECKS: tuple[SumCheck, ...] = (
    SumCheck("income_parts", "本年收入合计 = 各项收入之和", "income", "total",
             ("fiscal", "superior_subsidy", "service", "business", "affiliated", "other")),
    SumCheck("expenditure_parts", "本年支出合计 = 基本 + 项目 + 上缴上级 + 经营 + 对附属单位补助",
             "expenditure", "total", ("basic", "project", "remit", "business", "subsidy")),
    SumCheck("basic_parts", "基本支出 = 人员经费 + 公用经费", "expenditure", "basic",
             ("personnel", "public")),
    SumCheck("three_public_parts", "“三公”合计 = 出国 + 公务用车 + 接待（本年）", "three_public", "total",
             ("abroad", "vehicle", "reception")),
    SumCheck("three_public_prior_parts", "“三公”合计 = 出国 + 公务用车 + 接待（上年）", "three_public",
             "total", ("abroad", "vehicle", "reception"), "prior_actual"),
    SumCheck("vehicle_parts", "公务用车小计 = 购置费 + 运行维护费", "three_public", "vehicle",
             ("vehicle_purchase", "vehicle_operation")),
)


# -- mid-year monitoring (绩效运行监控): a workbook of its own, data/<dept>/<year>-monitor-<MM>.xlsx --

#: 偏差原因 and 完成目标可能性 of the 监控表 (the finance bureaus' standard choices).
DEVIATION_CAUSES = ("经费保障", "制度保障", "人员保障", "硬件条件保障", "其他")
LIKELIHOODS = ("确定能", "有可能", "完全不可能")
#: 进度口径 of a monitored target: 累计 (a quantity reached step by step: 1–N月 is a part of the
#: year's target) or 水平 (a rate or level: 1–N月 is the level now). Empty: 水平 for a % unit.
PROGRESS_KINDS = ("累计", "水平")
#: The budget lines a 监控 workbook reports (those of the 支出 sheet).
MONITOR_LINES = ("basic", "personnel", "public", "project", "key_project", "remit", "business",
                 "subsidy", "total")


def monitor_sheets(month: int) -> tuple[Sheet, ...]:
    """The sheets of a 监控 workbook for the cut-off month ``month`` (its headers name it)."""
    spending = SHEET_BY_KEY["expenditure"]
    return (
        Sheet(
            "monitor_info", "基本信息", "keyvalue",
            columns=SHEETS[0].columns,
            items=(
                Item("department_name", "部门名称", note="必填：部门全称"),
                Item("year", "监控年度", note="必填：四位年份，如 2019"),
                Item("month", "截至月份", note="必填：1 到 11 的整数，如 7（即1-7月）"),
                Item("unit", "金额单位", note="必填：万元 或 元；读入后统一换算为万元"),
                Item("preparer", "填报人", note="可选"),
                Item("report_date", "填报日期", note="可选，如 2019-08-10"),
            ),
            note="监控的部门、年度和截至月份。",
        ),
        Sheet(
            "monitor_budget", "预算执行", "items",
            columns=(
                Column("label", "项目", TEXT, required=True, width=22),
                Column("budget", "预算数", AMOUNT, note="全年预算数（含调整）"),
                Column("executed", f"截至{month}月执行数", AMOUNT,
                       note=f"1-{month}月累计支出数"),
                Column("note", "说明", TEXT, width=40),
            ),
            items=tuple(spending.item(k) for k in MONITOR_LINES),
            note=f"全年预算数与1-{month}月累计执行数；未提供的留空。",
        ),
        Sheet(
            "monitor_targets", "监控", "records",
            columns=(
                Column("code", "指标代码", TEXT, width=26,
                       note="perfkit 指标代码（模板从绩效指标表预填）；年底复核据以对照实际值"),
                Column("level1", "一级指标", TEXT, width=10, note="如 产出指标、效益指标"),
                Column("level2", "二级指标", TEXT, width=10, note="如 数量指标、质量指标"),
                Column("name", "三级指标", TEXT, required=True, width=26),
                Column("unit", "单位", TEXT, width=8),
                Column("direction", "方向", CHOICE, choices=DIRECTION_CHOICES, width=6,
                       note="≥ 越大越好；≤ 越小越好；= 等于目标；全面 即100%"),
                Column("target", "年度指标值", NUMBER, nonnegative=False),
                Column("done", f"1-{month}月执行情况", NUMBER, nonnegative=False,
                       note="累计指标填1-N月累计完成数；比率、水平指标填截至N月的值"),
                Column("expected", "全年预计完成", NUMBER, nonnegative=False),
                Column("cause", "偏差原因", CHOICE, choices=DEVIATION_CAUSES, width=12,
                       note="预计完成不到年度指标值、或完成可能性不是“确定能”时必须选择"),
                Column("likelihood", "完成目标可能性", CHOICE, choices=LIKELIHOODS, width=12),
                Column("measures", "纠偏措施", TEXT, width=40,
                       note="有偏差时写明纠偏措施（责任科室、时限）"),
                Column("note", "备注", TEXT, width=24),
                Column("progress", "进度口径", CHOICE, choices=PROGRESS_KINDS, width=10,
                       note="累计：1-N月为全年目标的一部分；水平：比率或水平，1-N月即当前值。"
                            "留空即单位为 % 的为水平，其余为累计"),
            ),
            note="每个年度绩效目标一行：1-N月执行情况、全年预计完成、偏差原因、完成可能性和纠偏措施。",
        ),
    )
