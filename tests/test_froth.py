"""C4 (froth): the junk gauge against hand compounding, percentile ranks on toy series, each
verdict branch, and the real data."""

from __future__ import annotations

import dataclasses
import math

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
    assert (sectors.claim, sectors.aspect, sectors.hypothesis) == ("C4", "named sectors", froth.SECTOR_HYPOTHESIS)
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
    # the test is one-sided (share of history at or above the reading): a gauge at the bottom of
    # its history shows no froth, but the headline never says more than "contradicted, fragile",
    # even with no other claim to adjust for and the whole curve agreeing (docs/claims.md, C4)
    from research.verdict import reconcile

    v = result.verdicts[0]
    assert v.p_value == 1.0 and v.test_level == pytest.approx(0.1)
    curve = {"valid": 100, "share_contradicted": 1.0, "share_supported": 0.0}
    assert reconcile(v, v.p_value, curve).label == "contradicted, fragile"


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


def test_daily_cross_check_history_starts_with_the_start_months_first_day():
    """The monthly gauge counts the start month; the daily history must too (not from its last day)."""
    op, inv = portfolios(end="2025-09-30")
    days = pd.bdate_range("2023-11-01", "2025-10-31")
    daily = pd.DataFrame({"RMW": 0.0, "CMA": 0.0}, index=days)
    result = froth.test(op, inv, as_of="2025-10-15", start="2024-01-31", daily_factors=daily, daily_windows=(5,))
    row = result.daily_check.loc[(froth.DAILY_LEGS["investment"][1], 5)]
    # weekdays 2024-01-01 .. 2025-10-15 by hand: 2024 has 52 weeks and a Monday and Tuesday (262), and
    # 2025-01-01 (a Wednesday) .. 10-15 is 288 days, 41 weeks and a Wednesday (206); none from 2023.
    # A 5-day window needs 4 days before its first reading.
    assert row["history_days"] == 262 + 206 - 4


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"windows": [0]}, "positive whole months"),
    ({"spreads": ["leverage"]}, "unknown gauge legs"),
    ({"spreads": ["profitability", "leverage"]}, r"unknown gauge legs \['leverage'\]; choose from"),
    ({"threshold": 0.3}, "top"),
    ({"as_of": "2030-01-15"}, "no 25-portfolio returns"),
    ({"as_of": "yesterday-ish"}, "^as_of must be an ISO date such as '2025-10-15', got 'yesterday-ish'$"),
    ({"weak": [1], "robust": [1]}, "^the junk and quality quintiles of a leg overlap; pick distinct ones$"),
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


# -- display, boundaries, and run / grid_estimate on synthetic publisher files ---------------------
# (mutmut's copy of the package cannot reach the real mirror: these reach what only the mirror tests did)

MONTHS = pd.date_range("1963-07-31", "2025-09-30", freq="ME")


def _hand_gauge(long: pd.Series, short: pd.Series, w: int) -> pd.Series:
    """Junk minus quality compounded over ``w`` months, by hand (products of gross returns)."""
    def comp(r):
        gross = 1 + r / 100
        return pd.Series([np.prod(gross.iloc[i - w + 1:i + 1]) if i >= w - 1 else np.nan
                          for i in range(len(r))], index=r.index)
    return (comp(long) - comp(short)) * 100


def _hand_rank(history: pd.Series) -> tuple[float, float]:
    """Percentile of the last value in ``history`` and the share at or above it, by counting."""
    h = history.dropna().to_numpy()
    return float(np.sum(h <= h[-1]) / len(h)), float(np.sum(h >= h[-1]) / len(h))


@pytest.fixture
def froth_publishers(isolated_data):
    """French's 25 size x OP and size x INV files (vw and ew, 1963-07..2025-09, 2-decimal
    percent) and the daily five factors 2024-01..2025-10 in a temporary mirror. In size quintiles 1
    and 2, the junk cells (OP 1-2, INV 4-5) beat their mirror-image quality cells (OP 5-4, INV
    1-2) by 3 and 2 pp a month over the last three months (vw), by 1.5 and 1 pp over the last
    twelve (ew)."""
    from synthetic_monthly import columns_25, hundredths, write_25, write_ff5_daily

    from research.data.sizes import clear_caches

    rng = np.random.default_rng(44)
    frames = {}
    for kind in ("OP", "INV"):
        for w in ("vw", "ew"):
            frames[kind, w] = pd.DataFrame(hundredths(rng, 1.0, 4.0, (len(MONTHS), 25)), index=MONTHS,
                                           columns=columns_25(kind)).rename_axis("date")
    for w, months, gap in (("vw", MONTHS[-3:], 3.0), ("ew", MONTHS[-12:], 1.5)):
        for size in (1, 2):  # junk cells = mirror-image quality cells + gap
            for junk, quality in ((1, 5), (2, 4)):
                op, inv = frames["OP", w], frames["INV", w]
                op.loc[months, columns_for("OP", size, junk)] = op.loc[months, columns_for("OP", size, quality)] + gap
                inv.loc[months, columns_for("INV", size, quality)] = (
                    inv.loc[months, columns_for("INV", size, junk)] + gap * 2 / 3)
    frames = {k: f.round(2) for k, f in frames.items()}
    for kind in ("OP", "INV"):
        write_25(isolated_data.mirror, kind, frames[kind, "vw"], frames[kind, "ew"])
    days = pd.bdate_range("2024-01-01", "2025-10-31", name="date")
    daily = pd.DataFrame(hundredths(rng, 0.0, 0.5, (len(days), 6)), index=days,
                         columns=["Mkt-RF", "SMB", "HML", "RMW", "CMA", "RF"])
    write_ff5_daily(isolated_data.mirror, daily)
    clear_caches()
    yield {**frames, "daily": daily}
    clear_caches()


def test_run_reads_the_25_portfolio_files_and_the_daily_factors(froth_publishers):
    f = froth_publishers
    got = froth.run(daily_windows=(21,))
    want = froth.test(f["OP", "vw"], f["INV", "vw"], daily_factors=f["daily"], daily_windows=(21,),
                      weighting="vw")
    pd.testing.assert_frame_equal(got.table, want.table)
    pd.testing.assert_frame_equal(got.daily_check, want.daily_check)
    v = got.verdict
    assert v.vintage == {"me_op_25": "202510", "me_inv_25": "202510", "ff5_factors_daily": "202510"}
    assert v.sample == "1963-07..2025-09" and ", VW)" in v.method
    # the headline gauge by hand: weak minus robust small caps over 2025-07..09, ranked since 1963-07
    hand = _hand_gauge(f["OP", "vw"]["SMALL LoOP"], f["OP", "vw"]["SMALL HiOP"], 3)
    pct, share = _hand_rank(hand)
    assert got.table.loc["weak_minus_robust_3m", "value"] == pytest.approx(hand.iloc[-1], rel=1e-12)
    assert v.statistic == pytest.approx(100 * pct) and v.p_value == pytest.approx(share)
    assert v.n == 745 // 3 and got.table.loc["weak_minus_robust_3m", "history_months"] == 745
    assert v.n_note == "of 745 monthly readings; n counts non-overlapping 3-month windows"
    # a reading exactly at the threshold is in the top (the table's flag and the label agree)
    at = froth.test(f["OP", "vw"], f["INV", "vw"], windows=(3,), spreads=("profitability",), threshold=pct)
    assert bool(at.table["top_decile"].iloc[0]) and at.verdict.label == "supported"
    assert at.verdict.note.startswith("1 of 1 gauges")
    above = froth.test(f["OP", "vw"], f["INV", "vw"], windows=(3,), spreads=("profitability",),
                       threshold=pct + 1e-9)
    assert not above.table["top_decile"].iloc[0] and above.verdict.label == "contradicted"
    # the daily check reads -RMW and -CMA over the last 21 trading days to 2025-10-15
    rmw = f["daily"].loc[:"2025-10-15", "RMW"].iloc[-21:]
    check = got.daily_check.loc[(froth.DAILY_LEGS["profitability"][1], 21)]
    assert check["value"] == pytest.approx((np.prod(1 - rmw / 100) - 1) * 100, rel=1e-12)
    assert check["date"] == "2025-10-15"
    cma = f["daily"].loc[:"2025-10-15", "CMA"].iloc[-21:]
    inv = got.daily_check.loc[(froth.DAILY_LEGS["investment"][1], 21)]
    assert inv["value"] == pytest.approx((np.prod(1 - cma / 100) - 1) * 100, rel=1e-12)


def test_run_equal_weighted_and_without_the_daily_check(froth_publishers):
    f = froth_publishers
    ew = froth.run(weighting="ew", daily_check=False)
    want = froth.test(f["OP", "ew"], f["INV", "ew"])
    pd.testing.assert_frame_equal(ew.table, want.table)
    assert ew.daily_check.empty and ew.spec["weighting"] == "ew"
    assert ew.verdict.vintage == {"me_op_25": "202510", "me_inv_25": "202510"}
    assert ", EW)" in ew.verdict.method
    vw = froth.run(daily_check=False)
    assert vw.table.loc["weak_minus_robust_3m", "value"] != pytest.approx(
        ew.table.loc["weak_minus_robust_3m", "value"])
    with pytest.raises(ParameterError, match="weighting must be 'vw' or 'ew'"):
        froth.run(weighting="VW")


@pytest.mark.parametrize("spec", [
    {"leg": "profitability", "window": 3, "weighting": "vw", "small_caps": "q1",
     "junk_cells": "extreme quintiles", "start": 1963},
    {"leg": "investment", "window": 6, "weighting": "vw", "small_caps": "q1-2",
     "junk_cells": "two quintiles each side", "start": 1987},
    {"leg": "profitability", "window": 12, "weighting": "ew", "small_caps": "q1",
     "junk_cells": "two quintiles each side", "start": 1987},
])
def test_grid_estimate_by_hand_on_both_sides_of_its_threshold(froth_publishers, spec):
    """The grid's gauge compounded and ranked by hand from the files' cells, labelled at a
    threshold equal to its percentile (supported: at or above) and just over it (contradicted)."""
    f = froth_publishers
    leg = froth.LEGS[spec["leg"]]
    frame = f[leg.kind, spec["weighting"]]
    sizes = froth._QUINTILES[spec["small_caps"]]
    cells = froth._JUNK_CELLS[spec["junk_cells"]]
    first = pd.Timestamp("1963-07-31" if spec["start"] == 1963 else "1987-10-31")

    def side(groups):
        cols = [columns_for(leg.kind, s, g) for s in sizes for g in groups]
        return frame.loc[first:, cols].mean(axis=1)

    hand = _hand_gauge(side(cells[leg.long]), side(cells[leg.short]), spec["window"])
    pct, share = _hand_rank(hand)
    assert 0.5 <= pct < 1
    months = len(hand.dropna())
    for threshold, label in ((pct, "supported"), (pct + 1e-9, "contradicted")):
        froth._grid_gauge.cache_clear()
        row = froth.grid_estimate(**spec, threshold=threshold)
        assert row["label"] == label
        assert row["estimate"] == pytest.approx(100 * pct) and row["p_value"] == pytest.approx(share)
        assert row["n"] == months // spec["window"]
        assert row["sample"] == f"{first:%Y-%m}..2025-09"
        assert math.isnan(row["lower"]) and math.isnan(row["upper"])
    # the thresholds share one gauge
    froth._grid_gauge.cache_clear()
    for threshold in (0.8, 0.9, 0.95):
        froth.grid_estimate(**spec, threshold=threshold)
    assert froth._grid_gauge.cache_info().misses == 1
    # too little history for the default 120 months, enough for 12
    assert froth.grid_estimate(**spec, threshold=0.9, min_history=months + 1)["label"] == "inconclusive"
    assert froth.grid_estimate(**spec, threshold=0.9, min_history=months)["label"] != "inconclusive"


def test_the_default_minimum_history_is_120_months(froth_publishers):
    """From 1987-10, a one-month gauge has 120 months of history at 1997-09 and 119 at 1997-08."""
    spec = {"leg": "profitability", "window": 1, "weighting": "vw", "small_caps": "q1",
            "junk_cells": "extreme quintiles", "start": 1987, "threshold": 0.5}
    enough = froth.grid_estimate(**spec, as_of="1997-09-30")
    assert enough["n"] == 120 and enough["label"] != "inconclusive"
    assert froth.grid_estimate(**spec, as_of="1997-09-29")["label"] == "inconclusive"
    run = {"windows": (1,), "spreads": ("profitability",), "start": "1987-10-31", "daily_check": False,
           "threshold": 0.5}
    assert froth.run(**run, as_of="1997-09-30").verdict.label != "inconclusive"
    assert froth.run(**run, as_of="1997-08-31").verdict.label == "inconclusive"


def columns_for(kind: str, size: int, group: int) -> str:
    """French's name of the size x ``kind`` cell, corners included (read off the files)."""
    from synthetic_monthly import columns_25

    return columns_25(kind)[5 * (size - 1) + group - 1]


def test_conclusion_states_the_planted_readings():
    op, inv = portfolios(hot_months=6, end="2025-09-30")
    text = froth.test(op, inv, as_of="2025-10-15", start="2006-01-31").conclusion().splitlines()
    # 235 three-month gauges from 2006-01; the last four tie at the maximum (see above)
    assert text[0].startswith("**junk leadership: supported.** 4 of 4 gauges are in the top 10% at 2025-09")
    assert text[2] == ("- Statistic: percentile of the weak_minus_robust_3m gauge in its history: "
                       "**100.0th percentile**")
    assert text[3] == "- Empirical p-value (share of past months at or above the reading): 0.017"
    assert text[4] == "- n = 78 non-overlapping 3-month windows of history (2006-01..2025-09); vintage ."
    assert text[6].startswith("**named sectors: not testable.** The catalog sorts stocks")
    assert len(text) == 7 and text[1] == text[5] == ""
    six = froth.test(op, inv, start="2006-01-31", windows=(6, 3), vintage={"me_op_25": "202510", "me_inv_25": "x"})
    assert "n = 38 non-overlapping 6-month windows" in six.conclusion()  # 232 six-month gauges
    assert "vintage me_op_25 202510, me_inv_25 x." in six.conclusion()


def test_largest_episodes_by_peak_with_months_as_text():
    d = pd.to_datetime(["2001-01-31", "2001-03-31", "2001-02-28", "2008-05-31", "2008-09-30", "2008-07-31",
                        "2020-03-31", "2020-03-31", "2020-03-31"])
    episodes = pd.DataFrame({"start": d[::3], "end": d[1::3], "months": [3, 5, 1],
                             "peak_date": d[2::3], "peak_value": [4.0, 9.0, 6.5]})
    result = froth.FrothResult(verdicts=(), table=pd.DataFrame(), path=pd.DataFrame(), gauges=pd.DataFrame(),
                               episodes=episodes, daily_check=pd.DataFrame())
    top = result.largest_episodes(2)
    assert top.index.tolist() == ["2008-05", "2020-03"] and top.index.name == "start"
    assert top["end"].tolist() == ["2008-09", "2020-03"] and top["peak_date"].tolist() == ["2008-07", "2020-03"]
    assert top["peak_value"].tolist() == [9.0, 6.5] and top["months"].tolist() == [5, 1]
    assert len(result.largest_episodes()) == 3
    many = pd.DataFrame({"start": pd.date_range("2001-01-31", periods=11, freq="YE"), "months": 1,
                         "peak_value": np.arange(11.0)}).assign(end=lambda d: d["start"], peak_date=lambda d: d["start"])
    top10 = dataclasses.replace(result, episodes=many).largest_episodes()  # ten by default
    assert len(top10) == 10 and top10["peak_value"].min() == 1.0


def test_the_table_row_path_and_spec_by_hand():
    op, inv = portfolios(n=200, end="2025-09-30", seed=8)
    res = froth.test(op, inv, start="2010-01-31", path_start="2025-06-30", threshold=0.8, min_history=12,
                     windows=(2,), spreads=("investment",))
    hand = _hand_gauge(inv.loc["2010-01-31":, "SMALL HiINV"], inv.loc["2010-01-31":, "SMALL LoINV"], 2)
    pct, share = _hand_rank(hand)
    row = res.table.loc["aggressive_minus_conservative_2m"]
    assert row["value"] == pytest.approx(hand.iloc[-1]) and row["percentile"] == pytest.approx(pct)
    assert row["share_at_or_above"] == pytest.approx(share) and row["top_decile"] == (pct >= 0.8)
    assert row["history_months"] == 188 and row["history"] == "2010-02..2025-09"  # 189 months, 188 gauges
    assert row["max_before"] == pytest.approx(hand.iloc[:-1].max())
    assert res.path.index.tolist() == list(pd.date_range("2025-06-30", periods=4, freq="ME"))
    assert (res.path["leg"] == "aggressive minus conservative investment").all()
    assert (res.path["window"] == "2 months").all()
    assert res.path["value"].tolist() == pytest.approx(hand.iloc[-4:].tolist())
    assert res.spec == {"as_of": "2025-10-15", "month": "2025-09", "windows": [2], "spreads": ["investment"],
                        "start": "2010-01-31", "path_start": "2025-06-30", "threshold": 0.8, "min_history": 12,
                        "weighting": "", "size_quintiles": [1], "weak": [1], "robust": [5], "aggressive": [5],
                        "conservative": [1]}
    v = res.verdict
    assert v.rule == froth.rule_text(0.8, 12) and "top 20% of its own history" in v.rule
    assert "fewer than 12 months" in v.rule and v.hypothesis == froth.HYPOTHESIS
    assert v.claim == "C4" and v.n == 188 // 2 and v.vintage == {}
    assert v.note.endswith(f"the headline aggressive_minus_conservative_2m reading is {hand.iloc[-1]:+.1f} "
                           "percentage points.")
    assert f"aggressive_minus_conservative_2m {pct:.1%}" in v.note


def test_an_article_on_a_month_end_reads_that_month():
    op, inv = portfolios(end="2025-09-30")
    assert froth.test(op, inv, as_of="2025-09-30", start="2006-01-31").spec["month"] == "2025-09"
    assert froth.test(op, inv, as_of="2025-09-29", start="2006-01-31").spec["month"] == "2025-08"
    with pytest.raises(ParameterError, match="start 2025-08-15 must come before the article month 2025-08"):
        froth.test(op, inv, as_of="2025-09-29", start="2025-08-15")
    with pytest.raises(ParameterError, match="start must be an ISO date"):
        froth.test(op, inv, start="soon")


@pytest.mark.parametrize(("pct", "history", "label"), [
    ([0.90, 0.90], [120, 120], "supported"),          # at the threshold counts as top
    ([0.90, 0.8999], [120, 120], "mixed"),
    ([0.90, 0.90], [120, 119], "inconclusive"),       # one gauge a month short
    ([], [], "inconclusive"),
])
def test_froth_label_at_its_boundaries(pct, history, label):
    assert froth.froth_label(pct, history=history or None) == label


def test_expanding_percentile_from_exactly_min_history():
    x = pd.Series([3.0, 1.0, 2.0, 4.0], index=pd.date_range("2000-01-31", periods=4, freq="ME"), name="g")
    out = froth.expanding_percentile(x, min_history=3)
    assert out.iloc[:2].isna().all() and out.iloc[2] == pytest.approx(2 / 3) and out.iloc[3] == 1.0
    assert out.name == "g" and out.index.equals(x.index)


def test_top_episodes_bridge_gaps_of_max_gap_months_only():
    idx = pd.date_range("2000-01-31", periods=9, freq="ME")
    value = pd.Series([1, 5, 1, 6, 1, 1, 8, 2, 1], index=idx, dtype=float)
    pct = pd.Series([0.9, 0.95, 0.5, 0.97, 0.1, 0.2, 0.99, 0.8999, 0.2], index=idx)
    one = froth.top_episodes(value, pct)  # max_gap 1: months 0-3 are one run, month 6 another
    assert one["start"].tolist() == [idx[0], idx[6]] and one["end"].tolist() == [idx[3], idx[6]]
    assert one["months"].tolist() == [3, 1] and one["peak_date"].tolist() == [idx[3], idx[6]]
    assert one["peak_value"].tolist() == [6.0, 8.0]
    two = froth.top_episodes(value, pct, max_gap=2)  # the two-month gap 4-5 is bridged too
    assert len(two) == 1 and two["months"].iloc[0] == 4 and two["end"].iloc[0] == idx[6]
    unknown = froth.top_episodes(value, pct.where(pct.index != idx[6]))  # no rank yet: not hot
    assert unknown["start"].tolist() == [idx[0]]
    empty = froth.top_episodes(value, pct, threshold=0.995)
    assert empty.empty and list(empty.columns) == ["start", "end", "months", "peak_date", "peak_value"]


@pytest.mark.parametrize(("kwargs", "ok"), [
    ({"threshold": 0.5}, True), ({"threshold": 0.4999}, False), ({"threshold": 0.9999}, True),
    ({"threshold": 1.0}, False), ({"min_history": 12}, True), ({"min_history": 11}, False),
    ({"windows": [1]}, True), ({"windows": [np.int64(2)]}, True), ({"windows": [1.5]}, False),
    ({"windows": []}, False), ({"spreads": []}, False),
    ({"size_quintiles": [5]}, True), ({"size_quintiles": [6]}, False), ({"size_quintiles": [0]}, False),
    ({"size_quintiles": []}, False), ({"weak": [1.5]}, False),
    ({"aggressive": [4], "conservative": [4]}, False), ({"aggressive": [4], "conservative": [3]}, True),
])
def test_parameter_boundaries(kwargs, ok):
    op, inv = portfolios(end="2025-09-30")
    if ok:
        froth.test(op, inv, start="2006-01-31", **kwargs)
    else:
        with pytest.raises(ParameterError):
            froth.test(op, inv, start="2006-01-31", **kwargs)


def test_daily_check_reads_from_start_and_skips_windows_longer_than_the_history():
    op, inv = portfolios(end="2025-09-30")
    days = pd.bdate_range("2025-08-01", "2025-10-31")
    daily = pd.DataFrame({"RMW": 0.5, "CMA": -0.5}, index=days)
    daily.loc[["2025-08-28", "2025-09-03", "2025-09-04"], "RMW"] = -2.0
    daily.loc["2025-10-15", "RMW"] = 1.0  # the reading: junk -1% on the day, below every other window
    res = froth.test(op, inv, start="2025-08-15", windows=(1,), daily_factors=daily, daily_windows=(55, 3))
    # history from the start month's first day, 2025-08-01, to 10-15: 21 + 22 + 11 = 54 trading days,
    # so no 55-day window; 52 three-day windows, the last the lowest (those holding a -2.0 day are higher)
    assert res.daily_check.index.get_level_values("window_days").tolist() == [3, 3]
    prof = res.daily_check.loc[(froth.DAILY_LEGS["profitability"][1], 3)]
    assert prof["history_days"] == 52 and prof["value"] == pytest.approx((0.995 ** 2 * 0.99 - 1) * 100)
    assert prof["percentile"] == pytest.approx(1 / 52)
    inv_row = res.daily_check.loc[(froth.DAILY_LEGS["investment"][1], 3)]
    assert inv_row["value"] == pytest.approx((1.005 ** 3 - 1) * 100) and inv_row["percentile"] == 1.0


def test_daily_check_is_empty_when_every_window_is_longer_than_the_history():
    op, inv = portfolios(end="2025-09-30")
    days = pd.bdate_range("2025-09-01", "2025-10-31")
    daily = pd.DataFrame({"RMW": 0.5, "CMA": -0.5}, index=days)
    # from the start month 2025-08 (these data begin 09-01) to 10-15: 33 trading days, fewer than either window
    res = froth.test(op, inv, start="2025-08-15", windows=(1,), daily_factors=daily, daily_windows=(34, 40))
    assert res.daily_check.empty and res.verdict.label in LABELS
    assert len(froth.test(op, inv, start="2025-08-15", windows=(1,), daily_factors=daily,
                          daily_windows=(33,)).daily_check) == 2


def test_run_passes_every_option_to_test(froth_publishers):
    """Every option of ``run`` reaches ``test``: the whole result equals ``test`` on the same files
    with the same options, none of them the default."""
    f = froth_publishers
    opts = dict(as_of="2025-06-15", windows=(2, 4), spreads=("investment", "profitability"), start="1970-01-31",
                path_start="2024-06-30", threshold=0.8, min_history=24, size_quintiles=(1, 2), weak=(1, 2),
                robust=(4, 5), aggressive=(4, 5), conservative=(1, 2), daily_windows=(10,))
    got = froth.run(weighting="ew", **opts)
    want = froth.test(f["OP", "ew"], f["INV", "ew"], **opts, daily_factors=f["daily"], weighting="ew",
                      vintage={"me_op_25": "202510", "me_inv_25": "202510", "ff5_factors_daily": "202510"})
    for name in ("table", "path", "gauges", "episodes", "daily_check"):
        pd.testing.assert_frame_equal(getattr(got, name), getattr(want, name), check_freq=False)
    assert got.spec == want.spec and got.verdicts == want.verdicts
    assert got.path.index.min() == pd.Timestamp("2024-06-30") and got.spec["month"] == "2025-05"
    assert list(got.table.index) == ["aggressive_minus_conservative_2m", "aggressive_minus_conservative_4m",
                                     "weak_minus_robust_2m", "weak_minus_robust_4m"]
    assert got.daily_check["date"].eq("2025-06-13").all()  # the Friday before the Sunday article date
    assert got.verdict.method == (
        "Within small caps (size quintile [1, 2] of French's 25 size x profitability and size x investment "
        "portfolios, EW), junk-minus-quality returns compounded over the trailing 2, 4 months, ranked against "
        "their own history up to 2025-05 (the last month-end on or before 2025-06-15). The p-value is the "
        "empirical share of past months at or above the reading; n counts non-overlapping 2-month windows.")


def test_test_defaults_to_120_months_of_history_and_the_top_decile_rule():
    """From 2015-10, a one-month gauge has 120 months of history at 2025-09; from 2015-11, 119."""
    op, inv = portfolios(end="2025-09-30", hot_months=1)
    enough = froth.test(op, inv, windows=(1,), start="2015-10-31")
    assert enough.table["history_months"].tolist() == [120, 120] and enough.verdict.label == "supported"
    short = froth.test(op, inv, windows=(1,), start="2015-11-30")
    assert short.table["history_months"].tolist() == [119, 119] and short.verdict.label == "inconclusive"
    # the rule as stated with no arguments is the one the defaults apply
    assert enough.verdict.rule == froth.rule_text()
    assert "top 10% of its own history" in enough.verdict.rule and "fewer than 120 months" in enough.verdict.rule


def test_the_path_shows_every_gauge_month_with_its_real_time_percentile():
    """Months with a gauge but fewer than ``min_history`` values keep their row, percentile NaN."""
    op, inv = portfolios(n=200, end="2025-09-30", seed=8)
    res = froth.test(op, inv, start="2010-01-31", path_start="2010-01-31", min_history=12, windows=(2,),
                     spreads=("investment",), threshold=0.8)
    hand = _hand_gauge(inv.loc["2010-01-31":, "SMALL HiINV"], inv.loc["2010-01-31":, "SMALL LoINV"], 2).dropna()
    ranks = [np.nan if i < 11 else _hand_rank(hand.iloc[:i + 1])[0] for i in range(len(hand))]
    assert res.path.index.tolist() == hand.index.tolist()  # from 2010-02, the first two-month gauge
    np.testing.assert_allclose(res.path["percentile"].to_numpy(dtype=float), ranks, rtol=1e-12)
    assert res.path["value"].to_numpy() == pytest.approx(hand.to_numpy())
    assert res.path.index.name == "date"
    # the past runs of the headline gauge in its top 20%, by hand
    hot = [i for i, r in enumerate(ranks) if r >= 0.8]
    assert hot and res.episodes["months"].sum() == len(hot)
    assert res.episodes["start"].iloc[0] == hand.index[hot[0]] and res.episodes["end"].iloc[-1] == hand.index[hot[-1]]
    assert res.episodes["peak_value"].max() == pytest.approx(hand.iloc[hot].max())


def test_a_missing_article_month_names_it_and_the_data_span():
    op, inv = portfolios(end="2025-09-30")
    message = (r"no 25-portfolio returns for 2029-12 \(the last month-end on or before as_of 2030-01-15\); "
               r"the data run 2006-01..2025-09")
    with pytest.raises(ParameterError, match=message):
        froth.test(op, inv, start="2006-01-31", as_of="2030-01-15")


def test_a_non_default_minimum_history_decides_the_label_and_the_note_lists_every_gauge():
    """From 2020-01, a three-month gauge has 67 months of history at 2025-09: enough for a
    minimum of 67, not for 68 (nor for the default 120)."""
    op, inv = portfolios(end="2025-09-30", hot_months=3)
    enough = froth.test(op, inv, start="2020-01-31", windows=(3,), min_history=67)
    assert enough.table["history_months"].tolist() == [67, 67] and enough.verdict.label == "supported"
    assert froth.test(op, inv, start="2020-01-31", windows=(3,), min_history=68).verdict.label == "inconclusive"
    t = enough.table["percentile"]
    assert (f"2 of 2 gauges are in the top 10% at 2025-09 (weak_minus_robust_3m {t.iloc[0]:.1%}; "
            f"aggressive_minus_conservative_3m {t.iloc[1]:.1%}); the headline") in enough.verdict.note
    assert "investment portfolios), junk-minus-quality returns" in enough.verdict.method  # no weighting named


def test_max_before_is_the_highest_reading_before_the_article_month():
    """The month before the article month holds the highest one-month gauge; the reading is low."""
    op, inv = portfolios(end="2025-09-30")
    op.loc["2025-08-31", "SMALL LoOP"], op.loc["2025-09-30", "SMALL LoOP"] = 40.0, -30.0
    row = froth.test(op, inv, start="2006-01-31", windows=(1,)).table.loc["weak_minus_robust_1m"]
    gauge = op.loc["2006-01-31":, "SMALL LoOP"] - op.loc["2006-01-31":, "SMALL HiOP"]
    assert row["max_before"] == pytest.approx(gauge.iloc[-2]) and gauge.iloc[-2] > gauge.iloc[:-2].max()
    assert row["value"] == pytest.approx(gauge.iloc[-1])


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"min_history": 11}, "^min_history must be at least 12 months, got 11$"),
    ({"size_quintiles": [6]}, r"^size_quintiles must be a non-empty list of quintiles 1..5, got \[6\]$"),
    ({"conservative": []}, r"^conservative must be a non-empty list of quintiles 1..5, got \[\]$"),
])
def test_validation_messages_name_the_parameter_and_its_value(kwargs, message):
    op, inv = portfolios(end="2025-09-30")
    with pytest.raises(ParameterError, match=message):
        froth.test(op, inv, start="2006-01-31", **kwargs)


@pytest.mark.parametrize(("months", "window", "n"), [(744, 3, 248), (745, 6, 124), (5, 6, 0), (6, 6, 1)])
def test_independent_windows_are_whole_spans(months, window, n):
    """The verdict's n: whole non-overlapping spans, counted by hand (745 months hold 124 six-month
    spans and one month over)."""
    got = froth.independent_windows(months, window)
    assert got == n and isinstance(got, int)


@pytest.mark.parametrize(("threshold", "alpha"), [(0.9, 0.1), (0.8, 0.2), (0.95, 0.05)])
def test_the_verdict_states_the_level_its_rank_is_judged_at(threshold, alpha):
    """No interval: the scorecard judges the share of history at or above the reading (the p-value)
    against 1 - the top-decile threshold."""
    op, inv = portfolios(hot_months=6, end="2025-09-30")
    v = froth.test(op, inv, as_of="2025-10-15", start="2006-01-31", threshold=threshold).verdicts[0]
    assert v.interval is None and v.alpha == alpha and v.test_level == alpha
