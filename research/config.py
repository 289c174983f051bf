"""Paths and settings, read from the environment when asked for (never at import time)."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

from research.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_REPORT_TIMEOUT = 1800.0  # seconds one report may run before it is stopped
DEFAULT_MAX_REPORT_MB = 50.0  # a report page larger than this is failed, not published


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
    report_timeout: float = DEFAULT_REPORT_TIMEOUT
    max_report_mb: float = DEFAULT_MAX_REPORT_MB

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


def positive_number(text: str, where: str, fix: str) -> float:
    """``text`` as a positive, finite number of seconds or megabytes, or a ConfigError naming ``where``."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise ConfigError(f"{where} must be a positive number, got {text!r}. Fix: {fix}")
    return value


def _number_setting(var: str, default: float) -> float:
    text = os.environ.get(var, "").strip()
    if not text:
        return default
    return positive_number(text, f"{var}", f"set it to a number such as {default:g}, or unset it "
                           f"for the default ({default:g}).")


def _folder_setting(var: str, default: Path) -> Path:
    """A folder from ``var`` (empty or unset: ``default``); a path that exists and is not a folder
    is refused here, before anything runs, rather than failing half-way through a run."""
    text = os.environ.get(var, "").strip()
    path = Path(text).expanduser().resolve() if text else Path(default).resolve()
    if path.exists() and not path.is_dir():
        what = f"{var}={text}" if text else f"the default of {var}"
        raise ConfigError(f"{what} is not a folder: {path} is a file. Fix: point {var} at a "
                          "folder (it is created if missing), or unset it for the default "
                          f"({default}).")
    return path


def settings() -> Settings:
    """Read settings from the environment now.

    ``RESEARCH_DATA_DIR``       raw files and parsed cache (default ``<repo>/data``)
    ``RESEARCH_REPORTS_DIR``    rendered reports (default ``<repo>/reports``)
    ``RESEARCH_DATA_MIRROR``    a folder laid out like ``shared/data`` (default: ``../shared/data``
                                beside the repository when it exists; set it empty to disable)
    ``RESEARCH_OFFLINE``        ``1`` forbids downloads from the publishers
    ``RESEARCH_DOWNLOAD_TIMEOUT`` seconds before a stalled download is abandoned (default 30)
    ``RESEARCH_REPORT_TIMEOUT`` seconds one report may run before it is stopped (default 1800)
    ``RESEARCH_MAX_REPORT_MB``  a report page larger than this is failed, not published (default 50)

    An empty folder variable means its default. A bad value (a file where a folder belongs, a
    timeout that is not a positive number) raises :class:`~research.errors.ConfigError`.
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
        data_dir=_folder_setting("RESEARCH_DATA_DIR", root / "data"),
        reports_dir=_folder_setting("RESEARCH_REPORTS_DIR", root / "reports"),
        notebooks_dir=_folder_setting("RESEARCH_NOTEBOOKS_DIR", root / "notebooks"),
        mirror=mirror,
        offline=os.environ.get("RESEARCH_OFFLINE", "") not in ("", "0", "false", "no"),
        download_timeout=_number_setting("RESEARCH_DOWNLOAD_TIMEOUT", 30.0),
        report_timeout=_number_setting("RESEARCH_REPORT_TIMEOUT", DEFAULT_REPORT_TIMEOUT),
        max_report_mb=_number_setting("RESEARCH_MAX_REPORT_MB", DEFAULT_MAX_REPORT_MB),
    )
