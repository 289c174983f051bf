"""The vintages lock file: which publisher file (sha256) and vintage each dataset was built on.

``data/vintages.lock`` (TOML, committed) plays the part of a package lock file. A run uses the
locked file whenever it can have it (raw store, mirror); when it cannot, it takes the
publisher's current file and says so (``info(name)["newer_than_lock"]``); ``RESEARCH_FROZEN=1``
refuses anything but the locked file. ``research data lock`` rewrites the file from the vintages
in use. Stdlib only: the runner asks for hashes without importing pandas.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass

from research.config import Settings
from research.errors import DataError
from research.fsutil import atomic_write_bytes

HEADER = """\
# Vintages the project's reports were built on: one table per dataset, with the sha256 of the
# publisher's file and its vintage (French: the CRSP month in line 1; FRED and prices: the last
# observation). Written by `research data lock`; see data/README.md ("Vintages").
"""


@dataclass(frozen=True)
class Locked:
    sha256: str
    vintage: str


class LockFileError(DataError):
    """The vintages lock file cannot be read."""


def read(cfg: Settings) -> dict[str, Locked]:
    """Every locked dataset; an absent lock file locks nothing."""
    try:
        raw = tomllib.loads(cfg.vintages_lock.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise LockFileError(f"{cfg.vintages_lock} is not a readable lock file ({exc}). Fix: restore "
                            "it from git (`git checkout data/vintages.lock`) or rewrite it with "
                            "`research data lock`.") from None
    out = {}
    for name, entry in raw.items():
        if not (isinstance(entry, dict) and isinstance(entry.get("sha256"), str)
                and len(entry["sha256"]) == 64):
            raise LockFileError(f"{cfg.vintages_lock}: [{name}] needs sha256 = \"<64 hex digits>\". "
                                "Fix: rewrite it with `research data lock`.")
        out[name] = Locked(entry["sha256"], str(entry.get("vintage", "")))
    return out


def locked(cfg: Settings, name: str) -> Locked | None:
    return read(cfg).get(name)


def write(cfg: Settings, entries: dict[str, Locked]) -> None:
    """Write the lock file (datasets in the given order), atomically."""
    body = "".join(f'\n[{name}]\nsha256 = "{e.sha256}"\nvintage = "{e.vintage}"\n'
                   for name, e in entries.items())
    atomic_write_bytes(cfg.vintages_lock, (HEADER + body).encode())


def is_newer(vintage: str | None, than: str) -> bool:
    """Whether ``vintage`` is later than the locked one (both French ``YYYYMM`` or ISO dates)."""
    return bool(vintage) and (not than or str(vintage) > than)
