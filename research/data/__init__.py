"""The data layer: every dataset by name, served from real publisher files, cached and verified.

    >>> from research import data
    >>> data.names()[:3]
    ['ff3_factors', 'ff3_factors_daily', 'ff5_factors']
    >>> sizes = data.load("size_portfolios", block="vw_monthly")   # percent per month
    >>> data.info("rut")["vintage"]

Resolution: local raw store -> ``RESEARCH_DATA_MIRROR`` (default ``../shared/data`` beside the
repository) -> download from the publisher. ``data/vintages.lock`` records the vintage (sha256)
each dataset was built on; a file that is not the locked one is served with
``info(name)["newer_than_lock"]`` set, and refused under ``RESEARCH_FROZEN=1``. Parsed frames are cached as parquet keyed by the raw
file's sha256 and the parser version. Importing this module is cheap (no pandas) so the report
runner can ask :func:`current_sha256` without paying for it.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import warnings
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from research import provenance
from research.config import settings
from research.data import catalog as _catalog
from research.data import fetch as _fetch
from research.data import vintages as _vintages
from research.errors import DataUnavailable, UnknownBlock

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["names", "load", "info", "blocks", "status", "refresh", "update", "lock",
           "current_sha256", "sha256_lookup", "SuspiciousRowsWarning", "NewerVintageWarning"]

NewerVintageWarning = _fetch.NewerVintageWarning

_memo: dict[tuple[str, str, str], Any] = {}


class SuspiciousRowsWarning(UserWarning):
    """Rows flagged as suspicious were excluded from a price series."""


def names() -> list[str]:
    """Every dataset in the catalog."""
    return _catalog.names()


def _validator(ds):
    """The check fetch runs before keeping a file: it must parse as ``ds``."""
    from research.data import store

    return lambda data, source: store.parse_raw(ds, data, source)


# Set inside ``failing_fast()``: the datasets found unavailable there (name -> the error).
_unavailable: contextvars.ContextVar[dict[str, DataUnavailable] | None] = contextvars.ContextVar(
    "research_data_unavailable", default=None)


@contextlib.contextmanager
def failing_fast() -> Iterator[None]:
    """Within this block, a dataset found unavailable is not looked for again: later loads of it
    raise the same :class:`DataUnavailable` at once. For a batch of specifications (``sweep``):
    with no mirror and the publishers unreachable, each specification tried every source again,
    and a specification curve took minutes to fail. Outside the block every load tries afresh
    (a notebook re-run after the network is back must not see an old failure)."""
    token = _unavailable.set({} if _unavailable.get() is None else _unavailable.get())
    try:
        yield
    finally:
        _unavailable.reset(token)


def _parsed_meta(name: str, *, refresh: bool = False):
    """Resolve the raw file and make sure its parsed cache entry exists. Returns (ds, raw, meta)."""
    cfg = settings()
    ds = _catalog.get(name)
    failed = _unavailable.get()
    if failed is not None and ds.name in failed:
        raise failed[ds.name]
    try:
        return _cached(ds, _fetch.resolve(ds, _validator(ds), cfg, refresh=refresh), rebuild=refresh)
    except DataUnavailable as exc:
        if failed is not None:
            failed[ds.name] = exc
        raise


def _cached(ds, raw, *, rebuild: bool = False):
    """(ds, raw, meta) with the parsed cache entry of ``raw`` in place."""
    from research.data import store

    cfg = settings()
    meta = None if rebuild else store.read_meta(cfg, ds, raw.sha256)
    if meta is None or any(not (store._entry_dir(cfg, ds, raw.sha256) / f"{b}.parquet").is_file()
                           for b in meta["files"]):
        parsed = _parse(ds, raw)
        meta = store.write_cache(cfg, ds, raw.sha256, parsed)
        for key, frame in parsed.blocks.items():
            _memo[(ds.name, raw.sha256, key)] = frame
    return ds, raw, meta


def _parse(ds, raw):
    """Parse the raw file in use; a failure names the dataset, the file and the fix."""
    from research.data import store
    from research.errors import ParseError
    from research.fsutil import InputRefused, read_bounded

    cfg = settings()
    try:
        data = read_bounded(raw.path, cfg.max_input_bytes)
    except InputRefused as exc:
        raise ParseError(f"the file {exc.reason}", source=str(raw.path), dataset=ds.name,
                         hint=f"delete it and fetch a good one with `research data refresh {ds.name}`") from None
    try:
        return store.parse_raw(ds, data, str(raw.source or raw.path))
    except ParseError as exc:
        raise exc.with_context(hint=f"the copy in use ({raw.path}) cannot be parsed; fetch a good "
                                    f"one with `research data refresh {ds.name}`") from None


def load(name: str, block: str | None = None, *, include_flagged: bool = False) -> pd.DataFrame:
    """A dataset as a DataFrame on a DatetimeIndex named ``date``.

    Monthly data sit on month-end dates, annual data on 31 December. French values are in percent
    per period as published (``-99.99``/``-999`` become NaN); FRED values in the series' units;
    prices as index levels with columns ``open, high, low, close[, adj_close], volume,
    suspicious``.

    ``block`` picks a table of a French file (``vw_monthly``, ``ew_monthly``, ``vw_annual``,
    ``ew_annual``, ``firm_counts``, ``avg_firm_size``, ``monthly``, ``annual``, ``daily`` ...; see
    ``info(name)["blocks"]``); the default is the catalog's main block. Price rows flagged as
    suspicious are dropped with a :class:`SuspiciousRowsWarning` unless ``include_flagged``.
    """
    from research.data import store

    ds, raw, meta = _parsed_meta(name)
    key = block or ds.default_block or "data"
    if key not in meta["files"]:
        raise UnknownBlock(f"dataset {ds.name!r} has no block {key!r}; blocks: {list(meta['files'])}")
    memo_key = (ds.name, raw.sha256, key)
    frame = _memo.get(memo_key)
    if frame is None:
        cfg = settings()
        frame = store.read_block(cfg, ds, raw.sha256, key, meta)
        if frame is None:  # corrupt entry: rebuild from the raw file, never serve it
            parsed = _parse(ds, raw)
            store.write_cache(cfg, ds, raw.sha256, parsed)
            frame = parsed.blocks[key]
        _memo[memo_key] = frame
    lock = _vintages.locked(settings(), ds.name)
    provenance.note_input(ds.name, {
        "sha256": raw.sha256, "vintage": meta.get("vintage"), "file": ds.file_name,
        "origin": raw.origin, "url": ds.url, **_lock_fields(raw.sha256, meta.get("vintage"), lock),
    })
    out = frame.copy()
    if "suspicious" in out and not include_flagged:
        flagged = out.index[out["suspicious"].to_numpy()]
        if len(flagged):
            shown = ", ".join(d.date().isoformat() for d in flagged[:5])
            more = f" ... {flagged[-1].date().isoformat()}" if len(flagged) > 5 else ""
            warnings.warn(
                f"{ds.name}: {len(flagged)} suspicious row(s) excluded (volume 0 and a close that is "
                f"not a cent level: intraday snapshots) on {shown}{more}; pass "
                "include_flagged=True to keep them", SuspiciousRowsWarning, stacklevel=2)
            out = out.loc[~out["suspicious"]]
    return out


def _lock_fields(sha: str, vintage: str | None, lock) -> dict[str, Any]:
    """How the file in use compares with the vintages lock (for info() and report footers)."""
    return {
        "locked_sha256": lock.sha256 if lock else None,
        "locked_vintage": lock.vintage if lock else None,
        "matches_lock": lock is not None and sha == lock.sha256,
        "newer_than_lock": (lock is not None and sha != lock.sha256
                            and _vintages.is_newer(vintage, lock.vintage)),
    }


def blocks(name: str) -> list[str]:
    """The block names a dataset's file contains."""
    return list(_parsed_meta(name)[2]["files"])


def info(name: str) -> dict[str, Any]:
    """Everything known about a dataset: publisher, URL, file, frequency, vintage, coverage, sha256."""
    ds, raw, meta = _parsed_meta(name)
    main = ds.default_block or "data"
    bmeta = meta["blocks"]
    flagged = bmeta.get("data", {}).get("flagged", [])
    out = {
        "name": ds.name, "title": ds.title, "publisher": ds.publisher, "url": ds.url,
        "file": ds.file_name, "kind": ds.kind, "frequency": ds.frequency,
        "vintage": meta.get("vintage"),
        "coverage": (bmeta[main]["first"], bmeta[main]["last"]),
        "rows": bmeta[main]["rows"], "columns": bmeta[main]["columns"],
        "blocks": {k: {kk: v[kk] for kk in ("title", "frequency", "rows", "first", "last", "missing_codes")
                       if kk in v} for k, v in bmeta.items()},
        "default_block": main,
        "sha256": raw.sha256,
        **_lock_fields(raw.sha256, meta.get("vintage"), _vintages.locked(settings(), ds.name)),
        "origin": raw.origin, "source": raw.source, "retrieved_at": raw.retrieved_at,
        "flagged_rows": flagged, "notes": ds.notes, "series": ds.series,
    }
    if ds.name == "me_bm_6_daily":
        out["notes"] += (" French publishes no daily size deciles here; research.data.sizes builds the "
                         "daily small-cap series from these six portfolios.")
    return out


def current_sha256(name: str) -> str | None:
    """The sha256 of the raw file ``load(name)`` would read now (None if unavailable). Cheap."""
    return _fetch.current_sha256(_catalog.get(name), settings())


def sha256_lookup() -> Callable[[str], str | None]:
    """:func:`current_sha256` for many datasets at one moment (the runner's decisions): the
    settings and the manifest are read once, and each dataset is looked up once."""
    cfg = settings()
    manifest = _fetch.read_manifest(cfg)

    @functools.cache
    def lookup(name: str) -> str | None:
        return _fetch.current_sha256(_catalog.get(name), cfg, manifest)

    return lookup


def status() -> list[dict[str, Any]]:
    """One row per dataset: loadable or not, origin, vintage, coverage, rows, flags, and whether
    the file in use is the locked vintage (``pinned``) or a newer one (``newer``)."""
    settings()  # a bad setting is one error, not the same error on every row
    rows = []
    for name in names():
        try:
            i = info(name)
            rows.append({"name": name, "ok": True, "origin": i["origin"], "vintage": i["vintage"],
                         "coverage": f"{i['coverage'][0]}..{i['coverage'][1]}", "rows": i["rows"],
                         "flags": len(i["flagged_rows"]), "pinned": i["matches_lock"],
                         "newer": i["newer_than_lock"],
                         "blocks": len(i["blocks"]), "error": ""})
        except Exception as exc:  # status reports every failure instead of stopping at the first
            rows.append({"name": name, "ok": False, "origin": "", "vintage": "", "coverage": "",
                         "rows": 0, "flags": 0, "pinned": False, "newer": False, "blocks": 0,
                         "error": f"{type(exc).__name__}: {str(exc).splitlines()[0]}"})
    return rows


def refresh(name: str) -> dict[str, Any]:
    """Fetch ``name`` again (mirror or publisher), verify it, and rebuild its parsed cache."""
    ds = _catalog.get(name)
    # cache entries are keyed by the raw hash: _parsed_meta writes the new one
    _, raw, meta = _parsed_meta(ds.name, refresh=True)
    _forget(ds.name)
    return {"name": ds.name, "sha256": raw.sha256, "origin": raw.origin, "vintage": meta.get("vintage")}


def update(name: str) -> dict[str, Any]:
    """Ask the publisher whether ``name`` has a newer file (one 304 when not); take it in if so.

    Returns name, changed, sha256, vintage and how they compare with the lock
    (``newer_than_lock``, ``locked_vintage`` ...).
    """
    ds = _catalog.get(name)
    raw, changed = _fetch.update(ds, _validator(ds), settings())
    _, raw, meta = _cached(ds, raw)
    if changed:
        _forget(ds.name)
    lock = _vintages.locked(settings(), ds.name)
    return {"name": ds.name, "changed": changed, "sha256": raw.sha256, "origin": raw.origin,
            "vintage": meta.get("vintage"), **_lock_fields(raw.sha256, meta.get("vintage"), lock)}


def lock(which: list[str] | None = None) -> dict[str, Any]:
    """Write the vintages in use of ``which`` (default: every dataset) to the lock file.

    Returns ``{"written": {name: Locked}, "kept": {name: error}}``: a dataset named in ``which``
    that cannot be loaded raises; with the default, it keeps its old entry and is listed in "kept".
    """
    from research.errors import DataError

    cfg = settings()
    entries = _vintages.read(cfg)
    wanted = [_catalog.get(n).name for n in which] if which else names()
    written, kept = {}, {}
    for name in wanted:
        try:
            i = info(name)
        except DataError as exc:
            if which:
                raise
            kept[name] = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
            continue
        written[name] = entries[name] = _vintages.Locked(i["sha256"], str(i["vintage"] or ""))
    order = names() + [n for n in entries if n not in _catalog.CATALOG]
    _vintages.write(cfg, {n: entries[n] for n in order if n in entries})
    return {"written": written, "kept": kept}


def _forget(name: str) -> None:
    for key in [k for k in _memo if k[0] == name]:
        del _memo[key]
