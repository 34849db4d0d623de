"""Nothing lost: a run killed or interrupted mid-way leaves the previous reports intact.

Each test runs ``perfkit run`` for a department-year in a project folder of its own (a copy of
the sample), keeps the good reports, starts a second forced run, stops it while the finance
notebook is executing (its partial copy exists and has executed cells), and then reads what is
left. Every process the test starts carries a marker in its environment, so that the test ends
exactly those (the run, its workers and the server they are forked from) and nothing else.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from html.parser import HTMLParser
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

DEPT, YEAR = "lost", 2019
REPORTS = ("finance.html", "finance.ipynb")


def _perfkit() -> list[str]:
    exe = Path(sys.executable).with_name("perfkit")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "perfkit.cli"]


class Project:
    """A project folder with the sample as ``data/lost/2019.xlsx`` and its own outputs."""

    def __init__(self, root: Path):
        from conftest import SAMPLE_WORKBOOK

        from synthetic import prepare_project

        self.root = prepare_project(root)
        target = self.root / "data" / DEPT / f"{YEAR}.xlsx"
        target.parent.mkdir(parents=True)
        target.write_bytes(SAMPLE_WORKBOOK.read_bytes())
        # The project's own finance notebook: perfkit's, with a pause after its third code
        # cell, so that a test can act while the notebook is mid-way (without it the notebook
        # runs in well under a second).
        import nbformat

        from perfkit import config

        nb = nbformat.read(config.package_notebooks_dir() / "finance.ipynb", as_version=4)
        code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
        nb.cells.insert(code[2] + 1, nbformat.v4.new_code_cell("import time\ntime.sleep(3)"))
        (self.root / "notebooks").mkdir(exist_ok=True)
        nbformat.write(nb, self.root / "notebooks" / "finance.ipynb")
        self.outputs = self.root / "outputs"
        self.folder = self.outputs / DEPT / str(YEAR)
        self.marker = uuid.uuid4().hex
        self.env = {**os.environ, "PERFKIT_ROOT": str(self.root),
                    "PERFKIT_OUTPUTS": str(self.outputs), "PERFKIT_TEST_RUN": self.marker,
                    "COLUMNS": "4000"}

    def command(self, *extra: str) -> list[str]:
        return [*_perfkit(), "run", "--dept", DEPT, "--year", str(YEAR), "--notebook", "finance",
                "--no-pdf", "--jobs", "1", "--outputs", str(self.outputs), *extra]

    def run(self, *extra: str) -> subprocess.CompletedProcess:
        return subprocess.run(self.command(*extra), capture_output=True, text=True,
                              env=self.env, cwd=self.root, timeout=900)

    def start(self, *extra: str) -> subprocess.Popen:
        return subprocess.Popen(self.command(*extra), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=self.env, cwd=self.root,
                                start_new_session=True)

    def processes(self) -> list[int]:
        """Live processes started for this project (found by the marker in their environment)."""
        mark = f"PERFKIT_TEST_RUN={self.marker}".encode()
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

    def end_all(self) -> None:
        for pid in self.processes():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def snapshot(self) -> dict[str, bytes]:
        return {name: (self.folder / name).read_bytes() for name in REPORTS}

    def leftovers(self) -> list[str]:
        return sorted(p.name for p in self.folder.iterdir()
                      if ".partial." in p.name or ".staging." in p.name or p.suffix == ".tmp")


def _wait_mid_execution(project: Project, proc: subprocess.Popen, limit: float = 600) -> bool:
    """Wait until the finance notebook has executed some cells (the journal beside its partial
    copy lists them, perfkit.run.journal) and is in its pause."""
    end = time.monotonic() + limit
    while time.monotonic() < end and proc.poll() is None:
        for journal in project.folder.glob(".finance.*.partial.ipynb.cells"):
            try:
                done = journal.read_text(encoding="utf-8").count("\n")
            except OSError:
                continue
            if done >= 3:
                return True
        time.sleep(0.02)
    return False


def _stop_mid_run(project: Project, sig: int) -> tuple[int, str]:
    """Start a forced run, send ``sig`` to its process group mid-execution; (status, output)."""
    for _attempt in range(3):
        proc = project.start("--force")
        if _wait_mid_execution(project, proc):
            os.killpg(proc.pid, sig)
            out, err = proc.communicate(timeout=300)
            return proc.returncode, out + err
        proc.communicate(timeout=600)  # finished before we saw it mid-way: try again
    pytest.fail("never caught the finance notebook mid-execution")


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data):
        self.parts.append(data)


def _assert_reports_intact(project: Project, before: dict[str, bytes]) -> None:
    assert project.snapshot() == before
    nb = json.loads((project.folder / "finance.ipynb").read_text(encoding="utf-8"))
    assert nb["cells"]
    parser = _Text()
    parser.feed((project.folder / "finance.html").read_text(encoding="utf-8"))
    assert "24192.45万元" in "".join(parser.parts)
    manifest = json.loads((project.folder / "manifest.json").read_text(encoding="utf-8"))
    # After a failed or interrupted run the entry points to the report kept in place.
    assert manifest["notebooks"]["finance"]["html"] == "finance.html"


@pytest.fixture
def project(tmp_path):
    p = Project(tmp_path / "project")
    first = p.run()
    assert first.returncode == 0, first.stdout + first.stderr
    yield p
    p.end_all()


def test_killed_run_leaves_previous_reports(project):
    before = project.snapshot()
    _stop_mid_run(project, signal.SIGKILL)
    project.end_all()  # SIGKILL reaches no process outside the group: end those we started
    _assert_reports_intact(project, before)
    # The killed run's OS lock died with it: the next run is not refused.
    again = project.run()
    assert again.returncode == 0, again.stdout + again.stderr
    _assert_reports_intact(project, before)  # unchanged inputs: skipped, reports kept


def test_next_run_sweeps_a_killed_runs_temp_files(project):
    _stop_mid_run(project, signal.SIGKILL)
    project.end_all()
    assert project.leftovers()  # a SIGKILLed process cannot clean up after itself
    again = project.run()
    assert again.returncode == 0, again.stdout + again.stderr
    assert project.leftovers() == []


def test_ctrl_c_stops_cleanly(project):
    before = project.snapshot()
    status, output = _stop_mid_run(project, signal.SIGINT)
    assert status != 0
    assert "Traceback" not in output and "中断" in output
    _assert_reports_intact(project, before)
    assert project.leftovers() == []
    deadline = time.monotonic() + 60  # a worker may take a moment to exit after its SIGTERM
    while project.processes() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert project.processes() == [], "orphaned worker processes"


def test_second_run_on_same_outputs_is_refused_clearly(project):
    before = project.snapshot()
    first = project.start("--force")
    try:
        assert _wait_mid_execution(project, first)
        second = project.run("--force")
        assert second.returncode != 0
        text = second.stdout + second.stderr
        assert "Traceback" not in text and "另一个 perfkit 运行正在写入" in text
    finally:
        try:
            os.killpg(first.pid, signal.SIGINT)
        except ProcessLookupError:
            pass  # it had already finished
        first.communicate(timeout=300)
    after = project.snapshot()
    if after != before:
        # The first run finished its notebook while the second was being refused (its Ctrl-C
        # came later): its new reports must have replaced the old ones whole, never mixed.
        assert all(after[name] != before[name] for name in REPORTS)
        before = after
    _assert_reports_intact(project, before)
