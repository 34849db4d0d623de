"""Indicator registry and the per-domain indicator modules."""

from __future__ import annotations

import importlib

from .base import (
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

DOMAIN_MODULES = ("finance", "quality", "aid", "safety")


def load_all() -> None:
    """Import every domain module so that its indicators are registered."""
    for name in DOMAIN_MODULES:
        try:
            importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:  # a domain not built yet
            if exc.name != f"{__name__}.{name}":
                raise


__all__ = [
    "REGISTRY", "Direction", "Indicator", "Reader", "Undefined", "compute", "for_domain", "get",
    "indicator", "load_all", "safe_divide",
]
