"""A finance bureau's year over the synthetic bureau (issue #26): a run of several departments
writes outputs/<year>/ 复核汇总 (xlsx and page), 结果通报 and 整改台账; a broken workbook fails
alone and is listed; the 整改情况 the bureau types survives a rerun and next year's run shows
what recurred; the second departments of tests/bureaus.py go into one summary."""

from __future__ import annotations

import re
import shutil

import openpyxl
import pytest
from docx import Document
from synthetic import COPIED, department_code, prepare_project, write_bureau

from perfkit.run.runner import FAILED, run

pytestmark = pytest.mark.slow

#: No notebook: the bureau's documents are made from each department-year's tables, which the
#: run writes while it validates the workbook; the reports themselves are not needed here.
NO_NOTEBOOK = ["（不运行笔记本）"]


RANGE = re.compile(r"\d+\.\d{2}–\d+\.\d{2}（初审）")


def _is_score(value) -> bool:
    """A 复核得分 of the summary: a number, or a first reading's range as its opinion words it."""
    return isinstance(value, (int, float)) or bool(RANGE.fullmatch(str(value)))


def _rows(path, sheet):
    ws = openpyxl.load_workbook(path)[sheet]
    header = [c.value for c in ws[1]]
    return [dict(zip(header, r, strict=False)) for r in ws.iter_rows(min_row=2, values_only=True)
            if r[0] and r[1]]


def test_two_years_of_a_bureau(tmp_path, use_project):
    root = prepare_project(tmp_path / "bureau")
    write_bureau(root, 12, (2019,), broken=(5,))
    write_bureau(root, 12, (2020,), broken=())
    project = use_project(root)
    out = project.outputs_dir
    pairs = [(department_code(i), 2019) for i in range(1, 13)]

    results = run(pairs, notebooks=NO_NOTEBOOK, pdf=False)
    failed = [r for r in results if r.status == FAILED]
    assert [(r.department, r.notebook) for r in failed] == [("synthetic-05", "（输入检查）")]

    year = out / "2019"
    summary = _rows(year / "复核汇总.xlsx", "复核汇总")
    assert len(summary) == 11 and "synthetic-05" not in {r["部门代码"] for r in summary}
    assert all(isinstance(r["自评得分"], (int, float)) and _is_score(r["复核得分"])
               for r in summary)
    left_out = _rows(year / "复核汇总.xlsx", "未纳入汇总")
    assert left_out[0]["部门代码"] == "synthetic-05" and "收入!D8" in left_out[0]["原因"]
    flags = _rows(year / "复核汇总.xlsx", "跨部门提示")
    copy, original = COPIED[0]
    assert any(f"合成测试部门{original:02d}、合成测试部门{copy:02d}" == f["涉及部门"]
               for f in flags if "相同语句" in f["提示"])
    assert any("合成测试部门07" in f["涉及部门"] for f in flags if "全部满分" in f["提示"])
    assert any("有效提升" in f["提示"] for f in flags)

    page = (year / "复核汇总.html").read_text(encoding="utf-8")
    assert '<img class="chart"' in page and 'id="sort-dev-desc"' in page
    assert "2019/%E5%A4%8D%E6%A0%B8%E6%B1%87%E6%80%BB.html" in (out / "index.html").read_text(
        encoding="utf-8")
    notice = "\n".join(p.text for p in Document(year / "结果通报.docx").paragraphs)
    assert "初审情况的汇总" in notice and "synthetic-05" in notice  # review_stage initial

    # The bureau records the rectification of synthetic-01's problems; a rerun keeps it.
    ledger = year / "整改台账.xlsx"
    book = openpyxl.load_workbook(ledger)
    ws = book["整改台账"]
    header = [c.value for c in ws[1]]
    marked = set()
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, 1).value == "synthetic-01":
            ws.cell(r, header.index("整改情况") + 1, "已整改")
            marked.add(ws.cell(r, header.index("问题编号") + 1).value)
    book.save(ledger)
    assert marked
    run(pairs, notebooks=NO_NOTEBOOK, pdf=False, force=True)
    kept = {r["问题编号"] for r in _rows(ledger, "整改台账")
            if r["部门代码"] == "synthetic-01" and r["整改情况"] == "已整改"}
    assert kept == marked

    # Next year: what recurred, with last year's 整改情况.
    run([(d, 2020) for d, _ in pairs], notebooks=NO_NOTEBOOK, pdf=False)
    summary = {r["部门代码"]: r for r in _rows(out / "2020" / "复核汇总.xlsx", "复核汇总")}
    assert len(summary) == 12
    assert "上年整改情况：已整改" in summary["synthetic-01"]["上年问题复发"]
    assert summary["synthetic-05"]["上年问题复发"] == "无"  # not in last year's ledger
    again = [r for r in _rows(out / "2020" / "整改台账.xlsx", "整改台账")
             if r["部门代码"] == "synthetic-01"]
    assert {r["上年已列示"] for r in again} <= {"是", "否"} and any(
        r["上年已列示"] == "是" for r in again)


def test_second_departments_in_one_summary(tmp_path, use_project):
    """The county health bureau (2022) and the civil-affairs bureau with its own catalog (2023)
    moved to one year in one project: both in the summary, each with its own score."""
    from bureaus import (
        CIVIL_CATALOG,
        CIVIL_DEDUCTIONS,
        CIVIL_TEXT,
        DEFAULT_SHEET,
        civil_content_2023,
        content_2022,
        fill_text_and_scores,
    )
    from synthetic import fill_workbook

    from perfkit.assess.scoresheet import load_sheet
    from perfkit.data.template import write_workbook
    from perfkit.run.prefill import template_content

    root = prepare_project(tmp_path / "two")
    (root / "domains").mkdir(exist_ok=True)
    shutil.copy(CIVIL_CATALOG, root / "domains" / "civil.yaml")
    project = use_project(root)
    health, civil = content_2022(), civil_content_2023()
    civil["info"]["year"] = 2022
    for dept, content, domains, text, deductions in (
            ("synthetic-health", health, ["health"], None, None),
            ("synthetic-civil", civil, ["civil"], CIVIL_TEXT, CIVIL_DEDUCTIONS)):
        book = root / "data" / dept / "2022.xlsx"
        write_workbook(book, template_content(load_sheet(DEFAULT_SHEET), year=2022,
                                              domains=domains, project=project),
                       domains=domains, project=project)
        fill_workbook(book, content)
        fill_text_and_scores(book, text, deductions)
    results = run([("synthetic-health", 2022), ("synthetic-civil", 2022)],
                  notebooks=NO_NOTEBOOK, pdf=False)
    assert not [r.error for r in results if r.status == FAILED]
    summary = {r["部门代码"]: r for r in _rows(project.outputs_dir / "2022" / "复核汇总.xlsx",
                                               "复核汇总")}
    assert set(summary) == {"synthetic-health", "synthetic-civil"}
    assert summary["synthetic-health"]["自评得分"] == 92.5
    assert summary["synthetic-civil"]["自评得分"] == 95
    assert all(_is_score(r["复核得分"]) for r in summary.values())
    # 终审: each a single score, its grade and the 结果应用 of that grade.
    for dept in summary:
        (root / "params" / dept).mkdir(parents=True, exist_ok=True)
        (root / "params" / dept / "2022.yaml").write_text("review_stage: final\n",
                                                          encoding="utf-8")
    run([("synthetic-health", 2022), ("synthetic-civil", 2022)], notebooks=NO_NOTEBOOK,
        pdf=False, force=True)
    final = _rows(project.outputs_dir / "2022" / "复核汇总.xlsx", "复核汇总")
    assert {r["复核阶段"] for r in final} == {"终审"}
    assert all(isinstance(r["复核得分"], (int, float)) and r["复核等级"] in "优良中差"
               and r["结果应用"] != "—" for r in final)
