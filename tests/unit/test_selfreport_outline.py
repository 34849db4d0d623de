"""The 自评报告's structure (issue #23): a department's own outline comes back as written, a
placed table only when whole, the standard outline without words the department did not
write, and a draft when it wrote nothing — on the county health bureau of tests/bureaus.py."""

from __future__ import annotations

import copy

import pytest

import perfkit as pk
from bureaus import content_2022
from perfkit.assess.evaluation import Evaluation
from perfkit.assess.problems import find_problems
from perfkit.data.params import settings_from_dict
from perfkit.report import selfreport
from perfkit.report.blocks import Heading, Paragraph, Table, is_draft

#: The bureau's report in its own outline: its numbering, its headings, its order.
OWN = [
    ("评价依据", None, None, "根据县财政局通知，开展2022年度部门整体支出绩效自评。"),
    (None, 1, "一、部门概况", None),
    ("部门职能", None, None, "负责全县卫生健康工作。"),
    (None, 2, "（一）收支情况", None),
    ("收支情况说明", None, None, "{表:收入}"),
    ("收支情况说明", None, None, "全年支出{expenditure_execution_pct}，主要是追加了疫情防控资金。"),
    (None, 1, "二、主要成效", None),
    ("主要绩效", None, "1.妇幼健康", "孕产妇死亡率{maternal_mortality_per_100k}。"),
    (None, 1, "三、问题与措施", None),
    ("存在的问题", None, None, "一是基层人才不足。\n二是信息化水平不高。"),
    ("自评结论", None, None, "自评得分92.5分。"),
]


@pytest.fixture
def make_health(tmp_path):
    def make(text) -> Evaluation:
        content = copy.deepcopy(content_2022())
        for r in content["targets"]:
            r.setdefault("name", r["code"])
        content["text"] = [dict(section=s, level=lv, title=t, content=c) for s, lv, t, c in text]
        path = pk.write_workbook(tmp_path / "2022.xlsx", content)
        return Evaluation(pk.load_workbook(path),
                          settings_from_dict({"department": "county-health", "year": 2022,
                                              "domains": ["health"]}))
    return make


def test_a_departments_own_outline_comes_back_as_written(make_health):
    ev = make_health(OWN)
    assert selfreport.as_written(ev)
    blocks = list(selfreport.document(ev))
    headings = [(b.level, b.text) for b in blocks if isinstance(b, Heading)]
    assert headings == [(2, "一、部门概况"), (3, "（一）收支情况"), (2, "二、主要成效"),
                        (2, "三、问题与措施")]
    texts = [b.plain_text() for b in blocks if isinstance(b, Paragraph)]
    assert texts[0] == "根据县财政局通知，开展2022年度部门整体支出绩效自评。"
    assert "全年支出111.17%，主要是追加了疫情防控资金。" in texts  # {code}: a computed figure
    assert "1.妇幼健康孕产妇死亡率31.10/10万。" in texts  # its own numbering, its own words
    assert texts[-3:] == ["一是基层人才不足。", "二是信息化水平不高。", "自评得分92.5分。"]
    # {表:收入}: the income table, whole (every line of the bureau's 收入 has its figures).
    assert [b.caption for b in blocks if isinstance(b, Table)] == ["2022年度收入决算"]


def test_a_placed_table_with_a_blank_cell_is_left_out(make_health):
    ev = make_health([*OWN[:4], ("收支情况说明", None, None, "{表:支出}")])
    # 重点项目支出 has no budget: the table is not whole, so the report does not hold it.
    assert not [b for b in selfreport.document(ev) if isinstance(b, Table)]


def test_the_standard_outline_says_nothing_the_department_did_not_write(make_health):
    ev = make_health([("部门职能", None, None, "负责全县卫生健康工作。"),
                      ("存在的问题", None, "基层人才不足", "乡镇卫生院全科医生缺口较大。")])
    blocks = list(selfreport.document(ev))
    text = "\n".join(b.plain_text() for b in blocks)
    for word in ("未提供", "工作簿", "未填报", "perfkit"):
        assert word not in text, word
    headings = [b.text for b in blocks if isinstance(b, Heading)]
    assert "（一）部门职能" in headings and "（二）机构设置" not in headings  # nothing written
    assert not is_draft(blocks)
    # What it left out is the reviewer's 完整性 finding.
    found = find_problems(ev)
    missing = set(found[found["type"] == "incomplete_report"]["item_zh"])
    assert {"机构设置", "人员情况", "自评结论"} <= missing and "部门职能" not in missing


def test_a_department_that_wrote_nothing_gets_a_marked_draft(make_health):
    ev = make_health([])
    blocks = list(selfreport.document(ev))
    assert is_draft(blocks) and blocks[0].role == "draft"
    assert "（二）机构设置" in [b.text for b in blocks if isinstance(b, Heading)]  # the skeleton
    found = find_problems(ev)
    assert list(found[found["type"] == "incomplete_report"]["item_zh"]) == ["报告文字"]


def test_the_standard_outline_does_not_repeat_what_the_department_states(make_health):
    """基本信息's 编制数/在职人数 and the 自评得分 become a sentence only where the department's own
    text does not already state them (the bureau's fill states both: 86 and 81, 92.5)."""
    stated = [("人员情况", None, None, "核定编制86人，年末实有在职人员81人。"),
              ("自评结论", None, None, "综上，自评得分92.5分，等级为优。")]
    text = "\n".join(b.plain_text() for b in selfreport.document(make_health(stated)))
    assert "核定编制86人" in text and "年末在职人员81人" not in text
    assert text.count("92.5") == 1
    silent = [("人员情况", None, None, "人员结构合理。"), ("自评结论", None, None, "目标基本完成。")]
    text = "\n".join(b.plain_text() for b in selfreport.document(make_health(silent)))
    assert "核定编制86人，年末在职人员81人。" in text
    assert "自评得分92.50分" in text
