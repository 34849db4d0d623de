"""The bureau's year states the 复核得分 of each department as its 复核意见 does (#26 with the
stages of #24): the real pipeline on a few synthetic departments, in 初审 and in 终审; the text of
the 复核得分 in 复核汇总.xlsx, 复核汇总.html and 结果通报.docx equals the one in the department's
review.html conclusion table."""

from __future__ import annotations

import html as html_lib
import re

import openpyxl
import pytest
from docx import Document
from synthetic import department_code, prepare_project, write_bureau

from perfkit import fmt
from perfkit.run.runner import FAILED, run

pytestmark = pytest.mark.slow

DEPARTMENTS = 3
ROW = "复核得分（财政复核）"


def _cells(row_html: str) -> list[str]:
    return [html_lib.unescape(re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row_html, flags=re.S)]


def _opinion_score(page: str) -> tuple[str, str]:
    """The 复核得分 and its grade in review.html's conclusion table."""
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", page, flags=re.S):
        cells = _cells(row)
        if cells and cells[0] == ROW:
            return cells[1], cells[2]
    raise AssertionError("no 复核得分 row in review.html")


def _xlsx_scores(path) -> dict[str, tuple[str, str]]:
    ws = openpyxl.load_workbook(path)["复核汇总"]
    header = [c.value for c in ws[1]]
    out = {}
    for r in ws.iter_rows(min_row=2, values_only=True):
        if r[0] and r[1]:
            row = dict(zip(header, r, strict=False))
            v = row["复核得分"]
            out[row["部门代码"]] = (v if isinstance(v, str) else fmt.num(v), row["复核等级"])
    return out


def _page_scores(page: str, codes) -> dict[str, tuple[str, str]]:
    """The first (default) view of the page's summary table: 复核得分 and 复核等级 by code."""
    view = page[page.index('class="view default"'):]
    view = view[:view.index("</table>")]
    header = _cells(view[view.index("<thead>"):view.index("</thead>")])
    out = {}
    for row in re.findall(r"<tr>(.*?)</tr>", view[view.index("<tbody>"):], flags=re.S):
        cells = _cells(row)
        code = next(c for c in codes if c in cells[0])
        out[code] = (cells[header.index("复核得分")], cells[header.index("复核等级")])
    return out


def _notice(path) -> tuple[str, dict[str, str]]:
    """The 通报's text and, per department name, the 复核得分 cell of its table row."""
    doc = Document(path)
    scores = {}
    for t in doc.tables:
        header = [c.text for c in t.rows[0].cells]
        col = next(i for i, h in enumerate(header) if h.startswith("复核得分"))
        for r in t.rows[1:]:
            scores[r.cells[0].text] = r.cells[col].text
    return "\n".join(p.text for p in doc.paragraphs), scores


@pytest.mark.parametrize("stage", ["initial", "final"])
def test_bureau_states_the_score_of_each_opinion(tmp_path, use_project, stage):
    root = prepare_project(tmp_path / "bureau")
    write_bureau(root, DEPARTMENTS, (2019,), broken=())
    codes = [department_code(i) for i in range(1, DEPARTMENTS + 1)]
    for code in codes:
        settings = root / "params" / code / "2019.yaml"
        settings.parent.mkdir(parents=True, exist_ok=True)
        settings.write_text(f"review_stage: {stage}\nreview_org: 合成市财政局\n", encoding="utf-8")
    project = use_project(root)
    results = run([(c, 2019) for c in codes], notebooks=["review"], pdf=False)
    assert not [r.error for r in results if r.status == FAILED]
    out = project.outputs_dir
    opinions = {c: _opinion_score((out / c / "2019" / "review.html").read_text(encoding="utf-8"))
                for c in codes}
    year = out / "2019"
    assert _xlsx_scores(year / "复核汇总.xlsx") == opinions
    page = (year / "复核汇总.html").read_text(encoding="utf-8")
    assert _page_scores(page, codes) == opinions
    text, notice = _notice(year / "结果通报.docx")
    names = {c: f"合成测试部门{c[-2:]}" for c in codes}
    assert {c: notice[names[c]] for c in codes} == {c: s for c, (s, _) in opinions.items()}
    ranges = [c for c, (s, _) in opinions.items() if "（初审）" in s]
    if stage == "initial":
        assert ranges, "the synthetic departments wait for 补充资料 in a first reading"
        assert "初审阶段的部门" in text and "终审" in text
        assert "区间下限" in page
    else:
        assert not ranges and "复核结果及结果应用" in text and "初审" not in text
