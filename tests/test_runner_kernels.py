"""The runner's kernels: started before their report, warm with third-party imports, one report
each, and none left behind (a run that ends, fails or is cancelled; a kernel that died waiting).

The probe notebook writes what its kernel saw (pid, parent, execution count, names, rcParams,
the modules loaded) to a file, so the tests compare kernels without timing anything.
"""

from __future__ import annotations

import functools
import json
import os
import signal
import sys
import time
from pathlib import Path

import nbformat
import pytest
from runner_project import (
    FIXTURES,
    PKG,
    frozen_module_sha,
    make_project,
    processes_with_cwd_under,
    write_registry,
)

from research import runner
from research.runner import orchestrate
from research.runner.job import PRELOAD

PROBE = [
    ("parameters", 'tag: str = ""  # which report this is\nout: str = ""  # folder for what the kernel saw'),
    (None, "from research.params import check_parameters\n\ncheck_parameters(globals())"),
    (None, 'import json\nimport os\nimport sys\n\nimport matplotlib\nimport matplotlib.pyplot as plt\n\n'
           'assert "probe_seen" not in globals(), "this kernel ran a report before"\nprobe_seen = True\n'
           'seen = {"pid": os.getpid(), "ppid": os.getppid(), "count": get_ipython().execution_count,\n'
           '        "cwd": os.getcwd(), "names": sorted(n for n in globals() if not n.startswith("_")),\n'
           '        "rc": {k: repr(v) for k, v in matplotlib.rcParams.items()},\n'
           '        "backend": matplotlib.get_backend(),\n'
           '        "preloaded": sorted(m for m in ("pandas", "scipy.stats", "statsmodels.api") if m in sys.modules),\n'
           '        "research": sorted(m for m in sys.modules if m.split(".")[0] == "research"),\n'
           '        "warnings": [repr((a, getattr(m, "pattern", m), c.__name__, getattr(w, "pattern", w), n))\n'
           '                     for a, m, c, w, n in __import__("warnings").filters],\n'
           '        "process": [__import__("multiprocessing").current_process().name,\n'
           '                    repr(__import__("multiprocessing").parent_process())],\n'
           '        "signals": [repr(__import__("signal").getsignal(s)) for s in (2, 13, 15, 17)],\n'
           '        "path": sys.path, "environ": sorted(os.environ), "fds": sorted(os.listdir("/proc/self/fd")),\n'
           '        "sid": os.getsid(0) == os.getpid(), "argv": sys.argv,\n'
           '        "rng": __import__("numpy").random.get_state()[1][:4].tolist()}\n'
           'with open(os.path.join(out, tag + ".json"), "w") as fh:\n    json.dump(seen, fh)'),
]


def probe_project(root: Path, names: list[str]) -> tuple[Path, Path, Path]:
    """A project of ``names``, each a report of the probe notebook; returns (registry, reports, seen)."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(src, metadata={"tags": [tag]} if tag else {})
                                         for tag, src in PROBE],
                                  metadata={"kernelspec": {"name": "python3", "language": "python",
                                                           "display_name": "Python 3"}})
    (root / "notebooks").mkdir(parents=True)
    nbformat.write(nb, root / "notebooks" / "probe.ipynb")
    seen = root / "seen"
    seen.mkdir()
    registry = write_registry(root, {n: {"notebook": "probe.ipynb", "parameters": {"tag": n, "out": str(seen)}}
                                     for n in names})
    return registry, root / "reports", seen


def run(registry: Path, reports: Path, **kw) -> runner.RunSummary:
    return runner.run(registry_path=registry, reports_dir=reports, input_sha=lambda name: None,
                      package_sha=PKG, module_sha=frozen_module_sha, **kw)


def cold(monkeypatch) -> None:
    """Run as before warm kernels: no kernel ahead of its report, nothing imported at start."""
    monkeypatch.setattr(orchestrate, "_execute", functools.partial(orchestrate._execute, warm=0, preload=()))


def descendants() -> dict[int, str]:
    """This process's descendants (pid -> command line), except multiprocessing's forkserver and
    resource tracker, which live as long as this test process by design."""
    pids, found = [os.getpid()], {}
    for parent in pids:
        try:  # a process that ended since it was listed has no task folder any more
            tasks = list(Path(f"/proc/{parent}/task").glob("*"))
        except OSError:
            continue
        for task in tasks:
            try:
                pids += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
    for pid in pids[1:]:
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if "forkserver" not in cmd and "resource_tracker" not in cmd:
            found[pid] = cmd
    return found


def wait_gone(seconds: float = 20.0) -> dict[int, str]:
    """Descendants still there after ``seconds`` (a killed process takes a moment to be reaped)."""
    deadline = time.monotonic() + seconds
    while (left := descendants()) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def test_each_report_gets_a_new_kernel_started_ahead_with_the_imports(tmp_path):
    names = ["a", "b", "c", "d"]
    registry, reports, seen = probe_project(tmp_path, names)
    before = descendants()
    summary = run(registry, reports, jobs=1)
    assert [r.status for r in summary.executed] == ["ok"] * 4, [r.error for r in summary.executed]
    saw = {n: json.loads((seen / f"{n}.json").read_text()) for n in names}
    assert len({s["pid"] for s in saw.values()}) == 4, "a kernel ran more than one report"
    assert len({s["ppid"] for s in saw.values()}) == 4, "a worker ran more than one report"
    assert len({s["cwd"] for s in saw.values()}) == 4
    assert all(s["preloaded"] == ["pandas", "scipy.stats", "statsmodels.api"] for s in saw.values())
    assert all(s["research"] and "research.runner" not in " ".join(s["research"]) for s in saw.values())
    assert wait_gone() == before
    assert processes_with_cwd_under(reports) == []


def test_warm_kernels_see_what_a_cold_kernel_sees(tmp_path, monkeypatch):
    """A warm kernel is forked from the worker (runner.kernel_fork), a cold one is a new
    interpreter. Same names, execution counts, matplotlib backend and rcParams, research modules,
    signal handlers, multiprocessing identity, session, sys.path, environment variables and open
    descriptors; only the third-party modules loaded at start differ (so the comparison is not of
    two cold runs), with the warning filters those imports add (statsmodels', requests').
    The run's own sys.path holds a folder a launcher put there (as `.venv/bin/pytest` puts its
    script's folder, after pytest's rootdir): no kernel may see it."""
    monkeypatch.setattr(sys, "path", [sys.path[0], str(tmp_path / "launcher-bin"), *sys.path[1:]])
    registry, reports, seen = probe_project(tmp_path / "warm", ["a", "b"])
    run(registry, reports, jobs=1)
    warm = {n: json.loads((seen / f"{n}.json").read_text()) for n in "ab"}
    cold(monkeypatch)
    registry, reports, seen = probe_project(tmp_path / "cold", ["a", "b"])
    run(registry, reports, jobs=1)
    fresh = {n: json.loads((seen / f"{n}.json").read_text()) for n in "ab"}
    for n in "ab":
        assert fresh[n]["preloaded"] == [] and warm[n]["preloaded"] != []
        for key in ("count", "names", "rc", "backend", "research", "signals", "process", "sid", "path",
                    "environ", "fds"):
            assert warm[n][key] == fresh[n][key], key
        assert set(fresh[n]["warnings"]) <= set(warm[n]["warnings"])
    assert warm["a"]["rng"] != warm["b"]["rng"]  # numpy's global generator seeded in each kernel
    assert warm["a"]["backend"] == "module://matplotlib_inline.backend_inline"


def outputs(path: Path) -> list:
    nb = json.loads(path.read_text())
    return [(c.get("execution_count"), c.get("outputs")) for c in nb["cells"] if c["cell_type"] == "code"]


def test_preloading_changes_no_output_and_no_recorded_module(tmp_path, monkeypatch):
    reports_spec = {"ok": {"notebook": "verdict.ipynb", "claims": ["C1"],
                           "parameters": {"modules": ["research.stats"]}}}
    got = {}
    for mode in ("warm", "cold"):
        if mode == "cold":
            cold(monkeypatch)
        registry, reports = make_project(tmp_path / mode, reports_spec)
        summary = runner.run(registry_path=registry, reports_dir=reports, input_sha={"dgs2": "sha-a"}.get,
                             package_sha=PKG, module_sha=frozen_module_sha)
        assert [r.status for r in summary.executed] == ["ok"], summary.executed
        state = json.loads((reports / "_state" / "ok.json").read_text())["success"]
        got[mode] = (state["components"]["modules"], state["verdicts"], outputs(reports / "ok.ipynb"))
    assert "research.stats" in got["warm"][0] and "research.claims" not in got["warm"][0]
    assert got["warm"] == got["cold"]  # modules, verdicts, every output (the figure's PNG included)


class CancelAfterFirst(runner.Reporter):
    """Ctrl-C as the first report finishes: the next report's kernel is already waiting."""

    def finished(self, result):
        raise KeyboardInterrupt


def test_cancel_stops_the_waiting_kernels_too(tmp_path):
    registry, reports, _seen = probe_project(tmp_path, ["a", "b", "c"])
    before = descendants()
    with pytest.raises(KeyboardInterrupt):
        run(registry, reports, jobs=1, reporter=CancelAfterFirst())
    assert wait_gone() == before
    assert processes_with_cwd_under(reports) == []
    assert not list(reports.glob(".run-*"))


def test_a_failing_report_leaves_no_kernel(tmp_path):
    registry, reports = make_project(tmp_path, {
        "bad": {"notebook": "broken.ipynb", "parameters": {"fail": True}},
        "ok": {"notebook": "verdict.ipynb", "claims": ["C1"]}})
    before = descendants()
    summary = runner.run(registry_path=registry, reports_dir=reports, input_sha={"dgs2": "sha-a"}.get,
                         package_sha=PKG, module_sha=frozen_module_sha, jobs=1)
    assert sorted(r.status for r in summary.executed) == ["failed", "ok"]
    assert wait_gone() == before


def test_a_kernel_that_died_waiting_is_replaced_and_each_is_stopped(tmp_path):
    from research.runner import worker
    from research.runner.job import Job, Slot

    before = descendants()
    workdir = tmp_path / "k1"
    workdir.mkdir()
    slot = Slot(workdir=str(workdir), env=dict(os.environ))
    assert slot.preload == PRELOAD
    km = worker.start_kernel(slot)
    assert km is not None and km.has_kernel
    os.kill(km.provisioner.process.pid, signal.SIGKILL)
    km.provisioner.process.wait(timeout=30)
    job = Job(name="ok", notebook=str(FIXTURES / "verdict.ipynb"), notebook_display="verdict.ipynb",
              parameters={}, title="OK", workdir=str(workdir), components={}, version="0", git_commit=None)
    result = worker.run_job(job, slot, km)
    assert result["status"] == "ok", result["error"]
    assert json.loads((workdir / "sidecar.json").read_text())["verdicts"][0]["claim"] == "C1"
    assert wait_gone() == before  # the replacement kernel was stopped as its report finished
    other = Slot(workdir=str(tmp_path / "k2"), env=dict(os.environ))
    with pytest.raises(ValueError, match="k2"):
        worker.run_job(job, other, None)

