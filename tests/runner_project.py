"""Helpers for the runner's tests: a throw-away project with fixture notebooks and a registry.

Not a test module. The fixture notebooks (tests/fixtures/notebooks/) need no data layer; they
record fake inputs whose sha256 the tests control through the runner's ``input_sha`` argument.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "notebooks"
PKG = "package-hash-fixed-for-tests"  # so edits to research/ during a test run do not re-run reports


@functools.cache
def frozen_module_sha(name: str) -> str | None:
    """A module's source hash as first seen in this test session: the same for the same reason."""
    from research.runner.state import current_module_sha256

    return current_module_sha256(name)


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(value)


def write_registry(root: Path, reports: Mapping[str, Mapping[str, Any]]) -> Path:
    """``{"ok": {"notebook": "verdict.ipynb", "parameters": {...}, "claims": [...]}}`` -> reports.toml."""
    lines = []
    for name, spec in reports.items():
        lines.append(f"[reports.{name}]")
        for key in ("notebook", "title", "claims"):
            if key in spec:
                lines.append(f"{key} = {toml_value(spec[key])}")
        params = spec.get("parameters") or {}
        if params:
            inner = ", ".join(f"{k} = {toml_value(v)}" for k, v in params.items())
            lines.append(f"parameters = {{ {inner} }}")
        lines.append("")
    path = root / "notebooks" / "reports.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines))
    return path


def make_project(root: Path, reports: Mapping[str, Mapping[str, Any]],
                 notebooks: Mapping[str, str] | None = None) -> tuple[Path, Path]:
    """Copy fixture notebooks into ``root/notebooks`` (``{"copy.ipynb": "verdict.ipynb"}``) and
    write the registry. Returns (registry path, reports dir)."""
    nb_dir = root / "notebooks"
    nb_dir.mkdir(parents=True, exist_ok=True)
    wanted = dict(notebooks or {})
    for spec in reports.values():
        wanted.setdefault(spec["notebook"], spec["notebook"])
    for target, source in wanted.items():
        shutil.copyfile(FIXTURES / source, nb_dir / target)
    return write_registry(root, reports), root / "reports"


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every visible file under ``folder`` (hidden files and folders skipped) -> its bytes."""
    out = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if path.is_file() and not any(part.startswith(".") for part in rel.parts):
            out[rel.as_posix()] = path.read_bytes()
    return out


def wait_for(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll until ``predicate()`` is true (an event, not a fixed delay); fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


def processes_with_cwd_under(folder: Path) -> list[int]:
    """Living pids whose working directory is inside ``folder`` (kernels run in the scratch
    folders). A process already killed but not yet torn down is not counted: see ``dying``."""
    pids = []
    folder = folder.resolve()
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            cwd = Path(os.readlink(proc / "cwd"))
        except OSError:
            continue
        if (cwd == folder or folder in cwd.parents) and not dying(int(proc.name)):
            pids.append(int(proc.name))
    return pids


def dying(pid: int) -> bool:
    """Whether ``pid`` is gone or on its way out: SIGKILL pending, exiting, or a zombie.

    kill() returns once SIGKILL is queued; the process still has to be scheduled to exit, and
    until it has torn down its memory its command line and working directory stay readable. On
    a loaded 2-core CI machine 120 killed processes were still readable right after kill_tree
    returned, and a test that counted them failed though none had been missed. A process that
    was missed has none of these marks, so a test that counts only the others can still fail."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True
    fields = stat.rsplit(")", 1)[1].split()  # fields 3.. of proc(5): state, ppid, ..., flags
    state, flags = fields[0], int(fields[6])
    if state in ("Z", "X") or flags & 0x4:  # PF_EXITING
        return True
    pending = 0
    for line in status.splitlines():
        if line.startswith(("SigPnd:", "ShdPnd:")):
            pending |= int(line.split()[1], 16)
    return bool(pending & (1 << (9 - 1)))  # SIGKILL is signal 9, bit 8 of the mask


def cli_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(extra)
    return env


PYTHON = sys.executable


def kill_9_when(proc: Any, marker: Path, what: str = "the slow notebook to start") -> None:
    """SIGKILL ``proc`` (a `research run` subprocess) once ``marker`` exists; never leave it running."""
    import os
    import signal

    try:
        wait_for(marker.exists, 120, what)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
