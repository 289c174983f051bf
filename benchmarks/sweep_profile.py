"""Where a specification's time goes: profile a claim's grid estimate on a sample of its specs.

    RESEARCH_DATA_MIRROR=../shared/data RESEARCH_OFFLINE=1 .venv/bin/python benchmarks/sweep_profile.py C5

The first specification is timed apart (it loads and parses the data a worker then keeps); the
rest run under cProfile, and the table groups their time by what it is spent on. The sample is
seeded, so two runs profile the same specifications. Results go in benchmarks/README.md ("Sweep
anatomy"); not a timed test.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import time

# Buckets by the function's file: the estimate's own code, the regression library, the data layer.
_BUCKETS = (("HAC covariance (statsmodels sandwich_covariance)", "sandwich_covariance"),
            ("rest of statsmodels (OLS fit, wrappers)", "statsmodels"),
            ("data layer (load, parse, resolve)", "/research/data/"),
            ("pandas", "pandas"),
            ("numpy", "numpy"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("claim", help="claim id, e.g. C5")
    parser.add_argument("--specs", type=int, default=12,
                        help="specifications to sample (default 12); 0: all of them in grid order, "
                             "as a worker's batches run them, so the per-process caches that "
                             "neighbours share count")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--top", type=int, default=15, help="functions to list by cumulative time")
    args = parser.parse_args(argv)

    from research.claims import grid
    from research.sweep import _resolve

    g = grid(args.claim)
    specs = g.specs()
    estimate = _resolve(g.estimate)
    sample = (specs if args.specs == 0
              else random.Random(args.seed).sample(specs, min(args.specs, len(specs))))

    t0 = time.perf_counter()
    estimate(**{**g.fixed, **sample[0]})
    first = time.perf_counter() - t0

    prof = cProfile.Profile()
    t0, c0 = time.perf_counter(), time.process_time()
    prof.enable()
    for spec in sample[1:]:
        estimate(**{**g.fixed, **spec})
    prof.disable()
    rest, cpu = time.perf_counter() - t0, time.process_time() - c0
    per = rest / max(len(sample) - 1, 1)
    print(f"{args.claim}: {len(specs)} specifications; first (loads the data) {first:.2f} s; "
          f"the next {len(sample) - 1}: {per:.3f} s each -> {per * len(specs):.0f} s of one core "
          f"for the whole grid (CPU time {cpu / max(len(sample) - 1, 1):.3f} s each: the wall "
          "time counts other processes' load)")

    stats = pstats.Stats(prof)
    own: dict[str, float] = {}
    for (file, _line, _name), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():
        bucket = next((label for label, key in _BUCKETS if key in file), "the claim's code and the rest")
        own[bucket] = own.get(bucket, 0.0) + tottime
    total = sum(own.values()) or 1.0
    print("\nown time by kind:")
    for label, secs in sorted(own.items(), key=lambda kv: -kv[1]):
        print(f"  {secs / total:6.1%}  {label}")
    print()
    stats.sort_stats("cumulative").print_stats(args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
