"""Atomic file writes and sha256 helpers, shared by the data layer and the runner.

Stdlib only: imported on hot paths.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import tempfile
from pathlib import Path


class InputRefused(OSError):
    """A file not read: larger than the input limit, or not a regular file (a folder, a FIFO).

    ``reason`` says which, in words meant for a message: ``"is 1,024 MB, over the limit of 100 MB
    on input files (RESEARCH_MAX_INPUT_MB)"``.
    """

    def __init__(self, path: Path | str, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{path} {reason}")


def megabytes(n: int) -> str:
    return f"{n / 1e6:,.0f} MB" if n >= 1e6 else f"{n:,} bytes"


def too_large(size: int, limit: int) -> str:
    return f"is {megabytes(size)}, over the limit of {megabytes(limit)} on input files (RESEARCH_MAX_INPUT_MB)"


def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; :class:`InputRefused` otherwise.

    The size is checked before anything is read, and the read stops at ``limit + 1`` bytes in
    case the file grows meanwhile. Opened non-blocking, so a FIFO placed where a file belongs is
    refused instead of blocking for ever.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise InputRefused(path, "is a folder, not a file")
        if not stat.S_ISREG(st.st_mode):
            raise InputRefused(path, "is not a regular file (a pipe, socket or device)")
        if st.st_size > limit:
            raise InputRefused(path, too_large(st.st_size, limit))
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise InputRefused(path, too_large(len(data), limit))
    return data


def atomic_write_bytes(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write via a temp file in the same folder, fsync, and rename: readers never see half a file.

    The temp file is named ``.<name>.*.tmp`` so an interrupted writer's leftovers are recognisable.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode)  # mkstemp makes 0600; reports and manifests are for readers too
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
