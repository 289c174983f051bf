"""Runner faults: bad parameters, a notebook that raises, a killed run, two runs, a stale lock, a
full or read-only reports folder, a notebook that never returns, a page over the size limit,
damaged state files and lock records, a full disk at each write, brackets printed to terminals.

Each case starts from a project whose reports ran once (the fixture notebooks of
``tests/fixtures/notebooks`` through the helpers of ``tests/runner_project.py``), feeds one
fault, and checks the error (type, message, exit code) and that every last good report file
(HTML, executed notebook, state) hashes as before with no temporary file left behind. No sleeps:
a running notebook is detected by the marker file it writes.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest
from runner_project import (
    FIXTURES,
    PKG,
    PYTHON,
    cli_env,
    dying,
    frozen_module_sha,
    kill_9_when,
    make_project,
    processes_with_cwd_under,
    wait_for,
    write_registry,
)

from research import runner
from research.cli import main as cli_main
from research.errors import ParameterError, ReportsNotWritable, RunLocked
from research.runner import orchestrate, publish
from research.runner.cli import ConsoleReporter
from research.runner.lock import RunLock

from .corpus import fingerprint, leftovers

INPUTS = {"dgs2": "sha-a"}
REPORTS = {
    "ok": {"notebook": "verdict.ipynb", "claims": ["C1"], "title": "OK report", "parameters": {"draw": False}},
    "bad": {"notebook": "broken.ipynb", "claims": ["C2"], "parameters": {"fail": False}},
}


def run(registry: Path, reports: Path, **kw) -> runner.RunSummary:
    """An in-process run with the tests' fixed package hash and fake input hashes."""
    kw.setdefault("package_sha", PKG)
    kw.setdefault("module_sha", frozen_module_sha)
    kw.setdefault("input_sha", INPUTS.get)
    return runner.run(registry_path=registry, reports_dir=reports, **kw)


def last_good(reports: Path) -> dict[str, str]:
    """sha256 of every report file a reader sees (pages, notebooks, state files, scorecard)."""
    return fingerprint(reports, hidden=False)


def _without_index(files: dict[str, str]) -> dict[str, str]:
    """Every run rebuilds the scorecard; the reports themselves must not change."""
    return {k: v for k, v in files.items() if k != "index.html"}


def assert_nothing_lost(reports: Path, before: dict[str, str]) -> None:
    assert last_good(reports) == before
    assert not leftovers(reports)


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("published")
    registry, reports = make_project(root, REPORTS)
    summary = run(registry, reports)
    assert [r.status for r in summary.executed] == ["ok", "ok"], summary.executed
    return root


@pytest.fixture
def project(published, tmp_path) -> tuple[Path, Path]:
    """A private copy of the published project: (registry, reports folder)."""
    root = tmp_path / "project"
    shutil.copytree(published, root)
    return root / "notebooks" / "reports.toml", root / "reports"


@pytest.fixture
def no_kernel(monkeypatch):
    """Fail the test if the run gets as far as starting a notebook."""
    monkeypatch.setattr(orchestrate, "_execute", lambda *a, **k: pytest.fail("a notebook was started"))


@pytest.fixture
def slow_project(tmp_path):
    """A project with the slow fixture (it writes ``marker`` once running, then waits for
    ``release``) and a quick report, both run once. Yields (registry, reports, marker, release)."""
    marker, release = tmp_path / "running", tmp_path / "release"
    registry, reports = make_project(tmp_path, {
        "ok": {"notebook": "verdict.ipynb", "parameters": {"input_name": "", "draw": False}},
        "slow": {"notebook": "slow.ipynb", "parameters": {"marker": str(marker), "release": str(release)}},
    })
    release.write_text("go")
    assert [r.status for r in run(registry, reports).executed] == ["ok", "ok"]
    marker.unlink()
    release.unlink()
    yield registry, reports, marker, release
    release.write_text("go")  # whatever happened, no kernel keeps waiting


def _start_cli_run(registry: Path, reports: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([PYTHON, "-m", "research.cli", "run", "--registry", str(registry),
                             "--reports-dir", str(reports), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cli_env())


# -- parameters: refused before any notebook starts -------------------------------------------------

@pytest.mark.parametrize("channel", ["registry", "-p", "papermill"])
def test_parameter_of_the_wrong_type(project, no_kernel, capsys, tmp_path, channel):
    registry, reports = project
    before = last_good(reports)
    base = ["run", "--registry", str(registry), "--reports-dir", str(reports)]
    if channel == "papermill":  # the notebook checks itself: `papermill in out -p n notanint`
        proc = subprocess.run([PYTHON, "-m", "papermill", str(FIXTURES / "verdict.ipynb"), str(tmp_path / "out.ipynb"),
                               "-p", "n", "notanint", "--cwd", str(tmp_path)],
                              capture_output=True, text=True, timeout=300, env=cli_env(RESEARCH_SIDECAR=""))
        assert proc.returncode != 0
        assert "ParameterError: bad notebook parameters:" in proc.stderr, proc.stderr[-2000:]
        assert "parameter 'n' expects int, got str 'notanint'" in proc.stderr
        assert "Fix the -p values (papermill) or the report's parameters in notebooks/reports.toml." in proc.stderr
        assert_nothing_lost(reports, before)
        return
    if channel == "registry":
        write_registry(registry.parent.parent, {**REPORTS, "ok": {**REPORTS["ok"], "parameters": {"n": "eight"}}})
        overrides, args = None, base
    else:
        overrides, args = runner.override_map([("ok", "n=eight")]), [*base, "-p", "ok", "n=eight"]
    with pytest.raises(ParameterError) as info:
        run(registry, reports, overrides=overrides)
    msg = str(info.value)
    assert msg.startswith(f"report 'ok' ({registry.parent / 'verdict.ipynb'}):\n  - parameter 'n' expects int, got str 'eight'")
    assert "    n: int = 8  # independent observations" in msg  # the declared parameters, with help
    assert msg.endswith(f"No report was run. Fix the above in {registry} (or the -p options), then run again.")
    assert cli_main(args) == 2
    assert "research: parameter error: report 'ok'" in capsys.readouterr().err
    assert_nothing_lost(reports, before)


@pytest.mark.parametrize("channel", ["registry", "-p"])
def test_unknown_parameter(project, no_kernel, capsys, channel):
    registry, reports = project
    before = last_good(reports)
    base = ["run", "--registry", str(registry), "--reports-dir", str(reports)]
    if channel == "registry":
        write_registry(registry.parent.parent, {**REPORTS, "ok": {**REPORTS["ok"], "parameters": {"statistc": 0.1}}})
        overrides, args = None, base
    else:
        overrides, args = {"ok": {"statistc": 0.1}}, [*base, "-p", "ok", "statistc=0.1"]
    with pytest.raises(ParameterError) as info:
        run(registry, reports, overrides=overrides)
    msg = str(info.value)
    assert "report 'ok' (" in msg
    assert "  - 'statistc' is not a parameter of this notebook (did you mean statistic?)" in msg
    assert "    statistic: float = 0.42  # the key statistic" in msg
    assert "No report was run. Fix the above in" in msg
    assert cli_main(args) == 2
    assert "'statistc' is not a parameter of this notebook" in capsys.readouterr().err
    assert_nothing_lost(reports, before)


# -- a notebook that raises ---------------------------------------------------------------------

def test_notebook_that_raises(project, capsys):
    registry, reports = project
    good = {p: (reports / p).read_bytes() for p in ("bad.html", "bad.ipynb", "ok.html", "ok.ipynb", "_state/ok.json")}
    previous = json.loads((reports / "_state" / "bad.json").read_text())
    summary = run(registry, reports, overrides={"bad": {"fail": True}}, reporter=ConsoleReporter(quiet=True))
    assert summary.exit_code == 1  # `research run` exits 1
    (result,) = summary.failed
    err = result.error
    kept = reports / "_failed" / "bad.ipynb"
    assert (err.report, err.ename, err.evalue) == ("bad", "ValueError", "deliberate failure for the runner's tests")
    assert isinstance(err.cell_index, int) and err.output_path == str(kept)
    assert str(err) == (f"report 'bad' ({registry.parent / 'broken.ipynb'}) failed at cell {err.cell_index}: "
                        f"ValueError: deliberate failure for the runner's tests; executed notebook kept at {kept}")
    stderr = capsys.readouterr().err  # what cron mails
    assert "FAILED  bad" in stderr and f"ValueError: deliberate failure for the runner's tests (cell {err.cell_index})" in stderr
    assert f"executed notebook: {kept}" in stderr
    # the evidence: the executed notebook with its traceback, and its page
    nb = json.loads(kept.read_text())
    assert any(o.get("ename") == "ValueError" for c in nb["cells"] for o in c.get("outputs", []))
    assert (reports / "_failed" / "bad.html").is_file()
    # nothing lost: the last good page and notebook, the other report, the last good run's record
    assert {p: (reports / p).read_bytes() for p in good} == good
    state = json.loads((reports / "_state" / "bad.json").read_text())
    assert state["status"] == "failed" and state["success"] == previous["success"]
    assert state["attempt"]["error"]["first_line"] == "ValueError: deliberate failure for the runner's tests"
    assert not leftovers(reports)


# -- killed runs, concurrent runs, stale locks ---------------------------------------------------

def test_kill_9_of_a_run_mid_way(slow_project):
    registry, reports, marker, release = slow_project
    before = last_good(reports)
    proc = _start_cli_run(registry, reports, "--force", "--only", "slow")
    kill_9_when(proc, marker)
    assert proc.returncode == -signal.SIGKILL
    assert last_good(reports) == before, "a report file changed or appeared"
    assert list(reports.glob(".run-*")), "the killed run's scratch folder should still be there"
    wait_for(lambda: not processes_with_cwd_under(reports), 60, "the orphaned worker and kernel to exit")
    summary = run(registry, reports)  # the next run: nothing to redo, and it cleans up
    assert summary.executed == [] and summary.exit_code == 0
    assert _without_index(last_good(reports)) == _without_index(before)
    assert not leftovers(reports)


def test_two_runs_at_once(slow_project, capsys):
    registry, reports, marker, release = slow_project
    before = last_good(reports)
    first = _start_cli_run(registry, reports, "--force", "--only", "slow")
    try:
        wait_for(marker.exists, 120, "the first run's notebook to start")
        with pytest.raises(RunLocked) as info:
            run(registry, reports, force=True)
        msg = str(info.value)
        assert msg.startswith(f"another `research run` is running (pid {first.pid} on ")
        assert f"it holds {reports / '.research-run.lock'}. This run did not wait." in msg
        assert msg.endswith("Let it finish, or pass --wait SECONDS to queue behind it.")
        assert cli_main(["run", "--registry", str(registry), "--reports-dir", str(reports), "--quiet"]) == 4
        assert f"research: another `research run` is running (pid {first.pid}" in capsys.readouterr().err
        assert last_good(reports) == before  # the refused runs touched nothing
        release.write_text("go")
        out, err = first.communicate(timeout=120)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == 0, err[-2000:]
    after = last_good(reports)
    changed = {k for k in before if after.get(k) != before[k]}
    assert changed <= {"slow.html", "slow.ipynb", "_state/slow.json", "_state/history.sqlite", "index.html"}
    assert "slow.html" in changed  # the first run published its report, whole
    assert not leftovers(reports)


def test_stale_lock_left_by_a_sigkilled_holder(project):
    registry, reports = project
    holder = subprocess.Popen(
        [PYTHON, "-c", "import sys\nfrom research.runner.lock import RunLock\n"
                       f"lock = RunLock({str(reports)!r}).acquire()\nprint('locked', flush=True)\nsys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(RunLocked, match=f"pid {holder.pid} on "):
            run(registry, reports)
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=30)
    finally:
        if holder.poll() is None:
            holder.kill()
    # what the dead holder left: the lock file and its holder record, naming a dead pid
    assert json.loads((reports / ".research-run.lock.json").read_text())["pid"] == holder.pid
    before = last_good(reports)
    summary = run(registry, reports)  # the OS lock died with the holder: the next run just goes
    assert summary.exit_code == 0 and summary.executed == []
    assert not (reports / ".research-run.lock.json").exists()  # released, no stale record left
    assert _without_index(last_good(reports)) == _without_index(before)  # the scorecard is rebuilt
    assert not leftovers(reports)


# -- a reports folder that cannot be written ------------------------------------------------------

def test_full_reports_folder(project, monkeypatch):
    """ENOSPC while publishing, between the executed notebook and its page (simulated in-process:
    the publish step runs in the run's own process, so it is patched there)."""
    registry, reports = project
    before = last_good(reports)
    real, calls = publish._replace, []

    def disk_full_at_the_page(src, dst):
        calls.append(Path(dst).name)
        if Path(dst).name == "ok.html":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(dst))
        real(src, dst)

    monkeypatch.setattr(publish, "_replace", disk_full_at_the_page)
    with pytest.raises(ReportsNotWritable) as info:
        run(registry, reports, force=True, only=["ok"])
    assert calls == ["ok.ipynb", "ok.html"]  # the notebook was already in place when the disk filled
    assert info.value.errno == errno.ENOSPC
    assert str(info.value) == (
        f"cannot publish report 'ok': [Errno 28] No space left on device ({reports / 'ok.html'}). "
        "Nothing was half-written: the last good ok.html, ok.ipynb and its state file are unchanged. "
        f"Fix: free space on the disk that holds {reports} (or point --reports-dir / RESEARCH_REPORTS_DIR "
        "at another folder), then run again.")
    assert_nothing_lost(reports, before)  # ok.ipynb was put back: never a new notebook beside an old page


def test_read_only_reports_folder(project, monkeypatch, no_kernel, capsys):
    registry, reports = project
    before = last_good(reports)
    mode = reports.stat().st_mode
    reports.chmod(0o555)
    try:
        probe = reports / "probe"
        try:
            probe.write_text("x")
        except PermissionError:
            pass
        else:
            # Running as root: chmod does not stop root from writing. Refuse every move into the
            # folder instead (each write there ends with os.replace), as a read-only mount would.
            probe.unlink()
            real = os.replace

            def read_only(src, dst, *args, **kwargs):
                if Path(dst).resolve().is_relative_to(reports.resolve()):
                    raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(dst))
                return real(src, dst, *args, **kwargs)

            monkeypatch.setattr(os, "replace", read_only)
        with pytest.raises(ReportsNotWritable) as info:
            run(registry, reports, force=True)
        msg = str(info.value)
        assert msg.startswith(f"cannot write to the reports folder {reports}: [Errno 13] Permission denied")
        assert "Nothing was half-written: every report and state file is the old one or the new one." in msg
        assert msg.endswith(f"Fix: make {reports} writable by this user (or point --reports-dir / "
                            "RESEARCH_REPORTS_DIR at another folder), then run again.")
        assert cli_main(["run", "--registry", str(registry), "--reports-dir", str(reports), "--force"]) == 1
        assert f"research: cannot write to the reports folder {reports}" in capsys.readouterr().err
        assert_nothing_lost(reports, before)
    finally:
        reports.chmod(mode)
        monkeypatch.undo()
    with RunLock(reports):  # and the refused run did not keep the lock
        pass


# -- time: a notebook that never returns ----------------------------------------------------------

@pytest.fixture
def forever_project(tmp_path):
    """A quick report and one whose cell never returns (the slow fixture waiting for a release
    file that never comes, for an hour), both run once. Yields (registry, reports, marker)."""
    marker, release = tmp_path / "running", tmp_path / "release"
    reports_spec = {
        "ok": {"notebook": "verdict.ipynb", "parameters": {"input_name": "", "draw": False}},
        "slow": {"notebook": "slow.ipynb", "parameters": {"marker": str(marker), "release": str(release)}},
    }
    registry, reports = make_project(tmp_path, reports_spec)
    release.write_text("go")
    assert [r.status for r in run(registry, reports).executed] == ["ok", "ok"]
    release.unlink()
    marker.unlink()
    forever = {**reports_spec["slow"]["parameters"], "timeout": 3600.0}
    write_registry(tmp_path, {**reports_spec, "slow": {**reports_spec["slow"], "parameters": forever}})
    yield registry, reports, marker
    release.write_text("go")  # should a kernel have survived, it ends now


def test_report_past_its_time_limit_from_the_registry(forever_project, capsys):
    """`timeout = 15` under [reports.slow]: the report is stopped with its kernel, recorded as
    failed, the other report runs, the lock is released and the exit code is 1."""
    registry, reports, marker = forever_project
    text = registry.read_text().replace("[reports.slow]\n", "[reports.slow]\ntimeout = 15\n")
    registry.write_text(text)
    good = {p: (reports / p).read_bytes() for p in ("slow.html", "slow.ipynb", "ok.html", "ok.ipynb")}
    previous = json.loads((reports / "_state" / "slow.json").read_text())
    summary = run(registry, reports, force=True, reporter=ConsoleReporter(quiet=True))
    assert marker.exists(), "the slow cell never started: the limit did not stop a running cell"
    assert summary.exit_code == 1
    assert {r.name: r.status for r in summary.executed} == {"ok": "ok", "slow": "failed"}
    (failed,) = summary.failed
    assert failed.error.ename == "ReportTimeout"
    assert failed.error.evalue == (
        "report 'slow' ran longer than its time limit of 15 s (its timeout in reports.toml) and was "
        "stopped, with its kernel. If it needs longer, raise `timeout = SECONDS` under [reports.slow] "
        "in reports.toml (or pass `research run --timeout SECONDS`).")
    assert 15 <= failed.seconds < 60
    assert "FAILED  slow" in capsys.readouterr().err
    wait_for(lambda: not processes_with_cwd_under(reports), 30, "the stopped worker and kernel to be gone")
    state = json.loads((reports / "_state" / "slow.json").read_text())
    assert state["status"] == "failed" and state["success"] == previous["success"]
    assert {p: (reports / p).read_bytes() for p in good if p.startswith("slow")} == \
        {p: v for p, v in good.items() if p.startswith("slow")}  # the last good page stays
    assert (reports / "ok.html").read_bytes() != good["ok.html"]  # the other report did run
    with RunLock(reports):  # released
        pass
    assert not leftovers(reports)


def test_report_past_the_run_timeout_from_the_command_line(forever_project):
    """`research run --timeout 15` from cron: exit 1, the report is failed, no process is left,
    and the next run is not locked out (exit 0, not 4)."""
    registry, reports, marker = forever_project
    before = last_good(reports)
    proc = _start_cli_run(registry, reports, "--force", "--only", "slow", "--timeout", "15", "--quiet")
    try:
        out, err = proc.communicate(timeout=240)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 1, err[-2000:]
    assert ("ReportTimeout: report 'slow' ran longer than its time limit of 15 s (--timeout) and was "
            "stopped, with its kernel. If it needs longer, run with a larger `research run --timeout "
            "SECONDS`.") in err
    assert "research run: 1 report(s) failed; scorecard:" in err
    assert not processes_with_cwd_under(reports)  # the kernel went with its worker
    after = last_good(reports)
    assert {k for k in before if after.get(k) != before[k]} <= {"_state/slow.json", "index.html"}
    assert cli_main(["run", "--registry", str(registry), "--reports-dir", str(reports), "--quiet",
                     "--only", "ok"]) == 0  # the lock was released
    assert not leftovers(reports)


def test_report_page_over_the_size_limit(project):
    """A page over the limit (here 0.001 MB) is failed and not published; neither is its failed page."""
    registry, reports = project
    before = last_good(reports)
    summary = run(registry, reports, force=True, only=["ok"], max_report_mb=0.001)
    (failed,) = summary.failed
    assert summary.exit_code == 1 and failed.error.ename == "ReportTooLarge"
    size = float(failed.error.evalue.split("the page would be ")[1].split(" MB")[0]) * 1e6
    published_size = (reports / "ok.html").stat().st_size  # the last good page: the same report
    assert abs(size - published_size) < 0.05 * published_size and size > 1000
    assert failed.error.evalue.endswith(
        " MB, over the limit of 0.001 MB (RESEARCH_MAX_REPORT_MB); it was not published. Fix: draw "
        "fewer points or smaller figures, or raise RESEARCH_MAX_REPORT_MB.")
    after = last_good(reports)
    assert {k for k in after if after[k] != before.get(k)} == {"_state/ok.json", "index.html",
                                                               "_failed/ok.ipynb"}
    assert not (reports / "_failed" / "ok.html").exists()  # the failed page is as big: not written
    assert not leftovers(reports)


# -- files the workbench keeps: state files and the lock's holder record --------------------------

DAMAGED_STATES = {
    "empty": (b"", "is empty"),
    "truncated": (b'{"version": 1, "report": "bad", "status": "ok", "succ', "is unreadable (Unterminated string"),
    "binary": (bytes(range(256)) * 4, "is unreadable ('utf-8' codec can't decode byte 0x80"),
    "wrong shape": (b'["ok"]\n', "holds a JSON array, not an object"),
    "wrong type": (b'{"status": "ok", "success": {"key": "k", "components": {}, "verdicts": "none"}}',
                   "has `success.verdicts` as a string"),
}


@pytest.mark.parametrize("damage", list(DAMAGED_STATES))
def test_damaged_state_file(project, capsys, damage):
    """One damaged state file: a warning naming it and the fix; `research list` and the other
    report carry on; the next run re-runs that report and rewrites the file (self-repair)."""
    registry, reports = project
    payload, problem = DAMAGED_STATES[damage]
    path = reports / "_state" / "bad.json"
    path.write_bytes(payload)
    before = last_good(reports)
    base = ["--registry", str(registry), "--reports-dir", str(reports)]
    with pytest.warns(runner.state.DamagedStateWarning) as caught:
        assert cli_main(["list", *base]) == 0
    message = str(caught[0].message)
    assert message.startswith(f"state file {path} {problem}")
    assert message.endswith("; treating the report as never run. Fix: nothing, the next `research run` "
                            "re-runs it and rewrites the file (or delete the file).")
    rows = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()[1:]}
    assert "state file _state/bad.json damaged" in rows["bad"] and " stale " in rows["bad"]
    assert "damaged" not in rows["ok"]  # the other report is listed as before
    assert last_good(reports) == before  # listing repairs nothing and loses nothing
    with pytest.warns(runner.state.DamagedStateWarning):
        summary = run(registry, reports)
    assert [(r.name, r.status) for r in summary.executed] == [("bad", "ok")]  # ok was not re-run
    state = json.loads(path.read_text())  # rewritten, whole
    assert state["status"] == "ok" and runner.state.state_problem(state) is None
    after = last_good(reports)
    assert {k for k in before if after.get(k) != before[k]} <= {"bad.html", "bad.ipynb", "_state/bad.json", "_state/history.sqlite",
                                                                 "index.html"}
    assert not leftovers(reports)


def test_damaged_lock_holder_record_while_locked(project, capsys):
    registry, reports = project
    holder = subprocess.Popen(
        [PYTHON, "-c", "import sys\nfrom research.runner.lock import RunLock\n"
                       f"lock = RunLock({str(reports)!r}).acquire()\nprint('locked', flush=True)\nsys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    record = reports / ".research-run.lock.json"
    try:
        assert holder.stdout.readline().strip() == "locked"
        record.write_bytes(b"\x00\xff[1, 2")  # damaged under the running holder
        before = last_good(reports)
        assert cli_main(["run", "--registry", str(registry), "--reports-dir", str(reports)]) == 4
        err = capsys.readouterr().err
        assert (f"research: another `research run` is running (holder unknown: its record {record} is "
                f"damaged); it holds {reports / '.research-run.lock'}. This run did not wait.") in err
        assert last_good(reports) == before
    finally:
        holder.kill()
        holder.wait(timeout=30)


@pytest.mark.parametrize("record", [b"", b"[]", b"\x89PNG\r\n\x1a\n", b'{"pid": '])
def test_damaged_lock_holder_record_left_behind(project, record):
    """A record left by a dead run, damaged: the next run takes the lock and replaces it."""
    registry, reports = project
    (reports / ".research-run.lock.json").write_bytes(record)
    before = last_good(reports)
    summary = run(registry, reports)
    assert summary.exit_code == 0 and summary.executed == []
    assert not (reports / ".research-run.lock.json").exists()
    assert _without_index(last_good(reports)) == _without_index(before)


def test_lock_file_replaced_by_a_folder(project, no_kernel, capsys):
    registry, reports = project
    (reports / ".research-run.lock").unlink(missing_ok=True)
    (reports / ".research-run.lock").mkdir()
    before = last_good(reports)
    assert cli_main(["run", "--registry", str(registry), "--reports-dir", str(reports)]) == 1
    assert (f"research: cannot take the run lock: {reports / '.research-run.lock'} is a folder, not the "
            "lock file. Fix: remove it (no run is using it), then run again.") in capsys.readouterr().err
    assert_nothing_lost(reports, before)


@pytest.mark.parametrize("folder", ["_state", "_failed"])
def test_workbench_folder_replaced_by_a_file(project, no_kernel, capsys, folder):
    registry, reports = project
    target = reports / folder
    if target.is_dir():
        shutil.rmtree(target)
    target.write_text("not a folder\n")
    before = last_good(reports)
    assert cli_main(["run", "--registry", str(registry), "--reports-dir", str(reports), "--force"]) == 2
    assert (f"research: configuration error: {target} is a file where the workbench keeps a folder. Fix: "
            "move it away (or point --reports-dir / RESEARCH_REPORTS_DIR at another folder), then run "
            "again.") in capsys.readouterr().err
    assert_nothing_lost(reports, before)


# -- a full disk at each write into reports/ -------------------------------------------------------

def _disk_full_at(monkeypatch, fragment: str) -> list[str]:
    """ENOSPC from fsync of the first file whose path contains ``fragment``: the data is written
    (perhaps partly) and cannot be made durable, as on a disk that fills mid-write. Every write
    into reports/ (atomic writes, moves into place) fsyncs first, so each can be reached."""
    real, hit = os.fsync, []

    def fsync(fd):
        path = os.readlink(f"/proc/self/fd/{fd}")
        if fragment in path and not hit:
            hit.append(path)
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), path)
        return real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    return hit


FULL_DISK = {
    # where the disk fills: (path fragment, run options, the start of the message)
    "executed notebook": ("/out/ok.ipynb", {"only": ["ok"], "force": True}, "cannot publish report 'ok'"),
    "report page": ("/out/ok.html", {"only": ["ok"], "force": True}, "cannot publish report 'ok'"),
    "state file": ("_state/.ok.json.", {"only": ["ok"], "force": True}, "cannot publish report 'ok'"),
    "failed evidence": ("/out/bad.failed.html", {"only": ["bad"], "overrides": {"bad": {"fail": True}}},
                        "cannot record the failure of report 'bad' (ValueError: deliberate failure"),
    "failed state": ("_state/.bad.json.", {"only": ["bad"], "overrides": {"bad": {"fail": True}}},
                     "cannot record the failure of report 'bad' (ValueError: deliberate failure"),
    "scorecard": ("/.index.html.", {}, "cannot write to the reports folder"),
    "lock record": ("research-run.lock.json.", {}, "cannot write to the reports folder"),
}


@pytest.mark.parametrize("point", list(FULL_DISK))
def test_full_disk_at_each_write(project, monkeypatch, point):
    """Whatever write the disk fills at, no file in reports/ is new-and-partial, 0-byte or
    missing: the report, its evidence in _failed/ and its state are all old (or none new)."""
    registry, reports = project
    fragment, options, start = FULL_DISK[point]
    before = last_good(reports)
    hit = _disk_full_at(monkeypatch, fragment)
    with pytest.raises(ReportsNotWritable) as info:
        run(registry, reports, **options)
    assert hit, f"the run never wrote {fragment}"
    msg = str(info.value)
    assert msg.startswith(start) and "[Errno 28] No space left on device" in msg
    assert msg.endswith(f"Fix: free space on the disk that holds {reports} (or point --reports-dir / "
                        "RESEARCH_REPORTS_DIR at another folder), then run again.")
    assert_nothing_lost(reports, before)
    assert all(p.stat().st_size > 0 for p in reports.rglob("*") if p.is_file() and p.name != ".research-run.lock")
    monkeypatch.undo()
    with RunLock(reports):  # the lock was released
        pass


# -- text into terminals -------------------------------------------------------------------------

def test_console_prints_brackets_literally(capsys):
    """rich reads "[/path]" as a closing tag (MarkupError) and "[red]" as a style: the run's lines
    are printed with markup off, so a path or an error in brackets comes out as written."""
    from research.errors import ReportFailed
    from research.runner.publish import ReportResult
    from research.runner.state import Decision

    reporter = ConsoleReporter()
    reporter.start(1, 1)  # the rich console (no progress bar: not a terminal)
    reporter.decided(Decision("x", True, ("input [/data/raw] changed [red]",), "stale"))
    error = ReportFailed("x", "x.ipynb", ename="ParseError", evalue="bad row [/mirror/fred/DGS2.csv, line 4]")
    reporter.finished(ReportResult("x", "failed", 1.0, (), error))
    reporter.stop()
    out, err = capsys.readouterr()
    assert "x: run: input [/data/raw] changed [red]" in out
    assert "ParseError: bad row [/mirror/fred/DGS2.csv, line 4]" in err


def test_data_status_prints_brackets_literally(monkeypatch, capsys):
    from research import data

    error = "ParseError: dataset 'dgs2': dates duplicated [/mirror/fred/DGS2.csv, line 4] [bold]"
    row = {"name": "dgs2", "ok": False, "origin": "mirror [/mnt/x]", "vintage": None, "coverage": "",
           "rows": 0, "blocks": [], "flags": 0, "pinned": True, "error": error}
    monkeypatch.setattr(data, "status", lambda: [row])
    monkeypatch.setenv("COLUMNS", "400")
    assert cli_main(["data", "status"]) == 3
    out = capsys.readouterr().out
    assert "[/mirror/fred/DGS2.csv, line 4] [bold]" in out and "mirror [/mnt/x]" in out
    assert "failing: dgs2" in out


def test_list_prints_a_failed_report_with_brackets_literally(project, capsys):
    registry, reports = project
    path = reports / "_state" / "bad.json"
    state = json.loads(path.read_text())
    first = "ParseError: bad [/mirror/fred/DGS2.csv, line 4] <script>[/red]"
    state.update(status="failed", attempt={**state["attempt"], "error": {"first_line": first}})
    path.write_text(json.dumps(state))
    before = last_good(reports)
    assert cli_main(["list", "--registry", str(registry), "--reports-dir", str(reports)]) == 0
    assert f"last run failed ({first})" in capsys.readouterr().out
    assert last_good(reports) == before


def test_kill_tree_misses_no_child_started_while_it_kills():
    # a worker stopped while it starts its kernel: the kernel runs in its own session, so a child
    # started between reading the tree and killing it would outlive the run (seen once in CI)
    import sys
    import time

    marker = f"61.{os.getpid()}"  # a sleep no other process runs
    code = ("import subprocess\nwhile True:\n"
            f"    subprocess.Popen(['sleep', '{marker}'], start_new_session=True)\n")
    spawner = subprocess.Popen([sys.executable, "-c", code])
    time.sleep(1.0)  # some hundreds of children by now, and more coming
    orchestrate.kill_tree(spawner.pid)
    assert spawner.wait(timeout=10) == -signal.SIGKILL

    def left() -> list[int]:
        found = []
        for proc in Path("/proc").glob("[0-9]*"):
            try:
                if (proc / "cmdline").read_bytes().split(b"\0")[:2] == [b"sleep", marker.encode()] \
                        and not dying(int(proc.name)):  # killed ones may take a moment to go
                    found.append(int(proc.name))
            except OSError:
                continue
        return found

    survivors = left()
    for pid in survivors:  # not to leave them behind when the assertion fails
        os.kill(pid, signal.SIGKILL)
    assert survivors == []
