"""The department's 自评报告: its own words quoted from the 报告文字 sheet, its figures computed.

This is the department's document. Text the department wrote (报告文字, 三公经费 变动原因) is
quoted as written — plain text in the blocks, never rewritten; a ``{指标代码}`` placeholder in it is
filled with the value from the workbook. Figures are computed from the department's own
workbook. Nothing here is the reviewer's: no verdicts, no recomputed score, no audit (those are
in :mod:`perfkit.report.review`). Where the workbook holds nothing for a section, the section says so.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from perfkit import fmt
from perfkit.assess import targets
from perfkit.assess.claims import claimed_items
from perfkit.assess.evaluation import Evaluation
from perfkit.assess.scoresheet import load_sheet
from perfkit.assess.targets import target_text
from perfkit.cells import is_missing
from perfkit.data.sheets import TEXT_SECTIONS
from perfkit.data.values import normalize_label
from perfkit.errors import Problem
from perfkit.indicators.finance import sheet_lines
from perfkit.report.blocks import Blocks, Heading, Paragraph, Signature, Table, b, par, run_in
from perfkit.report.narrative import _total_clause, three_public_items
from perfkit.report.tables import styled

_SECTION_BY_KEY = {t.key: t for t in TEXT_SECTIONS}
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")



_number = fmt.numbering


def _value_text(ev: Evaluation, code: str) -> str | None:
    """A placeholder's value: the 绩效指标 实际值 of ``code`` (with its qualifier) or the value
    of the perfkit indicator ``code``; None when neither exists."""
    m = targets.metrics(ev)
    rows = m[(m["code"] == code) & ~m["next_year"]]
    if not rows.empty:
        r = rows.iloc[0]
        return with_qualifier(r["actual"], r["unit"], r["qualifier"])
    if code in ev.indicators.index:
        r = ev.indicators.loc[code]
        return fmt.with_unit(r["value"], r["unit"], int(r["decimals"]))
    return None


def fill(ev: Evaluation, text: str) -> tuple[str, list[str]]:
    """Replace ``{code}`` placeholders with values from the data.

    Returns:
        The filled text and the codes that name nothing (left in place, reported).
    """
    unknown: list[str] = []

    def sub(m: re.Match) -> str:
        value = _value_text(ev, m.group(1))
        if value is None:
            unknown.append(m.group(1))
            return m.group(0)
        return value

    return _PLACEHOLDER.sub(sub, text), unknown


def placeholder_problems(ev: Evaluation) -> list[Problem]:
    """``{code}`` placeholders in 报告文字 that name nothing (:func:`fill` would leave them as
    typed): one located problem per cell, for ``perfkit check``."""
    frame = ev.data.frames.get("text")
    if frame is None or frame.empty:
        return []
    out = []
    for idx, content in frame["content"].items():
        if is_missing(content):
            continue
        codes = dict.fromkeys(_PLACEHOLDER.findall(str(content)))
        unknown = [c for c in codes if _value_text(ev, c) is None]
        if not unknown:
            continue
        sheet, _, cell = ev.data.cell("text", idx, "content").rpartition("!")
        shown = "、".join("{" + c + "}" for c in unknown)
        out.append(Problem(ev.data.path.name, sheet, cell,
                           f"占位符 {shown} 不是绩效指标表或 perfkit 的指标代码，报告将原样印出",
                           "花括号内为绩效指标表“指标代码”列中的代码，或 perfkit codes 列出的代码",
                           "改正花括号内的指标代码；不需要由数据填入的，删去花括号"))
    return out


def with_qualifier(value: float, unit: str, qualifier: str = "", decimals: int = 2) -> str:
    """A value as the department states it, with its qualifier (1000余所, 近9000名, 93.96%以上)."""
    return fmt.with_unit(value, unit, decimals, qualifier=qualifier or "")


def rows(ev: Evaluation, key: str) -> pd.DataFrame:
    """The 报告文字 rows of one section, in sheet order, with content (empty rows dropped)."""
    frame = ev.data.frames.get("text")
    label = _SECTION_BY_KEY[key].label
    if frame is None or frame.empty:
        return pd.DataFrame(columns=["section", "title", "content", "source"])
    mine = frame[(frame["section"].map(lambda v: normalize_label(v) if not is_missing(v) else "")
                  == normalize_label(label)) & _no_level(frame)]
    has_text = mine["content"].map(lambda v: not is_missing(v) and str(v).strip() != "")
    has_title = mine["title"].map(lambda v: not is_missing(v) and str(v).strip() != "")
    return mine[has_text | has_title]


def _no_level(frame: pd.DataFrame) -> pd.Series:
    if "level" not in frame:
        return pd.Series(True, index=frame.index)
    return frame["level"].map(is_missing)


def text_rows(ev: Evaluation) -> pd.DataFrame:
    """Every 报告文字 row with a heading or some text, in sheet order."""
    frame = ev.data.frames.get("text")
    if frame is None or frame.empty:
        return pd.DataFrame(columns=["section", "level", "title", "content", "source"])
    used = frame[["title", "content"]].map(lambda v: not is_missing(v) and str(v).strip() != "")
    return frame[used.any(axis=1)]


def as_written(ev: Evaluation) -> bool:
    """Whether the department wrote its report in its own outline (a row with 标题级别)."""
    found = text_rows(ev)
    return "level" in found and bool(found["level"].notna().any())


def section(ev: Evaluation, key: str, numbering: str = "（一）") -> Blocks:
    """One section of the department's own words, as typed.

    Rows without a 标题 are paragraphs; rows with one are numbered items, the title run in
    bold before the text (``（一）队伍结构不合理`` 。教师学历…). Line breaks inside a cell start
    new paragraphs. A section without text is empty: the 自评报告 says nothing the department
    did not write.
    """
    found = rows(ev, key)
    if found.empty:  # what is missing is the reviewer's business (复核意见: 完整性)
        return Blocks()
    paras: list[Paragraph] = []
    n = 0
    for idx, r in found.iterrows():
        content = "" if is_missing(r["content"]) else str(r["content"]).strip()
        content, unknown = fill(ev, content)
        body = [p.strip() for p in content.split("\n") if p.strip()]
        if unknown:
            cell = ev.data.cell("text", idx, "content")
            body.append(f"（{cell}中的{'、'.join('{' + u + '}' for u in unknown)}"
                        "不是绩效指标表或 perfkit 的指标代码，未能填入数值。）")
        title = "" if is_missing(r["title"]) else str(r["title"]).strip().rstrip("。")
        if title:
            n += 1
            paras.append(par(run_in(_number(n, numbering) + title), body[0] if body else ""))
            body = body[1:]
        paras += [par(p) for p in body]
    return Blocks(paras)


def title(ev: Evaluation) -> Heading:
    """The document title: the department's own (基本信息 报告标题), else the standard one."""
    own = ev.data.info.get("report_title")
    if not is_missing(own) and str(own).strip():
        return Heading(1, str(own).strip())
    return Heading(1, f"{ev.department_name}{ev.year}年度部门整体支出绩效自评报告")


def preamble(ev: Evaluation) -> Blocks:
    """The opening paragraph: on what basis and how the department evaluated itself."""
    return section(ev, "basis")


# ---------------------------------------------------------------------------------------------
# 一、部门基本情况
# ---------------------------------------------------------------------------------------------


def staffing(ev: Evaluation) -> Blocks:
    """人员情况: the department's text, then 编制数 and 在职人数 from 基本信息."""
    info = ev.data.info
    authorized, actual = info.get("staff_authorized_count"), info.get("staff_actual_count")
    parts = []
    if not is_missing(authorized):
        parts.append(f"核定编制{fmt.count(authorized)}人")
    if not is_missing(actual):
        parts.append(f"年末在职人员{fmt.count(actual)}人")
    # The department's own words first: a sentence of perfkit's repeating figures its text
    # already states would say the same thing twice.
    if not parts or _states(ev, "staffing", (authorized, actual)):
        return section(ev, "staffing")
    return Blocks(par("，".join(parts) + "。"), section(ev, "staffing"))


_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _states(ev: Evaluation, key: str, values) -> bool:
    """Whether the department's text of section ``key`` states every one of ``values`` that is
    given (as a number of its own, at any printed precision)."""
    found = rows(ev, key)
    text = " ".join(str(v) for v in found["content"] if not is_missing(v))
    numbers = {float(n) for n in _NUMBER.findall(text)}
    wanted = [float(v) for v in values if not is_missing(v)]
    return bool(wanted) and all(any(abs(v - n) < 1e-9 for n in numbers) for v in wanted)


def goals_table(ev: Evaluation):
    """The year's quantified targets the department set (its 绩效指标 rows with a target)."""
    att = targets.attainment(ev)
    att = att[~att["target_derived"] & att["target"].notna()]
    if att.empty:
        return Blocks()
    return styled(pd.DataFrame({
        "领域": att["domain"].map(ev.registry.domain_label),
        "绩效指标": att["label_zh"],
        "年度目标": [target_text(r) for _, r in att.iterrows()],
    }), caption=f"{ev.year}年度量化绩效目标")



# ---------------------------------------------------------------------------------------------
# 二、部门整体支出管理及使用情况
# ---------------------------------------------------------------------------------------------


def _stated_ratio(ev: Evaluation, check: str) -> str | None:
    stated = ev.stated(check)
    return None if not stated else str(stated).strip()


def income_expenditure(ev: Evaluation) -> Blocks:
    """收支情况: income, spending and carry-over as the department's report states them."""
    d, col, basis = ev.data, ev.settings.budget_column, ev.settings.budget_label_zh
    paras = []
    s = _total_clause(ev, "income", "revenue_execution_pct", "收入")
    if s is not None:
        parts = []
        for key, label in (("fiscal", "财政拨款收入"), ("superior_subsidy", "上级补助收入"),
                           ("service", "事业收入"), ("business", "经营收入"),
                           ("affiliated", "附属单位上缴收入"), ("other", "其他收入")):
            v = d.value("income", key, "actual")
            if is_missing(v):
                continue
            p = f"{label}{fmt.amount(v)}"
            if key == "service":
                rate, budget = ev.value("service_revenue_execution_pct"), d.value("income", key, col)
                if not is_missing(rate):
                    p += f"，为{basis}{fmt.amount(budget)}的{fmt.pct(rate)}"
            parts.append(p)
        paras.append(s + ("。决算收入总额中" + "；".join(parts) if parts else "") + "。")
    s = _total_clause(ev, "expenditure", "expenditure_execution_pct", "支出总额")
    if s is not None:
        parts = [f"{label}{fmt.amount(d.value('expenditure', key, 'actual'))}"
                 for key, label in (("basic", "基本支出"), ("project", "项目支出"),
                                    ("remit", "上缴上级支出"), ("business", "经营支出"),
                                    ("subsidy", "对附属单位补助支出"))
                 if not is_missing(d.value("expenditure", key, "actual"))]
        paras.append(s + ("，其中" + "，".join(parts) if parts else "") + "。")
    current, closing = ev.value("carryover_current_wan_yuan"), ev.value("carryover_closing_wan_yuan")
    carry = [f"{ev.year}年度结转结余{fmt.amount(current)}" if not is_missing(current) else "",
             f"累计结转结余{fmt.amount(closing)}" if not is_missing(closing) else ""]
    if any(carry):
        paras.append("，".join(c for c in carry if c) + "。")
    return Blocks((par(p) for p in paras), section(ev, "finance"))


def budget_table(ev: Evaluation, sheet: str):
    """收入 or 支出 by line: budget, actual, completion rate (lines with an actual figure)."""
    basis = ev.settings.budget_label_zh
    out = []
    for _, line in sheet_lines(ev.data, ev.settings, sheet).iterrows():
        if is_missing(line["actual"]) and is_missing(line["budget"]):
            continue
        # A figure the department did not give is a blank cell, as in its own tables.
        out.append({"项目": ("　其中：" if line["parent"] else "") + line["label"],
                    f"{basis}数（万元）": fmt.num(line["budget"], missing=""),
                    "决算数（万元）": fmt.num(line["actual"], missing=""),
                    f"完成率（决算/{basis}）": fmt.pct(line["execution_pct"], missing="")})
    name = "收入" if sheet == "income" else "支出"
    if not out:
        return Blocks()
    return styled(pd.DataFrame(out), caption=f"{ev.year}年度{name}决算")


def three_public(ev: Evaluation) -> Blocks:
    """“三公”经费: total against budget and last year, each item with the department's reason."""
    d, y = ev.data, ev.year
    total = d.value("three_public", "total", "actual")
    if is_missing(total):
        return section(ev, "three_public")
    s = f"{y}年度“三公”经费支出共计{fmt.amount(total)}"
    control = ev.value("three_public_control_pct")
    if not is_missing(control):
        s += f"，为预算{fmt.amount(d.value('three_public', 'total', 'budget'))}的{fmt.pct(control)}"
    elif stated := _stated_ratio(ev, "three_public_control_pct"):
        s += f"，为年初预算的{stated.replace(' ', '')}"  # as the department states it
    prior = d.value("three_public", "total", "prior_actual")
    if not is_missing(prior):
        s += f"，较{y - 1}年度“三公”经费{fmt.amount(prior)}{fmt.change(total - prior)}"
    paras = [s + "。"]
    items = three_public_items(ev, same="持平", reasons=True)
    paras += [f"{_number(i, '（1）')}{p}" for i, p in enumerate(items, 1)]
    return Blocks((par(p) for p in paras), section(ev, "three_public"))


# ---------------------------------------------------------------------------------------------
# 三、绩效情况
# ---------------------------------------------------------------------------------------------


#: Status words of the department's completion table.
_DONE = {"超额": "超额完成", "达成": "完成", "未达成": "未完成", "无实际值": "未提供实际值"}


def results_fallback(ev: Evaluation) -> Blocks:
    """主要绩效 for a department that wrote no 主要绩效 text, from the data: per 领域 of the
    department-year (finance, its domains, 其他), the catalog's headline indicators in its
    order, then the 绩效指标 rows with this year's target or of the department's own (any 领域,
    其他 included), each with its value as stated (数值修饰) and, for a target, whether it was
    met."""
    m = targets.metrics(ev)
    m = m[~m["next_year"]]
    goals = {r["code"]: r for _, r in m.iterrows() if r["code"] and r["status"]}
    ind = ev.indicators
    out: list[Paragraph] = []
    for domain in ev.target_domains:
        items, listed = [], set()

        def done(r: pd.Series) -> str:
            if r["status"] in (targets.EXCEEDED, targets.ACHIEVED, targets.NOT_ACHIEVED) \
                    and not r["target_derived"]:
                return f"（目标{target_text(r)}，{_DONE[r['status']]}）"
            return ""

        for code in ev.registry.headlines(domain):
            if code not in ind.index or is_missing(ind.at[code, "value"]):
                continue
            r = ind.loc[code]
            s = (f"{r['label_zh']}"
                 f"{fmt.with_unit(r['value'], r['unit'], int(r['decimals']), qualifier=r['qualifier'])}")
            items.append(s + (done(goals[code]) if code in goals else ""))
            listed.add(code)
        rows = m[(m["domain"] == domain) & m["actual"].notna()
                 & ((m["status"] != "") | ~m["declared"])]
        for _, r in rows.iterrows():
            if r["id"] in listed:
                continue
            listed.add(r["id"])
            items.append(f"{r['label_zh']}"
                         f"{with_qualifier(r['actual'], r['unit'], r['qualifier'])}{done(r)}")
        if items:
            out.append(par(run_in(_number(len(out) + 1, "1.") + ev.registry.domain_label(domain)),
                           "；".join(items) + "。"))
    return Blocks(out)


def results(ev: Evaluation) -> Blocks:
    """主要绩效: the department's own account per area, or the fallback from the data."""
    if rows(ev, "results").empty:
        return results_fallback(ev)
    return section(ev, "results", numbering="1.")


def _reported_targets(ev: Evaluation) -> pd.DataFrame:
    """The year's targets the department set and reported a result for (targets without one
    are the 复核意见's 完整性 finding, not something the department says of itself)."""
    att = targets.attainment(ev)
    return att[~att["target_derived"] & att["status"].isin(
        [targets.EXCEEDED, targets.ACHIEVED, targets.NOT_ACHIEVED])]


def targets_summary(ev: Evaluation) -> Paragraph | Blocks:
    """How the year's quantified targets with a reported result came out."""
    att = _reported_targets(ev)
    if att.empty:
        return Blocks()
    counts = att["status"].value_counts()
    parts = [f"{_DONE.get(s, s)}{int(counts[s])}项" for s in targets.STATUSES if counts.get(s)]
    return par(f"{ev.year}年度量化绩效目标完成情况：{'，'.join(parts)}。")


def targets_table(ev: Evaluation):
    """Each quantified target of the year with its reported result and whether it was met."""
    att = _reported_targets(ev)
    if att.empty:
        return Blocks()
    return styled(pd.DataFrame({
        "绩效指标": att["label_zh"],
        "年度目标": [target_text(r) for _, r in att.iterrows()],
        "实际完成": [with_qualifier(r["actual"], r["unit"], r["qualifier"], ) for _, r in
                 att.iterrows()],
        "完成情况": att["status"].map(lambda s: _DONE.get(s, s)),
    }), caption=f"{ev.year}年度绩效目标完成情况")


# ---------------------------------------------------------------------------------------------
# 五、下年工作思路; 六、自评结论; 落款
# ---------------------------------------------------------------------------------------------


def next_year_table(ev: Evaluation):
    """Targets the department set for a later year (not judged this year)."""
    nxt = targets.next_year_targets(ev)
    if nxt.empty:
        return Blocks()
    return styled(pd.DataFrame({
        "目标年度": nxt["target_year"].map(lambda y: f"{y}年"),
        "绩效指标": nxt["label_zh"],
        "目标": [target_text(r) for _, r in nxt.iterrows()],
    }), caption="下年度量化绩效目标")


def conclusion(ev: Evaluation) -> Blocks:
    """自评结论: the department's words, its own score and grade (never perfkit's)."""
    sheet = load_sheet(ev.settings.score_sheet, ev.project)
    claimed = ev.data.info.get("claimed_score")
    stated_grade = str(ev.data.info.get("claimed_grade") or "").strip()
    words = section(ev, "conclusion")
    score = None
    if not (claimed is None or is_missing(claimed)) and not _states(ev, "conclusion", (claimed,)):
        # The department's own grade only: a band perfkit would read off the score is not
        # something the department said.
        grade = f"，等级为“{stated_grade}”" if stated_grade else ""
        score = par(f"按《{sheet.title_zh}》，{ev.year}年度部门整体支出绩效自评得分",
                    b(f"{fmt.num(claimed)}分"), f"{grade}。")
    return Blocks(words, score)


def item_scores_table(ev: Evaluation):
    """The department's item scores (自评表 sheet), when it gave them."""
    items = claimed_items(ev)
    if items.empty or items["score"].isna().all():
        return Blocks()
    frame = ev.data.frames["self_scores"]
    return styled(pd.DataFrame({
        "一级指标": frame["level1"].fillna(""), "二级指标": frame["level2"].fillna(""),
        "三级指标": frame["level3"], "分值": frame["points"].map(lambda v: fmt.num(v, 2)),
        "自评得分": frame["score"].map(fmt.num), "扣分原因": frame["reason"].fillna(""),
    }), caption="部门整体支出绩效自评表")


def signature(ev: Evaluation) -> Signature:
    """落款: the department and the report date, right-aligned as official documents place them."""
    date = ev.data.info.get("report_date")
    when = f"{date.year}年{date.month}月{date.day}日" if date is not None else ""
    return Signature(tuple(x for x in (str(ev.department_name), when) if x))


# ---------------------------------------------------------------------------------------------
# The whole document: as the department wrote it, the standard outline, or a draft
# ---------------------------------------------------------------------------------------------

#: Computed tables a paragraph places by naming one alone (``{表:收入}``): what the department
#: chose to include, shown only when the workbook holds it whole.
TABLES: dict[str, Any] = {
    "收入": lambda ev: budget_table(ev, "income"),
    "支出": lambda ev: budget_table(ev, "expenditure"),
    "三公": lambda ev: three_public_table(ev),
    "目标": lambda ev: goals_table(ev),
    "目标完成": lambda ev: targets_table(ev),
    "自评表": lambda ev: item_scores_table(ev),
}
_TABLE_MARKER = re.compile(r"^\{表[:：]\s*(\S+?)\s*\}$")
#: What a draft says of itself (on top, and 草稿 on every page).
DRAFT_NOTE = ("草稿：工作簿“报告文字”表尚未填写。以下是标准提纲和由工作簿计算的数字，"
              "供部门撰写自评报告时参考，不是部门的自评报告。")


def placed_table(ev: Evaluation, name: str) -> Table | None:
    """The computed table ``{表:name}`` places, or None when there is no such table or the
    workbook does not hold it whole (a blank cell)."""
    make = TABLES.get(name)
    table = make(ev) if make else None
    if not isinstance(table, Table) or any(c.strip() == "" for row in table.rows for c in row):
        return None
    return table


def three_public_table(ev: Evaluation):
    """三公经费 by item: 预算数, 决算数, 上年决算数 (items with a 决算数)."""
    out = []
    for _, line in sheet_lines(ev.data, ev.settings, "three_public").iterrows():
        if is_missing(line["actual"]):
            continue
        out.append({"项目": ("　其中：" if line["parent"] else "") + line["label"],
                    "预算数（万元）": fmt.num(line["budget"], missing=""),
                    "决算数（万元）": fmt.num(line["actual"], missing=""),
                    "上年决算数（万元）": fmt.num(line["prior_actual"], missing="")})
    if not out:
        return Blocks()
    return styled(pd.DataFrame(out), caption=f"{ev.year}年度“三公”经费")


def _paragraphs(ev: Evaluation, content: str, lead: str = "") -> list[Any]:
    """A cell's text as paragraphs (a line each), placeholders filled; a line that names a
    table alone is that table (or nothing, when the workbook does not hold it whole)."""
    content, _ = fill(ev, content)
    out: list[Any] = []
    for line in (p.strip() for p in content.split("\n")):
        if not line:
            continue
        marker = _TABLE_MARKER.match(line)
        if marker:
            table = placed_table(ev, marker.group(1))
            if table is not None:
                out.append(table)
            continue
        out.append(par(b(lead), line) if lead and not out else par(line))
    if lead and not out:
        out.append(par(b(lead)))
    return out


def written(ev: Evaluation) -> Blocks:
    """The report in the department's own outline: every 报告文字 row in sheet order, headings
    as written at their 标题级别, paragraphs as written; nothing added."""
    out: list[Any] = []
    for _, r in text_rows(ev).iterrows():
        title = "" if is_missing(r["title"]) else str(r["title"]).strip()
        content = "" if is_missing(r["content"]) else str(r["content"])
        level = r.get("level")
        if not is_missing(level):
            out.append(Heading(min(int(level) + 1, 4), title))
            out += _paragraphs(ev, content)
        else:
            out += _paragraphs(ev, content, lead=title)
    return Blocks(out)


def _headed(level: int, title: str, *body: Any) -> Blocks:
    """A heading with what is under it; nothing at all when nothing is under it."""
    shown = Blocks(*body)
    return Blocks(Heading(level, title), shown) if len(shown) else Blocks()


def standard(ev: Evaluation, *, draft: bool = False) -> Blocks:
    """The standard outline of a 部门整体支出绩效自评报告 (the template's suggestion), each
    section the department's words for it and the figures computed from its workbook; a section
    with nothing in it is left out (kept, as a heading, in a draft)."""
    def part(level: int, title: str, *body: Any) -> Blocks:
        return Blocks(Heading(level, title), *body) if draft else _headed(level, title, *body)

    def group(title: str, *parts: Blocks) -> Blocks:
        return part(2, title, *parts)

    return Blocks(
        preamble(ev),
        group("一、部门基本情况",
              part(3, "（一）部门职能", section(ev, "functions")),
              part(3, "（二）机构设置", section(ev, "organization")),
              part(3, "（三）人员情况", staffing(ev)),
              part(3, "（四）年度绩效目标", section(ev, "goals", numbering="1."), goals_table(ev))),
        group("二、部门整体支出管理及使用情况",
              part(3, "（一）收支情况", income_expenditure(ev), budget_table(ev, "income"),
                   budget_table(ev, "expenditure")),
              part(3, "（二）“三公”经费控制情况", three_public(ev)),
              part(3, "（三）预决算公开情况", section(ev, "disclosure")),
              part(3, "（四）资产管理情况", section(ev, "assets")),
              part(3, "（五）内部控制制度建设情况", section(ev, "internal_control"))),
        group("三、绩效情况",
              part(3, "（一）自评工作开展情况", section(ev, "process", numbering="1.")),
              part(3, "（二）主要绩效", results(ev)),
              part(3, "（三）绩效目标完成情况", targets_summary(ev), targets_table(ev))),
        part(2, "四、存在的问题", section(ev, "problems")),
        group("五、改进措施和下年工作思路",
              part(3, "（一）改进措施", section(ev, "measures", numbering="1.")),
              part(3, "（二）下年工作思路", section(ev, "plan", numbering="1."),
                   next_year_table(ev))),
        part(2, "六、自评结论", conclusion(ev), item_scores_table(ev)),
    )


def document(ev: Evaluation) -> Blocks:
    """The body of the 自评报告: as the department wrote it when it wrote its own outline
    (:func:`written`), else its words in the standard outline (:func:`standard`); with nothing
    written at all, a draft — the standard outline with the computed figures, marked 草稿."""
    if as_written(ev):
        return written(ev)
    if text_rows(ev).empty:
        return Blocks(par(DRAFT_NOTE, role="draft"), standard(ev, draft=True))
    return standard(ev)
