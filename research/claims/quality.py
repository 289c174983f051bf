"""C3: are small caps "structurally inferior", tilting "toward value" and "less profitable"?

Two tests, after Fama and French (2015) and Asness, Frazzini, Israel, Moskowitz and Pedersen (2018):

1. Five-factor regressions (market, SMB, HML, RMW, CMA; Newey-West HAC errors) of small, large and
   small-minus-large returns. A value tilt is a positive HML loading of small-minus-large, "less
   profitable" a negative RMW loading, and "inferior" a negative five-factor alpha.
2. The size premium within profitability groups, from the 25 size x operating-profitability
   portfolios: small-robust minus big-robust against small-weak minus big-weak. If small caps are
   inferior only because they hold junk, the premium among robust firms should be positive.

    >>> from research.claims import quality
    >>> result = quality.run()
    >>> [v.aspect for v in result.verdicts]
    ['value tilt', 'less profitable', 'inferior']
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
    PORTFOLIOS,
    START_DATES,
    ResultMixin,
    excess_returns,
    lags_choice,
    month_end,
    p_text,
    span,
    spec_row,
    vintage_of,
    weighting_and_start_kept,
)
from research.data.sizes import (
    MONTHLY_SIZES,
    cached,
    cell_returns,
    french,
    load_small_large,
    monthly_returns,
)
from research.errors import ParameterError
from research.sweep import Grid
from research.verdict import Verdict

CLAIM = "C3"
FACTORS = {"Mkt-RF": "mkt_excess", "SMB": "smb", "HML": "hml", "RMW": "rmw", "CMA": "cma"}
TERMS = ("alpha", *FACTORS.values())
HYPOTHESES = {
    "value tilt": "Small caps tilt toward value: small-minus-large loads positively on HML",
    "less profitable": "Small caps are less profitable: small-minus-large loads negatively on RMW",
    "inferior": ("Small caps are structurally inferior: negative five-factor alpha of "
                 "small-minus-large, and no size premium even among robust (profitable) firms"),
}


# -- the 25 size x characteristic portfolios --------------------------------------------------------

def size_premium_returns(portfolios: pd.DataFrame, *, small: Sequence[int] = (1,),
                         big: Sequence[int] = (5,), robust: Sequence[int] = (5,),
                         weak: Sequence[int] = (1,), kind: str = "OP") -> pd.DataFrame:
    """Monthly small-minus-big returns within each profitability quintile, and within the robust
    and weak groups, plus robust-minus-weak (the difference of the two premiums)."""
    by_group = {f"{kind}{g}": cell_returns(portfolios, small, [g], kind)
                - cell_returns(portfolios, big, [g], kind) for g in range(1, 6)}
    out = pd.DataFrame(by_group).assign(
        robust=cell_returns(portfolios, small, robust, kind) - cell_returns(portfolios, big, robust, kind),
        weak=cell_returns(portfolios, small, weak, kind) - cell_returns(portfolios, big, weak, kind),
    )
    return out.assign(robust_minus_weak=out["robust"] - out["weak"])


# -- verdict rules -------------------------------------------------------------------------------------

def loading_label(coef: float, p_value: float, expected_sign: int, *, alpha: float = 0.05) -> str:
    """Supported if the loading has the expected sign with p < alpha, contradicted if the opposite
    sign with p < alpha, inconclusive otherwise."""
    if not (np.isfinite(coef) and np.isfinite(p_value)) or p_value >= alpha or coef == 0:
        return "inconclusive"
    return "supported" if np.sign(coef) == np.sign(expected_sign) else "contradicted"


def inferior_label(alpha_coef: float, alpha_p: float, premium: float, premium_p: float, *,
                   alpha: float = 0.05) -> str:
    """"Inferior" from two tests: the five-factor alpha of small-minus-large and the size premium
    among robust firms. Supported if both are negative with p < alpha; contradicted if neither is
    significantly negative and at least one is significantly positive; mixed if exactly one is
    significantly negative; inconclusive if neither is significant."""
    neg = [c < 0 and p < alpha for c, p in ((alpha_coef, alpha_p), (premium, premium_p))]
    pos = [c > 0 and p < alpha for c, p in ((alpha_coef, alpha_p), (premium, premium_p))]
    if all(neg):
        return "supported"
    if any(neg):
        return "mixed"
    return "contradicted" if any(pos) else "inconclusive"


RULES = {
    "value tilt": "supported if the HML loading of small-minus-large is > 0 with p < {a}; "
                  "contradicted if < 0 with p < {a}; inconclusive otherwise",
    "less profitable": "supported if the RMW loading of small-minus-large is < 0 with p < {a}; "
                       "contradicted if > 0 with p < {a}; inconclusive otherwise",
    "inferior": "supported if the five-factor alpha of small-minus-large and the size premium among "
                "robust firms (full sample) are both < 0 with p < {a}; mixed if only one is; "
                "contradicted if neither is and at least one is > 0 with p < {a}; inconclusive if "
                "neither is significant",
}


# -- result --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class QualityResult(ResultMixin):
    """C3 result.

    ``table``: five-factor coefficients, long (portfolio, term) with HAC errors; ``loadings``: the
    same coefficients wide (portfolio x term) for reading; ``premiums``: mean monthly size premium
    by profitability group and period with HAC intervals; ``premium_returns``: the monthly premium
    series; ``regressions``: the fitted five-factor regressions by portfolio.
    """

    verdicts: tuple[Verdict, ...]
    table: pd.DataFrame
    loadings: pd.DataFrame
    premiums: pd.DataFrame
    premium_returns: pd.DataFrame
    regressions: dict[str, stats.Regression]
    spec: dict[str, Any] = field(default_factory=dict)

    def conclusion(self) -> str:
        """The closing note in Markdown: each verdict with its statistic, interval and n."""
        lines = []
        for v in self.verdicts:
            lines += [
                f"**{v.aspect}: {v.label}.** {v.note}",
                "",
                f"- Statistic: {v.statistic_name} **{v.statistic:+.3f}**",
                f"- Interval: {v.interval_level:.0%} Newey-West [{v.interval[0]:+.3f}, "
                f"{v.interval[1]:+.3f}], {p_text(v.p_value)}",
                f"- n = {v.n} months ({v.sample}); vintage "
                + ", ".join(f"{k} {x}" for k, x in v.vintage.items()) + ".",
                "",
            ]
        return "\n".join(lines)


def _validate(returns, factors, *, maxlags, level, alpha, quintiles) -> None:
    missing = [c for c in PORTFOLIOS if c not in returns]
    if missing:
        raise ParameterError(f"returns need columns {PORTFOLIOS} (research.data.sizes.small_large); "
                             f"missing {missing}")
    need = {*FACTORS, "RF"}
    if not need <= set(factors.columns):
        raise ParameterError(f"factors need French's five-factor columns {sorted(need)} "
                             "(ff5_factors, monthly)")
    if maxlags is not None and (not isinstance(maxlags, int | np.integer) or maxlags < 0):
        raise ParameterError(f"HAC lags must be a non-negative integer or None (plug-in rule), got {maxlags!r}")
    if not 0 < level < 1 or not 0 < alpha < 1:
        raise ParameterError(f"level and alpha must lie in (0, 1), got level={level}, alpha={alpha}")
    for name, q in quintiles.items():
        if not q or any(int(x) != x or not 1 <= x <= 5 for x in q):
            raise ParameterError(f"{name} must be a non-empty list of quintiles 1..5, got {list(q)}")
    if set(quintiles["small_quintiles"]) & set(quintiles["big_quintiles"]):
        raise ParameterError("small_quintiles and big_quintiles overlap; pick distinct size quintiles")
    if set(quintiles["robust_quintiles"]) & set(quintiles["weak_quintiles"]):
        raise ParameterError("robust_quintiles and weak_quintiles overlap; pick distinct OP quintiles")


def _premium_rows(premium_returns: pd.DataFrame, periods: dict[str, tuple[pd.Timestamp, pd.Timestamp]],
                  *, maxlags: int | None, level: float) -> pd.DataFrame:
    rows = []
    for period, (lo, hi) in periods.items():
        window = premium_returns.loc[lo:hi].dropna()
        for group in window.columns:
            fit = stats.hac_mean(window[group].rename(group), maxlags=maxlags, level=level)
            rows.append({"period": period, "group": group, "mean": fit.params["mean"],
                         "std_err": fit.bse["mean"], "ci_lower": fit.conf_int.loc["mean", "lower"],
                         "ci_upper": fit.conf_int.loc["mean", "upper"], "p_value": fit.pvalues["mean"],
                         "n_months": fit.nobs, "sample": span(window.index)})
    return pd.DataFrame(rows).set_index(["period", "group"])


def _model_data(returns: pd.DataFrame, factors: pd.DataFrame, lo: pd.Timestamp, hi: pd.Timestamp, *,
                include_smb: bool, start: str, end: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.Index]:
    """Excess returns, the factor regressors and the months where all of them are known."""
    X = factors[list(FACTORS)].rename(columns=FACTORS)
    if not include_smb:
        X = X.drop(columns="smb")
    excess = excess_returns(returns, factors["RF"])
    sample = pd.concat([excess, X], axis=1, sort=True).loc[lo:hi].dropna().index
    if len(sample) < 36:
        raise ParameterError(f"only {len(sample)} months of returns and factors in {start}..{end}; "
                             "the five-factor data start in 1963-07: widen the sample")
    return excess, X, sample


def _premium_data(op_portfolios: pd.DataFrame, lo: pd.Timestamp, hi: pd.Timestamp, *,
                  small: Sequence[int], big: Sequence[int], robust: Sequence[int], weak: Sequence[int],
                  start: str, end: str) -> pd.DataFrame:
    """The size premium series in the sample, on the months where every group has a return."""
    premium_returns = size_premium_returns(op_portfolios, small=small, big=big, robust=robust,
                                           weak=weak).loc[lo:hi].dropna()
    if len(premium_returns) < 36:
        raise ParameterError(f"only {len(premium_returns)} months of 25-portfolio returns in "
                             f"{start}..{end}; they start in 1963-07")
    return premium_returns


def test(returns: pd.DataFrame, factors: pd.DataFrame, op_portfolios: pd.DataFrame, *,
         start: str = "1963-07-31", end: str = "2025-10-31", since: str | None = "1990-01-31",
         include_smb: bool = True, maxlags: int | None = None, level: float = 0.95,
         alpha: float = 0.05, small_quintiles: Sequence[int] = (1,), big_quintiles: Sequence[int] = (5,),
         robust_quintiles: Sequence[int] = (5,), weak_quintiles: Sequence[int] = (1,),
         vintage: dict[str, str] | None = None, definition: str = "") -> QualityResult:
    """Test C3 on data already loaded; fast enough for specification sweeps.

    Parameters
    ----------
    returns : small, large, small_minus_large (percent per month), from ``sizes.small_large``.
    factors : French's monthly five factors and RF (percent): 'Mkt-RF', 'SMB', 'HML', 'RMW', 'CMA', 'RF'.
    op_portfolios : the 25 size x operating-profitability portfolios (``me_op_25``), percent per month.
    start, end : sample bounds (ISO dates, snapped to month ends).
    since : start of the second period for the size premium ("since 1990"); None for none.
    include_smb : keep SMB among the regressors (the five-factor model); False drops it, so the
        HML/RMW loadings are no longer measured net of the size factor.
    maxlags : Newey-West lags (None: the plug-in rule).
    small_quintiles, big_quintiles : size quintiles of the 25 portfolios that are small and big.
    robust_quintiles, weak_quintiles : profitability quintiles that are robust and weak.
    """
    quintiles = {"small_quintiles": small_quintiles, "big_quintiles": big_quintiles,
                 "robust_quintiles": robust_quintiles, "weak_quintiles": weak_quintiles}
    _validate(returns, factors, maxlags=maxlags, level=level, alpha=alpha, quintiles=quintiles)
    lo, hi = month_end(start, "start"), month_end(end, "end")
    if lo >= hi:
        raise ParameterError(f"start {start} must come before end {end}")

    excess, X, sample = _model_data(returns, factors, lo, hi, include_smb=include_smb, start=start,
                                    end=end)
    fits = {p: stats.ols(excess.loc[sample, p].rename(p), X.loc[sample], maxlags=maxlags, level=level)
            for p in PORTFOLIOS}
    table = pd.concat(
        {p: fit.table.rename(index={"const": "alpha"}).set_axis(
            ["coef", "std_err", "t", "p_value", "ci_lower", "ci_upper"], axis=1)
         for p, fit in fits.items()},
        names=["portfolio", "term"],
    )
    loadings = (table["coef"]
                .unstack("term")
                .reindex(index=list(PORTFOLIOS), columns=["alpha", *X.columns]))

    premium_returns = _premium_data(op_portfolios, lo, hi, small=small_quintiles, big=big_quintiles,
                                    robust=robust_quintiles, weak=weak_quintiles, start=start, end=end)
    periods = {"full sample": (lo, hi)}
    if since is not None:
        since_ts = month_end(since, "since")
        if not lo < since_ts < hi:
            raise ParameterError(f"since {since} must fall inside the sample {start}..{end}")
        periods[f"since {since_ts:%Y}"] = (since_ts, hi)
    premiums = _premium_rows(premium_returns, periods, maxlags=maxlags, level=level)

    diff = fits["small_minus_large"]
    n, months = diff.nobs, span(sample)
    model = "five-factor" if include_smb else "four-factor (five-factor without SMB)"
    method = (f"OLS of monthly returns on the {model} model (Fama and French 2015) with Newey-West "
              f"HAC errors, {diff.maxlags} lags. Small/large: {definition or 'as given'}")
    common = dict(claim=CLAIM, interval_level=level, n=n, sample=months, vintage=dict(vintage or {}),
                  method=method)

    def coef(term: str) -> tuple[float, float, tuple[float, float]]:
        return (diff.params[term], diff.pvalues[term], tuple(diff.conf_int.loc[term]))

    verdicts = []
    for aspect, term, sign, word in (("value tilt", "hml", 1, "HML (value)"),
                                     ("less profitable", "rmw", -1, "RMW (profitability)")):
        c, p, ci = coef(term)
        label = loading_label(c, p, sign, alpha=alpha)
        verdicts.append(Verdict(
            aspect=aspect, label=label, hypothesis=HYPOTHESES[aspect], statistic=c,
            statistic_name=f"{word} loading of small-minus-large", interval=ci, p_value=p,
            rule=RULES[aspect].format(a=f"{alpha:g}"),
            note=(f"Small-minus-large loads {c:+.2f} on {word} ({p_text(p)}, n = {n} months) in the "
                  f"{model} model: small caps are "
                  + {"supported": "tilted as claimed", "contradicted": "tilted the other way",
                     "inconclusive": "not distinguishable from large caps on this factor"}[label] + "."),
            **common))

    a, a_p, a_ci = coef("const")
    robust = premiums.loc[("full sample", "robust")]
    label = inferior_label(a, a_p, robust["mean"], robust["p_value"], alpha=alpha)
    later = ""
    if since is not None:
        r2 = premiums.loc[(list(periods)[1], "robust")]
        later = (f"; {list(periods)[1]}: {r2['mean']:+.2f}% [{r2['ci_lower']:.2f}, "
                 f"{r2['ci_upper']:.2f}]")
    verdicts.append(Verdict(
        aspect="inferior", label=label, hypothesis=HYPOTHESES["inferior"], statistic=a,
        statistic_name=f"{model} alpha of small-minus-large, % per month", interval=a_ci,
        p_value=a_p, rule=RULES["inferior"].format(a=f"{alpha:g}"),
        note=(f"The {model} alpha is {a:+.2f}% a month ({p_text(a_p)}); the size premium among robust "
              f"firms is {robust['mean']:+.2f}% a month ({level:.0%} CI [{robust['ci_lower']:.2f}, "
              f"{robust['ci_upper']:.2f}], {p_text(robust['p_value'])}, n = {int(robust['n_months'])})"
              f"{later}."),
        **common))

    spec = {"definition": definition, "start": start, "end": end, "since": since,
            "include_smb": include_smb, "maxlags": maxlags, "level": level, "alpha": alpha,
            "small_quintiles": list(small_quintiles), "big_quintiles": list(big_quintiles),
            "robust_quintiles": list(robust_quintiles), "weak_quintiles": list(weak_quintiles)}
    return QualityResult(verdicts=tuple(verdicts), table=table, loadings=loadings, premiums=premiums,
                         premium_returns=premium_returns, regressions=fits, spec=spec)


def run(small_large: str = "deciles", *, weighting: str = "vw", small: Sequence[int] = (1, 2, 3),
        large: Sequence[int] = (8, 9, 10), start: str = "1963-07-31", end: str = "2025-10-31",
        since: str | None = "1990-01-31", include_smb: bool = True, maxlags: int | None = None,
        level: float = 0.95, alpha: float = 0.05, small_quintiles: Sequence[int] = (1,),
        big_quintiles: Sequence[int] = (5,), robust_quintiles: Sequence[int] = (5,),
        weak_quintiles: Sequence[int] = (1,)) -> QualityResult:
    """Load the data through ``research.data`` and ``sizes.small_large``, then :func:`test`."""
    from research import data

    if small_large == "smb" and include_smb:
        raise ParameterError("small_large='smb' regressed on a model that contains SMB is circular "
                             "(SMB explains itself); set include_smb=False or use 'deciles' or "
                             "'russell'")
    returns, definition = load_small_large(small_large, weighting=weighting, small=tuple(small),
                                           large=tuple(large))
    factors = data.load("ff5_factors", block="monthly")
    op = data.load("me_op_25", block=f"{weighting}_monthly")
    names = [*returns.attrs["datasets"], "ff5_factors", "me_op_25"]
    return test(returns, factors, op, start=start, end=end, since=since, include_smb=include_smb,
                maxlags=maxlags, level=level, alpha=alpha, small_quintiles=small_quintiles,
                big_quintiles=big_quintiles, robust_quintiles=robust_quintiles,
                weak_quintiles=weak_quintiles, vintage=vintage_of(*dict.fromkeys(names)),
                definition=definition)


# == specification grid (research sweep) ============================================================
# The grid of reasonable specifications of this claim, its validity rule and the lean estimate
# function one specification runs (module-level: Dask pickles it by name). See research.sweep.

GRID_STARTS = (1963, 1987)
GRID_ASPECTS = ("value tilt", "less profitable", "inferior")
_QUINTILES = {"q1": (1,), "q1-2": (1, 2), "q5": (5,), "q4-5": (4, 5)}


def grid_valid(spec: dict[str, Any]) -> bool:
    """Premium cells only for "inferior"; no SMB explained by SMB; ew only for deciles; distinct starts."""
    inferior = spec["aspect"] == "inferior"
    if inferior == (spec["premium_small"] == NA) or inferior == (spec["premium_robust"] == NA):
        return False
    if spec["size"] == "SMB" and spec["include_smb"]:
        return False  # SMB explained by a model containing SMB is circular (run refuses it)
    return weighting_and_start_kept(spec, DATA_START["ff5"], GRID_STARTS)


GRID_END = "2025-10-31"


def _quintiles(premium_small: str, premium_robust: str) -> dict[str, tuple[int, ...]]:
    """The premium cells of a specification (the report's q1 and q5 where none applies)."""
    robust = _QUINTILES.get(premium_robust, (5,))
    return {"small": _QUINTILES.get(premium_small, (1,)), "big": (5,), "robust": robust,
            "weak": tuple(sorted(6 - q for q in robust))}  # the mirror image: q5 -> q1, q4-5 -> q1-2


@cached(maxsize=32)
def _grid_model_data(size: str, weighting: str, start: int, include_smb: bool) -> tuple[pd.Series, pd.DataFrame, str]:
    """Small-minus-large, the factors and the sample's span (shared by the HAC lags; cached per worker)."""
    begin = START_DATES[start]
    excess, X, sample = _model_data(monthly_returns(size, weighting), french("ff5_factors", "monthly"),
                                    month_end(begin, "start"), month_end(GRID_END, "end"),
                                    include_smb=include_smb, start=begin, end=GRID_END)
    return excess.loc[sample, "small_minus_large"].rename("small_minus_large"), X.loc[sample], span(sample)


@cached(maxsize=64)
def _grid_fit(size: str, weighting: str, start: int, include_smb: bool, hac_lags: Any) -> tuple[Any, str]:
    """The five-factor regression of small-minus-large and its sample: what the three aspects and
    every premium cell of these data share (cached per worker)."""
    y, X, sample = _grid_model_data(size, weighting, start, include_smb)
    return stats.ols(y, X, maxlags=lags_choice(hac_lags)), sample


@cached(maxsize=32)
def _grid_premiums(weighting: str, start: int, premium_small: str, premium_robust: str) -> pd.DataFrame:
    """The size premium series of these cells in the sample (cached per worker)."""
    begin = START_DATES[start]
    return _premium_data(french("me_op_25", f"{weighting}_monthly"), month_end(begin, "start"),
                         month_end(GRID_END, "end"), **_quintiles(premium_small, premium_robust),
                         start=begin, end=GRID_END)


@cached(maxsize=64)
def _grid_robust_premium(weighting: str, start: int, premium_small: str, premium_robust: str,
                         hac_lags: Any) -> tuple[float, float]:
    """Mean and HAC p-value of the size premium among robust firms (cached per worker)."""
    robust = _grid_premiums(weighting, start, premium_small, premium_robust)["robust"]
    fit = stats.hac_mean(robust.rename("robust"), maxlags=lags_choice(hac_lags))
    return fit.params["mean"], fit.pvalues["mean"]


def grid_estimate(*, aspect: str, size: str, weighting: str, start: int, include_smb: bool, hac_lags: Any,
                  premium_small: str, premium_robust: str, alpha: float = 0.05) -> dict[str, Any]:
    """C3: one aspect's statistic (HML loading, RMW loading, or five-factor alpha) of
    small-minus-large; label by :mod:`research.claims.quality`'s rules for that aspect.

    The steps of :func:`test` (full sample, no second period) for the small-minus-large regression
    and, for "inferior", the robust firms' size premium alone, each cached per worker and shared by
    the specifications that share it; checked against ``test`` in the tests.
    """
    fit, sample = _grid_fit(size, weighting, start, include_smb, hac_lags)
    premiums = (weighting, start, premium_small, premium_robust)
    _grid_premiums(*premiums)  # test() refuses samples too short for the premium, whatever the aspect
    term = {"value tilt": "hml", "less profitable": "rmw", "inferior": "const"}[aspect]
    coef, p, (lower, upper) = fit.params[term], fit.pvalues[term], fit.conf_int.loc[term]
    if aspect == "inferior":
        label = inferior_label(coef, p, *_grid_robust_premium(*premiums, hac_lags), alpha=alpha)
    else:
        label = loading_label(coef, p, 1 if term == "hml" else -1, alpha=alpha)
    return spec_row(coef, lower, upper, label, fit.nobs, p, sample)


GRID = Grid(
    claim="C3", title="Do small caps tilt to value, junk and inferior returns?",
    choices={
        "aspect": GRID_ASPECTS, "size": tuple(MONTHLY_SIZES), "weighting": ("vw", "ew"),
        "start": GRID_STARTS, "include_smb": (True, False), "hac_lags": ("auto", 6, 12),
        "premium_small": (NA, "q1", "q1-2"), "premium_robust": (NA, "q5", "q4-5"),
    },
    estimate=f"{__name__}:grid_estimate", valid=f"{__name__}:grid_valid", aspect="aspect",
    aspect_labels={"value tilt": "HML (value) loading of small-minus-large",
                   "less profitable": "RMW (profitability) loading of small-minus-large",
                   "inferior": "factor-model alpha of small-minus-large, % per month"},
    statistic_name="small-minus-large loading (HML, RMW) or five-factor alpha, % per month",
    default={"size": "deciles 1-3 vs 8-10", "weighting": "vw", "start": 1963, "include_smb": True,
             "hac_lags": "auto"},
    aspect_defaults={"value tilt": {"premium_small": NA, "premium_robust": NA},
                     "less profitable": {"premium_small": NA, "premium_robust": NA},
                     "inferior": {"premium_small": "q1", "premium_robust": "q5"}},
    notes=("Three verdicts, three curves: value tilt (HML loading > 0), less profitable (RMW "
           "loading < 0), inferior (negative five-factor alpha and a negative size premium among "
           "robust firms). include_smb False drops SMB from the model (required for SMB itself). "
           "premium_small / premium_robust: which size and profitability quintiles of the 25 "
           "size x profitability portfolios form the size premium among robust firms (inferior "
           "only). Labels by the rules of the C3 report, p < 0.05."),
)
