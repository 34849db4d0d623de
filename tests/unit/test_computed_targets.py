"""Targets typed on indicators perfkit computes (issue #21 item 1), and the facts the documents
share (item 6), on the county health bureau of tests/bureaus.py: each expectation computed by
hand in that module's docstring."""

from __future__ import annotations

import copy
import math

import pytest
from bureaus import COMPUTED_EXPECTED, content_2022

import perfkit as pk
from perfkit.assess import targets
from perfkit.assess.evaluation import Evaluation
from perfkit.assess.figures import audit_internal, typed_computed_notes
from perfkit.assess.problems import find_problems
from perfkit.assess.scoring import score
from perfkit.data.params import settings_from_dict
from perfkit.report import review, selfreport
from perfkit.verdicts import CONSISTENT, INCONSISTENT


@pytest.fixture
def make_health(tmp_path):
    """An Evaluation of the bureau's 2022 workbook after ``change(content)``."""

    def make(change=None, text=None, **settings) -> Evaluation:
        content = copy.deepcopy(content_2022())
        content["targets"] = [{**r, "domain": r["domain"]} for r in content["targets"]]
        for r in content["targets"]:  # write_workbook needs a name on every row
            r.setdefault("name", r["code"])
        if text is not None:
            content["text"] = text
        if change:
            change(content)
        path = pk.write_workbook(tmp_path / "2022.xlsx", content)
        data = pk.load_workbook(path)
        return Evaluation(data, settings_from_dict({"department": "county-health", "year": 2022,
                                                    "domains": ["health"], **settings}))

    return make


def _row(content, code):
    return next(r for r in content["targets"] if r.get("code") == code)


def test_a_computed_indicator_target_is_judged_on_the_computed_value(make_health):
    m = targets.metrics(make_health()).set_index("code")
    for code, (value, status) in COMPUTED_EXPECTED.items():
        assert m.at[code, "computed"], code
        assert round(m.at[code, "actual"], 2) == value, code
        assert m.at[code, "status"] == status, code
    # 31.10/10万 against ≤18: the missed mortality target is marked 未达成.
    assert m.at["maternal_mortality_per_100k", "status"] == targets.NOT_ACHIEVED
    assert m.at["maternal_mortality_per_100k", "actual_cell"] == "绩效指标!G4; 绩效指标!G3"


def test_computed_targets_are_no_gaps_and_score(make_health):
    ev = make_health()
    gaps = targets.gaps(ev, "health")
    assert not any(gaps["kind"] == "目标" + targets.NO_ACTUAL), gaps
    item = score(ev).items.set_index("item").loc["target_completion"]
    # 12 targets, one own target unmeasured (0), the mortality one at 18 / 31.10 = 57.87%.
    assert "纳入计分的目标12项" in item["reason"]
    assert "孕产妇死亡率：目标≤18/10万，实际31.10/10万，未达成，计57.87%" in item["reason"]
    assert "1项目标无实际值" in item["reason"]  # 基层医疗卫生机构标准化建设达标率 only


def test_prior_of_a_computed_row_is_computed_from_last_years_inputs(make_health):
    m = targets.metrics(make_health()).set_index("code")
    # 14 / 3402 × 1000 = 4.115‰ last year: a decrease of 0.38‰.
    assert round(m.at["infant_mortality_permille", "prior"], 3) == 4.115
    assert m.at["infant_mortality_permille", "prior_cell"] == "绩效指标!H5; 绩效指标!H3"
    # No maternal death last year: 0.00 is a base no percentage change can be taken of.
    assert m.at["maternal_mortality_per_100k", "prior"] == 0
    assert math.isnan(m.at["maternal_mortality_per_100k", "change_pct"])


def test_a_computed_target_without_inputs_says_why(make_health):
    ev = make_health(lambda c: _row(c, "live_births_count").update(actual=None))
    gaps = targets.gaps(ev, "health").set_index("label_zh")
    reason = gaps.at["婴儿死亡率", "reason"]
    assert reason.startswith("有目标值，实际值由perfkit计算但无法计算（数据缺失：绩效指标“活产数”实际值")


def test_a_typed_actual_that_contradicts_the_computed_value_is_a_finding(make_health):
    def typed(content):
        _row(content, "infant_mortality_permille")["actual"] = 3.2   # computed 3.73‰
        _row(content, "family_doctor_coverage_pct")["actual"] = 41.5  # computed 41.517%

    ev = make_health(typed)
    m = targets.metrics(ev).set_index("code")
    assert round(m.at["infant_mortality_permille", "actual"], 2) == 3.73  # reports use this
    assert m.at["infant_mortality_permille", "typed_actual"] == 3.2
    notes = typed_computed_notes(ev.data, ev.settings)
    assert len(notes) == 1
    assert notes[0].startswith("绩效指标!G25填写的婴儿死亡率实际值3.2‰与perfkit按“婴儿死亡数 / 活产数 × "
                               "1000（‰）”计算的3.73‰不一致，相差-0.53‰；报告使用计算值3.73‰")
    audit = audit_internal(ev).set_index("ref")
    assert audit.at["typed_infant_mortality_permille", "verdict"] == INCONSISTENT
    assert audit.at["typed_family_doctor_coverage_pct", "verdict"] == CONSISTENT  # rounding
    problems = find_problems(ev)
    assert list(problems[problems["type"] == "typed_computed"]["item_zh"]) == ["婴儿死亡率"]
    reason = score(ev).items.set_index("item").loc["basic_information", "reason"]
    assert "婴儿死亡率：填写的实际值与计算值（不一致）" in reason


def test_a_typed_actual_that_agrees_gives_no_note(make_health):
    ev = make_health(lambda c: _row(c, "infant_mortality_permille").update(actual=3.73))
    assert typed_computed_notes(ev.data, ev.settings) == []


def test_placeholders_print_the_computed_value(make_health):
    text = [{"section": "主要绩效", "title": "妇幼健康",
             "content": "孕产妇死亡率{maternal_mortality_per_100k}，婴儿死亡率{infant_mortality_permille}。"}]
    ev = make_health(lambda c: _row(c, "infant_mortality_permille").update(actual=3.2), text=text)
    filled, unknown = selfreport.fill(ev, text[0]["content"])
    assert filled == "孕产妇死亡率31.10/10万，婴儿死亡率3.73‰。" and unknown == []


def test_missing_evidence_is_counted_as_the_decomposition_counts_it(make_health):
    ev = make_health(review_stage="final")  # what is still missing scores 0 (K01)
    r = score(ev)
    detail = find_problems(ev).set_index("type").at["score_unsupported", "detail_zh"]
    lost = r.items[r.items["lost_missing"] > 0]
    assert len(lost) == 2  # 实际完成率 (one target unmeasured) and 满意度 (no answer)
    assert f"其中2项因缺少评分所需的数据或佐证失分{r.losses()['missing']:.2f}分" in detail
    # A first reading: the same points wait for 补充资料; the claim (92.50) is above even the
    # top of the range (84.46 + 7.25 = 91.71), so the problem stands.
    ev = make_health()
    detail = find_problems(ev).set_index("type").at["score_unsupported", "detail_zh"]
    assert f"待补充资料{r.losses()['missing']:.2f}分，最高可得91.71分，仍低于自评得分" in detail


def test_review_gaps_list_the_items_scored_zero_for_want_of_input(make_health):
    g = review.gaps(make_health())
    rows = g[g["area"] == "评分表"]
    assert list(rows["item"]) == ["社会公众或服务对象满意度"]


def test_a_suggestion_names_only_what_is_missing(make_health):
    from perfkit.report.narrative import suggestions_section

    ev = make_health(lambda c: c["expenditure"]["public"].update(budget_initial=None))
    text = str(suggestions_section(ev))
    assert "编制数" not in text  # 编制数 was given
    assert "公用经费控制率的数据应在自评工作簿中完整填报" in text


def test_the_claimed_grade_reads_the_same_everywhere(make_health, sample_ev):
    r = score(make_health())
    assert r.stated_grade == "优" and r.claim_text() == "92.50分（优）"
    s = score(sample_ev)  # the sample states no grade
    assert s.stated_grade == "" and s.claim_text() == "96.80分（未填报等级，按分数属“优”）"
    assert "等级" not in str(selfreport.conclusion(sample_ev)).split("自评得分")[-1]
