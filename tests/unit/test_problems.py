"""存在的问题 found in the data, and one suggestion per problem type from the template."""

from __future__ import annotations

import json

from perfkit.assess import problems
from perfkit.report import narrative
from perfkit.run import tidy


def test_sample_problems_name_the_gap_and_every_unmeasured_target(sample_ev):
    found = problems.find_problems(sample_ev)
    by_type = found.groupby("type")["detail_zh"].apply(list).to_dict()
    # 24788.37 − 18930.95: parts left blank, a gap not explained — an incomplete disclosure (P1),
    # not figures that contradict each other (cross_check, P0: none in the sample).
    assert any("5857.42万元" in d for d in by_type["unexplained_gap"])
    assert "cross_check" not in by_type
    levels = dict(zip(found["type"], found["level"], strict=False))
    assert levels["unexplained_gap"] == "P1"
    assert any("136.78%" in d for d in by_type["execution_deviation"])
    assert any("133.49%" in d for d in by_type["execution_deviation"])
    unmeasured = set(found.loc[found["type"] == "unmeasured_target", "item_zh"])
    assert {"九年义务教育巩固率", "高中阶段教育毛入学率", "56人以上大班额比例"} <= unmeasured
    assert len(unmeasured) == 12  # the 2019 targets without an actual value
    # 营养改善计划: 4238万元 / 72000 = 588.61 元, against the 800 元 standard; the report
    # counts its 7.2万名学生 in persons (计数单位 人), so per person, not per 人次.
    assert any("72000人 = 588.61元/人，" in d and "800.00元" in d
               for d in by_type["aid_below_standard"])
    assert any("96.80分" in d and "23.50分" in d for d in by_type["score_unsupported"])
    assert "missed_target" not in by_type  # no 2019 target with an actual value was missed


def test_problems_come_in_template_order(sample_ev):
    order = list(problems.problem_types())
    kinds = list(dict.fromkeys(problems.find_problems(sample_ev)["type"]))
    assert kinds == sorted(kinds, key=order.index)


def test_one_suggestion_per_problem_type(sample_ev):
    text = narrative.suggestions_section(sample_ev)
    kinds = set(problems.find_problems(sample_ev)["type"])
    found = problems.find_problems(sample_ev)
    for kind in kinds:
        assert narrative.suggestion_text(kind, found[found["type"] == kind]["item_zh"]) in text
    assert len(text) == len(kinds)  # one paragraph per type, its run-in title in bold
    assert all(p.runs[0].bold and p.runs[0].text.startswith("（") for p in text)


def test_missed_target_is_a_problem(make_ev):
    def missed(c):
        row = next(t for t in c["targets"] if t["code"] == "compulsory_retention_rate_pct")
        row["actual"] = 97.5

    found = problems.find_problems(make_ev(missed))
    missed_rows = found[found["type"] == "missed_target"]
    assert list(missed_rows["item_zh"]) == ["九年义务教育巩固率"]
    assert "97.50%" in missed_rows.iloc[0]["detail_zh"]


def test_tables_include_scores_and_pefa(tmp_path):
    written = {p.name for p in tidy.write_tables("yiyang-edu", 2019, tmp_path)}
    assert {"indicators.csv", "checks.csv", "scores.csv", "pefa.csv", "score.json"} <= written
    summary = json.loads((tmp_path / "tables" / "score.json").read_text(encoding="utf-8"))
    assert summary["total"] == 23.50 and summary["grade"] == "差" and summary["claimed"] == 96.8
    import pandas as pd

    scores = pd.read_csv(tmp_path / "tables" / "scores.csv")
    assert list(scores.columns) == tidy.SCORE_COLUMNS
    assert round(scores["score"].sum(), 2) == 23.50
    pefa = pd.read_csv(tmp_path / "tables" / "pefa.csv").set_index("dimension")
    assert pefa.at["PI-1", "grade"] == "D" and pefa.at["PI-3.1", "grade"] == "D"
    indicators = pd.read_csv(tmp_path / "tables" / "indicators.csv").set_index("id")
    assert indicators.at["compulsory_retention_rate_pct", "status"] == "无实际值"
    assert indicators.at["compulsory_retention_rate_pct", "target"] == 98
