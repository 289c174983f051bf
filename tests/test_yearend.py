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


# -- display, grid validity, and run / grid_estimate on synthetic index closes ---------------------
# (mutmut's copy of the package cannot reach the real mirror: these reach what only the mirror tests did)

def _scored(**kwargs):
    rut, spx = _index_paths()
    daily, monthly = _synthetic_returns(0.05)
    return yearend.test(daily, monthly, rut, spx, reps=200, **{"rut_target": 3500.0, "spx_target": 5900.0, **kwargs})


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
    early = yearend.test(daily, monthly, rut_s, spx_s, reps=200).conclusion()
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
    none = yearend.test(daily, monthly, rut_s, spx_s, reps=200, first_history_year=2030)  # no past years
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
    from research import stats
    from research.data.sizes import RUSSELL

    rut, spx = russell_closes
    sml = _by_hand(rut, spx, 10, 14).loc[2010:2024]  # 15 years: exactly min_years
    out = yearend.grid_estimate(size=RUSSELL, freq="daily", weighting="vw", window_start="10-14", first_year=2010,
                                clear_majority=0.6)
    assert out["n"] == 15 and out["sample"] == "2010-2024"
    assert out["estimate"] == pytest.approx(sml.mean(), rel=1e-6)
    assert out["share_small_won"] == pytest.approx((sml > 0).mean())
    lower, upper, p = stats.percentile_bootstrap(out_sml := sml.to_numpy(), reps=1000, level=0.90)
    assert (out["lower"], out["upper"], out["p_value"]) == pytest.approx((lower, upper, p), rel=1e-4)
    assert lower > 0 and (out_sml > 0).mean() >= 0.6 and out["label"] == "supported"
    assert yearend.grid_estimate(size=RUSSELL, freq="daily", weighting="vw", window_start="10-14",
                                 first_year=2010, clear_majority=0.6, min_years=16)["label"] == "inconclusive"
    wide = yearend.grid_estimate(size=RUSSELL, freq="daily", weighting="vw", window_start="10-01", first_year=2000,
                                 clear_majority=0.6, last_year=2025, reps=500, level=0.5)
    all_years = _by_hand(rut, spx, 10, 1)
    assert wide["n"] == 26 and wide["estimate"] == pytest.approx(all_years.mean(), rel=1e-6)
    assert (wide["lower"], wide["upper"]) == pytest.approx(
        stats.percentile_bootstrap(all_years.to_numpy(), reps=500, level=0.5)[:2], rel=1e-4)
    empty = yearend.grid_estimate(size=RUSSELL, freq="daily", weighting="vw", window_start="10-14",
                                  first_year=2030, clear_majority=0.6)
    assert (empty["n"], empty["label"], empty["sample"]) == (0, "inconclusive", "empty")
    assert all(np.isnan(empty[k]) for k in ("estimate", "lower", "upper", "p_value", "share_small_won"))


def test_run_on_synthetic_russell_closes(russell_closes):
    rut, spx = russell_closes
    res = yearend.run(small_large="russell", reps=300, first_year=2001, forecast_date="2024-10-14",
                      target_date="2024-12-31", rut_target=2000.0, spx_target=1500.0)
    daily = pd.concat({"small": rut, "large": spx}, axis=1).pct_change().mul(100).iloc[1:]
    month_end = pd.concat({"small": rut, "large": spx}, axis=1).resample("ME").last()
    monthly = month_end.pct_change().mul(100).iloc[1:]
    want = yearend.test(daily, monthly, rut, spx, reps=300, first_year=2001, forecast_date="2024-10-14",
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
