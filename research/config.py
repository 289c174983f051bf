"""Paths and settings, read from the environment when asked for (never at import time)."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from research.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_REPORT_TIMEOUT = 1800.0  # seconds one report may run before it is stopped
DEFAULT_MAX_REPORT_MB = 50.0  # a report page larger than this is failed, not published
# No data file, zip member or state file read is larger than this. The largest real input (a French
# daily file inflated from its zip) is about 10 MB; a 1.5 GB zip bomb or a 1 GB file dropped in
# the mirror is refused before it is read, instead of after minutes at 10 GB of memory.
DEFAULT_MAX_INPUT_MB = 100.0

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
    report_timeout: float = DEFAULT_REPORT_TIMEOUT
    max_report_mb: float = DEFAULT_MAX_REPORT_MB
    max_input_mb: float = DEFAULT_MAX_INPUT_MB

    @property
    def max_input_bytes(self) -> int:
        return int(self.max_input_mb * 1e6)

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
    try:
        path = Path(text).expanduser().resolve() if text else Path(default).resolve()
    except (RuntimeError, OSError) as exc:  # RuntimeError: a symlink loop (Python 3.11)
        raise ConfigError(f"{var}={text or default} cannot be used: {exc}. Fix: point {var} at a "
                          "folder, or unset it for the default.") from None
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
    ``RESEARCH_FROZEN``         ``1`` serves only the vintages recorded in the lock file
    ``RESEARCH_VINTAGES_LOCK``  the lock file (default ``<repo>/data/vintages.lock``)
    ``RESEARCH_BASE_URL_FRENCH``, ``RESEARCH_BASE_URL_FRED``, ``RESEARCH_BASE_URL_YAHOO``
                                where each publisher's files are fetched from instead (scheme,
                                host, path prefix; https, or http to loopback)
    ``RESEARCH_REPORT_TIMEOUT`` seconds one report may run before it is stopped (default 1800)
    ``RESEARCH_MAX_REPORT_MB``  a report page larger than this is failed, not published (default 50)
    ``RESEARCH_MAX_INPUT_MB``   no data file, zip member or download larger than this is read (default 100)

    An empty folder variable means its default. A bad value (a file where a folder belongs, a
    timeout that is not a positive number) raises :class:`~research.errors.ConfigError`. A mirror
    that is missing, unreadable or a symlink loop is not a bad setting: the data layer names it
    in its ``Tried:`` lines and serves the raw store's copy.
    """
    root = Path(os.environ.get("RESEARCH_ROOT", PROJECT_ROOT)).resolve()
    env_mirror = os.environ.get("RESEARCH_DATA_MIRROR")
    if env_mirror is None:
        mirror = default_mirror(root)
    elif env_mirror.strip() == "":
        mirror = None
    else:
        mirror = _mirror_setting(env_mirror)
    return Settings(
        root=root,
        data_dir=_folder_setting("RESEARCH_DATA_DIR", root / "data"),
        reports_dir=_folder_setting("RESEARCH_REPORTS_DIR", root / "reports"),
        notebooks_dir=_folder_setting("RESEARCH_NOTEBOOKS_DIR", root / "notebooks"),
        mirror=mirror,
        offline=_flag("RESEARCH_OFFLINE"),
        download_timeout=_number_setting("RESEARCH_DOWNLOAD_TIMEOUT", 30.0),
        frozen=_flag("RESEARCH_FROZEN"),
        base_urls={kind: base_url(var, os.environ[var]) if os.environ.get(var, "").strip()
                   else DEFAULT_BASE_URLS[kind] for kind, var in BASE_URL_VARIABLES.items()},
        vintages_lock=Path(os.environ.get("RESEARCH_VINTAGES_LOCK", "") or root / "data" / "vintages.lock")
        .expanduser().resolve(),
        report_timeout=_number_setting("RESEARCH_REPORT_TIMEOUT", DEFAULT_REPORT_TIMEOUT),
        max_report_mb=_number_setting("RESEARCH_MAX_REPORT_MB", DEFAULT_MAX_REPORT_MB),
        max_input_mb=_number_setting("RESEARCH_MAX_INPUT_MB", DEFAULT_MAX_INPUT_MB),
    )


def _mirror_setting(text: str) -> Path:
    """``RESEARCH_DATA_MIRROR`` as an absolute path. A file there is a bad setting (exit 2); a
    folder that is missing, unreadable or a symlink loop is the mirror's state, reported per file."""
    path = Path(text).expanduser()
    try:
        path = path.resolve()
    except RuntimeError:  # a symlink loop: keep the path, the data layer says "symlink loop"
        path = Path(os.path.abspath(path))
    try:
        is_file = path.is_file()
    except OSError:  # permission denied on a parent: the data layer says so
        is_file = False
    if is_file:
        raise ConfigError(f"RESEARCH_DATA_MIRROR={text} is not a folder: {path} is a file. Fix: point "
                          "it at a folder laid out like shared/data (french/, fred/, prices/), or set "
                          "it empty to use no mirror.")
    return path
