"""Living data: newer publisher vintages against data/vintages.lock, RESEARCH_FROZEN, `research
data update` / `lock`, the per-publisher base URLs, and how downloads fail, all offline: the
publishers are a local HTTP server on 127.0.0.1 reached through RESEARCH_BASE_URL_*.

Newer vintages are built here, in memory, from the files the project already has (the mirror's
French zip with one more month, the FRED fixture with one more day, a chart-API answer made of
RUT.csv's real closes); nothing downloaded or built is committed.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from conftest import real_mirror
from local_http import running
from publishers import chart_json

from research import data, provenance
from research.cli import main
from research.config import ConfigError, settings
from research.data import catalog, fetch, vintages
from research.errors import ChecksumMismatch, DataUnavailable, DownloadError

DGS2 = (Path(__file__).parent / "fixtures" / "fred_dgs2.csv").read_bytes()
DGS2_NEWER = DGS2 + b"2024-07-08,4.62\n"
FRED_PATH = "/graph/fredgraph.csv?id=DGS2"
needs_mirror = pytest.mark.skipif(real_mirror() is None, reason="data mirror not found")


def _sha(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


def _lock(name: str, payload: bytes, vintage: str) -> None:
    cfg = settings()
    vintages.write(cfg, {**vintages.read(cfg), name: vintages.Locked(_sha(payload), vintage)})


def _send(req, body: bytes, status: int = 200, headers: dict | None = None) -> None:
    req.send_response(status)
    for k, v in (headers or {}).items():
        req.send_header(k, v)
    req.send_header("Content-Length", str(len(body)))
    req.end_headers()
    req.wfile.write(body)


@pytest.fixture
def server():
    with running() as s:
        yield s


@pytest.fixture
def publishers(isolated_data, server, monkeypatch):
    """No mirror, downloads allowed, every publisher's base URL on the local server."""
    monkeypatch.setenv("RESEARCH_DATA_MIRROR", "")
    monkeypatch.setenv("RESEARCH_OFFLINE", "0")
    monkeypatch.setenv("RESEARCH_BASE_URL_FRENCH", server.url + "/ftp")
    monkeypatch.setenv("RESEARCH_BASE_URL_FRED", server.url + "/")  # a trailing slash is dropped
    monkeypatch.setenv("RESEARCH_BASE_URL_YAHOO", server.url)
    fetch._warned.clear()
    return isolated_data


@pytest.fixture
def waits(monkeypatch) -> list[float]:
    """The retry waits, recorded instead of slept."""
    got: list[float] = []
    monkeypatch.setattr(fetch, "_sleep", got.append)
    return got


# -- settings ---------------------------------------------------------------------------------

@pytest.mark.parametrize("value, problem", [
    ("ftp://files.example.org/french", "absolute URL"),
    ("files.example.org/french", "absolute URL"),
    ("http://files.example.org/french", "plain http is only allowed to this machine"),
    ("https://files.example.org/fred?api_key=1", r"without \?query"),
])
def test_bad_base_urls_are_refused_by_name(monkeypatch, value, problem):
    monkeypatch.setenv("RESEARCH_BASE_URL_FRED", value)
    with pytest.raises(ConfigError, match=problem) as exc:
        settings()
    assert f"RESEARCH_BASE_URL_FRED={value!r}" in str(exc.value)


def test_a_bad_base_url_is_one_error_from_the_cli(isolated_data, monkeypatch, capsys):
    monkeypatch.setenv("RESEARCH_BASE_URL_YAHOO", "http://quotes.example.org")
    assert main(["data", "status"]) == 2  # a bad setting: exit 2, like every ConfigError
    captured = capsys.readouterr()
    assert captured.err.count("RESEARCH_BASE_URL_YAHOO='http://quotes.example.org' is not usable") == 1
    assert captured.out == ""


def test_base_url_replaces_the_publishers_prefix(monkeypatch):
    monkeypatch.setenv("RESEARCH_BASE_URL_FRENCH", "https://files.example.org/kf/")
    monkeypatch.setenv("RESEARCH_BASE_URL_YAHOO", "http://127.0.0.1:8080/y")
    cfg = settings()
    assert fetch.url_for(catalog.get("momentum"), cfg) == "https://files.example.org/kf/F-F_Momentum_Factor_CSV.zip"
    assert fetch.url_for(catalog.get("gspc"), cfg) == (
        "http://127.0.0.1:8080/y/v8/finance/chart/%5EGSPC?period1=-2208988800&period2=9999999999"
        "&interval=1d&events=history")
    assert fetch.url_for(catalog.get("dgs2"), cfg) == "https://fred.stlouisfed.org/graph/fredgraph.csv?id=DGS2"


# -- newer vintages -----------------------------------------------------------------------------

def _french_with_one_more_month() -> tuple[bytes, bytes]:
    """The mirror's factors zip, and the same file as French's next vintage would be (202511)."""
    old = (real_mirror() / "french" / "F-F_Research_Data_Factors_CSV.zip").read_bytes()
    with zipfile.ZipFile(io.BytesIO(old)) as zf:
        (member,) = zf.namelist()
        text = zf.read(member)
    last = b"202510,   1.95,  -0.55,  -3.10,   0.37\r\n"
    assert text.count(last) == 1  # the last monthly row of the 202510 vintage
    text = text.replace(last, last + b"202511,   0.25,  -1.50,   2.75,   0.33\r\n").replace(
        b"created using the 202510 CRSP", b"created using the 202511 CRSP")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(member, text)
    return old, buf.getvalue()


@needs_mirror
def test_newer_french_vintage_is_taken_in_with_one_warning(publishers, server, recwarn):
    old, newer = _french_with_one_more_month()
    _lock("ff3_factors", old, "202510")
    server.serve("/ftp/F-F_Research_Data_Factors_CSV.zip", newer, ctype="application/zip")

    with pytest.warns(data.NewerVintageWarning, match=r"ff3_factors: using the publisher's current file .*"
                      r"not the locked vintage 202510"):
        df = data.load("ff3_factors")
    assert df.index[-1] == pd.Timestamp("2025-11-30")
    assert df.loc["2025-11-30"].tolist() == [0.25, -1.50, 2.75, 0.33]
    assert df.loc["1926-07-31", "Mkt-RF"] == 2.89  # the rest as in the locked file
    info = data.info("ff3_factors")
    assert (info["vintage"], info["locked_vintage"]) == ("202511", "202510")
    assert info["sha256"] == _sha(newer) and info["locked_sha256"] == _sha(old)
    assert info["newer_than_lock"] is True and info["matches_lock"] is False
    assert provenance.inputs()["ff3_factors"]["newer_than_lock"] is True

    recwarn.clear()
    data._memo.clear()
    data.load("ff3_factors")  # from the raw store now: no second warning, no second download
    assert not [w for w in recwarn if issubclass(w.category, data.NewerVintageWarning)]
    assert server.hits == ["/ftp/F-F_Research_Data_Factors_CSV.zip"]


def test_fred_csv_with_more_rows(publishers, server):
    _lock("dgs2", DGS2, "2024-07-05")
    server.serve(FRED_PATH, DGS2_NEWER)
    with pytest.warns(data.NewerVintageWarning):
        df = data.load("dgs2")
    assert df.index[-1] == pd.Timestamp("2024-07-08") and df.iloc[-1, 0] == 4.62
    info = data.info("dgs2")
    assert (info["vintage"], info["newer_than_lock"], info["origin"]) == ("2024-07-08", True, "raw-store")


def test_a_revision_of_the_same_vintage_is_not_newer(publishers, server):
    _lock("dgs2", DGS2, "2024-07-05")
    server.serve(FRED_PATH, DGS2.replace(b"4.73", b"4.74"))  # revised, same last date
    with pytest.warns(data.NewerVintageWarning):
        data.load("dgs2")
    info = data.info("dgs2")
    assert info["matches_lock"] is False and info["newer_than_lock"] is False


def test_the_locked_file_is_served_silently(publishers, server, recwarn):
    _lock("dgs2", DGS2, "2024-07-05")
    server.serve(FRED_PATH, DGS2)
    data.load("dgs2")
    info = data.info("dgs2")
    assert info["matches_lock"] is True and info["newer_than_lock"] is False
    assert not [w for w in recwarn if issubclass(w.category, data.NewerVintageWarning)]


@needs_mirror
def test_rut_from_the_chart_api_equals_the_mirror_csv(publishers, server):
    from research.data import prices

    csv = (real_mirror() / "prices" / "RUT.csv").read_bytes()
    mirror = prices.parse_prices(csv.decode(), "RUT.csv").iloc[-250:]  # the last year, 14 flagged
    _lock("rut", csv, "2026-02-20")
    ds = catalog.get("rut")
    server.serve(fetch.url_for(ds, settings())[len(server.url):], chart_json(mirror, "^RUT"),
                 ctype="application/json")
    with pytest.warns(data.NewerVintageWarning):
        got = data.load("rut", include_flagged=True)
    pd.testing.assert_frame_equal(got.drop(columns="adj_close"), mirror)
    assert (got["adj_close"] == got["close"]).all()
    info = data.info("rut")
    assert info["flagged_rows"][-1] == "2026-02-23" and len(info["flagged_rows"]) == 14
    assert info["vintage"] == "2026-02-20" and info["newer_than_lock"] is False


# -- RESEARCH_FROZEN ----------------------------------------------------------------------------

def test_frozen_refuses_a_newer_vintage_naming_both_hashes(publishers, server, monkeypatch):
    monkeypatch.setenv("RESEARCH_FROZEN", "1")
    _lock("dgs2", DGS2, "2024-07-05")
    server.serve(FRED_PATH, DGS2_NEWER)
    with pytest.raises(ChecksumMismatch) as exc:
        data.load("dgs2")
    msg = str(exc.value)
    assert "dataset 'dgs2'" in msg and "RESEARCH_FROZEN=1" in msg
    assert _sha(DGS2) in msg and _sha(DGS2_NEWER) in msg
    assert not (publishers.raw_dir / "manifest.json").exists()
    assert main(["data", "status"]) == 3  # exit 3, as for any data error


def test_frozen_serves_the_locked_copy_kept_after_an_update(publishers, server, monkeypatch):
    _lock("dgs2", DGS2, "2024-07-05")
    server.serve(FRED_PATH, DGS2)
    data.load("dgs2")
    server.serve(FRED_PATH, DGS2_NEWER)
    assert data.update("dgs2")["changed"] is True
    assert data.info("dgs2")["newer_than_lock"] is True

    monkeypatch.setenv("RESEARCH_FROZEN", "1")
    data._memo.clear()
    assert data.load("dgs2").index[-1] == pd.Timestamp("2024-07-05")
    assert data.current_sha256("dgs2") == _sha(DGS2)
    assert data.info("dgs2")["matches_lock"] is True


def test_frozen_refuses_a_dataset_missing_from_the_lock(publishers, server, monkeypatch):
    monkeypatch.setenv("RESEARCH_FROZEN", "1")
    server.serve(FRED_PATH, DGS2)
    with pytest.raises(ChecksumMismatch, match=r"no entry for it .*`research data lock dgs2`"):
        data.load("dgs2")


# -- research data update / lock ----------------------------------------------------------------

def test_update_costs_one_304_when_nothing_changed_then_lock(publishers, server, capsys):
    _lock("dgs2", DGS2, "2024-07-05")
    body = {"now": DGS2_NEWER}
    asked: list[tuple[str | None, str | None]] = []

    def conditional(req):
        asked.append((req.headers.get("If-None-Match"), req.headers.get("If-Modified-Since")))
        tag = f'"{_sha(body["now"])[:8]}"'
        if req.headers.get("If-None-Match") == tag:
            _send(req, b"", 304, {"ETag": tag})
        else:
            _send(req, body["now"], 200, {"ETag": tag, "Last-Modified": "Mon, 08 Jul 2024 21:00:00 GMT"})
    server.routes[FRED_PATH] = conditional

    assert main(["data", "update", "dgs2"]) == 0
    assert "dgs2: new file taken in, vintage 2024-07-08" in capsys.readouterr().out
    assert main(["data", "update", "dgs2"]) == 0
    out = capsys.readouterr().out
    assert "dgs2: unchanged, vintage 2024-07-08" in out and "newer than the lock (2024-07-05)" in out
    tag = f'"{_sha(DGS2_NEWER)[:8]}"'
    assert asked == [(None, None), (tag, "Mon, 08 Jul 2024 21:00:00 GMT")]
    entry = json.loads((publishers.raw_dir / "manifest.json").read_text())["dgs2"]
    assert entry["etag"] == tag and entry["sha256"] == _sha(DGS2_NEWER)

    assert main(["data", "lock", "dgs2"]) == 0
    assert vintages.locked(settings(), "dgs2") == vintages.Locked(_sha(DGS2_NEWER), "2024-07-08")
    assert data.info("dgs2")["matches_lock"] is True
    body["now"] = DGS2_NEWER + b"2024-07-09,4.63\n"  # the publisher moves on
    assert data.update("dgs2")["changed"] is True
    assert data.info("dgs2")["vintage"] == "2024-07-09"


def test_update_with_a_body_cut_short_keeps_the_file_in_use(publishers, server):
    _lock("dgs2", DGS2, "2024-07-05")
    server.serve(FRED_PATH, DGS2)
    data.load("dgs2")
    manifest = (publishers.raw_dir / "manifest.json").read_bytes()

    def cut(req):
        req.send_response(200)
        req.send_header("Content-Length", str(len(DGS2_NEWER)))
        req.end_headers()
        req.wfile.write(DGS2_NEWER[:20])
        req.close_connection = True
    server.routes[FRED_PATH] = cut
    with pytest.raises(DataUnavailable, match=f"truncated download: got 20 of {len(DGS2_NEWER)} bytes"):
        data.update("dgs2")
    assert (publishers.raw_dir / "manifest.json").read_bytes() == manifest
    data._memo.clear()
    assert data.load("dgs2").index[-1] == pd.Timestamp("2024-07-05")


# -- how the publishers refuse ---------------------------------------------------------------------

def test_401_names_the_publisher_and_the_fix_without_retrying(publishers, server, waits):
    ds = catalog.get("rut")
    path = fetch.url_for(ds, settings())[len(server.url):]
    server.serve(path, b"<html>Unauthorized</html>", ctype="text/html", status=401)
    with pytest.raises(DataUnavailable) as exc:
        data.load("rut")
    msg = str(exc.value)
    assert "HTTP 401 Unauthorized from Yahoo Finance (index closes)" in msg
    assert "RESEARCH_DATA_MIRROR" in msg and "RESEARCH_BASE_URL_YAHOO" in msg
    assert server.hits == [path] and waits == []


def test_429_waits_as_long_as_retry_after_says(publishers, server, waits):
    answers = [(429, {"Retry-After": "7"}, b"slow down"), (200, {}, DGS2)]
    server.routes[FRED_PATH] = lambda req: _send(req, answers[0][2], *answers.pop(0)[:2])
    _lock("dgs2", DGS2, "2024-07-05")
    assert data.load("dgs2").index[-1] == pd.Timestamp("2024-07-05")
    assert waits == [7.0] and len(server.hits) == 2


def test_5xx_backs_off_then_gives_up(server, waits):
    server.serve("/x.csv", b"busy", status=503)
    with pytest.raises(DownloadError, match=r"HTTP 503 Service Unavailable from FRED at .* after 4 attempts"):
        fetch.download(server.url + "/x.csv", publisher="FRED")
    assert waits == [1.0, 2.0, 4.0] and len(server.hits) == 4


def test_a_retry_after_too_long_is_reported_not_waited(server, waits):
    server.routes["/x.csv"] = lambda req: _send(req, b"", 429, {"Retry-After": "3600"})
    with pytest.raises(DownloadError, match="it asks to wait 3600 s, more than 60 s"):
        fetch.download(server.url + "/x.csv")
    assert waits == [] and len(server.hits) == 1


def test_retry_after_as_an_http_date():
    assert fetch.retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past: no wait
    assert fetch.retry_after("120") == 120.0
    assert fetch.retry_after("soon") is None and fetch.retry_after(None) is None
