"""What a rendered document's cover states about its run (department, year, title, version, hash)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReportMeta:
    """What the cover block of a rendered report states.

    Attributes:
        department: department name as readers know it, e.g. ``益阳市教育局``.
        year: evaluation year.
        title: report title, e.g. ``部门整体支出绩效自评报告``.
        generated_at: ISO 8601 timestamp of the run.
        perfkit_version: version of perfkit that produced the report.
        workbook_sha256: SHA-256 of the input workbook.
        workbook: input workbook path as the user gave it; shown when not empty.
        kind: ``department`` for the department's own 自评报告 (its cover shows the report date
            and none of perfkit's facts), ``review`` or ``analysis``.
        report_date: the report's date as printed (``2020年4月28日``), for a department's cover.
        pdf_layout: the PDF's layout, both typeset by Typst: ``web`` (perfkit's print layout,
            ``templates/report.typ``) or ``official`` (the GB/T 9704-2012 page in free fonts
            approximating the official ones, ``templates/official.typ``).
    """

    department: str
    year: int
    title: str
    generated_at: str
    perfkit_version: str
    workbook_sha256: str
    workbook: str = ""
    kind: str = "analysis"
    report_date: str = ""
    pdf_layout: str = "web"


__all__ = ["ReportMeta"]
