"""Score reasons as data (issue #22 item 3) and the 复核's even strictness (issue #24): every rule
kind returns a Reason that report/ words; 绩效指标明确性 is judged on the workbook's targets (K10);
a checklist condition counts as met only on evidence the 复核口径 accepts (K11). Figures are
computed by hand in each test's docstring."""

from __future__ import annotations

import ast
import copy
import re
from pathlib import Path

import pytest
from bureaus import content_2022

import perfkit as pk
from perfkit import config
from perfkit.assess.evaluation import Evaluation
from perfkit.assess.reviewrules import (
    EMPTY,
    QUOTING,
    RESTATING,
    default_rules,
    unaccepted,
)
from perfkit.assess.reviewstage import FINAL, INITIAL, review_outcome
from perfkit.assess.rulebase import REASON_CODES, Reason
from perfkit.assess.scoring import score
from perfkit.data.params import settings_from_dict
from perfkit.report.reasons import WRITERS, gap_text, reason_text
from perfkit.run import tidy

SHEETS = sorted(p.stem for p in (config.PACKAGE_DIR / "score_sheets").glob("*.yaml"))
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def health_ev(tmp_path_factory) -> Evaluation:
    """The county health bureau of tests/bureaus.py (2022)."""
    content = copy.deepcopy(content_2022())
    for r in content["targets"]:
        r.setdefault("name", r["code"])
    path = pk.write_workbook(tmp_path_factory.mktemp("health") / "2022.xlsx", content)
    return Evaluation(pk.load_workbook(path), settings_from_dict(
        {"department": "county-health", "year": 2022, "domains": ["health"]}))


def test_every_reason_code_has_a_writer():
    assert set(WRITERS) == set(REASON_CODES)


@pytest.mark.parametrize("sheet", SHEETS)
@pytest.mark.parametrize("policy", ["zero", "exclude"])
@pytest.mark.parametrize("who", ["sample", "health"])
def test_every_item_has_a_structured_reason_worded_in_report(sample_ev, health_ev, sheet,
                                                             policy, who):
    ev = sample_ev if who == "sample" else health_ev
    r = score(ev, sheet, policy)
    for _, i in r.items.iterrows():
        why = i["why"]
        assert isinstance(why, Reason) and why.code in REASON_CODES, i["item"]
        for v in why.figures.values():  # figures, never a sentence of the rule's own making
            assert not isinstance(v, str) or "，" not in v or why.code == "manual", (i["item"], v)
        text = reason_text(why)
        assert text and "None" not in text and "nan" not in text, (i["item"], text)
        assert gap_text(why)


def _composing(path: Path, names: set[str]) -> list[str]:
    """f-strings with Chinese inside the functions ``names`` of a module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef) and node.name in names:
            for sub in ast.walk(node):
                if isinstance(sub, ast.JoinedStr) and any(
                        isinstance(v, ast.Constant) and CJK.search(str(v.value))
                        for v in sub.values):
                    found.append(f"{path.name}:{sub.lineno} in {node.name}")
    return found


def test_no_score_reason_is_composed_in_assess():
    """The rule kinds and the scorer return data: no f-string with Chinese where they score
    (an evidence text joined to its condition is the department's words, with a colon)."""
    assess = config.PACKAGE_DIR / "assess"
    found = (_composing(assess / "rules.py", {"apply", "_share", "_indicator_outcome",
                                              "_coverage"})
             + _composing(assess / "clarity.py", {"apply", "_lacks"})
             + _composing(assess / "scoring.py", {"_score"})
             + _composing(assess / "reviewstage.py", {"_outcome"})
             + _composing(assess / "decomposition.py", {"decomposition", "item_comparison"}))
    assert found == []


def test_scores_csv_names_the_rules_each_deduction_cites(sample_ev):
    """rule_id: the 复核口径 of each item's deduction; "" where nothing was deducted."""
    table = tidy.score_table(sample_ev).set_index("item")
    assert table.at["satisfaction", "rule_id"] == "K02"
    assert table.at["indicator_clarity", "rule_id"] == ""
    assert table.at["long_term_management", "rule_id"] == "K11;K01"
    assert set(table.loc[table["deduction"] > 0, "rule_id"].str.split(";").explode()) <= {
        f"K{n:02d}" for n in range(1, 12)}
    assert (table.loc[table["deduction"] == 0, "rule_id"] == "").all()


def test_indicator_clarity_on_the_sample(sample_ev):
    """The sample's 绩效指标 holds 15 targets for 2019; one (消除义务教育大班额 434) is perfkit's
    inference from “已完成任务目标的161.98%”, left out. The other 14 each state a value, a
    direction and a unit: 14 / 14 = 100% → 2 × 100% = 2.00 (was 0: its checklist unanswered)."""
    r = score(sample_ev).items.set_index("item")
    assert r.at["indicator_clarity", "score"] == 2.0
    why = r.at["indicator_clarity", "why"]
    assert why.code == "target_clarity" and why.figures["targets"] == 14
    assert why.figures["derived"] == ["消除义务教育大班额"]
    assert reason_text(why) == (
        "绩效指标表2019年度目标14项（另有1项目标值由perfkit推算，不计入），指标值、方向、计量单位"
        "齐全的14项，占100.00%，得分 = 2 × 100.00%，得满分（复核口径K10）")
    dpob = score(sample_ev, "decision-process-output-benefit").items.set_index("item")
    assert dpob.at["indicator_clarity", "score"] == 4.0


def test_indicator_clarity_counts_the_unclear_targets(make_ev):
    """高中阶段教育毛入学率 without its direction, 建设农村公办幼儿园 without its value: 12 of 14
    clear → 2 × 12/14 = 1.714… → 1.71; the deduction 0.29 cites K10."""
    def change(c):
        for t in c["targets"]:
            if t["code"] == "high_school_gross_enrollment_pct":
                t["direction"] = None
            if t["code"] == "rural_public_kindergartens_built_count":
                t["target"] = None

    ev = make_ev(change)
    r = score(ev, policy="zero")
    items = r.items.set_index("item")
    assert items.at["indicator_clarity", "score"] == 1.71
    text = reason_text(items.at["indicator_clarity", "why"])
    assert "齐全的12项，占85.71%" in text
    assert "高中阶段教育毛入学率（缺方向）" in text and "建设农村公办幼儿园（缺指标值）" in text
    cites = r.cites[list(items.index).index("indicator_clarity")]
    assert cites == {"target_clarity": 0.29}


def test_indicator_clarity_without_targets_waits_for_supplements(make_ev):
    """No 2019 target at all: nothing to judge → 待补充资料 (2 points) in a first reading, never
    a 0 there; 0 under K01 in the final one."""
    def change(c):
        for t in c["targets"]:
            t["direction"] = t["target"] = None

    ev = make_ev(change, review_stage=INITIAL)
    o = review_outcome(ev, INITIAL)
    sup = {s.item: s for s in o.supplements}
    assert sup["indicator_clarity"].points == 2 and sup["indicator_clarity"].rule == "K01"
    assert "没有2019年度部门设定的目标" in gap_text(sup["indicator_clarity"].why)
    final = review_outcome(ev, FINAL)
    d = [x for x in final.deductions if x.item == "indicator_clarity"]
    assert [(x.rule, x.points) for x in d] == [("K01", 2.0)]


@pytest.mark.parametrize(("condition", "evidence", "why"), [
    ("建立了预算绩效管理长效机制",
     "报告称“针对发现的问题寻找解决的方法，制定相应的管理制度，建立费用支出管理的长效机制”", QUOTING),
    ("建立了预算绩效管理长效机制", "已建立长效机制", RESTATING),
    ("建立了预算绩效管理长效机制", "  ", EMPTY),
    ("已制定内部控制制度", "《益阳市教育局内部控制业务汇编》", ""),
    ("按规定公开部门预算", "2019年2月1日在市财政局网站公开", ""),
    ("开展资产清查、账实相符", "对单位往来资产进行了自查，成立资产清查工作机构", ""),
    ("建立了预算绩效管理长效机制", "报告称印发《绩效管理办法》", ""),
])
def test_what_the_checklist_accepts_as_evidence(condition, evidence, why):
    """K11: a document title, a figure or a 文号 is evidence; a quote of the department's own
    report, a restatement of the condition (“已建立长效机制”: 4 of its 6 character pairs are the
    condition's, 67% ≥ 50%) or nothing is not."""
    rule = default_rules().get("checklist_evidence")
    assert unaccepted(rule, condition, evidence) == why


def test_long_term_management_on_the_sample_waits_for_evidence(sample_ev):
    """长效管理 (3 points, 1.5 a condition): its one 是 is “报告称‘…建立费用支出管理的长效机制’”, the
    report's own sentence; the other condition is unanswered. Nothing accepted → in a first
    reading 3 points wait (1.5 under K11, 1.5 under K01), none lost; in the final one 0 (was
    1.5: the sentence counted as met)."""
    initial = review_outcome(sample_ev, INITIAL)
    waiting = [s for s in initial.supplements if s.item == "long_term_management"]
    assert [(s.rule, s.points) for s in waiting] == [("K11", 1.5), ("K01", 1.5)]
    assert not [d for d in initial.deductions if d.item == "long_term_management"]
    assert "仅引用自评报告原话" in gap_text(waiting[0].why)
    final = review_outcome(sample_ev, FINAL)
    lost = [(d.rule, d.points) for d in final.deductions if d.item == "long_term_management"]
    assert lost == [("K11", 1.5), ("K01", 1.5)]
    assert final.score == 24.0  # 23.50 − 1.50 (长效管理) + 2.00 (绩效指标明确性)
    assert (initial.verified_score, initial.verified_points, initial.pending_points) == (
        24.0, 32.0, 68.0)


def test_a_refused_condition_beside_a_met_one(make_ev):
    """人力资源建设 (1.5 a condition): one condition with a figure (accepted), one restating
    itself: 1.5 earned, 1.5 waiting under K11 (not 0) in a first reading."""
    def change(c):
        for q in c["qualitative"]:
            if q["item"] == "人力资源建设" and q["condition"] == "制定了人才队伍建设规划":
                q["evidence"] = "已制定人才队伍建设规划"

    ev = make_ev(change)
    items = score(ev, policy="zero").items.set_index("item")
    assert items.at["human_resources", "score"] == 1.5
    text = reason_text(items.at["human_resources", "why"])
    assert "制定了人才队伍建设规划（仅复述评价要点）" in text
    o = review_outcome(ev, INITIAL)
    assert [(s.rule, s.points) for s in o.supplements if s.item == "human_resources"] == [
        ("K11", 1.5)]
