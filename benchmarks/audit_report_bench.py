"""Time and memory of ``perfkit audit --report`` on hostile and large reports (issue 28 item 5).

Usage: ``.venv/bin/python benchmarks/audit_report_bench.py [--perfkit CMD] [--timeout S]
[--max-rss-mb M] [--only NAME …]``

Every input is generated in a temporary folder (nothing is committed):

- ``repeat-N``: the issue's .txt, one short sentence (决算收入1万元，) repeated N times without a
  full stop, so each repeat is a figure of one run-on sentence, every one checked against the
  first (N = 1000 is 22 KB; 2000 and 4000 show how the cost grows).
- ``ratio-N``: a ratio sentence (决算收入100万元，为年初预算80万元的125%，) repeated N times,
  three figures and a 本句核对 each.
- ``seed-x20``: the sample's 2019 report text 20 times over (a long real text, 430 KB).
- ``docx-3m``: a .docx of 3 million one-character paragraphs (330 KB), the issue's second file;
  ``docx-3m-empty``: 3 million empty paragraphs; ``docx-rows``: a table of 3 million rows.

Each runs as its own ``perfkit audit --report FILE --out CSV`` process: wall time, peak
resident memory of that process (``wait4``), bytes printed, and the exit status (2: refused
with a message). ``--perfkit`` measures another installation (e.g. ``/work/main/.venv/bin/perfkit``
for the code before the change); a run is stopped at ``--timeout`` seconds or when its memory
passes ``--max-rss-mb`` (so a quadratic run cannot take the machine), and reported as stopped.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "data" / "yiyang-edu" / "2019-report.txt"


def say(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _docx(path: Path, body: bytes, repeat: int) -> Path:
    import docx

    buf = io.BytesIO()
    docx.Document().save(buf)
    src = zipfile.ZipFile(buf)
    head = src.read("word/document.xml").decode().split("<w:body>")[0] + "<w:body>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            if item.filename != "word/document.xml":
                z.writestr(item, src.read(item.filename))
        with z.open("word/document.xml", "w", force_zip64=True) as w:
            w.write(head.encode())
            for _ in range(repeat // 10_000):
                w.write(body * 10_000)
            w.write(b"</w:body></w:document>")
    return path


def inputs(folder: Path) -> dict[str, Path]:
    """Every benchmark input, written to ``folder``."""
    out: dict[str, Path] = {}
    for n in (1000, 2000, 4000):
        out[f"repeat-{n}"] = folder / f"repeat-{n}.txt"
        out[f"repeat-{n}"].write_text("决算收入1万元，" * n, encoding="utf-8")
    for n in (2000, 4000):
        out[f"ratio-{n}"] = folder / f"ratio-{n}.txt"
        out[f"ratio-{n}"].write_text("决算收入100万元，为年初预算80万元的125%，" * n, encoding="utf-8")
    out["seed-x20"] = folder / "seed-x20.txt"
    out["seed-x20"].write_text(SEED.read_text(encoding="utf-8") * 20, encoding="utf-8")
    out["docx-3m"] = _docx(folder / "docx-3m.docx", b"<w:p><w:r><w:t>1</w:t></w:r></w:p>",
                           3_000_000)
    out["docx-3m-empty"] = _docx(folder / "docx-3m-empty.docx", b"<w:p/>", 3_000_000)
    out["docx-rows"] = _docx(folder / "docx-rows.docx", b"<w:tbl>" + (
        b"<w:tr><w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc></w:tr>" * 10) + b"</w:tbl>",
        300_000)
    return out


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def measure(cmd: list[str], path: Path, timeout: float, max_rss_mb: float) -> dict:
    """Run ``cmd audit --report path --out …`` and measure it."""
    csv = path.with_suffix(".csv")
    csv.unlink(missing_ok=True)
    started = time.perf_counter()
    with tempfile.TemporaryFile() as sink:
        proc = subprocess.Popen([*cmd, "audit", "--report", str(path), "--out", str(csv)],
                                stdout=sink, stderr=subprocess.STDOUT, cwd=REPO,
                                env={**os.environ, "COLUMNS": "160", "NO_COLOR": "1"},
                                start_new_session=True)
        stopped = ""
        while True:  # wait4, not poll(): it gives this process's own peak memory
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - started > timeout:
                stopped = f"stopped at {timeout:.0f} s"
            elif _rss_kb(proc.pid) > max_rss_mb * 1024:
                stopped = f"stopped at {max_rss_mb:.0f} MB"
            if stopped:
                os.killpg(proc.pid, signal.SIGKILL)
                _, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.1)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
        printed = sink.seek(0, os.SEEK_END)
        sink.seek(0)
        head = sink.read(4000).decode("utf-8", "replace")
    message = next((line for line in head.splitlines() if line.startswith("错误")), "")
    return {"wall_s": wall, "rss_mb": usage.ru_maxrss / 1024, "printed_kb": printed / 1024,
            "csv_kb": csv.stat().st_size / 1024 if csv.exists() else 0.0,
            "status": stopped or f"exit {proc.returncode}", "message": message[:90]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--perfkit", default=str(Path(sys.executable).parent / "perfkit"),
                        help="the perfkit command to measure (default: this environment's)")
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--max-rss-mb", type=float, default=4000.0)
    parser.add_argument("--only", nargs="*", help="names of the inputs to run")
    args = parser.parse_args()
    cmd = args.perfkit.split()
    say(f"perfkit: {args.perfkit}   load average: {os.getloadavg()[0]:.1f} "
        f"({os.cpu_count()} cores)")
    folder = Path(tempfile.mkdtemp(prefix="perfkit-audit-bench-"))
    try:
        files = inputs(folder)
        say(f"{'input':<15} {'size':>9} {'wall s':>8} {'peak MB':>8} {'printed':>10} "
            f"{'CSV':>9}  status")
        for name, path in files.items():
            if args.only and name not in args.only:
                continue
            m = measure(cmd, path, args.timeout, args.max_rss_mb)
            say(f"{name:<15} {path.stat().st_size / 1024:>7.0f}KB {m['wall_s']:>8.1f} "
                f"{m['rss_mb']:>8.0f} {m['printed_kb']:>8.0f}KB {m['csv_kb']:>7.0f}KB  "
                f"{m['status']} {m['message']}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
