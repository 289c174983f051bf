"""C1: is the start of a Fed easing cycle in a resilient economy "stimulative for smaller companies"?

An event study. The events are the first cuts of the Fed's easing cycles since 1954, from a curated
fact table (:data:`FIRST_CUTS`, each row with its source) or, as a robustness variant, from a rule
applied to the policy-rate series (:func:`rule_first_cuts`). For each event the small-minus-large
return is compounded over the 3, 6 and 12 months after the month of the cut. Events are split by
whether an NBER recession was under way or began within 12 months (USREC), because the claim is
about easing "in what has so far proven a resilient U.S. economy". The mean of each group is compared
with the placebo distribution of means of as many windows of the same length drawn at random from
the whole sample, and gets a Student-t interval: the events are years apart, so independent, and
with 5-8 of them a bootstrap interval covers far less than its nominal level (docs/methods.md).

    >>> from research.claims import easing
    >>> result = easing.run()                     # loads the data, then calls easing.test(...)
    >>> result.verdict.label

Conventions: monthly data on month-end dates; returns in percent. The window after an event starts
at the end of the month of the cut (the cut month itself is excluded unless
``include_cut_month=True``: before 1994 cuts were not announced, and a cut late in a month would
otherwise count returns earned before it). The small-minus-large window return compounds the
monthly small-minus-large return (a monthly rebalanced long-small/short-large position), which
works for every definition of small and large, including SMB.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from research import stats
from research.claims.base import (
    DATA_START,
    NA,
    START_DATES,
    ResultMixin,
    clean_float,
    month_end,
    spec_row,
    vintage_of,
    weighting_and_start_kept,
)
from research.data.sizes import MONTHLY_SIZES, cached, monthly_returns
from research.errors import ParameterError
from research.sweep import Grid
from research.verdict import Verdict

CLAIM = "C1"
HYPOTHESIS = ("After the first cut of a Fed easing cycle with no recession under way or starting "
              "within a year, small caps beat large caps over the next 12 months (mean "
              "small-minus-large return > 0)")
GROUPS = ("no recession", "recession", "all")
SOURCES = ("curated", "rule")


# -- the curated first cuts (a fact table, not a computation) -----------------------------------------

@dataclass(frozen=True)
class FirstCut:
    """The first easing action of one Fed easing cycle, as the Fed recorded it."""

    date: str  # ISO date of the action (effective date of the New York Fed's rate before 1982)
    instrument: str
    rate_before: float  # percent (upper bound of the target range from 2008)
    rate_after: float
    source: str
    note: str = ""
    #: Whether the rate then fell by more than this first step. Known only later, so it is not
    #: part of the event definition; ``sustained_only=True`` is a named variant in the grid.
    sustained: bool = True


# Sources. Before 1982 the Fed announced no funds-rate target; the first public easing action of a
# cycle is the first cut in the discount rate of the Federal Reserve Bank of New York after a hike.
_BMS = ("Board of Governors, Banking and Monetary Statistics 1941-1970, table 12.1 'Federal "
        "Reserve Bank discount rates' (FRASER); Federal Reserve Bulletin rate tables")
_NYFED = ("Federal Reserve Bank of New York, 'Historical Changes of the Target Federal Funds and "
          "Discount Rates, 1971 to present' (newyorkfed.org/markets/statistics/dlyrates/fedrate.html)")
_THORNTON = ("Thornton (2005), 'A New Federal Funds Rate Target Series: September 27, 1982 - "
             "December 31, 1993', FRB St. Louis WP 2005-032, published as FRED DFEDTAR")
_FOMC = "FOMC statement of {} (federalreserve.gov, monetary policy press releases)"

#: First cuts of the easing cycles since 1954: the first cut after a hike, whatever followed (an
#: event is defined by what was known on the day). August 1968 counts though it was reversed in
#: December 1968 (``sustained=False``: the variant ``sustained_only`` drops it, and uses the future
#: to do so). Not counted: July 1982, which continued the discount-rate cuts that began in November
#: 1981 with no hike in between (the funds rate did rise in early 1982, so the rule on the rate
#: series counts it; see :func:`compare_first_cuts`). Only the month enters the event study.
FIRST_CUTS: tuple[FirstCut, ...] = (
    FirstCut("1957-11-15", "discount rate", 3.50, 3.00, _BMS),
    FirstCut("1960-06-10", "discount rate", 4.00, 3.50, _BMS),
    FirstCut("1967-04-07", "discount rate", 4.50, 4.00, _BMS,
             "open-market easing began in late 1966; the funds rate peaked in November 1966"),
    FirstCut("1968-08-30", "discount rate", 5.50, 5.25, _BMS,
             "reversed on 18 December 1968; the funds rate hardly moved", sustained=False),
    FirstCut("1970-11-11", "discount rate", 6.00, 5.75, _BMS,
             "the funds rate had been falling since early 1970"),
    FirstCut("1971-11-11", "discount rate", 5.00, 4.75, _NYFED),
    FirstCut("1974-12-09", "discount rate", 8.00, 7.75, _NYFED,
             "the funds rate peaked in July 1974"),
    FirstCut("1980-05-29", "discount rate", 13.00, 12.00, _NYFED),
    FirstCut("1981-11-02", "discount rate", 14.00, 13.00,
             _NYFED + "; FRBNY Circular No. 9178 of 30 October 1981 (FRASER)"),
    FirstCut("1984-09-20", "funds-rate target", 11.50, 11.25, _THORNTON),
    FirstCut("1987-11-04", "funds-rate target", 7.3125, 6.8125, _THORNTON,
             "after the October 1987 crash"),
    FirstCut("1989-06-06", "funds-rate target", 9.8125, 9.5625, _THORNTON),
    FirstCut("1995-07-06", "funds-rate target", 6.00, 5.75, _FOMC.format("6 July 1995")),
    FirstCut("1998-09-29", "funds-rate target", 5.50, 5.25, _FOMC.format("29 September 1998")),
    FirstCut("2001-01-03", "funds-rate target", 6.50, 6.00,
             _FOMC.format("3 January 2001") + " (between meetings)"),
    FirstCut("2007-09-18", "funds-rate target", 5.25, 4.75, _FOMC.format("18 September 2007")),
    FirstCut("2019-07-31", "target range (upper bound)", 2.50, 2.25, _FOMC.format("31 July 2019")),
    FirstCut("2024-09-18", "target range (upper bound)", 5.50, 5.00,
             _FOMC.format("18 September 2024")),
)


def curated_first_cuts(sustained_only: bool = False) -> pd.DataFrame:
    """The curated first cuts as a frame indexed by the date of the action; ``sustained_only``
    keeps only the cycles whose rate then fell by more than the first step (a variant that
    selects events on what happened after them)."""
    cuts = (
        pd.DataFrame([vars(c) for c in FIRST_CUTS])
        .assign(date=lambda d: pd.to_datetime(d["date"]))
        .set_index("date")
    )
    return cuts.loc[cuts["sustained"]] if sustained_only else cuts


# -- the rule variant -------------------------------------------------------------------------------

def policy_rate(fedfunds: pd.Series, target: pd.Series | None = None) -> pd.Series:
    """The monthly policy rate: the funds-rate target at month end where the Fed had one, else the
    monthly average effective funds rate (FEDFUNDS), in percent.

    ``target`` is a daily target series (DFEDTAR spliced with the upper bound DFEDTARU); it is used
    from the first month it covers in full.
    """
    monthly = fedfunds.dropna().astype(float).rename("policy_rate")
    if target is None or target.dropna().empty:
        return monthly.rename_axis("date")
    target = target.dropna().astype(float).sort_index()
    first = target.index[0]
    month_end = target.resample("ME").last()
    month_end = month_end.loc[month_end.index.to_period("M").start_time >= first]
    return (pd.concat([monthly.loc[monthly.index < month_end.index[0]], month_end])
            .rename("policy_rate").rename_axis("date"))


def rule_first_cuts(rate: pd.Series, *, min_cut: float = 0.25, min_hike: float = 0.25,
                    max_months_since_hike: int | None = 24) -> pd.DataFrame:
    """First cuts found by a rule on a monthly rate series (a state machine with hysteresis).

    The rule waits for a hike: a rise of at least ``min_hike`` percentage points above the lowest
    level since the last easing began (the series starts in that waiting state). From then on it
    tracks the highest level (the last hike); the first month the rate is at least ``min_cut``
    below that peak is a first cut, provided the peak is at most ``max_months_since_hike`` months
    old (``None``: no limit; an older peak is a slow drift, not a policy turn). The rule then
    waits for the next hike.

    Returns one row per first cut, indexed by its month: the rate, the peak, the peak's month and
    the months since that last hike.
    """
    if min_cut <= 0 or min_hike <= 0:
        raise ParameterError(f"rule thresholds must be positive percentage points, got "
                             f"min_cut={min_cut}, min_hike={min_hike}")
    r = rate.dropna().astype(float)
    values, months = r.to_numpy(), r.index
    rows = []
    armed, trough = False, values[0] if len(values) else np.nan
    peak, peak_i = np.nan, 0
    for i, v in enumerate(values):
        if armed:
            if v > peak:
                peak, peak_i = v, i
            if v <= peak - min_cut:
                if max_months_since_hike is None or i - peak_i <= max_months_since_hike:
                    rows.append({"date": months[i], "rate": v, "peak": peak,
                                 "peak_month": months[peak_i], "months_since_hike": i - peak_i})
                armed, trough = False, v
        else:
            trough = min(trough, v)
            if v >= trough + min_hike:
                armed, peak, peak_i = True, v, i
    columns = ["rate", "peak", "peak_month", "months_since_hike"]
    if not rows:
        return pd.DataFrame(columns=columns, index=pd.DatetimeIndex([], name="date"))
    return pd.DataFrame(rows).set_index("date")[columns]


def compare_first_cuts(curated: pd.DatetimeIndex, rule: pd.DatetimeIndex, *,
                       tolerance_months: int = 6) -> pd.DataFrame:
    """Pair curated and rule first cuts that fall within ``tolerance_months`` of each other.

    Each curated month is matched to the nearest unmatched rule month within the tolerance.
    Returns one row per cycle found by either: ``curated`` and ``rule`` months (NaT when missing),
    the gap in months (rule minus curated) and ``status``: both / curated only / rule only.
    """
    cur = pd.DatetimeIndex(curated).to_period("M")
    rul = pd.DatetimeIndex(rule).to_period("M")
    unmatched = set(range(len(rul)))
    rows = []
    for c in cur:
        gaps = {j: (rul[j] - c).n for j in unmatched if abs((rul[j] - c).n) <= tolerance_months}
        if gaps:
            j = min(gaps, key=lambda k: (abs(gaps[k]), gaps[k]))
            unmatched.discard(j)
            rows.append({"curated": c, "rule": rul[j], "gap_months": gaps[j], "status": "both"})
        else:
            rows.append({"curated": c, "rule": pd.NaT, "gap_months": np.nan, "status": "curated only"})
    rows += [{"curated": pd.NaT, "rule": rul[j], "gap_months": np.nan, "status": "rule only"}
             for j in sorted(unmatched)]
    out = pd.DataFrame(rows, columns=["curated", "rule", "gap_months", "status"])
    order = out["curated"].where(out["curated"].notna(), out["rule"])
    return (out.assign(_order=order.map(lambda p: p.ordinal if pd.notna(p) else 0))
            .sort_values("_order").drop(columns="_order").reset_index(drop=True))


# -- event windows ----------------------------------------------------------------------------------

def _log_level(returns_pct: pd.Series) -> np.ndarray:
    """Cumulative log growth, with a leading 0: level[k] covers the first k returns."""
    return np.concatenate([[0.0], np.cumsum(np.log1p(returns_pct.to_numpy(dtype=float) / 100.0))])


def _positions(index: pd.DatetimeIndex, months: Sequence[pd.Timestamp]) -> np.ndarray:
    """Position of each month in ``index`` (-1 when the month is not in it)."""
    pos = index.get_indexer(pd.DatetimeIndex([month_end(m) for m in months]))
    return pos


def window_returns(returns_pct: pd.Series, event_months: Sequence[pd.Timestamp],
                   horizons: Sequence[int], *, include_cut_month: bool = False) -> pd.DataFrame:
    """Compounded return (percent) over the ``h`` months after each event month, per horizon.

    With ``include_cut_month`` the window is the event month and the ``h - 1`` months after it.
    A window that runs past the data (or an event month outside it) is NaN. Rows: event months;
    columns: ``ret_{h}m``.
    """
    r = returns_pct.dropna()
    level = _log_level(r)
    pos = _positions(r.index, event_months)
    first = pos + (0 if include_cut_month else 1)  # position of the window's first month
    out = {}
    for h in horizons:
        end = first + h
        ok = (pos >= 0) & (end <= len(r))
        val = np.full(len(pos), np.nan)
        val[ok] = np.expm1(level[end[ok]] - level[first[ok]]) * 100.0
        out[f"ret_{h}m"] = val
    return pd.DataFrame(out, index=pd.DatetimeIndex([month_end(m) for m in event_months], name="event_month"))


def cumulative_paths(returns_pct: pd.Series, event_months: Sequence[pd.Timestamp], months: int, *,
                     include_cut_month: bool = False) -> pd.DataFrame:
    """Cumulative return (percent) 0..``months`` months after each event; columns 'YYYY-MM'.

    Month 0 is 0 by construction; a path stops where the data stop.
    """
    r = returns_pct.dropna()
    level = _log_level(r)
    pos = _positions(r.index, event_months)
    first = pos + (0 if include_cut_month else 1)
    steps = np.arange(months + 1)
    paths = {}
    for m, p, f in zip(event_months, pos, first, strict=True):
        if p < 0:
            continue
        end = f + steps
        val = np.full(len(steps), np.nan)
        ok = end <= len(r)
        val[ok] = np.expm1(level[end[ok]] - level[f]) * 100.0
        paths[month_end(m).strftime("%Y-%m")] = val
    return pd.DataFrame(paths, index=pd.Index(steps, name="months_after_cut"))


def all_windows(returns_pct: pd.Series, horizon: int) -> pd.Series:
    """Every window of ``horizon`` consecutive months in the sample (the placebo population),
    indexed by the window's first month."""
    r = returns_pct.dropna()
    level = _log_level(r)
    vals = np.expm1(level[horizon:] - level[:-horizon]) * 100.0
    return pd.Series(vals, index=r.index[: len(vals)], name=f"ret_{horizon}m")


def placebo_means(windows: np.ndarray, k: int, *, reps: int = 10_000,
                  rng: np.random.Generator | None = None) -> np.ndarray:
    """Means of ``k`` windows drawn at random (with replacement) from ``windows``, ``reps`` times."""
    rng = rng or np.random.default_rng(0)
    w = np.asarray(windows, dtype=float)
    w = w[np.isfinite(w)]
    if k < 1 or len(w) == 0:
        return np.full(reps, np.nan)
    return w[rng.integers(0, len(w), size=(reps, k))].mean(axis=1)


def recession_flags(event_months: Sequence[pd.Timestamp], usrec: pd.Series, *, window: int = 12,
                    include_ongoing: bool = True) -> pd.DataFrame:
    """Whether an NBER recession began within ``window`` months after each event month.

    With ``include_ongoing`` a recession already under way in the event month counts too (the
    claim is about a resilient economy). ``recession_start`` is the first recession month (USREC
    = 1) of that recession; ``covered`` says whether USREC reaches the end of the window. An event
    with no recession in the part USREC covers and ``covered`` False is unknown, not "no
    recession" (:func:`recession_groups`).
    """
    rec = usrec.dropna().astype(int)
    rec.index = rec.index.to_period("M").to_timestamp("M")
    starts = rec.index[(rec == 1) & (rec.shift(1, fill_value=0) == 0)]
    months = pd.DatetimeIndex([month_end(m) for m in event_months], name="event_month")
    last = months + pd.offsets.MonthEnd(window)
    pos = rec.index.get_indexer(months)
    ongoing = (pos >= 0) & (rec.to_numpy()[pos] == 1)
    # vectorized (sweeps call this often): with NaT appended, s[after] is the first start after
    # each month and s[after - 1] the last one at or before it, NaT where there is none
    s = np.append(starts.to_numpy(), np.datetime64("NaT"))
    after = starts.searchsorted(months, side="right")
    start = np.where(s[after] <= last.to_numpy(), s[after], np.datetime64("NaT"))
    if include_ongoing:
        start = np.where(ongoing, s[after - 1], start)
    return pd.DataFrame({"recession": ~np.isnat(start), "recession_start": start,
                         "in_recession_at_cut": ongoing, "covered": rec.index[-1] >= last},
                        index=months)


def recession_groups(flags: pd.DataFrame) -> pd.Series:
    """Each event's group from :func:`recession_flags`: "recession", "no recession", or "unknown"
    when no recession shows in the months USREC covers and USREC ends before the window does."""
    known = flags["recession"] | flags["covered"]
    return flags["recession"].map({True: "recession", False: "no recession"}).where(known, "unknown")


def coverage_note(flags: pd.DataFrame, usrec: pd.Series, window: int) -> str:
    """A sentence naming the events :func:`recession_groups` leaves unknown ("" when none)."""
    unknown = flags.index[~(flags["recession"] | flags["covered"])]
    if not len(unknown):
        return ""
    return (f" Left out: {', '.join(f'{m:%Y-%m}' for m in unknown)} (USREC ends "
            f"{usrec.dropna().index[-1]:%Y-%m}, before the {window}-month recession window closes).")


def recession_periods(usrec: pd.Series) -> pd.DataFrame:
    """NBER recessions as (start, end) month-end pairs, from the first to the last USREC = 1 month."""
    rec = usrec.dropna().astype(int)
    rec.index = rec.index.to_period("M").to_timestamp("M")
    starts = rec.index[(rec == 1) & (rec.shift(1, fill_value=0) == 0)]
    ends = rec.index[(rec == 1) & (rec.shift(-1, fill_value=0) == 0)]
    return pd.DataFrame({"start": starts, "end": ends})


# -- the verdict rule ---------------------------------------------------------------------------------

def rule_text(level: float = 0.90, horizon: int = 12, min_events: int = 5) -> str:
    """The verdict rule of CLAIMS.md, with this run's settings filled in."""
    return (f"supported if the no-recession mean {horizon}-month small-minus-large return is positive "
            f"and its {level:.0%} Student-t interval excludes zero; contradicted if it is "
            "negative and the interval excludes zero; inconclusive if the interval straddles zero "
            f"or there are fewer than {min_events} events")


def verdict_label(mean: float, lower: float, upper: float, n: int, *, min_events: int = 5) -> str:
    """The C1 rule: the sign of the no-recession mean and whether its interval excludes zero."""
    if n < min_events or not all(np.isfinite([mean, lower, upper])):
        return "inconclusive"
    if mean > 0 and lower > 0:
        return "supported"
    if mean < 0 and upper < 0:
        return "contradicted"
    return "inconclusive"


# -- the result ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class EasingResult(ResultMixin):
    """C1 result.

    ``table``: one row per (group, horizon): events, mean, median, share positive, Student-t
    interval, the placebo mean of all windows and the placebo p-value. ``events``: one row per
    cycle with its window returns and recession flag. ``paths``: cumulative small-minus-large
    after each cut (months x cycles). ``placebo_draws``: placebo means for the verdict group and
    horizon. ``comparison``: curated vs rule first cuts. ``robustness``: the table's means and
    labels for both event sources. ``rate``: the monthly policy rate the rule reads; ``rule_events``: the rule's first cuts;
    ``recessions``: NBER recessions in the sample (start, end).
    """

    verdicts: tuple[Verdict, ...]
    table: pd.DataFrame
    events: pd.DataFrame
    paths: pd.DataFrame
    placebo_draws: pd.Series
    comparison: pd.DataFrame
    robustness: pd.DataFrame
    rate: pd.Series
    rule_events: pd.DataFrame
    recessions: pd.DataFrame
    spec: dict[str, Any] = field(default_factory=dict)

    @property
    def no_recession_returns(self) -> pd.Series:
        """The verdict's sample: window returns of the no-recession cycles at the verdict horizon."""
        h = self.spec["verdict_horizon"]
        return self.events.loc[self.events["group"] == "no recession", f"ret_{h}m"].dropna()

    def cycles_table(self) -> pd.DataFrame:
        """One readable line per cycle: the Fed's rate before and after the first cut, the recession
        flag and the small-minus-large return (percent) over each horizon."""
        ev = self.events
        horizons = self.spec["horizons"]
        recession = [f"yes, from {s:%Y-%m}" if r else "no"
                     for r, s in zip(ev["recession"], ev["recession_start"], strict=True)]
        table = pd.DataFrame({
            "instrument": ev["instrument"],
            "before, %": ev["rate_before"].astype(float).round(2),
            "after, %": ev["rate_after"].astype(float).round(2),
            f"recession ≤ {self.spec['recession_window']}m": recession,
            **{f"{h}m, %": ev[f"ret_{h}m"].round(1) for h in horizons},
        })
        first_cut = pd.to_datetime(ev["first_cut"]).dt.strftime("%Y-%m-%d")
        return table.set_axis(pd.Index(first_cut, name="first cut"))

    def disagreements(self) -> pd.DataFrame:
        """The cycles on which the curated list and the rule differ (missing, or a different month)."""
        c = self.comparison
        shown = c.loc[(c["status"] != "both") | (c["gap_months"] != 0)]
        return pd.DataFrame({
            "curated": shown["curated"].map(lambda p: p.strftime("%Y-%m") if pd.notna(p) else "—"),
            "rule": shown["rule"].map(lambda p: p.strftime("%Y-%m") if pd.notna(p) else "—"),
            "gap, months": shown["gap_months"].map(lambda g: f"{g:+.0f}" if pd.notna(g) else "—"),
            "status": shown["status"],
        }).set_index("status")

    def summary_table(self) -> pd.DataFrame:
        """The main table with plain column names, rounded for reading."""
        level = f"{self.spec['level']:.0%}"
        return (
            self.table
            .rename(columns={"n_events": "cycles", "mean": "mean, %", "median": "median, %",
                             "share_positive": "share > 0", "ci_lower": f"{level} CI low",
                             "ci_upper": f"{level} CI high", "placebo_mean": "all windows: mean, %",
                             "placebo_p": "placebo p"})
            .rename_axis(["group", "months"])
            .round(2)
        )

    def robustness_table(self) -> pd.DataFrame:
        """Mean [interval] and the rule's label for each event source, group and horizon."""
        cells = self.robustness.apply(
            lambda r: (f"{r['mean']:+.1f} [{r['ci_lower']:+.1f}, {r['ci_upper']:+.1f}] n={r['n_events']:.0f}"
                       if np.isfinite(r["ci_lower"]) else f"{r['mean']:+.1f} n={r['n_events']:.0f}"),
            axis=1)
        return (cells.rename("cell").to_frame()
                .join(self.robustness["label"])
                .assign(cell=lambda d: d["cell"] + " (" + d["label"] + ")")["cell"]
                .unstack("horizon")
                .rename(columns=lambda h: f"{h} months")
                .reindex(list(GROUPS), level="group"))

    def robustness_share(self) -> float:
        """Share of the no-recession rows of :attr:`robustness` (both event sources, every horizon)
        whose label is the verdict's label."""
        rows = self.robustness.xs("no recession", level="group")
        return float((rows["label"] == self.verdict.label).mean())

    def conclusion(self) -> str:
        """The closing note in Markdown: the verdict with its statistic, interval and n, and what
        the numbers rest on."""
        v = self.verdict
        h = self.spec["verdict_horizon"]
        row = self.table.loc[("no recession", h)]
        rec = self.table.loc[("recession", h)]
        x = self.no_recession_returns
        lines = [
            f"**Verdict: {v.label}.** {v.note}",
            "",
            f"- Statistic: mean {h}-month small-minus-large return after first cuts with no "
            f"recession within {self.spec['recession_window']} months: **{v.statistic:+.2f}%** "
            f"(median {row['median']:+.2f}%, positive in {row['share_positive']:.0%} of cycles).",
        ]
        if v.interval:
            lines.append(
                f"- Interval: {v.interval_level:.0%} Student t "
                f"[{v.interval[0]:+.2f}%, {v.interval[1]:+.2f}%]; placebo p-value "
                f"{row['placebo_p']:.2f} against means of {row['n_events']:.0f} random {h}-month "
                f"windows (all windows average {row['placebo_mean']:+.2f}%).")
        lines.append(f"- n = {v.n} easing cycles ({v.sample}); vintage "
                     + ", ".join(f"{k} {x_}" for k, x_ in v.vintage.items()) + ".")
        if len(x) >= 3:
            best = x.idxmax()
            lines.append(
                f"- Fragility: the best cycle ({best:%Y-%m}, {x.max():+.1f}%) carries the mean; "
                f"without it the mean is {x.drop(best).mean():+.2f}% over {len(x) - 1} cycles.")
        if np.isfinite(rec["mean"]):
            ci = (f" ({v.interval_level:.0%} CI [{rec['ci_lower']:+.2f}%, {rec['ci_upper']:+.2f}%])"
                  if np.isfinite(rec["ci_lower"]) else "")  # a single cycle has no interval
            lines.append(f"- Cycles with a recession: mean {rec['mean']:+.2f}% over {rec['n_events']:.0f} cycles{ci}.")
        other = self.robustness.drop(index=self.spec["first_cut_source"], level="source", errors="ignore")
        if len(other):
            o = other.xs(("no recession", h), level=("group", "horizon")).iloc[0]
            ci = f" [{o['ci_lower']:+.2f}%, {o['ci_upper']:+.2f}%]" if np.isfinite(o["ci_lower"]) else ""
            lines.append(
                f"- With first cuts from the {'rule' if self.spec['first_cut_source'] == 'curated' else 'curated list'} "
                f"instead: mean {o['mean']:+.2f}%{ci} over {o['n_events']:.0f} cycles, {o['label']}.")
        return "\n".join(lines)


# -- the test -------------------------------------------------------------------------------------------

def _validate(*, horizons, verdict_horizon, first_cut_source, recession_window, level, reps,
              min_events, match_tolerance, rule_max_months_since_hike) -> None:
    if not horizons or any(not isinstance(h, int | np.integer) or h < 1 for h in horizons):
        raise ParameterError(f"horizons must be positive whole months, e.g. [3, 6, 12]; got {horizons!r}")
    if verdict_horizon not in horizons:
        raise ParameterError(f"verdict_horizon {verdict_horizon} must be one of the horizons {list(horizons)}")
    if first_cut_source not in SOURCES:
        raise ParameterError(f"first_cut_source must be one of {SOURCES}, not {first_cut_source!r}")
    if not isinstance(recession_window, int | np.integer) or recession_window < 0:
        raise ParameterError(f"recession_window must be a non-negative number of months, got {recession_window!r}")
    if not 0 < level < 1:
        raise ParameterError(f"level must lie in (0, 1), e.g. 0.90; got {level}")
    if reps < 100:
        raise ParameterError(f"reps must be at least 100 placebo draws, got {reps}")
    if min_events < 2:
        raise ParameterError(f"min_events must be at least 2, got {min_events}")
    if match_tolerance < 0:
        raise ParameterError(f"match_tolerance must be >= 0 months, got {match_tolerance}")
    if rule_max_months_since_hike is not None and rule_max_months_since_hike < 1:
        raise ParameterError("rule_max_months_since_hike must be at least 1 month (or None for no "
                             f"limit), got {rule_max_months_since_hike}")


def _summaries(rets: pd.DataFrame, groups: pd.Series, horizons: Sequence[int], *, level: float,
               reps: int, seed: int, placebo: dict[int, np.ndarray] | None) -> pd.DataFrame:
    """Per (group, horizon): n, mean, median, share positive, Student-t CI, placebo comparison."""
    rows = []
    for g in GROUPS:
        members = rets if g == "all" else rets.loc[groups.reindex(rets.index) == g]
        for h in horizons:
            x = members[f"ret_{h}m"].dropna()
            row = {"group": g, "horizon": h, "n_events": len(x),
                   "mean": x.mean() if len(x) else np.nan,
                   "median": x.median() if len(x) else np.nan,
                   "share_positive": (x > 0).mean() if len(x) else np.nan,
                   "ci_lower": np.nan, "ci_upper": np.nan, "p_value": np.nan}
            if len(x) >= 2:
                # Student t, not a bootstrap: with 5-8 far-apart events a percentile bootstrap's
                # nominal 90% covers only 78-82% (benchmarks/coverage.py, docs/methods.md).
                ci = stats.mean_interval(x, level=level)
                row.update(ci_lower=ci.lower, ci_upper=ci.upper, p_value=ci.p_value)
            if placebo is not None:
                w = placebo[h]
                draws = placebo_means(w, len(x), reps=reps, rng=np.random.default_rng(seed + h))
                row.update(placebo_mean=float(np.nanmean(w)),
                           placebo_p=float(np.mean(draws >= row["mean"])) if len(x) else np.nan)
            rows.append(row)
    return pd.DataFrame(rows).set_index(["group", "horizon"])


def test(returns: pd.DataFrame | pd.Series, usrec: pd.Series, rate: pd.Series, *,
         curated: pd.DataFrame | None = None, first_cut_source: str = "curated",
         horizons: Sequence[int] = (3, 6, 12), verdict_horizon: int = 12,
         start: str = "1954-07-01", end: str | None = None, recession_window: int = 12,
         sustained_only: bool = False,
         include_ongoing: bool = True, include_cut_month: bool = False,
         rule_min_cut: float = 0.25, rule_min_hike: float = 0.25,
         rule_max_months_since_hike: int | None = 24, match_tolerance: int = 6,
         level: float = 0.90, reps: int = 10_000, min_events: int = 5, seed: int = 0,
         path_months: int | None = None, vintage: dict[str, str] | None = None,
         definition: str = "") -> EasingResult:
    """Test C1 on data already loaded; fast enough for specification sweeps.

    Parameters
    ----------
    returns : monthly small-minus-large returns in percent (a Series, or the frame of
        ``sizes.small_large`` whose ``small_minus_large`` column is used).
    usrec : FRED USREC, the monthly NBER recession indicator.
    rate : the monthly policy rate (:func:`policy_rate`) the rule variant reads.
    curated : the curated first cuts (default :func:`curated_first_cuts`).
    sustained_only : keep only curated cycles whose rate then fell by more than the first step (a
        variant: it selects events on what followed them).
    first_cut_source : "curated" (the fact table) or "rule" (:func:`rule_first_cuts`).
    horizons, verdict_horizon : window lengths in months; the verdict uses ``verdict_horizon``.
    start, end : sample bounds (ISO dates): events and placebo windows must lie inside.
    recession_window, include_ongoing : an event is a "recession" event if a recession began in
        the ``recession_window`` months after the cut (or, with ``include_ongoing``, was under way).
    include_cut_month : start each window in the month of the cut instead of the month after.
    rule_min_cut, rule_min_hike, rule_max_months_since_hike : the rule's thresholds.
    match_tolerance : months within which a curated and a rule first cut count as the same cycle.
    level, reps, seed : interval level; placebo draws and their seed.
    min_events : fewer no-recession events than this gives "inconclusive".
    path_months : length of the cumulative paths (default: the longest horizon).
    """
    horizons = sorted({int(h) for h in horizons}) if horizons else []
    _validate(horizons=horizons, verdict_horizon=verdict_horizon, first_cut_source=first_cut_source,
              recession_window=recession_window, level=level, reps=reps, min_events=min_events,
              match_tolerance=match_tolerance, rule_max_months_since_hike=rule_max_months_since_hike)
    sml = returns["small_minus_large"] if isinstance(returns, pd.DataFrame) else returns
    lo = month_end(start, "start")
    hi = month_end(end, "end") if end else sml.index.max()
    if lo >= hi:
        raise ParameterError(f"start {start} must come before the end of the sample ({hi:%Y-%m})")
    sml = sml.loc[lo:hi].dropna().rename("small_minus_large")
    if len(sml) <= max(horizons):
        raise ParameterError(f"only {len(sml)} months of returns between {start} and {end or 'the end'}; "
                             f"need more than the longest horizon ({max(horizons)} months)")
    usrec = usrec.dropna()
    if usrec.empty:
        raise ParameterError("usrec (the NBER recession indicator) is empty")

    curated = curated_first_cuts() if curated is None else curated
    if sustained_only and "sustained" in curated.columns:
        curated = curated.loc[curated["sustained"].astype(bool)]
    rule = rule_first_cuts(rate.loc[:hi], min_cut=rule_min_cut, min_hike=rule_min_hike,
                           max_months_since_hike=rule_max_months_since_hike)
    in_sample = sml.index  # an event needs its month in the return sample
    cur_months = pd.DatetimeIndex([month_end(d) for d in curated.index])
    event_sets = {"curated": cur_months[cur_months.isin(in_sample)],
                  "rule": pd.DatetimeIndex(rule.index)[pd.DatetimeIndex(rule.index).isin(in_sample)]}

    placebo = {h: all_windows(sml, h).to_numpy() for h in horizons}
    rng_seed = int(seed)

    def study(months: pd.DatetimeIndex, with_placebo: bool):
        flags = recession_flags(months, usrec, window=recession_window, include_ongoing=include_ongoing)
        rets = window_returns(sml, months, horizons, include_cut_month=include_cut_month)
        groups = recession_groups(flags)
        summary = _summaries(rets, groups, horizons, level=level, reps=reps, seed=rng_seed,
                             placebo=placebo if with_placebo else None)
        return flags, rets, groups, summary

    chosen = event_sets[first_cut_source]
    if len(chosen) == 0:
        raise ParameterError(f"no {first_cut_source} first cuts fall inside the sample "
                             f"{lo:%Y-%m}..{hi:%Y-%m}; move start/end")
    flags, rets, groups, table = study(chosen, True)

    # robustness: the same summary for the other event source
    other = "rule" if first_cut_source == "curated" else "curated"
    robust = {first_cut_source: table}
    if len(event_sets[other]):
        robust[other] = study(event_sets[other], False)[3]
    robustness = (
        pd.concat(robust, names=["source"])[["n_events", "mean", "ci_lower", "ci_upper"]]
        .assign(label=lambda d: [verdict_label(m, lo_, up, n, min_events=min_events)
                                 for m, lo_, up, n in zip(d["mean"], d["ci_lower"], d["ci_upper"],
                                                          d["n_events"], strict=True)])
    )

    # one line per cycle
    rate_m = rate.copy()
    rate_m.index = rate_m.index.to_period("M").to_timestamp("M")
    if first_cut_source == "curated":
        info = (curated.assign(event_month=cur_months).reset_index()
                .rename(columns={"date": "first_cut"}).set_index("event_month")
                .loc[chosen, ["first_cut", "instrument", "rate_before", "rate_after"]])
    else:
        info = (rule.loc[chosen, ["peak", "rate", "months_since_hike"]]
                .rename(columns={"peak": "rate_before", "rate": "rate_after"})
                .assign(first_cut=chosen, instrument="rule on the policy rate"))
    events = (
        info.join(flags[["recession", "recession_start", "in_recession_at_cut"]])
        .join(rets)
        .assign(group=groups, policy_rate=rate_m.reindex(chosen).to_numpy())
        .rename_axis("event_month")
    )

    # the verdict
    h = verdict_horizon
    row = table.loc[("no recession", h)]
    x = rets.loc[groups == "no recession", f"ret_{h}m"].dropna()
    label = verdict_label(row["mean"], row["ci_lower"], row["ci_upper"], int(row["n_events"]),
                          min_events=min_events)
    draws = pd.Series(placebo_means(placebo[h], len(x), reps=reps, rng=np.random.default_rng(rng_seed + h)),
                      name=f"placebo mean of {len(x)} random {h}-month windows")
    pending = int(rets.loc[groups == "no recession", f"ret_{h}m"].isna().sum())
    # the last month of the last window: h months after the cut month, h - 1 when it counts
    window_end = (x.index.max() + pd.offsets.MonthEnd(h - int(include_cut_month))) if len(x) else hi
    sample = f"{x.index.min():%Y-%m}..{window_end:%Y-%m}" if len(x) else f"{lo:%Y-%m}..{hi:%Y-%m}"
    ci_text = (f"[{row['ci_lower']:+.2f}, {row['ci_upper']:+.2f}]" if np.isfinite(row["ci_lower"])
               else "(no interval)")
    why = {
        "supported": "its interval excludes zero",
        "contradicted": "its interval lies below zero",
        "inconclusive": (f"there are only {len(x)} such cycles" if len(x) < min_events
                         else "its interval straddles zero"),
    }[label]
    note = (f"After {len(x)} first cuts with no recession within {recession_window} months, small "
            f"caps {'beat' if row['mean'] > 0 else 'trailed'} large caps by {abs(row['mean']):.1f}% on "
            f"average over {h} months ({level:.0%} CI {ci_text}); {why}. Placebo: "
            f"{row['placebo_p']:.0%} of random draws of {len(x)} windows did at least as well."
            + (f" {pending} recent cycle(s) have no complete {h}-month window yet." if pending else "")
            + coverage_note(flags, usrec, recession_window))
    verdict = Verdict(
        claim=CLAIM, label=label, hypothesis=HYPOTHESIS, statistic=row["mean"],
        statistic_name=f"mean {h}-month small-minus-large return after first cuts, no recession, %",
        interval=(row["ci_lower"], row["ci_upper"]) if np.isfinite(row["ci_lower"]) else None,
        interval_level=level, p_value=float(row["p_value"]) if np.isfinite(row["p_value"]) else None, n=len(x), sample=sample, vintage=dict(vintage or {}),
        method=(f"Event study of {first_cut_source} first cuts of Fed easing cycles: small-minus-large "
                f"return compounded over the {h} months after the month of the cut; recession = NBER "
                f"recession {'under way or ' if include_ongoing else ''}beginning within "
                f"{recession_window} months (USREC); {level:.0%} Student-t interval of the "
                f"mean; placebo = means of as many random "
                f"{h}-month windows. Small/large: {definition or 'as given'}"),
        rule=rule_text(level, h, min_events), note=note,
    )

    comparison = compare_first_cuts(cur_months[(cur_months >= lo) & (cur_months <= hi)],
                                    pd.DatetimeIndex(rule.index)[(rule.index >= lo) & (rule.index <= hi)],
                                    tolerance_months=match_tolerance)
    paths = cumulative_paths(sml, chosen, path_months or max(horizons), include_cut_month=include_cut_month)
    spec = {"definition": definition, "first_cut_source": first_cut_source, "horizons": horizons,
            "verdict_horizon": verdict_horizon, "start": str(start), "end": str(end) if end else None,
            "recession_window": recession_window, "sustained_only": sustained_only,
            "include_ongoing": include_ongoing,
            "include_cut_month": include_cut_month, "rule_min_cut": rule_min_cut,
            "rule_min_hike": rule_min_hike, "rule_max_months_since_hike": rule_max_months_since_hike,
            "match_tolerance": match_tolerance, "level": level, "reps": reps,
            "min_events": min_events, "seed": seed}
    return EasingResult(verdicts=(verdict,), table=table, events=events, paths=paths,
                        placebo_draws=draws, comparison=comparison, robustness=robustness,
                        rate=rate.loc[lo:hi], rule_events=rule.loc[lo:hi],
                        recessions=recession_periods(usrec.loc[lo:hi]), spec=spec)


@cached(maxsize=1)
def load_policy_rate() -> pd.Series:
    """:func:`policy_rate` from FEDFUNDS and the target series DFEDTAR/DFEDTARU (``research.data``)."""
    from research import data

    target = pd.concat([data.load("dfedtar")["DFEDTAR"], data.load("dfedtaru")["DFEDTARU"]]).sort_index()
    return policy_rate(data.load("fedfunds")["FEDFUNDS"], target)


@cached(maxsize=16)  # registered: clear_caches() forgets it too
def load_inputs(small_large: str = "deciles", weighting: str = "vw", small: tuple[int, ...] = (1, 2, 3),
                large: tuple[int, ...] = (8, 9, 10)) -> tuple[pd.DataFrame, pd.Series, pd.Series, dict, str]:
    """The inputs of :func:`test` from ``research.data``: returns, USREC, the policy rate, the
    vintage and a description of the small/large definition (cached per definition for sweeps)."""
    from research import data
    from research.data.sizes import small_large as small_large_returns

    returns = small_large_returns(small_large, weighting=weighting, small=small, large=large)
    usrec = data.load("usrec")["USREC"]
    rate = load_policy_rate()
    names = [*returns.attrs["datasets"], "usrec", "fedfunds", "dfedtar", "dfedtaru"]
    return (returns, usrec, rate, vintage_of(*dict.fromkeys(names)),
            f"{small_large}: {returns.attrs['note']}")


def run(small_large: str = "deciles", *, weighting: str = "vw", small: Sequence[int] = (1, 2, 3),
        large: Sequence[int] = (8, 9, 10), **params: Any) -> EasingResult:
    """Load the data through ``research.data`` and :func:`research.data.sizes.small_large`, then
    :func:`test` with ``params`` (its keyword arguments)."""
    returns, usrec, rate, vintage, definition = load_inputs(small_large, weighting, tuple(small), tuple(large))
    return test(returns, usrec, rate, vintage=vintage, definition=definition, **params)


# == specification grid (research sweep) ============================================================
# The grid of reasonable specifications of this claim, its validity rule and the lean estimate
# function one specification runs (module-level: Dask pickles it by name). See research.sweep.

def grid_valid(spec: dict[str, Any]) -> bool:
    """Drop rule parameters on curated cuts (and vice versa), ew outside the decile definitions,
    and duplicate sample starts."""
    rule = spec["first_cuts"] == "rule"
    if rule == (spec["min_cut"] == NA) or rule == (spec["hike_within"] == NA):
        return False
    return weighting_and_start_kept(spec, DATA_START["fedfunds"], GRID_STARTS)


GRID_STARTS = (1954, 1963, 1987)
GRID_HORIZONS = (3, 6, 12)
#: The curated choices of the grid: every first cut (the default), or only those the rate then
#: followed with more cuts (a variant that looks ahead).
CURATED_CHOICES = {"curated": False, "curated, sustained only": True}


@cached(maxsize=256)
def _grid_events(size: str, weighting: str, start: int, first_cuts: str, min_cut: Any,
                 hike_within: Any) -> tuple[pd.Series, tuple[pd.Timestamp, ...]]:
    """The sample's small-minus-large returns and the first-cut months in it, exactly as
    :func:`research.claims.easing.test` selects them (cached: many specifications share them)."""
    sml = monthly_returns(size, weighting)["small_minus_large"]  # shared with the other claims' grids
    lo, hi = month_end(START_DATES[start]), sml.index.max()
    sml = sml.loc[lo:hi].dropna().rename("small_minus_large")
    if first_cuts in CURATED_CHOICES:
        months = _curated_months(CURATED_CHOICES[first_cuts])
    else:
        months = _rule_months(float(min_cut), int(hike_within), hi)
    return sml, tuple(months[months.isin(sml.index)])


@cached(maxsize=64)
def _rule_months(min_cut: float, hike_within: int, end: pd.Timestamp) -> pd.DatetimeIndex:
    """The months of the rule's first cuts on the policy rate up to ``end`` (the rule does not
    depend on the returns: the sizes and samples share it)."""
    rule = rule_first_cuts(load_policy_rate().loc[:end], min_cut=min_cut, min_hike=0.25,
                           max_months_since_hike=hike_within)
    return pd.DatetimeIndex(rule.index)


@cached(maxsize=2)
def _curated_months(sustained_only: bool) -> pd.DatetimeIndex:
    """The months of the curated first cuts (a fact table: the same for every specification)."""
    return pd.DatetimeIndex([month_end(d) for d in curated_first_cuts(sustained_only=sustained_only).index])


@cached(maxsize=1)
def _grid_usrec() -> pd.Series:
    from research import data

    return data.load("usrec")["USREC"].dropna()


@cached(maxsize=256)
def _grid_calm(months: tuple[pd.Timestamp, ...], recession_window: int) -> np.ndarray:
    """Which of the first-cut ``months`` are "no recession" events (:func:`recession_groups`) for
    ``recession_window`` (cached by the months: the same events recur across sizes and samples)."""
    flags = recession_flags(months, _grid_usrec(), window=recession_window, include_ongoing=True)
    return (recession_groups(flags) == "no recession").to_numpy()


@cached(maxsize=256)
def _grid_returns(size: str, weighting: str, start: int, first_cuts: str, min_cut: Any,
                  hike_within: Any) -> dict[int, pd.Series]:
    """The small-minus-large return over each of :data:`GRID_HORIZONS` months after each first
    cut of the sample, by horizon (:func:`window_returns`; cached: the recession windows share them)."""
    sml, months = _grid_events(size, weighting, start, first_cuts, min_cut, hike_within)
    rets = window_returns(sml, months, GRID_HORIZONS)
    return {h: rets[f"ret_{h}m"] for h in GRID_HORIZONS}


def grid_estimate(*, size: str, weighting: str, start: int, horizon: int, first_cuts: str, min_cut: Any,
                  hike_within: Any, recession_window: int, level: float = 0.90,
                  min_events: int = 5) -> dict[str, Any]:
    """C1: mean small-minus-large return over ``horizon`` months after first cuts with no recession
    under way or starting within ``recession_window`` months; label by
    :func:`research.claims.easing.verdict_label`.

    The same steps as :func:`research.claims.easing.test` (its event selection, recession flags,
    window returns, Student-t interval and rule) without the placebo, the paths and the other event
    source, which a specification does not need; ``tests/test_sweep_grids.py`` checks that both
    give the same numbers. The steps' results are cached by what they depend on, so a worker
    computes each once for the specifications that share it.
    """
    events = (size, weighting, start, first_cuts, min_cut, hike_within)
    sml, months = _grid_events(*events)
    if len(sml) <= horizon:
        raise ParameterError(f"only {len(sml)} months of returns from {start}; need more than {horizon}")
    if len(months) == 0:
        raise ParameterError(f"no {first_cuts} first cuts fall inside the sample from {start}")
    if horizon not in GRID_HORIZONS:
        raise ParameterError(f"horizon must be one of the grid's {GRID_HORIZONS} months, got {horizon!r}")
    rets = _grid_returns(*events)[horizon]
    keep = _grid_calm(months, recession_window) & ~np.isnan(rets.to_numpy())
    x, dates = rets.to_numpy()[keep], rets.index[keep]  # the no-recession cycles with a whole window
    lower = upper = p = None
    if len(x) >= 2:
        m = stats.mean_interval(x, level=level)  # the report's own interval (see _summaries)
        lower, upper, p = m.lower, m.upper, m.p_value
    mean = x.mean() if len(x) else float("nan")
    label = verdict_label(mean, clean_float(lower), clean_float(upper), len(x), min_events=min_events)
    if len(x):
        sample = f"{dates.min():%Y-%m}..{dates.max() + pd.offsets.MonthEnd(horizon):%Y-%m}"
    else:
        sample = f"{sml.index[0]:%Y-%m}..{sml.index[-1]:%Y-%m}"
    return spec_row(mean, lower, upper, label, len(x), p, sample)


_DEFAULT = {"size": "deciles 1-3 vs 8-10", "weighting": "vw", "start": 1954, "horizon": 12,
            "first_cuts": "curated", "min_cut": NA, "hike_within": NA, "recession_window": 12}
GRID = Grid(
    claim="C1", title="Small caps after the Fed's first cut",
    choices={
        "size": tuple(MONTHLY_SIZES), "weighting": ("vw", "ew"), "start": GRID_STARTS,
        "horizon": GRID_HORIZONS, "first_cuts": (*CURATED_CHOICES, "rule"), "min_cut": (NA, 0.25, 0.5, 1.0),
        "hike_within": (NA, 12, 24), "recession_window": (6, 12, 18),
    },
    estimate=f"{__name__}:grid_estimate", valid=f"{__name__}:grid_valid",
    statistic_name="mean small-minus-large return after first cuts, no recession, %",
    default=_DEFAULT,
    notes=("First cuts from the curated FOMC list (every first cut after a hike; 'sustained only' "
           "drops those not followed by more cuts, which uses the future) or from the rule on the policy rate (minimum cut "
           "in percentage points; the last hike within so many months). A cycle counts as 'no "
           "recession' if no NBER recession was under way or began within the recession window. "
           "Each specification's label: supported if the mean is positive and its 90% "
           "Student-t interval excludes zero, inconclusive if it "
           "straddles zero or there are fewer than 5 such cycles."),
    family=[("", dict(_DEFAULT))],
    family_basis=stats.STUDENT_T_BASIS,
)
