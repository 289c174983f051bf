"""The report runner end to end on fixture notebooks: run, skip, re-run, fail, lock, kill -9.

No sleeps and no timing assertions: "no kernel started" is read from the run summary, and the
kill -9 test waits for a marker file the notebook writes.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from runner_project import (
    PKG,
    PYTHON,
    cli_env,
    frozen_module_sha,
    kill_9_when,
    make_project,
    processes_with_cwd_under,
    snapshot,
    wait_for,
    write_registry,
)

from research import runner
from research.cli import main as cli_main
from research.errors import ParameterError, RunLocked
from research.runner import orchestrate
from research.runner.lock import RunLock

INPUTS = {"dgs2": "sha-a", "ff5": "sha-b"}

REPORTS = {
    "ok": {"notebook": "verdict.ipynb", "claims": ["C1"], "title": "OK report",
           "parameters": {"modules": ["research.stats"]}},
    "other": {"notebook": "verdict_b.ipynb", "claims": ["C3"],
              "parameters": {"claim": "C3", "input_name": "ff5", "input_sha": "sha-b",
                             "aspects": ["value tilt", "less profitable"], "draw": False,
                             "modules": ["research.family"]}},
    "bad": {"notebook": "broken.ipynb", "claims": ["C2"], "parameters": {"fail": False}},
}


def run(registry: Path, reports: Path, inputs: dict[str, str] | None = None, **kw) -> runner.RunSummary:
    shas = dict(INPUTS if inputs is None else inputs)
    kw.setdefault("package_sha", PKG)
    kw.setdefault("module_sha", frozen_module_sha)
    return runner.run(registry_path=registry, reports_dir=reports, input_sha=shas.get, **kw)


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """A project whose three reports ran once, successfully."""
    root = tmp_path_factory.mktemp("published")
    registry, reports = make_project(root, REPORTS, {"verdict_b.ipynb": "verdict.ipynb"})
    summary = run(registry, reports)
    assert [r.status for r in summary.executed] == ["ok"] * 3, summary.executed
    return root


@pytest.fixture
def project(published, tmp_path):
    """A private copy of the published project (registry, notebooks, reports)."""
    root = tmp_path / "project"
    shutil.copytree(published, root)
    return root / "notebooks" / "reports.toml", root / "reports"


def executed(summary: runner.RunSummary) -> list[str]:
    return sorted(r.name for r in summary.executed)


# -- success, skip, incremental ------------------------------------------------------------------
def test_first_run_publishes_reports_state_and_index(project):
    registry, reports = project
    html = (reports / "ok.html").read_text()
    assert 'class="verdict"' in html and "<h1>OK report</h1>" in html
    assert "data:image/png;base64," in html
    assert "provenance.note_input" not in html and "check_parameters" not in html
    assert (reports / "ok.ipynb").is_file()
    state = json.loads((reports / "_state" / "other.json").read_text())
    assert state["status"] == "ok"
    assert state["success"]["inputs"]["ff5"]["sha256"] == "sha-b"
    assert [v.get("aspect") for v in state["success"]["verdicts"]] == ["", "value tilt", "less profitable"]
    assert {"ran_at", "seconds", "key", "components"} <= set(state["success"])
    index = (reports / "index.html").read_text()
    assert 'href="ok.html"' in index and "value tilt" in index
    assert not list(reports.glob(".run-*")), "scratch folder left behind"


def test_second_run_skips_everything_without_a_kernel(project):
    registry, reports = project
    before = snapshot(reports)
    summary = run(registry, reports)
    assert summary.kernels_started == 0 and summary.executed == []
    assert [d.describe() for d in summary.decisions] == ["skip: key unchanged"] * 3
    assert summary.exit_code == 0
    after = snapshot(reports)
    assert {k: v for k, v in after.items() if k != "index.html"} == {k: v for k, v in before.items() if k != "index.html"}


def test_parameter_change_reruns_only_that_report(project):
    registry, reports = project
    changed = {**REPORTS, "ok": {**REPORTS["ok"], "parameters": {"statistic": 0.9}}}
    write_registry(registry.parent.parent, changed)
    summary = run(registry, reports)
    assert executed(summary) == ["ok"]
    assert summary.executed[0].reasons == ("parameters changed",)
    assert "statistic = 0.9" in (reports / "ok.html").read_text()


def test_notebook_code_change_reruns_only_that_report_but_prose_does_not(project):
    registry, reports = project
    path = registry.parent / "verdict_b.ipynb"
    nb = json.loads(path.read_text())
    md = next(c for c in nb["cells"] if c["cell_type"] == "markdown")
    md["source"] = "# Fixture report, retitled\n\nProse edits do not re-run a report."
    path.write_text(json.dumps(nb))
    assert run(registry, reports).executed == []
    code = [c for c in nb["cells"] if c["cell_type"] == "code"][-1]
    code["source"] = "".join(code["source"]) + "\n# a code edit\n"
    path.write_text(json.dumps(nb))
    summary = run(registry, reports)
    assert executed(summary) == ["other"]
    assert summary.executed[0].reasons == ("notebook changed",)


def test_input_change_reruns_only_the_reports_that_read_it(project):
    registry, reports = project
    summary = run(registry, reports, inputs={"dgs2": "sha-a", "ff5": "sha-NEW"})
    assert executed(summary) == ["other"]
    assert summary.executed[0].reasons == ("input ff5 changed",)


def edited(*names: str):
    """The modules' real source hashes, except ``names``, which read as edited."""
    from research.runner.state import current_module_sha256

    return lambda name: "edited-" + name if name in names else current_module_sha256(name)


def test_state_records_the_research_modules_each_kernel_imported(project):
    from research.runner.state import current_module_sha256

    registry, reports = project
    modules = {n: json.loads((reports / "_state" / f"{n}.json").read_text())["success"]["components"]["modules"]
               for n in REPORTS}
    assert {"research", "research.verdict", "research.params", "research.provenance"} <= set(modules["bad"])
    assert "research.stats" in modules["ok"] and "research.stats" not in modules["other"]
    assert "research.family" in modules["other"] and "research.family" not in modules["ok"]
    assert "research.runner.state" not in modules["ok"]  # the runner is not the kernel's code
    assert modules["ok"]["research.stats"] == current_module_sha256("research.stats")


@pytest.mark.parametrize(("module", "reruns"), [
    ("research.stats", ["ok"]),                 # what imports stats, nothing else
    ("research.family", ["other"]),
    ("research.params", ["bad", "ok", "other"]),  # every notebook checks its parameters
    ("research.data.fetch", []),                # imported by no kernel here
])
def test_editing_a_module_reruns_only_the_reports_that_imported_it(project, module, reruns):
    registry, reports = project
    summary = run(registry, reports, module_sha=edited(module))
    assert executed(summary) == reruns
    assert all(r.reasons == (f"module {module} changed",) for r in summary.executed)


def test_list_names_the_changed_module(project, capsys, monkeypatch):
    registry, reports = project
    monkeypatch.setattr(orchestrate, "current_module_sha256", edited("research.family"))
    rows = runner.status(registry_path=registry, reports_dir=reports, input_sha=INPUTS.get,
                         module_sha=edited("research.family"))
    assert {d.name: d.reasons for _, d, _ in rows}["other"] == ("report page code changed",
                                                                "module research.family changed")
    assert cli_main(["list", "--registry", str(registry), "--reports-dir", str(reports)]) == 0
    line = next(ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("other "))
    assert "module research.family changed" in line


CLAIM_REPORTS = {  # as the real registry: two C1 reports, one on C5, one that also uses C1's module
    "c1": {"notebook": "verdict.ipynb", "parameters": {"draw": False, "modules": ["research.claims.easing"]}},
    "c1_russell": {"notebook": "verdict.ipynb",
                   "parameters": {"draw": False, "statistic": 0.2, "modules": ["research.claims.easing"]}},
    "c5": {"notebook": "verdict.ipynb", "parameters": {"draw": False, "modules": ["research.claims.technicals"]}},
    "cycle": {"notebook": "verdict.ipynb",
              "parameters": {"draw": False, "modules": ["research.claims.cycle", "research.claims.easing"]}},
}


def test_editing_a_claim_module_file_names_exactly_the_reports_that_imported_it(tmp_path, monkeypatch, capsys):
    """A real edit (a comment appended to a copy of research/claims/easing.py): `research run
    --dry-run` and `research list` name the reports whose kernels imported it, and only those."""
    import importlib

    import research

    plan_module = importlib.import_module("research.runner.plan")  # research.runner.plan is also a function
    state_module = importlib.import_module("research.runner.state")

    registry, reports = make_project(tmp_path, CLAIM_REPORTS)
    assert [r.status for r in run(registry, reports).executed] == ["ok"] * 4
    copy = tmp_path / "research"
    shutil.copytree(Path(research.__file__).resolve().parent, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(state_module, "PACKAGE_DIR", copy)  # module hashes are read from the copy
    for module in (orchestrate, plan_module):
        monkeypatch.setattr(module, "render_hash", lambda: PKG)
    monkeypatch.setattr(orchestrate, "input_sha_lookup", lambda: INPUTS.get)
    args = ["--registry", str(registry), "--reports-dir", str(reports)]
    assert cli_main(["run", "--dry-run", *args]) == 0
    assert "dry run: 0 would run, 4 would be skipped" in capsys.readouterr().out  # the copy is identical

    easing = copy / "claims" / "easing.py"
    easing.write_text(easing.read_text() + "\n# a comment\n")
    assert cli_main(["run", "--dry-run", *args]) == 0
    out = capsys.readouterr().out
    lines = {ln.split(":")[0]: ln for ln in out.splitlines() if ":" in ln and not ln.startswith("dry run")}
    assert {n for n, ln in lines.items() if "module research.claims.easing changed" in ln} == {"c1", "c1_russell", "cycle"}
    assert lines["c5"] == "c5: skip: key unchanged"
    assert "dry run: 3 would run, 1 would be skipped" in out
    assert cli_main(["list", *args]) == 0
    listed = {ln.split()[0]: ln for ln in capsys.readouterr().out.splitlines() if ln.split()}
    assert {n for n in CLAIM_REPORTS if "module research.claims.easing changed" in listed[n]} == {"c1", "c1_russell", "cycle"}
    assert listed["c5"].split()[1] == "fresh" and "module" not in listed["c5"]


def test_state_without_module_record_is_stale_and_says_why(project):
    registry, reports = project
    path = reports / "_state" / "ok.json"
    state = json.loads(path.read_text())
    del state["success"]["components"]["modules"]  # a state file written before modules were recorded
    path.write_text(json.dumps(state))
    summary = run(registry, reports)
    assert executed(summary) == ["ok"]
    assert summary.executed[0].reasons == ("no record of the research modules it imported "
                                           "(ran before modules were recorded)",)
    assert run(registry, reports).executed == []


def test_sweeping_reports_get_the_runs_scheduler_and_others_do_not_need_it(project):
    from research.runner.cluster import uses_cluster

    registry, reports = project
    summary = run(registry, reports, only=["ok"], force=True, scheduler="tcp://127.0.0.1:8786")
    assert executed(summary) == ["ok"]
    extra = json.loads((reports / "_state" / "ok.json").read_text())["success"]["extra"]
    assert extra["dask_scheduler"] == "tcp://127.0.0.1:8786"
    assert not summary.executed[0].reasons[1:]  # the address is not part of the key
    assert run(registry, reports).executed == []
    assert uses_cluster({"claim": "C1", "scheduler": "", "serial": False})
    assert not uses_cluster({"claim": "C1", "scheduler": "tcp://h:8786", "serial": False})
    assert not uses_cluster({"claim": "C1", "scheduler": "", "serial": True})
    assert not uses_cluster({"claim": "C1"})


def test_one_cluster_serves_every_sweeping_report_of_a_run(project, monkeypatch):
    import contextlib

    from research.sweep import SCHEDULER_ENV

    registry, reports = project
    nb = json.loads((registry.parent / "verdict.ipynb").read_text())
    params = next(c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", []))
    params["source"] = "".join(params["source"]) + '\nscheduler: str = ""  # a Dask scheduler, as spec_curve.ipynb'
    (registry.parent / "sweeper.ipynb").write_text(json.dumps(nb))
    write_registry(registry.parent.parent, {
        **REPORTS,
        "sweep_a": {"notebook": "sweeper.ipynb", "parameters": {"draw": False}},
        "sweep_b": {"notebook": "sweeper.ipynb", "parameters": {"draw": False, "statistic": 0.1}},
        "own": {"notebook": "sweeper.ipynb", "parameters": {"draw": False, "scheduler": "tcp://own:1"}},
    })
    started = []

    @contextlib.contextmanager
    def fake_cluster(workers, scheduler=None):
        started.append((workers, scheduler))
        yield {SCHEDULER_ENV: "tcp://run-cluster:8786"}

    monkeypatch.setattr(orchestrate, "run_cluster", fake_cluster)
    summary = run(registry, reports, jobs=2)
    assert executed(summary) == ["own", "sweep_a", "sweep_b"]
    assert started == [(orchestrate.cpu_count(), None)]  # one cluster for the run, a worker per core
    extra = {n: json.loads((reports / "_state" / f"{n}.json").read_text())["success"]["extra"] for n in executed(summary)}
    assert {n: e["dask_scheduler"] for n, e in extra.items()} == {
        n: "tcp://run-cluster:8786" for n in ("own", "sweep_a", "sweep_b")}  # `own` passes its own to run_sweep
    started.clear()
    assert run(registry, reports, only=["ok"], force=True).executed and started == []  # nothing sweeps: no cluster


def test_decisions_name_each_reason_without_running(project):
    registry, reports = project
    rows = runner.status(registry_path=registry, reports_dir=reports, input_sha=INPUTS.get)
    # The real render hash differs from the one the fixture used: every report says so.
    assert {d.name: d.reasons for _, d, _ in rows} == {n: ("report page code changed",) for n in REPORTS}

    def broken(name):
        raise RuntimeError("data layer exploded")

    assessed = runner.assess(runner.load_registry(registry), reports, input_sha=broken, package_sha=PKG)
    reasons = {d.name: d.reasons for _, d, _ in assessed}
    assert reasons["ok"] == ("input dgs2 cannot be checked (RuntimeError: data layer exploded)",)
    assert reasons["bad"] == ()  # it read no dataset


def test_force_and_only(project):
    registry, reports = project
    summary = run(registry, reports, force=True, only=["o*"], jobs=1)
    assert executed(summary) == ["ok", "other"]
    assert all(r.reasons == ("forced",) for r in summary.executed)
    with pytest.raises(ParameterError, match="matches no report"):
        run(registry, reports, only=["nothing*"])


def test_leftovers_of_a_killed_run_are_cleaned_at_start(project):
    registry, reports = project
    (reports / ".run-dead" / "x").mkdir(parents=True)
    (reports / ".ok.html.abc.tmp").write_text("half")
    assert run(registry, reports).executed == []
    assert not list(reports.glob(".run-*")) and not list(reports.glob(".*.tmp"))


# -- failure ------------------------------------------------------------------------------------
def test_failed_report_keeps_last_good_html_and_evidence(project):
    registry, reports = project
    good_html = (reports / "bad.html").read_bytes()
    write_registry(registry.parent.parent, {**REPORTS, "bad": {**REPORTS["bad"], "parameters": {"fail": True}}})
    summary = run(registry, reports)
    assert executed(summary) == ["bad"]
    assert summary.exit_code == 1
    (result,) = summary.failed
    err = result.error
    assert (err.ename, err.evalue) == ("ValueError", "deliberate failure for the runner's tests")
    assert err.cell_index is not None and err.report == "bad"
    kept = reports / "_failed" / "bad.ipynb"
    assert err.output_path == str(kept)
    nb = json.loads(kept.read_text())
    tracebacks = [o for c in nb["cells"] for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert tracebacks and tracebacks[0]["ename"] == "ValueError"
    assert (reports / "_failed" / "bad.html").is_file()
    assert (reports / "bad.html").read_bytes() == good_html
    state = json.loads((reports / "_state" / "bad.json").read_text())
    assert state["status"] == "failed" and state["success"]["html"] == "bad.html"
    index = (reports / "index.html").read_text()
    assert "failed" in index and "ValueError: deliberate failure for the runner&#x27;s tests" in index
    # `research list` says so, and the next run retries it
    decisions = {d.name: d for _, d, _ in runner.assess(runner.load_registry(registry), reports,
                                                         input_sha=INPUTS.get, package_sha=PKG)}
    assert decisions["bad"].state == "failed" and decisions["bad"].run
    assert decisions["ok"].state == "fresh"


def test_cli_exit_codes_for_failure_and_bad_parameters(project, capsys):
    registry, reports = project
    base = ["run", "--registry", str(registry), "--reports-dir", str(reports), "--quiet"]
    assert cli_main([*base, "--only", "bad", "-p", "bad", "fail=maybe"]) == 2
    assert "expects bool, got str 'maybe'" in capsys.readouterr().err
    assert cli_main([*base, "-p", "nope", "fail=true"]) == 2
    assert "no report 'nope'" in capsys.readouterr().err
    assert cli_main([*base, "--jobs", "0"]) == 2


# -- parameters are validated before any kernel -------------------------------------------------
def test_bad_registry_parameters_fail_before_any_kernel(tmp_path, monkeypatch):
    registry, reports = make_project(tmp_path, {
        "ok": {"notebook": "verdict.ipynb", "parameters": {"n": "eight"}},
        "typo": {"notebook": "verdict.ipynb", "parameters": {"statistc": 0.1}},
    })
    monkeypatch.setattr(orchestrate, "_execute", lambda *a, **k: pytest.fail("a kernel was started"))
    with pytest.raises(ParameterError) as info:
        run(registry, reports)
    message = str(info.value)
    assert "parameter 'n' expects int, got str 'eight'" in message
    assert "'statistc' is not a parameter of this notebook (did you mean statistic?)" in message
    assert "No report was run." in message
    assert not (reports / "_state").exists()


def test_override_values_are_parsed_and_validated(tmp_path, monkeypatch):
    registry, reports = make_project(tmp_path, {"ok": {"notebook": "verdict.ipynb"}})
    planned = runner.plan(runner.load_registry(registry),
                          overrides=runner.override_map([("ok", "n=12"), ("ok", "aspects=[\"a\", \"b\"]"),
                                                         ("ok", "statistic=3"), ("ok", "claim=C7")]),
                          package_sha=PKG)
    assert planned[0].parameters == {"n": 12, "aspects": ["a", "b"], "statistic": 3, "claim": "C7"}
    with pytest.raises(ParameterError, match="expects list\\[str\\]"):
        runner.plan(runner.load_registry(registry), overrides={"ok": {"aspects": [1]}}, package_sha=PKG)


def test_plain_papermill_cli_rejects_bad_parameters(tmp_path):
    """The notebook checks itself: `papermill in out -p n notanint` fails with a ParameterError."""
    nb = Path(__file__).parent / "fixtures" / "notebooks" / "verdict.ipynb"
    for args, expected in ((["-p", "n", "notanint"], "parameter 'n' expects int, got str 'notanint'"),
                           (["-p", "bogus", "1"], "'bogus' is not a parameter of this notebook")):
        proc = subprocess.run([PYTHON, "-m", "papermill", str(nb), str(tmp_path / "out.ipynb"), *args,
                               "--cwd", str(tmp_path)], capture_output=True, text=True, timeout=300,
                              env=cli_env(RESEARCH_SIDECAR=""))
        assert proc.returncode != 0
        assert "ParameterError" in proc.stderr and expected in proc.stderr, proc.stderr[-2000:]


# -- the lock ----------------------------------------------------------------------------------
def test_second_run_is_refused_while_a_run_holds_the_lock(project, capsys):
    registry, reports = project
    with RunLock(reports):
        with pytest.raises(RunLocked, match=f"pid {os.getpid()}"):
            run(registry, reports)
        assert cli_main(["run", "--registry", str(registry), "--reports-dir", str(reports)]) == 4
        assert "--wait SECONDS" in capsys.readouterr().err
    assert run(registry, reports).executed == []  # released: the next run goes ahead


def test_lock_of_a_run_killed_with_sigkill_is_recovered(tmp_path):
    reports = tmp_path / "reports"
    holder = subprocess.Popen(
        [PYTHON, "-c", "import sys\nfrom research.runner.lock import RunLock\n"
                       f"lock = RunLock({str(reports)!r}).acquire()\nprint('locked', flush=True)\nsys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(RunLocked, match=f"pid {holder.pid}"):
            RunLock(reports).acquire()
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=30)
    finally:
        if holder.poll() is None:
            holder.kill()
    assert (reports / ".research-run.lock").exists()  # the file stays; the OS lock died with the process
    with RunLock(reports) as lock:
        assert lock.holder()["pid"] == os.getpid()


# -- kill -9 of a real `research run` ------------------------------------------------------------
def test_kill_9_mid_run_leaves_every_report_old_or_new(tmp_path):
    marker, release = tmp_path / "running", tmp_path / "release"
    reports_spec = {
        "ok": {"notebook": "verdict.ipynb", "parameters": {"input_name": ""}},
        "slow": {"notebook": "slow.ipynb", "parameters": {"marker": str(marker), "release": str(release)}},
    }
    release.write_text("go")
    registry, reports = make_project(tmp_path, reports_spec)
    assert [r.status for r in run(registry, reports).executed] == ["ok", "ok"]
    before = snapshot(reports)
    marker.unlink()
    release.unlink()
    write_registry(tmp_path, {**reports_spec, "slow": {**reports_spec["slow"], "parameters": {
        **reports_spec["slow"]["parameters"], "timeout": 120.0}}})
    proc = subprocess.Popen([PYTHON, "-m", "research.cli", "run", "--registry", str(registry),
                             "--reports-dir", str(reports), "--only", "slow"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=cli_env())
    kill_9_when(proc, marker)
    assert snapshot(reports) == before, "a visible report file changed or appeared"
    # The orphaned worker and kernel go away by themselves (parent-death signal, ipykernel's poller).
    wait_for(lambda: not processes_with_cwd_under(reports), 60, "orphaned kernels to exit")
    release.write_text("go")
    summary = run(registry, reports)
    assert executed(summary) == ["slow"] and summary.exit_code == 0
    assert not list(reports.glob(".run-*"))


# -- the no-op path is light -----------------------------------------------------------------------
def test_noop_cli_run_starts_no_kernel_and_imports_nothing_heavy(tmp_path):
    registry, reports = make_project(tmp_path, {"ok": {"notebook": "verdict.ipynb",
                                                       "parameters": {"input_name": "", "draw": False}}})
    runner.run(registry_path=registry, reports_dir=reports)  # the real package hash, as the CLI uses
    proc = subprocess.run([PYTHON, "-X", "importtime", "-m", "research.cli", "run", "--registry", str(registry),
                           "--reports-dir", str(reports)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "ok: skip: key unchanged" in proc.stdout and "0 ran" in proc.stdout
    imported = {line.split("|")[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
    heavy = {"papermill", "nbconvert", "nbformat", "nbclient", "jupyter_client", "ipykernel", "matplotlib",
             "statsmodels", "rich.progress"}
    assert not heavy & imported


def test_runner_modules_do_not_import_pandas():
    code = ("import sys, research.runner.cli, research.runner, research.report.scorecard, research.plots\n"
            "try:\n    import research.data\nexcept ImportError:\n    pass\n"
            "assert 'pandas' not in sys.modules, 'pandas imported'\n"
            "assert 'papermill' not in sys.modules and 'nbconvert' not in sys.modules")
    proc = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr


# -- list and lab --------------------------------------------------------------------------------
def test_list_shows_state_and_reason(project, capsys):
    registry, reports = project
    assert cli_main(["list", "--registry", str(registry), "--reports-dir", str(reports)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["report", "state", "last", "good", "run", "why"]
    assert any(line.startswith("ok ") and "stale" in line and "report page code changed" in line
               for line in out.splitlines())


def test_lab_binds_to_localhost_and_keeps_the_token(tmp_path):
    from research.runner.cli import install_kernel, lab_command

    cmd = lab_command(tmp_path, token="t0ken", no_browser=True, port=9999)
    assert "--ServerApp.ip=127.0.0.1" in cmd and "--no-browser" in cmd
    assert "--IdentityProvider.token=t0ken" in cmd  # beats a config file that turns the token off
    with pytest.raises(ValueError):
        lab_command(tmp_path, token="")
    spec_dir = Path(install_kernel(prefix=str(tmp_path / "prefix")))
    spec = json.loads((spec_dir / "kernel.json").read_text())
    assert spec["argv"][0] == sys.executable and spec["display_name"] == "research (workbench)"
