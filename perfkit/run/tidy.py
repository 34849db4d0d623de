"""Machine-readable results next to the reports: indicators, checks, scores, PEFA, audit (CSV, JSON).

The CSV files are written by :func:`perfkit.csvsafe.to_csv`: workbook text that a spreadsheet
would run as a formula is written with a leading ``'`` (read them back with
:func:`perfkit.csvsafe.read_csv`).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pandas as pd

from perfkit import config, csvsafe
from perfkit.assess import targets
from perfkit.assess.audit import audit
from perfkit.assess.bureau import department_record
from perfkit.assess.evaluation import Evaluation, load
from perfkit.assess.figures import AUDIT_COLUMNS
from perfkit.assess.pefa import assess
from perfkit.assess.reviewstage import review_summary
from perfkit.assess.scoring import score
from perfkit.atomic import write_text_atomic
from perfkit.errors import PerfkitError
from perfkit.report.reasons import reason_text
from perfkit.report.workpaper import write_workpaper

log = logging.getLogger(__name__)

#: Columns of tables/indicators.csv: id, label_zh, domain, value, unit, direction, note (why a
#: value is missing), definition_zh, source_cells, then target and status (the 绩效指标 目标值
#: of the same 指标代码 and its attainment: 超额/达成/未达成/无实际值/下年目标…; empty when the
#: indicator has no target). Rows: finance, the domains the workbook covers (``ev.domains``) and
#: the department's own 绩效指标 rows. Later years read these tables for trends (perfkit.assess.history).
INDICATOR_COLUMNS = ["id", "label_zh", "domain", "value", "unit", "direction", "note",
                     "definition_zh", "source_cells", "target", "status"]
#: Columns of tables/checks.csv.
CHECK_COLUMNS = ["check", "label_zh", "expected", "actual", "difference", "tolerance", "verdict",
                 "explanation", "source_cells"]
#: Columns of tables/scores.csv, one row per 三级 indicator of the run's score sheet: sheet (file
#: stem), item (item id in the sheet), level1/level2/level3 (一级/二级/三级指标), indicator (what
#: the rule reads: an indicator id, ``定性评价:<item>``, ``绩效指标:<domains>`` or 人工评分),
#: rule_kind, points (分值), points_adjusted (分值 after redistributing excluded items; equals
#: points under the ``zero`` policy), score (得分; empty when excluded or 无法评分), deduction
#: (扣分), lost_missing / lost_target / lost_standard / lost_unmet / lost_defect (the deduction
#: split by cause: no evidence, target not met, indicator below the rule's standard, checklist
#: condition not met, data defect; they add up to deduction), status (scored / missing_zero /
#: excluded / error), reason (得分及扣分原因, worded by perfkit.report.reasons from the rule's
#: reason as data), evidence (cells or evidence text), rule_id (the 复核口径 ids the deduction
#: cites, ``K01;K09``; empty without a deduction).
SCORE_COLUMNS = ["sheet", "item", "level1", "level2", "level3", "indicator", "rule_kind", "points",
                 "points_adjusted", "score", "deduction", "lost_missing", "lost_target",
                 "lost_standard", "lost_unmet", "lost_defect", "status", "reason", "evidence",
                 "rule_id"]
#: Columns of tables/pefa.csv: dimension (PI-1, PI-2.1, PI-2.2, PI-3.1), label_zh, year,
#: value_pct (this year; empty when not computable), grade (A–D; empty when not rated), basis
#: (single-year indication or two of the last three years), values (each year used), note.
PEFA_COLUMNS = ["dimension", "label_zh", "year", "value_pct", "grade", "basis", "values", "note"]
#: tables/score.json (:data:`perfkit.config.SCORE_SUMMARY`).
SCORE_SUMMARY = config.SCORE_SUMMARY


def score_table(ev: Evaluation) -> pd.DataFrame:
    """tables/scores.csv: the items of the run's score sheet, each reason worded."""
    items = score(ev).items
    return items.assign(reason=items["why"].map(reason_text))[SCORE_COLUMNS]


def indicator_table(ev: Evaluation) -> pd.DataFrame:
    """The indicators of finance, of the domains the workbook covers and the department's own
    rows, each with the target and attainment status of its 绩效指标 row, if any."""
    frame = ev.indicators.reset_index()
    frame = frame[frame["domain"].isin({"finance", "other", *ev.domains})]
    judged = targets.metrics(ev)
    judged = judged[judged["status"] != ""].drop_duplicates("id").set_index("id")
    frame["target"] = frame["id"].map(judged["target"])
    frame["status"] = frame["id"].map(judged["status"]).fillna("")
    return frame[INDICATOR_COLUMNS]


def write_tables(department: str, year: int, out_dir: Path, params_file: str = "",
                 ev: Evaluation | None = None) -> list[Path]:
    """Write the tidy tables of one department-year under ``out_dir/tables/``.

    ``indicators.csv``, ``checks.csv`` and ``pefa.csv`` always; ``scores.csv`` and
    ``score.json`` unless the score sheet cannot be used (logged: the reports show the same
    error to the reader).
    """
    if ev is None:
        ev = load(department, year, params_file=params_file)
    tables = out_dir / "tables"
    written = [
        write_text_atomic(tables / "indicators.csv", csvsafe.to_csv(indicator_table(ev))),
        write_text_atomic(tables / "checks.csv", csvsafe.to_csv(ev.checks[CHECK_COLUMNS])),
    ]

    try:
        scores = score_table(ev)
    except PerfkitError as exc:
        log.warning("scores.csv not written: %s", exc)
        (tables / SCORE_SUMMARY).unlink(missing_ok=True)
    else:
        written.append(write_text_atomic(tables / "scores.csv", csvsafe.to_csv(scores)))
        written.append(write_text_atomic(tables / SCORE_SUMMARY, json.dumps(
            review_summary(ev), ensure_ascii=False, indent=2)))
    written.append(write_text_atomic(tables / "pefa.csv",
                                     csvsafe.to_csv(assess(ev)[PEFA_COLUMNS])))

    # tables/audit.csv: every stated figure, internal sum and score-sheet check with its verdict
    # (columns documented at perfkit.assess.audit.AUDIT_COLUMNS).
    written.append(write_text_atomic(tables / "audit.csv",
                                     csvsafe.to_csv(audit(ev)[AUDIT_COLUMNS])))
    # The 复核底稿 beside the 复核意见 (outputs/<dept>/<year>/复核底稿.xlsx).
    try:
        written.append(write_workpaper(ev, out_dir))
    except PerfkitError as exc:
        log.warning("%s not written: %s", config.WORKPAPER, exc)
        (out_dir / config.WORKPAPER).unlink(missing_ok=True)
    # tables/bureau.json: what the bureau's 复核汇总, 结果通报 and 整改台账 read of this year.
    written.append(write_text_atomic(tables / config.BUREAU_RECORD, json.dumps(
        department_record(ev), ensure_ascii=False, indent=1, default=str)))
    return written
