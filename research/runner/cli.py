"""``research run``, ``research list`` and ``research lab``: argument parsing and console output.

Kept cheap to import: :mod:`research.cli` imports this module for every command, so papermill,
nbconvert and rich are imported only inside the functions that need them.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from research.errors import EXIT_OK
from research.runner import orchestrate
from research.runner.orchestrate import Reporter
from research.runner.plan import override_map
from research.runner.publish import ReportResult
from research.runner.state import Decision


def register_cli(subparsers: Any) -> None:
    run = subparsers.add_parser(
        "run", help="regenerate the reports whose notebook, parameters, inputs or code changed",
        description="Execute the report registry with papermill (several notebooks at once), render "
                    "HTML and the scorecard reports/index.html. Unchanged reports are skipped. "
                    "Exit codes: 0 ok, 1 a report failed, 2 bad usage or parameters, "
                    "3 data unavailable, 4 another run holds the lock, 130 interrupted.",
    )
    run.add_argument("--force", action="store_true", help="run every selected report, changed or not")
    run.add_argument("--jobs", "-j", type=int, default=None, metavar="N",
                     help="notebooks run at once (default: one per core)")
    run.add_argument("--only", action="append", metavar="PATTERN",
                     help="only reports whose name matches this glob (repeatable, or comma-separated)")
    run.add_argument("-p", "--param", nargs=2, action="append", metavar=("NAME", "KEY=VALUE"),
                     help="override parameter KEY of report NAME for this run (value read as JSON/TOML, "
                          "else as a string), e.g. -p easing horizon_months=6")
    run.add_argument("--scheduler", metavar="ADDRESS", default=None,
                     help="put the specification-curve sweeps on this Dask scheduler, e.g. tcp://10.0.0.5:8786 "
                          "(default: one LocalCluster for the run)")
    run.add_argument("--quiet", "-q", action="store_true", help="print only errors (for cron)")
    run.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                     help="if another run holds the lock, wait this long before giving up (default 0)")
    _common(run)
    run.set_defaults(func=cmd_run)

    lst = subparsers.add_parser("list", help="show every report and whether it is fresh, stale (and why) or failed")
    _common(lst)
    lst.set_defaults(func=cmd_list)

    lab = subparsers.add_parser(
        "lab", help="open JupyterLab on notebooks/ (127.0.0.1 only, token on) with the project's kernel")
    lab.add_argument("--no-browser", action="store_true", help="do not open a browser; print the URL")
    lab.add_argument("--port", type=int, default=None, help="port (default: JupyterLab's, 8888 or next free)")
    lab.add_argument("--user", action="store_true",
                     help="install the kernelspec for the user (~/.local) instead of into this environment")
    lab.set_defaults(func=cmd_lab)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--registry", type=Path, default=None,
                        help="report registry (default: notebooks/reports.toml)")
    parser.add_argument("--reports-dir", type=Path, default=None,
                        help="where reports go (default: reports/, or RESEARCH_REPORTS_DIR)")


# -- run -----------------------------------------------------------------------------------------
class ConsoleReporter(Reporter):
    """Decisions and one line per finished report; a rich progress bar on a terminal.

    ``quiet`` prints only failures, on stderr, so cron mails only when something broke.
    """

    def __init__(self, quiet: bool = False):
        self.quiet = quiet
        self._progress: Any = None
        self._task: Any = None
        self._console: Any = None

    def _print(self, text: str, *, error: bool = False) -> None:
        if self._console is not None and not error:
            self._console.print(text, markup=False, highlight=False)
        else:
            print(text, file=sys.stderr if error else sys.stdout, flush=True)

    def decided(self, decision: Decision) -> None:
        if not self.quiet:
            self._print(f"{decision.name}: {decision.describe()}")

    def start(self, total: int, jobs: int) -> None:
        if self.quiet:
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self._console = Console()
        if not self._console.is_terminal:  # cron, CI, pipes: the per-report lines are enough
            return
        self._progress = Progress(TextColumn("running {task.description}"), BarColumn(), MofNCompleteColumn(),
                                  TimeElapsedColumn(), console=self._console, transient=True)
        self._task = self._progress.add_task(f"{total} report(s), {jobs} at a time", total=total)
        self._progress.start()

    def finished(self, result: ReportResult) -> None:
        if result.status == "ok":
            if not self.quiet:
                self._print(f"  ok      {result.name:<28} {result.seconds:6.1f} s")
        else:
            err = result.error
            where = f" (cell {err.cell_index})" if err and err.cell_index is not None else ""
            line = f"{err.ename}: {_first(err.evalue)}" if err else "failed"
            kept = f"\n          executed notebook: {err.output_path}" if err and err.output_path else ""
            self._print(f"  FAILED  {result.name:<28} {result.seconds:6.1f} s  {line}{where}{kept}", error=True)
        if self._progress is not None:
            self._progress.advance(self._task)

    def stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


def _first(text: str) -> str:
    lines = [ln for ln in str(text).splitlines() if ln.strip()]
    return lines[0] if lines else ""


def cmd_run(args: argparse.Namespace) -> int:
    overrides = override_map(args.param)
    summary = orchestrate.run(
        registry_path=args.registry, reports_dir=args.reports_dir, only=args.only, overrides=overrides,
        force=args.force, jobs=args.jobs, wait=args.wait, reporter=ConsoleReporter(args.quiet),
        scheduler=args.scheduler,
    )
    failed = len(summary.failed)
    if not args.quiet:
        ran = len(summary.executed)
        print(f"{ran} ran ({ran - failed} ok, {failed} failed), {len(summary.skipped)} skipped "
              f"in {summary.seconds:.1f} s; scorecard: {summary.index_path}")
    elif failed:
        print(f"research run: {failed} report(s) failed; scorecard: {summary.index_path}", file=sys.stderr)
    return summary.exit_code


# -- list ----------------------------------------------------------------------------------------
def cmd_list(args: argparse.Namespace) -> int:
    rows = []
    for report, decision, state in orchestrate.status(registry_path=args.registry, reports_dir=args.reports_dir):
        success = (state or {}).get("success") or {}
        why = "; ".join(decision.reasons) if decision.run else ""
        rows.append((report.name, decision.state, success.get("ran_at", "—"), why))
    if not rows:
        print("the registry has no reports")
        return EXIT_OK
    widths = [max(len(r[i]) for r in [("report", "state", "last good run", ""), *rows]) for i in range(3)]
    print(f"{'report':<{widths[0]}}  {'state':<{widths[1]}}  {'last good run':<{widths[2]}}  why")
    for name, state, ran, why in rows:
        print(f"{name:<{widths[0]}}  {state:<{widths[1]}}  {ran:<{widths[2]}}  {why}")
    return EXIT_OK


# -- lab -----------------------------------------------------------------------------------------
KERNEL_NAME = "research"
KERNEL_DISPLAY_NAME = "research (workbench)"


def install_kernel(*, user: bool = False, prefix: str | None = None) -> str:
    """Register this interpreter as the ``research`` Jupyter kernel; return the kernelspec folder.

    By default it goes into this environment (``sys.prefix``), so nothing is written to the
    user's home and the kernel disappears with the environment; ``user=True`` installs it for
    every Jupyter of this user.
    """
    from ipykernel.kernelspec import install

    if user:
        return install(user=True, kernel_name=KERNEL_NAME, display_name=KERNEL_DISPLAY_NAME)
    return install(prefix=prefix or sys.prefix, kernel_name=KERNEL_NAME, display_name=KERNEL_DISPLAY_NAME)


def lab_command(notebooks_dir: Path, *, no_browser: bool = False, port: int | None = None,
                allow_root: bool | None = None) -> list[str]:
    """The JupyterLab command line: bound to 127.0.0.1, token authentication left on.

    ``allow_root`` (default: when running as root, as in containers) passes ``--allow-root``,
    without which JupyterLab refuses to start as root; it changes nothing about who can connect.
    """
    cmd = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={notebooks_dir}",
           "--ServerApp.ip=127.0.0.1", f"--MappingKernelManager.default_kernel_name={KERNEL_NAME}"]
    if allow_root is None:
        allow_root = hasattr(os, "geteuid") and os.geteuid() == 0
    if allow_root:
        cmd.append("--allow-root")
    if no_browser:
        cmd.append("--no-browser")
    if port:
        cmd.append(f"--ServerApp.port={port}")
    return cmd


def cmd_lab(args: argparse.Namespace) -> int:
    from research.config import settings

    notebooks_dir = settings().notebooks_dir
    path = install_kernel(user=args.user)
    print(f"kernel {KERNEL_NAME!r} ({KERNEL_DISPLAY_NAME}) installed in {path}")
    cmd = lab_command(notebooks_dir, no_browser=args.no_browser, port=args.port)
    print("starting:", " ".join(cmd), flush=True)
    os.execv(cmd[0], cmd)  # JupyterLab takes over this process: Ctrl-C goes straight to it
    return EXIT_OK  # pragma: no cover - execv does not return
