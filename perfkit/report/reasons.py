"""The Chinese sentence of every score reason: a rule kind returns its reason as data
(:class:`perfkit.assess.rulebase.Reason`: what it found, the figures it used, the 复核口径 it
applied) and this module words it, one writer per reason code. The score table's 得分及扣分原因,
``tables/scores.csv``, the 复核底稿's 备注, the 补充资料清单 and the decomposition read it here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from perfkit import fmt
from perfkit.assess.evaluation import Evaluation
from perfkit.assess.intervals import EPS, plain
from perfkit.assess.reviewrules import CHECKLIST_EVIDENCE, EMPTY, QUOTING, RESTATING
from perfkit.assess.rulebase import LOSS_ZH, Reason
from perfkit.assess.scoresheet import ScoreSheet
from perfkit.assess.scoring import POLICY_ZH, score

_BASIS_ZH = {"initial": "年初预算", "adjusted": "调整预算"}
_SIDE_ZH = {"above": "超过", "below": "低于", "both": "偏离"}


def _step(unit: str) -> str:
    return "个百分点" if unit == "%" else unit


def label(f: dict[str, Any]) -> str:
    """An indicator's label, with the budget basis when a 复核口径 changed it."""
    text = str(f.get("label", ""))
    if f.get("basis"):
        text += f"（按{_BASIS_ZH[str(f['basis'])]}，复核口径{f.get('basis_rule', '')}）"
    return text


def _shown(f: dict[str, Any]) -> str:
    return fmt.with_unit(f["value"], f["unit"])


def _not_covered(f: dict[str, Any]) -> str:
    if not f["label"]:
        return f"没有指标“{f['indicator']}”（perfkit codes 列出全部指标代码）"
    return (f"指标“{f['label']}”属于领域“{f['domain_label']}”，不是本部门本年度的领域（运行设置 "
            f"domains：{', '.join(f['domains']) or '无'}）")


def _not_computable(f: dict[str, Any]) -> str:
    return f"{label(f)}无法计算：{f['note'] or '数据缺失'}"


def _linear(f: dict[str, Any]) -> str:
    unit, word = f["unit"], _SIDE_ZH[f["side"]]
    bound = f"{plain(f['bound'])}{unit}"
    if f["beyond"] <= EPS:
        return f"{label(f)}{_shown(f)}，未{word}{bound}，得满分"
    step = _step(unit)
    text = (f"{label(f)}{_shown(f)}，{word}{bound}达{fmt.num(f['beyond'])}{step}，每"
            f"{plain(f['per'])}{step}扣{plain(f['deduct'])}分"
            f"{'（只计整数档）' if f['steps'] == 'whole' else ''}，扣{fmt.num(f['deduction'])}分")
    return text + ("（扣完为止）" if f.get("exhausted") else "")


def _band(f: dict[str, Any]) -> str:
    what = "得满分" if f["full"] else f"得{plain(f['band_score'])}分"
    return f"{label(f)}{_shown(f)}，属“{f['band'].describe(f['unit'])}”档，{what}"


def _no_band(f: dict[str, Any]) -> str:
    return f"{label(f)}{_shown(f)}，不在任何计分档内，得0分"


def _over(over: dict[str, Any] | None) -> str:
    """What the over-achievement rule did to a target's share ("" when nothing)."""
    if not over:
        return ""
    if "rule" in over:
        return (f"完成比例超过{plain(over['above_pct'])}%，按100%计，不扣分（复核口径{over['rule']}；"
                "目标设定偏低另行提出）")
    return (f"完成比例超过{plain(over['above_pct'])}%，视为目标设定偏低，按"
            f"{plain(100 - over['deduct_pct'])}%计")


def _ratio(f: dict[str, Any]) -> str:
    note = _over(f["over"])
    return (f"{label(f)}{_shown(f)}，目标{plain(f['target'])}{f['unit']}，完成比例"
            f"{fmt.pct(f['ratio_pct'])}{'，' + note if note else ''}，得分 = {plain(f['points'])} × "
            f"{fmt.pct(f['share_pct'])}")


def _no_targets(f: dict[str, Any]) -> str:
    scope = f"代码 {f['target_code']} 的" if f["target_code"] else "、".join(f["domains"])
    return f"数据缺失：绩效指标表中没有{f['year']}年度的{scope}目标"


def _absent(f: dict[str, Any]) -> str:
    return "；".join(f"{a['label']}（{a['cell']}）" for a in f["absent"])


def _left_out(f: dict[str, Any]) -> str:
    """The targets a target set could not judge, or counted once."""
    text = ""
    examined = f["examined"]
    if examined:
        text = (f"{len(examined)}项目标无法核实，计入平均：" + "；".join(
            f"{e['label']}（{e['status']}，按复核口径{e['rule']}扣{plain(e['cut_pct'])}%）"
            for e in examined) + "。")
    elif f["unjudged"]:
        text = (f"另有{len(f['unjudged'])}项目标因{'、'.join(f['unjudged_statuses'])}"
                f"未纳入计分：{'；'.join(f['unjudged'])}。")
    if f["repeated"]:
        text += (f"{len(f['repeated'])}项目标重复设置，按复核口径{f['duplicates_rule']}只计一次："
                 f"{'；'.join(f['repeated'])}。")
    return text


def _targets_unmeasured(f: dict[str, Any]) -> str:
    return (f"数据缺失：纳入计分的{len(f['absent'])}项目标均无实际值（{_absent(f)}）。"
            + _left_out(f))


def _part(p: dict[str, Any]) -> str:
    actual = fmt.with_unit(p["actual"], p["unit"], qualifier=p["qualifier"])
    note = _over(p["over"])
    return (f"{p['label']}：目标{p['direction']}{fmt.with_unit(p['target'], p['unit'])}"
            f"{'（推算）' if p['derived'] else ''}，实际{actual}，{p['status']}，"
            f"计{fmt.pct(p['share_pct'])}" + (f"（{note}）" if note else ""))


def _absent_sentence(f: dict[str, Any]) -> str:
    return (f"{len(f['absent'])}项目标无实际值，"
            f"{'按0计' if f['absent_policy'] == 'zero' else '不计入'}：{_absent(f)}")


def _targets(f: dict[str, Any]) -> str:
    inferred = f"（其中{f['derived']}项的目标值由perfkit推算）" if f["derived"] else ""
    mean = fmt.pct(f["mean_pct"])
    text = (f"纳入计分的目标{f['targets']}项{inferred}，平均完成比例{mean}，得分 = "
            f"{plain(f['points'])} × {mean}。" + "；".join(_part(p) for p in f["parts"]) + "。")
    if f["absent"]:
        text += _absent_sentence(f) + "。"
    return text + _left_out(f)


def _checklist_missing(f: dict[str, Any]) -> str:
    return f"数据缺失：定性评价表未提供“{f['item']}”的评价要点"


def _checklist_unanswered(f: dict[str, Any]) -> str:
    return f"数据缺失：“{f['item']}”的评价要点均未填写是否满足（{'；'.join(f['unknown'])}）"


def _checklist_no_samples(f: dict[str, Any]) -> str:
    return (f"“{f['item']}”填“是”，但证据说明未写明调查样本（样本量、满意度）"
            f"（复核口径{f['rule']}）")


def _unknown(f: dict[str, Any]) -> str:
    return f"未提供是否满足：{'；'.join(f['unknown'])}"


#: Why a condition's evidence is not accepted (:func:`perfkit.assess.reviewrules.unaccepted`).
REFUSAL_ZH = {EMPTY: "未写证据说明", QUOTING: "仅引用自评报告原话", RESTATING: "仅复述评价要点"}


def _unevidenced(f: dict[str, Any]) -> str:
    """The conditions answered 是 whose evidence the 复核口径 does not accept."""
    return (f"填“是”但无可核实的佐证（复核口径{f['evidence_rule']}）：" + "；".join(
        f"{c}（{REFUSAL_ZH[why]}）" for c, why in zip(f["unevidenced"], f["refusals"],
                                                    strict=True)))


def _checklist(f: dict[str, Any]) -> str:
    text = f"满足{len(f['met'])}项评价要点，每项{plain(f['per'])}分"
    text += "，得满分" if f["full"] else f"，得{fmt.num(f['score'])}分"
    if f["met"]:
        text += f"（满足：{'；'.join(f['met'])}）"
    if f["unmet"]:
        text += f"；未满足：{'；'.join(f['unmet'])}"
    if f.get("unevidenced"):
        text += "；" + _unevidenced(f)
    if f["unknown"]:
        text += "；" + _unknown(f)
    return text


def _checklist_unevidenced(f: dict[str, Any]) -> str:
    return "数据缺失：" + _unevidenced(f) + (f"；{_unknown(f)}" if f["unknown"] else "")


def _data_quality_unchecked(f: dict[str, Any]) -> str:
    return f"数据缺失：{f['year']}年度没有可核对的勾稽关系或报告数值"


def _data_quality(f: dict[str, Any]) -> str:
    left_out = [f"{n}项{why}" for n, why in ((f["unverifiable"], "无法核对"),
                                            (f["prior_year"], "为上年数")) if n]
    counted = (f"报告数值和勾稽关系共{f['rows']}项，可核对的{f['year']}年度数值{f['checked']}项"
               + (f"（另{'、'.join(left_out)}，不计）" if left_out else ""))
    found = f["findings"]
    if not found:
        return f"{counted}，均无不一致，得满分"
    items = "；".join(f"{(x['ref'] + ' ') if x['ref'] is not None else ''}{x['figure']}"
                     f"（{x['verdict']}）" for x in found)
    return (f"{counted}，发现{len(found)}处问题：{items}；每处扣{plain(f['per_finding'])}分，扣"
            f"{fmt.num(f['deduction'])}分" + ("（扣完为止）" if f["exhausted"] else ""))


def _manual(f: dict[str, Any]) -> str:
    return f"人工评分：{f['reason_zh']}"


def _manual_unscored(f: dict[str, Any]) -> str:
    return "未评分：评分表中没有给出人工评分及理由"


_ELEMENT_ZH = {"value": "指标值", "direction": "方向", "unit": "计量单位"}


def _derived(f: dict[str, Any]) -> str:
    """The targets left out: values perfkit derived, targets copied from last year unreviewed."""
    parts = [f"{len(f[k])}项{what}" for k, what in (
        ("derived", "目标值由perfkit推算"), ("unreviewed", "为上年目标、本年度尚未确认"))
        if f.get(k)]
    return f"（另有{'、'.join(parts)}，不计入）" if parts else ""


def _target_clarity(f: dict[str, Any]) -> str:
    needs = "、".join(_ELEMENT_ZH[e] for e in f["requires"])
    text = (f"绩效指标表{f['year']}年度目标{f['targets']}项{_derived(f)}，{needs}齐全的"
            f"{len(f['clear'])}项，占{fmt.pct(f['share_pct'])}")
    if f["full_pct"] < 100:
        text += f"（达到{plain(f['full_pct'])}%即得满分）"
    text += f"，得分 = {plain(f['points'])} × {fmt.pct(f['credit_pct'])}"
    text += "，得满分" if f["full"] else f"，得{fmt.num(f['score'])}分"
    if f["unclear"]:
        text += "；不明确：" + "；".join(
            f"{u['label']}（缺{'、'.join(_ELEMENT_ZH[e] for e in u['lacks'])}）"
            for u in f["unclear"])
    return text + (f"（复核口径{f['rule']}）" if f["rule"] else "")


def _target_clarity_missing(f: dict[str, Any]) -> str:
    return f"数据缺失：绩效指标表中没有{f['year']}年度部门设定的目标{_derived(f)}"


def _rule_error(f: dict[str, Any]) -> str:
    return f"{f['level3']}（{f['item']}）的评分规则执行出错：{f['error']}"


WRITERS: dict[str, Callable[[dict[str, Any]], str]] = {
    "not_covered": _not_covered, "not_computable": _not_computable, "linear": _linear,
    "band": _band, "no_band": _no_band, "ratio": _ratio, "targets": _targets,
    "no_targets": _no_targets, "targets_unmeasured": _targets_unmeasured,
    "checklist": _checklist, "checklist_missing": _checklist_missing,
    "checklist_unanswered": _checklist_unanswered,
    "checklist_no_samples": _checklist_no_samples,
    "checklist_unevidenced": _checklist_unevidenced, "data_quality": _data_quality,
    "data_quality_unchecked": _data_quality_unchecked, "manual": _manual,
    "manual_unscored": _manual_unscored, "target_clarity": _target_clarity,
    "target_clarity_missing": _target_clarity_missing, "rule_error": _rule_error,
}


def reason_text(why: Reason, *, policy: bool = True) -> str:
    """The sentence of a score reason: what the rule found, the missing-input policy when it
    applied (``policy=False`` leaves it out: an item waiting for 补充资料 is not scored 0 yet),
    and the rescaling of an ``exclude`` run."""
    text = WRITERS[why.code](why.figures)
    if why.policy and policy:
        text = f"{text.rstrip('。')}；{POLICY_ZH[why.policy]}"
    if why.adjusted is not None:
        text += f"；按调整后分值{plain(why.adjusted[0])}折算，得{fmt.num(why.adjusted[1])}分"
    return text


def gap_text(why: Reason, applies: str = "") -> str:
    """What a reason says is missing, for the 补充资料清单: the conditions not answered, the
    targets without an actual value, or (when the whole input is missing) the reason itself.
    ``applies``: the 口径 the line waits under, when an item waits under two (a checklist's
    refused evidence under ``checklist_evidence``, its unanswered conditions under
    ``no_evidence``)."""
    f = why.figures
    if why.code.startswith("checklist") and f.get("unevidenced") and applies:
        if applies == CHECKLIST_EVIDENCE:
            return _unevidenced(f)
        if f["unknown"]:
            return _unknown(f)
    if why.code == "checklist" and (f["unknown"] or f.get("unevidenced")):
        return "；".join(([_unevidenced(f)] if f.get("unevidenced") else [])
                        + ([_unknown(f)] if f["unknown"] else []))
    if why.code == "targets" and f["absent"]:
        return _absent_sentence(f)
    if why.code == "targets_unmeasured":
        return _targets_unmeasured(f).split("。")[0]
    return reason_text(why, policy=False)


#: The decomposition's rows (:func:`perfkit.assess.decomposition.decomposition`), worded.
_DECOMPOSITION_ZH = {
    "deduction": "复核扣分合计（100 − 复核得分）",
    "own_gap": "加：自评得分与自评表各项得分之和的差",
    "difference": "差额（自评得分 − 复核得分）",
}


def decomposition_label(key: str, f: dict[str, Any]) -> str:
    """The label of one row of the decomposition of 自评得分 − 复核得分."""
    if key.startswith("lost_"):
        return f"复核扣分：{LOSS_ZH[key.removeprefix('lost_')]}"
    if key == "own":
        return f"减：部门自评扣分（{plain(f['full'])} − 自评得分{fmt.num(f['claimed'])}）"
    if key == "own_items":
        return (f"减：部门自评表各项扣分合计（{plain(f['full'])} − 各项自评得分之和"
                f"{fmt.num(f['items_total'])}）")
    return _DECOMPOSITION_ZH[key]


def cause_text(cause: str) -> str:
    """The short name of a cause of deduction (a key of :data:`LOSS_ZH`)."""
    return LOSS_ZH[cause].split("（")[0] if cause else ""


def score_sheet(ev: Evaluation, sheet: str | ScoreSheet | None = None,
                policy: str | None = None) -> pd.DataFrame:
    """The 自评表 as a frame with the sheet's own headings (one row per 三级 indicator).

    Columns: 一级指标, 二级指标, 三级指标, 分值, 得分, 扣分, 评分标准, 扣分原因, 证据 (plus
    调整后分值 when the ``exclude`` policy redistributed points). Excluded items show 得分 NaN.
    """
    r = score(ev, sheet, policy)
    frame = pd.DataFrame({
        "一级指标": r.items["level1"], "二级指标": r.items["level2"], "三级指标": r.items["level3"],
        "分值": r.items["points"], "调整后分值": r.items["points_adjusted"],
        "得分": r.items["score"], "扣分": r.items["deduction"], "评分标准": r.items["rule_zh"],
        "扣分原因": r.items["why"].map(reason_text), "证据": r.items["evidence"],
    })
    if (r.items["points_adjusted"] == r.items["points"]).all():
        frame = frame.drop(columns="调整后分值")
    return frame
