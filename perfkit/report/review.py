"""The reviewer's 复核意见: the department's claimed score beside the 复核得分, and why they differ.

This is the reviewer's document (a finance bureau's 抽查复核). The 复核得分 is perfkit's score
of the department's evidence under the run's score sheet ("无佐证材料不得分"); it is never called
自评得分. The difference from the department's claim is decomposed by cause and adds up to it
exactly. The audit of stated figures, the cross-checks, PEFA, data gaps and the data dictionary
are presented by the review notebook from :mod:`perfkit.report.tables` and :mod:`perfkit.report.narrative`.
"""

from __future__ import annotations

import pandas as pd

from perfkit import fmt
from perfkit.assess import targets
from perfkit.assess.claims import claim_checks
from perfkit.assess.decomposition import decomposition, item_comparison
from perfkit.assess.evaluation import Evaluation
from perfkit.assess.reporttext import extract
from perfkit.assess.reviewstage import INITIAL, ReviewOutcome, review_outcome
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
from perfkit.report.blocks import Blocks, Heading, Paragraph, b, par
from perfkit.report.reviewstage import range_text
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
    o = review_outcome(ev)
    if o.stage == INITIAL and o.supplements:  # a first reading gives a range, not a score
        return par(f"{_claim(r)}。按《{r.sheet.title_zh}》逐项复核（初审），", b(range_text(o)),
                   f"。待补充资料{len(o.supplements)}项，见补充资料清单。")
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
                      + "（分解见下表）。")
    # No alternative 口径: what is missing scores under the 复核口径 the sheet states (the
    # "exclude" total could not be reproduced from the published item scores, issue #24).
    return par(lead, s)


def score_comparison(ev: Evaluation):
    """The claimed score and the 复核得分 side by side, with grades and the difference."""
    r = score(ev)
    total = fmt.num(r.total, missing="无法评分")
    grade = r.grade or "—"
    difference = fmt.num(r.claim_difference, missing="—")
    o = review_outcome(ev)
    if o.stage == INITIAL and o.supplements and r.scorable:
        low, high = o.score_range
        total = f"{fmt.num(low)}–{fmt.num(high)}（初审，待补充资料{fmt.num(o.pending_points)}分）"
        grade = "、".join(o.possible_grades) + "之一"
        if r.claimed is not None:
            difference = f"{fmt.num(r.claimed - high)}–{fmt.num(r.claimed - low)}"
    return styled(pd.DataFrame({
        "项目": ["部门自评得分（部门填报）", f"复核得分（按{r.sheet.title_zh}复核）",
               "差额（自评得分 − 复核得分）"],
        "分数": [fmt.num(r.claimed, missing="部门未填报"), total,
               difference],
        "等级": [r.stated_grade or ("—" if r.claimed is None else
                                  f"未填报（按分数属“{r.claimed_grade or '无对应等级'}”）"),
               grade, ""],
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
    o = review_outcome(ev)
    pending = {s.item: s.points for s in o.supplements} if o.stage == INITIAL else {}
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
        return i["reason"] if i["status"] == "scored" else f"【{STATUS_ZH[i['status']]}】{i['reason']}"
    reason = str(i["reason"]).replace(f"；{POLICY_ZH['zero']}", "")
    return f"【待补充资料{fmt.num(pending)}分，暂不计分】{reason}"


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
    return verdicts_marked(frame, caption="报告文字中需要说明的数值")
