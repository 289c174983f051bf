"""C4: froth, "the leadership of crypto-connected, small nuclear, clean energy and quantum names".

The named themes are not in public data, so the claim is tested on what they have in common: junk
leadership. Within small caps (the smallest size quintile of French's 25 size x profitability and
25 size x investment portfolios), the gauge is the return of weak-profitability minus robust
firms, and of aggressive-investment minus conservative firms, over the trailing 3 and 6 months,
ranked against its own history up to that month (no look-ahead). Junk is what Asness, Frazzini,
Israel, Moskowitz and Pedersen (2018) show small caps must be cleaned of; profitability and
investment are the Fama and French (2015) quality dimensions.

    >>> from research.claims import froth
    >>> result = froth.run()            # as of the last month-end before 15 October 2025
    >>> result.table
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from research import stats
from research.claims.base import START_DATES, ResultMixin, spec_row, vintage_of
from research.data.sizes import cached, cell_returns, french
from research.errors import ParameterError
from research.sweep import Grid
from research.verdict import Verdict

CLAIM = "C4"
HYPOTHESIS = ("Froth: junk leads within small caps at the article date (the junk-leadership gauge "
              "is in the top decile of its history)")


@dataclass(frozen=True)
class Leg:
    """One junk-minus-quality spread within small caps."""

    name: str  # column name of the gauge
    kind: str  # "OP" or "INV": which 25-portfolio file
    long: str  # the junk side
    short: str  # the quality side
    label: str


LEGS = {
    "profitability": Leg("weak_minus_robust", "OP", "weak", "robust",
                         "weak minus robust profitability"),
    "investment": Leg("aggressive_minus_conservative", "INV", "aggressive", "conservative",
                      "aggressive minus conservative investment"),
}
#: Daily all-cap cross-check from the five daily factors: junk is the short side of RMW and CMA.
DAILY_LEGS = {"profitability": ("RMW", "-RMW (weak minus robust, all caps)"),
              "investment": ("CMA", "-CMA (aggressive minus conservative, all caps)")}

SECTOR_HYPOTHESIS = ("The leadership is in crypto-connected, small nuclear, clean energy and "
                     "quantum-computing names")
SECTOR_REASON = (
    "The catalog sorts stocks on size, value, profitability and investment, and French's 49 "
    "industries are all-cap and do not isolate crypto-connected, small nuclear, clean energy or "
    "quantum-computing companies, so which names led cannot be measured here.")
SECTOR_DATA = (
    "daily returns of the named stocks (constituent lists with Russell 2000 membership), or of "
    "thematic ETFs as proxies (e.g. URNM/NLR for nuclear and uranium, ICLN/TAN for clean energy, "
    "QTUM for quantum computing, WGMI/BKCH for crypto-linked equities), compared with the Russell "
    "2000 over the same trailing 3 and 6 months and ranked against their own history.")


def rule_text(threshold: float = 0.9, min_history: int = 120) -> str:
    """The verdict rule of CLAIMS.md, with this run's thresholds filled in."""
    return (f"supported if every gauge (each leg over each trailing window) at the article date is "
            f"in the top {1 - threshold:.0%} of its own history; mixed if some are; contradicted if "
            f"none is; inconclusive if a gauge has fewer than {min_history} months of history")


def froth_label(percentiles: Sequence[float], *, threshold: float = 0.9,
                history: Sequence[int] | None = None, min_history: int = 120) -> str:
    """The C4 rule on the percentile ranks (in [0, 1]) of the gauges at the article date."""
    pct = np.asarray(percentiles, dtype=float)
    if len(pct) == 0 or np.isnan(pct).any():
        return "inconclusive"
    if history is not None and min(history) < min_history:
        return "inconclusive"
    top = pct >= threshold
    if top.all():
        return "supported"
    return "mixed" if top.any() else "contradicted"


# -- building blocks -----------------------------------------------------------------------------------

def small_cap_legs(op_portfolios: pd.DataFrame, inv_portfolios: pd.DataFrame, *,
                   size_quintiles: Sequence[int] = (1,), weak: Sequence[int] = (1,),
                   robust: Sequence[int] = (5,), aggressive: Sequence[int] = (5,),
                   conservative: Sequence[int] = (1,)) -> pd.DataFrame:
    """Monthly returns (percent) of the junk and quality sides within small caps: columns weak,
    robust (profitability quintiles) and aggressive, conservative (investment quintiles)."""
    return pd.DataFrame({
        "weak": cell_returns(op_portfolios, size_quintiles, weak, "OP"),
        "robust": cell_returns(op_portfolios, size_quintiles, robust, "OP"),
        "aggressive": cell_returns(inv_portfolios, size_quintiles, aggressive, "INV"),
        "conservative": cell_returns(inv_portfolios, size_quintiles, conservative, "INV"),
    })


def junk_gauge(legs: pd.DataFrame, *, windows: Sequence[int] = (3, 6),
               spreads: Sequence[str] = ("profitability", "investment")) -> pd.DataFrame:
    """Trailing junk-minus-quality return in percentage points: each side compounded over the
    window, then differenced. Columns ``<leg name>_<window>m``, e.g. ``weak_minus_robust_3m``."""
    out = {}
    for spread in spreads:
        leg = LEGS[spread]
        for w in windows:
            out[f"{leg.name}_{w}m"] = (stats.trailing_compound(legs[leg.long], w)
                                       - stats.trailing_compound(legs[leg.short], w))
    return pd.DataFrame(out)


def expanding_percentile(x: pd.Series, *, min_history: int = 1) -> pd.Series:
    """At each date, the share of the series' values up to and including that date that are at or
    below the current value (a real-time percentile rank; NaN before ``min_history`` values)."""
    values = x.dropna()
    arr = values.to_numpy(dtype=float)
    n = len(arr)
    at_or_below = (arr[None, :] <= arr[:, None]) & np.tri(n, dtype=bool)  # row t: history to t
    counts = np.arange(1, n + 1)
    pct = at_or_below.sum(axis=1) / counts
    pct[counts < min_history] = np.nan
    return pd.Series(pct, index=values.index, name=x.name).reindex(x.index)


def top_episodes(value: pd.Series, percentile: pd.Series, *, threshold: float = 0.9,
                 max_gap: int = 1) -> pd.DataFrame:
    """Runs of consecutive periods with a real-time percentile at or above ``threshold`` (gaps of
    up to ``max_gap`` periods bridged): first and last period, length, peak date and peak value."""
    hot = percentile.fillna(0) >= threshold
    if not hot.any():
        return pd.DataFrame(columns=["start", "end", "months", "peak_date", "peak_value"])
    pos = np.flatnonzero(hot.to_numpy())
    breaks = np.flatnonzero(np.diff(pos) > max_gap + 1)
    rows = []
    for run in np.split(pos, breaks + 1):
        dates = value.index[run[0]:run[-1] + 1]
        peak = value.loc[dates].idxmax()
        rows.append({"start": dates[0], "end": dates[-1], "months": int(hot.loc[dates].sum()),
                     "peak_date": peak, "peak_value": value.loc[peak]})
    return pd.DataFrame(rows)


# -- result --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FrothResult(ResultMixin):
    """C4 result.

    ``table``: each gauge at the article date (value, real-time percentile, share of history at or
    above it, months of history); ``path``: gauge values and real-time percentiles since
    ``path_start`` (long: one row per month and gauge, with its ``leg`` and ``window``); ``gauges``: the full monthly gauge history;
    ``episodes``: past top-decile runs of the headline gauge; ``daily_check``: the all-cap daily
    factor version at the exact article date (empty when no daily factors were given).
    """

    verdicts: tuple[Verdict, ...]
    table: pd.DataFrame
    path: pd.DataFrame
    gauges: pd.DataFrame
    episodes: pd.DataFrame
    daily_check: pd.DataFrame
    spec: dict[str, Any] = field(default_factory=dict)

    def largest_episodes(self, n: int = 10) -> pd.DataFrame:
        """The ``n`` past top-decile runs of the headline gauge with the highest peaks, by month."""
        month = {c: (lambda d, c=c: d[c].dt.strftime("%Y-%m")) for c in ("start", "end", "peak_date")}
        return (self.episodes
                .nlargest(n, "peak_value")
                .assign(**month)
                .set_index("start"))

    def conclusion(self) -> str:
        """The closing note in Markdown: the verdicts with statistic, p-value and n."""
        v, sectors = self.verdicts
        lines = [
            f"**{v.aspect}: {v.label}.** {v.note}",
            "",
            f"- Statistic: {v.statistic_name}: **{v.statistic:.1f}th percentile**",
            f"- Empirical p-value (share of past months at or above the reading): {v.p_value:.3f}",
            f"- n = {v.n} non-overlapping {self.spec['windows'][0]}-month windows of history "
            f"({v.sample}); vintage " + ", ".join(f"{k} {x}" for k, x in v.vintage.items()) + ".",
            "",
            f"**{sectors.aspect}: {sectors.label}.** {sectors.note}",
        ]
        return "\n".join(lines)


def _timestamp(date: str, name: str) -> pd.Timestamp:
    try:
        return pd.Timestamp(date)
    except (ValueError, TypeError) as exc:
        raise ParameterError(f"{name} must be an ISO date such as '2025-10-15', got {date!r}") from exc


def _validate(*, windows, spreads, threshold, min_history, quintiles) -> None:
    if not windows or any(not isinstance(w, int | np.integer) or w < 1 for w in windows):
        raise ParameterError(f"windows must be positive whole months, got {list(windows)}")
    unknown = [s for s in spreads if s not in LEGS]
    if unknown or not spreads:
        raise ParameterError(f"unknown gauge legs {unknown or list(spreads)}; choose from {list(LEGS)}")
    if not 0.5 <= threshold < 1:
        raise ParameterError(f"threshold is a percentile rank in [0.5, 1), e.g. 0.9 for the top "
                             f"decile; got {threshold}")
    if min_history < 12:
        raise ParameterError(f"min_history must be at least 12 months, got {min_history}")
    for name, q in quintiles.items():
        if not q or any(int(x) != x or not 1 <= x <= 5 for x in q):
            raise ParameterError(f"{name} must be a non-empty list of quintiles 1..5, got {list(q)}")
    if set(quintiles["weak"]) & set(quintiles["robust"]) or (
            set(quintiles["aggressive"]) & set(quintiles["conservative"])):
        raise ParameterError("the junk and quality quintiles of a leg overlap; pick distinct ones")


def _daily_check(factors: pd.DataFrame, as_of: pd.Timestamp, *, spreads: Sequence[str],
                 windows: Sequence[int], start: pd.Timestamp) -> pd.DataFrame:
    rows = []
    # the daily history covers the same months as the monthly gauge's: from the start month's first day
    history = factors.loc[start.replace(day=1):as_of]
    for spread in spreads:
        column, label = DAILY_LEGS[spread]
        junk = -history[column]
        for w in windows:
            trail = stats.trailing_compound(junk, w).dropna()
            if trail.empty:
                continue
            rows.append({"gauge": label, "window_days": w, "date": trail.index[-1].date().isoformat(),
                         "value": trail.iloc[-1],
                         "percentile": stats.percentile_rank(trail, trail.iloc[-1]),
                         "history_days": len(trail)})
    return pd.DataFrame(rows).set_index(["gauge", "window_days"]) if rows else pd.DataFrame()


def independent_windows(history_months: int, window: int) -> int:
    """The verdict's n: non-overlapping ``window``-month spans in the gauge's history (its monthly
    readings overlap, so the months themselves are not independent)."""
    return int(history_months) // int(window)


def _reading(gauge: pd.Series, month: pd.Timestamp, threshold: float) -> dict[str, Any]:
    """One gauge at ``month``, ranked against its own history up to then (a row of the table)."""
    history = gauge.loc[:month].dropna()
    value = history.iloc[-1]
    percentile = stats.percentile_rank(history, value)
    return {"value": value, "percentile": percentile,
            "share_at_or_above": float((history >= value).mean()),
            "top_decile": bool(percentile >= threshold), "history_months": len(history),
            "history": f"{history.index[0]:%Y-%m}..{month:%Y-%m}", "max_before": history.iloc[:-1].max()}


def _legs_since(op_portfolios: pd.DataFrame, inv_portfolios: pd.DataFrame, first: pd.Timestamp,
                quintiles: dict[str, Sequence[int]]) -> pd.DataFrame:
    return small_cap_legs(op_portfolios, inv_portfolios, **quintiles).loc[first:].dropna()


def _gauges(legs: pd.DataFrame, month: pd.Timestamp, as_of: str, *, windows: Sequence[int],
            spreads: Sequence[str]) -> pd.DataFrame:
    gauges = junk_gauge(legs, windows=windows, spreads=spreads)
    if month not in gauges.index:
        raise ParameterError(f"no 25-portfolio returns for {month:%Y-%m} (the last month-end on or "
                             f"before as_of {as_of}); the data run {legs.index[0]:%Y-%m}.."
                             f"{legs.index[-1]:%Y-%m}")
    return gauges


def _first_month(start: str) -> pd.Timestamp:
    return _timestamp(start, "start") + pd.offsets.MonthEnd(0)


def _dates(as_of: str, start: str) -> tuple[pd.Timestamp, pd.Timestamp, pd.Timestamp]:
    """The article date, the first month of history and the month the gauge is read at."""
    article = _timestamp(as_of, "as_of")
    first = _first_month(start)
    month = article if article.is_month_end else article - pd.offsets.MonthEnd(1)
    if first >= month:
        raise ParameterError(f"start {start} must come before the article month {month:%Y-%m}")
    return article, first, month


def test(op_portfolios: pd.DataFrame, inv_portfolios: pd.DataFrame, *, as_of: str = "2025-10-15",
         windows: Sequence[int] = (3, 6), spreads: Sequence[str] = ("profitability", "investment"),
         start: str = "1963-07-31", path_start: str = "2020-01-31", threshold: float = 0.9,
         min_history: int = 120, size_quintiles: Sequence[int] = (1,), weak: Sequence[int] = (1,),
         robust: Sequence[int] = (5,), aggressive: Sequence[int] = (5,),
         conservative: Sequence[int] = (1,), daily_factors: pd.DataFrame | None = None,
         daily_windows: Sequence[int] = (63, 126), vintage: dict[str, str] | None = None,
         weighting: str = "") -> FrothResult:
    """Test C4 on data already loaded; fast enough for specification sweeps.

    Parameters
    ----------
    op_portfolios, inv_portfolios : French's 25 size x profitability and 25 size x investment
        portfolios (``me_op_25``, ``me_inv_25``), monthly, percent.
    as_of : the article date; the gauge is read at the last month-end on or before it (what was
        known then).
    windows : trailing windows in months; spreads : which legs ("profitability", "investment").
    start : first month of the history the gauge is ranked against.
    path_start : first month of the path shown (since 2020 by default).
    threshold : percentile rank that counts as froth (0.9: the top decile).
    min_history : months of history a gauge needs before it is ranked.
    size_quintiles : the size quintiles that are "small caps"; weak/robust, aggressive/conservative:
        the profitability and investment quintiles of each side.
    daily_factors : optional daily five factors (``ff5_factors_daily``) for an all-cap cross-check
        at the exact article date over ``daily_windows`` trading days.
    """
    quintiles = {"size_quintiles": size_quintiles, "weak": weak, "robust": robust,
                 "aggressive": aggressive, "conservative": conservative}
    _validate(windows=windows, spreads=spreads, threshold=threshold, min_history=min_history,
              quintiles=quintiles)
    article, first, month = _dates(as_of, start)
    legs = _legs_since(op_portfolios, inv_portfolios, first, quintiles)
    gauges = _gauges(legs, month, as_of, windows=windows, spreads=spreads)
    percentiles = pd.DataFrame({c: expanding_percentile(gauges[c], min_history=min_history)
                                for c in gauges.columns})

    table = pd.DataFrame([{"gauge": col, **_reading(gauges[col], month, threshold)}
                          for col in gauges.columns]).set_index("gauge")

    labels = {f"{LEGS[sp].name}_{w}m": LEGS[sp].label for sp in spreads for w in windows}
    path = (pd.concat({"value": gauges.loc[path_start:], "percentile": percentiles.loc[path_start:]},
                      axis=1)
            .stack(level=1, future_stack=True)
            .rename_axis(["date", "gauge"])
            .reset_index("gauge")
            .dropna(subset=["value"])
            .assign(leg=lambda d: d["gauge"].map(labels),
                    window=lambda d: d["gauge"].str.rsplit("_", n=1).str[1].str.replace("m", " months")))
    headline = gauges.columns[0]
    episodes = top_episodes(gauges[headline], percentiles[headline], threshold=threshold)

    daily = (_daily_check(daily_factors, article, spreads=spreads, windows=daily_windows, start=first)
             if daily_factors is not None else pd.DataFrame())

    head = table.loc[headline]
    w0 = int(windows[0])
    label = froth_label(table["percentile"], threshold=threshold,
                        history=table["history_months"].tolist(), min_history=min_history)
    listing = "; ".join(f"{g} {r['percentile']:.1%}" for g, r in table.iterrows())
    n_top = int(table["top_decile"].sum())
    verdicts = (
        Verdict(
            claim=CLAIM, aspect="junk leadership", label=label, hypothesis=HYPOTHESIS,
            statistic=100 * head["percentile"],
            statistic_name=f"percentile of the {headline} gauge in its history",
            p_value=head["share_at_or_above"], alpha=round(1 - threshold, 6),
            n=independent_windows(head["history_months"], w0),
            n_note=(f"of {int(head['history_months'])} monthly readings; n counts non-overlapping "
                    f"{w0}-month windows"),
            sample=f"{legs.index[0]:%Y-%m}..{month:%Y-%m}", vintage=dict(vintage or {}),
            method=(f"Within small caps (size quintile {list(size_quintiles)} of French's 25 size x "
                    "profitability and size x investment portfolios"
                    f"{', ' + weighting.upper() if weighting else ''}), junk-minus-quality returns "
                    f"compounded over the trailing {', '.join(map(str, windows))} months, ranked "
                    f"against their own history up to {month:%Y-%m} (the last month-end on or "
                    f"before {as_of}). The p-value is the empirical share of past months at or "
                    f"above the reading; n counts non-overlapping {w0}-month windows."),
            rule=rule_text(threshold, min_history),
            note=(f"{n_top} of {len(table)} gauges are in the top {1 - threshold:.0%} at "
                  f"{month:%Y-%m} ({listing}); the headline {headline} reading is "
                  f"{head['value']:+.1f} percentage points."),
        ),
        dataclasses.replace(Verdict.not_testable(CLAIM, SECTOR_HYPOTHESIS, SECTOR_REASON, SECTOR_DATA),
                            aspect="named sectors"),
    )
    spec = {"as_of": as_of, "month": f"{month:%Y-%m}", "windows": list(windows),
            "spreads": list(spreads), "start": start, "path_start": path_start,
            "threshold": threshold, "min_history": min_history, "weighting": weighting,
            **{k: list(v) for k, v in quintiles.items()}}
    return FrothResult(verdicts=verdicts, table=table, path=path, gauges=gauges, episodes=episodes,
                       daily_check=daily, spec=spec)


def run(*, weighting: str = "vw", as_of: str = "2025-10-15", windows: Sequence[int] = (3, 6),
        spreads: Sequence[str] = ("profitability", "investment"), start: str = "1963-07-31",
        path_start: str = "2020-01-31", threshold: float = 0.9, min_history: int = 120,
        size_quintiles: Sequence[int] = (1,), weak: Sequence[int] = (1,), robust: Sequence[int] = (5,),
        aggressive: Sequence[int] = (5,), conservative: Sequence[int] = (1,),
        daily_check: bool = True, daily_windows: Sequence[int] = (63, 126)) -> FrothResult:
    """Load the 25-portfolio files (and the daily five factors) through ``research.data``, then
    :func:`test`."""
    from research import data

    if weighting not in ("vw", "ew"):
        raise ParameterError(f"weighting must be 'vw' or 'ew', not {weighting!r}")
    op = data.load("me_op_25", block=f"{weighting}_monthly")
    inv = data.load("me_inv_25", block=f"{weighting}_monthly")
    daily = data.load("ff5_factors_daily", block="daily") if daily_check else None
    names = ["me_op_25", "me_inv_25", *(["ff5_factors_daily"] if daily_check else [])]
    return test(op, inv, as_of=as_of, windows=windows, spreads=spreads, start=start,
                path_start=path_start, threshold=threshold, min_history=min_history,
                size_quintiles=size_quintiles, weak=weak, robust=robust, aggressive=aggressive,
                conservative=conservative, daily_factors=daily, daily_windows=daily_windows,
                vintage=vintage_of(*names), weighting=weighting)


# == specification grid (research sweep) ============================================================
# The grid of reasonable specifications of this claim, its validity rule and the lean estimate
# function one specification runs (module-level: Dask pickles it by name). See research.sweep.

_QUINTILES = {"q1": (1,), "q1-2": (1, 2)}  # size quintiles that count as small caps
GRID_STARTS = (1963, 1987)
_JUNK_CELLS = {
               "extreme quintiles": {"weak": (1,), "robust": (5,), "aggressive": (5,), "conservative": (1,)},
               "two quintiles each side": {"weak": (1, 2), "robust": (4, 5), "aggressive": (4, 5), "conservative": (1, 2)},
               }


@cached(maxsize=32)
def _grid_legs(weighting: str, small_caps: str, junk_cells: str, start: int) -> pd.DataFrame:
    """The junk and quality sides within small caps since ``start`` (shared by every leg, window
    and threshold of these data; cached per worker)."""
    first = _first_month(START_DATES[start])
    return _legs_since(french("me_op_25", f"{weighting}_monthly"), french("me_inv_25", f"{weighting}_monthly"),
                       first, {"size_quintiles": _QUINTILES[small_caps], **_JUNK_CELLS[junk_cells]})


@cached(maxsize=128)
def _grid_gauge(leg: str, window: int, weighting: str, small_caps: str, junk_cells: str, start: int,
                as_of: str) -> tuple[pd.Series, str]:
    """One gauge's history and the first month of its legs (shared by the thresholds; cached per
    worker)."""
    month = _dates(as_of, START_DATES[start])[2]
    legs = _grid_legs(weighting, small_caps, junk_cells, start)
    gauges = _gauges(legs, month, as_of, windows=(window,), spreads=(leg,))
    return gauges.iloc[:, 0], f"{legs.index[0]:%Y-%m}"


def grid_estimate(*, leg: str, window: int, weighting: str, small_caps: str, junk_cells: str, start: int,
                  threshold: float, as_of: str = "2025-10-15", min_history: int = 120) -> dict[str, Any]:
    """C4: the real-time percentile (0-100) of one junk-minus-quality gauge at the article date;
    label by :func:`research.claims.froth.froth_label` on that gauge (top ``threshold`` or not).

    The steps of :func:`test` for its headline gauge alone (the table row its verdict reads; no
    path, percentile history or episodes), with the gauge shared by the thresholds; checked
    against ``test`` in the tests.
    """
    _validate(windows=(window,), spreads=(leg,), threshold=threshold, min_history=min_history,
              quintiles={"size_quintiles": _QUINTILES[small_caps], **_JUNK_CELLS[junk_cells]})
    month = _dates(as_of, START_DATES[start])[2]
    gauge, first = _grid_gauge(leg, window, weighting, small_caps, junk_cells, start, as_of)
    head = _reading(gauge, month, threshold)
    label = froth_label([head["percentile"]], threshold=threshold, history=[head["history_months"]],
                        min_history=min_history)
    n = independent_windows(head["history_months"], window)
    return spec_row(100 * head["percentile"], None, None, label, n,
                    head["share_at_or_above"], f"{first}..{month:%Y-%m}")


GRID = Grid(
    claim="C4", title="Froth: junk leadership within small caps",
    choices={
        "leg": ("profitability", "investment"), "window": (1, 3, 6, 12), "weighting": ("vw", "ew"),
        "small_caps": ("q1", "q1-2"), "junk_cells": tuple(_JUNK_CELLS), "start": GRID_STARTS,
        "threshold": (0.8, 0.9, 0.95),
    },
    estimate=f"{__name__}:grid_estimate", reference=90.0,
    statistic_name="percentile of the junk-minus-quality gauge in its history at 2025-09",
    default={"leg": "profitability", "window": 3, "weighting": "vw", "small_caps": "q1",
             "junk_cells": "extreme quintiles", "start": 1963, "threshold": 0.9},
    notes=("One gauge per specification: weak-minus-robust profitability or aggressive-minus-"
           "conservative investment within small caps (size quintile 1, or 1-2), compounded over "
           "the trailing window in months and ranked against its own history since the start. "
           "Label: supported if the gauge is in the top (1 - threshold) of its history at the "
           "last month-end before 15 October 2025, contradicted otherwise. The estimate is a "
           "percentile, so there is no interval; the p-value is the share of past months at or "
           "above the reading."),
)
