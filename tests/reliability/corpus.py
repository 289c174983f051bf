"""Helpers of the reliability corpus: fingerprints of folders, leftovers, throw-away datasets.

Not a test module.
"""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from dataclasses import replace
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

# What an interrupted atomic write or run can leave behind (see fsutil.atomic_write_bytes,
# store.write_cache, runner.orchestrate._execute and runner.publish._Moves).
TEMPORARY_PREFIXES = (".tmp-", ".run-", ".previous-")


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fingerprint(root: Path, *, hidden: bool = True, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """relative path -> sha256 of every file under ``root`` (to compare before and after a fault).

    ``hidden=False`` leaves out dot-files and dot-folders (lock files, scratch folders); ``skip``
    leaves out the named relative paths (e.g. ``index.html``, rebuilt by every run).
    """
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if not path.is_file() or rel.as_posix() in skip:
            continue
        if not hidden and any(part.startswith(".") for part in rel.parts):
            continue
        out[rel.as_posix()] = sha256(path.read_bytes())
    return out


def leftovers(root: Path) -> list[Path]:
    """Temporary files or folders under ``root``: ``*.tmp``, ``.tmp-*``, ``.run-*``, ``.previous-*``."""
    return sorted(p for p in root.rglob("*")
                  if p.name.endswith(".tmp") or p.name.startswith(TEMPORARY_PREFIXES))


def zipped(member: str, payload: bytes) -> bytes:
    """A zip as French serves it (fixed timestamp: the same bytes on every run)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(zipfile.ZipInfo(member, date_time=(2025, 10, 31, 12, 0, 0)), payload,
                    compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def register(monkeypatch, base: str, name: str, file: str, payload: bytes, **changes):
    """A temporary catalog entry copied from ``base``, locked to ``payload``'s sha256 in the
    (temporary) vintages lock of ``isolated_data``."""
    from research.config import settings
    from research.data import catalog, vintages

    ds = replace(catalog.CATALOG[base], name=name, file=file, **changes)
    monkeypatch.setattr(catalog, "CATALOG", {**catalog.CATALOG, name: ds})
    cfg = settings()
    vintages.write(cfg, {**vintages.read(cfg), name: vintages.Locked(sha256(payload), "")})
    return ds


def put(path: Path, payload: bytes) -> None:
    """Write a mirror file as a colleague would: new content, and a later mtime even when the
    clock's tick is coarse (the data layer re-hashes a mirror file whose size or mtime changed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    before = path.stat().st_mtime_ns if path.exists() else None
    path.write_bytes(payload)
    if before is not None:
        later = max(path.stat().st_mtime_ns, before + 1_000_000_000)
        os.utime(path, ns=(later, later))


def lines(payload: bytes) -> list[bytes]:
    return payload.splitlines(keepends=True)


def zip_bomb(member: str, inflated: int, *, declared: int | None = None) -> bytes:
    """A zip whose one member inflates to ``inflated`` zero bytes (1 GB -> about 1 MB), built
    without inflating anything: one deflated MiB of zeros, ended by a full flush so the blocks are
    byte-aligned, repeated. ``declared`` is the size its headers state (a bomb can lie); the CRC
    is left 0 (a reader must refuse the member before reaching the end, where it is checked)."""
    import struct
    import zlib

    mib = 1 << 20
    assert inflated % mib == 0
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = comp.compress(bytes(mib)) + comp.flush(zlib.Z_FULL_FLUSH)
    body = block * (inflated // mib) + comp.flush(zlib.Z_FINISH)
    size = inflated if declared is None else declared
    name = member.encode()
    # zip64 is not needed below 4 GiB; sizes are capped at 0xFFFFFFFF in the headers
    fields = (20, 0, 8, 0, 0, 0, len(body), min(size, 0xFFFFFFFF), len(name), 0)
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields) + name
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, *fields, 0, 0, 0, 0, 0) + name
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central), len(local) + len(body), 0)
    return local + body + central + end
