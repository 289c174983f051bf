"""The sweep engine (research.sweep) and its place on the scorecard (research.report.scorecard, research.family).

Toy frames with hand-computed shares and influence; grids with a validity hook, per-aspect
defaults and subsets; errors kept as rows; serial and Dask runs (a LocalCluster started here, and
an existing cluster by its scheduler address) giving identical frames; the ``research sweep``
command's overrides; and the multiple-testing family with Holm and Benjamini-Hochberg checked
against values computed by hand and against statsmodels.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from research import family as multiple_testing
from research import sweep
from research.errors import ParameterError
from research.report import scorecard
from research.runner import sweep_cmd
from research.runner.registry import Report
from research.sweep import Grid
from research.verdict import Verdict

# -- toy estimate functions (module-level: evaluate() resolves them by name) ------------------------


def toy_estimate(*, a: int, b: str, scale: float = 1.0) -> dict:
    est = scale * (a + (10 if b == "y" else 0))
    label = "supported" if est > 5 else "inconclusive"
    return {"estimate": est, "lower": est - 1, "upper": est + 1, "label": label, "n": a}


def toy_valid(spec: dict) -> bool:
    return not (spec["a"] == 3 and spec["b"] == "y")


def toy_refuses(*, a: int, b: str) -> dict:
    if a == 1:
        raise ParameterError("a = 1 cannot be tested\nsecond line")
    if a == 2:
        raise ZeroDivisionError("division by zero")
    if a == 3:
        return {"estimate": 1.0, "label": "maybe"}
    return toy_estimate(a=a, b=b)


def toy_reads_dgs2(*, a: int) -> dict:
    from research import data

    data.load("dgs2")
    return toy_estimate(a=a, b="x")


TOY = Grid(claim="T1", title="toy", choices={"a": (1, 2, 3), "b": ("x", "y")},
           estimate="test_sweep:toy_estimate", statistic_name="toy", default={"a": 2, "b": "x"},
           valid="test_sweep:toy_valid", fixed={"scale": 1.0})


# -- grids --------------------------------------------------------------------------------------------


def test_specs_cross_the_choices_and_drop_what_the_hook_refuses():
    specs = TOY.specs()
    assert specs == [{"a": 1, "b": "x"}, {"a": 1, "b": "y"}, {"a": 2, "b": "x"}, {"a": 2, "b": "y"},
                     {"a": 3, "b": "x"}]
    assert [TOY.is_default(s) for s in specs] == [False, False, True, False, False]


def test_aspect_defaults_complete_the_default_for_each_aspect():
    grid = Grid(claim="T2", title="t", choices={"aspect": ("p", "q"), "k": ("—", 1, 2), "m": (5, 6)},
                estimate="test_sweep:toy_estimate", statistic_name="s", default={"m": 5}, aspect="aspect",
                aspect_defaults={"p": {"k": "—"}, "q": {"k": 2}})
    assert grid.defaults() == [{"m": 5, "aspect": "p", "k": "—"}, {"m": 5, "aspect": "q", "k": 2}]
    assert grid.is_default({"aspect": "q", "k": 2, "m": 5})
    assert not grid.is_default({"aspect": "q", "k": 1, "m": 5})
    assert not grid.is_default({"aspect": "p", "k": 2, "m": 5})


def test_subset_is_evenly_spaced_and_keeps_the_default():
    grid = Grid(claim="T3", title="t", choices={"a": tuple(range(100))}, estimate="x:y", statistic_name="s",
                default={"a": 97})
    specs = grid.specs()
    picked = sweep.subset(grid, specs, 10)
    assert len(picked) == 10
    assert {"a": 97} in picked and picked[0] == {"a": 0}
    assert sweep.subset(grid, specs, 0) == specs and sweep.subset(grid, specs, 500) == specs


def test_evaluate_keeps_refusals_and_errors_as_rows():
    rows = {a: sweep.evaluate("test_sweep:toy_refuses", {"a": a, "b": "x"}) for a in (1, 2, 3, 4)}
    assert rows[1]["label"] == "skipped" and rows[1]["error"] == "a = 1 cannot be tested"
    assert rows[2]["label"] == "error" and rows[2]["error"] == "ZeroDivisionError: division by zero"
    assert rows[3]["label"] == "error" and "label 'maybe'" in rows[3]["error"]
    assert rows[4]["label"] == "inconclusive" and rows[4]["estimate"] == 4 and rows[4]["error"] == ""
    assert np.isnan(rows[1]["estimate"]) and rows[1]["a"] == 1
    assert isinstance(rows[4]["_inputs"], dict)  # what this process read, for the kernel's provenance


def test_a_batch_names_the_research_modules_its_estimate_reaches():
    import research.claims.easing  # noqa: F401 - imported in this process, but not by the toy estimate
    from research import provenance
    from research.runner.state import current_module_sha256

    out = sweep.evaluate_many("test_sweep:toy_estimate", [{"a": 1, "b": "x"}, {"a": 4, "b": "y"}], {"scale": 1.0})
    assert [r["estimate"] for r in out["rows"]] == [1.0, 14.0]
    modules = out["modules"]
    # what this module imports, at any depth (research.sweep imports research.errors), and their packages
    assert {"research", "research.sweep", "research.errors", "research.family", "research.report"} <= set(modules)
    assert "research.claims.easing" not in modules
    # research.family reads the claim catalog: the catalog and its package's __init__ count, not its siblings
    assert {"research.claims", "research.claims.catalog"} <= set(modules)
    assert not {m for m in modules if m.startswith("research.claims.")} - {"research.claims.catalog"}
    import research.claims.rates  # noqa: F401 - resolved by the first specification of a batch
    import research.data.french  # noqa: F401 - what research.data imports lazily, when it loads data
    modules = sweep.evaluate_many("research.claims.rates:grid_valid", [], {})["modules"]
    assert {"research.claims.rates", "research.data", "research.data.sizes", "research.data.french"} <= set(modules)
    assert "research.claims.easing" not in modules
    assert modules["research.sweep"] == current_module_sha256("research.sweep")
    assert "research.claims.easing" in provenance.modules()


def test_serial_sweep_frame():
    frame = sweep.run_sweep(TOY, serial=True)
    assert frame[["a", "b"]].to_dict("records") == TOY.specs()
    assert frame["estimate"].tolist() == [1, 11, 2, 12, 3]
    assert frame["is_default"].tolist() == [False, False, True, False, False]
    assert frame.attrs["backend"] == "serial" and "_inputs" not in frame


# -- shares and influence on toy frames (hand-computed) ---------------------------------------------


def toy_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "size": ["d", "d", "d", "s", "s", "s", "r", "r"],
        "start": [1926, 1963, 1926, 1963, 1926, 1963, 1987, 1987],
        "estimate": [1.0, 2.0, 3.0, 5.0, 7.0, 9.0, np.nan, 0.0],
        "lower": 0.0, "upper": 1.0,
        "label": ["supported", "supported", "contradicted", "inconclusive", "mixed", "supported",
                  "skipped", "error"],
        "is_default": [True] + [False] * 7,
    })


def test_shares_by_hand():
    s = sweep.shares(toy_frame())
    assert (s["specifications"], s["valid"], s["skipped"], s["errors"]) == (8, 6, 1, 1)
    assert s["share_supported"] == pytest.approx(3 / 6)
    assert s["share_contradicted"] == pytest.approx(1 / 6)
    assert s["share_mixed"] == pytest.approx(1 / 6)
    assert s["share_inconclusive"] == pytest.approx(1 / 6)
    assert s["median_estimate"] == pytest.approx(4.0)  # median of 1, 2, 3, 5, 7, 9
    assert s["share_positive"] == 1.0


def test_influence_by_hand():
    inf = sweep.influence(toy_frame(), ["size", "start"])
    # valid estimates 1, 2, 3 (d) and 5, 7, 9 (s): mean 4.5, total SS = 12.25+6.25+2.25+0.25+6.25+20.25 = 47.5
    # size: group means 2 and 7 -> between SS = 3 (2-4.5)^2 + 3 (7-4.5)^2 = 37.5
    # start: 1926 -> 1, 3, 7 (mean 11/3); 1963 -> 2, 5, 9 (mean 16/3): between = 3 (5/6)^2 * 2 = 25/6
    assert inf.index.tolist() == ["size", "start"]
    assert inf.loc["size", "eta_squared"] == pytest.approx(37.5 / 47.5)
    assert inf.loc["start", "eta_squared"] == pytest.approx((25 / 6) / 47.5)
    assert (inf.loc["size", "lowest"], inf.loc["size", "highest"]) == ("d", "s")
    assert inf.loc["size", "spread_of_medians"] == pytest.approx(7 - 2)
    assert inf.loc["start", "median_low"] == 3 and inf.loc["start", "median_high"] == 5
    assert sweep.influence(toy_frame().assign(size="d"), ["size"]).empty  # one value: no influence


@pytest.mark.parametrize(("sup", "con", "inc", "label"), [
    (0.70, 0.05, 0.25, "supported"),
    (0.70, 0.12, 0.18, "mixed"),
    (0.02, 0.90, 0.08, "contradicted"),
    (0.05, 0.05, 0.90, "inconclusive"),
    (0.16, 0.04, 0.80, "mixed"),
    (0.40, 0.00, 0.60, "mixed"),
])
def test_robustness_label(sup, con, inc, label):
    assert sweep.robustness_label({"share_supported": sup, "share_contradicted": con,
                                   "share_inconclusive": inc, "share_mixed": 1 - sup - con - inc}) == label


@pytest.mark.parametrize(("sup", "con", "inc", "label"), [
    # two thirds (ROBUST_SHARE) just below, at and just above; 10% (SPLIT_SHARE) likewise
    (2 / 3 - 1e-9, 0.0, 1 / 3, "mixed"), (2 / 3, 0.0, 1 / 3, "supported"), (2 / 3 + 1e-9, 0.0, 1 / 3, "supported"),
    (0.0, 2 / 3 - 1e-9, 1 / 3, "mixed"), (0.0, 2 / 3, 1 / 3, "contradicted"),
    (0.0, 0.05, 2 / 3 - 1e-9, "mixed"), (0.0, 0.05, 2 / 3, "inconclusive"),
    (0.8, 0.1 - 1e-9, 0.1, "supported"), (0.8, 0.1, 0.1, "mixed"),
    (0.1 - 1e-9, 0.8, 0.1, "contradicted"), (0.1, 0.8, 0.1, "mixed"),
    (0.1 - 1e-9, 0.0, 0.9, "inconclusive"), (0.1, 0.0, 0.9, "mixed"), (0.0, 0.1, 0.9, "mixed"),
])
def test_robustness_label_at_each_boundary(sup, con, inc, label):
    assert sweep.robustness_label({"share_supported": sup, "share_contradicted": con,
                                   "share_inconclusive": inc, "share_mixed": 0.0}) == label


def test_summary_is_json_and_per_aspect():
    grid = Grid(claim="T4", title="t", choices={"aspect": ("p", "q"), "size": ("d", "s", "r"), "start": (1926, 1963, 1987)},
                estimate="x:y", statistic_name="s", default={"size": "d", "start": 1926}, aspect="aspect")
    frame = pd.concat([toy_frame().assign(aspect="p"), toy_frame().assign(aspect="q", estimate=lambda d: -d["estimate"])])
    frame.attrs["backend"] = "serial"
    s = sweep.summarize(grid, frame)
    json.dumps(s, allow_nan=False)
    assert s["valid"] == 12 and s["label"] == "mixed" and s["most_influential"] is None
    p = s["by_aspect"]["p"]
    assert p["share_supported"] == pytest.approx(0.5) and p["default_label"] == "supported"
    assert p["most_influential"]["choice"] == "size"
    assert s["by_aspect"]["q"]["median_estimate"] == pytest.approx(-4.0)
    table = sweep.spec_table(grid, frame)
    assert table.loc[table["aspect"] == "p", "rank"].tolist() == list(range(1, 9))
    assert table.loc[table["aspect"] == "p", "estimate"].iloc[:6].is_monotonic_increasing
    shares = sweep.shares_table(grid, frame)
    assert shares.loc["p", "supported %"] == 50.0 and shares.loc["q", "valid"] == 6


# -- views: the curve of one verdict inside a grid without an aspect choice -----------------------

VIEWS = {"deep": {"depth": (10.0,)}, "shallow": {"depth": (5.0,)},
         "deep, early": {"depth": (10.0, 20.0), "start": (1926,)}}


def view_grid(views=VIEWS) -> Grid:
    return Grid(claim="T5", title="t", choices={"depth": (5.0, 10.0, 20.0), "start": (1926, 1963)},
                estimate="x:y", statistic_name="s", default={"depth": 10.0, "start": 1926}, views=views)


def view_frame() -> pd.DataFrame:
    frame = pd.DataFrame({
        "depth": [5.0, 5.0, 10.0, 10.0, 20.0, 20.0],
        "start": [1926, 1963, 1926, 1963, 1926, 1963],
        "estimate": [1.0, 2.0, -1.0, -2.0, -3.0, np.nan],
        "lower": 0.0, "upper": 1.0,
        "label": ["supported", "supported", "contradicted", "contradicted", "contradicted", "skipped"],
        "is_default": [False, False, True, False, False, False],
    })
    frame.attrs["backend"] = "serial"
    return frame


def test_views_add_their_own_blocks_beside_the_whole_curve():
    s = sweep.summarize(view_grid(), view_frame())
    json.dumps(s, allow_nan=False)
    # the whole grid stays the claim's curve: 5 valid, 2 supported, 3 contradicted -> mixed
    assert (s["valid"], s["share_supported"], s["share_contradicted"], s["label"]) == (5, 0.4, 0.6, "mixed")
    assert s["default_label"] == "contradicted" and s["most_influential"]["choice"] == "depth"
    deep, shallow, early = (s["by_aspect"][k] for k in ("deep", "shallow", "deep, early"))
    assert list(s["by_aspect"]) == ["deep", "shallow", "deep, early"]
    # depth 10: both contradicted; only start varies (-1 at 1926, -2 at 1963), so it explains all
    assert (deep["valid"], deep["share_contradicted"], deep["label"], deep["view"]) == (2, 1.0, "contradicted",
                                                                                        "depth 10.0")
    assert deep["most_influential"]["choice"] == "start" and deep["most_influential"]["eta_squared"] == 1.0
    assert (deep["most_influential"]["lowest"], deep["median_estimate"]) == ("1963", -1.5)
    # depth 5: both supported, and its default is the grid's moved to depth 5 (not the ringed row)
    assert (shallow["valid"], shallow["share_supported"], shallow["label"]) == (2, 1.0, "supported")
    assert shallow["default_label"] == "supported" and view_grid().view_default("shallow") == {
        "depth": 5.0, "start": 1926}
    # two choices at once: depth 10 or 20, start 1926 -> two rows, both contradicted
    assert (early["specifications"], early["valid"], early["share_contradicted"]) == (2, 2, 1.0)
    assert early["view"] == "depth 10.0, 20.0; start 1926"


def test_a_view_without_rows_is_left_out_and_shown_by_name():
    grid, frame = view_grid(), view_frame()
    s = sweep.summarize(grid, frame[frame["depth"] != 5.0])  # e.g. a subset, or another series
    assert list(s["by_aspect"]) == ["deep", "deep, early"]
    table = sweep.shares_table(grid, frame)
    assert table.index.name == "curve"
    assert table.index.tolist() == ["T5", "deep (depth 10.0)", "shallow (depth 5.0)",
                                    "deep, early (depth 10.0, 20.0; start 1926)"]
    assert table.loc["T5", "contradicted %"] == 60.0 and table.loc["shallow (depth 5.0)", "supported %"] == 100.0
    assert table.loc["shallow (depth 5.0)", "default specification"] == "supported"
    boxes = sweep.robustness_verdict(grid, frame).verdicts
    assert [(b.aspect, b.label) for b in boxes] == [
        ("specification curve", "mixed"), ("specification curve: deep (depth 10.0)", "contradicted"),
        ("specification curve: shallow (depth 5.0)", "supported"),
        ("specification curve: deep, early (depth 10.0, 20.0; start 1926)", "contradicted")]
    assert "over 2 reasonable specifications" in boxes[2].hypothesis
    assert boxes[1].hypothesis.startswith("T5, deep (depth 10.0), judged over")  # no brackets in brackets
    assert boxes[0].hypothesis.startswith("T5 judged over")
    inf = sweep.influence_table(grid, frame)
    assert inf.index.names == ["curve", "choice"]
    # within a view, only the choices that still vary there: start (depth fixed), depth (start fixed)
    assert inf.index.tolist() == [("T5", "depth"), ("T5", "start"), ("deep (depth 10.0)", "start"),
                                  ("shallow (depth 5.0)", "start"), ("deep, early (depth 10.0, 20.0; start 1926)", "depth")]


def test_each_view_gets_its_curve_ringed_at_its_own_default():
    import matplotlib

    matplotlib.use("Agg")
    figs = sweep.plot_curves(view_grid(), view_frame())
    assert [f.axes[0].get_title(loc="left") for f in figs] == [
        "T5: t", "T5: deep (depth 10.0)", "T5: shallow (depth 5.0)", "T5: deep, early (depth 10.0, 20.0; start 1926)"]
    # the shallow view's ring sits on its own default (depth 5, 1926: estimate 1.0), not on the grid's
    ring = [c for c in figs[2].axes[0].collections if c.get_label() == "default specification"]
    assert ring[0].get_offsets().tolist() == [[0.0, 1.0]]


def test_the_sweep_command_prints_the_whole_curve_then_each_view(tmp_path):
    from research.runner.state import state_path

    summary = sweep.summarize(view_grid(), view_frame())
    path = state_path(tmp_path, "robustness_t5")
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"status": "ok", "success": {"extra": {"spec_curve": summary}}}))
    lines = sweep_cmd.sweep_lines(tmp_path, ["robustness_t5"])
    assert [line.split(":")[0] for line in lines] == ["T5", "T5 deep (depth 10.0)", "T5 shallow (depth 5.0)",
                                                      "T5 deep, early (depth 10.0, 20.0; start 1926)"]
    assert "5 specifications, supported 40%, contradicted 60%" in lines[0] and lines[0].endswith("robustness_t5.html")
    assert "2 specifications, supported 100%, contradicted 0%" in lines[2] and "-> supported" in lines[2]


@pytest.mark.parametrize(("change", "message"), [
    ({"views": {"v": {"depth": (7.5,)}}}, r"view 'v' of the T5 grid: \[7.5\] not among the values of 'depth'"),
    ({"views": {"v": {"horizon": (1,)}}}, "'horizon' is not a choice of the grid; its choices are depth, start"),
    ({"views": {"v": {"depth": "5.0"}}}, "as a non-empty tuple"),
    ({"views": {"v": {"depth": ()}}}, "as a non-empty tuple"),
    ({"views": {"v": {}}}, "keeps nothing"),
    ({"views": {"v": {"depth": (5.0,)}}, "aspect": "start"}, "both would fill summary\\['by_aspect'\\]"),
])
def test_a_view_is_checked_when_the_grid_is_built(change, message):
    import dataclasses

    with pytest.raises(ParameterError, match=message):
        dataclasses.replace(view_grid(), **change)
    assert dataclasses.replace(view_grid(), views={"v": {"depth": (5.0, 20.0)}}).views  # known values pass


def test_plot_curve_draws_every_estimate():
    import matplotlib

    matplotlib.use("Agg")
    fig = sweep.plot_curve(toy_frame(), {"size": ("d", "s", "r"), "start": (1926, 1963, 1987)}, title="toy")
    top, bottom = fig.axes
    assert sum(len(c.get_offsets()) for c in top.collections if hasattr(c, "get_offsets")) >= 6
    labels = [t.get_text() for t in bottom.get_yticklabels()]
    assert labels == ["size = d", "size = s", "start = 1926", "start = 1963"]  # grid order; r has no estimate
    assert "no estimate" not in bottom.get_xlabel()  # the skipped and error rows are not labelled specs


# -- serial == Dask (real grids, real data) ----------------------------------------------------------


@pytest.mark.mirror
@pytest.mark.slow
def test_serial_and_local_cluster_give_identical_results(mirror_env):
    from research.claims import grid as claim_grid
    from research.data.sizes import clear_caches

    clear_caches()
    grid = claim_grid("C1")
    serial = sweep.run_sweep(grid, serial=True, max_specs=24)
    dask = sweep.run_sweep(grid, workers=2, max_specs=24)
    assert dask.attrs["backend"] == "dask LocalCluster, 2 workers"
    columns = [c for c in serial.columns if c != "seconds"]
    pd.testing.assert_frame_equal(serial[columns], dask[columns], check_exact=True)
    assert (serial["label"].isin(sweep.LABELS)).all()


@pytest.mark.mirror
@pytest.mark.slow
def test_existing_cluster_by_scheduler_address(mirror_env):
    from distributed import LocalCluster

    from research import provenance
    from research.claims import grid as claim_grid
    from research.data.sizes import clear_caches

    clear_caches()
    grid = claim_grid("C5")
    serial = sweep.run_sweep(grid, serial=True, max_specs=16)
    provenance.reset()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=40) as cluster:
        remote = sweep.run_sweep(grid, scheduler=cluster.scheduler_address, max_specs=16)
    assert remote.attrs["backend"] == f"dask cluster at {cluster.scheduler_address}"
    columns = [c for c in serial.columns if c != "seconds"]
    pd.testing.assert_frame_equal(serial[columns], remote[columns], check_exact=True)
    # the workers' reads reach this process's provenance, so the runner can key the report on them
    assert {"me_bm_6_daily", "rut", "gspc"} <= set(provenance.inputs())


# -- the research sweep command ---------------------------------------------------------------------


def test_sweep_overrides_only_what_differs_from_the_notebook():
    assert sweep_cmd.sweep_overrides() == {}
    assert sweep_cmd.sweep_overrides(serial=True) == {"serial": True}
    assert sweep_cmd.report_name("C3") == "robustness_c3"


def test_sweep_command_rejects_an_unknown_claim(capsys):
    from research.cli import main

    assert main(["sweep", "C9"]) == 2
    assert "no specification grid for C9" in capsys.readouterr().err


def test_every_grid_has_a_robustness_report_in_the_registry():
    from research.claims import grids
    from research.runner.registry import declared_parameters, load_registry

    registry = load_registry()
    for claim in grids():
        report = registry.reports[sweep_cmd.report_name(claim)]
        assert report.notebook.name == "spec_curve.ipynb" and report.parameters == {"claim": claim}
        assert report.claims == ()  # not a verdict of its own: the scorecard shows it beside the claim's
    assert set(declared_parameters(registry.reports["robustness_c1"].notebook)) == {
        "claim", "small_large", "scheduler", "workers", "serial", "max_specs"}


# -- the scorecard: specification curves and the multiple-testing family ------------------------------


def test_holm_and_benjamini_hochberg_by_hand():
    p = [0.01, 0.04, 0.03, 0.005]
    # sorted 0.005, 0.01, 0.03, 0.04; Holm: 4p, 3p, 2p, 1p with a running max
    assert multiple_testing.holm(p) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    # BH: p m / rank with a running min from the top: 0.02, 0.02, 0.04, 0.04
    assert multiple_testing.benjamini_hochberg(p) == pytest.approx([0.02, 0.04, 0.04, 0.02])
    assert multiple_testing.holm([0.5, 0.9]) == [1.0, 1.0] and multiple_testing.benjamini_hochberg([0.5, 0.9]) == [0.9, 0.9]
    assert multiple_testing.holm([]) == [] and multiple_testing.benjamini_hochberg([]) == []


def test_adjustments_match_statsmodels():
    from statsmodels.stats.multitest import multipletests

    p = np.random.default_rng(7).uniform(0, 0.2, 14).tolist() + [0.0, 0.9]
    assert multiple_testing.holm(p) == pytest.approx(multipletests(p, method="holm")[1].tolist(), abs=1e-12)
    assert multiple_testing.benjamini_hochberg(p) == pytest.approx(multipletests(p, method="fdr_bh")[1].tolist(), abs=1e-12)


def _state(name, verdicts, extra=None, status="ok"):
    return {"status": status, "success": {"ran_at": "2025-11-01T06:00:00Z", "html": f"{name}.html",
                                          "verdicts": [v.to_dict() for v in verdicts], "extra": extra or {}}}


SPEC_C1 = {"claim": "C1", "valid": 1008, "specifications": 1008, "share_supported": 0.16, "share_contradicted": 0.04,
           "share_mixed": 0.0, "share_inconclusive": 0.80, "label": "mixed"}
SPEC_C3 = {"claim": "C3", "valid": 360, "share_supported": 0.2, "share_contradicted": 0.1, "share_mixed": 0.0,
           "share_inconclusive": 0.7, "label": "mixed",
           "by_aspect": {"value tilt": {"valid": 60, "share_supported": 0.45, "share_contradicted": 0.0,
                                        "share_mixed": 0.0, "share_inconclusive": 0.55, "label": "mixed"}}}
C1_VERDICT = Verdict(claim="C1", label="inconclusive", hypothesis="h", statistic=3.0, interval=(-4.5, 14.7),
                     interval_level=0.90, n=8)
FAMILY_C1 = {"claim": "C1", "aspect": "", "statistic": 3.0, "lower": -4.5, "upper": 14.7, "p_value": 0.6854,
             "basis": "bootstrap"}


def scorecard_fixture(family_item=FAMILY_C1):
    reports = [
        Report("easing", Path("easing_cycles.ipynb"), claims=("C1",)),
        Report("easing_russell", Path("easing_cycles.ipynb"), claims=("C1",)),
        Report("rates", Path("rate_sensitivity.ipynb"), claims=("C2",)),
        Report("quality", Path("quality_tilt.ipynb"), claims=("C3",)),
        Report("froth", Path("froth.ipynb"), claims=("C4",)),
        Report("robustness_c1", Path("spec_curve.ipynb"), parameters={"claim": "C1"}),
        Report("robustness_c3", Path("spec_curve.ipynb"), parameters={"claim": "C3"}),
        Report("robustness_c2", Path("spec_curve.ipynb"), parameters={"claim": "C2"}),
        Report("robustness_c4", Path("spec_curve.ipynb"), parameters={"claim": "C4"}),
    ]
    states = {
        "easing": _state("easing", [C1_VERDICT], extra={"robustness_share": 0.83}),
        "easing_russell": _state("easing_russell", [Verdict(claim="C1", label="inconclusive", hypothesis="h",
                                                            statistic=-4.7, interval=(-8.6, 0.5), n=5)]),
        "rates": _state("rates", [Verdict(claim="C2", aspect=a, label="contradicted", hypothesis="h", statistic=1.0,
                                          interval=(0.1, 2.0), interval_level=0.95, p_value=p)
                                  for a, p in (("2-year yield", 0.01), ("10-year yield", 0.04))]),
        "quality": _state("quality", [Verdict(claim="C3", aspect="value tilt", label="inconclusive", hypothesis="h",
                                              statistic=0.02, p_value=0.03)]),
        "froth": _state("froth", [Verdict(claim="C4", aspect="junk leadership", label="supported", hypothesis="h",
                                          statistic=99.5, p_value=0.005),
                                  Verdict.not_testable("C4", "named sectors", "no data")]),
        "robustness_c1": _state("robustness_c1", [], extra={"spec_curve": SPEC_C1, "family": [family_item]}),
        "robustness_c3": _state("robustness_c3", [], extra={"spec_curve": SPEC_C3, "family": []}),
        "robustness_c4": _state("robustness_c4", [], extra={"spec_curve": {**SPEC_C1, "claim": "C4"}}),
    }
    return reports, states


def test_family_holds_main_verdicts_with_a_p_value_or_a_matching_bootstrap_p():
    reports, states = scorecard_fixture()
    family, left_out = multiple_testing.testing_family(reports, states)
    assert [(m["claim"], m["aspect"], m["report"].name) for m in family] == [
        ("C1", "", "easing"), ("C2", "2-year yield", "rates"), ("C2", "10-year yield", "rates"),
        ("C3", "value tilt", "quality"), ("C4", "junk leadership", "froth")]  # no variant, no not-testable
    p = [0.6854, 0.01, 0.04, 0.03, 0.005]
    assert [m["p_raw"] for m in family] == p
    # by hand: sorted 0.005 0.01 0.03 0.04 0.6854 -> Holm 5p, 4p, 3p, 2p, 1p with a running max
    assert [m["p_holm"] for m in family] == pytest.approx([0.6854, 0.04, 0.09, 0.09, 0.025])
    # BH: p m / rank, running min from the top: 0.025, 0.025, 0.05, 0.05, 0.6854
    assert [m["p_bh"] for m in family] == pytest.approx([0.6854, 0.025, 0.05, 0.05, 0.025])
    assert left_out == []
    assert family[0]["basis"].startswith("derived")


def test_a_bootstrap_p_for_another_statistic_is_left_out():
    reports, states = scorecard_fixture({**FAMILY_C1, "statistic": 3.1})
    family, left_out = multiple_testing.testing_family(reports, states)
    assert "C1" not in {m["claim"] for m in family}
    assert len(left_out) == 1 and left_out[0].startswith("C1: the specification curve's bootstrap p-value")
    reports, states = scorecard_fixture({**FAMILY_C1, "upper": 15.0})
    assert "C1" not in {m["claim"] for m in multiple_testing.testing_family(reports, states)[0]}


def rows_of(page: str, claim: str) -> list[str]:
    return re.findall(rf'<tr data-claim="{claim}">(.*?)</tr>', page)


def test_scorecard_shows_shares_beside_each_verdict_and_adjusted_p_values():
    reports, states = scorecard_fixture()
    page = scorecard.index_html(reports, states, generated_at="now")
    c1 = rows_of(page, "C1")
    assert len(c1) == 2  # the specification curve adds no row of its own
    for row in c1:
        assert 'href="robustness_c1.html"' in row and "16% supported · 4% contradicted · 80% inconclusive" in row
        assert "of 1,008 specifications" in row and ">mixed</span>" in row
    assert "the report&#x27;s own checks agree: 83%" in c1[0] or "the report's own checks agree: 83%" in c1[0]
    assert "bootstrap p 0.685 · Holm p 0.685 · BH p 0.685" in c1[0]
    assert "Holm" not in c1[1]  # a variant report is not in the family
    (c3,) = rows_of(page, "C3")
    assert "45% supported · 55% inconclusive" in c3 and "on value tilt" in c3  # the aspect's own curve
    assert "Holm p 0.090 · BH p 0.050" in c3
    c2 = rows_of(page, "C2")
    assert all("specification curve not run yet" in r and "research sweep C2" in r for r in c2)
    assert "Holm p 0.040 · BH p 0.025" in c2[0]
    c4 = rows_of(page, "C4")
    assert 'data-spec-curve="C4"' in c4[0]
    assert "not testable" in c4[1] and "data-spec-curve" not in c4[1]  # a curve of another hypothesis
    section = page[page.index('id="multiple-testing"'):]
    assert section.count("<tr data-family=") == 5 and "Benjamini-Hochberg" in section
    family_rows = re.findall(r"<tr data-family=.*?</tr>", section)
    assert "<td>no / no (at 0.1)</td>" in family_rows[0]  # C1: 0.685 at its 90% interval's level
    assert "<td>yes / yes (at 0.05)</td>" in family_rows[1]  # C2 2-year: Holm 0.04, BH 0.025 < 0.05
    assert "<td>no / no (at 0.05)</td>" in family_rows[2]  # C2 10-year: Holm 0.09, BH 0.05 (not below)
    assert "<td>—</td>" in family_rows[3]  # C3's fixture verdict states no interval, so no level
    reports_section = page[page.index('id="reports"'):]
    assert "C1 (specification curve)" in reports_section


def test_each_report_is_paired_with_the_curve_of_its_own_series_and_headlined_by_the_rule():
    reports, states = scorecard_fixture()
    reports[1] = Report("easing_russell", Path("easing_cycles.ipynb"), claims=("C1",),
                        parameters={"small_large": "russell"})
    russell_curve = {**SPEC_C1, "valid": 120, "share_supported": 0.0, "share_contradicted": 0.45,
                     "share_inconclusive": 0.55, "small_large": "russell"}
    reports.append(Report("robustness_c1_russell", Path("spec_curve.ipynb"),
                          parameters={"claim": "C1", "small_large": "russell"}))
    states["robustness_c1_russell"] = _state("robustness_c1_russell", [], extra={"spec_curve": russell_curve})
    curves = multiple_testing.spec_curves(reports, states)
    assert curves[("C1", "")][0].name == "robustness_c1" and curves[("C1", "russell")][0].name == "robustness_c1_russell"
    c1 = rows_of(scorecard.index_html(reports, states, generated_at="now"), "C1")
    assert "16% supported" in c1[0] and "45% contradicted · 55% inconclusive" in c1[1]
    assert "16% supported" not in c1[1] and 'href="robustness_c1_russell.html"' in c1[1]
    # C2 2-year: contradicted, Holm 0.04 < 0.05, but no curve of its own yet -> fragile beside the raw label
    (c2_two, _) = rows_of(scorecard.index_html(reports, states, generated_at="now"), "C2")
    assert ">contradicted, fragile</span>" in c2_two and "default specification: contradicted" in c2_two
    assert "no specification curve of its own series yet" in c2_two


def c2_summary_split_by_maturity() -> dict:
    """C2's real grid with made-up labels: every 2-year specification contradicts the claim,
    every 10-year one supports it, so the whole curve (264 vs 444) is mixed."""
    from research.claims import rates

    grid = rates.GRID
    frame = pd.DataFrame(grid.specs())
    two = frame["yield_series"].isin(["dgs2", "gs2"])
    frame = frame.assign(label=np.where(two, "contradicted", "supported"), estimate=np.where(two, 1.0, -1.0),
                         lower=0.0, upper=1.0, is_default=[grid.is_default(s) for s in grid.specs()])
    return sweep.summarize(grid, frame)


def test_each_verdict_is_headlined_by_its_own_views_curve():
    summary = c2_summary_split_by_maturity()
    assert summary["label"] == "mixed" and summary["valid"] == 708
    assert set(summary["by_aspect"]) == {"2-year yield", "10-year yield"}  # the verdicts' own aspects
    reports, states = scorecard_fixture()
    states["robustness_c2"] = _state("robustness_c2", [], extra={"spec_curve": summary, "family": []})
    curves = multiple_testing.spec_curves(reports, states)
    two_year = multiple_testing.curve_block(curves[("C2", "")], "2-year yield")
    assert (two_year["valid"], two_year["share_contradicted"]) == (264, 1.0)
    assert multiple_testing.curve_block(curves[("C2", "")], "10-year yield")["share_supported"] == 1.0
    family = multiple_testing.testing_family(reports, states)[0]
    verdicts = [Verdict.from_dict(v) for v in states["rates"]["success"]["verdicts"]]
    heads = [multiple_testing.headline(v, reports[2], states["rates"], family, curves) for v in verdicts]
    # 2-year: Holm 0.04 < 0.05 and all of its own curve agrees (the whole curve, 37% agreeing
    # against 63% supported, would make it "mixed"); 10-year: its own curve all points the other way
    assert [h.label for h in heads] == ["contradicted", "mixed"]
    assert "100% supported" in heads[1].reason
    c2 = rows_of(scorecard.index_html(reports, states, generated_at="now"), "C2")
    assert "100% contradicted" in c2[0] and "of 264 specifications on 2-year yield (yield_series dgs2, gs2)" in c2[0]
    assert "100% supported" in c2[1] and "on 10-year yield (yield_series dgs10, gs10)" in c2[1]


def test_c6_views_are_its_verdicts_depths():
    from research.claims import drawdowns, rates

    g = drawdowns.GRID
    assert list(g.views) == [a for a, _ in g.family] == ["drawdowns >= 10%", "drawdowns >= 5%"]
    assert [g.view_default(a) for a, _ in g.family] == [spec for _, spec in g.family]  # the reports' own specs
    assert rates.GRID.view_default("10-year yield") == {**rates.GRID.default, "yield_series": "dgs10"}


def test_a_variant_is_adjusted_in_place_of_its_main_verdict():
    reports, states = scorecard_fixture()
    family = multiple_testing.testing_family(reports, states)[0]
    # the variant's p replaces C1's 0.6854: sorted 0.005 0.01 0.02 0.03 0.04 -> Holm 3 x 0.02 = 0.06
    assert multiple_testing.holm_in_place_of(family, "C1", "", 0.02) == pytest.approx(0.06)
    # a claim with no member is appended: six tests, 0.001 is the smallest -> 6 x 0.001
    assert multiple_testing.holm_in_place_of(family, "C6", "", 0.001) == pytest.approx(0.006)


# -- inputs per specification, not per process (the run's one cluster serves several reports) ------

def _noting_load(name: str) -> int:
    from research import provenance

    provenance.note_input(name, {"sha256": name * 2})
    return len(name)


def test_a_specification_records_its_own_inputs_cache_hits_included():
    """On a worker shared by two reports' sweeps, each row names only the data its specification
    used: a cached result replays the inputs it was computed from, and another report's reads
    (earlier in the same process) are not credited to it."""
    from research import provenance
    from research.data.sizes import cached

    calls = []

    @cached(maxsize=4)
    def derived(name: str) -> int:
        calls.append(name)
        return _noting_load(name) * 10

    with provenance.recording() as first:
        assert derived("ff5_factors") == 110
    with provenance.recording() as other:  # another report's specification, same process
        _noting_load("rut")
    with provenance.recording() as again:  # a cache hit: no load, still credited
        assert derived("ff5_factors") == 110
    assert calls == ["ff5_factors"]
    assert set(first) == set(again) == {"ff5_factors"} and set(other) == {"rut"}
    with provenance.recording() as outer, provenance.recording() as inner:  # nested: both see the hit
        derived("ff5_factors")
    assert set(outer) == set(inner) == {"ff5_factors"}
    derived.cache_clear()
    derived("ff5_factors")
    assert calls == ["ff5_factors", "ff5_factors"]


@pytest.mark.mirror
def test_rows_of_two_claims_in_one_process_name_only_their_own_data(mirror_env):
    """Regression: rows carried everything the process had read, so on the run's shared cluster
    robustness_c7 recorded ff5_factors (C3's data) and was re-run for a new ff5 vintage."""
    from research.claims import grid as claim_grid
    from research.data.sizes import clear_caches

    clear_caches()
    c3, c5 = claim_grid("C3"), claim_grid("C5")
    spec3 = next(s for s in c3.specs() if c3.is_default(s))
    spec5 = next(s for s in c5.specs() if c5.is_default(s))
    row3 = sweep.evaluate(c3.estimate, spec3, c3.fixed)
    row5 = sweep.evaluate(c5.estimate, spec5, c5.fixed)
    again = sweep.evaluate(c3.estimate, spec3, c3.fixed)  # every cache warm now
    assert row3["label"] in sweep.LABELS and row5["label"] in sweep.LABELS, (row3["error"], row5["error"])
    assert "ff5_factors" in row3["_inputs"] and "ff5_factors" not in row5["_inputs"]
    assert set(again["_inputs"]) == set(row3["_inputs"])
    assert {"rut", "gspc"}.isdisjoint(row3["_inputs"])


# -- data missing: asked once per batch, not once per specification --------------------------------


@pytest.fixture
def unreachable(monkeypatch) -> list[str]:
    """Every raw-file lookup fails as with no copy, no mirror and the publisher unreachable;
    returns the list of datasets looked up, one entry per attempt."""
    from research import data
    from research.errors import DataUnavailable

    asked: list[str] = []

    def resolve(ds, *_args, **_kw):
        asked.append(ds.name)
        raise DataUnavailable(ds.name, ["download: cannot reach the server"])

    monkeypatch.setattr(data._fetch, "resolve", resolve)
    return asked


def test_failing_fast_looks_for_a_missing_dataset_once_inside_and_every_time_outside(unreachable):
    from research import data
    from research.errors import DataUnavailable

    for _ in range(2):  # outside the block: every load tries again (the network may be back)
        with pytest.raises(DataUnavailable):
            data.load("dgs2")
    assert unreachable == ["dgs2", "dgs2"]
    with data.failing_fast():
        messages = []
        for name in ("dgs2", "DGS2", "dgs10", "dgs2"):
            with pytest.raises(DataUnavailable) as err:
                data.load(name)
            messages.append(str(err.value))
    assert unreachable == ["dgs2", "dgs2", "dgs2", "dgs10"]  # once each inside the block
    assert messages[0] == messages[1] == messages[3] and "dgs2" in messages[0] and "dgs10" in messages[2]
    with pytest.raises(DataUnavailable):  # the block's memory ends with it
        data.load("dgs2")
    assert unreachable[-1] == "dgs2" and len(unreachable) == 5


def test_a_batch_and_a_serial_sweep_look_for_missing_data_once(unreachable):
    batch = sweep.evaluate_many("test_sweep:toy_reads_dgs2", [{"a": a} for a in range(1, 6)])
    assert [r["label"] for r in batch["rows"]] == ["error"] * 5
    assert all(r["error"].startswith("DataUnavailable: dataset 'dgs2'") for r in batch["rows"])
    assert unreachable == ["dgs2"]
    grid = Grid(claim="T9", title="t", choices={"a": (1, 2, 3, 4)}, estimate="test_sweep:toy_reads_dgs2",
                statistic_name="s", default={"a": 1})
    frame = sweep.run_sweep(grid, serial=True)
    assert list(frame["label"]) == ["error"] * 4 and unreachable == ["dgs2", "dgs2"]
