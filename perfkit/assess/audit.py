"""The whole audit of a department-year (tables/audit.csv), its verdict counts, exit status and CSV."""

from __future__ import annotations

import dataclasses
import logging
import math
from pathlib import Path

import pandas as pd

from perfkit import config, csvsafe
from perfkit.assess.claims import claim_checks
from perfkit.assess.evaluation import Evaluation
from perfkit.assess.figures import (
    AUDIT_COLUMNS,
    SCORES,
    audit_internal,
    audit_row,
    audit_stated,
    show_figure,
)
from perfkit.assess.scoresheet import load_sheet
from perfkit.atomic import write_bytes_atomic
from perfkit.data.params import (
    Settings,
    check_department,
    load_settings,
    read_settings_file,
    safe_path,
    settings_for_workbook,
)
from perfkit.data.reader import load_workbook
from perfkit.data.values import year_from_filename
from perfkit.errors import ParamsError, PerfkitError
from perfkit.verdicts import INCONSISTENT, UNVERIFIABLE, VERDICTS

log = logging.getLogger(__name__)


def audit_scores(ev: Evaluation) -> pd.DataFrame:
    """The department's own score against its parts and the sheet (:func:`perfkit.assess.claims.claim_checks`).

    Only checks that compare two independent statements are listed: the 自评表 item scores
    against the stated 自评得分, the stated 自评等级 against the band of that score, the
    自评表 分值 against the sheet. A sheet that cannot be loaded gives one 无法核对 row.
    """
    try:
        sheet = load_sheet(ev.settings.score_sheet, ev.project)
    except PerfkitError as exc:
        return pd.DataFrame([audit_row(ref="score_sheet", category=SCORES, figure="评分表",
                                  check=str(ev.settings.score_sheet), verdict=UNVERIFIABLE,
                                  explanation=f"评分表无法使用：{exc}")], columns=AUDIT_COLUMNS)
    rows = []
    for _, c in claim_checks(ev, sheet).iterrows():
        numeric = c["check"] == "claim_items_sum"
        rows.append(audit_row(ref=f"score_{c['check']}", category=SCORES, figure=c["label_zh"],
                         check=str(c["check"]),
                         stated=show_figure(c["expected"], "分") if numeric else "",
                         stated_value=c["expected"] if numeric else math.nan,
                         recomputed=c["actual"] if numeric else math.nan, unit="分",
                         difference=-c["difference"] if numeric else math.nan,
                         tolerance=0.005 if numeric else math.nan, verdict=c["verdict"],
                         explanation=c["explanation"], location="自评表 / 基本信息",
                         source_cells=c["source_cells"]))
    return pd.DataFrame(rows, columns=AUDIT_COLUMNS)


def audit(ev: Evaluation) -> pd.DataFrame:
    """The whole audit of one department-year: stated figures, internal sums, score sheet.

    Returns:
        Tidy frame with :data:`AUDIT_COLUMNS` (tables/audit.csv). ``difference`` is stated -
        recomputed in ``unit``; ``verdict`` is one of :data:`VERDICTS`.
    """
    return ev.result("audit", lambda: _audit(ev))


def _audit(ev: Evaluation) -> pd.DataFrame:
    parts = [audit_stated(ev), audit_internal(ev), audit_scores(ev)]
    frame = pd.concat([p for p in parts if not p.empty], ignore_index=True) if any(
        not p.empty for p in parts) else pd.DataFrame(columns=AUDIT_COLUMNS)
    return frame.reindex(columns=AUDIT_COLUMNS)


def verdict_counts(frame: pd.DataFrame) -> dict[str, int]:
    """How many rows have each verdict (every verdict listed, zeros included)."""
    counts = frame["verdict"].value_counts() if not frame.empty else {}
    return {v: int(counts.get(v, 0)) for v in VERDICTS}


def exit_status(frame: pd.DataFrame) -> int:
    """1 when any figure is 不一致 (for scripts), else 0."""
    return int(bool((frame["verdict"] == INCONSISTENT).any())) if not frame.empty else 0


def load_for_audit(path: str | Path, *, params_file: str | Path = "",
                   tolerance_pp: float | None = None,
                   tolerance_wan_yuan: float | None = None) -> Evaluation:
    """Load a submitted workbook for auditing, wherever it is.

    The department code is the workbook's folder name when that is a valid code (so
    ``data/<dept>/<year>.xlsx`` picks up ``params/<dept>/<year>.yaml``), else ``audit``.

    Args:
        path: the workbook.
        params_file: settings YAML (budget basis, tolerances); empty → the convention above.
        tolerance_pp: override of the ratio tolerance (percentage points).
        tolerance_wan_yuan: override of the amount tolerance (万元).

    Raises:
        WorkbookError: the workbook cannot be used.
        ParamsError: bad settings or a negative tolerance.
    """
    path = config.resolve(path)
    known = settings_for_workbook(path, year_from_filename(path), params_file)
    data = load_workbook(path, confirmed=known.confirmed_values if known else (),
                         limits=known.read_limits if known else None)
    try:
        department = check_department(path.resolve().parent.name)
    except ParamsError:
        department = "audit"
    given = safe_path(params_file, "params") if params_file else None
    if given is not None and given.is_file():  # a settings file says whose it is
        named = read_settings_file(given).get("department")
        department = named if isinstance(named, str) else department
    settings = load_settings(department, data.year, params_file or None)
    return Evaluation(data, with_tolerances(settings, tolerance_pp, tolerance_wan_yuan))


def with_tolerances(settings: Settings, tolerance_pp: float | None = None,
                    tolerance_wan_yuan: float | None = None) -> Settings:
    """``settings`` with the command line's tolerance overrides (None keeps the setting).

    Raises:
        ParamsError: a negative tolerance.
    """
    if any(v is not None and v < 0 for v in (tolerance_pp, tolerance_wan_yuan)):
        raise ParamsError("容差不能为负数")
    if tolerance_pp is not None:
        settings = dataclasses.replace(settings, tolerance_pp=float(tolerance_pp))
    if tolerance_wan_yuan is not None:
        settings = dataclasses.replace(settings, tolerance_wan_yuan=float(tolerance_wan_yuan))
    return settings


def write_audit_csv(frame: pd.DataFrame, path: str | Path,
                    columns: list[str] | None = None) -> Path:
    """Write the tidy audit (:data:`AUDIT_COLUMNS`, or ``columns``) as UTF-8 CSV with a BOM, which
    Excel and WPS open directly: text cells are neutralised (:func:`perfkit.csvsafe.to_csv`)."""
    text = csvsafe.to_csv(frame.reindex(columns=columns or AUDIT_COLUMNS))
    return write_bytes_atomic(Path(path), text.encode("utf-8-sig"))
