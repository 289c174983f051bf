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
    result = yearend.test(daily, monthly, rut, spx, last_year=2024, reps=2000)
    v = result.verdict
    assert v.label == "supported" and v.n == 35 and v.claim == "C7"
    assert v.statistic == pytest.approx(result.years.loc[:2024, "small_minus_large"].mean())
    assert result.years.loc[2025, ["small_minus_large"]].isna().all()
    assert not pd.isna(result.years.loc[2025, "jan_small_minus_large"])
    daily, monthly = _synthetic_returns(-0.05)
    assert yearend.test(daily, monthly, rut, spx, reps=2000).verdict.label == "contradicted"
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
