"""Display formatting (perfkit.fmt): scaling, units, qualifiers and changes, hand-computed."""

from __future__ import annotations

import math

import pytest

from perfkit import fmt
from perfkit.errors import PerfkitError
from perfkit.report.narrative import three_public_sentence


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (752200, "人次", "75.22万人次"),  # 752200 / 10000 = 75.22 exactly
        (450000, "人次", "45万人次"),  # trailing zeros dropped
        (642800, "人", "64.28万人"),
        (100000, "人", "10万人"),  # the threshold itself
        (99999, "人", "99999人"),  # below 10万: full digits
        (20000, "人次", "20000人次"),  # below 10万, even though exact in 万
        (752234, "人次", "752234人次"),  # 75.2234万 is not exact at 2 decimals: keep digits
        (752250, "人次", "752250人次"),  # 75.225万: 3 decimals, so full digits
        (1000000, "所", "100万所"),
        (100000000, "人", "1亿人"),
        (150000000, "人", "1.5亿人"),
        (123450000, "人", "12345万人"),  # 1.2345亿 is not exact: 万 is
        (-450000, "人", "-45万人"),
        (857, "名", "857名"),
        (1468, "所", "1468所"),
        (450.5, "人次/所", "450.50人次/所"),  # per-unit: never scaled
        (8279.39, "元", "8279.39元"),
        (150000, "元", "150000元"),  # money is not rescaled
        (1.38, "亿元", "1.38亿元"),
        (24192.45, "万元", "24192.45万元"),
        (133.49, "%", "133.49%"),
        (0.0, "%", "0.00%"),
    ],
)
def test_with_unit_scales_large_counts(value, unit, text):
    assert fmt.with_unit(value, unit) == text


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (15, "1/10万", "15/10万"),  # 15 per 10万, not "151/10万"
        (15.5, "1/10万", "15.50/10万"),
        (3, "1/1000", "3‰"),
        (2.5, "1/100", "2.50%"),
        (12, "1 / 万", "12/万"),
        (3, "10万人", "3×10万人"),  # 3 × 10万人 = 30万人: the × keeps the digits apart
    ],
)
def test_units_starting_with_a_digit_are_not_glued(value, unit, text):
    assert fmt.with_unit(value, unit) == text


@pytest.mark.parametrize(
    ("value", "unit", "qualifier", "text"),
    [
        (1000, "所", "余", "1000余所"),
        (800, "人", "多", "800多人"),
        (9000, "名", "近", "近9000名"),
        (3000, "人", "约", "约3000人"),
        (100, "所", "超过", "超过100所"),
        (50, "人", "逾", "逾50人"),
        (93.96, "%", "以上", "93.96%以上"),
        (5, "%", "以下", "5.00%以下"),
        (10, "天", "以内", "10天以内"),
        (1000, "万元", "余", "1000.00余万元"),
        (450000, "人次", "余", "45万余人次"),
        (15, "1/10万", "以下", "15/10万以下"),
        (857, "名", "", "857名"),
    ],
)
def test_qualifiers_in_chinese_order(value, unit, qualifier, text):
    assert fmt.with_unit(value, unit, qualifier=qualifier) == text


def test_count_with_unit_and_qualifier():
    assert fmt.count(752200, "人次") == "75.22万人次"
    assert fmt.count(1000, "所", qualifier="余") == "1000余所"
    assert fmt.count(752200) == "752200"  # a bare number keeps its digits (table column)
    assert fmt.count(12.5) == "12.50"
    assert fmt.count(float("nan"), "人") == fmt.MISSING
    assert fmt.count(None, "人", qualifier="近") == fmt.MISSING


def test_every_qualifier_is_placed_and_unknown_ones_refused():
    assert set(fmt.QUALIFIERS) == {"余", "多", "近", "约", "超过", "逾", "以上", "以下", "以内"}
    for q in fmt.QUALIFIERS:
        assert q in fmt.with_unit(7, "所", qualifier=q)
    with pytest.raises(ValueError, match="以上"):
        fmt.with_unit(7, "所", qualifier="左右")


def test_missing_values_ignore_unit_and_qualifier():
    assert fmt.with_unit(math.nan, "人次", qualifier="余") == fmt.MISSING
    assert fmt.pct(None, qualifier="以上") == fmt.MISSING
    assert fmt.amount(math.nan, missing="—") == "—"


@pytest.mark.parametrize(
    ("value", "kwargs", "text"),
    [
        (16.69, {}, "增加16.69万元"),
        (-3.74, {}, "减少3.74万元"),
        (0.0, {}, "持平"),
        (0.004, {}, "持平"),  # rounds to 0.00: what a reader would see as 0
        (-0.004, {}, "持平"),
        (0.005, {}, "增加0.01万元"),  # round half up
        (23.23, {"unit": "%", "up": "增长", "down": "下降"}, "增长23.23%"),
        (-5.0, {"unit": "%", "up": "增长", "down": "下降"}, "下降5.00%"),
        (0.0, {"same": "与上年持平"}, "与上年持平"),
        (12, {"unit": "所"}, "增加12所"),
        (-150000, {"unit": "人次"}, "减少15万人次"),
        (math.nan, {}, fmt.MISSING),
    ],
)
def test_change_in_words(value, kwargs, text):
    assert fmt.change(value, **kwargs) == text


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (16.69, "万元", "+16.69万元"),
        (-3.74, "万元", "-3.74万元"),
        (0.001, "万元", "持平"),
        (2.1, "%", "+2.10个百分点"),
        (-0.5, "%", "-0.50个百分点"),
        (0.0, "%", "持平"),
        (12, "所", "+12所"),
        (math.nan, "所", fmt.MISSING),
    ],
)
def test_signed_change_for_tables(value, unit, text):
    assert fmt.signed(value, unit) == text


def _no_change(content):
    for row in content["three_public"].values():
        if "prior_actual" in row:
            row["prior_actual"] = row["actual"]


def test_three_public_sentence_says_unchanged_not_increase_zero(make_ev):
    text = three_public_sentence(make_ev(_no_change))
    assert "增加0.00" not in text and "减少0.00" not in text and "增长0.00" not in text
    # Totals 88.53 both years; each item equal to its prior year.
    assert "与2018年度“三公”经费88.53万元持平" in text
    assert "公务接待费本年数36.71万元，上年数36.71万元，与上年持平" in text


def test_three_public_sentence_on_the_sample(sample_ev):
    text = three_public_sentence(sample_ev)
    # 88.53 - 71.84 = 16.69; 16.69 / 71.84 = 23.23 %; 36.71 - 23.95 = 12.76.
    assert "较2018年度“三公”经费71.84万元增加16.69万元（增长23.23%）" in text
    assert "公务接待费本年数36.71万元，上年数23.95万元，增加12.76万元" in text


# ---------------------------------------------------------------------------------------------
# Times: 北京时间 by default, labelled; PERFKIT_TIMEZONE chooses another zone
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def zone(monkeypatch):
    def set_zone(name: str | None):
        if name is None:
            monkeypatch.delenv(fmt.TIMEZONE_ENV, raising=False)
        else:
            monkeypatch.setenv(fmt.TIMEZONE_ENV, name)

    set_zone(None)
    return set_zone


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("2026-12-03T01:42:00+00:00", "2026年12月3日 09:42（北京时间）"),  # UTC + 8 h
        ("2026-12-02T18:05:59+00:00", "2026年12月3日 02:05（北京时间）"),  # crosses midnight
        ("2026-12-03T09:42:00+08:00", "2026年12月3日 09:42（北京时间）"),
        ("2026-06-30T23:30:00-04:00", "2026年7月1日 11:30（北京时间）"),  # 03:30 UTC
    ],
)
def test_times_are_shown_in_beijing_time(zone, value, text):
    assert fmt.display_time(value) == text


def test_another_zone_is_named(zone):
    zone("Asia/Tokyo")
    shown = fmt.display_time("2026-12-03T01:42:00+00:00")
    assert shown == "2026年12月3日 10:42（Asia/Tokyo，UTC+09:00）"
    zone("UTC")
    shown = fmt.display_time("2026-12-03T01:42:05+00:00", seconds=True)
    assert shown == "2026年12月3日 01:42:05（UTC）"
    zone("Not/AZone")
    with pytest.raises(PerfkitError, match="PERFKIT_TIMEZONE"):
        fmt.display_time("2026-12-03T01:42:00+00:00")


def test_unparsable_time_is_returned_unchanged(zone):
    assert fmt.display_time("不是时间") == "不是时间"


def test_render_and_index_use_the_display_time(zone):
    from perfkit.fmt import display_time as format_time

    assert format_time("2026-12-03T01:42:00+00:00") == "2026年12月3日 09:42（北京时间）"


def test_beijing_time_without_a_system_zone_database(zone):
    """Where /usr/share/zoneinfo is missing, zoneinfo falls back to the tzdata package."""
    import zoneinfo

    zoneinfo.reset_tzpath(to=[])  # no system zone database at all
    zoneinfo.ZoneInfo.clear_cache()
    try:
        assert zoneinfo.TZPATH == ()
        assert fmt.display_time("2026-12-03T01:42:00+00:00") == "2026年12月3日 09:42（北京时间）"
    finally:
        zoneinfo.reset_tzpath()
        zoneinfo.ZoneInfo.clear_cache()
