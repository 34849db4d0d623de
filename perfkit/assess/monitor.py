"""Mid-year monitoring (绩效运行监控): execution against the calendar, targets at risk, deviations
without explanation, and the year-end comparison of what monitoring predicted with what happened."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from perfkit import config
from perfkit.assess import targets
from perfkit.assess.evaluation import Evaluation
from perfkit.cells import as_text, is_missing
from perfkit.data.monitorbook import MonitorData, load_monitor, monitor_path, monitor_paths
from perfkit.data.params import Settings, load_settings, safe_path, settings_from_dict
from perfkit.data.sheets import SHEET_BY_KEY
from perfkit.data.workbook import WorkbookData
from perfkit.errors import PerfkitError

log = logging.getLogger(__name__)

RED, YELLOW, GREEN = "红色", "黄色", "绿色"
#: 完成目标可能性 values that say the target may be missed.
DOUBTFUL = ("有可能", "完全不可能")
CUMULATIVE, LEVEL = "累计", "水平"
#: Units whose 1-N月 value is a level (the rate now), not a part of the year's quantity.
LEVEL_UNITS = ("%", "％", "‰", "/10万")

BUDGET_COLUMNS = ["key", "label", "budget", "executed", "execution_pct", "time_pct",
                  "adjusted_pct", "level", "floor_month", "floor_pct", "below_floor",
                  "budget_cell", "executed_cell"]
TARGET_COLUMNS = ["row", "code", "level1", "level2", "name", "unit", "direction", "target",
                  "done", "expected", "cause", "likelihood", "measures", "note", "progress_kind",
                  "progress_pct", "expected_status", "at_risk", "risk", "missing",
                  "unreported", "target_cell", "done_cell", "expected_cell", "cause_cell", "measures_cell"]


@dataclass(frozen=True, eq=False)
class Monitoring:
    """One department's monitoring at a cut-off month: the 监控 workbook and the run settings."""

    data: MonitorData
    settings: Settings
    results: dict[str, Any] = field(default_factory=dict, init=False, repr=False)

    @property
    def department(self) -> str:
        return self.settings.department

    @property
    def department_name(self) -> str:
        return self.data.department_name

    @property
    def year(self) -> int:
        return self.data.year

    @property
    def month(self) -> int:
        return self.data.month

    @property
    def time_pct(self) -> float:
        """The calendar: months elapsed / 12, in %."""
        return self.month / 12 * 100


def load(department: str, year: int, month: int, workbook: str = "", params_file: str = "",
         project: config.Project | None = None) -> Monitoring:
    """Load and validate one department's 监控 workbook for ``year`` and cut-off ``month``.

    Args:
        department: department code; year: the monitored year; month: the cut-off (1-11).
        workbook: the 监控 workbook; empty → ``data/<dept>/<year>-monitor-<MM>.xlsx``.
        params_file: run settings; empty → ``params/<dept>/<year>.yaml`` when it exists.
    """
    project = config.project_of(project)
    if not department or not year:
        department, year = config.default_department_year(department, int(year or 0), project)
    settings = load_settings(department, int(year), params_file or None, project)
    path = (safe_path(workbook, "workbook", project) if workbook
            else monitor_path(department, int(year), int(month), project))
    if not path.is_file():
        raise PerfkitError(f"没有找到 {department} {year}年1-{month}月的监控工作簿：{path}。"
                           f"先运行 perfkit template --year {year} --dept {department} "
                           f"--monitor {month} 生成并填写")
    data = load_monitor(path, expected_year=int(year), expected_month=int(month),
                        limits=settings.read_limits, project=project)
    return Monitoring(data, settings)


def _level(adjusted: float, bounds: tuple[float, float]) -> str:
    if is_missing(adjusted):
        return ""
    return RED if adjusted < bounds[0] else YELLOW if adjusted < bounds[1] else GREEN


def floor_for(mon: Monitoring) -> tuple[int, float] | None:
    """The latest month-end execution floor at or before the cut-off (settings), if any."""
    passed = [(m, f) for m, f in mon.settings.monitor_month_floors_pct.items() if m <= mon.month]
    return passed[-1] if passed else None


def budget_lines(mon: Monitoring) -> pd.DataFrame:
    """Each budget line with a 预算数 or an 执行数: execution %, the calendar (N/12), execution
    adjusted for time (execution ÷ N/12), its warning level and the month-end floor.

    A line without 预算数 (or with 0) has no rate: 无法计算, never 0 or 100%."""
    frame = mon.data.budget
    floor = floor_for(mon)
    rows = []
    for key, r in frame.iterrows():
        budget, executed = float(r["budget"]), float(r["executed"])
        if is_missing(budget) and is_missing(executed):
            continue
        pct = (executed / budget * 100 if not is_missing(budget) and budget > 0
               and not is_missing(executed) else math.nan)
        adjusted = pct / (mon.month / 12) if not is_missing(pct) else math.nan
        rows.append({
            "key": key, "label": SHEET_BY_KEY["expenditure"].item(str(key)).label,
            "budget": budget, "executed": executed, "execution_pct": pct,
            "time_pct": mon.time_pct, "adjusted_pct": adjusted,
            "level": _level(adjusted, mon.settings.monitor_levels_pct),
            "floor_month": floor[0] if floor else math.nan,
            "floor_pct": floor[1] if floor else math.nan,
            "below_floor": floor is not None and not is_missing(pct) and pct < floor[1],
            "budget_cell": mon.data.cell("monitor_budget", key, "budget"),
            "executed_cell": mon.data.cell("monitor_budget", key, "executed")})
    return pd.DataFrame(rows, columns=BUDGET_COLUMNS)


def progress_kind(unit: str, declared: str) -> str:
    """累计 or 水平: as the row says, else 水平 for a rate unit."""
    if declared:
        return declared
    return LEVEL if unit.strip() in LEVEL_UNITS else CUMULATIVE


def target_rows(mon: Monitoring) -> pd.DataFrame:
    """Each monitored target: its progress (累计 targets: 1-N月 ÷ 年度指标值), the expected
    year's result judged in the indicator's direction (:func:`perfkit.assess.targets.judge`),
    whether it is at risk (预计完成 short of the target, or 完成可能性 not 确定能), which of
    偏差原因 and 纠偏措施 an at-risk target lacks, and whether the department said nothing of
    the year's outcome (``unreported``: neither 全年预计完成 nor 完成可能性; such a target is
    neither at risk nor expected to be met)."""
    d = mon.data
    rows = []
    for i, r in d.targets.iterrows():
        unit, direction = as_text(r["unit"]), as_text(r["direction"])
        target = float(r["target"])
        if direction == "全面" and is_missing(target):
            target = targets.FULL
        done, expected = float(r["done"]), float(r["expected"])
        kind = progress_kind(unit, as_text(r["progress"]))
        progress = (done / target * 100 if kind == CUMULATIVE and direction in ("≥", "≤", "=")
                    and not is_missing(done) and not is_missing(target) and target > 0
                    else math.nan)
        status = targets.judge(direction or None, target, expected) if direction else ""
        likelihood = as_text(r["likelihood"])
        risk = []
        if status == targets.NOT_ACHIEVED:
            risk.append(f"全年预计完成达不到年度指标值（{direction}）的要求")
        if likelihood in DOUBTFUL:
            risk.append(f"完成目标可能性为“{likelihood}”")
        missing = []
        if risk and not as_text(r["cause"]):
            missing.append("偏差原因")
        if risk and not as_text(r["measures"]):
            missing.append("纠偏措施")
        rows.append({
            "row": i, "code": as_text(r["code"]), "level1": as_text(r["level1"]),
            "level2": as_text(r["level2"]), "name": as_text(r["name"]), "unit": unit,
            "direction": direction, "target": target, "done": done, "expected": expected,
            "cause": as_text(r["cause"]), "likelihood": likelihood,
            "measures": as_text(r["measures"]), "note": as_text(r["note"]),
            "progress_kind": kind, "progress_pct": progress, "expected_status": status,
            "at_risk": bool(risk), "risk": "；".join(risk), "missing": "、".join(missing),
            "unreported": is_missing(expected) and not likelihood,
            **{f"{c}_cell": d.cell("monitor_targets", i, c)
               for c in ("target", "done", "expected", "cause", "measures")}})
    return pd.DataFrame(rows, columns=TARGET_COLUMNS)


def at_risk(mon: Monitoring) -> pd.DataFrame:
    """The targets at risk (see :func:`target_rows`)."""
    t = target_rows(mon)
    return t[t["at_risk"]].reset_index(drop=True)


def unexplained(mon: Monitoring) -> pd.DataFrame:
    """Every deviation (target at risk) without a 偏差原因 or a 纠偏措施."""
    t = target_rows(mon)
    return t[t["missing"] != ""].reset_index(drop=True)


def total_execution_pct(mon: Monitoring) -> float:
    """Execution of the 本年支出合计 line, in % of its 预算数 (NaN when not given)."""
    b = budget_lines(mon)
    total = b[b["key"] == "total"]
    return float(total["execution_pct"].iloc[0]) if not total.empty else math.nan


def target_progress_pct(mon: Monitoring) -> tuple[float, int]:
    """Mean progress of the cumulative targets (1-N月 ÷ 年度指标值, above 100% counted as 100%)
    and how many it covers; NaN when none has one."""
    p = target_rows(mon)["progress_pct"].dropna()
    if p.empty:
        return math.nan, 0
    return float(p.clip(upper=100).mean()), len(p)


def mismatch(mon: Monitoring) -> dict[str, Any]:
    """Budget execution against target progress: both figures, the gap in points, and whether
    it is beyond the settings' ``monitor_gap_pp``."""
    execution = total_execution_pct(mon)
    progress, n = target_progress_pct(mon)
    gap = execution - progress if not (is_missing(execution) or is_missing(progress)) else math.nan
    return {"execution_pct": execution, "progress_pct": progress, "targets": n, "gap_pp": gap,
            "limit_pp": mon.settings.monitor_gap_pp,
            "flagged": not is_missing(gap) and abs(gap) > mon.settings.monitor_gap_pp}


def summary(mon: Monitoring) -> dict[str, Any]:
    """The one line per department of a bureau's index and 监控汇总 (plain values, JSON-safe)."""
    b = budget_lines(mon)
    total = b[b["key"] == "total"]
    t = target_rows(mon)
    m = mismatch(mon)

    def num(v: Any) -> float | None:
        return None if is_missing(v) else round(float(v), 2)

    return {
        "month": mon.month,
        "budget_wan_yuan": num(total["budget"].iloc[0]) if not total.empty else None,
        "executed_wan_yuan": num(total["executed"].iloc[0]) if not total.empty else None,
        "execution_pct": num(m["execution_pct"]),
        "adjusted_pct": num(total["adjusted_pct"].iloc[0]) if not total.empty else None,
        "level": str(total["level"].iloc[0]) if not total.empty else "",
        "below_floor": bool(total["below_floor"].iloc[0]) if not total.empty else False,
        "lines_red": int((b["level"] == RED).sum()),
        "targets": len(t), "at_risk": int(t["at_risk"].sum()),
        "unreported": int(t["unreported"].sum()),
        "unexplained": int((t["missing"] != "").sum()),
        "progress_pct": num(m["progress_pct"]), "gap_pp": num(m["gap_pp"]),
        "mismatch": bool(m["flagged"]),
    }


def template_targets(data: WorkbookData, settings: Settings | None = None) -> list[dict[str, Any]]:
    """The year's targets a new 监控 workbook lists: as the self-evaluation judges them
    (:func:`perfkit.assess.targets.attainment`, derived targets included, noted as such)."""
    settings = settings or settings_from_dict({"department": "audit", "year": data.year})
    frame = targets.attainment(Evaluation(data, settings))
    return [{"code": r["code"] or None, "name": r["label_zh"], "unit": r["unit"] or None,
             "direction": r["direction"] or None,
             "target": None if is_missing(r["target"]) else float(r["target"]),
             "note": "年度指标值为推算" if r["target_derived"] else None}
            for _, r in frame.iterrows()]


# -- the year-end link ---------------------------------------------------------------------------

LINK_COLUMNS = ["name", "unit", "direction", "target", "done", "expected", "likelihood", "warned",
                "measures", "actual", "status", "finding", "month", "cells"]
#: A target warned about at monitoring and then missed without a 纠偏措施.
MISSED_UNCORRECTED = "预警后未完成且无纠偏措施"


def year_end_monitoring(ev: Evaluation) -> Monitoring | None:
    """The department-year's latest 监控 workbook, loaded (None when it has none, or when the
    settings keep monitoring out of the year-end review: ``monitor_year_end: false``).

    Raises:
        WorkbookError: the 监控 workbook has problems.
    """
    if not ev.settings.monitor_year_end:
        return None
    found = monitor_paths(ev.settings.department, ev.year, ev.project)
    if not found:
        return None
    month = max(found)
    data = load_monitor(found[month], expected_year=ev.year, expected_month=month,
                        limits=ev.settings.read_limits, project=ev.project)
    return Monitoring(data, ev.settings)


def year_end_link(ev: Evaluation) -> pd.DataFrame:
    """Per monitored target: what monitoring predicted (1-N月, 全年预计完成, 完成可能性, whether it
    warned) and what happened (the year's 实际值 and status), matched by 指标代码, else by name.

    ``finding`` is :data:`MISSED_UNCORRECTED` for a target warned about and then 未达成 with no
    纠偏措施 written. Empty when the department-year has no 监控 workbook.
    """
    def build() -> pd.DataFrame:
        mon = year_end_monitoring(ev)
        if mon is None:
            return pd.DataFrame(columns=LINK_COLUMNS)
        att = targets.attainment(ev)
        by_code = {c: r for _, r in att.iterrows() if (c := as_text(r["code"]))}
        by_name = {str(r["label_zh"]): r for _, r in att.iterrows()}
        rows = []
        for _, t in target_rows(mon).iterrows():
            year_row = by_code.get(t["code"]) if t["code"] else None
            if year_row is None:
                year_row = by_name.get(t["name"])
            actual = float(year_row["actual"]) if year_row is not None else math.nan
            status = str(year_row["status"]) if year_row is not None else "年度自评无此指标"
            missed = status == targets.NOT_ACHIEVED
            finding = MISSED_UNCORRECTED if t["at_risk"] and missed and not t["measures"] else ""
            cells = "; ".join(c for c in (t["expected_cell"], t["measures_cell"],
                              year_row["actual_cell"] if year_row is not None else "") if c)
            rows.append({"name": t["name"], "unit": t["unit"], "direction": t["direction"],
                         "target": t["target"], "done": t["done"], "expected": t["expected"],
                         "likelihood": t["likelihood"], "warned": bool(t["at_risk"]),
                         "measures": t["measures"], "actual": actual, "status": status,
                         "finding": finding, "month": mon.month, "cells": cells})
        return pd.DataFrame(rows, columns=LINK_COLUMNS)

    return ev.result("monitor_year_end_link", build)
