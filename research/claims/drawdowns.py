"""C6: the pullback hedge. When large caps fall, do small caps lose less?

The commentary: the S&P 500 "could be due for a significant pullback", which "might warrant a
shift in portfolio allocations to manage risk" toward small caps. We find every large-cap
drawdown of at least 5% and of at least 10% (peak to trough, from a record level: see
:func:`drawdown_episodes`), and measure small caps' return over the same peak-to-trough span,
relative to large caps. Downside betas (small on large in down periods, up periods and inside the
drawdowns, Newey-West errors) say the same thing per unit of large-cap move.

Everything here is pure except :func:`run`, which loads the data and calls :func:`test`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from research import stats
from research.claims.base import (
    DATA_START,
    ResultMixin,
    clean_float,
    spec_row,
    start_date,
    weighting_and_start_kept,
)
from research.data.sizes import HALVES, RUSSELL, returns_for
from research.errors import ParameterError
from research.stats import mean_interval, sample_text
from research.sweep import Grid
from research.verdict import Verdict, verdict_sentence

CLAIM = "C6"


def levels_from_returns(returns_pct: pd.DataFrame) -> pd.DataFrame:
    """Index levels (start 100, one period before the first return) from percent returns."""
    growth = stats.growth_index(returns_pct)
    first = returns_pct.index[0] - pd.Timedelta(days=1)
    start = pd.DataFrame(100.0, index=pd.DatetimeIndex([first], name=returns_pct.index.name),
                         columns=returns_pct.columns)
    return pd.concat([start, growth])


def aspect_of(threshold: float) -> str:
    """The aspect of the verdict on drawdowns of at least ``threshold``% ("drawdowns >= 10%"),
    also the name of its view of the grid and of its family entry."""
    return f"drawdowns >= {threshold:g}%"


def drawdown_episodes(level: pd.Series, threshold_pct: float = 5.0) -> pd.DataFrame:
    """Every peak-to-trough decline of at least ``threshold_pct`` percent from a record level.

    An episode starts on the last close at a record (the running maximum), reaches its trough at
    the lowest close before the record is regained, and ends on the first close at or above the
    old record (``recovery_date``; NaT while still under water, ``ongoing`` True). Declines inside
    a longer drawdown that do not regain the record are part of that one episode.
    """
    if threshold_pct <= 0:
        raise ParameterError(f"threshold_pct must be a positive percentage, e.g. 5 or 10; got {threshold_pct}")
    level = level.dropna()
    at_record = level >= level.cummax()
    spell = at_record.cumsum().to_numpy()
    grouped = level.groupby(spell)
    peaks = grouped.head(1)  # each spell opens on a record close
    troughs_date = grouped.idxmin()
    frame = pd.DataFrame({
        "peak_date": peaks.index,
        "peak": peaks.to_numpy(),
        "trough_date": troughs_date.to_numpy(),
        "trough": grouped.min().to_numpy(),
    })
    frame["recovery_date"] = frame["peak_date"].shift(-1)
    frame["depth_pct"] = (frame["trough"] / frame["peak"] - 1.0) * 100.0
    frame["ongoing"] = frame["recovery_date"].isna()
    positions = pd.Series(np.arange(len(level)), index=level.index)
    frame["periods_to_trough"] = (positions.reindex(frame["trough_date"]).to_numpy()
                                  - positions.reindex(frame["peak_date"]).to_numpy())
    return (frame
            .loc[frame["depth_pct"] <= -threshold_pct]
            .reset_index(drop=True)
            [["peak_date", "trough_date", "recovery_date", "peak", "trough", "depth_pct",
              "periods_to_trough", "ongoing"]])


def episode_returns(levels: pd.DataFrame, episodes: pd.DataFrame) -> pd.DataFrame:
    """Small and large returns (percent) from each episode's peak to its trough, and small minus large (pp)."""
    peak, trough = episodes["peak_date"], episodes["trough_date"]
    small = (levels["small"].reindex(trough).to_numpy() / levels["small"].reindex(peak).to_numpy() - 1) * 100
    large = (levels["large"].reindex(trough).to_numpy() / levels["large"].reindex(peak).to_numpy() - 1) * 100
    return episodes.assign(small_pct=small, large_pct=large, relative_pp=small - large,
                           small_lost_less=small > large)


def in_episodes(index: pd.DatetimeIndex, episodes: pd.DataFrame) -> pd.Series:
    """True on the periods inside an episode's peak-to-trough span (after the peak, up to the trough)."""
    inside = np.zeros(len(index), dtype=bool)
    for peak, trough in zip(episodes["peak_date"], episodes["trough_date"], strict=True):
        inside |= (index > peak) & (index <= trough)
    return pd.Series(inside, index=index, name="in_drawdown")


def beta(returns: pd.DataFrame, mask: pd.Series | None = None, *, lags: int = 0,
         hac_lags: int | None = None, level: float = 0.90) -> dict[str, float]:
    """Beta of small on large returns (sum of the current and ``lags`` lagged slopes, Dimson 1979).

    The regression runs on the periods where ``mask`` is True (lagged large returns come from the
    full series), with Newey-West errors (``hac_lags`` default: the Newey-West plug-in).
    """
    X = pd.concat({f"large_l{k}": returns["large"].shift(k) for k in range(lags + 1)}, axis=1)
    data = pd.concat([returns["small"], X], axis=1)
    if mask is not None:
        data = data.loc[mask.reindex(data.index, fill_value=False).to_numpy()]
    data = data.dropna()
    if len(data) < lags + 5:
        return {"beta": math.nan, "ci_lower": math.nan, "ci_upper": math.nan, "n": len(data)}
    slopes = list(X.columns)
    fit = stats.ols(data["small"], data[slopes], maxlags=hac_lags)
    b = float(fit.params[slopes].sum())
    se = float(math.sqrt(fit.cov.loc[slopes, slopes].to_numpy().sum()))  # var of the sum of the slopes
    z = NormalDist().inv_cdf(0.5 + level / 2)
    return {"beta": b, "ci_lower": b - z * se, "ci_upper": b + z * se, "n": len(data)}


def downside_betas(returns: pd.DataFrame, inside: pd.Series, *, lags: int = 1,
                   hac_lags: int | None = None, level: float = 0.90) -> pd.DataFrame:
    """Betas of small on large: all periods, large-cap down and up periods, inside and outside drawdowns."""
    down = returns["large"] < 0
    masks = {
        "all periods": None,
        "large caps down (return < 0)": down,
        "large caps up (return >= 0)": ~down,
        "inside large-cap drawdowns (peak to trough)": inside,
        "outside those drawdowns": ~inside,
    }
    return pd.DataFrame({name: beta(returns, mask, lags=lags, hac_lags=hac_lags, level=level)
                         for name, mask in masks.items()}).T.rename_axis("periods")


def classify(relative: pd.Series, ci: tuple[float, float], min_episodes: int) -> tuple[str, str]:
    """Label from per-episode small-minus-large returns and the interval of their mean."""
    n = len(relative)
    if n < min_episodes:
        return "inconclusive", f"only {n} episodes (fewer than {min_episodes})"
    share, mean = float((relative > 0).mean()), float(relative.mean())
    lower, upper = ci
    if lower <= 0 <= upper:
        return "inconclusive", "the interval of the mean relative return straddles zero"
    if mean > 0 and share > 0.5:
        return "supported", "small caps lost less on average and in most episodes"
    if mean < 0 and share < 0.5:
        return "contradicted", "small caps lost more on average and in most episodes"
    return "mixed", "the average and the majority of episodes point in opposite directions"


def rule_text(min_episodes: int, level: float) -> str:
    return ("supported if small caps lost less than large caps in most episodes and on average "
            f"(mean small-minus-large return over the episodes > 0, {level:.0%} Student-t "
            "interval excluding zero); contradicted if they lost more in most episodes and on average; "
            f"mixed if the majority and the average disagree; inconclusive if the interval straddles "
            f"zero or there are fewer than {min_episodes} episodes")


@dataclass(frozen=True)
class DrawdownResult(ResultMixin):
    """C6 result: verdicts (one per threshold), the summary table, every episode, downside betas."""

    verdicts: tuple[Verdict, ...]
    table: pd.DataFrame  # one row per threshold
    spec: dict[str, Any]
    episodes: pd.DataFrame  # one row per episode and threshold
    betas: pd.DataFrame
    levels: pd.DataFrame  # small and large index levels over the sample

    def conclusion(self) -> str:
        """The verdicts and the downside betas in words, with their numbers (markdown)."""
        lines = [verdict_sentence(v) for v in self.verdicts]
        b = self.betas
        down, up = b.iloc[1], b.iloc[2]
        lags = self.spec["beta_lags"]
        lines.append(f"- **Downside beta** (Dimson sum over {lags} lag{'s' if lags != 1 else ''}): "
                     f"{down['beta']:.2f} in large-cap down periods "
                     f"[{down['ci_lower']:.2f}, {down['ci_upper']:.2f}] vs {up['beta']:.2f} in up periods; "
                     "a hedge would need a beta well below 1 when large caps fall.")
        return "\n".join(lines)

    def episode_table(self, threshold_pct: float) -> pd.DataFrame:
        """The episodes of one threshold, dates as text and returns rounded, for display."""
        cols = ["peak_date", "trough_date", "recovery_date", "large_pct", "small_pct", "relative_pp",
                "periods_to_trough", "ongoing"]
        return (self.episodes.loc[self.episodes["threshold_pct"] == threshold_pct, cols]
                .assign(**{c: lambda d, c=c: d[c].dt.strftime("%Y-%m-%d").fillna("not yet")
                           for c in ("peak_date", "trough_date", "recovery_date")})
                .round(1)
                .reset_index(drop=True))


def test(returns: pd.DataFrame, *, thresholds: Sequence[float] = (5.0, 10.0),
         start: str | None = None, end: str | None = None, min_episodes: int = 10,
         level: float = 0.90, beta_lags: int = 1,
         hac_lags: int | None = None, include_ongoing: bool = True, definition: str = "",
         vintage: dict[str, str] | None = None) -> DrawdownResult:
    """Test C6 on small and large returns (percent per period, columns ``small``, ``large``).

    Episodes are large-cap drawdowns of at least each of ``thresholds`` percent; the verdict for
    each threshold follows :func:`classify`, with a Student-t interval (episodes do
    not overlap, and with 14-30 of them a bootstrap covers too little) for the mean small-minus-large return across episodes. ``beta_lags`` adds lagged
    large-cap returns to the betas (Dimson, for stale small-cap prices).
    """
    if {"small", "large"} - set(returns.columns):
        raise ParameterError("returns need columns 'small' and 'large' (percent per period)")
    if not thresholds or any(t <= 0 for t in thresholds):
        raise ParameterError(f"thresholds must be positive percentages, got {list(thresholds)}")
    if not 0 < level < 1:
        raise ParameterError(f"level must be in (0, 1), e.g. 0.90; got {level}")
    if min_episodes < 2:
        raise ParameterError(f"min_episodes must be at least 2, got {min_episodes}")
    rets = returns[["small", "large"]].loc[start:end].dropna()
    if len(rets) < 20:
        raise ParameterError(f"the sample {start}..{end} has only {len(rets)} periods; widen it")
    levels = levels_from_returns(rets)
    sample = sample_text(rets.index)
    rule = rule_text(min_episodes, level)
    tables, all_episodes, verdicts = [], [], []
    for threshold in sorted(thresholds, reverse=True):
        episodes = episode_returns(levels, drawdown_episodes(levels["large"], threshold))
        if not include_ongoing:
            episodes = episodes.loc[~episodes["ongoing"]]
        rel = episodes["relative_pp"]
        if len(rel) >= 2:
            # Student t: with 14-30 episodes a bootstrap's nominal 90% covers 79-85% (docs/methods.md)
            boot = mean_interval(rel, level=level)
            ci, p_value = (boot.lower, boot.upper), boot.p_value
        else:
            ci, p_value = (math.nan, math.nan), None
        label, why = classify(rel, ci, min_episodes)
        share = float((rel > 0).mean()) if len(rel) else math.nan
        row = {"threshold_pct": threshold, "episodes": len(rel),
               "mean_large_pct": episodes["large_pct"].mean(), "mean_small_pct": episodes["small_pct"].mean(),
               "mean_relative_pp": rel.mean(), "median_relative_pp": rel.median(),
               "ci_lower": ci[0], "ci_upper": ci[1], "share_small_lost_less": share, "label": label}
        tables.append(row)
        all_episodes.append(episodes.assign(threshold_pct=threshold))
        finite = all(math.isfinite(x) for x in ci)
        verdicts.append(Verdict(
            claim=CLAIM, aspect=aspect_of(threshold), label=label,
            hypothesis=(f"In large-cap drawdowns of at least {threshold:g}% (peak to trough), small caps "
                        "lose less than large caps, in most episodes and on average"),
            statistic=rel.mean() if len(rel) else None,
            statistic_name="mean small-minus-large return over the episodes, pp",
            interval=ci if finite else None, interval_level=level if finite else None,
            p_value=p_value if finite else None,
            n=len(rel), sample=sample, vintage=dict(vintage or {}),
            method=("large-cap drawdowns from record levels; small and large returns over each "
                    "peak-to-trough span; mean across episodes with a Student-t interval"),
            rule=rule,
            note=(f"{why[0].upper() + why[1:]}: small caps lost less than large caps in "
                  f"{int((rel > 0).sum())} of {len(rel)} episodes "
                  f"({share:.0%}); mean {rel.mean():+.1f} pp, median {rel.median():+.1f} pp"
                  + (f" ({definition})" if definition else "") + "."),
        ))
    episodes = pd.concat(all_episodes, ignore_index=True)
    widest = min(thresholds)
    inside = in_episodes(rets.index, episodes.loc[episodes["threshold_pct"] == widest])
    betas = downside_betas(rets, inside, lags=beta_lags, hac_lags=hac_lags, level=level)
    table = pd.DataFrame(tables).set_index("threshold_pct")
    spec = {"thresholds": list(thresholds), "start": start, "end": end, "min_episodes": min_episodes,
            "level": level, "beta_lags": beta_lags, "hac_lags": hac_lags,
            "include_ongoing": include_ongoing, "definition": definition, "betas_inside": f">= {widest:g}%"}
    return DrawdownResult(verdicts=tuple(verdicts), table=table, spec=spec, episodes=episodes,
                          betas=betas, levels=levels)


def run(small_large: str = "deciles", freq: str = "daily", weighting: str = "vw",
        **params: Any) -> DrawdownResult:
    """Load small and large returns with :func:`research.data.sizes.small_large`, then :func:`test`."""
    import warnings

    from research import data
    from research.claims.base import vintage_of
    from research.data.sizes import small_large as small_large_returns

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", data.SuspiciousRowsWarning)  # excluded, and said so in the report
        returns = small_large_returns(small_large, freq=freq, weighting=weighting)
    return test(returns, definition=returns.attrs["note"],
                vintage=vintage_of(*returns.attrs["datasets"]), **params)


# == specification grid (research sweep) ============================================================
# The grid of reasonable specifications of this claim, its validity rule and the lean estimate
# function one specification runs (module-level: Dask pickles it by name). See research.sweep.

GRID_STARTS = (1926, 1954, 1963, 1987)
GRID_SIZES = (HALVES, "deciles 1-3 vs 8-10", "decile 1 vs 10", RUSSELL)


def grid_valid(spec: dict[str, Any]) -> bool:
    """Daily data only where the catalog has them; ew only for French's portfolios; distinct starts."""
    if spec["freq"] == "daily" and spec["size"] not in (HALVES, RUSSELL):
        return False  # French publishes no daily size deciles
    return weighting_and_start_kept(spec, DATA_START["deciles"], GRID_STARTS,
                                    russell="russell_daily" if spec["freq"] == "daily" else "russell_monthly")


def grid_estimate(*, size: str, freq: str, weighting: str, start: int, threshold: float,
                  include_ongoing: bool, level: float = 0.90,
                  min_episodes: int = 10) -> dict[str, Any]:
    """C6: mean small-minus-large return over large-cap drawdowns of at least ``threshold``%,
    peak to trough; label by :func:`research.claims.drawdowns.classify` (mean, majority, interval)."""
    returns = returns_for(size, freq, weighting)
    data_start = DATA_START[f"russell_{freq}" if size == RUSSELL else "deciles"]
    rets = returns[["small", "large"]].loc[start_date(start, data_start):].dropna()
    levels = levels_from_returns(rets)
    episodes = episode_returns(levels, drawdown_episodes(levels["large"], threshold))
    if not include_ongoing:
        episodes = episodes.loc[~episodes["ongoing"]]
    rel = episodes["relative_pp"]
    lower = upper = p = None
    if len(rel) >= 2:
        m = stats.mean_interval(rel, level=level)  # the report's own interval
        lower, upper, p = m.lower, m.upper, m.p_value
    ci = (clean_float(lower), clean_float(upper))
    label, _ = classify(rel, ci, min_episodes)
    return spec_row(rel.mean() if len(rel) else None, lower, upper, label, len(rel), p, sample_text(rets.index),
                    share_small_lost_less=float((rel > 0).mean()) if len(rel) else float("nan"))


VERDICT_THRESHOLDS = (10.0, 5.0)  # the report's verdicts, in its order
_DEFAULT = {"size": HALVES, "freq": "daily", "weighting": "vw", "start": 1926, "threshold": 10.0,
            "include_ongoing": True}
GRID = Grid(
    claim="C6", title="Are small caps a hedge in a large-cap pullback?",
    choices={
        "size": GRID_SIZES, "freq": ("daily", "monthly"), "weighting": ("vw", "ew"), "start": GRID_STARTS,
        "threshold": (5.0, 7.5, 10.0, 15.0, 20.0), "include_ongoing": (True, False),
    },
    estimate=f"{__name__}:grid_estimate", valid=f"{__name__}:grid_valid",
    statistic_name="mean small-minus-large return over large-cap drawdowns, pp",
    default=_DEFAULT,
    notes=("Large-cap drawdowns of at least the threshold, from a record close to the trough; "
           "small minus large over each. Daily series: French's 2x3 halves or the Russell 2000 / "
           "S&P 500; monthly: also the size deciles. Label: supported if small lost less on "
           "average and in most episodes with a 90% Student-t interval of the mean "
           "above zero; contradicted if the opposite; mixed if the mean and the "
           "majority disagree; inconclusive if the interval straddles zero or fewer than 10 "
           "episodes."),
    family=[(aspect_of(t), {**_DEFAULT, "threshold": t}) for t in VERDICT_THRESHOLDS],
    family_basis=stats.STUDENT_T_BASIS,
    views={aspect_of(t): {"threshold": (t,)} for t in VERDICT_THRESHOLDS},  # each verdict's own depth
)
