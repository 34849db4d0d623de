"""One run at a time per output folder: an OS file lock, released even if the process dies."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
from pathlib import Path
from typing import Any

from .errors import PerfkitError

LOCK_NAME = ".perfkit.lock"
OWNER_NAME = ".perfkit.lock.json"


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
        """Take the lock or raise :class:`OutputLocked` naming the holder."""
        from filelock import FileLock, Timeout

        self.folder.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.folder / LOCK_NAME), timeout=0)
        try:
            lock.acquire()
        except Timeout:
            raise OutputLocked(_held_message(self.folder)) from None
        self._lock = lock
        owner = {"pid": os.getpid(), "host": socket.gethostname(),
                 "since": dt.datetime.now().astimezone().isoformat(timespec="seconds")}
        try:
            (self.folder / OWNER_NAME).write_text(json.dumps(owner), encoding="utf-8")
        except OSError:
            pass
        return self

    def release(self) -> None:
        """Release the lock (idempotent)."""
        if self._lock is not None:
            (self.folder / OWNER_NAME).unlink(missing_ok=True)
            self._lock.release()
            self._lock = None

    def __enter__(self) -> OutputLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


def _held_message(folder: Path) -> str:
    who = ""
    try:
        owner = json.loads((folder / OWNER_NAME).read_text(encoding="utf-8"))
        who = f"（进程 {owner.get('pid')}，{owner.get('host')}，开始于 {owner.get('since')}）"
    except (OSError, ValueError):
        pass
    return (f"另一个 perfkit 运行正在写入 {folder}{who}。为免报告互相覆盖，本次跳过该部门年度；"
            "请等那次运行结束后再运行。")
