"""Give a dataset's verified raw file: local raw store -> mirror folder -> publisher download.

Raw files are immutable and content-addressed under ``data/raw/<kind>/<sha256[:16]>/<file>``;
``data/raw/manifest.json`` records, for each dataset, the file in use with its URL, origin,
retrieved-at time and sha256. Nothing here parses: the caller passes ``validate(data, source)``
(raising :class:`ParseError` for a file it cannot read), so a damaged file never enters the store;
parsing and the parsed cache live in :mod:`research.data.store`, wired by :mod:`research.data`.

Why the mirror is consulted even when a raw copy exists: the mirror is the team's shared drive,
and a newer file placed there should be picked up (and re-keyed) without a manual refresh. The
check is a ``stat``; the file is hashed only when its size or mtime changed.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import http.client
import json
import os
import ssl
import urllib.error
import urllib.request
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from research.config import Settings, settings
from research.data.catalog import Dataset
from research.errors import ChecksumMismatch, DataUnavailable, DownloadError, ParseError
from research.fsutil import atomic_write_bytes, sha256_bytes, sha256_file

Validate = Callable[[bytes, str], None]

MAX_DOWNLOAD_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class RawFile:
    dataset: str
    path: Path
    sha256: str
    origin: str  # "raw-store" | "mirror" | "download"
    source: str  # mirror path or URL the bytes came from
    retrieved_at: str


# -- manifest ------------------------------------------------------------------------------------

def read_manifest(cfg: Settings | None = None) -> dict:
    cfg = cfg or settings()
    try:
        return json.loads(cfg.manifest_path.read_text())
    except FileNotFoundError:
        return {}
    except (json.JSONDecodeError, UnicodeDecodeError):
        warnings.warn(f"{cfg.manifest_path} is corrupt; raw files will be re-verified and the "
                      "manifest rebuilt", stacklevel=2)
        return {}


@contextlib.contextmanager
def _manifest_lock(cfg: Settings):
    from filelock import FileLock

    cfg.raw_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(str(cfg.raw_dir / ".manifest.lock"), timeout=60):
        yield


def _update_manifest(cfg: Settings, name: str, entry: dict) -> None:
    with _manifest_lock(cfg):
        manifest = read_manifest(cfg)
        manifest[name] = entry
        atomic_write_bytes(cfg.manifest_path, json.dumps(manifest, indent=2, sort_keys=True).encode())


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


def _store(cfg: Settings, ds: Dataset, data_path: Path | None, data: bytes | None, sha: str) -> Path:
    """Put bytes into the content-addressed raw store (never overwriting a different file)."""
    target = cfg.raw_dir / ds.kind / sha[:16] / ds.file_name
    if target.exists() and sha256_file(target) == sha:
        return target
    if data is None:
        assert data_path is not None
        data = data_path.read_bytes()
    atomic_write_bytes(target, data)
    os.chmod(target, 0o444)  # raw data is immutable
    return target


# -- resolution ----------------------------------------------------------------------------------

def mirror_path(ds: Dataset, cfg: Settings) -> Path | None:
    if cfg.mirror is None:
        return None
    p = cfg.mirror / ds.file
    return p if p.is_file() else None


def resolve(ds: Dataset, validate: Validate, cfg: Settings | None = None, *, refresh: bool = False,
            accept_new: bool = False) -> RawFile:
    """Find (or fetch) the raw file for ``ds`` and return it with its sha256.

    ``validate(data, source)`` raises :class:`ParseError` unless ``data`` reads as ``ds``; it is
    called before a file that is not the pinned one is kept.

    Order: the local raw store (unless ``refresh``), re-synced from the mirror when the mirror's
    copy changed; the mirror; a download from the publisher over HTTPS.
    """
    cfg = cfg or settings()
    tried: list[str] = []
    entry = read_manifest(cfg).get(ds.name)
    mpath = mirror_path(ds, cfg)
    mstat = _stat_key(mpath) if mpath else None

    if entry and not refresh:
        local = Path(entry["path"])
        if not local.is_absolute():
            local = cfg.raw_dir / local
        mirror_changed = mpath is not None and entry.get("origin") == "mirror" and entry.get("mirror_stat") != mstat
        if local.is_file() and not mirror_changed:
            sha = sha256_file(local)
            if sha == entry["sha256"]:
                return RawFile(ds.name, local, sha, "raw-store", entry.get("source", ""),
                               entry.get("retrieved_at", ""))
            warnings.warn(f"{ds.name}: raw file {local} does not match its manifest sha256; "
                          "fetching it again", stacklevel=2)
        tried.append(f"local raw store: {local} ({'changed in mirror' if mirror_changed else 'missing or altered'})")
    else:
        tried.append(f"local raw store: {cfg.raw_dir / ds.kind} (no copy yet)" if not refresh
                     else "local raw store: skipped (refresh)")

    if mpath is not None:
        sha = sha256_file(mpath)
        if sha != ds.sha256:
            # Not the pinned vintage: parse it before keeping it, as for a download, so a damaged
            # or HTML file in the mirror never enters the raw store or replaces the last good copy.
            _validate_or_explain(validate, ds, mpath.read_bytes(), str(mpath), _mirror_hint(ds, mpath, entry, cfg))
            warnings.warn(f"{ds.name}: mirror file {mpath} has sha256 {sha[:12]}…, not the pinned "
                          f"{ds.sha256[:12]}… (a different vintage); using it and recording its hash",
                          stacklevel=2)
        stored = _store(cfg, ds, mpath, None, sha)
        retrieved = _now()
        _update_manifest(cfg, ds.name, {
            "file": ds.file, "path": str(stored.relative_to(cfg.raw_dir)), "sha256": sha,
            "origin": "mirror", "source": str(mpath), "url": ds.url, "retrieved_at": retrieved,
            "mirror_stat": mstat,
        })
        return RawFile(ds.name, stored, sha, "mirror", str(mpath), retrieved)
    if cfg.mirror is None:
        tried.append("mirror: not set (RESEARCH_DATA_MIRROR)")
    elif not cfg.mirror.is_dir():
        tried.append(f"mirror: {cfg.mirror / ds.file} (the mirror folder {cfg.mirror} does not exist: "
                     "is the shared drive mounted?)")
    else:
        tried.append(f"mirror: {cfg.mirror / ds.file} (no such file)")

    if cfg.offline:
        tried.append(f"download: {ds.url} (skipped: RESEARCH_OFFLINE is set)")
        raise DataUnavailable(ds.name, tried)
    try:
        data = download(ds.url, timeout=cfg.download_timeout)
    except DownloadError as exc:
        tried.append(f"download: {ds.url} ({exc})")
        raise DataUnavailable(ds.name, tried) from exc
    sha = sha256_bytes(data)
    # Parse before the checksum and before keeping: an error page or half a file is named as
    # such (not as "a new vintage"), and never enters the raw store.
    _validate_or_explain(validate, ds, data, ds.url, (
        f"the server did not send a usable file; nothing was stored and the last good copy (if "
        f"any) is kept. Try again later (`research data refresh {ds.name}`), or put the file in "
        "the mirror (RESEARCH_DATA_MIRROR)."))
    if sha != ds.sha256 and not accept_new:
        raise ChecksumMismatch(
            f"{ds.name}: the publisher's file at {ds.url} has sha256 {sha}, not the pinned "
            f"{ds.sha256} (a new vintage, or a damaged download). Nothing was stored. To accept "
            f"the new vintage run `research data refresh {ds.name} --accept-new`.")
    stored = _store(cfg, ds, None, data, sha)
    retrieved = _now()
    _update_manifest(cfg, ds.name, {
        "file": ds.file, "path": str(stored.relative_to(cfg.raw_dir)), "sha256": sha,
        "origin": "download", "source": ds.url, "url": ds.url, "retrieved_at": retrieved,
    })
    return RawFile(ds.name, stored, sha, "download", ds.url, retrieved)


def _validate_or_explain(validate: Validate, ds: Dataset, data: bytes, source: str, hint: str) -> None:
    """Raise ParseError (naming the dataset, the file and what to do) unless ``data`` parses."""
    try:
        validate(data, source)
    except ParseError as exc:
        raise exc.with_context(dataset=ds.name, hint=hint) from None


def _mirror_hint(ds: Dataset, mpath: Path, entry: dict | None, cfg: Settings) -> str:
    kept = entry is not None and (cfg.raw_dir / entry["path"]).is_file()
    return (f"nothing was stored{'; the last good copy is kept' if kept else ''}. Replace {mpath} "
            f"with the publisher's file ({ds.url})"
            + (", or delete it to go back to the last good copy." if kept
               else f", or delete it and run `research data refresh {ds.name}` to download it."))


def _stat_key(p: Path) -> list[int]:
    st = p.stat()
    return [st.st_size, st.st_mtime_ns]


def current_sha256(ds: Dataset, cfg: Settings | None = None) -> str | None:
    """The sha256 of the raw file a load would read now, or None when it is not available.

    Cheap: a manifest read and a stat; it never downloads.
    """
    cfg = cfg or settings()
    entry = read_manifest(cfg).get(ds.name)
    mpath = mirror_path(ds, cfg)
    if entry:
        local = cfg.raw_dir / entry["path"]
        stale = mpath is not None and entry.get("origin") == "mirror" and entry.get("mirror_stat") != _stat_key(mpath)
        if local.is_file() and not stale:
            return entry["sha256"]
    if mpath is not None:
        return sha256_file(mpath)
    return None


# -- download --------------------------------------------------------------------------------------

class _SameSchemeRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects, but never from https down to plain http."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if req.full_url.startswith("https:") and not newurl.startswith("https:"):
            raise DownloadError(f"refusing a redirect from https to {newurl}")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def download(url: str, timeout: float = 30.0, max_bytes: int = MAX_DOWNLOAD_BYTES) -> bytes:
    """GET ``url`` over HTTPS (certificate verified), with a timeout on connect and each read.

    Plain ``http://`` is refused unless the host is loopback (used by the offline tests).
    """
    from urllib.parse import urlparse

    parsed = urlparse(url)
    loopback = parsed.hostname in ("127.0.0.1", "localhost", "::1")
    if parsed.scheme != "https" and not (parsed.scheme == "http" and loopback):
        raise DownloadError(f"refusing to download over {parsed.scheme or 'no scheme'}: {url} "
                            "(only https is allowed)")
    req = urllib.request.Request(url, headers={"User-Agent": "research-workbench/0.1"})
    opener = urllib.request.build_opener(
        urllib.request.HTTPSHandler(context=ssl.create_default_context()), _SameSchemeRedirects())
    try:
        with opener.open(req, timeout=timeout) as resp:
            length = resp.headers.get("Content-Length")
            chunks, total = [], 0
            while True:
                chunk = resp.read(1 << 16)
                if not chunk:
                    break
                total += len(chunk)
                if total > max_bytes:
                    raise DownloadError(f"{url}: more than {max_bytes} bytes; refusing")
                chunks.append(chunk)
    except TimeoutError:
        raise DownloadError(f"timed out after {timeout:g} s (RESEARCH_DOWNLOAD_TIMEOUT)") from None
    except urllib.error.HTTPError as exc:
        raise DownloadError(f"HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError) or "timed out" in str(reason):
            raise DownloadError(f"timed out after {timeout:g} s (RESEARCH_DOWNLOAD_TIMEOUT)") from None
        raise DownloadError(f"cannot reach the server ({reason}); are you offline?") from None
    except http.client.HTTPException as exc:  # e.g. IncompleteRead: a chunked body cut short
        raise DownloadError(f"incomplete or malformed HTTP response ({exc!r})") from None
    except OSError as exc:
        raise DownloadError(f"network error: {exc}") from None
    data = b"".join(chunks)
    if length is not None and length.isdigit() and int(length) != len(data):
        raise DownloadError(f"truncated download: got {len(data)} of {length} bytes")
    return data
