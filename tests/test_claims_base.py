"""research.claims.base, what every claim module shares: the result's display, dates, p-value text,
sample starts and the specification rows, against values worked out by hand."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pytest

from research.claims import base
from research.data.sizes import RUSSELL
from research.errors import ParameterError
from research.verdict import Verdict, verdict_box

STARTS = (1926, 1954, 1963, 1987)


@dataclass(frozen=True)
class Result(base.ResultMixin):
    verdicts: tuple[Verdict, ...]
    table: pd.DataFrame
    spec: dict[str, Any]


def result(rows: int = 2, spec: dict[str, Any] | None = None) -> Result:
    main = Verdict(claim="C1", label="supported", hypothesis="small caps win", statistic=1.5)
    other = Verdict(claim="C1", label="mixed", hypothesis="they win by more", aspect="size")
    table = pd.DataFrame({"mean": [1.23456, np.nan] + [float(i) for i in range(2, rows)]})
    return Result(verdicts=(main, other), table=table, spec=spec or {"start": None})


# -- the result's display ----------------------------------------------------------------------------

def test_the_verdict_is_the_first_one():
    r = result()
    assert r.verdict is r.verdicts[0] and r.verdict.aspect == ""


def test_str_is_each_verdict_then_the_table_shortened_to_30_rows():
    r = result(rows=40)
    text = str(r)
    first, second, table = text.split("\n\n", 2)
    assert first == str(r.verdicts[0]) and second == str(r.verdicts[1])
    assert first.startswith("C1: SUPPORTED") and second.startswith("C1 size: MIXED")
    rows = [line.split()[0] for line in table.splitlines()[1:]]
    # 40 rows: the first 15 and the last 15, with a row of dots between
    assert rows == [str(i) for i in range(15)] + [".."] + [str(i) for i in range(25, 40)]
    assert "\n\n".join(text.split("\n\n")[2:]) == table  # nothing after the table
    def shown(rows):
        return [line.split()[0] for line in str(result(rows=rows)).split("\n\n")[2].splitlines()[1:]]

    assert shown(30) == [str(i) for i in range(30)]  # 30 rows fit, 31 do not
    assert shown(31) == [str(i) for i in range(15)] + [".."] + [str(i) for i in range(16, 31)]


def test_html_is_the_verdict_box_the_table_to_three_decimals_and_the_escaped_specification():
    r = result(spec={"size": "deciles 1-3 vs 8-10", "start": None, "note": "<b>&"})
    html = r._repr_html_()
    box = verdict_box(list(r.verdicts))
    assert html.startswith(box)
    table = html[len(box):html.index("<p><small>")]
    # border=0: no border attribute (pandas' default draws border="1")
    assert table.startswith('<table class="dataframe">') and table.rstrip().endswith("</table>")
    assert "<td>1.235</td>" in table and "<td>—</td>" in table and "1.2346" not in table
    assert html.endswith("<p><small>specification: size=&#x27;deciles 1-3 vs 8-10&#x27;, start=None, "
                         "note=&#x27;&lt;b&gt;&amp;&#x27;</small></p>")


def test_n_is_shown_with_what_it_counts_and_old_sidecars_have_no_note():
    from research.verdict import verdict_sentence

    v = Verdict(claim="C5", label="inconclusive", hypothesis="h", statistic=1.0, n=45,
                n_note="of 69 events; n counts those <whose> 12m windows do not overlap")
    assert v.n_text() == "45 (of 69 events; n counts those <whose> 12m windows do not overlap)"
    assert v.n_raw_text() == "of 69 events"
    assert "\n  n:          45 (of 69 events;" in str(v)
    assert "n = 45 (of 69 events; n counts" in verdict_sentence(v)
    box = verdict_box([v])
    assert "<b>n</b> 45 (of 69 events; n counts those &lt;whose&gt; 12m windows do not overlap)" in box
    plain = Verdict(claim="C1", label="supported", hypothesis="h", n=9)
    assert plain.n_text() == "9" and "<b>n</b> 9 &nbsp;" in verdict_box([plain])
    assert Verdict(claim="C1", label="supported", hypothesis="h").n_text() == "—"
    old = v.to_dict()
    del old["n_note"]
    assert Verdict.from_dict(old).n_note == "" and Verdict.from_dict(v.to_dict()) == v


# -- data vintages and coverage ------------------------------------------------------------------------

def test_vintage_of_reads_each_datasets_vintage_as_text(monkeypatch):
    from research import data

    vintages = {"ff3_factors": 202602, "dgs2": "2026-02-27"}
    monkeypatch.setattr(data, "info", lambda name: {"vintage": vintages[name]})
    assert base.vintage_of("ff3_factors", "dgs2") == {"ff3_factors": "202602", "dgs2": "2026-02-27"}
    assert base.vintage_of() == {}


def test_data_start_is_the_table_entry_else_the_datasets_coverage(monkeypatch):
    from research import data

    def info(name):
        if name != "new_series_for_test":
            raise AssertionError(f"read the data of {name}")
        return {"coverage": (pd.Timestamp("1990-02-28"), pd.Timestamp("2020-12-31"))}

    monkeypatch.setattr(data, "info", info)
    assert base.data_start("russell_daily") == "1987-09-11"
    assert base.data_start("gs2") == "1985-01-31"
    assert base.data_start("new_series_for_test") == "1990-02-28"


# -- dates and texts -----------------------------------------------------------------------------------

def test_excess_returns_subtract_the_months_rate_from_small_and_large_only():
    idx = pd.date_range("2000-01-31", periods=3, freq="ME")
    returns = pd.DataFrame({"other": [9.0, 9.0, 9.0], "large": [1.0, 2.0, 3.0], "small": [2.0, 4.0, 6.0],
                            "small_minus_large": [1.0, 2.0, 3.0]}, index=idx)
    rf = pd.Series([0.5, 0.25, 0.0], index=idx)
    out = base.excess_returns(returns, rf)
    assert list(out.columns) == ["small", "large", "small_minus_large"]
    assert out["small"].tolist() == [1.5, 3.75, 6.0]
    assert out["large"].tolist() == [0.5, 1.75, 3.0]
    assert out["small_minus_large"].tolist() == [1.0, 2.0, 3.0]
    assert returns["small"].tolist() == [2.0, 4.0, 6.0]  # the input is left alone


def test_month_end_is_midnight_on_the_last_day_of_the_month():
    assert base.month_end("2024-02-10") == pd.Timestamp("2024-02-29")
    assert base.month_end("2023-02-10 15:30") == pd.Timestamp("2023-02-28 00:00")
    assert base.month_end(pd.Timestamp("1963-07-31")) == pd.Timestamp("1963-07-31")


@pytest.mark.parametrize("bad", ["not a date", [2024, 2]])
def test_month_end_of_no_date_is_a_parameter_error_naming_the_parameter(bad):
    with pytest.raises(ParameterError) as err:
        base.month_end(bad, "start")
    assert str(err.value) == f"start must be an ISO date such as '1963-07-31', got {bad!r}"
    assert isinstance(err.value.__cause__, (ValueError, TypeError))
    with pytest.raises(ParameterError, match=r"^date must be an ISO date"):
        base.month_end(bad)


def test_span_names_the_months_of_the_first_and_last_dates():
    assert base.span(["1963-07-31", "1999-01-15", "2025-10-31"]) == "1963-07..2025-10"
    assert base.span(pd.DatetimeIndex(["2001-12-03"])) == "2001-12..2001-12"
    assert base.span([]) == "empty" and base.span(pd.DatetimeIndex([])) == "empty"


@pytest.mark.parametrize(("p", "text"), [(0.0, "p < 0.001"), (0.000999, "p < 0.001"), (0.001, "p = 0.001"),
                                         (0.0123, "p = 0.012"), (0.5, "p = 0.500"), (1.0, "p = 1.000")])
def test_p_text(p, text):
    assert base.p_text(p) == text


# -- sample starts ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("data_start", "kept"), [
    ("1926-07-31", [1926, 1954, 1963, 1987]),  # every start is distinct
    ("1954-07-31", [1954, 1963, 1987]),  # 1926 and 1954 both mean all data: the one naming 1954
    ("1976-06-30", [1926, 1987]),  # 1926, 1954 and 1963 all mean all data: the earliest
    ("1987-09-11", [1987]),
    ("1988-01-29", [1926]),
    ("2000-01-31", [1926]),
])
def test_start_kept_keeps_one_start_per_effective_start(data_start, kept):
    assert [s for s in STARTS if base.start_kept(s, data_start, STARTS)] == kept
    # the earliest of the starts, not the first listed
    unordered = (1963, 1926, 1987, 1954)
    assert sorted(s for s in unordered if base.start_kept(s, data_start, unordered)) == kept


def test_equal_weighting_only_for_the_weighted_definitions():
    def kept(size, weighting, start=1963, french="1926-07-31", **kw):
        return base.weighting_and_start_kept({"size": size, "weighting": weighting, "start": start},
                                             french, STARTS, **kw)

    assert kept("decile 1 vs 10", "ew") and kept("deciles 1-3 vs 8-10", "ew")
    assert not kept("SMB", "ew") and kept("SMB", "vw")
    assert not kept(RUSSELL, "ew") and kept(RUSSELL, "vw", 1987)


def test_the_start_rule_reads_the_data_of_the_size_definition():
    def kept(size, start, french="1926-07-31", **kw):
        key = kw.pop("start_key", "start")
        return base.weighting_and_start_kept({"size": size, "weighting": "vw", key: start}, french, STARTS,
                                             start_key=key, **kw)

    # the Russell 2000 series begins in 1987 whatever the French data's start
    assert [s for s in STARTS if kept(RUSSELL, s)] == [1987]
    assert [s for s in STARTS if kept("SMB", s)] == list(STARTS)
    assert [s for s in STARTS if kept("SMB", s, "1963-07-31")] == [1963, 1987]
    # another Russell dataset, and another name for the start
    assert [s for s in STARTS if kept(RUSSELL, s, russell="fedfunds")] == [1954, 1963, 1987]
    assert [s for s in STARTS if kept("SMB", s, "1963-07-31", start_key="first_year")] == [1963, 1987]


@pytest.mark.parametrize(("start", "data_start", "expected"), [
    (1926, "1926-07-01", None), (1963, "1926-07-01", "1963-07-31"), (1987, "1926-07-31", "1987-10-31"),
    (1954, "1954-07-31", None), (1963, "1954-07-31", "1963-07-31"),
    (1987, "1987-09-11", None), (1983, "1976-06-30", "1983-01-31"), (1963, "1976-06-30", None),
])
def test_start_date_is_none_when_the_data_begin_that_year_or_later(start, data_start, expected):
    assert base.start_date(start, data_start) == expected


# -- specification rows ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("x", "expected"), [(None, math.nan), (np.inf, math.nan), (-np.inf, math.nan),
                                             (np.nan, math.nan), (np.float64(1.5), 1.5), (3, 3.0),
                                             ("2.5", 2.5), (-0.0, 0.0)])
def test_clean_float(x, expected):
    out = base.clean_float(x)
    assert type(out) is float
    assert (math.isnan(out) and math.isnan(expected)) or out == expected


def test_spec_row_is_plain_python_with_nan_for_missing_numbers():
    row = base.spec_row(np.float64(0.5), None, np.inf, "supported", np.int64(12), p_value=np.float32(0.25),
                        sample="1990-01..2000-12", aspect="size", reps=1000)
    assert list(row) == ["estimate", "lower", "upper", "label", "n", "p_value", "sample", "aspect", "reps"]
    assert row["estimate"] == 0.5 and math.isnan(row["lower"]) and math.isnan(row["upper"])
    assert row["label"] == "supported" and row["n"] == 12 and type(row["n"]) is int
    assert row["p_value"] == 0.25 and type(row["p_value"]) is float
    assert (row["sample"], row["aspect"], row["reps"]) == ("1990-01..2000-12", "size", 1000)
    bare = base.spec_row(1, 0, 2, "inconclusive", None)
    assert math.isnan(bare["n"]) and math.isnan(bare["p_value"]) and bare["sample"] == ""
    assert (bare["estimate"], bare["lower"], bare["upper"]) == (1.0, 0.0, 2.0) and len(bare) == 7
    assert base.spec_row(1, 0, 2, "x", 7.0)["n"] == 7 and type(base.spec_row(1, 0, 2, "x", 7.0)["n"]) is int


@pytest.mark.parametrize(("value", "lags"), [("auto", None), ("4", 4), (3, 3), (0, 0)])
def test_lags_choice(value, lags):
    assert base.lags_choice(value) == lags


def test_a_lag_choice_that_is_no_number_fails():
    with pytest.raises(ValueError):
        base.lags_choice("Auto")
