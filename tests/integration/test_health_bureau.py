"""A county health bureau, 2021, from scratch: ``perfkit init``, ``template --domains health``, a
programmatic fill, ``check`` and ``run`` — finance, health, 自评报告 and 复核意见 only, no education
wording anywhere, its own targets (领域 其他) in 主要绩效 and in the score (issue #13)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import docx
import pytest

from perfkit import fmt
from synthetic import fill_workbook, synthetic_content

pytestmark = pytest.mark.slow

PERFKIT = Path(sys.executable).parent / "perfkit"
#: Words of the education sample that must not reach a health bureau's documents.
EDUCATION_WORDS = ("大班额", "学生资助", "校园安全", "教师", "学校", "教育", "两免一补", "学生",
                   "资助", "助学", "学段", "校车", "护苗", "上线率", "办学", "幼儿园")
DOCUMENTS = {"report", "review", "finance", "health"}
OWN_TARGETS = ("卫生健康监督执法检查", "医疗纠纷人民调解成功率", "基层医疗卫生机构标准化建设达标率")


def _perfkit(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PERFKIT_ROOT", "PERFKIT_OUTPUTS")}
    proc = subprocess.run([str(PERFKIT), *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=1200)
    assert proc.returncode == 0, f"perfkit {args}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


@pytest.fixture(scope="module")
def bureau(tmp_path_factory):
    work = tmp_path_factory.mktemp("health")
    _perfkit(["init", "county-health", "--name", "某县卫生健康局"], work)
    project = work / "county-health"
    _perfkit(["template", "--year", "2021", "--dept", "county-health", "--domains", "health"],
             project)
    book = project / "data" / "county-health" / "2021.xlsx"
    content = synthetic_content(1, 2021, field="health")
    content["info"]["department_name"] = "某县卫生健康局（合成测试数据）"
    for row in content["targets"]:
        if row["code"] == "health_literacy_pct":
            row["qualifier"] = "以上"  # “居民健康素养水平达24.xx%以上”
    fill_workbook(book, content)
    _perfkit(["check", str(book)], project)
    _perfkit(["run", "--year", "2021"], project)
    literacy = next(r["actual"] for r in content["targets"] if r["code"] == "health_literacy_pct")
    return project, project / "outputs" / "county-health" / "2021", literacy


def test_template_lists_the_health_indicators_and_the_settings_name_the_domain(bureau):
    import openpyxl

    project, _, _ = bureau
    params = (project / "params" / "county-health" / "2021.yaml").read_text(encoding="utf-8")
    assert "domains: [health]" in params
    # A fresh template of the same catalog: every figure the catalog reads has its row.
    fresh = project / "fresh.xlsx"
    _perfkit(["template", str(fresh), "--domains", "health"], project)
    ws = openpyxl.load_workbook(fresh)["绩效指标"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    codes = [r[1] for r in rows]
    assert "maternal_deaths_count" in codes and "live_births_count" in codes
    assert "maternal_mortality_per_100k" not in codes  # computed: no row to fill
    assert {r[0] for r in rows} == {"卫生健康"} and all(r[6] is None for r in rows)  # 实际值 empty
    assert not (project / "params" / "fresh.yaml").exists()


def test_only_finance_health_and_the_two_documents_run_and_are_listed(bureau):
    project, out, _ = bureau
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["notebooks"]) == DOCUMENTS
    assert all(v["status"] == "ok" for v in manifest["notebooks"].values())
    assert manifest["domains"] == ["health"]
    for name in DOCUMENTS:
        assert (out / f"{name}.html").is_file() and (out / f"{name}.pdf").is_file()
    assert not list(out.glob("quality.*")) and not list(out.glob("aid.*"))
    index = (project / "outputs" / "index.html").read_text(encoding="utf-8")
    links = set(re.findall(r'href="county-health/2021/([a-z]+)\.(?:html|pdf|docx)"', index))
    assert links == DOCUMENTS
    assert "卫生健康" in index and "教育质量" not in index


def test_no_education_wording_in_any_output(bureau):
    _, out, _ = bureau
    texts = {p.name: p.read_text(encoding="utf-8") for p in out.glob("*.html")}
    for pdf in out.glob("*.pdf"):
        texts[pdf.name] = subprocess.run(["pdftotext", "-layout", str(pdf), "-"],
                                         capture_output=True, text=True, check=True).stdout
    for path in out.glob("*.docx"):
        d = docx.Document(str(path))
        cells = [c.text for t in d.tables for row in t.rows for c in row.cells]
        texts[path.name] = "\n".join([p.text for p in d.paragraphs] + cells)
    assert {"report.docx", "review.docx", "health.pdf", "review.html"} <= set(texts)
    for name, text in texts.items():
        found = [w for w in EDUCATION_WORDS if w in text]
        assert not found, f"{name}: {found}"


def test_own_targets_count_in_the_main_results_and_in_the_score(bureau):
    _, out, _ = bureau
    report = re.sub(r"<[^>]+>", "", (out / "report.html").read_text(encoding="utf-8"))
    main = report[report.rindex("（二）主要绩效"):report.rindex("（三）绩效目标完成情况")]
    for name in OWN_TARGETS[:2]:  # the two with an actual value
        assert name in main, name
    assert "家庭医生签约服务覆盖率" in main  # a headline of the health catalog, computed
    import pandas as pd

    scores = pd.read_csv(out / "tables" / "scores.csv").set_index("item")
    row = scores.loc["target_completion"]
    assert row["indicator"] == "绩效指标:health,other"
    for name in OWN_TARGETS:
        assert name in row["reason"], name


def test_the_health_report_shows_its_topics_with_qualifiers(bureau):
    _, out, literacy = bureau
    html = (out / "health.html").read_text(encoding="utf-8")
    for topic in ("（一）妇幼健康", "（二）家庭医生签约与基本公共卫生服务", "（三）传染病报告与健康素养",
                  "（四）基本公共卫生服务资金"):
        assert topic in html, topic
    assert f"居民健康素养水平{fmt.pct(literacy)}以上" in html  # 数值修饰 kept
    assert len(re.findall(r"<img[^>]+src=\"data:image/png", html)) >= 3
    assert "数据核对" in html and "Traceback" not in html


def test_a_domain_dropped_from_the_settings_disappears_on_the_next_run(bureau):
    """Last in this module: it changes the bureau's settings."""
    project, out, _ = bureau
    params = project / "params" / "county-health" / "2021.yaml"
    params.write_text(params.read_text(encoding="utf-8").replace("domains: [health]",
                                                                  "domains: []"), encoding="utf-8")
    _perfkit(["run", "--year", "2021", "--no-pdf"], project)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["notebooks"]) == DOCUMENTS - {"health"}
    assert not list(out.glob("health.*"))
    index = (project / "outputs" / "index.html").read_text(encoding="utf-8")
    assert "卫生健康<" not in index and "county-health/2021/health" not in index
