"""The FRED parser on hand-written fredgraph and ``date,value`` files.

Every expected number below was typed from tests/fixtures/fred_*.csv.
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from research.data import fred, store
from research.data.catalog import CATALOG
from research.errors import ParseError

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _text(name: str) -> str:
    return (FIXTURES / name).read_bytes().decode("utf-8")


def _ts(s: str) -> pd.Timestamp:
    return pd.Timestamp(s)


def test_fredgraph_daily_with_dot_and_blank():
    df = fred.parse_fred(_text("fred_dgs2.csv"), "DGS2", "daily", "fred_dgs2.csv")
    assert list(df.columns) == ["DGS2"]
    assert df.index.name == "date"
    assert list(df.index) == [_ts("2024-07-01"), _ts("2024-07-02"), _ts("2024-07-03"),
                              _ts("2024-07-04"), _ts("2024-07-05")]
    assert df.loc["2024-07-01", "DGS2"] == 4.75
    assert df.loc["2024-07-02", "DGS2"] == 4.73
    assert math.isnan(df.loc["2024-07-03", "DGS2"])  # "."
    assert math.isnan(df.loc["2024-07-04", "DGS2"])  # blank
    assert df.loc["2024-07-05", "DGS2"] == 4.60
    assert df["DGS2"].dtype == "float64"


def test_lower_case_header_resaved_by_pandas():
    df = fred.parse_fred(_text("fred_dgs2_lower.csv"), "DGS2", "daily")
    assert list(df.columns) == ["DGS2"]  # the column is named after the series id, upper case
    assert df.loc["2024-07-02", "DGS2"] == 4.7
    assert math.isnan(df.loc["2024-07-04", "DGS2"])
    assert df.loc["2024-07-05", "DGS2"] == 4.6
    assert len(df) == 4


def test_crlf_without_final_newline():
    raw = (FIXTURES / "fred_t10y2y_crlf.csv").read_bytes()
    assert b"\r\n" in raw and not raw.endswith(b"\n")
    df = fred.parse_fred(raw.decode(), "T10Y2Y", "daily")
    assert list(df.index) == [_ts("2024-07-01"), _ts("2024-07-02"), _ts("2024-07-04"),
                              _ts("2024-07-05")]
    assert df.loc["2024-07-01", "T10Y2Y"] == -0.31
    assert math.isnan(df.loc["2024-07-04", "T10Y2Y"])
    assert df.loc["2024-07-05", "T10Y2Y"] == -0.25


def test_monthly_series_moves_to_month_end():
    df = fred.parse_fred(_text("fred_fedfunds.csv"), "FEDFUNDS", "monthly")
    assert list(df.index) == [_ts("2023-12-31"), _ts("2024-01-31"), _ts("2024-02-29"),
                              _ts("2024-03-31")]
    assert df.loc["2024-02-29", "FEDFUNDS"] == 5.31
    assert df.loc["2024-03-31", "FEDFUNDS"] == 5.29


@pytest.mark.parametrize("name", ["fred_datevalue.csv", "fred_DateValue_caps.csv"])
def test_date_value_copies(name):
    df = fred.parse_fred(_text(name), "DFF", "daily")
    assert list(df.columns) == ["DFF"]
    if name == "fred_datevalue.csv":
        assert list(df.index) == [_ts("2024-07-01"), _ts("2024-07-02"), _ts("2024-07-05")]
        assert df.loc["2024-07-01", "DFF"] == 5.33  # written "5.3300000000"
        assert df.loc["2024-07-05", "DFF"] == 5.31
    else:
        assert df.loc["2024-07-03", "DFF"] == 5.25


def test_store_fred_vintage_is_last_valid_observation():
    ds = replace(CATALOG["dgs2"], file="fred/T.csv")
    text = _text("fred_dgs2.csv") + "2024-07-08,\n"
    parsed = store.parse_raw(ds, text.encode(), "t")
    meta = parsed.meta["blocks"]["data"]
    assert (meta["first"], meta["last"], meta["last_valid"]) == ("2024-07-01", "2024-07-08", "2024-07-05")
    assert parsed.meta["vintage"] == "2024-07-05"


# -- errors ---------------------------------------------------------------------------------------

def test_empty_file():
    with pytest.raises(ParseError, match=r"the file is empty \[e.csv\]"):
        fred.parse_fred("", "DGS2", "daily", "e.csv")
    with pytest.raises(ParseError, match="the file is empty"):
        fred.parse_fred("\n\n", "DGS2", "daily", "e.csv")


def test_header_only():
    with pytest.raises(ParseError, match="header but no observations"):
        fred.parse_fred("observation_date,DGS2\n", "DGS2", "daily", "h.csv")


def test_html_page_instead_of_csv():
    html = "<!DOCTYPE html>\n<html><body>Series not found</body></html>\n"
    with pytest.raises(ParseError, match=r"unexpected header .* \[p.html, line 1\]"):
        fred.parse_fred(html, "DGS2", "daily", "p.html")
    ds = replace(CATALOG["dgs2"], file="fred/T.csv")
    with pytest.raises(ParseError, match="got an HTML page where a CSV was expected"):
        store.parse_raw(ds, html.encode(), "https://fred.stlouisfed.org/graph/fredgraph.csv?id=DGS2")


def test_header_naming_another_series():
    text = _text("fred_dgs2.csv").replace("DGS2", "DGS10")
    with pytest.raises(ParseError, match=r"header names series 'DGS10', expected 'DGS2' \[f, line 1\]"):
        fred.parse_fred(text, "DGS2", "daily", "f")


def test_header_with_extra_column():
    text = _text("fred_dgs2.csv").replace("observation_date,DGS2", "observation_date,DGS2,DGS10")
    with pytest.raises(ParseError, match="unexpected header") as exc:
        fred.parse_fred(text, "DGS2", "daily", "f")
    assert exc.value.line == 1


def test_row_with_three_fields():
    text = _text("fred_dgs2.csv").replace("2024-07-02,4.73", "2024-07-02,4.73,9")
    with pytest.raises(ParseError, match=r"expected 2 fields, got 3 \[f, line 3\]"):
        fred.parse_fred(text, "DGS2", "daily", "f")


def test_non_numeric_value():
    text = _text("fred_dgs2.csv").replace("2024-07-05,4.60", "2024-07-05,N/A")
    with pytest.raises(ParseError, match=r"non-numeric value 'N/A' on 2024-07-05 \[f, line 6\]"):
        fred.parse_fred(text, "DGS2", "daily", "f")


def test_invalid_date():
    text = _text("fred_dgs2.csv").replace("2024-07-02", "07/02/2024")
    with pytest.raises(ParseError, match=r"invalid date '07/02/2024' \[f, line 3\]"):
        fred.parse_fred(text, "DGS2", "daily", "f")


def test_duplicated_date():
    text = _text("fred_dgs2.csv").replace("2024-07-03,.", "2024-07-02,.")
    with pytest.raises(ParseError, match=r"dates duplicated: 2024-07-02 then 2024-07-02 \[f, line 4\]"):
        fred.parse_fred(text, "DGS2", "daily", "f")


def test_unsorted_dates():
    text = _text("fred_dgs2.csv").replace("2024-07-05,4.60", "2024-06-28,4.60")
    with pytest.raises(ParseError, match=r"dates out of order: 2024-07-04 then 2024-06-28 \[f, line 6\]"):
        fred.parse_fred(text, "DGS2", "daily", "f")


def test_two_days_in_one_month_of_a_monthly_series():
    text = _text("fred_fedfunds.csv").replace("2024-02-01", "2024-01-15")
    with pytest.raises(ParseError, match=r"dates duplicated: 2024-01-01 then 2024-01-15 \[f, line 4\]"):
        fred.parse_fred(text, "FEDFUNDS", "monthly", "f")


def test_line_numbers_count_blank_lines():
    text = _text("fred_dgs2.csv").replace("2024-07-02,4.73\n", "2024-07-02,4.73\n\n").replace(
        "2024-07-05,4.60", "2024-07-05,x")
    with pytest.raises(ParseError, match=r"non-numeric value 'x' on 2024-07-05 \[f, line 7\]"):
        fred.parse_fred(text, "DGS2", "daily", "f")
