"""The department's 自评报告: its own words quoted from the 报告文字 sheet, its figures computed.

This is the department's document. Text the department wrote (报告文字, 三公经费 变动原因) is
quoted as written — plain text in the blocks, never rewritten; a ``{指标代码}`` placeholder in it is
filled with the value from the workbook. Figures are computed from the department's own
workbook. Nothing here is the reviewer's: no verdicts, no recomputed score, no audit (those are
in :mod:`perfkit.report.review`). Where the workbook holds nothing for a section, the section says so.
"""

from __future__ import annotations

import re

import pandas as pd

from perfkit import fmt
from perfkit.assess import targets
from perfkit.assess.claims import claim_checks, claimed_items
from perfkit.assess.evaluation import Evaluation
from perfkit.assess.scoresheet import load_sheet
from perfkit.assess.targets import target_text
from perfkit.cells import is_missing
from perfkit.data.sheets import TEXT_SECTIONS
from perfkit.data.values import normalize_label
from perfkit.errors import Problem
from perfkit.indicators.finance import sheet_lines
from perfkit.report.blocks import Blocks, Heading, Paragraph, Signature, b, par, run_in
from perfkit.report.narrative import _total_clause, three_public_items
from perfkit.report.tables import styled
from perfkit.verdicts import INCONSISTENT

#: Sections whose absence is a gap the report states; the others are optional commentary.
REQUIRED_SECTIONS = ("functions", "organization", "staffing", "goals", "disclosure", "assets",
                     "internal_control", "process", "results", "problems", "measures", "plan",
                     "conclusion")

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
    mine = frame[frame["section"].map(normalize_label) == normalize_label(label)]
    has_text = mine["content"].map(lambda v: not is_missing(v) and str(v).strip() != "")
    has_title = mine["title"].map(lambda v: not is_missing(v) and str(v).strip() != "")
    return mine[has_text | has_title]


def _gap(key: str) -> str:
    return f"（工作簿“报告文字”表未提供“{_SECTION_BY_KEY[key].label}”。）"


def section(ev: Evaluation, key: str, numbering: str = "（一）") -> Blocks:
    """One section of the department's own words, as typed.

    Rows without a 标题 are paragraphs; rows with one are numbered items, the title run in
    bold before the text (``（一）队伍结构不合理`` 。教师学历…). Line breaks inside a cell start
    new paragraphs. A required section with no text says so; an optional one is empty.
    """
    found = rows(ev, key)
    if found.empty:
        return Blocks(par(_gap(key)) if key in REQUIRED_SECTIONS else None)
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
    """The document title."""
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
    figures = ("，".join(parts) + "。") if parts else "（工作簿“基本信息”表未提供编制数和在职人数。）"
    if rows(ev, "staffing").empty:
        return Blocks(par(figures))
    return Blocks(par(figures), section(ev, "staffing"))


def goals_table(ev: Evaluation):
    """The year's quantified targets the department set (its 绩效指标 rows with a target)."""
    att = targets.attainment(ev)
    att = att[~att["target_derived"] & att["target"].notna()]
    if att.empty:
        return par("（工作簿“绩效指标”表未列出本年度有目标值的绩效指标。）")
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
    if s is None:
        paras.append(f"{ev.year}年度部门决算收入未提供。")
    else:
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
    if s is None:
        paras.append(f"{ev.year}年度部门决算支出未提供。")
    else:
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
        out.append({"项目": ("　其中：" if line["parent"] else "") + line["label"],
                    f"{basis}数（万元）": fmt.num(line["budget"]),
                    "决算数（万元）": fmt.num(line["actual"]),
                    f"完成率（决算/{basis}）": fmt.pct(line["execution_pct"],
                                                   missing=line["execution_note"] or fmt.MISSING)})
    name = "收入" if sheet == "income" else "支出"
    if not out:
        return par(f"（工作簿未提供{name}数据。）")
    return styled(pd.DataFrame(out), caption=f"{ev.year}年度{name}决算")


def three_public(ev: Evaluation) -> Blocks:
    """“三公”经费: total against budget and last year, each item with the department's reason."""
    d, y = ev.data, ev.year
    total = d.value("three_public", "total", "actual")
    if is_missing(total):
        return Blocks(par(f"{y}年度“三公”经费决算数未提供。"))
    s = f"{y}年度“三公”经费支出共计{fmt.amount(total)}"
    control = ev.value("three_public_control_pct")
    if not is_missing(control):
        s += f"，为预算{fmt.amount(d.value('three_public', 'total', 'budget'))}的{fmt.pct(control)}"
    elif stated := _stated_ratio(ev, "three_public_control_pct"):
        s += (f"，为年初预算的{stated.replace(' ', '')}"
              "（部门填报；“三公”经费预算数未列入工作簿）")
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
    if not out:
        return Blocks(par("（工作簿“绩效指标”表未提供实际完成值。）"))
    return Blocks(out)


def results(ev: Evaluation) -> Blocks:
    """主要绩效: the department's own account per area, or the fallback from the data."""
    if rows(ev, "results").empty:
        return results_fallback(ev)
    return section(ev, "results", numbering="1.")


def targets_summary(ev: Evaluation) -> Paragraph:
    """How many of the year's quantified targets were met (the department's own targets)."""
    att = targets.attainment(ev)
    att = att[~att["target_derived"]]
    if att.empty:
        return par("工作簿未列出本年度有目标值的绩效指标。")
    counts = att["status"].value_counts()
    parts = [f"{_DONE.get(s, s)}{int(counts[s])}项" for s in targets.STATUSES if counts.get(s)]
    return par(f"{ev.year}年度设定量化绩效目标{len(att)}项：{'，'.join(parts)}。")


def targets_table(ev: Evaluation):
    """Each quantified target of the year with its actual value and whether it was met."""
    att = targets.attainment(ev)
    att = att[~att["target_derived"]]
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
    if claimed is None or is_missing(claimed):
        score = par("（工作簿“基本信息”表未填报自评得分。）")
    else:
        # The department's own grade only: a band perfkit would read off the score is not
        # something the department said.
        grade = f"，等级为“{stated_grade}”" if stated_grade else ""
        score = par(f"按《{sheet.title_zh}》，{ev.year}年度部门整体支出绩效自评得分",
                    b(f"{fmt.num(claimed)}分"), f"{grade}。")
    sum_check = claim_checks(ev, sheet).set_index("check").loc["claim_items_sum"]
    check = (par(b(f"请核对：{sum_check['explanation']}。"))
             if sum_check["verdict"] == INCONSISTENT else None)
    return Blocks(words, score, check)


def item_scores_table(ev: Evaluation):
    """The department's item scores (自评表 sheet), when it gave them."""
    items = claimed_items(ev)
    if items.empty or items["score"].isna().all():
        return par("部门未填报分项自评得分。")
    frame = ev.data.frames["self_scores"]
    return styled(pd.DataFrame({
        "一级指标": frame["level1"].fillna(""), "二级指标": frame["level2"].fillna(""),
        "三级指标": frame["level3"], "分值": frame["points"].map(lambda v: fmt.num(v, 2)),
        "自评得分": frame["score"].map(fmt.num), "扣分原因": frame["reason"].fillna(""),
    }), caption="部门整体支出绩效自评表")


def signature(ev: Evaluation) -> Signature:
    """落款: the department and the report date, right-aligned as official documents place them."""
    date = ev.data.info.get("report_date")
    when = (f"{date.year}年{date.month}月{date.day}日" if date is not None
            else "（报告日期未提供）")
    return Signature((str(ev.department_name), when))
