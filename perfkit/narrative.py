"""Generated Chinese text: every number comes from the evaluation, none is typed."""

from __future__ import annotations

import html
import math

from . import fmt
from .checks import INCONSISTENT, UNEXPLAINED
from .evaluation import Evaluation


class Text(str):
    """Markdown text that Jupyter displays as Markdown (no IPython import needed)."""

    def _repr_markdown_(self) -> str:
        return str(self)


def esc(text: object) -> str:
    """Escape workbook text for Markdown/HTML output."""
    return html.escape(str(text), quote=False).replace("*", r"\*").replace("_", r"\_")


def _nan(v: float) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _budget_phrase(ev: Evaluation) -> str:
    return "调整预算" if ev.settings.budget_basis == "adjusted" else "年初预算"


def revenue_sentence(ev: Evaluation) -> str:
    """决算收入 and its completion rate, as the seed writes it."""
    d, y, basis = ev.data, ev.year, _budget_phrase(ev)
    col = "budget_adjusted" if basis == "调整预算" else "budget_initial"
    actual, budget = d.value("income", "total", "actual"), d.value("income", "total", col)
    if _nan(actual):
        return f"{y}年度部门决算收入未提供（收入表“本年收入合计”决算数为空）。"
    s = f"{y}年度部门决算收入{fmt.amount(actual)}"
    rate = ev.value("revenue_execution_pct")
    s += (f"，为{basis}{fmt.amount(budget)}的{fmt.pct(rate)}" if not _nan(rate)
          else f"（{basis}未提供或为0，无法计算完成率）")
    parts = []
    sv, sb = d.value("income", "service", "actual"), d.value("income", "service", col)
    if not _nan(sv):
        p = f"事业收入{fmt.amount(sv)}"
        srate = ev.value("service_revenue_execution_pct")
        if not _nan(srate):
            p += f"，为{basis}{fmt.amount(sb)}的{fmt.pct(srate)}"
        parts.append(p)
    for key, label in (("fiscal", "财政拨款收入"), ("superior_subsidy", "上级补助收入"),
                       ("business", "经营收入"), ("affiliated", "附属单位上缴收入"),
                       ("other", "其他收入")):
        v = d.value("income", key, "actual")
        if not _nan(v):
            parts.append(f"{label}{fmt.amount(v)}")
    if parts:
        s += "。决算收入总额中" + "；".join(parts)
    return s + "。"


def expenditure_sentence(ev: Evaluation) -> str:
    """决算支出, completion rate and its structure, naming any unexplained remainder."""
    d, y, basis = ev.data, ev.year, _budget_phrase(ev)
    col = "budget_adjusted" if basis == "调整预算" else "budget_initial"
    actual, budget = d.value("expenditure", "total", "actual"), d.value("expenditure", "total", col)
    if _nan(actual):
        return f"{y}年度部门决算支出未提供（支出表“本年支出合计”决算数为空）。"
    s = f"{y}年度部门决算支出总额{fmt.amount(actual)}"
    rate = ev.value("expenditure_execution_pct")
    s += (f"，为{basis}{fmt.amount(budget)}的{fmt.pct(rate)}" if not _nan(rate)
          else f"（{basis}未提供或为0，无法计算完成率）")
    basic, project = d.value("expenditure", "basic", "actual"), d.value("expenditure", "project", "actual")
    parts = [f"基本支出{fmt.amount(basic)}" if not _nan(basic) else "",
             f"项目支出{fmt.amount(project)}" if not _nan(project) else ""]
    parts = [p for p in parts if p]
    if parts:
        s += "，其中" + "，".join(parts)
    s += "。"
    check = ev.checks.set_index("check").loc["expenditure_parts"]
    if check["verdict"] in (UNEXPLAINED, INCONSISTENT):
        s += f"经核对：{check['explanation']}。"
    return s


def carryover_sentence(ev: Evaluation) -> str:
    """本年结转结余 (computed) and the cumulative balance."""
    y = ev.year
    current = ev.value("carryover_current_wan_yuan")
    closing = ev.value("carryover_closing_wan_yuan")
    if _nan(current):
        s = f"{y}年度结转结余无法计算（收入或支出合计未提供）"
    else:
        s = f"{y}年度结转结余{fmt.amount(current)}（本年收入合计减本年支出合计）"
    if not _nan(closing):
        s += f"，累计结转结余{fmt.amount(closing)}"
    s += "。"
    if not _nan(current) and current < 0:
        s += f"本年支出大于本年收入{fmt.amount(-current)}，动用了以前年度结转结余。"
    return s


def three_public_sentence(ev: Evaluation) -> str:
    """"三公"经费: total, control rate (or the report's stated rate when no budget), change."""
    d, y = ev.data, ev.year
    total = ev.value("three_public_total_wan_yuan")
    if _nan(total):
        return f"{y}年度“三公”经费决算数未提供。"
    s = f"{y}年度“三公”经费支出共计{fmt.amount(total)}"
    control = ev.value("three_public_control_pct")
    if not _nan(control):
        s += f"，为预算{fmt.amount(d.value('three_public', 'total', 'budget'))}的{fmt.pct(control)}"
    prior = d.value("three_public", "total", "prior_actual")
    change = ev.value("three_public_change_wan_yuan")
    if not _nan(change):
        word = "增加" if change >= 0 else "减少"
        s += f"，较{y - 1}年度“三公”经费{fmt.amount(prior)}{word}{fmt.amount(abs(change))}"
        rate = ev.value("three_public_change_pct")
        if not _nan(rate):
            s += f"（{'增长' if rate >= 0 else '下降'}{fmt.pct(abs(rate))}）"
    s += "。"
    stated = ev.stated("three_public_control_pct")
    if _nan(control) and stated:
        s += (f"工作簿未提供“三公”经费预算数，控制率无法由数据计算；报告称其为年初预算的"
              f"{esc(stated.strip())}，无法核对。")
    items = []
    for key, label in (("reception", "公务接待费"), ("abroad", "因公出国（境）费"),
                       ("vehicle_purchase", "公务用车购置费"), ("vehicle_operation", "公务用车运行维护费")):
        now, before = d.value("three_public", key, "actual"), d.value("three_public", key, "prior_actual")
        if _nan(now):
            continue
        p = f"{label}本年数{fmt.amount(now)}"
        if not _nan(before):
            diff = now - before
            p += f"，上年数{fmt.amount(before)}，{'增加' if diff >= 0 else '减少'}{fmt.amount(abs(diff))}"
        items.append(p)
    if items:
        s += "其中：" + "；".join(items) + "。"
    return s


def staffing_sentence(ev: Evaluation) -> str:
    """在职人员控制率, or the gap when staffing is not provided."""
    rate = ev.value("staff_control_pct")
    if _nan(rate):
        note = str(ev.indicators.at["staff_control_pct", "note"]).removeprefix("数据缺失：")
        return f"在职人员控制率无法计算：{note}。"
    s = f"在职人员控制率为{fmt.pct(rate)}（在职人数 / 编制数）"
    return s + ("，超过编制，需说明原因。" if rate > 100 else "。")


def finance_overview(ev: Evaluation) -> Text:
    """The 部门整体支出概况 paragraph block."""
    paras = [revenue_sentence(ev), expenditure_sentence(ev), carryover_sentence(ev),
             three_public_sentence(ev), staffing_sentence(ev)]
    return Text("\n\n".join(paras))


def finance_findings(ev: Evaluation) -> Text:
    """Bulleted findings from cross-checks and execution rates (the problems to explain)."""
    lines = []
    for _, c in ev.checks.iterrows():
        if c["verdict"] in (UNEXPLAINED, INCONSISTENT):
            lines.append(f"- **{c['label_zh']}**（{c['verdict']}）：{c['explanation']}。")
    for ind_id in ("revenue_execution_pct", "expenditure_execution_pct"):
        v = ev.value(ind_id)
        if not _nan(v) and abs(v - 100) > 10:
            label = ev.indicators.at[ind_id, "label_zh"]
            lines.append(f"- **{label}{fmt.pct(v)}**，偏离100%达{fmt.num(abs(v - 100))}个百分点，"
                         "预算编制的准确性有待提高。")
    gaps = ev.domain_indicators("finance")
    n = int(gaps["value"].isna().sum())
    if n:
        lines.append(f"- 有{n}项财务指标因数据缺失或基数为0无法计算，见“数据缺口”。")
    return Text("\n".join(lines) if lines else "未发现需要说明的问题。")


def title(ev: Evaluation, section: str) -> Text:
    """The report heading: department, year and section."""
    return Text(f"# {esc(ev.department_name)}{ev.year}年度{section}绩效自评")


def audit_summary(ev: Evaluation) -> Text:
    """The audit in prose: counts by verdict per part, then every figure that is not 一致."""
    from .audit import CONSISTENT, INTERNAL, SCORES, STATED, VERDICTS, audit, verdict_counts

    a = audit(ev)
    parts = ((STATED, "报告所列数值"), (INTERNAL, "工作簿内部勾稽关系"), (SCORES, "评分表计算"))
    lines = []
    for category, label in parts:
        rows = a[a["category"] == category]
        if rows.empty:
            continue
        counts = verdict_counts(rows)
        detail = "、".join(f"{v}{counts[v]}项" for v in VERDICTS if counts[v])
        lines.append(f"核对{label}{len(rows)}项：{detail}。")
    if not lines:
        return Text("工作簿“报告数值”表为空，且没有可核对的勾稽关系。")
    flagged = a[a["verdict"] != CONSISTENT]
    bullets = [f"- **{esc(r['ref'] + ' ' if r['category'] == STATED else '')}{esc(r['figure'])}**"
               f"（{r['verdict']}）：{esc(r['explanation'])}。" for _, r in flagged.iterrows()]
    wrong = int((a["verdict"] == INCONSISTENT).sum())
    close = (f"有{wrong}项与数据不一致，需部门更正或书面说明。" if wrong
             else "未发现与数据不一致的数值；舍入差异、未解释差额和无法核对的项目见上。")
    return Text("\n\n".join(["".join(lines), "\n".join(bullets), close] if bullets
                            else ["".join(lines), close]))
