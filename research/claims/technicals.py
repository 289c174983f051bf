"""C5: the technical breakout. Do 200-day crosses and breakouts above old records pay?

The commentary: the Russell 2000 "cleared its 200-day moving average in September", and a
breakout "would occur on two consecutive weekly closes above ~2460 (Nov 2021 high) in a bullish
long-term development". We test both technical events on every day of history:

(a) *200-day cross*: the close rises above its 200-day simple moving average after at least
    ``min_days_below`` consecutive closes at or below it (Brock, Lakonishok and LeBaron, 1992);
(b) *breakout*: ``confirm_weeks`` consecutive weekly closes above a prior record close that had
    stood for at least ``min_record_age_days`` (see :func:`record_breakouts`).

For each event, the forward 1-, 3-, 6- and 12-month returns (21, 63, 126, 252 trading days),
absolute and relative to large caps, are compared with the same forward returns from all days.
Forward windows overlap, and events come in bursts (a cross, a dip, another cross weeks later),
so the interval and p-value come from a random-date placebo: the same event days shifted
together to every other date (:func:`research.stats.shift_placebo`), which keeps both the
overlap and the bunching. A HAC regression with Newey-West (1987) errors undercovered on bunched
events (docs/methods.md, "Coverage"). An event is independent when its forward window does not
overlap the last independent one's (:func:`independent_events`); n counts those, with the raw
count beside it. The series are the Russell 2000 vs S&P 500 (price, 1987+) and the daily small vs
large total-return indices built from French's daily 2x3 portfolios (1926+; French publishes no
daily size deciles, see :mod:`research.data.sizes`).

Everything here is pure except :func:`run`, which loads the data and calls :func:`test`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from research import stats
from research.claims.base import DATA_START, NA, ResultMixin, spec_row, start_date, start_kept
from research.data.sizes import HALVES, RUSSELL, WEIGHTED, cached
from research.errors import ParameterError
from research.stats import sample_text
from research.sweep import Grid
from research.verdict import Verdict, verdict_sentence

CLAIM = "C5"
HORIZON_LABELS = {21: "1m", 63: "3m", 126: "6m", 252: "12m"}
EVENT_NAMES = {"breakout": "breakout above an old record", "sma_cross": "200-day cross"}
SERIES_RUSSELL = "Russell 2000 vs S&P 500"
SERIES_FRENCH = "French daily small vs large"

# Numbers the commentary stated (CLAIMS.md, C5 and the note under the table).
COMMENTARY = {
    "record_close": 2442.7,  # "Nov 2021 high", 8 Nov 2021 close
    "record_month": "2021-11",
    "breakout_level": 2460.0,  # "~2460"
    "resistance": 2466.0,  # "~2,466 final resistance"
    "cross_month": "2025-09",  # "cleared its 200-day moving average in September"
    "target": 2665.0,  # Jefferies' year-end target ...
    "target_upside": 0.07,  # ... "roughly 7% upside from Tuesday's close"
    "tuesday": "2025-10-14",
    "wednesday": "2025-10-15",
    "wednesday_gain_pct": 0.8,  # "+0.8%"
    "wednesday_ratio": 2.0,  # "twice the gain in the S&P 500"
}


# -- events ---------------------------------------------------------------------------------------

def moving_average(close: pd.Series, window: int = 200) -> pd.Series:
    """Simple moving average of the last ``window`` closes (NaN until ``window`` closes exist)."""
    return close.rolling(window, min_periods=window).mean().rename(f"sma_{window}")


def sma_crosses(close: pd.Series, window: int = 200, min_days_below: int = 20) -> pd.DatetimeIndex:
    """Days whose close is above its ``window``-day average after ``min_days_below`` days at or below.

    A cross on day t needs close_t > sma_t and close_s <= sma_s on each of the ``min_days_below``
    trading days before t (with the average defined on all of them).
    """
    if window < 2 or min_days_below < 1:
        raise ParameterError(f"window must be >= 2 and min_days_below >= 1, got {window}, {min_days_below}")
    sma = moving_average(close, window)
    below = (close <= sma) & sma.notna()
    run_below = below.astype(int).groupby((~below).cumsum()).cumsum()
    crossed = (close > sma) & (run_below.shift(1, fill_value=0) >= min_days_below)
    return close.index[crossed.to_numpy()]


def weekly_closes(close: pd.Series) -> pd.DataFrame:
    """One row per week ending Friday: the week's last close and date, and its highest close and date."""
    week = close.index.to_period("W-FRI")
    frame = pd.DataFrame({"close": close.to_numpy(), "date": close.index}, index=week)
    grouped = frame.groupby(level=0, sort=True)
    last = grouped.tail(1)
    top = frame.loc[frame.groupby(level=0)["close"].transform("max").eq(frame["close"])]
    top = top.groupby(level=0).tail(1)  # the latest day that reached the week's high close
    return pd.DataFrame({
        "date": last["date"].to_numpy(),
        "close": last["close"].to_numpy(),
        "max_close": top["close"].reindex(last.index).to_numpy(),
        "max_date": top["date"].reindex(last.index).to_numpy(),
    }, index=last.index)


def record_breakouts(close: pd.Series, min_record_age_days: int = 365,
                     confirm_weeks: int = 2) -> pd.DataFrame:
    """Breakouts: ``confirm_weeks`` consecutive weekly closes above a record at least a year old.

    Walking week by week: when the all-time-high close is at least ``min_record_age_days`` old at
    a week's end, that record becomes the *armed level*. A breakout is the first week whose close,
    and the closes of the ``confirm_weeks - 1`` weeks before it, are all above the armed level;
    the rule then disarms until the (new) all-time high is again old enough. Daily closes above
    the level in weeks that fall back below it do not count (the weekly-close rule). Returns one
    row per breakout: ``date`` (close of the confirming week), ``level``, ``record_date``,
    ``first_week`` (the first of the confirming weeks) and ``close``.
    """
    return weekly_record_breakouts(weekly_closes(close.dropna()), min_record_age_days, confirm_weeks)


def weekly_record_breakouts(weeks: pd.DataFrame, min_record_age_days: int = 365,
                            confirm_weeks: int = 2) -> pd.DataFrame:
    """:func:`record_breakouts` on the :func:`weekly_closes` of a series without NaN (a sweep
    computes them once per series and tries many rules on them)."""
    if min_record_age_days < 1 or confirm_weeks < 1:
        raise ParameterError("min_record_age_days and confirm_weeks must be positive, got "
                             f"{min_record_age_days}, {confirm_weeks}")
    dates = weeks["date"].to_numpy(dtype="datetime64[D]")
    high_dates = weeks["max_date"].to_numpy(dtype="datetime64[D]")
    # the walk reads plain Python numbers: numpy scalars cost ten times more per comparison
    days, high_days = dates.astype(np.int64).tolist(), high_dates.astype(np.int64).tolist()
    closes, highs = weeks["close"].to_numpy().tolist(), weeks["max_close"].to_numpy().tolist()
    ath, ath_week = -math.inf, -1
    armed, armed_week = None, -1
    rows = []
    for i in range(len(days)):
        if (armed is not None and i >= confirm_weeks - 1
                and all(closes[i - k] > armed for k in range(confirm_weeks))):
            rows.append((dates[i], armed, high_dates[armed_week], dates[i - confirm_weeks + 1], closes[i]))
            armed, armed_week = None, -1
        if highs[i] > ath:
            ath, ath_week = highs[i], i
        if days[i] - high_days[ath_week] >= min_record_age_days:
            armed, armed_week = ath, ath_week
    out = pd.DataFrame(rows, columns=["date", "level", "record_date", "first_week", "close"])
    for col in ("date", "record_date", "first_week"):
        out[col] = pd.to_datetime(out[col])
    return out


def confirmation_date(close: pd.Series, level: float, after: str | pd.Timestamp,
                      confirm_weeks: int = 2) -> pd.Timestamp | None:
    """The close of the first week after ``after`` ending ``confirm_weeks`` weekly closes above ``level``."""
    weeks = weekly_closes(close.loc[pd.Timestamp(after) + pd.Timedelta(days=1):].dropna())
    above = (weeks["close"] > level).astype(int)
    streak = above.groupby((above == 0).cumsum()).cumsum()
    hit = weeks.loc[streak.to_numpy() >= confirm_weeks, "date"]
    return None if hit.empty else pd.Timestamp(hit.iloc[0])


# -- forward returns and the event study ----------------------------------------------------------

def forward_returns(levels: pd.Series, horizons: Sequence[int]) -> pd.DataFrame:
    """Return from the close of day t to the close ``h`` trading days later, percent, one column per h."""
    return pd.DataFrame({h: (levels.shift(-h) / levels - 1.0) * 100.0 for h in horizons}, index=levels.index)


def event_study(forward: pd.DataFrame, events: pd.DatetimeIndex, *, level: float = 0.90) -> pd.DataFrame:
    """Mean forward return after events vs all days, per horizon, with random-date placebo intervals.

    For each horizon h (a column of ``forward``), ``excess`` is the mean forward return on the
    event days minus the mean on all days. Its interval and p-value come from the same event days
    shifted together to every other date of the sample (:func:`research.stats.shift_placebo`):
    overlapping windows and bunched events stay as they are. n counts the events whose windows do
    not overlap (:func:`independent_events`); an interval needs two of them.
    """
    rows = []
    for h in forward.columns:
        y = forward[h].dropna()
        rows.append(event_row(int(h), y.to_numpy(), event_positions(y.index, events), level))
    return pd.DataFrame(rows).set_index("horizon")


def event_positions(index: pd.DatetimeIndex, events: pd.DatetimeIndex) -> np.ndarray:
    """Sorted positions in ``index`` (distinct days) of the days in ``events``; the others are ignored."""
    if not index.is_monotonic_increasing:
        raise ParameterError("event_positions needs days in increasing order; sort the forward returns first")
    days = index.to_numpy(dtype="datetime64[ns]")
    wanted = np.unique(pd.DatetimeIndex(events).to_numpy(dtype="datetime64[ns]"))
    pos = np.searchsorted(days, wanted)
    inside = pos < len(days)
    pos = pos[inside]
    return pos[days[pos] == wanted[inside]]


def independent_events(events: np.ndarray, horizon: int) -> int:
    """Events whose ``horizon``-day forward windows do not overlap: walking in time, an event counts
    when it comes at least ``horizon`` days after the last one counted. ``events`` are sorted
    distinct positions (:func:`event_positions`). A 200-day cross often follows another a few weeks
    later; both windows hold mostly the same days, so they are one observation, not two."""
    count, last = 0, None
    for pos in np.asarray(events).tolist():
        if last is None or pos - last >= horizon:
            count, last = count + 1, pos
    return count


def event_row(h: int, y: np.ndarray, events: np.ndarray, level: float,
              sample: stats.ShiftSample | None = None) -> dict[str, Any]:
    """One horizon's row of :func:`event_study`: ``y`` the forward returns (no NaN), ``events`` the
    positions of event days in it; ``sample`` is ``y`` already prepared (a sweep shares it between
    the specifications with the same sample and horizon)."""
    n_events = len(events)
    n_independent = independent_events(events, h)
    on = y[events]
    row = {"horizon_days": h, "horizon": HORIZON_LABELS.get(h, f"{h}d"),
           "n_events": n_events, "n_independent": n_independent, "n_days": len(y),
           "mean_event": float(on.mean()) if n_events else math.nan,
           "mean_all": float(y.mean()),
           "hit_rate_event": float((on > 0).mean()) if n_events else math.nan,
           "hit_rate_all": float((y > 0).mean())}
    excess = lower = upper = p_value = math.nan
    shifts = 0
    if n_independent >= 2 and len(y) > n_events + 2:
        if sample is None:
            sample = stats.shift_sample(y)
        elif len(sample.y) != len(y):
            raise ParameterError(f"the prepared sample has {len(sample.y)} days; this row needs {len(y)}: "
                                 "prepare it from the same returns")
        placebo = stats.shift_placebo(sample, events, level)
        excess, lower, upper, p_value = placebo.excess, placebo.lower, placebo.upper, placebo.p_value
        shifts = placebo.shifts
    elif n_independent == 1:  # one window (perhaps several events in it): a difference, no interval
        excess = row["mean_event"] - row["mean_all"]
    row.update(excess=excess, ci_lower=lower, ci_upper=upper, p_value=p_value, shifts=shifts)
    return row


def study_series(levels: pd.DataFrame, *, window: int = 200, min_days_below: int = 20,
                 min_record_age_days: int = 365, confirm_weeks: int = 2,
                 horizons: Sequence[int] = (21, 63, 126, 252), level: float = 0.90,
                 start: str | None = None, end: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Both events and their event study for one series (``levels``: columns small, large).

    Events are found on the whole history (the average and the record need the past), then the
    sample is cut to ``start``..``end`` for events and for the all-days benchmark alike.
    Returns ``(events, table)``: events with their forward returns, and the event-study table with
    a row per event type, measure (absolute, relative) and horizon.
    """
    small = levels["small"]
    crosses = sma_crosses(small, window, min_days_below)
    breakouts = record_breakouts(small, min_record_age_days, confirm_weeks)
    fwd_abs = forward_returns(small, horizons)
    fwd_rel = fwd_abs - forward_returns(levels["large"], horizons)
    lo = pd.Timestamp(start) if start else small.index[0]
    hi = pd.Timestamp(end) if end else small.index[-1]
    fwd_abs, fwd_rel = fwd_abs.loc[lo:hi], fwd_rel.loc[lo:hi]
    event_dates = {"breakout": pd.DatetimeIndex(breakouts["date"]), "sma_cross": crosses}
    tables, events = [], []
    for kind, dates in event_dates.items():
        dates = dates[(dates >= lo) & (dates <= hi)]
        for measure, fwd in (("absolute", fwd_abs), ("relative", fwd_rel)):
            tables.append(event_study(fwd, dates, level=level)
                          .assign(event=kind, measure=measure))
        events.append(
            pd.DataFrame({"event": kind, "date": dates, "close": small.reindex(dates).to_numpy()})
            .join(fwd_abs.reindex(dates).add_prefix("abs_").reset_index(drop=True))
            .join(fwd_rel.reindex(dates).add_prefix("rel_").reset_index(drop=True))
        )
    table = (pd.concat(tables)
             .reset_index()
             .set_index(["event", "measure", "horizon"]))
    events_frame = pd.concat(events, ignore_index=True)
    if not breakouts.empty:
        events_frame = events_frame.merge(
            breakouts[["date", "level", "record_date"]].assign(event="breakout"),
            on=["event", "date"], how="left")
    else:
        events_frame = events_frame.assign(level=np.nan, record_date=pd.NaT)
    events_frame.attrs["sample"] = sample_text(fwd_abs.index)
    return events_frame, table


# -- verdict rule ---------------------------------------------------------------------------------

def rule_text(verdict_horizons: Sequence[int], min_events: int, level: float) -> str:
    """The verdict rule, as the verdict states it."""
    hs = " and ".join(HORIZON_LABELS.get(h, f"{h}d") for h in verdict_horizons)
    return (f"supported if the forward {hs} returns after events beat those of all days with "
            f"{level:.0%} intervals (random-date placebo: the events shifted to every other date) excluding zero; "
            "contradicted if any "
            "is below with its interval excluding zero and none is above; mixed if they disagree; "
            f"inconclusive if intervals straddle zero or there are fewer than {min_events} independent "
            "events (events whose forward windows do not overlap)")


def classify(rows: pd.DataFrame | Mapping[str, Sequence[float]], min_events: int) -> tuple[str, str]:
    """Label and reason from event-study rows (one per verdict horizon: ci_lower, ci_upper,
    n_independent), a frame or its columns (a sweep's specification skips building the frame)."""
    counts = np.asarray(rows["n_independent"])
    n = int(counts.min()) if len(counts) else 0
    if n < min_events:
        return "inconclusive", (f"only {n} independent events (complete, non-overlapping forward "
                                f"windows; fewer than {min_events})")
    above = np.asarray(rows["ci_lower"]) > 0
    below = np.asarray(rows["ci_upper"]) < 0
    if above.all():
        return "supported", "every verdict horizon beats all days with an interval above zero"
    if above.any() and below.any():
        return "mixed", "one horizon is significantly above all days and another significantly below"
    if below.any():
        return "contradicted", "a verdict horizon is significantly below all days and none above"
    return "inconclusive", "the intervals straddle zero"


def _combine(primary: str, other: str | None) -> str:
    """The primary series decides; a decisive opposite result on the other series makes it mixed."""
    if other is None:
        return primary
    opposite = {"supported": "contradicted", "contradicted": "supported"}
    return "mixed" if opposite.get(primary) == other else primary


# -- commentary checks ----------------------------------------------------------------------------

def commentary_checks(rut: pd.DataFrame, spx: pd.Series, *, window: int = 200, min_days_below: int = 20,
                      confirm_weeks: int = 2, level_tolerance_pct: float = 1.0,
                      return_tolerance_pp: float = 0.25, ratio_tolerance: float = 0.5,
                      commentary: Mapping[str, Any] = COMMENTARY) -> pd.DataFrame:
    """Each number the commentary stated, next to what the data show, and whether they agree.

    ``rut`` has daily ``close`` and ``high`` of the Russell 2000 (suspicious rows removed);
    ``spx`` the S&P 500 closes. Levels agree within ``level_tolerance_pct`` percent, daily returns
    within ``return_tolerance_pp`` percentage points, "twice" within ``ratio_tolerance``.
    """
    c = dict(COMMENTARY, **commentary)
    close, high = rut["close"].dropna(), rut["high"].reindex(rut["close"].dropna().index)
    rows = []

    def add(check, says, shows, consistent, difference=""):
        rows.append({"check": check, "commentary": says, "data": shows,
                     "difference": difference, "consistent": bool(consistent)})

    def gap(a, b):
        return (a / b - 1.0) * 100.0

    def pct(x):
        return f"{x:+.2f}%"

    month = close.loc[c["record_month"]]
    rec_date, rec = month.idxmax(), float(month.max())
    later = close.loc[rec_date + pd.Timedelta(days=1):]
    broken = later.index[later > rec]
    until = f"; not closed above until {broken[0]:%Y-%m-%d}" if len(broken) else ""
    add("Nov 2021 record close", f"about {c['record_close']:,.1f}",
        f"{rec:,.2f} on {rec_date:%Y-%m-%d}{until}",
        abs(gap(c["record_close"], rec)) <= level_tolerance_pct, pct(gap(c["record_close"], rec)))
    intraday = float(high.loc[c["record_month"]].max())
    add("~2,460 breakout level (Nov 2021 high)", f"~{c['breakout_level']:,.0f}",
        f"intraday high {intraday:,.2f}, close {rec:,.2f} (Nov 2021)",
        abs(gap(c["breakout_level"], intraday)) <= level_tolerance_pct, pct(gap(c["breakout_level"], intraday)))
    tuesday = pd.Timestamp(c["tuesday"])
    before = close.loc[rec_date + pd.Timedelta(days=1):tuesday]
    sep = close.loc[c["cross_month"]]
    sep_top, sep_top_date = float(sep.max()), sep.idxmax()
    add("~2,466 final resistance (our reading: the September 2025 high close)",
        f"~{c['resistance']:,.0f}", f"{sep_top:,.2f} on {sep_top_date:%Y-%m-%d}; highest close to "
        f"{tuesday:%d %b}: {before.max():,.2f}",
        abs(gap(c["resistance"], sep_top)) <= level_tolerance_pct, pct(gap(c["resistance"], sep_top)))

    sma = moving_average(close, window)
    year = c["cross_month"][:4]
    any_cross = sma_crosses(close.loc[:tuesday], window, 1)
    long_cross = sma_crosses(close.loc[:tuesday], window, min_days_below)
    in_month = any_cross[any_cross.strftime("%Y-%m") == c["cross_month"]]
    above_all_month = bool((sep > sma.reindex(sep.index)).all())
    this_year = any_cross[any_cross.year == int(year)]
    listed = ", ".join(f"{d:%Y-%m-%d}" for d in this_year) or "none"
    last_long = f"{long_cross[-1]:%Y-%m-%d}" if len(long_cross) else "none"
    add(f"cleared its {window}-day average in September", f"a cross above the {window}-day in {c['cross_month']}",
        f"crosses above in {year}: {listed}; after >= {min_days_below} days below: {last_long}; "
        f"above it on every day of {c['cross_month']}: {above_all_month}",
        len(in_month) > 0)

    tue = float(close.loc[tuesday])
    implied = c["target"] / (1 + c["target_upside"])
    add("Tuesday 14 Oct 2025 close (2,665 target = ~7% upside)", f"~{implied:,.0f} (2,665 / 1.07)",
        f"{tue:,.2f}; 2,665 is {gap(c['target'], tue):+.2f}% above it",
        abs(gap(implied, tue)) <= level_tolerance_pct, pct(gap(implied, tue)))

    wed = pd.Timestamp(c["wednesday"])
    both = pd.concat({"rut": close, "spx": spx}, axis=1, sort=True).dropna()
    day = both.pct_change().mul(100.0).loc[wed]
    add("Wednesday 15 Oct 2025 Russell 2000 gain", f"+{c['wednesday_gain_pct']:.1f}%",
        f"{day['rut']:+.2f}% (close to close)",
        abs(day["rut"] - c["wednesday_gain_pct"]) <= return_tolerance_pp,
        f"{c['wednesday_gain_pct'] - day['rut']:+.2f} pp")
    ratio = day["rut"] / day["spx"] if day["spx"] != 0 else math.nan
    add("... twice the gain in the S&P 500", "ratio ~2",
        f"S&P 500 {day['spx']:+.2f}%; ratio {ratio:.2f}",
        abs(ratio - c["wednesday_ratio"]) <= ratio_tolerance, f"{c['wednesday_ratio'] - ratio:+.2f}")

    confirmed = confirmation_date(close, c["breakout_level"], tuesday, confirm_weeks)
    add(f"breakout: {confirm_weeks} weekly closes above ~{c['breakout_level']:,.0f} (after the article)",
        "a future condition", f"met in the week ending {confirmed:%Y-%m-%d}" if confirmed is not None
        else f"not met by {close.index[-1]:%Y-%m-%d}", confirmed is not None)
    return pd.DataFrame(rows).set_index("check")


# -- the claim ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TechnicalsResult(ResultMixin):
    """C5 result: verdicts, the event-study table, every event, the fact checks and the 2025 chart data."""

    verdicts: tuple[Verdict, ...]
    table: pd.DataFrame  # index (series, event, measure, horizon)
    spec: dict[str, Any]
    events: pd.DataFrame
    checks: pd.DataFrame
    chart: pd.DataFrame  # Russell 2000 in chart_year: close, sma
    chart_events: pd.DataFrame
    samples: dict[str, str] = field(default_factory=dict)

    def conclusion(self) -> str:
        """The verdicts and the fact checks in words, with their numbers (markdown)."""
        lines = [verdict_sentence(v) for v in self.verdicts]
        if not self.checks.empty:
            ok = self.checks["consistent"]
            wrong = "; ".join(f"*{name}*: the data show {row['data']}"
                              for name, row in self.checks.loc[~ok].iterrows())
            lines.append(f"- **The commentary's numbers:** {int(ok.sum())} of {len(ok)} checks agree with "
                         "the data within the stated tolerances" + (f". They disagree on {wrong}." if wrong else "."))
        return "\n".join(lines)

    def excess(self, measure: str = "absolute") -> pd.DataFrame:
        """Tidy excess forward returns (event minus all days) with intervals, for plotting."""
        return (self.table.xs(measure, level="measure")
                .reset_index()
                [["series", "event", "horizon", "horizon_days", "n_events", "n_independent", "excess", "ci_lower",
                  "ci_upper"]])

    def summary(self, measure: str = "absolute") -> pd.DataFrame:
        """The event-study table for one measure, one row per series, event and horizon, rounded."""
        cols = ["n_events", "n_independent", "mean_event", "mean_all", "excess", "ci_lower", "ci_upper", "p_value",
                "hit_rate_event", "hit_rate_all"]
        return (self.table.xs(measure, level="measure")[cols]
                .round({"mean_event": 1, "mean_all": 1, "excess": 1, "ci_lower": 1, "ci_upper": 1,
                        "p_value": 3, "hit_rate_event": 2, "hit_rate_all": 2}))


def test(series: Mapping[str, pd.DataFrame], *, primary: str, rut: pd.DataFrame | None = None,
         spx: pd.Series | None = None, window: int = 200, min_days_below: int = 20,
         min_record_age_days: int = 365, confirm_weeks: int = 2,
         horizons: Sequence[int] = (21, 63, 126, 252), verdict_horizons: Sequence[int] = (126, 252),
         measure: str = "absolute", min_events: int = 10, level: float = 0.90,
         start: str | None = None, end: str | None = None,
         chart_year: int = 2025, vintage: Mapping[str, str] | None = None,
         commentary: Mapping[str, Any] = COMMENTARY) -> TechnicalsResult:
    """Test C5 on daily index levels.

    ``series`` maps a name to a frame of daily levels with columns ``small`` and ``large``; the
    verdicts come from ``primary`` (a key), and a decisive opposite result on another series turns
    a label into "mixed". ``rut`` (close, high) and ``spx`` (close) feed the commentary checks and
    the chart; without them those tables are empty. See :func:`study_series` for the rest.
    """
    _validate(series, primary, horizons, verdict_horizons, measure, min_events, level)
    studies = {name: study_series(frame, window=window, min_days_below=min_days_below,
                                  min_record_age_days=min_record_age_days,
                                  confirm_weeks=confirm_weeks, horizons=horizons, level=level,
                                  start=start, end=end)
               for name, frame in series.items()}
    table = pd.concat({name: t for name, (_, t) in studies.items()}, names=["series"])
    events = pd.concat({name: e for name, (e, _) in studies.items()}, names=["series"]).droplevel(1)
    samples = {name: e.attrs["sample"] for name, (e, _) in studies.items()}
    rule = rule_text(verdict_horizons, min_events, level)
    labels_used = [HORIZON_LABELS.get(h, f"{h}d") for h in verdict_horizons]
    verdicts = []
    for kind in ("breakout", "sma_cross"):
        per_series = {}
        for name in series:
            rows = table.loc[(name, kind, measure)].loc[labels_used]
            per_series[name] = (classify(rows, min_events), rows)
        (label, why), rows = per_series[primary]
        others = [lab for name, ((lab, _), _) in per_series.items() if name != primary]
        other_label = next((lab for lab in others if lab in ("supported", "contradicted")), None)
        final = _combine(label, other_label)
        last = rows.iloc[-1]
        other_text = "; ".join(
            f"{name}: {lab} ({r.iloc[-1]['excess']:+.1f} pp, n={int(r.iloc[-1]['n_independent'])} of "
            f"{int(r.iloc[-1]['n_events'])} events)"
            for name, ((lab, _), r) in per_series.items() if name != primary)
        note = (f"{primary}: {why}; {labels_used[0]} excess {rows.iloc[0]['excess']:+.1f} pp "
                f"[{rows.iloc[0]['ci_lower']:+.1f}, {rows.iloc[0]['ci_upper']:+.1f}], "
                f"{labels_used[-1]} excess {last['excess']:+.1f} pp."
                + (f" Other series — {other_text}." if other_text else "")
                + (" The other series' opposite result makes it mixed." if final == "mixed" and label != "mixed" else ""))
        event_text = (f"{confirm_weeks} weekly closes above a record at least {min_record_age_days} days old"
                      if kind == "breakout" else
                      f"close crosses above its {window}-day average after >= {min_days_below} days below")
        verdicts.append(Verdict(
            claim=CLAIM, aspect=EVENT_NAMES[kind], label=final,
            hypothesis=(f"After a {EVENT_NAMES[kind]} ({event_text}), small caps' forward "
                        f"{' and '.join(labels_used)} {measure} returns beat those of all days"),
            statistic=last["excess"],
            statistic_name=f"{labels_used[-1]} forward {measure} return after events minus all days, pp",
            interval=(last["ci_lower"], last["ci_upper"]) if math.isfinite(last["ci_lower"]) else None,
            interval_level=level if math.isfinite(last["ci_lower"]) else None,
            p_value=last["p_value"] if math.isfinite(last["p_value"]) else None,
            n=int(last["n_independent"]),
            n_note=(f"of {int(last['n_events'])} events; n counts those whose {labels_used[-1]} forward "
                    "windows do not overlap"),
            sample=f"{primary}, {samples[primary]}", vintage=dict(vintage or {}),
            method=("mean forward return on the event days minus all days; interval and p-value from "
                    "a random-date placebo (the event days shifted together to every other date of the "
                    "sample, keeping their overlap and bunching); n = events whose forward windows do "
                    "not overlap; events as in Brock, Lakonishok and LeBaron (1992)"),
            rule=rule, note=note))

    chart = pd.DataFrame()
    chart_events = pd.DataFrame(columns=["event", "date", "close"])
    checks = pd.DataFrame()
    if rut is not None and spx is not None:
        close = rut["close"].dropna()
        chart = (pd.DataFrame({"close": close, "sma": moving_average(close, window)})
                 .loc[str(chart_year)])
        crosses = sma_crosses(close, window, 1)
        breakouts = record_breakouts(close, min_record_age_days, confirm_weeks)
        chart_events = pd.concat([
            pd.DataFrame({"event": f"cross above {window}-day", "date": crosses}),
            pd.DataFrame({"event": "breakout (rule b)", "date": breakouts["date"]}),
        ]).assign(close=lambda d: close.reindex(d["date"]).to_numpy())
        chart_events = chart_events.loc[chart_events["date"].dt.year == chart_year].reset_index(drop=True)
        checks = commentary_checks(rut, spx, window=window, min_days_below=min_days_below,
                                   confirm_weeks=confirm_weeks, commentary=commentary)
    spec = {"primary": primary, "series": list(series), "window": window,
            "min_days_below": min_days_below, "min_record_age_days": min_record_age_days,
            "confirm_weeks": confirm_weeks, "horizons": list(horizons),
            "verdict_horizons": list(verdict_horizons), "measure": measure,
            "min_events": min_events, "level": level, "start": start, "end": end}
    return TechnicalsResult(verdicts=tuple(verdicts), table=table, spec=spec, events=events,
                            checks=checks, chart=chart, chart_events=chart_events, samples=samples)


def _validate(series, primary, horizons, verdict_horizons, measure, min_events, level) -> None:
    if primary not in series:
        raise ParameterError(f"primary series {primary!r} is not one of {list(series)}")
    for name, frame in series.items():
        missing = {"small", "large"} - set(frame.columns)
        if missing:
            raise ParameterError(f"series {name!r} needs columns small and large (levels); missing {missing}")
    if not horizons or any(int(h) < 1 for h in horizons):
        raise ParameterError(f"horizons must be positive trading-day counts, got {list(horizons)}")
    if not set(verdict_horizons) <= set(horizons):
        raise ParameterError(f"verdict_horizons {list(verdict_horizons)} must be among horizons {list(horizons)}")
    if measure not in ("absolute", "relative"):
        raise ParameterError(f"measure must be 'absolute' or 'relative', not {measure!r}")
    if min_events < 2:
        raise ParameterError(f"min_events must be at least 2, got {min_events}")
    if not 0 < level < 1:
        raise ParameterError(f"level must be in (0, 1), e.g. 0.90; got {level}")


# -- loading --------------------------------------------------------------------------------------

def load_series(small_large: str = "deciles", weighting: str = "vw") -> tuple[dict[str, pd.DataFrame], str, pd.DataFrame, pd.Series, list[str]]:
    """Daily levels of both series, the primary series' name, RUT (close, high), S&P closes, datasets read.

    The French series is the daily small/large from :func:`research.data.sizes.small_large`
    (``small_large`` "deciles" or "smb": both use the 2x3 halves daily) compounded into indices
    starting at 100; the Russell series is the Russell 2000 and S&P 500 price closes, suspicious
    rows excluded.
    """
    from research import data
    from research.data.sizes import small_large as small_large_returns

    if small_large not in ("deciles", "smb", "russell"):
        raise ParameterError(f"small_large must be 'deciles', 'smb' or 'russell', not {small_large!r}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", data.SuspiciousRowsWarning)  # excluded, and said so in the report
        rut = data.load("rut")[["close", "high"]]
    spx = data.load("gspc")["close"]
    russell = pd.concat({"small": rut["close"], "large": spx}, axis=1, sort=True).dropna()
    french_def = "deciles" if small_large == "russell" else small_large
    daily = small_large_returns(french_def, freq="daily", weighting=weighting)
    french = stats.growth_index(daily[["small", "large"]])
    series = {SERIES_RUSSELL: russell, SERIES_FRENCH: french}
    primary = SERIES_RUSSELL if small_large == "russell" else SERIES_FRENCH
    return series, primary, rut, spx, ["rut", "gspc", *daily.attrs["datasets"]]


def run(small_large: str = "deciles", weighting: str = "vw", **params: Any) -> TechnicalsResult:
    """Load the Russell 2000, the S&P 500 and French's daily portfolios, then :func:`test`."""
    from research.claims.base import vintage_of

    series, primary, rut, spx, datasets = load_series(small_large, weighting)
    return test(series, primary=primary, rut=rut, spx=spx, vintage=vintage_of(*datasets), **params)


# == specification grid (research sweep) ============================================================
# The grid of reasonable specifications of this claim, its validity rule and the lean estimate
# function one specification runs (module-level: Dask pickles it by name). See research.sweep.

GRID_STARTS = (1926, 1954, 1963, 1987)
GRID_ASPECTS = ("breakout above an old record", "200-day cross")
GRID_SERIES = (HALVES, RUSSELL)
_HORIZON_SETS = {"6m+12m": (126, 252), "12m": (252,), "6m": (126,)}


def grid_valid(spec: dict[str, Any]) -> bool:
    """Each event with its own parameters only; ew only for French's halves; distinct starts."""
    breakout = spec["event"] == GRID_ASPECTS[0]
    if breakout != (spec["sma_days"] == NA) or breakout != (spec["days_below"] == NA):
        return False
    if breakout == (spec["record_age_days"] == NA) or breakout == (spec["confirm_weeks"] == NA):
        return False
    if spec["weighting"] == "ew" and spec["series"] not in WEIGHTED:
        return False
    data_start = DATA_START["russell_daily"] if spec["series"] == RUSSELL else DATA_START["halves_daily"]
    return start_kept(spec["start"], data_start, GRID_STARTS)


@cached(maxsize=8)
def _grid_levels(series: str, weighting: str) -> pd.DataFrame:
    """Daily small and large levels as :func:`research.claims.technicals.load_series` builds them."""
    frames, _, _, _, _ = load_series("russell" if series == RUSSELL else "deciles", weighting)
    return frames[SERIES_RUSSELL if series == RUSSELL else SERIES_FRENCH]


@cached(maxsize=8)
def _grid_weeks(series: str, weighting: str) -> pd.DataFrame:
    """Weekly closes of the small-cap series, shared by every breakout rule."""
    return weekly_closes(_grid_levels(series, weighting)["small"].dropna())


@cached(maxsize=256)
def _grid_events(series: str, weighting: str, event: str, a: int, b: int) -> pd.DatetimeIndex:
    """Event days on the whole history (the average and the record need the past)."""
    if event == GRID_ASPECTS[0]:
        return pd.DatetimeIndex(weekly_record_breakouts(_grid_weeks(series, weighting), a, b)["date"])
    return sma_crosses(_grid_levels(series, weighting)["small"], a, b)


@cached(maxsize=32)
def _grid_forward(series: str, weighting: str, measure: str) -> pd.DataFrame:
    levels = _grid_levels(series, weighting)
    fwd = forward_returns(levels["small"], (126, 252))
    if measure == "relative":
        fwd = fwd - forward_returns(levels["large"], (126, 252))
    return fwd


@cached(maxsize=128)
def _grid_sample(series: str, weighting: str, measure: str, start: int,
                 h: int) -> tuple[pd.DatetimeIndex, stats.ShiftSample, str]:
    """One sample's forward returns at horizon ``h`` prepared for the placebos of every event rule
    (:func:`research.stats.shift_sample`), their days, and the sample's text."""
    fwd = _grid_forward(series, weighting, measure)
    first = start_date(start, DATA_START["russell_daily" if series == RUSSELL else "halves_daily"])
    fwd = fwd.loc[pd.Timestamp(first):] if first else fwd
    y = fwd[h].dropna()
    return y.index, stats.shift_sample(y.to_numpy()), f"{fwd.index[0]:%Y-%m-%d}..{fwd.index[-1]:%Y-%m-%d}"


def grid_estimate(*, event: str, series: str, weighting: str, start: int, measure: str, horizons: str,
                  sma_days: Any, days_below: Any, record_age_days: Any, confirm_weeks: Any,
                  level: float = 0.90, min_events: int = 10) -> dict[str, Any]:
    """C5: forward return after the events minus all days at the longest verdict horizon, pp
    (random-date placebo interval, n = independent events); label by
    :func:`research.claims.technicals.classify` on the verdict horizons. One series per
    specification, so the claim's cross-series "mixed" rule does not apply here. The rows are
    :func:`event_study`'s, from samples shared by the specifications that share them."""
    if event == GRID_ASPECTS[0]:
        dates = _grid_events(series, weighting, event, int(record_age_days), int(confirm_weeks))
    else:
        dates = _grid_events(series, weighting, event, int(sma_days), int(days_below))
    rows = []
    for h in _HORIZON_SETS[horizons]:
        days, sample, text = _grid_sample(series, weighting, measure, start, h)
        rows.append(event_row(h, sample.y, event_positions(days, dates), level, sample))
    label, _ = classify({k: [r[k] for r in rows] for k in ("n_independent", "ci_lower", "ci_upper")}, min_events)
    last = rows[-1]
    return spec_row(last["excess"], last["ci_lower"], last["ci_upper"], label, last["n_independent"],
                    last["p_value"], text)


GRID = Grid(
    claim="C5", title="The 200-day cross and the breakout above an old record",
    choices={
        "event": GRID_ASPECTS, "series": GRID_SERIES, "weighting": ("vw", "ew"), "start": GRID_STARTS,
        "measure": ("absolute", "relative"), "horizons": tuple(_HORIZON_SETS),
        "sma_days": (NA, 150, 200, 250), "days_below": (NA, 10, 20, 40),
        "record_age_days": (NA, 182, 365, 730), "confirm_weeks": (NA, 1, 2, 3),
    },
    estimate=f"{__name__}:grid_estimate", valid=f"{__name__}:grid_valid", aspect="event",
    statistic_name="forward return after events minus all days, longest verdict horizon, pp",
    default={"series": HALVES, "weighting": "vw", "start": 1926, "measure": "absolute",
             "horizons": "6m+12m"},
    aspect_defaults={GRID_ASPECTS[0]: {"record_age_days": 365, "confirm_weeks": 2, "sma_days": NA, "days_below": NA},
                     GRID_ASPECTS[1]: {"sma_days": 200, "days_below": 20, "record_age_days": NA, "confirm_weeks": NA}},
    notes=("Series: French's daily small and large 2x3 halves (1926+, total return) or the "
           "Russell 2000 vs the S&P 500 (1987+, price). Breakouts: weekly closes (confirm_weeks "
           "in a row) above a record at least record_age_days old; crosses: a close above the "
           "sma_days average after days_below days at or below it. Horizons: the forward "
           "horizons the rule requires to beat all days (6m = 126, 12m = 252 trading days). "
           "Label: supported if every required horizon beats all days with a 90% random-date "
           "placebo interval (the events shifted together to every other date) above zero; "
           "contradicted if one is below and none above; mixed if they disagree; inconclusive "
           "otherwise or with fewer than 10 independent events (forward windows that do not "
           "overlap)."),
)
