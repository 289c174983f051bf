"""Give a dataset's verified raw file: local raw store -> mirror folder -> publisher download.

Raw files are immutable and content-addressed under ``data/raw/<kind>/<sha256[:16]>/<file>``;
``data/raw/manifest.json`` records, for each dataset, the file in use with its URL, origin,
retrieved-at time, sha256 and, for downloads, the server's ETag and Last-Modified (so
``research data update`` costs one 304 when nothing changed). Which file each dataset *should*
be is the vintages lock (:mod:`research.data.vintages`): the locked file is used when it can be
had; otherwise the publisher's current file is taken in with a :class:`NewerVintageWarning`, and
``RESEARCH_FROZEN=1`` refuses it (:class:`ChecksumMismatch`, naming both hashes).

Downloads use the standard library, not pooch: pooch retries every failure alike (a 404 too)
after a fixed 1, 2 ... s without reading Retry-After, writes a 304's empty body as the file,
follows redirects from https to http, and has no size limit. Nothing here parses: the caller passes ``validate(data, source)``
(raising :class:`ParseError` for a file it cannot read), so a damaged file never enters the store;
parsing and the parsed cache live in :mod:`research.data.store`, wired by :mod:`research.data`.

Why the mirror is consulted even when a raw copy exists: the mirror is the team's shared drive,
and a newer file placed there should be picked up (and re-keyed) without a manual refresh. The
check is a ``stat``; the file is hashed only when its size or mtime changed.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import email.utils
import errno
import http.client
import json
import os
import re
import ssl
import stat
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from research.config import (
    BASE_URL_VARIABLES,
    DEFAULT_BASE_URLS,
    LOOPBACK_HOSTS,
    Settings,
    settings,
)
from research.data import vintages
from research.data.catalog import Dataset
from research.errors import ChecksumMismatch, DataUnavailable, DownloadError, ParseError
from research.fsutil import (
    InputRefused,
    atomic_write_bytes,
    read_bounded,
    sha256_bytes,
    sha256_file,
)

Validate = Callable[[bytes, str], None]

MAX_DOWNLOAD_BYTES = 200 * 1024 * 1024  # download()'s own default; resolve passes RESEARCH_MAX_INPUT_MB
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
ATTEMPTS = 4  # one try and three retries of a 429 or 5xx
MAX_RETRY_WAIT = 60.0  # a Retry-After longer than this is reported, not waited for
_sleep = time.sleep  # the tests record the waits instead of sleeping


class NewerVintageWarning(UserWarning):
    """A dataset is served from a file that is not its locked vintage."""


class DamagedManifestWarning(UserWarning):
    """The raw store's manifest, or one entry of it, could not be used; it is rebuilt."""


_warned: set[tuple[str, str]] = set()


@dataclass(frozen=True)
class RawFile:
    dataset: str
    path: Path
    sha256: str
    origin: str  # "raw-store" | "mirror" | "download"
    source: str  # mirror path or URL the bytes came from
    retrieved_at: str


@dataclass(frozen=True)
class Response:
    """What a GET gave: the body (None for 304 Not Modified) and the validators to send next time."""

    status: int
    body: bytes | None
    etag: str | None = None
    last_modified: str | None = None


# -- manifest ------------------------------------------------------------------------------------

_SHA256 = re.compile(r"[0-9a-f]{64}")
_TEXT_FIELDS = ("file", "origin", "source", "url", "retrieved_at", "etag", "last_modified")
_REBUILT = ("the raw files are re-verified (by sha256) from the raw store, the mirror or the publisher "
            "and the manifest is rewritten; nothing to do, but do not edit data/raw by hand")


def _entry_problem(entry: object) -> str | None:
    """What is wrong with one manifest entry, or None when it can be used."""
    if not isinstance(entry, dict):
        return f"{type(entry).__name__} where an object belongs"
    sha, path = entry.get("sha256"), entry.get("path")
    if not isinstance(sha, str) or not _SHA256.fullmatch(sha):
        return f"sha256 is {sha!r}, not 64 hex digits"
    if not isinstance(path, str) or not path:
        return f"path is {path!r}, not a file in the raw store"
    bad = next((k for k in _TEXT_FIELDS if entry.get(k) is not None and not isinstance(entry[k], str)), None)
    if bad:
        return f"{bad} is {entry[bad]!r}, not text"
    ms = entry.get("mirror_stat")
    if ms is not None and not (isinstance(ms, list) and len(ms) == 2 and all(type(x) is int for x in ms)):
        return f"mirror_stat is {ms!r}, not [size, mtime]"
    return None


def read_manifest(cfg: Settings | None = None) -> dict:
    """The manifest's usable entries. A damaged file or entry is a :class:`DamagedManifestWarning`
    naming the file (and the entry) and is left out: the dataset is resolved again and its entry
    rewritten, so one bad entry never stops the other datasets."""
    cfg = cfg or settings()
    path = cfg.manifest_path
    try:
        raw = read_bounded(path, cfg.max_input_bytes)
        doc = json.loads(raw) if raw.strip() else None
    except FileNotFoundError:
        return {}
    except InputRefused as exc:
        return _damaged_manifest(f"{path} {exc.reason}")
    except OSError as exc:
        return _damaged_manifest(f"{path} cannot be read ({exc.strerror or exc})")
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, UnicodeDecodeError (binary garbage)
        why = f"{type(exc).__name__}: {exc}" if not isinstance(exc, RecursionError) else "nested too deeply"
        return _damaged_manifest(f"{path} is not valid JSON ({why}; truncated or overwritten?)")
    if doc is None:
        return _damaged_manifest(f"{path} is empty")
    if not isinstance(doc, dict):
        return _damaged_manifest(f"{path} holds a JSON {type(doc).__name__} where an object of "
                                 "datasets belongs")
    good = {}
    for name, entry in doc.items():
        problem = _entry_problem(entry)
        if problem is None:
            good[name] = entry
        else:
            _damaged_manifest(f"{path}: the entry for {name!r} is damaged ({problem})")
    return good


def _damaged_manifest(what: str) -> dict:
    warnings.warn(f"{what}; {_REBUILT}.", DamagedManifestWarning, stacklevel=3)
    return {}


def _entry(cfg: Settings, ds: Dataset, manifest: dict | None = None) -> dict | None:
    """The manifest entry of ``ds`` (from ``manifest`` when the caller read it already) if it points
    at its content-addressed place in the raw store (``<kind>/<sha256[:16]>/<file>``): an entry
    edited to point elsewhere is not followed."""
    entry = (read_manifest(cfg) if manifest is None else manifest).get(ds.name)
    if entry is None:
        return None
    expected = f"{ds.kind}/{entry['sha256'][:16]}/{ds.file_name}"
    if entry["path"] != expected:
        _damaged_manifest(f"{cfg.manifest_path}: the entry for {ds.name!r} points at {entry['path']!r}, "
                          f"not at {expected!r}")
        return None
    return entry


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
        data = read_bounded(data_path, cfg.max_input_bytes)
    atomic_write_bytes(target, data)
    os.chmod(target, 0o444)  # raw data is immutable
    return target


# -- resolution ----------------------------------------------------------------------------------

def url_for(ds: Dataset, cfg: Settings) -> str:
    """The dataset's URL with its publisher's base replaced by ``RESEARCH_BASE_URL_*`` when set."""
    default, base = DEFAULT_BASE_URLS[ds.kind], cfg.base_urls[ds.kind]
    if base != default and ds.url.startswith(default):
        return base + ds.url[len(default):]
    return ds.url


def _mirror_file(ds: Dataset, cfg: Settings) -> tuple[Path | None, list[int] | None, str]:
    """(path, [size, mtime_ns], "") of the mirror's file for ``ds``; or (None, None, the Tried:
    line saying why there is none). A mirror that is missing, unreadable, a symlink loop, or holds
    a folder or a pipe where the file belongs is never an exception here: the raw store's copy or
    a download is used instead."""
    if cfg.mirror is None:
        return None, None, "mirror: not set (RESEARCH_DATA_MIRROR)"
    p = cfg.mirror / ds.file
    try:
        st = os.stat(p)
    except FileNotFoundError:
        if not os.path.lexists(cfg.mirror):
            return None, None, (f"mirror: {p} (the mirror folder {cfg.mirror} does not exist: "
                                "is the shared drive mounted?)")
        return None, None, f"mirror: {p} (no such file)"
    except OSError as exc:
        return None, None, f"mirror: {p} ({_os_reason(exc)})"
    if stat.S_ISDIR(st.st_mode):
        return None, None, f"mirror: {p} (a folder where the file belongs)"
    if not stat.S_ISREG(st.st_mode):
        return None, None, f"mirror: {p} (not a regular file: a pipe, socket or device)"
    return p, [st.st_size, st.st_mtime_ns], ""


def _os_reason(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "a symlink loop: a link on this path points back at itself"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"permission denied: [Errno {exc.errno}] {exc.strerror}; make the mirror readable by this user"
    if exc.errno == errno.ENOTDIR:
        return "a file where a folder of the mirror belongs"
    return f"cannot be read: [Errno {exc.errno}] {exc.strerror}"


def _locked_copy(ds: Dataset, cfg: Settings, want: str) -> Path | None:
    """The locked file in the raw store (content-addressed: kept after a newer one was taken in)."""
    p = cfg.raw_dir / ds.kind / want[:16] / ds.file_name
    return p if p.is_file() and sha256_file(p) == want else None


def resolve(ds: Dataset, validate: Validate, cfg: Settings | None = None, *,
            refresh: bool = False) -> RawFile:
    """Find (or fetch) the raw file for ``ds`` and return it with its sha256.

    Order: the file in use in the local raw store (unless ``refresh``), re-synced from the
    mirror when the mirror's copy changed; the mirror; a download from the publisher.
    ``validate(data, source)`` raises :class:`ParseError` unless ``data`` reads as ``ds``; it is
    called before a file that is not the locked one is kept. Under ``RESEARCH_FROZEN`` only the
    locked file is served (the raw store keeps it even after a newer one was taken in).
    """
    cfg = cfg or settings()
    lock = vintages.locked(cfg, ds.name)
    want = lock.sha256 if lock else None
    rejected: list[str] = []  # under RESEARCH_FROZEN: files found that are not the locked one
    tried: list[str] = []
    entry = _entry(cfg, ds)
    mpath, mstat, mirror_why = _mirror_file(ds, cfg)

    if entry and not refresh:
        local = cfg.raw_dir / entry["path"]
        mirror_changed = mpath is not None and entry.get("origin") == "mirror" and entry.get("mirror_stat") != mstat
        if local.is_file() and not mirror_changed:
            sha = sha256_file(local)
            if sha == entry["sha256"]:
                if not (cfg.frozen and sha != want):
                    return RawFile(ds.name, local, sha, "raw-store", entry.get("source", ""),
                                   entry.get("retrieved_at", ""))
                rejected.append(f"sha256 {sha} (local raw store: {local})")
            else:
                warnings.warn(f"{ds.name}: raw file {local} does not match its manifest sha256; "
                              "fetching it again", stacklevel=2)
        tried.append(f"local raw store: {local} ("
                     + ("not the locked vintage" if rejected else
                        "changed in mirror" if mirror_changed else "missing or altered") + ")")
    else:
        tried.append(f"local raw store: {cfg.raw_dir / ds.kind} (no copy yet)" if not refresh
                     else "local raw store: skipped (refresh)")

    if cfg.frozen and want and (kept := _locked_copy(ds, cfg, want)) is not None:
        return _use(cfg, ds, kept, None, want, "raw-store", str(kept), {})

    mdata = None
    if mpath is not None:
        try:
            mdata = read_bounded(mpath, cfg.max_input_bytes)
        except InputRefused as exc:  # too large: refused like any unusable file the mirror holds
            raise ParseError(f"the file {exc.reason}; it is not one of the publisher's data files",
                             source=str(mpath), dataset=ds.name,
                             hint=_mirror_hint(ds, mpath, entry, cfg)) from None
        except OSError as exc:  # unreadable: the mirror's state, like a missing file
            mirror_why = f"mirror: {mpath} ({_os_reason(exc)})"
    if mdata is not None:
        assert mpath is not None
        sha = sha256_bytes(mdata)
        if cfg.frozen and sha != want:
            rejected.append(f"sha256 {sha} (mirror: {mpath})")
            tried.append(f"mirror: {mpath} (not the locked vintage)")
        else:
            if sha != want:
                # Not the locked vintage: parse it before keeping it, as for a download, so a damaged
                # or HTML file in the mirror never enters the raw store or replaces the last good copy.
                _validate_or_explain(validate, ds, mdata, str(mpath), _mirror_hint(ds, mpath, entry, cfg))
                _warn_newer(ds, sha, lock, f"mirror file {mpath}")
            return _use(cfg, ds, None, mdata, sha, "mirror", str(mpath), {"mirror_stat": mstat})
    else:
        tried.append(mirror_why)
        # No usable manifest entry and no usable mirror (missing, unreadable, a loop...): the
        # locked vintage, if the raw store holds it (verified by sha256), is the good copy.
        if want and not refresh and (kept := _locked_copy(ds, cfg, want)) is not None:
            return _use(cfg, ds, kept, None, want, "raw-store", str(kept), {})

    url = url_for(ds, cfg)
    if cfg.offline:
        tried.append(f"download: {url} (skipped: RESEARCH_OFFLINE is set)")
    else:
        try:
            resp = download(url, timeout=cfg.download_timeout, max_bytes=cfg.max_input_bytes,
                            publisher=ds.publisher, setting=BASE_URL_VARIABLES[ds.kind])
        except DownloadError as exc:
            tried.append(f"download: {url} ({exc})")
            if not rejected:
                raise DataUnavailable(ds.name, tried) from exc
        else:
            return _take_download(cfg, ds, validate, url, resp, lock, rejected)
    if rejected:
        raise _not_locked(ds, lock, rejected)
    raise DataUnavailable(ds.name, tried)


def update(ds: Dataset, validate: Validate, cfg: Settings | None = None) -> tuple[RawFile, bool]:
    """Ask the publisher for a newer file; return (the file now in use, whether it changed).

    A conditional GET with the ETag / Last-Modified recorded for the last download of the same
    URL: an unchanged file costs one 304 and no body. A new file is parsed before it is kept.
    """
    cfg = cfg or settings()
    url = url_for(ds, cfg)
    entry = _entry(cfg, ds) or {}
    local = cfg.raw_dir / entry["path"] if entry.get("path") else None
    have = local is not None and local.is_file() and sha256_file(local) == entry.get("sha256")
    same_url = have and entry.get("origin") == "download" and entry.get("url") == url
    if cfg.offline:
        raise DataUnavailable(ds.name, [f"download: {url} (skipped: RESEARCH_OFFLINE is set)"])
    try:
        resp = download(url, timeout=cfg.download_timeout, max_bytes=cfg.max_input_bytes,
                        publisher=ds.publisher, setting=BASE_URL_VARIABLES[ds.kind],
                        etag=entry.get("etag") if same_url else None,
                        last_modified=entry.get("last_modified") if same_url else None)
    except DownloadError as exc:
        raise DataUnavailable(ds.name, [f"download: {url} ({exc})"]) from exc
    if resp.status == 304:
        assert local is not None  # only asked conditionally when the file in use is there
        return RawFile(ds.name, local, entry["sha256"], "raw-store", entry.get("source", ""),
                       entry.get("retrieved_at", "")), False
    raw = _take_download(cfg, ds, validate, url, resp, vintages.locked(cfg, ds.name), [], warn=False)
    return raw, not (have and raw.sha256 == entry.get("sha256"))


def _take_download(cfg: Settings, ds: Dataset, validate: Validate, url: str, resp: Response,
                   lock: vintages.Locked | None, rejected: list[str], *, warn: bool = True) -> RawFile:
    data = resp.body or b""
    sha = sha256_bytes(data)
    # Parse before keeping: an error page or half a file is named as such (not as "a new
    # vintage"), and never enters the raw store.
    _validate_or_explain(validate, ds, data, url, (
        f"the server did not send a usable file; nothing was stored and the last good copy (if "
        f"any) is kept. Try again later (`research data refresh {ds.name}`), or put the file in "
        "the mirror (RESEARCH_DATA_MIRROR)."))
    if cfg.frozen and (lock is None or sha != lock.sha256):
        raise _not_locked(ds, lock, [*rejected, f"sha256 {sha} (download: {url})"])
    if warn:
        _warn_newer(ds, sha, lock, f"the publisher's current file ({url})")
    return _use(cfg, ds, None, data, sha, "download", url,
                {"etag": resp.etag, "last_modified": resp.last_modified})


def _use(cfg: Settings, ds: Dataset, path: Path | None, data: bytes | None, sha: str, origin: str,
         source: str, extra: dict) -> RawFile:
    """Keep the file in the raw store and record it in the manifest as the one in use."""
    stored = _store(cfg, ds, path, data, sha)
    retrieved = _now()
    _update_manifest(cfg, ds.name, {
        "file": ds.file, "path": str(stored.relative_to(cfg.raw_dir)), "sha256": sha,
        "origin": origin, "source": source, "url": url_for(ds, cfg), "retrieved_at": retrieved,
        **{k: v for k, v in extra.items() if v is not None},
    })
    return RawFile(ds.name, stored, sha, origin, source, retrieved)


def _warn_newer(ds: Dataset, sha: str, lock: vintages.Locked | None, what: str) -> None:
    """Once per process and file: the dataset is served from a file that is not the locked one."""
    if lock is None or sha == lock.sha256 or (ds.name, sha) in _warned:
        return
    _warned.add((ds.name, sha))
    warnings.warn(f"{ds.name}: using {what}, sha256 {sha[:12]}…, not the locked vintage "
                  f"{lock.vintage} ({lock.sha256[:12]}…). Reports built on it say so; "
                  f"`research data lock {ds.name}` records it as the vintage in use, "
                  "RESEARCH_FROZEN=1 refuses it.", NewerVintageWarning, stacklevel=4)


def _not_locked(ds: Dataset, lock: vintages.Locked | None, found: list[str]) -> ChecksumMismatch:
    files = "; ".join(found)
    if lock is None:
        return ChecksumMismatch(
            f"dataset {ds.name!r}: RESEARCH_FROZEN=1 serves only locked vintages and "
            f"data/vintages.lock has no entry for it (found {files}). Fix: unset RESEARCH_FROZEN, "
            f"or lock the file in use with `research data lock {ds.name}`.")
    return ChecksumMismatch(
        f"dataset {ds.name!r}: RESEARCH_FROZEN=1 serves only the locked vintage {lock.vintage} "
        f"(sha256 {lock.sha256}), but found {files}. Fix: put the locked file in the mirror "
        f"(RESEARCH_DATA_MIRROR), unset RESEARCH_FROZEN to use the newer one, or lock it with "
        f"`research data lock {ds.name}`.")


def _validate_or_explain(validate: Validate, ds: Dataset, data: bytes, source: str, hint: str) -> None:
    """Raise ParseError (naming the dataset, the file and what to do) unless ``data`` parses."""
    try:
        validate(data, source)
    except ParseError as exc:
        raise exc.with_context(dataset=ds.name, hint=hint) from None


def _mirror_hint(ds: Dataset, mpath: Path, entry: dict | None, cfg: Settings) -> str:
    kept = entry is not None and (cfg.raw_dir / entry["path"]).is_file()
    return (f"nothing was stored{'; the last good copy is kept' if kept else ''}. Replace {mpath} "
            f"with the publisher's file ({url_for(ds, cfg)})"
            + (", or delete it to go back to the last good copy." if kept
               else f", or delete it and run `research data refresh {ds.name}` to download it."))


def current_sha256(ds: Dataset, cfg: Settings | None = None, manifest: dict | None = None) -> str | None:
    """The sha256 of the raw file a load would read now, or None when it is not available.

    Cheap: a manifest read (``manifest``, when the caller read it already) and a stat (a hash when
    the mirror's file changed); it never downloads.
    """
    cfg = cfg or settings()
    entry = _entry(cfg, ds, manifest)
    mpath, mstat, _ = _mirror_file(ds, cfg)
    found = None
    if entry:
        local = cfg.raw_dir / entry["path"]
        stale = mpath is not None and entry.get("origin") == "mirror" and entry.get("mirror_stat") != mstat
        if local.is_file() and not stale:
            found = entry["sha256"]
    mirror_sha = _hash_or_none(mpath, mstat, cfg)
    found = found or mirror_sha
    lock = vintages.locked(cfg, ds.name)
    if found is None and mpath is None and lock is not None and _locked_copy(ds, cfg, lock.sha256) is not None:
        found = lock.sha256  # what resolve() falls back on when the mirror has no usable file
    if not cfg.frozen:
        return found
    if lock is None:
        return None
    if found == lock.sha256 or _locked_copy(ds, cfg, lock.sha256) is not None:
        return lock.sha256
    return lock.sha256 if mirror_sha == lock.sha256 else None


def _hash_or_none(path: Path | None, key: list[int] | None, cfg: Settings) -> str | None:
    """sha256 of a mirror file that resolve() would read; None if it is too large or unreadable."""
    if path is None or key is None or key[0] > cfg.max_input_bytes:
        return None
    try:
        return sha256_file(path)
    except OSError:
        return None


# -- download --------------------------------------------------------------------------------------

class _SameSchemeRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects, but never from https down to plain http."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if req.full_url.startswith("https:") and not newurl.startswith("https:"):
            raise DownloadError(f"refusing a redirect from https to {newurl}")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds, or an HTTP date), None if absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=_dt.UTC)
    return max(0.0, (when - _dt.datetime.now(_dt.UTC)).total_seconds())


def _refused(code: int, reason: str, url: str, publisher: str, setting: str | None) -> str:
    elsewhere = f"point {setting} at a server that has it" if setting else "use another server"
    if code in (401, 403):
        return (f"HTTP {code} {reason} from {publisher} at {url}: the server refuses to serve the "
                f"file (it may now require a login or block scripts). Fix: put the file in the "
                f"mirror (RESEARCH_DATA_MIRROR), or {elsewhere}.")
    if code == 404:
        return (f"HTTP 404 {reason} from {publisher} at {url}: no file at this address (moved or "
                f"withdrawn?). Fix: check the address in research/data/catalog.py, or {elsewhere}.")
    return f"HTTP {code} {reason} from {publisher} at {url}"


def download(url: str, timeout: float = 30.0, max_bytes: int = MAX_DOWNLOAD_BYTES, *,
             publisher: str = "the server", setting: str | None = None, etag: str | None = None,
             last_modified: str | None = None) -> Response:
    """GET ``url`` over HTTPS (certificate verified), with a timeout on connect and each read.

    Plain ``http://`` is refused unless the host is loopback (used by the offline tests). A 429
    or 5xx is retried (``ATTEMPTS`` in all) after Retry-After seconds, or 1, 2, 4 s without one.
    ``etag`` / ``last_modified`` make the request conditional: a 304 gives a body of None.
    """
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme != "https" and not (parsed.scheme == "http" and parsed.hostname in LOOPBACK_HOSTS):
        raise DownloadError(f"refusing to download over {parsed.scheme or 'no scheme'}: {url} "
                            "(only https is allowed)")
    headers = {"User-Agent": "research-workbench/0.1"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    opener = urllib.request.build_opener(
        urllib.request.HTTPSHandler(context=ssl.create_default_context()), _SameSchemeRedirects())
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return _get(opener, urllib.request.Request(url, headers=headers), url, timeout, max_bytes)
        except urllib.error.HTTPError as exc:
            if exc.code == 304:
                return Response(304, None, exc.headers.get("ETag") or etag,
                                exc.headers.get("Last-Modified") or last_modified)
            if exc.code not in RETRY_STATUSES:
                raise DownloadError(_refused(exc.code, exc.reason, url, publisher, setting)) from None
            asked = retry_after(exc.headers.get("Retry-After"))
            wait = asked if asked is not None else float(2 ** (attempt - 1))
            if attempt == ATTEMPTS or wait > MAX_RETRY_WAIT:
                after = (f"; it asks to wait {wait:g} s, more than {MAX_RETRY_WAIT:g} s"
                         if wait > MAX_RETRY_WAIT else f" after {attempt} attempts")
                raise DownloadError(f"HTTP {exc.code} {exc.reason} from {publisher} at {url}{after}. "
                                    "Fix: try again later, or put the file in the mirror "
                                    "(RESEARCH_DATA_MIRROR).") from None
            _sleep(wait)
    raise AssertionError("unreachable")  # the loop returns or raises


def _get(opener, req, url: str, timeout: float, max_bytes: int) -> Response:
    try:
        with opener.open(req, timeout=timeout) as resp:
            length = resp.headers.get("Content-Length")
            total_expected = int(length) if length is not None and length.isdigit() else None
            chunks, total = [], 0
            with _progress(total_expected, url) as advance:
                while True:
                    chunk = resp.read(1 << 16)
                    if not chunk:
                        break
                    total += len(chunk)
                    if total > max_bytes:
                        raise DownloadError(f"{url}: more than {max_bytes} bytes; refusing")
                    chunks.append(chunk)
                    advance(len(chunk))
            etag, modified = resp.headers.get("ETag"), resp.headers.get("Last-Modified")
    except urllib.error.HTTPError:
        raise
    except TimeoutError:
        raise DownloadError(f"timed out after {timeout:g} s (RESEARCH_DOWNLOAD_TIMEOUT)") from None
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
    if total_expected is not None and total_expected != len(data):
        raise DownloadError(f"truncated download: got {len(data)} of {total_expected} bytes")
    return Response(200, data, etag, modified)


@contextlib.contextmanager
def _progress(total: int | None, url: str):
    """A progress bar on a terminal (stderr), nothing otherwise; yields ``advance(nbytes)``."""
    if not sys.stderr.isatty():
        yield lambda n: None
        return
    from rich.progress import DownloadColumn, Progress, TransferSpeedColumn

    with Progress(*Progress.get_default_columns(), DownloadColumn(), TransferSpeedColumn(),
                  transient=True) as bar:
        task = bar.add_task(url.rsplit("/", 1)[-1][:40], total=total)
        yield lambda n: bar.advance(task, n)
