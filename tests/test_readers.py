"""What readers and researchers get: selection and dry runs, progress lines, the scorecard at a
glance (claim lines, forest plot, forecast chart) and report tables formatted for reading."""

from __future__ import annotations

import csv
import io
import json
import re
import urllib.parse

import pandas as pd
import pytest
from runner_project import PKG, make_project

from research import cli, runner
from research.errors import ParameterError
from research.report import charts, scorecard
from research.report.figure_alt import figure_title
from research.report.page import report_html
from research.report.tables import CSV_LABEL, header_text, readable_tables
from research.runner.cli import ConsoleReporter
from research.runner.publish import ReportResult
from research.runner.registry import Registry, Report
from research.verdict import _COLOURS, Verdict


# -- selection ---------------------------------------------------------------------------------
def _registry(tmp_path) -> Registry:
    nb = tmp_path / "x.ipynb"
    reports = {
        "technicals": Report("technicals", nb, claims=("C5",)),
        "Technicals_russell": Report("Technicals_russell", nb, claims=("C5",)),
        "year_end": Report("year_end", nb, claims=("C7",)),
        "robustness_c5": Report("robustness_c5", nb, parameters={"claim": "C5"}),
        "robustness_c7": Report("robustness_c7", nb, parameters={"claim": "C7"}),
    }
    return Registry(tmp_path / "reports.toml", reports)


def test_select_by_claim_includes_its_specification_curve(tmp_path):
    reg = _registry(tmp_path)
    assert [r.name for r in reg.select(["C5"])] == ["technicals", "Technicals_russell", "robustness_c5"]
    assert [r.name for r in reg.select(["c7"])] == ["year_end", "robustness_c7"]


def test_select_globs_and_names_case_insensitive(tmp_path):
    reg = _registry(tmp_path)
    assert [r.name for r in reg.select(["TECH*"])] == ["technicals", "Technicals_russell"]
    assert [r.name for r in reg.select(["year_END", "robustness_c7"])] == ["year_end", "robustness_c7"]
    assert [r.name for r in reg.select(["technicals_russell,C7"])] == [
        "Technicals_russell", "year_end", "robustness_c7"]
    assert len(reg.select(None)) == 5


def test_select_nothing_is_an_error_listing_reports_and_claims(tmp_path):
    reg = _registry(tmp_path)
    with pytest.raises(ParameterError) as info:
        reg.select(["C9"])  # a claim id no report is on
    text = str(info.value)
    assert "C9 matches no report" in text and "year_end" in text and "claims: C5, C7" in text


@pytest.fixture()
def project(tmp_path):
    return make_project(tmp_path, {
        "ok": {"notebook": "verdict.ipynb", "claims": ["C1"]},
        "other": {"notebook": "verdict.ipynb", "claims": ["C2"], "parameters": {"claim": "C2"}},
    })


def test_cli_selection_exit_codes_and_dry_run(project, capsys):
    registry, reports = project
    base = ["--registry", str(registry), "--reports-dir", str(reports)]
    assert cli.main(["run", "nope*", *base]) == 2
    assert "nope* matches no report" in capsys.readouterr().err
    assert cli.main(["run", "c2", "--dry-run", *base]) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == ["other: run: never run",
                                "dry run: 1 would run, 0 would be skipped; nothing was executed"]
    assert not reports.exists()  # no lock, no state, no index
    # -p for a report outside the selection is refused, naming the fix
    assert cli.main(["run", "ok", "-p", "other", "n=3", "--dry-run", *base]) == 2
    assert "not in this run's selection" in capsys.readouterr().err


def test_dry_run_after_a_run_says_skip_and_force_says_forced(project):
    registry, reports = project
    summary = runner.run(registry_path=registry, reports_dir=reports, only=["OK"], input_sha={"dgs2": "sha-a"}.get,
                         package_sha=PKG)
    assert summary.exit_code == 0 and [r.name for r in summary.executed] == ["ok"]
    before = {p: p.stat().st_mtime_ns for p in reports.rglob("*") if p.is_file()}
    kw = {"registry_path": registry, "reports_dir": reports, "input_sha": {"dgs2": "sha-a"}.get, "package_sha": PKG}
    assert [(d.name, d.run) for d in runner.preview(**kw)] == [("ok", False), ("other", True)]
    assert runner.preview(only=["ok"], force=True, **kw)[0].reasons == ("forced",)
    changed = runner.preview(**{**kw, "input_sha": {"dgs2": "sha-b"}.get})
    assert changed[0].reasons == ("input dgs2 changed",)
    assert {p: p.stat().st_mtime_ns for p in reports.rglob("*") if p.is_file()} == before


# -- progress ----------------------------------------------------------------------------------
def test_progress_lines_without_a_terminal(capsys):
    rep = ConsoleReporter(terminal=False)
    rep.start(2, 2)
    rep.started("year_end", 7.09)
    rep.started("froth", None)
    rep.finished(ReportResult("year_end", "ok", 7.5))
    rep.stop()
    lines = capsys.readouterr().out.splitlines()
    assert re.fullmatch(r"  start +year_end +\(last run 7\.1 s\)", lines[0])
    assert re.fullmatch(r"  start +froth +\(first run\)", lines[1])
    assert re.fullmatch(r"  ok +year_end +7\.5 s", lines[2])


def test_quiet_prints_no_progress(capsys):
    rep = ConsoleReporter(quiet=True, terminal=False)
    rep.start(1, 1)
    rep.started("year_end", 7.0)
    rep.finished(ReportResult("year_end", "ok", 7.5))
    rep.stop()
    assert capsys.readouterr().out == ""


def test_run_reports_each_start_with_its_last_time(project):
    registry, reports = project
    events = []

    class Rec(runner.Reporter):
        def started(self, name, estimate):
            events.append(("started", name, estimate))

        def finished(self, result):
            events.append(("finished", result.name))

    kw = {"registry_path": registry, "reports_dir": reports, "input_sha": {"dgs2": "sha-a"}.get, "package_sha": PKG}
    runner.run(only=["ok"], reporter=Rec(), **kw)
    assert events == [("started", "ok", None), ("finished", "ok")]
    events.clear()
    last = json.loads((reports / "_state" / "ok.json").read_text())["success"]["seconds"]
    runner.run(only=["ok"], force=True, reporter=Rec(), **kw)
    assert events[0] == ("started", "ok", pytest.approx(last)) and last > 0


def screen(raw: str) -> list[str]:
    """What a terminal shows after ``raw``: the few controls rich's live display writes (carriage
    return, newline, cursor up, erase line, cursor show/hide) applied to a list of lines."""
    lines, row, col = [""], 0, 0
    for token in re.findall(r"\x1b\[\??[0-9;]*[A-Za-z]|\r|\n|[^\x1b\r\n]+", raw):
        if token == "\n":
            row, col = row + 1, 0
            lines += [""] * (row + 1 - len(lines))
        elif token == "\r":
            col = 0
        elif token == "\x1b[1A":
            row = max(0, row - 1)
        elif token == "\x1b[2K":
            lines[row], col = "", 0
        elif token.startswith("\x1b"):
            assert token in ("\x1b[?25l", "\x1b[?25h"), f"unexpected control {token!r}"
        else:
            lines[row] = lines[row][:col] + token + lines[row][col + len(token):]
            col += len(token)
    return [line.rstrip() for line in lines if line.strip()]


def live_threads_after_join() -> list:
    """rich's refresh threads still alive a second after the display stopped."""
    import threading

    threads = [t for t in threading.enumerate() if type(t).__module__.startswith("rich")]
    for t in threads:
        t.join(timeout=1)
    return [t for t in threads if t.is_alive()]


def live_console(width: int = 110):
    import io

    from rich.console import Console

    return Console(force_terminal=True, file=io.StringIO(), width=width, color_system=None)


def test_live_display_names_running_reports_with_elapsed_and_last_run():
    import time

    console = live_console()
    rep = ConsoleReporter(console=console)
    rep.start(2, 2)
    rep.started("year_end", 7.09)
    rep.started("froth", None)
    t0 = time.monotonic()
    time.sleep(1.2)
    rep._progress.refresh()
    elapsed = int(time.monotonic() - t0)
    shown = screen(console.file.getvalue())
    assert re.fullmatch(r"2 report\(s\), 2 at a time +0/2 0:00:0\d", shown[0])
    row = {line.split()[0]: line for line in shown[1:]}
    assert set(row) == {"year_end", "froth"}
    assert re.search(rf"0/\? 0:00:0{elapsed} \(last run 7\.1 s\)$", row["year_end"]), row["year_end"]
    assert re.search(rf"0:00:0{elapsed} \(first run\)$", row["froth"]), row["froth"]
    rep.finished(ReportResult("year_end", "ok", 7.5))
    rep._progress.refresh()
    shown = screen(console.file.getvalue())
    assert shown[0] == "  ok      year_end                        7.5 s"  # printed above the display
    assert [line.split()[0] for line in shown[2:]] == ["froth"]  # year_end left the display
    assert re.search(r"1/2 0:00:0\d", shown[1])
    rep.stop()
    end = console.file.getvalue()
    assert screen(end) == ["  ok      year_end                        7.5 s"]  # the display is erased
    assert end.rfind("\x1b[?25h") > end.rfind("\x1b[?25l")  # and the cursor shown again
    assert not live_threads_after_join()  # rich's refresh thread ends with stop()
    assert console.file.getvalue() == end  # nothing refreshes after stop()


def test_live_display_through_a_run_that_fails_and_times_out(tmp_path):
    """A real run on a (forced) terminal: the running reports with their estimates while they run;
    afterwards only the result lines are left on the screen, the failures with their reasons."""
    registry, reports = make_project(tmp_path, {
        "ok": {"notebook": "verdict.ipynb", "parameters": {"input_name": "", "draw": False}},
        "broken": {"notebook": "broken.ipynb"},
        "slow": {"notebook": "slow.ipynb", "parameters": {"release": str(tmp_path / "never")}},
    })
    registry.write_text(registry.read_text().replace("[reports.slow]\n", "[reports.slow]\ntimeout = 8\n"))
    kw = {"registry_path": registry, "reports_dir": reports, "package_sha": PKG}
    assert runner.run(only=["ok"], **kw).exit_code == 0
    last = json.loads((reports / "_state" / "ok.json").read_text())["success"]["seconds"]
    console = live_console(width=400)  # error lines unwrapped
    frames = []

    class Watching(ConsoleReporter):  # what the screen shows just before each report ends
        def finished(self, result):
            frames.append(screen(console.file.getvalue()))
            super().finished(result)

    summary = runner.run(force=True, jobs=3, reporter=Watching(console=console), **kw)
    assert summary.exit_code == 1
    assert {r.name: r.status for r in summary.executed} == {"ok": "ok", "broken": "failed", "slow": "failed"}
    first = {line.split()[0]: line for line in frames[0] if line.startswith("  ") and "━" in line}
    assert set(first) == {"ok", "broken", "slow"}, frames[0]
    assert first["ok"].endswith(f"(last run {last:.1f} s)")
    assert first["broken"].endswith("(first run)") and first["slow"].endswith("(first run)")
    assert all(re.search(r" 0:0\d:\d\d ", line) for line in first.values())
    end = screen(console.file.getvalue())
    assert not [line for line in end if "━" in line or "at a time" in line], end  # the display is gone
    results = [line.split()[:2] for line in end if line.startswith(("  ok ", "  FAILED "))]
    assert sorted(results) == [["FAILED", "broken"], ["FAILED", "slow"], ["ok", "ok"]], end
    assert [line for line in end if not line.startswith(("  ok ", "  FAILED "))] == [
        f"          executed notebook: {reports / '_failed' / 'broken.ipynb'}"], end
    failed = {line.split()[1]: line for line in end if line.startswith("  FAILED")}
    assert "ValueError: deliberate failure" in failed["broken"]
    assert "ReportTimeout" in failed["slow"] and "8" in failed["slow"]
    raw = console.file.getvalue()
    assert raw.rfind("\x1b[?25h") > raw.rfind("\x1b[?25l")
    assert not live_threads_after_join()


# -- tables --------------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "text"), [
    ("ex_ante_probability", "Ex Ante Probability"),
    ("level_at_forecast", "Level at Forecast"),
    ("hml_loading", "HML Loading"),
    ("mean_pp", "Mean pp"),
    ("horizon_12m", "Horizon 12m"),
    ("Mean (pp)", "Mean (pp)"),  # already written for readers
    ("n", "n"),
])
def test_header_text(name, text):
    assert header_text(name) == text


def _frame_html() -> str:
    frame = pd.DataFrame({"share_supported": [0.25, 0.875], "share_odd": [0.5, 1.5], "significant": [True, False],
                          "mean_pp": [0.25, 0.5]}, index=pd.Index(["deciles", "russell"], name="small_large"))
    return '<div class="output">' + frame.to_html() + "</div>"


def test_readable_tables_rewrites_a_pandas_table():
    out = readable_tables(_frame_html(), stem="year_end")
    head = re.search(r"<thead>(.*?)</thead>", out, re.S).group(1)
    assert re.findall(r"<th>(.*?)</th>", head) == ["Small Large", "Share Supported", "Share Odd", "Significant",
                                                  "Mean pp"]
    assert head.count("<tr") == 1  # the index-name row is gone
    body = re.search(r"<tbody>(.*?)</tbody>", out, re.S).group(1)
    cells = re.findall(r"<td>(.*?)</td>", body)
    # fractions become percentages only in a share column whose values are all in [0, 1]
    assert cells == ["25.0%", "0.5", "yes", "0.25", "87.5%", "1.5", "no", "0.50"]
    href = re.search(r'href="data:text/csv;charset=utf-8,([^"]*)" download="year_end-1.csv"', out).group(1)
    rows = list(csv.reader(io.StringIO(urllib.parse.unquote(href))))
    assert rows[0] == ["", "share_supported", "share_odd", "significant", "mean_pp"]
    assert rows[2] == ["deciles", "0.250", "0.5", "True", "0.25"]
    assert out.count(CSV_LABEL) == 1


def test_readable_tables_folds_a_two_level_index_and_the_columns_name():
    """The index-name row of a two-level index under named columns: both names go to the corner
    cells (the columns' name kept, marked as theirs), no empty header row is left."""
    frame = pd.DataFrame([[1.5, 2.0], [3.0, 4.0]], columns=pd.Index(["3 months", "6 months"], name="horizon"),
                         index=pd.MultiIndex.from_tuples([("curated", "no_recession"), ("rule", "all")],
                                                         names=["source", "group"]))
    head = re.search(r"<thead>(.*?)</thead>", readable_tables(frame.to_html()), re.S).group(1)
    assert head.count("<tr") == 1
    assert re.findall(r"<th>(.*?)</th>", head) == [
        "Source", 'Group<br><span class="muted">Horizon \u2192</span>', "3 months", "6 months"]
    multi = pd.DataFrame([[1.0, 2.0]], columns=pd.MultiIndex.from_tuples([("mean", "a"), ("mean", "b")]),
                         index=pd.Index(["x"], name="small_large"))
    head = re.search(r"<thead>(.*?)</thead>", readable_tables(multi.to_html()), re.S).group(1)
    assert head.count("<tr") == 2 and re.findall(r"<th>(Small Large)</th>", head)  # column levels stay


def test_readable_tables_leaves_other_tables_alone():
    page = '<table class="fixture-table"><tr><th>snake_case</th></tr><tr><td>True</td></tr></table>'
    assert readable_tables(page) == page


def test_alt_text_is_bound_to_each_figure_not_to_page_order():
    """An author's <img> in markdown (no alt) before the figures used to take the first figure's
    title, and every later figure the one before it: each figure keeps its own text now."""
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    def figure(png: str, meta: dict) -> object:
        return new_code_cell("plt.show()", outputs=[new_output(
            "display_data", data={"image/png": png, "text/plain": "<Figure>"}, metadata=meta)])

    nb = new_notebook()
    nb.cells = [
        new_markdown_cell("# Figures\n\nThe author's logo: <img src='data:image/png;base64,TE9HTw=='>"),
        figure("QUFB", {"alt": "Growth of $1 <small>"}),
        figure("QkJC", {}),  # no title
        figure("Q0ND", {"image/png": {"width": 400, "alt": ""}}),  # an empty per-type alt
        figure("RERE", {"image/png": {"width": 400}, "alt": "Drawdowns"}),
    ]
    page = report_html(nb, title="Figures")
    imgs = re.findall(r"<img\b[^>]*>", page)
    # the author's HTML keeps its own quoting (single quotes here); figures' tags are the template's
    alts = {re.search(r"""src=["']data:image/png;base64,([^"']+)["']""", i).group(1):
            re.search(r'alt="([^"]*)"', i).group(1) for i in imgs}
    assert alts == {"TE9HTw==": "No description has been provided for this image",  # the author's, as written
                    "QUFB": "Growth of $1 &lt;small&gt;", "QkJC": "Figure (untitled)",
                    "Q0ND": "Figure (untitled)", "RERE": "Drawdowns"}
    assert len(imgs) == 5


def test_figure_title_prefers_the_suptitle():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (a, b) = plt.subplots(1, 2)
    a.set_title("left panel")
    b.set_title("right panel")
    assert figure_title(fig) == "left panel / right panel"
    fig.suptitle("Growth of  $1\nsince 1926")
    assert figure_title(fig) == "Growth of $1 since 1926"
    plt.close(fig)


# -- charts and the scorecard at a glance --------------------------------------------------------
def _est(label, stat, ci, aspect="", claim="C2", report="r"):
    return charts.Estimate(claim=claim, aspect=aspect, variant="default specification", label=label,
                           statistic=stat, interval=ci, unit="% per month", report=report)


def test_forest_marks_one_per_estimate_placed_on_the_groups_scale():
    svg = charts.forest_svg([_est("contradicted", 1.0, (0.5, 2.0)), _est("inconclusive", -1.0, (-2.0, 0.5)),
                             _est("supported", 99.0, None, claim="C4")], _COLOURS)
    marks = re.findall(r'<g class="forest-mark" data-verdict="([^"]+)" data-claim="([^"]+)"', svg)
    assert marks == [("contradicted", "C2"), ("inconclusive", "C2"), ("supported", "C4")]
    # C2's scale runs from -2 to 2 padded by 6% of the range: zero sits in the middle of the plot
    lo, hi = -2.0 - 0.24, 2.0 + 0.24
    x = charts.PLOT_X0 + (1.0 - lo) / (hi - lo) * (charts.PLOT_X1 - charts.PLOT_X0)
    assert f'cx="{x:.1f}"' in svg
    zeros = re.findall(r'class="zero" x1="([\d.]+)"', svg)
    assert float(zeros[0]) == pytest.approx((charts.PLOT_X0 + charts.PLOT_X1) / 2, abs=0.1)
    # C4: 0 to 99, zero at the left end plus padding
    assert float(zeros[1]) == pytest.approx(charts.PLOT_X0 + 0.06 * 99 / (99 * 1.12) * 360, abs=0.1)
    assert svg.count("% per month") >= 2  # the unit above each group


def test_axis_end_labels_leave_room_for_zero():
    def shown(lo, hi, suffix):
        return re.findall(r">([^<]+)</text>", "".join(charts._axis_labels(charts._Scale([lo, hi]), 0, suffix)))

    assert shown(-10, 10, "") == ["\u221211.2", "0", "11.2"]  # both ends (padded 6%), far from zero
    # the padded end -0.97% sits 40 px left of zero; its text (about 36 px) would run into "0%"
    assert shown(-0.5, 7.41, "%") == ["0%", "7.88%"]
    assert shown(-3, 0.1, "") == ["\u22123.19", "0"]  # "0.286" would end under zero's "0"
    assert shown(-3, 0.2, "") == ["\u22123.19", "0", "0.392"]  # ... 6 px further right it fits


def test_forecast_chart_in_percent_of_the_level():
    item = {"forecast": "Russell 2000 target 2,665", "made_on": "2025-10-14", "level_at_forecast": 2500.0,
            "target": 2650.0, "realized": 2450.0, "outcome": "miss", "as_of": "2025-12-31"}
    f = charts.forecast_from(item, "year_end")
    svg = charts.forecast_svg([f])
    assert "target 2,650 (+6.0%)" in svg and "realized 2,450 (-2.0%)" in svg
    assert re.findall(r'class="forecast-mark" data-outcome="(\w+)"', svg) == ["miss"]
    assert charts.forecast_from({"forecast": "no numbers"}) is None
    pending = charts.forecast_svg([charts.forecast_from({**item, "realized": None, "outcome": None})])
    assert "not realized yet" in pending and 'data-outcome="pending"' in pending


def test_forecast_table_for_readers(tmp_path):
    """Headers in words, a probability in percent, index levels with separators, no None."""
    forecasts = [{"forecast": "Russell 2000 year-end target 2,665", "made_on": "2025-10-14",
                  "level_at_forecast": 2495.52, "target": 2665.0, "ex_ante_probability": 0.3421,
                  "outcome": "miss", "realized": 2481.9},
                 {"forecast": "small caps beat large caps", "made_on": "2025-10-14", "level_at_forecast": 0.3756,
                  "target": 0.3756, "ex_ante_probability": None, "outcome": "pending", "realized": None}]
    report = Report("year_end", tmp_path / "x.ipynb", claims=("C7",))
    page = scorecard.index_html([report], {"year_end": _state(
        [Verdict(claim="C7", label="inconclusive", hypothesis="h")], extra={"forecasts": forecasts})})
    table = re.search(r'<table class="forecasts">(.*?)</table>', page, re.S).group(1)
    assert re.findall(r"<th>(.*?)</th>", table) == ["Forecast", "Made on", "Level at Forecast", "Target",
                                                  "Ex Ante Probability", "Outcome", "Realized", "Report"]
    rows = [re.findall(r"<td>(.*?)</td>", row, re.S)[:7] for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]]
    assert rows == [["Russell 2000 year-end target 2,665", "2025-10-14", "2,496", "2,665", "34.2%", "miss",
                     "2,482"],
                    ["small caps beat large caps", "2025-10-14", "0.3756", "0.3756", "—", "pending", "—"]]


def _state(verdicts, extra=None):
    return {"status": "ok", "success": {"verdicts": [v.to_dict() for v in verdicts], "extra": extra or {},
                                        "html": "x.html", "ran_at": "2025-11-01T06:00:00+00:00"}}


def test_scorecard_summary_lines_and_forest(tmp_path):
    nb = tmp_path / "x.ipynb"
    main = Report("rate_sensitivity", nb, claims=("C2",))
    variant = Report("rate_sensitivity_russell", nb, claims=("C2",), parameters={"small_large": "russell"})
    v = {"claim": "C2", "hypothesis": "h", "statistic_name": "coef, % per month", "aspect": "2-year yield"}
    states = {"rate_sensitivity": _state([Verdict(label="contradicted", statistic=1.0, interval=(0.4, 1.7), **v)]),
              "rate_sensitivity_russell": _state([Verdict(label="inconclusive", statistic=0.5, interval=(-0.2, 1.1),
                                                          **v)])}
    page = scorecard.index_html([main, variant], states)
    summary = page[page.index('<section class="summary"'):page.index("</section>")]
    c2 = re.search(r'<li data-claim="C2">(.*?)</li>', summary, re.S).group(1)
    assert "contradicted" in c2 and "Russell 2000 vs S&amp;P 500, 2-year yield: inconclusive" in c2
    assert "no report yet" in re.search(r'<li data-claim="C1">(.*?)</li>', summary, re.S).group(1)
    assert "not testable" in re.search(r'<li data-claim="C9">(.*?)</li>', summary, re.S).group(1)
    # the reconciled headline (no curve and no family p-value here: a firm label reads "fragile")
    assert re.findall(r'class="forest-mark" data-verdict="([^"]+)"', summary) == ["contradicted, fragile",
                                                                                  "inconclusive"]
    assert 'data-marks="2"' in summary


def test_a_long_error_opens_on_demand_its_first_line_and_fix_in_view(tmp_path):
    """Every place tried, then the fix: a data error runs to hundreds of characters. The "Last run"
    cell shows its first line and its fix, and the whole text in a details element, so the
    column stays narrow; a short error is shown whole."""
    import html

    nb = tmp_path / "x.ipynb"
    reports = [Report("rate_sensitivity", nb, claims=("C2",)), Report("froth", nb, claims=("C4",))]
    long = ("dataset 'ff_daily' is not available. Tried:\n  - local raw store: /data/raw/<F-F>_daily.zip\n"
            "  - download: https://example.org/" + "x" * 200 + "\nFix: set RESEARCH_DATA_MIRROR (cell 3)")
    failed = {"status": "failed", "attempt": {"ran_at": "2025-11-01T06:00:00+00:00"}}
    states = {"rate_sensitivity": {**failed, "attempt": {**failed["attempt"],
                                                         "error": {"ename": "DataUnavailable", "evalue": long}}},
              "froth": {**failed, "attempt": {**failed["attempt"], "error": {"first_line": "ValueError: bad <x>"}}}}
    page = scorecard.index_html(reports, states)
    c2 = re.search(r'<tr data-claim="C2">(.*?)</tr>', page, re.S).group(1)
    summary = re.search(r"<summary>(.*?)</summary>", c2, re.S).group(1)
    assert summary == html.escape("DataUnavailable: dataset 'ff_daily' is not available. Tried:")
    assert f'<code class="error-text">{html.escape(f"DataUnavailable: {long}")}</code></details>' in c2
    assert '</details><div class="error-text">Fix: set RESEARCH_DATA_MIRROR (cell 3)</div>' in c2
    c4 = re.search(r'<tr data-claim="C4">(.*?)</tr>', page, re.S).group(1)
    assert ': <code class="error-text">ValueError: bad &lt;x&gt;</code>' in c4 and "<details" not in c4


def test_the_scorecard_shows_what_n_counts(tmp_path):
    report = Report("technicals", tmp_path / "x.ipynb", claims=("C5",))
    v = Verdict(claim="C5", label="inconclusive", hypothesis="h", n=45, aspect="200-day cross",
                n_note="of 69 events; n counts those whose 12m forward windows do not overlap")
    row = re.search(r'<tr data-claim="C5">(.*?)</tr>', scorecard.index_html([report], {"technicals": _state([v])}),
                    re.S).group(1)
    assert ('<td>45<div class="muted" title="of 69 events; n counts those whose 12m forward windows do not overlap">'
            'of 69 events</div></td>' in row)
