"""What a process has read: every dataset loaded, with the sha256 of its raw file; and the
dependency lock the environment was installed from.

`research.data.load` notes each input here; `research.verdict.record` writes them into the
report's sidecar so the runner can key the report on exactly the data it read.
"""

from __future__ import annotations

import hashlib
from typing import Any

from research.config import PROJECT_ROOT

LOCK_FILE = PROJECT_ROOT / "requirements.lock"

_inputs: dict[str, dict[str, Any]] = {}


def note_input(name: str, details: dict[str, Any]) -> None:
    """Remember that dataset ``name`` was read (the last read wins)."""
    _inputs[name] = dict(details)


def inputs() -> dict[str, dict[str, Any]]:
    """Every dataset read so far in this process, by name."""
    return {k: dict(v) for k, v in sorted(_inputs.items())}


def reset() -> None:
    _inputs.clear()


def lock_hash() -> str | None:
    """sha256 of ``requirements.lock``, the pinned dependencies `make setup` installs, for report
    footers; ``None`` when the checkout has no lock (an install from a wheel or with conda)."""
    try:
        return hashlib.sha256(LOCK_FILE.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None
