"""How long `research.data.load(name)` takes from a warm parquet cache, for every dataset.

Each dataset is loaded once to warm the cache (parsing the raw file if needed), then loaded
``--runs`` times with the in-process memo cleared before each run, so every timed call resolves
the raw file (manifest, stat, sha256 check), reads and verifies the parquet file and returns a
copy. The median is reported. Goal: under 100 ms for every dataset.

    .venv/bin/python benchmarks/data_loading.py [--runs 7] [--only NAME ...]

Uses the data folders the settings point at (``RESEARCH_DATA_DIR``, ``RESEARCH_DATA_MIRROR``).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
import warnings

GOAL_MS = 100.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed loads per dataset (median)")
    parser.add_argument("--only", nargs="*", metavar="NAME", help="datasets to time (default: all)")
    args = parser.parse_args(argv)

    from research import data

    names = args.only or data.names()
    warnings.simplefilter("ignore", data.SuspiciousRowsWarning)
    results: list[tuple[str, float, int]] = []
    for name in names:
        data.load(name)  # warm the parquet cache
        times = []
        for _ in range(args.runs):
            data._memo.clear()
            start = time.perf_counter()
            frame = data.load(name)
            times.append((time.perf_counter() - start) * 1000)
        results.append((name, statistics.median(times), len(frame)))

    width = max(len(n) for n, _, _ in results)
    print(f"research.data.load from a warm parquet cache, memo cleared; median of {args.runs} runs")
    print(f"python {platform.python_version()}, {os.cpu_count()} cores\n")
    print(f"{'dataset':<{width}}  {'rows':>7}  {'ms':>7}")
    for name, ms, rows in results:
        print(f"{name:<{width}}  {rows:>7}  {ms:>7.1f}")
    worst = max(results, key=lambda r: r[1])
    total = sum(ms for _, ms, _ in results)
    print(f"\nmax {worst[1]:.1f} ms ({worst[0]}); sum over {len(results)} datasets {total:.0f} ms; "
          f"goal < {GOAL_MS:.0f} ms each: {'met' if worst[1] < GOAL_MS else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
