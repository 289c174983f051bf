"""Every report notebook keeps the contract, and the real registry renders against the mirror."""

from __future__ import annotations

import json
import os

import nbformat
import pytest

from research.config import PROJECT_ROOT
from research.runner.registry import load_registry

NOTEBOOKS = sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_keeps_the_contract(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    # committed without outputs: reports carry the outputs
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    assert "parameters" in nb.cells[1].metadata.get("tags", [])
    assert "check_parameters(globals())" in nb.cells[2].source
    assert "record(" in code[-1].source


def test_every_notebook_is_in_the_registry():
    registry = load_registry(PROJECT_ROOT / "notebooks" / "reports.toml")
    used = {r.notebook.resolve() for r in registry.reports.values()}
    assert {p.resolve() for p in NOTEBOOKS} <= used


@pytest.mark.notebook
def test_data_overview_runs_on_the_mirror(execute_report_notebook):
    executed, payload = execute_report_notebook("data_overview", start="1990-01-31", log_scale=False)
    extra = payload["extra"]
    assert extra["datasets_loadable"] == extra["datasets"] == 44
    assert extra["flagged_rows"] == 14  # the RUT intraday snapshots
    assert {"size_portfolios", "rut", "gspc"} <= set(payload["inputs"])
    images = [o for c in executed.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert len(images) == 2


@pytest.mark.notebook
def test_real_registry_renders_a_subset_into_reports(tmp_path, monkeypatch):
    """`research run --only` on the real registry: HTML, executed notebook, state and scorecard.

    The mirror is given as a relative path, as .ci/run does: kernels run in temp folders, so the
    runner must hand them an absolute one.
    """
    from research import runner
    from research.config import settings

    monkeypatch.setenv("RESEARCH_DATA_MIRROR", os.path.relpath(settings().mirror))

    reports = tmp_path / "reports"
    summary = runner.run(registry_path=PROJECT_ROOT / "notebooks" / "reports.toml", reports_dir=reports,
                         only=["data_overview", "year_end"])
    assert summary.exit_code == 0
    assert sorted(r.name for r in summary.executed) == ["data_overview", "year_end"]
    for name in ("data_overview", "year_end"):
        assert (reports / f"{name}.html").stat().st_size > 10_000
        assert (reports / f"{name}.ipynb").is_file()
    index = (reports / "index.html").read_text()
    assert "Forecast scorecard" in index and "C9" in index and "not testable" in index
    state = json.loads((reports / "_state" / "year_end.json").read_text())
    assert state["success"]["verdicts"][0]["claim"] == "C7"
    assert set(state["success"]["components"]["inputs"]) >= {"rut", "gspc"}
    # nothing changed: the second run skips both without a kernel
    again = runner.run(registry_path=PROJECT_ROOT / "notebooks" / "reports.toml", reports_dir=reports,
                       only=["data_overview", "year_end"])
    assert again.kernels_started == 0 and sorted(again.skipped) == ["data_overview", "year_end"]


@pytest.mark.notebook
def test_plain_papermill_cli_runs_a_real_notebook_and_rejects_a_bad_type(tmp_path):
    """`papermill notebooks/X.ipynb out.ipynb -p KEY VALUE` works without the runner, and a wrong
    type stops at the parameter check, before any analysis."""
    import subprocess
    import sys

    papermill = [sys.executable, "-m", "papermill", "--cwd", str(tmp_path), "-k", "python3"]
    nb = str(PROJECT_ROOT / "notebooks" / "data_overview.ipynb")
    ok = subprocess.run([*papermill, nb, str(tmp_path / "ok.ipynb"), "-p", "start", "2000-01-31",
                         "-p", "log_scale", "False"], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr[-2000:]
    executed = nbformat.read(tmp_path / "ok.ipynb", as_version=4)
    assert any("image/png" in o.get("data", {}) for c in executed.cells for o in c.get("outputs", []))

    bad = subprocess.run([*papermill, nb, str(tmp_path / "bad.ipynb"), "-p", "log_scale", "maybe"],
                         capture_output=True, text=True)
    assert bad.returncode != 0
    assert "ParameterError" in bad.stderr and "log_scale" in bad.stderr
    failed = nbformat.read(tmp_path / "bad.ipynb", as_version=4)
    # nothing after the check cell ran
    check = next(i for i, c in enumerate(failed.cells) if "check_parameters(globals())" in c.source)
    assert all(c.get("execution_count") is None for c in failed.cells[check + 1:] if c.cell_type == "code")
