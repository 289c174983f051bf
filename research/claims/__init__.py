"""One module per claim in the claim catalog (``catalog.toml``). Each exposes a pure function
``test(...)`` (data in, a frozen result dataclass out) whose ``verdicts`` are computed, never typed
in, and declares its specification grid as ``GRID`` (a :class:`research.sweep.Grid`), which
:func:`grids` discovers and checks against the engine's rules (:func:`validate_grid`)."""

from __future__ import annotations

import contextlib
import importlib
import pkgutil
import re
from pathlib import Path
from typing import TYPE_CHECKING

from research.errors import ParameterError

if TYPE_CHECKING:
    from research.sweep import Grid

#: The fewest specifications a curve needs for its shares to say something about the design space.
MIN_SPECS = 200
#: Specifications each aspect's own curve needs (grids with several verdicts, ``Grid.aspect`` or
#: ``Grid.views``).
MIN_ASPECT_SPECS = 50
#: Names a sample-start choice may take: every curve varies where its sample begins.
START_CHOICES = ("start", "first_year")
#: Modules of this package that are not claims.
SHARED = ("base", "catalog", "scaffold")


class GridError(ParameterError):
    """A claim's ``GRID`` breaks a rule of the specification-curve engine."""


def validate_grid(grid: Grid) -> None:
    """Check ``grid`` against the engine's rules; a :class:`GridError` says which rule and what to add."""
    # imported here, not at the top, so that `python -m research.claims.catalog` runs it cleanly
    from research.claims import catalog

    where = f"grid of {grid.claim} (GRID in its claim module)"
    if grid.claim not in catalog.known_ids():
        raise GridError(f"{where}: {grid.claim!r} is not in the claim catalog; known claims: "
                        f"{', '.join(catalog.known_ids())}. Fix: set `claim` to the module's claim id.")
    if not catalog.claim(grid.claim).spec_curve:
        raise GridError(f"{where}: the catalog says `spec_curve = false` for {grid.claim}. Fix: set "
                        f"`spec_curve = true` in its [[claims]] entry of {catalog.CATALOG_PATH} and add "
                        f"[reports.robustness_{grid.claim.lower()}] to notebooks/reports.toml.")
    repeated = {k: v for k, v in grid.choices.items() if len(set(map(repr, v))) != len(v)}
    if repeated:
        raise GridError(f"{where}: choice(s) {sorted(repeated)} list a value twice, so specifications "
                        "repeat. Fix: give each value once.")
    if not any(k in grid.choices for k in START_CHOICES):
        raise GridError(f"{where}: no sample-start choice; every curve varies where its sample begins. "
                        f"Fix: add a choice named {START_CHOICES[0]!r} (years, e.g. (1926, 1954, 1963, "
                        "1987), see research.claims.base.START_DATES) or 'first_year'.")
    specs = grid.specs()
    if len(specs) < MIN_SPECS:
        raise GridError(f"{where}: {len(specs)} specifications; the engine needs at least {MIN_SPECS}. "
                        "Fix: add a choice (a small/large definition, a horizon, a sample start) or "
                        "more values to an existing one, or loosen grid_valid.")
    for d in grid.defaults():
        if set(d) != set(grid.choices):
            raise GridError(f"{where}: the default specification {d} must give one value per choice; "
                            f"missing {sorted(set(grid.choices) - set(d))}, unknown "
                            f"{sorted(set(d) - set(grid.choices))}. Fix: add the missing ones to `default`.")
        if d not in specs:
            raise GridError(f"{where}: the default specification {d} is not in the grid (a value not "
                            "among the choices, or dropped by grid_valid). Fix: add the value to its "
                            "choice, or let grid_valid keep it.")
    if grid.aspect:
        for aspect in grid.choices[grid.aspect]:
            count = sum(s[grid.aspect] == aspect for s in specs)
            if count < MIN_ASPECT_SPECS:
                raise GridError(f"{where}: aspect {aspect!r} has {count} specifications; each aspect's "
                                f"curve needs at least {MIN_ASPECT_SPECS}. Fix: add choices that apply "
                                "to it, or loosen grid_valid.")
    for name in grid.views:
        count = sum(all(s[c] in values for c, values in grid.views[name].items()) for s in specs)
        if count < MIN_ASPECT_SPECS:
            raise GridError(f"{where}: view {name!r} has {count} specifications; each view's curve needs "
                            f"at least {MIN_ASPECT_SPECS}. Fix: keep more values in it, or loosen grid_valid.")
        if grid.view_default(name) not in specs:
            raise GridError(f"{where}: the default of view {name!r}, {grid.view_default(name)}, is not in the "
                            "grid. Fix: keep the default's values in the view, or let grid_valid keep it.")
    for aspect, spec in grid.family:
        varied = {k: v for k, v in spec.items() if k in grid.choices}
        if varied not in specs:
            raise GridError(f"{where}: the family entry for {aspect or 'the main verdict'!r} is not a "
                            "specification of the grid. Fix: build it from the default, "
                            "e.g. {**default, 'reps': 10_000}.")


def grids() -> dict[str, Grid]:
    """Every claim's specification grid by claim id (C1, C2, ...), from the modules that declare
    one, each checked by :func:`validate_grid`."""
    found = []
    for info in pkgutil.iter_modules(__path__):
        if info.name in SHARED:
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(module, "GRID"):
            validate_grid(module.GRID)
            found.append(module.GRID)
    from research.claims import catalog

    missing = [c.id for c in catalog.claims().values() if c.spec_curve and c.id not in {g.claim for g in found}]
    if missing:
        raise GridError(f"the catalog says `spec_curve = true` for {missing}, but no claim module declares "
                        "a GRID for them. Fix: add GRID at the end of the claim's module (see "
                        "research/claims/base.py), or set `spec_curve = false`.")
    return {g.claim: g for g in sorted(found, key=lambda g: int(g.claim[1:]))}


_CLAIM_LINE = re.compile(r"""^CLAIM\s*=\s*["'](C\d+)["']""", re.MULTILINE)


def claim_module(claim_id: str) -> str | None:
    """The claim module that declares ``CLAIM = "<claim_id>"`` (its source read, not imported)."""
    for info in pkgutil.iter_modules(__path__):
        if info.name in SHARED:
            continue
        path = Path(__path__[0]) / f"{info.name}.py"
        with contextlib.suppress(OSError):
            if claim_id in _CLAIM_LINE.findall(path.read_text(encoding="utf-8")):
                return f"{__name__}.{info.name}"
    return None


def grid(claim_id: str, small_large: str = "") -> Grid:
    """The specification grid of ``claim_id`` (e.g. "C1"); with ``small_large="russell"`` the same
    grid whose default specification reads the Russell 2000 vs the S&P 500 (see :func:`on_series`).

    Only the claim's own module is imported (found by its ``CLAIM = "C1"`` line): the runner keys
    a report on the ``research`` modules its kernel imported, so a C5 curve must not depend on
    easing.py. Without such a module, :func:`grids` looks at them all and says what exists."""
    module = claim_module(claim_id)
    found = getattr(importlib.import_module(module), "GRID", None) if module else None
    if found is not None and found.claim == claim_id:
        validate_grid(found)
    else:
        known = grids()
        if claim_id not in known:
            raise ParameterError(f"no specification grid for {claim_id}; grids exist for {', '.join(known)}")
        found = known[claim_id]
    if small_large in ("", "deciles"):
        return found
    if small_large != "russell":
        raise ParameterError(f"small_large must be '' (the grid's default series) or 'russell', not {small_large!r}")
    return on_series(found)


def on_series(g: Grid) -> Grid:
    """``g`` on the Russell 2000 vs S&P 500 alone: the curve of a claim's Russell report. The
    choice holding that series is found by its values and keeps only it, so the curve's shares
    are those of the Russell report's own series, not of the default series' specifications; the
    default (and the specifications of the family p-values) move onto it, and any other default
    the Russell data cannot take (an earlier sample start, equal weighting) becomes the first value
    of that choice the grid's validity rule accepts."""
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
    # a view of the series' choice keeps its Russell value alone, and goes if it had none
    views = {name: {c: tuple(v for v in values if c != key or v == RUSSELL) for c, values in keeps.items()}
             for name, keeps in g.views.items()}
    views = {name: keeps for name, keeps in views.items() if all(keeps.values())}
    return dataclasses.replace(g, choices={**g.choices, key: (RUSSELL,)}, default=default, family=family,
                               views=views)
