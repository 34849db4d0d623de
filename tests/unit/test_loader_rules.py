"""Loader rules one by one: number parsing, plausibility bounds, totals, with their edges."""

from __future__ import annotations

import datetime as dt
import math

import pytest

import perfkit as pk
from perfkit.data import plausibility, reader
from perfkit.data.values import parse_number, year_from_filename
from perfkit.errors import WorkbookError


@pytest.mark.parametrize(("raw", "value"), [
    (None, None), ("", None), ("   ", None), (12, 12.0), (-595.92, -595.92), ("12.5", 12.5),
    ("\uff11\uff12.\uff15", 12.5), (" -595.92 ", -595.92), ("1e3", 1000.0), (".5", 0.5), ("0", 0.0),
])
def test_numbers_accepted(raw, value):
    assert parse_number(raw) == (value, None)


@pytest.mark.parametrize(("raw", "hint"), [
    ("二千", "阿拉伯数字"), ("1,234.5", "1234.5"),
    ("\uff11\uff0c\uff12\uff13\uff14.\uff15", "1234.5"), ("12.3万", "去掉单位"),
    ("90%", "去掉单位"), ("—", "占位符"), ("N/A", "占位符"), ("#DIV/0!", "Excel 错误值"),
    ("(5.5)", "-5.5"), ("1 234", "1234"), ("=SUM(A1:A3)", "公式"), (True, "逻辑值"),
    (math.nan, "非有限"), (math.inf, "非有限"), ("1e400", "超出范围"), (10**400, "超出范围"),
    (dt.datetime(2019, 3, 1), "日期"), (dt.time(12, 0), "日期"), ("abc", "文本“abc”"),
])
def test_text_is_refused_with_a_hint(raw, hint):
    value, why = parse_number(raw)
    assert value is None and hint in why


def test_long_text_is_clipped_in_messages():
    _, why = parse_number("很" * 500)
    assert len(why) < 80


@pytest.mark.parametrize(("name", "year"), [("2019.xlsx", 2019), ("data/x/2020.xlsx", 2020),
                                            ("wb.xlsx", None), ("20190.xlsx", None),
                                            ("2019-copy.xlsx", 2019),
                                            ("益阳市教育局2018年部门决算.xlsx", 2018),
                                            ("yiyang_2020_v2.xlsx", 2020),
                                            ("2018-2019对比.xlsx", None),
                                            ("2019年（2019-12-31）.xlsx", 2019)])
def test_year_from_filename(name, year):
    assert year_from_filename(name) == year


@pytest.mark.parametrize("name", ["2018.xlsx", "益阳市教育局2018年决算.xlsx", "2018-copy.xlsx"])
def test_a_year_in_any_file_name_is_checked_against_the_workbook(make_workbook, name):
    """Issue 12.10: only files named exactly <year>.xlsx were checked (the sample says 2019)."""
    with pytest.raises(WorkbookError) as err:
        pk.load_workbook(make_workbook(name=name))
    [p] = err.value.problems
    assert (p.sheet, p.cell) == ("基本信息", "B3")
    assert "2018" in p.expected and name in p.expected
    # Named for its own year it loads; the requested year is checked once, not twice.
    pk.load_workbook(make_workbook(name=name.replace("2018", "2019")))
    with pytest.raises(WorkbookError) as err:
        pk.load_workbook(make_workbook(name="2018年.xlsx"), expected_year=2018)
    assert len(err.value.problems) == 1


def test_sample_loads_without_problems_or_warnings():
    data = pk.load_workbook(pk.config.DATA_DIR / "yiyang-edu" / "2019.xlsx", expected_year=2019)
    assert data.warnings == []
    # The plausibility bounds are far from the sample's own figures.
    assert data.value("aid", 0, "amount") == 31000 < plausibility.MAX_AMOUNT_WAN_YUAN
    assert data.value("three_public", "total", "actual") == 88.53
    assert 88.53 < plausibility.MAX_THREE_PUBLIC_WAN_YUAN


def _problems(make_workbook, change) -> list:
    with pytest.raises(WorkbookError) as err:
        pk.load_workbook(make_workbook(change))
    return err.value.problems


def _target(c, code) -> dict:
    return next(t for t in c["targets"] if t["code"] == code)


@pytest.mark.parametrize(("code", "column", "value"), [
    ("big_class_ratio_pct", "actual", 1.2),  # a real 1.2% against a ≤ 10% target
    ("tier1_admission_rate_pct", "actual", 0.5),  # no target, no 全面: a small rate may be real
])
def test_small_percentages_that_may_be_real_load(make_workbook, code, column, value):
    def change(c):
        _target(c, code)[column] = value

    data = pk.load_workbook(make_workbook(change))
    assert value in data.frames["targets"][column].tolist()


def test_low_rate_and_change_rate_are_not_taken_for_fractions(make_workbook):
    def change(c):
        c["targets"].append(dict(domain="quality", code=None, name="辍学率", unit="%",
                                 direction="≤", target=0.5, actual=0.3))
        c["targets"].append(dict(domain="finance", code=None, name="经费增长率", unit="%",
                                 direction="≥", target=1, actual=1.2))

    pk.load_workbook(make_workbook(change))


def test_fraction_next_to_percentage_points_is_refused(make_workbook):
    def change(c):
        _target(c, "high_school_gross_enrollment_pct")["actual"] = 0.9  # target 90

    (p,) = _problems(make_workbook, change)
    assert p.sheet == "绩效指标" and "0.9" in p.found and "改为 90" in p.fix


def test_high_rate_written_as_fraction_without_target_is_refused(make_workbook):
    def change(c):
        rec = _target(c, "compulsory_retention_rate_pct")
        rec["target"], rec["actual"] = None, 0.99

    (p,) = _problems(make_workbook, change)
    assert "应接近 100% 的比率" in p.found


def test_zero_total_with_parts_is_a_warning_not_an_error(make_workbook):
    def zero(c):
        c["income"]["total"]["budget_initial"] = 0  # 事业收入 budget 3183.1 is a part of it

    data = pk.load_workbook(make_workbook(zero))
    (w,) = data.warnings
    assert w.cell == "B8" and "多3183.10万元" in w.found


def test_child_above_parent_is_refused(make_workbook):
    def change(c):
        c["expenditure"]["key_project"] = {"actual": 9000.0}  # 项目支出 is 5192.76

    (p,) = _problems(make_workbook, change)
    assert p.cell == "D5" and "重点项目支出" in p.found and "多3807.24万元" in p.found


def test_shortfall_with_parts_missing_is_left_to_the_report(make_workbook):
    # The sample: 基本 13738.19 + 项目 5192.76 = 18930.95 against 24788.37, others empty.
    data = pk.load_workbook(make_workbook())
    assert data.warnings == []


def test_complete_parts_short_of_total_by_much_are_refused(make_workbook):
    def change(c):
        c["expenditure"]["basic"]["actual"] = 13738.19
        c["expenditure"]["personnel"] = {"actual": 5000.0}
        c["expenditure"]["public"] = {"actual": 1000.0}  # 6000 against 13738.19

    (p,) = _problems(make_workbook, change)
    assert p.cell == "D2" and "少7738.19万元" in p.found


def test_unexpected_error_still_gives_a_located_message(make_workbook, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("defect")

    monkeypatch.setattr(reader, "check_percent_scale", boom)
    (p,) = _problems(make_workbook, None)
    assert "意外错误（RuntimeError）" in p.found and p.fix
