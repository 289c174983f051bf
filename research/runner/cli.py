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

from research.errors import DATA_ERROR_NAMES, EXIT_OK, error_text
from research.runner import orchestrate
from research.runner.orchestrate import Reporter
from research.runner.plan import override_map
from research.runner.publish import ReportResult
from research.runner.state import Decision

RUN_EXAMPLES = """\
examples:
  research run                                  regenerate what changed
  research run --dry-run                        what would run, and why; nothing is executed
  research run C5                               every report on claim C5 (technicals*, robustness_c5)
  research run 'tech*' year_end --force         a glob and a name, changed or not
  research run easing_cycles -p easing_cycles horizons=[6,12] --dry-run
  research run --only 'robustness_*' --jobs 2   the specification curves, two at a time
  research run --quiet --wait 1800              for cron: only errors, wait for another run
"""


def register_cli(subparsers: Any) -> None:
    run = subparsers.add_parser(
        "run", help="regenerate the reports whose notebook, parameters, inputs or code changed",
        description="Execute the report registry with papermill (several notebooks at once), render "
                    "HTML and the scorecard reports/index.html. Unchanged reports are skipped. "
                    "Exit codes: 0 ok, 1 a report failed, 2 bad usage or parameters (or a selection "
                    "that matches no report), 3 data unavailable, 4 another run holds the lock, "
                    "130 interrupted.",
        epilog=RUN_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("select", nargs="*", metavar="REPORT|CLAIM",
                     help="reports to run: a report name, a claim id (C5: every report on C5, its "
                          "specification curve included) or a glob ('tech*'); case-insensitive; "
                          "default: all")
    run.add_argument("--force", action="store_true", help="run every selected report, changed or not")
    run.add_argument("--dry-run", "-n", action="store_true",
                     help="print what would run and why (the decision per report); execute nothing")
    run.add_argument("--jobs", "-j", type=int, default=None, metavar="N",
                     help="notebooks run at once (default: one per core)")
    run.add_argument("--only", action="append", metavar="PATTERN",
                     help="also select reports matching this name, claim id or glob (repeatable, or "
                          "comma-separated; same as the positional selection)")
    run.add_argument("-p", "--param", nargs=2, action="append", metavar=("REPORT", "KEY=VALUE"),
                     help="override parameter KEY of report REPORT for this run (value read as JSON/TOML, "
                          "else as a string), e.g. -p easing_cycles horizons=[6,12]")
    run.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                     help="stop any report that runs longer, with its kernel (default: the report's `timeout` "
                          "in reports.toml, else RESEARCH_REPORT_TIMEOUT, else 1800)")
    run.add_argument("--scheduler", metavar="ADDRESS", default=None,
                     help="put the specification-curve sweeps on this Dask scheduler, e.g. tcp://10.0.0.5:8786 "
                          "(default: one LocalCluster for the run, started when a stale report sweeps)")
    run.add_argument("--quiet", "-q", action="store_true", help="print only errors (for cron)")
    run.add_argument("--update", action="store_true",
                     help="first fetch new data vintages (research.data.update), then re-run the reports that read them")
    run.add_argument("--frozen", action="store_true",
                     help="use the vintages pinned in data/vintages.lock (sets RESEARCH_FROZEN=1 for the kernels)")
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
    lab.add_argument("--dry-run", "-n", action="store_true",
                     help="print the JupyterLab command line; install and start nothing")
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
    """Decisions, then the reports running now and one line per finished report.

    On a terminal, a live rich display names each running report with its elapsed time and the
    time its last run took. Elsewhere (cron, CI, pipes) one line when each report starts and one
    when it ends, so a log is never silent for minutes. ``quiet`` prints only failures, on
    stderr, so cron mails only when something broke. ``console`` (a ``rich.console.Console``,
    default: stdout's) lets a test capture the live display.
    """

    def __init__(self, quiet: bool = False, *, terminal: bool | None = None, console: Any = None):
        self.quiet = quiet
        self.terminal = terminal
        self._progress: Any = None
        self._overall: Any = None
        self._running: dict[str, Any] = {}
        self._console: Any = None
        self._given_console = console

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

        console = self._given_console or Console()
        if not (console.is_terminal if self.terminal is None else self.terminal):
            return  # cron, CI, pipes: plain start and end lines
        self._console = console
        self._progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                  TimeElapsedColumn(), TextColumn("{task.fields[estimate]}"),
                                  console=console, transient=True)
        self._overall = self._progress.add_task(f"{total} report(s), {jobs} at a time", total=total,
                                                estimate="")
        self._progress.start()

    def started(self, name: str, estimate: float | None) -> None:
        if self.quiet:
            return
        last = estimate_text(estimate)
        if self._progress is None:
            self._print(f"  start   {name:<28} {last}")
        else:
            self._running[name] = self._progress.add_task(f"  {name}", total=None, estimate=last)

    def finished(self, result: ReportResult) -> None:
        if result.status == "ok":
            if not self.quiet:
                self._print(f"  ok      {result.name:<28} {result.seconds:6.1f} s")
        else:
            err = result.error
            where = f" (cell {err.cell_index})" if err and err.cell_index is not None else ""
            line = error_text({"ename": err.ename, "evalue": err.evalue,  # a data error whole
                               "first_line": f"{err.ename}: {_first(err.evalue)}"}) if err else "failed"
            kept = f"\n          executed notebook: {err.output_path}" if err and err.output_path else ""
            self._print(f"  FAILED  {result.name:<28} {result.seconds:6.1f} s  {line}{where}{kept}", error=True)
        if self._progress is not None:
            task = self._running.pop(result.name, None)
            if task is not None:
                self._progress.remove_task(task)
            self._progress.advance(self._overall)

    def stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


def estimate_text(seconds: float | None) -> str:
    """The estimate shown beside a running report: its last good run's time."""
    return "(first run)" if seconds is None else f"(last run {seconds:.1f} s)"


def _first(text: str) -> str:
    lines = [ln for ln in str(text).splitlines() if ln.strip()]
    return lines[0] if lines else ""


def selection(args: argparse.Namespace) -> list[str] | None:
    """The positional selectors and --only patterns together (None: every report)."""
    chosen = [*(args.select or []), *(args.only or [])]
    return chosen or None


def cmd_run(args: argparse.Namespace) -> int:
    from research.runner import update

    overrides = override_map(args.param)
    if args.dry_run:
        decisions = orchestrate.preview(registry_path=args.registry, reports_dir=args.reports_dir,
                                        only=selection(args), overrides=overrides, force=args.force)
        for decision in decisions:
            print(f"{decision.name}: {decision.describe()}")
        would = sum(d.run for d in decisions)
        print(f"dry run: {would} would run, {len(decisions) - would} would be skipped; nothing was executed")
        return EXIT_OK
    summary = orchestrate.run(
        registry_path=args.registry, reports_dir=args.reports_dir, only=selection(args), overrides=overrides,
        force=args.force, jobs=args.jobs, wait=args.wait, timeout=args.timeout, reporter=ConsoleReporter(args.quiet),
        update=update.prepare(update=args.update, frozen=args.frozen), scheduler=args.scheduler,
    )
    if summary.updated is not None and not args.quiet:
        print(f"data update: {len(summary.updated)} dataset(s) changed"
              + (f": {', '.join(summary.updated)}" if summary.updated else ""))
    for warning in summary.warnings:
        print(f"research: warning: {warning}", file=sys.stderr)
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
        err = ((state or {}).get("attempt") or {}).get("error") or {}
        data_error = error_text(err) if state and state.get("status") == "failed" and err.get("ename") in DATA_ERROR_NAMES else ""
        rows.append((report.name, decision.state, success.get("ran_at", "—"), why, data_error))
    if not rows:
        print("the registry has no reports")
        return EXIT_OK
    widths = [max(len(r[i]) for r in [("report", "state", "last good run", ""), *rows]) for i in range(3)]
    print(f"{'report':<{widths[0]}}  {'state':<{widths[1]}}  {'last good run':<{widths[2]}}  why")
    for name, state, ran, why, error in rows:
        print(f"{name:<{widths[0]}}  {state:<{widths[1]}}  {ran:<{widths[2]}}  {why}")
        if error:  # a data error whole: where it looked, and the fix
            print("    " + error.replace("\n", "\n    "))
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


# Set on the command line because it beats every Jupyter config file: a user's
# `c.IdentityProvider.token = ""` or `c.ServerApp.ip = "0.0.0.0"` must not open the lab to others.
LAB_GUARDS = ("--ServerApp.ip=127.0.0.1", "--ServerApp.allow_remote_access=False",
              "--ServerApp.allow_unauthenticated_access=False", "--ServerApp.disable_check_xsrf=False",
              "--ServerApp.allow_origin=", "--ServerApp.allow_origin_pat=")


def lab_command(notebooks_dir: Path, *, token: str, no_browser: bool = False, port: int | None = None,
                allow_root: bool | None = None) -> list[str]:
    """The JupyterLab command line: bound to 127.0.0.1, with ``token`` required, whatever the
    user's Jupyter configuration says.

    ``allow_root`` (default: when running as root, as in containers) passes ``--allow-root``,
    without which JupyterLab refuses to start as root; it changes nothing about who can connect.
    """
    if not token:
        raise ValueError("research lab never runs without a token")
    cmd = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={notebooks_dir}", *LAB_GUARDS,
           f"--IdentityProvider.token={token}", f"--MappingKernelManager.default_kernel_name={KERNEL_NAME}"]
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
    import secrets

    from research.config import settings

    notebooks_dir = settings().notebooks_dir
    token = secrets.token_hex(24)
    cmd = lab_command(notebooks_dir, token=token, no_browser=args.no_browser, port=args.port)
    if args.dry_run:
        print("would install the kernel", KERNEL_NAME, "and start:",
              " ".join(part.replace(token, "***") for part in cmd))
        return EXIT_OK
    path = install_kernel(user=args.user)
    print(f"kernel {KERNEL_NAME!r} ({KERNEL_DISPLAY_NAME}) installed in {path}")
    print("starting:", " ".join(part.replace(token, "***") for part in cmd))
    # JupyterLab prints a token it was given as "...": say it here, once.
    print(f"open http://127.0.0.1:{args.port or 8888}/lab?token={token}"
          + ("" if args.port else " (or the port JupyterLab prints below, if 8888 is taken)"), flush=True)
    os.execv(cmd[0], cmd)  # JupyterLab takes over this process: Ctrl-C goes straight to it
    return EXIT_OK  # pragma: no cover - execv does not return
