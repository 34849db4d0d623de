"""`perfkit audit WORKBOOK`: the table, the CSV and the exit status scripts rely on."""

from __future__ import annotations

import pandas as pd
from typer.testing import CliRunner

from perfkit import config
from perfkit.audit import AUDIT_COLUMNS
from perfkit.cli import app

SAMPLE_WORKBOOK = config.DATA_DIR / "yiyang-edu" / "2019.xlsx"

runner = CliRunner()


def test_sample_audit_passes_and_writes_csv(tmp_path):
    out = tmp_path / "audit.csv"
    result = runner.invoke(app, ["audit", str(SAMPLE_WORKBOOK), "--out", str(out)],
                           env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "舍入差异" in result.output and "5857.42" in result.output
    frame = pd.read_csv(out, encoding="utf-8-sig")
    assert list(frame.columns) == AUDIT_COLUMNS
    s7 = frame.set_index("ref").loc["S7"]
    assert (s7["stated"], s7["recomputed"], s7["verdict"]) == ("4.04亿元", 40347.0, "舍入差异")


def test_inconsistent_figure_exits_1(make_workbook, tmp_path):
    def swapped(c):
        for row in c["stated"]:
            if row["ref"] == "S1":
                row["stated"] = "134.39%"  # the seed prints 133.49%

    out = tmp_path / "audit.csv"
    result = runner.invoke(app, ["audit", str(make_workbook(swapped)), "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert "不一致1项" in result.output
    s1 = pd.read_csv(out, encoding="utf-8-sig").set_index("ref").loc["S1"]
    assert s1["verdict"] == "不一致" and "颠倒" in s1["explanation"]


def test_tolerance_option(make_workbook):
    def near(c):
        for row in c["stated"]:
            if row["ref"] == "S1":
                row["stated"] = "133.55%"  # 0.06 pp above 133.49%: within 0.1, beyond 0.05

    path = str(make_workbook(near))
    assert runner.invoke(app, ["audit", path]).exit_code == 0
    assert runner.invoke(app, ["audit", path, "--tol-pp", "0.05"]).exit_code == 1


def test_unusable_workbook_exits_2(tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a workbook", encoding="utf-8")
    result = runner.invoke(app, ["audit", str(bad)])
    assert result.exit_code == 2
