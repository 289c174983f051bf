"""Daily index closes: a pure text -> DataFrame parser, and the suspicious-row check.

Layouts read: the plain Yahoo CSV (``Date,Open,High,Low,Close,Adj Close,Volume`` in any column
order, with or without ``Adj Close``), yfinance's 3-line header (``Price,...`` /
``Ticker,...`` / ``Date,,,``), and the JSON of Yahoo's chart API (``/v8/finance/chart/<ticker>``:
``chart.result[0].timestamp``, ``indicators.quote[0].open/high/low/close/volume``,
``indicators.adjclose[0].adjclose``; a timestamp is the bar's start in UTC, its date is taken in
the exchange's time zone). Columns come out in snake case: ``open, high, low, close,
adj_close, volume``, on a DatetimeIndex named ``date``, plus a boolean ``suspicious`` column.

A row is *suspicious* when its volume is 0 and its close is not a 2-decimal index level: an
intraday snapshot saved by an updater that never overwrote it with the final bar (RUT.csv has 14
from 2025-07-14 on). Index levels are published to the cent and stored as float32 by Yahoo, so a
final close equals float32(round(close, 2)); snapshots do not.
"""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo

import numpy as np
import pandas as pd

from research.data.checks import latest_plausible_date
from research.data.fred import csv_rows
from research.errors import ParseError

PARSER_VERSION = 3  # 2: impossible values refused; 3: a chart bar without a close is dropped
_PRICE_COLUMNS = ("open", "high", "low", "close", "adj_close")
_NAMES = {"open": "open", "high": "high", "low": "low", "close": "close", "adj close": "adj_close",
          "adj_close": "adj_close", "volume": "volume"}


def parse_prices(text: str, source: str = "<text>") -> pd.DataFrame:
    if text.lstrip().startswith("{"):
        return parse_chart(text, source)
    numbered = csv_rows(text, source)
    rows = [r for _, r in numbered]
    if not rows:
        raise ParseError("the file is empty", source=source)
    first = [c.strip() for c in rows[0]]
    if first and first[0].lower() == "price":
        # yfinance MultiIndex: Price,<fields> / Ticker,<tickers> / Date,,,
        if len(rows) < 3 or rows[1][0].strip().lower() != "ticker" or rows[2][0].strip().lower() != "date":
            raise ParseError("yfinance header must be 'Price,...' / 'Ticker,...' / 'Date,,,'",
                             source=source, line=1)
        fields, body, skip = first[1:], rows[3:], 3
    elif first and first[0].lower() == "date":
        fields, body, skip = first[1:], rows[1:], 1
    else:
        raise ParseError(f"unexpected header {rows[0][:4]!r}: expected 'Date,...' or 'Price,...'",
                         source=source, line=1)
    cols = []
    for f in fields:
        key = _NAMES.get(f.lower())
        if key is None:
            raise ParseError(f"unknown price column {f!r}", source=source, line=1)
        cols.append(key)
    repeated = sorted({c for c in cols if cols.count(c) > 1})
    if repeated:
        raise ParseError(f"column(s) {repeated} appear more than once in the header", source=source, line=1)
    if "close" not in cols:
        raise ParseError("no Close column", source=source, line=1)
    if not body:
        raise ParseError("the file has a header but no rows", source=source)
    lines = [n for n, _ in numbered[skip:]]  # the file's line of each body row
    width = len(cols) + 1
    for k, r in enumerate(body):
        if len(r) != width:
            raise ParseError(f"expected {width} fields, got {len(r)}", source=source, line=lines[k])
    dates = [r[0].strip() for r in body]
    try:
        values = np.array([[float(c) if c.strip() else np.nan for c in r[1:]] for r in body], dtype=float)
    except ValueError:
        for k, r in enumerate(body):
            for c in r[1:]:
                try:
                    float(c) if c.strip() else None
                except ValueError:
                    raise ParseError(f"non-numeric value {c!r}", source=source, line=lines[k]) from None
        raise
    index = pd.to_datetime(pd.Series(dates), format="%Y-%m-%d", errors="coerce")
    if index.isna().any():
        pos = int(np.flatnonzero(index.isna().to_numpy())[0])
        raise ParseError(f"invalid date {dates[pos]!r}", source=source, line=lines[pos])
    index = pd.DatetimeIndex(index, name="date")
    steps = np.diff(index.asi8)
    if (steps <= 0).any():
        pos = int(np.flatnonzero(steps <= 0)[0]) + 1
        kind = "duplicated date" if steps[pos - 1] == 0 else "dates out of order"
        raise ParseError(f"{kind}: {dates[pos - 1]} then {dates[pos]}", source=source,
                         line=lines[pos])
    order = [c for c in ("open", "high", "low", "close", "adj_close", "volume") if c in cols]
    frame = pd.DataFrame(values, index=index, columns=cols)[order]
    check_values(frame, source, lines)
    frame["suspicious"] = suspicious_rows(frame)
    return frame


def check_values(frame: pd.DataFrame, source: str, lines: list[int] | None = None) -> None:
    """Refuse a price at or below zero (-99.99 and other missing-value codes among them), a
    negative volume, and a date after today, naming the row (its line in a CSV)."""
    prices = frame[[c for c in _PRICE_COLUMNS if c in frame]]
    checks = [((prices <= 0).to_numpy(), "a price must be positive: {v:g} in {c} on {d}"),
              ((frame[["volume"]] < 0).to_numpy() if "volume" in frame else np.zeros((len(frame), 0), bool),
               "a volume cannot be negative: {v:g} on {d}")]
    for bad, text in checks:
        hits = np.argwhere(bad)
        if len(hits):
            i, j = hits[0]
            cols = prices.columns if "price" in text else ["volume"]
            row = frame.iloc[int(i)]
            where = {"line": lines[int(i)]} if lines else {}
            raise ParseError(text.format(v=row[cols[j]], c=cols[j], d=frame.index[i].date()) +
                             "; the file is damaged or holds a missing-value code", source=source, **where)
    late = np.flatnonzero(frame.index > pd.Timestamp(latest_plausible_date()))
    if len(late):
        i = int(late[0])
        where = {"line": lines[i]} if lines else {}
        raise ParseError(f"the date {frame.index[i].date()} is in the future (after {latest_plausible_date()}); "
                         "a future date means a damaged or hand-edited file", source=source, **where)


_CHART_FIELDS = ("open", "high", "low", "close", "volume")


def parse_chart(text: str, source: str = "<text>") -> pd.DataFrame:
    """A Yahoo chart-API response (daily bars) as the frame :func:`parse_prices` gives for a CSV."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(f"not valid JSON ({exc.msg}, column {exc.colno})", source=source,
                         line=exc.lineno) from None
    except RecursionError:
        raise ParseError("not a Yahoo chart response (JSON nested too deeply)", source=source) from None
    chart = doc.get("chart") if isinstance(doc, dict) else None
    if not isinstance(chart, dict):
        raise ParseError("not a Yahoo chart response (no 'chart' object)", source=source)
    if chart.get("error"):
        err = chart["error"]
        what = (f"{err.get('code', '')}: {err.get('description', '')}" if isinstance(err, dict)
                else str(err))
        raise ParseError(f"Yahoo answered with an error ({what})", source=source)
    results = chart.get("result")
    if not isinstance(results, list) or not results or not isinstance(results[0], dict):
        raise ParseError("chart.result is empty: no series in the response", source=source)
    result = results[0]
    try:
        stamps = result["timestamp"]
        quote = result["indicators"]["quote"][0]
        columns = {f: quote[f] for f in _CHART_FIELDS}
        adj = result["indicators"].get("adjclose")
        if adj:
            columns["adj_close"] = adj[0]["adjclose"]
    except (KeyError, IndexError, TypeError, AttributeError) as exc:
        raise ParseError(f"chart response lacks {exc} (expected chart.result[0].timestamp and "
                         "indicators.quote[0].open/high/low/close/volume)", source=source) from None
    if not isinstance(stamps, list) or not stamps:
        raise ParseError("the chart response has no bars", source=source)
    values = {}
    for name, col in columns.items():
        if not isinstance(col, list) or len(col) != len(stamps):
            raise ParseError(f"{name}: expected {len(stamps)} values (one per timestamp), got "
                             f"{len(col) if isinstance(col, list) else type(col).__name__}", source=source)
        bad = next((v for v in col if v is not None and (isinstance(v, bool)
                                                         or not isinstance(v, int | float))), None)
        if bad is not None:
            raise ParseError(f"{name}: non-numeric value {bad!r}", source=source)
        values[name] = np.array([np.nan if v is None else float(v) for v in col], dtype=float)
    if any(isinstance(t, bool) or not isinstance(t, int) for t in stamps):
        raise ParseError("timestamps must be whole seconds", source=source)
    try:
        index = pd.to_datetime(pd.Series(stamps, dtype="int64"), unit="s", utc=True)
    except (OverflowError, ValueError, pd.errors.OutOfBoundsDatetime):
        raise ParseError("timestamps out of range", source=source) from None
    meta = result.get("meta")
    index = pd.DatetimeIndex(index).tz_convert(_exchange_tz(meta if isinstance(meta, dict) else {}))
    index = pd.DatetimeIndex(index.tz_localize(None).normalize(), name="date")
    order = [c for c in ("open", "high", "low", "close", "adj_close", "volume") if c in values]
    frame = pd.DataFrame({c: values[c] for c in order}, index=index)
    # Yahoo's arrays carry null for a bar without a trade (or a close not yet set): such a bar is
    # dropped, never kept as a NaN price.
    frame = frame.loc[frame["close"].notna()]
    if len(frame) > 1 and frame.index[-1] == frame.index[-2]:
        frame = frame.iloc[np.r_[:len(frame) - 2, len(frame) - 1]]  # Yahoo's live bar repeats a day
    steps = np.diff(frame.index.asi8)
    if (steps <= 0).any():
        pos = int(np.flatnonzero(steps <= 0)[0]) + 1
        kind = "duplicated date" if steps[pos - 1] == 0 else "dates out of order"
        raise ParseError(f"{kind}: {frame.index[pos - 1].date()} then {frame.index[pos].date()}",
                         source=source)
    if frame.empty:
        raise ParseError("the chart response has no bar with a price", source=source)
    check_values(frame, source)
    frame["suspicious"] = suspicious_rows(frame)
    return frame


def _exchange_tz(meta: dict):
    """The exchange's time zone from the response's meta (a fixed offset if the name is unknown)."""
    try:
        return zoneinfo.ZoneInfo(str(meta.get("exchangeTimezoneName") or "America/New_York"))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        offset = meta.get("gmtoffset")
        return dt.timezone(dt.timedelta(seconds=offset if isinstance(offset, int) else 0))


def suspicious_rows(frame: pd.DataFrame) -> pd.Series:
    """Rows that look like intraday snapshots: volume 0 and a close that is not a cent level."""
    if "volume" not in frame:
        return pd.Series(False, index=frame.index)
    close = frame["close"].to_numpy()
    cents = np.round(close, 2)
    # a cent level written as float64 ("2442.74") or as its float32 image ("2442.739990234375")
    with np.errstate(over="ignore"):  # beyond float32's range its image is inf: the float64 test decides
        as_f32 = cents.astype(np.float32).astype(float)
    miss = np.minimum(np.abs(close - cents), np.abs(close - as_f32))
    off_cent = miss > 1e-9 * np.maximum(1.0, np.abs(close))
    return pd.Series((frame["volume"].to_numpy() == 0) & off_cent, index=frame.index, name="suspicious")
