"""C3 (value/profitability tilt): numbers against independent computations, each verdict branch."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from research.claims import quality
from research.claims.base import NA
from research.data import sizes
from research.errors import ParameterError
from research.verdict import LABELS

FACTORS = ["Mkt-RF", "SMB", "HML", "RMW", "CMA"]


def french_25_columns(kind: str = "OP") -> list[str]:
    """Column names as French publishes the 25 size x OP (or INV) portfolios."""
    cols = []
    for s in range(1, 6):
        for g in range(1, 6):
            size = {1: "SMALL", 5: "BIG"}.get(s) if g in (1, 5) else None
            if size:
                cols.append(f"{size} {'Lo' if g == 1 else 'Hi'}{kind}")
            else:
                cols.append(f"ME{s} {kind}{g}")
    return cols


def synthetic(n: int = 300, hml: float = 0.4, rmw: float = -0.5, alpha: float = 0.0, seed: int = 3):
    """Five factors and small/large returns with known loadings; 25 OP portfolios with a known
    size premium of +0.5 among robust firms and 0 among weak firms."""
    rng = np.random.default_rng(seed)
    idx = pd.date_range("1970-01-31", periods=n, freq="ME")
    f = pd.DataFrame(rng.normal(0.3, 3.0, (n, 5)), index=idx, columns=FACTORS)
    # a T-bill rate that drifts and moves with the value factor: a constant RF would hide a
    # missing, lagged or percent-scaled subtraction in the regression's constant
    f["RF"] = np.clip(0.4 + np.cumsum(rng.normal(0, 0.05, n)) + 0.02 * f["HML"], 0.01, None)
    large = f["RF"] + f["Mkt-RF"] + rng.normal(0, 0.5, n)
    diff = alpha + 1.0 * f["SMB"] + hml * f["HML"] + rmw * f["RMW"] + rng.normal(0, 0.8, n)
    returns = pd.DataFrame({"small": large + diff, "large": large, "small_minus_large": diff})
    op = pd.DataFrame(rng.normal(1.0, 4.0, (n, 25)), index=idx, columns=french_25_columns())
    op["SMALL HiOP"] = op["BIG HiOP"] + 0.5 + rng.normal(0, 0.01, n)
    op["SMALL LoOP"] = op["BIG LoOP"] + rng.normal(0, 0.01, n)
    return returns, f, op


# -- building blocks -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("size", "group", "kind", "column"), [
    (1, 1, "OP", "SMALL LoOP"), (1, 2, "OP", "ME1 OP2"), (1, 5, "OP", "SMALL HiOP"),
    (2, 1, "OP", "ME2 OP1"), (5, 5, "OP", "BIG HiOP"), (5, 3, "OP", "ME5 OP3"),
    (1, 5, "INV", "SMALL HiINV"), (3, 4, "INV", "ME3 INV4"),
])
def test_portfolio_column_reads_french_corner_names(size, group, kind, column):
    assert sizes.portfolio_column(french_25_columns(kind), size, group, kind) == column


def test_portfolio_column_rejects_quintile_six():
    with pytest.raises(ParameterError, match="quintiles run 1..5"):
        sizes.portfolio_column(french_25_columns(), 6, 1)


def test_size_premium_by_hand():
    idx = pd.date_range("2000-01-31", periods=3, freq="ME")
    op = pd.DataFrame(np.arange(75, dtype=float).reshape(3, 25), index=idx, columns=french_25_columns())
    out = quality.size_premium_returns(op)
    assert out["robust"].tolist() == (op["SMALL HiOP"] - op["BIG HiOP"]).tolist()
    assert out["weak"].tolist() == (op["SMALL LoOP"] - op["BIG LoOP"]).tolist()
    assert out["OP3"].tolist() == (op["ME1 OP3"] - op["ME5 OP3"]).tolist()
    two = quality.size_premium_returns(op, small=(1, 2), robust=(4, 5))
    hand = (op[["ME1 OP4", "SMALL HiOP", "ME2 OP4", "ME2 OP5"]].mean(axis=1)
            - op[["ME5 OP4", "BIG HiOP"]].mean(axis=1))
    assert two["robust"].to_numpy() == pytest.approx(hand.to_numpy())
    assert two["robust_minus_weak"].to_numpy() == pytest.approx((two["robust"] - two["weak"]).to_numpy())


def test_loadings_match_statsmodels_hac_called_directly():
    returns, f, op = synthetic()
    result = quality.test(returns, f, op, start="1970-01-31", end="1994-12-31", since="1985-01-31",
                          maxlags=4)
    X = sm.add_constant(f[FACTORS])
    direct = sm.OLS(returns["small_minus_large"], X).fit(
        cov_type="HAC", cov_kwds={"maxlags": 4, "use_correction": True})
    table = result.table.loc["small_minus_large"]
    for ours, theirs in [("alpha", "const"), ("hml", "HML"), ("rmw", "RMW"), ("smb", "SMB")]:
        assert table.loc[ours, "coef"] == pytest.approx(direct.params[theirs], rel=1e-10)
        assert table.loc[ours, "std_err"] == pytest.approx(direct.bse[theirs], rel=1e-10)
    assert result.loadings.loc["small_minus_large", "hml"] == pytest.approx(direct.params["HML"])
    # small's regression uses its excess return over RF
    small = sm.OLS(returns["small"] - f["RF"], X).fit()
    assert result.table.loc[("small", "rmw"), "coef"] == pytest.approx(small.params["RMW"], rel=1e-10)


def test_excess_returns_subtract_the_same_months_rf_in_percent():
    """Small's and large's loadings and alphas are those of the return minus the same month's RF;
    the fixture's RF varies enough that a missing subtraction, last month's RF or RF in decimals
    would move an alpha or the HML loading by more than 0.005."""
    returns, f, op = synthetic()
    assert f["RF"].std() > 0.05  # the fixture is not a constant RF
    result = quality.test(returns, f, op, start="1970-01-31", end="1994-12-31", since="1985-01-31")
    X = sm.add_constant(f[FACTORS])

    def fit(y):
        keep = y.notna()
        return sm.OLS(y[keep], X[keep]).fit().params

    for p in ("small", "large"):
        right = fit(returns[p] - f["RF"])
        for ours, theirs in [("alpha", "const"), ("hml", "HML"), ("rmw", "RMW"), ("mkt_excess", "Mkt-RF")]:
            assert result.table.loc[(p, ours), "coef"] == pytest.approx(right[theirs], rel=1e-9)
        for slip in (returns[p], returns[p] - f["RF"].shift(1), returns[p] - f["RF"] / 100):
            wrong = fit(slip)
            assert max(abs(right["const"] - wrong["const"]), abs(right["HML"] - wrong["HML"])) > 0.005


def test_size_premium_means_match_hand_and_hac():
    returns, f, op = synthetic()
    result = quality.test(returns, f, op, start="1970-01-31", end="1994-12-31", since="1985-01-31",
                          maxlags=2)
    robust = (op["SMALL HiOP"] - op["BIG HiOP"])
    row = result.premiums.loc[("full sample", "robust")]
    assert row["mean"] == pytest.approx(robust.mean(), rel=1e-12)
    direct = sm.OLS(robust.to_numpy(), np.ones(len(robust))).fit(
        cov_type="HAC", cov_kwds={"maxlags": 2, "use_correction": True})
    assert row["std_err"] == pytest.approx(direct.bse[0], rel=1e-10)
    late = result.premiums.loc[("since 1985", "robust")]
    assert late["n_months"] == 120 and late["sample"] == "1985-01..1994-12"
    assert late["mean"] == pytest.approx(robust.loc["1985":].mean(), rel=1e-12)


# -- verdict rules --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("coef", "p", "sign", "label"), [
    (0.3, 0.01, 1, "supported"), (-0.3, 0.01, 1, "contradicted"), (0.3, 0.2, 1, "inconclusive"),
    (-0.2, 0.001, -1, "supported"), (0.2, 0.001, -1, "contradicted"), (-0.2, 0.06, -1, "inconclusive"),
])
def test_loading_label_branches(coef, p, sign, label):
    assert quality.loading_label(coef, p, sign) == label


@pytest.mark.parametrize(("a", "a_p", "prem", "prem_p", "label"), [
    (-0.3, 0.01, -0.4, 0.01, "supported"),
    (-0.3, 0.01, 0.1, 0.50, "mixed"),
    (-0.3, 0.01, 0.4, 0.01, "mixed"),
    (0.3, 0.01, 0.1, 0.50, "contradicted"),
    (0.1, 0.40, 0.4, 0.01, "contradicted"),
    (-0.1, 0.40, 0.1, 0.50, "inconclusive"),
])
def test_inferior_label_branches(a, a_p, prem, prem_p, label):
    assert quality.inferior_label(a, a_p, prem, prem_p) == label


@pytest.mark.parametrize(("hml", "rmw", "alpha", "labels"), [
    (0.4, -0.5, 0.0, ("supported", "supported")),
    (-0.4, 0.5, 0.0, ("contradicted", "contradicted")),
])
def test_synthetic_data_give_the_planted_verdicts(hml, rmw, alpha, labels):
    returns, f, op = synthetic(hml=hml, rmw=rmw, alpha=alpha)
    result = quality.test(returns, f, op, start="1970-01-31", end="1994-12-31", since=None)
    tilt, profit, inferior = result.verdicts
    assert (tilt.aspect, profit.aspect, inferior.aspect) == ("value tilt", "less profitable", "inferior")
    assert (tilt.label, profit.label) == labels
    assert tilt.statistic == pytest.approx(hml, abs=0.1) and profit.statistic == pytest.approx(rmw, abs=0.1)
    # the robust size premium is +0.5 a month with almost no noise: inferior is contradicted
    assert inferior.label == "contradicted" and inferior.n == 300
    assert inferior.note.endswith("n = 300).") and inferior.hypothesis == quality.HYPOTHESES["inferior"]  # no second period
    assert set(result.premiums.index.get_level_values("period")) == {"full sample"}


def test_without_smb_the_regression_has_no_smb_term():
    returns, f, op = synthetic()
    result = quality.test(returns, f, op, start="1970-01-31", end="1994-12-31", include_smb=False)
    assert "smb" not in result.loadings.columns
    assert "four-factor" in result.verdicts[0].method


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"start": "1994-01-31", "end": "1990-01-31"}, "must come before"),
    ({"since": "2020-01-31"}, "must fall inside"),
    ({"robust_quintiles": [1], "weak_quintiles": [1]}, "overlap"),
    ({"small_quintiles": [0]}, "quintiles 1..5"),
    ({"level": 1.5}, "level and alpha"),
])
def test_bad_parameters_say_what_to_fix(kwargs, message):
    returns, f, op = synthetic()
    with pytest.raises(ParameterError, match=message):
        quality.test(returns, f, op, **{"start": "1970-01-31", "end": "1994-12-31", **kwargs})


def test_smb_against_a_model_with_smb_is_refused():
    message = (r"^small_large='smb' regressed on a model that contains SMB is circular \(SMB explains itself\); "
               r"set include_smb=False or use 'deciles' or 'russell'$")
    with pytest.raises(ParameterError, match=message):
        quality.run("smb")


# -- real data ------------------------------------------------------------------------------------------

@pytest.mark.mirror
def test_run_on_the_mirror():
    result = quality.run()
    assert [v.aspect for v in result.verdicts] == ["value tilt", "less profitable", "inferior"]
    for v in result.verdicts:
        assert v.label in LABELS and v.label != "not testable"
        assert v.n > 700 and v.sample.startswith("1963-07")
        assert set(v.vintage) >= {"ff5_factors", "me_op_25"}
    assert result.premiums.loc[("since 1990", "robust"), "sample"].startswith("1990-01")
    assert result.loadings.loc["small_minus_large", "smb"] > 0.5  # small-minus-large is a size bet


@pytest.mark.mirror
def test_flagged_russell_rows_are_reported_in_the_method_not_as_a_warning(recwarn):
    returns, definition = sizes.load_small_large("russell")
    assert "suspicious" in definition and "Russell 2000" in definition
    assert not [w for w in recwarn if "suspicious" in str(w.message)]
    assert {"small", "large", "small_minus_large"} <= set(returns.columns)


@pytest.mark.mirror
@pytest.mark.parametrize(("size", "weighting", "start", "include_smb", "hac_lags"), [
    ("deciles 1-3 vs 8-10", "vw", 1963, True, "auto"),
    ("decile 1 vs 10", "ew", 1987, False, 12),
    ("SMB", "vw", 1963, False, 6),
    ("Russell 2000 vs S&P 500", "vw", 1987, True, "auto"),
])
def test_grid_estimate_agrees_with_test(size, weighting, start, include_smb, hac_lags):
    """The lean grid estimate (one regression shared by the aspects and premium cells, the robust
    premium alone) gives the verdicts of the full ``test`` for every aspect and premium cell."""
    from research.claims.base import NA, START_DATES
    from research.data.sizes import clear_caches, french, monthly_returns

    clear_caches()
    cells = [(NA, NA), ("q1", "q5"), ("q1-2", "q5"), ("q1", "q4-5"), ("q1-2", "q4-5")]
    labels = set()
    for premium_small, premium_robust in cells:
        q = quality._quintiles(premium_small, premium_robust)
        verdicts = quality.test(
            monthly_returns(size, weighting), french("ff5_factors", "monthly"),
            french("me_op_25", f"{weighting}_monthly"), start=START_DATES[start], since=None,
            include_smb=include_smb, maxlags=None if hac_lags == "auto" else hac_lags,
            small_quintiles=q["small"], big_quintiles=q["big"], robust_quintiles=q["robust"],
            weak_quintiles=q["weak"]).verdicts
        for v in verdicts:
            if (v.aspect == "inferior") == (premium_small == NA):
                continue  # not a specification of the grid
            row = quality.grid_estimate(aspect=v.aspect, size=size, weighting=weighting, start=start,
                                        include_smb=include_smb, hac_lags=hac_lags,
                                        premium_small=premium_small, premium_robust=premium_robust)
            assert (row["estimate"], row["lower"], row["upper"], row["p_value"]) == (
                v.statistic, *v.interval, v.p_value)
            assert (row["n"], row["sample"], row["label"]) == (v.n, v.sample, v.label)
            labels.add(row["label"])
    assert quality._grid_fit.cache_info().misses == 1  # one regression served every aspect and cell
    assert len(labels) >= 2


# -- display, boundaries, grid validity, and run / grid_estimate on synthetic publisher files -------
# (mutmut's copy of the package cannot reach the real mirror: these reach what only the mirror tests did)

DECILES = ["Lo 10", "2-Dec", "3-Dec", "4-Dec", "5-Dec", "6-Dec", "7-Dec", "8-Dec", "9-Dec", "Hi 10"]


@pytest.fixture
def quality_publishers(isolated_data):
    """French's size deciles (vw: small = large + SMB + 0.3 HML - 0.3 RMW - 0.5 a month + noise; ew:
    HML -0.3, RMW +0.3, no alpha), monthly five factors with a drifting T-bill rate and 25 size x
    OP portfolios (robust size premium -0.3 a month in vw, +0.3 in ew), 1963-07..2025-10, in
    whole hundredths of a percent."""
    from synthetic_monthly import (
        columns_25,
        hundredths,
        write_25,
        write_factors,
        write_size_deciles,
    )

    from research.data.sizes import clear_caches

    rng = np.random.default_rng(21)
    idx = pd.date_range("1963-07-31", "2025-10-31", freq="ME", name="date")
    n = len(idx)
    f = pd.DataFrame(hundredths(rng, 0.3, 3.0, (n, 5)), index=idx, columns=FACTORS)
    f["RF"] = np.round(np.clip(0.4 + np.cumsum(rng.normal(0, 0.03, n)), 0.01, 1.5) * 100) / 100
    assert f["RF"].std() > 0.1
    deciles, op = {}, {}
    for w, (hml, rmw, alpha, premium) in {"vw": (0.3, -0.3, -0.5, -0.3), "ew": (-0.3, 0.3, 0.0, 0.3)}.items():
        large = f["RF"] + f["Mkt-RF"]
        small = large + f["SMB"] + hml * f["HML"] + rmw * f["RMW"] + alpha + rng.normal(0, 3.0, n)
        base = np.column_stack([small] * 3 + [(small + large) / 2] * 4 + [large] * 3)
        deciles[w] = pd.DataFrame(np.round((base + rng.normal(0, 0.3, (n, 10))) * 100) / 100, index=idx,
                                  columns=DECILES)
        cells = pd.DataFrame(hundredths(rng, 1.0, 4.0, (n, 25)), index=idx, columns=columns_25("OP"))
        for small_q, robust_q in ((1, 5), (1, 4), (2, 5), (2, 4)):
            big = cells[columns_25("OP")[20 + robust_q - 1]]
            cells[columns_25("OP")[5 * (small_q - 1) + robust_q - 1]] = np.round(
                (big + premium + rng.normal(0, 0.5, n)) * 100) / 100
        op[w] = cells
    write_size_deciles(isolated_data.mirror, deciles["vw"], deciles["ew"])
    write_factors(isolated_data.mirror, "F-F_Research_Data_5_Factors_2x3_CSV.zip", f)
    write_25(isolated_data.mirror, "OP", op["vw"], op["ew"])
    clear_caches()
    yield {"factors": f, "deciles": deciles, "op": op}
    clear_caches()


def _small_large(deciles: pd.DataFrame, small=DECILES[:3], large=DECILES[7:]) -> pd.DataFrame:
    s, lg = deciles[list(small)].mean(axis=1), deciles[list(large)].mean(axis=1)
    return pd.DataFrame({"small": s, "large": lg, "small_minus_large": s - lg})


def test_run_reads_the_decile_factor_and_25_portfolio_files(quality_publishers):
    q = quality_publishers
    res = quality.run()
    X = sm.add_constant(q["factors"][FACTORS])
    sml = _small_large(q["deciles"]["vw"])["small_minus_large"]
    direct = sm.OLS(sml, X).fit(cov_type="HAC", cov_kwds={"maxlags": 6, "use_correction": True})
    assert quality.stats.newey_west_lags(748) == 6
    tilt, profit, inferior = res.verdicts
    assert tilt.statistic == pytest.approx(direct.params["HML"], rel=1e-9) == pytest.approx(0.3, abs=0.05)
    assert profit.statistic == pytest.approx(direct.params["RMW"], rel=1e-9)
    assert inferior.statistic == pytest.approx(direct.params["const"], rel=1e-9)
    assert tilt.interval == pytest.approx(tuple(direct.conf_int(alpha=0.05).loc["HML"]), rel=1e-9)
    assert (tilt.label, profit.label, inferior.label) == ("supported", "supported", "supported")
    assert tilt.vintage == {"size_portfolios": "202510", "ff5_factors": "202510", "me_op_25": "202510"}
    assert tilt.n == 748 and tilt.sample == "1963-07..2025-10"
    assert "deciles: size deciles (1, 2, 3) vs (8, 9, 10), VW within decile" in tilt.method
    small = sm.OLS(_small_large(q["deciles"]["vw"])["small"] - q["factors"]["RF"], X).fit()
    assert res.table.loc[("small", "alpha"), "coef"] == pytest.approx(small.params["const"], rel=1e-9)
    robust = q["op"]["vw"]["SMALL HiOP"] - q["op"]["vw"]["BIG HiOP"]
    assert res.premiums.loc[("full sample", "robust"), "mean"] == pytest.approx(robust.mean(), rel=1e-12)
    assert res.premiums.loc[("since 1990", "robust"), "mean"] == pytest.approx(robust.loc["1990":].mean())


def test_run_equal_weighted_and_other_deciles(quality_publishers):
    q = quality_publishers
    ew = quality.run(weighting="ew", small=(1,), large=(10,), since=None, maxlags=3)
    sml = _small_large(q["deciles"]["ew"], ["Lo 10"], ["Hi 10"])["small_minus_large"]
    direct = sm.OLS(sml, sm.add_constant(q["factors"][FACTORS])).fit(
        cov_type="HAC", cov_kwds={"maxlags": 3, "use_correction": True})
    tilt, profit, inferior = ew.verdicts
    assert tilt.statistic == pytest.approx(direct.params["HML"], rel=1e-9)
    assert tilt.p_value == pytest.approx(direct.pvalues["HML"], rel=1e-9)
    assert (tilt.label, profit.label, inferior.label) == ("contradicted", "contradicted", "contradicted")
    robust = q["op"]["ew"]["SMALL HiOP"] - q["op"]["ew"]["BIG HiOP"]
    assert ew.premiums.loc[("full sample", "robust"), "mean"] == pytest.approx(robust.mean(), rel=1e-12)
    assert "(1,) vs (10,), EW" in tilt.method and "3 lags" in tilt.method


@pytest.mark.parametrize(("aspect", "term"), [("value tilt", "HML"), ("less profitable", "RMW"),
                                              ("inferior", "const")])
@pytest.mark.parametrize(("weighting", "start", "include_smb", "hac_lags", "cells"), [
    ("vw", 1963, True, "auto", ("q1", "q5")),
    ("ew", 1987, False, 12, ("q1-2", "q4-5")),
])
def test_grid_estimate_against_statsmodels_on_both_sides_of_alpha(quality_publishers, aspect, term, weighting,
                                                                   start, include_smb, hac_lags, cells):
    q = quality_publishers
    first = "1963-07-31" if start == 1963 else "1987-10-31"
    premium_small, premium_robust = cells if aspect == "inferior" else (NA, NA)
    spec = dict(aspect=aspect, size="deciles 1-3 vs 8-10", weighting=weighting, start=start,
                include_smb=include_smb, hac_lags=hac_lags, premium_small=premium_small,
                premium_robust=premium_robust)
    sml = _small_large(q["deciles"][weighting])["small_minus_large"].loc[first:]
    X = sm.add_constant(q["factors"].loc[first:, FACTORS if include_smb else ["Mkt-RF", "HML", "RMW", "CMA"]])
    lags = 12 if hac_lags == 12 else quality.stats.newey_west_lags(len(sml))
    direct = sm.OLS(sml, X).fit(cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True})
    row = quality.grid_estimate(**spec)
    assert row["estimate"] == pytest.approx(direct.params[term], rel=1e-9)
    assert (row["lower"], row["upper"]) == pytest.approx(tuple(direct.conf_int().loc[term]), rel=1e-9)
    assert row["p_value"] == pytest.approx(direct.pvalues[term], rel=1e-9)
    assert row["n"] == len(sml) and row["sample"] == f"{first[:7]}..2025-10"
    want = quality.test(_small_large(q["deciles"][weighting]), q["factors"], q["op"][weighting], start=first,
                        since=None, include_smb=include_smb, maxlags=None if hac_lags == "auto" else 12,
                        **{k: v for k, v in zip(("small_quintiles", "robust_quintiles"),
                                                 (quality._QUINTILES.get(premium_small, (1,)),
                                                  quality._QUINTILES.get(premium_robust, (5,))), strict=True)},
                        weak_quintiles=(1,) if premium_robust in (NA, "q5") else (1, 2))
    v = {x.aspect: x for x in want.verdicts}[aspect]
    assert row["label"] == v.label
    if aspect != "inferior":
        p = row["p_value"]
        assert quality.grid_estimate(**spec, alpha=p)["label"] == "inconclusive"  # p < alpha is needed
        assert quality.grid_estimate(**spec, alpha=p * (1 + 1e-9))["label"] == v.label != "inconclusive"


def test_grid_estimate_inferior_reads_the_robust_premium(quality_publishers):
    q = quality_publishers
    spec = dict(aspect="inferior", size="deciles 1-3 vs 8-10", weighting="vw", start=1963, include_smb=True,
                hac_lags=6, premium_small="q1-2", premium_robust="q4-5")
    cells = q["op"]["vw"]
    small = cells[["SMALL HiOP", "ME1 OP4", "ME2 OP5", "ME2 OP4"]].mean(axis=1)
    robust = small - cells[["BIG HiOP", "ME5 OP4"]].mean(axis=1)
    prem = sm.OLS(robust.to_numpy(), np.ones(len(robust))).fit(cov_type="HAC", cov_kwds={"maxlags": 6,
                                                                                          "use_correction": True})
    assert prem.params[0] == pytest.approx(-0.3, abs=0.05)  # planted in every q1-2 x q4-5 cell
    sml = _small_large(q["deciles"]["vw"])["small_minus_large"]
    alpha_fit = sm.OLS(sml, sm.add_constant(q["factors"][FACTORS])).fit(
        cov_type="HAC", cov_kwds={"maxlags": 6, "use_correction": True})
    a, a_p, prem_p = alpha_fit.params["const"], alpha_fit.pvalues["const"], prem.pvalues[0]
    assert a == pytest.approx(-0.5, abs=0.25) and min(a_p, prem_p) > 0
    row = quality.grid_estimate(**spec, alpha=max(a_p, prem_p) * (1 + 1e-6))  # both significant
    assert row["estimate"] == pytest.approx(a, rel=1e-9) and row["label"] == "supported"
    assert quality.grid_estimate(**spec, alpha=max(a_p, prem_p) * (1 - 1e-6))["label"] == "mixed"  # one only
    assert quality.grid_estimate(**spec, alpha=min(a_p, prem_p) * (1 - 1e-6))["label"] == "inconclusive"
    quality._grid_fit.cache_clear()
    for aspect in quality.GRID_ASPECTS:  # every aspect and premium cell shares one regression
        quality.grid_estimate(**{**spec, "aspect": aspect})
        quality.grid_estimate(**{**spec, "aspect": aspect, "premium_small": "q1"})
    assert quality._grid_fit.cache_info().misses == 1


@pytest.mark.parametrize(("coef", "p", "label"), [
    (0.3, 0.05, "inconclusive"), (0.3, 0.0499, "supported"), (0.0, 0.001, "inconclusive"),
    (0.3, float("nan"), "inconclusive"), (float("inf"), 0.01, "inconclusive"),
])
def test_loading_label_at_its_boundaries(coef, p, label):
    assert quality.loading_label(coef, p, 1) == label


@pytest.mark.parametrize(("a", "a_p", "prem", "prem_p", "label"), [
    (-0.3, 0.05, -0.4, 0.01, "mixed"),          # p = alpha is not significant
    (-0.3, 0.0499, -0.4, 0.0499, "supported"),
    (0.3, 0.05, 0.4, 0.05, "inconclusive"),
    (0.0, 0.01, 0.0, 0.01, "inconclusive"),     # zero is neither negative nor positive
])
def test_inferior_label_at_its_boundaries(a, a_p, prem, prem_p, label):
    assert quality.inferior_label(a, a_p, prem, prem_p) == label


@pytest.mark.parametrize(("kwargs", "ok"), [
    ({"maxlags": 0}, True), ({"maxlags": np.int64(2)}, True), ({"maxlags": 1.5}, False), ({"maxlags": -1}, False),
    ({"level": 0.0}, False), ({"level": 1.0}, False), ({"level": 0.5}, True),
    ({"alpha": 0.0}, False), ({"alpha": 1.0}, False), ({"alpha": 0.5}, True),
    ({"small_quintiles": [5], "big_quintiles": [1]}, True), ({"big_quintiles": [6]}, False),
    ({"small_quintiles": []}, False), ({"robust_quintiles": [4.5]}, False),
    ({"small_quintiles": [1, 2], "big_quintiles": [2, 5]}, False),
    ({"start": "1970-01-31", "end": "1972-12-31", "since": None}, True),   # 36 months
    ({"start": "1970-02-28", "end": "1972-12-31", "since": None}, False),  # 35
    ({"since": "1970-01-31"}, False), ({"since": "1970-02-28"}, True), ({"since": "1994-12-31"}, False),
])
def test_parameter_boundaries(kwargs, ok):
    returns, f, op = synthetic()
    args = {"start": "1970-01-31", "end": "1994-12-31", **kwargs}
    if ok:
        quality.test(returns, f, op, **args)
    else:
        with pytest.raises(ParameterError):
            quality.test(returns, f, op, **args)


def test_too_few_months_of_portfolios_alone_is_refused():
    returns, f, op = synthetic()
    op.iloc[:-35] = np.nan  # the factors and returns span 300 months, the 25 portfolios the last 35
    with pytest.raises(ParameterError, match=r"^only 35 months of 25-portfolio returns in 1970-01-31..1994-12-31; "
                                             r"they start in 1963-07$"):
        quality.test(returns, f, op, start="1970-01-31", end="1994-12-31", since=None)
    op.iloc[-36] = 1.0
    assert len(quality.test(returns, f, op, start="1970-01-31", end="1994-12-31", since=None).premium_returns) == 36


def test_the_premium_series_of_the_result_is_the_samples_months():
    """result.premium_returns is what the notebook plots and tabulates: the sample's months only,
    even though the portfolios span 300 months (1970-01 .. 1994-12)."""
    returns, f, op = synthetic()
    res = quality.test(returns, f, op, start="1975-03-15", end="1984-10-02", since=None)
    months = res.premium_returns.index
    assert (months[0], months[-1], len(months)) == (pd.Timestamp("1975-03-31"), pd.Timestamp("1984-10-31"), 116)
    by_hand = (op["SMALL HiOP"] - op["BIG HiOP"]).loc["1975-03-31":"1984-10-31"]
    assert res.premium_returns["robust"].to_numpy() == pytest.approx(by_hand.to_numpy())


def test_the_weak_and_robust_quintiles_reach_the_premium_series():
    returns, f, op = synthetic()
    res = quality.test(returns, f, op, start="1970-01-31", end="1994-12-31", since=None,
                       robust_quintiles=(4,), weak_quintiles=(2,))
    assert res.premium_returns["weak"].to_numpy() == pytest.approx((op["ME1 OP2"] - op["ME5 OP2"]).to_numpy())
    assert res.premium_returns["robust"].to_numpy() == pytest.approx((op["ME1 OP4"] - op["ME5 OP4"]).to_numpy())


def test_missing_columns_are_named():
    returns, f, op = synthetic()
    with pytest.raises(ParameterError, match=r"missing \['small_minus_large'\]"):
        quality.test(returns.drop(columns="small_minus_large"), f, op)
    with pytest.raises(ParameterError, match=r"five-factor columns \[.*'CMA'.*'RF'.*\] \(ff5_factors, monthly\)$"):
        quality.test(returns, f.drop(columns="CMA"), op)


def test_conclusion_states_each_verdict():
    returns, f, op = synthetic()
    res = quality.test(returns, f, op, start="1970-01-31", end="1994-12-31", since="1985-01-31", level=0.9,
                       vintage={"ff5_factors": "202510", "me_op_25": "202509"})
    text = res.conclusion().split("\n")
    assert len(text) == 18 and text[5] == text[11] == text[17] == ""
    assert text[1] == text[7] == text[13] == ""  # a blank line after each verdict's heading
    tilt = res.verdicts[0]
    assert text[0] == f"**value tilt: supported.** {tilt.note}"
    assert text[2] == f"- Statistic: HML (value) loading of small-minus-large **{tilt.statistic:+.3f}**"
    lo, hi = tilt.interval
    assert text[3] == f"- Interval: 90% Newey-West [{lo:+.3f}, {hi:+.3f}], p < 0.001"
    assert text[4] == "- n = 300 months (1970-01..1994-12); vintage ff5_factors 202510, me_op_25 202509."
    assert text[12].startswith("**inferior: contradicted.** The five-factor alpha is ")
    inferior = res.verdicts[2]
    late = res.premiums.loc[("since 1985", "robust")]
    assert inferior.note.endswith(f"; since 1985: {late['mean']:+.2f}% [{late['ci_lower']:.2f}, "
                                  f"{late['ci_upper']:.2f}].")
    assert "90% CI" in inferior.note and "n = 300)" in inferior.note
    assert inferior.rule == quality.RULES["inferior"].format(a="0.05")
    assert {v.claim for v in res.verdicts} == {"C3"}
    assert res.spec == {"definition": "", "start": "1970-01-31", "end": "1994-12-31", "since": "1985-01-31",
                        "include_smb": True, "maxlags": None, "level": 0.9, "alpha": 0.05, "small_quintiles": [1],
                        "big_quintiles": [5], "robust_quintiles": [5], "weak_quintiles": [1]}
    assert list(res.loadings.index) == list(quality.PORTFOLIOS)
    assert list(res.loadings.columns) == ["alpha", "mkt_excess", "smb", "hml", "rmw", "cma"]


@pytest.mark.parametrize(("spec", "valid"), [
    ({"aspect": "inferior", "premium_small": "q1", "premium_robust": "q5"}, True),
    ({"aspect": "inferior", "premium_small": NA, "premium_robust": "q5"}, False),
    ({"aspect": "inferior", "premium_small": "q1", "premium_robust": NA}, False),
    ({"aspect": "value tilt", "premium_small": NA, "premium_robust": NA}, True),
    ({"aspect": "value tilt", "premium_small": "q1", "premium_robust": NA}, False),
    ({"aspect": "value tilt", "premium_small": NA, "premium_robust": "q4-5"}, False),
    ({"aspect": "value tilt", "premium_small": NA, "premium_robust": NA, "size": "SMB"}, False),
    ({"aspect": "value tilt", "premium_small": NA, "premium_robust": NA, "size": "SMB", "include_smb": False}, True),
    ({"aspect": "value tilt", "premium_small": NA, "premium_robust": NA, "weighting": "ew"}, True),
    ({"aspect": "value tilt", "premium_small": NA, "premium_robust": NA, "weighting": "ew",
      "size": "SMB", "include_smb": False}, False),
    ({"aspect": "value tilt", "premium_small": NA, "premium_robust": NA, "start": 1987}, True),
    ({"aspect": "value tilt", "premium_small": NA, "premium_robust": NA, "start": 1987,
      "size": "Russell 2000 vs S&P 500"}, True),
])
def test_grid_valid_by_hand(spec, valid):
    base = {"size": "deciles 1-3 vs 8-10", "weighting": "vw", "start": 1963, "include_smb": True, "hac_lags": 6}
    assert quality.grid_valid({**base, **spec}) is valid


def test_premium_cells_mirror_the_robust_choice():
    assert quality._quintiles("q1-2", "q4-5") == {"small": (1, 2), "big": (5,), "robust": (4, 5), "weak": (1, 2)}
    assert quality._quintiles(NA, NA) == {"small": (1,), "big": (5,), "robust": (5,), "weak": (1,)}


def test_run_passes_every_option_to_test(quality_publishers):
    """Every option of ``run`` reaches ``test``: the result equals ``test`` on the same files with
    the same options, none of them the default."""
    q = quality_publishers
    opts = dict(start="1970-01-31", end="2020-12-31", since="2000-01-31", include_smb=False, maxlags=4,
                level=0.9, alpha=0.1, small_quintiles=(1, 2), big_quintiles=(4, 5), robust_quintiles=(3, 4),
                weak_quintiles=(1, 2))
    got = quality.run(weighting="ew", small=(1, 2), large=(9, 10), **opts)
    definition = "deciles: size deciles (1, 2) vs (9, 10), EW within decile"
    want = quality.test(_small_large(q["deciles"]["ew"], DECILES[:2], DECILES[8:]), q["factors"], q["op"]["ew"],
                        **opts, definition=definition,
                        vintage={"size_portfolios": "202510", "ff5_factors": "202510", "me_op_25": "202510"})
    pd.testing.assert_frame_equal(got.table, want.table)
    pd.testing.assert_frame_equal(got.premiums, want.premiums)
    assert got.spec == want.spec and got.verdicts == want.verdicts
    assert got.verdicts[0].interval_level == 0.9 and "p < 0.1;" in got.verdicts[0].rule
    assert got.verdicts[0].n == 612 and got.verdicts[0].sample == "1970-01..2020-12"
    assert got.premiums.index.get_level_values("period").unique().tolist() == ["full sample", "since 2000"]
    robust = (q["op"]["ew"][["ME1 OP3", "ME1 OP4", "ME2 OP3", "ME2 OP4"]].mean(axis=1)
              - q["op"]["ew"][["ME4 OP3", "ME4 OP4", "ME5 OP3", "ME5 OP4"]].mean(axis=1))
    assert got.premiums.loc[("full sample", "robust"), "mean"] == pytest.approx(
        robust.loc["1970":"2020"].mean(), rel=1e-12)



@pytest.mark.parametrize("kind", ["OP", "INV"])
def test_size_premium_has_every_quintile_of_the_kind(kind):
    idx = pd.date_range("2000-01-31", periods=4, freq="ME")
    rng = np.random.default_rng(2)
    cells = pd.DataFrame(rng.normal(1, 4, (4, 25)), index=idx, columns=french_25_columns(kind))
    out = quality.size_premium_returns(cells, kind=kind, small=(2,), big=(4,))
    assert list(out.columns) == [f"{kind}{g}" for g in range(1, 6)] + ["robust", "weak", "robust_minus_weak"]
    for g in range(1, 6):
        assert out[f"{kind}{g}"].tolist() == (cells[f"ME2 {kind}{g}"] - cells[f"ME4 {kind}{g}"]).tolist()
    assert out["weak"].tolist() == out[f"{kind}1"].tolist() and out["robust"].tolist() == out[f"{kind}5"].tolist()


def test_premium_rows_against_statsmodels_in_each_period():
    """Each group's mean, HAC error, interval at the chosen level and p-value, by period."""
    returns, f, op = synthetic()
    res = quality.test(returns, f, op, start="1972-01-31", end="1994-12-31", since="1990-01-31", maxlags=3,
                       level=0.9)
    assert res.premiums.index.get_level_values("group").unique().tolist() == [
        "OP1", "OP2", "OP3", "OP4", "OP5", "robust", "weak", "robust_minus_weak"]
    series = {"OP2": op["ME1 OP2"] - op["ME5 OP2"], "robust": op["SMALL HiOP"] - op["BIG HiOP"],
              "weak": op["SMALL LoOP"] - op["BIG LoOP"]}
    series["robust_minus_weak"] = series["robust"] - series["weak"]
    for period, lo, n, sample in (("full sample", "1972-01", 276, "1972-01..1994-12"),
                                  ("since 1990", "1990-01", 60, "1990-01..1994-12")):
        for group, x in series.items():
            x = x.loc[lo:"1994-12"]
            fit = sm.OLS(x.to_numpy(), np.ones(len(x))).fit(cov_type="HAC",
                                                            cov_kwds={"maxlags": 3, "use_correction": True})
            row = res.premiums.loc[(period, group)]
            lower, upper = fit.conf_int(alpha=0.1)[0]
            assert (row["mean"], row["std_err"], row["ci_lower"], row["ci_upper"], row["p_value"]) == pytest.approx(
                (fit.params[0], fit.bse[0], lower, upper, fit.pvalues[0]), rel=1e-9)
            assert (row["n_months"], row["sample"]) == (n, sample)


@pytest.mark.parametrize(("hml", "rmw", "words"), [
    (0.4, -0.5, ("tilted as claimed", "tilted as claimed")),
    (-0.4, 0.5, ("tilted the other way", "tilted the other way")),
    (0.0, 0.0, None),
])
def test_loading_notes_say_which_way_small_caps_are_tilted(hml, rmw, words):
    returns, f, op = synthetic(hml=hml, rmw=rmw, seed=4)
    res = quality.test(returns, f, op, start="1970-01-31", end="1994-12-31", since=None)
    direct = sm.OLS(returns["small_minus_large"], sm.add_constant(f[FACTORS])).fit(
        cov_type="HAC", cov_kwds={"maxlags": quality.stats.newey_west_lags(300), "use_correction": True})
    for v, term, word, w in zip(res.verdicts[:2], ("HML", "RMW"), ("HML (value)", "RMW (profitability)"),
                                words or (None, None), strict=True):
        p = direct.pvalues[term]
        p_words = "p < 0.001" if p < 0.001 else f"p = {p:.3f}"
        if words is None:  # no loading planted: not significant at 5% in this draw
            assert p >= 0.05 and v.label == "inconclusive"
            w = "not distinguishable from large caps on this factor"
        assert v.note == (f"Small-minus-large loads {direct.params[term]:+.2f} on {word} ({p_words}, n = 300 "
                          f"months) in the five-factor model: small caps are {w}.")
        assert v.statistic_name == f"{word} loading of small-minus-large"
        assert v.rule == quality.RULES[v.aspect].format(a="0.05") and v.hypothesis == quality.HYPOTHESES[v.aspect]


def test_the_significance_level_reaches_every_verdict_of_test(quality_publishers):
    """vw: value tilt, less profitable and a negative alpha and robust premium are planted; at an
    alpha just above a p-value the verdict is significant, at that p-value it is not."""
    q = quality_publishers
    sml = _small_large(q["deciles"]["vw"])["small_minus_large"]
    fit = sm.OLS(sml, sm.add_constant(q["factors"][FACTORS])).fit(
        cov_type="HAC", cov_kwds={"maxlags": 6, "use_correction": True})
    robust = (q["op"]["vw"]["SMALL HiOP"] - q["op"]["vw"]["BIG HiOP"]).to_numpy()
    prem_p = sm.OLS(robust, np.ones(len(robust))).fit(cov_type="HAC", cov_kwds={"maxlags": 6,
                                                                                  "use_correction": True}).pvalues[0]
    a_p = fit.pvalues["const"]
    assert a_p > prem_p > 0  # so that an alpha between them makes "inferior" mixed

    def labels(alpha):
        res = quality.test(_small_large(q["deciles"]["vw"]), q["factors"], q["op"]["vw"], since=None, alpha=alpha)
        return [v.label for v in res.verdicts]

    for i, term in enumerate(("HML", "RMW")):
        p = fit.pvalues[term]
        assert labels(p)[i] == "inconclusive" and labels(p * (1 + 1e-9))[i] == "supported"
    assert labels(a_p * (1 + 1e-9))[2] == "supported"
    assert labels(a_p)[2] == "mixed" and labels(prem_p)[2] == "inconclusive"


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"small_quintiles": [1, 2], "big_quintiles": [2, 5]},
     "^small_quintiles and big_quintiles overlap; pick distinct size quintiles$"),
    ({"robust_quintiles": [4, 5], "weak_quintiles": [1, 4]},
     "^robust_quintiles and weak_quintiles overlap; pick distinct OP quintiles$"),
    ({"maxlags": -1}, "HAC lags must be a non-negative integer or None"),
    ({"small_quintiles": [6]}, r"small_quintiles must be a non-empty list of quintiles 1..5, got \[6\]"),
])
def test_parameter_errors_name_the_parameter(kwargs, message):
    returns, f, op = synthetic()
    with pytest.raises(ParameterError, match=message):
        quality.test(returns, f, op, start="1970-01-31", end="1994-12-31", **kwargs)


@pytest.mark.parametrize(("include_smb", "name"), [
    (True, "five-factor alpha of small-minus-large, % per month"),
    (False, "four-factor (five-factor without SMB) alpha of small-minus-large, % per month"),
])
def test_the_inferior_verdict_names_its_statistic_and_model(include_smb, name):
    returns, f, op = synthetic()
    res = quality.test(returns, f, op, start="1970-01-31", end="1994-12-31", include_smb=include_smb)
    inferior = [v for v in res.verdicts if v.aspect == "inferior"]
    assert len(inferior) == 1 and inferior[0].statistic_name == name


def test_the_coefficient_table_against_statsmodels():
    returns, f, op = synthetic()
    res = quality.test(returns, f, op, start="1970-01-31", end="1994-12-31", maxlags=5, level=0.8)
    assert list(res.table.columns) == ["coef", "std_err", "t", "p_value", "ci_lower", "ci_upper"]
    assert res.table.index.names == ["portfolio", "term"]
    X = sm.add_constant(f[FACTORS])
    for p, y in (("small_minus_large", returns["small_minus_large"]), ("large", returns["large"] - f["RF"])):
        direct = sm.OLS(y, X).fit(cov_type="HAC", cov_kwds={"maxlags": 5, "use_correction": True})
        ci = direct.conf_int(alpha=0.2)
        for ours, theirs in (("alpha", "const"), ("cma", "CMA"), ("mkt_excess", "Mkt-RF")):
            want = (direct.params[theirs], direct.bse[theirs], direct.tvalues[theirs], direct.pvalues[theirs],
                    *ci.loc[theirs])
            assert tuple(res.table.loc[(p, ours)]) == pytest.approx(want, rel=1e-9)
        assert res.regressions[p].nobs == 300 and res.regressions[p].maxlags == 5
    assert res.verdicts[2].interval == pytest.approx(tuple(
        sm.OLS(returns["small_minus_large"], X).fit(cov_type="HAC", cov_kwds={"maxlags": 5, "use_correction": True})
        .conf_int(alpha=0.2).loc["const"]), rel=1e-9)


def test_too_short_a_sample_says_where_the_factors_start():
    returns, f, op = synthetic()
    message = (r"^only 35 months of returns and factors in 1970-02-28..1972-12-31; the five-factor data start "
               r"in 1963-07: widen the sample$")
    with pytest.raises(ParameterError, match=message):
        quality.test(returns, f, op, start="1970-02-28", end="1972-12-31", since=None)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"start": "soon"}, "^start must be an ISO date such as '1963-07-31', got 'soon'$"),
    ({"end": "later"}, "^end must be an ISO date such as '1963-07-31', got 'later'$"),
    ({"since": "then"}, "^since must be an ISO date such as '1963-07-31', got 'then'$"),
    ({"start": "1980-01-15", "end": "1980-01-31"}, "^start 1980-01-15 must come before end 1980-01-31$"),  # one month
])
def test_dates_are_checked_by_name(kwargs, message):
    returns, f, op = synthetic()
    with pytest.raises(ParameterError, match=message):
        quality.test(returns, f, op, **{"start": "1970-01-31", "end": "1994-12-31", **kwargs})


def test_the_method_names_the_model_and_the_size_definition():
    returns, f, op = synthetic()
    four = quality.test(returns, f, op, start="1970-01-31", end="1994-12-31", include_smb=False, maxlags=3)
    assert four.verdicts[0].method == (
        "OLS of monthly returns on the four-factor (five-factor without SMB) model (Fama and French 2015) with "
        "Newey-West HAC errors, 3 lags. Small/large: as given")
    five = quality.test(returns, f, op, start="1970-01-31", end="1994-12-31", definition="deciles 1-3 vs 8-10")
    assert five.verdicts[2].method.startswith("OLS of monthly returns on the five-factor model")
    assert five.verdicts[2].method.endswith("Small/large: deciles 1-3 vs 8-10")


def test_grid_estimate_tests_at_five_percent_by_default(quality_publishers):
    """ew from 1987 with SMB: an alpha indistinguishable from zero (p > 0.05) and a significantly
    positive robust premium make "inferior" contradicted at 5%, mixed if any p counted."""
    q = quality_publishers
    sml = _small_large(q["deciles"]["ew"])["small_minus_large"].loc["1987-10-31":]
    hac = {"maxlags": 6, "use_correction": True}
    fit = sm.OLS(sml, sm.add_constant(q["factors"].loc["1987-10-31":, FACTORS])).fit(cov_type="HAC", cov_kwds=hac)
    robust = (q["op"]["ew"]["SMALL HiOP"] - q["op"]["ew"]["BIG HiOP"]).loc["1987-10-31":].to_numpy()
    prem = sm.OLS(robust, np.ones(len(robust))).fit(cov_type="HAC", cov_kwds=hac)
    assert fit.params["const"] < 0 and fit.pvalues["const"] > 0.05
    assert prem.params[0] > 0 and prem.pvalues[0] < 0.05
    row = quality.grid_estimate(aspect="inferior", size="deciles 1-3 vs 8-10", weighting="ew", start=1987,
                                include_smb=True, hac_lags=6, premium_small="q1", premium_robust="q5")
    assert row["estimate"] == pytest.approx(fit.params["const"], rel=1e-9) and row["label"] == "contradicted"


def test_run_reads_the_size_definition_it_is_given(quality_publishers, isolated_data):
    """run("russell") regresses Russell 2000 minus S&P 500 month-end returns, not the deciles."""
    from synthetic_mirror import write_closes

    q = quality_publishers
    days = pd.bdate_range("1987-01-02", "2025-10-31")
    rng = np.random.default_rng(9)
    rut = pd.Series(100 * np.exp(np.cumsum(rng.normal(0.0003, 0.012, len(days)))), index=days)
    spx = pd.Series(100 * np.exp(np.cumsum(rng.normal(0.0003, 0.01, len(days)))), index=days)
    write_closes(isolated_data.mirror, "RUT.csv", rut)
    write_closes(isolated_data.mirror, "GSPC.csv", spx, yfinance=True)
    res = quality.run("russell", start="1990-01-31", since=None)
    monthly = pd.DataFrame({"small": rut.round(2), "large": spx.round(2)}).resample("ME").last().pct_change() * 100
    sml = (monthly["small"] - monthly["large"]).loc["1990-01-31":]
    direct = sm.OLS(sml, sm.add_constant(q["factors"].loc["1990-01-31":, FACTORS])).fit(
        cov_type="HAC", cov_kwds={"maxlags": quality.stats.newey_west_lags(len(sml)), "use_correction": True})
    assert res.verdicts[0].statistic == pytest.approx(direct.params["HML"], rel=1e-9)
    assert res.verdicts[0].method.endswith("Small/large: russell: Russell 2000 vs S&P 500 price returns (no dividends)")
    assert set(res.verdicts[0].vintage) == {"rut", "gspc", "ff5_factors", "me_op_25"}
