"""The rendered HTML in a real browser: headless Chromium loads the scorecard and one report.

Screenshots go to ``artifacts/`` (git-ignored) for a person to look at. Skipped when Chromium
is not installed (``apt-get install -y chromium``), except in CI (``CI=true``), where they fail.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from runner_project import PKG, make_project

from research import runner
from research.verdict import _COLOURS

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
        "c3": {"notebook": "verdict.ipynb", "claims": ["C3"],
               "parameters": {"claim": "C3", "label": "contradicted", "aspects": ["value tilt"]}},
        "readable": {"notebook": "readable.ipynb", "claims": ["C2"]},
        "figures": {"notebook": "figures.ipynb", "claims": ["C4"]},
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


def ink_share(png: Path) -> float:
    """The share of a screenshot's pixels that are not (near) white: a blank page scores ~0."""
    from PIL import Image

    with Image.open(png) as im:
        grey = im.convert("L")
        hist = grey.histogram()
    return 1 - sum(hist[245:]) / sum(hist)


def colour_pixels(png: Path, rgb: tuple[int, int, int], tol: int = 12) -> int:
    from PIL import Image

    with Image.open(png) as im:
        return sum(n for n, c in im.convert("RGB").getcolors(1 << 22)
                   if all(abs(a - b) <= tol for a, b in zip(c, rgb, strict=True)))


def recorded_verdicts(site: Path) -> Counter:
    """Verdict labels with a statistic, from the state files: what the forest plot must show."""
    out: Counter = Counter()
    for path in (site / "_state").glob("*.json"):
        for v in (json.loads(path.read_text()).get("success") or {}).get("verdicts", []):
            if v.get("statistic") is not None:
                out[v["label"]] += 1
    return out


def test_forest_plot_has_one_mark_per_verdict(site, tmp_path):
    dom = chromium((site / "index.html").as_uri(), tmp_path / "profile", "--dump-dom").stdout
    shown = Counter(re.findall(r'<g class="forest-mark" data-verdict="([^"]+)"', dom))
    expected = recorded_verdicts(site)
    # The plot shows the reconciled headline: this site has no specification curves, so every
    # supported or contradicted verdict reads "..., fragile" (research.verdict.reconcile).
    assert sum(shown.values()) == sum(expected.values()) >= 4 and len(expected) >= 2
    assert Counter(label.removesuffix(", fragile") for label in shown.elements()) == expected
    assert {"supported, fragile", "contradicted, fragile"} <= set(shown)
    from research.claims import catalog

    assert len(re.findall(r'<li data-claim="C\d+">', dom)) == len(catalog.known_ids())  # one line per claim
    assert re.findall(r'class="forecast-mark" data-outcome="(\w+)"', dom) == ["miss"]


def test_every_link_on_the_scorecard_resolves(site, tmp_path):
    dom = chromium((site / "index.html").as_uri(), tmp_path / "profile", "--dump-dom").stdout
    hrefs = {html.unescape(h) for h in re.findall(r'<a [^>]*href="([^"]+)"', dom)}
    local = {h for h in hrefs if not h.startswith(("#", "data:", "http://", "https://"))}
    assert {"ok.html", "ok.ipynb", "readable.html"} <= local
    missing = [h for h in sorted(local) if not (site / h.split("#")[0]).is_file()]
    assert not missing, f"scorecard links to files that do not exist: {missing}"
    anchors = {h[1:] for h in hrefs if h.startswith("#")}
    assert all(f'id="{a}"' in dom for a in anchors)


def test_scorecard_screenshot_shows_the_page_and_its_verdict_colours(site, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "scorecard-top.png"
    chromium((site / "index.html").as_uri(), tmp_path / "profile", f"--screenshot={shot}", "--window-size=1280,900")
    assert 0.03 < ink_share(shot) < 0.6  # text and charts, neither blank nor a solid block
    for label in ("supported, fragile", "contradicted, fragile"):  # badges and marks in the headline colours
        hexa = _COLOURS[label].lstrip("#")
        assert colour_pixels(shot, tuple(int(hexa[i:i + 2], 16) for i in (0, 2, 4))) > 50, label


def test_report_page_for_readers(site, tmp_path):
    dom = chromium((site / "readable.html").as_uri(), tmp_path / "profile", "--dump-dom").stdout
    assert 'alt="Growth of $1: small vs large"' in dom
    assert "No description has been provided" not in dom
    table = re.search(r'<table[^>]*class="dataframe".*?</table>', dom, re.S).group(0)
    assert "Share Supported" in table and "share_supported" not in table and ">yes<" in table
    assert "87.5%" in table
    assert 'download="readable-1.csv"' in dom
    shot = ARTIFACTS / "report-readable.png"
    ARTIFACTS.mkdir(exist_ok=True)
    chromium((site / "readable.html").as_uri(), tmp_path / "profile2", f"--screenshot={shot}",
             "--window-size=1100,1400")
    assert 0.01 < ink_share(shot) < 0.6  # a blank page scores 0


def test_each_figure_has_its_own_alt_text_after_a_markdown_image(site, tmp_path):
    """Titles recorded by the kernel reach their own figure's <img>, whatever images come first."""
    dom = chromium((site / "figures.html").as_uri(), tmp_path / "profile", "--dump-dom").stdout
    alts = [html.unescape(a) for a in re.findall(r'<img\b[^>]*\balt="([^"]*)"', dom)]
    assert alts == ["No description has been provided for this image",  # the author's logo, as written
                    "Growth of $1 <small vs large>", "Figure (untitled)", "Drawdowns / Recoveries"]
