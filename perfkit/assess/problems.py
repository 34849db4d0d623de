"""Problems found in the data (存在的问题) and the suggestion template answering each type."""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import yaml

from perfkit import config, fmt
from perfkit.assess import targets
from perfkit.assess.checks import run_domain_checks
from perfkit.assess.evaluation import Evaluation
from perfkit.assess.figures import typed_computed_rows
from perfkit.assess.monitor import MISSED_UNCORRECTED, year_end_link
from perfkit.assess.reading import read_report
from perfkit.assess.reviewstage import INITIAL, review_outcome
from perfkit.assess.rules import LOSS_MISSING
from perfkit.assess.scoring import score
from perfkit.assess.targets import target_text
from perfkit.cells import is_missing
from perfkit.data.sheets import TEXT_SECTIONS
from perfkit.errors import PerfkitError
from perfkit.indicators.aid import BELOW_STANDARD, D, programme_frame
from perfkit.verdicts import INCONSISTENT, UNEXPLAINED

log = logging.getLogger(__name__)

TEMPLATE = config.PACKAGE_DIR / "resources" / "problems.yaml"

#: Columns of :func:`find_problems`: the type, its level (P0 must be corrected, P1 explained or
#: rectified, P2 noted), the item, the finding with its figures, the words of the report it
#: quotes (or ""), and the workbook cells it rests on.
COLUMNS = ["type", "level", "item_zh", "detail_zh", "quote", "cells"]
#: Problem levels, most serious first.
LEVELS = ("P0", "P1", "P2")


@dataclass(frozen=True)
class ProblemType:
    """One problem type of the template: its heading and the suggestion that answers it."""

    key: str
    heading_zh: str
    suggestion_zh: str
    level: str = "P1"
    params: dict[str, Any] = field(default_factory=dict)


@functools.cache
def problem_types() -> dict[str, ProblemType]:
    """The problem types in report order, from ``perfkit/resources/problems.yaml``."""
    raw = yaml.safe_load(TEMPLATE.read_text(encoding="utf-8"))
    types = {}
    for key, spec in raw.items():
        params = {k: v for k, v in spec.items()
                  if k not in ("heading_zh", "suggestion_zh", "level")}
        level = str(spec.get("level", "P1"))
        if level not in LEVELS:
            raise PerfkitError(f"{TEMPLATE}：问题类型 {key} 的 level 应为 P0、P1 或 P2，"
                               f"不能是“{level}”")
        types[key] = ProblemType(key, spec["heading_zh"], spec["suggestion_zh"], level, params)
    return types



def _row(kind: str, item: str, detail: str, cells: str = "") -> dict[str, str]:
    return {"type": kind, "item_zh": item, "detail_zh": detail, "quote": "", "cells": cells}


def _cross_checks(ev: Evaluation) -> list[dict]:
    # 不一致: the stated figures contradict each other (P0). 未解释差额: parts the workbook leaves
    # blank and a gap nobody explains — the disclosure is incomplete, not contradictory (P1).
    rows = [_row("cross_check" if c["verdict"] == INCONSISTENT else "unexplained_gap",
                 c["label_zh"], f"{c['explanation']}（{c['verdict']}）", c["source_cells"])
            for _, c in ev.checks.iterrows() if c["verdict"] in (UNEXPLAINED, INCONSISTENT)]

    for domain in ev.domains:
        checks = run_domain_checks(ev.data, ev.settings, domain, ev.registry)
        rows += [_row("cross_check", c["label_zh"], f"{c['explanation']}（{c['verdict']}）",
                      c["source_cells"])
                 for _, c in checks.iterrows() if c["verdict"] == INCONSISTENT]
    return rows


def _typed_computed(ev: Evaluation) -> list[dict]:
    """A 实际值 typed on a computed indicator's row that the computed value contradicts."""
    return [_row("typed_computed", r["figure"].split("：")[0], r["explanation"], r["source_cells"])
            for r in typed_computed_rows(ev) if r["verdict"] == INCONSISTENT]


def execution_deviations(ev: Evaluation) -> pd.DataFrame:
    """The budget execution rates (收入, 支出) further from 100% than the problem template's
    ``threshold_pp``: id, label_zh, value_pct, deviation_pp (absolute), actual and budget (万元,
    the budget of the run's ``budget_basis``), basis_zh (年初预算 or 调整预算), cells."""
    threshold = float(problem_types()["execution_deviation"].params.get("threshold_pp", 10))
    rows = []
    for ind_id, sheet in (("revenue_execution_pct", "income"),
                          ("expenditure_execution_pct", "expenditure")):
        r = ev.indicators.loc[ind_id]
        v = float(r["value"])
        if is_missing(v) or abs(v - 100) <= threshold:
            continue
        rows.append({"id": ind_id, "label_zh": r["label_zh"], "value_pct": v,
                     "deviation_pp": abs(v - 100), "threshold_pp": threshold,
                     "actual": ev.data.value(sheet, "total", "actual"),
                     "budget": ev.data.value(sheet, "total", ev.settings.budget_column),
                     "basis_zh": ev.settings.budget_label_zh, "cells": r["source_cells"]})
    return pd.DataFrame(rows, columns=["id", "label_zh", "value_pct", "deviation_pp",
                                       "threshold_pp", "actual", "budget", "basis_zh", "cells"])


def _execution(ev: Evaluation) -> list[dict]:
    return [_row("execution_deviation", d["label_zh"],
                 f"{d['label_zh']}{fmt.pct(d['value_pct'])}（决算数{fmt.amount(d['actual'])} / "
                 f"{d['basis_zh']}{fmt.amount(d['budget'])}），"
                 f"{'超出' if d['value_pct'] > 100 else '低于'}100%达{fmt.num(d['deviation_pp'])}"
                 f"个百分点，超过{fmt.num(d['threshold_pp'], 0)}个百分点的界限", d["cells"])
            for _, d in execution_deviations(ev).iterrows()]


def _target_text(t: pd.Series) -> str:
    return f"目标{target_text(t)}"


def _targets(ev: Evaluation) -> list[dict]:
    rows = []
    for _, t in targets.attainment(ev).iterrows():
        if t["status"] == targets.NOT_ACHIEVED:
            ratio = "" if is_missing(t["ratio_pct"]) else f"，为目标的{fmt.pct(t['ratio_pct'])}"
            actual = fmt.with_unit(t["actual"], t["unit"], qualifier=t["qualifier"])
            rows.append(_row("missed_target", t["label_zh"],
                             f"{_target_text(t)}，实际{actual}{ratio}",
                             f"{t['target_cell']}; {t['actual_cell']}"))
        elif t["status"] == targets.NO_ACTUAL:
            note = f"（{t['note']}）" if t["note"] else ""
            rows.append(_row("unmeasured_target", t["label_zh"],
                             f"{_target_text(t)}，未提供实际值{note}", t["actual_cell"]))
    return rows


def _monitoring(ev: Evaluation) -> list[dict]:
    """A target the year's 运行监控 warned about and that was then missed, with no 纠偏措施."""
    try:
        link = year_end_link(ev)
    except PerfkitError as exc:  # an invalid 监控 workbook: its own run reports the problems
        log.warning("monitoring workbook not read: %s", exc)
        return []
    rows = []
    for _, r in link[link["finding"] == MISSED_UNCORRECTED].iterrows():
        likely = f"，完成目标可能性“{r['likelihood']}”" if r["likelihood"] else ""
        rows.append(_row(
            "monitor_missed", r["name"],
            f"1-{r['month']}月运行监控时全年预计完成{fmt.with_unit(r['expected'], r['unit'])}"
            f"{likely}，已列为有完成风险，但未写明纠偏措施；年底实际"
            f"{fmt.with_unit(r['actual'], r['unit'])}，未达到年度指标值"
            f"{r['direction']}{fmt.with_unit(r['target'], r['unit'])}", r["cells"]))
    return rows


def _aid(ev: Evaluation) -> list[dict]:
    if D not in ev.domains:  # the 学生资助 sheet belongs to the aid domain
        return []
    rows = []
    for _, p in programme_frame(ev.data).iterrows():
        if p["flag"] != BELOW_STANDARD:
            continue
        rows.append(_row("aid_below_standard", p["program"],
                         f"{fmt.amount(p['amount_wan_yuan'])} ÷ {fmt.count(p['persons'])}"
                         f"{p['count_unit']} = {fmt.num(p['per_capita_yuan'])}元/{p['count_unit']}，"
                         f"低于标准{fmt.num(p['standard_yuan'])}元/人·年，"
                         f"为标准的{fmt.pct(p['per_capita_to_standard_pct'])}",
                         f"{p['amount_cell']}; {p['persons_cell']}"))
    return rows


def _completeness(ev: Evaluation) -> list[dict]:
    """What a 自评报告 normally has and this one lacks (the department's report says nothing of
    it: the reviewer does): no text at all (the 自评报告 is a draft), or sections without any."""
    frame = ev.data.frames.get("text")
    used = pd.DataFrame() if frame is None or frame.empty else frame[
        frame[["title", "content"]].map(lambda v: not is_missing(v) and str(v).strip() != "")
        .any(axis=1)]
    if used.empty:
        return [_row("incomplete_report", "报告文字",
                     "工作簿“报告文字”表未填写：自评报告只是标明“草稿”的标准提纲和计算的数字，"
                     "不是部门的报告", "报告文字")]
    present = {str(v).strip() for v in used["section"] if not is_missing(v)}
    return [_row("incomplete_report", t.label, f"自评报告中没有“{t.label}”的内容（报告文字表中"
                 "没有这一章节的段落）", "报告文字")
            for t in TEXT_SECTIONS if t.expected and t.label not in present]


def _gaps(ev: Evaluation) -> list[dict]:
    ind = ev.domain_indicators("finance")
    rows = [_row("data_gap", r["label_zh"], str(r["note"]), r["source_cells"])
            for _, r in ind[ind["value"].isna()].iterrows()]
    for domain in ev.domains:
        gaps = targets.gaps(ev, domain)
        # Targets without an actual value are listed under unmeasured_target already.
        gaps = gaps[gaps["kind"] != f"目标{targets.NO_ACTUAL}"]
        rows += [_row("data_gap", g["label_zh"], g["reason"], g["cells"])
                 for _, g in gaps.iterrows()]
    return rows


def _classification(ev: Evaluation, words: list[str]) -> list[dict]:
    """A purchase given as the reason for a change in 公务用车运行维护费 while 公务用车购置费 is
    empty or zero: the purchase looks booked under operation (a classification question)."""
    frame = ev.data.frames["three_public"]
    if "reason" not in frame:
        return []
    reason = frame.at["vehicle_operation", "reason"]
    purchase = ev.data.value("three_public", "vehicle_purchase", "actual")
    if is_missing(reason) or not any(w in str(reason) for w in words) or purchase > 0:
        return []
    shown = "未填列" if is_missing(purchase) else "为0"
    return [_row("classification", "公务用车运行维护费",
                 f"变动原因称“{str(reason).strip()}”，但公务用车购置费{shown}：购置车辆的支出应列"
                 "“公务用车购置费”，不应列入运行维护费",
                 f"{ev.data.cell('three_public', 'vehicle_operation', 'reason')}; "
                 f"{ev.data.cell('three_public', 'vehicle_purchase', 'actual')}")]


def _score(ev: Evaluation) -> list[dict]:
    try:
        r = score(ev)
    except PerfkitError as exc:
        log.warning("score sheet not applied: %s", exc)
        return []
    if r.claimed is None or not r.scorable or r.claimed - r.total <= 0.005:
        return []
    lost = r.unsupported
    # The same items and points as the 缺少佐证 row of the decomposition: an item loses points
    # for missing evidence when it cannot be scored at all or when part of its input is missing
    # (a target without an actual value counts 0).
    evidence = lost[lost[f"lost_{LOSS_MISSING}"] > 0]
    unscored = int((evidence["status"] != "scored").sum())
    o = review_outcome(ev)
    if o.stage == INITIAL and o.pending_points > 0:
        detail = (f"部门自评{r.claim_text()}，按《{r.sheet.title_zh}》初审，已核实部分"
                  f"{fmt.num(o.verified_score)}分（核实范围{fmt.num(o.verified_points)}分），待补充资料"
                  f"{fmt.num(o.pending_points)}分，最高可得{fmt.num(o.score_range[1])}分")
        if r.claimed - o.score_range[1] <= 0.005:
            return []  # the claim is within reach once the materials are supplied
        return [_row("score_unsupported", "自评得分", detail + "，仍低于自评得分",
                     "基本信息 自评得分")]
    detail = (f"部门自评{r.claim_text()}，"
              f"按《{r.sheet.title_zh}》复核为{fmt.num(r.total)}分（{r.grade}），"
              f"相差{fmt.num(r.claim_difference)}分；{len(lost)}项指标未得满分")
    if len(evidence):
        detail += (f"，其中{len(evidence)}项因缺少评分所需的数据或佐证失分"
                   f"{fmt.num(r.losses()[LOSS_MISSING])}分"
                   + (f"（{unscored}项完全无法评分）" if 0 < unscored < len(evidence) else ""))
    return [_row("score_unsupported", "自评得分", detail, "基本信息 自评得分")]


def find_problems(ev: Evaluation) -> pd.DataFrame:
    """Every problem the data shows, one row each, in the template's type order.

    Types: cross_check (勾稽关系不符, e.g. the unexplained 5857.42万元), typed_computed (a typed
    实际值 the computed value contradicts), what a reviewer's reading of the report finds
    (:mod:`perfkit.assess.reading`: same_quantity, date_outside_period, remit, scope,
    full_marks, uniform_targets, copying), execution_deviation
    (execution far from 100%), missed_target, unmeasured_target, monitor_missed (a target the
    运行监控 warned about, missed without a 纠偏措施), aid_below_standard,
    data_gap (indicators that cannot be computed), score_unsupported (claimed score above the
    computed one).

    Returns:
        Columns :data:`COLUMNS` (type, level, item_zh, detail_zh, quote, cells).
    """
    types = problem_types()
    words = list(types["classification"].params.get("purchase_words", []))
    reading = read_report(ev)[["type", "item_zh", "detail_zh", "quote", "cells"]]
    rows = (_cross_checks(ev) + _typed_computed(ev) + _execution(ev) + _classification(ev, words)
            + reading.to_dict("records")
            + _targets(ev) + _monitoring(ev) + _aid(ev) + _completeness(ev) + _gaps(ev) + _score(ev))
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["level"] = frame["type"].map(lambda k: types[k].level)
    order = {k: i for i, k in enumerate(types)}
    frame = frame.sort_values("type", key=lambda s: s.map(order), kind="stable")
    return frame.reset_index(drop=True)
