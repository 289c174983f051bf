"""Shared fixtures.

Data layer: every test starts with an empty in-process memo; ``isolated_data`` points the data
layer at temporary folders (raw store, cache, mirror) so no test reads or writes the developer's
``data/`` folder; ``mirror_env`` points it at the real shared mirror (read-only) with a parsed
cache in a temporary folder shared by the whole session. Tests marked ``mirror`` are skipped, with
the reason, when the mirror is absent.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from research.config import PROJECT_ROOT


def real_mirror() -> Path | None:
    """The team's data mirror: ``RESEARCH_DATA_MIRROR``, else ``../shared/data`` beside the repo."""
    env = os.environ.get("RESEARCH_DATA_MIRROR", "").strip()
    path = Path(env).expanduser() if env else PROJECT_ROOT.parent / "shared" / "data"
    if all((path / sub).is_dir() for sub in ("french", "fred", "prices")):
        return path.resolve()
    return None


def copy_tracked(root: Path) -> None:
    """The repository's tracked files under ``root``, as a fresh clone has them (no data/, reports, .venv)."""
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=PROJECT_ROOT, capture_output=True, text=True,
                             check=True).stdout.split("\0")
    for rel in filter(None, tracked):
        if (PROJECT_ROOT / rel).is_file():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(PROJECT_ROOT / rel, root / rel)


def pytest_configure(config):
    # kernels started by tests run in temp folders; a relative RESEARCH_DATA_MIRROR must not break them
    from research.config import export_absolute_paths

    export_absolute_paths()


def pytest_collection_modifyitems(config, items):
    """Tests marked ``mirror`` or ``notebook`` are skipped, with the reason, when the data mirror is absent."""
    if real_mirror() is not None:
        return
    skip = pytest.mark.skip(
        reason="data mirror not found: set RESEARCH_DATA_MIRROR or put it at ../shared/data")
    for item in items:
        if "mirror" in item.keywords or "notebook" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fresh_data_memo():
    """Each test starts (and ends) with an empty memo and no recorded inputs."""
    from research import data, provenance

    data._memo.clear()
    provenance.reset()
    yield
    data._memo.clear()
    provenance.reset()


@dataclass
class DataDirs:
    root: Path
    data_dir: Path
    mirror: Path

    @property
    def raw_dir(self) -> Path:
        return self.data_dir / "raw"

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"

    @property
    def lock(self) -> Path:
        return self.root / "vintages.lock"


@pytest.fixture
def isolated_data(tmp_path, monkeypatch) -> DataDirs:
    """Empty raw store, cache, mirror and vintages lock under tmp_path; offline; default settings."""
    dirs = DataDirs(root=tmp_path, data_dir=tmp_path / "data", mirror=tmp_path / "mirror")
    dirs.mirror.mkdir()
    monkeypatch.setenv("RESEARCH_DATA_DIR", str(dirs.data_dir))
    monkeypatch.setenv("RESEARCH_DATA_MIRROR", str(dirs.mirror))
    monkeypatch.setenv("RESEARCH_OFFLINE", "1")
    monkeypatch.setenv("RESEARCH_VINTAGES_LOCK", str(dirs.lock))
    for var in ("RESEARCH_DOWNLOAD_TIMEOUT", "RESEARCH_FROZEN", "RESEARCH_BASE_URL_FRENCH",
                "RESEARCH_BASE_URL_FRED", "RESEARCH_BASE_URL_YAHOO"):
        monkeypatch.delenv(var, raising=False)
    return dirs


@pytest.fixture(scope="session")
def _mirror_data_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("mirror-data")


@pytest.fixture
def mirror_env(_mirror_data_dir, monkeypatch) -> Path:
    """The real mirror, offline, with a raw store and parsed cache shared by the session."""
    mirror = real_mirror()
    if mirror is None:
        pytest.skip("data mirror not found: set RESEARCH_DATA_MIRROR or put it at ../shared/data")
    monkeypatch.setenv("RESEARCH_DATA_DIR", str(_mirror_data_dir))
    monkeypatch.setenv("RESEARCH_DATA_MIRROR", str(mirror))
    monkeypatch.setenv("RESEARCH_OFFLINE", "1")
    monkeypatch.delenv("RESEARCH_FROZEN", raising=False)
    monkeypatch.delenv("RESEARCH_VINTAGES_LOCK", raising=False)
    return mirror


@pytest.fixture
def sidecar(tmp_path, monkeypatch) -> Path:
    """A verdict sidecar path exported to kernels the test starts (they inherit the environment)."""
    path = tmp_path / "sidecar.json"
    monkeypatch.setenv("RESEARCH_SIDECAR", str(path))
    return path


NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"


@pytest.fixture
def execute_report_notebook(tmp_path, sidecar):
    """Execute a real report notebook with papermill against the mirror; return (notebook, sidecar).

    Asserts what every report must do: no cell errors, and the verdict box as the first output
    (when the notebook records verdicts).
    """

    def run(name: str, **parameters):
        import nbformat
        import papermill

        from research.verdict import read_sidecar

        out = tmp_path / f"{name}.out.ipynb"
        papermill.execute_notebook(str(NOTEBOOKS_DIR / f"{name}.ipynb"), str(out), parameters=parameters,
                                   cwd=str(tmp_path), kernel_name="python3", progress_bar=False)
        executed = nbformat.read(out, as_version=4)
        errors = [o for c in executed.cells if c.cell_type == "code" for o in c.get("outputs", [])
                  if o.get("output_type") == "error"]
        assert not errors, errors
        payload = read_sidecar(sidecar)
        if payload["verdicts"]:
            first = next(c for c in executed.cells if c.cell_type == "code" and c.get("outputs"))
            assert 'class="verdict-box"' in first.outputs[0]["data"]["text/html"]
        return executed, payload

    return run


@pytest.fixture(scope="module")
def coverage_benchmark():
    """benchmarks/coverage.py as a module (benchmarks/ is not a package), for the tests that run
    its simulations briefly or check that docs quote its cases."""
    spec = importlib.util.spec_from_file_location("coverage_benchmark", PROJECT_ROOT / "benchmarks" / "coverage.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop(spec.name, None)
