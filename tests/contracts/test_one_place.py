"""One place for each helper (issue 22 item 6): a copy that reappears anywhere in perfkit/ fails.

Each helper below was written again in several modules, and the copies had begun to differ (a
cell's text stripped in one and not in another, two roundings by largest remainder with their
own edge cases). Each now has one home; the patterns find the copies as they were written.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "perfkit"

#: What a copy looks like → (the one place it lives, the files allowed to hold the pattern).
COPIES: dict[str, tuple[str, set[str]]] = {
    # The NaN check: `_nan` in review, narrative, selfreport, targets and problems, `_is_nan` in
    # tables, `is_nan` in rules, `_missing` in fmt, inline in base, aid, figures, workbook, pefa.
    r"isinstance\(\w+, float\) and math\.isnan\(|\b\w+ is None or (math|pd)\.is(nan|na)\(":
        ("perfkit.cells.is_missing", {"cells.py"}),
    r"^def _?(is_?)?(nan|missing)\(": ("perfkit.cells.is_missing", {"cells.py"}),
    # A cell's text: `_text` in base, aid and figures, `cell_text` in rules, `_str` in targets.
    r'return "" if .* else str\(': ("perfkit.cells.as_text", {"cells.py"}),
    # The 领域 label ↔ domain key mapping turned round: 11 places, `{v: k for k, v in
    # DOMAIN_CHOICES.items()}` and the like.
    r"\{(?=[^}]*(?:domain|DOMAIN|label|names_of|catalog))(\w+): (\w+) for \2, \1 in [^}]*"
    r"\.items\(\)\}":
        ("perfkit.domains.labels_of / names_of", {"domains/__init__.py"}),
    r"\{(\w+): (\w+) for (\w+), \1 in [^}]*(domain|DOMAIN|label|names_of)[^}]*\}[^\n]*\.get\(\w+, \w+\)":
        ("perfkit.indicators.registry.Registry.domain_label", set()),
    # Rounding shares so that they add up: scoring's `_split` and `_redistribute`.
    r"math\.floor\([^)]*\+ ?1e-9\)": ("perfkit.fmt.largest_remainder", {"fmt.py"}),
    # The 三公经费 rows, listed again by a chart with labels of its own.
    r'\("abroad", "因公出国': ("the 三公经费 sheet (perfkit.data.sheets), its rows through "
                             "perfkit.indicators.finance.sheet_lines", {"data/sheets.py"}),
}


def copies(package: Path) -> list[str]:
    """Every line of ``package`` matching a pattern of :data:`COPIES` outside its allowed files."""
    found = []
    for path in sorted(package.rglob("*.py")):
        module = path.relative_to(package).as_posix()
        text = path.read_text(encoding="utf-8")
        for pattern, (home, allowed) in COPIES.items():
            if module in allowed:
                continue
            for m in re.finditer(pattern, text, flags=re.M):
                line = text.count("\n", 0, m.start()) + 1
                found.append(f"{module}:{line}: {m.group(0)!r} — use {home}")
    return found


def test_each_helper_is_written_once():
    assert copies(PACKAGE) == []


@pytest.mark.parametrize("source", [
    "def _nan(v: Any) -> bool:\n    return v is None or (isinstance(v, float) and math.isnan(v))\n",
    "def is_nan(v):\n    return False\n",
    "def _text(v) -> str:\n    return \"\" if v is None else str(v)\n",
    "zh = {v: k for k, v in DOMAIN_CHOICES.items()}\n",
    "def _domain_zh(domain):\n    return {v: k for k, v in labels.items()}.get(domain, domain)\n",
    "floors = [math.floor(x + 1e-9) for x in exact]\n",
    "for key, label in ((\"abroad\", \"因公出国（境）费\"), (\"reception\", \"公务接待费\")):\n",
    "if value is None or math.isnan(value):\n",
], ids=["nan", "is_nan", "text", "domain_choices", "domain_zh", "largest_remainder", "three_public",
        "inline_nan"])
def test_a_copy_is_found(tmp_path, source):
    (tmp_path / "report").mkdir()
    (tmp_path / "report" / "x.py").write_text(source, encoding="utf-8")
    assert copies(tmp_path)
