"""A value as perfkit holds one from a workbook cell: missing, its text, its number.

pandas gives NaN for an empty cell of a text column and of a number column alike, and None
where a value was never read; both mean "not provided". These are the one test for that and the
one way to turn such a value into text or a number, for every stage (standard library only: the
base stage imports no pandas).
"""

from __future__ import annotations

import math
import re

#: A parenthesised workbook reference in a text: （支出!D4）, （三公经费!C7; 三公经费!B7）.
_REFERENCE = re.compile(r"[（(][^（）()]*![A-Z]{1,3}\d+[^（）()]*[)）]")


def is_missing(value: object) -> bool:
    """None or NaN: no value (an empty cell, a figure that cannot be computed)."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def as_text(value: object) -> str:
    """A cell's text, stripped; "" when it is missing (pandas reads an empty text cell as NaN)."""
    return "" if is_missing(value) else str(value).strip()


def as_number(value: object) -> float:
    """A cell's number; NaN when it is missing."""
    return math.nan if is_missing(value) else float(value)  # type: ignore[arg-type]


def without_references(text: str) -> str:
    """A text without its parenthesised workbook references (（支出!D4）): what a document's body
    says, the cells standing in its 附件."""
    return _REFERENCE.sub("", text)
