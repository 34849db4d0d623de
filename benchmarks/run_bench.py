"""Speed benchmark of the report runner (issue 6); prints five figures and their ratios.

Usage: ``.venv/bin/python benchmarks/run_bench.py [--batch-pdf] [--keep]``

1. one department-year (the 2019 sample), every notebook → ipynb + HTML + PDF, cold, with
   ``perfkit run`` (one CLI process, default jobs = cores);
2. the same work done the naive way: one ``papermill`` CLI call per notebook, then one CLI call
   per output format per notebook (``jupyter nbconvert --to html``; PDF with the ``weasyprint``
   CLI on that HTML, as ``nbconvert --to pdf`` needs LaTeX and ``--to webpdf`` a browser);
3. the compute floor: the notebooks' own code cells executed in one warm Python process (no
   kernel, no rendering), after one untimed warm-up pass;
4. an unchanged rerun (everything cached): wall time of the whole ``perfkit run`` command;
5. 20 synthetic department-years (finance notebook, HTML; ``--batch-pdf`` adds PDF) with
   ``--jobs 1`` and ``--jobs 2``, with the peak memory of the whole process tree, and the same
   at 4 department-years to show the peak does not grow with the batch.

Everything runs in a temporary project folder; the repository's outputs/ are not touched.
Timings are wall-clock on this machine, single runs: other load on the machine shows in them
(the load average is printed).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
TARGETS = {"naive_over_runner": 6.0, "runner_over_floor": 2.5, "cached_s": 1.5, "speedup": 1.7}


def say(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def timed(cmd: list[str], env: dict[str, str], cwd: Path, *, check: bool = True,
          memory: bool = False) -> tuple[float, int | None, subprocess.CompletedProcess]:
    """Run a command; return (seconds, peak RSS bytes of its process tree or None, result)."""
    peak = [0]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    sampler = None
    if memory:
        import psutil

        def sample() -> None:
            try:
                top = psutil.Process(proc.pid)
                while proc.poll() is None:
                    total = 0
                    for p in [top, *top.children(recursive=True)]:
                        try:
                            total += p.memory_info().rss
                        except psutil.Error:
                            pass
                    peak[0] = max(peak[0], total)
                    time.sleep(0.1)
            except psutil.Error:
                pass

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
    out, err = proc.communicate()
    seconds = time.perf_counter() - start
    if sampler:
        sampler.join(timeout=1)
    done = subprocess.CompletedProcess(cmd, proc.returncode, out, err)
    if check and proc.returncode not in (0,):
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{out}\n{err}")
    return seconds, (peak[0] if memory else None), done


def project(base: Path, sample: bool = True) -> tuple[Path, dict[str, str]]:
    from perfkit.synthetic import prepare_project

    root = prepare_project(base)
    env = {**os.environ, "PERFKIT_ROOT": str(root), "PERFKIT_OUTPUTS": str(root / "outputs"),
           "PYTHONUNBUFFERED": "1"}
    if not sample:  # synthetic data never shares a data/ folder with a real department
        return root, env
    shutil.copytree(REPO / "data" / "yiyang-edu", root / "data" / "yiyang-edu",
                    ignore=shutil.ignore_patterns("*.py", "*.md"), dirs_exist_ok=True)
    shutil.copytree(REPO / "params" / "yiyang-edu", root / "params" / "yiyang-edu",
                    dirs_exist_ok=True)
    return root, env


def notebooks(root: Path) -> list[str]:
    from perfkit import config

    return [n for n in config.NOTEBOOK_FILES if (root / "notebooks" / f"{n}.ipynb").exists()]


FLOOR = r'''
import json, sys, time
from pathlib import Path
root, names = Path(sys.argv[1]), sys.argv[2].split(",")
import matplotlib
matplotlib.use("agg")
import perfkit as pk, perfkit.tables, perfkit.charts, perfkit.narrative
import nbformat
cells = {n: [c.source for c in nbformat.read(root / "notebooks" / f"{n}.ipynb", 4).cells
             if c.cell_type == "code" and "parameters" not in c.metadata.get("tags", [])]
         for n in names}
params = {"department": "yiyang-edu", "year": 2019, "workbook": "", "params_file": ""}
def once():
    import matplotlib.pyplot as plt
    for n in names:
        ns = dict(params)
        for src in cells[n]:
            exec(compile(src, n, "exec"), ns)
        plt.close("all")
once()
t = time.perf_counter()
once()
print(json.dumps({"seconds": time.perf_counter() - t}))
'''


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batch-pdf", action="store_true", help="also typeset PDFs in the batch")
    ap.add_argument("--keep", action="store_true", help="keep the temporary project folder")
    args = ap.parse_args()
    import json

    base = Path(tempfile.mkdtemp(prefix="perfkit-bench-"))
    root, env = project(base / "proj")
    names = notebooks(root)
    perfkit = [str(VENV_BIN / "perfkit")]
    say(f"perfkit benchmark — {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; "
        f"notebooks: {', '.join(names)}; project {root}")

    # (1) perfkit runner, cold.
    t1, _, r = timed([*perfkit, "run", "--dept", "yiyang-edu", "--year", "2019", "--force"],
                     env, root, check=False)
    say(f"(1) perfkit run, 1 department-year, {len(names)} notebooks → ipynb+HTML+PDF, cold: "
        f"{t1:.1f} s (exit {r.returncode})")
    if r.returncode:
        say(r.stdout[-2000:])

    # (4) unchanged rerun: everything cached.
    t4, _, r4 = timed([*perfkit, "run", "--dept", "yiyang-edu", "--year", "2019"], env, root,
                      check=False)
    say(f"(4) unchanged rerun, whole CLI command: {t4:.2f} s "
        f"({'all skipped' if '成功 0' in r4.stdout else 'NOT all skipped'})")

    # (2) naive: one CLI call per notebook, then per format.
    naive = root / "naive"
    naive.mkdir()
    t2 = 0.0
    parts = {"papermill": 0.0, "nbconvert html": 0.0, "weasyprint pdf": 0.0}
    for n in names:
        out = naive / f"{n}.ipynb"
        s, _, _ = timed([str(VENV_BIN / "papermill"), str(root / "notebooks" / f"{n}.ipynb"),
                         str(out), "-p", "department", "yiyang-edu", "-p", "year", "2019",
                         "--cwd", str(root), "--no-progress-bar"], env, root)
        parts["papermill"] += s
        s, _, _ = timed([str(VENV_BIN / "jupyter"), "nbconvert", "--to", "html",
                         "--no-input", str(out)], env, root)
        parts["nbconvert html"] += s
        s, _, _ = timed([str(VENV_BIN / "weasyprint"), str(naive / f"{n}.html"),
                         str(naive / f"{n}.pdf")], env, root, check=False)
        parts["weasyprint pdf"] += s
    t2 = sum(parts.values())
    say(f"(2) naive CLI calls, one at a time: {t2:.1f} s ("
        + ", ".join(f"{k} {v:.1f} s" for k, v in parts.items()) + ")")

    # (3) compute floor.
    _, _, r3 = timed([sys.executable, "-c", FLOOR, str(root), ",".join(names)], env, root)
    t3 = json.loads(r3.stdout.strip().splitlines()[-1])["seconds"]
    say(f"(3) compute floor, same package calls in one warm process: {t3:.2f} s")

    # (5) batch of synthetic department-years.
    from perfkit.synthetic import write_synthetic

    root, env = project(base / "batch", sample=False)
    write_synthetic(root, 10, (2019, 2020))
    batch = ["run", "--depts", ",".join(f"synthetic-{i:02d}" for i in range(1, 11)),
             "--years", "2019-2020", "-n", "finance", "--force"]
    if not args.batch_pdf:
        batch.append("--no-pdf")
    results = {}
    for jobs in (1, 2):
        env_b = {**env, "PERFKIT_OUTPUTS": str(root / f"outputs-batch-{jobs}")}
        s, peak, rb = timed([*perfkit, *batch, "--jobs", str(jobs)], env_b, root, memory=True,
                            check=False)
        results[jobs] = (s, peak, rb.returncode)
        say(f"(5) 20 synthetic department-years, --jobs {jobs}: {s:.1f} s, peak memory "
            f"{peak / 2**20:.0f} MiB (exit {rb.returncode})")
    small = ["run", "--depts", ",".join(f"synthetic-{i:02d}" for i in range(1, 3)),
             "--years", "2019-2020", "-n", "finance", "--force"] + (
        [] if args.batch_pdf else ["--no-pdf"])
    env_s = {**env, "PERFKIT_OUTPUTS": str(root / "outputs-batch-small")}
    s_small, peak_small, _ = timed([*perfkit, *small, "--jobs", "2"], env_s, root, memory=True,
                                   check=False)
    say(f"    4 department-years, --jobs 2: {s_small:.1f} s, peak memory "
        f"{peak_small / 2**20:.0f} MiB")

    # Import cost of the notebook tooling (jupyterlab's jsonschema format checkers).
    imp = {}
    for label, code in (("import papermill", "import papermill"),
                        ("same, perfkit worker (rfc3987-syntax skipped)",
                         "import perfkit.engine as e; e.skip_slow_imports(); import papermill")):
        s, _, _ = timed([sys.executable, "-c", code], env, root)
        imp[label] = s
    say("    import cost per process: " + "; ".join(f"{k} {v:.1f} s" for k, v in imp.items()))

    speedup = results[1][0] / results[2][0]
    ratios = {
        "naive_over_runner": t2 / t1,
        "runner_over_floor": t1 / t3,
        "cached_s": t4,
        "speedup": speedup,
    }
    say("")
    say("ratio                          measured   target    met")
    say(f"(2)/(1) naive ÷ runner         {ratios['naive_over_runner']:8.2f}   ≥ 6.0     "
        f"{ratios['naive_over_runner'] >= 6}")
    say(f"(1)/(3) runner ÷ compute floor {ratios['runner_over_floor']:8.2f}   ≤ 2.5     "
        f"{ratios['runner_over_floor'] <= 2.5}")
    say(f"(4) cached rerun, s            {t4:8.2f}   ≤ 1.5     {t4 <= 1.5}")
    say(f"(5) speed-up jobs 1 → 2        {speedup:8.2f}   ≥ 1.7     {speedup >= 1.7}")
    say(f"(5) peak MiB, 20 vs 4 dept-yrs {results[2][1] / 2**20:8.0f}   ≈ "
        f"{peak_small / 2**20:.0f}      {results[2][1] <= peak_small * 1.25}")
    say(f"load average at the end {os.getloadavg()[0]:.2f}")
    if args.keep:
        say(f"kept {base}")
    else:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
