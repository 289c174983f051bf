"""Regenerate the reports: validate, decide, execute in parallel, publish atomically, index.

``run()`` does, in order (the shape of papermill's ``execute_notebook``):

1. read ``reports.toml`` and validate every selected report's parameters against its notebook's
   ``parameters`` cell, before any kernel starts (:class:`~research.errors.ParameterError`);
2. take the run lock (:class:`~research.lock.RunLock`) and remove what killed runs left behind;
3. decide per report from its key (:func:`research.runstate.decide`), logging the reason;
4. execute the stale reports, ``jobs`` at a time, each in its own worker process and scratch
   folder (:mod:`research.runworker`), longest first;
5. move each finished report into ``reports/`` with :func:`os.replace` (readers see the old
   report or the new one), write its state file last, keep a failed run's notebook in
   ``reports/_failed/`` and leave the last good HTML untouched;
6. rebuild ``reports/index.html`` from the state files.

The no-op path (nothing stale) imports only the standard library, :mod:`filelock` and the small
``research`` modules, and starts no process.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
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
from research.errors import ParameterError, ReportFailed, ReportsNotWritable, ResearchError
from research.lock import RunLock
from research.registry import (
    Registry,
    Report,
    declared_parameters,
    load_registry,
    read_notebook,
    validate_parameters,
)
from research.runstate import (
    FAILED_DIR,
    Decision,
    InputSha,
    atomic_write_text,
    clean_temporaries,
    current_input_sha256,
    decide,
    input_shas,
    notebook_hash,
    package_hash,
    parameters_hash,
    read_state,
    write_state,
)

# A notebook failing on these means the data could not be had (exit code 3), not a code bug.
DATA_ERROR_NAMES = frozenset({"DataUnavailable", "DownloadError", "ChecksumMismatch"})
EXIT_OK, EXIT_FAILED, EXIT_DATA = 0, 1, 3
# An OSError with one of these while writing into reports/ means the folder cannot be written.
NOT_WRITABLE = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EPERM, errno.EROFS})
WHOLE = "Nothing was half-written: every report and state file is the old one or the new one."


@dataclass(frozen=True)
class Job:
    """Everything a worker needs to run one report (plain data, pickled to the worker)."""

    name: str
    notebook: str
    notebook_display: str
    parameters: dict[str, Any]
    title: str
    workdir: str
    components: dict[str, Any]
    version: str
    git_commit: str | None
    env: dict[str, str] = field(default_factory=dict)
    start_timeout: float = 120.0


@dataclass(frozen=True)
class ReportResult:
    """One executed report: ``status`` is ``"ok"`` or ``"failed"`` (then ``error`` says why)."""

    name: str
    status: str
    seconds: float
    reasons: tuple[str, ...] = ()
    error: ReportFailed | None = None


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


# -- planning ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Planned:
    report: Report
    parameters: dict[str, Any]
    components: dict[str, Any]


def plan(
    registry: Registry,
    *,
    only: Iterable[str] | None = None,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
    package_sha: str | None = None,
) -> list[Planned]:
    """Select reports and validate all their parameters; raise one ParameterError for all problems."""
    selected = registry.select(only)
    overrides = dict(overrides or {})
    names = {r.name for r in selected}
    for name in overrides:
        if name not in registry.reports:
            raise ParameterError(f"-p {name} ...: no report {name!r} in {registry.path}; "
                                 f"reports: {', '.join(registry.reports)}")
        if name not in names:
            raise ParameterError(f"-p {name} ...: report {name!r} is not selected by --only")
    package_sha = package_sha or package_hash()
    planned: list[Planned] = []
    problems: list[str] = []
    for report in selected:
        try:
            nb = read_notebook(report.notebook)
            declared = declared_parameters(nb, where=str(report.notebook))
            params = validate_parameters(report, {**report.parameters, **overrides.get(report.name, {})}, declared)
        except ParameterError as exc:
            problems.append(str(exc))
            continue
        components = {"notebook": notebook_hash(nb), "parameters": parameters_hash(params), "package": package_sha}
        planned.append(Planned(report, params, components))
    if problems:
        raise ParameterError("\n".join(problems) + f"\nNo report was run. Fix the above in "
                             f"{registry.path} (or the -p options), then run again.")
    return planned


def assess(
    registry: Registry,
    reports_dir: Path,
    *,
    input_sha: InputSha = current_input_sha256,
    package_sha: str | None = None,
) -> list[tuple[Report, Decision, dict[str, Any] | None]]:
    """Every report's freshness for ``research list`` and the index; never raises for one report."""
    package_sha = package_sha or package_hash()
    out = []
    for report in registry.reports.values():
        state = read_state(reports_dir, report.name)
        try:
            (p,) = plan(registry, only=[report.name], package_sha=package_sha)
            decision = decide(report.name, p.components, state, reports_dir=reports_dir, input_sha=input_sha)
        except ResearchError as exc:
            first = str(exc).strip().splitlines()[0]
            decision = Decision(report.name, True, (f"invalid: {first}",), "stale")
        out.append((report, decision, state))
    return out


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
    package_sha: str | None = None,
) -> RunSummary:
    """Regenerate the stale reports of the registry; see the module docstring for the steps.

    ``overrides`` maps a report name to parameter values (``-p NAME KEY=VALUE``). ``jobs`` is the
    number of notebooks run at once (default: one per core). ``input_sha`` and ``package_sha``
    replace the data layer's and the package's hashes (tests). Raises ParameterError (bad
    registry or parameters, nothing run) and RunLocked (another run holds the lock).
    """
    from research.config import export_absolute_paths, settings

    export_absolute_paths()  # kernels run in temp folders: relative paths would point nowhere
    t0 = time.perf_counter()
    reporter = reporter or Reporter()
    input_sha = input_sha or current_input_sha256
    reports_dir = Path(reports_dir or settings().reports_dir).resolve()
    if jobs is not None and jobs < 1:
        raise ParameterError(f"--jobs must be at least 1, got {jobs}")
    registry = load_registry(registry_path)
    package_sha = package_sha or package_hash()
    planned = plan(registry, only=only, overrides=overrides, package_sha=package_sha)
    summary = RunSummary()
    try:
        _run_locked(summary, registry, planned, reports_dir, force=force, jobs=jobs, wait=wait,
                    reporter=reporter, input_sha=input_sha, package_sha=package_sha)
    except OSError as exc:  # disk full, read-only folder: say so, not a traceback
        if exc.errno not in NOT_WRITABLE:
            raise
        raise ReportsNotWritable.from_oserror(str(reports_dir), exc, kept=WHOLE,
                                              doing=f"write to the reports folder {reports_dir}") from None
    summary.seconds = time.perf_counter() - t0
    return summary


def _run_locked(summary: RunSummary, registry: Registry, planned: list[Planned], reports_dir: Path, *,
                force: bool, jobs: int | None, wait: float, reporter: Reporter, input_sha: InputSha,
                package_sha: str) -> None:
    """Steps 2-6 of :func:`run`, under the run lock."""
    with RunLock(reports_dir, wait=wait):
        clean_temporaries(reports_dir)
        decisions: dict[str, Decision] = {}
        todo: list[tuple[Planned, Decision, dict[str, Any] | None]] = []
        for p in planned:
            state = read_state(reports_dir, p.report.name)
            decision = decide(p.report.name, p.components, state, reports_dir=reports_dir,
                              input_sha=input_sha, force=force)
            decisions[p.report.name] = decision
            summary.decisions.append(decision)
            reporter.decided(decision)
            if decision.run:
                todo.append((p, decision, state))
        if todo:
            summary.executed = _execute(todo, registry, reports_dir, jobs, reporter)
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
        ctx.set_forkserver_preload(["research.runworker"])
    else:  # pragma: no cover - Windows
        ctx = mp.get_context("spawn")
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
        shutil.rmtree(scratch, ignore_errors=True)
    return results


def cpu_count() -> int:
    """Cores this process may use (a container's CPU affinity, not the host's core count)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _init_worker(run_pid: int) -> None:
    from research.runworker import init_worker

    init_worker(run_pid)


def _run_job(job: Job) -> dict[str, Any]:
    from research.runworker import run_job

    return run_job(job)


def _display_path(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _replace(src: str | Path, dst: Path) -> None:
    """Move a finished file into place atomically, after flushing it to disk."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    with open(src, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(src, dst)


class _Moves:
    """Move a report's files into place one by one, and put every replaced file back on failure.

    Each file is atomic on its own (:func:`_replace`); this makes the set atomic too, so a failure
    between the notebook and the HTML (a full disk) never leaves a new notebook beside an old page.
    The file being replaced is kept as a hard link (or a copy) in the run's scratch folder.
    """

    def __init__(self) -> None:
        self.done: list[tuple[Path, Path | None]] = []

    def replace(self, src: str | Path, dst: Path) -> None:
        backup = None
        if dst.exists():
            backup = Path(src).with_name(f".previous-{dst.name}")
            with contextlib.suppress(FileNotFoundError):
                backup.unlink()
            try:
                os.link(dst, backup)
            except OSError:  # a filesystem without hard links
                shutil.copy2(dst, backup)
        _replace(src, dst)
        self.done.append((dst, backup))

    def undo(self) -> None:
        for dst, backup in reversed(self.done):
            with contextlib.suppress(OSError):
                if backup is None:
                    dst.unlink()
                else:
                    os.replace(backup, dst)
        self.done.clear()


def publish(reports_dir: Path, p: Planned, decision: Decision, previous: Mapping[str, Any] | None,
            raw: Mapping[str, Any]) -> ReportResult:
    """Move one worker result into ``reports/`` and write the report's state file (last)."""
    name = p.report.name
    previous = dict(previous or {})
    err = raw.get("error")
    attempt = {
        "ran_at": raw.get("ran_at"), "seconds": raw.get("seconds"), "execute_seconds": raw.get("execute_seconds"),
        "render_seconds": raw.get("render_seconds"), "components": p.components, "parameters": p.parameters,
        "reasons": list(decision.reasons), "error": err,
    }
    state: dict[str, Any] = {"version": 1, "report": name, "notebook": p.report.notebook.name,
                             "title": p.report.title, "claims": list(p.report.claims)}
    failed_dir = reports_dir / FAILED_DIR
    if raw.get("status") == "ok" and err is None:
        sidecar = raw.get("sidecar") or {}
        inputs = sidecar.get("inputs") if raw.get("sidecar") is not None else None
        success = {
            "ran_at": raw["ran_at"], "seconds": raw.get("seconds"), "key": raw["key"],
            "components": {**p.components, "inputs": input_shas(inputs)}, "parameters": p.parameters,
            "inputs": inputs, "verdicts": sidecar.get("verdicts", []), "extra": sidecar.get("extra", {}),
            "html": f"{name}.html", "ipynb": f"{name}.ipynb",
        }
        state.update(status="ok", attempt=attempt, success=success)
        moves = _Moves()
        try:  # the notebook, the page and (last) the state: all of them, or none
            moves.replace(raw["ipynb"], reports_dir / f"{name}.ipynb")
            moves.replace(raw["html"], reports_dir / f"{name}.html")
            write_state(reports_dir, name, state)
        except BaseException as exc:  # a full disk, or Ctrl-C between two moves
            moves.undo()
            if not isinstance(exc, OSError):
                raise
            raise ReportsNotWritable.from_oserror(
                str(reports_dir), exc, doing=f"publish report {name!r}",
                kept=f"Nothing was half-written: the last good {name}.html, {name}.ipynb and its "
                     "state file are unchanged.") from None
        for stale in (failed_dir / f"{name}.ipynb", failed_dir / f"{name}.html"):
            with contextlib.suppress(FileNotFoundError):
                stale.unlink()
        return ReportResult(name, "ok", float(raw.get("seconds") or 0.0), decision.reasons)
    kept = None
    try:
        if raw.get("ipynb"):
            kept = failed_dir / f"{name}.ipynb"
            _replace(raw["ipynb"], kept)
            attempt["failed_notebook"] = f"{FAILED_DIR}/{name}.ipynb"
        if raw.get("failed_html"):
            _replace(raw["failed_html"], failed_dir / f"{name}.html")
            attempt["failed_html"] = f"{FAILED_DIR}/{name}.html"
        state.update(status="failed", attempt=attempt, success=previous.get("success"))
        write_state(reports_dir, name, state)
    except OSError as exc:
        first = (err or {}).get("first_line", "")
        raise ReportsNotWritable.from_oserror(
            str(reports_dir), exc, doing=f"record the failure of report {name!r} ({first})",
            kept=f"The last good {name}.html, {name}.ipynb and its state file are unchanged.") from None
    error = ReportFailed(name, str(p.report.notebook), cell_index=(err or {}).get("cell_index"),
                         ename=(err or {}).get("ename", ""), evalue=(err or {}).get("evalue", ""),
                         output_path=str(kept) if kept else None)
    return ReportResult(name, "failed", float(raw.get("seconds") or 0.0), decision.reasons, error)


def write_index(registry: Registry, reports_dir: Path, decisions: Mapping[str, Decision] | None = None,
                *, input_sha: InputSha = current_input_sha256, package_sha: str | None = None) -> Path:
    """Rebuild ``reports/index.html`` from the state files (nothing is executed)."""
    from research.report import scorecard

    decisions = dict(decisions or {})
    states = {}
    for report, decision, state in assess(registry, reports_dir, input_sha=input_sha, package_sha=package_sha):
        decisions.setdefault(report.name, decision)
        if state:
            states[report.name] = state
    path = reports_dir / "index.html"
    atomic_write_text(path, scorecard.index_html(list(registry.reports.values()), states, decisions))
    return path


def status(
    *,
    registry_path: Path | str | None = None,
    reports_dir: Path | str | None = None,
    input_sha: InputSha | None = None,
) -> list[tuple[Report, Decision, dict[str, Any] | None]]:
    """Each report with its decision (fresh / stale and why / failed) and its state file."""
    from research.config import settings

    reports_dir = Path(reports_dir or settings().reports_dir).resolve()
    return assess(load_registry(registry_path), reports_dir, input_sha=input_sha or current_input_sha256)


def git_commit(root: Path | None = None) -> str | None:
    """``git rev-parse HEAD`` of the project, or ``None`` when that does not work (no git, no commit)."""
    from research.config import settings

    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root or settings().root,
                             capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 and out.stdout.strip() else None


def override_map(pairs: Iterable[tuple[str, str]] | None) -> dict[str, dict[str, Any]]:
    """``[("easing", "horizon=12"), ...]`` from ``-p NAME KEY=VALUE`` -> ``{"easing": {"horizon": 12}}``."""
    from research.registry import parse_assignment

    out: dict[str, dict[str, Any]] = {}
    for name, assignment in pairs or []:
        key, value = parse_assignment(assignment)
        out.setdefault(name, {})[key] = value
    return out

