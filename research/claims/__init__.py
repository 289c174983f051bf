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


def grid(claim_id: str, small_large: str = "") -> Grid:
    """The specification grid of ``claim_id`` (e.g. "C1"); with ``small_large="russell"`` the same
    grid whose default specification reads the Russell 2000 vs the S&P 500 (see :func:`on_series`)."""
    known = grids()
    if claim_id not in known:
        raise ParameterError(f"no specification grid for {claim_id}; grids exist for {', '.join(known)}")
    if small_large in ("", "deciles"):
        return known[claim_id]
    if small_large != "russell":
        raise ParameterError(f"small_large must be '' (the grid's default series) or 'russell', not {small_large!r}")
    return on_series(known[claim_id])


def on_series(g: Grid) -> Grid:
    """``g`` with its default specification (and the specifications of its family p-values) moved
    to the Russell 2000 vs S&P 500: the default of a claim's Russell report, so that report's curve
    is ringed at its own result. The choice holding that value is found by its values; any other
    default the Russell data cannot take (an earlier sample start, equal weighting) becomes the
    first value of that choice the grid's validity rule accepts."""
    import dataclasses

    from research.data.sizes import RUSSELL
    from research.sweep import _resolve

    key = next((k for k, values in g.choices.items() if RUSSELL in values), None)
    if key is None:
        raise ParameterError(f"the {g.claim} grid has no Russell 2000 choice; it has no Russell report either")
    keep = _resolve(g.valid) if g.valid else (lambda spec: True)

    def moved(spec: dict) -> dict:
        out = {**spec, key: RUSSELL}
        probe = dataclasses.replace(g, default=out)
        for choice in [k for k in out if k not in (key, g.aspect)]:
            if all(keep(d) for d in probe.defaults()):
                break
            for value in g.choices[choice]:
                trial = dataclasses.replace(g, default={**out, choice: value})
                if all(keep(d) for d in trial.defaults()):
                    out[choice] = value
                    break
            probe = dataclasses.replace(g, default=out)
        if not all(keep(d) for d in probe.defaults()):
            raise ParameterError(f"no valid Russell 2000 default in the {g.claim} grid near {spec}")
        return out

    default = moved(g.default)
    family = [(aspect, {**spec, **{k: v for k, v in default.items() if k in spec}}) for aspect, spec in g.family]
    return dataclasses.replace(g, default=default, family=family)
