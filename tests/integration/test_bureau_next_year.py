"""The county health bureau's next year, as its staff make it (issue #21 items 2, 3, 5; issue #28
item 4): 2022 filled and run, ``template --from 2022`` writes 2023, the staff fill the 2023
actuals, ``run`` writes the 2023 documents; and a notebook ``perfkit init`` copied is executed
with its default parameters, as "Run all" in JupyterLab does."""

from __future__ import annotations

import math
import os
import re
import zipfile

import facts
import nbformat
import openpyxl
import pytest
from bureaus import COMPUTED_EXPECTED, COMPUTED_TARGETS, DEPT, OWN, make_county_health, perfkit
from nbclient import NotebookClient

import perfkit as pk

pytestmark = pytest.mark.slow

#: The text of a department's own indicator, typed in Excel as '=群众满意度 (so stored as text).
FORMULA_TEXT = "=群众满意度"
#: 2023 actuals the staff type into their own rows (each differs from 2022's).
OWN_2023 = {name: actual + 1 for name, _, _, _, actual, _ in OWN if actual is not None}
#: What ``template --from`` writes about rows; never printed in a document.
GUIDANCE = ("目标值沿用2022年度", "按2023年度计划核改", "上年值为2022年度", "未核改", "删去本句")


def _rows(ws) -> dict[str, int]:
    return {ws.cell(r, 3).value: r for r in range(2, ws.max_row + 1)}


@pytest.fixture(scope="module")
def bureau(tmp_path_factory):
    project = make_county_health(tmp_path_factory.mktemp("next-year"))
    book = project / "data" / DEPT / "2022.xlsx"
    wb = openpyxl.load_workbook(book)
    cell = wb["绩效指标"].cell(_rows(wb["绩效指标"])["群众满意度"], 3)
    cell.value, cell.data_type = FORMULA_TEXT, "s"
    wb.save(book)
    perfkit(["check", str(book)], project)
    perfkit(["run", "--year", "2022"], project)
    perfkit(["template", "--year", "2023", "--dept", DEPT, "--from", "2022"], project)
    new = project / "data" / DEPT / "2023.xlsx"
    as_written = openpyxl.load_workbook(new)
    # The staff type the 2023 actuals of their own rows and review those targets.
    wb = openpyxl.load_workbook(new)
    ws = wb["绩效指标"]
    rows = _rows(ws)
    for name, *_ in OWN:
        r = rows[FORMULA_TEXT if name == "群众满意度" else name]
        ws.cell(r, 7).value = OWN_2023.get(name)  # one is still not measured
        ws.cell(r, 13).value = None  # reviewed: the 填写说明 is deleted
    wb.save(new)
    checked = perfkit(["check", str(new)], project)
    perfkit(["run", "--year", "2023"], project)
    return project, as_written, checked.stdout


def _document_texts(folder) -> dict[str, str]:
    """Every document's text: HTML without tags, Word's document.xml, the tidy tables."""
    out = {}
    for path in sorted(folder.glob("*.html")):
        out[path.name] = re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8"))
    for path in sorted(folder.glob("*.docx")):
        with zipfile.ZipFile(path) as z:
            out[path.name] = re.sub(r"<[^>]+>", "", z.read("word/document.xml").decode("utf-8"))
    for path in sorted((folder / "tables").glob("*.csv")):
        out[path.name] = path.read_text(encoding="utf-8-sig")
    return out


def test_every_row_gets_its_own_prior_and_text_stays_text(bureau):
    """2023 上年值: each own row its own 2022 实际值 (was 94.1, the last one's, in all six); each
    computed indicator's row its 2022 computed value (was empty); no formula anywhere (was
    =群众满意度 as a live formula)."""
    _, wb, _ = bureau
    ws = wb["绩效指标"]
    rows = _rows(ws)
    for name, _, _, _, actual, _ in OWN:
        r = rows[FORMULA_TEXT if name == "群众满意度" else name]
        assert ws.cell(r, 8).value == actual, name
    by_code = {ws.cell(r, 2).value: r for r in range(2, ws.max_row + 1)}
    for code, (value, _) in COMPUTED_EXPECTED.items():
        assert ws.cell(by_code[code], 8).value == pytest.approx(value, abs=0.005), code
    text = ws.cell(rows[FORMULA_TEXT], 3)
    assert text.data_type == "s" and text.quotePrefix
    assert not [c.coordinate for s in wb.worksheets for row in s.iter_rows() for c in row
                if c.data_type == "f"]
    # The department's 备注 (L) holds nothing of perfkit's; 填写说明 (M) holds it.
    assert {ws.cell(r, 12).value for r in range(2, ws.max_row + 1)} == {None}
    assert ws.cell(1, 13).value == "填写说明"


def test_a_health_bureaus_next_workbook_has_no_education(bureau):
    _, wb, _ = bureau
    assert "学生资助" not in wb.sheetnames
    readme = " ".join(str(c.value) for row in wb["填表说明"].iter_rows() for c in row if c.value)
    assert "学生资助" not in readme


def test_check_lists_only_the_targets_still_unreviewed(bureau):
    """The own rows' targets were reviewed (填写说明 deleted); the six on computed rates not."""
    _, _, stdout = bureau
    notes = re.findall(r"提醒 \d+\. 绩效指标!F\d+ “(.+?)”目标值未核改", stdout.replace("\n", ""))
    assert sorted(notes) == sorted(name for name, *_ in COMPUTED_TARGETS.values())


def test_no_guidance_in_any_2023_document(bureau):
    project, _, _ = bureau
    texts = _document_texts(project / "outputs" / DEPT / "2023")
    assert {"report.html", "review.html", "health.html", "finance.html", "report.docx"} <= set(texts)
    for name, text in texts.items():
        for words in GUIDANCE:
            assert words not in text, (name, words)
        assert "学生资助" not in text and "教育质量" not in text, name


def test_2023_compares_each_row_with_its_own_2022_value(bureau):
    """The 2023 department-year's 上年值 and 较上年 (the 上年值 column of the health report's
    target table, 31.10/10万 for 孕产妇死亡率): each row against its own 2022 value. Was: every
    own row against 94.1 ("上年 92.30人，-89.49人（-96.96%）" in issue #21's bureau)."""
    from perfkit.assess import targets
    from perfkit.assess.evaluation import Evaluation
    from perfkit.data.params import settings_from_dict

    project, _, _ = bureau
    data = pk.load_workbook(project / "data" / DEPT / "2023.xlsx", expected_year=2023)
    ev = Evaluation(data, settings_from_dict({"department": DEPT, "year": 2023,
                                              "domains": ["health"]}))
    m = targets.metrics(ev).set_index("label_zh")
    for name, _, _, _, actual, _ in OWN:
        row = m.loc[FORMULA_TEXT if name == "群众满意度" else name]
        if actual is None:  # not measured in 2022: no 上年值, no change
            assert math.isnan(row["prior"]) and math.isnan(row["change"]), name
            continue
        assert (row["prior"], row["change"]) == (pytest.approx(actual), pytest.approx(1)), name
    assert m.loc["孕产妇死亡率", "prior"] == pytest.approx(31.10, abs=0.005)
    health = _document_texts(project / "outputs" / DEPT / "2023")["health.html"]
    assert "31.10/10万" in health


def test_a_notebook_init_copied_runs_with_its_default_parameters(bureau):
    """As "Run all" in JupyterLab: the project's own department (county-health), its latest
    year (2023) and its domain (health). Was: yiyang-edu 2019 quality, a missing workbook."""
    project, _, _ = bureau
    nb = nbformat.read(project / "notebooks" / "domain.ipynb", as_version=4)
    env = {k: v for k, v in os.environ.items() if k not in ("PERFKIT_ROOT", "PERFKIT_OUTPUTS")}
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(project / "notebooks")}}).execute(env=env)
    shown = "".join(str(o.get("data", {}).get("text/plain", "")) + str(o.get("text", ""))
                    for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "2023年度" in shown and "卫生健康" in shown
    assert not [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
                if o.get("output_type") == "error"]


def test_every_shared_fact_has_one_value_in_2023(bureau):
    """The facts the 2023 documents share (scores, grades, target counts, audit counts,
    verdicts of one figure) read back with one value each (tests/facts.py)."""
    project, _, _ = bureau
    found = facts.collect(facts.documents(project / "outputs" / DEPT / "2023"))
    for fact in ("review_score", "targets_set", "targets_set 卫生健康"):  # 2023 has no claim yet
        assert fact in found, (fact, sorted(found))
    assert facts.disagreements(found) == {}
