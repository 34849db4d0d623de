"""A Dask cluster without a shared folder (issue #26, item 5): a real ``dask scheduler`` and
``dask worker``, started in folders of their own; where the machine allows it (root, unshare),
the worker runs in a mount namespace in which the project folder is an empty tmpfs, so it
cannot read or write a file of the project. The documents must still all arrive, written by the
runner, and an unchanged rerun must skip every notebook (the worker's reads map back to the
project's files)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from synthetic import department_code, prepare_project, write_bureau

import perfkit

pytestmark = pytest.mark.slow

DASK = Path(sys.executable).parent / "dask"
REPO = Path(perfkit.__file__).resolve().parents[1]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _can_hide(folder: Path) -> bool:
    """Whether a process can be given a mount namespace where ``folder`` is empty."""
    if shutil.which("unshare") is None or os.geteuid() != 0:
        return False
    probe = subprocess.run(["unshare", "-m", "sh", "-c", f"mount -t tmpfs none '{folder}'"],
                           capture_output=True, timeout=30)
    return probe.returncode == 0


def _wait_for(log: Path, text: str, proc: subprocess.Popen, seconds: float = 60) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if text in log.read_text(errors="replace"):
            return
        if proc.poll() is not None:
            break
        time.sleep(0.3)
    raise AssertionError(f"{text!r} not in {log}:\n{log.read_text(errors='replace')[-3000:]}")


@pytest.fixture
def cluster(tmp_path):
    """(scheduler address, worker folder, project folder, whether the project is hidden)."""
    project = prepare_project(tmp_path / "project")
    write_bureau(project, 2, (2019,), broken=())
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("PERFKIT_ROOT", None)
    env.pop("PERFKIT_OUTPUTS", None)
    address = f"tcp://127.0.0.1:{_port()}"
    procs = []
    try:
        sched_dir, worker_dir = tmp_path / "scheduler", tmp_path / "worker"
        sched_dir.mkdir()
        worker_dir.mkdir()
        sched_log = sched_dir / "log"
        procs.append(subprocess.Popen(
            [str(DASK), "scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1],
             "--dashboard-address", ":0"], cwd=sched_dir, env=env,
            stdout=sched_log.open("w"), stderr=subprocess.STDOUT))
        _wait_for(sched_log, "Scheduler at", procs[0])
        worker = [str(DASK), "worker", address, "--nworkers", "1", "--nthreads", "1",
                  "--local-directory", str(worker_dir), "--no-dashboard"]
        hidden = _can_hide(project)
        if hidden:
            worker = ["unshare", "-m", "sh", "-c",
                      f"mount -t tmpfs none '{project}' && exec " + " ".join(
                          f"'{a}'" for a in worker)]
        worker_log = worker_dir / "log"
        procs.append(subprocess.Popen(worker, cwd=worker_dir, env={**env, "TMPDIR": str(
            worker_dir)}, stdout=worker_log.open("w"), stderr=subprocess.STDOUT))
        _wait_for(worker_log, "Registered to", procs[1])
        yield address, worker_dir, project, hidden
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in reversed(procs):
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()


def test_documents_come_back_from_a_worker_without_the_project(cluster):
    address, worker_dir, project, hidden = cluster
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "200"}
    env.pop("PERFKIT_ROOT", None)
    env.pop("PERFKIT_OUTPUTS", None)
    cmd = [sys.executable, "-m", "perfkit.cli", "run", "--year", "2019", "--scheduler", address,
           "-n", "finance", "-n", "review"]
    first = subprocess.run(cmd, cwd=project, env=env, capture_output=True, text=True,
                           timeout=1200)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    for i in (1, 2):
        out = project / "outputs" / department_code(i) / "2019"
        for name in ("finance.html", "finance.pdf", "finance.ipynb", "review.html",
                     "review.pdf", "review.docx"):
            assert (out / name).stat().st_size > 0, name
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        reads = manifest["notebooks"]["review"]["reads"]
        assert f"data/{department_code(i)}/2019.xlsx" in reads
        assert not any(str(worker_dir) in k for k in reads)
    # The worker laid the inputs out as a project of its own, in its own folder.
    laid_out = list((worker_dir / "perfkit-remote").glob("*/data/*/2019.xlsx"))
    assert len(laid_out) == 2
    if hidden:  # and it could not have written into the project
        assert not list((worker_dir / "perfkit-remote").glob("*/outputs/*/*/*.html"))
    again = subprocess.run(cmd, cwd=project, env=env, capture_output=True, text=True,
                           timeout=1200)
    assert again.returncode == 0 and "跳过 4" in again.stdout, again.stdout[-2000:]
