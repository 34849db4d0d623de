"""Speed benchmark of the report runner (issues 6 and 15): every figure against its goal.

Usage: ``.venv/bin/python benchmarks/run_bench.py [--pairs N] [--batch-pdf] [--keep]``

1. One department-year (the 2019 sample), every document, cold, with ``perfkit run`` (one CLI
   process, default jobs = cores): wall time and CPU time of the whole process tree.
2. The same documents made the naive way, one command-line call at a time: for each notebook
   the runner executed, ``papermill`` with the same input notebook and parameters, then
   ``jupyter nbconvert --to html --no-input`` (the reviewer HTML), then the ``weasyprint`` CLI on
   that HTML (``nbconvert --to pdf`` needs LaTeX and ``--to webpdf`` a browser; perfkit does not
   use WeasyPrint: ``pip install -e '.[bench]'`` installs it for this baseline), and for the
   notebooks the runner wrote a Word file for, perfkit's Word writer called once per file (there
   is no standard command line for it). Runs (1) and (2) alternate ``--pairs`` times; medians.
3. The compute floor: the notebooks' own code cells executed in one warm IPython shell (no
   kernel, no rendering), their results shown as a notebook shows them (a chart is drawn when
   it is shown), CPU time after one untimed warm-up pass; the code alone (``exec``, results not
   shown) is printed beside it. Plus the PDF typesetting of
   the same documents (the blocks of the runner's executed notebooks) in one warm process by
   Typst (``perfkit.report.typstpdf.typst_pdf``), in perfkit's print layout (what the run
   typesets, and what counts) and in the official one.
4. An unchanged rerun (everything cached): wall time of the whole ``perfkit run`` command.
5. 20 synthetic department-years (finance notebook, HTML; ``--batch-pdf`` adds PDF) with
   ``--jobs 1`` and ``--jobs 2``, with the peak memory of the whole process tree, and the same
   at 4 department-years to show the peak does not grow with the batch.

CPU time is user + system time of the command and every process it started and reaped
(``getrusage(RUSAGE_CHILDREN)``), so it does not depend on what else the machine runs; wall
time does (the load average is printed). Everything runs in a temporary project folder; the
repository's outputs/ are not touched.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
# tests/synthetic.py writes the batch's synthetic departments (test code, not in the wheel).
sys.path.insert(0, str(REPO / "tests"))
#: The goals of issue 15.
GOALS = {"wall_ratio": 6.0, "cpu_ratio": 3.0, "over_floor": 2.5, "cached_s": 1.0,
         "speedup": 1.7, "memory_growth": 1.25}


def say(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


@dataclass
class Timing:
    wall: float
    cpu: float
    peak: int | None
    result: subprocess.CompletedProcess


def _children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def timed(cmd: list[str], env: dict[str, str], cwd: Path, *, check: bool = True,
          memory: bool = False) -> Timing:
    """Run a command; its wall time, the CPU time of its process tree and (``memory``) the
    peak resident memory of the tree, sampled every 0.1 s."""
    peak = [0]
    cpu0 = _children_cpu()
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
    cpu = _children_cpu() - cpu0
    if sampler:
        sampler.join(timeout=1)
    done = subprocess.CompletedProcess(cmd, proc.returncode, out, err)
    if check and proc.returncode != 0:
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{out}\n{err}")
    return Timing(seconds, cpu, peak[0] if memory else None, done)


def project(base: Path, sample: bool = True) -> tuple[Path, dict[str, str]]:
    from synthetic import prepare_project

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


# ---------------------------------------------------------------------------------------------
# (2) the naive way
# ---------------------------------------------------------------------------------------------

#: Perfkit's Word writer, called once per file (a department's own script would do this).
DOCX = r'''
import json, sys
from pathlib import Path
import nbformat
from perfkit.report.html import ReportMeta, reviewer_notebook as _reviewer_notebook
from perfkit.report.word import notebook_docx
executed, out, meta = Path(sys.argv[1]), Path(sys.argv[2]), json.loads(sys.argv[3])
nb = _reviewer_notebook(nbformat.read(executed, as_version=4))
out.write_bytes(notebook_docx(nb, ReportMeta(**meta)))
'''


def runner_documents(out_dir: Path) -> list[dict]:
    """What the runner made for one department-year: per executed notebook, its input
    notebook, parameters, stem and whether it has a Word file (from the manifest)."""
    import nbformat

    manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    docs = []
    for _name, entry in sorted((manifest.get("notebooks") or {}).items()):
        outputs = entry.get("outputs") or {}
        if entry.get("status") != "ok" or "ipynb" not in outputs:
            continue
        meta = nbformat.read(out_dir / outputs["ipynb"], as_version=4).metadata["papermill"]
        docs.append({"stem": Path(outputs["ipynb"]).stem, "source": meta["input_path"],
                     "parameters": meta["parameters"], "docx": "docx" in outputs,
                     "department": manifest.get("department_name") or "",
                     "year": manifest.get("year")})
    return docs


def naive(docs: list[dict], folder: Path, env: dict[str, str], root: Path
          ) -> tuple[float, float, dict[str, list[float]]]:
    """The naive loop; returns wall, CPU and per-step (wall, CPU)."""
    folder.mkdir(parents=True, exist_ok=True)
    parts: dict[str, list[float]] = {k: [0.0, 0.0] for k in (
        "papermill", "nbconvert html", "weasyprint pdf", "perfkit word")}

    def step(name: str, cmd: list[str], check: bool = True) -> None:
        t = timed(cmd, env, root, check=check)
        parts[name][0] += t.wall
        parts[name][1] += t.cpu

    for d in docs:
        out = folder / f"{d['stem']}.ipynb"
        step("papermill", [str(VENV_BIN / "papermill"), d["source"], str(out), "-y",
                           json.dumps(d["parameters"]), "--cwd", str(root),
                           "--no-progress-bar"])
        step("nbconvert html", [str(VENV_BIN / "jupyter"), "nbconvert", "--to", "html",
                                "--no-input", str(out)])
        step("weasyprint pdf", [str(VENV_BIN / "weasyprint"), str(folder / f"{d['stem']}.html"),
                                str(folder / f"{d['stem']}.pdf")], check=False)
        if d["docx"]:
            meta = {"department": d["department"], "year": d["year"], "title": d["stem"],
                    "generated_at": "2000-01-01T00:00:00+08:00", "perfkit_version": "",
                    "workbook_sha256": ""}
            step("perfkit word", [sys.executable, "-c", DOCX, str(out),
                                  str(folder / f"{d['stem']}.docx"), json.dumps(meta)])
    wall = sum(v[0] for v in parts.values())
    cpu = sum(v[1] for v in parts.values())
    return wall, cpu, parts


# ---------------------------------------------------------------------------------------------
# (3) the compute floor and the typesetting of the same pages
# ---------------------------------------------------------------------------------------------

FLOOR = r'''
import json, sys, time
from pathlib import Path
root, docs = Path(sys.argv[1]), json.loads(sys.argv[2])
import matplotlib
matplotlib.use("agg")
import perfkit as pk, perfkit.report.tables, perfkit.report.charts, perfkit.report.narrative
import nbformat
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output
from traitlets.config import Config
cells = {d["stem"]: [c.source for c in nbformat.read(d["source"], 4).cells
                     if c.cell_type == "code" and "parameters" not in c.metadata.get("tags", [])]
         for d in docs}
class Shell(InteractiveShell):
    def enable_gui(self, gui=None):  # no event loop: the inline backend needs none
        pass
config = Config()
config.HistoryManager.enabled = False
shell = Shell.instance(config=config)
shell.enable_matplotlib("inline")
def code_only():
    import matplotlib.pyplot as plt
    for d in docs:
        ns = dict(d["parameters"])
        for src in cells[d["stem"]]:
            exec(compile(src, d["stem"], "exec"), ns)
        plt.close("all")
def with_outputs():
    # The same cells in a plain IPython shell, their results shown as a notebook shows them
    # (charts drawn to PNG, tables and text formatted), the outputs thrown away.
    for d in docs:
        shell.reset(new_session=True)
        shell.user_ns.update(d["parameters"])
        for src in cells[d["stem"]]:
            with capture_output():
                ok = shell.run_cell(src, store_history=True).success
            if not ok:
                raise SystemExit(f"{d['stem']}: a cell failed: {src[:80]}")
result = {}
for name, fn in (("code", code_only), ("outputs", with_outputs)):
    fn()  # warm-up: imports, fonts, caches
    t = time.process_time()
    fn()
    result[name] = time.process_time() - t
print(json.dumps(result))
'''

TYPESET = r'''
import json, sys, time
from pathlib import Path
import nbformat
from perfkit.report.blocks import read_blocks
from perfkit.report.html import reviewer_notebook
from perfkit.report.meta import ReportMeta
from perfkit.report.typstpdf import typst_pdf
folder, stems = Path(sys.argv[1]), sys.argv[2].split(",")
docs = {s: read_blocks(reviewer_notebook(nbformat.read(folder / f"{s}.ipynb", as_version=4)))
        for s in stems}
meta = ReportMeta(department="", year=2019, title="", generated_at="2020-01-01T00:00:00+08:00",
                  perfkit_version="", workbook_sha256="")
result = {}
for layout in ("print", "official"):
    typst_pdf(docs[stems[-1]], meta, official=layout == "official")  # warm: fonts, compiler
    t = time.process_time()
    for s in stems:
        typst_pdf(docs[s], meta, official=layout == "official")
    result[layout] = time.process_time() - t
print(json.dumps(result))
'''


def typeset_cpu(out_dir: Path, stems: list[str], env: dict[str, str], root: Path
                ) -> dict[str, float]:
    """CPU seconds to typeset the documents ``stems`` of the runner's executed notebooks in
    each layout (perfkit.report.typstpdf.typst_pdf), warm."""
    t = timed([sys.executable, "-c", TYPESET, str(out_dir), ",".join(stems)], env, root)
    cpu = json.loads(t.result.stdout.splitlines()[-1])
    return {"Typst, print layout": cpu["print"], "Typst, official layout": cpu["official"]}


# ---------------------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", type=int, default=1,
                    help="alternate runner and naive loop this many times (medians)")
    ap.add_argument("--batch-pdf", action="store_true", help="also typeset PDFs in the batch")
    ap.add_argument("--keep", action="store_true", help="keep the temporary project folder")
    args = ap.parse_args()

    if not (VENV_BIN / "weasyprint").exists():
        sys.exit("the naive baseline (2) makes its PDFs with the weasyprint command, which perfkit "
                 "does not use: pip install -e '.[bench]'")
    base = Path(tempfile.mkdtemp(prefix="perfkit-bench-"))
    root, env = project(base / "proj")
    perfkit = [str(VENV_BIN / "perfkit")]
    out_dir = root / "outputs" / "yiyang-edu" / "2019"
    say(f"perfkit benchmark — {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; "
        f"project {root}")

    runs: list[Timing] = []
    naives: list[tuple[float, float, dict[str, list[float]]]] = []
    docs: list[dict] = []
    for i in range(max(1, args.pairs)):
        # (1) perfkit runner, cold.
        t1 = timed([*perfkit, "run", "--dept", "yiyang-edu", "--year", "2019", "--force"],
                   env, root, check=False)
        runs.append(t1)
        if t1.result.returncode:
            say(t1.result.stdout[-2000:] + t1.result.stderr[-2000:])
        docs = runner_documents(out_dir)
        made = sorted(p.name for p in out_dir.iterdir() if p.is_file()
                      and p.suffix in (".ipynb", ".html", ".pdf", ".docx"))
        say(f"(1) perfkit run, pair {i + 1}: {t1.wall:.1f} s wall, {t1.cpu:.1f} s CPU "
            f"(exit {t1.result.returncode}); {len(made)} files: {' '.join(made)}")
        # (2) naive.
        n = naive(docs, root / f"naive-{i}", env, root)
        naives.append(n)
        say(f"(2) naive loop, pair {i + 1}: {n[0]:.1f} s wall, {n[1]:.1f} s CPU ("
            + ", ".join(f"{k} {w:.1f} s / {c:.1f} s CPU" for k, (w, c) in n[2].items()) + ")")
    r_wall = statistics.median(t.wall for t in runs)
    r_cpu = statistics.median(t.cpu for t in runs)
    n_wall = statistics.median(n[0] for n in naives)
    n_cpu = statistics.median(n[1] for n in naives)
    stems = [d["stem"] for d in docs]
    say(f"    documents: {len(docs)} notebooks ({', '.join(stems)}), each ipynb + reviewer HTML "
        f"+ PDF; Word for {', '.join(d['stem'] for d in docs if d['docx']) or 'none'}")

    # (3) compute floor and typesetting.
    t3 = timed([sys.executable, "-c", FLOOR, str(root), json.dumps(docs)], env, root)
    floors = json.loads(t3.result.stdout.strip().splitlines()[-1])
    floor = floors["outputs"]
    say(f"(3) compute floor, the notebooks' code in one warm process: {floor:.2f} s CPU with "
        f"the cells' outputs made as a notebook shows them (charts drawn to PNG); "
        f"{floors['code']:.2f} s for the code alone (exec, results not shown)")
    engines = typeset_cpu(out_dir, stems, env, root)
    for name, cpu in engines.items():
        say(f"    PDF typesetting of the same pages, warm, {name}: {cpu:.2f} s CPU")
    pdf_cpu = engines["Typst, print layout"]  # the layout the run typesets
    budget = floor + pdf_cpu

    # (4) unchanged rerun: everything cached.
    t4 = timed([*perfkit, "run", "--dept", "yiyang-edu", "--year", "2019"], env, root,
               check=False)
    skipped = "成功 0" in t4.result.stdout
    say(f"(4) unchanged rerun, whole CLI command: {t4.wall:.2f} s wall, {t4.cpu:.2f} s CPU "
        f"({'all skipped' if skipped else 'NOT all skipped'})")

    # (5) batch of synthetic department-years.
    from synthetic import write_synthetic

    broot, benv = project(base / "batch", sample=False)
    write_synthetic(broot, 10, (2019, 2020))

    def batch(depts: int, jobs: int, label: str) -> Timing:
        cmd = [*perfkit, "run", "--depts",
               ",".join(f"synthetic-{i:02d}" for i in range(1, depts + 1)),
               "--years", "2019-2020", "-n", "finance", "--force", "--jobs", str(jobs)]
        if not args.batch_pdf:
            cmd.append("--no-pdf")
        e = {**benv, "PERFKIT_OUTPUTS": str(broot / f"outputs-{label}")}
        t = timed(cmd, e, broot, memory=True, check=False)
        say(f"(5) {2 * depts} synthetic department-years, --jobs {jobs}: {t.wall:.1f} s wall, "
            f"{t.cpu:.1f} s CPU, peak memory {(t.peak or 0) / 2**20:.0f} MiB "
            f"(exit {t.result.returncode}; load average {os.getloadavg()[0]:.2f})")
        return t

    b1 = batch(10, 1, "j1")
    b2 = batch(10, 2, "j2")
    small = batch(2, 2, "small")
    speedup = b1.wall / b2.wall
    growth = (b2.peak or 0) / max(1, small.peak or 0)

    say("")
    say("goal                                        measured        goal       ")
    rows = [
        ("naive ÷ runner, wall (2)/(1)", f"{n_wall:.1f} / {r_wall:.1f} s = {n_wall / r_wall:.2f}",
         f"≥ {GOALS['wall_ratio']}", n_wall / r_wall >= GOALS["wall_ratio"]),
        ("naive ÷ runner, CPU (2)/(1)", f"{n_cpu:.1f} / {r_cpu:.1f} s = {n_cpu / r_cpu:.2f}",
         f"≥ {GOALS['cpu_ratio']}", n_cpu / r_cpu >= GOALS["cpu_ratio"]),
        ("runner CPU ÷ (floor + PDF)",
         f"{r_cpu:.1f} / ({floor:.1f} + {pdf_cpu:.1f}) s = {r_cpu / budget:.2f}",
         f"≤ {GOALS['over_floor']}", r_cpu / budget <= GOALS["over_floor"]),
        ("unchanged rerun, wall", f"{t4.wall:.2f} s", f"≤ {GOALS['cached_s']} s",
         t4.wall <= GOALS["cached_s"] and skipped),
        ("20 dept-years, --jobs 1 ÷ --jobs 2, wall",
         f"{b1.wall:.1f} / {b2.wall:.1f} s = {speedup:.2f}", f"≥ {GOALS['speedup']}",
         speedup >= GOALS["speedup"]),
        ("peak memory, 20 ÷ 4 dept-years",
         f"{(b2.peak or 0) / 2**20:.0f} / {(small.peak or 0) / 2**20:.0f} MiB = {growth:.2f}",
         f"≤ {GOALS['memory_growth']}", growth <= GOALS["memory_growth"]),
    ]
    for label, measured, goal, ok in rows:
        say(f"{label:42s}  {measured:34s}  {goal:8s}  {verdict(ok)}")
    say(f"medians of {len(runs)} pair(s); load average at the end {os.getloadavg()[0]:.2f} "
        f"(2 cores: wall times include other users' load, CPU times do not)")
    if args.keep:
        say(f"kept {base}")
    else:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
