"""Run settings for one department-year (params/<dept>/<year>.yaml); unknown keys are refused."""

from __future__ import annotations

import dataclasses
import datetime
import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    JsonValue,
    StrictBool,
    StrictInt,
    StrictStr,
    TypeAdapter,
    ValidationInfo,
)
from pydantic import ValidationError as _ValidationError
from pydantic.dataclasses import dataclass

from perfkit import config, reads, yamlcheck
from perfkit.data.limits import MAX_COLUMNS, MAX_ROWS, MAX_WORKBOOK_MB, ReadLimits
from perfkit.data.sheets import SHEET_BY_NAME
from perfkit.domains import catalogs, domain_labels
from perfkit.errors import ParamsError

#: A department code, score-sheet name or notebook name: a folder or file name, never a path.
#: Matched with ``fullmatch`` (``$`` would accept a trailing newline).
_SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
#: A cell as perfkit names it in messages: ``三公经费!C5`` (sheet name, then A1 reference).
CELL_REF = re.compile(
    r"^\s*(?P<sheet>[^!！\s]+)\s*[!！]\s*(?P<cell>[A-Za-z]{1,3}[1-9][0-9]{0,6})\s*$")


def _slug(value: str) -> str:
    if not _SLUG.fullmatch(value):
        raise ValueError(f"“{_shown(value)}”无效：只能包含字母、数字、- 和 _，例如 yiyang-edu")
    return value


def _shown(value: object) -> str:
    """A name as typed, control characters visible (a trailing newline shows as \\n)."""
    text = str(value)
    return repr(text)[1:-1] if any(not ch.isprintable() for ch in text) else text


def _sheet_name(value: str) -> str:
    if not _SLUG.fullmatch(value):  # a file stem under params/score_sheets/, never a path
        raise ValueError(f"“{_shown(value)}”无效：应为 params/score_sheets/ 下评分表的文件名（不含 "
                         ".yaml），只能包含字母、数字、- 和 _")
    return value


def _project(info: ValidationInfo) -> config.Project | None:
    """The project settings are validated for (:func:`settings_from_dict` passes it in the
    validation context); None: the current one."""
    return (info.context or {}).get("project")


def _workbook(value: str, info: ValidationInfo) -> str:
    if value:
        try:
            safe_path(value, "workbook", _project(info))
        except ParamsError as exc:
            raise ValueError(str(exc)) from None
    return value


def _known_domains(project: config.Project | None) -> str:
    """The catalog domains in use (perfkit's and the project's), ``key（label）`` each."""
    return "、".join(f"{k}（{c.label_zh}）" for k, c in catalogs(project).items())


def _domain_of(value: str, project: config.Project | None) -> str:
    """A domain key, or the 领域 label as the workbook writes it (教育质量 → quality)."""
    keys = domain_labels(project)
    if value in keys.values():
        return value
    if value in keys:
        return keys[value]
    raise ValueError(f"未知的领域“{value}”；可用的领域：{_known_domains(project)}（领域代码即领域目录"
                     "的文件名；本部门自己的领域目录放在 domains/<领域代码>.yaml；财务总是包含，不必列出）")


def _domain(value: str, info: ValidationInfo) -> str:
    return _domain_of(value, _project(info))


def _domains_in_order(values: tuple[str, ...] | None,
                      project: config.Project | None) -> tuple[str, ...] | None:
    """The catalog domains listed, without finance and other (always on), each once, in the
    catalogs' order."""
    if values is None:
        return None
    order = list(catalogs(project))
    listed = {v for v in values if v not in ("finance", "other")}
    return tuple(k for k in order if k in listed)


def _domains(values: tuple[str, ...] | None, info: ValidationInfo) -> tuple[str, ...] | None:
    return _domains_in_order(values, _project(info))


def _notebook_of(value: str, project: config.Project | None) -> str:
    """A notebook: report, review, finance, or a domain's report by its key or 领域 label."""
    if value in config.DOCUMENTS or value in catalogs(project):
        return value
    labels = domain_labels(project)
    if value in labels and labels[value] != "other":
        return labels[value]
    raise ValueError(f"未知的笔记本“{value}”；可用：{', '.join(config.DOCUMENTS)}，"
                     f"或一个领域的代码或名称（{_known_domains(project)}）")


def _notebook(value: str, info: ValidationInfo) -> str:
    return _notebook_of(value, _project(info))


def _one_line(value: str) -> str:
    if any(ch in value for ch in "\r\n\t") or len(value) > 200:
        raise ValueError("应为一行文字（不超过200字，不含换行）")
    return value.strip()


def _date_text(value: object) -> object:
    """A date YAML read as a date (``review_date: 2020-06-30``), as the text it was."""
    return value.isoformat() if isinstance(value, datetime.date) else value


def _iso_date(value: str) -> str:
    value = value.strip()
    if value:
        try:
            datetime.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"“{_shown(value)}”不是日期：应写成 YYYY-MM-DD，如 2020-06-30") from None
    return value


#: 结果应用 by grade when the settings say nothing (财预〔2020〕10号 第二十七条 practice).
RESULT_USE_DEFAULT: dict[str, str] = {
    "优": "予以支持，下年度预算优先保障",
    "良": "予以支持，督促整改存在的问题",
    "中": "核减下年度预算10%-30%，限期整改",
    "差": "核减下年度预算30%以上，限期整改；整改不到位的暂停安排",
}


def _result_use(value: dict[str, str]) -> dict[str, str]:
    unknown = [k for k in value if k not in RESULT_USE_DEFAULT]
    if unknown:
        raise ValueError(f"结果应用的等级只能是 优、良、中、差，不能是“{_shown(unknown[0])}”")
    return {k: v.strip() for k, v in value.items()}


def _cell(value: str) -> str:
    m = CELL_REF.match(value)
    if not m or m["sheet"] not in SHEET_BY_NAME:
        raise ValueError(f"“{value}”不是工作簿单元格：应写作 表名!单元格，如 三公经费!C5"
                         "（照抄 perfkit 提示中的位置）")
    return f"{m['sheet']}!{m['cell'].upper()}"


def _ascending(value: tuple[float, float]) -> tuple[float, float]:
    if not 0 <= value[0] <= value[1] <= 200:
        raise ValueError("两个界限应在 0 到 200 之间，且第一个不大于第二个，如 [60, 80]")
    return value


def _month_floors(value: dict[int, float]) -> dict[int, float]:
    for month, floor in value.items():
        if not 1 <= month <= 11 or not 0 <= floor <= 100:
            raise ValueError(f"“{month}: {floor}”无效：月份为 1 到 11，执行率为 0 到 100，"
                             "如 {4: 25, 6: 40}")
    return dict(sorted(value.items()))


Amount = Annotated[float, Field(strict=True, ge=0, allow_inf_nan=False)]


#: The score sheet of a department-year whose settings name none.
DEFAULT_SCORE_SHEET = "input-process-output-outcome"


def _setting(zh: str, effect: str, example: str, *, values: str = "", default: str = "") -> Any:
    """The documentation of one run setting, kept on its field: the README's settings table
    (:func:`settings_table`) and the comments of a new settings file
    (:func:`write_settings_file`) are generated from it.

    Args:
        zh: what the setting decides, in a line of Chinese (the settings file's comment).
        effect: what it decides, for the README table.
        example: a YAML line setting it.
        values: the values it takes, when its type does not list them (a ``Literal`` does).
        default: the default as a reader should see it, when not the field's default value.
    """
    extra: dict[str, JsonValue] = {k: v for k, v in (("values", values), ("default", default)) if v}
    return Field(title=zh, description=effect, examples=[example], json_schema_extra=extra or None)


@dataclass(frozen=True, config=ConfigDict(extra="forbid"))
class Settings:
    """Settings of one department-year run (validated on construction; unknown keys refused).

    What each setting decides is written on its field (``_setting``): the README table
    "Run settings" is generated from those descriptions, and a test keeps the two identical.
    """

    department: Annotated[StrictStr, AfterValidator(_slug), _setting(
        "部门代码（data/ 下的文件夹名）",
        "The department code: the folder under `data/` and `params/`. A settings file naming "
        "another department is refused.",
        "department: county-health", values="letters, digits, `-` and `_`",
        default="the file's folder, `params/<dept>/`")]
    year: Annotated[StrictInt, Field(ge=1990, le=2100), _setting(
        "评价年度",
        "The evaluation year. A settings file naming another year is refused.",
        "year: 2022", values="1990–2100", default="the file's name, `<year>.yaml`")]
    workbook: Annotated[StrictStr, AfterValidator(_workbook), _setting(
        "工作簿路径（相对项目文件夹）",
        "The workbook, relative to the project root; a path outside the project is refused.",
        "workbook: data/county-health/2022-修订.xlsx", values="a path in the project",
        default="`data/<dept>/<year>.xlsx`")] = ""
    budget_basis: Annotated[Literal["initial", "adjusted"], _setting(
        "完成率的分母：initial 年初预算数，adjusted 调整预算数（决定预算完成率等，影响得分）",
        "The budget every completion rate divides by: `initial` the 年初预算数, `adjusted` the "
        "调整预算数 (the 口径 varies by locality). It decides 预算完成率, 收入预算完成率, "
        "事业收入完成率, 公用经费控制率, the budget bars of the charts and so the score: spending "
        "of 11450.73万元 against 年初预算 10300.00 and 调整预算 11680.50 is a 预算完成率 of "
        "111.17% (`initial`) or 98.03% (`adjusted`). The reports name the basis used.",
        "budget_basis: adjusted")] = "initial"
    carryover_rate_basis: Annotated[Literal["budget", "actual"], _setting(
        "结转结余率的分母：budget 支出预算数（按 budget_basis），actual 支出决算数",
        "The denominator of 结转结余率 (年末结转和结余 / spending): `budget` the spending budget "
        "(of `budget_basis`), `actual` the 支出决算数.",
        "carryover_rate_basis: actual")] = "budget"
    three_public_change_basis: Annotated[Literal["actual", "budget"], _setting(
        "“三公”经费较上年变动的口径：actual 决算数比上年决算数，budget 预算数比上年预算数",
        "What the indicators “三公”经费较上年增减额 and “三公”经费变动率 (scored by the score "
        "sheets) compare: `actual` 决算数 with 上年决算数, `budget` 预算数 with 上年预算数.",
        "three_public_change_basis: budget")] = "actual"
    tolerance_wan_yuan: Annotated[Amount, _setting(
        "金额核对的容差（万元）：相差不超过它的视为一致",
        "How far an amount may be from a sum or a stated figure and still be 一致 (勾稽关系, "
        "报告数值, the audit), in 万元.",
        "tolerance_wan_yuan: 0.05", values="a number ≥ 0")] = 0.5
    tolerance_pp: Annotated[Amount, _setting(
        "比率核对的容差（百分点）",
        "The same for ratios and rates, in percentage points.",
        "tolerance_pp: 0.01", values="a number ≥ 0")] = 0.1
    score_sheet: Annotated[StrictStr, AfterValidator(_sheet_name), _setting(
        "复核评分表（params/score_sheets/ 下的文件名，不含 .yaml）",
        "The score sheet of the 复核得分: a file stem under `params/score_sheets/` (a project's "
        "own wins) or one perfkit ships, `input-process-output-outcome` or `cz-2020-10` "
        "(its former name `hunan-53` is still accepted).",
        "score_sheet: cz-2020-10", values="a score sheet's name")] = DEFAULT_SCORE_SHEET
    missing_policy: Annotated[Literal["zero", "exclude"], _setting(
        "评分表某项缺少数据时：zero 得0分（缺少佐证），exclude 不计该项、分值分配给其他项",
        "How a score-sheet item whose data the workbook lacks scores: `zero` it scores 0 "
        "(缺少佐证), `exclude` it is left out and its points are redistributed over the other "
        "items. The 复核意见 states which.",
        "missing_policy: exclude")] = "zero"
    domains: Annotated[tuple[Annotated[StrictStr, AfterValidator(_domain)], ...] | None,
                       AfterValidator(_domains), _setting(
        "本年度的业务领域（领域代码或领域名称）：只运行这些领域的报告，自评报告、复核意见和数据字典"
        "只包括这些领域；财务总是包括",
        "The business domains of the department-year: their reports run, and the 自评报告, "
        "the 复核意见 and the data dictionary cover them; finance is always on. Without the "
        "key, the domains the workbook covers (a 绩效指标 row of the 领域, or rows in a sheet "
        "the catalog reads).",
        "domains: [health]",
        values="a list of domain keys or 领域 labels (`perfkit codes` lists them)",
        default="(absent) the workbook's")] = None
    notebooks: Annotated[tuple[Annotated[StrictStr, AfterValidator(_notebook)], ...] | None,
                         _setting(
        "只运行这些笔记本（report、review、finance、领域代码或领域名称）",
        "Which notebooks `perfkit run` executes for the department-year (`--notebook` "
        "chooses for one run).",
        "notebooks: [report, review]",
        values="a list of `report`, `review`, `finance` and domain keys or 领域 labels",
        default="(absent) all, one domain report per domain")] = None
    confirmed_values: Annotated[tuple[Annotated[StrictStr, AfterValidator(_cell)], ...],
                                _setting(
        "经核实的异常数值所在单元格（如 三公经费!C5）：不再拒绝工作簿，作为提醒列出",
        "Cells whose size the plausibility checks flag but that the department confirmed as "
        "real figures (as the message names them): `perfkit check` prints them as 提醒 and the "
        "audit and the 复核意见 list them as 已核实 instead of refusing the workbook. Not "
        "carried into next year by `template --from`.",
        'confirmed_values: ["三公经费!C5"]', values="a list of cells, `表名!单元格`",
        default="`[]`")] = ()
    pdf_layout: Annotated[Literal["web", "official"], _setting(
        "PDF 版式：web 为 perfkit 的打印版式，official 为党政机关公文格式（GB/T 9704-2012）",
        "The PDFs' layout: `web` perfkit's print layout, `official` the layout of GB/T "
        "9704-2012 with free fonts approximating the official ones (as `--official-pdf`).",
        "pdf_layout: official")] = "web"
    report_pdf_layout: Annotated[Literal["web", "official"], _setting(
        "自评报告 PDF 的版式：默认 official（公文格式，部门报送的版式）；web 为打印版式",
        "The layout of the 自评报告's PDF: `official` (GB/T 9704, the layout a department "
        "submits) by default; `web` perfkit's print layout. `--official-pdf` sets every PDF "
        "official.", "report_pdf_layout: web")] = "official"
    review_stage: Annotated[Literal["initial", "final"], _setting(
        "复核阶段：initial 初审（缺少佐证的评分项列为待补充资料、不计0分，复核意见列出补充资料清单和"
        "得分区间），final 终审（补充资料后仍缺少佐证的，按复核口径计0分）",
        "The stage of the 复核: `initial`, a first reading, where a score-sheet item the "
        "evidence for which is missing is 待补充资料 (not 0): the 复核意见 lists the 补充资料清单 "
        "with its deadline and gives the score as a range (已核实部分, 待补充资料); `final`, "
        "after the department supplied what it could, where what is still missing scores 0 "
        "under the 复核口径 rule that says so.",
        "review_stage: final")] = "initial"
    review_org: Annotated[StrictStr, AfterValidator(_one_line), _setting(
        "复核机构（复核意见的署名单位，如 益阳市财政局）",
        "The reviewing body that signs the 复核意见 (its 落款 and conclusion page). Left "
        "blank, the opinion leaves the line blank for hand filling.",
        "review_org: 益阳市财政局", values="a line of text", default="blank")] = ""
    reviewer: Annotated[StrictStr, AfterValidator(_one_line), _setting(
        "复核人（多人用顿号分隔）",
        "Who reviewed: printed on the conclusion page beside the signature line.",
        "reviewer: 张三、李四", values="a line of text", default="blank")] = ""
    review_doc_no: Annotated[StrictStr, AfterValidator(_one_line), _setting(
        "复核意见文号（如 益财绩〔2020〕12号）",
        "The 文号 of the 复核意见, printed under its title; blank leaves it out.",
        "review_doc_no: 益财绩〔2020〕12号", values="a line of text", default="blank")] = ""
    review_date: Annotated[StrictStr, BeforeValidator(_date_text), AfterValidator(_iso_date),
                           _setting(
        "复核意见日期（YYYY-MM-DD）；补充资料期限和整改期限从这天算起",
        "The date of the 复核意见 (YYYY-MM-DD): its 落款, and the day the 补充资料 and "
        "整改 deadlines count from. Blank: the 落款 date is left for hand filling and the "
        "deadlines are given in days.",
        "review_date: 2020-06-30", values="a date, YYYY-MM-DD", default="blank")] = ""
    supplement_days: Annotated[StrictInt, Field(ge=1, le=365), _setting(
        "补充资料期限（天，自复核意见日期起）",
        "Days the department has to send the 补充资料 an `initial` 复核 asks for.",
        "supplement_days: 10", values="1–365")] = 15
    rectify_days: Annotated[StrictInt, Field(ge=1, le=730), _setting(
        "整改期限（天，自复核意见日期起）",
        "Days the department has to rectify the problems the 复核意见 lists (its 整改要求).",
        "rectify_days: 90", values="1–730")] = 60
    result_use: Annotated[dict[StrictStr, StrictStr], AfterValidator(_result_use), _setting(
        "结果应用：按复核等级（优、良、中、差）写明预算安排上的处理",
        "What the 复核 grade means for next year's budget (结果应用), by grade: printed on "
        "the conclusion page of the 复核意见 and in a bureau's summary. A grade left out keeps "
        "its default (财预〔2020〕10号 第二十七条 practice).",
        "result_use: {中: 核减下年度预算10%-30%}",
        values="a mapping of 优/良/中/差 to a line of text",
        default="优/良 予以支持，中 核减10%-30%，差 核减30%以上")] = \
        dataclasses.field(default_factory=dict)
    monitor_levels_pct: Annotated[tuple[float, float], AfterValidator(_ascending), _setting(
        "监控预警等级的界限（%，时间进度调整后的执行率）：低于第一个为红色，低于第二个为黄色，其余绿色",
        "Warning levels of mid-year monitoring (`perfkit run --monitor N`): execution ÷ "
        "(N/12), in %; below the first bound is 红色, below the second 黄色, else 绿色.",
        "monitor_levels_pct: [60, 80]", values="two numbers 0–200, ascending")] = (60.0, 80.0)
    monitor_month_floors_pct: Annotated[dict[int, float], AfterValidator(_month_floors), _setting(
        "按月的执行进度节点（月份: 累计执行率%）：截至月份已过的最近节点未达到的，列为进度预警",
        "Execution floors by month end (month: cumulative execution %): monitoring at month N "
        "checks the latest floor at or before N; execution below it is a 进度预警.",
        "monitor_month_floors_pct: {4: 25, 6: 40, 8: 60, 10: 80}",
        values="a mapping of months 1–11 to 0–100",
        default="{4: 25, 6: 40, 8: 60, 10: 80}")] = dataclasses.field(
        default_factory=lambda: {4: 25.0, 6: 40.0, 8: 60.0, 10: 80.0})
    monitor_gap_pp: Annotated[Amount, _setting(
        "预算执行进度与目标完成进度相差超过该值（百分点）的，列为不匹配",
        "Points by which budget execution may differ from the targets' progress before "
        "monitoring lists the mismatch.", "monitor_gap_pp: 15", values="a number ≥ 0")] = 10.0
    monitor_year_end: Annotated[StrictBool, _setting(
        "复核意见是否将本年度运行监控的预计与年底完成情况逐项对照（监控工作簿为合成或演示数据时设为 false）",
        "Whether the 复核意见 sets the year's latest 监控 workbook (its predictions and warnings) "
        "beside the year-end results, and lists a target warned about and then missed without "
        "纠偏措施 as a finding. `false` for a 监控 workbook that is not the department's "
        "submission (the sample's is synthetic).",
        "monitor_year_end: false", values="`true` / `false`")] = True
    max_rows: Annotated[StrictInt, Field(ge=100, le=1_000_000), _setting(
        "每个工作表最多读取的行数（含表头）；其下方有内容的，指出单元格并拒绝",
        "Rows of one workbook sheet, header included, that perfkit reads: a value below is "
        "refused with its cell (a real department's longest sheet has a few hundred rows). "
        "Raise it for a workbook that genuinely holds more.",
        "max_rows: 20000", values="100–1000000")] = MAX_ROWS
    max_columns: Annotated[StrictInt, Field(ge=20, le=16_384), _setting(
        "每个工作表最多读取的列数；其右侧有内容的，指出单元格并拒绝",
        "Columns of one sheet that perfkit reads (the template has at most 12): a value further "
        "right is refused with its cell.",
        "max_columns: 80", values="20–16384")] = MAX_COLUMNS
    max_workbook_mb: Annotated[float, Field(strict=True, gt=0, le=2048, allow_inf_nan=False),
                               _setting(
        "工作簿解压后要读取的数据上限（MB）：模板的工作表、全部文字和样式",
        "Decompressed size, in MB, of the workbook parts perfkit parses (the template's sheets, "
        "the shared strings that hold all the text, the styles): a larger workbook is refused "
        "before anything is parsed, naming the largest part (formatted empty ranges and pasted "
        "data are the usual cause).",
        "max_workbook_mb: 50", values="a number > 0, at most 2048")] = MAX_WORKBOOK_MB

    @property
    def read_limits(self) -> ReadLimits:
        """What of the workbook is read (rows, columns, decompressed size)."""
        return ReadLimits(self.max_rows, self.max_columns, self.max_workbook_mb)

    @property
    def result_use_by_grade(self) -> dict[str, str]:
        """结果应用 for every grade: the settings' own lines over the defaults."""
        return {**RESULT_USE_DEFAULT, **self.result_use}

    @property
    def budget_column(self) -> str:
        """The workbook column completion rates divide by (年初预算数 or 调整预算数)."""
        return "budget_adjusted" if self.budget_basis == "adjusted" else "budget_initial"

    @property
    def budget_label_zh(self) -> str:
        """How reports name that budget: 年初预算 or 调整预算."""
        return "调整预算" if self.budget_basis == "adjusted" else "年初预算"

    def workbook_path(self, project: config.Project | None = None) -> Path:
        """Return the absolute workbook path in ``project`` (default: the current one),
        refusing paths outside it."""
        if not self.workbook:
            return safe_path(config.workbook_path(self.department, self.year, project), "workbook",
                             project)
        return safe_path(self.workbook, "workbook", project)


def domain_key(value: str, project: config.Project | None = None) -> str:
    """One domain as typed on the command line, key or 领域 label (卫生健康 → health, 财务 →
    finance), as its key.

    Raises:
        ParamsError: it names no domain in use (the message lists those that do).
    """
    try:
        return _domain_of(value.strip(), project)
    except ValueError:
        raise ParamsError(f"未知的领域“{value}”；可用的领域（代码或名称均可）：finance（财务）、"
                          f"{_known_domains(project)}；本部门自己的领域目录放在 domains/<领域代码>.yaml"
                          ) from None


def notebook_key(value: str, project: config.Project | None = None) -> str:
    """A notebook as typed on the command line: report, review, finance, or a domain's report
    by its key or 领域 label (卫生健康 → health).

    Raises:
        ParamsError: it names no notebook (the message lists them).
    """
    try:
        return _notebook_of(value.strip(), project)
    except ValueError as exc:
        raise ParamsError(str(exc)) from None


def check_domains(keys: list[str], project: config.Project | None = None) -> tuple[str, ...]:
    """Catalog domain keys (or 领域 labels) as typed on the command line, validated.

    Raises:
        ParamsError: a key names no catalog in use (the message lists those that do).
    """
    try:
        return _domains_in_order(tuple(_domain_of(k.strip(), project) for k in keys if k.strip()),
                                 project) or ()
    except ValueError as exc:
        raise ParamsError(str(exc)) from None


def check_notebooks(names: list[str], project: config.Project | None = None) -> tuple[str, ...]:
    """Notebook names as typed on the command line (``-n``): report, review, finance, a
    domain's key or 领域 label (as its key, :func:`notebook_key`), or the file stem of a
    project's own notebook (passed on as typed: the runner says when it does not exist).

    Raises:
        ParamsError: a name that is none of those: a path (``../../x``), or a name with
            spaces, control characters or anything but letters, digits, - and _.
    """
    out = []
    for name in names:
        try:
            out.append(notebook_key(name, project))
        except ParamsError:
            if not _SLUG.fullmatch(name):
                raise ParamsError(
                    f"--notebook（-n）的值“{_shown(name)}”不是笔记本名称（不能含路径、空白或 / \\ . "
                    f"等字符）；可用：{', '.join(config.DOCUMENTS)}，或一个领域的代码或名称"
                    f"（{_known_domains(project)}）") from None
            out.append(name)
    return tuple(out)


def check_department(dept: str) -> str:
    """Return ``dept`` if it is a safe department code, else raise ParamsError."""
    if not isinstance(dept, str) or not _SLUG.fullmatch(dept):
        raise ParamsError(
            f"部门代码“{_shown(dept)}”无效：只能包含字母、数字、- 和 _（它是 data/ 下的文件夹名），"
            "例如 yiyang-edu。"
        )
    return dept


def safe_path(value: str | Path, what: str, project: config.Project | None = None) -> Path:
    """Resolve ``value`` against the project root (default: the current project's) and refuse
    anything outside the project and its outputs folder, symbolic links included (a link inside
    the project to a file or folder outside is refused)."""
    project = project or config.current()
    given = Path(value)
    given = given if given.is_absolute() else project.root / given
    p = given.resolve()
    allowed = [project.root, project.outputs_dir]
    if not any(p == a or a in p.parents for a in allowed):
        inside = Path(os.path.abspath(given))
        if any(inside == a or a in inside.parents for a in allowed):
            raise ParamsError(
                f"{what} 路径“{value}”是（或经过）指向项目文件夹 {project.root} 之外（{p}）的符号"
                "链接，已拒绝：perfkit 只读写项目文件夹内的文件。把文件复制到项目中，替换该链接。")
        raise ParamsError(f"{what} 路径“{value}”在项目文件夹 {project.root} 之外，已拒绝。")
    return p


def load_settings(department: str, year: int, params_file: str | Path | None = None,
                  project: config.Project | None = None) -> Settings:
    """Load settings for a department-year.

    Reads ``params_file`` or, when empty, ``params/<dept>/<year>.yaml`` if it exists; missing
    keys take defaults.

    Raises:
        ParamsError: unknown key, wrong type, bad choice, or a path outside the project.
    """
    check_department(department)
    path = safe_path(params_file or config.params_path(department, year, project), "params",
                     project)
    reads.file(path)  # absent too: writing the file later changes the settings
    raw: dict[str, Any] = {}
    node = None
    if path.exists():
        raw, node = _read(path)
    elif params_file:
        raise ParamsError(f"运行设置文件不存在：{path}")
    _check_identity(raw, department, year, path, node)
    return settings_from_dict({"department": department, "year": year, **raw}, str(path), node,
                              project)


def settings_for_workbook(workbook: str | Path, year: int | None, params_file: str | Path = "",
                          project: config.Project | None = None) -> Settings | None:
    """The run settings that apply to a workbook given by its path (``check``, ``audit``).

    ``params_file`` when given (its own department and year, else those below); otherwise
    ``params/<folder>/<year>.yaml`` when the workbook's folder is a department code, the year is
    known (from the request or the file name) and that file exists. None when none applies.
    """
    department = Path(workbook).resolve().parent.name
    if params_file:
        path = safe_path(params_file, "params", project)
        if path.is_file():
            raw, node = _read(path)
            if "year" in raw and (not isinstance(raw["year"], int) or isinstance(raw["year"], bool)):
                # A year written as text ("2019") is an error in the file, named with its line.
                settings_from_dict({"department": "audit", **raw}, str(path), node, project)
            if not isinstance(raw.get("year", year), int):
                return None  # the year is known once the workbook is read (the caller retries)
        return load_settings_file(params_file,
                                  department if _SLUG.fullmatch(department) else "audit",
                                  year, project)
    if not isinstance(year, int) or not _SLUG.fullmatch(department) \
            or not config.params_path(department, year, project).exists():
        return None
    return load_settings(department, year, project=project)


def load_settings_file(params_file: str | Path, department: str = "audit",
                       year: int | None = None, project: config.Project | None = None) -> Settings:
    """A settings file in its own name: the department and year it states, else those given.

    Raises:
        ParamsError: the file is invalid, or states no year and none is given.
    """
    path = safe_path(params_file, "params", project)
    if not path.is_file():
        raise ParamsError(f"运行设置文件不存在：{path}")
    raw = read_settings_file(path)
    named, stated = raw.get("department", department), raw.get("year", year)
    if not isinstance(stated, int):
        raise ParamsError(f"运行设置 {path}: 无法确定年度：在文件中写明 year（如 year: 2019）")
    return load_settings(named if isinstance(named, str) else department, stated, params_file,
                         project)


def _read(path: Path) -> tuple[dict[str, Any], Any]:
    raw, node = yamlcheck.load(path, ParamsError, "运行设置")
    if raw is None:
        return {}, None
    if not isinstance(raw, dict):
        raise ParamsError(f"运行设置 {path}: 应为“键: 值”形式的映射")
    return raw, node


def read_settings_file(path: Path) -> dict[str, Any]:
    """The mapping a settings file holds (unvalidated)."""
    return _read(path)[0]


def _check_identity(raw: dict[str, Any], department: str, year: int, path: Path,
                    node: Any = None) -> None:
    """Refuse a settings file written for another department or year than the one requested."""
    for key, wanted, what in (("department", department, "部门"), ("year", year, "年度")):
        if key in raw and raw[key] != wanted:
            line = yamlcheck.line_of(node, [key])
            raise ParamsError(
                f"运行设置 {path}{f' 第 {line} 行' if line else ''}: 这是{what}“{_shown(raw[key])}”的运行"
                f"设置（{key}: {_shown(raw[key])}），但要处理的是{what}“{wanted}”。请改用该{what}自己的运行"
                f"设置文件，或更正文件中的 {key}。")


def settings_from_dict(raw: dict[str, Any], where: str = "params", node: Any = None,
                       project: config.Project | None = None) -> Settings:
    """Build :class:`Settings` from a mapping, naming every unknown key or bad value.

    Args:
        raw: the settings.
        where: the file (or what else) they come from, for the message.
        node: the YAML node tree of that file (:func:`perfkit.yamlcheck.load`), for line numbers.
        project: the project whose domains and folders the settings name; default the current
            one.
    """
    if "pdf_engine" in raw:  # a setting of perfkit before Typst set both layouts
        line = yamlcheck.line_of(node, ["pdf_engine"])
        raise ParamsError(yamlcheck.report(Path(where), "运行设置", [
            f"{f'第 {line} 行 ' if line else ''}pdf_engine: 这一设置已取消，请删去这一行。PDF 现在"
            "全部由 Typst 排版，WeasyPrint 已不再使用；公文版式（GB/T 9704-2012）仍用 "
            "pdf_layout: official 或 perfkit run --official-pdf。"]))
    try:
        return _ADAPTER.validate_python(raw, context={"project": project})
    except _ValidationError as exc:
        items = yamlcheck.problems(exc, node)
        known = ", ".join(Settings.__dataclass_fields__)
        items = [f"{p}（可用的设置项：{known}）" if p.endswith("不认识的键") else p
                 for p in items]
        raise ParamsError(yamlcheck.report(Path(where), "运行设置", items)) from None


_ADAPTER = TypeAdapter(Settings)
