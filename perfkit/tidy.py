"""Machine-readable results written next to the reports: indicators and checks as CSV."""

from __future__ import annotations

from pathlib import Path

from .atomic import write_text_atomic
from .evaluation import load

#: Columns of tables/indicators.csv (documented in the README).
INDICATOR_COLUMNS = ["id", "label_zh", "domain", "value", "unit", "direction", "note",
                     "definition_zh", "source_cells"]
#: Columns of tables/checks.csv.
CHECK_COLUMNS = ["check", "label_zh", "expected", "actual", "difference", "tolerance", "verdict",
                 "explanation", "source_cells"]


def write_tables(department: str, year: int, out_dir: Path, params_file: str = "") -> list[Path]:
    """Write ``tables/indicators.csv`` and ``tables/checks.csv`` for one department-year."""
    ev = load(department, year, params_file=params_file)
    tables = out_dir / "tables"
    written = [
        write_text_atomic(tables / "indicators.csv",
                          ev.indicators[INDICATOR_COLUMNS].to_csv(index=False)),
        write_text_atomic(tables / "checks.csv", ev.checks[CHECK_COLUMNS].to_csv(index=False)),
    ]
    from .audit import AUDIT_COLUMNS, audit

    # tables/audit.csv: every stated figure, internal sum and score-sheet check with its verdict
    # (columns documented at perfkit.audit.AUDIT_COLUMNS).
    written.append(write_text_atomic(tables / "audit.csv",
                                     audit(ev)[AUDIT_COLUMNS].to_csv(index=False)))
    return written
