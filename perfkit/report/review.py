"""The reviewer's 复核意见, an opinion a finance bureau signs: its conclusion page, its main
problems with their evidence and 整改建议, and the tables of its 附件.

This is the reviewer's document (a finance bureau's 抽查复核). It opens with a one-page 复核结论
(:func:`conclusion_page`): title and 文号, the department's claimed score beside the 复核得分 (each
with its grade), the main problems, 整改要求 with its deadline, 结果应用 for the grade and the
signature and seal block, from the reviewer settings (``review_org``, ``reviewer``,
``review_doc_no``, ``review_date``, ``rectify_days``, ``result_use``). Then every problem with its
evidence and suggestion (:func:`main_problems`), then the 复核说明 (the decomposition of the
difference). The 复核得分 is perfkit's score of the department's evidence under the run's score
sheet; it is never called 自评得分. Cell references (收入!D8) stand only in the 附件: the score
sheet as reviewed, the audit of stated figures, the cross-checks, PEFA, data gaps and the data
dictionary, presented by the review notebook from this module, :mod:`perfkit.report.tables` and
:mod:`perfkit.report.narrative`.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from perfkit import fmt
from perfkit.assess import targets
from perfkit.assess.decomposition import decomposition
from perfkit.assess.evaluation import Evaluation
from perfkit.assess.monitor import year_end_link, year_end_monitoring
from perfkit.assess.problems import LEVELS, find_problems, problem_types
from perfkit.assess.reporttext import extract
from perfkit.assess.reviewstage import INITIAL, ReviewOutcome, review_outcome
from perfkit.assess.rules import LOSS_ZH
from perfkit.assess.scoring import (
    EXCLUDED,
    MISSING_ZERO,
    STATUS_ZH,
    ScoreResult,
    score,
)
from perfkit.assess.textaudit import audit_text
from perfkit.cells import is_missing, without_references
from perfkit.data.sheets import TEXT_SECTIONS
from perfkit.errors import PerfkitError
from perfkit.report.blocks import (
    Blocks,
    Heading,
    ListBlock,
    PageBreak,
    Paragraph,
    Signature,
    b,
    bullets,
    numbered,
    par,
    run_in,
)
from perfkit.report.monitorreport import year_end_rows
from perfkit.report.narrative import suggestion_text
from perfkit.report.reasons import decomposition_label, reason_text
from perfkit.report.reviewstage import range_text, stage_statement, supplements_table
from perfkit.report.selfreport import rows
from perfkit.report.stagetext import difference_text, grade_text, pending_result_use, score_text
from perfkit.report.tables import audit_display, styled, verdicts_marked
from perfkit.verdicts import CONSISTENT, INCONSISTENT, VERDICTS


def _pts(v: float) -> str:
    return fmt.num(v, 0 if float(v).is_integer() else 2)


def title(ev: Evaluation) -> Heading:
    """The document title."""
    return Heading(1, f"{ev.department_name}{ev.year}年度部门整体支出绩效自评复核意见")


def _claim(r: ScoreResult) -> str:
    if r.claimed is None:
        return "部门未填报自评得分"
    return f"部门自评得分{r.claim_text()}"


def score_comparison(ev: Evaluation):
    """The claimed score and the 复核得分 side by side, with grades and the difference."""
    r = score(ev)
    o = review_outcome(ev)
    span = o.score_range if o.first_reading else None
    total = score_text(r.total, span)
    grade = grade_text(r.grade, o.possible_grades if span else None)
    difference = difference_text(r.claimed, r.claim_difference, span)
    return styled(pd.DataFrame({
        "项目": ["部门自评得分（部门填报）", "复核得分（财政复核）", "差额（自评得分 − 复核得分）"],
        "分数": [fmt.num(r.claimed, missing="部门未填报"), total, difference],
        "等级": [r.stated_grade or ("—" if r.claimed is None else
                                  f"未填报（按分数属“{r.claimed_grade or '无对应等级'}”）"),
               grade, ""],
    }))


def decomposition_table(ev: Evaluation):
    """The decomposition as a table (see :func:`decomposition`); in a first reading, of the
    lowest score of its range (what is still missing after the 补充资料 scoring 0)."""
    frame = decomposition(ev)
    labels = [decomposition_label(k, f) for k, f in zip(frame["key"], frame["figures"], strict=True)]
    caption = ("若补充资料后仍无佐证（终审计0分），自评得分与复核得分之差的分解" if _first_reading(ev)
               else "自评得分与复核得分之差的分解")
    return styled(pd.DataFrame({"项目": labels,
                                "分数": frame["points"].map(fmt.num)}), caption=caption)


def score_table(ev: Evaluation):
    """The score sheet as reviewed: every 三级 indicator with points, 复核得分 and why."""
    r = score(ev)
    adjusted = not (r.items["points_adjusted"] == r.items["points"]).all()
    o = review_outcome(ev)
    pending = ({s.item: o.pending_for(s.item) for s in o.supplements} if o.stage == INITIAL
               else {})
    rows = []
    for level1, group in r.items.groupby("level1", sort=False):
        for _, i in group.iterrows():
            row = {"一级指标": i["level1"], "二级指标": i["level2"], "三级指标": i["level3"],
                   "分值": _pts(i["points"])}
            if adjusted:
                row["调整后分值"] = (_pts(i["points_adjusted"]) if i["status"] != EXCLUDED
                                  else "不计分")
            row |= {"复核得分": "待补充" if i["item"] in pending and i["status"] == MISSING_ZERO
                    else fmt.num(i["score"], missing="不计分"),
                    "评分标准": i["rule_zh"],
                    "得分及扣分原因": _reason(i, pending.get(i["item"])) + _cited(o, i["item"]),
                    "依据": i["evidence"]}
            rows.append(row)
        sub = r.subtotals.set_index("level1").loc[level1]
        row = {"一级指标": f"{level1}小计", "二级指标": "", "三级指标": "",
               "分值": _pts(sub["points"])}
        if adjusted:
            row["调整后分值"] = _pts(sub["points_adjusted"])
        row |= {"复核得分": fmt.num(sub["score"]), "评分标准": "", "得分及扣分原因": "",
                "依据": ""}
        rows.append(row)
    total = {"一级指标": "合计", "二级指标": "", "三级指标": "",
             "分值": _pts(float(r.items["points"].sum()))}
    if adjusted:
        total["调整后分值"] = _pts(float(r.items["points_adjusted"].sum()))
    total |= {"复核得分": fmt.num(r.total, missing="无法评分"), "评分标准": "",
              "得分及扣分原因": f"等级：{r.grade or '无法评定'}", "依据": ""}
    if pending and r.scorable:
        total["得分及扣分原因"] = f"初审：{range_text(o)}"
    rows.append(total)
    return styled(pd.DataFrame(rows), caption=f"{r.sheet.title_zh}（{ev.year}年度复核）")


def _cited(o: ReviewOutcome, item: str) -> str:
    """The 复核口径 each deduction of an item cites, as the score table closes its reason."""
    cites = [f"复核口径{d.rule}扣{fmt.num(d.points)}分" for d in o.deductions if d.item == item]
    return f"（扣分依据：{'；'.join(cites)}）" if cites else ""


def _reason(i: pd.Series, pending: float | None) -> str:
    """An item's reason in the score table; in a first reading, what waits for 补充资料 is
    said so (not 0)."""
    if pending is None:
        text = reason_text(i["why"])
        return text if i["status"] == "scored" else f"【{STATUS_ZH[i['status']]}】{text}"
    return f"【待补充资料{fmt.num(pending)}分，暂不计分】{reason_text(i['why'], policy=False)}"


def gaps(ev: Evaluation) -> pd.DataFrame:
    """Every data gap of the department-year: finance indicators that cannot be computed,
    targets without an actual value and domain indicators that cannot be computed, the score
    items that could not be scored for want of their input (the 缺少佐证 of the score), and the
    required sections of the department's text it did not write.

    Returns:
        Columns area, item, kind, reason, cells.
    """
    out = []
    fin = ev.domain_indicators("finance")
    for _, r in fin[fin["value"].isna()].iterrows():
        out.append({"area": "财务", "item": r["label_zh"], "kind": "指标无法计算",
                    "reason": r["note"], "cells": r["source_cells"]})
    for domain in [*ev.domains, "other"]:  # the covered domains and the department's own rows
        for _, g in targets.gaps(ev, domain).iterrows():
            out.append({"area": ev.registry.domain_label(domain), "item": g["label_zh"],
                        "kind": g["kind"],
                        "reason": g["reason"], "cells": g["cells"]})
    r = score(ev)
    for _, i in r.items[r.items["status"].isin([MISSING_ZERO, EXCLUDED])].iterrows():
        out.append({"area": "评分表", "item": i["level3"], "kind": "评分所需数据未提供",
                    "reason": reason_text(i["why"]), "cells": i["evidence"]})
    for t in TEXT_SECTIONS:
        if t.expected and rows(ev, t.key).empty:
            out.append({"area": "报告文字", "item": t.label, "kind": "章节未提供",
                        "reason": f"自评报告该部分没有内容（应写：{t.guidance}）",
                        "cells": "报告文字"})
    return pd.DataFrame(out, columns=["area", "item", "kind", "reason", "cells"])


def gaps_table(ev: Evaluation):
    """The data gaps (see :func:`gaps`) as a table."""
    g = gaps(ev)
    if g.empty:
        return par("工作簿提供了评价所需的全部数据。")
    return styled(pd.DataFrame({"领域": g["area"], "项目": g["item"], "类别": g["kind"],
                                "原因": g["reason"], "单元格": g["cells"]}),
                  caption=f"数据缺口（共{len(g)}项）")


def text_audit(ev: Evaluation) -> pd.DataFrame:
    """Every figure in the department's own words (报告文字) the reviewer can check: from the
    sentence itself, across the text, and against the workbook (perfkit.assess.reporttext).

    Returns:
        Tidy frame with :data:`perfkit.assess.reporttext.TEXT_AUDIT_COLUMNS` (location = the cell).
    """
    frame = ev.data.frames.get("text")
    paragraphs = [] if frame is None else [
        (str(r["content"]), ev.data.cell("text", i, "content"))
        for i, r in frame.iterrows() if not is_missing(r["content"]) and str(r["content"]).strip()]
    return audit_text(extract(paragraphs, project=ev.project), ev.settings, ev)


def text_audit_summary(ev: Evaluation) -> Paragraph:
    """How many figures of the department's text were checked, with what verdicts."""
    a = text_audit(ev)
    if a.empty:
        return par("部门的报告文字中没有可以核对的数值（或工作簿未提供报告文字）。")
    counts = a["verdict"].value_counts()
    detail = "、".join(f"{v}{int(counts[v])}项" for v in VERDICTS if counts.get(v))
    wrong = int(counts.get(INCONSISTENT, 0))
    return par(f"从部门报告文字中识别并核对数值{len(a)}项：{detail}。"
                + ("有数值与数据不一致，需部门更正或说明。" if wrong else
                   "未发现与数据不一致的数值；舍入差异和无法核对的项目见下表。"))


def text_audit_table(ev: Evaluation):
    """The figures of the department's text that are not simply 一致, with where they stand."""
    a = text_audit(ev)
    a = a[a["verdict"] != CONSISTENT]
    if a.empty:
        return Blocks()
    frame = audit_display(a).drop(columns="编号")
    frame.insert(0, "位置", list(a["location"]))
    frame["原句"] = list(a["sentence"])
    # One row per figure of the text: checked in its sentence and against the workbook, a
    # figure gives two rows saying the same.
    frame = frame.drop_duplicates(subset=["位置", "报告值"], keep="first")
    return verdicts_marked(frame, caption="报告文字中需要说明的数值")


def monitoring_link(ev: Evaluation) -> Blocks:
    """Per target, what the year's 运行监控 predicted and what happened (nothing without a 监控
    workbook); a target warned about and missed without a 纠偏措施 is listed as a finding."""
    try:
        link = year_end_link(ev)
    except PerfkitError as exc:
        return Blocks(par(f"本年度的运行监控工作簿无法读取，未与年底结果对照：{exc}"))
    if link.empty:
        return Blocks()
    month = int(link["month"].iloc[0])
    found = int((link["finding"] != "").sum())
    mon = year_end_monitoring(ev)
    who = f"，填报人：{mon.data.info['preparer']}" if mon and mon.data.info.get("preparer") else ""
    source = f"（监控工作簿 {mon.data.path.name}{who}）" if mon else ""
    return Blocks(
        Heading(3, "运行监控预计与年底完成情况对照"),
        par(f"部门1-{month}月绩效运行监控{source}对{len(link)}项目标的预计，与年底实际完成情况逐项对照："
            f"监控时预警的{int(link['warned'].sum())}项中，"
            + (f"{found}项未写明纠偏措施且年底未完成，列为复核发现的问题。" if found
               else "没有未写明纠偏措施而年底未完成的。")),
        styled(year_end_rows(link), caption=f"{ev.year}年运行监控（1-{month}月）与年底完成情况"))
# ---- the opinion: its conclusion page and main problems ----------------------------------------

#: A line left for hand filling (a setting left blank).
BLANK = "＿" * 10
#: How many problems the conclusion page names at most.
PAGE_PROBLEMS = 5
#: Problem types that stand in the 附件 (数据缺口), and those the conclusion page states in
#: its own words (the score) rather than in its list of problems.
_NOT_MAIN = ("data_gap",)
_NOT_ON_PAGE = ("score_unsupported",)
_no_cells = without_references


def _reviewer(ev: Evaluation) -> str:
    return ev.settings.review_org or "复核机构"


def _review_date(ev: Evaluation) -> dt.date | None:
    return dt.date.fromisoformat(ev.settings.review_date) if ev.settings.review_date else None


def opinion_head(ev: Evaluation) -> Blocks:
    """Under the title: the 文号 (when the settings give one), the department addressed and what
    was reviewed, on what basis."""
    r = score(ev)
    org = ev.settings.review_org or "我们"
    return Blocks(
        par(ev.settings.review_doc_no, role="center") if ev.settings.review_doc_no else None,
        par(f"{ev.department_name}："),
        par(f"根据《{r.sheet.title_zh}》，{org}对你单位报送的{ev.year}年度部门整体支出绩效自评报告、"
            "部门决算报表及有关资料进行了复核。复核意见如下："))


def main_problem_types(ev: Evaluation) -> list[str]:
    """The problem types found, most serious first (level, then the template's order), without
    those the conclusion states otherwise (:data:`_NOT_MAIN`)."""
    found = find_problems(ev)
    types = problem_types()
    order = list(types)
    kinds = [k for k in dict.fromkeys(found["type"]) if k not in _NOT_MAIN]
    return sorted(kinds, key=lambda k: (LEVELS.index(types[k].level), order.index(k)))


def _no_formulas(text: str) -> str:
    """A text without its parenthesised formulas (（决算数 / 年初预算（或调整预算） × 100%）)."""
    out: list[str] = []
    stack: list[int] = []
    for ch in text:
        if ch in "（(":
            stack.append(len(out))
        out.append(ch)
        if ch in "）)" and stack:
            start = stack.pop()
            if not stack and any(op in "".join(out[start:]) for op in ("/", "×")):
                del out[start:]
    return "".join(out)


def _first_statement(text: str) -> str:
    """A finding's text to its first ``；`` or ``：`` outside quotation marks: its statement, a
    whole sentence, without the evidence that follows."""
    depth = 0
    for i, ch in enumerate(text):
        depth += ch == "“"
        depth -= ch == "”"
        if ch in "；：" and depth <= 0:
            return text[:i]
    return text


def _brief(group: pd.DataFrame) -> str:
    """One sentence for a problem type on the conclusion page: its first finding's statement
    (without cell references and formulas), and how many more there are."""
    g = group.iloc[0]
    text = _first_statement(_no_formulas(_no_cells(str(g["detail_zh"])))).rstrip("。")
    item = str(g["item_zh"])
    if not g["quote"] and item not in text and "=" not in item:
        text = f"{item}：{text}"
    more = f"（另有{len(group) - 1}项）" if len(group) > 1 else ""
    return f"{text}{more}。"


def _first_reading(ev: Evaluation) -> bool:
    """Whether the opinion is a first reading that waits for 补充资料 (a range, not a score)."""
    return review_outcome(ev).first_reading


def verdict(ev: Evaluation) -> Paragraph:
    """The conclusion in one paragraph: the 复核得分 and grade (a first reading: the range and
    the grades it allows), the claim and the difference with its main causes."""
    r = score(ev)
    if not r.scorable:
        return par(f"{_claim(r)}。按评分表复核时评分规则执行出错，", b("复核得分无法计算"),
                   f"：{'；'.join(r.errors)}。")
    if _first_reading(ev):
        o = review_outcome(ev)
        high = o.score_range[1]
        claim = ("部门未填报自评得分。" if r.claimed is None else
                 f"部门自评得分{r.claim_text()}，" + (
                     f"高于初审可得的最高分{fmt.num(high)}分。" if r.claimed - high > 0.005
                     else "在初审得分区间之内。"))
        return par("经初审，", b(range_text(o)), "，补充资料后终审确定。", claim)
    lead = ("经复核，你单位复核得分为", b(f"{fmt.num(r.total)}分"), "，等级为“", b(r.grade), "”")
    if r.claimed is None:
        return par(lead, "；部门未填报自评得分。")
    diff = r.claim_difference
    if abs(diff) < 0.005:
        return par(lead, f"，与部门自评得分{r.claim_text()}一致。")
    losses = sorted(((k, v) for k, v in r.losses().items() if v > 0), key=lambda kv: -kv[1])
    causes = "、".join(f"{LOSS_ZH[k].split('（')[0]}{fmt.num(v)}分" for k, v in losses[:3])
    rel = "高于" if diff > 0 else "低于"
    return par(lead, f"。部门自评得分{r.claim_text()}，{rel}复核得分{fmt.num(abs(diff))}分"
               + (f"；复核扣分主要是{causes}（分解见第四部分）。" if causes else "。"))


def conclusion_page(ev: Evaluation) -> Blocks:
    """The one-page 复核结论: both scores and grades, the main problems, 整改要求 with its
    deadline, 结果应用 for the grade, and the signature and seal block; a page break after."""
    found = find_problems(ev)
    kinds = [k for k in main_problem_types(ev) if k not in _NOT_ON_PAGE]
    types = problem_types()
    problems = [(b(f"{types[k].heading_zh}（{types[k].level}）。"),
                 _brief(found[found["type"] == k])) for k in kinds[:PAGE_PROBLEMS]]
    total = len(main_problem_types(ev))
    blocks = [Heading(2, "一、复核结论"), score_comparison(ev), verdict(ev)]
    if problems:
        shown = f"共{total}类，列出最主要的{len(problems)}类" if total > len(problems) else f"共{total}类"
        blocks += [par(f"复核发现的主要问题（{shown}，详见第三部分）："), numbered(problems)]
    else:
        blocks.append(par("复核未发现需要整改的问题。"))
    blocks += [Heading(2, "二、整改要求和结果应用"), par(run_in("（一）整改要求"), rectification(ev)),
               par(run_in("（二）结果应用"), result_use(ev)), signature(ev), PageBreak()]
    return Blocks(blocks)


def rectification(ev: Evaluation) -> str:
    """整改要求: in a first reading the 补充资料 and its deadline first; then what to correct, by
    when (review_date + rectify_days, or days from issue)."""
    days = ev.settings.rectify_days
    when = _review_date(ev)
    deadline = (f"于{fmt.date_zh(when + dt.timedelta(days=days))}前" if when
                else f"自本意见印发之日起{days}日内")
    supply = ""
    if _first_reading(ev):
        o = review_outcome(ev)
        supply = (f"请于{o.deadline.removesuffix('前')}前" if o.deadline.endswith("前")
                  else f"请{o.deadline}") + (
            f"按补充资料清单（第五部分，{len(o.supplements)}项）报送佐证资料，逾期未报送的按复核口径计0分。")
    return (supply + f"请你单位对本意见指出的问题逐项整改，{deadline}将整改情况书面报送"
            f"{_reviewer(ev)}：P0级问题更正自评报告和自评表，P1级问题作出书面说明并落实整改，"
            "P2级问题在下年度预算编制和绩效自评中改进。")


def result_use(ev: Evaluation) -> str:
    """结果应用 for the 复核 grade (the settings' ``result_use``, defaults per 财预〔2020〕10号);
    in a first reading, for each grade the range allows, applied once the final grade is set."""
    r = score(ev)
    uses = ev.settings.result_use_by_grade
    if not r.scorable:
        return "复核得分无法计算，结果应用待复核得分确定后另行通知。"
    if _first_reading(ev):
        return pending_result_use(review_outcome(ev).possible_grades, uses)
    if not r.grade:
        return "复核得分无对应等级，结果应用另行通知。"
    return (f"复核等级为“{r.grade}”，结果应用：{uses[r.grade]}。"
            "复核结果抄送预算管理部门，作为安排下年度预算的参考。")


def stage_note(ev: Evaluation) -> Blocks:
    """The stage in the 复核说明: a final reading's score and the 口径 that scored what is still
    missing (a first reading states its range on the conclusion page)."""
    return Blocks() if _first_reading(ev) else Blocks(stage_statement(ev))


def supplements_section(ev: Evaluation) -> Blocks:
    """五、补充资料清单 of a first reading: what to supply, by when, under which 口径 (nothing in a
    final one)."""
    if not _first_reading(ev):
        return Blocks()
    return Blocks(Heading(2, "五、补充资料清单"), stage_statement(ev), supplements_table(ev))


def signature(ev: Evaluation) -> Signature:
    """复核人, 复核机构（盖章） and the date; blank lines where the settings leave them blank."""
    when = _review_date(ev)
    return Signature((f"复核人：{ev.settings.reviewer or BLANK}",
                      f"复核机构（盖章）：{ev.settings.review_org or BLANK}",
                      fmt.date_zh(when) if when else "　　　　年　　月　　日"))


def main_problems(ev: Evaluation) -> Blocks:
    """三、主要问题及整改建议: every problem type found, most serious first, with its evidence
    (figures and the report's words, without cell references) and its suggestion."""
    found = find_problems(ev)
    kinds = main_problem_types(ev)
    if not kinds:
        return Blocks(par("复核未发现需要说明的问题。"))
    types = problem_types()
    out: list[Paragraph | ListBlock] = []
    for n, kind in enumerate(kinds):
        group = found[found["type"] == kind]
        out.append(par(run_in(f"{fmt.numbering(n + 1)}{types[kind].heading_zh}（{types[kind].level}）")))
        if len(group) > 4:
            out.append(par(f"共{len(group)}项：" + "；".join(
                f"{g['item_zh']}（{_no_cells(g['detail_zh'])}）" for _, g in group.iterrows()) + "。"))
        else:
            out.append(bullets(_no_cells(g["detail_zh"]) if str(g["detail_zh"]).startswith(
                str(g["item_zh"])) or g["quote"] else f"{g['item_zh']}：{_no_cells(g['detail_zh'])}"
                for _, g in group.iterrows()))
        out.append(par(b("整改建议："), suggestion_text(kind, group["item_zh"])))
    gaps = found[found["type"] == "data_gap"]
    if len(gaps):
        out.append(par(f"此外，{len(gaps)}项指标因缺少基础数据无法计算，见附件4“数据缺口”。"))
    return Blocks(out)

