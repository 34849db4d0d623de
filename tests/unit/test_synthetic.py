"""Synthetic workbooks: labelled as synthetic, consistent, reproducible, kept out of real data."""

from __future__ import annotations

import pytest

import perfkit as pk
from perfkit import config
from perfkit.assess.evaluation import Evaluation
from perfkit.data.params import settings_from_dict
from perfkit.errors import PerfkitError, WorkbookError
from synthetic import (
    SOURCE,
    department_code,
    prepare_project,
    synthetic_content,
    write_synthetic,
)


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    root = tmp_path_factory.mktemp("syn")
    return root, write_synthetic(root, 2, (2019, 2020), seed=7)


def _ev(path) -> Evaluation:
    data = pk.load_workbook(path)
    return Evaluation(data, settings_from_dict({"department": path.parent.name,
                                                "year": data.year}))


def test_names_codes_and_sources_say_synthetic(books):
    root, paths = books
    assert [p.relative_to(root).as_posix() for p in paths] == [
        "data/synthetic-01/2019.xlsx", "data/synthetic-01/2020.xlsx",
        "data/synthetic-02/2019.xlsx", "data/synthetic-02/2020.xlsx"]
    data = pk.load_workbook(paths[0], expected_year=2019)
    assert data.department_name == "合成测试部门01"
    assert "合成数据" in data.info["preparer"]
    assert set(data.frames["income"]["source"].dropna()) == {SOURCE}
    assert department_code(12) == "synthetic-12"


def test_every_cross_check_holds(books):
    for path in books[1]:
        verdicts = set(_ev(path).checks["verdict"])
        assert verdicts == {"一致"}, (path, verdicts)


def test_last_years_figures_are_the_previous_years(books):
    _, paths = books
    y2019, y2020 = pk.load_workbook(paths[0]), pk.load_workbook(paths[1])
    for sheet, item in (("income", "total"), ("expenditure", "total"), ("three_public", "total")):
        assert y2020.value(sheet, item, "prior_actual") == pytest.approx(
            y2019.value(sheet, item, "actual"))
    assert y2020.value("balance", "opening", "amount") == pytest.approx(
        y2019.value("balance", "closing", "amount"))


def test_same_arguments_same_content_other_seed_other_figures():
    assert synthetic_content(3, 2019, seed=1) == synthetic_content(3, 2019, seed=1)
    a = synthetic_content(3, 2019, seed=1)["income"]["total"]["actual"]
    assert a != synthetic_content(3, 2019, seed=2)["income"]["total"]["actual"]


def test_broken_workbook_fails_validation_alone(tmp_path):
    paths = write_synthetic(tmp_path, 2, (2019,), broken=[(2, 2019)])
    pk.load_workbook(paths[0])
    with pytest.raises(WorkbookError, match="故意写错"):
        pk.load_workbook(paths[1])


@pytest.mark.parametrize("where", [lambda: config.ROOT, lambda: config.DATA_DIR,
                                   lambda: config.DATA_DIR / "yiyang-edu"])
def test_refuses_to_write_into_the_real_data(where):
    with pytest.raises(PerfkitError, match="合成数据不能写入"):
        write_synthetic(where(), 1)
    with pytest.raises(PerfkitError):
        prepare_project(where())


def test_refuses_to_mix_with_real_departments(tmp_path):
    (tmp_path / "data" / "some-bureau").mkdir(parents=True)
    with pytest.raises(PerfkitError, match="不与真实数据混放"):
        write_synthetic(tmp_path, 1)


def test_prepare_project_copies_the_notebooks(tmp_path):
    root = prepare_project(tmp_path / "p")
    assert (root / "notebooks" / "finance.ipynb").exists()
    assert (root / "data").is_dir()
