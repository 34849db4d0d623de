"""Right on departments that are not the sample (issue #21): a county health bureau (2022, and
2023 made with ``template --from``) and a city civil-affairs bureau whose field is a domain
catalog of the project's own, each filled as its staff would (tests/bureaus.py), run end to end
with the CLI; and the facts the documents share, read back from every rendered document of the
sample and of both bureaus, each with one value everywhere (tests/facts.py)."""

from __future__ import annotations

import re

import facts
import pytest
from bureaus import (
    CIVIL_DEPT,
    CIVIL_EXPECTED,
    COMPUTED_EXPECTED,
    DEPT,
    make_city_civil,
    make_county_health,
    perfkit,
)

pytestmark = pytest.mark.slow

EDUCATION_WORDS = ("大班额", "学生资助", "校园安全", "教师", "学校", "教育", "两免一补", "学生",
                   "资助", "助学", "学段", "校车", "护苗", "上线率", "办学", "幼儿园")
HEALTH_WORDS = ("卫生", "医疗", "孕产妇", "婴儿", "疫苗", "家庭医生")
#: Words perfkit's templates write to guide the person filling a workbook; never for readers.
GUIDANCE_WORDS = ("核改", "沿用", "请按", "上年值为")


def _documents(folder):
    return facts.documents(folder)


@pytest.fixture(scope="module")
def health(tmp_path_factory):
    """The bureau's project after its 2022 run (its next year: test_bureau_next_year.py)."""
    project = make_county_health(tmp_path_factory.mktemp("health"))
    perfkit(["check", f"data/{DEPT}/2022.xlsx"], project)
    perfkit(["run", "--year", "2022"], project)
    return project


@pytest.fixture(scope="module")
def civil(tmp_path_factory):
    project = make_city_civil(tmp_path_factory.mktemp("civil"))
    perfkit(["check", f"data/{CIVIL_DEPT}/2023.xlsx"], project)
    perfkit(["run", "--year", "2023", "--no-pdf"], project)
    return project


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    from perfkit.run.runner import run

    out = tmp_path_factory.mktemp("sample")
    run([("yiyang-edu", 2019)], outputs=out, pdf=False)
    return out / "yiyang-edu" / "2019"


def _out(project, dept, year):
    return project / "outputs" / dept / str(year)


def test_health_computed_targets_are_judged_in_both_documents(health):
    docs = _documents(_out(health, DEPT, 2022))
    report, review = docs["report.html"], docs["review.html"]
    assert re.search(r"孕产妇死亡率\s*\|\s*≤18/10万\s*\|\s*31\.10/10万\s*\|\s*未完成", report)
    assert "孕产妇死亡率：目标≤18/10万，实际31.10/10万，未达成" in review
    for code, (value, _) in COMPUTED_EXPECTED.items():
        assert f"{value:.2f}" in report, code
    assert "未提供实际值6项" not in report and "6项目标无实际值" not in review
    # The placeholders of the department's text print the computed values.
    assert "孕产妇死亡率31.10/10万，婴儿死亡率3.73‰" in report


def test_health_documents_hold_no_education_wording(health):
    import subprocess

    out = _out(health, DEPT, 2022)
    texts = _documents(out)
    for pdf in out.glob("*.pdf"):
        texts[pdf.name] = subprocess.run(["pdftotext", "-layout", str(pdf), "-"],
                                         capture_output=True, text=True, check=True).stdout
    assert {"report.pdf", "review.pdf", "health.pdf", "report.docx"} <= set(texts)
    for name, text in texts.items():
        assert not [w for w in EDUCATION_WORDS if w in text], name


def test_civil_field_from_the_projects_own_catalog(civil):
    docs = _documents(_out(civil, CIVIL_DEPT, 2023))
    assert {"report.html", "review.html", "finance.html", "civil.html"} <= set(docs)
    for name, text in docs.items():
        found = [w for w in EDUCATION_WORDS + HEALTH_WORDS if w in text]
        assert not found, (name, found)
    civil_report = docs["civil.html"]
    for code, (value, _) in CIVIL_EXPECTED.items():
        assert f"{value:.2f}" in civil_report or f"{value:.0f}" in civil_report, code
    assert "特困人员集中供养率：实际40.00%，目标≥45.00%，为目标的88.89%（未达成）" in civil_report
    assert "护理型床位占比：实际52.00%，目标≥55.00%，为目标的94.55%（未达成）" in civil_report
    assert "每千名老年人养老床位37.01张" in docs["report.html"]  # its own text's placeholder


@pytest.mark.parametrize("which", ["sample", "health", "civil"])
def test_every_shared_fact_has_one_value(which, request):
    folder = {"sample": lambda: request.getfixturevalue("sample"),
              "health": lambda: _out(request.getfixturevalue("health"), DEPT, 2022),
              "civil": lambda: _out(request.getfixturevalue("civil"), CIVIL_DEPT, 2023)}[which]()
    found = facts.collect(_documents(folder))
    # The facts are there to compare (a collector that finds nothing proves nothing).
    for fact in ("claimed_score", "review_score", "targets_set", "audit_counts",
                 "missing_evidence", "claimed_grade"):
        assert fact in found, (which, fact, sorted(found))
    assert facts.disagreements(found) == {}


def test_the_bureau_audits_its_own_report_without_a_false_alarm(health, tmp_path):
    """The 自评报告 perfkit wrote for the bureau, audited as a submitted text against the same
    workbook: every checkable figure right, so no 不一致 and exit status 0."""
    text = facts.docx_text(_out(health, DEPT, 2022) / "report.docx")
    path = tmp_path / "report.txt"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "audit.csv"
    proc = perfkit(["audit", "--report", str(path), f"data/{DEPT}/2022.xlsx", "--out", str(out)],
                   health, ok=False)
    assert proc.returncode == 0, proc.stdout[-3000:]
    import pandas as pd

    frame = pd.read_csv(out)
    assert "不一致" not in set(frame["verdict"])
    assert (frame["verdict"] == "一致").sum() >= 30


@pytest.mark.parametrize("which", ["health", "civil"])
def test_each_bureau_gets_a_workpaper(which, request):
    """The 复核底稿 beside each bureau's 复核意见: 13 columns, A4 landscape, one row per item of
    its score sheet, every deduction citing its 复核口径 (issue #24)."""
    import openpyxl

    project = request.getfixturevalue(which)
    dept, year = (DEPT, 2022) if which == "health" else (CIVIL_DEPT, 2023)
    book = openpyxl.load_workbook(_out(project, dept, year) / "复核底稿.xlsx")
    ws = book["复核底稿"]
    assert len([c for c in ws[1] if c.value]) == 13 and ws.page_setup.orientation == "landscape"
    rows = list(ws.iter_rows(min_row=2, max_row=ws.max_row - 1, values_only=True))
    assert rows and ws.cell(ws.max_row, 1).value == "合计"
    for r in rows:
        if isinstance(r[10], float) and r[10] < r[6]:  # points lost
            assert re.search(r"复核口径K\d\d", r[12]), r
    assert book["复核问题清单"].max_row >= 1 and book["人工终核"].max_row > 2
