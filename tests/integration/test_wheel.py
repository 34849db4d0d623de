"""The built wheel, installed into a fresh virtual environment, serves a project of its own.

No checkout is involved after the build: the wheel is installed non-editable (dependencies
from the package index, served by pip's cache and the machine's wheelhouse where it has one),
then in a temporary folder `perfkit init`, `template`, a programmatic fill, `check`, `codes`
and `run` work with nothing but the installed package and the new project folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

#: Fills the template `perfkit template` wrote, cell by cell, from a synthetic health bureau
#: (run by the fresh environment's python: it imports the installed perfkit, and tests/synthetic.py
#: from a folder holding that file alone — test code is not in the wheel).
FILL = textwrap.dedent("""
    import sys
    import perfkit
    from synthetic import fill_workbook, synthetic_content

    content = synthetic_content(1, 2021, field="health")
    content["info"]["department_name"] = "某县卫生健康局（合成测试数据）"
    fill_workbook(sys.argv[1], content)
    print(perfkit.__file__)
""")



def _sources(dest: Path) -> None:
    """Copy the files git knows (tracked, and new ones not ignored) so the build writes nothing
    into the checkout."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=REPO, capture_output=True, check=True).stdout.split(b"\0")
    for name in filter(None, (n.decode() for n in listed)):
        src = REPO / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)


def _run(cmd: list, cwd: Path, env: dict, timeout: int = 600) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)
    assert proc.returncode == 0, f"{cmd}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


@pytest.mark.slow
def test_wheel_in_a_fresh_environment_runs_a_project_of_its_own(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git is needed to list the sources")
    env = {k: v for k, v in os.environ.items()
           if k not in ("PERFKIT_ROOT", "PERFKIT_OUTPUTS", "PYTHONPATH", "VIRTUAL_ENV")}
    src = tmp_path / "src"
    _sources(src)
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", tmp_path / "dist", src],
         tmp_path, env)
    [wheel] = (tmp_path / "dist").glob("perfkit-*.whl")
    shutil.rmtree(src)
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
    assert "perfkit/run/engine.py" in names  # the listing is the wheel's files
    # Test-only code stays out of what users install (issue 22 item 7).
    assert not [n for n in names if "synthetic" in n], [n for n in names if "synthetic" in n]
    helpers = tmp_path / "helpers"
    helpers.mkdir()
    shutil.copy2(REPO / "tests" / "synthetic.py", helpers / "synthetic.py")

    venv = tmp_path / "venv"
    # No pip of its own: this pip installs into it (--python), without compiling bytecode.
    _run([sys.executable, "-m", "venv", "--without-pip", venv], tmp_path, env)
    python, perfkit = venv / "bin" / "python", venv / "bin" / "perfkit"
    _run([sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-compile", wheel],
         tmp_path, env, timeout=1200)
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"

    work = tmp_path / "work"
    work.mkdir()
    _run([perfkit, "init", "county-health", "--name", "某县卫生健康局"], work, env)
    project = work / "county-health"
    for part in ("perfkit.toml", "notebooks/report.ipynb", "params/score_sheets/input-process-output-outcome.yaml"):
        assert (project / part).is_file(), part
    _run([perfkit, "template", "--year", "2021", "--dept", "county-health", "--domains", "health"],
         project, env)
    book = project / "data" / "county-health" / "2021.xlsx"
    assert "domains: [health]" in (project / "params" / "county-health" / "2021.yaml").read_text(
        encoding="utf-8")
    installed = _run([python, "-c", FILL, book], project / "data",
                     {**env, "PYTHONPATH": str(helpers)}).stdout.strip()
    assert Path(installed).is_relative_to(venv), installed  # the wheel's perfkit, not the checkout
    _run([perfkit, "check", book], project / "data", env)
    codes = _run([perfkit, "codes", "--domain", "health"], project, env).stdout
    assert "maternal_mortality_per_100k" in codes

    _run([perfkit, "run", "--year", "2021", "-n", "report", "-n", "review"],
         project / "notebooks", env, timeout=1200)
    out = project / "outputs" / "county-health" / "2021"
    for name in ("report.html", "report.pdf", "review.html", "review.pdf",
                 "tables/indicators.csv", "tables/scores.csv"):
        assert (out / name).is_file(), name
    assert (project / "outputs" / "index.html").is_file()
    table = (out / "tables" / "indicators.csv").read_text(encoding="utf-8")
    assert "家庭医生签约服务覆盖率" in table and "卫生健康监督执法检查" in table
    assert "大班额" not in table
