"""A SYNTHETIC mid-year monitoring workbook (1-7月 2019) for the Yiyang sample, derived from its
2019 figures by the fixed rules below. The seed report has no monitoring: nothing here was
published by the department. It exists to show and test ``perfkit run --monitor 7``; it is kept
in its own file (``2019-monitor-07.xlsx``) and never mixed into the transcribed ``2019.xlsx``.

Rules (every invented figure is one of these, SOURCES.md repeats them):

- 预算执行: 本年支出合计 预算数 = the 年初预算 of 2019.xlsx; 基本支出 and 项目支出, which have no
  budget there, take their 2019 决算数 as 预算数. 截至7月执行数: 基本支出 = 决算数 × 7/12 (spent
  evenly), 项目支出 = 决算数 × 25% (project payments waiting on procurement), 本年支出合计 = the
  sum of the two.
- 监控: the rows ``perfkit template --monitor 7`` lists: one per 2019 target as the
  self-evaluation judges it (15, 消除义务教育大班额's 434 derived by the catalog). A target with a 2019 实际值: 1-7月 =
  实际值 × 7/12 rounded, 全年预计完成 = 实际值, 确定能. A target without one: 1-7月 empty,
  全年预计完成 = 年度指标值, 确定能; except two invented risks: 建设农村公办幼儿园 (1-7月 21,
  预计 48, 有可能, 经费保障, no 纠偏措施) and 中心城区学校建设投入 (1-7月 3.9亿元, 预计 8.6,
  有可能, 经费保障, with a 纠偏措施). 一级/二级指标: 产出指标 (数量指标 for counts, 质量指标 for
  rates) for 教育质量, 效益指标/社会效益指标 for 校园安全.

Run ``python data/yiyang-edu/monitor_2019.py`` to rewrite ``2019-monitor-07.xlsx``.
"""

from __future__ import annotations

from pathlib import Path

from perfkit.assess.monitor import template_targets
from perfkit.data.monitorbook import monitor_content, write_monitor
from perfkit.data.params import load_settings
from perfkit.data.reader import load_workbook

HERE = Path(__file__).resolve().parent
MONTH = 7
SHARE_ELAPSED = MONTH / 12
PROJECT_SHARE = 0.25

#: The two invented risks: 三级指标 → (1-7月, 全年预计完成, 可能性, 偏差原因, 纠偏措施).
RISKS = {
    "建设农村公办幼儿园": (21, 48, "有可能", "经费保障", None),
    "中心城区学校建设投入": (3.9, 8.6, "有可能", "经费保障",
                    "争取省级专项债券资金，9月底前完成剩余项目主体工程招标（计划财务科）"),
}


def main() -> Path:
    data = load_workbook(HERE / "2019.xlsx", expected_year=2019)
    # The rows `perfkit template --monitor 7` lists (the year's judged targets).
    content = monitor_content(data, MONTH, targets=template_targets(
        data, load_settings("yiyang-edu", 2019)))
    spend = data.frames["expenditure"]
    basic = float(spend.at["basic", "actual"])
    project = float(spend.at["project", "actual"])
    basic_done = round(basic * SHARE_ELAPSED, 2)
    project_done = round(project * PROJECT_SHARE, 2)
    content["monitor_budget"] = {
        "basic": {"budget": basic, "executed": basic_done,
                  "note": "合成：预算数取2019年决算数；执行数 = 决算数 × 7/12"},
        "project": {"budget": project, "executed": project_done,
                    "note": "合成：预算数取2019年决算数；执行数 = 决算数 × 25%"},
        "total": {"budget": float(spend.at["total", "budget_initial"]),
                  "executed": round(basic_done + project_done, 2),
                  "note": "合成：预算数为年初预算；执行数 = 基本支出 + 项目支出"},
    }
    targets = data.frames["targets"]
    by_code = {str(r["code"]): r for _, r in targets.iterrows() if r["code"]}
    for row in content["monitor_targets"]:
        source = by_code.get(row["code"] or "", {"domain": "", "actual": float("nan")})
        rate = row["unit"] == "%"
        safety = source["domain"] == "safety"
        row["level1"] = "效益指标" if safety else "产出指标"
        row["level2"] = "社会效益指标" if safety else "质量指标" if rate else "数量指标"
        actual = float(source["actual"])
        if row["name"] in RISKS:
            done, expected, likelihood, cause, measures = RISKS[row["name"]]
            row.update(done=done, expected=expected, likelihood=likelihood, cause=cause,
                       measures=measures, note="合成的监控数据（见 SOURCES.md）")
        elif actual == actual:  # a 2019 实际值
            row.update(done=round(actual * SHARE_ELAPSED), expected=actual, likelihood="确定能")
        else:
            row.update(expected=row["target"], likelihood="确定能")
    content["monitor_info"]["report_date"] = "2019-08-10（合成）"
    content["monitor_info"]["preparer"] = "合成数据，非部门填报"
    return write_monitor(HERE / f"2019-monitor-{MONTH:02d}.xlsx", content, MONTH)


if __name__ == "__main__":
    print("wrote", main())
