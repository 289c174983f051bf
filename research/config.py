"""Paths and settings, read from the environment when asked for (never at import time)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    """Where things live. Every other module takes its paths from here."""

    root: Path
    data_dir: Path
    reports_dir: Path
    notebooks_dir: Path
    mirror: Path | None
    offline: bool
    download_timeout: float

    @property
    def raw_dir(self) -> Path:
        return self.data_dir / "raw"

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"

    @property
    def manifest_path(self) -> Path:
        return self.raw_dir / "manifest.json"


def default_mirror(root: Path = PROJECT_ROOT) -> Path | None:
    """A team's shared data drive: ``shared/data`` beside the repository, when it exists."""
    candidate = root.parent / "shared" / "data"
    return candidate if candidate.is_dir() else None


PATH_VARIABLES = ("RESEARCH_ROOT", "RESEARCH_DATA_DIR", "RESEARCH_REPORTS_DIR", "RESEARCH_NOTEBOOKS_DIR",
                  "RESEARCH_DATA_MIRROR")


def export_absolute_paths() -> None:
    """Make relative path variables absolute, against the current folder, in this process's env.

    Report kernels run in their own temporary folders and inherit the environment, so a
    ``RESEARCH_DATA_MIRROR=../shared/data`` that is right for the shell would point nowhere
    inside a kernel. The CLI and the runner call this once before starting anything.
    """
    for var in PATH_VARIABLES:
        value = os.environ.get(var)
        if value and value.strip() and not os.path.isabs(os.path.expanduser(value)):
            os.environ[var] = os.path.abspath(os.path.expanduser(value))


def settings() -> Settings:
    """Read settings from the environment now.

    ``RESEARCH_DATA_DIR``       raw files and parsed cache (default ``<repo>/data``)
    ``RESEARCH_REPORTS_DIR``    rendered reports (default ``<repo>/reports``)
    ``RESEARCH_DATA_MIRROR``    a folder laid out like ``shared/data`` (default: ``../shared/data``
                                beside the repository when it exists; set it empty to disable)
    ``RESEARCH_OFFLINE``        ``1`` forbids downloads from the publishers
    ``RESEARCH_DOWNLOAD_TIMEOUT`` seconds before a stalled download is abandoned (default 30)
    """
    root = Path(os.environ.get("RESEARCH_ROOT", PROJECT_ROOT)).resolve()
    env_mirror = os.environ.get("RESEARCH_DATA_MIRROR")
    if env_mirror is None:
        mirror = default_mirror(root)
    elif env_mirror.strip() == "":
        mirror = None
    else:
        mirror = Path(env_mirror).expanduser().resolve()
    return Settings(
        root=root,
        data_dir=Path(os.environ.get("RESEARCH_DATA_DIR", root / "data")).expanduser().resolve(),
        reports_dir=Path(os.environ.get("RESEARCH_REPORTS_DIR", root / "reports")).expanduser().resolve(),
        notebooks_dir=Path(os.environ.get("RESEARCH_NOTEBOOKS_DIR", root / "notebooks")).expanduser().resolve(),
        mirror=mirror,
        offline=os.environ.get("RESEARCH_OFFLINE", "") not in ("", "0", "false", "no"),
        download_timeout=float(os.environ.get("RESEARCH_DOWNLOAD_TIMEOUT", "30")),
    )
