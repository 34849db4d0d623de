"""Time and memory of ``perfkit check`` on hostile and huge inputs (issue 28, items 1, 7, 9).

Usage: ``.venv/bin/python benchmarks/hostile_bench.py [--only NAME …] [--limit-gb 6]
[--timeout 300] [--run]`` (run it with another checkout's ``.venv/bin/python`` to measure that
checkout's perfkit: the builders come from this one)

Each case is built by ``tests/corpus/hostile.py`` (the sizes of the issue) in a temporary
project folder, then ``perfkit check`` runs on it once under ``/usr/bin/time``: wall time, peak
resident memory of the process, exit status and the first line of its message. The process is
limited to ``--limit-gb`` of address space and ``--timeout`` seconds, so that measuring the code
before the fix does not take the machine down with it: a case that hits either prints
"over limit". Wall times depend on what else the machine runs (the load average is printed).

Measured on the development machine (2 cores shared with other jobs, load average 3-5, so
wall times are inflated alike), before (d432f5c) and after the change; limits 5 GB, 300 s:

| case | before | after |
|---|---|---|
| sample (for comparison) | 1.9 s, 123 MiB, passes | 2.2 s, 117 MiB, passes |
| far_space: a space at 绩效指标!A1048576 | 65.3 s, 2994 MiB, passes | 1.9 s, 116 MiB, passes |
| far_styled: a formatted cell at XFD1048576 | 149 s, MemoryError at 5 GB | 2.0 s, 116 MiB, passes |
| huge_shared_strings: 9.6 MB, 1.2 M strings | 30.0 s, 306 MiB, passes | 1.5 s, 108 MiB, refused (size) |
| many_rows: 1,000,000 rows in 绩效指标 | killed after 300 s | 1.1 s, 108 MiB, refused (size) |
| styled_rows: 200,000 formatted empty rows | 110 s, 1091 MiB, passes | 1.2 s, 108 MiB, refused (size) |
| styled_rows_60k: 60,000 formatted empty rows (17 MB) | 9.5 s, 416 MiB, passes | 1.6 s, 117 MiB, passes |
| settings_1_6mb: 64,000 confirmed_values | 85.0 s, 216 MiB | 3.9 s, 176 MiB |
| nested_yaml: 100,000 deep | 7.6 s, traceback (RecursionError) | 1.8 s, located message |

With ``--run`` (all six documents, PDFs included), after: the sample 27.1 s and 1013 MiB for
the process tree, far_space 18.9 s and 1020 MiB (the issue measured 93 s and 9.3 GB before).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "corpus"))
os.environ.setdefault("PERFKIT_ROOT", str(REPO))  # the builders start from this repository's sample

import hostile  # noqa: E402  (tests/corpus is not a package)

PERFKIT = Path(sys.executable).parent / "perfkit"


def say(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def project(base: Path) -> Path:
    """A project folder holding the sample's settings (the marker file and params/)."""
    root = base / "proj"
    (root / "params" / "yiyang-edu").mkdir(parents=True)
    (root / "data" / "yiyang-edu").mkdir(parents=True)
    (root / "perfkit.toml").write_text('name = "hostile inputs"\n', encoding="utf-8")
    shutil.copy(REPO / "data" / "yiyang-edu" / "2019.xlsx", root / "data" / "yiyang-edu")
    return root


#: name → (what it is, build(folder) → the arguments of perfkit check).
Case = tuple[str, Callable[[Path], list[str]]]


def _workbook(build: Callable[[Path], Path]) -> Callable[[Path], list[str]]:
    def make(folder: Path) -> list[str]:
        (folder / "data" / "case").mkdir(parents=True, exist_ok=True)
        return [str(build(folder / "data" / "case" / "2019.xlsx"))]

    return make


def _settings(build: Callable[[Path], Path]) -> Callable[[Path], list[str]]:
    def make(folder: Path) -> list[str]:
        params = build(folder / "params" / "case.yaml")
        return [str(folder / "data" / "yiyang-edu" / "2019.xlsx"), "--params", str(params)]

    return make


CASES: dict[str, Case] = {
    "sample": ("the 2019 sample as it is (for comparison)",
               lambda folder: [str(folder / "data" / "yiyang-edu" / "2019.xlsx")]),
    "far_space": ("a space typed at 绩效指标!A1048576", _workbook(hostile.far_space)),
    "far_styled": ("a formatted empty cell at 绩效指标!XFD1048576", _workbook(hostile.far_styled)),
    "huge_shared_strings": ("9 MB workbook, 1.2 million shared strings",
                            _workbook(hostile.huge_shared_strings)),
    "many_rows": ("1,000,000 filled rows in 绩效指标", _workbook(hostile.many_rows)),
    "styled_rows": ("200,000 formatted empty rows (12 columns) in 绩效指标",
                    _workbook(hostile.styled_rows)),
    "styled_rows_60k": ("60,000 formatted empty rows (12 columns, 17 MB of XML: within the limit)",
                        _workbook(lambda p: hostile.styled_rows(p, rows=60_000))),
    "settings_1_6mb": ("a 1.6 MB run-settings file (64,000 confirmed_values)",
                       _settings(lambda p: hostile.settings_yaml(p, 64_000))),
    "nested_yaml": ("run settings nested 100,000 deep", _settings(hostile.nested_yaml)),
}


def measure(args: list[str], root: Path, limit_gb: float, timeout: float) -> tuple[str, str]:
    """Run ``perfkit check`` with ``args``: (figures, first line of its output)."""
    env = {**os.environ, "PERFKIT_ROOT": str(root)}
    limit = int(limit_gb * 2**30)

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    cmd = ["/usr/bin/time", "-f", "%e %M", str(PERFKIT), "check", *args]
    start = time.perf_counter()
    # A session of its own, so that a timeout ends perfkit too, not only /usr/bin/time.
    proc = subprocess.Popen(cmd, env=env, cwd=root, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, preexec_fn=cap,
                            start_new_session=True)
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return f"over limit: killed after {timeout:.0f} s", ""
    wall = time.perf_counter() - start
    lines = stderr.strip().splitlines()
    kib = lines.pop().split()[-1] if lines else "?"  # /usr/bin/time's "%e %M" line
    out = (stdout + "\n".join(lines)).strip()
    first = next((x for x in out.splitlines() if x.strip()), "")
    memory = f"{int(kib) / 1024:.0f} MiB" if kib.isdigit() else "?"
    crashed = "Traceback" in out or "MemoryError" in out
    status = f"exit {proc.returncode}" + (" (traceback)" if crashed else "")
    if proc.returncode < 0 or "MemoryError" in out:
        status += f", over limit ({limit_gb:g} GB of address space)"
    return f"{wall:.1f} s, {memory}, {status}", first[:160]


def measure_run(workbook: Path, base: Path) -> str:
    """``perfkit run`` of one department-year whose workbook is ``workbook``, in a project of
    its own: wall time and the peak resident memory of the whole process tree."""
    import psutil

    root = base / f"run-{workbook.parent.name}"
    (root / "data" / "case").mkdir(parents=True)
    (root / "params" / "case").mkdir(parents=True)
    (root / "perfkit.toml").write_text('name = "hostile run"\n', encoding="utf-8")
    shutil.copy(workbook, root / "data" / "case" / "2019.xlsx")
    settings = (REPO / "params" / "yiyang-edu" / "2019.yaml").read_text(encoding="utf-8")
    settings = settings.replace("department: yiyang-edu", "department: case").replace(
        "workbook: data/yiyang-edu/2019.xlsx", "workbook: data/case/2019.xlsx")
    (root / "params" / "case" / "2019.yaml").write_text(settings, encoding="utf-8")
    env = {**os.environ, "PERFKIT_ROOT": str(root)}
    peak = 0
    start = time.perf_counter()
    proc = subprocess.Popen([str(PERFKIT), "run", "--year", "2019", "--dept", "case"], env=env,
                            cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    top = psutil.Process(proc.pid)
    while proc.poll() is None:
        total = 0
        try:
            for p in [top, *top.children(recursive=True)]:
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    pass
        except psutil.Error:
            break
        peak = max(peak, total)
        time.sleep(0.1)
    return (f"{time.perf_counter() - start:.1f} s, {peak / 2**20:.0f} MiB (process tree), "
            f"exit {proc.returncode}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="*", default=None, help="case names")
    parser.add_argument("--limit-gb", type=float, default=6.0)
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--run", action="store_true",
                        help="also time perfkit run (all documents) on the sample and far_space")
    opts = parser.parse_args()
    measured = PERFKIT.resolve().parents[2]  # the checkout whose .venv runs perfkit
    head = subprocess.run(["git", "-C", str(measured), "log", "-1", "--format=%h %s"],
                          capture_output=True, text=True).stdout.strip()
    say(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
        f"perfkit of {measured} at {head[:70]}")
    base = Path(tempfile.mkdtemp(prefix="perfkit-hostile-"))
    try:
        root = project(base)
        for name, (about, build) in CASES.items():
            if opts.only and name not in opts.only:
                continue
            args = build(root)
            size = Path(args[-1]).stat().st_size
            figures, first = measure(args, root, opts.limit_gb, opts.timeout)
            say(f"{name}: {about} ({size / 2**20:.2f} MB): {figures}")
            if first:
                say(f"    {first}")
        if opts.run:
            for name, build in (("sample", None), ("far_space", hostile.far_space)):
                folder = base / f"wb-{name}"
                folder.mkdir()
                workbook = folder / "2019.xlsx"
                if build is None:
                    shutil.copy(REPO / "data" / "yiyang-edu" / "2019.xlsx", workbook)
                else:
                    build(workbook)
                say(f"run {name}: {measure_run(workbook, base)}")
    finally:
        if opts.keep:
            say(f"kept {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
