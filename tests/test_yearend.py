"""C7 year end: calendar windows compounded by hand, January from monthly data, the verdict rule,
the empirical probabilities and the forecast outcomes on synthetic closes; then the real data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from research.claims import yearend
from research.errors import ParameterError
from research.verdict import LABELS


def _bdays(start, end):
    return pd.bdate_range(start, end)


def _t_interval(x, level=0.90):
    """x̄ ± t_{n-1,(1+level)/2} s/√n and the two-sided one-sample t-test p, straight from scipy."""
    from scipy import stats as sps

    x = np.asarray(x, dtype=float)
    lower, upper = sps.t.interval(level, len(x) - 1, loc=x.mean(), scale=sps.sem(x))
    return lower, upper, sps.ttest_1samp(x, 0.0).pvalue


def test_window_changes_by_hand():
    idx = _bdays("2022-10-03", "2024-01-10")
    levels = pd.Series(np.arange(len(idx), dtype=float) + 100, index=idx)
    out = yearend.window_changes(levels, "10-14", "12-31")
    assert out.index.tolist() == [2022, 2023]
    # 2022-10-14 is a Friday; 2022-12-31 a Saturday: the close of Friday 30 December
    assert out.loc[2022, "start_date"] == pd.Timestamp("2022-10-14")
    assert out.loc[2022, "end_date"] == pd.Timestamp("2022-12-30")
    expected = (levels["2022-12-30"] / levels["2022-10-14"] - 1) * 100
    assert out.loc[2022, 0] == pytest.approx(expected)
    # 2023-10-14 is a Saturday: the base is Friday 13 October
    assert out.loc[2023, "start_date"] == pd.Timestamp("2023-10-13")


def test_window_changes_drop_incomplete_years():
    idx = _bdays("2022-11-01", "2023-12-15")  # 2022 starts too late, 2023 ends too early
    levels = pd.Series(100.0, index=idx)
    assert yearend.window_changes(levels).empty
    full = pd.Series(100.0, index=_bdays("2023-10-02", "2023-12-29"))  # ends on the last business day
    assert yearend.window_changes(full).index.tolist() == [2023]
    with pytest.raises(ParameterError):
        yearend.window_changes(levels, "12-31", "10-14")
    with pytest.raises(ParameterError):
        yearend.window_changes(levels, "10/14", "12-31")


def test_seasonal_windows_compound_daily_returns_and_read_january():
    idx = _bdays("2022-10-10", "2023-01-31")
    daily = pd.DataFrame({"small": 0.0, "large": 0.0}, index=idx)
    daily.loc["2022-10-17", "small"] = 10.0  # inside the window
    daily.loc["2022-11-15", "small"] = -5.0  # inside
    daily.loc["2022-10-14", "small"] = 50.0  # the start day itself: before the window opens
    daily.loc["2022-12-01", "large"] = 2.0
    monthly = pd.DataFrame({"small": [3.0, 4.0], "large": [1.0, 5.0]},
                           index=pd.DatetimeIndex(["2022-12-31", "2023-01-31"]))
    out = yearend.seasonal_windows(daily, monthly)
    assert out.loc[2022, "small"] == pytest.approx((1.10 * 0.95 - 1) * 100)
    assert out.loc[2022, "large"] == pytest.approx(2.0)
    assert out.loc[2022, "small_minus_large"] == pytest.approx((1.10 * 0.95 - 1) * 100 - 2.0)
    assert out.loc[2023, "jan_small_minus_large"] == pytest.approx(-1.0)
    assert pd.isna(out.loc[2023, "small_minus_large"])


def test_by_decade_and_eras_by_hand():
    years = pd.DataFrame({"small_minus_large": [1.0, -2.0, 3.0, 5.0],
                          "jan_small_minus_large": [2.0, 2.0, -1.0, np.nan]},
                         index=pd.Index([1978, 1979, 1983, 1984], name="year"))
    dec = yearend.by_decade(years)
    assert dec.loc["1970s", "mean_small_minus_large"] == pytest.approx(-0.5)
    assert dec.loc["1970s", "share_small_won"] == pytest.approx(0.5)
    assert dec.loc["1980s", "januaries"] == 1 and dec.loc["1980s", "mean_january"] == -1.0
    era = yearend.eras(years, 1983)
    assert era.loc["before 1983", "years"] == 2 and era.loc["1983 on", "mean_small_minus_large"] == 4.0


@pytest.mark.parametrize("sml, ci, label", [
    ([1, 2, -1, 3, 1] * 4, (0.2, 1.5), "supported"),
    ([5, 2, -1, -3, -1] * 4, (0.1, 1.5), "mixed"),  # positive mean, small won only 40%
    ([-1, -2, 1, -3, -1] * 4, (-1.5, -0.2), "contradicted"),
    ([-5, 2, 1, -3, 1] * 4, (-1.5, -0.1), "mixed"),  # negative mean, small won 60%
    ([1, 2, -1, 3, 1] * 4, (-0.1, 1.5), "inconclusive"),
    ([1, 2, 3], (0.5, 2.0), "inconclusive"),
])
def test_classify_each_branch(sml, ci, label):
    assert yearend.classify(pd.Series(sml, dtype=float), ci, clear_majority=0.6, min_years=15)[0] == label


def test_move_probability_counts_years():
    history = pd.Series([10.0, -2.0, 5.0, 7.0], index=[2001, 2002, 2003, 2004])
    up = yearend.move_probability(history, 6.0, "up")
    assert (up["hits"], up["n"], up["probability"]) == (2, 4, 0.5)
    down = yearend.move_probability(history, -1.0, "down")
    assert (down["hits"], down["first_year"], down["last_year"]) == (1, 2001, 2004)


def test_close_on_needs_the_data_to_reach_the_date():
    s = pd.Series([1.0, 2.0, 3.0], index=pd.DatetimeIndex(["2025-12-29", "2025-12-30", "2025-12-31"]))
    assert yearend.close_on(s, "2025-12-31") == (pd.Timestamp("2025-12-31"), 3.0)
    assert yearend.close_on(s, "2025-12-30") == (pd.Timestamp("2025-12-30"), 2.0)
    assert yearend.close_on(s.iloc[:2], "2025-12-31") is None


def _index_paths(end="2025-12-31"):
    """Ten years of closes: the Russell rises 10% in each mid-Oct..Dec window of even years,
    the S&P falls 2% in the windows of 2016 and 2019; both are flat otherwise."""
    idx = _bdays("2015-01-02", end)
    rut_ret = pd.Series(0.0, index=idx)
    spx_ret = pd.Series(0.0, index=idx)
    for y in range(2015, 2025):
        first_day = idx[idx > pd.Timestamp(y, 10, 14)][0]
        if y % 2 == 0:
            rut_ret[first_day] = 0.10
        if y in (2016, 2019):
            spx_ret[first_day] = -0.02
    rut = (1 + rut_ret).cumprod().mul(2000.0).rename("rut")
    spx = (1 + spx_ret).cumprod().mul(6000.0).rename("spx")
    return rut, spx


def test_forecast_scorecard_on_synthetic_closes():
    rut, spx = _index_paths()
    card = yearend.forecast_scorecard(rut, spx, forecast_date="2025-10-14", target_date="2025-12-31",
                                      rut_target=float(rut["2025-10-14"]) * 1.07,
                                      spx_target=float(spx["2025-10-14"]) * 0.99,
                                      start_md="10-14", end_md="12-31")
    rut_row, spx_row, beat = card.loc["rut_target"], card.loc["spx_target"], card.loc["small_beats_large"]
    assert rut_row["ex_ante_probability"] == pytest.approx(0.5)  # 5 of 10 years rose 10% >= 7%
    assert rut_row["ex_ante_basis"].startswith("5 of 10 years (2015-2024)")
    assert rut_row["outcome"] == "miss" and rut_row["realized"] == pytest.approx(float(rut.iloc[-1]))
    assert spx_row["required_move_pct"] == pytest.approx(-1.0)
    assert spx_row["ex_ante_probability"] == pytest.approx(0.2)  # 2016 and 2019 fell 2%
    assert spx_row["outcome"] == "miss"  # flat in 2025: not at or below 99%
    assert beat["ex_ante_probability"] == pytest.approx(0.6)  # 2016 and 2019 wins plus 4 more even years
    assert beat["outcome"] == "miss"  # ratio unchanged: not above
    assert card["made_on"].unique().tolist() == ["2025-10-14"]


def test_both_forecasts_share_one_base_period_when_the_sp500_reaches_further_back():
    """C7's ex-ante probabilities use the years both indexes cover: an S&P 500 that starts ten years
    earlier (and fell 2% in every earlier window) must not lengthen or change its base."""
    rut, spx = _index_paths()
    early = _bdays("2005-01-03", "2014-12-31")
    older = pd.Series(1.0, index=early)
    for y in range(2005, 2015):
        older[early[early > pd.Timestamp(y, 10, 14)][0]:] *= 0.98
    spx_long = pd.concat([older * spx.iloc[0] / older.iloc[-1], spx]).rename("spx")
    args = dict(forecast_date="2025-10-14", target_date="2025-12-31", rut_target=float(rut["2025-10-14"]) * 1.07,
                spx_target=float(spx["2025-10-14"]) * 0.99, start_md="10-14", end_md="12-31")
    short, long = (yearend.forecast_scorecard(rut, s, **args) for s in (spx, spx_long))
    for key in ("rut_target", "spx_target", "small_beats_large"):
        assert long.loc[key, "ex_ante_basis"] == short.loc[key, "ex_ante_basis"]
        assert long.loc[key, "ex_ante_probability"] == pytest.approx(short.loc[key, "ex_ante_probability"])
    assert long.loc["spx_target", "ex_ante_basis"].startswith("2 of 10 years (2015-2024)")


def test_forecast_outcomes_hit_and_not_yet_known():
    rut, spx = _index_paths()
    rut.loc["2025-12-01":] *= 1.10
    spx.loc["2025-12-01":] *= 0.95
    card = yearend.forecast_scorecard(rut, spx, forecast_date="2025-10-14", target_date="2025-12-31",
                                      rut_target=float(rut["2025-10-14"]) * 1.07,
                                      spx_target=float(spx["2025-10-14"]) * 0.99,
                                      start_md="10-14", end_md="12-31")
    assert card.loc["rut_target", "outcome"] == "hit"
    assert card.loc["spx_target", "outcome"] == "hit"  # ended at or below a target below the level
    assert card.loc["spx_target", "realized"] == pytest.approx(float(spx.iloc[-1]))
    assert card.loc["small_beats_large", "outcome"] == "hit"
    short_rut, short_spx = _index_paths(end="2025-11-28")
    early = yearend.forecast_scorecard(short_rut, short_spx, forecast_date="2025-10-14",
                                       target_date="2025-12-31", rut_target=2500.0, spx_target=6000.0,
                                       start_md="10-14", end_md="12-31")
    assert early["outcome"].tolist() == ["not yet known"] * 3
    assert early["realized"].isna().all() and early["as_of"].iloc[0] == "2025-11-28"


def _synthetic_returns(edge, seed=11):
    """Daily returns 1990-2024 where small beats large by ``edge`` percent on every day of Nov-Dec."""
    rng = np.random.default_rng(seed)
    idx = _bdays("1990-01-01", "2025-02-28")
    large = rng.normal(0.03, 1.0, len(idx))
    small = large + rng.normal(0, 0.3, len(idx)) + np.where(idx.month >= 11, edge, 0.0)
    daily = pd.DataFrame({"small": small, "large": large}, index=idx)
    monthly = (daily.div(100).add(1).groupby(idx.to_period("M")).prod().sub(1).mul(100)
               .set_axis(pd.period_range("1990-01", "2025-02", freq="M").to_timestamp("M")))
    return daily, monthly


def test_claim_function_supported_and_contradicted_on_synthetic_returns():
    rut, spx = _index_paths()
    daily, monthly = _synthetic_returns(0.05)
    result = yearend.test(daily, monthly, rut, spx, last_year=2024)
    v = result.verdict
    assert v.label == "supported" and v.n == 35 and v.claim == "C7"
    assert v.statistic == pytest.approx(result.years.loc[:2024, "small_minus_large"].mean())
    assert result.years.loc[2025, ["small_minus_large"]].isna().all()
    assert not pd.isna(result.years.loc[2025, "jan_small_minus_large"])
    daily, monthly = _synthetic_returns(-0.05)
    assert yearend.test(daily, monthly, rut, spx).verdict.label == "contradicted"
    scorecard = result.scorecard()
    assert [set(row) >= {"forecast", "source", "made_on", "target_date", "level_at_forecast", "target",
                         "ex_ante_probability", "outcome", "realized", "as_of"} for row in scorecard] == [True] * 3


def test_claim_function_validates_parameters():
    rut, spx = _index_paths()
    daily, monthly = _synthetic_returns(0.0)
    with pytest.raises(ParameterError):
        yearend.test(daily, monthly, rut, spx, clear_majority=1.2)
    with pytest.raises(ParameterError):
        yearend.test(daily.rename(columns={"small": "x"}), monthly, rut, spx)
    with pytest.raises(ParameterError, match="forecast date"):
        yearend.test(daily, monthly, rut, spx, forecast_date="1980-10-14")


@pytest.mark.mirror
def test_run_on_the_mirror():
    result = yearend.run()
    v = result.verdict
    assert v.label in LABELS and v.n >= 90 and v.sample.startswith("1926-")
    card = result.forecasts
    assert set(card["outcome"]) <= {"hit", "miss", "not yet known"}
    assert card.loc["rut_target", "level_at_forecast"] == pytest.approx(2495.50, abs=0.01)
    assert card.loc["rut_target", "required_move_pct"] == pytest.approx(6.79, abs=0.01)
    assert card.loc["rut_target", "as_of"] == "2025-12-31"
    assert 0 < card.loc["spx_target", "ex_ante_probability"] < 1
    russell = yearend.run(small_large="russell")
    assert russell.verdict.sample.startswith("1987-")


# -- display, grid validity, and run / grid_estimate on synthetic index closes ---------------------
# (mutmut's copy of the package cannot reach the real mirror: these reach what only the mirror tests did)

def _scored(**kwargs):
    rut, spx = _index_paths()
    daily, monthly = _synthetic_returns(0.05)
    return yearend.test(daily, monthly, rut, spx, **{"rut_target": 3500.0, "spx_target": 5900.0, **kwargs})


def test_conclusion_states_each_forecast_with_its_numbers():
    from research.verdict import verdict_sentence

    res = _scored()
    rut, spx = 2000 * 1.1 ** 5, 6000 * 0.98 ** 2  # five +10% windows; two -2% windows
    lines = res.conclusion().splitlines()
    assert lines[0] == verdict_sentence(res.verdict) and len(lines) == 4
    assert lines[1] == ('- **Russell 2000 year-end target 2,665, "implying roughly 7% upside from Tuesday\'s close"** '
                        f"(Jefferies, as quoted in the commentary): from {rut:,.2f} on 2025-10-14 it needed "
                        f"{(3500 / rut - 1) * 100:+.1f}%; the empirical probability was 50% (5 of 10 years "
                        f"(2015-2024), 10-14 to 12-31); realized {rut:,.2f} on 2025-12-31: **miss**.")
    assert lines[2] == ("- **S&P 500 year-end target 6,600** (year-end target quoted in the commentary): from "
                        f"{spx:,.2f} on 2025-10-14 it needed +2.4%; the empirical probability was 0% (0 of 10 years "
                        f"(2015-2024), 10-14 to 12-31); realized {spx:,.2f} on 2025-12-31: **miss**.")
    assert lines[3] == ('- **small caps "can beat large caps through year end" (Russell 2000 vs S&P 500)** (the '
                        f"commentary): the Russell 2000 / S&P 500 ratio ({rut / spx:.4f} on 2025-10-14) needed to "
                        "rise; the empirical probability was 60% (6 of 10 years (2015-2024), 10-14 to 12-31); "
                        f"realized {rut / spx:,.4f} on 2025-12-31: **miss**.")
    rut_s, spx_s = _index_paths(end="2025-11-28")
    daily, monthly = _synthetic_returns(0.05)
    early = yearend.test(daily, monthly, rut_s, spx_s).conclusion()
    assert early.count("realized data end 2025-11-28: **not yet known**.") == 3


def test_forecast_table_and_scorecard_for_display():
    res = _scored()
    rut = 2000 * 1.1 ** 5
    table = res.forecast_table()
    assert table.columns.tolist() == ["Russell 2000 at 2,665 by year end", "S&P 500 at 6,600 by year end",
                                      "small caps beat large caps to year end"]
    assert table.index.tolist() == ["forecast", "source", "made_on", "level_at_forecast", "target", "required_move",
                                    "ex_ante_probability", "ex_ante_basis", "target_date", "realized", "outcome",
                                    "as_of"]
    first = table.iloc[:, 0]
    assert (first["level_at_forecast"], first["target"], first["realized"]) == (f"{rut:,.2f}", "3,500.00", f"{rut:,.2f}")
    assert (first["required_move"], first["ex_ante_probability"]) == (f"{(3500 / rut - 1) * 100:+.2f}%", "50%")
    assert table.iloc[:, 2]["level_at_forecast"] == f"{rut / (6000 * 0.98 ** 2):.4f}"
    assert table.iloc[:, 1]["ex_ante_probability"] == "0%"
    card = res.scorecard()
    assert [row["outcome"] for row in card] == ["miss"] * 3
    assert card[0]["level_at_forecast"] == round(rut, 4) and card[0]["target"] == 3500.0
    assert card[0]["ex_ante_probability"] == 0.5 and card[2]["ex_ante_probability"] == 0.6
    assert card[2]["realized"] == round(rut / (6000 * 0.98 ** 2), 4) != card[2]["level_at_forecast"] * 2
    rut_s, spx_s = _index_paths(end="2025-11-28")
    daily, monthly = _synthetic_returns(0.05)
    none = yearend.test(daily, monthly, rut_s, spx_s, first_history_year=2030)  # no past years
    card = none.scorecard()
    assert [(r["realized"], r["ex_ante_probability"], r["ex_ante_basis"]) for r in card] == [(None, None, "no history")] * 3
    assert none.forecast_table().loc["realized"].tolist() == ["—"] * 3


@pytest.mark.parametrize("x, text", [(None, "—"), (float("nan"), "—"), (12345.678, "12,345.68"), (10.0, "10.00"),
                                     (-12.5, "-12.50"), (9.5, "9.5000"), (0.55897, "0.5590")])
def test_level_text(x, text):
    assert yearend._level_text(x) == text


@pytest.mark.parametrize("size, freq, window_start, weighting, first_year, valid", [
    ("halves (2x3, below/above NYSE median)", "daily", "10-14", "vw", 1926, True),
    ("halves (2x3, below/above NYSE median)", "daily", "10-14", "ew", 1983, True),
    ("halves (2x3, below/above NYSE median)", "monthly", "10-14", "vw", 1926, False),  # no close near 14 Oct
    ("halves (2x3, below/above NYSE median)", "monthly", "10-31", "vw", 1926, True),
    ("deciles 1-3 vs 8-10", "daily", "10-01", "vw", 1926, False),  # no daily deciles
    ("decile 1 vs 10", "monthly", "10-01", "ew", 1954, True),
    ("Russell 2000 vs S&P 500", "daily", "10-14", "vw", 1987, True),
    ("Russell 2000 vs S&P 500", "daily", "10-14", "vw", 1983, False),  # the same sample as 1987
    ("Russell 2000 vs S&P 500", "monthly", "10-31", "vw", 1987, True),
    ("Russell 2000 vs S&P 500", "daily", "10-14", "ew", 1987, False),  # vw only
])
def test_grid_valid_by_hand(size, freq, window_start, weighting, first_year, valid):
    spec = {"size": size, "freq": freq, "window_start": window_start, "weighting": weighting,
            "first_year": first_year, "clear_majority": 0.6}
    assert yearend.grid_valid(spec) is valid


@pytest.fixture
def russell_closes(isolated_data):
    """A mirror with synthetic Russell 2000 and S&P 500 closes, 2000-2025: the Russell gains 0.1% a
    day more from November on (and 0.05% a day less in October), else the same noise."""
    from synthetic_mirror import write_closes

    from research.data.sizes import clear_caches

    rng = np.random.default_rng(3)
    idx = _bdays("2000-01-03", "2025-12-31")
    large = rng.normal(0.03, 1.0, len(idx))
    small = large + rng.normal(0, 0.3, len(idx)) + np.where(idx.month >= 11, 0.1, np.where(idx.month == 10, -0.05, 0))
    rut = pd.Series(1000 * np.cumprod(1 + small / 100), index=idx).round(2)
    spx = pd.Series(1000 * np.cumprod(1 + large / 100), index=idx).round(2)
    write_closes(isolated_data.mirror, "RUT.csv", rut)
    write_closes(isolated_data.mirror, "GSPC.csv", spx, yfinance=True)
    clear_caches()
    yield rut, spx
    clear_caches()


def _by_hand(rut, spx, month, day):
    """Per year: Russell minus S&P percent change from the last close on or before month-day (within
    a week) to the last close of the year."""
    out = {}
    for y in range(2000, 2026):
        a = rut.loc[:f"{y}-{month:02d}-{day:02d}"].index[-1]
        z = rut.loc[:f"{y}-12-31"].index[-1]
        out[y] = (rut[z] / rut[a] - 1) * 100 - (spx[z] / spx[a] - 1) * 100
    return pd.Series(out)


def test_grid_estimate_by_hand_on_synthetic_closes(russell_closes):
    from research.data.sizes import RUSSELL

    rut, spx = russell_closes
    sml = _by_hand(rut, spx, 10, 14).loc[2010:2024]  # 15 years: exactly min_years
    out = yearend.grid_estimate(size=RUSSELL, freq="daily", weighting="vw", window_start="10-14", first_year=2010,
                                clear_majority=0.6)
    assert out["n"] == 15 and out["sample"] == "2010-2024"
    assert out["estimate"] == pytest.approx(sml.mean(), rel=1e-6)
    assert out["share_small_won"] == pytest.approx((sml > 0).mean())
    lower, upper, p = _t_interval(sml)
    assert (out["lower"], out["upper"], out["p_value"]) == pytest.approx((lower, upper, p), rel=1e-9)
    assert lower > 0 and p < 0.10 and (sml > 0).mean() >= 0.6 and out["label"] == "supported"
    assert yearend.grid_estimate(size=RUSSELL, freq="daily", weighting="vw", window_start="10-14",
                                 first_year=2010, clear_majority=0.6, min_years=16)["label"] == "inconclusive"
    wide = yearend.grid_estimate(size=RUSSELL, freq="daily", weighting="vw", window_start="10-01", first_year=2000,
                                 clear_majority=0.6, last_year=2025, level=0.5)
    all_years = _by_hand(rut, spx, 10, 1)
    assert wide["n"] == 26 and wide["estimate"] == pytest.approx(all_years.mean(), rel=1e-6)
    assert (wide["lower"], wide["upper"], wide["p_value"]) == pytest.approx(_t_interval(all_years, 0.5), rel=1e-9)
    empty = yearend.grid_estimate(size=RUSSELL, freq="daily", weighting="vw", window_start="10-14",
                                  first_year=2030, clear_majority=0.6)
    assert (empty["n"], empty["label"], empty["sample"]) == (0, "inconclusive", "empty")
    assert all(np.isnan(empty[k]) for k in ("estimate", "lower", "upper", "p_value", "share_small_won"))


def test_run_on_synthetic_russell_closes(russell_closes):
    rut, spx = russell_closes
    res = yearend.run(small_large="russell", first_year=2001, forecast_date="2024-10-14",
                      target_date="2024-12-31", rut_target=2000.0, spx_target=1500.0)
    daily = pd.concat({"small": rut, "large": spx}, axis=1).pct_change().mul(100).iloc[1:]
    month_end = pd.concat({"small": rut, "large": spx}, axis=1).resample("ME").last()
    monthly = month_end.pct_change().mul(100).iloc[1:]
    want = yearend.test(daily, monthly, rut, spx, first_year=2001, forecast_date="2024-10-14",
                        target_date="2024-12-31", rut_target=2000.0, spx_target=1500.0)
    v, w = res.verdict, want.verdict
    assert (v.n, v.label, v.sample) == (w.n, w.label, w.sample) == (24, "supported", "2001-2024 (24 years), 10-14 to 12-31 each year")
    assert v.statistic == pytest.approx(w.statistic, rel=1e-9) and v.interval == pytest.approx(w.interval, rel=1e-9)
    np.testing.assert_allclose(res.years["jan_small_minus_large"].dropna(), want.years["jan_small_minus_large"].dropna())
    assert set(v.vintage) == {"rut", "gspc"}
    assert v.method.startswith("daily: Russell 2000 vs S&P 500 price returns (no dividends); January: Russell 2000 "
                               "vs S&P 500 price returns (no dividends). compounded daily returns")
    assert res.forecasts["outcome"].tolist() == want.forecasts["outcome"].tolist()
    assert res.forecasts.loc["rut_target", "level_at_forecast"] == float(rut["2024-10-14"])


# -- gaps the mutation run found (benchmarks/README.md, "Mutation testing") ------------------------

#: Window edges by year (2001-2024): small gains this much more than large (flat) on the first day of
#: the window; zero in 3 years (an exact tie: neither moves), negative in 6, positive in 15.
def _edge(year):
    return 0.0 if year % 8 == 0 else -0.3 if year % 8 in (1, 2) else 0.6


def _jan(year):
    return 0.0 if year % 4 == 0 else -0.4 if year % 4 == 1 else 0.7


def _edged_returns():
    """Large flat; small moves only on the first business day after 14 October (by ``_edge``), and
    January returns small - large = ``_jan`` (large 1%), 2001-2025."""
    idx = _bdays("2001-01-01", "2025-02-28")
    daily = pd.DataFrame({"small": 0.0, "large": 0.0}, index=idx)
    for y in range(2001, 2025):
        daily.loc[idx[idx > pd.Timestamp(y, 10, 14)][0], "small"] = _edge(y)
    months = pd.date_range("2001-01-31", "2025-02-28", freq="ME")
    monthly = pd.DataFrame({"small": 1.0, "large": 1.0}, index=months)
    monthly.loc[months.month == 1, "small"] = [1.0 + _jan(y) for y in range(2001, 2026)]
    return daily, monthly


def test_claim_defaults_on_edged_returns():
    rut, spx = _index_paths()
    daily, monthly = _edged_returns()
    res = yearend.test(daily, monthly, rut, spx, first_year=2010)  # 15 years: exactly the default min_years
    years = range(2010, 2025)
    sml = np.array([_edge(y) for y in years])
    np.testing.assert_allclose(res.years.loc[2010:2024, "small_minus_large"], sml, atol=1e-9)
    assert res.years.index.tolist() == [*years, 2025]  # January 2025 closes 2024's turn of the year
    assert res.years.loc[2025, ["start_date", "end_date", "small", "large", "small_minus_large"]].isna().all()
    v = res.verdict
    lower, upper, p = _t_interval(sml)
    assert v.interval == pytest.approx((lower, upper), rel=1e-9) and lower > 0
    assert v.p_value == pytest.approx(p, rel=1e-9) and p < 0.10
    assert (v.label, v.n, v.interval_level, v.aspect) == ("supported", 15, 0.90, "year-end seasonality")
    assert v.statistic == pytest.approx(sml.mean()) and v.sample == "2010-2024 (15 years), 10-14 to 12-31 each year"
    assert v.hypothesis == ("Small caps beat large caps from mid-October (10-14) to year end in a clear majority of "
                            "years, with a positive mean")
    assert v.statistic_name == "mean small-minus-large return, mid-Oct to 31 Dec, pp per year"
    assert v.method == ("compounded daily returns over the same calendar window each year; mean across years with a "
                        "Student-t interval and the t-test's p-value (years treated as independent); turn-of-year "
                        "effect as in Keim (1983)")
    assert v.rule == yearend.rule_text(0.6, 15, 0.90)
    # ties (2016, 2024) are not wins: 10 of 15; January from 2010 to 2025, 16 of them
    jan = [_jan(y) for y in range(2010, 2026)]
    assert v.note == (f"Small won in 67% of years (a clear majority) with a positive mean: small beat large in 10 of "
                      f"15 years (67%). Since 1983: mean {sml.mean():+.1f} pp, small won 67% of 15 years; January "
                      f"mean {np.mean(jan):+.1f} pp (all years {np.mean(jan):+.1f} pp).")
    assert res.forecasts["target"].tolist()[:2] == [2665.0, 6600.0]  # the commentary's targets
    assert res.spec == {"start_md": "10-14", "end_md": "12-31", "first_year": 2010, "last_year": 2024,
                        "clear_majority": 0.6, "min_years": 15, "level": 0.90, "split_year": 1983, "forecast_date": "2025-10-14", "target_date": "2025-12-31",
                        "rut_target": 2665.0, "spx_target": 6600.0, "first_history_year": None, "definition": ""}
    # by decade: wins and ties counted by hand from _edge and _jan
    assert res.table.index.tolist() == ["2010s", "2020s"]
    assert res.table.loc["2010s"].tolist() == pytest.approx(
        [10, np.mean([_edge(y) for y in range(2010, 2020)]), 0.6, 10, np.mean([_jan(y) for y in range(2010, 2020)]),
         0.6])
    assert res.table.loc["2020s"].tolist() == pytest.approx(
        [5, np.mean([_edge(y) for y in range(2020, 2025)]), 0.8, 6, np.mean([_jan(y) for y in range(2020, 2026)]),
         2 / 6])
    one_fewer = yearend.test(daily, monthly, rut, spx, first_year=2011).verdict
    assert (one_fewer.label, one_fewer.note.split(":")[0]) == ("inconclusive", "Only 14 years (fewer than 15)")


def test_eras_split_in_order_with_wins_and_ties():
    rut, spx = _index_paths()
    daily, monthly = _edged_returns()
    res = yearend.test(daily, monthly, rut, spx, first_year=2001, split_year=2013)
    era = res.eras
    assert era.index.tolist() == ["before 2013", "2013 on"]
    early, late = range(2001, 2013), range(2013, 2025)
    assert era.loc["before 2013"].tolist() == pytest.approx(
        [12, np.mean([_edge(y) for y in early]), 7 / 12, 12, np.mean([_jan(y) for y in early]), 6 / 12])
    assert era.loc["2013 on"].tolist() == pytest.approx(
        [12, np.mean([_edge(y) for y in late]), 8 / 12, 13, np.mean([_jan(y) for y in range(2013, 2026)]), 6 / 13])
    assert "Since 2013: mean " in res.verdict.note and "pp, small won 67% of 12 years;" in res.verdict.note


def test_windows_follow_start_and_end_days():
    """A window from 1 November to 15 December, compounded by hand from the daily returns; the index
    windows from the closes, the Russell 2000 only where it has data."""
    daily, monthly = _synthetic_returns(0.05)
    rng = np.random.default_rng(8)
    idx = _bdays("2015-01-02", "2025-12-31")
    spx = pd.Series(100 * np.cumprod(1 + rng.normal(0, 0.01, len(idx))), index=idx)
    rut = pd.Series(100 * np.cumprod(1 + rng.normal(0, 0.01, len(idx))), index=idx).loc["2018":]
    res = yearend.test(daily, monthly, rut, spx, start_md="11-01", end_md="12-15",
                       forecast_date="2025-11-03", target_date="2025-12-15", rut_target=1.0, spx_target=1.0)

    def change(x, y):
        return (x.loc[:f"{y}-12-15"].iloc[-1] / x.loc[:f"{y}-11-01"].iloc[-1] - 1) * 100

    def compound(col, y):
        days = daily.loc[f"{y}-11-01":f"{y}-12-15", col].loc[lambda s: s.index > daily.loc[:f"{y}-11-01"].index[-1]]
        return ((1 + days / 100).prod() - 1) * 100

    for y in (1990, 2007, 2024):
        assert res.years.loc[y, "small_minus_large"] == pytest.approx(compound("small", y) - compound("large", y))
    assert res.index_windows.columns.tolist() == ["start_date", "end_date", "spx", "rut"]
    assert res.index_windows.index.tolist() == list(range(2015, 2026))
    np.testing.assert_allclose(res.index_windows["spx"], [change(spx, y) for y in range(2015, 2026)])
    assert res.index_windows.loc[:2017, "rut"].isna().all()
    np.testing.assert_allclose(res.index_windows.loc[2018:, "rut"], [change(rut, y) for y in range(2018, 2026)])


def test_two_years_get_an_interval_and_fewer_get_none():
    rut, spx = _index_paths()
    daily, monthly = _edged_returns()
    two = yearend.test(daily, monthly, rut, spx, first_year=2023, min_years=2).verdict
    lower, upper, p = _t_interval([_edge(2023), _edge(2024)])
    assert two.interval == pytest.approx((lower, upper), abs=1e-9) and two.n == 2
    assert two.p_value == pytest.approx(p, rel=1e-9) and lower < 0 < upper and two.label == "inconclusive"
    one = yearend.test(daily, monthly, rut, spx, first_year=2024).verdict
    assert (one.interval, one.interval_level, one.p_value, one.n, one.label) == (None, None, None, 1, "inconclusive")
    none = yearend.test(daily, monthly, rut, spx, first_year=2030).verdict
    assert (none.n, none.sample, none.statistic, none.interval) == (0, "empty", None, None)
    assert none.note == "Only 0 years (fewer than 15): small beat large in 0 of 0 years (nan%)."


@pytest.mark.parametrize("kwargs, message", [
    ({"clear_majority": 1.0}, r"clear_majority must be in \[0.5, 1\), e.g. 0.6; got 1.0"),
    ({"clear_majority": 0.4999}, "clear_majority must be in"),
    ({"level": 1.0}, r"level must be in \(0, 1\), e.g. 0.90; got 1.0"),
    ({"level": 0.0}, "level must be in"),
    ({"min_years": 1}, "min_years must be at least 2, got 1"),
])
def test_claim_function_rejects_each_bound(kwargs, message):
    rut, spx = _index_paths()
    daily, monthly = _edged_returns()
    with pytest.raises(ParameterError, match=message):
        yearend.test(daily, monthly, rut, spx, **kwargs)


def test_claim_function_accepts_the_inclusive_bounds_and_names_the_frame():
    rut, spx = _index_paths()
    daily, monthly = _edged_returns()
    ok = yearend.test(daily, monthly, rut, spx, clear_majority=0.5, min_years=2)
    assert ok.spec["clear_majority"] == 0.5 and ok.verdict.label == "supported"
    for frame, name in ((daily, "returns_daily"), (monthly, "returns_monthly")):
        bad = {"returns_daily": daily, "returns_monthly": monthly, name: frame.rename(columns={"large": "big"})}
        with pytest.raises(ParameterError, match=f"^{name} needs columns 'small' and 'large'"):
            yearend.test(bad["returns_daily"], bad["returns_monthly"], rut, spx)


def test_move_probability_counts_a_move_of_exactly_the_threshold():
    history = pd.Series([7.0, 6.9, -2.0, -1.9], index=[2001, 2002, 2003, 2004])
    assert yearend.move_probability(history, 7.0, "up")["hits"] == 1
    assert yearend.move_probability(history, -2.0, "down")["hits"] == 1


def test_rule_text_states_each_label():
    assert yearend.rule_text(2 / 3, 15, 0.9) == (
        "supported if small beat large from mid-October to year end in a clear majority of years (>= 67%) with "
        "a positive mean whose 90% Student-t interval excludes zero; contradicted if the mean is "
        "negative (interval excluding zero) and small lost in most years; mixed if the mean and the majority "
        "disagree; inconclusive if the interval straddles zero or fewer than 15 years")


def test_grid_estimate_two_years_straddling_zero(russell_closes):
    from research.data.sizes import RUSSELL

    rut, spx = russell_closes
    sml = _by_hand(rut, spx, 10, 14).loc[2010:2011]
    assert sml.iloc[0] > 0 > sml.iloc[1] and sml.mean() > 0  # +1.1 and -1.0 pp
    out = yearend.grid_estimate(size=RUSSELL, freq="daily", weighting="vw", window_start="10-14", first_year=2010,
                                last_year=2011, clear_majority=0.5, min_years=2)
    lower, upper, p = _t_interval(sml)
    assert (out["lower"], out["upper"], out["p_value"]) == pytest.approx((lower, upper, p), rel=1e-9)
    assert lower < 0 < upper and p > 0.10
    assert (out["n"], out["label"]) == (2, "inconclusive")  # a majority of one half and a positive mean


def test_forecasts_at_exactly_their_targets_from_a_first_history_year():
    """Targets met exactly (hit, up and down), a target equal to the level (up: a fall would miss),
    history from first_history_year on and windows ending on end_md (30 November)."""
    idx = _bdays("2015-01-02", "2025-12-31")
    rut, spx = pd.Series(2000.0, index=idx), pd.Series(5000.0, index=idx)
    for y, series in ((2018, rut), (2017, spx)):  # +0.5% on the first day after 14 October
        series.loc[idx[idx > pd.Timestamp(y, 10, 14)][0]:] *= 1.005
    rut.loc["2020-12-01":] *= 1.10  # after 30 November: outside every window
    spx.loc["2025-11-03":] = 4900.0
    level = float(rut["2025-10-14"])
    card = yearend.forecast_scorecard(rut, spx, forecast_date="2025-10-14", target_date="2025-12-31",
                                      rut_target=level, spx_target=4900.0, start_md="10-14", end_md="11-30",
                                      first_history_year=2016)
    r, s, beat = card.loc["rut_target"], card.loc["spx_target"], card.loc["small_beats_large"]
    assert (r["outcome"], r["required_move_pct"], r["ex_ante_probability"]) == ("hit", 0.0, 1.0)  # 9 of 9 >= 0
    assert r["ex_ante_basis"] == "9 of 9 years (2016-2024), 10-14 to 11-30"
    assert (s["outcome"], s["realized"], s["ex_ante_probability"]) == ("hit", 4900.0, 0.0)
    assert s["required_move_pct"] == pytest.approx((4900 / 5025 - 1) * 100)
    # Russell minus S&P: -0.5 in 2017, +0.5 in 2018 (a win under 1 pp), 0 otherwise (2020's +10% is in December)
    assert (beat["outcome"], beat["required_move_pct"], beat["ex_ante_basis"]) == (
        "hit", 0.0, "1 of 9 years (2016-2024), 10-14 to 11-30")
    assert card["target_date"].tolist() == ["2025-12-31"] * 3


def test_month_days_are_checked_and_named():
    levels = pd.Series(100.0, index=_bdays("2022-10-03", "2023-01-10"))
    with pytest.raises(ParameterError, match=r"^start_md must be a month-day like '10-14', got '10/14'$"):
        yearend.window_changes(levels, "10/14", "12-31")
    with pytest.raises(ParameterError, match=r"^end_md must be a month-day like '10-14', got '02-30'$"):
        yearend.window_changes(levels, "01-14", "02-30")  # no such day
    # 29 February is refused up front (it used to pass here and fail inside pandas in 2023)
    with pytest.raises(ParameterError, match=r"^end_md must be a month-day like '10-14', got '02-29'; 02-29 is not"):
        yearend.window_changes(levels, "01-14", "02-29")
    leap = pd.Series(100.0, index=_bdays("2023-01-02", "2024-03-29"))
    assert list(yearend.window_changes(leap, "01-14", "02-28").index) == [2023, 2024]  # the day before is fine


@pytest.mark.parametrize("sml, ci, label, why", [
    ([1.0] * 9 + [-1.0] * 6, (0.1, 0.5), "supported",  # won exactly the clear majority, 9 of 15
     "small won in 60% of years (a clear majority) with a positive mean"),
    ([2.0] * 6 + [0.0] * 3 + [-1.0] * 6, (0.1, 0.5), "mixed",  # ties are not wins: 6 of 15
     "the mean is positive but small won in only 40% of years"),
    ([1.0, -1.0] * 8, (0.1, 0.5), "mixed",  # a mean of exactly zero is not positive
     "the mean is negative although small won in 50% of years"),
    ([-3.0, 1.0] * 8, (-1.5, -0.5), "mixed",  # won exactly half: not "lost in most years"
     "the mean is negative although small won in 50% of years"),
    ([-1.0] * 9 + [1.0] * 6, (-0.5, -0.1), "contradicted", "small lost in most years (60%) with a negative mean"),
    ([1.0] * 15, (0.0, 0.5), "inconclusive", "the interval of the mean straddles zero"),  # an end at zero
    ([-1.0] * 15, (-0.5, 0.0), "inconclusive", "the interval of the mean straddles zero"),
])
def test_classify_at_each_boundary(sml, ci, label, why):
    assert yearend.classify(pd.Series(sml), ci, clear_majority=0.6, min_years=15) == (label, why)


def test_close_on_from_the_first_close():
    s = pd.Series([1.0, 2.0], index=pd.DatetimeIndex(["2025-12-26", "2025-12-30"]))
    assert yearend.close_on(s, "2025-12-26") == (pd.Timestamp("2025-12-26"), 1.0)
    assert yearend.close_on(s, "2025-12-29") == (pd.Timestamp("2025-12-26"), 1.0)
    assert yearend.close_on(s, "2025-12-25") is None  # before the data


def test_window_changes_at_its_boundaries():
    # data that begin on the start close keep that year, from that close
    first = pd.Series(np.arange(60.0) + 100, index=_bdays("2023-10-13", "2024-01-04"))
    out = yearend.window_changes(first)
    assert out.index.tolist() == [2023] and out.loc[2023, "start_date"] == pd.Timestamp("2023-10-13")
    assert out.loc[2023, 0] == pytest.approx((first["2023-12-29"] / 100 - 1) * 100)
    # a start close exactly 7 days before the start day counts; 8 days do not
    gap = pd.Series(100.0, index=_bdays("2023-09-01", "2023-12-29")).drop(pd.bdate_range("2023-10-08", "2023-10-20"))
    assert yearend.window_changes(gap, "10-13").loc[2023, "start_date"] == pd.Timestamp("2023-10-06")  # 7 days
    assert yearend.window_changes(gap, "10-14").empty  # Friday 6 October is 8 days before
    # no close inside the window: no change to report
    holiday = pd.Series(100.0, index=_bdays("2023-12-01", "2024-01-05")).drop(pd.bdate_range("2023-12-22", "2023-12-27"))
    assert yearend.window_changes(holiday, "12-22", "12-27").empty
    assert yearend.window_changes(holiday, "12-21", "12-28").index.tolist() == [2023]
    with pytest.raises(ParameterError, match=r"^start_md '12-31' must come before end_md '12-31' in the year$"):
        yearend.window_changes(holiday, "12-31", "12-31")


def test_forecast_table_rounds_the_probability_once():
    from dataclasses import replace

    res = _scored()
    odd = replace(res, forecasts=res.forecasts.assign(ex_ante_probability=[7 / 52, 0.6, np.nan]))
    assert odd.forecast_table().loc["ex_ante_probability"].tolist() == ["13%", "60%", "nan%"]  # 13.46%
    assert odd.forecast_table().columns.name is None
    assert [row["ex_ante_probability"] for row in odd.scorecard()] == [0.1346, 0.6, None]


def test_run_reads_french_halves_daily_and_deciles_monthly(russell_closes, isolated_data):
    """The default run: daily small and large from French's 2x3 halves, January from the size
    deciles (1-3 vs 8-10), each in the weighting asked for; the forecasts from the index closes."""
    from synthetic_mirror import write_french_daily_2x3, write_size_deciles

    from research.data.sizes import clear_caches

    rut, spx = russell_closes
    days = _bdays("2000-01-03", "2025-12-31")
    rng = np.random.default_rng(4)
    large = np.round(rng.normal(0.03, 1.0, len(days)), 2)
    small = np.round(large + rng.normal(0, 0.3, len(days)) + np.where(days.month >= 11, 0.1, 0.0), 2)
    small_ew = np.round(small + 0.05, 2)
    write_french_daily_2x3(isolated_data.mirror, days, vw=(small, large), ew=(small_ew, large), vintage="202512")
    months = pd.date_range("2000-01-31", "2025-12-31", freq="ME")
    big = np.round(rng.normal(0.8, 4, len(months)), 2)
    edge = np.round(rng.normal(0.5, 2, len(months)), 2)
    vw = np.column_stack([big + edge + 0.5, big + edge - 0.5, big + edge] + [big] * 5 + [big + 0.3, big - 0.3])
    ew = np.column_stack([big + edge + 1.5] * 3 + [big] * 7)
    write_size_deciles(isolated_data.mirror, months, vw, ew, vintage="202512")
    clear_caches()
    kw = {"first_year": 2001, "forecast_date": "2024-10-14", "target_date": "2024-12-31",
          "rut_target": 2000.0, "spx_target": 1500.0}
    for weighting, daily_small, jan_edge in (("vw", small, edge), ("ew", small_ew, edge + 1.5)):
        res = yearend.run(weighting=weighting, **kw) if weighting == "ew" else yearend.run(**kw)
        daily = pd.DataFrame({"small": daily_small, "large": large}, index=days)
        monthly = pd.DataFrame({"small": big + jan_edge, "large": big}, index=months)
        want = yearend.test(daily, monthly, rut, spx, **kw)
        np.testing.assert_allclose(res.years["small_minus_large"].dropna(), want.years["small_minus_large"].dropna(),
                                   rtol=1e-9)
        np.testing.assert_allclose(res.years["jan_small_minus_large"], want.years["jan_small_minus_large"], atol=1e-9)
        assert res.verdict.interval == pytest.approx(want.verdict.interval, rel=1e-9)
        assert set(res.verdict.vintage) == {"me_bm_6_daily", "size_portfolios", "rut", "gspc"}
        assert res.verdict.method.startswith(
            "daily: daily size deciles are not published in the catalog: daily small = average of the 3 small "
            f"(below NYSE median) 2x3 portfolios, large = the 3 big ones; January: size deciles (1, 2, 3) vs "
            f"(8, 9, 10), {weighting.upper()} within decile. compounded daily returns")
    clear_caches()


def test_the_year_after_last_year_keeps_only_its_january():
    rut, spx = _index_paths()
    daily, monthly = _edged_returns()
    res = yearend.test(daily, monthly, rut, spx, first_year=2005, last_year=2022)
    assert res.years.index[-1] == 2023 and res.verdict.n == 18  # 2023's window is in the data, not in the test
    assert res.years.loc[2023, ["start_date", "end_date", "small", "large", "small_minus_large"]].isna().all()
    assert res.years.loc[2023, "jan_small_minus_large"] == pytest.approx(_jan(2023))


def test_interval_and_p_value_follow_the_level_asked_for():
    """The verdict's interval is the t interval at ``level``; its p-value does not depend on the
    level, and the label flips from supported to inconclusive as the level crosses 1 - p."""
    rut, spx = _index_paths()
    daily, monthly = _edged_returns()
    sml = np.array([_edge(y) for y in range(2001, 2025)])
    lower, upper, p = _t_interval(sml, 0.8)
    v = yearend.test(daily, monthly, rut, spx, first_year=2001, level=0.8).verdict
    assert v.interval == pytest.approx((lower, upper), rel=1e-9) and v.interval_level == 0.8
    assert v.interval != pytest.approx(_t_interval(sml, 0.9)[:2], rel=1e-3)  # not the default level's
    assert v.p_value == pytest.approx(p, rel=1e-9) and "80% Student-t interval" in v.rule
    below = yearend.test(daily, monthly, rut, spx, first_year=2001, level=1 - p - 1e-4).verdict
    above = yearend.test(daily, monthly, rut, spx, first_year=2001, level=1 - p + 1e-4).verdict
    assert below.interval[0] > 0 and below.label == "supported"
    assert above.interval[0] < 0 < above.interval[1] and above.label == "inconclusive"
    assert below.p_value == above.p_value == pytest.approx(p, rel=1e-9)

