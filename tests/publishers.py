"""The three publishers on loopback, serving what they would serve, built from the team mirror.

Not a test module. For every dataset in the catalog, :func:`catalog_routes` builds the body its
publisher would answer at the exact path and query the workbench requests (``fetch.url_for``):

- Ken French: ``/pages/faculty/ken.french/ftp/<stem>_CSV.zip``, the mirror's zip as it is, or
  the mirror's extracted CSV zipped again (French serves every file as a zip);
- FRED: ``/graph/fredgraph.csv?id=SERIES``, a fredgraph CSV (``observation_date,SERIES``, monthly
  series dated on the first of the month, a missing value blank) of every mirror copy of the series;
- Yahoo: ``/v8/finance/chart/<TICKER>?period1=...``, a chart-API answer made of the mirror's
  real bars (see :func:`chart_json`).

Everything is built in memory at test time from the mirror (``tests/conftest.real_mirror``);
nothing is written into the repository. :func:`serve` answers conditional requests with ETag /
Last-Modified and a 304, as the publishers do, so `research data update` costs one round trip
per unchanged file.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pandas as pd
from local_http import LocalServer

from research.config import DEFAULT_BASE_URLS
from research.data import catalog, store

# The real path prefix of each publisher, so RESEARCH_BASE_URL_* = server + prefix gives the
# same paths and queries as the real hosts.
PREFIXES = {"french": "/pages/faculty/ken.french/ftp", "fred": "", "prices": ""}
BASE_URL_VARIABLES = {"french": "RESEARCH_BASE_URL_FRENCH", "fred": "RESEARCH_BASE_URL_FRED",
                      "prices": "RESEARCH_BASE_URL_YAHOO"}
LAST_MODIFIED = "Mon, 03 Nov 2025 14:00:00 GMT"


def base_urls(server_url: str) -> dict[str, str]:
    """The environment that points every publisher at the server."""
    return {var: server_url + PREFIXES[kind] for kind, var in BASE_URL_VARIABLES.items()}


def path_for(ds: catalog.Dataset) -> str:
    """The path and query the workbench requests for ``ds`` under :func:`base_urls`."""
    return PREFIXES[ds.kind] + ds.url[len(DEFAULT_BASE_URLS[ds.kind]):]


# -- the files --------------------------------------------------------------------------------------

def zipped(member: str, data: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(member, data)
    return buf.getvalue()


def unzipped(data: bytes) -> tuple[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        (member,) = zf.namelist()
        return member, zf.read(member)


_MONTH_ROW = re.compile(rb"^ *(\d{6}) *,")


def _next_month(yyyymm: int) -> int:
    year, month = divmod(yyyymm, 100)
    return yyyymm + 1 if month < 12 else (year + 1) * 100 + 1


def french_next_month(text: bytes) -> bytes:
    """French's next vintage of a CSV: each monthly block that reaches the file's last month gets
    one more row (the last row's values, dated the month after), and the "created using the
    YYYYMM CRSP database" line names that month. Line endings and padding are kept."""
    lines = text.splitlines(keepends=True)
    months = [int(m.group(1)) for ln in lines if (m := _MONTH_ROW.match(ln))]
    last = max(months)
    new = _next_month(last)
    out: list[bytes] = []
    for i, line in enumerate(lines):
        out.append(line)
        m = _MONTH_ROW.match(line)
        follows = _MONTH_ROW.match(lines[i + 1]) if i + 1 < len(lines) else None
        if m and int(m.group(1)) == last and follows is None:
            out.append(line.replace(str(last).encode(), str(new).encode(), 1))
    assert len(out) > len(lines), "no monthly block reaches the last month"
    return b"".join(out).replace(f"created using the {last} CRSP".encode(), f"created using the {new} CRSP".encode())


def french_zip_next_month(data: bytes) -> bytes:
    member, text = unzipped(data)
    return zipped(member, french_next_month(text))


def fred_csv(frame: pd.DataFrame, series: str, monthly: bool) -> bytes:
    """A fredgraph CSV of one series (``frame``'s first column)."""
    dates = frame.index.to_period("M").to_timestamp() if monthly else frame.index  # FRED dates a month by its 1st
    values = frame.iloc[:, 0]
    rows = [f"{d:%Y-%m-%d},{'' if pd.isna(v) else repr(float(v))}" for d, v in zip(dates, values, strict=True)]
    return ("\n".join([f"observation_date,{series}", *rows]) + "\n").encode()


def chart_json(frame: pd.DataFrame, symbol: str, adjclose: pd.Series | None = None) -> bytes:
    """A chart-API answer carrying ``frame``'s bars (09:30 New York time, as Yahoo stamps them);
    a missing value is ``null``, as in Yahoo's arrays. ``adjclose`` defaults to the close."""
    opens = frame.index.tz_localize("America/New_York") + pd.Timedelta(hours=9, minutes=30)

    def column(values) -> list[float | None]:
        return [None if pd.isna(v) else float(v) for v in values]

    quote = {c: column(frame[c]) for c in ("open", "high", "low", "close", "volume")}
    adj = quote["close"] if adjclose is None else column(adjclose)
    return json.dumps({"chart": {"error": None, "result": [{
        "meta": {"symbol": symbol, "exchangeTimezoneName": "America/New_York", "gmtoffset": -18000},
        "timestamp": [int(t.timestamp()) for t in opens],
        "indicators": {"quote": [quote], "adjclose": [{"adjclose": adj}]}}]}}).encode()


def _frame(mirror: Path, ds: catalog.Dataset) -> pd.DataFrame:
    path = mirror / ds.file
    return store.parse_raw(ds, path.read_bytes(), str(path)).blocks["data"]


def _union(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Every date any copy has; where copies overlap, the first (the series' own file) wins."""
    out = frames[0]
    for other in frames[1:]:
        out = out.combine_first(other)
    return out[frames[0].columns]


def catalog_routes(mirror: Path) -> dict[str, tuple[bytes, str]]:
    """path -> (body, content type) for every dataset of the catalog, built from ``mirror``.

    Several catalog entries can share a URL (two mirror copies of one FRED series or ticker):
    the publisher has one file, so the server answers with the union of the copies.
    """
    by_path: dict[str, list[catalog.Dataset]] = {}
    for name in catalog.names():
        ds = catalog.get(name)
        by_path.setdefault(path_for(ds), []).append(ds)
    routes: dict[str, tuple[bytes, str]] = {}
    for path, group in by_path.items():
        # the series' own file first (dgs2 before dgs2_macrowatch)
        group.sort(key=lambda d: d.name != (d.series or "").lower().lstrip("^"))
        ds = group[0]
        if ds.kind == "french":
            assert len(group) == 1, group
            raw = (mirror / ds.file).read_bytes()
            routes[path] = (raw if raw[:4] == b"PK\x03\x04" else zipped(ds.file_name, raw), "application/zip")
        elif ds.kind == "fred":
            frame = _union([_frame(mirror, d) for d in group])
            routes[path] = (fred_csv(frame, ds.series, ds.frequency == "monthly"), "text/csv")
        else:
            frame = _union([_frame(mirror, d)[["open", "high", "low", "close", "volume"]] for d in group])
            routes[path] = (chart_json(frame, ds.series), "application/json")
    return routes


# -- the server -----------------------------------------------------------------------------------

def etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:16] + '"'


def serve(server: LocalServer, path: str, body: bytes, ctype: str, answers: list | None = None) -> None:
    """Answer ``path`` with ``body``, or a 304 when the client already has it (If-None-Match);
    each answer's (path, status) is appended to ``answers`` when given."""
    tag = etag(body)

    def handler(req: BaseHTTPRequestHandler) -> None:
        fresh = req.headers.get("If-None-Match") == tag
        if answers is not None:
            answers.append((path, 304 if fresh else 200))
        req.send_response(304 if fresh else 200)
        req.send_header("ETag", tag)
        req.send_header("Last-Modified", LAST_MODIFIED)
        req.send_header("Content-Type", ctype)
        req.send_header("Content-Length", "0" if fresh else str(len(body)))
        req.end_headers()
        if not fresh:
            req.wfile.write(body)
    server.routes[path] = handler


def serve_all(server: LocalServer, routes: Mapping[str, tuple[bytes, str]], answers: list | None = None) -> None:
    for path, (body, ctype) in routes.items():
        serve(server, path, body, ctype, answers)
