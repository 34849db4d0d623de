"""`perfkit audit --report FILE [WORKBOOK]`: table, CSV, exit status, bad files, --write-sheet."""

from __future__ import annotations

import pandas as pd
from typer.testing import CliRunner

import perfkit as pk
from perfkit import config
from perfkit.assess.textaudit import TEXT_AUDIT_COLUMNS
from perfkit.cli import app

SEED_TEXT = config.DATA_DIR / "yiyang-edu" / "2019-report.txt"
SAMPLE_WORKBOOK = config.DATA_DIR / "yiyang-edu" / "2019.xlsx"
WIDE = {"COLUMNS": "220"}

runner = CliRunner()


def test_seed_report_from_its_text(tmp_path):
    out = tmp_path / "text.csv"
    result = runner.invoke(app, ["audit", "--report", str(SEED_TEXT), "--out", str(out)], env=WIDE)
    assert result.exit_code == 0, result.output
    assert "提取数值114项" in result.output and "5857.42" in result.output
    frame = pd.read_csv(out, encoding="utf-8-sig")
    assert list(frame.columns) == TEXT_AUDIT_COLUMNS
    row = frame.set_index("ref").loc["T3"]
    assert (row["stated"], row["verdict"], row["location"]) == ("133.49%", "一致", "第8段")
    assert row["sentence"] == "2019年度部门决算收入24192.45万元，为年初预算18122.94万元的133.49%。"
    assert set(frame["category"]) == {"本句核对", "全文核对"}


def test_seed_report_against_its_workbook(tmp_path):
    out = tmp_path / "both.csv"
    result = runner.invoke(app, ["audit", str(SAMPLE_WORKBOOK), "--report", str(SEED_TEXT),
                                 "--out", str(out)], env=WIDE)
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out, encoding="utf-8-sig")
    against = frame[frame["category"] == "对照工作簿"]
    assert len(against) == 52 and "不一致" not in set(against["verdict"])


def test_an_error_in_the_report_exits_1(tmp_path):
    report = tmp_path / "report.txt"
    report.write_text("2020年度“三公”经费支出24.78万元，较上年的31.20万元增加6.42万元。\n",
                      encoding="utf-8")
    result = runner.invoke(app, ["audit", "--report", str(report)], env=WIDE)
    assert result.exit_code == 1, result.output
    assert "不一致1项" in result.output and "正负号" in result.output


def test_report_that_does_not_match_the_workbook_exits_1(tmp_path):
    report = tmp_path / "report.txt"
    report.write_text(SEED_TEXT.read_text(encoding="utf-8").replace("727.30万元", "772.30万元"),
                      encoding="utf-8")
    out = tmp_path / "a.csv"
    result = runner.invoke(app, ["audit", str(SAMPLE_WORKBOOK), "--report", str(report),
                                 "--out", str(out)], env=WIDE)
    assert result.exit_code == 1, result.output
    bad = pd.read_csv(out, encoding="utf-8-sig").query("verdict == '不一致'")
    assert bad[["check", "stated"]].values.tolist() == [["cell(收入:其他收入:决算数)", "772.30万元"]]
    assert "颠倒" in bad.iloc[0]["explanation"]


def test_bad_report_file_exits_2_without_traceback(tmp_path):
    junk = tmp_path / "report.docx"
    junk.write_bytes(b"\x00\x01 not a word file" * 30)
    result = runner.invoke(app, ["audit", "--report", str(junk)])
    assert result.exit_code == 2
    assert "report.docx" in result.output and "Traceback" not in result.output
    missing = runner.invoke(app, ["audit", "--report", str(tmp_path / "nope.pdf")])
    assert missing.exit_code == 2 and "找不到报告文件" in missing.output


def test_bad_catalog_exits_2(tmp_path):
    bad = tmp_path / "mine.yaml"
    bad.write_text("patterns:\n  - {id: x, kind: ratio}\n", encoding="utf-8")
    result = runner.invoke(app, ["audit", "--report", str(SEED_TEXT), "--catalog", str(bad)])
    assert result.exit_code == 2 and "mine.yaml" in result.output and "regex" in result.output


def test_usage_errors_exit_2(tmp_path):
    assert runner.invoke(app, ["audit"]).exit_code == 2
    result = runner.invoke(app, ["audit", "--report", str(SEED_TEXT), "--write-sheet"])
    assert result.exit_code == 2 and "需要给出工作簿" in result.output


def test_write_sheet_into_a_copy(make_workbook):
    def no_stated(content):
        content["stated"] = []

    book = make_workbook(no_stated, name="2019.xlsx")
    before = book.read_bytes()
    result = runner.invoke(app, ["audit", str(book), "--report", str(SEED_TEXT), "--write-sheet"],
                           env=WIDE)
    assert result.exit_code == 0, result.output
    copy = book.with_name("2019-报告数值.xlsx")
    assert book.read_bytes() == before  # the workbook itself is never changed
    assert copy.name in result.output
    stated = pk.load_workbook(copy).frames["stated"]
    assert len(stated) == 52
    s = stated.set_index("ref")
    assert s.loc["T3", ["check", "stated", "location"]].tolist() == [
        "revenue_execution_pct", "133.49%", "第8段"]
    assert s.loc["T39", "check"] == "teacher_directed_total_count"
    assert s.loc["T45", "statement"] == "消除义务教育大班额为任务目标的比例"
    # The copy is a workbook like any other: its 报告数值 audit agrees with the text's.
    again = runner.invoke(app, ["audit", str(copy)], env=WIDE)
    assert again.exit_code == 0, again.output
    # A second run refuses to overwrite the copy.
    twice = runner.invoke(app, ["audit", str(book), "--report", str(SEED_TEXT), "--write-sheet"])
    assert twice.exit_code == 2 and "文件已存在" in twice.output


def test_write_sheet_refuses_a_sheet_with_rows(make_workbook):
    book = make_workbook(name="2019.xlsx")  # the sample's 10 报告数值 rows
    result = runner.invoke(app, ["audit", str(book), "--report", str(SEED_TEXT), "--write-sheet"],
                           env=WIDE)
    assert result.exit_code == 2
    assert "已有10行" in result.output and not book.with_name("2019-报告数值.xlsx").exists()
