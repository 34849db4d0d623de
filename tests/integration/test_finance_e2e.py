"""End to end: the finance notebook executed by the runner and rendered for a reviewer."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from perfkit import config
from perfkit.run.runner import run

pytestmark = pytest.mark.slow

SEED_FIGURES = ("24192.45万元", "18122.94万元", "133.49%", "109.03%", "136.78%", "72.56%",
                "16.69万元", "-595.92万元", "2838.22万元", "5857.42万元", "18930.95万元")


@pytest.fixture(scope="module")
def finance_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("outputs")
    results = run([("yiyang-edu", 2019)], notebooks=["finance"], outputs=out)
    return out, results


def test_finance_runs(finance_run):
    _, results = finance_run
    assert [r.status for r in results] == ["ok"], results


def test_reviewer_html_states_the_seed_figures(finance_run):
    out, _ = finance_run
    html = (out / "yiyang-edu" / "2019" / "finance.html").read_text(encoding="utf-8")
    for figure in SEED_FIGURES:
        assert figure in html, figure
    assert "2019年度部门决算收入24192.45万元，为年初预算18122.94万元的133.49%" in html
    assert "未说明差额" in html


def test_reviewer_html_has_no_code(finance_run):
    out, _ = finance_run
    html = (out / "yiyang-edu" / "2019" / "finance.html").read_text(encoding="utf-8")
    assert "pk.tables" not in html and "import perfkit" not in html
    assert not re.search(r"<script[^>]+src=[\"']https?:", html)


def test_tidy_tables_and_manifest(finance_run):
    out, _ = finance_run
    folder = out / "yiyang-edu" / "2019"
    indicators = (folder / "tables" / "indicators.csv").read_text(encoding="utf-8")
    assert "revenue_execution_pct" in indicators and "收入!D8" in indicators
    assert (folder / "manifest.json").exists()


def test_second_run_skips_unchanged(finance_run):
    out, _ = finance_run
    again = run([("yiyang-edu", 2019)], notebooks=["finance"], outputs=out)
    assert [r.status for r in again] == ["skipped"]


def test_analyst_copy_only_on_request(finance_run):
    out, _ = finance_run
    folder = out / "yiyang-edu" / "2019"
    assert not (folder / "finance.code.html").exists()  # not asked for
    assert (folder / "finance.ipynb").exists()  # what analysts open instead
    asked = run([("yiyang-edu", 2019)], notebooks=["finance"], outputs=out, pdf=False,
                analyst_copy=True)
    assert [r.status for r in asked] == ["ok"]  # a new output format reruns
    assert asked[0].outputs["code.html"] == "finance.code.html"
    assert "budget_table" in (folder / "finance.code.html").read_text(encoding="utf-8")
    again = run([("yiyang-edu", 2019)], notebooks=["finance"], outputs=out, pdf=False)
    assert [r.status for r in again] == ["ok"] and "code.html" not in again[0].outputs
    assert not (folder / "finance.code.html").exists()  # an outdated copy is not left behind


def test_cli_reports_broken_workbook(tmp_path, make_workbook):
    def broken(c):
        c["income"]["total"]["actual"] = "二千"
        del c["three_public"]  # still written as an empty sheet; remove the sheet below

    path = make_workbook(broken)
    import openpyxl

    book = openpyxl.load_workbook(path)
    del book["三公经费"]
    book.save(path)
    proc = subprocess.run([sys.executable, "-m", "perfkit.cli", "check", str(path)],
                          capture_output=True, text=True, cwd=config.ROOT)
    assert proc.returncode != 0
    text = proc.stdout + proc.stderr
    assert "收入!D8" in text and "二千" in text
    assert "三公经费" in text and "缺少工作表" in text
    assert "Traceback" not in text
