"""C4 (froth): the junk gauge against hand compounding, percentile ranks on toy series, each
verdict branch, and the real data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from research import stats
from research.claims import froth
from research.errors import ParameterError
from research.verdict import LABELS


def french_25_columns(kind: str) -> list[str]:
    """Column names as French publishes the 25 size x OP (or INV) portfolios."""
    corner = {(1, 1): "SMALL Lo", (1, 5): "SMALL Hi", (5, 1): "BIG Lo", (5, 5): "BIG Hi"}
    return [f"{corner[(s, g)]}{kind}" if (s, g) in corner else f"ME{s} {kind}{g}"
            for s in range(1, 6) for g in range(1, 6)]


def portfolios(n: int = 240, seed: int = 5, hot_months: int = 0, end: str | None = None):
    """25 OP and 25 INV portfolios; the last ``hot_months`` months have junk far ahead of quality."""
    rng = np.random.default_rng(seed)
    idx = (pd.date_range(end=end, periods=n, freq="ME") if end
           else pd.date_range("1990-01-31", periods=n, freq="ME"))
    op = pd.DataFrame(rng.normal(1.0, 4.0, (n, 25)), index=idx, columns=french_25_columns("OP"))
    inv = pd.DataFrame(rng.normal(1.0, 4.0, (n, 25)), index=idx, columns=french_25_columns("INV"))
    if hot_months:
        op.iloc[-hot_months:, op.columns.get_loc("SMALL LoOP")] = 15.0
        op.iloc[-hot_months:, op.columns.get_loc("SMALL HiOP")] = -5.0
        inv.iloc[-hot_months:, inv.columns.get_loc("SMALL HiINV")] = 15.0
        inv.iloc[-hot_months:, inv.columns.get_loc("SMALL LoINV")] = -5.0
    return op, inv


# -- building blocks -----------------------------------------------------------------------------------

def test_expanding_percentile_on_a_toy_series():
    x = pd.Series([1.0, 3.0, 2.0, 5.0, 4.0])
    assert froth.expanding_percentile(x).tolist() == pytest.approx([1, 1, 2 / 3, 1, 4 / 5])
    masked = froth.expanding_percentile(x, min_history=3)
    assert masked.iloc[:2].isna().all() and masked.iloc[2] == pytest.approx(2 / 3)
    # the last value agrees with the shared percentile rank over the whole history
    assert masked.iloc[-1] == pytest.approx(stats.percentile_rank(x, x.iloc[-1]))


def test_expanding_percentile_counts_ties_and_skips_gaps():
    x = pd.Series([2.0, np.nan, 2.0, 1.0])
    out = froth.expanding_percentile(x)
    assert np.isnan(out.iloc[1])
    assert out.iloc[2] == pytest.approx(1.0) and out.iloc[3] == pytest.approx(1 / 3)


def test_gauge_is_hand_compounded_junk_minus_quality():
    idx = pd.date_range("2025-01-31", periods=4, freq="ME")
    legs = pd.DataFrame({"weak": [1.0, 2.0, -1.0, 4.0], "robust": [0.5, 0.5, 0.5, -2.0],
                         "aggressive": [0.0, 0.0, 0.0, 0.0], "conservative": [1.0, 1.0, 1.0, 1.0]},
                        index=idx)
    g = froth.junk_gauge(legs, windows=(3,))
    weak = (1.02 * 0.99 * 1.04 - 1) * 100
    robust = (1.005 * 1.005 * 0.98 - 1) * 100
    assert g["weak_minus_robust_3m"].iloc[-1] == pytest.approx(weak - robust)
    assert g["aggressive_minus_conservative_3m"].iloc[-1] == pytest.approx(-(1.01 ** 3 - 1) * 100)
    assert g["weak_minus_robust_3m"].iloc[:2].isna().all()


def test_small_cap_legs_pick_the_corner_portfolios():
    op, inv = portfolios(n=5)
    legs = froth.small_cap_legs(op, inv)
    assert legs["weak"].tolist() == op["SMALL LoOP"].tolist()
    assert legs["robust"].tolist() == op["SMALL HiOP"].tolist()
    assert legs["aggressive"].tolist() == inv["SMALL HiINV"].tolist()
    assert legs["conservative"].tolist() == inv["SMALL LoINV"].tolist()
    two = froth.small_cap_legs(op, inv, size_quintiles=(1, 2))
    assert two["weak"].to_numpy() == pytest.approx(op[["SMALL LoOP", "ME2 OP1"]].mean(axis=1).to_numpy())


def test_top_episodes_group_consecutive_months():
    idx = pd.date_range("2000-01-31", periods=8, freq="ME")
    value = pd.Series([1, 5, 6, 2, 1, 1, 7, 3], index=idx, dtype=float)
    pct = pd.Series([0.1, 0.95, 0.97, 0.5, 0.2, 0.2, 0.99, 0.5], index=idx)
    ep = froth.top_episodes(value, pct, threshold=0.9, max_gap=0)
    assert len(ep) == 2
    assert ep.loc[0, "start"] == idx[1] and ep.loc[0, "end"] == idx[2] and ep.loc[0, "months"] == 2
    assert ep.loc[0, "peak_date"] == idx[2] and ep.loc[1, "peak_value"] == 7
    assert froth.top_episodes(value, pct * 0).empty


# -- verdict rule ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("pct", "history", "label"), [
    ([0.99, 0.95, 0.92, 0.91], [400] * 4, "supported"),
    ([0.99, 0.95, 0.89, 0.50], [400] * 4, "mixed"),
    ([0.80, 0.50, 0.89, 0.10], [400] * 4, "contradicted"),
    ([0.99, 0.99, 0.99, 0.99], [60] * 4, "inconclusive"),  # too little history to rank
    ([0.99, float("nan")], [400, 400], "inconclusive"),
])
def test_froth_label_branches(pct, history, label):
    assert froth.froth_label(pct, history=history, min_history=120) == label


def test_planted_froth_is_supported_and_read_at_the_last_month_end_before_the_article():
    op, inv = portfolios(hot_months=6, end="2025-09-30")
    result = froth.test(op, inv, as_of="2025-10-15", start="2006-01-31", path_start="2024-01-31")
    v, sectors = result.verdicts
    assert v.label == "supported" and v.aspect == "junk leadership"
    assert result.spec["month"] == "2025-09"
    assert v.sample.endswith("2025-09")
    # 237 months from 2006-01, so 235 three-month windows; the last 4 lie wholly in the hot
    # months and tie at the maximum
    assert v.statistic == pytest.approx(100.0) and v.p_value == pytest.approx(4 / 235)
    assert v.n == 235 // 3
    assert sectors.label == "not testable" and "ETF" in sectors.note
    row = result.table.loc["weak_minus_robust_3m"]
    assert row["value"] == pytest.approx((1.15 ** 3 - 0.95 ** 3) * 100)
    assert row["history_months"] == 235
    assert result.path.index.min() >= pd.Timestamp("2024-01-31")
    assert set(result.path["gauge"]) == set(result.table.index)


def test_no_froth_is_contradicted():
    op, inv = portfolios(end="2025-09-30")
    last = op.index[-3:]  # junk far behind quality over the last three months
    op.loc[last, "SMALL LoOP"], op.loc[last, "SMALL HiOP"] = -10.0, 10.0
    inv.loc[last, "SMALL HiINV"], inv.loc[last, "SMALL LoINV"] = -10.0, 10.0
    result = froth.test(op, inv, as_of="2025-10-15", start="2006-01-31")
    assert result.verdicts[0].label == "contradicted"
    assert (result.table["percentile"] < 0.9).all()


def test_daily_cross_check_at_the_exact_date():
    op, inv = portfolios(hot_months=6, end="2025-09-30")
    days = pd.bdate_range("2024-01-01", "2025-10-31")
    daily = pd.DataFrame({"RMW": 0.0, "CMA": 0.0}, index=days)
    daily.loc["2025-10-01":, "RMW"] = -1.0
    result = froth.test(op, inv, as_of="2025-10-15", daily_factors=daily, daily_windows=(5,))
    prof = result.daily_check.loc[(froth.DAILY_LEGS["profitability"][1], 5)]
    assert prof["date"] == "2025-10-15"
    assert prof["value"] == pytest.approx((1.01 ** 5 - 1) * 100)
    assert prof["percentile"] == pytest.approx(1.0)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"windows": [0]}, "positive whole months"),
    ({"spreads": ["leverage"]}, "unknown gauge legs"),
    ({"threshold": 0.3}, "top"),
    ({"as_of": "2030-01-15"}, "no 25-portfolio returns"),
    ({"as_of": "yesterday-ish"}, "ISO date"),
    ({"weak": [1], "robust": [1]}, "overlap"),
])
def test_bad_parameters_say_what_to_fix(kwargs, message):
    op, inv = portfolios(end="2025-09-30")
    with pytest.raises(ParameterError, match=message):
        froth.test(op, inv, **{"start": "2006-01-31", **kwargs})


# -- real data ------------------------------------------------------------------------------------------

@pytest.mark.mirror
def test_run_on_the_mirror():
    result = froth.run()
    v, sectors = result.verdicts
    assert v.label in LABELS and sectors.label == "not testable"
    assert v.sample == "1963-07..2025-09" and v.n > 200
    assert 0 <= v.statistic <= 100 and 0 < v.p_value <= 1
    assert len(result.table) == 4 and result.table["history_months"].min() > 700
    assert result.path.index.min() >= pd.Timestamp("2020-01-31")
    assert result.daily_check["date"].eq("2025-10-15").all()


@pytest.mark.mirror
@pytest.mark.parametrize(("spec", "both_sides"), [
    ({"leg": "profitability", "window": 12, "weighting": "vw", "small_caps": "q1",
      "junk_cells": "extreme quintiles", "start": 1963}, True),  # 95.0th percentile
    ({"leg": "investment", "window": 3, "weighting": "vw", "small_caps": "q1",
      "junk_cells": "extreme quintiles", "start": 1963}, True),  # 90.5th
    ({"leg": "investment", "window": 12, "weighting": "ew", "small_caps": "q1-2",
      "junk_cells": "two quintiles each side", "start": 1987}, False),
    ({"leg": "profitability", "window": 1, "weighting": "ew", "small_caps": "q1",
      "junk_cells": "two quintiles each side", "start": 1987}, False),
])
def test_grid_estimate_agrees_with_test_at_every_threshold(spec, both_sides):
    """The lean grid estimate (one gauge, shared by the thresholds) gives the row of the full
    ``test``, on both sides of the thresholds."""
    from research.claims.base import START_DATES
    from research.data.sizes import clear_caches, french

    clear_caches()
    w = spec["weighting"]
    labels = set()
    for threshold in (0.8, 0.9, 0.95):
        cells = froth._JUNK_CELLS[spec["junk_cells"]]
        v = froth.test(french("me_op_25", f"{w}_monthly"), french("me_inv_25", f"{w}_monthly"),
                       windows=(spec["window"],), spreads=(spec["leg"],), start=START_DATES[spec["start"]],
                       threshold=threshold, size_quintiles=froth._QUINTILES[spec["small_caps"]],
                       **cells).verdict
        row = froth.grid_estimate(**spec, threshold=threshold)
        assert (row["estimate"], row["p_value"], row["n"], row["sample"], row["label"]) == (
            v.statistic, v.p_value, v.n, v.sample, v.label)
        labels.add(row["label"])
    assert froth._grid_gauge.cache_info().misses == 1  # one gauge served the three thresholds
    if both_sides:  # the reading lies between two thresholds
        assert labels == {"supported", "contradicted"}
