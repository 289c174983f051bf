"""Regenerate the reports: validate, decide, execute in parallel, publish atomically, index.

``run()`` does, in order (the shape of papermill's ``execute_notebook``):

1. read ``reports.toml`` and validate every selected report's parameters against its notebook's
   ``parameters`` cell, before any kernel starts (:func:`research.runner.plan.plan`,
   :class:`~research.errors.ParameterError`);
2. take the run lock (:class:`~research.runner.lock.RunLock`) and remove what killed runs left behind;
3. decide per report from its key (:func:`research.runner.state.decide`), logging the reason;
4. execute the stale reports, ``jobs`` at a time, each in its own worker process and scratch
   folder (:mod:`research.runner.worker`), longest first;
5. move each finished report into ``reports/`` (:func:`research.runner.publish.publish`: readers
   see the old report or the new one), write its state file last, keep a failed run's notebook in
   ``reports/_failed/`` and leave the last good HTML untouched;
6. rebuild ``reports/index.html`` from the state files (:func:`research.runner.publish.write_index`).

The no-op path (nothing stale) imports only the standard library, :mod:`filelock` and the small
``research`` modules, and starts no process.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import functools
import itertools
import math
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from research import __version__
from research.errors import (
    DATA_ERROR_NAMES,
    EXIT_DATA,
    EXIT_FAILED,
    EXIT_OK,
    ConfigError,
    ParameterError,
    ReportsNotWritable,
)
from research.runner.cluster import run_cluster, uses_cluster
from research.runner.job import PRELOAD, Job, Slot, forkserver_preload
from research.runner.lock import RunLock
from research.runner.plan import Planned, assess, plan
from research.runner.publish import ReportResult, publish, write_index
from research.runner.registry import Registry, Report, load_registry
from research.runner.state import (
    FAILED_DIR,
    STATE_DIR,
    Decision,
    InputSha,
    ModuleSha,
    clean_temporaries,
    current_module_sha256,
    decide,
    input_sha_lookup,
    read_state,
    render_hash,
)

# An OSError with one of these while writing into reports/ means the folder cannot be written.
NOT_WRITABLE = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EPERM, errno.EROFS})
WHOLE = "Nothing was half-written: every report and state file is the old one or the new one."


@dataclass
class RunSummary:
    """What a run decided and did. ``executed`` is empty when nothing was stale."""

    decisions: list[Decision] = field(default_factory=list)
    executed: list[ReportResult] = field(default_factory=list)
    seconds: float = 0.0
    index_path: Path | None = None
    updated: list[str] | None = None  # datasets a data update changed (``research run --update``)

    @property
    def warnings(self) -> list[str]:
        """What went wrong beside the reports (the verdict history could not be written), once each."""
        return list(dict.fromkeys(w for r in self.executed for w in r.warnings))

    @property
    def kernels_started(self) -> int:
        return len(self.executed)

    @property
    def skipped(self) -> list[str]:
        return [d.name for d in self.decisions if not d.run]

    @property
    def failed(self) -> list[ReportResult]:
        return [r for r in self.executed if r.status != "ok"]

    @property
    def exit_code(self) -> int:
        """0 all good; 3 every failure was data that could not be had; 1 any other failure."""
        if not self.failed:
            return EXIT_OK
        if all(r.error is not None and r.error.ename in DATA_ERROR_NAMES for r in self.failed):
            return EXIT_DATA
        return EXIT_FAILED


class Reporter:
    """Receives progress events; the base class ignores them (library use, tests).

    ``started`` is called when a report's notebook begins executing (at most ``jobs`` at once),
    with the seconds its last run took (``None`` when it never ran), for an estimate.
    """

    def decided(self, decision: Decision) -> None: ...
    def start(self, total: int, jobs: int) -> None: ...
    def started(self, name: str, estimate: float | None) -> None: ...
    def finished(self, result: ReportResult) -> None: ...
    def stop(self) -> None: ...


# -- the run -------------------------------------------------------------------------------------
def run(
    *,
    registry_path: Path | str | None = None,
    reports_dir: Path | str | None = None,
    only: Iterable[str] | None = None,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
    force: bool = False,
    jobs: int | None = None,
    wait: float = 0.0,
    timeout: float | None = None,
    max_report_mb: float | None = None,
    reporter: Reporter | None = None,
    input_sha: InputSha | None = None,
    module_sha: ModuleSha | None = None,
    package_sha: str | None = None,
    update: Callable[[], list[str]] | None = None,
    scheduler: str | None = None,
    cluster_workers: int | None = None,
) -> RunSummary:
    """Regenerate the stale reports of the registry; see the module docstring for the steps.

    ``overrides`` maps a report name to parameter values (``-p NAME KEY=VALUE``). ``jobs`` is the
    number of notebooks run at once (default: one per core). ``timeout`` (seconds) overrides every
    report's time limit (default: its ``timeout`` in reports.toml, else RESEARCH_REPORT_TIMEOUT);
    ``max_report_mb`` the largest page published (default RESEARCH_MAX_REPORT_MB, 50). ``input_sha``,
    ``module_sha`` and ``package_sha`` replace the data layer's, the modules' and the render code's
    hashes (tests). ``update`` (``research run --update``) refreshes the data under the run lock
    before anything is decided and returns the datasets it changed; the reports that read them are
    then stale by their keys. Reports that sweep a grid share one Dask cluster
    (:mod:`research.runner.cluster`): the one at ``scheduler``, else a LocalCluster of
    ``cluster_workers`` processes (default: one per core). Raises ParameterError (bad
    registry or parameters, nothing run) and RunLocked (another run holds the lock).
    """
    from research.config import export_absolute_paths, settings

    export_absolute_paths()  # kernels run in temp folders: relative paths would point nowhere
    t0 = time.perf_counter()
    reporter = reporter or Reporter()
    # One look-up per dataset and module per run (a run is one snapshot): reports share most of
    # them, and the decisions and the index both ask.
    input_sha = functools.cache(input_sha) if input_sha else input_sha_lookup()
    cfg = settings()  # a bad RESEARCH_* value stops here, before anything runs (ConfigError)
    reports_dir = Path(reports_dir or cfg.reports_dir).resolve()
    check_reports_dir(reports_dir)
    if jobs is not None and jobs < 1:
        raise ParameterError(f"--jobs must be at least 1, got {jobs}")
    for option, value in (("--timeout", timeout), ("max_report_mb", max_report_mb)):
        if value is not None and not (math.isfinite(value) and value > 0):
            raise ParameterError(f"{option} must be a positive number, got {value!r}")
    limits = Limits(timeout, cfg.report_timeout, max_report_mb or cfg.max_report_mb)
    registry = load_registry(registry_path)
    package_sha = package_sha or render_hash()
    module_sha = functools.cache(module_sha or current_module_sha256)
    planned = plan(registry, only=only, overrides=overrides, package_sha=package_sha)
    summary = RunSummary()
    try:
        _run_locked(summary, registry, planned, reports_dir, force=force, jobs=jobs, wait=wait, limits=limits,
                    reporter=reporter, input_sha=input_sha, module_sha=module_sha, package_sha=package_sha,
                    update=update, cluster=(scheduler, cluster_workers))
    except OSError as exc:  # disk full, read-only folder: say so, not a traceback
        if exc.errno not in NOT_WRITABLE:
            raise
        raise ReportsNotWritable.from_oserror(str(reports_dir), exc, kept=WHOLE,
                                              doing=f"write to the reports folder {reports_dir}") from None
    summary.seconds = time.perf_counter() - t0
    return summary


def preview(
    *,
    registry_path: Path | str | None = None,
    reports_dir: Path | str | None = None,
    only: Iterable[str] | None = None,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
    force: bool = False,
    input_sha: InputSha | None = None,
    module_sha: ModuleSha | None = None,
    package_sha: str | None = None,
) -> list[Decision]:
    """What :func:`run` with the same arguments would decide, and why: ``research run --dry-run``.

    Validates the registry and parameters as a run does (ParameterError when they are wrong) but
    takes no lock, starts no kernel and writes nothing.
    """
    from research.config import settings

    reports_dir = Path(reports_dir or settings().reports_dir).resolve()
    registry = load_registry(registry_path)
    planned = plan(registry, only=only, overrides=overrides, package_sha=package_sha or render_hash())
    input_sha = functools.cache(input_sha) if input_sha else input_sha_lookup()
    module_sha = functools.cache(module_sha or current_module_sha256)
    return [decide(p.report.name, p.components, read_state(reports_dir, p.report.name), reports_dir=reports_dir,
                   input_sha=input_sha, module_sha=module_sha, force=force)
            for p in planned]


def _run_locked(summary: RunSummary, registry: Registry, planned: list[Planned], reports_dir: Path, *,
                force: bool, jobs: int | None, wait: float, limits: Limits, reporter: Reporter,
                input_sha: InputSha, module_sha: ModuleSha, package_sha: str,
                update: Callable[[], list[str]] | None = None,
                cluster: tuple[str | None, int | None] = (None, None)) -> None:
    """Steps 2-6 of :func:`run`, under the run lock."""
    with RunLock(reports_dir, wait=wait):
        clean_temporaries(reports_dir)
        if update is not None:
            summary.updated = list(update())
        decisions: dict[str, Decision] = {}
        todo: list[tuple[Planned, Decision, dict[str, Any] | None]] = []
        for p in planned:
            state = read_state(reports_dir, p.report.name)
            decision = decide(p.report.name, p.components, state, reports_dir=reports_dir,
                              input_sha=input_sha, module_sha=module_sha, force=force)
            decisions[p.report.name] = decision
            summary.decisions.append(decision)
            reporter.decided(decision)
            if decision.run:
                todo.append((p, decision, state))
        if todo:
            summary.executed = _execute(todo, registry, reports_dir, jobs, reporter, limits, cluster)
            for result in summary.executed:
                decisions[result.name] = Decision(result.name, False, (), "fresh" if result.status == "ok" else "failed")
        summary.index_path = write_index(registry, reports_dir, decisions, input_sha=input_sha,
                                         module_sha=module_sha, package_sha=package_sha)


def _execute(
    todo: list[tuple[Planned, Decision, dict[str, Any] | None]],
    registry: Registry,
    reports_dir: Path,
    jobs: int | None,
    reporter: Reporter,
    limits: Limits,
    cluster: tuple[str | None, int | None] = (None, None),
    warm: int | None = None,
    preload: tuple[str, ...] = PRELOAD,
) -> list[ReportResult]:
    """Run the stale reports, each in its own worker process, ``jobs`` at a time; publish each as
    it finishes. A report past its time limit is killed with its kernel and recorded as failed,
    and the others go on (a process pool could not do that: killing one of its workers breaks
    the whole pool).

    Besides the running workers, up to ``warm`` (default ``jobs``) more wait with their kernel
    started (and ``preload`` imported) for the next reports, never more than reports are left:
    a report starting in a freed slot finds its kernel ready. Each kernel runs one report."""
    import multiprocessing as mp
    from multiprocessing.connection import wait as wait_any

    jobs = min(jobs or cpu_count(), len(todo))
    warm = jobs if warm is None else warm
    # Longest first (by the last good run's time): two workers finish together, not one idling.
    todo = sorted(todo, key=lambda t: -(last_seconds(t[2]) or 1e9))
    scratch = Path(tempfile.mkdtemp(prefix=".run-", dir=reports_dir))
    commit = git_commit()
    env = dict(os.environ)
    if "forkserver" in mp.get_all_start_methods():
        # A single-threaded server that imported papermill and nbconvert once; workers fork from
        # it, so imports are paid once, and forking never happens from this (threaded) process.
        ctx = mp.get_context("forkserver")
        # The kernels are forked from the workers (runner.kernel_fork), so what they import as they
        # start (``preload``) is imported here too, once per run.
        ctx.set_forkserver_preload(forkserver_preload(preload))
    else:  # pragma: no cover - Windows
        ctx = mp.get_context("spawn")
    stack = contextlib.ExitStack()
    scheduler, cluster_workers = cluster
    if scheduler or any(uses_cluster({**p.defaults, **p.parameters}) for p, _d, _s in todo):
        env.update(stack.enter_context(run_cluster(cluster_workers or cpu_count(), scheduler)))
    slots = (scratch / f"k{n}" for n in itertools.count(1))

    def start_worker() -> _Worker:
        workdir = next(slots)
        workdir.mkdir()
        slot = Slot(workdir=str(workdir), env=env, preload=preload)
        jobs_read, jobs_write = ctx.Pipe(duplex=False)
        results_read, results_write = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_worker_main, args=(slot, jobs_read, results_write, os.getpid()),
                           name=f"report-{workdir.name}")
        proc.start()
        jobs_read.close()
        results_write.close()  # the worker holds the only write end: EOF means it died
        return _Worker(proc, jobs_write, results_read, str(workdir))

    reporter.start(len(todo), jobs)
    waiting = list(todo)
    ready: list[_Worker] = []  # started, kernel starting or started, no report yet
    running: list[_Running] = []
    results: list[ReportResult] = []
    try:
        while waiting or running:
            while waiting and len(running) < jobs:
                p, decision, state = waiting.pop(0)
                worker = _hand_over(ready, start_worker)
                job = Job(
                    name=p.report.name, notebook=str(p.report.notebook),
                    notebook_display=_display_path(p.report.notebook, registry.path.parent.parent),
                    parameters=p.parameters, title=p.report.title, workdir=worker.workdir,
                    components=p.components, version=__version__, git_commit=commit,
                    max_html_bytes=int(limits.max_report_mb * 1e6), reports_dir=str(reports_dir),
                )
                with contextlib.suppress(OSError):  # a worker dead already: its outcome says so
                    worker.jobs.send(job)
                worker.jobs.close()
                limit, source = limits.for_report(p.report)
                running.append(_Running(p, decision, state, worker.proc, worker.results, worker.workdir,
                                        time.monotonic() + limit, limit, source))
                reporter.started(p.report.name, last_seconds(state))
            while len(ready) < min(warm, len(waiting)):
                ready.append(start_worker())
            deadline = min(r.deadline for r in running)
            wait_any([r.conn for r in running] + [r.proc.sentinel for r in running],
                     timeout=max(0.0, deadline - time.monotonic()))
            for r in list(running):
                raw = r.outcome(time.monotonic())
                if raw is None:
                    continue
                running.remove(r)
                result = publish(reports_dir, r.planned, r.decision, r.state, raw)
                results.append(result)
                reporter.finished(result)
    finally:  # Ctrl-C, a full disk: no worker or kernel outlives the run
        for r in running:
            r.stop()
        for w in ready:
            w.stop()
        reporter.stop()
        stack.close()
        shutil.rmtree(scratch, ignore_errors=True)
    return results


def _hand_over(ready: list[_Worker], start: Callable[[], _Worker]) -> _Worker:
    """The oldest waiting worker still alive (its kernel furthest along), else a new one."""
    while ready:
        worker = ready.pop(0)
        if worker.proc.is_alive():
            return worker
        worker.stop()
    return start()


@dataclass
class _Worker:
    """A worker process before its report: the write end of its job pipe, the read end of its
    result pipe and its scratch folder."""

    proc: Any
    jobs: Any
    results: Any
    workdir: str

    def stop(self) -> None:
        """Kill it and its kernel; reap it."""
        if self.proc.is_alive():
            kill_tree(self.proc.pid)
        self.proc.join(timeout=30)
        for conn in (self.jobs, self.results):
            with contextlib.suppress(OSError):
                conn.close()


def last_seconds(state: Mapping[str, Any] | None) -> float | None:
    """How long the report's last good run took (its state file's ``seconds``), or None."""
    seconds = ((state or {}).get("success") or {}).get("seconds")
    return float(seconds) if isinstance(seconds, (int, float)) else None


@dataclass(frozen=True)
class Limits:
    """A run's time and size limits. ``timeout`` (``--timeout``) beats a report's own ``timeout``
    in reports.toml, which beats RESEARCH_REPORT_TIMEOUT (default 1800 s)."""

    timeout: float | None
    default_timeout: float
    max_report_mb: float

    def for_report(self, report: Report) -> tuple[float, str]:
        """(seconds, where the limit came from, for the message that says how to raise it)."""
        if self.timeout is not None:
            return self.timeout, "--timeout"
        if report.timeout is not None:
            return report.timeout, "reports.toml"
        return self.default_timeout, "default"


@dataclass
class _Running:
    """One report's worker process, the read end of its result pipe, and its deadline."""

    planned: Planned
    decision: Decision
    state: dict[str, Any] | None
    proc: Any
    conn: Any
    workdir: str
    deadline: float
    limit: float
    source: str
    started: float = field(default_factory=time.monotonic)

    def outcome(self, now: float) -> dict[str, Any] | None:
        """The worker's result, a failure if it died or ran out of time, or ``None`` (still running)."""
        name = self.planned.report.name
        if self.conn.poll():
            try:
                raw = self.conn.recv()
            except (EOFError, OSError):  # died without a word: OOM killer, kill -9, os._exit
                raw = _failure(name, now - self.started, "WorkerDied",
                               f"the worker process died (exit code {self._exitcode()}); the kernel was "
                               "stopped with it. Check memory (the OOM killer) and run again.")
            self.stop()
            return raw
        if not self.proc.is_alive():
            self.stop()
            return _failure(name, now - self.started, "WorkerDied",
                            f"the worker process died (exit code {self._exitcode()}) before it reported")
        if now >= self.deadline:
            self.stop()
            raw = _failure(name, now - self.started, "ReportTimeout", _timeout_message(name, self.limit, self.source))
            raw["ipynb"] = _partial_notebook(Path(self.workdir) / "out" / f"{name}.ipynb")
            return raw
        return None

    def _exitcode(self) -> Any:
        self.proc.join(timeout=5)
        return self.proc.exitcode

    def stop(self) -> None:
        """Kill the worker and everything under it (its kernel, a kernel's subprocesses); reap it."""
        if self.proc.is_alive():
            kill_tree(self.proc.pid)
        self.proc.join(timeout=30)
        with contextlib.suppress(OSError):
            self.conn.close()


def _timeout_message(name: str, limit: float, source: str) -> str:
    how = {"--timeout": "run with a larger `research run --timeout SECONDS`",
           "reports.toml": f"raise `timeout = SECONDS` under [reports.{name}] in reports.toml (or pass "
                           "`research run --timeout SECONDS`)",
           "default": f"set `timeout = SECONDS` under [reports.{name}] in reports.toml, pass "
                      "`research run --timeout SECONDS`, or set RESEARCH_REPORT_TIMEOUT"}[source]
    where = {"--timeout": "--timeout", "reports.toml": "its timeout in reports.toml",
             "default": "RESEARCH_REPORT_TIMEOUT, default 1800 s"}[source]
    return (f"report {name!r} ran longer than its time limit of {limit:g} s ({where}) and was stopped, "
            f"with its kernel. If it needs longer, {how}.")


def _failure(name: str, seconds: float, ename: str, evalue: str) -> dict[str, Any]:
    return {"name": name, "status": "failed", "seconds": seconds, "ran_at": _now(), "ipynb": None,
            "failed_html": None, "error": {"cell_index": None, "ename": ename, "evalue": evalue,
                                           "first_line": f"{ename}: {evalue}"}}


def _partial_notebook(path: Path) -> str | None:
    """A stopped report's executed notebook as far as papermill saved it (the evidence), unless
    it was stopped half-way through writing it."""
    import json

    try:
        json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    return str(path)


def kill_tree(pid: int) -> None:
    """SIGKILL ``pid`` and all its descendants. Each process is stopped (SIGSTOP) before its
    children are read, so none is missed: not by being re-parented, and not by being started
    between the reading and the killing (a worker stopped while it started its kernel left that
    kernel running, in its own session, once in CI). The worker's own SIGTERM clean-up is not
    relied on: a worker stuck in a blocking call might never run its handler."""
    import signal

    pids = [pid]
    for parent in pids:  # grows as descendants are found
        with contextlib.suppress(OSError):
            os.kill(parent, signal.SIGSTOP)
        _wait_stopped(parent)
        for task in Path(f"/proc/{parent}/task").glob("*"):
            with contextlib.suppress(OSError, ValueError):
                pids += [int(c) for c in (task / "children").read_text().split()]
    for victim in pids:
        with contextlib.suppress(OSError):
            os.kill(victim, signal.SIGKILL)


def _wait_stopped(pid: int, timeout: float = 1.0) -> None:
    """Until ``pid`` has stopped or gone (SIGSTOP takes effect when it next leaves the kernel)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return
        if state in ("T", "t", "Z", "X"):
            return
        time.sleep(0.001)


def check_reports_dir(reports_dir: Path) -> None:
    """Refuse, before anything runs, a reports folder (or one of the workbench's own folders in
    it) that is a file: every write would fail half-way through the run otherwise."""
    for path in (reports_dir, reports_dir / STATE_DIR, reports_dir / FAILED_DIR):
        if path.exists() and not path.is_dir():
            raise ConfigError(f"{path} is a file where the workbench keeps a folder. Fix: move it away "
                              "(or point --reports-dir / RESEARCH_REPORTS_DIR at another folder), then run again.")


def cpu_count() -> int:
    """Cores this process may use (a container's CPU affinity, not the host's core count)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _worker_main(slot: Slot, jobs: Any, conn: Any, run_pid: int) -> None:
    """A worker process's body: start a kernel, run the report ``jobs`` brings, send its result
    back through ``conn``."""
    from research.runner.worker import serve

    serve(slot, jobs, conn, run_pid)


def _display_path(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def status(
    *,
    registry_path: Path | str | None = None,
    reports_dir: Path | str | None = None,
    input_sha: InputSha | None = None,
    module_sha: ModuleSha | None = None,
) -> list[tuple[Report, Decision, dict[str, Any] | None]]:
    """Each report with its decision (fresh / stale and why / failed) and its state file."""
    from research.config import settings

    reports_dir = Path(reports_dir or settings().reports_dir).resolve()
    return assess(load_registry(registry_path), reports_dir, input_sha=input_sha or input_sha_lookup(),
                  module_sha=module_sha or current_module_sha256)


def git_commit(root: Path | None = None) -> str | None:
    """``git rev-parse HEAD`` of the project, or ``None`` when that does not work (no git, no commit)."""
    from research.config import settings

    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root or settings().root,
                             capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 and out.stdout.strip() else None

