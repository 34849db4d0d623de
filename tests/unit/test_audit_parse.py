"""Audit parsers: printed figures in their real forms, and the 核对对象 language."""

from __future__ import annotations

import math

import pytest

from perfkit.data.printed import AuditParseError, parse_printed
from perfkit.assess.checkspec import parse_check


@pytest.mark.parametrize(
    ("text", "value", "unit", "decimals", "half_unit"),
    [
        ("133.49%", 133.49, "%", 2, 0.005),
        ("109.03 %", 109.03, "%", 2, 0.005),  # the seed prints a space before %
        ("136.78 ％", 136.78, "%", 2, 0.005),  # full-width percent sign
        ("4.04亿元", 40400.0, "万元", 2, 50.0),  # 0.01亿 = 100万元
        ("4761万元", 4761.0, "万元", 0, 0.5),
        ("1,055.1", 1055.1, "", 1, 0.05),  # thousands separator, no unit
        ("增长16.69万元", 16.69, "万元", 2, 0.005),
        ("增加16.69万元", 16.69, "万元", 2, 0.005),
        ("减少16.69万元", -16.69, "万元", 2, 0.005),
        ("下降3.5%", -3.5, "%", 1, 0.05),
        ("-595.92万元", -595.92, "万元", 2, 0.005),
        ("－595.92万元", -595.92, "万元", 2, 0.005),  # full-width minus
        ("96.8分", 96.8, "分", 1, 0.05),
        ("857名", 857.0, "名", 0, 0.5),
        ("75.22万人次", 752200.0, "人次", 2, 50.0),
        ("3185.08 万元", 3185.08, "万元", 2, 0.005),
        ("12000元", 1.2, "万元", 0, 0.00005),
        ("2.5个百分点", 2.5, "%", 1, 0.05),
    ],
)
def test_printed_forms(text, value, unit, decimals, half_unit):
    p = parse_printed(text)
    assert math.isclose(p.value, value, rel_tol=1e-12)
    assert p.unit == unit
    assert p.decimals == decimals
    assert math.isclose(p.half_unit, half_unit, rel_tol=1e-9)
    assert p.text == text  # kept as printed


@pytest.mark.parametrize(
    ("text", "bound"),
    [("93.96％以上", "≥"), ("1000余所", "≥"), ("超过90%", "≥"), ("10%以内", "≤"),
     ("近3000人", "≈"), ("约2万人次", "≈"), ("68.2%", "")],
)
def test_bounds_and_approximations(text, bound):
    assert parse_printed(text).bound == bound


def test_direction_words_are_kept():
    assert parse_printed("增加16.69万元").direction == 1
    assert parse_printed("减少16.69万元").direction == -1
    assert parse_printed("16.69万元").direction == 0


@pytest.mark.parametrize("text", ["", "未提供", "约", "4.04亿%", "68.2%%", "见附表"])
def test_unparseable(text):
    with pytest.raises(AuditParseError):
        parse_printed(text)


@pytest.mark.parametrize(
    ("text", "unit", "value", "half_unit"),
    [
        ("4.04亿元", "万元", 40400.0, 50.0),
        ("4.04亿", "万元", 40400.0, 50.0),  # a bare 亿 against an amount means 元
        ("1,055.1", "万元", 1055.1, 0.05),  # a bare number is read in the check's unit
        ("40347000元", "万元", 4034.7, 0.00005),
        ("1.38亿元", "亿元", 1.38, 0.005),
        ("857", "名", 857.0, 0.5),
        ("857人", "名", 857.0, 0.5),  # count units are interchangeable
    ],
)
def test_conversion_to_check_unit(text, unit, value, half_unit):
    p = parse_printed(text).in_unit(unit)
    assert math.isclose(p.value, value, rel_tol=1e-12)
    assert math.isclose(p.half_unit, half_unit, rel_tol=1e-9)


@pytest.mark.parametrize(("text", "unit"), [("68.2%", "万元"), ("4761万元", "%"), ("857名", "%")])
def test_incompatible_units(text, unit):
    with pytest.raises(AuditParseError):
        parse_printed(text).in_unit(unit)


@pytest.mark.parametrize(
    ("text", "kind", "names"),
    [
        ("revenue_execution_pct", "indicator", ("revenue_execution_pct",)),
        (" revenue_execution_pct ", "indicator", ("revenue_execution_pct",)),
        ("claimed_score", "info", ("claimed_score",)),
        ("sum(学生资助:两免一补)", "sum_aid", ("两免一补",)),
        ("sum（学生资助：两免一补）", "sum_aid", ("两免一补",)),  # full-width brackets and colon
        ("sum(学生资助)", "sum_aid", ()),
        ("sum(aid:两免一补,学前)", "sum_aid", ("两免一补", "学前")),
        ("sum(绩效指标:a_count, b_count)", "sum_targets", ("a_count", "b_count")),
    ],
)
def test_check_language(text, kind, names):
    spec = parse_check(text)
    assert (spec.kind, spec.names) == (kind, names)


@pytest.mark.parametrize("text", ["", "no_such_indicator", "sum(收入:total)", "sum(绩效指标)"])
def test_check_language_rejects(text):
    with pytest.raises(AuditParseError):
        parse_check(text)
