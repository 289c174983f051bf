"""The rendered HTML in a real browser: headless Chromium loads the scorecard and one report.

Screenshots go to ``artifacts/`` (git-ignored) for a person to look at. Skipped when Chromium
is not installed (``apt-get install -y chromium``), except in CI (``CI=true``), where they fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from runner_project import PKG, make_project

from research import runner

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)


def chromium(url: str, profile: Path, *extra: str) -> subprocess.CompletedProcess:
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
           f"--user-data-dir={profile}", *extra, url]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    if not CHROMIUM:
        if os.environ.get("CI") == "true":  # CI must not pass without having looked at the pages
            pytest.fail("chromium is not installed, and CI=true requires the browser tests: apt-get install -y chromium")
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    root = tmp_path_factory.mktemp("site")
    registry, reports = make_project(root, {
        "ok": {"notebook": "verdict.ipynb", "title": "Fixture report with a figure", "claims": ["C1"]},
        "c7": {"notebook": "verdict.ipynb", "claims": ["C7"], "parameters": {"claim": "C7", "draw": False}},
    })
    summary = runner.run(registry_path=registry, reports_dir=reports, input_sha={"dgs2": "sha-a"}.get,
                         package_sha=PKG)
    assert summary.exit_code == 0
    return reports


def test_scorecard_renders_in_chromium(site, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    url = (site / "index.html").as_uri()
    dom = chromium(url, tmp_path / "profile", "--dump-dom").stdout
    assert '<table class="scorecard">' in dom
    assert 'data-claim="C9"' in dom and "not testable" in dom
    assert "Forecast scorecard" in dom
    chromium(url, tmp_path / "profile2", f"--screenshot={ARTIFACTS / 'scorecard.png'}", "--window-size=1280,1400")
    assert (ARTIFACTS / "scorecard.png").stat().st_size > 0


def test_report_renders_with_verdict_and_figure(site, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    url = (site / "ok.html").as_uri()
    dom = chromium(url, tmp_path / "profile", "--dump-dom").stdout
    assert 'class="verdict"' in dom
    assert "<img" in dom and "data:image/png;base64," in dom
    assert "provenance.note_input" not in dom
    chromium(url, tmp_path / "profile2", f"--screenshot={ARTIFACTS / 'report.png'}", "--window-size=1100,1400")
    assert (ARTIFACTS / "report.png").stat().st_size > 0
