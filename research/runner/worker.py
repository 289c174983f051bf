"""The runner's worker process: start a kernel, execute one report in it, render, hand back files.

Each worker is a separate process (papermill changes the process-wide cwd, papermill #578), forked
from a forkserver that imported this module once, so papermill and nbconvert are loaded a single
time per run rather than once per report. A worker is started with a :class:`Slot` before its
report is known and starts its kernel at once: a fork of the worker (``runner.kernel_fork``), so
it starts with the heavy third-party modules the reports use (``Slot.preload``) already
imported by the forkserver; the run sends the :class:`Job` when a slot frees, so kernel
start-up overlaps the reports still running. A kernel runs exactly one report and is
killed as soon as that report has executed. The worker renders the HTML in-process (no extra
process per report) and returns a plain dict. It writes only inside its hidden scratch folder
(``reports/.run-*/kN``); the parent, which holds the run lock, moves finished files into place,
so a worker orphaned by a killed run cannot publish anything.

Importing this module is deliberately heavy (papermill, nbconvert, one warm-up render): it is the
forkserver's preload. The CLI never imports it on the no-op path.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import sys
import threading
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# jsonschema (under nbformat) imports rfc3987_syntax when installed (jupyterlab pulls it in), and
# that module compiles an Earley grammar at import: 2.2 s per process here, for an IRI format
# check nbformat's schema never uses. Without it jsonschema simply skips that optional check.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

import nbformat  # noqa: E402
import papermill  # noqa: E402
from jupyter_client.manager import AsyncKernelManager  # noqa: E402
from jupyter_core.utils import run_sync  # noqa: E402
from papermill.exceptions import PapermillExecutionError  # noqa: E402

import research  # noqa: E402
from research import provenance  # noqa: E402
from research.claims import catalog  # noqa: E402
from research.report import page as report_page  # noqa: E402
from research.runner import history  # noqa: E402
from research.runner.checks import sidecar_problem  # noqa: E402
from research.runner.job import Job, Slot  # noqa: E402
from research.runner.kernel_fork import ForkedKernelManager  # noqa: E402
from research.runner.state import recorded_components, report_key  # noqa: E402
from research.verdict import SIDECAR_ENV  # noqa: E402

KERNEL_NAME = "python3"  # the runner's own interpreter (jupyter_client maps `python` to sys.executable)
KERNEL_ARGS = [
    "--HistoryManager.enabled=False",  # no sqlite history: faster, no lock contention
    "--HistoryManager.hist_file=:memory:",  # what nbclient adds to the kernels it starts itself
    "--InlineBackend.figure_formats=retina",  # figures at 2x: crisp on high-density screens
    "--IPKernelApp.exec_lines=import research.report.figure_alt",  # each figure's title as its alt text
]
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


def kernel_args(preload: tuple[str, ...]) -> list[str]:
    """The kernel's command-line options: :data:`KERNEL_ARGS`, then an import of ``preload``
    that binds no name in the notebook's namespace (a comprehension has its own scope, and the
    trailing ``;`` keeps it out of ``_``)."""
    if not preload:
        return list(KERNEL_ARGS)
    return [*KERNEL_ARGS, f"--IPKernelApp.exec_lines=[__import__(m) for m in {tuple(preload)!r}];"]


def serve(slot: Slot, jobs: Any, conn: Any, run_pid: int) -> None:
    """A worker process's body: start the slot's kernel, wait for the report (``jobs``), run it,
    send the result dict through ``conn``, exit. End of file on ``jobs`` means the run needs no
    more reports: the kernel is stopped unused.

    Anything unexpected is sent back as a failure, never a silent death.
    """
    init_worker(run_pid)
    km = start_kernel(slot)
    try:
        try:
            job = jobs.recv()
        except (EOFError, OSError):
            return
        try:
            result = run_job(job, slot, km)
        except BaseException as exc:  # noqa: BLE001 - the run must hear about it, whatever it is
            result = {"name": job.name, "status": "failed", "seconds": 0.0, "ran_at": None, "ipynb": None,
                      "failed_html": None, "error": {
                          "cell_index": None, "ename": type(exc).__name__, "evalue": str(exc),
                          "first_line": f"{type(exc).__name__}: {_first_line(str(exc))}",
                          "traceback": traceback.format_exc(limit=8)}}
        conn.send(result)
        conn.close()
    finally:
        stop_kernel(km)


def start_kernel(slot: Slot) -> AsyncKernelManager | None:
    """Start the slot's kernel without waiting for it to be ready; ``None`` if it cannot be
    started: the report then starts its own through papermill (a new interpreter), which reports
    the failure as it always did."""
    # forked from this process, which has ``slot.preload`` loaded (the forkserver imported it);
    # with no preload a new interpreter, as papermill would start it
    km = (ForkedKernelManager if slot.preload else AsyncKernelManager)(kernel_name=KERNEL_NAME)
    try:
        with _kernel_env(slot), _output_to(Path(slot.workdir) / "kernel.log"):
            run_sync(km.start_kernel)(extra_arguments=kernel_args(slot.preload), cwd=slot.workdir)
    except Exception:
        stop_kernel(km)
        return None
    return km


def stop_kernel(km: AsyncKernelManager | None) -> None:
    """Kill the kernel and its process group now. Its report is complete when the last cell
    has replied (the sidecar is written inside that cell), and a polite shutdown only waits:
    about 2 s per report measured, with the CPU idle."""
    if km is None or not km.has_kernel:
        return
    with contextlib.suppress(Exception):
        run_sync(km.shutdown_kernel)(now=True)


@contextlib.contextmanager
def _kernel_env(slot: Slot) -> Iterator[None]:
    """The environment a report's kernel is started with: the run's, plus its sidecar path,
    matplotlib's inline backend and the project on PYTHONPATH; this process's own afterwards."""
    saved_env = dict(os.environ)
    if slot.env:
        os.environ.clear()
        os.environ.update(slot.env)
    os.environ[SIDECAR_ENV] = str(Path(slot.workdir) / "sidecar.json")
    os.environ["MPLBACKEND"] = INLINE_BACKEND
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    project_root = str(Path(research.__file__).resolve().parent.parent)
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (project_root, os.environ.get("PYTHONPATH", "")) if p)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved_env)


def init_worker(run_pid: int) -> None:
    """Runs once in each worker: leave Ctrl-C to the run, and never outlive it.

    SIGINT gets a no-op handler rather than SIG_IGN because an ignored signal would be inherited
    by the kernels this process starts. A worker's parent is the forkserver, which stays up as long
    as any worker does, so the parent-death signal cannot be used; instead a thread waits for the
    run process (``run_pid``) to end, then kills this worker's kernel and exits. SIGTERM (the
    run's Ctrl-C clean-up) does the same.
    """
    signal.signal(signal.SIGINT, lambda *_: None)
    signal.signal(signal.SIGTERM, lambda *_: _die())
    threading.Thread(target=_watch, args=(run_pid,), name="watch-run", daemon=True).start()


def _watch(pid: int) -> None:
    try:
        fd = os.pidfd_open(pid)  # Linux >= 5.3: readable once the process has exited
    except (AttributeError, OSError):
        fd = None
    if fd is not None:
        select.select([fd], [], [])
    else:  # pragma: no cover - other platforms: poll
        while True:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            except PermissionError:
                pass
            time.sleep(0.5)
    _die()


def _die() -> None:
    """Kill this process's children (the kernel, in its own session) and exit at once."""
    for child in _children():
        with contextlib.suppress(OSError):
            os.kill(child, signal.SIGKILL)
    os._exit(1)


def _children() -> list[int]:
    pids: list[int] = []
    for task in Path(f"/proc/{os.getpid()}/task").glob("*"):
        with contextlib.suppress(OSError):
            pids += [int(p) for p in (task / "children").read_text().split()]
    return pids


class ReportTooLarge(Exception):
    """A rendered page over the size limit: failed, not published."""

    def __init__(self, size: int, limit: int):
        super().__init__(
            f"the page would be {size / 1e6:.3g} MB, over the limit of {limit / 1e6:g} MB "
            "(RESEARCH_MAX_REPORT_MB); it was not published. Fix: draw fewer points or smaller "
            "figures, or raise RESEARCH_MAX_REPORT_MB.")


def _first_line(text: str) -> str:
    lines = [ln for ln in str(text).strip().splitlines() if ln.strip()]
    return lines[0] if lines else ""


def run_job(job: Job, slot: Slot, km: AsyncKernelManager | None = None) -> dict[str, Any]:
    """Execute and render one report into ``job.workdir`` (the slot's), in the slot's kernel
    ``km`` (a new one if it is missing or died while waiting); never raises for a notebook failure."""
    if job.workdir != slot.workdir:
        raise ValueError(f"report {job.name!r} was sent to the kernel of {slot.workdir}, not its own {job.workdir}")
    started = time.perf_counter()
    ran_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    workdir = Path(job.workdir)
    out_dir = workdir / "out"
    out_dir.mkdir(parents=True, exist_ok=True)
    executed = out_dir / f"{job.name}.ipynb"
    sidecar_path = workdir / "sidecar.json"
    result: dict[str, Any] = {"name": job.name, "ran_at": ran_at, "html": None, "ipynb": None,
                              "failed_html": None, "error": None}
    if km is not None and not run_sync(km.is_alive)():
        stop_kernel(km)  # died while waiting: its connection file and sockets go
        km = None
    log_path = workdir / "kernel.log"
    try:
        # A kernel started here inherits this environment; kernel chatter goes to a log, not
        # the run's terminal or cron mail.
        with _kernel_env(slot), _output_to(log_path):
            nb = papermill.execute_notebook(
                job.notebook, str(executed), parameters=job.parameters, cwd=str(workdir),
                kernel_name=KERNEL_NAME, progress_bar=False, request_save_on_cell_execute=False,
                start_timeout=slot.start_timeout, extra_arguments=kernel_args(slot.preload),
                km=km, shutdown_kernel="immediate",
            )
    except PapermillExecutionError as exc:
        result["error"] = {"cell_index": exc.cell_index, "exec_count": exc.exec_count, "ename": exc.ename,
                           "evalue": exc.evalue, "first_line": f"{exc.ename}: {_first_line(exc.evalue)}"}
    except Exception as exc:  # kernel died or never started, timeout, unreadable notebook...
        result["error"] = {"cell_index": None, "exec_count": None, "ename": type(exc).__name__,
                           "evalue": str(exc), "first_line": f"{type(exc).__name__}: {_first_line(str(exc))}",
                           "traceback": traceback.format_exc(limit=5), "kernel_log": _tail(log_path)}
    finally:
        stop_kernel(km)  # used once: the next report gets a new kernel
    result["execute_seconds"] = time.perf_counter() - started
    sidecar = _read_json(sidecar_path)
    problem = sidecar_problem(sidecar) if result["error"] is None else None
    if problem:  # it ran, but its results rest on nothing: a failure, not a report
        result["error"] = {"cell_index": None, "exec_count": None, "ename": problem[0], "evalue": problem[1],
                           "first_line": f"{problem[0]}: {_first_line(problem[1])}"}
    inputs = (sidecar or {}).get("inputs")
    components = recorded_components(job.components, sidecar)
    key = report_key(components)
    footer = {"report": job.name, "notebook": job.notebook_display, "parameters": job.parameters,
              "inputs": inputs or {}, "version": job.version, "git_commit": job.git_commit,
              "seconds": result["execute_seconds"], "ran_at": ran_at, "key": key,
              "ipynb": f"{job.name}.ipynb", "index": "index.html", "lock": provenance.lock_hash()}
    unknown = catalog.unknown_verdict_claims((sidecar or {}).get("verdicts", []))
    if result["error"] is None and unknown:
        result["error"] = {"cell_index": None, "exec_count": None, "ename": "UnknownClaim", "evalue": unknown,
                           "first_line": f"UnknownClaim: {unknown}"}
    render_start = time.perf_counter()
    if result["error"] is None:
        try:
            verdicts = (sidecar or {}).get("verdicts", [])
            current = history.rows_for_run(job.name, ran_at, verdicts=verdicts, inputs=inputs, key=key,
                                           components=components, parameters=job.parameters)
            html_text = report_page.report_html(
                nb, title=job.title, verdicts=verdicts, footer=footer,
                history=history.page_history(Path(job.reports_dir), job.name, current) if job.reports_dir and current
                else None)
            html_bytes = html_text.encode("utf-8")
            if len(html_bytes) > job.max_html_bytes:
                raise ReportTooLarge(len(html_bytes), job.max_html_bytes)
            (out_dir / f"{job.name}.html").write_bytes(html_bytes)
            result.update(status="ok", html=str(out_dir / f"{job.name}.html"), ipynb=str(executed),
                          sidecar=sidecar, key=key)
        except ReportTooLarge as exc:
            result["error"] = {"cell_index": None, "exec_count": None, "ename": "ReportTooLarge",
                               "evalue": str(exc), "first_line": f"ReportTooLarge: {exc}"}
        except Exception as exc:  # a rendering bug must not pass for a good report
            result["error"] = {"cell_index": None, "exec_count": None, "ename": type(exc).__name__,
                               "evalue": f"rendering the HTML failed: {exc}",
                               "first_line": f"{type(exc).__name__}: rendering the HTML failed: {_first_line(str(exc))}",
                               "traceback": traceback.format_exc(limit=8)}
    if result["error"] is not None:
        result["status"] = "failed"
        try:  # a notebook papermill could not finish writing (a full disk) is no evidence
            failed_nb = nbformat.read(str(executed), as_version=4) if executed.is_file() else None
        except Exception:
            failed_nb = None
        if failed_nb is not None:
            result["ipynb"] = str(executed)
            try:
                page = report_page.failed_html(failed_nb, title=job.title or job.name, error=result["error"],
                                          footer={**footer, "ipynb": f"{job.name}.ipynb", "index": "../index.html"})
                if len(page.encode("utf-8")) <= job.max_html_bytes:  # never a huge page, failed or not
                    (out_dir / f"{job.name}.failed.html").write_text(page, encoding="utf-8")
                    result["failed_html"] = str(out_dir / f"{job.name}.failed.html")
            except Exception:  # the evidence is the notebook; its HTML is a convenience
                result["failed_html"] = None
    result["render_seconds"] = time.perf_counter() - render_start
    result["seconds"] = time.perf_counter() - started
    return result


@contextlib.contextmanager
def _output_to(path: Path) -> Iterator[None]:
    """Point file descriptors 1 and 2 at ``path`` (the kernel started inside inherits them)."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = (os.dup(1), os.dup(2))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        yield
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for f in (fd, *saved):
            os.close(f)


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def warm_up() -> None:
    """Build both exporters and render a small notebook once, in the forkserver.

    The first render in a process compiles nbconvert's templates and loads the markdown and
    pygments machinery (about 0.7 s here); workers forked afterwards inherit it for free.
    """
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    nb = new_notebook(cells=[
        new_markdown_cell("# Warm-up\n\nSome *text*."),
        new_code_cell("x = 1", outputs=[new_output("display_data", data={"text/html": "<b>x</b>"})]),
    ])
    report_page.report_html(nb, title="warm-up")
    report_page.failed_html(nb, title="warm-up", error={})


def _read_json(path: Path) -> dict[str, Any] | None:
    import json

    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


warm_up()  # this module is the forkserver's preload: pay template compilation once per run
