"""Run settings and path safety: nothing a parameter says can leave the project's folders."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import perfkit as pk
from perfkit import config
from perfkit.data.params import check_department, load_settings, safe_path, settings_from_dict
from perfkit.errors import ParamsError


@pytest.fixture
def root(tmp_path, use_project) -> Path:
    """A project root of its own, so that tests write nothing into the checkout."""
    project = tmp_path / "project"
    for sub in ("data", "params", "outputs"):
        (project / sub).mkdir(parents=True)
    use_project(project)
    return project


@pytest.mark.parametrize("dept", ["yiyang-edu", "a", "county_01", "A-b_9"])
def test_department_codes_accepted(dept):
    assert check_department(dept) == dept


@pytest.mark.parametrize("dept", ["../../etc", "..", ".", "a/b", "a\\b", "/etc", "", " a",
                                  "-rf", "_x", ".hidden", "a b", "益阳教育", "x" * 65,
                                  "a\x00b", "a\nb", None, 2019])
def test_department_codes_that_would_be_paths_are_refused(dept):
    with pytest.raises(ParamsError, match="部门代码"):
        check_department(dept)


def test_safe_path_accepts_paths_inside_the_project(root):
    assert safe_path("data/x/2019.xlsx", "workbook") == root / "data" / "x" / "2019.xlsx"
    assert safe_path(root / "params" / "x.yaml", "params") == root / "params" / "x.yaml"


@pytest.mark.parametrize("value", ["../outside.xlsx", "data/../../outside.xlsx", "/etc/passwd",
                                   "data/../../../etc/passwd"])
def test_safe_path_refuses_escapes(root, value):
    with pytest.raises(ParamsError, match="之外"):
        safe_path(value, "workbook")


def test_safe_path_refuses_a_symlink_out_of_the_project(root, tmp_path):
    outside = tmp_path / "secret.xlsx"
    outside.write_bytes(b"x")
    (root / "data" / "link.xlsx").symlink_to(outside)
    with pytest.raises(ParamsError, match="之外"):
        safe_path("data/link.xlsx", "workbook")


def test_workbook_setting_outside_is_refused(root):
    with pytest.raises(ParamsError, match="workbook"):
        settings_from_dict({"department": "x", "year": 2019, "workbook": "../../etc/passwd"})


def test_params_file_outside_is_refused(root, tmp_path):
    outside = tmp_path / "evil.yaml"
    outside.write_text("budget_basis: initial\n", encoding="utf-8")
    with pytest.raises(ParamsError, match="之外"):
        load_settings("x", 2019, str(outside))


def test_pk_load_refuses_unsafe_department_and_workbook(root):
    with pytest.raises(ParamsError, match="部门代码"):
        pk.load("../../etc", 2019)
    with pytest.raises(ParamsError, match="之外"):
        pk.load("x", 2019, workbook="../../etc/passwd")


def test_unknown_key_is_refused_with_its_name(root):
    path = root / "params" / "x" / "2019.yaml"
    path.parent.mkdir()
    path.write_text("budget_basis: initial\nbudjet_basis: adjusted\n", encoding="utf-8")
    with pytest.raises(ParamsError, match="budjet_basis"):
        load_settings("x", 2019)


@pytest.mark.parametrize(("raw", "needle"), [
    ({"budget_basis": "guess"}, "budget_basis"),
    ({"tolerance_wan_yuan": "0.5"}, "tolerance_wan_yuan"),
    ({"notebooks": ["finance", "../../etc"]}, "notebooks"),
    ({"year": "2019"}, "year"),
    ({"score_sheet": "../../../etc/passwd"}, "score_sheet"),
    ({"score_sheet": "/etc/hosts"}, "score_sheet"),
])
def test_bad_values_are_refused_by_name(root, raw, needle):
    with pytest.raises(ParamsError, match=needle):
        settings_from_dict({"department": "x", "year": 2019, **raw})


@pytest.mark.parametrize("payload", [
    "!!python/object/apply:os.system ['touch {marker}']\n",
    "budget_basis: !!python/object/apply:os.system ['touch {marker}']\n",
    "x: !!python/object/new:subprocess.Popen [['touch', '{marker}']]\n",
])
def test_yaml_is_loaded_safely(root, tmp_path, payload):
    marker = tmp_path / "pwned"
    path = root / "params" / "x" / "2019.yaml"
    path.parent.mkdir()
    path.write_text(payload.format(marker=marker), encoding="utf-8")
    with pytest.raises(ParamsError, match="YAML"):
        load_settings("x", 2019)
    assert not marker.exists()


@pytest.mark.parametrize("text", ["[1, 2]\n", "just text\n", "a: [unclosed\n"])
def test_yaml_that_is_not_a_mapping_is_refused(root, text):
    path = root / "params" / "x" / "2019.yaml"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ParamsError):
        load_settings("x", 2019)


def _perfkit(*args: str, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("perfkit")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "perfkit.cli"]
    return subprocess.run([*cmd, *args], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, "COLUMNS": "4000", **env}, timeout=300)


@pytest.mark.slow  # starts perfkit processes
def test_cli_refuses_dept_that_escapes(tmp_path):
    """`--dept ../../etc` writes nothing outside: not a template, not an output folder."""
    project = tmp_path / "a" / "b" / "project"
    (project / "data").mkdir(parents=True)
    env = {"PERFKIT_ROOT": str(project), "PERFKIT_OUTPUTS": str(project / "outputs")}
    made = _perfkit("template", "--dept", "../../etc", "--year", "2019", cwd=tmp_path, env=env)
    assert made.returncode == 2, made.stdout + made.stderr
    assert "部门代码" in made.stderr and "Traceback" not in made.stderr
    ran = _perfkit("run", "--dept", "../../etc", "--year", "2019", "--notebook", "finance",
                   cwd=tmp_path, env=env)
    assert ran.returncode != 0
    assert "部门代码" in ran.stdout + ran.stderr and "Traceback" not in ran.stdout + ran.stderr
    # data/../../etc and outputs/../../etc would both be tmp_path/a/etc
    assert not (tmp_path / "a" / "etc").exists()
    assert not any(p.name == "etc" for p in tmp_path.rglob("*"))


def test_a_params_file_of_another_department_or_year_is_refused(root):
    """Issue 12.4: pk.load("other-dept", 2019, params_file=<yiyang-edu/2019.yaml>) loaded
    yiyang-edu's settings and workbook without a word."""
    theirs = root / "params" / "yiyang-edu" / "2019.yaml"
    theirs.parent.mkdir(parents=True)
    theirs.write_text("department: yiyang-edu\nyear: 2019\nworkbook: data/yiyang-edu/2019.xlsx\n",
                      encoding="utf-8")
    with pytest.raises(ParamsError, match=r"yiyang-edu.*other-dept") as exc:
        load_settings("other-dept", 2019, str(theirs))
    assert "2019.yaml" in str(exc.value)
    with pytest.raises(ParamsError, match=r"年度“2019”.*年度“2020”"):
        load_settings("yiyang-edu", 2020, str(theirs))
    with pytest.raises(ParamsError, match="other-dept"):
        pk.load("other-dept", 2019, params_file=str(theirs))
    # The file's own department-year still loads; a file that names neither fits any request.
    assert load_settings("yiyang-edu", 2019, str(theirs)).department == "yiyang-edu"
    neutral = root / "params" / "shared.yaml"
    neutral.write_text("budget_basis: adjusted\n", encoding="utf-8")
    assert load_settings("other-dept", 2021, str(neutral)).year == 2021


def test_every_bad_setting_is_named_with_its_file_key_and_line(root):
    """Issue 12.8: settings are validated by a typed model; each error names file, key, line."""
    path = root / "params" / "x" / "2019.yaml"
    path.parent.mkdir()
    path.write_text("# settings\nbudget_basis: guess\n\ntolerance_pp: -1\nbudjet_basis: initial\n"
                    "notebooks:\n  - finance\n  - evil\nconfirmed_values: [三公经费 C5]\n",
                    encoding="utf-8")
    with pytest.raises(ParamsError) as exc:
        load_settings("x", 2019)
    text = str(exc.value)
    assert str(path) in text and "有 5 个问题" in text
    lines = text.splitlines()[1:]
    assert "第 2 行 budget_basis" in lines[0] and "initial / adjusted" in lines[0]
    assert "第 4 行 tolerance_pp" in lines[1] and "≥ 0" in lines[1]
    assert "第 5 行 budjet_basis" in lines[2] and "可用的设置项" in lines[2]
    assert "第 8 行 notebooks 第2项" in lines[3] and "evil" in lines[3]
    assert "第 9 行 confirmed_values" in lines[4] and "三公经费!C5" in lines[4]


def test_settings_are_typed_values():
    s = settings_from_dict({"department": "x", "year": 2019, "tolerance_pp": 1,
                            "notebooks": ["finance"], "confirmed_values": ["三公经费！c5"]})
    assert s.tolerance_pp == 1.0 and isinstance(s.tolerance_pp, float)
    assert s.notebooks == ("finance",) and s.confirmed_values == ("三公经费!C5",)
    for bad in ({"tolerance_pp": True}, {"year": 2019.0}, {"missing_policy": None}):
        with pytest.raises(ParamsError):
            settings_from_dict({"department": "x", "year": 2019, **bad})


DEPT_YEAR = {"department": "x", "year": 2019}


def test_domains_are_catalog_keys_or_labels_named_with_file_and_line(root):
    """Issue 13 phase 2: a department-year lists its domains; an unknown one names file, key,
    line and the domains there are."""
    s = settings_from_dict({**DEPT_YEAR, "domains": ["safety", "教育质量", "finance", "other",
                                                    "safety"]})
    assert s.domains == ("quality", "safety")  # catalog order, each once; finance and 其他 always on
    assert settings_from_dict(DEPT_YEAR).domains is None and settings_from_dict(
        {**DEPT_YEAR, "domains": []}).domains == ()
    path = root / "params" / "x" / "2019.yaml"
    path.parent.mkdir()
    path.write_text("year: 2019\ndomains:\n  - health\n  - water\n", encoding="utf-8")
    with pytest.raises(ParamsError) as exc:
        load_settings("x", 2019)
    text = str(exc.value)
    assert str(path) in text and "第 4 行 domains 第2项" in text and "未知的领域“water”" in text
    assert "health（卫生健康）" in text and "domains/<领域代码>.yaml" in text


def test_notebooks_may_name_a_domain_but_nothing_else(root):
    assert settings_from_dict({**DEPT_YEAR, "notebooks": ["report", "health"]}).notebooks == (
        "report", "health")
    with pytest.raises(ParamsError, match="未知的笔记本“quality2”"):
        settings_from_dict({**DEPT_YEAR, "notebooks": ["quality2"]})


def test_settings_name_their_department_and_year():
    """No default department-year: settings without them are refused, naming both keys (the
    sample's are never assumed)."""
    from perfkit.data.params import settings_from_dict
    from perfkit.errors import ParamsError

    with pytest.raises(ParamsError) as err:
        settings_from_dict({})
    assert "department" in str(err.value) and "year" in str(err.value)


def test_a_domain_label_is_accepted_wherever_a_domain_key_is(tmp_path):
    """Issue 21.9: ``perfkit codes --domain 卫生健康`` was refused though the run settings accept
    the 领域 label; so were labels for ``--notebook`` and ``notebooks:``."""
    from perfkit.cli import _notebook_name
    from perfkit.data.params import domain_key, notebook_key

    assert domain_key("卫生健康") == domain_key("health") == "health"
    assert domain_key("财务") == "finance"
    with pytest.raises(ParamsError, match=r"未知的领域“水利”.*health（卫生健康）"):
        domain_key("水利")
    assert notebook_key("卫生健康") == "health" and notebook_key("report") == "report"
    assert settings_from_dict({**DEPT_YEAR, "notebooks": ["review", "教育质量"]}).notebooks == (
        "review", "quality")
    assert _notebook_name("学生资助") == "aid"
    assert _notebook_name("own-notebook") == "own-notebook"  # the runner says it does not exist
    env = {k: v for k, v in os.environ.items() if k != "PERFKIT_ROOT"}
    proc = subprocess.run([sys.executable, "-m", "perfkit.cli", "codes", "--domain", "卫生健康"],
                          cwd=config.ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("卫生健康（health）") and "live_births_count" in proc.stdout
    assert "quality" not in proc.stdout
