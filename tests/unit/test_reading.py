"""What a reviewer reads a report for (issue #24 item 5): the sample's four catches, none on the
second departments of tests/bureaus.py where their texts are fine, and each check firing on a
text made to hold what it looks for."""

from __future__ import annotations

import copy
import shutil

import pytest
from bureaus import (
    CIVIL_CATALOG,
    CIVIL_DEDUCTIONS,
    CIVIL_DEPT,
    CIVIL_TEXT,
    DEFAULT_SHEET,
    DEPT,
    TEXT,
    civil_content_2023,
    content_2022,
    fill_text_and_scores,
)
from synthetic import fill_workbook
from typer.testing import CliRunner

import perfkit as pk
from perfkit import config
from perfkit.assess.evaluation import Evaluation
from perfkit.assess.problems import find_problems, problem_types
from perfkit.assess.reading import CHECKS, read_report, spec
from perfkit.assess.scoresheet import load_sheet
from perfkit.data.params import settings_from_dict
from perfkit.run.prefill import self_score_rows
from perfkit.run.project import init_project


def _health_text(text=TEXT) -> list[dict]:
    return [dict(section=s, title=t, content=c) for s, t, c in text]


@pytest.fixture
def make_health(tmp_path):
    """The county health bureau's 2022 evaluation, its workbook in a project of its own
    (``data/county-health/2022.xlsx``), after ``change(content)``."""
    def make(change=None, text=None) -> Evaluation:
        content = copy.deepcopy(content_2022())
        for r in content["targets"]:
            r.setdefault("name", r["code"])
        content["text"] = _health_text() if text is None else text
        if change:
            change(content)
        path = tmp_path / "data" / DEPT / "2022.xlsx"
        path.parent.mkdir(parents=True, exist_ok=True)
        pk.write_workbook(path, content)
        return Evaluation(pk.load_workbook(path),
                          settings_from_dict({"department": DEPT, "year": 2022,
                                              "domains": ["health"]}),
                          project=config.Project.at(tmp_path))
    return make


def test_the_sample_holds_the_four_catches(sample_ev):
    found = read_report(sample_ev).set_index("type")
    same = found.loc["same_quantity"]
    assert "1461所" in same["detail_zh"] and "1468所" in same["detail_zh"]
    assert "报告文字!C58" in same["cells"]
    date = found.loc["date_outside_period"]
    assert "预计于2019年7月对2019年度决算进行公开" in date["detail_zh"]
    assert "不可能在2019年7月" in date["detail_zh"]
    assert "报告文字!C32" == date["cells"]
    scope = found.loc[["scope"]]
    assert any("4.04亿元" in d and "24788.37万元" in d for d in scope["detail_zh"])
    remit = found.loc["remit"]
    assert remit["item_zh"] == "公务接待费" and "招商引资" in remit["detail_zh"]
    assert remit["cells"].startswith("三公经费!F6")  # the sheet's reason, then the report's words
    # No self-scored items, no copied text, targets of many values: nothing else to say.
    assert set(found.index) == {"same_quantity", "date_outside_period", "scope", "remit"}


def test_the_catches_reach_the_problems_with_their_levels(sample_ev):
    found = find_problems(sample_ev)
    levels = dict(zip(found["type"], found["level"], strict=False))
    assert levels["same_quantity"] == "P1" and levels["remit"] == "P1"
    assert levels["date_outside_period"] == "P1" and levels["scope"] == "P2"
    assert set(found["level"]) <= {"P0", "P1", "P2"}
    assert "1468所" in " ".join(found["quote"])


def test_every_check_has_a_problem_type_and_a_spec():
    assert set(CHECKS) == set(spec())
    assert set(CHECKS) <= set(problem_types())


def test_the_health_bureau_raises_none(make_health):
    assert read_report(make_health()).empty


@pytest.fixture
def civil(tmp_path, monkeypatch, use_project):
    """The city civil-affairs bureau's 2023 project, with its own 民政 catalog."""
    root = tmp_path / CIVIL_DEPT
    init_project(root, "某市民政局")
    shutil.copy(CIVIL_CATALOG, root / "domains" / "civil.yaml")
    use_project(root)
    monkeypatch.chdir(root)
    monkeypatch.delenv("PERFKIT_ROOT", raising=False)
    from perfkit.cli import app

    result = CliRunner().invoke(app, ["template", "--year", "2023", "--dept", CIVIL_DEPT,
                                      "--domains", "civil"])
    assert result.exit_code == 0, result.output
    book = root / "data" / CIVIL_DEPT / "2023.xlsx"
    fill_workbook(book, civil_content_2023())
    fill_text_and_scores(book, CIVIL_TEXT, CIVIL_DEDUCTIONS)
    return root


def test_the_civil_bureau_raises_none(civil):
    ev = pk.load(CIVIL_DEPT, 2023)
    assert ev.domains == ["civil"]
    assert read_report(ev).empty


def _with(text, section, content):
    return [*text, dict(section=section, title=None, content=content)]


def test_each_check_fires_on_a_text_that_holds_it(make_health):
    text = _health_text()
    text = _with(text, "主要绩效", "全县1200所村卫生室实现家庭医生签约服务全覆盖。")
    text = _with(text, "主要绩效", "基本公共卫生服务覆盖全县1180所村卫生室。")
    text = _with(text, "预决算公开", "预计于2022年6月公开2022年度部门决算。")
    text = _with(text, "主要绩效", "发放医疗救助资金2.6亿元。")
    text = _with(text, "三公经费说明", "公务接待费增加主要是由于招商引资任务加重。")

    def all_full(c):
        for r in c["targets"]:
            if r.get("unit") == "%" and r.get("direction") == "≥" and r["domain"] == "other":
                r["target"] = 95
        c["targets"] += [dict(r, name=f"{r['name']}（乡镇）") for r in c["targets"]
                         if r["domain"] == "other" and r.get("unit") == "%"]

    found = read_report(make_health(all_full, text)).set_index("type")
    assert "1180所、1200所" in found.at["same_quantity", "detail_zh"]
    assert "不可能在2022年6月" in found.at["date_outside_period", "detail_zh"]
    assert "2.6亿元" in found.at["scope", "detail_zh"]
    assert "招商引资" in found.at["remit", "detail_zh"]
    assert "“≥95%”" in found.at["uniform_targets", "detail_zh"]


def test_a_sentence_that_states_its_scope_or_an_approximate_count_is_fine(make_health):
    text = _with(_health_text(), "主要绩效", "全县共投入医疗救助资金2.6亿元。")
    text = _with(text, "主要绩效", "近1200所村卫生室实现全覆盖，1180所村卫生室全部达标。")
    text = _with(text, "收支情况说明", "截至2022年12月的2022年度决算数据显示，收入增加。")
    assert read_report(make_health(text=text)).empty


def test_every_item_at_full_marks_is_a_form(make_health, tmp_path):
    def listed(c):  # the 自评表 rows as `perfkit template` lists them
        c["self_scores"] = self_score_rows(load_sheet(DEFAULT_SHEET))

    ev = make_health(listed)
    book = ev.data.path
    fill_text_and_scores(book, TEXT, deductions={})
    full = Evaluation(pk.load_workbook(book), ev.settings, project=ev.project)
    assert "自评流于形式" in read_report(full).set_index("type").at["full_marks", "detail_zh"]
    fill_text_and_scores(book, TEXT)  # the bureau's own deductions: no finding
    assert read_report(Evaluation(pk.load_workbook(book), ev.settings,
                                  project=ev.project)).empty


def test_text_shared_with_another_department_is_copying(make_health, tmp_path):
    ev = make_health()
    shared = ("乡镇卫生院全科医生缺口较大，基层医疗卫生服务能力与群众需求仍有较大差距。"
              "完善危重孕产妇救治网络，落实高危孕产妇专案管理和转诊会诊制度。")
    other = copy.deepcopy(content_2022())
    for r in other["targets"]:
        r.setdefault("name", r["code"])
    other["info"]["department_name"] = "某县疾病预防控制中心"
    other["text"] = [dict(section="存在的问题", title=None, content=shared)]
    path = tmp_path / "data" / "county-cdc" / "2022.xlsx"
    path.parent.mkdir(parents=True)
    pk.write_workbook(path, other)
    assert read_report(ev).empty  # nothing shared yet
    copied = make_health(text=_with(_health_text(), "存在的问题", shared))
    row = read_report(copied).set_index("type").loc["copying"]
    assert "某县疾病预防控制中心" in row["detail_zh"] and "2句" in row["detail_zh"]
