"""Runner robustness: one run per output folder (lock), and Ctrl-C stops cleanly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from perfkit import config
from perfkit.run.locking import OutputLock, OutputLocked
from synthetic import prepare_project, write_synthetic

PERFKIT = [sys.executable, "-m", "perfkit.cli"]


@pytest.fixture
def project(tmp_path, monkeypatch, use_project):
    """A synthetic project folder, with perfkit's paths pointed at it (in-process and env)."""
    root = prepare_project(tmp_path / "proj")
    write_synthetic(root, 3, (2019,))
    outputs = use_project(root).outputs_dir
    env = {**os.environ, "PERFKIT_ROOT": str(root), "PERFKIT_OUTPUTS": str(outputs),
           "PYTHONUNBUFFERED": "1"}
    return root, outputs, env


def _procs_with_root(root: Path) -> list[tuple[int, str]]:
    """Processes started for this project (their environment names its folder)."""
    needle = f"PERFKIT_ROOT={root}".encode()
    found = []
    for p in Path("/proc").iterdir():
        if not p.name.isdigit():
            continue
        try:
            if needle in (p / "environ").read_bytes().split(b"\0"):
                cmd = (p / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                found.append((int(p.name), cmd))
        except OSError:
            continue
    return found


def test_lock_refuses_a_second_holder_and_names_the_first(tmp_path):
    folder = tmp_path / "out" / "d" / "2019"
    with OutputLock(folder):
        with pytest.raises(OutputLocked) as caught:
            OutputLock(folder).acquire()
        message = str(caught.value)
        assert "另一个 perfkit 运行正在写入" in message
        assert f"进程 {os.getpid()}" in message
    OutputLock(folder).acquire().release()  # free again once released


@pytest.mark.skipif(not Path("/proc").exists(), reason="needs a POSIX process table")
def test_lock_is_released_when_the_holder_dies(tmp_path):
    folder = tmp_path / "out"
    code = ("import sys, time; from perfkit.run.locking import OutputLock; "
            f"lock = OutputLock({str(folder)!r}).acquire(); print('held', flush=True); "
            "time.sleep(60)")
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(OutputLocked):
            OutputLock(folder).acquire()
        holder.kill()
        holder.wait(timeout=10)
        OutputLock(folder).acquire().release()  # no stale lock after a crash
    finally:
        holder.kill()


def test_run_skips_a_locked_department_year_with_a_clear_message(project):
    from perfkit.run.runner import FAILED, run

    _, outputs, _ = project
    with OutputLock(config.output_dir("synthetic-01", 2019, outputs)):
        results = run([("synthetic-01", 2019)], notebooks=["finance"], outputs=outputs, pdf=False)
    assert [r.status for r in results] == [FAILED]
    assert "另一个 perfkit 运行正在写入" in results[0].error
    assert not (outputs / "synthetic-01" / "2019" / "finance.html").exists()


def test_cli_second_run_on_locked_outputs_says_so(project):
    root, outputs, env = project
    with OutputLock(config.output_dir("synthetic-02", 2019, outputs)):
        done = subprocess.run([*PERFKIT, "run", "--dept", "synthetic-02", "--year", "2019",
                               "-n", "finance", "--no-pdf"], env=env, capture_output=True,
                              text=True, timeout=120, cwd=root)
    assert done.returncode == 1
    assert "另一个 perfkit 运行正在写入" in done.stdout.replace("\n", "")


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").exists(), reason="needs a POSIX process table")
def test_ctrl_c_stops_workers_and_leaves_no_partial_files(project):
    root, outputs, env = project
    first = subprocess.run([*PERFKIT, "run", "--dept", "synthetic-01", "--year", "2019",
                            "-n", "finance", "--no-pdf", "--jobs", "1"], env=env,
                           capture_output=True, text=True, timeout=600, cwd=root)
    assert first.returncode == 0, first.stdout + first.stderr
    # Its workers and the server they were forked from have ended when `perfkit run` returns.
    assert _procs_with_root(root) == []
    good = outputs / "synthetic-01" / "2019"
    before = {p.name: p.read_bytes() for p in good.iterdir() if p.is_file()}

    proc = subprocess.Popen([*PERFKIT, "run", "-n", "finance", "--no-pdf", "--jobs", "2",
                             "--force"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=root)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if any(".partial." in p.name for p in outputs.rglob(".*")):
                break  # a worker is inside a notebook
            time.sleep(0.1)
        else:
            pytest.fail("no notebook started within 120 s")
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, out + err
    assert "已中断" in err
    # Issue 12.12: perfkit returns only once its workers have ended.
    assert _procs_with_root(root) == []  # no orphaned worker or forkserver, not even a dying one

    leftovers = [p for p in outputs.rglob(".*")
                 if ".partial." in p.name or ".staging." in p.name or p.suffix == ".tmp"]
    assert leftovers == []
    for name, data in before.items():  # each report is the old one or a complete new one
        now = good / name
        assert now.exists()
        if name.endswith(".html") and now.read_bytes() != data:
            assert now.read_text(encoding="utf-8").rstrip().endswith("</html>")
    manifest = json.loads((good / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["notebooks"]["finance"]["status"] in {"ok", "interrupted"}


@pytest.mark.slow
def test_notebook_that_ends_its_worker_fails_alone_keeps_what_ran_and_the_next_one_runs(
        project):
    import nbformat

    from perfkit.run.runner import run

    root, outputs, _ = project
    nb = nbformat.read(root / "notebooks" / "finance.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("import os; os._exit(1)  # the worker dies"))
    nbformat.write(nb, root / "notebooks" / "crash.ipynb")
    results = run([("synthetic-01", 2019), ("synthetic-02", 2019)],
                  notebooks=["crash", "finance"], outputs=outputs, jobs=1, pdf=False)
    status = {(r.department, r.notebook): r for r in results}
    crashed = status[("synthetic-01", "crash")]
    assert crashed.status == "failed" and crashed.failed_copy == "failed/crash.ipynb"
    partial = nbformat.read(outputs / "synthetic-01" / "2019" / crashed.failed_copy, 4)
    assert any(c.get("outputs") for c in partial.cells)  # the cells that ran are kept
    assert "工作进程意外退出" in crashed.error
    assert status[("synthetic-01", "finance")].status == "ok"  # a new worker took over
    assert status[("synthetic-02", "finance")].status == "ok"


def _notebook(root: Path, name: str, code: str) -> None:
    """A small notebook of the project: the runner's parameters, then ``code``."""
    import nbformat

    params = nbformat.v4.new_code_cell('department = ""\nyear = 0\nworkbook = ""\nparams_file = ""')
    params.metadata["tags"] = ["parameters"]
    nb = nbformat.v4.new_notebook(cells=[params, nbformat.v4.new_code_cell(code)], metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    nbformat.write(nb, root / "notebooks" / f"{name}.ipynb")


def _shown(outputs: Path, dept: str, name: str) -> str:
    """What the last cell of an executed notebook showed."""
    import nbformat

    nb = nbformat.read(outputs / dept / "2019" / f"{name}.ipynb", as_version=4)
    return nb.cells[-1].outputs[0]["data"]["text/plain"]


@pytest.mark.slow
def test_a_worker_is_replaced_after_its_notebooks(project, monkeypatch):
    """A worker retires after MAX_NOTEBOOKS_PER_WORKER notebooks and a new one takes the next
    task (ProcessPoolExecutor's max_tasks_per_child could leave the queue waiting for ever on
    Python 3.11, CPython gh-115634)."""
    from perfkit.run import engine
    from perfkit.run.runner import run

    root, outputs, _ = project
    monkeypatch.setattr(engine, "MAX_NOTEBOOKS_PER_WORKER", 2)
    for name in ("pid_a", "pid_b"):
        _notebook(root, name, "import os\nos.getpid()")
    depts = [(f"synthetic-0{i}", 2019) for i in (1, 2, 3)]
    results = run(depts, notebooks=["pid_a", "pid_b"], outputs=outputs, jobs=1, pdf=False)
    assert [r.status for r in results] == ["ok"] * 6, [r.error for r in results]
    pids = [_shown(outputs, d, n) for d, _ in depts for n in ("pid_a", "pid_b")]
    assert max(pids.count(p) for p in pids) == 2 and len(set(pids)) == 3
    assert _procs_with_root(root) == []


@pytest.mark.slow
def test_a_notebook_that_ends_its_worker_leaves_the_other_workers_notebook_alone(project):
    """With two workers, one notebook ends its process while the other worker executes another
    notebook: that one runs once, to the end (a ProcessPoolExecutor of both workers would have
    failed it too, BrokenProcessPool, and terminated its process)."""
    from perfkit.run.runner import run

    root, outputs, _ = project
    ran = root / "ran.txt"
    _notebook(root, "crash", "import os, time\ntime.sleep(1)\nos._exit(3)")
    _notebook(root, "steady", f"import time\nopen({str(ran)!r}, 'a').write('ran\\n')\n"
                              "time.sleep(4)\n'done'")
    results = run([("synthetic-01", 2019)], notebooks=["steady", "crash"], outputs=outputs,
                  jobs=2, pdf=False)
    status = {r.notebook: r for r in results}
    assert status["crash"].status == "failed"
    assert "工作进程意外退出（退出码 3）" in status["crash"].error
    assert status["steady"].status == "ok"
    assert _shown(outputs, "synthetic-01", "steady") == "'done'"
    assert ran.read_text() == "ran\n"  # executed once, never cut short and sent again


def test_next_run_sweeps_temp_files_a_killed_run_left(project):
    from perfkit.run.runner import _sweep

    _, outputs, _ = project
    folder = outputs / "synthetic-01" / "2019"
    (folder / "tables").mkdir(parents=True)
    (folder / ".finance.abc.partial.ipynb").write_text("{}")
    (folder / ".finance.staging.xyz").mkdir()
    (folder / "tables" / ".indicators.csv.q1.tmp").write_text("")
    (folder / "finance.html").write_text("<html></html>")
    (folder / ".perfkit.lock").write_text("")
    _sweep(folder)
    assert sorted(p.name for p in folder.rglob("*")) == [".perfkit.lock", "finance.html",
                                                         "tables"]
