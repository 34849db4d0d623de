"""Bad input: each corpus workbook gives exactly its located problems, in one pass, no traceback."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import perfkit as pk
from perfkit.cli import app
from perfkit.errors import Problem, WorkbookError

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "make_corpus.py"


def _corpus():
    spec = importlib.util.spec_from_file_location("make_corpus", CORPUS)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_corpus", module)
    spec.loader.exec_module(module)
    return module


mc = _corpus()
FAILING = [c for c in mc.CASES if not c.loads]
LOADING = [c for c in mc.CASES if c.loads]


def _ids(case) -> str:
    return case.name


def _matches(problem: Problem, expect) -> bool:
    return (problem.sheet == expect.sheet and problem.cell == expect.cell
            and expect.text in str(problem))


def _location(expect) -> str:
    if expect.sheet and expect.cell:
        return f"[{expect.sheet}!{expect.cell}]"
    return f"[{expect.sheet}]" if expect.sheet else ""


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    """Build each case once for the module (the loader and the CLI tests share the file)."""
    root = tmp_path_factory.mktemp("corpus")
    built: dict[str, Path] = {}

    def get(case) -> Path:
        if case.name not in built:
            (root / case.name).mkdir()
            built[case.name] = case.build(root / case.name / case.filename)
        return built[case.name]

    return get


def test_corpus_is_large_enough():
    assert len(FAILING) >= 25
    assert len({c.name for c in mc.CASES}) == len(mc.CASES)


@pytest.mark.parametrize("case", FAILING, ids=_ids)
def test_every_problem_is_located_once(case, build):
    path = build(case)
    with pytest.raises(WorkbookError) as err:
        pk.load_workbook(path, expected_year=2019)
    problems = err.value.problems
    for p in problems:
        assert p.file == path.name
        assert p.found and p.expected and p.fix, p
    missing = [e for e in case.problems if not any(_matches(p, e) for p in problems)]
    assert not missing, f"not reported: {missing}\n{err.value}"
    assert len(problems) == len(case.problems), f"one message per problem:\n{err.value}"


@pytest.mark.parametrize("case", LOADING, ids=_ids)
def test_accepted_input_reads_the_right_numbers(case, build):
    path = build(case)
    data = pk.load_workbook(path, expected_year=2019)
    for (sheet, row, column), value in case.reads.items():
        assert data.value(sheet, row, column) == pytest.approx(value)
    missing = [e for e in case.warnings if not any(_matches(w, e) for w in data.warnings)]
    assert not missing, data.warnings
    assert len(data.warnings) == len(case.warnings), data.warnings


@pytest.fixture(scope="module")
def cli():
    return CliRunner(env={"COLUMNS": "4000", "NO_COLOR": "1"})


@pytest.mark.parametrize("case", FAILING, ids=_ids)
def test_check_command_lists_every_problem(case, build, cli):
    path = build(case)
    result = cli.invoke(app, ["check", str(path)])
    assert result.exit_code == 2, result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert f"有 {len(case.problems)} 个问题" in result.output
    for e in case.problems:
        line = next((ln for ln in result.output.splitlines()
                     if path.name in ln and _location(e) in ln and e.text in ln), None)
        assert line, f"{e} not in:\n{result.output}"
        assert "应为" in line and "修改方法" in line


def test_check_command_warns_but_passes_then_strict_fails(build, cli):
    case = next(c for c in LOADING if c.warnings)
    path = build(case)
    result = cli.invoke(app, ["check", str(path)])
    assert result.exit_code == 0, result.output
    assert "提醒" in result.output and case.warnings[0].text in result.output
    assert cli.invoke(app, ["check", "--strict", str(path)]).exit_code == 1


def test_check_command_names_the_year_it_expects(tmp_path, cli):
    case = next(c for c in FAILING if c.name == "wrong_year")
    path = case.build(tmp_path / "2018.xlsx")  # the file says 2018 and is named 2018: fine
    assert cli.invoke(app, ["check", str(path)]).exit_code == 0
    result = cli.invoke(app, ["check", "--year", "2019", str(path)])
    assert result.exit_code == 2 and "评价年度 2018" in result.output


def test_missing_file_is_a_message(tmp_path, cli):
    result = cli.invoke(app, ["check", str(tmp_path / "nope.xlsx")])
    assert result.exit_code == 2 and "文件不存在" in result.output


def test_markup_in_cells_is_shown_not_parsed(tmp_path, cli):
    # "[/x]" would be a rich closing tag: unescaped it raises MarkupError (a traceback).
    def change(c):
        c["income"]["service"]["actual"] = "[/x][bold]二千"

    path = mc.sample(change)(tmp_path / "2019.xlsx")
    result = cli.invoke(app, ["check", str(path)])
    assert result.exit_code == 2, result.output
    assert "[/x][bold]二千" in result.output


@pytest.mark.slow  # starts perfkit processes
def test_real_process_exit_status_and_no_traceback(build):
    case = next(c for c in FAILING if c.name == "three_problems")
    path = build(case)
    exe = Path(sys.executable).with_name("perfkit")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "perfkit.cli"]
    proc = subprocess.run([*cmd, "check", str(path)], capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "4000"}, timeout=120)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "有 3 个问题" in proc.stderr
    for e in case.problems:
        assert _location(e) in proc.stderr
