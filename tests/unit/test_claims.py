"""The department's own score (自评表, 自评得分, 自评等级) checked against itself and the sheet,
and the decomposition of 自评得分 − 复核得分 in the 复核意见."""

from __future__ import annotations

from decimal import Decimal

import pytest

from perfkit.assess import decomposition, scoring
from perfkit.assess.claims import claim_checks
from perfkit.assess.scoresheet import load_sheet
from perfkit.report import review


def item_rows(scores: dict[str, float], **overrides) -> list[dict]:
    """自评表 rows for every input-process-output-outcome item, full marks unless given in ``scores``."""
    rows = []
    for i in load_sheet("input-process-output-outcome").items:
        rows.append({"item": i.id, "level1": i.level1, "level2": i.level2, "level3": i.level3,
                     "points": overrides.get(i.id, i.points),
                     "score": scores.get(i.id, i.points), "reason": None})
    return rows


def verdicts(ev) -> dict[str, str]:
    c = claim_checks(ev)
    return dict(zip(c["check"], c["verdict"], strict=True))


def test_sample_without_item_scores_is_unverifiable(sample_ev):
    v = verdicts(sample_ev)
    assert v == {"claim_items_sum": "无法核对", "claim_grade": "无法核对"}


def test_item_scores_that_add_up(make_ev):
    def items(c):  # 100 − 2 − 1.2 = 96.8
        c["self_scores"] = item_rows({"satisfaction": 4, "staff_control": 2.8})
        c["info"]["claimed_grade"] = "优"

    v = verdicts(make_ev(items))
    assert v == {"claim_items_sum": "一致", "claim_grade": "一致", "claim_items_known": "一致",
                 "claim_points": "一致", "claim_items_complete": "一致"}


def test_each_claim_check_can_fail(make_ev):
    def items(c):
        rows = item_rows({"satisfaction": 4, "timeliness": 4}, timeliness=4)  # 分值 5 → 4
        rows[0]["level3"], rows[0]["item"] = "不存在的指标", None
        c["self_scores"] = rows[:-1]  # 人力资源建设 not scored
        c["info"]["claimed_grade"] = "良"  # 96.8 is in the 优 band

    ev = make_ev(items)
    c = claim_checks(ev).set_index("check")
    assert c["verdict"].to_dict() == {
        "claim_items_sum": "不一致", "claim_grade": "不一致", "claim_items_known": "不一致",
        "claim_points": "不一致", "claim_items_complete": "不一致"}
    # 100 − 2 (满意度) − 1 (完成及时率) − 3 (人力资源建设 left out) = 94 against 96.8
    assert c.at["claim_items_sum", "actual"] == 94 and c.at["claim_items_sum", "expected"] == 96.8
    assert "不存在的指标" in c.at["claim_items_known", "explanation"]
    assert "完成及时率：自评表4分，评分表5分" in c.at["claim_points", "explanation"]
    assert "人力资源建设" in c.at["claim_items_complete", "explanation"]
    assert "属“优”" in c.at["claim_grade", "explanation"]


def test_decomposition_adds_up_without_item_scores(sample_ev):
    d = decomposition.decomposition(sample_ev).set_index("label")["points"]
    causes = [v for k, v in d.items() if k.startswith("复核扣分：")]
    total = d[[k for k in d.index if k.startswith("复核扣分合计")][0]]
    own = d[[k for k in d.index if k.startswith("减：")][0]]
    diff = d["差额（自评得分 − 复核得分）"]
    assert sum(Decimal(str(v)) for v in causes) == Decimal(str(total)) == Decimal("76.50")
    assert Decimal(str(own)) == Decimal("-3.20")  # the department deducted 100 − 96.8 itself
    assert Decimal(str(total)) + Decimal(str(own)) == Decimal(str(diff)) == Decimal("73.30")


@pytest.mark.parametrize("claimed", [96.8, 95.5])
def test_decomposition_adds_up_with_item_scores(make_ev, claimed):
    def items(c):  # item scores sum to 96.8; a claimed total of 95.5 leaves a gap row
        c["self_scores"] = item_rows({"satisfaction": 4, "staff_control": 2.8})
        c["info"]["claimed_score"] = claimed

    ev = make_ev(items)
    d = decomposition.decomposition(ev)
    body = d[~d["label"].str.startswith(("差额", "复核扣分合计"))]
    diff = d.set_index("label").at["差额（自评得分 − 复核得分）", "points"]
    assert sum(Decimal(str(v)) for v in body["points"]) == Decimal(str(diff))
    r = scoring.score(ev)
    assert Decimal(str(diff)) == Decimal(str(claimed)) - Decimal(str(r.total))
    gap_rows = d[d["label"].str.startswith("加：")]
    assert len(gap_rows) == (0 if claimed == 96.8 else 1)


def test_item_comparison_lists_the_department_scores(make_ev):
    def items(c):
        c["self_scores"] = item_rows({"satisfaction": 4})

    frame = decomposition.item_comparison(make_ev(items)).set_index("item")
    assert frame.at["satisfaction", "claimed"] == 4
    assert frame.at["satisfaction", "review"] == 0
    assert frame.at["satisfaction", "difference"] == 4
    assert frame.at["satisfaction", "cause"] == "缺少佐证"


def test_self_score_above_points_is_refused(make_workbook):
    import perfkit as pk
    from perfkit.errors import WorkbookError

    def items(c):
        c["self_scores"] = item_rows({"satisfaction": 7})  # 分值 6

    with pytest.raises(WorkbookError) as err:
        pk.load_workbook(make_workbook(items))
    assert "自评得分 7 大于分值 6" in str(err.value)
