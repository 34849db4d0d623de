"""The stage of the 复核 in the 复核意见: the score range of a first reading, the 补充资料清单,
and every deduction worded from its data (:mod:`perfkit.assess.reviewstage`), citing its rule."""

from __future__ import annotations

import pandas as pd

from perfkit import fmt
from perfkit.assess.evaluation import Evaluation
from perfkit.assess.reviewrules import CHECKLIST_EVIDENCE, NO_EVIDENCE, SATISFACTION
from perfkit.assess.reviewstage import (
    FINAL,
    PENDING_APPLIES,
    STAGE_ZH,
    Deduction,
    ReviewOutcome,
    review_outcome,
)
from perfkit.cells import without_references
from perfkit.report.blocks import Blocks, Paragraph, Table, b, par
from perfkit.report.reasons import gap_text, label
from perfkit.report.tables import styled


def _pts(v: float) -> str:
    return fmt.num(v, 0 if float(v).is_integer() else 2)


#: A whole item lost for want of evidence, by the 口径 it falls under.
_MISSING_ZH = {NO_EVIDENCE: "无佐证资料", SATISFACTION: "满意度未提供调查样本",
               CHECKLIST_EVIDENCE: "评价要点的证据说明无可核实的佐证"}


def deduction_text(d: Deduction) -> str:
    """One deduction as the 复核 words it: the rule it cites and the share it takes."""
    if d.applies in _MISSING_ZH and d.share >= 1 - 1e-9:
        return f"{_MISSING_ZH[d.applies]}，按复核口径{d.rule}打0分（扣{_pts(d.points)}分）"
    share = fmt.pct(d.share * 100)
    why = {NO_EVIDENCE: "部分评分要素无佐证资料", SATISFACTION: "满意度未提供调查样本",
           CHECKLIST_EVIDENCE: "部分评价要点无可核实的佐证"}.get(d.applies, "") or _what(d)
    return (f"{why + '，' if why else ''}按复核口径{d.rule}扣{_pts(d.points)}分"
            f"（占该项分值{_pts(d.item_points)}分的{share}）")


def _what(d: Deduction) -> str:
    """What the item's rule found, from its reason's figures ("" when it gave none)."""
    code, f = d.why.code, d.why.figures
    unit = str(d.figures.get("unit", ""))
    value = d.figures.get("value")
    shown = fmt.with_unit(float(value), unit) if isinstance(value, float) else ""
    step = "个百分点" if unit == "%" else unit
    if code == "linear":
        word = {"above": "超过", "below": "低于"}.get(str(f["side"]), "偏离")
        return (f"{label(f)}{shown}，{word}{fmt.num(float(f['bound']), 0)}{unit}达"
                f"{fmt.num(float(f['beyond']))}{step}，每{fmt.num(float(f['per']), 0)}{step}扣"
                f"{fmt.num(float(f['deduct']))}分")
    if code == "band":
        return f"{label(f)}{shown}，属“{f['band'].describe(unit)}”档"
    if code in ("checklist", "checklist_unevidenced"):
        parts = [f"{len(f[k])}项评价要点{w}" for k, w in (
            ("unmet", "未满足"), ("unevidenced", "证据不足"), ("unknown", "未提供")) if f.get(k)]
        return "、".join(parts)
    if code == "data_quality":
        return (f"发现{len(f['findings'])}处不一致或未解释差额，每处扣"
                f"{fmt.num(float(f['per_finding']))}分")
    if code == "targets":
        return f"年度目标平均完成比例{fmt.pct(float(f['mean_pct']))}"
    if code == "target_clarity":
        return (f"明确的目标{len(f['clear'])}项，占{f['targets']}项的"
                f"{fmt.pct(float(f['share_pct']))}")
    return ""


def range_text(o: ReviewOutcome) -> str:
    """``已核实部分 X 分（核实范围 Y 分），待补充资料 Z 分`` and the grades it allows."""
    grades = "、".join(o.possible_grades) or "无对应等级"
    low, high = o.score_range
    return (f"已核实部分{fmt.num(o.verified_score)}分（核实范围{_pts(o.verified_points)}分），"
            f"待补充资料{_pts(o.pending_points)}分；复核得分将在{fmt.num(low)}分至{fmt.num(high)}分"
            f"之间，等级可能为{grades}")


def stage_statement(ev: Evaluation) -> Paragraph:
    """The score as the stage allows it: a range and the 补充资料 deadline (初审), or the
    score and the 口径 that scored what is still missing (终审)."""
    o = review_outcome(ev)
    if not o.scorable:
        return par(f"复核阶段：{STAGE_ZH[o.stage]}。评分规则执行出错，复核得分无法计算。")
    if o.stage == FINAL:
        missing = [d for d in o.deductions if d.applies in PENDING_APPLIES]
        tail = ""
        if missing:
            ids = "、".join(sorted({d.rule for d in missing}))
            tail = (f"补充资料后仍无佐证的{len(missing)}项按复核口径{ids}计0分，"
                    f"共扣{fmt.num(sum(d.points for d in missing))}分。")
        return par("复核阶段：终审。复核得分", b(f"{fmt.num(o.score)}分"), f"，等级为“{o.grade}”。",
                   tail)
    if not o.supplements:
        return par("复核阶段：初审。评分所需的数据和佐证资料均已提供，复核得分",
                   b(f"{fmt.num(o.verified_score)}分"), f"，等级为“{o.grade}”。")
    return par("复核阶段：初审。缺少佐证的评分项暂列为“待补充资料”，不计0分；请部门",
               b(f"于{o.deadline}" if o.deadline.endswith("前") else o.deadline),
               "按下列补充资料清单报送，逾期未报送或报送后仍无佐证的，终审时按复核口径"
               f"{'、'.join(sorted({s.rule for s in o.supplements}))}计0分。")


def supplements_table(ev: Evaluation) -> Blocks | Table:
    """The 补充资料清单 (初审): item, points waiting, the document asked for, deadline."""
    o = review_outcome(ev)
    if not o.supplements:
        return Blocks()
    return styled(pd.DataFrame({
        "序号": [str(i) for i in range(1, len(o.supplements) + 1)],
        "评分项目": [f"{s.level1}—{s.level3}" for s in o.supplements],
        "待补充分值": [_pts(s.points) for s in o.supplements],
        "应提供的资料": [s.document for s in o.supplements],
        "缺少的内容": [without_references(gap_text(s.why, s.applies)) for s in o.supplements],
        "逾期未补按": [f"复核口径{s.rule}计0分" for s in o.supplements],
    }), caption=f"补充资料清单（共{len(o.supplements)}项，待补充资料{_pts(o.pending_points)}分；"
                f"报送期限：{o.deadline}）")


def deductions_table(ev: Evaluation) -> Blocks | Table:
    """Every deduction of the stage, each citing its 复核口径."""
    o = review_outcome(ev)
    if not o.deductions:
        return Blocks()
    return styled(pd.DataFrame({
        "评分项目": [f"{d.level1}—{d.level3}" for d in o.deductions],
        "复核口径": [d.rule for d in o.deductions],
        "扣分": [fmt.num(d.points) for d in o.deductions],
        "扣分说明": [deduction_text(d) for d in o.deductions],
    }), caption=f"复核扣分及所依口径（{STAGE_ZH[o.stage]}，共扣{fmt.num(o.deducted)}分）")


def rules_table(ev: Evaluation) -> Table:
    """The 复核口径 in force, by id."""
    o = review_outcome(ev)
    return styled(pd.DataFrame({"编号": list(o.rules), "复核口径": list(o.rules.values())}),
                  caption="复核口径")
