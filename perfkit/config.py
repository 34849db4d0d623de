"""Paths perfkit reads and writes; no I/O at import time."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
#: Repository root (the folder that holds notebooks/, data/, params/). Overridable so a
#: finance bureau can keep its data outside the checkout.
ROOT = Path(os.environ.get("PERFKIT_ROOT", PACKAGE_DIR.parent)).resolve()
DATA_DIR = ROOT / "data"
PARAMS_DIR = ROOT / "params"
NOTEBOOKS_DIR = ROOT / "notebooks"
OUTPUTS_DIR = Path(os.environ.get("PERFKIT_OUTPUTS", ROOT / "outputs")).resolve()

#: The department bundled as the sample (Yiyang City Education Bureau, 2019).
SAMPLE_DEPT = "yiyang-edu"
SAMPLE_YEAR = 2019

#: Notebook keys in reading order: the department's 自评报告 (report), the reviewer's 复核意见
#: (review), then the analyses by domain. Each computes from the workbook; none reads another's
#: outputs.
DOMAINS = ("report", "review", "finance", "quality", "aid", "safety")


def workbook_path(dept: str, year: int) -> Path:
    """Return the conventional workbook location ``data/<dept>/<year>.xlsx``."""
    return DATA_DIR / dept / f"{year}.xlsx"


def params_path(dept: str, year: int) -> Path:
    """Return the conventional run-settings file ``params/<dept>/<year>.yaml``."""
    return PARAMS_DIR / dept / f"{year}.yaml"


def output_dir(dept: str, year: int, outputs: Path | None = None) -> Path:
    """Return ``outputs/<dept>/<year>/``."""
    return (outputs or OUTPUTS_DIR) / dept / str(year)
