"""A task for a cluster worker that does not share the project folder (``--scheduler tcp://…``).

The task's inputs travel with it: the runner lists the project's files a notebook may read
(perfkit.toml, the run settings and score sheets under ``params/``, the project's catalogs and
notebooks, the department's workbooks of every year, its tables of every year), each by the
SHA-256 of its content; the bytes are sent once per content (:meth:`perfkit.run.pool.DaskPool`
scatters them under their hash, so a catalog every task uses travels once per worker). The worker
lays the files out as a project of its own under its local folder, content-addressed (the same
files make the same folder, reused by the next task of the department-year), executes the
notebook there and sends back the documents it wrote; the runner writes them into its outputs
folder, as a local worker would have.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from perfkit import config
from perfkit.atomic import sha256_file, write_bytes_atomic
from perfkit.run.engine import FAILED_DIR, OK, NotebookResult, Task, run_task

log = logging.getLogger(__name__)

#: Where a worker lays out the projects it receives (under its temporary folder).
WORKER_FOLDER = "perfkit-remote"
#: Project folders a worker keeps (the oldest beyond are removed).
KEEP_PROJECTS = 16
#: How paths appear in a result's reads before the runner maps them to its own folders.
_ROOT, _OUTPUTS, _PACKAGE = "<project>", "<outputs>", "<perfkit>"


@dataclass(frozen=True)
class RemoteTask:
    """A task and the files it reads, by content.

    Attributes:
        task: the task with its paths relative: ``root``/``outputs_root``/``out_dir``/``source``
            as the runner has them, rewritten by the worker.
        files: project-relative path → SHA-256 (``outputs/…`` for the outputs folder).
        source: the notebook: ``project:<path>`` of the project's, else ``perfkit:<name>``.
    """

    task: Task
    files: dict[str, str]
    source: str


@dataclass
class RemoteResult:
    """A worker's reply: the result, and the files it wrote (path in the output folder →
    bytes)."""

    result: NotebookResult
    documents: dict[str, bytes] = field(default_factory=dict)


def _rel(path: Path, base: Path) -> str | None:
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return None


def _walk(folder: Path, patterns: Iterable[str]) -> list[Path]:
    return sorted(p for pat in patterns for p in folder.glob(pat) if p.is_file())


def input_files(task: Task) -> dict[str, Path]:
    """The files a notebook of ``task`` may read, by the path the worker gives them."""
    root, outputs = Path(task.root), Path(task.outputs_root)
    found: dict[str, Path] = {}
    marker = root / config.MARKER
    if marker.is_file():
        found[config.MARKER] = marker
    for p in _walk(root, ("params/**/*.yaml", "params/**/*.yml", "domains/*.yaml",
                          "notebooks/*.ipynb", f"data/{task.department}/*.xlsx")):
        found[p.relative_to(root).as_posix()] = p
    for p in _walk(outputs, (f"{task.department}/*/tables/*",)):
        found[f"outputs/{p.relative_to(outputs).as_posix()}"] = p
    for value in (task.workbook, task.params_file):  # named outside the usual folders
        if value:
            p = Path(value) if Path(value).is_absolute() else root / value
            rel = _rel(p, root)
            if rel is not None and p.is_file():
                found[rel] = p
    return found


def pack(task: Task) -> tuple[RemoteTask, dict[str, Path]]:
    """The task as a worker without the project folder runs it, and the files by hash."""
    files = input_files(task)
    by_hash = {sha256_file(p): p for p in files.values()}
    hashes = {rel: sha256_file(p) for rel, p in files.items()}
    source = Path(task.source)
    rel = _rel(source, Path(task.root))
    if rel is not None and source.is_file():
        hashes[rel] = sha256_file(source)
        by_hash[hashes[rel]] = source
        where = f"project:{rel}"
    else:
        where = f"perfkit:{source.name}"
    return RemoteTask(task, hashes, where), by_hash


def _layout(files: Mapping[str, str], blobs: Mapping[str, bytes]) -> Path:
    """The worker's project folder for these files (made once; the same files, the same
    folder)."""
    digest = hashlib.sha256(json.dumps(sorted(files.items())).encode()).hexdigest()[:24]
    base = Path(tempfile.gettempdir()) / WORKER_FOLDER
    folder = base / digest
    if not (folder / ".complete").exists():
        staging = base / f".{digest}.{os.getpid()}.partial"
        shutil.rmtree(staging, ignore_errors=True)
        for rel, sha in files.items():
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            data = blobs[sha]
            if hashlib.sha256(data).hexdigest() != sha:
                raise OSError(f"{rel}：传输后的内容与哈希不符")
            target.write_bytes(data)
        (staging / "outputs").mkdir(exist_ok=True)
        (staging / ".complete").write_text("", encoding="utf-8")
        try:
            staging.rename(folder)
        except OSError:  # another task laid out the same files meanwhile
            shutil.rmtree(staging, ignore_errors=True)
        _prune(base)
    os.utime(folder)
    return folder


def _prune(base: Path) -> None:
    kept = sorted((p for p in base.iterdir() if p.is_dir() and not p.name.startswith(".")),
                  key=lambda p: p.stat().st_mtime, reverse=True)
    for old in kept[KEEP_PROJECTS:]:
        shutil.rmtree(old, ignore_errors=True)


def execute_remote(remote: RemoteTask, blobs: Mapping[str, bytes]) -> RemoteResult:
    """On the worker: lay the files out, run the task there, return its documents."""
    task = remote.task
    folder = _layout(remote.files, blobs)
    outputs = folder / "outputs"
    out_dir = config.output_dir(task.department, task.year, outputs)
    kind, _, name = remote.source.partition(":")
    source = folder / name if kind == "project" else config.package_notebooks_dir() / name
    local = replace(task, root=str(folder), outputs_root=str(outputs), out_dir=str(out_dir),
                    source=str(source))
    result = run_task(local).result
    documents = {}
    names = [*(result.outputs or {}).values(), *([result.failed_copy] if result.failed_copy
                                                 else [])]
    for rel in names:
        p = out_dir / rel
        if p.is_file():
            documents[rel] = p.read_bytes()
            p.unlink()
    text = json.dumps(result.reads or {})
    for here, token in ((str(outputs), _OUTPUTS), (str(folder), _ROOT),
                        (str(config.PACKAGE_DIR), _PACKAGE)):
        text = text.replace(here, token)
    result.reads = json.loads(text)
    return RemoteResult(result, documents)


def unpack(reply: RemoteResult, task: Task) -> NotebookResult:
    """On the runner: write the documents a worker sent into the task's output folder (each
    atomically), as the local engine does, and map the reads to this project's paths."""
    result, out_dir = reply.result, Path(task.out_dir)
    for rel, data in reply.documents.items():
        target = out_dir / rel
        if _rel(target, out_dir) is None:  # a reply names only files of its folder
            continue
        write_bytes_atomic(target, data)
    if result.status == OK:
        if not task.analyst_copy:
            (out_dir / f"{task.notebook}.code.html").unlink(missing_ok=True)
        (out_dir / FAILED_DIR / f"{task.notebook}.ipynb").unlink(missing_ok=True)
    outputs = Path(task.outputs_root)
    rel_outputs = _rel(outputs, Path(task.root))
    reads = {}
    for key, sha in (result.reads or {}).items():
        key = key.replace(_PACKAGE, str(config.PACKAGE_DIR))
        if key.startswith("outputs/") and rel_outputs != "outputs":
            key = (outputs / key[len("outputs/"):]).as_posix() if rel_outputs is None else (
                f"{rel_outputs}/{key[len('outputs/'):]}")
        reads[key.replace(_OUTPUTS, str(outputs)).replace(_ROOT, task.root)] = sha
    result.reads = reads
    return result


__all__ = ["RemoteResult", "RemoteTask", "execute_remote", "input_files", "pack", "unpack"]
