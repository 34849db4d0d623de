"""The 卫生健康 catalog (a second field, declared only as data) on health workbooks."""

from __future__ import annotations

import math

import pytest

import perfkit as pk
from perfkit.assess.evaluation import Evaluation
from perfkit.data.params import settings_from_dict
from perfkit.assess.checks import run_domain_checks
from synthetic import prepare_project, synthetic_content, write_synthetic
from perfkit.run.tidy import indicator_table

#: A county's figures chosen so that every rate is easy to compute by hand.
FIGURES = {
    "resident_population_count": 500_000, "live_births_count": 5_000,
    "maternal_deaths_count": 1, "infant_deaths_count": 20,
    "family_doctor_signed_count": 200_000, "family_doctor_signed_key_groups_count": 120_000,
    "family_doctor_signed_others_count": 80_000, "ehr_established_count": 425_000,
    "elderly_population_count": 70_000, "elderly_health_managed_count": 49_000,
    "notifiable_disease_registered_count": 1_000, "notifiable_disease_reported_count": 995,
    "health_literacy_pct": 24.5, "basic_public_health_funds_wan_yuan": 3_950,
    "basic_public_health_central_funds_wan_yuan": 2_370,
    "basic_public_health_provincial_funds_wan_yuan": 987.5,
    "basic_public_health_local_funds_wan_yuan": 592.5, "basic_public_health_standard_yuan": 79,
}
EXPECTED = {
    "maternal_mortality_per_100k": 20.0,  # 1 / 5000 × 100000
    "infant_mortality_permille": 4.0,  # 20 / 5000 × 1000
    "family_doctor_coverage_pct": 40.0,  # 200000 / 500000 × 100
    "ehr_coverage_pct": 85.0,
    "elderly_health_management_pct": 70.0,
    "notifiable_disease_report_rate_pct": 99.5,
    "basic_public_health_funds_per_capita_yuan": 79.0,  # 3950万元 × 10000 / 500000人
    "basic_public_health_per_capita_gap_yuan": 0.0,
}


def _ev(tmp_path, figures: dict, year: int = 2021) -> Evaluation:
    rows = [{"domain": "卫生健康", "code": k, "name": k, "actual": v} for k, v in figures.items()]
    content = synthetic_content(1, year, field="health") | {"targets": rows}
    data = pk.load_workbook(pk.write_workbook(tmp_path / f"{year}.xlsx", content))
    return Evaluation(data, settings_from_dict({"department": "county-health", "year": year}))


def test_health_rates_are_computed_from_the_counts(tmp_path):
    ev = _ev(tmp_path, FIGURES)
    assert ev.domains == ["health"]
    for code, value in EXPECTED.items():
        assert ev.value(code) == pytest.approx(value, abs=1e-9), code
    assert ev.indicators.at["maternal_mortality_per_100k", "unit"] == "/10万"
    assert ev.indicators.at["infant_mortality_permille", "unit"] == "‰"
    assert ev.indicators.at["maternal_mortality_per_100k", "direction"] == "越低越好"


def test_health_sum_checks(tmp_path):
    checks = run_domain_checks(_ev(tmp_path, FIGURES).data, settings_from_dict({"department": "health-test", "year": 2021}), "health")
    assert dict(zip(checks["check"], checks["verdict"], strict=True)) == {
        "family_doctor_signed_parts": "一致", "basic_public_health_funds_parts": "一致"}
    wrong = FIGURES | {"family_doctor_signed_others_count": 79_000}
    row = run_domain_checks(_ev(tmp_path, wrong).data, settings_from_dict({"department": "health-test", "year": 2021}),
                            "health").set_index("check").loc["family_doctor_signed_parts"]
    assert (row["verdict"], row["expected"], row["actual"]) == ("不一致", 199_000, 200_000)


def test_no_live_births_leaves_the_mortality_rates_without_value(tmp_path):
    ev = _ev(tmp_path, FIGURES | {"live_births_count": 0})
    for code in ("maternal_mortality_per_100k", "infant_mortality_permille"):
        row = ev.indicators.loc[code]
        assert math.isnan(row["value"]) and row["note"] == "无法计算（基数为0）"


def test_a_synthetic_health_bureau_covers_health_only(tmp_path):
    root = prepare_project(tmp_path / "health-project")
    [path] = write_synthetic(root, 1, (2021,), field="health")
    data = pk.load_workbook(path)
    ev = Evaluation(data, settings_from_dict({"department": "synthetic-01", "year": 2021}))
    assert ev.domains == ["health"]
    table = indicator_table(ev)
    assert set(table["domain"]) == {"finance", "health", "other"}
    text = table.to_csv(index=False)
    for word in ("大班额", "学生资助", "校园安全", "教师", "两免一补"):
        assert word not in text, word
    own = table[table["domain"] == "other"].set_index("label_zh")
    assert own.at["卫生健康监督执法检查", "status"] in ("超额", "达成", "未达成")
    assert own.at["基层医疗卫生机构标准化建设达标率", "status"] == "无实际值"
    assert not data.frames["aid"].shape[0]
