"""Hostile settings, score sheets, catalogs, names and paths (issue 28, items 7, 9, 10).

A file saved by Windows Notepad in GBK or UTF-16, nested 100,000 deep, with a key written
twice or a year written as text; a department code with a trailing newline; a link out of the
project; a notebook name that is a path. Each is a located message (file, line or name, what
is wrong, the fix) and exit status 2, never a traceback, or is read correctly.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from perfkit import config, yamlcheck
from perfkit.assess.scoresheet import load_sheet
from perfkit.cli import app
from perfkit.data.params import (
    check_department,
    check_notebooks,
    load_settings,
    load_settings_file,
)
from perfkit.domains import load_catalog
from perfkit.errors import CatalogError, ParamsError, ScoreSheetError

HOSTILE = Path(__file__).resolve().parents[1] / "corpus" / "hostile.py"


def _hostile():
    spec = importlib.util.spec_from_file_location("hostile", HOSTILE)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("hostile", module)
    spec.loader.exec_module(module)
    return module


hostile = sys.modules.get("hostile") or _hostile()

SETTINGS = "department: yiyang-edu\nyear: 2019\n# 本年度的业务领域\ndomains: [quality, aid, safety]\n"


@pytest.fixture(scope="module")
def cli():
    return CliRunner(env={"COLUMNS": "4000", "NO_COLOR": "1"})


def run(cli, *args: str):
    result = cli.invoke(app, list(args))
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output and "RecursionError" not in result.output
    return result


def check_with(cli, project: Path, params: Path):
    workbook = project / "data" / "yiyang-edu" / "2019.xlsx"
    return run(cli, "check", str(workbook), "--params", str(params))


@pytest.fixture
def params_dir(sample_project) -> Path:
    return sample_project / "params" / "yiyang-edu"


# --- item 7: encodings, nesting ---------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["gbk", "utf-16-le"])
def test_settings_not_in_utf8_are_a_located_message(sample_project, params_dir, cli, encoding):
    # Before: UnicodeDecodeError, a traceback.
    path = params_dir / "notepad.yaml"
    path.write_bytes(SETTINGS.encode(encoding))
    result = check_with(cli, sample_project, path)
    assert result.exit_code == 2, result.output
    assert str(path) in result.output and "第 " in result.output
    assert "另存为" in result.output and "UTF-8" in result.output
    if encoding == "gbk":
        assert "GBK" in result.output


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig"])
def test_settings_whose_bom_names_the_encoding_are_read(sample_project, params_dir, cli,
                                                         encoding):
    path = params_dir / "notepad.yaml"
    path.write_bytes(SETTINGS.encode(encoding))  # utf-16 writes Notepad's BOM
    assert load_settings("yiyang-edu", 2019, path).domains == ("quality", "aid", "safety")
    assert check_with(cli, sample_project, path).exit_code == 0


def test_a_score_sheet_in_gbk_is_a_located_message(sample_project):
    sheets = sample_project / "params" / "score_sheets"
    sheets.mkdir()
    shipped = config.score_sheet_path("input-process-output-outcome").read_text(encoding="utf-8")
    (sheets / "mine.yaml").write_bytes(shipped.encode("gb18030"))
    with pytest.raises(ScoreSheetError) as err:
        load_sheet("mine")
    assert "mine.yaml" in str(err.value) and "GBK" in str(err.value)


def test_a_domain_catalog_in_utf16_is_read_and_in_gbk_refused(tmp_path):
    text = "label_zh: 水利\norder: 50\nindicators:\n  - {code: water_count, label_zh: 供水人口, unit: 人}\n"
    (tmp_path / "water.yaml").write_bytes(text.encode("utf-16"))
    assert load_catalog(tmp_path / "water.yaml").label_zh == "水利"
    (tmp_path / "water.yaml").write_bytes(text.encode("gbk"))
    with pytest.raises(CatalogError, match="GBK"):
        load_catalog(tmp_path / "water.yaml")


def test_settings_nested_100000_deep_are_a_located_message(sample_project, params_dir, cli):
    # Before: RecursionError inside PyYAML's composer, a traceback.
    path = hostile.nested_yaml(params_dir / "deep.yaml")
    result = check_with(cli, sample_project, path)
    assert result.exit_code == 2, result.output
    assert "deep.yaml" in result.output and "第 3 行" in result.output
    assert "嵌套超过 64 层" in result.output


def test_deep_block_nesting_is_refused_before_the_tree_is_built(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text("a:\n" + "".join("  " * i + "-\n" for i in range(1, 2000)), encoding="utf-8")
    with pytest.raises(ParamsError, match="第 65 行: 嵌套超过 64 层"):
        yamlcheck.load(path, ParamsError, "运行设置")


def test_aliases_that_expand_without_end_are_refused(tmp_path):
    path = tmp_path / "bomb.yaml"
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 8)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ParamsError, match="展开后超过"):
        yamlcheck.load(path, ParamsError, "运行设置")
    path.write_text("a: &a [*a]\n", encoding="utf-8")
    with pytest.raises(ParamsError, match="引用了包含它自己的内容"):
        yamlcheck.load(path, ParamsError, "运行设置")


# --- item 9: duplicate keys, a year written as text, a large file ----------------------------


def test_a_key_written_twice_is_refused_naming_both_lines(sample_project, params_dir, cli):
    # Before: the second silently won.
    path = params_dir / "twice.yaml"
    path.write_text(SETTINGS + "budget_basis: initial\nmissing_policy: zero\nbudget_basis: adjusted\n",
                    encoding="utf-8")
    result = check_with(cli, sample_project, path)
    assert result.exit_code == 2, result.output
    assert "第 5 行和第 7 行" in result.output and "budget_basis" in result.output


def test_duplicate_keys_in_a_score_sheet_are_refused(sample_project):
    sheets = sample_project / "params" / "score_sheets"
    sheets.mkdir()
    shipped = config.score_sheet_path("input-process-output-outcome").read_text(encoding="utf-8")
    (sheets / "mine.yaml").write_text(shipped.replace("\nitems:", "\ndecimals: 2\ndecimals: 1\nitems:", 1),
                                      encoding="utf-8")
    with pytest.raises(ScoreSheetError, match="键“decimals”写了两次"):
        load_sheet("mine")


def test_a_year_written_as_text_is_not_ignored(sample_project, params_dir, cli):
    # Before: check silently ignored the file (its confirmed_values, its limits).
    path = params_dir / "quoted.yaml"
    path.write_text('department: yiyang-edu\nyear: "2019"\n', encoding="utf-8")
    result = check_with(cli, sample_project, path)
    assert result.exit_code == 2, result.output
    assert "quoted.yaml" in result.output and "第 2 行 year" in result.output
    assert "应为整数" in result.output


def test_a_settings_file_without_a_year_is_applied(sample_project, params_dir, cli, tmp_path):
    # The year comes from the workbook: the file's settings still apply (here, its limit).
    path = params_dir / "no-year.yaml"
    path.write_text("department: yiyang-edu\nmax_workbook_mb: 0.01\n", encoding="utf-8")
    workbook = tmp_path / "submitted.xlsx"  # no year in the file name
    workbook.write_bytes((sample_project / "data" / "yiyang-edu" / "2019.xlsx").read_bytes())
    result = run(cli, "check", str(workbook), "--params", str(path))
    assert result.exit_code == 2 and "max_workbook_mb" in result.output, result.output


@pytest.mark.slow  # a settings file at the size limit
def test_a_large_settings_file_is_read_and_summarised(sample_project, params_dir, cli):
    # 1.6 MB: 48-85 s before (six pure-Python parses, then 64,000 lines of notes, one per
    # unused confirmed cell); the time is in benchmarks/hostile_bench.py.
    path = hostile.settings_yaml(params_dir / "big.yaml", 64_000)
    assert path.stat().st_size > 1.5e6
    assert len(load_settings("yiyang-edu", 2019, path).confirmed_values) == 64_000
    result = check_with(cli, sample_project, path)
    assert result.exit_code == 0, result.output
    notes = [ln for ln in result.output.splitlines() if ln.startswith("提醒")]
    assert len(notes) == 11 and "另有 63990 个单元格（三公经费!C12 等）" in notes[-1]


# --- item 10: names and paths -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["nl\n", "a/b", "../x", " x", "x\r", ""])
def test_department_codes_are_matched_whole(name):
    with pytest.raises(ParamsError, match="部门代码"):
        check_department(name)


def test_a_department_code_with_a_newline_in_settings_is_refused(sample_project, params_dir):
    path = params_dir / "nl.yaml"
    path.write_text('department: "yiyang-edu\\n"\nyear: 2019\n', encoding="utf-8")
    with pytest.raises(ParamsError, match=r"这是部门“yiyang-edu\\n”的运行设置"):
        load_settings("yiyang-edu", 2019, path)
    with pytest.raises(ParamsError, match=r"部门代码“yiyang-edu\\n”无效"):
        load_settings_file(path)  # the department the file names


def test_a_domain_key_with_a_newline_is_refused(tmp_path):
    path = tmp_path / "water\n.yaml"
    path.write_text("label_zh: 水利\nindicators: []\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="文件名"):
        load_catalog(path)


@pytest.mark.parametrize("link", ["folder", "file"])
def test_a_link_out_of_the_project_is_refused(sample_project, tmp_path, link):
    # Before: followed, although a `workbook:` path outside the project is refused.
    import perfkit as pk

    outside = tmp_path / "outside"
    outside.mkdir()
    data = sample_project / "data" / "yiyang-edu"
    if link == "folder":  # data/<dept> is a link
        (outside / "2019.xlsx").write_bytes((data / "2019.xlsx").read_bytes())
        (sample_project / "data" / "linked").symlink_to(outside, target_is_directory=True)
        department = "linked"
    else:  # data/<dept>/<year>.xlsx is a link
        (outside / "2020.xlsx").write_bytes((data / "2019.xlsx").read_bytes())
        (data / "2019.xlsx").unlink()
        (data / "2019.xlsx").symlink_to(outside / "2020.xlsx")
        department = "yiyang-edu"
    with pytest.raises(ParamsError, match="符号链接") as err:
        pk.load(department, 2019)
    assert str(outside) in str(err.value) and "复制到项目中" in str(err.value)


def test_a_link_inside_the_project_is_followed(sample_project):
    data = sample_project / "data"
    (data / "alias").symlink_to(data / "yiyang-edu", target_is_directory=True)
    assert load_settings("alias", 2019).workbook_path() == (data / "yiyang-edu" / "2019.xlsx")


@pytest.mark.parametrize("name", ["../../x", "report/../review", "own\nnotebook", "a b", ""])
def test_a_notebook_name_is_checked(name):
    with pytest.raises(ParamsError, match="--notebook"):
        check_notebooks([name])


def test_check_notebooks_accepts_documents_domains_and_a_projects_own():
    # A project's own notebook name goes on to the runner, which says when it does not exist.
    assert check_notebooks(["report\n", "quality", "卫生健康", "own-notebook"]) == (
        "report", "quality", "health", "own-notebook")


@pytest.mark.parametrize("args", [["-n", "../../x"], ["--dept", "../x"], ["--depts", "yiyang-edu,a b"]],
                         ids=["notebook_path", "dept_path", "dept_space"])
def test_run_refuses_a_bad_name_before_anything_starts(sample_project, cli, args):
    # Before: `-n ../../x` reached a worker, killed it, and was stored in the manifest.
    result = run(cli, "run", "--year", "2019", *args)
    assert result.exit_code == 2, result.output
    assert "无效" in result.output or "不是笔记本名称" in result.output
    assert not (sample_project / "outputs").exists()
