"""A health bureau's next year from ``template --from`` (issue #21, items 2 and 3): every row's
上年值 is its own 实际值 (a computed indicator's: last year's computed value), and what perfkit
says about a row stays in 填写说明, out of the department's 备注 and out of every report."""

from __future__ import annotations

import pytest
from bureaus import COMPUTED_EXPECTED, DEPT, OWN, content_2022
from typer.testing import CliRunner

import perfkit as pk
from perfkit.assess.evaluation import Evaluation
from perfkit.assess.scoresheet import load_sheet
from perfkit.data.params import settings_from_dict
from perfkit.data.sheets import UNREVIEWED
from perfkit.run.newyear import _next_targets, next_year_content, unreviewed_targets
from perfkit.run.prefill import template_content
from synthetic import fill_workbook

#: Everything ``template --from`` writes about a row (none of it may reach a report).
GUIDANCE_WORDS = ("沿用", "核改", "上年值为", UNREVIEWED, "删去本句")


@pytest.fixture(scope="module")
def last_year(tmp_path_factory):
    """The bureau's 2022 workbook: ``template --domains health``, filled as its staff fill it."""
    path = tmp_path_factory.mktemp("bureau") / "2022.xlsx"
    sheet = load_sheet("input-process-output-outcome")
    pk.write_workbook(path, template_content(sheet, year=2022, domains=["health"]))
    return pk.load_workbook(fill_workbook(path, content_2022()))


@pytest.fixture(scope="module")
def rows(last_year):
    content = next_year_content(last_year, 2023, load_sheet("input-process-output-outcome"))
    return content["targets"]


@pytest.fixture(scope="module")
def next_year(tmp_path_factory, last_year):
    """The 2023 workbook as ``template --from 2022`` writes it, loaded as a department-year."""
    content = next_year_content(last_year, 2023, load_sheet("input-process-output-outcome"))
    path = tmp_path_factory.mktemp("bureau-2023") / "2023.xlsx"
    data = pk.load_workbook(pk.write_workbook(path, content), expected_year=2023)
    return Evaluation(data, settings_from_dict({"department": DEPT, "year": 2023,
                                                "domains": ["health"]}))


def test_rows_without_a_code_get_their_own_actual_as_prior(rows):
    """Was: every row without 指标代码 got the last one's 实际值 (an empty code read as NaN is
    truthy, so all six shared one key)."""
    own = {r["name"]: r["prior"] for r in rows if r["code"] is None}
    assert own == {name: actual for name, _, _, _, actual, _ in OWN}


def test_rows_are_matched_by_domain_and_name_when_they_have_no_code():
    nan = float("nan")

    def row(domain, name, target, actual, target_year=nan):
        return {"domain": domain, "code": nan, "name": name, "unit": "%", "direction": "≥",
                "target": target, "actual": actual, "prior": nan, "target_year": target_year}

    import pandas as pd

    frame = pd.DataFrame([row("other", "满意度", 90.0, 91.0), row("health", "满意度", 80.0, 85.0),
                          row("other", "达标率", 95.0, 96.5),
                          row("other", "满意度", 92.0, nan, 2023.0)])  # the plan for 2023
    got = [(r["domain"], r["name"], r["target"], r["prior"]) for r in _next_targets(frame, 2022, 2023)]
    assert got == [("health", "满意度", 80, 85), ("other", "达标率", 95, 96.5),
                   ("other", "满意度", 92, 91)]


@pytest.mark.parametrize("code", sorted(COMPUTED_EXPECTED))
def test_a_computed_indicators_row_gets_last_years_computed_value(rows, code):
    """Was: empty (the row has no typed 实际值; perfkit computes it from the counts)."""
    row = next(r for r in rows if r["code"] == code)
    assert row["prior"] == pytest.approx(COMPUTED_EXPECTED[code][0], abs=0.005)
    assert "上年值为2022年度计算值" in row["guidance"]


def test_guidance_goes_to_its_own_column_never_to_the_departments_note(rows):
    assert all(r.get("note") is None for r in rows)
    carried = next(r for r in rows if r["code"] == "maternal_mortality_per_100k")
    assert carried["guidance"].startswith(f"{UNREVIEWED}：目标值沿用2022年度")
    statistic = next(r for r in rows if r["code"] == "live_births_count")  # no target
    assert statistic["guidance"] == "上年值为2022年度实际值"


def test_check_names_every_target_still_unreviewed(next_year, tmp_path):
    notes = unreviewed_targets(next_year.data)
    assert len(notes) == len(COMPUTED_EXPECTED) + len(OWN)  # every target copied from 2022
    first = next(n for n in notes if "孕产妇死亡率" in n)
    assert first.startswith("绩效指标!F") and "绩效指标!M" in first and "沿用2022年度" in first
    # Deleting the sentence is the review: the note goes.
    book = tmp_path / "2023.xlsx"
    import openpyxl

    wb = openpyxl.load_workbook(next_year.data.path)
    ws = wb["绩效指标"]
    for (cell,) in ws.iter_rows(min_row=2, min_col=13, max_col=13):
        if cell.value and UNREVIEWED in cell.value:
            cell.value = "上年值为2022年度实际值"
    wb.save(book)
    assert unreviewed_targets(pk.load_workbook(book)) == []


def test_cli_check_warns_about_unreviewed_targets(next_year):
    from perfkit.cli import app

    result = CliRunner().invoke(app, ["check", str(next_year.data.path)], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    assert "“孕产妇死亡率”目标值未核改" in result.output
    strict = CliRunner().invoke(app, ["check", "--strict", str(next_year.data.path)])
    assert strict.exit_code == 1


def test_no_guidance_reaches_a_document(next_year):
    """Was: "目标值沿用2022年度，请按2023年度计划核改" in the health report's 说明 column, in 数据缺口
    and in the 复核意见's problems."""
    from perfkit.assess import targets
    from perfkit.assess.problems import find_problems
    from perfkit.report import review, tables

    ev = next_year
    texts = [targets.metrics(ev).to_csv(), find_problems(ev).to_csv(), review.gaps(ev).to_csv(),
             tables.attainment_table(ev, "health").frame.to_csv(),
             tables.attainment_table(ev, "other").frame.to_csv(),
             tables.data_gap_table(ev, "health").frame.to_csv()]
    for text in texts:
        for word in GUIDANCE_WORDS:
            assert word not in text, (word, text[:300])


def test_check_names_guidance_an_older_template_left_in_the_note(make_workbook):
    """A workbook made by ``template --from`` before 填写说明 existed has the guidance in
    备注, which reports print: check says so, with the cell; a department's own 备注 is left."""
    def old_style(c):
        c["targets"][0]["note"] = "目标值沿用2019年度，请按2020年度计划核改；上年值为2019年度实际值"
        c["targets"][1]["note"] = "上年值为2019年度实际值"
        c["targets"][2]["note"] = "上年值为2019年度实际值偏低，系口径调整"  # the department's words

    notes = unreviewed_targets(pk.load_workbook(make_workbook(old_style)))
    assert len(notes) == 2
    assert notes[0].startswith("绩效指标!L2 ") and "旧版 perfkit 模板" in notes[0]
    assert notes[1].startswith("绩效指标!L3 ")
