"""The 2019 sample's indicators, checks and scores are those captured before the catalogs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from perfkit.assess.checks import run_domain_checks
from perfkit.run import tidy

GOLDEN = Path(__file__).resolve().parent.parent / "fixtures" / "golden-2019"


def _tables(ev) -> dict[str, str]:
    """The tables exactly as ``perfkit run`` writes them (tables/*.csv)."""
    return {
        "indicators.csv": tidy.indicator_table(ev).to_csv(index=False),
        "checks.csv": ev.checks[tidy.CHECK_COLUMNS].to_csv(index=False),
        "scores.csv": tidy.score_table(ev).to_csv(index=False),
        "domain_checks.csv": pd.concat(
            [run_domain_checks(ev.data, ev.settings, d) for d in ("quality", "aid", "safety")]
        ).to_csv(index=False),
    }


@pytest.mark.parametrize("name", ["indicators.csv", "checks.csv", "scores.csv",
                                  "domain_checks.csv"])
def test_sample_tables_are_unchanged(sample_ev, name):
    now = _tables(sample_ev)[name].splitlines()
    if name == "indicators.csv":  # the department's own rows are new (below), nothing else
        now = [line for line in now if not line.startswith("own_")]
    before = (GOLDEN / name).read_text(encoding="utf-8").splitlines()
    assert len(now) == len(before), f"{name}: {len(now)} lines, golden {len(before)}"
    for n, (a, b) in enumerate(zip(now, before, strict=True), 1):
        assert a == b, f"{name} line {n}:\n now    {a}\n golden {b}"


def test_sample_covers_the_education_domains_only(sample_ev):
    assert sample_ev.domains == ["quality", "aid", "safety"]


def test_the_new_rows_are_the_department_s_own(sample_ev):
    """Rows of 绩效指标 without a catalog code are indicators too (issue #13), after the rest."""
    table = tidy.indicator_table(sample_ev)
    own = table[table["id"].str.startswith("own_")]
    frame = sample_ev.data.frames["targets"]
    uncoded = frame[frame["code"].isna() & frame["target_year"].isna()]
    assert list(own["label_zh"]) == list(uncoded["name"])
    assert list(own["domain"]) == list(uncoded["domain"])
    assert list(own["value"]) == list(uncoded["actual"])
    assert list(table["id"])[-len(own):] == list(own["id"])


@pytest.mark.parametrize("name", sorted(p.name for p in (GOLDEN / "tables").iterdir()))
def test_sample_tidy_tables_are_byte_identical(tmp_path, name):
    """Every tidy table ``perfkit run`` writes for the sample, byte for byte as captured before
    the package was laid out in stage folders (fixtures/golden-2019/README.md)."""
    tidy.write_tables("yiyang-edu", 2019, tmp_path)
    now = (tmp_path / "tables" / name).read_bytes()
    before = (GOLDEN / "tables" / name).read_bytes()
    if now != before:
        diff = [f"line {n}:\n now    {a}\n golden {b}" for n, (a, b) in enumerate(
            zip(now.decode().splitlines(), before.decode().splitlines(), strict=False), 1)
            if a != b]
        pytest.fail(f"{name} differs from the golden copy ({len(now)} vs {len(before)} bytes); "
                    + "\n".join(diff[:3]))
