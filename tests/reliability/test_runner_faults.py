"""Runner faults: bad parameters, a notebook that raises, a killed run, two runs, a stale lock, a
full or read-only reports folder.

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
    assert changed <= {"slow.html", "slow.ipynb", "_state/slow.json", "index.html"}
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
