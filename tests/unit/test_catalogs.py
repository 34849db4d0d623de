"""Domain catalogs: validation naming file/entry/key, formula kinds, a project's own domain."""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import pytest

import perfkit as pk
from perfkit import domains
from perfkit.assess.evaluation import Evaluation
from perfkit.data.params import settings_from_dict
from perfkit.errors import CatalogError
from perfkit.indicators.registry import codes, registry
from perfkit.assess.checks import run_domain_checks
from synthetic import synthetic_content

WATER = """\
label_zh: 水利
order: 50
indicators:
  - {code: water_population_count, label_zh: 供水人口, unit: 人}
  - {code: water_covered_count, label_zh: 农村集中供水覆盖人口, unit: 人, direction: higher}
  - {code: water_urban_count, label_zh: 城镇供水人口, unit: 人}
  - {code: water_rural_count, label_zh: 农村供水人口, unit: 人}
  - {code: water_funds_wan_yuan, label_zh: 供水工程资金, unit: 万元}
  - code: water_coverage_pct
    label_zh: 农村集中供水率
    unit: "%"
    direction: higher
    formula: {kind: share, part: water_covered_count, whole: water_population_count}
  - code: water_gap_count
    label_zh: 未覆盖人口
    unit: 人
    direction: lower
    formula: {kind: difference, minuend: water_population_count, subtrahend: water_covered_count}
  - code: water_per_thousand_count
    label_zh: 每千供水人口覆盖人数
    unit: 人
    formula: {kind: ratio, numerator: water_covered_count, denominator: water_population_count,
              scale: 1000}
  - code: water_funds_per_capita_yuan
    label_zh: 人均供水工程资金
    unit: 元/人
    formula: {kind: per_person, amount: water_funds_wan_yuan, persons: water_covered_count,
              scale: 10000}
  - code: water_parts_count
    label_zh: 城镇与农村供水人口合计
    unit: 人
    formula: {kind: sum, terms: [water_urban_count, water_rural_count]}
  - code: water_covered_completion_pct
    label_zh: 覆盖人口完成比例
    unit: "%"
    formula: {kind: ratio, numerator: water_covered_count, denominator: water_covered_count.target,
              scale: 100}
sum_checks:
  - {id: water_parts, label_zh: 供水人口 = 城镇 + 农村, total: water_population_count,
     parts: [water_urban_count, water_rural_count]}
topics:
  supply: {label_zh: 供水, indicators: [water_population_count, water_coverage_pct]}
headlines: [water_coverage_pct, water_gap_count]
"""


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def project(tmp_path, use_project) -> Path:
    """A project of its own (the current one for the test), with an empty domains/ folder."""
    root = tmp_path / "project"
    for sub in ("data", "params", "outputs", "domains"):
        (root / sub).mkdir(parents=True)
    use_project(root)
    return root


def _ev(root: Path, rows: list[dict], year: int = 2021) -> Evaluation:
    """A synthetic workbook (finance) whose 绩效指标 sheet is ``rows``."""
    content = synthetic_content(1, year) | {"targets": rows, "aid": []}
    path = pk.write_workbook(root / "data" / "x" / f"{year}.xlsx", content)
    data = pk.load_workbook(path)
    return Evaluation(data, settings_from_dict({"department": "x", "year": year}))


def _row(domain, code, actual, target=None, name=None, unit=None, direction=None, **more):
    return {"domain": domain, "code": code, "name": name or code or "自定指标", "unit": unit,
            "direction": direction, "target": target, "actual": actual, **more}


# ---------------------------------------------------------------------------------------------
# The shipped catalogs
# ---------------------------------------------------------------------------------------------


def test_shipped_catalogs_in_order_with_their_labels():
    cats = domains.catalogs()
    assert list(cats) == ["quality", "aid", "safety", "health"]
    assert list(domains.domain_labels()) == ["财务", "教育质量", "学生资助", "校园安全", "卫生健康", "其他"]
    assert [len(c.indicators) for c in cats.values()] == [46, 1, 19, 30]


def test_the_derived_target_of_big_class_comes_from_the_catalog():
    rule = registry().target_rules["big_class_eliminated_count"]
    assert (rule.target, rule.direction) == ("big_class_target_count", "≥")
    assert [c.id for c in registry().sum_checks("quality")] == ["teacher_directed_parts",
                                                                "teachers_sanctioned_parts"]
    assert list(registry().topics("safety")) == ["inspection", "drills"]
    assert registry().headlines("aid")[0] == "aid_total_wan_yuan"  # a Python indicator of the 学生资助 sheet


def test_codes_lists_every_indicator_with_label_and_unit():
    frame = codes("health")
    row = frame.set_index("code").loc["maternal_mortality_per_100k"]
    assert (row["label_zh"], row["unit"], row["domain_zh"], row["reported"]) == (
        "孕产妇死亡率", "/10万", "卫生健康", False)
    assert len(codes()) == len(registry().indicators)
    with pytest.raises(CatalogError, match="没有领域“nope”"):
        codes("nope")


# ---------------------------------------------------------------------------------------------
# Validation: every message names the file, the entry and the key
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("label_zh: x\nindicators:\n"
     "  - {code: a_count, label_zh: A, unit: 个, formula: {kind: ratioo}}\n",
     ["indicators 第1项（a_count） 的 formula", "公式类型“ratioo”不存在", "share / ratio"]),
    ("label_zh: x\nindicators:\n  - {code: a_count, label_zh: A, unit: 个, colour: red}\n",
     ["indicators 第1项（a_count） 的 colour", "不认识的键"]),
    ("label_zh: x\nindicators:\n  - {code: a_count, label_zh: A}\n",
     ["indicators 第1项（a_count） 的 unit", "缺少必填的键"]),
    ("label_zh: x\nindicators:\n  - {code: A-count, label_zh: A, unit: 个}\n",
     ["indicators 第1项（A-count） 的 code", "小写英文字母"]),
    ("label_zh: x\nindicators:\n  - {code: a_count, label_zh: A, unit: 个, direction: up}\n",
     ["indicators 第1项（a_count） 的 direction", "“up”不是方向", "higher"]),
    ("label_zh: x\nindicators:\n  - {code: a_count, label_zh: A, unit: 个}\n"
     "  - {code: a_count, label_zh: B, unit: 个}\n",
     ["indicators 第2项（a_count）", "与第1项重复"]),
    ("label_zh: x\nindicators:\n  - code: a_pct\n    label_zh: A\n    unit: 个\n"
     "    formula: {kind: share, part: b, whole: c}\n",
     ["indicators 第1项（a_pct） 的 unit", "单位应为 %"]),
    ("label_zh: x\nindicators:\n  - code: a_count\n    label_zh: A\n    unit: 个\n"
     "    formula: {kind: sum, terms: [b]}\n",
     ["indicators 第1项（a_count） 的 formula.terms", "至少需要 2 项"]),
    ("label_zh: x\nindicators: []\n", ["文件顶层 的 indicators", "至少需要 1 项"]),
    ("label_zh: x\nindicators: [\n", ["不是有效的 YAML"]),
    ("- a\n- b\n", ["应为“键: 值”映射"]),
    ("label_zh: x\nkey: other\nindicators:\n  - {code: a_count, label_zh: A, unit: 个}\n",
     ["“key”：不能写在文件中"]),
    ("label_zh: x\nindicators:\n  - {code: a_count, label_zh: A, unit: 个}\n"
     "  - {code: b_count, label_zh: B, unit: 个}\n"
     "topics:\n  t: {label_zh: T, indicators: [a_count], chart: [b_count]}\n",
     ["topics.t 的 chart 第1项：b_count 不在该分组的 indicators 中"]),
])
def test_a_bad_catalog_is_refused_naming_file_entry_and_key(tmp_path, text, expected):
    path = _write(tmp_path / "water.yaml", text)
    with pytest.raises(CatalogError) as err:
        domains.load_catalog(path)
    message = str(err.value)
    assert str(path) in message
    for part in expected:
        assert part in message, message


@pytest.mark.parametrize("name", ["Water.yaml", "finance.yaml", "other.yaml", "summary.yaml"])
def test_the_file_name_is_the_domain_key(tmp_path, name):
    path = _write(tmp_path / name,
                  "label_zh: x\nindicators:\n  - {code: a_count, label_zh: A, unit: 个}\n")
    with pytest.raises(CatalogError, match=r"文件名.*即领域代码"):
        domains.load_catalog(path)


@pytest.mark.parametrize(("text", "expected"), [
    # an operand no catalog declares
    ("  - code: w_pct\n    label_zh: W\n    unit: \"%\"\n"
     "    formula: {kind: share, part: w_count, whole: nowhere_count}\n",
     "indicators 第2项（w_pct） 的 formula.whole：指标代码 nowhere_count 不存在"),
    # a code already declared by another catalog
    ("  - {code: maternal_deaths_count, label_zh: 重复, unit: 人}\n",
     "indicators 第2项（maternal_deaths_count） 的 code：指标代码已在"),
    # a code declared in Python (finance)
    ("  - {code: revenue_execution_pct, label_zh: 重复, unit: \"%\"}\n",
     "perfkit 的 Python 指标（perfkit.indicators.finance）"),
    # .target of a computed indicator
    ("  - code: w_pct\n    label_zh: W\n    unit: \"%\"\n"
     "    formula: {kind: ratio, numerator: w_count, denominator: ehr_coverage_pct.target}\n",
     "ehr_coverage_pct 不是报告值"),
    # a circular formula
    ("  - code: w_a_count\n    label_zh: A\n    unit: 人\n"
     "    formula: {kind: sum, terms: [w_count, w_b_count]}\n"
     "  - code: w_b_count\n    label_zh: B\n    unit: 人\n"
     "    formula: {kind: difference, minuend: w_a_count, subtrahend: w_count}\n",
     "公式循环引用（w_a_count → w_b_count → w_a_count）"),
])
def test_references_are_checked_across_catalogs(project, text, expected):
    _write(project / "domains" / "water.yaml",
           "label_zh: 水利\nindicators:\n  - {code: w_count, label_zh: W, unit: 人}\n" + text)
    with pytest.raises(CatalogError) as err:
        registry()
    assert str(project / "domains" / "water.yaml") in str(err.value)
    assert expected in str(err.value), str(err.value)


def test_topics_headlines_checks_and_sheets_must_name_known_things(project):
    _write(project / "domains" / "water.yaml", """\
        label_zh: 水利
        sheets: [收入, 不存在的表]
        indicators:
          - {code: w_count, label_zh: W, unit: 人}
        targets:
          - {code: w_count, target: w_missing_count, direction: "≥"}
        sum_checks:
          - {id: w_parts, label_zh: x, total: w_count, parts: [w_count, w_other_count]}
        topics:
          main: {label_zh: 主要, indicators: [w_count, w_typo_count]}
        headlines: [w_count, w_head_count]
        """)
    with pytest.raises(CatalogError) as err:
        registry()
    message = str(err.value)
    for part in ("targets 第1项（w_count）的 target：指标代码 w_missing_count 不存在",
                 "sum_checks 第1项（w_parts）的 parts 第2项：指标代码 w_other_count 不存在",
                 "topics.main 的 indicators 第2项：指标代码 w_typo_count 不存在",
                 "headlines 第2项：指标代码 w_head_count 不存在",
                 "sheets 第1项：“收入”不是工作簿的可选工作表",
                 "sheets 第2项：“不存在的表”不是工作簿的可选工作表"):
        assert part in message, message


def test_a_domain_label_must_be_unique(project):
    _write(project / "domains" / "water.yaml",
           "label_zh: 卫生健康\nindicators:\n  - {code: w_count, label_zh: W, unit: 人}\n")
    with pytest.raises(CatalogError, match=r"label_zh“卫生健康”与 .*health\.yaml 重复"):
        domains.catalogs()


# ---------------------------------------------------------------------------------------------
# A project's own domain: formulas, checks, 领域 choice, nothing in the package touched
# ---------------------------------------------------------------------------------------------


def test_a_project_adds_a_domain_by_writing_a_catalog(project):
    _write(project / "domains" / "water.yaml", WATER)
    assert list(domains.domain_labels())[-2:] == ["水利", "其他"]
    ev = _ev(project, [
        _row("水利", "water_population_count", 1000),
        _row("水利", "water_covered_count", 850, target=800, direction="≥"),
        _row("水利", "water_urban_count", 600),
        _row("水利", "water_rural_count", 300),
        _row("水利", "water_funds_wan_yuan", 17),
    ])
    assert ev.domains == ["water"]
    v = ev.indicators["value"]
    assert v["water_coverage_pct"] == pytest.approx(85.0)
    assert v["water_gap_count"] == 150
    assert v["water_per_thousand_count"] == pytest.approx(850.0)
    assert v["water_funds_per_capita_yuan"] == pytest.approx(200.0)  # 17万元 / 850人
    assert v["water_parts_count"] == 900
    assert v["water_covered_completion_pct"] == pytest.approx(106.25)
    assert ev.indicators.at["water_coverage_pct", "definition_zh"] == (
        "农村集中供水覆盖人口 / 供水人口 × 100%")
    assert ev.indicators.at["water_per_thousand_count", "definition_zh"] == (
        "农村集中供水覆盖人口 / 供水人口 × 1000")
    assert ev.indicators.at["water_coverage_pct", "source_cells"] == "绩效指标!G3; 绩效指标!G2"
    check = run_domain_checks(ev.data, ev.settings, "water").set_index("check").loc["water_parts"]
    assert (check["verdict"], check["expected"], check["actual"]) == ("不一致", 900, 1000)
    # Only finance, the department's domains and its own rows: no other catalog's indicators.
    assert "quality" not in ev.domains and "teacher_training_person_times" not in ev.indicators.index
    assert set(ev.indicators["domain"]) == {"finance", "water"}


def test_a_project_catalog_replaces_the_shipped_one_of_the_same_key(project):
    _write(project / "domains" / "aid.yaml", """\
        label_zh: 学生资助
        indicators:
          - code: two_exemptions_beneficiaries_person_times
            label_zh: 受助学生（本地口径）
            unit: 人次
        """)
    REGISTRY = registry().indicators
    assert REGISTRY["two_exemptions_beneficiaries_person_times"].label_zh == "受助学生（本地口径）"
    assert "aid_total_wan_yuan" in REGISTRY  # the 学生资助 sheet's Python indicators stay


@pytest.mark.parametrize(("population", "covered", "note"), [
    (0, 10, "无法计算（基数为0）"),
    (None, 10, "数据缺失：绩效指标“供水人口”实际值（绩效指标!G2）未提供"),
])
def test_a_formula_over_a_zero_or_missing_base_has_no_value(project, population, covered, note):
    _write(project / "domains" / "water.yaml", WATER)
    ev = _ev(project, [_row("水利", "water_population_count", population),
                       _row("水利", "water_covered_count", covered)])
    row = ev.indicators.loc["water_coverage_pct"]
    assert math.isnan(row["value"]) and row["note"] == note


def test_target_operand_without_a_target_names_the_cell(project):
    _write(project / "domains" / "water.yaml", WATER)
    ev = _ev(project, [_row("水利", "water_covered_count", 850)])
    assert ev.indicators.at["water_covered_completion_pct", "note"] == (
        "数据缺失：绩效指标“农村集中供水覆盖人口”目标值（绩效指标!F2）未提供")


# ---------------------------------------------------------------------------------------------
# ev.indicators: one id, and the department's own rows of every 领域
# ---------------------------------------------------------------------------------------------


def test_indicators_have_one_id_the_index(sample_ev):
    frame = sample_ev.indicators
    assert frame.index.name == "id" and "id" not in frame.columns
    assert frame.index.is_unique


def test_own_rows_are_indicators_with_a_stable_id_and_their_domain(project):
    rows = [
        _row("其他", None, 702, target=500, name="卫生监督执法检查", unit="户次", direction="≥"),
        _row("其他", "county_special_pct", 93, target=90, name="自定代码指标", unit="%",
             direction="≥"),
        _row("卫生健康", None, None, target=95, name="标准化建设达标率", unit="%", direction="≥"),
        _row("其他", None, 80, name="下年目标", unit="%", direction="≥", target_year=2022),
    ]
    ev = _ev(project, rows)
    own = ev.indicators[ev.indicators.index.str.startswith(("own_", "county_"))]
    assert list(own["label_zh"]) == ["卫生监督执法检查", "自定代码指标", "标准化建设达标率"]
    assert list(own["domain"]) == ["other", "other", "health"]
    assert list(own["value"].fillna(-1)) == [702, 93, -1]
    assert own.iloc[2]["note"] == "数据缺失：绩效指标“标准化建设达标率”实际值（绩效指标!G4）未提供"
    # Same name → same id in another year's workbook, wherever the row is.
    again = _ev(project, [rows[1], rows[0]], year=2022)
    assert own.index[0] in again.indicators.index
    # tables/indicators.csv keeps them, with their target and attainment.
    from perfkit.run.tidy import indicator_table

    table = indicator_table(ev).set_index("id")
    assert table.at[own.index[0], "status"] == "超额"
    assert table.at["county_special_pct", "target"] == 90
    assert "teacher_training_person_times" not in table.index  # quality is not covered


# ---------------------------------------------------------------------------------------------
# The department-year's domains (run settings ``domains``) and the 数值修饰 of each figure
# ---------------------------------------------------------------------------------------------


def test_the_settings_domains_decide_what_the_documents_cover(sample_ev):
    """The sample with domains [quality]: aid and safety rows, checks, gaps and dictionary
    entries leave every document; ev.domains is the setting."""
    from dataclasses import replace

    from perfkit.assess import targets
    from perfkit.assess.evaluation import Evaluation
    from perfkit.assess.problems import find_problems
    from perfkit.report import review, tables
    from perfkit.run import tidy

    ev = Evaluation(sample_ev.data, replace(sample_ev.settings, domains=("quality",)))
    assert ev.domains == ["quality"] and sample_ev.domains == ["quality", "aid", "safety"]
    assert set(targets.metrics(ev)["domain"]) == {"quality"}
    assert set(targets.metrics(sample_ev)["domain"]) == {"quality", "aid", "safety"}
    assert set(tidy.indicator_table(ev)["domain"]) == {"finance", "quality"}
    assert set(tables.data_dictionary(ev).frame["领域"]) == {"财务", "教育质量"}
    assert set(review.gaps(ev)["area"]) <= {"财务", "教育质量", "其他", "报告文字", "评分表"}
    problems = " ".join(find_problems(ev)["item_zh"])
    assert "中小学封闭化管理比例" not in problems and "营养改善" not in problems
    assert "九年义务教育巩固率" in problems


def test_reported_figures_carry_their_qualifier(sample_ev):
    ind = sample_ev.indicators
    assert ind.at["drill_schools_count", "qualifier"] == "余"
    assert ind.at["disabled_children_enrollment_pct", "qualifier"] == "以上"
    assert ind.at["drill_participants_per_school", "qualifier"] == ""  # computed
    assert ind.at["revenue_execution_pct", "qualifier"] == ""
    own = ind[ind.index.str.startswith("own_") & (ind["qualifier"] != "")]
    assert list(own["qualifier"]) == ["多"]  # the sample's one own row stated with 多
    from perfkit.report import narrative

    text = str(narrative.topic_summary(sample_ev, "safety", "drills"))
    assert "开展应急演练的学校1000余所" in text
    assert "适龄三类残疾儿童少年入学率93.96%以上" in narrative.topic_summary(
        sample_ev, "quality", "special_ed")


def test_rows_of_a_domain_the_settings_leave_out_are_named(sample_ev):
    outside_domains = sample_ev.registry.outside_domains

    assert outside_domains(sample_ev.data, ["quality", "aid", "safety"]) == []
    notes = outside_domains(sample_ev.data, ["quality"])
    assert len(notes) == 2  # aid (one 绩效指标 row and the 学生资助 sheet) and safety
    assert "绩效指标!A57" in notes[0] and "“学生资助”表10行" in notes[0]
    assert "在 domains 中加上 aid" in notes[0] and "校园安全" in notes[1]


def test_a_project_catalog_gets_its_domain_report_without_python(project):
    """水利, declared only in the project's domains/water.yaml: the domain report's title,
    introduction and sections come from it (a topic of two 人 figures gets its chart)."""
    from perfkit.report import domainreport
    from perfkit.report.blocks import Chart, Heading, Paragraph

    _write(project / "domains" / "water.yaml", WATER.replace(
        "supply: {label_zh: 供水, indicators: [water_population_count, water_coverage_pct]}",
        "supply: {label_zh: 供水, indicators: [water_population_count, water_covered_count, "
        "water_coverage_pct]}"))
    ev = _ev(project, [_row("水利", "water_population_count", 1000),
                       _row("水利", "water_covered_count", 850, target=800, direction="≥",
                            qualifier="余")])
    assert ev.domains == ["water"]
    assert domainreport.title(ev, "water").text.endswith("2021年度水利绩效自评")
    parts = domainreport.sections(ev, "water")
    assert parts[0] == Heading(3, "（一）供水")
    assert isinstance(parts[1], Paragraph)
    assert parts[1].plain_text().startswith("2021年，供水人口1000人；")
    assert "农村集中供水覆盖人口850余人（目标≥800人，超额）；农村集中供水率85.00%" in parts[1].plain_text()
    assert [type(p).__name__ for p in parts[2:]] == ["Table", "Chart"]
    assert isinstance(parts[3], Chart)


def test_a_bad_catalog_names_the_line_of_each_problem(tmp_path):
    path = _write(tmp_path / "water.yaml", """\
        label_zh: 水利
        indicators:
          - {code: w_count, label_zh: W, unit: 人}
          - code: w_pct
            label_zh: W
            unit: "%"
            formula: {kind: share, part: w_count, wholee: w_count}
          - code: w_rate
            label_zh: R
            unit: 个
            direction: 越多越好
        """)
    with pytest.raises(CatalogError) as err:
        domains.load_catalog(path)
    message = str(err.value)
    assert "第 7 行 indicators 第2项（w_pct） 的 formula.wholee：不认识的键" in message, message
    assert "第 11 行 indicators 第3项（w_rate） 的 direction" in message, message
