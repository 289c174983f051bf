"""Paths and settings, read from the environment when asked for (never at import time)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from research.errors import ResearchError

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Where each publisher's files are fetched from (scheme, host, path prefix). The catalog's URLs
# start with these; RESEARCH_BASE_URL_<PUBLISHER> points one publisher elsewhere (a proxy, a
# team server, a local test server).
DEFAULT_BASE_URLS = {
    "french": "https://mba.tuck.dartmouth.edu/pages/faculty/ken.french/ftp",
    "fred": "https://fred.stlouisfed.org",
    "prices": "https://query1.finance.yahoo.com",
}
BASE_URL_VARIABLES = {"french": "RESEARCH_BASE_URL_FRENCH", "fred": "RESEARCH_BASE_URL_FRED",
                      "prices": "RESEARCH_BASE_URL_YAHOO"}
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


class ConfigError(ResearchError, ValueError):
    """A setting read from the environment has a value that cannot be used."""


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
    frozen: bool = False
    base_urls: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_BASE_URLS))
    vintages_lock: Path = PROJECT_ROOT / "data" / "vintages.lock"

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
                  "RESEARCH_DATA_MIRROR", "RESEARCH_VINTAGES_LOCK")


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


def base_url(var: str, value: str) -> str:
    """Check a ``RESEARCH_BASE_URL_*`` value: https (plain http only to loopback), a host, no query."""
    value = value.strip().rstrip("/")
    parts = urlsplit(value)
    problem = None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        problem = "it must be an absolute URL such as https://mirror.example.org/french"
    elif parts.scheme == "http" and parts.hostname not in LOOPBACK_HOSTS:
        problem = "plain http is only allowed to this machine (127.0.0.1, localhost, ::1); use https"
    elif parts.query or parts.fragment:
        problem = "it must be scheme, host and path prefix only, without ?query or #fragment"
    if problem:
        raise ConfigError(f"{var}={value!r} is not usable: {problem}. Fix it, or unset it to use the "
                          "publisher's own address.")
    return value


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no")


def settings() -> Settings:
    """Read settings from the environment now.

    ``RESEARCH_DATA_DIR``       raw files and parsed cache (default ``<repo>/data``)
    ``RESEARCH_REPORTS_DIR``    rendered reports (default ``<repo>/reports``)
    ``RESEARCH_DATA_MIRROR``    a folder laid out like ``shared/data`` (default: ``../shared/data``
                                beside the repository when it exists; set it empty to disable)
    ``RESEARCH_OFFLINE``        ``1`` forbids downloads from the publishers
    ``RESEARCH_DOWNLOAD_TIMEOUT`` seconds before a stalled download is abandoned (default 30)
    ``RESEARCH_FROZEN``         ``1`` serves only the vintages recorded in the lock file
    ``RESEARCH_VINTAGES_LOCK``  the lock file (default ``<repo>/data/vintages.lock``)
    ``RESEARCH_BASE_URL_FRENCH``, ``RESEARCH_BASE_URL_FRED``, ``RESEARCH_BASE_URL_YAHOO``
                                where each publisher's files are fetched from instead (scheme,
                                host, path prefix; https, or http to loopback)
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
        offline=_flag("RESEARCH_OFFLINE"),
        download_timeout=float(os.environ.get("RESEARCH_DOWNLOAD_TIMEOUT", "30")),
        frozen=_flag("RESEARCH_FROZEN"),
        base_urls={kind: base_url(var, os.environ[var]) if os.environ.get(var, "").strip()
                   else DEFAULT_BASE_URLS[kind] for kind, var in BASE_URL_VARIABLES.items()},
        vintages_lock=Path(os.environ.get("RESEARCH_VINTAGES_LOCK", "") or root / "data" / "vintages.lock")
        .expanduser().resolve(),
    )
