"""A killed run ends whole (issue 28.3): after SIGKILL or SIGHUP of `perfkit run`, its workers,
the server they were forked from and multiprocessing's resource tracker end within seconds,
write nothing more, do not keep the run's output pipe open, and leave no temporary folder.

Only the `perfkit run` process is signalled, as a user's `kill` or a closed terminal would
(its process group is the test's own session, so nothing else is hit). Every process the run
starts carries a marker in its environment, by which the test finds them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not Path("/proc").exists(), reason="needs /proc")]


def _perfkit() -> list[str]:
    exe = Path(sys.executable).with_name("perfkit")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "perfkit.cli"]


@pytest.fixture
def project(tmp_path):
    """Three synthetic departments; the project's finance notebook pauses after its third code
    cell, so that the run can be killed while a notebook executes."""
    import nbformat

    from perfkit import config
    from synthetic import prepare_project, write_synthetic

    root = prepare_project(tmp_path / "proj")
    write_synthetic(root, 3, (2019,))
    nb = nbformat.read(config.package_notebooks_dir() / "finance.ipynb", as_version=4)
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    nb.cells.insert(code[2] + 1, nbformat.v4.new_code_cell("import time\ntime.sleep(3)"))
    nbformat.write(nb, root / "notebooks" / "finance.ipynb")
    temp = tmp_path / "tmp"  # the run's temporary folders (Typst's compiler folder …)
    temp.mkdir()
    marker = uuid.uuid4().hex
    env = {**os.environ, "PERFKIT_ROOT": str(root), "PERFKIT_OUTPUTS": str(root / "outputs"),
           "PERFKIT_TEST_RUN": marker, "TMPDIR": str(temp), "COLUMNS": "4000"}
    yield root, env, temp
    for pid in _processes(marker):
        os.kill(pid, signal.SIGKILL)


def _processes(marker: str) -> list[int]:
    """Live processes started for the project (found by the marker in their environment)."""
    mark = f"PERFKIT_TEST_RUN={marker}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            env = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if mark in env.split(b"\0") and state != "Z":
            found.append(int(entry.name))
    return found


def _files(outputs: Path) -> dict[str, tuple[int, int, int]]:
    """Every file under ``outputs`` with its inode, size and modification time."""
    found = {}
    for path in outputs.rglob("*"):
        try:
            st = path.lstat()
        except OSError:
            continue
        if path.is_file():
            found[str(path.relative_to(outputs))] = (st.st_ino, st.st_size, st.st_mtime_ns)
    return found


def _mid_run(outputs: Path, proc: subprocess.Popen, limit: float = 300) -> bool:
    """Wait until one department's finance report is written and the next one is in its
    pause (its cell journal lists three cells, perfkit.run.journal)."""
    end = time.monotonic() + limit
    while time.monotonic() < end and proc.poll() is None:
        if any(outputs.glob("*/2019/finance.pdf")):
            for journal in outputs.glob("*/2019/.finance.*.partial.ipynb.cells"):
                try:
                    if journal.read_text(encoding="utf-8").count("\n") >= 3:
                        return True
                except OSError:
                    continue
        time.sleep(0.02)
    return False


@pytest.mark.parametrize("sig", ["SIGKILL", "SIGHUP"])
def test_killed_run_ends_whole_and_writes_nothing_after(project, sig):
    root, env, temp = project
    outputs = root / "outputs"
    # The run starts as from a terminal: SIGHUP at its default even when the tests themselves
    # run under nohup (which perfkit honours, leaving an ignored SIGHUP ignored).
    proc = subprocess.Popen([*_perfkit(), "run", "-n", "finance", "--jobs", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=root,
                            start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_DFL))
    try:
        assert _mid_run(outputs, proc), "the run never reached a notebook's pause"
        at_kill = _files(outputs)
        os.kill(proc.pid, getattr(signal, sig))
        # communicate() returns once nobody holds the run's stdout and stderr any more: the
        # pipes `perfkit run | tee` would wait on.
        proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()

    deadline = time.monotonic() + 20
    while _processes(env["PERFKIT_TEST_RUN"]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _processes(env["PERFKIT_TEST_RUN"]) == [], "processes of the run outlived it"
    ended = _files(outputs)
    time.sleep(3)
    assert _files(outputs) == ended, "files changed after the run ended"

    reports = {k: v for k, v in at_kill.items()
               if not Path(k).name.startswith(".") and Path(k).suffix in (".html", ".pdf",
                                                                         ".ipynb", ".csv")}
    assert {k: ended.get(k) for k in reports} == reports, "a report was replaced after the kill"
    temporary = [k for k in ended if ".partial." in k or ".staging." in k or k.endswith(".tmp")]
    assert temporary == []  # the worker removed its notebook's temporary files
    assert [p.name for p in temp.iterdir() if p.name.startswith("perfkit-")] == []
    if sig == "SIGHUP":  # a closed terminal stops the run as Ctrl-C does: what finished is kept
        assert proc.returncode == 130
        done = [k for k in ended if k.endswith("manifest.json")]
        assert done, "the finished department-year was not recorded"
