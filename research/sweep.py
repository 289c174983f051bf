"""Specification curves: run a claim over a grid of reasonable specifications, on Dask.

A :class:`Grid` names a claim's choices (small/large definition, weighting, sample start, horizon,
event rule, HAC lags...) and a module-level estimate function ``f(**spec) -> dict`` returning at
least ``estimate``, ``lower``, ``upper``, ``label`` (supported | contradicted | inconclusive) and
``n`` (optionally ``p_value``). :func:`run_sweep` maps it over every specification, serially or on
``dask.distributed`` (a LocalCluster here, or an existing cluster by scheduler address); the
results are identical either way because each specification is a pure, seeded computation.
The grids themselves live in :mod:`research.sweep_grids`.
"""

from __future__ import annotations

import argparse
import importlib
import itertools
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

from research.errors import ParameterError, ResearchError

# numpy and pandas are imported inside functions: `research` CLI start-up must stay light.
LABELS = ("supported", "contradicted", "mixed", "inconclusive")


@dataclass(frozen=True)
class Grid:
    """A claim's specification grid."""

    claim: str
    title: str
    choices: dict[str, tuple]
    estimate: str  # "module:function", resolved in the worker
    statistic_name: str
    default: dict[str, Any]
    valid: str | None = None  # "module:function" spec -> bool, to drop impossible combinations
    notes: str = ""
    fixed: dict[str, Any] = field(default_factory=dict)

    def specs(self) -> list[dict[str, Any]]:
        keys = list(self.choices)
        keep = _resolve(self.valid) if self.valid else None
        out = []
        for values in itertools.product(*(self.choices[k] for k in keys)):
            spec = dict(zip(keys, values, strict=True))
            if keep is None or keep(spec):
                out.append(spec)
        return out


def _resolve(path: str) -> Callable:
    mod, _, attr = path.partition(":")
    return getattr(importlib.import_module(mod), attr)


def evaluate(estimate: str, spec: dict[str, Any], fixed: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run one specification (in whatever process this is called). Errors become rows, not crashes."""
    import numpy as np

    t0 = time.perf_counter()
    try:
        out = dict(_resolve(estimate)(**spec, **(fixed or {})))
        if out.get("label") not in LABELS:
            raise ResearchError(f"estimate returned label {out.get('label')!r}")
        err = ""
    except ParameterError as exc:  # a combination the claim cannot be tested on
        out, err = {"label": "skipped"}, str(exc).splitlines()[0]
    except Exception as exc:  # kept as a row so one bad spec does not sink a sweep
        out, err = {"label": "error"}, f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    row = {**spec, "estimate": np.nan, "lower": np.nan, "upper": np.nan, "p_value": np.nan, "n": np.nan}
    row.update(out)
    row["error"] = err
    row["seconds"] = time.perf_counter() - t0
    return row


def run_sweep(grid: Grid, *, scheduler: str | None = None, serial: bool = False, workers: int = 2,
              progress: Callable[[int, int], None] | None = None) -> pd.DataFrame:
    """Evaluate every specification of ``grid``; one row per specification, in grid order.

    ``serial=True`` runs in this process; otherwise on Dask: an existing cluster when
    ``scheduler`` is an address (``tcp://host:8786``), else a LocalCluster of ``workers`` processes.
    """
    import numpy as np
    import pandas as pd

    specs = grid.specs()
    if not specs:
        raise ParameterError(f"the {grid.claim} grid has no valid specification")
    t0 = time.perf_counter()
    if serial:
        rows = []
        for i, s in enumerate(specs, 1):
            rows.append(evaluate(grid.estimate, s, grid.fixed))
            if progress:
                progress(i, len(specs))
        backend = "serial"
    else:
        rows, backend = _run_dask(grid, specs, scheduler, workers, progress)
    frame = pd.DataFrame(rows)
    frame.attrs.update(claim=grid.claim, backend=backend, wall_seconds=time.perf_counter() - t0,
                       choices=list(grid.choices), statistic_name=grid.statistic_name)
    frame["is_default"] = np.all([frame[k] == v for k, v in grid.default.items() if k in frame], axis=0)
    return frame


def _run_dask(grid: Grid, specs: list[dict], scheduler: str | None, workers: int, progress):
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler:
        client = Client(scheduler, timeout="20s")
        backend = f"dask cluster at {scheduler}"
    else:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=40)
        client = Client(cluster)
        backend = f"dask LocalCluster, {workers} workers"
    try:
        futures = client.map(evaluate, [grid.estimate] * len(specs), specs,
                             [grid.fixed] * len(specs), pure=False)
        if progress:
            for i, _ in enumerate(as_completed(futures), 1):
                progress(i, len(specs))
        rows = client.gather(futures)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return rows, backend


# -- summaries ---------------------------------------------------------------------------------------

def shares(frame: pd.DataFrame) -> dict[str, Any]:
    """Share of the valid specifications that support, contradict or are inconclusive."""

    valid = frame[frame["label"].isin(LABELS)]
    n = len(valid)
    out = {"specifications": int(len(frame)), "valid": n,
           "skipped": int((frame["label"] == "skipped").sum()), "errors": int((frame["label"] == "error").sum())}
    for lab in LABELS:
        out[f"share_{lab}"] = float((valid["label"] == lab).mean()) if n else float("nan")
    out["median_estimate"] = float(valid["estimate"].median()) if n else float("nan")
    out["share_positive"] = float((valid["estimate"] > 0).mean()) if n else float("nan")
    return out


def influence(frame: pd.DataFrame, choices: Iterable[str]) -> pd.DataFrame:
    """Which choice moves the estimate most: the spread of the median estimate across each
    choice's values, and the share of the estimate's variance its values explain (eta squared)."""
    import pandas as pd

    valid = frame[frame["label"].isin(LABELS)].dropna(subset=["estimate"])
    total = float(((valid["estimate"] - valid["estimate"].mean()) ** 2).sum()) or float("nan")
    rows = []
    for c in choices:
        g = valid.groupby(valid[c].astype(str))["estimate"]
        between = float((g.count() * (g.mean() - valid["estimate"].mean()) ** 2).sum())
        med = g.median()
        rows.append({"choice": c, "values": int(g.ngroups), "median_low": med.min(), "median_high": med.max(),
                     "spread_of_medians": med.max() - med.min(), "eta_squared": between / total,
                     "lowest": med.idxmin(), "highest": med.idxmax()})
    return pd.DataFrame(rows).sort_values("eta_squared", ascending=False).set_index("choice")


def plot_curve(frame: pd.DataFrame, choices: list[str], *, title: str = "", ylabel: str = "estimate"):
    """The specification curve: sorted estimates with intervals above an indicator panel of choices."""
    import matplotlib.pyplot as plt
    import numpy as np
    import pandas as pd

    colours = {"supported": "#1a7f37", "contradicted": "#cf222e", "inconclusive": "#8c959f"}
    valid = (frame[frame["label"].isin(LABELS)].dropna(subset=["estimate"])
             .sort_values("estimate").reset_index(drop=True))
    levels = [(c, v) for c in choices for v in pd.unique(frame[c].astype(str))]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(11, 4 + 0.22 * len(levels)), sharex=True,
                                      gridspec_kw={"height_ratios": [3, max(1.5, 0.22 * len(levels))]})
    x = np.arange(len(valid))
    for lab, colour in colours.items():
        m = valid["label"] == lab
        if m.any():
            top.vlines(x[m], valid["lower"][m], valid["upper"][m], color=colour, alpha=0.35, lw=1)
            top.scatter(x[m], valid["estimate"][m], s=8, color=colour, label=f"{lab} ({int(m.sum())})", zorder=3)
    d = valid.index[valid["is_default"]]
    if len(d):
        top.scatter(d, valid.loc[d, "estimate"], s=90, facecolors="none", edgecolors="black", zorder=4,
                    label="default specification")
    top.axhline(0, color="black", lw=0.8)
    top.set_ylabel(ylabel)
    top.set_title(title)
    top.legend(loc="upper left", fontsize=8, frameon=False)
    for row, (c, v) in enumerate(levels):
        m = valid[c].astype(str) == v
        bottom.scatter(x[m], np.full(int(m.sum()), row), s=4, color="#24292f", marker="|")
    bottom.set_yticks(range(len(levels)))
    bottom.set_yticklabels([f"{c} = {v}" for c, v in levels], fontsize=7)
    bottom.invert_yaxis()
    bottom.set_xlabel("specifications, sorted by estimate")
    fig.tight_layout()
    return fig


# -- CLI ---------------------------------------------------------------------------------------------

def register_cli(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sweep", help="run a claim's specification curve (Dask) and render its report")
    p.add_argument("claim", help="claim id, e.g. C1 (or 'all')")
    p.add_argument("--scheduler", metavar="ADDRESS", default="",
                   help="address of an existing Dask scheduler (default: a LocalCluster here)")
    p.add_argument("--workers", type=int, default=2, help="LocalCluster worker processes (default 2)")
    p.add_argument("--serial", action="store_true", help="run without Dask, in this process")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=_cli)


def _cli(args) -> int:
    from research.sweep_grids import GRIDS

    claims = list(GRIDS) if args.claim.lower() == "all" else [args.claim.upper()]
    unknown = [c for c in claims if c not in GRIDS]
    if unknown:
        raise ParameterError(f"no specification grid for {unknown}; grids exist for {list(GRIDS)}")
    from research.runner_cli import run_reports_for_sweep

    return run_reports_for_sweep(claims, scheduler=args.scheduler, workers=args.workers,
                                 serial=args.serial, quiet=args.quiet)
