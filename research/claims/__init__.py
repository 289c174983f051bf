"""One module per claim in CLAIMS.md. Each exposes a pure function ``test(...)`` (data in, a frozen
result dataclass out) whose ``verdicts`` are computed, never typed in, and declares its
specification grid as ``GRID`` (a :class:`research.sweep.Grid`)."""

from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING

from research.errors import ParameterError

if TYPE_CHECKING:
    from research.sweep import Grid


def grids() -> dict[str, Grid]:
    """Every claim's specification grid by claim id (C1, C2, ...), from the modules that declare one."""
    found = []
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(module, "GRID"):
            found.append(module.GRID)
    return {g.claim: g for g in sorted(found, key=lambda g: int(g.claim[1:]))}


# Which module declares each claim's GRID, so that a specification-curve report imports that
# claim's module only: the runner keys a report on the modules it imported, and an edit to
# easing.py must not re-run C5's curve. tests/test_sweep_grids.py checks it against grids().
GRID_MODULES = {"C1": "easing", "C2": "rates", "C3": "quality", "C4": "froth", "C5": "technicals",
                "C6": "drawdowns", "C7": "yearend", "C8": "cycle"}


def grid(claim_id: str) -> Grid:
    """The specification grid of ``claim_id`` (e.g. "C1"), importing only its claim's module."""
    if claim_id not in GRID_MODULES:
        raise ParameterError(f"no specification grid for {claim_id}; grids exist for {', '.join(GRID_MODULES)}")
    return importlib.import_module(f"{__name__}.{GRID_MODULES[claim_id]}").GRID
