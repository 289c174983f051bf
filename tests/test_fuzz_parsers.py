"""The parsers fuzzed with hypothesis: whatever bytes arrive, the answer is a frame or one of the
package's documented errors (:class:`~research.errors.ParseError`, a :class:`DataError`), never a
bare traceback from deep inside pandas, numpy, zipfile or csv.

Inputs: arbitrary bytes and text, and mangled copies of the small valid fixture files in each
publisher's layout (truncated, lines deleted or duplicated, characters replaced, CRLF and LF
swapped, HTML inserted, the header changed), also inside a zip as French serves them. The runs
are deterministic (``derandomize=True``, no example database), so CI sees the same examples every
time, and the whole file takes well under a minute.
"""

from __future__ import annotations

import contextlib
import io
import json
import zipfile
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from research.data import fred, french, prices, store
from research.data.catalog import CATALOG
from research.errors import DataError, ParseError

FIXTURES = Path(__file__).resolve().parent / "fixtures"
DOCUMENTED = (ParseError, DataError)

FUZZ = settings(derandomize=True, database=None, deadline=None, max_examples=300,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _zip(member: str, payload: bytes) -> bytes:
    """A zip as French serves it; with a fixed timestamp, so the same bytes on every run."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(zipfile.ZipInfo(member, date_time=(2025, 10, 31, 12, 0, 0)), payload,
                    compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


# Each fixture with the catalog entry that parses it (requirements narrowed to what it holds).
_SIZE_COLS = ("Lo 30", "Hi 30", "Lo 10", "Hi 10")
CORPUS: dict[str, tuple[bytes, object]] = {
    "french_factors.csv": ((FIXTURES / "french_factors.csv").read_bytes(),
                           replace(CATALOG["ff3_factors"], file="french/F-F_Research_Data_Factors.csv")),
    "french_size_blocks.csv": ((FIXTURES / "french_size_blocks.csv").read_bytes(),
                               replace(CATALOG["size_portfolios"], required_blocks=("vw_monthly", "ew_monthly"),
                                       required_columns=_SIZE_COLS)),
    "french_daily.csv": ((FIXTURES / "french_daily.csv").read_bytes(),
                         replace(CATALOG["me_bm_6_daily"], file="french/6_Portfolios_2x3_daily.csv",
                                 required_blocks=("vw_daily", "ew_daily"))),
    "fred_dgs2.csv": ((FIXTURES / "fred_dgs2.csv").read_bytes(), CATALOG["dgs2"]),
    "fred_dgs2_lower.csv": ((FIXTURES / "fred_dgs2_lower.csv").read_bytes(), CATALOG["dgs2"]),
    "fred_fedfunds.csv": ((FIXTURES / "fred_fedfunds.csv").read_bytes(), CATALOG["fedfunds"]),
    "fred_t10y2y_crlf.csv": ((FIXTURES / "fred_t10y2y_crlf.csv").read_bytes(), CATALOG["t10y2y"]),
    "fred_datevalue.csv": ((FIXTURES / "fred_datevalue.csv").read_bytes(), CATALOG["dff"]),
    "prices_yahoo_plain.csv": ((FIXTURES / "prices_yahoo_plain.csv").read_bytes(), CATALOG["rut"]),
    "prices_new_order.csv": ((FIXTURES / "prices_new_order.csv").read_bytes(), CATALOG["rut"]),
    "prices_yfinance_3line.csv": ((FIXTURES / "prices_yfinance_3line.csv").read_bytes(), CATALOG["gspc"]),
}
FRENCH = [k for k in CORPUS if k.startswith("french")]
FRED = [k for k in CORPUS if k.startswith("fred")]
PRICES = [k for k in CORPUS if k.startswith("prices")]

HTML = [b"<!DOCTYPE html><html><head><title>503</title></head><body>Service unavailable</body></html>",
        b"<html><body>Please log in</body></html>", b"<p>moved</p>", b"<?xml version='1.0'?><error/>"]
# Characters a damaged or hand-edited file plausibly contains, plus some hostile ones.
NOISE = st.sampled_from(list("0123456789,.-+ eE\t\r\n\"';:/x#") + ["\x00", "\xa0", "é", "\u2028", "٣", "１",
                                                                  "nan", "inf", "1_0", ",,", "-99.99"])


def _mangle_step(draw, data: bytes) -> bytes:
    """One random damage to ``data``."""
    op = draw(st.sampled_from(["truncate", "delete", "duplicate", "replace", "newlines", "html",
                               "header", "swap"]))
    lines = data.splitlines(keepends=True) or [b""]
    if op == "truncate":
        return data[: draw(st.integers(0, len(data)))]
    if op == "delete":
        i = draw(st.integers(0, len(lines) - 1))
        return b"".join(lines[:i] + lines[i + 1:])
    if op == "duplicate":
        i = draw(st.integers(0, len(lines) - 1))
        j = draw(st.integers(0, len(lines)))
        return b"".join(lines[:j] + [lines[i]] + lines[j:])
    if op == "swap":
        i = draw(st.integers(0, len(lines) - 1))
        j = draw(st.integers(0, len(lines) - 1))
        lines[i], lines[j] = lines[j], lines[i]
        return b"".join(lines)
    if op == "replace":
        if not data:
            return data
        out = bytearray(data)
        for _ in range(draw(st.integers(1, 4))):
            i = draw(st.integers(0, len(out) - 1))
            out[i:i + 1] = draw(NOISE).encode("utf-8")
        return bytes(out)
    if op == "newlines":
        return data.replace(b"\r\n", b"\n") if b"\r\n" in data else data.replace(b"\n", b"\r\n")
    if op == "html":
        i = draw(st.integers(0, len(lines)))
        return b"".join(lines[:i] + [draw(st.sampled_from(HTML)) + b"\n"] + lines[i:])
    # "header": rename, drop or add a column in the first line that has commas
    for k, line in enumerate(lines):
        if b"," in line:
            cells = line.rstrip(b"\r\n").split(b",")
            ending = line[len(line.rstrip(b"\r\n")):]
            how = draw(st.sampled_from(["rename", "drop", "add", "case"]))
            c = draw(st.integers(0, len(cells) - 1))
            if how == "rename":
                cells[c] = draw(st.sampled_from([b"Foo", b"", b"Mkt_RF", b"Adj_Close", b"DATE", b"value", b" "]))
            elif how == "drop" and len(cells) > 1:
                del cells[c]
            elif how == "add":
                cells.insert(c, draw(st.sampled_from([b"Extra", cells[c], b""])))
            else:
                cells[c] = cells[c].swapcase()
            lines[k] = b",".join(cells) + ending
            break
    return b"".join(lines)


@st.composite
def mangled(draw, names: list[str]):
    """(fixture name, damaged bytes): 1 to 3 damages to a valid file, sometimes inside a zip."""
    name = draw(st.sampled_from(names))
    data = CORPUS[name][0]
    for _ in range(draw(st.integers(1, 3))):
        data = _mangle_step(draw, data)
    if name.startswith("french") and draw(st.booleans()):
        data = _zip(name, data)
        if draw(st.booleans()):  # damage the archive itself too
            data = _mangle_step(draw, data)
    return name, data


def _check_frame(frame: pd.DataFrame) -> None:
    """What a successful parse promises: a strictly increasing DatetimeIndex named ``date``."""
    assert isinstance(frame.index, pd.DatetimeIndex) and frame.index.name == "date"
    assert frame.index.is_monotonic_increasing and frame.index.is_unique
    assert len(frame) > 0


def _french(data: bytes) -> None:
    text = french.read_zip_member(data, "f") if data[:2] == b"PK" else french.decode(data, "f")
    for block in french.parse_french(text, "f").blocks.values():
        _check_frame(block.frame)


def _fred(data: bytes, series: str = "DGS2", frequency: str = "daily") -> None:
    _check_frame(fred.parse_fred(french.decode(data, "f"), series, frequency, "f"))


def _prices(data: bytes) -> None:
    _check_frame(prices.parse_prices(french.decode(data, "f"), "f"))


def _parse_raw(name: str, data: bytes) -> None:
    parsed = store.parse_raw(CORPUS[name][1], data, "f")
    for frame in parsed.blocks.values():
        _check_frame(frame)
        store._frame_to_parquet(frame)  # and whatever parses can go into the parquet cache


def _documented(fn, *args) -> None:
    """Run ``fn``: success, or one of the documented errors; anything else fails the test."""
    with contextlib.suppress(*DOCUMENTED):
        fn(*args)


def test_the_corpus_parses_before_it_is_mangled():
    for name, (data, _ds) in CORPUS.items():
        _parse_raw(name, data)
        if name.startswith("french"):
            _parse_raw(name, _zip(name, data))


# -- arbitrary input -------------------------------------------------------------------------------

@FUZZ
@given(st.binary(max_size=3000))
def test_arbitrary_bytes(data):
    _documented(_french, data)
    _documented(french.read_zip_member, data, "f")
    _documented(_fred, data)
    _documented(_prices, data)
    for name in ("french_factors.csv", "fred_dgs2.csv", "prices_yahoo_plain.csv"):
        _documented(_parse_raw, name, data)


@FUZZ
@given(st.text(max_size=2000))
def test_arbitrary_text(text):
    _documented(french.parse_french, text, "f")
    _documented(fred.parse_fred, text, "DGS2", "monthly", "f")
    _documented(prices.parse_prices, text, "f")


@FUZZ
@given(st.lists(st.lists(NOISE | st.text(max_size=12), max_size=8), max_size=12), st.sampled_from(FRENCH + FRED + PRICES))
def test_comma_separated_noise_under_a_real_header(rows, name):
    """Rows of plausible junk below a genuine header: the shape the parsers look for."""
    head = CORPUS[name][0].splitlines(keepends=True)
    keep = 6 if name.startswith("french") else 3 if "yfinance" in name else 1
    body = "\n".join(",".join(r) for r in rows).encode("utf-8", "surrogatepass")
    _documented(_parse_raw, name, b"".join(head[:keep]) + body)


# -- mangled real files ----------------------------------------------------------------------------

@FUZZ
@given(mangled(FRENCH))
def test_mangled_french_files(case):
    name, data = case
    _documented(_french, data)
    _documented(_parse_raw, name, data)


@FUZZ
@given(mangled(FRED))
def test_mangled_fred_files(case):
    name, data = case
    ds = CORPUS[name][1]
    _documented(_fred, data, ds.series, ds.frequency)
    _documented(_parse_raw, name, data)


@FUZZ
@given(mangled(PRICES))
def test_mangled_price_files(case):
    name, data = case
    _documented(_prices, data)
    _documented(_parse_raw, name, data)


# -- shapes hypothesis is unlikely to build by itself ----------------------------------------------

@pytest.mark.parametrize("make", [
    pytest.param(lambda: b"observation_date,DGS2\n2024-01-01," + b"9" * 200_000 + b"\n", id="fred field over csv's limit"),
    pytest.param(lambda: b"Date,Close\n2024-01-01," + b"1" * 200_000 + b"\n", id="price field over csv's limit"),
    pytest.param(lambda: b"Date,Close\n2024-01-01,\"1\n", id="unterminated quote"),
    pytest.param(lambda: b"observation_date,DGS2\n2262-04-12,1.0\n", id="FRED date near pandas' limit"),
    pytest.param(lambda: b"observation_date,FEDFUNDS\n2262-04-01,1.0\n", id="monthly FRED date moved past the limit"),
    pytest.param(lambda: b",A,B\n226204,1,2\n", id="French month past the limit"),
    pytest.param(lambda: b",A,B\n0000,1,2\n", id="French year zero"),
    pytest.param(lambda: b",A,A\n202401,1,2\n", id="French duplicated column names"),
    pytest.param(lambda: b"Date,Close,Close\n2024-01-02,1,2\n", id="price columns duplicated"),
    pytest.param(lambda: b"Date,Close,Volume,Volume\n2024-01-02,1,0,0\n", id="volume column duplicated"),
    pytest.param(lambda: _zip("a.csv", b",A\n202401,1\n")[:-30] + b"\x00" * 30, id="zip with a damaged directory"),
    pytest.param(lambda: _zip("a.csv", b",A\n202401,1\n" * 50).replace(b"202401", b"202402", 1), id="zip payload edited"),
])
def test_edge_shapes(make):
    data = make()
    for name in ("french_factors.csv", "fred_dgs2.csv", "fred_fedfunds.csv", "prices_yahoo_plain.csv"):
        _documented(_parse_raw, name, data)
    _documented(_french, data)
    _documented(_fred, data)
    _documented(_fred, data, "FEDFUNDS", "monthly")
    _documented(_prices, data)


# Yahoo chart-API answers: any JSON shaped loosely like one (the keys it reads, values of any type)
_CHART_KEYS = st.sampled_from(["chart", "result", "error", "timestamp", "indicators", "quote",
                               "adjclose", "open", "high", "low", "close", "volume", "meta",
                               "exchangeTimezoneName", "gmtoffset"])
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-2**70, max_value=2**70)
    | st.floats() | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(_CHART_KEYS, inner, max_size=6),
    max_leaves=40)


@FUZZ
@given(_JSON, st.lists(st.integers(min_value=-2**40, max_value=2**40), min_size=1, max_size=6))
def test_chart_json_of_any_shape(doc, stamps):
    _documented(prices.parse_prices, json.dumps({"chart": doc}), "f")
    quote = {k: doc if isinstance(doc, list) else [doc] * len(stamps)
             for k in ("open", "high", "low", "close", "volume")}
    _documented(prices.parse_prices, json.dumps({"chart": {"result": [
        {"timestamp": stamps, "meta": doc, "indicators": {"quote": [quote]}}]}}), "f")
