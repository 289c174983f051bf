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



# -- what a reader sees: dark mode, a phone, labels -------------------------------------------------
DARK = "--blink-settings=preferredColorScheme=0"  # prefers-color-scheme: dark (blink's enum: 0 = dark)
PAGES = ("index.html", "readable.html", "figures.html")

# Measured in the page itself: a copy of the page runs this script and writes what it found into
# the DOM, which --dump-dom prints. Boxes are in CSS pixels from the document's top-left corner.
PROBE = """
<script>
addEventListener("load", () => {
  const box = r => [r.left + scrollX, r.top + scrollY, r.width, r.height];
  const hits = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 &&
                         Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
  const overlaps = [];
  for (const svg of document.querySelectorAll("svg")) {
    const texts = [...svg.querySelectorAll("text")].map(t => [t.textContent, t.getBoundingClientRect()]);
    const marks = [...svg.querySelectorAll(".forest-mark circle, .forest-mark line, .forecast-mark circle, .forecast-mark line")]
      .map(m => m.getBoundingClientRect());
    texts.forEach(([a, ra], i) => {
      texts.slice(i + 1).forEach(([b, rb]) => { if (hits(ra, rb)) overlaps.push(a + " | " + b); });
      marks.forEach(rm => { if (hits(ra, rm)) overlaps.push(a + " | a mark"); });
    });
  }
  const style = e => getComputedStyle(e);
  const out = {
    scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth,
    background: style(document.body).backgroundColor, color: style(document.body).color,
    overlaps,
    images: [...document.images].filter(i => i.closest(".output_png")).map(i => [...box(i.getBoundingClientRect()), style(i).filter]),
    labelColours: [...document.querySelectorAll("svg tspan[fill]")].map(t => style(t).fill),
  };
  const pre = document.createElement("pre"); pre.id = "probe"; pre.textContent = JSON.stringify(out);
  document.body.append(pre);
});
</script>
"""


def probe(page: Path, tmp: Path, width: int, *extra: str) -> dict:
    """What the page's own layout says at ``width`` CSS pixels: see PROBE."""
    copy = tmp / f"probe-{width}-{page.name}"
    copy.write_text(page.read_text().replace("</body>", PROBE + "</body>"))
    dom = chromium(copy.as_uri(), tmp / f"profile-probe-{width}", f"--window-size={width},900", *extra,
                   "--dump-dom").stdout
    return json.loads(html.unescape(re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S).group(1)))


def rgb(css: str) -> tuple[int, int, int]:
    return tuple(int(x) for x in re.findall(r"\d+", css)[:3])


def luminance(colour: tuple[int, int, int]) -> float:
    """WCAG relative luminance."""
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (x / 255 for x in colour)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_contrast_helper_matches_wcag():
    assert contrast((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert contrast((0x76, 0x76, 0x76), (255, 255, 255)) == pytest.approx(4.54, abs=0.01)  # WCAG's 4.5:1 grey


@pytest.mark.parametrize("width", [1400, 390])
def test_pages_fit_the_window_and_no_label_overlaps(site, tmp_path, width):
    """Nothing makes the page scroll sideways (wide tables scroll in their own box), and no chart
    label runs into another label or into a mark, on a desktop and on a phone."""
    for name in PAGES:
        seen = probe(site / name, tmp_path, width)
        assert seen["scrollWidth"] <= seen["clientWidth"], f"{name} at {width} px scrolls sideways"
        assert not seen["overlaps"], f"{name} at {width} px: overlapping labels {seen['overlaps']}"


def test_dark_mode_reads_light_on_dark(site, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    from PIL import Image

    light = probe(site / "index.html", tmp_path, 1280)
    assert luminance(rgb(light["background"])) > 0.9 or light["background"] == "rgba(0, 0, 0, 0)"
    seen = probe(site / "index.html", tmp_path, 1280, DARK)
    bg, fg = rgb(seen["background"]), rgb(seen["color"])
    assert luminance(bg) < 0.02 and luminance(fg) > 0.7 and contrast(bg, fg) > 12
    # every verdict colour used as chart text reads on the dark background (WCAG AA, 4.5:1)
    assert len(seen["labelColours"]) >= 4
    low = {c: round(contrast(rgb(c), bg), 2) for c in seen["labelColours"] if contrast(rgb(c), bg) < 4.5}
    assert not low, f"chart labels under 4.5:1 on the dark background: {low}"
    shot = ARTIFACTS / "scorecard-dark.png"
    chromium((site / "index.html").as_uri(), tmp_path / "profile-dark", DARK, f"--screenshot={shot}",
             "--window-size=1280,900")
    with Image.open(shot) as im:
        grey = im.convert("L")
        dark_share = sum(grey.histogram()[:40]) / (im.width * im.height)
        bright_share = sum(grey.histogram()[200:]) / (im.width * im.height)
    assert dark_share > 0.6, f"{dark_share:.0%} of the dark scorecard is dark"
    assert 0.005 < bright_share < 0.2, f"light text covers {bright_share:.1%}"  # text, not a white page
    for label in ("supported, fragile", "contradicted, fragile"):  # badges and marks keep their colours
        hexa = _COLOURS[label].lstrip("#")
        assert colour_pixels(shot, tuple(int(hexa[i:i + 2], 16) for i in (0, 2, 4))) > 50, label


def test_dark_mode_figures_stay_white_cards_not_inverted(site, tmp_path):
    from PIL import Image, ImageStat

    seen = probe(site / "figures.html", tmp_path, 1100, DARK)
    assert len(seen["images"]) == 3 and all(img[4] == "none" for img in seen["images"])  # no CSS filter
    shot = ARTIFACTS / "report-figures-dark.png"
    ARTIFACTS.mkdir(exist_ok=True)
    chromium((site / "figures.html").as_uri(), tmp_path / "profile-dark", DARK, f"--screenshot={shot}",
             "--window-size=1100,2400")
    with Image.open(shot) as im:
        grey = im.convert("L")
        assert ImageStat.Stat(grey.crop((0, 0, 40, 40))).mean[0] < 40  # the page around them is dark
        for x, y, w, h, _ in seen["images"]:
            card = grey.crop((int(x) + 2, int(y) + 2, int(x + w) - 2, int(y + h) - 2))
            hist, area = card.histogram(), card.width * card.height
            assert sum(hist[240:]) > 0.4 * area, "a figure is not on white (inverted or darkened?)"
            assert sum(hist[:160]) > 0.005 * area, "a figure lost its ink"
