"""The files a computation reads, recorded where they are read (the runner's depfile).

Every loader calls :func:`file` just before it reads a file: the workbook (also earlier years'
workbooks read by PEFA), the run settings, the score sheet, earlier years' indicator tables.
A function whose *choice* of files depends on what exists (which earlier years have tables) is a
:func:`probe`: its result is recorded too. While a :func:`recording` is active each read is kept
with the file's SHA-256 (None when the file does not exist, so that creating it later counts as
a change). The runner stores a notebook's reads in ``manifest.json``; the next run calls
:func:`changed` and reruns the notebook when any file changed or vanished, or a probe answers
differently, like ``make`` with a depfile. Outside a recording the calls cost nothing.

Standard library only (the runner imports it on every run, an unchanged rerun too).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from perfkit import config
from perfkit.atomic import sha256_file

#: Recordings in progress (nested ones each see every read).
_ACTIVE: list[dict[str, str | None]] = []

_PROBE = "probe:"

F = TypeVar("F", bound=Callable[..., Any])


def _root() -> Path:
    return config.current().root


def _key(path: str | Path) -> str:
    """The project-relative path (absolute when outside the project), as the manifest shows it."""
    p = Path(os.path.abspath(path))
    try:
        return p.relative_to(_root()).as_posix()
    except ValueError:
        return p.as_posix()


def _path(key: str) -> Path:
    return _root() / key  # an absolute key stays absolute


def _sha(path: Path) -> str | None:
    try:
        return sha256_file(path) if path.is_file() else None
    except OSError:
        return None


def _store(key: str, digest: str | None) -> None:
    for reads in _ACTIVE:
        reads[key] = digest


def file(path: str | Path) -> None:
    """Record that ``path`` is about to be read (call it *before* reading: a file replaced in
    between is then seen as changed by the next run, never as unchanged)."""
    if _ACTIVE:
        _store(_key(path), _sha(Path(path)))


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def probe(fn: F) -> F:
    """Decorate a function whose result says which files exist to be read (JSON arguments).

    Its result is recorded under its module, name and arguments; :func:`changed` calls it again
    with the same arguments and compares. Only functions of perfkit's own modules are called.
    """
    name = f"{fn.__module__}:{fn.__qualname__}"

    @functools.wraps(fn)
    def recorded(*args: Any) -> Any:
        value = fn(*args)
        if _ACTIVE:
            shown = [_arg_key(a) for a in args]
            _store(f"{_PROBE}{name}:{json.dumps(shown, default=str)}", _digest(value))
        return value

    recorded.__wrapped_probe__ = fn  # type: ignore[attr-defined]
    return recorded  # type: ignore[return-value]


@contextlib.contextmanager
def recording() -> Iterator[dict[str, str | None]]:
    """Collect the reads made inside the ``with`` block into the dict it yields."""
    reads: dict[str, str | None] = {}
    _ACTIVE.append(reads)
    try:
        yield reads
    finally:
        _ACTIVE.remove(reads)


#: How a probe's path argument inside the project is recorded: ``./`` and the path from the
#: project folder (the manifest names no absolute, possibly temporary, folder).
_IN_PROJECT = "./"


def _arg_key(arg: Any) -> Any:
    """A probe argument as recorded: an absolute path inside the project made relative."""
    if isinstance(arg, str) and os.path.isabs(arg):
        key = _key(arg)
        if not os.path.isabs(key):
            return _IN_PROJECT + key
    return arg


def _arg_value(arg: Any) -> Any:
    if isinstance(arg, str) and arg.startswith(_IN_PROJECT):
        return str(_root() / arg[len(_IN_PROJECT):])
    return arg


def _probe_again(key: str) -> str | None:
    name, _, args = key[len(_PROBE):].partition(":[")
    module, _, qualname = name.partition(":")
    if module != "perfkit" and not module.startswith("perfkit."):
        return None  # a manifest does not choose what code runs
    try:
        fn = getattr(importlib.import_module(module), qualname)
        fn = getattr(fn, "__wrapped_probe__", fn)
        return _digest(fn(*[_arg_value(a) for a in json.loads("[" + args)]))
    except Exception:  # renamed or failing: the recorded answer cannot be confirmed
        return None


def changed(reads: dict[str, str | None], cache: dict[str, str | None] | None = None
            ) -> list[str]:
    """The recorded reads whose file (or probe answer) is not what it was, in recorded order.

    Args:
        reads: a recording, as stored in the manifest.
        cache: digests already computed during this plan, shared between notebooks.
    """
    cache = {} if cache is None else cache
    out = []
    for key, digest in reads.items():
        if key not in cache:
            cache[key] = _probe_again(key) if key.startswith(_PROBE) else _sha(_path(key))
        if cache[key] != digest:
            out.append(key)
    return out
