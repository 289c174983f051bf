"""``research sweep CLAIM``: run a claim's specification-curve report through the runner.

The specification-curve engine is :mod:`research.sweep`; this is only the command around it: it
picks the ``robustness_<claim>`` reports and runs them with :func:`research.runner.orchestrate.run`
(``--force``) on the run's one Dask cluster (:mod:`research.runner.cluster`: a LocalCluster, or
the one at ``--scheduler``), so they render into ``reports/`` and the scorecard updates like any
report. Where the grid runs is not a notebook parameter (results are identical anywhere), so the
reports stay fresh for the next ``research run``; only ``--serial`` is one.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from research.errors import EXIT_OK, ParameterError
from research.runner import orchestrate
from research.runner.cli import ConsoleReporter
from research.runner.state import state_path
from research.sweep import curve_parts, percent

REPORT_PREFIX = "robustness_"
SWEEP_EXAMPLES = """\
examples:
  research sweep C1                                   LocalCluster here, a worker per core
  research sweep all --dry-run                        the eight curves: what would run
  research sweep C5 --scheduler tcp://10.0.0.5:8786   an existing Dask cluster
  research sweep C7 --serial                          no Dask: in the notebook's kernel
"""


def register_cli(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sweep", help="run a claim's specification curve on Dask and render its report",
        description="Run the specification grid of a claim (or all of them) through the report runner: "
                    "the robustness_<claim> report is executed with --force and rendered into reports/, "
                    "and the scorecard updates. The grid runs on a Dask LocalCluster here, on an "
                    "existing cluster given its scheduler address, or serially in the kernel.",
        epilog=SWEEP_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("claim", help="claim id, e.g. C1, or 'all'")
    p.add_argument("--scheduler", metavar="ADDRESS", default="",
                   help="address of an existing Dask scheduler, e.g. tcp://10.0.0.5:8786 (default: a LocalCluster here)")
    p.add_argument("--workers", type=int, default=None, help="LocalCluster worker processes (default: one per core)")
    p.add_argument("--serial", action="store_true", help="run without Dask, in the notebook's kernel")
    p.add_argument("--jobs", "-j", type=int, default=None, metavar="N",
                   help="reports run at once with 'all' (default: 1, since each sweep is parallel itself)")
    p.add_argument("--quiet", "-q", action="store_true", help="print only errors")
    p.add_argument("--dry-run", "-n", action="store_true",
                   help="print which reports would run with which parameters; execute nothing")
    p.add_argument("--registry", type=Path, default=None, help="report registry (default: notebooks/reports.toml)")
    p.add_argument("--reports-dir", type=Path, default=None, help="where reports go (default: reports/)")
    p.set_defaults(func=_cli)


def report_name(claim: str) -> str:
    """The registry name of a claim's specification-curve report: ``C1`` -> ``robustness_c1``."""
    return f"{REPORT_PREFIX}{claim.lower()}"


def sweep_overrides(serial: bool = False) -> dict[str, Any]:
    """The notebook parameters ``research sweep`` sets, only those that differ from the notebook's
    defaults: the report's cache key covers its parameters, so ``research sweep C1`` leaves the
    report fresh for the next ``research run``."""
    return {"serial": True} if serial else {}


def _cli(args) -> int:
    """``research sweep``: the claim's robustness report through :func:`research.runner.orchestrate.run`."""
    from research.claims import grids

    GRIDS = grids()
    claims = list(GRIDS) if args.claim.lower() == "all" else [args.claim.upper()]
    unknown = [c for c in claims if c not in GRIDS]
    if unknown:
        raise ParameterError(f"no specification grid for {', '.join(unknown)}; grids exist for "
                             f"{', '.join(GRIDS)} (or 'all')")
    names = [report_name(c) for c in claims]
    if args.workers is not None and args.workers < 1:
        raise ParameterError(f"--workers must be at least 1, got {args.workers}")
    params = sweep_overrides(args.serial)
    overrides = {n: params for n in names} if params else None
    if args.dry_run:
        for decision in orchestrate.preview(registry_path=args.registry, reports_dir=args.reports_dir,
                                            only=names, overrides=overrides, force=True):
            print(f"{decision.name}: {decision.describe()}{'; parameters ' + json.dumps(params) if params else ''}")
        print("dry run: nothing was executed")
        return EXIT_OK
    summary = orchestrate.run(registry_path=args.registry, reports_dir=args.reports_dir, only=names,
                              overrides=overrides, force=True,
                              jobs=args.jobs or 1, reporter=ConsoleReporter(args.quiet),
                              scheduler=args.scheduler or None, cluster_workers=args.workers)
    if not args.quiet:
        for line in sweep_lines(summary.index_path.parent if summary.index_path else None, names):
            print(line)
        print(f"scorecard: {summary.index_path}")
    return summary.exit_code


def sweep_lines(reports_dir: Path | None, names: list[str]) -> list[str]:
    """One line per curve of each swept claim from its state file (per aspect; or the claim's,
    then per view): the shares and where the report is."""
    if reports_dir is None:
        return []
    lines = []
    for name in names:
        try:
            state = json.loads(state_path(reports_dir, name).read_text())
        except (OSError, ValueError):
            continue
        spec = ((state.get("success") or {}).get("extra") or {}).get("spec_curve")
        if not spec or state.get("status") != "ok":
            continue
        for aspect, b in curve_parts(spec):
            lines.append(f"{spec['claim']}{' ' + aspect if aspect else ''}: {b['valid']} specifications, "
                         f"supported {percent(b['share_supported'])}, contradicted {percent(b['share_contradicted'])}, "
                         f"mixed {percent(b['share_mixed'])}, inconclusive {percent(b['share_inconclusive'])} "
                         f"-> {b['label']}; {reports_dir / (name + '.html')}")
    return lines
