"""Indicator machinery: the registry, formulas over codes (catalogs), domain checks and hooks."""

from __future__ import annotations

import importlib

from perfkit.indicators.base import (
    DECLARED,
    REGISTRY,
    Direction,
    Indicator,
    Reader,
    Undefined,
    compute,
    for_domain,
    get,
    indicator,
    safe_divide,
)

#: Indicators declared in Python, on the workbook's fixed sheets: finance (收入, 支出 …) and the
#: 学生资助 sheet's programmes. Every other domain is a catalog (perfkit/domains/*.yaml).
PYTHON_MODULES = ("finance", "aid")

_built: list = [None, -1]  # the catalogs and the count of Python indicators REGISTRY was built from


def load_all() -> None:
    """Fill :data:`REGISTRY` from the Python modules and the catalogs in use (once per version).

    Raises:
        CatalogError: a catalog is malformed or refers to an unknown indicator.
    """
    for name in PYTHON_MODULES:
        importlib.import_module(f"{__name__}.{name}")
    from perfkit import domains
    from perfkit.indicators.catalog import build_registry

    cats = domains.catalogs()
    if _built[0] is cats and _built[1] == len(DECLARED):
        return
    registry = build_registry(cats, DECLARED)
    REGISTRY.clear()
    REGISTRY.update(registry)
    _built[:] = [cats, len(DECLARED)]


__all__ = [
    "DECLARED", "REGISTRY", "Direction", "Indicator", "Reader", "Undefined", "compute",
    "for_domain", "get", "indicator", "load_all", "safe_divide",
]
