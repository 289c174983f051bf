"""What a process has read: every dataset loaded, with the sha256 of its raw file.

`research.data.load` notes each input here; `research.verdict.record` writes them into the
report's sidecar so the runner can key the report on exactly the data it read.
"""

from __future__ import annotations

from typing import Any

_inputs: dict[str, dict[str, Any]] = {}


def note_input(name: str, details: dict[str, Any]) -> None:
    """Remember that dataset ``name`` was read (the last read wins)."""
    _inputs[name] = dict(details)


def inputs() -> dict[str, dict[str, Any]]:
    """Every dataset read so far in this process, by name."""
    return {k: dict(v) for k, v in sorted(_inputs.items())}


def reset() -> None:
    _inputs.clear()
