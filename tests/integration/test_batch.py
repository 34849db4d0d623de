"""Many departments and years: batch runs, failure isolation, incremental reruns, Dask, new year."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import perfkit as pk
from perfkit import config
from perfkit.assess.scoresheet import load_sheet
from synthetic import prepare_project, synthetic_content, write_synthetic

PERFKIT = [sys.executable, "-m", "perfkit.cli"]
pytestmark = pytest.mark.slow


def _point_config(use_project, root: Path) -> Path:
    return use_project(root).outputs_dir


def _env(root: Path) -> dict[str, str]:
    return {**os.environ, "PERFKIT_ROOT": str(root), "PERFKIT_OUTPUTS": str(root / "outputs")}


def _run(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*PERFKIT, "run", *args], env=_env(root), capture_output=True,
                          text=True, timeout=1200, cwd=root)


def _statuses(root: Path) -> dict[tuple[str, int], tuple[str, str]]:
    """(dept, year) → (finance status, input hash) from the manifests."""
    found = {}
    for m in (root / "outputs").glob("*/*/manifest.json"):
        entry = json.loads(m.read_text(encoding="utf-8"))["notebooks"].get("finance", {})
        found[(m.parent.parent.name, int(m.parent.name))] = (entry.get("status"),
                                                             entry.get("input_hash"))
    return found


def test_batch_of_20_isolates_a_failure_then_skips_then_reruns_one(tmp_path):
    root = prepare_project(tmp_path / "proj")
    write_synthetic(root, 10, (2019, 2020), broken=[(3, 2020)])

    first = _run(root, "-n", "finance", "--no-pdf", "--jobs", "2")
    assert first.returncode == 1, first.stdout + first.stderr  # one department-year failed
    out = first.stdout
    assert "成功 19，失败 1" in out
    assert "synthetic-03 2020 （输入检查）" in out and "故意写错" in out
    runs = _statuses(root)
    assert len(runs) == 19 and {s for s, _ in runs.values()} == {"ok"}
    assert not (root / "outputs" / "synthetic-03" / "2020" / "finance.html").exists()
    html = (root / "outputs" / "synthetic-05" / "2020" / "finance.html").read_text(encoding="utf-8")
    assert "合成测试部门05" in html and "与此前年度比较" in html  # 2020 compares with 2019

    again = _run(root, "-n", "finance", "--no-pdf", "--jobs", "2")
    assert "成功 0，失败 1，跳过 19" in again.stdout, again.stdout
    assert _statuses(root) == runs

    changed = synthetic_content(5, 2020, seed=99)
    pk.write_workbook(root / "data" / "synthetic-05" / "2020.xlsx", changed)
    third = _run(root, "-n", "finance", "--no-pdf", "--jobs", "2")
    assert "成功 1，失败 1，跳过 18" in third.stdout, third.stdout
    after = _statuses(root)
    assert [k for k in after if after[k] != runs[k]] == [("synthetic-05", 2020)]


def test_progress_callbacks_count_every_result(tmp_path, monkeypatch, use_project):
    from perfkit.run.runner import run

    root = prepare_project(tmp_path / "proj")
    outputs = _point_config(use_project, root)
    write_synthetic(root, 2, (2019,))
    totals, seen = [], []
    results = run([("synthetic-01", 2019), ("synthetic-02", 2019)], notebooks=["finance"],
                  outputs=outputs, jobs=2, pdf=False, on_start=totals.append,
                  on_result=seen.append)
    assert totals == [1, 2] and len(seen) == 2 == len(results)  # grows as planned
    assert {r.status for r in results} == {"ok"}


def test_failing_notebook_keeps_previous_report_and_its_partial_copy(tmp_path, monkeypatch, use_project):
    from perfkit.run.runner import run

    root = prepare_project(tmp_path / "proj")
    outputs = _point_config(use_project, root)
    write_synthetic(root, 1, (2019,))
    ok = run([("synthetic-01", 2019)], notebooks=["finance"], outputs=outputs, pdf=False)
    assert ok[0].status == "ok"
    report = outputs / "synthetic-01" / "2019" / "finance.html"
    good = report.read_bytes()
    nb = json.loads((root / "notebooks" / "finance.ipynb").read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if "gap_table" in "".join(c["source"]))
    cell["source"] = ['raise RuntimeError("合成故障")']
    (root / "notebooks" / "finance.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    failed = run([("synthetic-01", 2019)], notebooks=["finance"], outputs=outputs, pdf=False)
    r = failed[0]
    assert r.status == "failed" and "合成故障" in r.error
    assert r.failed_copy == "failed/finance.ipynb"
    partial = json.loads((outputs / "synthetic-01" / "2019" / r.failed_copy).read_text())
    assert any("合成故障" in json.dumps(c.get("outputs", []), ensure_ascii=False)
               for c in partial["cells"])
    assert report.read_bytes() == good  # the previous good report stays
    manifest = json.loads((report.parent / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["notebooks"]["finance"]["previous_outputs"]["html"] == "finance.html"


def test_dask_local_cluster_runs_the_same_tasks(tmp_path, monkeypatch, use_project):
    pytest.importorskip("distributed")
    from perfkit.run.runner import run

    root = prepare_project(tmp_path / "proj")
    outputs = _point_config(use_project, root)
    write_synthetic(root, 2, (2019,))
    results = run([("synthetic-01", 2019), ("synthetic-02", 2019)], notebooks=["finance"],
                  outputs=outputs, jobs=2, pdf=False, scheduler="local")
    assert [(r.department, r.status) for r in sorted(results, key=lambda r: r.department)] == [
        ("synthetic-01", "ok"), ("synthetic-02", "ok")]
    for d in ("synthetic-01", "synthetic-02"):
        assert (outputs / d / "2019" / "finance.html").exists()
    again = run([("synthetic-01", 2019)], notebooks=["finance"], outputs=outputs, pdf=False,
                scheduler="local")
    assert [r.status for r in again] == ["skipped"]
    needle = f"PERFKIT_ROOT={root}".encode()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        alive = [p for p in Path("/proc").iterdir() if p.name.isdigit()
                 and _environ_has(p, needle)]
        if not alive:
            break
        time.sleep(0.5)
    assert not alive, "processes left behind by the Dask workers"


def _environ_has(proc: Path, needle: bytes) -> bool:
    try:
        return needle in (proc / "environ").read_bytes().split(b"\0")
    except OSError:
        return False


def test_new_year_from_template_runs_and_shows_changes(tmp_path):
    root = prepare_project(tmp_path / "proj")
    shutil.copytree(config.DATA_DIR / "yiyang-edu", root / "data" / "yiyang-edu",
                    ignore=shutil.ignore_patterns("*.py", "*.md"))
    shutil.copytree(config.PARAMS_DIR / "yiyang-edu", root / "params" / "yiyang-edu")
    made = subprocess.run([*PERFKIT, "template", "--year", "2020", "--from", "2019",
                           "--dept", "yiyang-edu"], env=_env(root), capture_output=True,
                          text=True, timeout=300, cwd=root)
    assert made.returncode == 0, made.stdout + made.stderr
    book = root / "data" / "yiyang-edu" / "2020.xlsx"
    # Fill the template with synthetic 2020 figures (this is a test, not the sample).
    from perfkit.run.newyear import next_year_content

    content = next_year_content(pk.load_workbook(root / "data" / "yiyang-edu" / "2019.xlsx"), 2020,
                                load_sheet("input-process-output-outcome"))
    assert pk.load_workbook(book).frames["income"].equals(  # what the template wrote
        pk.load_workbook(pk.write_workbook(tmp_path / "same.xlsx", content)).frames["income"])
    content["income"]["total"].update(budget_initial=20000, actual=21000)
    content["expenditure"]["total"].update(budget_initial=20000, actual=20500)
    content["three_public"]["total"].update(budget=100, actual=80.1)
    pk.write_workbook(book, content)
    checked = subprocess.run([*PERFKIT, "check", str(book)], env=_env(root),
                             capture_output=True, text=True, timeout=300)
    assert checked.returncode == 0, checked.stdout + checked.stderr

    done = _run(root, "--dept", "yiyang-edu", "--years", "2019-2020", "-n", "finance",
                "--no-pdf")
    assert done.returncode == 0, done.stdout + done.stderr
    html = (root / "outputs" / "yiyang-edu" / "2020" / "finance.html").read_text(encoding="utf-8")
    assert "与此前年度比较（此前有结果的年度：2019）" in html
    # 收入预算完成率: 21000 / 20000 = 105.00% against the seed's 133.49% in 2019.
    assert "105.00%" in html and "133.49%" in html and "-28.49个百分点" in html
    # "三公": 80.10 against 88.53 → -8.43 万元 (-9.52%).
    assert "-8.43万元" in html
    first = (root / "outputs" / "yiyang-edu" / "2019" / "finance.html").read_text(
        encoding="utf-8")
    assert "本节不作历年比较" in first


def test_an_earlier_years_workbook_reruns_exactly_the_notebooks_that_read_it(tmp_path,
                                                                           monkeypatch,
                                                                           use_project):
    """Issue 12.3: rewriting 2018.xlsx changed 2019's PEFA inputs, yet the 2019 review was
    skipped as 输入未变 (the runner guessed dependencies from function names in the notebook).

    Reads are recorded where they happen: the 2019 review reads 2018.xlsx (PEFA); the 2019
    finance report reads 2018's indicator table (历年变化), which the edit below leaves as it
    was, and a new earlier year (2017) is a change for both.
    """
    from perfkit.run.runner import run

    root = prepare_project(tmp_path / "proj")
    outputs = _point_config(use_project, root)
    monkeypatch.setenv("PERFKIT_ROOT", str(root))
    monkeypatch.setenv("PERFKIT_OUTPUTS", str(outputs))
    write_synthetic(root, 1, (2018, 2019))
    pairs = [("synthetic-01", 2018), ("synthetic-01", 2019)]

    def ran(years=pairs) -> set[tuple[int, str]]:
        results = run(years, notebooks=["finance", "review"], outputs=outputs, jobs=2,
                      pdf=False)
        assert {r.status for r in results} <= {"ok", "skipped"}, [r.error for r in results]
        return {(r.year, r.notebook) for r in results if r.status == "ok"}

    assert len(ran()) == 4
    assert ran() == set()  # unchanged: everything skipped

    # The 2018 workbook's bytes change (a 数据来源 text), not its figures.
    content = synthetic_content(1, 2018)
    content["income"]["total"]["source"] = "2018年部门决算表（复核后重新导出）"
    pk.write_workbook(root / "data" / "synthetic-01" / "2018.xlsx", content)
    table = outputs / "synthetic-01" / "2018" / "tables" / "indicators.csv"
    before = table.read_bytes()
    assert ran() == {(2018, "finance"), (2018, "review"), (2019, "review")}
    assert table.read_bytes() == before
    pefa = (outputs / "synthetic-01" / "2019" / "manifest.json").read_text(encoding="utf-8")
    assert "data/synthetic-01/2018.xlsx" in json.loads(pefa)["tables_reads"]
    assert ran() == set()

    # A new earlier year: the later years' history (finance) and PEFA (review) see it.
    pk.write_workbook(root / "data" / "synthetic-01" / "2017.xlsx", synthetic_content(1, 2017))
    assert ran([("synthetic-01", 2017)]) == {(2017, "finance"), (2017, "review")}
    assert ran() == {(y, n) for y in (2018, 2019) for n in ("finance", "review")}
    assert ran([("synthetic-01", y) for y in (2017, 2018, 2019)]) == set()
