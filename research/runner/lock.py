"""One `research run` at a time per reports folder.

The lock is :mod:`filelock` on ``reports/.research-run.lock``: an OS-level ``flock`` that the
kernel drops when the holding process dies, so a run killed with ``kill -9`` never leaves a lock
that blocks the next one (tested with a real SIGKILLed process). filelock truncates the lock file
when it opens it, so the holder's pid, start time and command go in a separate file,
``.research-run.lock.json``, only to tell a waiting run who it is waiting for.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import socket
import sys
from pathlib import Path
from typing import Any

from research.errors import RunLockBroken, RunLocked

LOCK_NAME = ".research-run.lock"
HOLDER_NAME = ".research-run.lock.json"


class RunLock:
    """Context manager: hold the run lock of ``reports_dir``, waiting up to ``wait`` seconds.

    Raises :class:`RunLocked` (exit code 4) naming the holder when the wait runs out.
    """

    def __init__(self, reports_dir: Path, wait: float = 0.0):
        self.reports_dir = Path(reports_dir)
        self.wait = max(0.0, float(wait))
        self.path = self.reports_dir / LOCK_NAME
        self.holder_path = self.reports_dir / HOLDER_NAME
        self._lock: Any = None

    def acquire(self) -> RunLock:
        from filelock import FileLock, Timeout

        self.reports_dir.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.path))
        try:
            lock.acquire(timeout=self.wait)
        except Timeout:
            raise RunLocked(self._locked_message()) from None
        except IsADirectoryError:  # filelock cannot open a folder where its file belongs
            raise RunLockBroken(f"cannot take the run lock: {self.path} is a folder, not the lock file. "
                                "Fix: remove it (no run is using it), then run again.") from None
        self._lock = lock
        try:
            self._write_holder()
        except BaseException:  # e.g. a read-only or full reports folder: do not keep the lock
            self.release()
            raise
        return self

    def release(self) -> None:
        if self._lock is None:
            return
        with contextlib.suppress(OSError):
            self.holder_path.unlink()
        self._lock.release()
        self._lock = None

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()

    def holder(self) -> dict[str, Any] | None:
        """Who holds (or last held) the lock, from the holder file; ``None`` if unknown or damaged
        (the record only informs a waiting run; the next run to take the lock rewrites it)."""
        try:
            info = json.loads(self.holder_path.read_bytes().decode("utf-8"))
        except (OSError, ValueError):
            return None
        return info if isinstance(info, dict) else None

    def _write_holder(self) -> None:
        from research.runner.state import atomic_write_text

        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]) if sys.argv else "",
        }
        atomic_write_text(self.holder_path, json.dumps(info) + "\n")

    def _locked_message(self) -> str:
        info = self.holder() or {}
        pid = info.get("pid")
        if pid:
            who = (f"pid {pid} on {info.get('host', '?')}, started {info.get('started_at', '?')}"
                   f" (`{info.get('command', '?')}`)")
        elif self.holder_path.exists():
            who = f"holder unknown: its record {self.holder_path} is damaged"
        else:
            who = "holder unknown"
        waited = f"waited {self.wait:g} s" if self.wait else "did not wait"
        return (
            f"another `research run` is running ({who}); it holds {self.path}. This run {waited}. "
            "Let it finish, or pass --wait SECONDS to queue behind it."
        )
