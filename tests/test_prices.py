"""The daily price parser and the suspicious-row check, on hand-written Yahoo/yfinance files.

Every expected number below was typed from tests/fixtures/prices_*.csv.
"""

from __future__ import annotations

import json
import shutil
import warnings
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from research import data
from research.data import catalog, french, prices, store
from research.errors import ParseError

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _text(name: str) -> str:
    return (FIXTURES / name).read_bytes().decode("utf-8")


def _ts(s: str) -> pd.Timestamp:
    return pd.Timestamp(s)


def test_plain_yahoo_layout():
    df = prices.parse_prices(_text("prices_yahoo_plain.csv"), "plain")
    assert list(df.columns) == ["open", "high", "low", "close", "adj_close", "volume", "suspicious"]
    assert df.index.name == "date"
    assert list(df.index) == [_ts("2024-07-29"), _ts("2024-07-30"), _ts("2024-07-31")]
    row = df.loc["2024-07-30"]
    assert row["open"] == 2103.550048828125
    assert row["high"] == 2125.179931640625
    assert row["low"] == 2098.31005859375
    assert row["close"] == 2120.39990234375
    assert row["adj_close"] == 2120.39990234375
    assert row["volume"] == 3698210000
    assert not df["suspicious"].any()


def test_newer_column_order_crlf_and_snapshot_rows():
    raw = (FIXTURES / "prices_new_order.csv").read_bytes()
    assert raw.startswith(b"Date,Close,High,Low,Open,Volume\r\n")
    df = prices.parse_prices(raw.decode(), "new")
    assert list(df.columns) == ["open", "high", "low", "close", "volume", "suspicious"]
    first = df.loc["2025-07-08"]
    assert (first["open"], first["high"], first["low"], first["close"]) == (
        2098.31005859375, 2110.070068359375, 2095.02001953125, 2103.550048828125)
    assert first["volume"] == 3512340000
    # volume 0 with a cent close stored as its float32 image (2442.74): a final bar, kept
    assert df.loc["2025-07-09", "close"] == 2442.739990234375
    assert df.loc["2025-07-09", "volume"] == 0
    # volume 0 with a cent close written as a plain decimal: kept
    assert df.loc["2025-07-10", "close"] == 2120.4
    # volume 0 and a close that is not a cent level: intraday snapshots, flagged
    assert df.loc["2025-07-11", "close"] == 2251.3720703125
    flagged = [d.date().isoformat() for d in df.index[df["suspicious"]]]
    assert flagged == ["2025-07-11", "2025-07-15"]
    assert df["suspicious"].dtype == bool


def test_yfinance_three_line_header():
    df = prices.parse_prices(_text("prices_yfinance_3line.csv"), "yf")
    assert list(df.columns) == ["open", "high", "low", "close", "adj_close", "volume", "suspicious"]
    assert list(df.index) == [_ts("1949-12-30"), _ts("1950-01-03"), _ts("2024-07-31")]
    assert df.loc["1950-01-03", "close"] == 17.1200008392334
    assert df.loc["2024-07-31", "close"] == 5030.0498046875
    assert df.loc["2024-07-31", "open"] == 5012.33984375
    # volume 0 on a close-only row with a cent level (1949): not a snapshot
    assert df.loc["1949-12-30", "volume"] == 0
    assert not df["suspicious"].any()


def test_suspicious_rows_without_volume_column():
    frame = pd.DataFrame({"close": [1.234567]}, index=pd.DatetimeIndex([_ts("2024-01-02")]))
    assert not prices.suspicious_rows(frame).any()



def test_suspicious_rows_beyond_float32_range_without_warning():
    # 1e39 overflows float32; the float64 comparison still decides, and no RuntimeWarning escapes
    idx = pd.DatetimeIndex([_ts("2024-01-02"), _ts("2024-01-03")])
    frame = pd.DataFrame({"close": [1e39, 1e39 + 1e24], "volume": [0, 0]}, index=idx)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        flags = prices.suspicious_rows(frame)
    assert list(flags) == [False, False]  # both are exact float64 "cent levels" at this magnitude
    frame = pd.DataFrame({"close": [12.345678], "volume": [0]}, index=idx[:1])
    assert list(prices.suspicious_rows(frame)) == [True]

# -- the loader: flagged rows excluded by default ---------------------------------------------

@pytest.fixture
def flagged_dataset(isolated_data, monkeypatch):
    src = FIXTURES / "prices_new_order.csv"
    (isolated_data.mirror / "prices").mkdir()
    shutil.copyfile(src, isolated_data.mirror / "prices" / "TEST_RUT.csv")
    ds = replace(catalog.CATALOG["rut"], name="test_rut", file="prices/TEST_RUT.csv")
    monkeypatch.setattr(catalog, "CATALOG", {**catalog.CATALOG, ds.name: ds})
    return ds


def test_load_excludes_flagged_rows_with_a_warning(flagged_dataset):
    with pytest.warns(data.SuspiciousRowsWarning,
                      match=r"test_rut: 2 suspicious row\(s\) excluded .* on 2025-07-11, 2025-07-15"):
        df = data.load("test_rut")
    assert [d.date().isoformat() for d in df.index] == [
        "2025-07-08", "2025-07-09", "2025-07-10", "2025-07-14"]
    assert not df["suspicious"].any()


def test_load_keeps_flagged_rows_on_request(flagged_dataset, recwarn):
    df = data.load("test_rut", include_flagged=True)
    assert len(df) == 6
    assert df.loc["2025-07-15", "close"] == 2139.47119140625
    assert not [w for w in recwarn if issubclass(w.category, data.SuspiciousRowsWarning)]
    assert data.info("test_rut")["flagged_rows"] == ["2025-07-11", "2025-07-15"]


# -- errors -----------------------------------------------------------------------------------

def test_empty_file():
    with pytest.raises(ParseError, match=r"the file is empty \[e\]"):
        prices.parse_prices("", "e")
    with pytest.raises(ParseError, match="the file is empty"):
        french.decode(b"\r\n", "e")


def test_header_only():
    with pytest.raises(ParseError, match="header but no rows"):
        prices.parse_prices("Date,Open,High,Low,Close,Adj Close,Volume\n", "h")


def test_html_page_instead_of_csv():
    html = "<html><head><title>Will be right back</title></head><body>...</body></html>"
    with pytest.raises(ParseError, match=r"unexpected header .* \[p, line 1\]"):
        prices.parse_prices(html, "p")
    ds = replace(catalog.CATALOG["rut"], file="prices/T.csv")
    with pytest.raises(ParseError, match="got an HTML page"):
        store.parse_raw(ds, html.encode(), "https://query1.finance.yahoo.com/...")


def test_unknown_price_column():
    text = _text("prices_yahoo_plain.csv").replace("Adj Close,Volume", "Adj Close,Dividends")
    with pytest.raises(ParseError, match=r"unknown price column 'Dividends' \[u, line 1\]"):
        prices.parse_prices(text, "u")


def test_no_close_column():
    text = "Date,Open,Volume\n2024-07-29,1.0,10\n"
    with pytest.raises(ParseError, match=r"no Close column \[n, line 1\]"):
        prices.parse_prices(text, "n")


def test_broken_yfinance_header():
    lines = _text("prices_yfinance_3line.csv").split("\n")
    del lines[1]  # no Ticker line
    with pytest.raises(ParseError, match=r"yfinance header must be .* \[y, line 1\]"):
        prices.parse_prices("\n".join(lines), "y")


def test_row_with_missing_field():
    text = _text("prices_yahoo_plain.csv").replace(",3698210000\n", "\n")
    with pytest.raises(ParseError, match=r"expected 7 fields, got 6 \[m, line 3\]"):
        prices.parse_prices(text, "m")


def test_non_numeric_value():
    text = _text("prices_yahoo_plain.csv").replace("2125.179931640625,2125.179931640625,",
                                                   "2125.179931640625,null,")
    with pytest.raises(ParseError, match=r"non-numeric value 'null' \[x, line 4\]"):
        prices.parse_prices(text, "x")


def test_invalid_date():
    text = _text("prices_yahoo_plain.csv").replace("2024-07-31", "31/07/2024")
    with pytest.raises(ParseError, match=r"invalid date '31/07/2024' \[d, line 4\]"):
        prices.parse_prices(text, "d")


def test_duplicated_date():
    text = _text("prices_new_order.csv").replace("2025-07-10", "2025-07-09")
    with pytest.raises(ParseError, match=r"duplicated date: 2025-07-09 then 2025-07-09 \[d, line 4\]"):
        prices.parse_prices(text, "d")


def test_unsorted_dates():
    text = _text("prices_yfinance_3line.csv").replace("2024-07-31", "1949-01-03")
    with pytest.raises(ParseError, match=r"dates out of order: 1950-01-03 then 1949-01-03 \[d, line 6\]"):
        prices.parse_prices(text, "d")


def test_line_numbers_count_blank_lines():
    text = _text("prices_yfinance_3line.csv").replace("Date,,,,,,\n", "Date,,,,,,\n\n").replace(
        "2024-07-31", "1950-01-03")
    with pytest.raises(ParseError, match=r"duplicated date: 1950-01-03 then 1950-01-03 \[b, line 7\]"):
        prices.parse_prices(text, "b")


# -- Yahoo's chart API (JSON) --------------------------------------------------------------------

def _chart(stamps, close, *, volume=None, error=None, tz="America/New_York") -> str:
    n = len(stamps)
    quote = {"open": close, "high": close, "low": close, "close": close,
             "volume": volume if volume is not None else [1000] * n}
    return json.dumps({"chart": {"error": error, "result": None if error else [{
        "meta": {"exchangeTimezoneName": tz, "gmtoffset": -18000}, "timestamp": stamps,
        "indicators": {"quote": [quote], "adjclose": [{"adjclose": close}]}}]}})


# 2024-01-02 and 2024-01-03 09:30 New York (14:30 UTC); 2024-01-03 16:00 (21:00 UTC, a live bar)
JAN2, JAN3, JAN3_LIVE = 1704205800, 1704292200, 1704315600


def test_chart_bars_are_dated_in_the_exchange_time_zone():
    # 2024-01-02 23:30 New York is 2024-01-03 04:30 UTC: the date is the exchange's
    df = prices.parse_prices(_chart([JAN2 + 14 * 3600, JAN3 + 86400], [2000.5, 2010.25]), "chart")
    assert list(df.index) == [pd.Timestamp("2024-01-02"), pd.Timestamp("2024-01-04")]
    assert list(df.columns) == ["open", "high", "low", "close", "adj_close", "volume", "suspicious"]
    assert df["close"].tolist() == [2000.5, 2010.25] and not df["suspicious"].any()


def test_chart_live_bar_replaces_the_days_bar_and_null_bars_go():
    df = prices.parse_prices(_chart([JAN2, JAN3, JAN3_LIVE], [None, 2001.0, 2002.5]), "chart")
    assert list(df.index) == [pd.Timestamp("2024-01-03")] and df["close"].tolist() == [2002.5]


def test_chart_bars_without_a_close_are_dropped_not_loaded_as_nan():
    doc = json.loads(_chart([JAN2, JAN3, JAN3 + 86400, JAN3 + 2 * 86400], [2000.0, None, 2010.0, None]))
    quote = doc["chart"]["result"][0]["indicators"]["quote"][0]
    quote["open"] = [2000.0, 1999.5, None, 2011.0]  # Jan 3 and 5: an open but no close (yet)
    quote["volume"] = [1000, None, None, 0]
    df = prices.parse_prices(json.dumps(doc), "chart")
    assert list(df.index) == [pd.Timestamp("2024-01-02"), pd.Timestamp("2024-01-04")]
    assert df["close"].tolist() == [2000.0, 2010.0] and df["adj_close"].tolist() == [2000.0, 2010.0]
    assert df["open"].isna().tolist() == [False, True] and df["volume"].isna().tolist() == [False, True]


@pytest.mark.parametrize("text, message", [
    (_chart([], [], error={"code": "Not Found", "description": "No data found, symbol may be delisted"}),
     r"Yahoo answered with an error \(Not Found: No data found"),
    (_chart([JAN2, JAN3], [1.0]), "open: expected 2 values"),
    (_chart([JAN2], ["1.0"]), "open: non-numeric value '1.0'"),
    (_chart([JAN3, JAN2], [1.0, 2.0]), "dates out of order: 2024-01-03 then 2024-01-02"),
    (_chart([JAN2, JAN2 + 60, JAN3], [1.0, 2.0, 3.0]), "duplicated date: 2024-01-02"),
    ('{"chart": {"result": [{"timestamp": [1]}]}}', "chart response lacks 'indicators'"),
    ('{"chart": ', "not valid JSON"),
    ('{"quoteResponse": {}}', "not a Yahoo chart response"),
])
def test_chart_errors_name_what_is_wrong(text, message):
    with pytest.raises(ParseError, match=message):
        prices.parse_prices(text, "chart.json")
