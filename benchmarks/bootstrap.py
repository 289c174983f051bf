"""How long 10,000 stationary-bootstrap draws of a 1,200-month series take.

Times ``research.stats.stationary_bootstrap`` (Politis and Romano, 1994; the statistic is the
mean, the interval 90%) on a seeded 1,200-month series, the length of French's monthly history.
The import of ``research.stats`` and a first warm-up call (which imports arch for the
Politis-White block length) are timed separately and excluded; the figure is the median of
``--runs`` timed calls, each with its own seed. Reported for the default Politis-White block length
and for a fixed mean block of 12 months. Goal: under 2 s.

    .venv/bin/python benchmarks/bootstrap.py [--runs 7] [--reps 10000] [--n 1200] [--check]

``--check`` exits with status 1 when the goal is missed.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time

GOAL_S = 2.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed calls (median reported)")
    parser.add_argument("--reps", type=int, default=10_000, help="bootstrap draws per call")
    parser.add_argument("--n", type=int, default=1200, help="months in the series")
    parser.add_argument("--check", action="store_true", help="exit 1 if the goal is missed")
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    import numpy as np

    from research.stats import stationary_bootstrap
    import_s = time.perf_counter() - t0

    x = np.random.default_rng(2025).normal(0.2, 4.5, args.n)  # monthly percent returns
    t0 = time.perf_counter()
    stationary_bootstrap(x, reps=args.reps, seed=0)
    warmup_s = time.perf_counter() - t0

    print(f"python {platform.python_version()}, numpy {np.__version__}, {os.cpu_count()} cores; "
          f"import {import_s:.2f} s and first call {warmup_s:.2f} s excluded")
    print(f"{args.reps:,} draws of a {args.n:,}-month series, median of {args.runs} runs:")
    worst = 0.0
    for label, block in (("Politis-White block length", None), ("fixed mean block of 12 months", 12.0)):
        times, ci = [], None
        for seed in range(1, args.runs + 1):
            t0 = time.perf_counter()
            ci = stationary_bootstrap(x, reps=args.reps, block=block, seed=seed)
            times.append(time.perf_counter() - t0)
        median = statistics.median(times)
        worst = max(worst, median)
        print(f"  {label:<32} {median:6.3f} s  (min {min(times):.3f}, max {max(times):.3f}; "
              f"mean block {ci.block_length:.1f}, 90% CI [{ci.lower:.3f}, {ci.upper:.3f}])")
    met = worst < GOAL_S
    print(f"goal < {GOAL_S:.0f} s: {'met' if met else 'MISSED'}")
    return 0 if met or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
