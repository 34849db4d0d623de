"""Relative change, computed in one place (perfkit.rates): a zero or missing base is never a
percentage, and a base printed as 0.00 is zero (issue 21.9: a report printed "-171896.18%" for a
change on a base shown as 0.00)."""

from __future__ import annotations

import ast
import math
import re
from pathlib import Path

import pytest

from perfkit.fmt import NOT_COMPUTABLE_ZERO
from perfkit.rates import Undefined, change_pct, change_pct_noted

PACKAGE = Path(__file__).resolve().parents[2] / "perfkit"


@pytest.mark.parametrize(("now", "base", "expected"), [
    (110.0, 100.0, 10.0),
    (90.0, 100.0, -10.0),
    (-50.0, -100.0, 50.0),       # a deficit halved is a rise, over |base|
    (100.0, -100.0, 200.0),
    (0.0, 100.0, -100.0),
    (0.01, 0.005, 100.0),        # 0.005 prints as 0.01: a base
])
def test_change_pct_is_the_change_over_the_absolute_base(now, base, expected):
    assert change_pct(now, base) == pytest.approx(expected)
    assert change_pct_noted(now, base) == (pytest.approx(expected), "")


@pytest.mark.parametrize("base", [0.0, -0.0, 1e-15, -2e-14, 0.0005, 0.0049, -0.004])
def test_a_base_that_prints_as_zero_has_no_relative_change(base):
    with pytest.raises(Undefined) as exc:
        change_pct(-0.86, base)
    assert exc.value.reason == NOT_COMPUTABLE_ZERO
    value, note = change_pct_noted(-0.86, base)
    assert math.isnan(value) and note == NOT_COMPUTABLE_ZERO


def test_the_printed_precision_decides_what_is_zero():
    assert change_pct(2.0, 0.0005, decimals=4) == pytest.approx(399900.0)
    assert change_pct(0.002, 0.001, decimals=None) == pytest.approx(100.0)  # as a text prints it
    with pytest.raises(Undefined):
        change_pct(1.0, 0.0, decimals=None)
    with pytest.raises(Undefined):
        change_pct(1.0, 0.4, decimals=0)


@pytest.mark.parametrize(("now", "base"), [(math.nan, 1.0), (1.0, math.nan), (math.nan, 0.0)])
def test_a_missing_input_gives_nan_without_a_note(now, base):
    value, note = change_pct_noted(now, base)
    assert math.isnan(value) and note == ""


def test_the_targets_table_says_a_base_printed_as_zero_cannot_be_computed():
    """绩效指标 上年值 0.0005 (shown as 0.00) and 实际值 -0.86: no "-172100.00%"."""
    from perfkit.assess.targets import change
    from perfkit.report.tables import _change_text

    diff, pct, note = change(-0.86, 0.0005)
    assert diff == pytest.approx(-0.8605) and math.isnan(pct) and note == NOT_COMPUTABLE_ZERO
    row = {"change": diff, "change_pct": pct, "change_note": note, "unit": "元/人"}
    text = _change_text(row)
    assert "%" not in text and NOT_COMPUTABLE_ZERO in text


def test_a_finance_line_on_a_zero_printed_base_says_so(make_ev):
    """三公经费 因公出国（境）费: 上年决算数 0.001万元 (10元, printed 0.00万元)."""
    from perfkit.indicators.finance import sheet_lines

    def change(content):
        content["three_public"]["abroad"]["prior_actual"] = 0.001
        content["three_public"]["total"]["prior_actual"] = 61.031  # 71.84 − 10.81 + 0.001

    ev = make_ev(change)
    lines = sheet_lines(ev.data, ev.settings, "three_public").set_index("item")
    assert math.isnan(lines.loc["abroad", "change_pct"])
    assert lines.loc["abroad", "change_note"] == NOT_COMPUTABLE_ZERO
    assert lines.loc["total", "change_pct"] == pytest.approx((88.53 - 61.031) / 61.031 * 100)


def test_the_change_on_an_earlier_year_of_zero_as_printed_says_so(sample_ev, tmp_path):
    """An earlier year's computed value of 1e-15 (a difference of equal figures, floating
    point) or 0.0004 prints as 0.00: its change is 无法计算（基数为0）, never a percentage."""
    from conftest import with_outputs

    from perfkit.assess.history import changes

    sample_ev = with_outputs(sample_ev, tmp_path)  # earlier years' tables are read from there
    earlier = sample_ev.indicators.reset_index(names="id")
    earlier = earlier[["id", "label_zh", "domain", "unit", "direction", "value"]].copy()
    tiny = {"three_public_change_pct": 1e-15, "carryover_current_wan_yuan": 0.0004}
    earlier["value"] = [tiny.get(i, v) for i, v in zip(earlier["id"], earlier["value"], strict=True)]
    table = tmp_path / "yiyang-edu" / "2018" / "tables" / "indicators.csv"
    table.parent.mkdir(parents=True)
    earlier.to_csv(table, index=False)
    c = changes(sample_ev, "finance").set_index("id")
    for ind in tiny:
        assert not math.isnan(c.loc[ind, "value"]), ind
        assert math.isnan(c.loc[ind, "change_pct"]), ind
        assert c.loc[ind, "change_note"] == NOT_COMPUTABLE_ZERO, ind
    assert c.loc["expenditure_execution_pct", "change_pct"] == pytest.approx(0.0)


#: ``(a - b) / b``, ``(a - b) / abs(b)`` and ``safe_divide(a - b, b)``: a relative change.
def _relative_changes(tree: ast.AST) -> list[int]:
    def same(x: ast.AST, y: ast.AST) -> bool:
        if isinstance(y, ast.Call) and getattr(y.func, "id", "") == "abs" and y.args:
            y = y.args[0]
        return ast.dump(x) == ast.dump(y)

    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            num, den = node.left, node.right
        elif (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "safe_divide"
              and len(node.args) == 2):
            num, den = node.args
        else:
            continue
        if isinstance(num, ast.BinOp) and isinstance(num.op, ast.Sub) and same(num.right, den):
            lines.append(node.lineno)
    return lines


def test_every_relative_change_is_computed_by_perfkit_rates():
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "rates.py":
            continue
        lines = _relative_changes(ast.parse(path.read_text(encoding="utf-8")))
        if lines:
            found[str(path.relative_to(PACKAGE))] = lines
    assert found == {}, f"relative changes outside perfkit/rates.py (use change_pct): {found}"


def test_the_scan_finds_the_forms_it_looks_for():
    code = ("a = (x - y) / y\nb = (x - y) / abs(y)\nc = safe_divide(now - before, before)\n"
            "d = (x - y) / z\ne = x / y\n")
    assert _relative_changes(ast.parse(code)) == [1, 2, 3]
    assert re.search("rates", Path(__file__).read_text(encoding="utf-8"))
