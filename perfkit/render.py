"""Render executed notebooks into reviewer HTML (code hidden) and the analyst copy."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .atomic import write_text_atomic

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReportMeta:
    """What the cover block of a rendered report states."""

    department: str
    year: int
    title: str
    generated_at: str
    perfkit_version: str
    workbook_sha256: str


def render_notebook(executed: Path, out_dir: Path, stem: str, meta: ReportMeta) -> dict[str, Path]:
    """Render one executed notebook.

    Args:
        executed: path of the executed ``.ipynb``.
        out_dir: folder for the rendered files.
        stem: file stem, e.g. ``finance``.
        meta: cover-block facts.

    Returns:
        Mapping of format (``html``, ``code.html``) to written path.
    """
    from nbconvert import HTMLExporter

    nb = nbformat.read(executed, as_version=4)
    written: dict[str, Path] = {}
    reviewer = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = reviewer.from_notebook_node(nb)
    written["html"] = write_text_atomic(out_dir / f"{stem}.html", body)
    analyst = HTMLExporter()
    body, _ = analyst.from_notebook_node(nb)
    written["code.html"] = write_text_atomic(out_dir / f"{stem}.code.html", body)
    return written
