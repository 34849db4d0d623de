"""`perfkit audit WORKBOOK`: the table, the CSV and the exit status scripts rely on."""

from __future__ import annotations

import pandas as pd
from typer.testing import CliRunner

from perfkit import config
from perfkit.assess.figures import AUDIT_COLUMNS
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


def test_check_names_a_check_target_the_audit_could_not_use(make_workbook):
    """Issue 12.10: `check` passed a 核对对象 that `audit` then called 无法核对."""
    def typos(c):
        rows = {r["ref"]: r for r in c["stated"]}
        rows["S1"]["check"] = "revenue_execution_pc"          # not an indicator
        rows["S2"]["check"] = "sum(绩效指标:no_such_code)"     # no such 绩效指标 code
        rows["S3"]["check"] = "sum(学生资助:不存在的政策)"      # no such policy or programme

    path = make_workbook(typos)
    audited = runner.invoke(app, ["audit", str(path)], env={"COLUMNS": "300"})
    assert "无法核对" in audited.output
    result = runner.invoke(app, ["check", str(path)], env={"COLUMNS": "300", "NO_COLOR": "1"})
    assert result.exit_code == 2, result.output
    assert "有 3 个问题" in result.output and "Traceback" not in result.output
    assert "revenue_execution_pc" in result.output and "no_such_code" in result.output
    assert "不存在的政策" in result.output and "[报告数值!" in result.output
    assert runner.invoke(app, ["check", str(make_workbook())]).exit_code == 0


def test_a_bad_years_range_is_a_message_not_a_traceback():
    """Issue 12.10: `--years 2021-20x` printed a ValueError traceback."""
    for spec in ("2021-20x", "2020-2018", "twenty"):
        result = runner.invoke(app, ["run", "--years", spec], env={"COLUMNS": "300"})
        assert result.exit_code == 2, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert "--years" in result.output and "2018-2020" in result.output


def test_template_without_a_department_or_file_writes_nothing(tmp_path, use_project):
    """Issue 12.10: `template --year 2031` wrote into the sample department's folder."""
    use_project(tmp_path)  # its data/ is tmp_path / "data"
    result = runner.invoke(app, ["template", "--year", "2031"], env={"COLUMNS": "300"})
    assert result.exit_code == 2 and "--dept" in result.output
    assert not (tmp_path / "data").exists()
    result = runner.invoke(app, ["template", "--year", "2031", "--from", "2019"])
    assert result.exit_code == 2 and "--dept" in result.output
    made = runner.invoke(app, ["template", "--year", "2031", "--dept", "x-dept"])
    assert made.exit_code == 0, made.output
    assert (tmp_path / "data" / "x-dept" / "2031.xlsx").is_file()


def _city(c):
    """A city-level "三公" total of 1.9亿元: real, but beyond the plausibility bound."""
    tp = c["three_public"]
    tp["total"]["actual"] = 19000
    tp["reception"]["actual"] = round(19000 - tp["abroad"]["actual"]
                                      - tp["vehicle_operation"]["actual"], 2)


def test_a_confirmed_outlier_is_a_note_not_a_refusal(make_workbook, tmp_path, monkeypatch,
                                                      use_project):
    """Issue 12.11: a magnitude finding was a hard error; a genuine outlier could not be checked
    or audited. The message stays; confirming the cell in the run settings lets the rest
    proceed, and the check, the audit and the reports say so."""
    import perfkit as pk
    from perfkit.verdicts import CONFIRMED
    from perfkit.assess.audit import audit
    from perfkit.assess.evaluation import Evaluation
    from perfkit.data.params import settings_from_dict
    from perfkit.errors import WorkbookError

    path = make_workbook(_city)
    try:
        pk.load_workbook(path)
    except WorkbookError as exc:
        problems = exc.problems
    else:
        raise AssertionError("an implausible 三公 total must not load unconfirmed")
    refs = [f"{p.sheet}!{p.cell}" for p in problems]
    assert all(r.startswith("三公经费!") for r in refs) and len(refs) == 2
    assert any("超出一个部门一年“三公”经费的规模" in p.found for p in problems)
    assert all("confirmed_values" in p.fix for p in problems)

    data = pk.load_workbook(path, confirmed=refs)
    assert [f"{p.sheet}!{p.cell}" for p in data.confirmed] == refs
    assert all(p in data.warnings for p in data.confirmed)
    ev = Evaluation(data, settings_from_dict({"department": "test", "year": 2019,
                                              "confirmed_values": refs}))
    a = audit(ev)
    rows = a[a["verdict"] == CONFIRMED]
    assert sorted(rows["source_cells"]) == sorted(refs)
    assert rows["explanation"].str.contains("超出一个部门一年“三公”经费的规模").all()
    summary = pk.narrative.audit_summary(ev)  # the summary report's 复核 section
    assert f"（{CONFIRMED}）" in summary and "三公经费!" in summary

    # The command line: `check --params` passes with the notes; confirming a cell the checks
    # did not flag is pointed out too.
    use_project(tmp_path)
    settings = tmp_path / "city.yaml"
    settings.write_text("department: city\nyear: 2019\nconfirmed_values:\n"
                        + "".join(f"  - {r}\n" for r in [*refs, "收入!D2"]), encoding="utf-8")
    result = runner.invoke(app, ["check", str(path), "--params", str(settings)],
                           env={"COLUMNS": "300", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    assert result.output.count("已按运行设置 confirmed_values 确认为实际数") == 2
    assert "收入!D2 没有被规模检查提示" in result.output
    refused = runner.invoke(app, ["check", str(path)], env={"COLUMNS": "300"})
    assert refused.exit_code == 2
