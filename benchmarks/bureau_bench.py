"""A finance bureau's year at scale (issue #26, item 6): every figure against its goal.

Usage: ``.venv/bin/python benchmarks/bureau_bench.py [--depts 100] [--small 10] [--jobs 2]
[--dask N] [--no-pdf] [--keep]``

1. ``--depts`` department-years of the synthetic bureau (``tests/synthetic.py``: varied fields,
   sizes, missing data, self-scores and text; two with a broken workbook, which fail alone),
   every document with PDF, ``perfkit run --jobs 2`` cold, with the bureau's 复核汇总, 结果通报
   and 整改台账 at the end: wall time, CPU time of the whole process tree, CPU per
   department-year, peak resident memory of the tree (sampled every 0.1 s).
2. The same with ``--small`` department-years: CPU per department-year and peak memory should
   not grow with the batch (flatness: the ratio 100 : 10).
3. ``--dask N`` (default ``--depts``) department-years on a local Dask cluster of ``--jobs``
   workers (``--scheduler local``); 0 leaves it out.

Goal: all 100 in at most 5 minutes on 2 cores. CPU time is user + system time of the command and
every process it started (``getrusage(RUSAGE_CHILDREN)``), so it does not depend on what else the
machine runs; wall time does: the load average is printed with it, and ``CPU ÷ jobs`` is the wall
time the batch needs on cores of its own (the runner keeps both busy: see the utilisation).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run_bench import Timing, project, say, timed  # beside this script

#: The goals of issue #26.
GOAL_WALL_S = 300.0
GOAL_FLAT = 1.25  # CPU per department-year and peak memory, 100 against 10
BROKEN = (13, 57)


def batch(base: Path, depts: int, jobs: int, pdf: bool, scheduler: str | None = None
          ) -> tuple[Timing, int, Path]:
    """Run ``depts`` synthetic department-years cold; (timing, department-years run, root)."""
    from synthetic import write_bureau

    root, env = project(base, sample=False)
    write_bureau(root, depts, (2019,), broken=[b for b in BROKEN if b <= depts])
    cmd = [sys.executable, "-m", "perfkit.cli", "run", "--year", "2019", "--jobs", str(jobs)]
    if not pdf:
        cmd.append("--no-pdf")
    if scheduler:
        cmd += ["--scheduler", scheduler]
    t = timed(cmd, env, root, check=False, memory=True)
    if t.result.returncode not in (0, 1):  # 1: the broken department-years failed, as meant
        raise SystemExit(f"run failed:\n{t.result.stdout[-3000:]}\n{t.result.stderr[-3000:]}")
    ran = sum(1 for p in (root / "outputs").glob("*/2019/manifest.json"))
    missing = [p for p in ("复核汇总.xlsx", "复核汇总.html", "结果通报.docx", "整改台账.xlsx")
               if not (root / "outputs" / "2019" / p).is_file()]
    if missing:
        raise SystemExit(f"bureau documents missing: {missing}\n{t.result.stdout[-2000:]}")
    return t, ran, root


def report(label: str, t: Timing, ran: int, jobs: int) -> dict[str, float]:
    per = t.cpu / max(ran, 1)
    say(f"{label}: {ran} department-years run")
    say(f"  wall {t.wall:7.1f} s   CPU {t.cpu:7.1f} s   CPU/department-year {per:5.2f} s   "
        f"CPU÷{jobs} {t.cpu / jobs:7.1f} s   utilisation {t.cpu / t.wall / jobs:4.0%}   "
        f"peak memory {(t.peak or 0) / 2**20:6.0f} MiB   load {os.getloadavg()[0]:.1f}")
    return {"wall": t.wall, "cpu": t.cpu, "per": per, "peak": float(t.peak or 0)}


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--depts", type=int, default=100)
    ap.add_argument("--small", type=int, default=10)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--dask", type=int, default=None, help="department-years on Dask (0: none)")
    ap.add_argument("--no-pdf", dest="pdf", action="store_false")
    ap.add_argument("--keep", action="store_true", help="keep the project folders")
    args = ap.parse_args()
    dask = args.depts if args.dask is None else args.dask
    base = Path(tempfile.mkdtemp(prefix="perfkit-bureau-bench-"))
    say(f"perfkit bureau benchmark: {os.cpu_count()} cores on this machine, jobs {args.jobs}, "
        f"PDF {'on' if args.pdf else 'off'}; projects under {base}")
    try:
        big_t, big_n, _ = batch(base / "big", args.depts, args.jobs, args.pdf)
        big = report(f"(1) {args.depts} department-years", big_t, big_n, args.jobs)
        small_t, small_n, _ = batch(base / "small", args.small, args.jobs, args.pdf)
        small = report(f"(2) {args.small} department-years", small_t, small_n, args.jobs)
        if dask:
            dask_t, dask_n, _ = batch(base / "dask", dask, args.jobs, args.pdf, "local")
            report(f"(3) {dask} department-years on a local Dask cluster", dask_t, dask_n,
                   args.jobs)
        say()
        on_own = big["cpu"] / args.jobs
        say(f"goal: {args.depts} department-years in ≤ {GOAL_WALL_S:.0f} s on {args.jobs} cores: "
            f"measured wall {big['wall']:.0f} s ({verdict(big['wall'] <= GOAL_WALL_S)} on this "
            f"shared machine); CPU ÷ {args.jobs} = {on_own:.0f} s "
            f"({verdict(on_own <= GOAL_WALL_S)} on cores of its own)")
        cpu_ratio = big["per"] / small["per"]
        mem_ratio = big["peak"] / small["peak"] if small["peak"] else float("nan")
        say(f"goal: flat in the batch size (≤ {GOAL_FLAT}×): CPU per department-year "
            f"{args.depts}:{args.small} = {cpu_ratio:.2f}× ({verdict(cpu_ratio <= GOAL_FLAT)}), "
            f"peak memory {mem_ratio:.2f}× ({verdict(mem_ratio <= GOAL_FLAT)})")
    finally:
        if args.keep:
            say(f"kept {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
