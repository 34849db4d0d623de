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
import re

import pandas as pd

from perfkit import fmt
from perfkit.assess import targets
from perfkit.assess.claims import claim_checks
from perfkit.assess.decomposition import decomposition, item_comparison
from perfkit.assess.evaluation import Evaluation
from perfkit.assess.problems import LEVELS, find_problems, problem_types
from perfkit.assess.reporttext import extract
from perfkit.assess.rules import LOSS_ZH
from perfkit.assess.scoring import (
    EXCLUDED,
    MISSING_ZERO,
    POLICY_ZH,
    STATUS_ZH,
    ScoreResult,
    score,
)
from perfkit.assess.textaudit import audit_text
from perfkit.cells import is_missing
from perfkit.data.sheets import TEXT_SECTIONS
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
from perfkit.report.narrative import suggestion_text
from perfkit.report.selfreport import rows
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


def conclusion(ev: Evaluation) -> Paragraph:
    """复核结论: the claim, the 复核得分 and its grade, the difference and its main causes."""
    r = score(ev)
    basis = f"按《{r.sheet.title_zh}》逐项复核（{POLICY_ZH[r.policy]}）"
    if not r.scorable:
        return par(f"{_claim(r)}。{basis}时评分规则执行出错，", b("复核得分无法计算"),
                   f"：{'；'.join(r.errors)}。请修正评分表或报告 perfkit 的维护者后重新运行。")
    lead = (f"{_claim(r)}。{basis}，复核得分为", b(f"{fmt.num(r.total)}分"), "，等级为“",
            b(r.grade), "”。")
    s = ""
    if r.claimed is not None:
        diff = r.claim_difference
        if abs(diff) < 0.005:
            s += "复核得分与部门自评得分一致。"
        else:
            rel = "高于" if diff > 0 else "低于"
            s += f"部门自评得分{rel}复核得分{fmt.num(abs(diff))}分。"
            losses = {k: v for k, v in r.losses().items() if v > 0}
            top = sorted(losses.items(), key=lambda kv: kv[1], reverse=True)
            if top:
                s += ("复核扣分" + fmt.num(r.total_deduction) + "分，主要是"
                      + "、".join(f"{LOSS_ZH[k].split('（')[0]}{fmt.num(v)}分" for k, v in top[:3])
                      + "（分解见第五部分）。")
    return par(lead, s)


def score_comparison(ev: Evaluation):
    """The claimed score and the 复核得分 side by side, with grades and the difference."""
    r = score(ev)
    total = fmt.num(r.total, missing="无法评分")
    return styled(pd.DataFrame({
        "项目": ["部门自评得分（部门填报）", "复核得分（财政复核）", "差额（自评得分 − 复核得分）"],
        "分数": [fmt.num(r.claimed, missing="部门未填报"), total,
               fmt.num(r.claim_difference, missing="—")],
        "等级": [r.stated_grade or ("—" if r.claimed is None else
                                  f"未填报（按分数属“{r.claimed_grade or '无对应等级'}”）"),
               r.grade or "—", ""],
    }))


def decomposition_table(ev: Evaluation):
    """The decomposition as a table (see :func:`decomposition`)."""
    frame = decomposition(ev)
    return styled(pd.DataFrame({"项目": frame["label"],
                                "分数": frame["points"].map(fmt.num)}),
                  caption="自评得分与复核得分之差的分解")


def item_comparison_table(ev: Evaluation):
    """Item by item comparison (see :func:`item_comparison`), for the reviewer."""
    frame = item_comparison(ev)
    given = frame["claimed"].notna().any()
    table = {"一级指标": frame["level1"], "三级指标": frame["level3"],
             "分值": frame["points"].map(_pts)}
    if given:
        table |= {"部门自评得分": frame["claimed"].map(lambda v: fmt.num(v, missing="未填报")),
                  "复核得分": frame["review"].map(lambda v: fmt.num(v, missing="不计分")),
                  "差额（自评 − 复核）": frame["difference"].map(lambda v: fmt.num(v, missing="—"))}
    else:
        table |= {"复核得分": frame["review"].map(lambda v: fmt.num(v, missing="不计分")),
                  "复核扣分": frame["deduction"].map(fmt.num)}
    table |= {"扣分主要原因": frame["cause"].where(frame["cause"] != "", "—"),
              "复核说明": [r if s == "scored" else f"【{STATUS_ZH[s]}】{r}"
                       for r, s in zip(frame["reason"], frame["status"], strict=True)]}
    caption = "逐项对照" + ("（部门填报了分项自评得分）" if given else
                        "（部门未填报分项自评得分，只列复核得分）")
    return styled(pd.DataFrame(table), caption=caption)


def claim_checks_table(ev: Evaluation):
    """Checks of the department's own score against its parts and the sheet."""
    c = claim_checks(ev)
    return styled(pd.DataFrame({
        "核对项": c["label_zh"], "结论": c["verdict"], "说明": c["explanation"],
    }))


def score_table(ev: Evaluation):
    """The score sheet as reviewed: every 三级 indicator with points, 复核得分 and why."""
    r = score(ev)
    adjusted = not (r.items["points_adjusted"] == r.items["points"]).all()
    rows = []
    for level1, group in r.items.groupby("level1", sort=False):
        for _, i in group.iterrows():
            row = {"一级指标": i["level1"], "二级指标": i["level2"], "三级指标": i["level3"],
                   "分值": _pts(i["points"])}
            if adjusted:
                row["调整后分值"] = (_pts(i["points_adjusted"]) if i["status"] != EXCLUDED
                                  else "不计分")
            row |= {"复核得分": fmt.num(i["score"], missing="不计分"),
                    "评分标准": i["rule_zh"],
                    "得分及扣分原因": i["reason"] if i["status"] == "scored"
                    else f"【{STATUS_ZH[i['status']]}】{i['reason']}",
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
    rows.append(total)
    return styled(pd.DataFrame(rows), caption=f"{r.sheet.title_zh}（{ev.year}年度复核）")


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
                    "reason": str(i["reason"]), "cells": i["evidence"]})
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


# ---- the opinion: its conclusion page and main problems ----------------------------------------

#: A line left for hand filling (a setting left blank).
BLANK = "_" * 16
#: How many problems the conclusion page names at most.
PAGE_PROBLEMS = 5
#: Problem types that the conclusion states otherwise or that stand in the 附件 (数据缺口).
_NOT_MAIN = ("data_gap",)
_CELL_REF = re.compile(r"[（(][^（）()]*![A-Z]{1,3}\d+[^（）()]*[)）]")


def _no_cells(text: str) -> str:
    """A finding's text without its cell references (（支出!D4）): they stand in the 附件."""
    return _CELL_REF.sub("", text)


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


def verdict(ev: Evaluation) -> Paragraph:
    """The conclusion in one paragraph: the 复核得分 and grade, the claim and the difference with
    its main causes."""
    r = score(ev)
    if not r.scorable:
        return par(f"{_claim(r)}。按评分表复核时评分规则执行出错，", b("复核得分无法计算"),
                   f"：{'；'.join(r.errors)}。")
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
               + (f"；复核扣分主要是{causes}（分解见第五部分）。" if causes else "。"))


def conclusion_page(ev: Evaluation) -> Blocks:
    """The one-page 复核结论: both scores and grades, the main problems, 整改要求 with its
    deadline, 结果应用 for the grade, and the signature and seal block; a page break after."""
    found = find_problems(ev)
    kinds = main_problem_types(ev)
    types = problem_types()
    problems = [(b(f"{types[k].heading_zh}（{types[k].level}）。"),
                 _brief(found[found["type"] == k])) for k in kinds[:PAGE_PROBLEMS]]
    rest = len(kinds) - len(problems)
    blocks = [Heading(2, "一、复核结论"), score_comparison(ev), verdict(ev)]
    if problems:
        blocks += [par("复核发现的主要问题（详见第四部分）："), numbered(problems)]
        if rest > 0:
            blocks.append(par(f"另有{rest}类问题，见第四部分。"))
    else:
        blocks.append(par("复核未发现需要整改的问题。"))
    blocks += [Heading(2, "二、整改要求"), par(rectification(ev)),
               Heading(2, "三、结果应用"), par(result_use(ev)), signature(ev), PageBreak()]
    return Blocks(blocks)


def rectification(ev: Evaluation) -> str:
    """整改要求: what to correct, by when (review_date + rectify_days, or days from issue)."""
    days = ev.settings.rectify_days
    when = _review_date(ev)
    deadline = (f"于{fmt.date_zh(when + dt.timedelta(days=days))}前" if when
                else f"自本意见印发之日起{days}日内")
    return (f"请你单位对本意见指出的问题逐项整改，{deadline}将整改情况书面报送{_reviewer(ev)}："
            "P0级问题更正自评报告和自评表，P1级问题作出书面说明并落实整改，"
            "P2级问题在下年度预算编制和绩效自评中改进。")


def result_use(ev: Evaluation) -> str:
    """结果应用 for the 复核 grade (the settings' ``result_use``, defaults per 财预〔2020〕10号)."""
    r = score(ev)
    if not r.scorable or not r.grade:
        return "复核得分无法计算，结果应用待复核得分确定后另行通知。"
    return (f"复核等级为“{r.grade}”，结果应用：{ev.settings.result_use_by_grade[r.grade]}。"
            "复核结果抄送预算管理部门，作为安排下年度预算的参考。")


def signature(ev: Evaluation) -> Signature:
    """复核人, 复核机构（盖章） and the date; blank lines where the settings leave them blank."""
    when = _review_date(ev)
    return Signature((f"复核人：{ev.settings.reviewer or BLANK}",
                      f"复核机构（盖章）：{ev.settings.review_org or BLANK}",
                      fmt.date_zh(when) if when else "　　　　年　　月　　日"))


def main_problems(ev: Evaluation) -> Blocks:
    """四、主要问题及整改建议: every problem type found, most serious first, with its evidence
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

