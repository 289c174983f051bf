"""The specification grids (each claim module's GRID): sizes, validity, and faithfulness to the claims.

Counts need no data. Everything else runs on the real mirror: each grid's default specification
must reproduce the verdict of the claim's own report (same statistic, interval, p-value and label
where the rule is the same), the lean estimate functions must agree with the claim modules'
``test()`` away from the default too, and the bootstrap p-value must be the one the verdict's
percentile interval inverts.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from research import stats, sweep
from research.claims import MIN_SPECS, cycle, easing, grids, rates
from research.claims.base import NA, START_DATES, start_date, start_kept
from research.data.sizes import clear_caches
from research.errors import ParameterError
from research.stats import percentile_bootstrap
from research.sweep import family_p_values

GRIDS = grids()
c1_easing, c2_rates, c8_cycle = easing.grid_estimate, rates.grid_estimate, cycle.grid_estimate


# -- sizes and validity (no data) -------------------------------------------------------------------


def test_grid_finds_each_claims_module_without_importing_the_others():
    import subprocess
    import sys

    from research.claims import claim_module, grid

    for claim, g in GRIDS.items():  # the module found by its CLAIM line is the one declaring the GRID
        assert claim_module(claim) == g.estimate.partition(":")[0]
        assert grid(claim) == g
    assert claim_module("C99") is None
    with pytest.raises(ParameterError, match="no specification grid for C99; grids exist for C1"):
        grid("C99")
    for claim, module in (("C1", "easing"), ("C5", "technicals")):
        code = (f"import sys; from research.claims import grid; grid({claim!r}); "
                "print(sorted(m for m in sys.modules if m.startswith('research.claims.')))")
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
        assert out.strip() == str(["research.claims.base", "research.claims.catalog", f"research.claims.{module}"])


@pytest.mark.parametrize("claim", list(GRIDS))
def test_every_claim_has_hundreds_of_distinct_specifications(claim):
    grid = GRIDS[claim]
    specs = grid.specs()
    assert len(specs) >= MIN_SPECS, f"{claim}: {len(specs)} specifications"
    assert len({tuple(sorted(s.items(), key=str)) for s in specs}) == len(specs)
    defaults = [s for s in specs if grid.is_default(s)]
    assert len(defaults) == len(grid.defaults()), f"{claim}: a default specification is not in the grid"
    assert all(d in specs for d in grid.defaults())  # complete specifications, not patterns
    if grid.aspect:  # every aspect has a curve of its own, and its default
        for aspect in grid.choices[grid.aspect]:
            assert sum(s[grid.aspect] == aspect for s in specs) >= 50
    assert "start" in grid.choices or "first_year" in grid.choices  # every claim varies its sample


def test_grids_span_the_small_large_definitions_and_weightings():
    for claim in ("C1", "C2", "C3", "C8"):
        values = set(GRIDS[claim].choices["size"])
        assert {"deciles 1-3 vs 8-10", "decile 1 vs 10", "SMB", "Russell 2000 vs S&P 500"} <= values
        assert set(GRIDS[claim].choices["weighting"]) == {"vw", "ew"}
    # every first cut by default; the filter that looks ahead ("then fell further") is a named variant
    assert {"curated", "curated, sustained only", "rule"} == set(GRIDS["C1"].choices["first_cuts"])
    assert GRIDS["C1"].default["first_cuts"] == "curated"
    assert {0.25, 0.5, 1.0} <= set(GRIDS["C1"].choices["min_cut"])


def test_sample_starts_are_kept_once_per_effective_start():
    starts = (1926, 1954, 1963, 1987)
    # Russell 2000 data begin in 1987: only 1987 (all of its data) is a distinct start
    assert [s for s in starts if start_kept(s, "1987-09-11", starts)] == [1987]
    # the 2-year yield begins in 1976: 1926 means all data (as the C2 report's default), then 1987
    assert [s for s in starts if start_kept(s, "1976-06-30", starts)] == [1926, 1987]
    # deciles begin in 1926: every start is distinct
    assert [s for s in starts if start_kept(s, "1926-07-31", starts)] == list(starts)
    assert start_date(1926, "1926-07-01") is None and start_date(1963, "1926-07-01") == START_DATES[1963]


def test_inapplicable_choices_take_the_placeholder_only():
    for spec in GRIDS["C1"].specs():
        assert (spec["first_cuts"] != "rule") == (spec["min_cut"] == NA) == (spec["hike_within"] == NA)
        if spec["size"] in ("SMB", "Russell 2000 vs S&P 500"):
            assert spec["weighting"] == "vw"
        if spec["size"] == "Russell 2000 vs S&P 500":
            assert spec["start"] == 1987
    for spec in GRIDS["C3"].specs():
        assert not (spec["size"] == "SMB" and spec["include_smb"])  # circular
    for spec in GRIDS["C5"].specs():
        breakout = spec["event"].startswith("breakout")
        assert breakout == (spec["sma_days"] == NA) == (spec["record_age_days"] != NA)
    for spec in GRIDS["C7"].specs():
        assert not (spec["freq"] == "monthly" and spec["window_start"] == "10-14")


def test_bootstrap_p_value_is_the_one_the_percentile_interval_inverts():
    x = np.random.default_rng(3).normal(0.8, 2.0, 40)
    lower, upper, p = percentile_bootstrap(x, reps=2000, level=0.90, seed=0)
    ci = stats.stationary_bootstrap(x, reps=2000, level=0.90, seed=0)
    assert (lower, upper) == (ci.lower, ci.upper)
    # the same draws by hand
    rng = np.random.default_rng(0)
    block = stats.optimal_block(np.asarray(x))
    draws = x[stats.stationary_bootstrap_indices(len(x), 2000, block, rng)].mean(axis=1)
    assert p == pytest.approx(min(1.0, 2 * min(np.mean(draws <= 0), np.mean(draws >= 0))))
    assert (p < 0.10) == (lower > 0 or upper < 0)


# -- faithful to the claims (real data) -------------------------------------------------------------


@pytest.fixture
def real_data(mirror_env):
    clear_caches()
    yield mirror_env
    clear_caches()


def evaluate(claim: str, spec: dict) -> dict:
    grid = GRIDS[claim]
    return sweep.evaluate(grid.estimate, spec, grid.fixed)


def default(claim: str, aspect: str | None = None) -> dict:
    grid = GRIDS[claim]
    specs = grid.defaults()
    return next(s for s in specs if aspect is None or s[grid.aspect] == aspect)


def same_as(row: dict, v, *, label: bool = True, interval: bool = True) -> None:
    assert row["error"] == ""
    assert row["estimate"] == pytest.approx(v.statistic, rel=1e-12)
    if interval:
        assert (row["lower"], row["upper"]) == pytest.approx(v.interval, rel=1e-12)
    if v.p_value is not None:
        assert row["p_value"] == pytest.approx(v.p_value, rel=1e-9)
    assert row["n"] == v.n
    if label:
        assert row["label"] == v.label


@pytest.mark.mirror
def test_defaults_reproduce_the_claim_reports(real_data):
    from research.claims import cycle, drawdowns, easing, froth, quality, rates, technicals, yearend

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        same_as(evaluate("C1", default("C1")), easing.run(reps=1000).verdict)
        same_as(evaluate("C2", default("C2")), rates.run(yields=("dgs2",), decile_panel=False).verdict)
        for v in quality.run().verdicts:
            same_as(evaluate("C3", default("C3", v.aspect)), v)
        # C4's report judges four gauges at once; a specification judges one (the headline gauge)
        same_as(evaluate("C4", default("C4")), froth.run(daily_check=False).verdict, label=False, interval=False)
        result = technicals.run()
        for v in result.verdicts:  # per series, before the report's cross-series "mixed" rule
            same_as(evaluate("C5", default("C5", v.aspect)), v, label=False)
        tenth = drawdowns.run().verdicts[0]
        assert tenth.aspect == "drawdowns >= 10%"
        same_as(evaluate("C6", default("C6")), tenth)
        same_as(evaluate("C7", default("C7")), yearend.run().verdict)  # interval and p-value
        for v in cycle.run().verdicts:
            same_as(evaluate("C8", default("C8", v.aspect)), v)


@pytest.mark.mirror
@pytest.mark.parametrize("spec", [
    {"size": "decile 1 vs 10", "weighting": "ew", "start": 1963, "horizon": 6, "first_cuts": "rule",
     "min_cut": 0.5, "hike_within": 12, "recession_window": 18},
    {"size": "Russell 2000 vs S&P 500", "weighting": "vw", "start": 1987, "horizon": 3, "first_cuts": "curated",
     "min_cut": NA, "hike_within": NA, "recession_window": 6},
    {"size": "SMB", "weighting": "vw", "start": 1954, "horizon": 12, "first_cuts": "rule",
     "min_cut": 1.0, "hike_within": 24, "recession_window": 12},
])
def test_c1_estimate_agrees_with_easing_test(real_data, spec):
    from research.claims import easing

    sizes = {"decile 1 vs 10": ("deciles", (1,), (10,)), "Russell 2000 vs S&P 500": ("russell", (1, 2, 3), (8, 9, 10)),
             "SMB": ("smb", (1, 2, 3), (8, 9, 10))}
    definition, small, large = sizes[spec["size"]]
    rule = spec["first_cuts"] == "rule"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        v = easing.run(definition, weighting=spec["weighting"], small=small, large=large,
                       first_cut_source=spec["first_cuts"], horizons=(spec["horizon"],),
                       verdict_horizon=spec["horizon"], start=START_DATES[spec["start"]],
                       recession_window=spec["recession_window"], reps=1000,
                       rule_min_cut=spec["min_cut"] if rule else 0.25,
                       rule_max_months_since_hike=spec["hike_within"] if rule else 24).verdict
    row = c1_easing(**spec)
    assert row["label"] == v.label and row["n"] == v.n and row["sample"] == v.sample
    if v.n:
        assert row["estimate"] == pytest.approx(v.statistic, rel=1e-12)
        assert (row["lower"], row["upper"]) == pytest.approx(v.interval, rel=1e-12)


@pytest.mark.mirror
@pytest.mark.parametrize(("size", "weighting", "yield_series", "start", "lags", "control", "window"), [
    ("deciles 1-3 vs 8-10", "ew", "gs10", 1954, 12, False, 36),
    ("SMB", "vw", "dgs10", 1987, "auto", True, 120),
])
def test_c2_estimate_agrees_with_rates_test(real_data, size, weighting, yield_series, start, lags, control, window):
    from research.claims import rates
    from research.claims.rates import yield_changes
    from research.data.sizes import french as _french
    from research.data.sizes import monthly_returns

    result = rates.test(monthly_returns(size, weighting), _french("ff3_factors", "monthly"),
                        yield_changes(yield_series), None, start=START_DATES[start], end="2025-10-31",
                        maxlags=None if lags == "auto" else lags, window=window, control_market=control)
    v = result.verdict
    row = c2_rates(size=size, weighting=weighting, yield_series=yield_series, start=start, hac_lags=lags,
                   control_market=control, window=window)
    assert row["label"] == v.label and row["n"] == v.n and row["sample"] == v.sample
    assert row["estimate"] == pytest.approx(v.statistic, rel=1e-12)
    assert row["p_value"] == pytest.approx(v.p_value, rel=1e-9)
    roll = result.rolling
    assert row["share_windows_negative"] == pytest.approx(float((roll["coef"] < 0).mean()))


@pytest.mark.mirror
def test_c8_cyclicality_agrees_with_cycle_test(real_data):
    from research.claims import cycle
    from research.claims.cycle import _grid_usrec as _usrec
    from research.data.sizes import monthly_returns

    v = cycle.test(monthly_returns("decile 1 vs 10", "ew"), _usrec(), start=START_DATES[1954], state_lags=6).verdicts[0]
    row = c8_cycle(aspect="cyclicality", size="decile 1 vs 10", weighting="ew", start=1954, state_lags=6,
                   trailing_years=NA, horizons=NA, inference=NA)
    assert row["label"] == v.label and row["n"] == v.n and row["sample"] == v.sample
    assert row["estimate"] == pytest.approx(v.statistic, rel=1e-12)
    assert row["p_value"] == pytest.approx(v.p_value, rel=1e-9)


@pytest.mark.mirror
@pytest.mark.parametrize(("size", "weighting", "start", "trailing", "horizons", "inference"), [
    ("decile 1 vs 10", "ew", 1954, 5, "3y", "newey-west"),
    ("SMB", "vw", 1963, 15, "5y", "non-overlapping"),
    ("deciles 1-3 vs 8-10", "vw", 1926, 10, "3y+5y", "hodrick"),
])
def test_c8_mean_reversion_agrees_with_cycle_test(real_data, size, weighting, start, trailing, horizons, inference):
    # the grid runs test()'s predictive steps alone, on cached pieces shared across specifications:
    # an earlier specification with other horizons or errors must not change this one's answer
    from research.claims.cycle import _grid_usrec as _usrec
    from research.data.sizes import monthly_returns

    years = {"3y": (3,), "5y": (5,), "3y+5y": (3, 5)}[horizons]
    v = cycle.test(monthly_returns(size, weighting), _usrec(), start=START_DATES[start], trailing_years=trailing,
                   horizons_years=years, inference=inference).verdicts[1]
    rows = [c8_cycle(aspect="mean reversion", size=size, weighting=weighting, start=start, state_lags=NA,
                     trailing_years=trailing, horizons=h, inference=i)
            for h in ("3y", "5y", "3y+5y") for i in ("hodrick", "newey-west", "non-overlapping")]
    row = rows[3 * ("3y", "5y", "3y+5y").index(horizons) + ("hodrick", "newey-west", "non-overlapping").index(inference)]
    assert row["label"] == v.label and row["n"] == v.n and row["sample"] == v.sample
    assert row["estimate"] == v.statistic and row["p_value"] == v.p_value
    assert (row["lower"], row["upper"]) == v.interval


@pytest.mark.mirror
@pytest.mark.parametrize("claim", list(GRIDS))
def test_a_spread_of_specifications_all_get_a_label(real_data, claim):
    frame = sweep.run_sweep(GRIDS[claim], serial=True, max_specs=30)
    assert len(frame) == 30
    problems = frame.loc[~frame["label"].isin(sweep.LABELS), ["label", "error"]]
    assert problems.empty, problems.to_string()
    assert frame["is_default"].sum() == len(GRIDS[claim].defaults())


@pytest.mark.mirror
def test_family_p_values_reproduce_the_reports_intervals(real_data):
    from research.claims import drawdowns

    assert {c for c, g in GRIDS.items() if g.family} == {"C1", "C6"}
    assert family_p_values(GRIDS["C2"]) == family_p_values(GRIDS["C7"]) == []  # their verdicts carry a p-value
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        v = drawdowns.run().verdicts[0]
        items = {i["aspect"]: i for i in family_p_values(GRIDS["C6"])}
    item = items[v.aspect]
    assert item["label"] == v.label
    assert (item["statistic"], item["lower"], item["upper"]) == (v.statistic, *v.interval)
    assert item["p_value"] == pytest.approx(v.p_value, rel=1e-12) and pd.notna(item["p_value"])


def test_the_russell_curve_is_ringed_at_the_russell_reports_default():
    from research import claims
    from research.data.sizes import RUSSELL

    for claim in ("C1", "C2", "C3", "C5", "C6"):
        g = claims.grid(claim, "russell")
        specs = g.specs()
        assert all(d in specs for d in g.defaults()), f"{claim}: the Russell default is not a valid specification"
        assert all(RUSSELL in d.values() for d in g.defaults())
        # the Russell series begins in 1987: no earlier start survives the validity rule
        assert all(d.get("start", 1987) == 1987 for d in g.defaults())
        assert all(RUSSELL in spec.values() for _, spec in g.family)
    assert claims.grid("C1", "deciles") is claims.grid("C1", "")
    with pytest.raises(ParameterError, match="small_large"):
        claims.grid("C1", "smb")


def test_family_basis_names_the_method_each_verdict_uses():
    """The family p-value's stated basis follows the claim's interval: C1/C6 use the Student-t
    interval (the bootstrap text there was stale); C7's verdict reports its own t-test p-value."""
    from research.claims import grid

    assert grid("C1").family_basis.startswith("Student-t")
    assert grid("C6").family_basis.startswith("Student-t")
    assert (grid("C7").family, grid("C7").family_basis) == ([], "")
    assert "bootstrap" not in grid("C1").family_basis


@pytest.mark.mirror
@pytest.mark.parametrize("claim", ["C2", "C6"])
def test_each_view_block_is_the_shares_of_its_rows_of_the_full_grid(real_data, claim):
    from research.claims import drawdowns

    grid = GRIDS[claim]
    frame = sweep.run_sweep(grid, serial=True)
    summary = sweep.summarize(grid, frame)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = rates.run(decile_panel=False) if claim == "C2" else drawdowns.run()
    assert list(summary["by_aspect"]) == [v.aspect for v in result.verdicts]  # each verdict finds its curve
    key, kept = {"C2": ("yield_series", {"2-year yield": {"dgs2", "gs2"}, "10-year yield": {"dgs10", "gs10"}}),
                 "C6": ("threshold", {"drawdowns >= 10%": {10.0}, "drawdowns >= 5%": {5.0}})}[claim]
    for v in result.verdicts:
        block = summary["by_aspect"][v.aspect]
        rows = frame[frame[key].isin(kept[v.aspect])]
        valid = rows[rows["label"].isin(sweep.LABELS)]
        assert block["specifications"] == len(rows) and block["valid"] == len(valid) > 50
        for label in sweep.LABELS:
            assert block[f"share_{label}"] == pytest.approx((valid["label"] == label).mean(), abs=1e-15)
        assert block["median_estimate"] == pytest.approx(valid["estimate"].median())
        # the view's default is the report's own specification for this verdict: same label
        assert block["default_label"] == v.label
    assert summary["valid"] == frame["label"].isin(sweep.LABELS).sum()  # the claim's curve: the whole grid
