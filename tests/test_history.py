"""The verdict history (append-only SQLite), what changed and why, `research history`,
`research run --update` / `--frozen`, failing honestly, and "vintage newer than the lock".

The pure parts are tested on hand-made rows; the runner parts on the fixture notebooks of
tests/runner_project.py (a few kernels in all).
"""

from __future__ import annotations

import json
import os
import sqlite3

import nbformat
import pytest
from runner_project import PKG, make_project, write_registry

from research import runner
from research.cli import main as cli_main
from research.errors import DataUnavailable, ParameterError, error_text
from research.report import page, scorecard
from research.runner import history, update
from research.runner.checks import sidecar_problem
from research.runner.registry import load_registry
from research.runner.state import code_key

COMPONENTS = {"notebook": "nb-1", "parameters": "par-1", "render": "render-1", "modules": {"research.claims.easing": "e-1"}}
INPUTS = {"ff5": {"sha256": "aaa111", "vintage": "2025-09-30"}, "dgs2": {"sha256": "bbb222", "vintage": "2025-10-01"}}


def verdict(label="supported", statistic=0.42, interval=(0.3, 0.5), n=8, claim="C1", aspect=""):
    return {"claim": claim, "aspect": aspect, "label": label, "statistic": statistic, "interval": list(interval),
            "interval_level": 0.9, "n": n, "sample": "1954-07..2025-09", "statistic_name": "mean"}


def store(reports, report="easing", *, ran_at, verdicts=None, inputs=None, components=None, parameters=None):
    rows = history.rows_for_run(report, ran_at, verdicts=verdicts or [verdict()], inputs=inputs or INPUTS,
                                components=components or COMPONENTS, parameters=parameters or {"horizon": 6},
                                key=f"key-{ran_at}")
    return history.append(reports, rows)


# -- the database ------------------------------------------------------------------------------------
def test_rows_are_appended_never_overwritten(tmp_path):
    assert store(tmp_path, ran_at="2025-11-01T06:00:00Z") == 1
    assert store(tmp_path, ran_at="2025-11-01T06:00:00Z", verdicts=[verdict(), verdict(aspect="b")]) == 2
    rows = history.read(tmp_path)
    assert [(r["run"], r["aspect"]) for r in rows] == [(1, ""), (2, ""), (2, "b")]  # same second: two runs
    first = rows[0]
    assert (first["label"], first["statistic"], first["interval_low"], first["interval_high"], first["n"]) == \
        ("supported", 0.42, 0.3, 0.5, 8)
    assert first["inputs"] == INPUTS and first["parameters"] == {"horizon": 6}
    assert (first["package_key"], first["notebook_key"], first["parameters_key"], first["report_key"]) == \
        (code_key(COMPONENTS), "nb-1", "par-1", "key-2025-11-01T06:00:00Z")
    # the code key covers the render code and the modules the run imported, nothing else
    assert code_key({**COMPONENTS, "notebook": "nb-2"}) == code_key(COMPONENTS)
    assert code_key({**COMPONENTS, "render": "render-2"}) != code_key(COMPONENTS)
    assert code_key({**COMPONENTS, "modules": {"research.claims.easing": "e-2"}}) != code_key(COMPONENTS)
    conn = sqlite3.connect(history.history_path(tmp_path))
    for sql in ("UPDATE verdicts SET label = 'contradicted'", "DELETE FROM verdicts"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            conn.execute(sql)
    conn.close()
    assert len(history.read(tmp_path)) == 3
    assert [r["run"] for r in history.read(tmp_path, limit=2)] == [2, 2]
    assert history.read(tmp_path, claim="c1", report="nope") == []
    store(tmp_path, "other", ran_at="2025-11-02T06:00:00Z")
    assert [(r["report"], r["run"]) for r in history.read(tmp_path, last_runs=1)] == \
        [("easing", 2), ("easing", 2), ("other", 3)]
    assert len(history.read(tmp_path, claim="c1", last_runs=2)) == 4


def test_a_damaged_database_warns_with_the_file_and_fix_and_stops_nothing(tmp_path):
    path = history.history_path(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"this is not a database" * 100)
    state = {"report": "easing", "success": {"ran_at": "2025-11-01T06:00:00Z", "verdicts": [verdict()],
                                             "inputs": INPUTS, "components": COMPONENTS, "parameters": {}}}
    warning = history.record_success(tmp_path, state)
    assert str(path) in warning and f"mv {path} {path}.damaged" in warning and "were not recorded in it" in warning
    changes = history.scorecard_changes(tmp_path)
    assert changes["changes"] == [] and changes["note"].startswith("Changes are not shown: the verdict history")
    html = scorecard.index_html([], {}, changes=changes)
    assert "Changes since the last run" in html and f"mv {path}" in html
    assert history.page_history(tmp_path, "easing", [])["note"].startswith("Earlier runs are not shown")
    assert path.read_bytes().startswith(b"this is not a database")  # left as it was, for the reader to move


# -- what changed, and why -------------------------------------------------------------------------
def test_changes_name_the_cause_vintage_code_and_parameters(tmp_path):
    store(tmp_path, "easing", ran_at="2025-11-01T06:00:00Z")
    store(tmp_path, "easing", ran_at="2025-11-02T06:00:00Z", verdicts=[verdict(statistic=0.30, interval=(0.1, 0.5))],
          inputs={**INPUTS, "ff5": {"sha256": "ccc333", "vintage": "2025-10-31"}})
    store(tmp_path, "rates", ran_at="2025-11-01T06:00:00Z", verdicts=[verdict(claim="C2")])
    store(tmp_path, "rates", ran_at="2025-11-02T06:00:00Z", verdicts=[verdict(claim="C2", label="inconclusive")],
          components={**COMPONENTS, "modules": {"research.claims.easing": "e-2"}})
    store(tmp_path, "tilt", ran_at="2025-11-01T06:00:00Z", verdicts=[verdict(claim="C3")])
    store(tmp_path, "tilt", ran_at="2025-11-02T06:00:00Z", verdicts=[verdict(claim="C3", interval=(0.2, 0.5))],
          components={**COMPONENTS, "parameters": "par-2"}, parameters={"horizon": 12})
    store(tmp_path, "same", ran_at="2025-11-01T06:00:00Z", verdicts=[verdict(claim="C8")])
    store(tmp_path, "same", ran_at="2025-11-02T06:00:00Z", verdicts=[verdict(claim="C8", statistic=0.42 + 1e-13)],
          inputs={**INPUTS, "dgs2": {"sha256": "ddd444", "vintage": "2025-10-01"}})
    out = history.scorecard_changes(tmp_path)
    assert out["note"] is None and out["last_run"] == "2025-11-02T06:00:00Z"
    by = {c["report"]: c for c in out["changes"]}
    assert set(by) == {"easing", "rates", "tilt"}  # "same": its estimate moved by 1e-13 only
    assert by["easing"]["what"] == ["estimate", "interval"]
    assert by["easing"]["cause"] == "input ff5 vintage 2025-09-30 -> 2025-10-31"
    assert by["easing"]["before"] == {"label": "supported", "estimate": "0.42", "interval": "90% [0.3, 0.5]"}
    assert by["easing"]["after"] == {"label": "supported", "estimate": "0.3", "interval": "90% [0.1, 0.5]"}
    old, new = code_key(COMPONENTS)[:12], code_key({**COMPONENTS, "modules": {"research.claims.easing": "e-2"}})[:12]
    assert by["rates"]["what"] == ["label"] and by["rates"]["cause"] == f"code changed (code hash {old} -> {new})"
    assert by["tilt"]["what"] == ["interval"] and by["tilt"]["cause"] == "parameters changed (horizon 6 -> 12)"
    html = scorecard.index_html([], {}, changes=out)
    start = html.index("Changes since the last run")
    assert start < html.index('id="scorecard"')
    section = html[start:html.index("</section>", start)]
    assert "input ff5 vintage 2025-09-30 -&gt; 2025-10-31" in section and f"code hash {old} -&gt; {new}" in section
    assert "supported · 0.42 · 90% [0.3, 0.5]" in section and "supported · 0.3 · 90% [0.1, 0.5]" in section
    # a same-vintage file with another sha256 is named by its sha256
    assert history.cause({"inputs": INPUTS}, {"inputs": {**INPUTS, "dgs2": {"sha256": "ddd444",
                                                                          "vintage": "2025-10-01"}}}) \
        == "input dgs2 sha256 bbb222 -> ddd444"


def test_no_change_is_one_line_with_the_date(tmp_path):
    store(tmp_path, ran_at="2025-11-01T06:00:00Z")
    out = history.scorecard_changes(tmp_path)
    assert out["changes"] == []  # one run: nothing to compare
    store(tmp_path, ran_at="2025-11-02T06:00:00Z")
    out = history.scorecard_changes(tmp_path)
    assert out["changes"] == []
    html = scorecard.index_html([], {}, changes=out)
    assert "No verdict changed since the last run (2025-11-02 06:00:00Z)." in html
    assert "Changes since the last run" not in scorecard.index_html([], {})  # no history given: no section


def test_a_new_vintage_that_moves_no_verdict_is_still_named(tmp_path):
    newer = {**INPUTS, "ff5": {"sha256": "ccc333", "vintage": "2025-10-31"}}
    for report in ("easing", "rates", "forced", "moved"):
        store(tmp_path, report, ran_at="2025-11-01T06:00:00Z")
    store(tmp_path, "easing", ran_at="2025-11-02T06:00:00Z", inputs=newer)
    store(tmp_path, "rates", ran_at="2025-11-02T06:00:00Z", inputs=newer)
    store(tmp_path, "forced", ran_at="2025-11-02T06:00:00Z")  # re-run with nothing new: not named
    store(tmp_path, "moved", ran_at="2025-11-02T06:00:00Z", inputs=newer, verdicts=[verdict(statistic=0.5)])
    out = history.scorecard_changes(tmp_path)
    assert [c["report"] for c in out["changes"]] == ["moved"]
    assert out["same_verdicts"] == [{"cause": "input ff5 vintage 2025-09-30 -> 2025-10-31", "reports": ["easing", "rates"]}]
    html = scorecard.index_html([], {}, changes=out)
    start = html.index("Changes since the last run")
    section = html[start:html.index("</section>", start)]
    assert "Re-run, every verdict the same: easing, rates — input ff5 vintage 2025-09-30 -&gt; 2025-10-31." in section
    assert "forced" not in section
    store(tmp_path, "moved", ran_at="2025-11-03T06:00:00Z", inputs=newer, verdicts=[verdict(statistic=0.5)])
    again = history.scorecard_changes(tmp_path)  # "moved" ran again with nothing new: named nowhere
    assert again["changes"] == [] and [s["reports"] for s in again["same_verdicts"]] == [["easing", "rates"]]


def test_timeline_and_history_cli(tmp_path, capsys):
    store(tmp_path, "easing", ran_at="2025-11-01T06:00:00Z")
    store(tmp_path, "easing", ran_at="2025-11-02T06:00:00Z", verdicts=[verdict(label="mixed")],
          inputs={**INPUTS, "ff5": {"sha256": "x", "vintage": "2025-10-31"}})
    store(tmp_path, "rates", ran_at="2025-11-03T06:00:00Z", verdicts=[verdict(claim="C2")])
    rows = history.timeline(history.read(tmp_path, report="easing"))
    assert [(r["ran_at"][:10], r["label"], r["changed"], r["cause"]) for r in rows] == [
        ("2025-11-02", "mixed", ["label"], "input ff5 vintage 2025-09-30 -> 2025-10-31"),
        ("2025-11-01", "supported", [], "first recorded run")]
    assert cli_main(["history", "--reports-dir", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["ran", "at", "report"] and len(lines) == 4
    assert lines[1].split()[:3] == ["2025-11-03T06:00:00Z", "rates", "C2"]  # newest first
    assert cli_main(["history", "c1", "--reports-dir", str(tmp_path)]) == 0  # case-insensitive
    lines = capsys.readouterr().out.splitlines()
    assert [ln.split()[1] for ln in lines[1:]] == ["easing", "easing"]
    assert lines[1].endswith("input ff5 vintage 2025-09-30 -> 2025-10-31")
    assert "90% [0.3, 0.5]" in lines[1]
    assert cli_main(["history", "C1", "--limit", "1", "--reports-dir", str(tmp_path)]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 2
    assert cli_main(["history", "C9", "--reports-dir", str(tmp_path)]) == 0
    assert "no verdict recorded for claim C9" in capsys.readouterr().out
    history.history_path(tmp_path).write_bytes(b"garbage" * 200)
    assert cli_main(["history", "--reports-dir", str(tmp_path)]) == 1
    assert "cannot be read" in capsys.readouterr().err


# -- failing honestly --------------------------------------------------------------------------------
def test_sidecar_problems():
    curve = {"specifications": 12, "valid": 0, "errors": 10, "skipped": 2,
             "top_error": "DataUnavailable: dataset 'ff5' is not available. Tried:"}
    name, message = sidecar_problem({"extra": {"spec_curve": curve}})
    assert name == "NoValidSpecification"
    assert message.startswith("0 of 12 specifications valid: 10 errors, 2 not applicable; most common: "
                              "DataUnavailable: dataset 'ff5' is not available. Fix: see the table")
    assert sidecar_problem({"extra": {"spec_curve": {**curve, "valid": 1}}}) is None
    for n in (0, None):
        name, message = sidecar_problem({"verdicts": [verdict(n=8), verdict(n=n, aspect="b")]})
        assert name == "VerdictWithoutData" and f"C1 (b) 'supported' with n = {n}" in message
    assert sidecar_problem({"verdicts": [verdict(n=1), {"claim": "C9", "label": "not testable", "n": None}]}) is None
    assert sidecar_problem(None) is None


def test_error_text_is_whole_for_data_errors_only():
    exc = DataUnavailable("ff5", ["mirror /m/french/F-F.zip: not found", "download: RESEARCH_OFFLINE=1"])
    data = {"ename": "DataUnavailable", "evalue": str(exc), "first_line": "DataUnavailable: dataset 'ff5' is "
                                                                           "not available. Tried:"}
    assert error_text(data) == f"DataUnavailable: {exc}"
    assert "download: RESEARCH_OFFLINE=1" in error_text(data) and "Fix: set RESEARCH_DATA_MIRROR" in error_text(data)
    assert error_text({"ename": "ValueError", "evalue": "a\nb", "first_line": "ValueError: a"}) == "ValueError: a"


# -- newer than the lock -------------------------------------------------------------------------------
def test_vintage_newer_than_the_lock_in_the_footer_and_on_the_scorecard():
    inputs = {"ff5": {**INPUTS["ff5"], "newer_than_lock": True}, "dgs2": INPUTS["dgs2"]}
    footer = page.footer_context({"report": "easing", "inputs": inputs})
    assert [(name, newer) for name, _, _, newer in footer["inputs"]] == [("dgs2", False), ("ff5", True)]
    html = page.render("page.html.j2", title="t", body="", footer=footer, wide=False)
    assert html.count("vintage newer than the lock") == 1
    assert "2025-09-30 <span class=\"newer-than-lock\">vintage newer than the lock</span>" in html
    states = {"easing": {"status": "ok", "success": {"inputs": inputs,
                                                     "verdicts": [{**verdict(), "hypothesis": "h"}]}},
              "rates": {"status": "ok", "success": {"inputs": {"ff5": inputs["ff5"]}, "verdicts": []}},
              "old": {"status": "ok", "success": {"inputs": {"dgs2": INPUTS["dgs2"]}, "verdicts": []}}}
    assert scorecard.newer_than_lock(states) == [("ff5", ["easing", "rates"])]
    report = type("R", (), {"name": "easing", "claims": ("C1",), "parameters": {}, "title": "E",
                            "notebook": type("N", (), {"name": "x.ipynb"})()})()
    html = scorecard.index_html([report], states)
    assert "1 input(s) with a vintage newer than the lock" in html and "ff5 (read by easing, rates)" in html
    assert "ff5 2025-09-30 (vintage newer than the lock), dgs2 2025-10-01" in html  # the Vintage cell
    assert "newer than the lock" not in scorecard.index_html([report], {"old": states["old"]})


# -- --update and --frozen -----------------------------------------------------------------------------
def test_update_asks_every_dataset_and_frozen_sets_the_environment(monkeypatch, capsys):
    from research import data
    from research.errors import DataUnavailable

    def fake_update(name):
        if name == "gs10":
            raise DataUnavailable("gs10", ["the raw store", "https://fred.example/gs10.csv: timed out"])
        return {"name": name, "changed": name in ("ff5", "dgs2")}

    monkeypatch.setattr(data, "names", lambda: ["ff5", "gs10", "dgs2", "usrec"])
    monkeypatch.setattr(data, "update", fake_update)
    assert update._update_data() == ["dgs2", "ff5"]  # gs10 could not be asked: kept, and said so
    err = capsys.readouterr().err
    assert "could not check gs10 for a newer vintage, the file in use is kept" in err
    assert "gs10.csv: timed out" in err and "Fix:" in err  # whole, not cut at "Tried:"
    assert "ff5" not in err and "usrec" not in err
    assert update._update_data(["usrec", "ff5"]) == ["ff5"]
    monkeypatch.setenv("RESEARCH_FROZEN", "0")  # restored after the test: prepare() sets it
    assert update.prepare(update=True, frozen=False) is update._update_data
    assert os.environ["RESEARCH_FROZEN"] == "0"
    assert update.prepare(update=False, frozen=True) is None
    assert os.environ["RESEARCH_FROZEN"] == "1"
    with pytest.raises(ParameterError, match="RESEARCH_FROZEN=1 in the environment"):
        update.prepare(update=True, frozen=False)
    assert update.readers(["ff5"], {"a": {"success": {"inputs": {"ff5": {}}}}, "b": {"success": {"inputs": {}}},
                                    "c": {"status": "failed"}}) == ["a"]


# -- end to end on the fixture notebooks ---------------------------------------------------------------
REPORTS = {
    "ok": {"notebook": "verdict.ipynb", "claims": ["C1"], "title": "OK report"},
    "other": {"notebook": "verdict.ipynb", "claims": ["C3"],
              "parameters": {"claim": "C3", "input_name": "ff5", "input_sha": "sha-b", "draw": False}},
}


def test_update_reruns_exactly_the_readers_and_history_flows_to_pages_and_scorecard(tmp_path, monkeypatch, capsys):
    registry, reports = make_project(tmp_path, REPORTS)
    shas = {"dgs2": "sha-a", "ff5": "sha-b"}

    def run(**kw):
        return runner.run(registry_path=registry, reports_dir=reports, input_sha=shas.get, package_sha=PKG, **kw)

    assert sorted(r.name for r in run().executed) == ["ok", "other"]
    assert [r["report"] for r in history.read(reports)] == ["ok", "other"] or \
        [r["report"] for r in history.read(reports)] == ["other", "ok"]
    calls = []

    def fake_update(name):  # the publisher has a new ff5: its sha256 is now another
        calls.append(name)
        if name == "ff5":
            shas["ff5"] = "sha-new"
        return {"name": name, "changed": name == "ff5"}

    from research import data

    monkeypatch.setattr(data, "names", lambda: ["dgs2", "ff5"])
    monkeypatch.setattr(data, "update", fake_update)
    summary = run(update=update.prepare(update=True, frozen=False))
    assert calls == ["dgs2", "ff5"] and summary.updated == ["ff5"]
    assert [r.name for r in summary.executed] == ["other"]
    assert summary.executed[0].reasons == ("input ff5 changed",)
    index = (reports / "index.html").read_text()
    assert "No verdict changed since the last run" in index
    # a parameter change moves the estimate: the scorecard and the page say so, and why
    write_registry(tmp_path, {**REPORTS, "ok": {**REPORTS["ok"], "parameters": {"statistic": 0.9}}})
    shas["ff5"] = "sha-b"
    assert [r.name for r in run().executed] == ["ok"]
    rows = history.read(reports, report="ok")
    assert [r["statistic"] for r in rows] == [0.42, 0.9] and rows[0]["run"] < rows[1]["run"]
    index = (reports / "index.html").read_text()
    section = index[index.index("Changes since the last run"):index.index('id="scorecard"')]
    assert 'data-change="C1"' in section and "estimate, interval" in section
    assert "parameters changed (statistic default -&gt; 0.9)" in section
    assert "supported · 0.42 · 90% [0.32, 0.52]" in section and "supported · 0.9 · 90% [0.8, 1]" in section
    html = (reports / "ok.html").read_text()
    table = html[html.index("History of this verdict"):html.index("</section>", html.index("History of this verdict"))]
    assert table.count("<tr") == 3 and "parameters changed (statistic default -&gt; 0.9)" in table
    assert "first recorded run" in table
    # `research history` on the console
    assert cli_main(["history", "C1", "--reports-dir", str(reports)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 3 and "0.9" in out[1] and out[1].endswith("parameters changed (statistic default -> 0.9)")
    # a damaged history: the run still publishes, warns once with the file and the fix
    history.history_path(reports).write_bytes(b"not sqlite" * 100)
    summary = run(force=True)
    assert [r.status for r in summary.executed] == ["ok", "ok"]
    (warning,) = summary.warnings
    assert str(history.history_path(reports)) in warning and ".damaged" in warning
    index = (reports / "index.html").read_text()
    assert "Changes are not shown: the verdict history" in index
    assert "Earlier runs are not shown" in (reports / "ok.html").read_text()


def _notebook(path, code: str) -> None:
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("x: int = 0  # unused", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_markdown_cell("# Fixture"), nbformat.v4.new_code_cell(code)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, str(path))


def test_reports_on_no_data_fail_and_data_errors_print_whole(tmp_path, capsys):
    registry, reports = make_project(tmp_path, {"empty": {"notebook": "verdict.ipynb", "claims": ["C1"],
                                                          "parameters": {"n": 0}}})
    nb_dir = registry.parent
    _notebook(nb_dir / "curve.ipynb", (
        "from research.verdict import record\n"
        "record(extra={'spec_curve': {'claim': 'C1', 'specifications': 4, 'valid': 0, 'errors': 4, 'skipped': 0,"
        " 'top_error': 'DataUnavailable: dataset ff5 is not available. Tried:'}}, display=False)"))
    _notebook(nb_dir / "nodata.ipynb", (
        "from research.errors import DataUnavailable\n"
        "raise DataUnavailable('ff5', ['local store data/raw: no copy', 'mirror /nowhere/french: not found'])"))
    write_registry(tmp_path, {"empty": {"notebook": "verdict.ipynb", "claims": ["C1"], "parameters": {"n": 0}},
                              "curve": {"notebook": "curve.ipynb"}, "nodata": {"notebook": "nodata.ipynb"}})
    base = ["--registry", str(registry), "--reports-dir", str(reports)]
    assert cli_main(["run", *base]) == 1  # not only data errors: exit 1
    out = capsys.readouterr()
    console = out.out + out.err
    assert "VerdictWithoutData: 1 verdict(s) rest on no data: C1 'supported' with n = 0" in console
    assert "NoValidSpecification: 0 of 4 specifications valid: 4 errors, 0 not applicable" in console
    assert "mirror /nowhere/french: not found" in console and "Fix: set RESEARCH_DATA_MIRROR" in console
    states = {name: json.loads((reports / "_state" / f"{name}.json").read_text()) for name in ("empty", "curve")}
    assert all(s["status"] == "failed" and s["success"] is None for s in states.values())
    assert not (reports / "empty.html").exists() and (reports / "_failed" / "empty.html").is_file()
    assert cli_main(["list", *base]) == 0
    listed = capsys.readouterr().out
    assert "mirror /nowhere/french: not found" in listed and "Fix: set RESEARCH_DATA_MIRROR" in listed
    index = (reports / "index.html").read_text()
    assert "mirror /nowhere/french: not found" in index and "Fix: set RESEARCH_DATA_MIRROR" in index
    assert load_registry(registry).reports.keys() == {"empty", "curve", "nodata"}


def test_a_sweep_summary_keeps_the_most_common_failure():
    import pandas as pd

    from research import sweep

    frame = pd.DataFrame({"estimate": [float("nan")] * 4, "label": ["error", "error", "error", "skipped"],
                          "error": ["DataUnavailable: dataset 'ff5'", "DataUnavailable: dataset 'ff5'",
                                    "ValueError: x", "no 1926 start for russell"]})
    s = sweep.shares(frame)
    assert (s["valid"], s["errors"], s["skipped"], s["top_error"]) == (0, 3, 1, "DataUnavailable: dataset 'ff5'")
    assert sweep.shares(frame[frame["label"] == "skipped"])["top_error"] == "no 1926 start for russell"
    name, message = sidecar_problem({"extra": {"spec_curve": s}})
    assert name == "NoValidSpecification" and "most common: DataUnavailable: dataset 'ff5'" in message


def test_cli_refuses_update_with_frozen(capsys):
    assert cli_main(["run", "--update", "--frozen", "--reports-dir", "/nonexistent/reports"]) == 2
    assert "--update fetches new vintages but --frozen pins the locked ones" in capsys.readouterr().err
