"""Data faults, part two: the files the data layer keeps, the mirror's state, oversized input and
impossible values.

- The raw store's ``manifest.json`` and a cache entry's ``meta.json`` damaged (empty, truncated,
  binary, the wrong shape, a wrong-typed field, a folder or a huge file in their place): a warning
  naming the file, and the entry is rebuilt; the data served and every raw and cache file are as
  before. One damaged entry never stops another dataset or `research data status`.
- The mirror missing, unreadable, a symlink loop, a folder or a pipe where a file belongs: the raw
  store's good copy is served whatever the mirror's state; without one, ``DataUnavailable`` names
  the reason in its ``Tried:`` line.
- A 1.5 GB zip bomb and a 1 GB file in the mirror: refused in seconds, memory kept small.
- Impossible values (returns below -100%, prices at or below zero, dates after the file's
  vintage) refused with file and line; missing-value codes (-99.99, -999, -9999 in any format)
  never loaded as numbers.
"""

from __future__ import annotations

import errno
import json
import os
import time
import tracemalloc
import warnings

import numpy as np
import pandas as pd
import pytest

from research import data
from research.cli import main as cli_main
from research.data import catalog, checks, fetch, fred, store
from research.errors import DataUnavailable, ParseError

from .corpus import fingerprint, fixture_bytes, leftovers, lines, put, register, zip_bomb, zipped
from .test_data_faults import FACTORS, PRICES, Good, _from_mirror, _mirror_fix_is_named

DGS2 = fixture_bytes("fred_dgs2.csv")
SIZE = fixture_bytes("french_size_blocks.csv")


def _raw_and_cache(good: Good) -> dict[str, str]:
    """Every raw file and cache file, without the manifest (which a repair rewrites)."""
    return {k: v for k, v in good.before.items() if k != "raw/manifest.json"}


def _served_again(good: Good) -> None:
    data._memo.clear()
    for block, frame in good.frames.items():
        pd.testing.assert_frame_equal(data.load(good.name, block=block), frame)


# -- the raw store's manifest ------------------------------------------------------------------------

MANIFEST_DAMAGE = {
    "empty": (lambda m: b"", "is empty"),
    "truncated": (lambda m: m[: len(m) // 2], "is not valid JSON (JSONDecodeError: "),
    "binary garbage": (lambda m: b"\x89PNG\r\n\x1a\n" + bytes(range(128, 256)) * 4, "is not valid JSON (UnicodeDecodeError: "),
    "a list": (lambda m: b"[]", "holds a JSON list where an object of datasets belongs"),
    "entry of the wrong type": (lambda m: b'{"t_ff3": "sha256 here"}', ": the entry for 't_ff3' is damaged "
                                "(str where an object belongs)"),
    "wrong-typed sha256": (lambda m: json.dumps({"t_ff3": dict(json.loads(m)["t_ff3"], sha256=12)}).encode(),
                           ": the entry for 't_ff3' is damaged (sha256 is 12, not 64 hex digits)"),
    "path pointing elsewhere": (lambda m: json.dumps({"t_ff3": dict(json.loads(m)["t_ff3"],
                                                                     path="../../../etc/passwd")}).encode(),
                                ": the entry for 't_ff3' points at '../../../etc/passwd', not at 'french/"),
}


@pytest.mark.parametrize("damage", list(MANIFEST_DAMAGE))
def test_damaged_manifest_is_rebuilt_from_the_raw_store(good_ff3, isolated_data, damage):
    """No mirror file and offline: only the raw store's verified copy can serve, and it does."""
    make, expected = MANIFEST_DAMAGE[damage]
    manifest = isolated_data.raw_dir / "manifest.json"
    good_entry = json.loads(manifest.read_bytes())["t_ff3"]
    manifest.write_bytes(make(manifest.read_bytes()))
    good_ff3.mirror_file.unlink()
    with pytest.warns(fetch.DamagedManifestWarning) as caught:
        _served_again(good_ff3)
    msg = str(caught[0].message)
    assert msg.startswith(str(manifest)) and expected in msg, msg
    assert msg.endswith("the raw files are re-verified (by sha256) from the raw store, the mirror or the "
                        "publisher and the manifest is rewritten; nothing to do, but do not edit data/raw by hand.")
    rebuilt = json.loads(manifest.read_bytes())["t_ff3"]
    assert {k: rebuilt[k] for k in ("path", "sha256", "file")} == {k: good_entry[k] for k in ("path", "sha256", "file")}
    assert rebuilt["origin"] == "raw-store"
    after = fingerprint(isolated_data.data_dir)
    assert {k: v for k, v in after.items() if k != "raw/manifest.json"} == _raw_and_cache(good_ff3)
    assert not leftovers(isolated_data.data_dir)


def test_huge_manifest_is_not_read(good_ff3, isolated_data, monkeypatch):
    manifest = isolated_data.raw_dir / "manifest.json"
    manifest.unlink()
    with open(manifest, "wb") as fh:  # 1 GB, sparse: nothing is written to the disk
        fh.truncate(1 << 30)
    good_ff3.mirror_file.unlink()
    started = time.monotonic()
    with pytest.warns(fetch.DamagedManifestWarning, match=rf"^{manifest} is 1,074 MB, over the limit of "
                                                           r"100 MB on input files \(RESEARCH_MAX_INPUT_MB\)"):
        _served_again(good_ff3)
    assert time.monotonic() - started < 10
    assert manifest.stat().st_size < 10_000  # rewritten


def test_one_damaged_manifest_entry_stops_nothing_else(isolated_data, monkeypatch, capsys):
    ff3 = _from_mirror(isolated_data, monkeypatch, "ff3_factors", "t_ff3", "french/T_FF3.csv", FACTORS,
                       [None])
    rut = _from_mirror(isolated_data, monkeypatch, "rut", "t_rut", "prices/T_RUT.csv", PRICES, [None])
    monkeypatch.setattr(catalog, "CATALOG", {n: catalog.CATALOG[n] for n in ("t_ff3", "t_rut")})
    manifest = isolated_data.raw_dir / "manifest.json"
    doc = json.loads(manifest.read_bytes())
    doc["t_ff3"]["mirror_stat"] = "yesterday"
    manifest.write_text(json.dumps(doc))
    with pytest.warns(fetch.DamagedManifestWarning, match="the entry for 't_ff3' is damaged "
                                                          r"\(mirror_stat is 'yesterday', not \[size, mtime\]\)"):
        assert cli_main(["data", "status"]) == 0
    out = capsys.readouterr().out
    assert "2 of 2 datasets loadable" in out
    data._memo.clear()
    pd.testing.assert_frame_equal(data.load("t_rut"), rut.frames[None])
    pd.testing.assert_frame_equal(data.load("t_ff3"), ff3.frames[None])
    assert json.loads(manifest.read_bytes())["t_ff3"]["mirror_stat"] != "yesterday"  # repaired
    assert {k: v for k, v in fingerprint(isolated_data.data_dir).items() if k != "raw/manifest.json"} == \
        _raw_and_cache(rut)


# -- a cache entry's meta.json -----------------------------------------------------------------------

def _meta(isolated_data, name: str):
    (path,) = (isolated_data.cache_dir / name).glob("*/meta.json")
    return path


META_DAMAGE = {
    "empty": (lambda m: b"", "it is empty"),
    "truncated": (lambda m: m[:-40], "it is not valid JSON (JSONDecodeError; truncated or overwritten?)"),
    "binary garbage": (lambda m: b"\x89PNG\r\n\x1a\n" + bytes(range(128, 256)) * 4, "it is not valid JSON (UnicodeDecodeError; "),
    "a list": (lambda m: b"[1, 2]", "a JSON list where an object belongs"),
    "wrong-typed rows": (lambda m: _edit(m, lambda d: d["blocks"]["monthly"].update(rows="many")),
                         "block 'monthly': 'rows' is missing or of the wrong type"),
    "files not a mapping": (lambda m: _edit(m, lambda d: d.update(files=["monthly.parquet"])),
                            "'files' is ['monthly.parquet'], not block -> sha256"),
    "another raw file": (lambda m: _edit(m, lambda d: d.update(raw_sha256="0" * 64)),
                         "it describes another raw file or parser version"),
}


def _edit(raw: bytes, change) -> bytes:
    doc = json.loads(raw)
    change(doc)
    return json.dumps(doc, indent=2).encode()


@pytest.mark.parametrize("damage", list(META_DAMAGE))
def test_damaged_cache_metadata_is_rebuilt(good_ff3, isolated_data, damage):
    make, expected = META_DAMAGE[damage]
    meta = _meta(isolated_data, "t_ff3")
    meta.write_bytes(make(meta.read_bytes()))
    with pytest.warns(store.CorruptCacheWarning) as caught:
        _served_again(good_ff3)
    msg = str(caught[0].message)
    assert msg.startswith(f"t_ff3: cache metadata {meta} is damaged ({expected}")
    assert msg.endswith("; rebuilding the entry from the raw file")
    good_ff3.assert_nothing_lost()  # meta.json rebuilt byte for byte, parquet files untouched


def test_folder_in_place_of_cache_metadata(good_ff3, isolated_data):
    meta = _meta(isolated_data, "t_ff3")
    meta.unlink()
    meta.mkdir()
    (meta / "stray.txt").write_text("x")
    with pytest.warns(store.CorruptCacheWarning, match=r"\(it is a folder, not a file\); rebuilding"):
        _served_again(good_ff3)
    good_ff3.assert_nothing_lost()


# -- the mirror's state ------------------------------------------------------------------------------

def _permission_denied(monkeypatch, under):
    """os.stat/os.open raising EACCES under ``under``, as chmod 000 does for a user other than root
    (root reads through any mode bits, so the fault is simulated for every user alike)."""
    real_stat, real_open = os.stat, os.open

    def deny(fn):
        def wrapped(path, *args, **kwargs):
            if str(path).startswith(str(under)):
                raise PermissionError(errno.EACCES, "Permission denied", str(path))
            return fn(path, *args, **kwargs)
        return wrapped

    monkeypatch.setattr(os, "stat", deny(real_stat))
    monkeypatch.setattr(os, "open", deny(real_open))


def _break_mirror(state: str, mirror, file, monkeypatch) -> str:
    """Put the mirror in ``state``; return the reason the Tried: line must give."""
    if state == "missing folder":
        for p in sorted(mirror.rglob("*"), reverse=True):
            p.rmdir() if p.is_dir() else p.unlink()
        mirror.rmdir()
        return f"(the mirror folder {mirror} does not exist: is the shared drive mounted?)"
    if state == "unreadable file":
        _permission_denied(monkeypatch, file)
        return "(permission denied: [Errno 13] Permission denied; make the mirror readable by this user)"
    if state == "unreadable folder":
        _permission_denied(monkeypatch, mirror)
        return "(permission denied: [Errno 13] Permission denied; make the mirror readable by this user)"
    if state == "symlink loop (file)":
        file.unlink()
        file.symlink_to(file)
        return "(a symlink loop: a link on this path points back at itself)"
    if state == "symlink loop (folder)":
        folder = file.parent
        for p in folder.iterdir():
            p.unlink()
        folder.rmdir()
        folder.symlink_to(folder)
        return "(a symlink loop: a link on this path points back at itself)"
    if state == "folder where the file belongs":
        file.unlink()
        file.mkdir()
        return "(a folder where the file belongs)"
    if state == "pipe where the file belongs":
        file.unlink()
        os.mkfifo(file)  # reading it would block for ever
        return "(not a regular file: a pipe, socket or device)"
    raise AssertionError(state)


MIRROR_STATES = ["missing folder", "unreadable file", "unreadable folder", "symlink loop (file)",
                 "symlink loop (folder)", "folder where the file belongs", "pipe where the file belongs"]


@pytest.mark.parametrize("state", MIRROR_STATES)
def test_raw_store_copy_is_served_whatever_the_mirror_state(good_ff3, isolated_data, monkeypatch, state):
    """Even with the manifest gone: the raw store's copy of the locked vintage is found and verified."""
    (isolated_data.raw_dir / "manifest.json").unlink()
    _break_mirror(state, isolated_data.mirror, good_ff3.mirror_file, monkeypatch)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _served_again(good_ff3)
        assert data.current_sha256("t_ff3") == good_ff3.before[next(k for k in good_ff3.before
                                                                     if k.endswith("T_FF3.csv"))]
    monkeypatch.undo()  # os.stat/os.open back before hashing the folder
    after = fingerprint(isolated_data.data_dir)
    assert {k: v for k, v in after.items() if k != "raw/manifest.json"} == _raw_and_cache(good_ff3)
    assert json.loads((isolated_data.raw_dir / "manifest.json").read_bytes())["t_ff3"]["origin"] == "raw-store"


@pytest.mark.parametrize("state", MIRROR_STATES)
def test_mirror_state_named_when_there_is_no_raw_copy(isolated_data, monkeypatch, capsys, state):
    register(monkeypatch, "dgs2", "t_dgs2", "fred/T_DGS2.csv", DGS2)
    file = isolated_data.mirror / "fred" / "T_DGS2.csv"
    put(file, DGS2)
    reason = _break_mirror(state, isolated_data.mirror, file, monkeypatch)
    with pytest.raises(DataUnavailable) as info:
        data.load("t_dgs2")
    assert info.value.tried[1] == f"mirror: {file} {reason}"
    assert cli_main(["data", "refresh", "t_dgs2"]) == 3
    assert f"mirror: {file} {reason}" in capsys.readouterr().err
    monkeypatch.undo()
    assert not list(isolated_data.data_dir.rglob("T_DGS2.csv")) and not leftovers(isolated_data.root)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads through chmod 000; the simulated cases above cover it")
def test_mirror_folder_chmod_000(good_ff3, isolated_data):
    os.chmod(isolated_data.mirror, 0)
    try:
        _served_again(good_ff3)
    finally:
        os.chmod(isolated_data.mirror, 0o755)
    good_ff3.assert_nothing_lost()


# -- oversized input ---------------------------------------------------------------------------------

@pytest.mark.parametrize("declared", ["honest", "lying"])
def test_zip_bomb_is_refused_in_seconds(isolated_data, monkeypatch, declared):
    """1.5 MB that inflates to 1.5 GB: refused by the size it declares, or (when it declares 4 KB)
    after inflating those 4 KB, by its CRC; in seconds and without holding more than the limit."""
    whole = zipped("F-F_Research_Data_Factors.csv", FACTORS)
    good = _from_mirror(isolated_data, monkeypatch, "ff3_factors", "t_ffzip", "french/T_FF3_CSV.zip",
                        whole, [None, "annual"])
    bomb = zip_bomb("F-F_Research_Data_Factors.csv", 1536 << 20, declared=None if declared == "honest" else 4096)
    assert len(bomb) < 2_000_000
    put(good.mirror_file, bomb)
    started = time.monotonic()
    tracemalloc.start()
    try:
        with pytest.raises(ParseError) as info:
            data.load("t_ffzip")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 15
    assert peak < 300e6  # the limit (100 MB) and its copy, not 1.5 GB
    assert (("the zip member 'F-F_Research_Data_Factors.csv' declares 1,611 MB, over the limit of 100 MB "
             "on input files (RESEARCH_MAX_INPUT_MB); a French file inflates to a few MB: this is a damaged "
             "archive or a zip bomb, and it was not unpacked") if declared == "honest" else
            "not a valid zip archive (Bad CRC-32 for file 'F-F_Research_Data_Factors.csv')") in str(info.value)
    _mirror_fix_is_named(info.value, good)
    good.assert_nothing_lost()
    good.assert_last_good_served()


def test_gigabyte_file_in_the_mirror_is_refused_unread(good_ff3):
    good_ff3.mirror_file.unlink()
    with open(good_ff3.mirror_file, "wb") as fh:  # 1 GB, sparse: a few KB on the disk
        fh.truncate(1 << 30)
    started = time.monotonic()
    with pytest.raises(ParseError) as info:
        data.load("t_ff3")
    assert time.monotonic() - started < 5
    assert str(info.value).startswith(
        "dataset 't_ff3': the file is 1,074 MB, over the limit of 100 MB on input files "
        "(RESEARCH_MAX_INPUT_MB); it is not one of the publisher's data files [")
    _mirror_fix_is_named(info.value, good_ff3)
    assert data.current_sha256("t_ff3") is None  # the runner: "not available to check", not a hash of 1 GB
    good_ff3.assert_nothing_lost()
    good_ff3.assert_last_good_served()


def test_download_over_the_input_limit(isolated_data, monkeypatch, local_server):
    monkeypatch.setenv("RESEARCH_DATA_MIRROR", "")
    monkeypatch.setenv("RESEARCH_OFFLINE", "0")
    monkeypatch.setenv("RESEARCH_MAX_INPUT_MB", "0.001")  # 1,000 bytes
    path = "/graph/fredgraph.csv?id=DGS2"
    register(monkeypatch, "dgs2", "t_dgs2", "fred/T_DGS2.csv", DGS2, url=local_server.url + path)
    local_server.serve(path, DGS2 * 100)
    with pytest.raises(DataUnavailable) as info:
        data.load("t_dgs2")
    assert info.value.tried[-1] == f"download: {local_server.url + path} ({local_server.url + path}: more than 1000 bytes; refusing)"
    assert not list(isolated_data.data_dir.rglob("T_DGS2.csv")) and not leftovers(isolated_data.data_dir)


# -- impossible values -------------------------------------------------------------------------------

def _refused(good: Good, payload: bytes, expected: str) -> None:
    put(good.mirror_file, payload)
    with pytest.raises(ParseError) as info:
        data.load(good.name)
    assert expected in str(info.value), str(info.value)
    _mirror_fix_is_named(info.value, good)
    good.assert_nothing_lost()
    good.assert_last_good_served()


def test_french_return_below_minus_100_percent(good_ff3):
    bad = FACTORS.replace(b"202409,   2.05,", b"202409, -150.00,", 1)
    line = lines(bad).index(next(x for x in lines(bad) if x.startswith(b"202409,"))) + 1
    _refused(good_ff3, bad, "block 'monthly', column 'Mkt-RF': a return of -150% on 2024-09-30 is below "
                            "-100% (a loss of more than everything); the file is damaged or was edited "
                            f"[{good_ff3.mirror_file}, line {line}]")


def test_french_date_after_the_files_vintage(good_ff3):
    rows = lines(FACTORS)
    at = next(i for i, x in enumerate(rows) if x.startswith(b"202410,"))
    assert b"202510 CRSP database" in FACTORS  # the fixture's vintage
    bad = b"".join(rows[: at + 1] + [b"203001,   0.12,   0.34,   0.56,   0.40\r\n"] + rows[at + 1:])
    _refused(good_ff3, bad, "block 'monthly': the date 2030-01-31 is after the file's vintage (202510 CRSP "
                            "database); a future date means a damaged or hand-edited file "
                            f"[{good_ff3.mirror_file}, line {at + 2}]")


@pytest.mark.parametrize("code", [b"-99.99", b"-99.990", b"-999", b"-999.0", b"-9999", b"-9999.00"])
def test_french_missing_value_codes_in_any_format(isolated_data, monkeypatch, code):
    """NaN, never a number, and counted (with the first line) in the cache metadata and info()."""
    rows = lines(SIZE)
    at = next(i for i, x in enumerate(rows) if x.startswith(b"201912,"))  # the first vw_monthly row
    cells = rows[at].split(b",")
    cells[3] = b" " + code
    payload = b"".join(rows[:at] + [b",".join(cells)] + rows[at + 1:])
    register(monkeypatch, "size_portfolios", "t_size", "french/T_SIZE.csv", payload,
             required_blocks=("vw_monthly",), required_columns=())
    put(isolated_data.mirror / "french" / "T_SIZE.csv", payload)
    frame = data.load("t_size", block="vw_monthly")
    column = frame.columns[2]
    assert np.isnan(frame.loc["2019-12-31", column])
    assert not frame.isin([-99.99, -999.0, -9999.0]).any().any()
    missing = data.info("t_size")["blocks"]["vw_monthly"]["missing_codes"]
    first = next(i for i, x in enumerate(rows) if x.startswith(b"201911,"))  # the block's first row
    # every row of the block has -99.99 in '<= 0' (no such firms): 4 rows, from the first one
    assert missing == {"count": 4, "first_line": first + 1}
    assert frame["<= 0"].isna().all()
    assert not leftovers(isolated_data.data_dir)


@pytest.mark.parametrize("code", ["-99.99", "-99.990", "-999", "-999.0", "-9999"])
def test_fred_missing_value_codes_become_nan_with_a_warning(isolated_data, monkeypatch, code):
    rows = lines(DGS2)
    payload = b"".join(rows[:2] + [rows[2].split(b",")[0] + b"," + code.encode() + b"\n"] + rows[3:])
    register(monkeypatch, "dgs2", "t_dgs2", "fred/T_DGS2.csv", payload)
    file = isolated_data.mirror / "fred" / "T_DGS2.csv"
    put(file, payload)
    with pytest.warns(fred.MissingCodeWarning) as caught:
        frame = data.load("t_dgs2")
    assert str(caught[0].message) == (
        f"{file}: 1 value(s) equal to a missing-value code [-99.99, -999.0, -9999.0] read as missing (NaN), "
        "line(s) 3; FRED writes '.' for missing values, so the file was saved by another program: check "
        "it against the publisher's")
    expected = fred.parse_fred(DGS2.decode(), "DGS2", "daily")["DGS2"]
    assert expected.iloc[1] == 4.73
    expected.iloc[1] = np.nan  # that value, and nothing else, is now missing
    pd.testing.assert_series_equal(frame["DGS2"], expected)
    assert not leftovers(isolated_data.data_dir)


def test_fred_date_in_the_future(isolated_data, monkeypatch):
    good = _from_mirror(isolated_data, monkeypatch, "dgs2", "t_dgs2", "fred/T_DGS2.csv", DGS2, [None])
    rows = lines(DGS2)
    bad = b"".join(rows + [b"2099-01-02,4.10\r\n"])
    _refused(good, bad, f"the date 2099-01-02 is in the future (after {checks.latest_plausible_date()}); "
                        f"a future date means a damaged or hand-edited file [{good.mirror_file}, line {len(rows) + 1}]")


@pytest.mark.parametrize(("field", "value", "expected"), [
    (4, b"0", "a price must be positive: 0 in close on 2024-07-30"),
    (4, b"-99.99", "a price must be positive: -99.99 in close on 2024-07-30"),
    (1, b"-1.5", "a price must be positive: -1.5 in open on 2024-07-30"),
    (6, b"-100", "a volume cannot be negative: -100 on 2024-07-30"),
])
def test_impossible_price_row(good_prices, field, value, expected):
    rows = lines(PRICES)
    cells = rows[2].split(b",")
    assert cells[0] == b"2024-07-30"
    cells[field] = value + (b"\n" if field == len(cells) - 1 else b"")
    bad = b"".join(rows[:2] + [b",".join(cells)] + rows[3:])
    _refused(good_prices, bad, f"{expected}; the file is damaged or holds a missing-value code "
                               f"[{good_prices.mirror_file}, line 3]")


def test_price_date_in_the_future(good_prices):
    rows = lines(PRICES)
    last = rows[-1].split(b",", 1)[1]
    bad = b"".join(rows + [b"2099-12-31," + last])
    _refused(good_prices, bad, "the date 2099-12-31 is in the future")


@pytest.mark.mirror
def test_real_french_missing_value_codes_are_nan_and_counted(mirror_env):
    """The team's Portfolios_Formed_on_ME.csv marks the '<= 0' portfolio -99.99 in its early months:
    NaN after loading, and counted from the file's own text (an independent reading)."""
    text = (mirror_env / "french" / "Portfolios_Formed_on_ME.csv").read_text(encoding="latin-1").splitlines()
    header = next(i for i, x in enumerate(text) if x.strip().startswith(","))
    end = next(i for i in range(header + 1, len(text)) if not text[i].strip())
    rows = [(i + 1, [float(c) for c in text[i].split(",")[1:]]) for i in range(header + 1, end)]
    coded = [n for n, cells in rows if any(c in (-99.99, -999.0, -9999.0) for c in cells)]
    assert len(coded) > 0
    frame = data.load("size_portfolios", block="vw_monthly")
    assert len(frame) == len(rows)
    assert not frame.isin([-99.99, -999.0, -9999.0]).any().any()
    assert int(frame.isna().any(axis=1).sum()) == len(coded)
    assert data.info("size_portfolios")["blocks"]["vw_monthly"]["missing_codes"] == {
        "count": len(coded), "first_line": coded[0]}
