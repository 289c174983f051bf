"""Parse raw files into named blocks and keep the parsed frames in a verified parquet cache.

Cache layout: ``data/cache/<dataset>/<raw sha256[:16]>-<parser version>/`` holding one parquet
file per block and ``meta.json`` (titles, frequencies, coverage, the sha256 of every parquet
file). The folder is keyed by the raw file's hash and the parser version, so a new raw file or
a parser change builds a new entry and nothing stale is served; a parquet file whose sha256 no
longer matches is rebuilt, not served. Entries are written to a temp folder and renamed.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from research.config import Settings, settings
from research.data import fred, french, prices
from research.data.catalog import Dataset
from research.errors import ParseError
from research.fsutil import InputRefused, read_bounded, sha256_bytes

STORE_VERSION = 3  # 3: meta.json counts missing-value codes per block


def parser_version(ds: Dataset) -> str:
    mod = {"french": french, "fred": fred, "prices": prices}[ds.kind]
    return f"{ds.kind[:2]}{mod.PARSER_VERSION}s{STORE_VERSION}"


class CorruptCacheWarning(UserWarning):
    """A parsed-cache file (a parquet block or meta.json) was damaged and is rebuilt."""


@dataclass(frozen=True)
class Parsed:
    blocks: dict[str, pd.DataFrame]
    meta: dict


def _text(ds: Dataset, data: bytes, source: str, max_bytes: int) -> str:
    # By content as well as by name: French serves every file as a _CSV.zip, including the
    # datasets whose mirror copy is an extracted .csv (a refresh from the publisher gets a zip).
    if data[:4] == b"PK\x03\x04":
        return french.read_zip_member(data, source, max_bytes)
    if ds.file_name.lower().endswith(".zip"):
        french.decode(data, source)  # an empty file or an HTML error page is named as such...
        return french.read_zip_member(data, source, max_bytes)  # ...anything else as "not a valid zip"
    return french.decode(data, source)


def parse_raw(ds: Dataset, data: bytes, source: str, max_bytes: int | None = None) -> Parsed:
    """Parse the raw bytes of ``ds`` and check the structure the catalog expects.

    ``max_bytes`` (default ``RESEARCH_MAX_INPUT_MB``) caps what a zip member may inflate to.
    Raises :class:`ParseError` naming the dataset, the file (``source``) and the line.
    """
    try:
        return _parse_raw(ds, data, source, settings().max_input_bytes if max_bytes is None else max_bytes)
    except ParseError as exc:
        raise exc.with_context(dataset=ds.name) from None


def _parse_raw(ds: Dataset, data: bytes, source: str, max_bytes: int) -> Parsed:
    text = _text(ds, data, source, max_bytes)
    meta: dict = {"blocks": {}, "vintage": None, "description": ""}
    if ds.kind == "french":
        ff = french.parse_french(text, source)
        missing = [b for b in ds.required_blocks if b not in ff.blocks]
        if missing:
            raise ParseError(
                f"missing block(s) {missing}; found {list(ff.blocks)}. The publisher "
                "may have changed the file's layout: check it, then update the catalog", source=source)
        main = ff.blocks[ds.default_block].frame
        absent = [c for c in ds.required_columns if c not in main.columns]
        if absent:
            raise ParseError(
                f"block {ds.default_block!r} lacks column(s) {absent}; header is "
                f"{list(main.columns)}. The publisher may have renamed them", source=source)
        blocks = {k: b.frame for k, b in ff.blocks.items()}
        titles = {k: (b.title, b.frequency) for k, b in ff.blocks.items()}
        missing = {k: {"count": b.missing, "first_line": b.first_missing_line}
                   for k, b in ff.blocks.items() if b.missing}
        meta["vintage"] = ff.vintage
        meta["description"] = ff.description
    elif ds.kind == "fred":
        frame = fred.parse_fred(text, ds.series or ds.name.upper(), ds.frequency, source)
        blocks = {"data": frame}
        titles = {"data": (ds.title, ds.frequency)}
        missing = {}
    else:
        frame = prices.parse_prices(text, source)
        blocks = {"data": frame}
        titles = {"data": (ds.title, "daily")}
        missing = {}
    for key, frame in blocks.items():
        # coverage of what load() serves: flagged price rows are excluded by default
        clean = frame.loc[~frame["suspicious"]] if "suspicious" in frame else frame
        clean = clean if len(clean) else frame
        values = clean.drop(columns=["suspicious"], errors="ignore")
        meta["blocks"][key] = {
            "title": titles[key][0], "frequency": titles[key][1], "rows": int(len(frame)),
            "columns": [str(c) for c in frame.columns],
            "first": clean.index[0].date().isoformat(), "last": clean.index[-1].date().isoformat(),
            "last_valid": (values.dropna(how="all").index[-1].date().isoformat()
                           if values.notna().any().any() else None),
        }
        if key in missing:  # rows given as -99.99/-999/-9999: NaN in the frame, counted here
            meta["blocks"][key]["missing_codes"] = missing[key]
        if "suspicious" in frame:
            flagged = frame.index[frame["suspicious"].to_numpy()]
            meta["blocks"][key]["flagged"] = [d.date().isoformat() for d in flagged]
    if meta["vintage"] is None:  # FRED, prices (and a French file without its CRSP line):
        b = meta["blocks"].get("data") or meta["blocks"][ds.default_block]  # the last observation
        meta["vintage"] = b["last_valid"] or b["last"]
    return Parsed(blocks=blocks, meta=meta)


# -- parquet cache ---------------------------------------------------------------------------------

def _entry_dir(cfg: Settings, ds: Dataset, raw_sha: str) -> Path:
    return cfg.cache_dir / ds.name / f"{raw_sha[:16]}-{parser_version(ds)}"


def _frame_to_parquet(frame: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    frame.to_parquet(buf, engine="pyarrow", index=True)
    return buf.getvalue()


def write_cache(cfg: Settings, ds: Dataset, raw_sha: str, parsed: Parsed) -> dict:
    """Write the entry of ``parsed`` (temp folder, then rename); return its meta.json content."""
    target = _entry_dir(cfg, ds, raw_sha)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=".tmp-"))
    try:
        meta = dict(parsed.meta, raw_sha256=raw_sha, parser=parser_version(ds), files={})
        for key, frame in parsed.blocks.items():
            data = _frame_to_parquet(frame)
            (tmp / f"{key}.parquet").write_bytes(data)
            meta["files"][key] = sha256_bytes(data)
        (tmp / "meta.json").write_text(json.dumps(meta, indent=2))
        if target.exists():  # a corrupt entry being replaced
            shutil.rmtree(target, ignore_errors=True)
        try:
            os.replace(tmp, target)
        except OSError:  # another process put a complete entry in place first (or the old
            shutil.rmtree(tmp, ignore_errors=True)  # one could not be removed): serve from memory
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return meta


_BLOCK_FIELDS = {"title": str, "frequency": str, "rows": int, "columns": list, "first": str, "last": str}


def _meta_problem(meta: object, ds: Dataset, raw_sha: str) -> str | None:
    """What is wrong with a meta.json's content, or None when it can be used."""
    if not isinstance(meta, dict):
        return f"a JSON {type(meta).__name__} where an object belongs"
    if meta.get("raw_sha256") != raw_sha or meta.get("parser") != parser_version(ds):
        return "it describes another raw file or parser version"
    files, blocks = meta.get("files"), meta.get("blocks")
    if not isinstance(files, dict) or not files or not all(
            isinstance(v, str) and len(v) == 64 for v in files.values()):
        return f"'files' is {files!r:.80}, not block -> sha256"
    if not isinstance(blocks, dict) or set(blocks) != set(files):
        return "'blocks' does not describe the same blocks as 'files'"
    for key, b in blocks.items():
        bad = next((f for f, t in _BLOCK_FIELDS.items()
                    if not isinstance(b, dict) or not isinstance(b.get(f), t) or isinstance(b.get(f), bool)), None)
        if bad:
            return f"block {key!r}: {bad!r} is missing or of the wrong type"
    return None


def read_meta(cfg: Settings, ds: Dataset, raw_sha: str) -> dict | None:
    """The entry's meta.json, or None when there is none or it is damaged (a warning naming the
    file: empty, truncated, binary, the wrong shape, a wrong-typed field); the caller rebuilds
    the entry from the raw file."""
    path = _entry_dir(cfg, ds, raw_sha) / "meta.json"
    try:
        raw = read_bounded(path, cfg.max_input_bytes)
        meta = json.loads(raw) if raw.strip() else None
        problem = "it is empty" if meta is None else _meta_problem(meta, ds, raw_sha)
    except FileNotFoundError:
        return None
    except InputRefused as exc:
        problem = f"it {exc.reason}"
    except OSError as exc:
        problem = f"it cannot be read ({exc.strerror or exc})"
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, UnicodeDecodeError
        problem = f"it is not valid JSON ({type(exc).__name__}; truncated or overwritten?)"
    if problem is None:
        return meta
    warnings.warn(f"{ds.name}: cache metadata {path} is damaged ({problem}); rebuilding the entry from "
                  "the raw file", CorruptCacheWarning, stacklevel=3)
    return None


def read_block(cfg: Settings, ds: Dataset, raw_sha: str, block: str, meta: dict) -> pd.DataFrame | None:
    """The cached frame, or None when it is missing or fails its checksum."""
    path = _entry_dir(cfg, ds, raw_sha) / f"{block}.parquet"
    try:
        data = read_bounded(path, cfg.max_input_bytes)
    except FileNotFoundError:
        return None
    except OSError as exc:  # a folder, a huge file or no permission where the block belongs
        warnings.warn(f"{ds.name}: cached block {block!r} at {path} cannot be used ({exc}); rebuilding",
                      CorruptCacheWarning, stacklevel=3)
        return None
    if sha256_bytes(data) != meta.get("files", {}).get(block):
        warnings.warn(f"{ds.name}: cached block {block!r} at {path} failed its checksum; "
                      "rebuilding it from the raw file", CorruptCacheWarning, stacklevel=3)
        return None
    try:
        return pd.read_parquet(io.BytesIO(data), engine="pyarrow")
    except Exception:  # pyarrow raises several types for damaged files
        warnings.warn(f"{ds.name}: cached block {block!r} is unreadable; rebuilding",
                      CorruptCacheWarning, stacklevel=3)
        return None
