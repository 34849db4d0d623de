"""The committed 2019 sample workbook is exactly what transcribe_2019.py writes."""

from __future__ import annotations

import openpyxl
from conftest import SAMPLE_WORKBOOK, sample_content

import perfkit as pk


def test_committed_sample_matches_its_transcription(tmp_path):
    fresh = pk.write_workbook(tmp_path / "fresh.xlsx", sample_content())
    committed, written = openpyxl.load_workbook(SAMPLE_WORKBOOK), openpyxl.load_workbook(fresh)
    assert committed.sheetnames == written.sheetnames
    for ws in committed.worksheets:
        other = written[ws.title]
        assert ws.max_row == other.max_row and ws.max_column == other.max_column, ws.title
        for row in ws.iter_rows():
            for cell in row:
                twin = other[cell.coordinate]
                assert cell.value == twin.value, f"{ws.title}!{cell.coordinate}"
                note = cell.comment.text if cell.comment else None
                assert note == (twin.comment.text if twin.comment else None), cell.coordinate
