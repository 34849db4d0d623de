"""Year targets and their attainment: direction, status, next-year targets, change on last year."""

from __future__ import annotations

import math

import pandas as pd

from perfkit import fmt
from perfkit.assess.evaluation import Evaluation
from perfkit.cells import as_text, is_missing
from perfkit.data.sheets import UNREVIEWED
from perfkit.indicators.base import NOT_COMPUTABLE_ZERO, row_ids
from perfkit.indicators.metrics import GAP_HOOKS
from perfkit.indicators.registry import Registry
from perfkit.rates import change_pct_noted

EXCEEDED = "超额"
ACHIEVED = "达成"
NOT_ACHIEVED = "未达成"
NO_ACTUAL = "无实际值"
#: A row with a direction but no target value (the target itself is the gap).
NO_TARGET = "无目标值"
#: A row with a target but no direction: attainment cannot be judged.
NO_DIRECTION = "方向未填"
#: Target set for a later year (e.g. the 2020 plan in a 2019 report): shown, not judged.
NEXT_YEAR = "下年目标"

#: Statuses in display order (the four the reports use, then the incomplete ones).
STATUSES = (EXCEEDED, ACHIEVED, NOT_ACHIEVED, NO_ACTUAL, NO_TARGET, NO_DIRECTION)

DIRECTION_ZH = {"≥": "不低于", "≤": "不高于", "=": "等于", "全面": "全面实现"}
#: 全面 means the whole population: 100 (%) unless the workbook states another target.
FULL = 100.0

COLUMNS = ["id", "code", "domain", "label_zh", "unit", "declared", "direction", "target",
           "target_derived", "target_note", "actual", "qualifier", "prior", "target_year",
           "next_year",
           "status", "ratio_pct", "ratio_note", "change", "change_pct", "change_note", "source",
           "note", "target_cell", "actual_cell", "prior_cell", "computed", "actual_note",
           "typed_actual", "typed_cell", "unreviewed"]



def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def judge(direction: str | None, target: float, actual: float) -> str:
    """Status of one actual value against its target.

    Args:
        direction: ``≥`` (at least; above is 超额), ``≤`` (at most), ``=`` (exactly) or
            ``全面`` (the whole population, target 100 when empty).
        target: the target value (NaN when not given).
        actual: the actual value (NaN when not given).

    Returns:
        One of :data:`STATUSES`.
    """
    if direction == "全面" and is_missing(target):
        target = FULL
    if not direction:
        return NO_DIRECTION if not is_missing(target) else NO_TARGET
    if is_missing(target):
        return NO_TARGET
    if is_missing(actual):
        return NO_ACTUAL
    if direction in ("≥", "全面"):
        if _close(actual, target):
            return ACHIEVED
        if actual > target:
            # A 全面 target cannot be beaten: 100% reached is 达成.
            return EXCEEDED if direction == "≥" else ACHIEVED
        return NOT_ACHIEVED
    if direction == "≤":
        return ACHIEVED if actual < target or _close(actual, target) else NOT_ACHIEVED
    if direction == "=":
        return ACHIEVED if _close(actual, target) else NOT_ACHIEVED
    raise ValueError(f"unknown direction {direction!r}")


def ratio(actual: float, target: float) -> tuple[float, str]:
    """实际 / 目标 × 100 and a note; a zero target gives NaN and 无法计算（基数为0）."""
    if is_missing(actual) or is_missing(target):
        return math.nan, ""
    if target == 0:
        return math.nan, NOT_COMPUTABLE_ZERO
    return actual / target * 100, ""


def change(actual: float, prior: float) -> tuple[float, float, str]:
    """Change on last year: (difference, relative change %, note)."""
    if is_missing(actual) or is_missing(prior):
        return math.nan, math.nan, ""
    return actual - prior, *change_pct_noted(actual, prior)


def derived_targets(reg: Registry) -> dict[str, tuple[str, str]]:
    """Targets the catalogs derive: 指标代码 → (indicator id, direction)."""
    return {code: (rule.target, rule.direction) for code, rule in reg.target_rules.items()}


def metrics(ev: Evaluation, domain: str | None = None) -> pd.DataFrame:
    """Every 绩效指标 row of a domain with its target judged (tidy, one row per row).

    Labels and units come from the indicator declarations when the 指标代码 is registered,
    otherwise from the workbook (custom rows). A row without a target gets an empty status.

    A row whose 指标代码 is a computed indicator (``perfkit codes`` marks it 计算: 孕产妇死亡率 …)
    is judged on the computed value: ``actual`` is ``ev.indicators``' value (``actual_cell`` the
    cells it read, ``actual_note`` why it is missing), whatever the row's 实际值 says; a typed
    实际值 is kept as ``typed_actual`` (``typed_cell``) for the data-quality check
    (:func:`typed_computed`). Its ``prior`` is the typed 上年值, else the indicator computed on
    its inputs' 上年值.
    ``id`` is the row's indicator id in ``ev.indicators`` (its code, or the id perfkit derives
    for a row without one: :func:`perfkit.indicators.base.row_ids`).

    Args:
        ev: the evaluation.
        domain: a 领域 key (``health``, ``other``, ``finance`` …); None for every 领域 of the
            department-year (:attr:`perfkit.assess.evaluation.Evaluation.target_domains`: finance, its
            domains and 其他 — rows of a 领域 the run settings leave out do not count).

    Returns:
        A frame with :data:`COLUMNS`.
    """
    frame = ev.data.frames.get("targets")
    if frame is None or frame.empty:
        return pd.DataFrame(columns=COLUMNS)
    reg = ev.registry
    derived = derived_targets(reg)
    ind = ev.indicators
    d = ev.data
    rows = []
    wanted = {domain} if domain is not None else set(ev.target_domains)
    for (i, rec), row_id in zip(frame.iterrows(), row_ids(frame), strict=True):
        if rec["domain"] not in wanted:
            continue
        code = as_text(rec["code"])
        declared = code in reg.indicators
        label = reg.indicators[code].label_zh if declared else as_text(rec["name"])
        unit = reg.indicators[code].unit if declared else as_text(rec["unit"])
        direction = as_text(rec["direction"]) or None
        target, actual, prior = (float(rec[c]) for c in ("target", "actual", "prior"))
        actual_cell, prior_cell = d.cell("targets", i, "actual"), d.cell("targets", i, "prior")
        typed_actual, typed_cell, actual_note = math.nan, "", ""
        is_computed = declared and reg.computed(code) and code in ind.index
        if is_computed:
            typed_actual, typed_cell = actual, actual_cell
            actual = float(ind.at[code, "value"])
            actual_cell = str(ind.at[code, "source_cells"])
            actual_note = "" if not is_missing(actual) else str(ind.at[code, "note"])
            if is_missing(prior):
                before = reg.compute_prior(d, ev.settings, code)
                prior = float(before["value"])
                if not is_missing(prior):
                    prior_cell = before["source_cells"]
        target_derived, target_note = False, ""
        if is_missing(target) and code in derived:
            ind_id, derived_direction = derived[code]
            direction = direction or derived_direction
            target = float(ind.at[ind_id, "value"])
            target_derived = True
            target_note = (f"推算：{ind.at[ind_id, 'definition_zh']}" if not is_missing(target)
                           else f"无法推算：{ind.at[ind_id, 'note']}")
        if direction == "全面" and is_missing(target):
            target = FULL
        target_year = int(rec["target_year"]) if not is_missing(rec["target_year"]) else ev.year
        next_year = target_year > ev.year
        is_target = bool(direction) or not is_missing(target)
        if not is_target:
            status = ""
        elif next_year:
            status = NEXT_YEAR
        else:
            status = judge(direction, target, actual)
        r_pct, r_note = ratio(actual, target) if is_target and not next_year else (math.nan, "")
        c_abs, c_pct, c_note = change(actual, prior)
        rows.append({
            "id": row_id, "code": code, "domain": rec["domain"], "label_zh": label, "unit": unit,
            "declared": declared, "direction": direction or "", "target": target,
            "target_derived": target_derived, "target_note": target_note, "actual": actual,
            "qualifier": as_text(rec.get("qualifier")), "prior": prior, "target_year": target_year,
            "next_year": next_year,
            "status": status, "ratio_pct": r_pct, "ratio_note": r_note, "change": c_abs,
            "change_pct": c_pct, "change_note": c_note, "source": as_text(rec["source"]),
            "note": as_text(rec["note"]), "target_cell": d.cell("targets", i, "target"),
            "actual_cell": actual_cell, "prior_cell": prior_cell, "computed": is_computed,
            "actual_note": actual_note, "typed_actual": typed_actual, "typed_cell": typed_cell,
            # A target copied from last year's workbook that nobody has reviewed (template --from).
            "unreviewed": UNREVIEWED in (as_text(rec.get("guidance")) or ""),
        })
    return pd.DataFrame(rows, columns=COLUMNS)


def attainment(ev: Evaluation, domain: str | None = None) -> pd.DataFrame:
    """This year's targets of a domain with status, 实际/目标 and change (see :func:`metrics`)."""
    m = metrics(ev, domain)
    return m[(m["status"] != "") & ~m["next_year"]].reset_index(drop=True)


def next_year_targets(ev: Evaluation, domain: str | None = None) -> pd.DataFrame:
    """Targets set for a later year (the plan), not judged this year."""
    m = metrics(ev, domain)
    return m[m["next_year"] & (m["status"] != "")].reset_index(drop=True)


def status_counts(ev: Evaluation, domain: str | None = None) -> dict[str, int]:
    """How many of this year's targets have each status (every status, zeros included)."""
    counts = attainment(ev, domain)["status"].value_counts()
    return {s: int(counts.get(s, 0)) for s in STATUSES}


def gaps(ev: Evaluation, domain: str) -> pd.DataFrame:
    """The data gaps of a domain: targets without actual value, and indicators not computable.

    Next-year targets are not gaps (they are judged next year).

    Returns:
        Columns ``label_zh``, ``kind`` (目标无实际值 / 指标无法计算), ``reason``, ``cells``.
    """
    rows = []
    att = attainment(ev, domain)
    seen = set()
    for _, a in att[att["status"].isin([NO_ACTUAL, NO_TARGET, NO_DIRECTION])].iterrows():
        what = {NO_ACTUAL: "有目标值但未提供实际值", NO_TARGET: "未提供目标值",
                NO_DIRECTION: "未填写目标方向"}[a["status"]]
        if a["status"] == NO_ACTUAL and a["computed"]:
            what = f"有目标值，实际值由perfkit计算但无法计算（{a['actual_note']}）"
        goal = (f"目标：{DIRECTION_ZH.get(a['direction'], a['direction'])}"
                f"{_fmt_value(a['target'], a['unit'])}") if not is_missing(a["target"]) else ""
        reason = "；".join(p for p in (what, goal, a["note"]) if p)
        rows.append({"label_zh": a["label_zh"], "kind": "目标" + a["status"], "reason": reason,
                     "cells": a["actual_cell"] if a["status"] == NO_ACTUAL else a["target_cell"]})
        seen.add(a["id"])
    future = set(next_year_targets(ev, domain)["id"])
    ind = ev.domain_indicators(domain)
    for ind_id, r in ind[ind["value"].isna()].iterrows():
        if ind_id in seen or ind_id in future:
            continue
        rows.append({"label_zh": r["label_zh"], "kind": "指标无法计算", "reason": r["note"],
                     "cells": r["source_cells"]})

    hook = GAP_HOOKS.get(domain)
    if hook is not None and domain in ev.domains:
        rows += hook(ev.data)
    return pd.DataFrame(rows, columns=["label_zh", "kind", "reason", "cells"])


def _fmt_value(v: float, unit: str) -> str:
    return fmt.with_unit(v, unit)


def target_text(row) -> str:
    """A target as read: direction symbol, value and unit, marked when derived (推算)."""
    if is_missing(row["target"]):
        return fmt.MISSING
    if row["direction"] == "全面":
        text = f"全面（{fmt.with_unit(row['target'], row['unit'])}）"
    else:
        text = f"{row['direction']}{fmt.with_unit(row['target'], row['unit'])}"
    return text + "（推算）" if row["target_derived"] else text
