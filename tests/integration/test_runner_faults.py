"""The runner under faults (issue 28, runner side): an unexpected error, a full disk, a
read-only folder each fail what they touch, named, in a message that says what to do; the other
department-years still run and the manifests and index are written whole or not at all. What
the run writes names no absolute, temporary folder; after Ctrl-C the index shows the score of
the reports in place."""

from __future__ import annotations

import decimal
import errno
import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from synthetic import prepare_project, synthetic_content, write_synthetic

from perfkit import config

pytestmark = pytest.mark.slow

PERFKIT = [sys.executable, "-m", "perfkit.cli"]
DEPTS = [(f"synthetic-0{i}", 2019) for i in (1, 2, 3)]


@pytest.fixture
def project(tmp_path, monkeypatch, use_project):
    """Three synthetic departments, perfkit's paths pointed at them (in-process and env)."""
    root = prepare_project(tmp_path / "proj")
    write_synthetic(root, 3, (2019,))
    outputs = use_project(root).outputs_dir
    env = {**os.environ, "PERFKIT_ROOT": str(root), "PERFKIT_OUTPUTS": str(outputs),
           "COLUMNS": "4000"}
    return root, outputs, env


def _by_dept(results):
    out: dict[str, list] = {}
    for r in results:
        out.setdefault(r.department, []).append(r)
    return out


def test_an_unexpected_error_in_one_department_year_fails_it_alone(project, monkeypatch):
    """A value nothing checked (自评得分 = 1e27 made plan raise decimal.InvalidOperation) or a
    defect: that department-year fails, named; the others run; manifests and index are
    written."""
    from perfkit.run import tidy
    from perfkit.run.runner import FAILED, INPUT_CHECK, OK, run

    _, outputs, _ = project
    real = tidy.write_tables

    def write_tables(department, *args, **kwargs):
        if department == "synthetic-02":
            raise decimal.InvalidOperation([decimal.InvalidOperation])
        return real(department, *args, **kwargs)

    monkeypatch.setattr(tidy, "write_tables", write_tables)
    results = _by_dept(run(DEPTS, notebooks=["finance"], outputs=outputs, pdf=False))
    (failed,) = results["synthetic-02"]
    assert (failed.notebook, failed.status) == (INPUT_CHECK, FAILED)
    assert "意外错误" in failed.error and "InvalidOperation" in failed.error
    assert "其他部门年度照常运行" in failed.error and "改正后重新运行" in failed.error
    for dept in ("synthetic-01", "synthetic-03"):
        assert [r.status for r in results[dept]] == [OK]
        assert (outputs / dept / "2019" / "manifest.json").is_file()
    index = (outputs / "index.html").read_text(encoding="utf-8")
    assert "合成测试部门01" in index and "合成测试部门03" in index


def test_a_score_the_index_cannot_show_does_not_stop_the_batch(project):
    """自评得分 = 1e27 passed `check` and took the whole run down while writing the index
    (decimal.InvalidOperation): now no traceback, and the index lists the others."""
    root, outputs, env = project
    content = synthetic_content(2, 2019)
    content["info"]["claimed_score"] = 1e27
    from perfkit.data.template import write_workbook

    write_workbook(root / "data" / "synthetic-02" / "2019.xlsx", content)
    done = subprocess.run([*PERFKIT, "run", "-n", "finance", "--no-pdf", "--jobs", "1"],
                          env=env, capture_output=True, text=True, timeout=600, cwd=root)
    assert "Traceback" not in done.stdout + done.stderr, done.stdout + done.stderr
    index = (outputs / "index.html").read_text(encoding="utf-8")
    assert "合成测试部门01" in index and "合成测试部门03" in index
    for dept in ("synthetic-01", "synthetic-03"):
        manifest = json.loads((outputs / dept / "2019" / "manifest.json").read_text("utf-8"))
        assert manifest["notebooks"]["finance"]["status"] == "ok"


def test_full_disk_and_read_only_folder_fail_what_they_touch_with_a_message(project,
                                                                             monkeypatch):
    """synthetic-02's lock cannot be written (read-only outputs, simulated: root writes
    anywhere), the disk is full when synthetic-03's manifest and the index are written."""
    from filelock import FileLock

    from perfkit.report import index as index_module
    from perfkit.run import locking, manifest
    from perfkit.run.runner import FAILED, INDEX, INPUT_CHECK, MANIFEST, OK, run

    _, outputs, _ = project
    old_manifest = outputs / "synthetic-03" / "2019" / "manifest.json"
    old_manifest.parent.mkdir(parents=True)
    old_manifest.write_text('{"department": "synthetic-03", "notebooks": {}}', "utf-8")
    (outputs / "index.html").write_text("<html>earlier index</html>", encoding="utf-8")

    class ReadOnlyLock(FileLock):
        def acquire(self, *args, **kwargs):
            if "synthetic-02" in str(self.lock_file):
                raise PermissionError(errno.EACCES, "Permission denied", str(self.lock_file))
            return super().acquire(*args, **kwargs)

    def full(write):
        def write_text_atomic(path, text, **kwargs):
            if "synthetic-03" in str(path) or Path(path).name == "index.html":
                raise OSError(errno.ENOSPC, "No space left on device", str(path))
            return write(path, text, **kwargs)
        return write_text_atomic

    monkeypatch.setattr(locking, "FileLock", ReadOnlyLock)
    monkeypatch.setattr(manifest, "write_text_atomic", full(manifest.write_text_atomic))
    monkeypatch.setattr(index_module, "write_text_atomic", full(index_module.write_text_atomic))
    results = _by_dept(run(DEPTS, notebooks=["finance"], outputs=outputs, pdf=False))

    assert [r.status for r in results["synthetic-01"]] == [OK]
    assert (outputs / "synthetic-01" / "2019" / "manifest.json").is_file()
    (locked,) = results["synthetic-02"]
    assert (locked.notebook, locked.status) == (INPUT_CHECK, FAILED)
    assert "没有权限" in locked.error and "--outputs" in locked.error
    assert "synthetic-02" in locked.error  # the place
    ran, unrecorded = results["synthetic-03"]
    assert ran.status == OK and (unrecorded.notebook, unrecorded.status) == (MANIFEST, FAILED)
    assert str(old_manifest) in unrecorded.error and "磁盘已满" in unrecorded.error
    assert old_manifest.read_text("utf-8") == '{"department": "synthetic-03", "notebooks": {}}'
    (no_index,) = results[""]
    assert (no_index.notebook, no_index.status) == (INDEX, FAILED)
    assert "磁盘已满" in no_index.error and "index.html" in no_index.error
    assert (outputs / "index.html").read_text("utf-8") == "<html>earlier index</html>"
    assert not [p for p in outputs.rglob("*.tmp")]


def test_the_command_line_says_what_a_read_only_outputs_folder_needs(project, tmp_path):
    """Through the CLI: a file where the outputs' lock folder goes (as a read-only folder,
    but for root too) gives a message per department-year, no traceback."""
    root, outputs, env = project
    outputs.mkdir(exist_ok=True)
    (outputs / ".locks").write_text("a file, not a folder")
    done = subprocess.run([*PERFKIT, "run", "-n", "finance", "--no-pdf", "--jobs", "1"],
                          env=env, capture_output=True, text=True, timeout=600, cwd=root)
    text = done.stdout + done.stderr
    assert done.returncode == 1 and "Traceback" not in text, text
    assert text.count("无法写入") == 3 and "--outputs" in text


def test_nothing_written_names_an_absolute_or_temporary_folder(project):
    """The executed notebooks' papermill metadata and the manifest's read keys name paths in
    the project, never the temporary file a notebook was executed into (issue 28.11)."""
    from perfkit.run.runner import SKIPPED, run

    root, outputs, _ = project
    nb = nbformat.read(config.package_notebooks_dir() / "finance.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("1 / 0"))
    nbformat.write(nb, root / "notebooks" / "boom.ipynb")
    nb.cells[-1] = nbformat.v4.new_code_cell("import os; os._exit(1)")
    nbformat.write(nb, root / "notebooks" / "crash.ipynb")
    (root / "notebooks" / "finance.ipynb").unlink()  # perfkit's own is used
    results = run(DEPTS[:1], notebooks=["finance", "boom", "crash"], outputs=outputs,
                  pdf=False, jobs=1)
    assert {r.notebook: r.status for r in results} == {"finance": "ok", "boom": "failed",
                                                       "crash": "failed"}
    folder = outputs / "synthetic-01" / "2019"
    shown = {name: nbformat.read(folder / path, as_version=4).metadata.papermill
             for name, path in (("finance", "finance.ipynb"), ("boom", "failed/boom.ipynb"),
                                ("crash", "failed/crash.ipynb"))}
    assert shown["finance"]["input_path"] == "perfkit/notebooks/finance.ipynb"
    assert shown["finance"]["output_path"] == "outputs/synthetic-01/2019/finance.ipynb"
    assert shown["boom"]["input_path"] == "notebooks/boom.ipynb"
    assert shown["crash"]["output_path"] == "outputs/synthetic-01/2019/crash.ipynb"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    keys = [*manifest["tables_reads"], *(k for e in manifest["notebooks"].values()
                                         for k in e["reads"])]
    # Every key is project-relative, wherever perfkit itself is installed (perfkit's own
    # resources change with its version, not as files a run read).
    assert keys and not [k for k in keys if str(root) in k or "/tmp" in k or k.startswith("/")]
    again = run(DEPTS[:1], notebooks=["finance"], outputs=outputs, pdf=False, jobs=1)
    assert [r.status for r in again] == [SKIPPED]  # the relative keys still answer


def _file_size_limit(size: int):
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
    return limit


@pytest.mark.skipif(not hasattr(resource, "RLIMIT_FSIZE"), reason="POSIX file-size limit")
def test_a_full_disk_never_leaves_a_cut_short_notebook(project):
    """The disk fills while the executed notebook is written (simulated by a file-size limit:
    a write past it fails, as on a full disk). The failed copy kept is a whole notebook, and
    the message says where and what to do (issue 28.11)."""
    root, outputs, env = project
    done = subprocess.run([*PERFKIT, "run", "--dept", "synthetic-01", "--year", "2019",
                           "-n", "finance", "--no-pdf", "--jobs", "1"], env=env,
                          capture_output=True, text=True, timeout=600, cwd=root,
                          preexec_fn=_file_size_limit(120_000))
    text = done.stdout + done.stderr
    assert done.returncode == 1 and "Traceback" not in text, text
    folder = outputs / "synthetic-01" / "2019"
    assert f"无法写入 {folder}：文件超出系统允许的大小" in text
    copy = folder / "failed" / "finance.ipynb"
    assert copy.is_file()
    nbformat.read(copy, as_version=4)  # a whole notebook (was: cut off at the limit)
    assert not list(folder.glob(".*"))


def test_after_ctrl_c_the_index_shows_the_score_of_the_reports_in_place(project):
    """A changed 自评得分, then Ctrl-C once its tables are written, before any report: the
    index must not show the new score beside the old reports."""
    from perfkit.data.template import write_workbook
    from perfkit.run.runner import run

    root, outputs, _ = project
    notebooks = ["finance", "report"]

    def with_score(score: float) -> None:
        content = synthetic_content(1, 2019)
        content["info"]["claimed_score"] = score
        write_workbook(root / "data" / "synthetic-01" / "2019.xlsx", content)

    with_score(88.5)
    first = run(DEPTS[:1], notebooks=notebooks, outputs=outputs, pdf=False, jobs=1)
    assert {r.status for r in first} == {"ok"}
    index = outputs / "index.html"
    assert "88.50" in index.read_text(encoding="utf-8")

    with_score(77.25)

    def interrupt(expected: int) -> None:  # the department-year is planned: tables written
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run(DEPTS[:1], notebooks=notebooks, outputs=outputs, pdf=False, jobs=1,
            on_start=interrupt)
    folder = outputs / "synthetic-01" / "2019"
    assert "77.25" in (folder / "tables" / "score.json").read_text(encoding="utf-8")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert {e["status"] for e in manifest["notebooks"].values()} == {"interrupted"}
    assert "88.5" in (folder / "report.html").read_text(encoding="utf-8")
    shown = index.read_text(encoding="utf-8")
    assert "88.50" in shown and "77.25" not in shown
    assert manifest["claimed_score"] == 88.5

    final = run(DEPTS[:1], notebooks=notebooks, outputs=outputs, pdf=False, jobs=1)
    assert {r.status for r in final} == {"ok"}
    assert "77.25" in index.read_text(encoding="utf-8")


def test_a_defect_in_the_runner_stops_its_workers_and_frees_its_locks(project):
    """An exception in the runner itself (here: the progress callback) must not leave workers,
    the forkserver or output locks behind in a long-lived process (the next run's forkserver
    waited for ever on an orphaned worker)."""
    from multiprocessing import forkserver

    from perfkit.run.locking import OutputLock
    from perfkit.run.runner import run

    _, outputs, _ = project

    def broken(result) -> None:
        raise RuntimeError("a defect")

    with pytest.raises(RuntimeError):
        run(DEPTS[:2], notebooks=["finance"], outputs=outputs, pdf=False, jobs=1,
            on_result=broken)
    # Stopping the forkserver waits for it to end, which it does once its last worker has.
    assert getattr(forkserver._forkserver, "_forkserver_pid", None) is None
    for dept, year in DEPTS[:2]:
        OutputLock(config.output_dir(dept, year, outputs)).acquire().release()
