"""A health bureau's project holds its own domains (issue #21, item 5): its templates have no
学生资助 sheet or notes and a 领域 drop-down of 财务, 卫生健康 and 其他; ``ev.indicators`` holds no
education rows; the notebooks ``perfkit init`` copies open on its own department, latest year and
domain instead of the sample's (yiyang-edu, 2019, quality: a missing file in its project)."""

from __future__ import annotations

import json
from dataclasses import replace

import openpyxl
import pytest
from bureaus import DEPT, content_2022
from typer.testing import CliRunner

import perfkit as pk
from perfkit import config
from perfkit.errors import PerfkitError
from perfkit.run.project import init_project
from synthetic import fill_workbook

EDUCATION = ("学生资助", "教育质量", "校园安全", "学生", "学校", "教育")


@pytest.fixture
def bureau(tmp_path, monkeypatch, use_project):
    """``perfkit init county-health``, then ``template --year 2022 --domains health``, filled."""
    root = tmp_path / DEPT
    init_project(root, "某县卫生健康局")
    use_project(root)
    monkeypatch.chdir(root)
    monkeypatch.delenv("PERFKIT_ROOT", raising=False)
    _cli("template", "--year", "2022", "--dept", DEPT, "--domains", "health")
    fill_workbook(root / "data" / DEPT / "2022.xlsx", content_2022())
    return root


def _cli(*args: str):
    from perfkit.cli import app

    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result


def _texts(path) -> list[str]:
    """Every text a person sees in a workbook: cells, header notes, sheet names."""
    book = openpyxl.load_workbook(path)
    out = list(book.sheetnames)
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for c in row:
                out += [str(c.value)] if isinstance(c.value, str) else []
                out += [c.comment.text] if c.comment else []
    return out


def _domain_choices(path) -> str:
    ws = openpyxl.load_workbook(path)["绩效指标"]
    return next(dv.formula1 for dv in ws.data_validations.dataValidation
                if str(dv.sqref).startswith("A2"))


@pytest.mark.parametrize("year", [2022, 2023])
def test_a_health_bureaus_templates_hold_its_own_domains(bureau, year):
    """2022 from ``template --domains health``, 2023 from ``template --from 2022``. Was: the
    学生资助 sheet and its notes, and 教育质量/学生资助/校园安全 in the 领域 drop-down."""
    if year == 2023:
        _cli("template", "--year", "2023", "--dept", DEPT, "--from", "2022")
    path = bureau / "data" / DEPT / f"{year}.xlsx"
    assert "学生资助" not in openpyxl.load_workbook(path).sheetnames
    texts = _texts(path)
    for word in EDUCATION:
        assert not [t for t in texts if word in t], word
    assert _domain_choices(path) == '"财务,卫生健康,其他"'
    pk.load_workbook(path, expected_year=year)  # and it passes check


def test_a_template_without_domains_still_has_every_domain(tmp_path):
    path = pk.write_workbook(tmp_path / "all.xlsx")
    assert "学生资助" in openpyxl.load_workbook(path).sheetnames
    assert _domain_choices(path) == '"财务,教育质量,学生资助,校园安全,卫生健康,其他"'
    note = next(t for t in _texts(path) if t.startswith("指标代码（如 revenue_execution_pct）"))
    assert "sum(学生资助:" in note


def test_ev_indicators_hold_finance_its_domains_and_its_own_rows(bureau):
    """Was: 69 education indicators, each 数据缺失, in a health bureau's ev.indicators."""
    ev = pk.load(DEPT, 2022)
    assert ev.domains == ["health"]
    assert set(ev.indicators["domain"]) == {"finance", "health", "other"}
    assert "big_class_target_count" not in ev.indicators.index


def test_a_score_sheet_or_stated_figure_of_another_field_says_so(sample_ev):
    """With the indicators of other fields gone from ev.indicators, a 报告数值 row naming one
    (S8: 消除大班额 of 教育质量) is 无法核对 and says why, instead of a KeyError."""
    from perfkit.assess.audit import audit
    from perfkit.assess.evaluation import Evaluation
    from perfkit.assess.rules import _indicator_outcome

    ev = Evaluation(sample_ev.data, replace(sample_ev.settings, domains=("aid",)))
    row = audit(ev).set_index("ref").loc["S8"]
    assert row["verdict"] == "无法核对"
    assert "属于领域“教育质量”，不是本部门本年度的领域（运行设置 domains：aid）" in row["explanation"]
    *_, outcome = _indicator_outcome(ev, "big_class_elimination_completion_pct")
    assert outcome is not None and outcome.score is None and "教育质量" in outcome.reason


def test_notebooks_default_to_the_projects_own_department_year_and_domain(bureau):
    """The parameters of every notebook init copied are empty; run as JupyterLab runs them
    (import, parameters, load, title), they open on county-health 2023 (the latest year), and
    the domain notebook on health. Was: yiyang-edu 2019 quality, a missing file here."""
    _cli("template", "--year", "2023", "--dept", DEPT, "--from", "2022")
    for name in config.NOTEBOOK_FILES:
        if name == config.MONITOR_NOTEBOOK:  # opens on a 监控 workbook, which this project lacks
            continue
        nb = json.loads((bureau / "notebooks" / f"{name}.ipynb").read_text(encoding="utf-8"))
        cells = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"][:4]
        assert "yiyang-edu" not in cells[1] and "quality" not in cells[1] and "2019" not in cells[1]
        scope: dict = {}
        for source in cells:
            exec(source, scope)
        ev = scope["ev"]
        assert (ev.settings.department, ev.year) == (DEPT, 2023), name
        if name == config.DOMAIN_NOTEBOOK:
            assert scope["domain"] == "health"


def test_defaults_say_in_one_line_which_parameter_to_set(bureau):
    import shutil

    from perfkit.report.domainreport import resolve_domain

    (bureau / "data" / "other-dept").mkdir()
    shutil.copy(bureau / "data" / DEPT / "2022.xlsx", bureau / "data" / "other-dept" / "2021.xlsx")
    with pytest.raises(PerfkitError, match=r"多个部门（county-health、other-dept）.*设置 department"):
        pk.load()
    assert config.default_department_year("other-dept") == ("other-dept", 2021)
    ev = pk.load(DEPT, 2022)
    with pytest.raises(PerfkitError, match=r"领域“quality”不是.*domain"):
        resolve_domain(ev, "quality")
    shutil.rmtree(bureau / "data")
    with pytest.raises(PerfkitError, match=r"还没有工作簿.*perfkit template"):
        config.default_department_year()
