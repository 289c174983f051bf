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
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from research import __version__
from research.errors import EXIT_DATA, EXIT_FAILED, EXIT_OK, ParameterError, ReportsNotWritable
from research.runner.cluster import run_cluster, uses_cluster
from research.runner.job import Job
from research.runner.lock import RunLock
from research.runner.plan import Planned, assess, plan
from research.runner.publish import ReportResult, publish, write_index
from research.runner.registry import Registry, Report, load_registry
from research.runner.state import (
    Decision,
    InputSha,
    ModuleSha,
    clean_temporaries,
    current_input_sha256,
    current_module_sha256,
    decide,
    read_state,
    render_hash,
)

# A notebook failing on these means the data could not be had (exit code 3), not a code bug.
DATA_ERROR_NAMES = frozenset({"DataUnavailable", "DownloadError", "ChecksumMismatch"})
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
    """Receives progress events; the base class ignores them (library use, tests)."""

    def decided(self, decision: Decision) -> None: ...
    def start(self, total: int, jobs: int) -> None: ...
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
    reporter: Reporter | None = None,
    input_sha: InputSha | None = None,
    module_sha: ModuleSha | None = None,
    package_sha: str | None = None,
    scheduler: str | None = None,
    cluster_workers: int | None = None,
) -> RunSummary:
    """Regenerate the stale reports of the registry; see the module docstring for the steps.

    ``overrides`` maps a report name to parameter values (``-p NAME KEY=VALUE``). ``jobs`` is the
    number of notebooks run at once (default: one per core). ``input_sha``, ``module_sha`` and
    ``package_sha`` replace the data layer's, the modules' and the render code's hashes (tests).
    Reports that sweep a grid share one Dask cluster (:mod:`research.runner.cluster`): the one at
    ``scheduler``, else a LocalCluster of ``cluster_workers`` processes (default: one per core). Raises ParameterError (bad
    registry or parameters, nothing run) and RunLocked (another run holds the lock).
    """
    from research.config import export_absolute_paths, settings

    export_absolute_paths()  # kernels run in temp folders: relative paths would point nowhere
    t0 = time.perf_counter()
    reporter = reporter or Reporter()
    # One look-up per dataset and module per run (a run is one snapshot): reports share most of
    # them, and the decisions and the index both ask. Halves a no-op run.
    input_sha = functools.cache(input_sha or current_input_sha256)
    reports_dir = Path(reports_dir or settings().reports_dir).resolve()
    if jobs is not None and jobs < 1:
        raise ParameterError(f"--jobs must be at least 1, got {jobs}")
    registry = load_registry(registry_path)
    package_sha = package_sha or render_hash()
    module_sha = functools.cache(module_sha or current_module_sha256)
    planned = plan(registry, only=only, overrides=overrides, package_sha=package_sha)
    summary = RunSummary()
    try:
        _run_locked(summary, registry, planned, reports_dir, force=force, jobs=jobs, wait=wait,
                    reporter=reporter, input_sha=input_sha, module_sha=module_sha, package_sha=package_sha,
                    cluster=(scheduler, cluster_workers))
    except OSError as exc:  # disk full, read-only folder: say so, not a traceback
        if exc.errno not in NOT_WRITABLE:
            raise
        raise ReportsNotWritable.from_oserror(str(reports_dir), exc, kept=WHOLE,
                                              doing=f"write to the reports folder {reports_dir}") from None
    summary.seconds = time.perf_counter() - t0
    return summary


def _run_locked(summary: RunSummary, registry: Registry, planned: list[Planned], reports_dir: Path, *,
                force: bool, jobs: int | None, wait: float, reporter: Reporter, input_sha: InputSha,
                module_sha: ModuleSha, package_sha: str, cluster: tuple[str | None, int | None]) -> None:
    """Steps 2-6 of :func:`run`, under the run lock."""
    with RunLock(reports_dir, wait=wait):
        clean_temporaries(reports_dir)
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
            summary.executed = _execute(todo, registry, reports_dir, jobs, reporter, cluster)
            for result in summary.executed:
                decisions[result.name] = Decision(result.name, False, (), "fresh" if result.status == "ok" else "failed")
        summary.index_path = write_index(registry, reports_dir, decisions, input_sha=input_sha,
                                         package_sha=package_sha)


def _execute(
    todo: list[tuple[Planned, Decision, dict[str, Any] | None]],
    registry: Registry,
    reports_dir: Path,
    jobs: int | None,
    reporter: Reporter,
    cluster: tuple[str | None, int | None] = (None, None),
) -> list[ReportResult]:
    """Run the stale reports in worker processes; publish each as it finishes."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor, as_completed

    jobs = min(jobs or cpu_count(), len(todo))
    # Longest first (by the last good run's time): two workers finish together, not one idling.
    todo = sorted(todo, key=lambda t: -(((t[2] or {}).get("success") or {}).get("seconds") or 1e9))
    scratch = Path(tempfile.mkdtemp(prefix=".run-", dir=reports_dir))
    commit = git_commit()
    env = dict(os.environ)
    by_name = {p.report.name: (p, d, s) for p, d, s in todo}
    results: list[ReportResult] = []
    if "forkserver" in mp.get_all_start_methods():
        # A single-threaded server that imported papermill and nbconvert once; workers fork from
        # it, so imports are paid once, and forking never happens from this (threaded) process.
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(["research.runner.worker"])
    else:  # pragma: no cover - Windows
        ctx = mp.get_context("spawn")
    stack = contextlib.ExitStack()
    scheduler, cluster_workers = cluster
    if scheduler or any(uses_cluster({**p.defaults, **p.parameters}) for p, _d, _s in todo):
        env.update(stack.enter_context(run_cluster(cluster_workers or cpu_count(), scheduler)))
    reporter.start(len(todo), jobs)
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_init_worker,
                               initargs=(os.getpid(),))
    try:
        futures = {}
        for p, _d, _s in todo:
            job = Job(
                name=p.report.name, notebook=str(p.report.notebook),
                notebook_display=_display_path(p.report.notebook, registry.path.parent.parent),
                parameters=p.parameters, title=p.report.title, workdir=str(scratch / p.report.name),
                components=p.components, version=__version__, git_commit=commit, env=env,
            )
            futures[pool.submit(_run_job, job)] = p.report.name
        for future in as_completed(futures):
            name = futures[future]
            try:
                raw = future.result()
            except Exception as exc:  # the worker process died (BrokenProcessPool) or could not start
                raw = {"name": name, "status": "failed", "seconds": 0.0, "ran_at": _now(), "error": {
                    "cell_index": None, "ename": type(exc).__name__, "evalue": str(exc) or "worker process died",
                    "first_line": f"{type(exc).__name__}: {str(exc) or 'worker process died'}"}}
            p, decision, state = by_name[name]
            result = publish(reports_dir, p, decision, state, raw)
            results.append(result)
            reporter.finished(result)
    except BaseException:
        for proc in list(getattr(pool, "_processes", {}).values()):  # Ctrl-C: stop kernels' parents now
            with contextlib.suppress(Exception):
                proc.terminate()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    else:
        pool.shutdown(wait=True)
    finally:
        reporter.stop()
        stack.close()
        shutil.rmtree(scratch, ignore_errors=True)
    return results


def cpu_count() -> int:
    """Cores this process may use (a container's CPU affinity, not the host's core count)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _init_worker(run_pid: int) -> None:
    from research.runner.worker import init_worker

    init_worker(run_pid)


def _run_job(job: Job) -> dict[str, Any]:
    from research.runner.worker import run_job

    return run_job(job)


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
    return assess(load_registry(registry_path), reports_dir, input_sha=input_sha or current_input_sha256,
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

