"""One run at a time per output folder: an OS file lock, released even if the process dies.

The lock files are kept apart from the reports: the lock of ``<outputs>/<dept>/<year>`` is
``<outputs>/.locks/<dept>/<year>.lock`` (with ``<year>.lock.json`` naming its holder); any other
folder ``F`` is locked by ``F/../.locks/<F's name>.lock``. The location depends on the folder
alone, so every process computes the same one.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from perfkit.errors import OutputWriteError, PerfkitError, write_problem
from perfkit.fmt import display_time

LOCKS_DIR = ".locks"
#: Where earlier versions kept the lock: inside the output folder, among the reports.
LEGACY_LOCK_NAME = ".perfkit.lock"
LEGACY_OWNER_NAME = ".perfkit.lock.json"


def lock_path(folder: Path) -> Path:
    """The lock file of an output folder (see the module docstring)."""
    folder = Path(folder).resolve()
    if folder.name.isdigit():  # <outputs>/<dept>/<year>
        return folder.parent.parent / LOCKS_DIR / folder.parent.name / f"{folder.name}.lock"
    return folder.parent / LOCKS_DIR / f"{folder.name}.lock"


def _owner_path(folder: Path) -> Path:
    lock = lock_path(folder)
    return lock.with_name(lock.name + ".json")


class OutputLocked(PerfkitError):
    """Another run is writing the same output folder."""


class OutputLock:
    """An exclusive, non-blocking lock on one output folder.

    The lock is an OS lock (``flock``/``LockFileEx`` via filelock), so a crashed or killed run
    never leaves a stale lock behind. Who holds it is written next to it for the message the
    second run shows.
    """

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self._lock: Any = None  # filelock.FileLock while held

    def acquire(self) -> OutputLock:
        """Take the lock or raise :class:`OutputLocked` naming the holder.

        Raises:
            OutputLocked: another run holds it.
            OutputWriteError: the output folder or the lock cannot be written (read-only
                folder, no permission, disk full).
        """
        path = lock_path(self.folder)
        lock = FileLock(str(path), timeout=0)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            path.parent.mkdir(parents=True, exist_ok=True)
            lock.acquire()
        except Timeout:
            raise OutputLocked(_held_message(self.folder)) from None
        except OSError as exc:
            raise OutputWriteError(write_problem(exc) + "本次跳过该部门年度。") from None
        self._lock = lock
        owner = {"pid": os.getpid(), "host": socket.gethostname(),
                 "since": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
        try:
            _owner_path(self.folder).write_text(json.dumps(owner), encoding="utf-8")
        except OSError:
            pass
        _remove_legacy_lock(self.folder)
        return self

    def release(self) -> None:
        """Release the lock (idempotent)."""
        if self._lock is not None:
            _owner_path(self.folder).unlink(missing_ok=True)
            self._lock.release()
            self._lock = None

    def __enter__(self) -> OutputLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


def _remove_legacy_lock(folder: Path) -> None:
    """Remove a lock file an earlier version left among the reports, unless it is held."""
    legacy = folder / LEGACY_LOCK_NAME
    if not legacy.exists():
        return
    old = FileLock(str(legacy), timeout=0)
    try:
        old.acquire()
    except Timeout:  # an older perfkit is running on this folder: leave its lock alone
        return
    try:
        (folder / LEGACY_OWNER_NAME).unlink(missing_ok=True)
        legacy.unlink(missing_ok=True)
    finally:
        old.release()


def _held_message(folder: Path) -> str:
    who = ""
    try:
        owner = json.loads(_owner_path(folder).read_text(encoding="utf-8"))
        since = display_time(str(owner.get("since") or ""), seconds=True)
        who = f"（进程 {owner.get('pid')}，{owner.get('host')}，开始于 {since}）"
    except (OSError, ValueError):
        pass
    return (f"另一个 perfkit 运行正在写入 {folder}{who}。为免报告互相覆盖，本次跳过该部门年度；"
            "请等那次运行结束后再运行。")
