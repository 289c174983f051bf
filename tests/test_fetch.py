"""Resolution (raw store -> mirror -> download), the raw store and manifest, the parquet cache,
and every way a download can fail, on temporary folders and a local HTTP server.

Datasets here are temporary catalog entries (``dataclasses.replace`` of real ones) pointing at the
hand-written fixtures; expected values are typed from those files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from local_http import LocalServer, running

from research import data
from research.config import settings
from research.data import catalog, fetch, french, store, vintages
from research.data.store import STORE_VERSION
from research.errors import (
    DataUnavailable,
    DownloadError,
    ParseError,
    UnknownBlock,
    UnknownDataset,
)
from research.fsutil import atomic_write_bytes

FIXTURES = Path(__file__).resolve().parent / "fixtures"
FR = f"fr{french.PARSER_VERSION}s{STORE_VERSION}"  # the cache key's parser part
FR_NEXT = f"fr{french.PARSER_VERSION + 1}s{STORE_VERSION}"
FACTORS = (FIXTURES / "french_factors.csv").read_bytes()
DGS2 = (FIXTURES / "fred_dgs2.csv").read_bytes()


def _sha(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


def _register(monkeypatch, ds: catalog.Dataset, lock: bytes | None = None) -> catalog.Dataset:
    """A temporary catalog entry, locked (in the test's lock file) to ``lock``'s sha256."""
    monkeypatch.setattr(catalog, "CATALOG", {**catalog.CATALOG, ds.name: ds})
    if lock is not None:
        cfg = settings()
        vintages.write(cfg, {**vintages.read(cfg), ds.name: vintages.Locked(_sha(lock), "")})
    return ds


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _leftovers(root: Path) -> list[Path]:
    """Half-written files or folders: atomic writes use ``.<name>.*.tmp`` and ``.tmp-*``."""
    return [p for p in root.rglob("*") if p.name.endswith(".tmp") or p.name.startswith(".tmp-")]


def _manifest(dirs) -> dict:
    path = dirs.raw_dir / "manifest.json"
    return json.loads(path.read_text()) if path.exists() else {}


def _zip(member: str, payload: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(member, payload)
    return buf.getvalue()


@pytest.fixture
def parse_calls(monkeypatch) -> list[str]:
    """Records every parse of a raw file (the cache should make them rare)."""
    calls: list[str] = []
    real = store.parse_raw

    def spy(ds, raw, source):
        calls.append(ds.name)
        return real(ds, raw, source)

    monkeypatch.setattr(store, "parse_raw", spy)
    return calls


# -- a French file in the mirror ------------------------------------------------------------------

@pytest.fixture
def ff(isolated_data, monkeypatch) -> catalog.Dataset:
    """A French factors-style dataset whose file is in the (temporary) mirror."""
    (isolated_data.mirror / "french").mkdir()
    (isolated_data.mirror / "french" / "T_FF3.csv").write_bytes(FACTORS)
    return _register(monkeypatch, replace(catalog.CATALOG["ff3_factors"], name="t_ff3",
                                          file="french/T_FF3.csv"), lock=FACTORS)


def _entries(dirs, name: str) -> list[str]:
    folder = dirs.cache_dir / name
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_mirror_copy_goes_to_the_raw_store_with_a_manifest_entry(ff, isolated_data):
    df = data.load("t_ff3")
    assert df.loc["2024-07-31", "Mkt-RF"] == 1.11
    sha = _sha(FACTORS)
    stored = isolated_data.raw_dir / "french" / sha[:16] / "T_FF3.csv"
    assert stored.read_bytes() == FACTORS
    assert stored.stat().st_mode & 0o777 == 0o444
    entry = _manifest(isolated_data)["t_ff3"]
    assert entry["sha256"] == sha
    assert entry["origin"] == "mirror"
    assert entry["url"] == "https://mba.tuck.dartmouth.edu/pages/faculty/ken.french/ftp/F-F_Research_Data_Factors_CSV.zip"
    assert entry["source"] == str(isolated_data.mirror / "french" / "T_FF3.csv")
    assert entry["path"] == f"french/{sha[:16]}/T_FF3.csv"
    assert dt.datetime.fromisoformat(entry["retrieved_at"]).tzinfo is not None
    assert data.info("t_ff3")["origin"] == "raw-store"  # second resolution: the store's copy
    assert data.current_sha256("t_ff3") == sha


def test_a_runs_lookup_reads_the_settings_and_manifest_once(ff, isolated_data, monkeypatch):
    data.load("t_ff3")
    reads = []
    real = data._fetch.read_manifest
    monkeypatch.setattr(data._fetch, "read_manifest", lambda cfg=None: reads.append(1) or real(cfg))
    lookup = data.sha256_lookup()
    assert [lookup("t_ff3"), lookup("t_ff3")] == [_sha(FACTORS)] * 2 == [data.current_sha256("t_ff3")] * 2
    assert len(reads) == 2  # one for the lookup, one for current_sha256 above: not one per call
    with pytest.raises(Exception, match="no_such_dataset"):  # the catalog's own error, as current_sha256
        lookup("no_such_dataset")


def test_raw_store_is_used_before_the_mirror(ff, isolated_data):
    data.load("t_ff3")
    (isolated_data.mirror / "french" / "T_FF3.csv").unlink()  # mirror gone, still offline
    data._memo.clear()
    df = data.load("t_ff3")
    assert df.loc["2024-10-31", "RF"] == 0.44
    info = data.info("t_ff3")
    assert info["origin"] == "raw-store"
    assert info["sha256"] == info["locked_sha256"] == _sha(FACTORS)


def test_changed_mirror_file_is_rekeyed(ff, isolated_data, recwarn):
    old = data.load("t_ff3")
    assert old.loc["2024-09-30", "Mkt-RF"] == 2.05
    old_sha = _sha(FACTORS)
    changed = FACTORS.replace(b"202409,   2.05,", b"202409,   2.50,").replace(
        b"202410,  -1.80,   0.35,  -0.65,   0.44\r\n",
        b"202410,  -1.80,   0.35,  -0.65,   0.44\r\n202411,   0.12,   0.34,   0.56,   0.40\r\n")
    assert changed.count(b"202411") == 1
    (isolated_data.mirror / "french" / "T_FF3.csv").write_bytes(changed)
    new_sha = _sha(changed)

    assert data.current_sha256("t_ff3") == new_sha  # the runner sees the change without a load
    with pytest.warns(data.NewerVintageWarning, match="not the locked vintage"):
        new = data.load("t_ff3")  # memo not cleared: it must not serve the old frame
    assert new.loc["2024-09-30", "Mkt-RF"] == 2.50
    assert new.index[-1].date().isoformat() == "2024-11-30"
    assert data.info("t_ff3")["sha256"] == new_sha
    assert _manifest(isolated_data)["t_ff3"]["sha256"] == new_sha
    # both raw files and both cache entries are kept, each under its own hash
    assert (isolated_data.raw_dir / "french" / old_sha[:16] / "T_FF3.csv").read_bytes() == FACTORS
    assert (isolated_data.raw_dir / "french" / new_sha[:16] / "T_FF3.csv").read_bytes() == changed
    assert _entries(isolated_data, "t_ff3") == sorted([f"{old_sha[:16]}-{FR}", f"{new_sha[:16]}-{FR}"])

    # and back: both cache entries and memo entries exist now; the old file's data must come back
    (isolated_data.mirror / "french" / "T_FF3.csv").write_bytes(FACTORS)
    back = data.load("t_ff3")
    assert back.loc["2024-09-30", "Mkt-RF"] == 2.05
    assert back.index[-1].date().isoformat() == "2024-10-31"
    assert data.info("t_ff3")["sha256"] == old_sha


def test_same_size_edit_of_the_mirror_is_rekeyed(ff, isolated_data, recwarn):
    data.load("t_ff3")
    path = isolated_data.mirror / "french" / "T_FF3.csv"
    changed = FACTORS.replace(b"   0.43\r\n", b"   0.47\r\n")
    assert len(changed) == len(FACTORS)
    before = path.stat().st_mtime_ns
    path.write_bytes(changed)
    os.utime(path, ns=(before + 1_000_000_000, before + 1_000_000_000))  # a later edit
    assert data.load("t_ff3").loc["2024-09-30", "RF"] == 0.47


def test_cache_is_keyed_by_raw_sha_and_parser_version(ff, isolated_data, parse_calls, monkeypatch):
    data.load("t_ff3")
    assert parse_calls == ["t_ff3"]
    sha16 = _sha(FACTORS)[:16]
    assert _entries(isolated_data, "t_ff3") == [f"{sha16}-{FR}"]

    data._memo.clear()
    data.load("t_ff3")  # warm cache: read from parquet, not parsed again
    assert parse_calls == ["t_ff3"]

    monkeypatch.setattr(french, "PARSER_VERSION", french.PARSER_VERSION + 1)
    data._memo.clear()
    df = data.load("t_ff3")
    assert parse_calls == ["t_ff3", "t_ff3"]  # a new parser version rebuilds
    assert _entries(isolated_data, "t_ff3") == [f"{sha16}-{FR}", f"{sha16}-{FR_NEXT}"]
    assert df.loc["2024-08-31", "HML"] == 1.25
    meta = json.loads((isolated_data.cache_dir / "t_ff3" / f"{sha16}-{FR_NEXT}" / "meta.json").read_text())
    assert meta["parser"] == FR_NEXT and meta["raw_sha256"] == _sha(FACTORS)


def test_corrupt_cache_parquet_is_rebuilt_not_served(ff, isolated_data, parse_calls):
    data.load("t_ff3")
    entry = isolated_data.cache_dir / "t_ff3" / f"{_sha(FACTORS)[:16]}-{FR}"
    parquet = entry / "monthly.parquet"
    good = parquet.read_bytes()
    damaged = bytearray(good)
    damaged[len(damaged) // 2] ^= 0xFF  # one flipped byte, same size
    parquet.write_bytes(bytes(damaged))
    data._memo.clear()
    with pytest.warns(store.CorruptCacheWarning, match="failed its checksum"):
        df = data.load("t_ff3")
    assert df.loc["2024-07-31", "SMB"] == 2.22
    assert df.loc["2024-10-31", "Mkt-RF"] == -1.80
    assert len(parse_calls) == 2
    meta = json.loads((entry / "meta.json").read_text())
    assert _sha(parquet.read_bytes()) == meta["files"]["monthly"]  # the entry was rewritten
    assert not _leftovers(isolated_data.data_dir)


def test_garbage_cache_file_is_rebuilt(ff, isolated_data):
    data.load("t_ff3")
    entry = isolated_data.cache_dir / "t_ff3" / f"{_sha(FACTORS)[:16]}-{FR}"
    (entry / "annual.parquet").write_bytes(b"not parquet at all")
    data._memo.clear()
    with pytest.warns(store.CorruptCacheWarning):
        annual = data.load("t_ff3", block="annual")
    assert annual.loc["2023-12-31", "Mkt-RF"] == 21.10


def test_missing_or_corrupt_cache_metadata_is_rebuilt(ff, isolated_data, parse_calls):
    data.load("t_ff3")
    entry = isolated_data.cache_dir / "t_ff3" / f"{_sha(FACTORS)[:16]}-{FR}"
    (entry / "meta.json").write_text("{ truncated")
    data._memo.clear()
    with pytest.warns(store.CorruptCacheWarning, match=r"meta.json is damaged \(it is not valid JSON"):
        assert data.load("t_ff3").loc["2024-07-31", "HML"] == -3.33
    (entry / "annual.parquet").unlink()
    data._memo.clear()
    assert data.load("t_ff3", block="annual").loc["2022-12-31", "SMB"] == -7.70
    assert len(parse_calls) == 3


def test_raw_file_altered_in_the_store_is_detected(ff, isolated_data):
    data.load("t_ff3")
    stored = isolated_data.raw_dir / "french" / _sha(FACTORS)[:16] / "T_FF3.csv"
    stored.chmod(0o644)
    stored.write_bytes(FACTORS.replace(b"1.11", b"9.99"))
    data._memo.clear()
    with pytest.warns(UserWarning, match="does not match its manifest sha256"):
        df = data.load("t_ff3")
    assert df.loc["2024-07-31", "Mkt-RF"] == 1.11  # re-copied from the mirror, not the altered file
    assert stored.read_bytes() == FACTORS


def test_raw_file_altered_and_no_mirror_is_unavailable(ff, isolated_data):
    data.load("t_ff3")
    stored = isolated_data.raw_dir / "french" / _sha(FACTORS)[:16] / "T_FF3.csv"
    stored.chmod(0o644)
    stored.write_bytes(FACTORS.replace(b"1.11", b"9.99"))
    (isolated_data.mirror / "french" / "T_FF3.csv").unlink()
    data._memo.clear()
    with pytest.warns(UserWarning, match="does not match its manifest"), \
            pytest.raises(DataUnavailable) as exc:
        data.load("t_ff3")
    assert "missing or altered" in str(exc.value)


def test_nothing_anywhere_and_offline(isolated_data, monkeypatch):
    ds = _register(monkeypatch, replace(catalog.CATALOG["dgs2"], name="t_dgs2", file="fred/T_DGS2.csv"))
    with pytest.raises(DataUnavailable) as exc:
        data.load("t_dgs2")
    err = exc.value
    assert err.dataset == "t_dgs2"
    assert len(err.tried) == 3
    assert err.tried[0].startswith("local raw store:")
    assert err.tried[1] == f"mirror: {isolated_data.mirror / 'fred' / 'T_DGS2.csv'} (no such file)"
    assert err.tried[2] == f"download: {ds.url} (skipped: RESEARCH_OFFLINE is set)"
    msg = str(err)
    assert "Fix: set RESEARCH_DATA_MIRROR" in msg and "research data refresh t_dgs2" in msg
    assert data.current_sha256("t_dgs2") is None


def test_mirror_unset_and_offline(isolated_data, monkeypatch):
    _register(monkeypatch, replace(catalog.CATALOG["dgs2"], name="t_dgs2", file="fred/T_DGS2.csv"))
    monkeypatch.setenv("RESEARCH_DATA_MIRROR", "")
    with pytest.raises(DataUnavailable, match=r"mirror: not set \(RESEARCH_DATA_MIRROR\)"):
        data.load("t_dgs2")


def test_unknown_dataset_suggests_close_names(isolated_data):
    with pytest.raises(UnknownDataset) as exc:
        data.load("rutt")
    assert "rut" in exc.value.suggestions
    assert "Did you mean: rut" in str(exc.value)
    assert "`research data list`" in str(exc.value)
    assert isinstance(exc.value, KeyError)
    with pytest.raises(UnknownDataset, match="fedfunds"):
        data.info("fedfund")
    assert catalog.get("RUT").name == "rut"


def test_unknown_block(ff):
    with pytest.raises(UnknownBlock, match=r"'t_ff3' has no block 'vw_monthly'; blocks: \['monthly', 'annual'\]"):
        data.load("t_ff3", block="vw_monthly")


# -- downloads from a local HTTP server ------------------------------------------------------------

def _send(req, body: bytes, *, status: int = 200, ctype: str = "text/csv", length: int | None = None):
    req.send_response(status)
    req.send_header("Content-Type", ctype)
    req.send_header("Content-Length", str(len(body) if length is None else length))
    req.end_headers()
    req.wfile.write(body)
    req.wfile.flush()


def serve(body: bytes, **kw):
    return lambda req: _send(req, body, **kw)


def truncated(body: bytes):
    def handler(req):
        _send(req, body[: len(body) // 2], length=len(body))
        req.close_connection = True
    return handler


def chunked_cut(body: bytes):
    def handler(req):
        req.send_response(200)
        req.send_header("Transfer-Encoding", "chunked")
        req.end_headers()
        req.wfile.write(b"%x\r\n%s\r\n" % (20, body[:20]))
        req.wfile.write(b"%x\r\n%s" % (len(body) - 20, body[20:30]))  # cut inside the chunk
        req.wfile.flush()
        req.close_connection = True
    return handler


def stall_before_headers(server: LocalServer):
    def handler(req):
        server.release.wait()  # until the test ends
        req.close_connection = True
    return handler


def stall_mid_body(server: LocalServer, body: bytes):
    def handler(req):
        req.send_response(200)
        req.send_header("Content-Length", str(len(body)))
        req.end_headers()
        req.wfile.write(body[:10])
        req.wfile.flush()
        server.release.wait()
        req.close_connection = True
    return handler


@pytest.fixture
def http_server():
    with running() as server:
        yield server


@pytest.fixture
def online(isolated_data, monkeypatch):
    """No mirror, downloads allowed (to the loopback server only)."""
    monkeypatch.setenv("RESEARCH_DATA_MIRROR", "")
    monkeypatch.setenv("RESEARCH_OFFLINE", "0")
    return isolated_data


PATH = "/graph/fredgraph.csv?id=DGS2"


@pytest.fixture
def dl(online, http_server, monkeypatch) -> catalog.Dataset:
    """A FRED dataset whose URL is the local server; locked to the fixture's sha256."""
    return _register(monkeypatch, replace(catalog.CATALOG["dgs2"], name="t_dgs2",
                                          file="fred/T_DGS2.csv", url=http_server.url + PATH),
                     lock=DGS2)


def _nothing_stored(dirs) -> None:
    assert "t_dgs2" not in _manifest(dirs)
    assert not list(dirs.raw_dir.rglob("T_DGS2.csv"))
    assert not (dirs.cache_dir / "t_dgs2").exists()
    assert not _leftovers(dirs.data_dir)


def test_good_download_is_verified_and_stored(dl, online, http_server):
    http_server.routes[PATH] = serve(DGS2)
    df = data.load("t_dgs2")
    assert df.loc["2024-07-05", "DGS2"] == 4.60
    stored = online.raw_dir / "fred" / _sha(DGS2)[:16] / "T_DGS2.csv"
    assert stored.read_bytes() == DGS2
    entry = _manifest(online)["t_dgs2"]
    assert (entry["origin"], entry["url"], entry["source"], entry["sha256"]) == (
        "download", dl.url, dl.url, _sha(DGS2))
    data._memo.clear()
    assert data.info("t_dgs2")["origin"] == "raw-store"
    assert http_server.hits == [PATH]  # fetched once
    assert not _leftovers(online.data_dir)


def test_html_page_is_refused(dl, online, http_server):
    page = b"<!DOCTYPE html><html><head><title>Error</title></head><body>Try later</body></html>"
    http_server.routes[PATH] = serve(page, ctype="text/html")
    with pytest.raises(ParseError, match="HTML page"):
        data.refresh("t_dgs2")
    _nothing_stored(online)


def test_truncated_body(dl, online, http_server):
    http_server.routes[PATH] = truncated(DGS2)
    with pytest.raises(DataUnavailable, match=rf"truncated download: got {len(DGS2) // 2} of {len(DGS2)} bytes") as exc:
        data.load("t_dgs2")
    assert isinstance(exc.value.__cause__, DownloadError)
    _nothing_stored(online)


def test_chunked_body_cut_short(dl, online, http_server):
    http_server.routes[PATH] = chunked_cut(DGS2)
    with pytest.raises(DataUnavailable, match="incomplete or malformed HTTP response"):
        data.load("t_dgs2")
    _nothing_stored(online)


@pytest.mark.parametrize("where", ["before headers", "mid body"])
def test_stalled_server_times_out(dl, online, http_server, monkeypatch, where):
    monkeypatch.setenv("RESEARCH_DOWNLOAD_TIMEOUT", "0.5")
    http_server.routes[PATH] = (stall_before_headers(http_server) if where == "before headers"
                                else stall_mid_body(http_server, DGS2))
    with pytest.raises(DataUnavailable, match=r"timed out after 0.5 s \(RESEARCH_DOWNLOAD_TIMEOUT\)"):
        data.load("t_dgs2")
    _nothing_stored(online)


def test_http_error_status(dl, online, http_server):
    with pytest.raises(DataUnavailable, match="HTTP 404 Not Found"):
        data.load("t_dgs2")  # no route: the server answers 404
    _nothing_stored(online)


def test_plain_http_to_another_host_is_refused(online, monkeypatch):
    for url in ("http://data.example.com/DGS2.csv", "ftp://data.example.com/DGS2.csv"):
        with pytest.raises(DownloadError, match="only https is allowed"):
            fetch.download(url, timeout=0.1)
    _register(monkeypatch, replace(catalog.CATALOG["dgs2"], name="t_dgs2", file="fred/T_DGS2.csv",
                                   url="http://data.example.com/DGS2.csv"))
    with pytest.raises(DataUnavailable, match="refusing to download over http"):
        data.load("t_dgs2")
    _nothing_stored(online)


def test_zip_served_for_a_french_file_kept_as_csv(online, http_server, monkeypatch):
    # French serves <Name>_CSV.zip for every file; the mirror keeps some of them extracted
    path = "/ftp/T_CSV.zip"
    _register(monkeypatch, replace(catalog.CATALOG["ff3_factors"], name="t_ff3", file="french/T_FF3.csv",
                                   url=http_server.url + path), lock=FACTORS)
    http_server.routes[path] = serve(_zip("T.csv", FACTORS), ctype="application/zip")
    with pytest.warns(data.NewerVintageWarning, match="not the locked vintage"):
        assert data.load("t_ff3").loc["2024-07-31", "Mkt-RF"] == 1.11  # the lock has the CSV's hash
    info = data.info("t_ff3")
    assert info["origin"] == "raw-store" and info["sha256"] != _sha(FACTORS)
    assert info["matches_lock"] is False


FAILURES = {
    "http 401": (lambda s: serve(b"Unauthorized", status=401), DataUnavailable),
    "html": (lambda s: serve(b"<html><body>moved</body></html>", ctype="text/html"), ParseError),
    "truncated": (lambda s: truncated(DGS2), DataUnavailable),
    "stalled": (lambda s: stall_before_headers(s), DataUnavailable),
    "http 500": (lambda s: serve(b"oops", status=500), DataUnavailable),
}


@pytest.mark.parametrize("failure", list(FAILURES))
def test_failed_refresh_leaves_the_good_copy_untouched(dl, online, http_server, monkeypatch, failure):
    monkeypatch.setenv("RESEARCH_DOWNLOAD_TIMEOUT", "0.5")
    monkeypatch.setattr(fetch, "_sleep", lambda s: None)  # the 500 is retried: no real waits
    http_server.routes[PATH] = serve(DGS2)
    data.load("t_dgs2")
    before = _snapshot(online.data_dir)
    assert any(k.endswith(".parquet") for k in before) and "raw/manifest.json" in before

    make, error = FAILURES[failure]
    http_server.routes[PATH] = make(http_server)
    with pytest.raises(error):
        data.refresh("t_dgs2")
    assert _snapshot(online.data_dir) == before  # byte for byte
    assert not _leftovers(online.data_dir)
    data._memo.clear()
    assert data.load("t_dgs2").loc["2024-07-01", "DGS2"] == 4.75


def test_atomic_write_leaves_no_temp_file_on_failure(tmp_path, monkeypatch):
    target = tmp_path / "sub" / "f.bin"
    atomic_write_bytes(target, b"good")

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        atomic_write_bytes(target, b"bad")
    assert target.read_bytes() == b"good"
    assert sorted(p.name for p in target.parent.iterdir()) == ["f.bin"]


def test_status_reports_failures_without_stopping(ff, isolated_data, monkeypatch):
    _register(monkeypatch, replace(catalog.CATALOG["dgs2"], name="t_missing", file="fred/NOPE.csv"))
    monkeypatch.setattr(catalog, "CATALOG", {k: v for k, v in catalog.CATALOG.items()
                                             if k in ("t_ff3", "t_missing")})
    rows = {r["name"]: r for r in data.status()}
    assert rows["t_ff3"]["ok"] is True and rows["t_ff3"]["vintage"] == "202510"
    assert rows["t_ff3"]["coverage"] == "2024-07-31..2024-10-31"
    assert rows["t_missing"]["ok"] is False
    assert rows["t_missing"]["error"].startswith("DataUnavailable: dataset 't_missing' is not available")


def test_provenance_records_what_was_read(ff):
    from research import provenance

    data.load("t_ff3")
    got = provenance.inputs()["t_ff3"]
    assert got["sha256"] == _sha(FACTORS) and got["vintage"] == "202510"
    assert got["file"] == "T_FF3.csv" and got["origin"] == "mirror"


def test_loaded_frames_are_copies(ff):
    df = data.load("t_ff3")
    df.loc["2024-07-31", "Mkt-RF"] = 99.0
    assert data.load("t_ff3").loc["2024-07-31", "Mkt-RF"] == 1.11

