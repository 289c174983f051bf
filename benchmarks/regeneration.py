"""Full and no-op regeneration of a report registry: `research run` vs the plain CLI loop.

    python benchmarks/regeneration.py                        # notebooks/reports.toml
    python benchmarks/regeneration.py benchmarks/fixtures.toml --repeat 3
    python benchmarks/regeneration.py --only data_overview   # a quick check that it works

The baseline is what a team does without the runner: for each report, the ``papermill`` CLI
(parameters as YAML) and then ``jupyter nbconvert --to html --no-input``, one after the other.
The runner is ``research run`` into a fresh reports folder (everything stale), then again with
nothing changed (the no-op), then once more as if one module had been edited (``--touch``,
default ``research.claims.easing``: its source hash reads as changed, so no file is edited) to
count the reports that re-run. Baseline and runner run here, one after the other, on the same
notebooks and parameters, each as a separate process as a user would start it (the edited run
in this process, through the library). Goals: >= 4x faster, no-op < 0.3 s.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def tool(name: str) -> list[str]:
    """The console script next to this interpreter, else ``python -m``."""
    script = Path(sys.executable).parent / name
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", {"jupyter": "jupyter"}.get(name, name)]


def timed(cmd: list[str], **kw) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-3000:]}")
    return elapsed, proc.stdout


def baseline(reports, workdir: Path) -> float:
    """papermill CLI + nbconvert CLI per report, sequentially."""
    env = {k: v for k, v in os.environ.items() if k != "RESEARCH_SIDECAR"}
    start = time.perf_counter()
    for report in reports:
        out = workdir / f"{report.name}.ipynb"
        timed([*tool("papermill"), str(report.notebook), str(out), "-y", json.dumps(report.parameters),
               "--cwd", str(workdir), "--no-progress-bar"], env=env)
        timed([*tool("jupyter"), "nbconvert", "--to", "html", "--no-input", str(out)], env=env)
    return time.perf_counter() - start


def runner(registry: Path, reports_dir: Path, jobs: int | None, only: list[str], *, expect_noop: bool = False) -> float:
    cmd = [*tool("research"), "run", *only, "--registry", str(registry), "--reports-dir", str(reports_dir)]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    elapsed, out = timed(cmd)
    ran = [line for line in out.splitlines() if ": run: " in line]
    if expect_noop and ran:  # e.g. someone edited research/ between the two runs
        print("  warning: the no-op run re-ran reports:\n    " + "\n    ".join(ran))
    return elapsed


def touched(registry: Path, reports_dir: Path, jobs: int | None, only: list[str], module: str) -> None:
    """Re-run as if ``module`` had been edited; print which reports ran and how long it took."""
    from research.runner import orchestrate
    from research.runner.state import current_module_sha256

    start = time.perf_counter()
    summary = orchestrate.run(registry_path=registry, reports_dir=reports_dir, jobs=jobs, only=only or None,
                              module_sha=lambda name: "edited" if name == module else current_module_sha256(name))
    names = sorted(r.name for r in summary.executed)
    print(f"  after editing {module}: {len(names)} of {len(summary.decisions)} re-ran in "
          f"{time.perf_counter() - start:.1f} s: {', '.join(names)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("registry", nargs="?", type=Path, default=ROOT / "notebooks" / "reports.toml")
    parser.add_argument("--repeat", type=int, default=1, help="rounds; medians are reported")
    parser.add_argument("--jobs", type=int, default=None, help="research run --jobs (default: one per core)")
    parser.add_argument("--touch", default="research.claims.easing", metavar="MODULE",
                        help="module whose edit is simulated after the no-op ('' to skip)")
    parser.add_argument("--only", action="append", default=[], metavar="PATTERN",
                        help="only these reports (a name, claim id or glob, as `research run`), e.g. for a quick check")
    parser.add_argument("--noop-repeat", type=int, default=5, help="no-op runs per round; their median is kept")
    args = parser.parse_args()

    from research.runner.registry import load_registry, resolve_parameters

    registry = load_registry(args.registry)
    reports = registry.select(args.only or None)
    for report in reports:  # fail early, with the registry's own message, on a bad parameter
        resolve_parameters(report)
    print(f"{len(reports)} report(s) from {registry.path}; {os.cpu_count()} core(s)")

    base_times, full_times, noop_times = [], [], []
    for round_ in range(1, args.repeat + 1):
        work = Path(tempfile.mkdtemp(prefix="regen-bench-"))
        try:
            (work / "baseline").mkdir()
            base_times.append(baseline(reports, work / "baseline"))
            full_times.append(runner(registry.path, work / "reports", args.jobs, args.only))
            noops = [runner(registry.path, work / "reports", args.jobs, args.only, expect_noop=True)
                     for _ in range(max(1, args.noop_repeat))]
            noop_times.append(statistics.median(noops))
            print(f"  no-op runs: {', '.join(f'{t:.2f}' for t in noops)} s")
            if args.touch:
                touched(registry.path, work / "reports", args.jobs, args.only, args.touch)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        print(f"round {round_}: baseline {base_times[-1]:.1f} s, research run {full_times[-1]:.1f} s, "
              f"no-op {noop_times[-1]:.2f} s")
    base, full, noop = (statistics.median(t) for t in (base_times, full_times, noop_times))
    print(f"\npapermill + nbconvert CLI loop : {base:7.1f} s")
    print(f"research run (full)            : {full:7.1f} s   ({base / full:.1f}x faster; goal >= 4x)")
    print(f"research run (no-op)           : {noop:7.2f} s   (goal < 0.3 s)")


if __name__ == "__main__":
    main()
