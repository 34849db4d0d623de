"""A project of one's own: perfkit.toml found as git finds .git, perfkit init, relative paths."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import perfkit as pk
from perfkit import config
from perfkit.errors import PerfkitError, ProjectNotFoundError
from perfkit.run.project import init_project

PERFKIT = [sys.executable, "-m", "perfkit.cli"]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PERFKIT_ROOT", "PERFKIT_OUTPUTS")}
    return env | extra


def test_the_project_is_found_walking_up_from_the_current_folder(tmp_path, monkeypatch):
    root = tmp_path / "bureau"
    (root / "data" / "x" / "deeper").mkdir(parents=True)
    (root / config.MARKER).write_text("[project]\n", encoding="utf-8")
    monkeypatch.delenv("PERFKIT_ROOT", raising=False)
    assert config.find_project(root / "data" / "x" / "deeper") == root.resolve()
    monkeypatch.chdir(root / "data" / "x" / "deeper")
    assert config.project_root() == root.resolve()
    monkeypatch.setenv("PERFKIT_ROOT", str(tmp_path))  # the variable wins
    assert config.project_root() == tmp_path.resolve()


def test_outside_any_project_the_error_says_how_to_start_one(tmp_path, monkeypatch):
    monkeypatch.delenv("PERFKIT_ROOT", raising=False)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ProjectNotFoundError, match="perfkit init"):
        config.project_root()
    monkeypatch.setenv("PERFKIT_ROOT", str(tmp_path / "missing"))
    with pytest.raises(ProjectNotFoundError, match="PERFKIT_ROOT"):
        config.project_root()


@pytest.mark.slow  # starts perfkit processes
@pytest.mark.parametrize("command", [["run", "--year", "2019"], ["check", "x.xlsx"],
                                     ["codes"], ["template", "x.xlsx"]])
def test_commands_outside_a_project_say_so_in_chinese(tmp_path, command):
    proc = subprocess.run([*PERFKIT, *command], cwd=tmp_path, env=_env(), capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "不在 perfkit 项目中" in proc.stderr and "perfkit init" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


def test_init_lays_out_a_project_and_never_overwrites(tmp_path):
    root = tmp_path / "county-health"
    (root / "notebooks").mkdir(parents=True)
    (root / "notebooks" / "finance.ipynb").write_text("mine", encoding="utf-8")
    result = init_project(root, "某县卫生健康局")
    assert (root / config.MARKER).read_text(encoding="utf-8").count('name = "某县卫生健康局"') == 1
    for sub in ("data", "params", "outputs", "domains"):
        assert (root / sub).is_dir(), sub
    shipped = sorted(p.name for p in config.package_notebooks_dir().glob("*.ipynb"))
    assert sorted(p.name for p in (root / "notebooks").glob("*.ipynb")) == shipped
    assert (root / "notebooks" / "finance.ipynb").read_text(encoding="utf-8") == "mine"
    assert result.kept == [root.resolve() / "notebooks" / "finance.ipynb"]
    assert {p.name for p in (root / "params" / "score_sheets").glob("*.yaml")} == {
        "input-process-output-outcome.yaml", "cz-2020-10.yaml",
        "decision-process-output-benefit.yaml"}
    with pytest.raises(PerfkitError, match="已是 perfkit 项目"):
        init_project(root)


@pytest.mark.slow  # starts perfkit processes
def test_init_then_codes_from_a_subfolder(tmp_path):
    proc = subprocess.run([*PERFKIT, "init", "proj"], cwd=tmp_path, env=_env(),
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "已新建 perfkit 项目" in proc.stdout
    (tmp_path / "proj" / "domains" / "water.yaml").write_text(
        "label_zh: 水利\nindicators:\n"
        "  - {code: water_supply_count, label_zh: 供水工程, unit: 处}\n",
        encoding="utf-8")
    proc = subprocess.run([*PERFKIT, "codes", "--domain", "water"], cwd=tmp_path / "proj" / "data",
                          env=_env(), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "水利（water）" in proc.stdout and "water_supply_count" in proc.stdout
    assert "供水工程（处）" in proc.stdout


def test_a_project_score_sheet_overrides_perfkit_s(tmp_path, use_project):
    use_project(tmp_path)  # its params/ is tmp_path / "params"
    shipped = config.PACKAGE_SCORE_SHEETS_DIR / "input-process-output-outcome.yaml"
    assert config.score_sheet_path("input-process-output-outcome") == shipped
    own = tmp_path / "params" / "score_sheets" / "input-process-output-outcome.yaml"
    own.parent.mkdir(parents=True)
    own.write_text("x", encoding="utf-8")
    assert config.score_sheet_path("input-process-output-outcome") == own
    assert "cz-2020-10" in config.score_sheet_names()


def test_relative_paths_are_relative_to_the_project_in_every_api(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # not the project
    relative = "data/yiyang-edu/2019.xlsx"
    data = pk.load_workbook(relative)
    assert data.path == config.ROOT / relative
    ev = pk.load("yiyang-edu", 2019, workbook=relative)
    assert ev.data.path == data.path
    out = pk.write_workbook("outputs/test-relative/empty.xlsx")
    try:
        assert out == config.ROOT / "outputs" / "test-relative" / "empty.xlsx"
    finally:
        out.unlink()
        out.parent.rmdir()


def test_no_code_assumes_the_project_is_the_folder_above_the_package():
    package = Path(pk.__file__).resolve().parent
    offenders = []
    for path in package.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"__file__\)\S*\.parent\.parent|PACKAGE_DIR\.parent", text):
            offenders.append(path.name)
    assert offenders == []


def test_the_former_name_of_a_shipped_sheet_still_works(tmp_path, use_project):
    """``hunan-53`` (the sheet's name before it was neutral) in a project's run settings reads
    the sheet under its new name, unless the project has a ``hunan-53.yaml`` of its own."""
    from perfkit.assess.scoresheet import load_sheet

    use_project(tmp_path)  # its params/ is tmp_path / "params"
    shipped = config.PACKAGE_SCORE_SHEETS_DIR / "input-process-output-outcome.yaml"
    assert not (config.PACKAGE_SCORE_SHEETS_DIR / "hunan-53.yaml").exists()
    assert config.score_sheet_path("hunan-53") == shipped
    assert load_sheet("hunan-53").name == "input-process-output-outcome"
    own = tmp_path / "params" / "score_sheets" / "hunan-53.yaml"
    own.parent.mkdir(parents=True)
    own.write_text("x", encoding="utf-8")
    assert config.score_sheet_path("hunan-53") == own
