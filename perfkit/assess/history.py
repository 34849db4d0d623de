"""Earlier years of a department, read from their tidy tables (never by re-executing them).

A report for year Y compares with every earlier year Y' < Y whose run left
``outputs/<dept>/<Y'>/tables/indicators.csv``. Which years exist and each table read are recorded
(:mod:`perfkit.reads`), so a changed or new earlier year reruns the later years' reports that
show it.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import TYPE_CHECKING

from perfkit import config, csvsafe, reads
from perfkit.rates import change_pct_noted

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from perfkit.assess.evaluation import Evaluation

TABLE = Path("tables") / "indicators.csv"

#: Columns of :func:`changes`.
CHANGE_COLUMNS = ["id", "label_zh", "unit", "direction", "prior_year", "prior_value", "year",
                  "value", "change", "change_pct", "change_note"]


def earlier_tables(department: str, year: int, outputs: Path | None = None) -> dict[int, Path]:
    """The indicator tables of earlier years of ``department`` present under ``outputs``.

    Returns:
        Year → path of its ``tables/indicators.csv``, oldest first.
    """
    base = Path(os.path.abspath(Path(outputs or config.current().outputs_dir) / department))
    return {y: base / str(y) / TABLE for y in _earlier_years(str(base), int(year))}


@reads.probe
def _earlier_years(base: str, year: int) -> list[int]:
    """Years before ``year`` that have an indicator table under ``base`` (ascending)."""
    folder = Path(base)
    if not folder.is_dir():
        return []
    return sorted(int(c.name) for c in folder.iterdir()
                  if c.name.isdigit() and int(c.name) < year and (c / TABLE).is_file())


def series(ev: Evaluation, domain: str | None = None,
           outputs: Path | None = None) -> pd.DataFrame:
    """Indicator values of every earlier year present plus this year's, tidy.

    Args:
        ev: this year's evaluation (its department code and year select the history).
        domain: keep one domain (``finance`` …); None keeps all.
        outputs: output root; default the evaluation's project's (``outputs/``, or
            ``PERFKIT_OUTPUTS``).

    Returns:
        Columns ``year, id, label_zh, domain, unit, direction, value`` (value NaN when the
        indicator could not be computed that year), sorted by id then year.
    """
    import pandas as pd  # here, not at the top: an unchanged rerun calls the probe (pandas: 0.2 s)

    cols = ["id", "label_zh", "domain", "unit", "direction", "value"]
    frames = []
    for y, path in earlier_tables(ev.settings.department, ev.year,
                                  outputs or ev.project.outputs_dir).items():
        reads.file(path)
        f = csvsafe.read_csv(path, dtype={"id": str})
        missing = [c for c in cols if c not in f]
        if missing:  # written by an older perfkit with other columns: skip, do not guess
            continue
        frames.append(f[cols].assign(year=y))
    now = ev.indicators.reset_index(drop=True)
    now = now.assign(id=ev.indicators.index if "id" not in now else now["id"])
    frames.append(now[cols].assign(year=ev.year))
    out = pd.concat(frames, ignore_index=True)
    out["value"] = pd.to_numeric(out["value"], errors="coerce")
    if domain:
        out = out[out["domain"] == domain]
    # Keep this year's indicator order (the registry's), years ascending within each.
    order = dict.fromkeys([*out.loc[out["year"] == ev.year, "id"], *out["id"]])
    rank = {i: n for n, i in enumerate(order)}
    out = out.assign(_rank=out["id"].map(rank)).sort_values(["_rank", "year"], kind="stable")
    return out[["year", *cols]].reset_index(drop=True)


def earlier_years(ev: Evaluation, outputs: Path | None = None) -> list[int]:
    """Earlier years of this department that have indicator tables."""
    return list(earlier_tables(ev.settings.department, ev.year, outputs or ev.project.outputs_dir))


def changes(ev: Evaluation, domain: str | None = None,
            outputs: Path | None = None) -> pd.DataFrame:
    """Each indicator's change from the latest earlier year that has a value to this year.

    ``change`` is this year's value minus the prior value (in the indicator's unit; for a
    percentage, percentage points). ``change_pct`` is that change over the absolute prior value, in
    percent (so a rise from a negative carry-over reads as a rise),
    NaN with ``change_note`` "无法计算（基数为0）" when the prior value is 0 as printed
    (:func:`perfkit.rates.change_pct`). Indicators with no
    value this year or in any earlier year get NaN and a note saying which is missing.

    Returns:
        One row per indicator with :data:`CHANGE_COLUMNS`; empty when there is no earlier year.
    """
    import pandas as pd

    s = series(ev, domain, outputs)
    rows = []
    if not (s["year"] < ev.year).any():
        return pd.DataFrame(columns=CHANGE_COLUMNS)
    for ind_id, g in s.groupby("id", sort=False):
        now = g[g["year"] == ev.year]
        before = g[(g["year"] < ev.year) & g["value"].notna()]
        last = now.iloc[-1] if not now.empty else g.iloc[-1]
        value = float(now["value"].iloc[0]) if not now.empty else math.nan
        row = {"id": ind_id, "label_zh": last["label_zh"], "unit": last["unit"],
               "direction": last["direction"], "year": ev.year, "value": value,
               "prior_year": math.nan, "prior_value": math.nan, "change": math.nan,
               "change_pct": math.nan, "change_note": ""}
        if before.empty:
            row["change_note"] = "此前年度无数值"
        else:
            prior = before.iloc[-1]
            row["prior_year"], row["prior_value"] = int(prior["year"]), float(prior["value"])
            if math.isnan(value):
                row["change_note"] = "本年无数值"
            else:
                row["change"] = value - row["prior_value"]
                row["change_pct"], row["change_note"] = change_pct_noted(value, row["prior_value"])
        rows.append(row)
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)
