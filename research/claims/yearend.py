"""C7: year end and the forecasts. Do small caps beat large caps from mid-October to 31 December?

The commentary: small caps "can beat large caps through year end"; Jefferies' year-end Russell
2000 target of 2,665 "implying roughly 7% upside from Tuesday's close" (14 October 2025); an
S&P 500 year-end target of 6,600. We measure small-minus-large from mid-October to 31 December in
every year and in January alone, by decade (the turn-of-year effect, Keim 1983, and its decay),
turn each target into an empirical probability from all past years, and score each forecast
against the data where they reach the target date (hit, miss, or not yet known).

Everything here is pure except :func:`run`, which loads the data and calls :func:`test`.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from research import stats
from research.claims.base import (
    DATA_START,
    ResultMixin,
    clean_float,
    spec_row,
    weighting_and_start_kept,
)
from research.data.sizes import HALVES, RUSSELL, cached, returns_for
from research.errors import ParameterError
from research.sweep import Grid
from research.verdict import Verdict, verdict_sentence

CLAIM = "C7"

# The forecasts as the commentary put them (CLAIMS.md, C7). Levels and outcomes come from the data.
FORECASTS = {
    "rut_target": {
        "label": "Russell 2000 at 2,665 by year end",
        "forecast": "Russell 2000 year-end target 2,665, \"implying roughly 7% upside from Tuesday's close\"",
        "source": "Jefferies, as quoted in the commentary",
    },
    "spx_target": {
        "label": "S&P 500 at 6,600 by year end",
        "forecast": "S&P 500 year-end target 6,600",
        "source": "year-end target quoted in the commentary",
    },
    "small_beats_large": {
        "label": "small caps beat large caps to year end",
        "forecast": "small caps \"can beat large caps through year end\" (Russell 2000 vs S&P 500)",
        "source": "the commentary",
    },
}


# -- windows --------------------------------------------------------------------------------------

def _md(text: str, name: str) -> tuple[int, int]:
    try:
        month, day = (int(x) for x in text.split("-"))
        pd.Timestamp(2001, month, day)  # a day every year has: 29 February is not a window end
    except (ValueError, TypeError):
        hint = "; 02-29 is not in every year" if text.strip() == "02-29" else ""
        raise ParameterError(f"{name} must be a month-day like '10-14', got {text!r}{hint}") from None
    return month, day


def window_changes(levels: pd.Series | pd.DataFrame, start_md: str = "10-14",
                   end_md: str = "12-31") -> pd.DataFrame:
    """Percent change of each level series from the close on or before start_md to the close on or before end_md, per year.

    A year is kept only when the data cover its window: a close within 7 days before the start
    date, and data reaching the end date (an observation after it, or the last observation on the
    last business day on or before it). Columns: ``start_date``, ``end_date`` and one per series.
    """
    frame = levels.to_frame() if isinstance(levels, pd.Series) else levels
    frame = frame.dropna()
    (sm, sd), (em, ed) = _md(start_md, "start_md"), _md(end_md, "end_md")
    if (sm, sd) >= (em, ed):
        raise ParameterError(f"start_md {start_md!r} must come before end_md {end_md!r} in the year")
    index = frame.index
    years = np.arange(index[0].year, index[-1].year + 1)
    starts = pd.DatetimeIndex([pd.Timestamp(y, sm, sd) for y in years])
    ends = pd.DatetimeIndex([pd.Timestamp(y, em, ed) for y in years])
    i0 = index.searchsorted(starts, side="right") - 1
    i1 = index.searchsorted(ends, side="right") - 1
    valid = i0 >= 0
    base_dates = index[np.clip(i0, 0, None)]
    valid &= (starts - base_dates) <= pd.Timedelta(days=7)
    last_bday = pd.DatetimeIndex([pd.offsets.BDay().rollback(e) for e in ends])
    valid &= (index.searchsorted(ends, side="right") < len(index)) | (index[-1] >= last_bday)
    valid &= i1 > i0
    values = frame.to_numpy()
    change = (values[np.clip(i1, 0, None)] / values[np.clip(i0, 0, None)] - 1.0) * 100.0
    out = pd.DataFrame(change, index=pd.Index(years, name="year"), columns=frame.columns)
    out.insert(0, "end_date", index[np.clip(i1, 0, None)])
    out.insert(0, "start_date", base_dates)
    return out.loc[valid]


def seasonal_windows(returns_daily: pd.DataFrame, returns_monthly: pd.DataFrame, *,
                     start_md: str = "10-14", end_md: str = "12-31") -> pd.DataFrame:
    """Per year: small, large and small-minus-large (pp) from start_md to end_md, and in January.

    ``returns_daily`` and ``returns_monthly`` hold percent returns with columns ``small`` and
    ``large``. The window returns compound the daily returns after the start close; January is
    the month's return from the monthly data. Small-minus-large is the difference of the two
    compounded returns.
    """
    window = window_changes(stats.growth_index(returns_daily[["small", "large"]]), start_md, end_md)
    window = window.assign(small_minus_large=window["small"] - window["large"])
    january = returns_monthly.loc[returns_monthly.index.month == 1, ["small", "large"]]
    january = (january
               .assign(small_minus_large=january["small"] - january["large"])
               .set_axis(pd.Index(january.index.year, name="year")))
    return window.join(january.add_prefix("jan_"), how="outer")


def by_decade(years: pd.DataFrame) -> pd.DataFrame:
    """Mean window and January small-minus-large by decade, with the share of years small won."""
    decade = (years.index // 10 * 10).astype(str) + "s"
    return (years
            .assign(decade=decade,
                    small_won=(years["small_minus_large"] > 0).where(years["small_minus_large"].notna()),
                    jan_small_won=(years["jan_small_minus_large"] > 0).where(years["jan_small_minus_large"].notna()))
            .astype({"small_won": float, "jan_small_won": float})
            .groupby("decade")
            .agg(years=("small_minus_large", "count"),
                 mean_small_minus_large=("small_minus_large", "mean"),
                 share_small_won=("small_won", "mean"),
                 januaries=("jan_small_minus_large", "count"),
                 mean_january=("jan_small_minus_large", "mean"),
                 share_january_won=("jan_small_won", "mean")))


def eras(years: pd.DataFrame, split_year: int) -> pd.DataFrame:
    """The same means before ``split_year`` and from it on (the decay after Keim's 1983 paper)."""
    era = np.where(years.index < split_year, f"before {split_year}", f"{split_year} on")
    return (years
            .assign(era=era)
            .groupby("era", sort=False)
            .agg(years=("small_minus_large", "count"),
                 mean_small_minus_large=("small_minus_large", "mean"),
                 share_small_won=("small_minus_large", lambda s: (s.dropna() > 0).mean()),
                 januaries=("jan_small_minus_large", "count"),
                 mean_january=("jan_small_minus_large", "mean"),
                 share_january_won=("jan_small_minus_large", lambda s: (s.dropna() > 0).mean())))


# -- verdict --------------------------------------------------------------------------------------

def classify(sml: pd.Series, ci: tuple[float, float], *, clear_majority: float,
             min_years: int) -> tuple[str, str]:
    """Label from yearly small-minus-large window returns and the interval of their mean."""
    n = len(sml)
    if n < min_years:
        return "inconclusive", f"only {n} years (fewer than {min_years})"
    share, mean = float((sml > 0).mean()), float(sml.mean())
    lower, upper = ci
    if lower <= 0 <= upper:
        return "inconclusive", "the interval of the mean straddles zero"
    if mean > 0:
        if share >= clear_majority:
            return "supported", f"small won in {share:.0%} of years (a clear majority) with a positive mean"
        return "mixed", f"the mean is positive but small won in only {share:.0%} of years"
    if share < 0.5:
        return "contradicted", f"small lost in most years ({1 - share:.0%}) with a negative mean"
    return "mixed", f"the mean is negative although small won in {share:.0%} of years"


def rule_text(clear_majority: float, min_years: int, level: float) -> str:
    return (f"supported if small beat large from mid-October to year end in a clear majority of "
            f"years (>= {clear_majority:.0%}) with a positive mean whose {level:.0%} "
            "Student-t interval excludes zero; contradicted if the mean is negative "
            "(interval excluding zero) and small lost in most years; mixed if the mean and the "
            f"majority disagree; inconclusive if the interval straddles zero or fewer than {min_years} years")


# -- forecasts ------------------------------------------------------------------------------------

def close_on(levels: pd.Series, date: str | pd.Timestamp) -> tuple[pd.Timestamp, float] | None:
    """The last close on or before ``date``, or None when the data do not reach ``date``.

    The data reach a date when they have an observation on or after it, or end on the last
    business day on or before it.
    """
    levels = levels.dropna()
    date = pd.Timestamp(date)
    if levels.index[-1] < pd.offsets.BDay().rollback(date) or levels.index[0] > date:
        return None
    sub = levels.loc[:date]
    return sub.index[-1], float(sub.iloc[-1])


def move_probability(history: pd.Series, threshold_pct: float, direction: str) -> dict[str, Any]:
    """Share of past windows whose change was at least (``"up"``) or at most (``"down"``) ``threshold_pct``."""
    history = history.dropna()
    hits = history >= threshold_pct if direction == "up" else history <= threshold_pct
    n = len(history)
    return {"probability": float(hits.mean()) if n else math.nan, "hits": int(hits.sum()), "n": n,
            "first_year": int(history.index.min()) if n else None,
            "last_year": int(history.index.max()) if n else None}


def forecast_scorecard(rut: pd.Series, spx: pd.Series, *, forecast_date: str, target_date: str,
                       rut_target: float, spx_target: float, start_md: str, end_md: str,
                       first_history_year: int | None = None) -> pd.DataFrame:
    """Each forecast: level at the forecast date, the empirical probability, and the realized outcome.

    The probabilities come from the same calendar window (``start_md`` .. ``end_md``) in every
    year before the forecast's year that both indexes cover (one common base period, stated in
    ``ex_ante_basis``). A target above the level is hit when the close on the
    target date is at or above it, a target below when it is at or below; "small beats large"
    is hit when the Russell 2000 / S&P 500 ratio ends above its level at the forecast date.
    """
    year = pd.Timestamp(forecast_date).year
    rut, spx = rut.dropna().rename("rut"), spx.dropna().rename("spx")
    both = pd.concat({"rut": rut, "spx": spx}, axis=1, sort=True).dropna()
    ratio = (both["rut"] / both["spx"]).rename("ratio")
    # one base period for every forecast: the years both indexes cover (the S&P 500 reaches back
    # decades before the Russell 2000; its probability from 1928 would not be comparable)
    hist_pair = window_changes(both, start_md, end_md).dropna(subset=["rut", "spx"])
    hist_rut, hist_spx = hist_pair[["rut"]], hist_pair[["spx"]]
    lo = first_history_year or -math.inf

    def past(frame: pd.DataFrame, col: str) -> pd.Series:
        return frame.loc[(frame.index < year) & (frame.index >= lo), col]

    rows = []
    specs = [
        ("rut_target", rut, rut_target, past(hist_rut, "rut")),
        ("spx_target", spx, spx_target, past(hist_spx, "spx")),
        ("small_beats_large", ratio, None,
         past(hist_pair, "rut") - past(hist_pair, "spx")),
    ]
    for key, series, target, history in specs:
        start = close_on(series, forecast_date)
        if start is None:
            raise ParameterError(f"the data do not reach the forecast date {forecast_date} for {key}")
        start_date, level = start
        if target is None:  # relative forecast: the ratio must end above its starting level
            target, direction, need = level, "up", 0.0
            prob = move_probability(history, 0.0, "up")
            prob["hits"] = int((history > 0).sum())
            prob["probability"] = prob["hits"] / prob["n"] if prob["n"] else math.nan
        else:
            direction = "up" if target >= level else "down"
            need = (target / level - 1.0) * 100.0
            prob = move_probability(history, need, direction)
        end = close_on(series, target_date)
        if end is None:
            outcome, realized, as_of = "not yet known", None, series.dropna().index[-1]
        else:
            as_of, realized = end
            reached = realized > target if key == "small_beats_large" else (
                realized >= target if direction == "up" else realized <= target)
            outcome = "hit" if reached else "miss"
        rows.append({
            "key": key, **FORECASTS[key], "made_on": start_date.date().isoformat(),
            "target_date": pd.Timestamp(target_date).date().isoformat(),
            "level_at_forecast": level, "target": target, "required_move_pct": need,
            "ex_ante_probability": prob["probability"],
            "ex_ante_basis": (f"{prob['hits']} of {prob['n']} years ({prob['first_year']}-{prob['last_year']}), "
                              f"{start_md} to {end_md}" if prob["n"] else "no history"),
            "outcome": outcome, "realized": realized,
            "as_of": pd.Timestamp(as_of).date().isoformat(),
        })
    return pd.DataFrame(rows).set_index("key")


# -- the claim ------------------------------------------------------------------------------------

def _level_text(x: float | None) -> str:
    """An index level to the cent, a ratio to four decimals, a dash for no value."""
    if x is None or pd.isna(x):
        return "—"
    return f"{x:,.2f}" if abs(x) >= 10 else f"{x:.4f}"


@dataclass(frozen=True)
class YearEndResult(ResultMixin):
    """C7 result: the seasonality verdict, the decade table, every year, the eras and the forecast scorecard."""

    verdicts: tuple[Verdict, ...]
    table: pd.DataFrame  # by decade
    spec: dict[str, Any]
    years: pd.DataFrame  # one row per year: window and January returns
    eras: pd.DataFrame
    forecasts: pd.DataFrame  # one row per forecast
    index_windows: pd.DataFrame  # per year: Russell 2000 and S&P 500 window changes (percent)

    def conclusion(self) -> str:
        """The verdict and each forecast's outcome in words, with their numbers (markdown)."""
        lines = [verdict_sentence(v) for v in self.verdicts]
        for _, f in self.forecasts.iterrows():
            realized = (f"{f['realized']:,.4f} on {f['as_of']}" if f.name == "small_beats_large" and
                        f["outcome"] != "not yet known" else
                        f"{f['realized']:,.2f} on {f['as_of']}" if f["outcome"] != "not yet known"
                        else f"data end {f['as_of']}")
            need = (f"the Russell 2000 / S&P 500 ratio ({f['level_at_forecast']:.4f} on {f['made_on']}) "
                    "needed to rise" if f.name == "small_beats_large" else
                    f"from {f['level_at_forecast']:,.2f} on {f['made_on']} it needed "
                    f"{f['required_move_pct']:+.1f}%")
            lines.append(f"- **{f['forecast']}** ({f['source']}): {need}; the empirical probability "
                         f"was {f['ex_ante_probability']:.0%} ({f['ex_ante_basis']}); realized {realized}: "
                         f"**{f['outcome']}**.")
        return "\n".join(lines)

    def forecast_table(self) -> pd.DataFrame:
        """The scorecard for display: one column per forecast, levels rounded, the probability in percent."""
        return (self.forecasts
                .assign(ex_ante_probability=lambda d: (d["ex_ante_probability"] * 100).round(0).map("{:.0f}%".format),
                        required_move=lambda d: d["required_move_pct"].map("{:+.2f}%".format),
                        level_at_forecast=lambda d: d["level_at_forecast"].map(_level_text),
                        target=lambda d: d["target"].map(_level_text),
                        realized=lambda d: d["realized"].map(_level_text))
                .set_index("label")
                [["forecast", "source", "made_on", "level_at_forecast", "target", "required_move",
                  "ex_ante_probability", "ex_ante_basis", "target_date", "realized", "outcome", "as_of"]]
                .T
                .rename_axis(index=None, columns=None))

    def scorecard(self) -> list[dict[str, Any]]:
        """The forecast scorecard as the runner's index page expects it (``extra={"forecasts": ...}``)."""
        keys = ["forecast", "source", "made_on", "target_date", "level_at_forecast", "target",
                "ex_ante_probability", "ex_ante_basis", "outcome", "realized", "as_of"]
        out = []
        for row in self.forecasts[keys].to_dict("records"):
            for k in ("level_at_forecast", "target", "realized"):
                if row[k] is not None and not (isinstance(row[k], float) and math.isnan(row[k])):
                    row[k] = round(float(row[k]), 4)
                else:
                    row[k] = None
            p = row["ex_ante_probability"]
            row["ex_ante_probability"] = None if p is None or math.isnan(p) else round(float(p), 4)
            out.append(row)
        return out


def test(returns_daily: pd.DataFrame, returns_monthly: pd.DataFrame, rut: pd.Series, spx: pd.Series, *,
         start_md: str = "10-14", end_md: str = "12-31", first_year: int | None = None,
         last_year: int = 2024, clear_majority: float = 0.6, min_years: int = 15,
         level: float = 0.90, split_year: int = 1983,
         forecast_date: str = "2025-10-14", target_date: str = "2025-12-31",
         rut_target: float = 2665.0, spx_target: float = 6600.0,
         first_history_year: int | None = None, definition: str = "",
         vintage: dict[str, str] | None = None) -> YearEndResult:
    """Test C7: the mid-October-to-year-end seasonality of small-minus-large, and score the forecasts.

    ``returns_daily``/``returns_monthly``: small and large returns in percent (columns ``small``,
    ``large``) for the seasonality; years ``first_year``..``last_year`` with a complete window
    enter the verdict. ``rut``/``spx``: daily closes of the Russell 2000 and the S&P 500 for the
    forecasts (probabilities from the years before the forecast, from ``first_history_year``).
    """
    for name, frame in (("returns_daily", returns_daily), ("returns_monthly", returns_monthly)):
        if {"small", "large"} - set(frame.columns):
            raise ParameterError(f"{name} needs columns 'small' and 'large' (percent returns)")
    if not 0.5 <= clear_majority < 1:
        raise ParameterError(f"clear_majority must be in [0.5, 1), e.g. 0.6; got {clear_majority}")
    if not 0 < level < 1:
        raise ParameterError(f"level must be in (0, 1), e.g. 0.90; got {level}")
    if min_years < 2:
        raise ParameterError(f"min_years must be at least 2, got {min_years}")
    years = seasonal_windows(returns_daily, returns_monthly, start_md=start_md, end_md=end_md)
    lo = first_year if first_year is not None else int(years.index.min())
    years = years.loc[lo:last_year + 1]
    # January of last_year + 1 closes the turn of the year that last_year's window opens
    years.loc[years.index > last_year, ["start_date", "end_date", "small", "large", "small_minus_large"]] = np.nan
    sml = years.loc[:last_year, "small_minus_large"].dropna()
    # Student t, not a percentile bootstrap, whose nominal 90% covers too little at the curve's
    # 38 years (docs/methods.md); the curve's grid_estimate uses the same interval
    if len(sml) >= 2:
        m = stats.mean_interval(sml, level=level)
        ci, p_value = (m.lower, m.upper), m.p_value
    else:
        ci, p_value = (math.nan, math.nan), None
    label, why = classify(sml, ci, clear_majority=clear_majority, min_years=min_years)
    era_table = eras(years, split_year)
    decade = by_decade(years)
    share = float((sml > 0).mean()) if len(sml) else math.nan
    jan = years["jan_small_minus_large"].dropna()
    finite = all(math.isfinite(x) for x in ci)
    sample = (f"{sml.index.min()}-{sml.index.max()} ({len(sml)} years), {start_md} to {end_md} each year"
              if len(sml) else "empty")
    late = era_table.loc[f"{split_year} on"] if f"{split_year} on" in era_table.index else None
    decay = (f" Since {split_year}: mean {late['mean_small_minus_large']:+.1f} pp, small won "
             f"{late['share_small_won']:.0%} of {int(late['years'])} years; January mean "
             f"{late['mean_january']:+.1f} pp (all years {jan.mean():+.1f} pp)." if late is not None else "")
    verdict = Verdict(
        claim=CLAIM, aspect="year-end seasonality", label=label,
        hypothesis=(f"Small caps beat large caps from mid-October ({start_md}) to year end "
                    "in a clear majority of years, with a positive mean"),
        statistic=float(sml.mean()) if len(sml) else None,
        statistic_name="mean small-minus-large return, mid-Oct to 31 Dec, pp per year",
        interval=ci if finite else None, interval_level=level if finite else None,
        p_value=p_value if finite else None, n=len(sml), sample=sample, vintage=dict(vintage or {}),
        method=((f"{definition}. " if definition else "")
                + "compounded daily returns over the same calendar window each year; mean across years "
                "with a Student-t interval and the t-test's p-value (years treated as independent); "
                "turn-of-year effect as in Keim (1983)"),
        rule=rule_text(clear_majority, min_years, level),
        note=(f"{why[0].upper() + why[1:]}: small beat large in {int((sml > 0).sum())} of {len(sml)} "
              f"years ({share:.0%}).{decay}"),
    )
    index_windows = window_changes(pd.concat({"rut": rut, "spx": spx}, axis=1, sort=True), start_md, end_md)
    spx_windows = window_changes(spx.rename("spx"), start_md, end_md)
    index_windows = spx_windows.join(index_windows[["rut"]], how="left")
    forecasts = forecast_scorecard(rut, spx, forecast_date=forecast_date, target_date=target_date,
                                   rut_target=rut_target, spx_target=spx_target, start_md=start_md,
                                   end_md=end_md, first_history_year=first_history_year)
    spec = {"start_md": start_md, "end_md": end_md, "first_year": first_year, "last_year": last_year,
            "clear_majority": clear_majority, "min_years": min_years, "level": level,
            "split_year": split_year, "forecast_date": forecast_date,
            "target_date": target_date, "rut_target": rut_target, "spx_target": spx_target,
            "first_history_year": first_history_year, "definition": definition}
    return YearEndResult(verdicts=(verdict,), table=decade, spec=spec, years=years, eras=era_table,
                         forecasts=forecasts, index_windows=index_windows)


def run(small_large: str = "deciles", weighting: str = "vw", **params: Any) -> YearEndResult:
    """Load daily and monthly small/large returns and the two indices, then :func:`test`."""
    from research import data
    from research.claims.base import vintage_of
    from research.data.sizes import small_large as small_large_returns

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", data.SuspiciousRowsWarning)  # excluded, and said so in the report
        daily = small_large_returns(small_large, freq="daily", weighting=weighting)
        monthly = small_large_returns(small_large, freq="monthly", weighting=weighting)
        rut = data.load("rut")["close"].rename("rut")
    spx = data.load("gspc")["close"].rename("spx")
    datasets = list(dict.fromkeys([*daily.attrs["datasets"], *monthly.attrs["datasets"], "rut", "gspc"]))
    definition = f"daily: {daily.attrs['note']}; January: {monthly.attrs['note']}"
    return test(daily, monthly, rut, spx, definition=definition, vintage=vintage_of(*datasets), **params)


# == specification grid (research sweep) ============================================================
# The grid of reasonable specifications of this claim, its validity rule and the lean estimate
# function one specification runs (module-level: Dask pickles it by name). See research.sweep.

GRID_FIRST_YEARS = (1926, 1954, 1963, 1983, 1987)
GRID_SIZES = (HALVES, "deciles 1-3 vs 8-10", "decile 1 vs 10", RUSSELL)
#: Window starts: 14 October is the commentary's Tuesday; month-end data can only start a window
#: at a month end (30 Sep -> October to December, 31 Oct -> November and December).
GRID_WINDOW_STARTS = ("10-01", "10-14", "10-31")


def grid_valid(spec: dict[str, Any]) -> bool:
    """Daily data only where the catalog has them; month-end data only from a month end; ew only
    for French's portfolios; distinct first years."""
    if spec["freq"] == "daily" and spec["size"] not in (HALVES, RUSSELL):
        return False
    if spec["freq"] == "monthly" and spec["window_start"] == "10-14":
        return False  # no month-end close within a week before 14 October
    return weighting_and_start_kept(spec, DATA_START["deciles"], GRID_FIRST_YEARS, russell="russell_daily",
                                    start_key="first_year")


@cached(maxsize=64)
def _grid_seasonal(size: str, freq: str, weighting: str, window_start: str) -> pd.DataFrame:
    """Per year: small-minus-large from ``window_start`` to 31 December (pp)."""
    r = returns_for(size, freq, weighting)[["small", "large"]].dropna()
    window = window_changes(stats.growth_index(r), window_start, "12-31")
    return window.assign(small_minus_large=window["small"] - window["large"])


def grid_estimate(*, size: str, freq: str, weighting: str, window_start: str, first_year: int,
                  clear_majority: float, last_year: int = 2024, level: float = 0.90,
                  min_years: int = 15) -> dict[str, Any]:
    """C7: mean small-minus-large return from ``window_start`` to 31 December across years, with
    the report's Student-t interval and p-value; label by :func:`classify` (mean, clear majority,
    interval)."""
    years = _grid_seasonal(size, freq, weighting, window_start)
    sml = years.loc[first_year:last_year, "small_minus_large"].dropna()
    lower = upper = p = None
    if len(sml) >= 2:
        m = stats.mean_interval(sml, level=level)  # the report's own interval (see test)
        lower, upper, p = m.lower, m.upper, m.p_value
    label, _ = classify(sml, (clean_float(lower), clean_float(upper)),
                        clear_majority=clear_majority, min_years=min_years)
    sample = f"{sml.index.min()}-{sml.index.max()}" if len(sml) else "empty"
    return spec_row(sml.mean() if len(sml) else None, lower, upper, label, len(sml), p, sample,
                    share_small_won=float((sml > 0).mean()) if len(sml) else float("nan"))


_DEFAULT = {"size": HALVES, "freq": "daily", "weighting": "vw", "window_start": "10-14",
            "first_year": 1926, "clear_majority": 0.6}
GRID = Grid(
    claim="C7", title="Small caps into year end",
    choices={
        "size": GRID_SIZES, "freq": ("daily", "monthly"), "weighting": ("vw", "ew"),
        "window_start": GRID_WINDOW_STARTS, "first_year": GRID_FIRST_YEARS,
        "clear_majority": (0.55, 0.6, 2 / 3),
    },
    estimate=f"{__name__}:grid_estimate", valid=f"{__name__}:grid_valid",
    statistic_name="mean small-minus-large return, window start to 31 Dec, pp",
    default=_DEFAULT,
    notes=("Small minus large from the window start to 31 December in every year from first_year "
           "to 2024. Daily series: French's 2x3 halves or the Russell 2000 / S&P 500; monthly "
           "size deciles start at a month end (30 Sep or 31 Oct). Label: supported if the mean is "
           "positive with a 90% Student-t interval above zero and small won "
           "in at least clear_majority of years; contradicted if the mean is negative and "
           "small lost in most years; mixed if they disagree; inconclusive if the interval "
           "straddles zero. 1983: after Keim's paper on the turn-of-year effect."),
)
