"""Figures read from a report's text: the seed report, a corpus of passages with known errors,
and the catalog a bureau extends."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml

from perfkit import config
from perfkit.assess import audit
from perfkit import verdicts as v
from perfkit.assess import figures as au
from perfkit.assess import reportcatalog
from perfkit.assess import reporttext as rt
from perfkit.assess import textaudit as ta
from perfkit.assess.reportfile import read_report
from perfkit.data.params import settings_from_dict
from perfkit.errors import CatalogError

SEED_TEXT = config.DATA_DIR / "yiyang-edu" / "2019-report.txt"
CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "report_passages.yaml"
SETTINGS = settings_from_dict({"department": "audit", "year": 2019})


@pytest.fixture(scope="module")
def catalog():
    return rt.load_catalog()


@pytest.fixture(scope="module")
def seed(catalog):
    extraction = rt.extract(read_report(SEED_TEXT).paragraphs, catalog)
    return extraction, ta.audit_text(extraction, SETTINGS)


def paragraphs(*texts: str) -> list[tuple[str, str]]:
    return [(t, f"第{i}段") for i, t in enumerate(texts, 1)]


def rows(frame, stated: str, category: str | None = None):
    hits = frame[frame["stated"] == stated]
    return hits if category is None else hits[hits["category"] == category]


def one(frame, stated: str, category: str) -> dict:
    hits = rows(frame, stated, category)
    assert len(hits) == 1, frame[["category", "stated", "verdict"]].to_string()
    return hits.iloc[0].to_dict()


# --- the seed report --------------------------------------------------------------------------


def test_seed_figures_and_relations(seed):
    extraction, _ = seed
    kinds = extraction.counts()
    assert (kinds["amount"], kinds["percent"]) == (35, 21)
    by_text = {(r.kind, r.result.text): r for r in extraction.relations}
    r = by_text[("ratio", "133.49%")]
    assert (r.operands["part"].text, r.operands["base"].text) == ("24192.45万元", "18122.94万元")
    r = by_text[("ratio", "109.03%")]
    assert (r.operands["part"].text, r.operands["base"].text) == ("3470.41万元", "3183.1万元")
    r = by_text[("change", "增加16.69万元")]
    assert (r.operands["now"].text, r.operands["base"].text) == ("88.53万元", "71.84万元")
    r = by_text[("sum", "24788.37万元")]
    assert [p.text for p in r.parts] == ["13738.19万元", "5192.76万元"]
    r = by_text[("sum", "4.04亿元")]
    assert [p.text for p in r.parts] == ["3.1亿元", "4761万元", "4586万元"]
    assert "base" not in by_text[("ratio", "72.56%")].operands  # 年初预算 not printed


def test_seed_figures_keep_sentence_and_location(seed):
    extraction, _ = seed
    fig = next(f for f in extraction.figures if f.text == "-595.92万元")
    assert fig.location == "第10段"
    assert fig.sentence == "2019年度结转结余-595.92万元，累计结转结余2838.22万元。"


def test_seed_judged_as_the_workbook_audit_judges_it(seed, sample_ev):
    """Every finance figure stated with its operands gets the workbook audit's verdict."""
    _, frame = seed
    workbook = audit.audit(sample_ev).set_index("ref")
    text_row = {
        "S1": ("133.49%", ta.SENTENCE), "S2": ("109.03%", ta.SENTENCE),
        "S3": ("136.78 %", ta.SENTENCE), "S5": ("72.56%", ta.DOCUMENT),
        "S6": ("增加16.69万元", ta.SENTENCE), "S7": ("4.04亿元", ta.SENTENCE),
        "S9": ("857名", ta.SENTENCE),
    }
    for ref, (stated, category) in text_row.items():
        row = one(frame, stated, category)
        assert row["verdict"] == workbook.at[ref, "verdict"], (ref, row["explanation"])
        if not math.isnan(workbook.at[ref, "recomputed"]):
            assert math.isclose(row["recomputed"], workbook.at[ref, "recomputed"])
    # -595.92 against 收入 − 支出 printed in two other sentences (S4 and carryover_current).
    carry = frame.set_index("ref").loc["carryover_current"]
    assert (carry["stated"], carry["verdict"]) == ("-595.92万元", workbook.at["S4", "verdict"])
    assert "24192.45" in carry["explanation"] and "24788.37" in carry["explanation"]
    assert "预算数（报告中未列出）" in one(frame, "72.56%", ta.DOCUMENT)["explanation"]


def test_seed_spending_gap_found_from_text_alone(seed, sample_ev):
    _, frame = seed
    row = one(frame, "24788.37万元", ta.SENTENCE)
    workbook = audit.audit(sample_ev).set_index("ref").loc["expenditure_parts"]
    assert row["verdict"] == workbook["verdict"] == v.UNEXPLAINED
    assert math.isclose(row["difference"], 5857.42) and math.isclose(workbook["difference"],
                                                                      5857.42)
    assert "上缴上级支出、经营支出、对附属单位补助支出未列出" in row["explanation"]


def test_seed_three_public_parts_across_paragraphs(seed):
    _, frame = seed
    by_ref = frame.set_index("ref")
    assert by_ref.at["three_public_parts", "verdict"] == v.CONSISTENT  # 36.71 + 11 + 40.82
    assert by_ref.at["three_public_prior_parts", "verdict"] == v.CONSISTENT  # 23.95+10.81+37.08
    assert not (frame["verdict"] == v.INCONSISTENT).any()


def test_seed_mapping_agrees_with_the_transcription(catalog, sample_ev):
    """Each figure mapped to a cell reads back the value transcribe_2019.py put there."""
    extraction = rt.extract(read_report(SEED_TEXT).paragraphs, catalog)
    frame = ta.audit_text(extraction, sample_ev.settings, sample_ev)
    against = frame[frame["category"] == ta.WORKBOOK]
    cells = against[against["check"].str.startswith("cell(")]
    assert len(cells) == 19  # every finance amount transcribe_2019.py holds
    assert (cells["verdict"] == v.CONSISTENT).all(), cells[["stated", "check", "explanation"]]
    by_check = dict(zip(against["check"], against["stated"], strict=False))
    assert by_check["cell(三公经费:公务用车运行维护费:上年决算数)"] == "37.08万元"
    assert by_check["cell(收入:本年收入合计:年初预算数)"] == "18122.94万元"
    assert by_check["sum(学生资助:两免一补)"] == "4.04亿元"
    assert by_check["claimed_score"] == "96.8分"


# --- the corpus of passages with known errors ---------------------------------------------------


CASES = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_corpus_passage(case, catalog):
    extraction = rt.extract(paragraphs(*case["text"]), catalog)
    frame = ta.audit_text(extraction, SETTINGS)
    row = one(frame, case["stated"], case["category"])
    assert row["verdict"] == case["verdict"], row["explanation"]
    for words in case["explain"]:
        assert words in row["explanation"], row["explanation"]


def test_corpus_covers_every_error_kind():
    errors = " ".join(c["error"] for c in CASES)
    for kind in ("颠倒", "一位数字错误", "截尾", "基数为0", "100%", "合计与分项不符", "元与万元混用"):
        assert kind in errors


# --- the extractor's API --------------------------------------------------------------------


def test_extract_takes_text_and_location_pairs(catalog):
    extraction = rt.extract([("“三公”经费支出合计24.78万元，其中因公出国11万元、公务用车2.85万元、"
                              "公务接待10.93万元。", "报告文字!B4")], catalog)
    assert {f.location for f in extraction.figures} == {"报告文字!B4"}
    (rel,) = extraction.relations
    assert rel.kind == "sum" and rel.sentence.startswith("“三公”经费支出合计")


def test_full_width_digits_and_percent_are_read(catalog):
    frame = ta.audit_text(rt.extract(paragraphs(
        "部门决算收入８６０７.５０万元，为年初预算１２５００.００万元的６８.８６％。"), catalog), SETTINGS)
    assert frame.iloc[0]["verdict"] == v.CONSISTENT


def test_amounts_are_compared_in_wan_yuan(catalog):
    extraction = rt.extract(paragraphs("部门决算收入3.47亿元，为年初预算30000万元的115.67%。"), catalog)
    row = ta.audit_text(extraction, SETTINGS).iloc[0]
    assert row["verdict"] == v.CONSISTENT and math.isclose(row["recomputed"], 115.666666, rel_tol=1e-6)


def test_budget_basis_of_the_settings_is_respected(catalog):
    """A ratio the report computes on 年初预算 is not checked against 调整预算 data."""
    adjusted = settings_from_dict({"department": "audit", "year": 2019, "budget_basis": "adjusted"})
    frame = ta.audit_text(rt.extract(paragraphs("部门决算收入8607.50万元，为年初预算的68.86%。"),
                                     catalog), adjusted)
    assert "口径不同" in one(frame, "68.86%", ta.DOCUMENT)["explanation"]


def test_unmapped_statement_without_operands_is_not_listed(catalog):
    frame = ta.audit_text(rt.extract(paragraphs("师范类教师仅占50%。"), catalog), SETTINGS)
    assert frame.empty


def test_text_workbook_quotes_printed_figures(catalog):
    extraction = rt.extract(paragraphs("2019年共发放“两免一补”资金4.04亿元。", "决算收入3.1亿元。"), catalog)
    rt.map_figures(extraction)
    data, _, _ = ta.text_workbook(extraction, 2019)
    assert data.value("income", "total", "actual") == 31000
    assert data.cell("income", "total", "actual") == "第2段“3.1亿元”"
    assert data.cell("income", "total", "budget_initial") == ta.NOT_STATED
    from perfkit.data.printed import input_precision

    assert input_precision(data, "income", "total", "actual") == (500.0, "3.1亿元")


# --- the catalog -------------------------------------------------------------------------------


BUREAU = """
patterns:
  - id: rate_with_operands
    kind: ratio
    text: 执行率X%（决算数A/预算数B）
    regex: '执行率为?{percent:result}[（(]决算数?{amount:part}[/／]预算数?{amount:base}[）)]'
    example: 项目支出执行率为96.00%（决算数480万元/预算数500万元）。
"""


def test_a_bureau_adds_a_phrasing_by_file(tmp_path, catalog):
    passage = paragraphs("项目支出执行率为97.00%（决算数480万元/预算数500万元）。")
    assert ta.audit_text(rt.extract(passage, catalog), SETTINGS)["verdict"].tolist() in (
        [], [v.UNVERIFIABLE])  # the shipped catalog reads no operands here
    extra = tmp_path / "bureau.yaml"
    extra.write_text(BUREAU, encoding="utf-8")
    frame = ta.audit_text(rt.extract(passage, rt.load_catalog([extra])), SETTINGS)
    row = one(frame, "97.00%", ta.SENTENCE)
    assert row["verdict"] == v.INCONSISTENT and "96.00%" in row["explanation"]


def test_a_placed_catalog_is_read(tmp_path, use_project):
    (tmp_path / "params" / "report_catalog").mkdir(parents=True)
    (tmp_path / "params" / "report_catalog" / "local.yaml").write_text(BUREAU, encoding="utf-8")
    use_project(tmp_path)  # the project's params/report_catalog/ holds local.yaml
    assert "rate_with_operands" in [p.id for p in rt.load_catalog().patterns]


def test_a_pattern_with_the_same_id_replaces_the_shipped_one(tmp_path):
    extra = tmp_path / "x.yaml"
    extra.write_text(BUREAU.replace("rate_with_operands", "rate_named"), encoding="utf-8")
    patterns = [p for p in rt.load_catalog([extra]).patterns if p.id == "rate_named"]
    assert len(patterns) == 1 and patterns[0].file == str(extra)


BAD_CATALOGS = {
    "unknown_key": ("patterns:\n  - {id: p1, kind: sum, regex: '{figure:total}其中(?P<parts>.*)', "
                    "example: x, colour: red}\n", ["p1", "colour"]),
    "missing_group": ("patterns:\n  - {id: p2, kind: ratio, regex: '为{amount:base}', "
                      "example: x}\n", ["p2", "regex", "result"]),
    "bad_placeholder": ("patterns:\n  - {id: p3, kind: ratio, regex: '{money:x}{percent:result}', "
                        "example: x}\n", ["p3", "regex", "{money:x}"]),
    "example_not_read": ("patterns:\n  - {id: p4, kind: ratio, regex: '占比{percent:result}', "
                         "example: 基本支出占73.58%}\n", ["p4", "example"]),
    "bad_check": ("phrases:\n  - {subject: [预算收入], value: cell(收入:工资:决算数)}\n",
                  ["预算收入", "value", "工资"]),
    "unknown_qualifier": ("phrases:\n  - {subject: [某收入], qualified: {明年: revenue_execution_pct}}\n",
                          ["某收入", "qualified.明年"]),
    "not_yaml": ("patterns: [unclosed\n", ["不是有效的 YAML"]),
    "unknown_section": ("pattern: []\n", ["未知的节", "pattern"]),
}


@pytest.mark.parametrize("name", BAD_CATALOGS)
def test_bad_catalog_is_refused_naming_file_entry_and_key(name, tmp_path):
    text, words = BAD_CATALOGS[name]
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        rt.load_catalog([path])
    message = str(info.value)
    assert str(path) in message
    for w in words:
        assert w in message, message


def test_missing_catalog_file(tmp_path):
    with pytest.raises(CatalogError, match="找不到报告核对目录文件"):
        rt.load_catalog([tmp_path / "nope.yaml"])


def test_a_change_after_a_ratio_is_of_the_subject_not_of_the_budget(catalog):
    """perfkit's own 三公 sentence (a health bureau's 自评报告, issue #21): the figure just before
    “较” is the budget B of “为预算B的X%”; the change is of the spending A. Before the fix, 本句核对
    took 35.00 − 31.27 = 3.73 against “减少3.42万元” and called a correct report 不一致."""
    text = "2022年度“三公”经费支出共计27.85万元，为预算35.00万元的79.57%，较2021年度“三公”经费31.27万元减少3.42万元。"
    frame = ta.audit_text(rt.extract(paragraphs(text), catalog), SETTINGS)
    row = one(frame, "减少3.42万元", ta.SENTENCE)
    assert row["verdict"] == v.CONSISTENT and row["recomputed"] == pytest.approx(-3.42)
    assert v.INCONSISTENT not in set(frame["verdict"])


# --- structure beyond the patterns (issue #25) ------------------------------------------------


def audit_of(*texts: str, catalog=None):
    return ta.audit_text(rt.extract(paragraphs(*texts), catalog), SETTINGS)


def test_levels_of_indicators_are_no_parts(catalog):
    """The 15 indicators are the third-level ones: 3 + 5 + 15 ≠ 15 is no error."""
    frame = audit_of("本项目共设置绩效指标15个，其中一级指标3个、二级指标5个、三级指标15个。",
                     catalog=catalog)
    assert frame.empty or v.INCONSISTENT not in set(frame["verdict"])


def test_a_product_with_a_dropped_unit_is_flagged(catalog):
    frame = audit_of("春节慰问困难党员150人，标准200元/人，共发放慰问金3元。", catalog=catalog)
    row = one(frame, "3元", ta.SENTENCE)
    assert row["verdict"] == v.INCONSISTENT and "元与万元混用" in row["explanation"]
    assert one(audit_of("共慰问120户，标准500元/户，合计6万元。", catalog=catalog), "6万元",
               ta.SENTENCE)["verdict"] == v.CONSISTENT
    # Paid to fewer than all, or by the month: no certain product.
    row = one(audit_of("共慰问120户，标准500元/户，合计5.5万元。", catalog=catalog), "5.5万元",
              ta.SENTENCE)
    assert row["verdict"] == v.UNVERIFIABLE and "人工核对" in row["explanation"]
    assert audit_of("发放高龄津贴1200人，标准100元/人·月，共计144万元。", catalog=catalog).empty


def test_a_rate_against_the_adjusted_budget(catalog):
    row = one(audit_of("2022年项目支出决算456.3万元，为调整预算480万元的95.06%。", catalog=catalog),
              "95.06%", ta.SENTENCE)
    assert row["verdict"] == v.CONSISTENT and "480万元" in row["check"]


def test_a_stated_difference_and_a_dropped_prior_unit(catalog):
    frame = audit_of("“三公”经费支出2.05万元,较上年2.08减少0.03万元,减少了1.44%。",
                     "公务接待费支出2.05万元,年初预算为2.95万元,差值为0.8万元。", catalog=catalog)
    row = one(frame, "减少0.03万元", ta.SENTENCE)
    assert row["verdict"] == v.CONSISTENT and "“2.08”未印单位" in row["explanation"]
    assert one(frame, "0.8万元", ta.SENTENCE)["verdict"] == v.INCONSISTENT  # 2.95 − 2.05 = 0.90


def test_tolerance_is_the_printed_precision(catalog):
    """3.12 against 1.00 + 2.21 = 3.21 is a digit swap, not a difference within 0.50万元."""
    row = one(audit_of("专项资金合计3.12万元，其中培训费1.00万元、印刷费2.21万元。", catalog=catalog),
              "3.12万元", ta.SENTENCE)
    assert row["verdict"] == v.INCONSISTENT and "颠倒" in row["explanation"]


def test_an_operand_from_another_sentence_never_gives_inconsistent(catalog):
    frame = audit_of("2020年一般公共预算财政拨款支出1264.92万元。与2019年相比，一般公共预算财政拨款"
                     "增加27.44万元，增长5.00%。", catalog=catalog)
    row = one(frame, "增长5.00%", ta.SENTENCE)
    assert row["verdict"] == v.UNVERIFIABLE and "取自" in row["explanation"]
    frame = audit_of("2020年一般公共预算财政拨款支出1264.92万元。与2019年相比，一般公共预算财政拨款"
                     "增加27.44万元，增长2.22%。", catalog=catalog)
    assert one(frame, "增长2.22%", ta.SENTENCE)["verdict"] == v.CONSISTENT


def test_a_domain_rate_is_checked_from_its_counts(catalog):
    frame = audit_of("2022年全县活产数3215人，孕产妇死亡1例，孕产妇死亡率为31.10/10万；婴儿死亡12例，"
                     "婴儿死亡率3.37‰。",
                     "孕产妇死亡率为9.80/10万，较上年9.87/10万下降了0.71%。", catalog=catalog)
    assert one(frame, "31.10/10万", ta.SENTENCE)["verdict"] == v.CONSISTENT
    row = one(frame, "3.37‰", ta.SENTENCE)  # 12 / 3215 × 1000 = 3.73‰: digits swapped
    assert row["verdict"] == v.INCONSISTENT and "3.73‰" in row["explanation"]
    assert one(frame, "下降0.71%", ta.SENTENCE)["verdict"] == v.CONSISTENT


def test_hard_wrapped_text_is_read_as_printed():
    from perfkit.assess.reportfile import text_paragraphs

    real = yaml.safe_load((CORPUS.parent / "real" / "passages.yaml").read_text(encoding="utf-8"))
    text = next(p["text"] for p in real if p["id"] == "wuzhou-culture-2025-budget")
    paras = [t for t, _ in text_paragraphs(text)]
    assert paras[1] == ("(二)社会保障和就业支出类科目 116433.12 元,占支出总预算 10.73 %,"
                        "同比增加 16803.36 元,增长 14.43%。")
    assert paras[4] == "四、财政拨款收支预算总体情况说明" and len(paras) == 7
    assert [t for t, _ in text_paragraphs("第一行\n第二行\n")] == ["第一行", "第二行"]


def test_respectively_lists_are_paired_in_order(catalog):
    frame = audit_of("2022年度收、支总计各是4125.49,4143.91万元。与2021年相比,收、支总计各减少1267.86,"
                     "2570.97万元,各下降23.51%、38.28%。", catalog=catalog)
    assert one(frame, "下降23.51%", ta.SENTENCE)["verdict"] == v.CONSISTENT
    assert one(frame, "下降38.28%", ta.SENTENCE)["verdict"] == v.ROUNDING  # 38.2877 truncated
    wrong = audit_of("2022年度收、支总计各是4125.49,4143.91万元。与2021年相比,收、支总计各减少1267.86,"
                     "2570.97万元,各下降38.28%、23.51%。", catalog=catalog)
    assert v.INCONSISTENT not in set(wrong["verdict"])  # levels from another sentence only confirm
