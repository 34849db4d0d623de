"""The record of a department-year's outputs, ``manifest.json``: what ran, with which inputs,
what it wrote, what failed and which earlier good reports stay in place. Read to decide what an
unchanged rerun may skip and to build the outputs index; written atomically after each run."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any

from perfkit import config
from perfkit.atomic import write_text_atomic
from perfkit.domains import catalogs
from perfkit.run.engine import FAILED, INTERRUPTED, OK, SKIPPED, NotebookResult

log = logging.getLogger(__name__)


def score_entry(out_dir: Path) -> dict[str, Any] | None:
    """The score-sheet result tidy wrote (``tables/score.json``), or None when there is none.

    Read, not recomputed, so a cached run and a fresh one report the same score; a missing or
    damaged file leaves the entry empty and never fails the run.
    """
    try:
        entry = json.loads((out_dir / "tables" / config.SCORE_SUMMARY).read_text(
            encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return entry if isinstance(entry, dict) else None


def project_relative(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(config.ROOT))
    except ValueError:
        return str(path)


def read_manifest(out_dir: Path) -> dict[str, Any]:
    """Return the manifest of a department-year output folder ({} when absent or unreadable).

    A manifest of the wrong shape (edited by hand, another program's file) counts as absent;
    notebook entries that are not objects are dropped: the runner then reruns what it cannot
    confirm, and never fails on it.
    """
    path = Path(out_dir) / "manifest.json"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(manifest, dict):
        return {}
    notebooks = manifest.get("notebooks")
    if notebooks is not None:
        manifest["notebooks"] = ({k: v for k, v in notebooks.items() if isinstance(v, dict)}
                                 if isinstance(notebooks, dict) else {})
    return manifest


def write_manifest(out_dir: Path, header: dict[str, Any], results: list[NotebookResult]) -> Path:
    """Merge results into ``manifest.json`` (atomically), keeping earlier good entries.

    A notebook that failed or was interrupted keeps its previous good report in place; its
    entry says so (``previous_outputs``) and points to the partially executed copy. A run
    interrupted before any of the department-year's reports was replaced keeps the earlier
    header (see the code), so the manifest, and the index made from it, describe the reports
    in place.
    """
    manifest = read_manifest(out_dir)
    if (manifest.get("notebooks") and any(r.status == INTERRUPTED for r in results)
            and not any(r.status == OK for r in results)):
        # Interrupted before any of its reports was replaced: every report in place is the
        # earlier run's, so the department-year's header (department, 自评得分, 复核得分,
        # dates) stays that run's; the index must not show this run's score beside reports
        # that state another. The tables on disk are this run's, so they are no longer
        # claimed as cached: the next run validates again.
        header = {**{k: v for k, v in header.items() if k not in manifest}, "tables_hash": None}
    notebooks = current_entries(out_dir, manifest.get("notebooks") or {},
                         header.get("domains", manifest.get("domains")),
                         {r.notebook for r in results})
    for r in results:
        before = notebooks.get(r.notebook) or {}
        if r.status == SKIPPED and before.get("status") == OK:
            continue
        entry: dict[str, Any] = {"status": r.status, "outputs": r.outputs, "error": r.error,
                 "failed_copy": r.failed_copy, "input_hash": r.input_hash, "inputs": r.inputs,
                 "reads": r.reads, "seconds": round(r.seconds, 2)}
        if r.status in (FAILED, INTERRUPTED):
            kept = before.get("outputs") if before.get("status") == OK else before.get(
                "previous_outputs")
            if kept:
                entry["previous_outputs"] = kept
        shown = entry.get("outputs") or entry.get("previous_outputs") or {}
        entry["html"], entry["pdf"], entry["docx"] = (shown.get("html"), shown.get("pdf"),
                                                      shown.get("docx"))
        notebooks[r.notebook] = entry
    statuses = {v.get("status") for v in notebooks.values()}
    manifest.update(header)
    manifest["notebooks"] = notebooks
    manifest["status"] = OK if statuses <= {OK, SKIPPED} else FAILED
    manifest["generated_at"] = dt.datetime.now(dt.UTC).astimezone().isoformat(
        timespec="seconds")
    return write_text_atomic(Path(out_dir) / "manifest.json",
                             json.dumps(manifest, ensure_ascii=False, indent=2, default=str))


def current_entries(out_dir: Path, notebooks: dict[str, Any], domains: list[str] | None = None,
             ran: set[str] | None = None) -> dict[str, Any]:
    """The manifest entries of notebooks the department-year still has; the entry of a retired
    notebook, or of a domain no longer among its ``domains``, goes, and the output files it
    lists with it (they would be stale reports).

    Args:
        out_dir: the department-year's output folder.
        notebooks: the manifest's entries.
        domains: the department-year's domains now (None: unknown, domain entries are kept
            while the domain notebook exists).
        ran: notebooks of the present run (always kept).
    """
    keys = set(catalogs())
    kept = {}
    for name, entry in notebooks.items():
        if name in (ran or ()):
            current = True
        elif name in keys or (domains is not None and name in domains):
            current = (domains is None or name in domains) and config.notebook_path(
                config.DOMAIN_NOTEBOOK).exists()
        else:
            current = config.notebook_path(name).exists()
        if current:
            kept[name] = entry
            continue
        for rel in ((entry or {}).get("outputs") or {}).values():
            target = (Path(out_dir) / str(rel)).resolve()
            if Path(out_dir).resolve() in target.parents:
                target.unlink(missing_ok=True)
        log.info("manifest: dropped notebook %s (retired, or not a domain of the year)", name)
    return kept
