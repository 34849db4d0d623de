"""Stage 2, indicators: the Indicator record, the registry in use, formulas over catalog codes.

``from perfkit.indicators import …`` gives the public names: the :class:`Indicator` record and
the ``@indicator`` decorator (:mod:`.base`), the registry in use (:mod:`.registry`).
"""

from __future__ import annotations

from perfkit.indicators.base import (
    DECLARED,
    REGISTRY,
    Direction,
    Indicator,
    Reader,
    Undefined,
    indicator,
    safe_divide,
)
from perfkit.indicators.registry import compute, for_domain, get, load_all

__all__ = [
    "DECLARED", "REGISTRY", "Direction", "Indicator", "Reader", "Undefined", "compute",
    "for_domain", "get", "indicator", "load_all", "safe_divide",
]
