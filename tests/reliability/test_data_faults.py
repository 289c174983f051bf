"""Data faults: damaged, foreign or awkward files, a corrupted cache, a stalled or absent source.

Each case starts from a dataset that loaded once (its raw file in the store, its parquet entry in
the cache), feeds one fault, and checks the error's type and text, that the store and cache hash
as before, that no temporary file is left, and, where the message promises it, that the last
good copy is still served. Files arrive through the temporary mirror (the team's shared drive)
or through a local HTTP server on 127.0.0.1 standing in for the publisher.
"""

from __future__ import annotations

import socket
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from research import data
from research.cli import main as cli_main
from research.data import catalog, store
from research.errors import DataUnavailable, ParseError, UnknownBlock, UnknownDataset

from .corpus import fingerprint, fixture_bytes, leftovers, lines, put, register, zipped

FACTORS = fixture_bytes("french_factors.csv")
SIZE = fixture_bytes("french_size_blocks.csv")
DGS2 = fixture_bytes("fred_dgs2.csv")
PRICES = fixture_bytes("prices_yahoo_plain.csv")
FRED_PATH = "/graph/fredgraph.csv?id=DGS2"


@dataclass
class Good:
    """A dataset that loaded once: where its file is, what it served, how the data folder hashed."""

    name: str
    mirror_file: Path | None
    frames: dict[str, pd.DataFrame]
    data_dir: Path
    before: dict[str, str]

    def assert_nothing_lost(self) -> None:
        """Raw store, manifest and parquet cache byte for byte as before; no temporary file."""
        assert fingerprint(self.data_dir) == self.before
        assert not leftovers(self.data_dir)

    def assert_last_good_served(self) -> None:
        """What the error message promises: without the bad mirror file, the last good copy loads."""
        if self.mirror_file is not None:
            self.mirror_file.unlink()
        data._memo.clear()
        for block, frame in self.frames.items():
            pd.testing.assert_frame_equal(data.load(self.name, block=block), frame)
        assert data.info(self.name)["origin"] == "raw-store"


def _loaded(name: str, blocks: list[str | None], data_dir: Path, mirror_file: Path | None) -> Good:
    frames = {b: data.load(name, block=b) for b in blocks}
    data._memo.clear()
    return Good(name, mirror_file, frames, data_dir, fingerprint(data_dir))


def _from_mirror(isolated_data, monkeypatch, base: str, name: str, file: str, payload: bytes,
                 blocks: list[str | None], **changes) -> Good:
    register(monkeypatch, base, name, file, payload, **changes)
    put(isolated_data.mirror / file, payload)
    return _loaded(name, blocks, isolated_data.data_dir, isolated_data.mirror / file)


@pytest.fixture
def good_ff3(isolated_data, monkeypatch) -> Good:
    """Fama/French factors (monthly and annual blocks), loaded once from the mirror."""
    return _from_mirror(isolated_data, monkeypatch, "ff3_factors", "t_ff3", "french/T_FF3.csv", FACTORS,
                        [None, "annual"])


@pytest.fixture
def good_prices(isolated_data, monkeypatch) -> Good:
    """Daily index closes in the plain Yahoo layout, loaded once from the mirror."""
    return _from_mirror(isolated_data, monkeypatch, "rut", "t_rut", "prices/T_RUT.csv", PRICES, [None])


@pytest.fixture
def publisher(isolated_data, monkeypatch, local_server):
    """No mirror, downloads allowed; the publisher is a local server. Returns (server, Good)."""
    monkeypatch.setenv("RESEARCH_DATA_MIRROR", "")
    monkeypatch.setenv("RESEARCH_OFFLINE", "0")
    register(monkeypatch, "dgs2", "t_dgs2", "fred/T_DGS2.csv", DGS2, url=local_server.url + FRED_PATH)
    local_server.serve(FRED_PATH, DGS2)
    good = _loaded("t_dgs2", [None], isolated_data.data_dir, None)
    assert local_server.hits == [FRED_PATH]
    return local_server, good


def _mirror_fix_is_named(exc: ParseError, good: Good) -> None:
    """The dataset, the file, and the fix for a bad file in the mirror are all in the message."""
    msg = str(exc)
    assert exc.dataset == good.name and msg.startswith(f"dataset {good.name!r}: ")
    assert exc.source == str(good.mirror_file) and f"[{good.mirror_file}" in msg
    assert "\nFix: nothing was stored; the last good copy is kept. " in msg
    assert f"Replace {good.mirror_file} with the publisher's file (https://" in msg
    assert "or delete it to go back to the last good copy." in msg


# -- damaged or foreign files ------------------------------------------------------------------------

def test_truncated_zip(isolated_data, monkeypatch):
    whole = zipped("F-F_Research_Data_Factors.csv", FACTORS)
    good = _from_mirror(isolated_data, monkeypatch, "ff3_factors", "t_ffzip", "french/T_FF3_CSV.zip",
                        whole, [None, "annual"])
    put(good.mirror_file, whole[: len(whole) // 2])  # a copy to the shared drive cut short
    with pytest.raises(ParseError) as info:
        data.load("t_ffzip")
    assert "not a valid zip archive (File is not a zip file); the file may be truncated" in str(info.value)
    _mirror_fix_is_named(info.value, good)
    good.assert_nothing_lost()
    good.assert_last_good_served()


def test_html_error_page_served_as_csv(publisher, capsys):
    server, good = publisher
    page = b"<!DOCTYPE html>\n<html><head><title>Service unavailable</title></head><body>Try later</body></html>\n"
    server.serve(FRED_PATH, page, ctype="text/html")  # status 200: only the content says it is wrong
    with pytest.raises(ParseError) as info:
        data.refresh("t_dgs2")
    msg = str(info.value)
    assert msg.startswith("dataset 't_dgs2': got an HTML page where a CSV was expected")
    assert info.value.source == server.url + FRED_PATH
    assert "\nFix: the server did not send a usable file; nothing was stored" in msg
    # the nightly `research data refresh NAME` says the same and exits 3 (data)
    assert cli_main(["data", "refresh", "t_dgs2"]) == 3
    assert "research: data error: dataset 't_dgs2': got an HTML page" in capsys.readouterr().err
    good.assert_nothing_lost()
    good.assert_last_good_served()


@pytest.mark.parametrize("change, expected", [
    pytest.param((b",Mkt-RF,SMB,HML,RF", b",Mkt_RF,SMB,HML,RF"),
                 "block 'monthly' lacks column(s) ['Mkt-RF']; header is ['Mkt_RF', 'SMB', 'HML', 'RF']. "
                 "The publisher may have renamed them", id="renamed column"),
    pytest.param((b",Mkt-RF,SMB,HML,RF", b",Mkt-RF,SMB,HML,RF,UMD"),
                 "row has 4 values but the header has 5 columns", id="added column"),
])
def test_french_file_with_a_changed_header(good_ff3, change, expected):
    put(good_ff3.mirror_file, FACTORS.replace(*change, 1))  # the first header: the monthly table
    with pytest.raises(ParseError) as info:
        data.load("t_ff3")
    assert expected in str(info.value)
    _mirror_fix_is_named(info.value, good_ff3)
    good_ff3.assert_nothing_lost()
    good_ff3.assert_last_good_served()


def test_french_file_with_a_missing_block(good_ff3):
    rows = lines(FACTORS)
    start = next(i for i, line in enumerate(rows) if b"Annual Factors" in line)
    put(good_ff3.mirror_file, b"".join(rows[:start] + rows[start + 4:]))  # title, header, 2 rows gone
    with pytest.raises(ParseError) as info:
        data.load("t_ff3")
    assert ("missing block(s) ['annual']; found ['monthly']. The publisher may have changed the "
            "file's layout") in str(info.value)
    _mirror_fix_is_named(info.value, good_ff3)
    good_ff3.assert_nothing_lost()
    good_ff3.assert_last_good_served()


def test_empty_file(good_ff3):
    put(good_ff3.mirror_file, b"")
    with pytest.raises(ParseError) as info:
        data.load("t_ff3")
    assert str(info.value).startswith(f"dataset 't_ff3': the file is empty [{good_ff3.mirror_file}]")
    _mirror_fix_is_named(info.value, good_ff3)
    good_ff3.assert_nothing_lost()
    good_ff3.assert_last_good_served()


def test_price_file_with_duplicated_dates(good_prices):
    rows = lines(PRICES)
    put(good_prices.mirror_file, b"".join(rows[:3] + [rows[2]] + rows[3:]))  # 2024-07-30 twice
    with pytest.raises(ParseError) as info:
        data.load("t_rut")
    assert f"duplicated date: 2024-07-30 then 2024-07-30 [{good_prices.mirror_file}, line 4]" in str(info.value)
    _mirror_fix_is_named(info.value, good_prices)
    good_prices.assert_nothing_lost()
    good_prices.assert_last_good_served()


def test_price_file_with_unsorted_dates(good_prices):
    rows = lines(PRICES)
    put(good_prices.mirror_file, b"".join([rows[0], rows[2], rows[1], *rows[3:]]))
    with pytest.raises(ParseError) as info:
        data.load("t_rut")
    assert f"dates out of order: 2024-07-30 then 2024-07-29 [{good_prices.mirror_file}, line 3]" in str(info.value)
    _mirror_fix_is_named(info.value, good_prices)
    good_prices.assert_nothing_lost()
    good_prices.assert_last_good_served()


# -- awkward but valid input: handled silently and correctly -----------------------------------------

def test_sentinel_values_become_nan(isolated_data, monkeypatch):
    """French codes missing values as -99.99 and -999: NaN, never numbers in a mean."""
    register(monkeypatch, "size_portfolios", "t_size", "french/T_SIZE.csv", SIZE,
             required_blocks=("vw_monthly", "ew_monthly", "vw_annual", "firm_counts"),
             required_columns=("Lo 30", "Hi 30", "Lo 10", "Hi 10"))
    put(isolated_data.mirror / "french" / "T_SIZE.csv", SIZE)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # silently: not even a warning
        blocks = {b: data.load("t_size", block=b) for b in ("vw_monthly", "ew_monthly", "vw_annual", "firm_counts")}
    for frame in blocks.values():
        assert not frame.isin([-99.99, -999.0]).any().any()
    assert blocks["vw_monthly"]["<= 0"].isna().all() and blocks["vw_annual"]["<= 0"].isna().all()
    ew = blocks["ew_monthly"]["2-Dec"]
    assert np.isnan(ew.loc["2019-11-30"])  # -999
    assert ew.mean() == pytest.approx((0.70 + 1.90 - 8.14) / 3)  # the sentinel is not averaged in
    assert blocks["vw_monthly"].loc["2019-11-30", "Lo 30"] == 1.25
    assert blocks["firm_counts"].loc["2019-11-30", "<= 0"] == 0  # a real zero stays a zero
    # nothing half-written: the raw copy is the file itself, and the cache gives back the same NaNs
    assert next((isolated_data.raw_dir / "french").rglob("T_SIZE.csv")).read_bytes() == SIZE
    data._memo.clear()
    pd.testing.assert_frame_equal(data.load("t_size", block="ew_monthly"), blocks["ew_monthly"])
    assert not leftovers(isolated_data.data_dir)


def test_fred_file_with_dot_values_and_a_lower_case_header(isolated_data, monkeypatch):
    payload = (b"observation_date,dgs2\r\n2024-07-01,4.75\r\n2024-07-02,.\r\n"
               b"2024-07-03,4.73\r\n2024-07-05,.\r\n")
    register(monkeypatch, "dgs2", "t_dgs2", "fred/T_DGS2.csv", payload)
    put(isolated_data.mirror / "fred" / "T_DGS2.csv", payload)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        frame = data.load("t_dgs2")
    assert list(frame.columns) == ["DGS2"] and frame["DGS2"].dtype == np.float64
    assert list(frame.index.strftime("%Y-%m-%d")) == ["2024-07-01", "2024-07-02", "2024-07-03", "2024-07-05"]
    np.testing.assert_array_equal(frame["DGS2"].to_numpy(), [4.75, np.nan, 4.73, np.nan])
    assert data.info("t_dgs2")["vintage"] == "2024-07-03"  # the last observation, not the last '.'
    data._memo.clear()
    pd.testing.assert_frame_equal(data.load("t_dgs2"), frame)
    assert not leftovers(isolated_data.data_dir)


# -- the parquet cache -------------------------------------------------------------------------------

def test_corrupted_cache_entry(good_ff3, isolated_data):
    entries = list((isolated_data.cache_dir / "t_ff3").glob("*/monthly.parquet"))
    assert len(entries) == 1
    parquet = entries[0]
    damaged = bytearray(parquet.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF  # one flipped bit in the middle: same size, same mtime order
    parquet.write_bytes(bytes(damaged))
    with pytest.warns(store.CorruptCacheWarning, match=rf"t_ff3: cached block 'monthly' at {parquet} "
                                                        "failed its checksum; rebuilding it from the raw file"):
        served = data.load("t_ff3")
    # rebuilt from the raw file, not served from the damaged entry
    ds = catalog.get("t_ff3")
    raw = next((isolated_data.raw_dir / "french").rglob("T_FF3.csv"))
    pd.testing.assert_frame_equal(served, store.parse_raw(ds, raw.read_bytes(), str(raw)).blocks["monthly"])
    pd.testing.assert_frame_equal(served, good_ff3.frames[None])
    good_ff3.assert_nothing_lost()  # the rebuilt entry is the good one again, byte for byte


# -- sources that stall or are absent ----------------------------------------------------------------

def test_download_that_stalls(publisher, monkeypatch):
    server, good = publisher
    monkeypatch.setenv("RESEARCH_DOWNLOAD_TIMEOUT", "0.5")
    server.stall(FRED_PATH)  # headers never come; the handler waits for the test's teardown
    with pytest.raises(DataUnavailable) as info:
        data.refresh("t_dgs2")
    url = server.url + FRED_PATH
    assert info.value.dataset == "t_dgs2"
    assert info.value.tried[-1] == f"download: {url} (timed out after 0.5 s (RESEARCH_DOWNLOAD_TIMEOUT))"
    assert "Fix: set RESEARCH_DATA_MIRROR" in str(info.value)
    good.assert_nothing_lost()
    good.assert_last_good_served()


def test_missing_mirror_and_no_network(isolated_data, monkeypatch, tmp_path):
    with socket.socket() as s:  # a port nobody listens on: the network is "down"
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/fred/DGS2.csv"
    register(monkeypatch, "dgs2", "t_dgs2", "fred/T_DGS2.csv", DGS2, url=url)
    unmounted = tmp_path / "shared-drive-not-mounted"
    monkeypatch.setenv("RESEARCH_DATA_MIRROR", str(unmounted))
    monkeypatch.setenv("RESEARCH_OFFLINE", "0")
    with pytest.raises(DataUnavailable) as info:
        data.load("t_dgs2")
    err = info.value
    assert err.tried[0] == f"local raw store: {isolated_data.raw_dir / 'fred'} (no copy yet)"
    assert err.tried[1] == (f"mirror: {unmounted / 'fred' / 'T_DGS2.csv'} (the mirror folder {unmounted} "
                            "does not exist: is the shared drive mounted?)")
    assert err.tried[2].startswith(f"download: {url} (cannot reach the server (")
    assert err.tried[2].endswith("); are you offline?)")
    msg = str(err)
    assert msg.startswith("dataset 't_dgs2' is not available. Tried:\n  - local raw store")
    assert "Fix: set RESEARCH_DATA_MIRROR to a folder laid out like shared/data" in msg
    assert "`research data refresh t_dgs2`" in msg
    assert not list(isolated_data.data_dir.rglob("T_DGS2.csv")) and not leftovers(isolated_data.data_dir)


def test_unknown_dataset_name(isolated_data, capsys):
    before = fingerprint(isolated_data.root)
    with pytest.raises(UnknownDataset) as info:
        data.load("rutt")
    assert "rut" in info.value.suggestions
    assert str(info.value) == ("unknown dataset 'rutt'. Did you mean: " + ", ".join(info.value.suggestions)
                               + "? `research data list` shows every dataset.")
    assert cli_main(["data", "refresh", "rutt"]) == 3
    assert "research: data error: unknown dataset 'rutt'. Did you mean: rut" in capsys.readouterr().err
    assert fingerprint(isolated_data.root) == before


def test_unknown_block_name(good_ff3):
    with pytest.raises(UnknownBlock) as info:
        data.load("t_ff3", block="vw_monthly")
    assert str(info.value) == "dataset 't_ff3' has no block 'vw_monthly'; blocks: ['monthly', 'annual']"
    good_ff3.assert_nothing_lost()
