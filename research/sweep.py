"""Specification curves: run a claim over a grid of reasonable specifications, on Dask.

A :class:`Grid` names a claim's choices (small/large definition, weighting, sample start, horizon,
event rule, HAC lags...) and a module-level estimate function ``f(**spec) -> dict`` returning at
least ``estimate``, ``lower``, ``upper``, ``label`` (supported | contradicted | mixed |
inconclusive) and ``n`` (optionally ``p_value``). :func:`run_sweep` maps it over every
specification, serially or on ``dask.distributed`` (a LocalCluster here, or an existing cluster by
scheduler address); the results are identical either way because each specification is a pure,
seeded computation. Each claim module declares its own grid (``GRID``, with its validity rule and
estimate function; :func:`research.claims.grids` collects them), and this engine imports none of
them; ``research sweep CLAIM`` renders a claim's specification-curve report through
:mod:`research.runner.sweep_cmd`; this engine imports nothing from the runner.

How a claim's estimate function is written: it loads data through the per-process caches of
:mod:`research.data.sizes` (a Dask worker loads each dataset once, then runs hundreds of
specifications on it), calls the claim module's own building blocks and verdict rule (never a
copy), skips what one specification does not need (figures, panels, the other series), uses fixed
bootstrap seeds (the same numbers serially or on any cluster) and fewer draws than the reports
(``Grid.fixed``). Combinations that cannot be tested are removed by the grid's ``valid`` rule;
what the data still refuse becomes a "skipped" row (:class:`~research.errors.ParameterError`).

numpy, pandas, dask and matplotlib are imported inside the functions: the ``research`` CLI imports
this module for its ``sweep`` command, and its start-up must stay light.
"""

from __future__ import annotations

import importlib
import itertools
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

from research.errors import ParameterError, ResearchError

LABELS = ("supported", "contradicted", "mixed", "inconclusive")
# Set by `research run` for the kernels it starts: the scheduler of the run's one Dask cluster
# (research.runner.cluster), used by every sweep that names no scheduler and is not serial.
SCHEDULER_ENV = "RESEARCH_DASK_SCHEDULER"


@dataclass(frozen=True)
class Grid:
    """A claim's specification grid.

    ``choices`` maps each choice to its values; every combination that ``valid`` accepts is one
    specification. ``fixed`` are keyword arguments passed to every call but not varied (e.g.
    bootstrap draws). When a claim has several verdicts that test different hypotheses (C3's value
    tilt, profitability and inferiority), ``aspect`` names the choice whose values are those
    verdicts' aspects: each aspect gets its own curve and shares, and ``aspect_defaults`` completes
    ``default`` for each of them (choices that apply to one aspect only). ``family`` lists the
    claim's main verdicts that carry only an interval, each as ``(aspect, specification)`` with
    the report's own settings, so :func:`family_p_values` can give them a p-value for the
    multiple-testing family; ``family_basis`` says how the estimate computes that p-value (shown
    on the scorecard).

    ``views`` gives the verdicts of a claim whose grid has no aspect choice their own curves
    without restructuring it (C2's 2-year and 10-year yields, C6's two drawdown depths): each
    maps a verdict's aspect, exactly as the verdict names it, to the values it keeps of one or
    more choices, e.g. ``{"2-year yield": {"yield_series": ("dgs2", "gs2")}}``. The claim's curve
    stays the whole grid; :func:`summarize` adds one block per view under ``by_aspect`` (where the
    scorecard looks up a verdict's curve by its aspect), whose default specification is the
    grid's default with each restricted choice moved to the view's first value when the default's
    is not kept (:meth:`view_default`). A view that names an unknown choice or value, or a grid
    with both views and ``aspect`` (both would fill ``by_aspect``), is refused at construction.
    """

    claim: str
    title: str
    choices: dict[str, tuple]
    estimate: str  # "module:function", resolved in the worker
    statistic_name: str
    default: dict[str, Any]
    valid: str | None = None  # "module:function" spec -> bool, to drop impossible combinations
    notes: str = ""
    fixed: dict[str, Any] = field(default_factory=dict)
    aspect: str | None = None
    aspect_defaults: dict[str, dict[str, Any]] = field(default_factory=dict)
    aspect_labels: dict[str, str] = field(default_factory=dict)  # statistic name per aspect
    reference: float | None = 0.0  # the curve's reference line (0, or a threshold)
    family: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    family_basis: str = ""
    views: dict[str, dict[str, tuple]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name, keeps in self.views.items():
            where = f"view {name!r} of the {self.claim} grid"
            if self.aspect:
                raise ParameterError(f"{where}: the grid already has a curve per value of its aspect choice "
                                     f"{self.aspect!r}, and both would fill summary['by_aspect']. Fix: drop "
                                     "`views`, or drop `aspect` and declare one view per verdict.")
            if not keeps:
                raise ParameterError(f"{where} keeps nothing. Fix: map a choice to the values the view keeps, "
                                     "e.g. {'threshold': (10.0,)}.")
            for choice, values in keeps.items():
                if choice not in self.choices:
                    raise ParameterError(f"{where}: {choice!r} is not a choice of the grid; its choices are "
                                         f"{', '.join(self.choices)}. Fix: name one of them.")
                if isinstance(values, str) or not isinstance(values, tuple | list) or not values:
                    raise ParameterError(f"{where}: give the values of {choice!r} it keeps as a non-empty "
                                         f"tuple, e.g. ({self.choices[choice][0]!r},); got {values!r}.")
                unknown = [v for v in values if v not in self.choices[choice]]
                if unknown:
                    raise ParameterError(f"{where}: {unknown} not among the values of {choice!r} "
                                         f"({', '.join(map(repr, self.choices[choice]))}). Fix: keep only those.")

    def specs(self) -> list[dict[str, Any]]:
        """Every valid specification, in grid order (the product of the choices)."""
        keys = list(self.choices)
        keep = _resolve(self.valid) if self.valid else None
        out = []
        for values in itertools.product(*(self.choices[k] for k in keys)):
            spec = dict(zip(keys, values, strict=True))
            if keep is None or keep(spec):
                out.append(spec)
        return out

    def defaults(self) -> list[dict[str, Any]]:
        """The default specification(s): one, or one per aspect."""
        if not self.aspect:
            return [dict(self.default)]
        return [{**self.default, self.aspect: a, **self.aspect_defaults.get(a, {})}
                for a in self.choices[self.aspect]]

    def is_default(self, spec: dict[str, Any]) -> bool:
        """Whether ``spec`` is a default specification (the one behind the claim's report)."""
        return any(all(spec.get(k) == v for k, v in d.items()) for d in self.defaults())

    def view_default(self, name: str) -> dict[str, Any]:
        """The default specification of view ``name``: the grid's default, each choice the view
        restricts moved to its first kept value when the default's is not kept (C6's 5% view: the
        default with threshold 5.0, the specification of the report's 5% verdict)."""
        return {**self.default, **{c: self.default.get(c) if self.default.get(c) in values else values[0]
                                   for c, values in self.views[name].items()}}

    def view_text(self, name: str) -> str:
        """What view ``name`` keeps, for reading: "yield_series dgs2, gs2"."""
        return "; ".join(f"{c} {', '.join(map(str, values))}" for c, values in self.views[name].items())

    def view_title(self, name: str) -> str:
        """View ``name`` with what it keeps, as curves, tables and the scorecard name it:
        "2-year yield (yield_series dgs2, gs2)"."""
        return f"{name} ({self.view_text(name)})"


def _resolve(path: str) -> Callable:
    mod, _, attr = path.partition(":")
    return getattr(importlib.import_module(mod), attr)


def evaluate(estimate: str, spec: dict[str, Any], fixed: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run one specification (in whatever process this is called). Errors become rows, not crashes.

    The row carries, under ``_inputs``, the datasets this specification read (name -> sha256 and
    vintage), cache hits included: a Dask worker's reads are invisible to the notebook's kernel,
    and the runner keys a report on exactly the data it read, so :func:`run_sweep` merges them
    back. Not everything the process read: the run's one cluster serves several reports' sweeps.
    """
    import numpy as np

    from research import provenance

    t0 = time.perf_counter()
    with provenance.recording() as read:
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
    row["_inputs"] = read
    return row


def subset(grid: Grid, specs: list[dict[str, Any]], max_specs: int) -> list[dict[str, Any]]:
    """At most ``max_specs`` specifications, evenly spaced through the grid, defaults always kept
    (for quick runs and tests; 0 keeps them all)."""
    if max_specs <= 0 or len(specs) <= max_specs:
        return specs
    others = [i for i, s in enumerate(specs) if not grid.is_default(s)]
    room = max(max_specs - (len(specs) - len(others)), 0)
    picked = {others[int(k * len(others) / room)] for k in range(room)} if room else set()
    return [s for i, s in enumerate(specs) if i in picked or grid.is_default(s)]


def run_sweep(grid: Grid, *, scheduler: str | None = None, serial: bool = False, workers: int = 2,
              max_specs: int = 0, progress: Callable[[int, int], None] | None = None) -> pd.DataFrame:
    """Evaluate every specification of ``grid``; one row per specification, in grid order.

    ``serial=True`` runs in this process; otherwise on Dask: an existing cluster when
    ``scheduler`` is an address (``tcp://host:8786``) or, without one, when ``RESEARCH_DASK_SCHEDULER``
    names one (the runner's cluster for the whole run), else a LocalCluster of ``workers`` processes.
    ``max_specs`` > 0 evaluates an evenly spaced subset (defaults included). The datasets the
    specifications read are noted in this process's provenance, wherever they ran.
    """
    import os

    import numpy as np
    import pandas as pd

    from research import provenance

    scheduler = scheduler or (None if serial else os.environ.get(SCHEDULER_ENV) or None)
    specs = subset(grid, grid.specs(), max_specs)
    if not specs:
        raise ParameterError(f"the {grid.claim} grid has no valid specification")
    if not serial and workers < 1 and not scheduler:
        raise ParameterError(f"workers must be at least 1, got {workers}")
    t0 = time.perf_counter()
    if serial:
        from research import data

        rows = []
        with data.failing_fast():  # as in a batch on a worker (evaluate_many)
            for i, s in enumerate(specs, 1):
                rows.append(evaluate(grid.estimate, s, grid.fixed))
                if progress:
                    progress(i, len(specs))
        backend = "serial"
    else:
        rows, backend = _run_dask(grid, specs, scheduler, workers, progress)
    for row in rows:
        for name, details in row.pop("_inputs", {}).items():
            provenance.note_input(name, details)
    frame = pd.DataFrame(rows)
    frame.attrs.update(claim=grid.claim, backend=backend, wall_seconds=time.perf_counter() - t0,
                       choices=list(grid.choices), statistic_name=grid.statistic_name)
    frame["is_default"] = np.array([grid.is_default(s) for s in specs], dtype=bool)
    return frame


def evaluate_many(estimate: str, specs: list[dict[str, Any]], fixed: dict[str, Any] | None = None) -> dict[str, Any]:
    """:func:`evaluate` for a batch of specifications, in order (one Dask task per batch), with the
    ``research`` modules this worker has imported (name -> sha256): the runner keys a report on
    the code it ran, and a worker's imports are invisible to the kernel."""
    from research import data, provenance

    before = set(provenance.modules())
    with data.failing_fast():  # data missing for one specification are missing for the batch
        rows = [evaluate(estimate, spec, fixed) for spec in specs]
    imported = {k: v for k, v in provenance.modules().items() if k not in before}  # lazy imports, first use
    return {"rows": rows, "modules": {**provenance.modules_used_by(estimate.partition(":")[0]), **imported}}


TASKS_PER_THREAD = 16  # batches per worker thread: enough to balance uneven costs, few enough to keep overhead low


def batches(specs: list[dict[str, Any]], threads: int) -> list[list[dict[str, Any]]]:
    """Consecutive runs of specifications, about ``TASKS_PER_THREAD`` per worker thread.

    A task per specification costs Dask more than a cheap specification itself (a few ms each),
    and neighbours in grid order share their data (only the last choices differ), so a worker's
    per-process caches serve a whole batch.
    """
    size = max(1, -(-len(specs) // max(1, TASKS_PER_THREAD * threads)))
    return [specs[i:i + size] for i in range(0, len(specs), size)]


def _run_dask(grid: Grid, specs: list[dict], scheduler: str | None, workers: int, progress):
    from distributed import Client, LocalCluster, as_completed

    from research import provenance

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
        threads = sum(client.nthreads().values()) or workers
        chunks = batches(specs, threads)
        futures = client.map(evaluate_many, [grid.estimate] * len(chunks), chunks,
                             [grid.fixed] * len(chunks), pure=False)
        if progress:
            done = 0
            for future in as_completed(futures):
                done += len(future.result()["rows"])
                progress(done, len(specs))
        rows = []
        for chunk in client.gather(futures):
            rows += chunk["rows"]
            provenance.note_modules(chunk["modules"])
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return rows, backend


def family_p_values(grid: Grid) -> list[dict[str, Any]]:
    """P-values for the main verdicts of ``grid.claim`` that report only an interval.

    Each is the estimate function's p-value (the one its interval inverts, as ``grid.family_basis``
    says) at the specification of a ``grid.family`` entry: the report's default specification with
    the report's own settings, so its interval is the verdict's own; the scorecard admits it
    to the multiple-testing family only when ``statistic`` matches the main report's verdict.
    Claims whose verdicts carry a p-value (an empty ``family``) return an empty list.
    """
    out = []
    for aspect, spec in grid.family:
        row = dict(_resolve(grid.estimate)(**spec))
        out.append({"claim": grid.claim, "aspect": aspect, "statistic": row["estimate"], "lower": row["lower"],
                    "upper": row["upper"], "p_value": row["p_value"], "label": row["label"],
                    "basis": grid.family_basis or "the estimate's own p-value"})
    return out


# -- summaries ---------------------------------------------------------------------------------------

def shares(frame: pd.DataFrame) -> dict[str, Any]:
    """Share of the valid specifications that support, contradict, are mixed or inconclusive.

    Valid means the specification produced a label by the claim's rule; "skipped" (the data cannot
    test that combination) and "error" rows are counted but left out of the shares.
    """

    valid = frame[frame["label"].isin(LABELS)]
    n = len(valid)
    out = {"specifications": int(len(frame)), "valid": n,
           "skipped": int((frame["label"] == "skipped").sum()), "errors": int((frame["label"] == "error").sum())}
    for lab in LABELS:
        out[f"share_{lab}"] = float((valid["label"] == lab).mean()) if n else float("nan")
    out["median_estimate"] = float(valid["estimate"].median()) if n else float("nan")
    out["share_positive"] = float((valid["estimate"] > 0).mean()) if n else float("nan")
    # The most common reason a specification failed (else was not applicable): with no valid
    # specification, the runner fails the report and says why with it.
    out["top_error"] = ""
    for lab in ("error", "skipped") if "error" in frame else ():
        reasons = frame.loc[(frame["label"] == lab) & (frame["error"].astype(str) != ""), "error"]
        if len(reasons):
            out["top_error"] = str(reasons.value_counts().index[0])
            break
    return out


def influence(frame: pd.DataFrame, choices: Iterable[str]) -> pd.DataFrame:
    """Which choice moves the estimate most: the spread of the median estimate across each
    choice's values, and the share of the estimate's variance its values explain (eta squared:
    the between-value sum of squares over the total). Choices with one value are left out."""
    import pandas as pd

    valid = frame[frame["label"].isin(LABELS)].dropna(subset=["estimate"])
    total = float(((valid["estimate"] - valid["estimate"].mean()) ** 2).sum()) or float("nan")
    rows = []
    for c in choices:
        g = valid.groupby(valid[c].astype(str), sort=False)["estimate"]
        if g.ngroups < 2:
            continue
        between = float((g.count() * (g.mean() - valid["estimate"].mean()) ** 2).sum())
        med = g.median()
        rows.append({"choice": c, "values": int(g.ngroups), "median_low": med.min(), "median_high": med.max(),
                     "spread_of_medians": med.max() - med.min(), "eta_squared": between / total,
                     "lowest": med.idxmin(), "highest": med.idxmax()})
    columns = ["choice", "values", "median_low", "median_high", "spread_of_medians", "eta_squared",
               "lowest", "highest"]
    return (pd.DataFrame(rows, columns=columns)
            .sort_values("eta_squared", ascending=False, kind="stable")
            .set_index("choice"))


ROBUST_SHARE = 2 / 3  # share of valid specifications that must agree for a robust label
SPLIT_SHARE = 0.10  # both supported and contradicted at least this often: the design space is split


def robustness_label(s: dict[str, Any]) -> str:
    """The label of a whole specification curve, from :func:`shares` of its valid specifications.

    supported (contradicted) when at least two thirds of the specifications support (contradict)
    the claim and fewer than 10% point the other way; inconclusive when at least two thirds are
    inconclusive and fewer than 10% point either way; mixed otherwise: the design space disagrees
    with itself. A single specification proves little, so the word needs a clear majority.
    """
    sup, con = s.get("share_supported") or 0.0, s.get("share_contradicted") or 0.0
    inc = s.get("share_inconclusive") or 0.0
    if sup >= ROBUST_SHARE and con < SPLIT_SHARE:
        return "supported"
    if con >= ROBUST_SHARE and sup < SPLIT_SHARE:
        return "contradicted"
    if inc >= ROBUST_SHARE and sup < SPLIT_SHARE and con < SPLIT_SHARE:
        return "inconclusive"
    return "mixed"


ROBUSTNESS_RULE = ("supported (contradicted): at least two thirds of the valid specifications support "
                   "(contradict) the claim and fewer than 10% point the other way; inconclusive: at "
                   "least two thirds inconclusive and fewer than 10% either way; mixed: otherwise")


def aspect_frames(grid: Grid, frame: pd.DataFrame) -> list[tuple[str | None, pd.DataFrame]]:
    """``[(aspect, rows)]`` in grid order: one entry per aspect, or ``[(None, frame)]``."""
    if not grid.aspect:
        return [(None, frame)]
    return [(a, frame[frame[grid.aspect] == a]) for a in grid.choices[grid.aspect]
            if (frame[grid.aspect] == a).any()]


def view_frames(grid: Grid, frame: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """``[(view, rows)]`` in declaration order, ``is_default`` of the rows marking the view's own
    default (:meth:`Grid.view_default`); views with no row in ``frame`` are left out (a subset of
    the grid, or a grid restricted to another series, may hold none of their specifications)."""
    out = []
    for name, keeps in grid.views.items():
        mask = _rows_in(frame, keeps)
        if mask.any():
            rows = frame[mask]
            default = {c: (v,) for c, v in grid.view_default(name).items()}
            out.append((name, rows.assign(is_default=_rows_in(rows, default))))
    return out


def curve_frames(grid: Grid, frame: pd.DataFrame) -> list[tuple[str | None, pd.DataFrame]]:
    """The rows of each curve to draw or break down: one per aspect; or the whole grid (None)
    followed by each view (:func:`view_frames`), named with what it keeps; or the whole grid alone."""
    if not grid.views:
        return aspect_frames(grid, frame)
    return [(None, frame), *((grid.view_title(name), rows) for name, rows in view_frames(grid, frame))]


def varied_choices(grid: Grid, frame: pd.DataFrame) -> list[str]:
    """The choices that take more than one value in ``frame`` (the aspect itself excluded)."""
    return [c for c in grid.choices if c != grid.aspect and frame[c].astype(str).nunique() > 1]


def summarize(grid: Grid, frame: pd.DataFrame) -> dict[str, Any]:
    """A sweep in a JSON-safe dict, for the report's sidecar (``extra["spec_curve"]``) and the
    scorecard: the shares, the robustness label, the default specification's label and the
    choice that moves the estimate most, overall and per aspect. Across aspects the estimates
    have different units, so the overall "most influential choice" is given per aspect only.
    A grid with ``views`` keeps the whole grid as the claim's curve and adds each view's block
    under ``by_aspect``, with ``view`` saying what it keeps and its own default's label."""

    def block(sub: pd.DataFrame, with_influence: bool) -> dict[str, Any]:
        out = shares(sub)
        out["label"] = robustness_label(out) if out["valid"] else "inconclusive"
        default = sub.loc[sub["is_default"], "label"]
        out["default_label"] = str(default.iloc[0]) if len(default) == 1 else None
        out["most_influential"] = None
        if with_influence and out["valid"]:
            inf = influence(sub, varied_choices(grid, sub)).dropna(subset=["eta_squared"])
            if len(inf):
                top = inf.iloc[0]
                out["most_influential"] = {
                    "choice": str(inf.index[0]), "eta_squared": float(top["eta_squared"]),
                    "lowest": str(top["lowest"]), "highest": str(top["highest"]),
                    "median_low": float(top["median_low"]), "median_high": float(top["median_high"])}
        return out

    summary = {"claim": grid.claim, "title": grid.title, "statistic_name": grid.statistic_name,
               "backend": frame.attrs.get("backend", ""), "wall_seconds": frame.attrs.get("wall_seconds"),
               "rule": ROBUSTNESS_RULE, **block(frame, not grid.aspect)}
    if grid.aspect:
        summary["by_aspect"] = {str(a): block(sub, True) for a, sub in aspect_frames(grid, frame)}
    elif grid.views:
        summary["by_aspect"] = {name: {**block(sub, True), "view": grid.view_text(name),
                                       "title": grid.view_title(name)}
                                for name, sub in view_frames(grid, frame)}
    return _json_safe(summary)


def _rows_in(frame: pd.DataFrame, keeps: dict[str, Any]) -> Any:
    """Which rows of ``frame`` take, for each choice in ``keeps``, one of its values (a boolean array)."""
    import numpy as np

    mask = np.ones(len(frame), dtype=bool)
    for choice, values in keeps.items():
        mask &= frame[choice].isin(values).to_numpy()
    return mask


def curve_parts(summary: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The blocks of a :func:`summarize` summary to show, each with its name: one per aspect; or
    the claim's whole curve (named "") followed by each view, named with what it keeps ("2-year
    yield (yield_series dgs2, gs2)"); or the whole curve alone."""
    by = summary.get("by_aspect") or {}
    views = [(b["title"], b) for b in by.values() if b.get("view")]
    if views:
        return [("", summary), *views]
    return list(by.items()) or [("", summary)]


def _json_safe(x: Any) -> Any:
    if isinstance(x, dict):
        return {str(k): _json_safe(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_json_safe(v) for v in x]
    if hasattr(x, "item") and not isinstance(x, str):
        x = x.item()
    if isinstance(x, float) and x != x:  # NaN
        return None
    return x


def choices_table(grid: Grid) -> pd.DataFrame:
    """The grid for reading: each choice's values and its default ("—": does not apply)."""
    import pandas as pd

    return pd.DataFrame({
        "values": {k: ", ".join(str(v) for v in vals if v != "—") for k, vals in grid.choices.items()},
        "default": {k: _default_text(grid, k) for k in grid.choices},
    }).rename_axis("choice")


def _default_text(grid: Grid, choice: str) -> str:
    values = list(dict.fromkeys(str(d.get(choice, "—")) for d in grid.defaults()))
    shown = [v for v in values if v != "—"] or values
    return ", ".join(shown)


def shares_table(grid: Grid, frame: pd.DataFrame) -> pd.DataFrame:
    """The shares for reading: one row per aspect (or one row, the claim's, followed by one per
    view), percentages of the valid specifications, the curve's label and the default
    specification's label."""
    import pandas as pd

    rows = {}
    for name, b in curve_parts(summarize(grid, frame)):
        rows[name or grid.claim] = {"specifications": b["specifications"], "valid": b["valid"],
                      **{f"{lab} %": round(100 * (b[f"share_{lab}"] or 0.0), 1) for lab in LABELS},
                      "median estimate": float(f"{b['median_estimate']:.3g}") if b["median_estimate"] is not None
                      else None, "curve": b["label"],
                      "default specification": b["default_label"] or "—"}
    index = "aspect" if grid.aspect else "curve" if grid.views else "claim"
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis(index)


def influence_table(grid: Grid, frame: pd.DataFrame) -> pd.DataFrame:
    """:func:`influence` per aspect (or for the whole grid, then per view), for reading: each
    choice's eta squared and the median estimate at its lowest and highest value."""
    import pandas as pd

    parts = {}
    for aspect, sub in curve_frames(grid, frame):
        inf = influence(sub, varied_choices(grid, sub))
        parts[aspect or grid.claim] = pd.DataFrame({
            "share of variance (eta²)": inf["eta_squared"].round(3),
            "lowest median at": inf["lowest"] + " (" + inf["median_low"].round(3).astype(str) + ")",
            "highest median at": inf["highest"] + " (" + inf["median_high"].round(3).astype(str) + ")",
            "values": inf["values"]})
    return pd.concat(parts, names=["aspect" if grid.aspect else "curve" if grid.views else "claim", "choice"])


def spec_table(grid: Grid, frame: pd.DataFrame) -> pd.DataFrame:
    """Every specification, as on the curve: sorted by aspect and estimate, ``rank`` = position on
    the curve (1 = lowest), the choices, the estimate, its interval, p-value, n, sample and label."""
    import pandas as pd

    parts = []
    for _aspect, sub in aspect_frames(grid, frame):
        ordered = sub.sort_values("estimate", kind="stable", na_position="last")
        parts.append(ordered.assign(rank=range(1, len(ordered) + 1)))
    out = pd.concat(parts) if parts else frame.assign(rank=[])
    lead = ["rank", *grid.choices]
    numbers = ["estimate", "lower", "upper", "p_value", "n"]
    tail = ["label", "is_default", "error"]
    rest = [c for c in out.columns if c not in {*lead, *numbers, *tail, "seconds"}]
    columns = [c for c in (*lead, *numbers, *rest, *tail) if c in out.columns]
    table = out[columns].rename(columns={"is_default": "default"})
    return table.round({"estimate": 3, "lower": 3, "upper": 3, "p_value": 4}).reset_index(drop=True)


def plot_curve(frame: pd.DataFrame, choices: list[str] | dict[str, Iterable], *, title: str = "",
               ylabel: str = "estimate", reference: float | None = 0.0):
    """The specification curve: sorted estimates with intervals above an indicator panel of choices.

    Each dot is one specification, coloured by its own label; the ringed dot is the default
    specification; ``reference`` draws a horizontal line (zero, or a threshold). ``choices`` lists
    the choices of the indicator panel, or maps each to its values in the order to show them.
    Specifications with a label but no estimate (e.g. no event in their sample) cannot be placed
    on the curve; the axis says how many.
    """
    import textwrap

    import matplotlib.pyplot as plt
    import numpy as np
    import pandas as pd

    colours = {"supported": "#1a7f37", "contradicted": "#cf222e", "mixed": "#9a6700", "inconclusive": "#8c959f"}
    labelled = frame[frame["label"].isin(LABELS)]
    valid = labelled.dropna(subset=["estimate"]).sort_values("estimate", kind="stable").reset_index(drop=True)
    order = choices if isinstance(choices, dict) else {c: pd.unique(valid[c].astype(str)) for c in choices}
    present = {c: set(valid[c].astype(str)) for c in order}
    levels = [(c, str(v)) for c, values in order.items() for v in values if str(v) in present[c]]
    panel = max(1.2, 0.2 * len(levels))
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(11, 3.6 + panel), sharex=True,
                                      gridspec_kw={"height_ratios": [3.6, panel]})
    x = np.arange(len(valid))
    for lab, colour in colours.items():
        m = (valid["label"] == lab).to_numpy()
        if m.any():
            top.vlines(x[m], valid["lower"][m], valid["upper"][m], color=colour, alpha=0.3, lw=1)
            top.scatter(x[m], valid["estimate"][m], s=9, color=colour, label=f"{lab} ({int(m.sum())})", zorder=3)
    d = valid.index[valid["is_default"].astype(bool)]
    if len(d):
        top.scatter(d, valid.loc[d, "estimate"], s=110, facecolors="none", edgecolors="black", lw=1.3,
                    zorder=4, label="default specification")
    if reference is not None:
        top.axhline(reference, color="black", lw=0.8)
    note = _focus(top, valid, reference)
    if note:
        top.text(0.99, 0.02, note, transform=top.transAxes, ha="right", va="bottom", fontsize=8, color="#57606a")
    top.set_ylabel("\n".join(textwrap.wrap(ylabel, 38)), fontsize=9)
    top.set_title(title, loc="left")
    top.legend(loc="upper left", fontsize=8, frameon=False)
    for row, (c, v) in enumerate(levels):
        m = (valid[c].astype(str) == v).to_numpy()
        bottom.scatter(x[m], np.full(int(m.sum()), row), s=6, color="#24292f", marker="|", linewidths=0.8)
    bottom.set_yticks(range(len(levels)))
    bottom.set_yticklabels([f"{c} = {v}" for c, v in levels], fontsize=7)
    bottom.set_ylim(len(levels) - 0.5, -0.5)
    bottom.grid(False)
    for row in range(len(levels)):
        bottom.axhline(row, color="#d0d7de", lw=0.4, zorder=0)
    missing = len(labelled) - len(valid)
    bottom.set_xlabel(f"{len(valid)} specifications, sorted by estimate"
                      + (f" ({missing} more have no estimate: nothing to measure in their sample)" if missing else ""))
    top.set_xlim(-1, max(len(valid), 1))
    fig.tight_layout()
    return fig


def _focus(ax: Any, valid: pd.DataFrame, reference: float | None) -> str:
    """Scale the axis to the estimates, not to their widest intervals (a few specifications with
    a handful of events have enormous ones), and keep a few extreme estimates from flattening the
    curve: when the estimates' full range is over four times their central 96%, the axis shows that
    band plus margins. Returns a note saying what runs past the axis, or ""."""
    import numpy as np

    x = valid["estimate"].to_numpy(dtype=float)
    if len(x) == 0:
        return ""
    lo, hi = np.quantile(x, [0.02, 0.98]) if len(x) >= 20 else (x.min(), x.max())
    span = hi - lo
    if span > 0 and (x.max() - x.min()) > 4 * span:
        bottom, top = lo - 0.6 * span, hi + 0.6 * span
    else:
        pad = 0.12 * ((x.max() - x.min()) or abs(x.max()) or 1.0)
        bottom, top = x.min() - pad, x.max() + pad
    if reference is not None:
        bottom, top = min(bottom, reference), max(top, reference)
    ax.set_ylim(bottom, top)
    outside = int(((x < bottom) | (x > top)).sum())
    cut = int(((valid["lower"] < bottom) | (valid["upper"] > top)).sum())
    notes = []
    if outside:
        notes.append(f"{outside} estimate{'s' if outside > 1 else ''} beyond the axis")
    if cut:
        notes.append(f"{cut} interval{'s' if cut > 1 else ''} cut at the axis")
    return "; ".join(notes) + (" (every value is in the table)" if notes else "")


def plot_curves(grid: Grid, frame: pd.DataFrame) -> list:
    """One specification curve per aspect (or the whole grid's, then one per view; or one), each
    with the choices that vary within it."""
    figs = []
    for aspect, sub in curve_frames(grid, frame):
        title = f"{grid.claim}: {aspect}" if aspect else f"{grid.claim}: {grid.title}"
        ylabel = grid.aspect_labels.get(aspect, grid.statistic_name) if aspect else grid.statistic_name
        levels = {c: grid.choices[c] for c in varied_choices(grid, sub)}
        figs.append(plot_curve(sub, levels, title=title, ylabel=ylabel, reference=grid.reference))
    return figs


def robustness_verdict(grid: Grid, frame: pd.DataFrame) -> Any:
    """The curve's conclusion as verdict boxes (one per aspect; or the claim's, then one per view;
    or one) for the top of the report.

    Displayed, not recorded as the claim's verdict: the claim's verdict comes from its own report
    (the default specification); this says how much of the reasonable design space agrees with it.
    """
    from research import provenance
    from research.verdict import Verdict

    s = summarize(grid, frame)
    vintage = {name: str(d.get("vintage")) for name, d in provenance.inputs().items() if d.get("vintage")}
    parts = curve_parts(s)
    verdicts = []
    for aspect, b in parts:
        top = b.get("most_influential")
        moved = (f" The choice that moves the estimate most: {top['choice']} (eta² {top['eta_squared']:.2f}; "
                 f"median {top['median_low']:+.3g} at {top['lowest']}, {top['median_high']:+.3g} at "
                 f"{top['highest']})." if top else "")
        name = grid.aspect_labels.get(aspect, grid.statistic_name) if aspect else grid.statistic_name
        verdicts.append(Verdict(
            claim=grid.claim, aspect=f"specification curve{f': {aspect}' if aspect else ''}", label=b["label"],
            hypothesis=(f"{grid.claim}{f', {aspect},' if aspect else ''} judged over {b['valid']:,} reasonable "
                        "specifications instead of one, each labelled by the claim's own verdict rule"),
            statistic=b["median_estimate"], statistic_name=f"median estimate, {name}",
            n=None,  # specifications are not independent observations
            vintage=vintage,
            sample=(f"{b['specifications']} specifications ({b['valid']} valid, {b['skipped']} not applicable, "
                    f"{b['errors']} errors)"),
            method=f"grid of {', '.join(c for c in grid.choices if c != grid.aspect)}; run on {s['backend']}",
            rule=s["rule"],
            note=(f"Supported in {percent(b['share_supported'])}, contradicted in {percent(b['share_contradicted'])}, "
                  f"mixed in {percent(b['share_mixed'])} and inconclusive in {percent(b['share_inconclusive'])} of "
                  f"the valid specifications; the default specification (the claim's report) is "
                  f"{b['default_label'] or 'not in this run'}." + moved),
        ))
    return _Boxes(verdicts)


def percent(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.0f}%"


class _Boxes:
    """Verdict boxes that display as one block in a notebook (and as text elsewhere)."""

    def __init__(self, verdicts: list) -> None:
        self.verdicts = verdicts

    def _repr_html_(self) -> str:
        from research.verdict import verdict_box

        return verdict_box(self.verdicts)

    def __repr__(self) -> str:
        return "\n\n".join(str(v) for v in self.verdicts)
