"""Render an executed notebook into what readers get: reviewer HTML, analyst HTML, Word, PDF."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import nbformat

from perfkit.atomic import write_bytes_atomic, write_text_atomic
from perfkit.errors import FontMissingError
from perfkit.report.blocks import read_blocks
from perfkit.report.fonts import CjkFont, find_cjk_fonts
from perfkit.report.html import analyst_body, page, render_body, reviewer_notebook
from perfkit.report.meta import ReportMeta
from perfkit.report.typstpdf import typst_pdf
from perfkit.report.word import blocks_docx

log = logging.getLogger(__name__)


def render_notebook(
    executed: Path, out_dir: Path, stem: str, meta: ReportMeta, *, pdf: bool = True,
    docx: bool = False, analyst_copy: bool = True,
) -> dict[str, Path]:
    """Render one executed notebook into reviewer HTML, analyst HTML, a PDF and a Word file.

    Args:
        executed: path of the executed ``.ipynb``.
        out_dir: folder for the rendered files.
        stem: file stem, e.g. ``finance``.
        meta: cover-block facts.
        pdf: also typeset ``<stem>.pdf`` with Typst, in perfkit's print layout or, as
            ``meta.pdf_layout`` says, the official one (:func:`perfkit.report.typstpdf.typst_pdf`).
        docx: also write ``<stem>.docx``, the reviewer copy in the official-document layout
            (:mod:`perfkit.report.word`).
        analyst_copy: also write ``<stem>.code.html``, the copy with code (``perfkit run``
            writes it only when asked: ``--analyst-copy``).

    Returns:
        Mapping of format (``html``, ``code.html``, ``docx``, ``pdf``) to written path.

    Raises:
        FontMissingError: no CJK font is installed (raised before any PDF is written; the
            HTML files, which name fonts the reader's system supplies, are still written).
    """
    out_dir = Path(out_dir)
    nb = nbformat.read(executed, as_version=4)
    try:
        font: CjkFont | None = find_cjk_fonts()
        assert font is not None
        family: str | None = font.family
        synthetic_bold = not font.has_bold
        font_error: FontMissingError | None = None
    except FontMissingError as exc:
        font, family, synthetic_bold, font_error = None, None, False, exc

    written: dict[str, Path] = {}
    started = time.perf_counter()
    reviewer_nb = reviewer_notebook(nb)
    blocks = read_blocks(reviewer_nb)
    reviewer_body = render_body(blocks)
    reviewer_html = page(
        reviewer_body, meta, with_code=False, family=family, synthetic_bold=synthetic_bold
    )
    written["html"] = write_text_atomic(out_dir / f"{stem}.html", reviewer_html)

    if analyst_copy:
        analyst_html = page(
            analyst_body(nb), meta, with_code=True, family=family, synthetic_bold=synthetic_bold
        )
        written["code.html"] = write_text_atomic(out_dir / f"{stem}.code.html", analyst_html)
    log.info("rendered %s HTML in %.2f s", stem, time.perf_counter() - started)

    if docx:
        started = time.perf_counter()
        data = blocks_docx(blocks, meta)
        written["docx"] = write_bytes_atomic(out_dir / f"{stem}.docx", data)
        log.info("wrote %s Word file in %.2f s (%d bytes)", stem, time.perf_counter() - started,
                 len(data))

    if pdf:
        if font_error is not None:
            raise font_error
        started = time.perf_counter()
        data = typst_pdf(blocks, meta, font, official=meta.pdf_layout == "official")
        written["pdf"] = write_bytes_atomic(out_dir / f"{stem}.pdf", data)
        log.info(
            "rendered %s PDF in %.2f s (%d bytes)", stem, time.perf_counter() - started, len(data)
        )
    return written


__all__ = ["render_notebook"]
