"""How long a specification sweep takes serially and on a Dask LocalCluster of 2 workers.

Runs one claim's whole grid (default C1: 1,008 specifications of the easing-cycle event study,
each with a 1,000-draw stationary bootstrap) three ways, each from cold caches so that data loading
is counted every time:

* serial: in this process (``run_sweep(serial=True)``);
* LocalCluster: ``run_sweep(workers=2)``, which starts and stops its own cluster, as
  ``research sweep`` does; the time includes the cluster's start-up and each worker's imports and
  data loading;
* warm cluster: the same grid again on a running LocalCluster given by its scheduler address,
  after one untimed pass, so its workers have imported the claim modules and cached the data
  (what a sweep costs on a cluster that is already up and has run one before).

For each Dask run the sum of the per-specification times measured inside the workers is printed
too: when it is much larger than the serial sum, the cores were busy with something else.

It checks that the three frames are identical, then prints the wall times and the ratios.

    .venv/bin/python benchmarks/sweep.py [--claim C1] [--workers 2] [--max-specs 0]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claim", default="C1", help="grid to sweep (default C1, 1,008 specifications)")
    parser.add_argument("--workers", type=int, default=2, help="LocalCluster worker processes")
    parser.add_argument("--max-specs", type=int, default=0, help="evenly spaced subset (0 = the whole grid)")
    args = parser.parse_args(argv)

    import warnings

    warnings.filterwarnings("ignore")
    import dask
    import pandas as pd
    from distributed import LocalCluster

    from research import sweep
    from research.claims import grid as claim_grid
    from research.data.sizes import clear_caches

    grid = claim_grid(args.claim)
    n = len(sweep.subset(grid, grid.specs(), args.max_specs))
    if n < 500 and args.max_specs == 0:
        print(f"note: {args.claim} has only {n} specifications; the benchmark is meant for 500 or more")
    print(f"python {platform.python_version()}, pandas {pd.__version__}, dask {dask.__version__}, "
          f"{os.cpu_count()} cores; {args.claim}: {n} specifications")

    clear_caches()
    t0 = time.perf_counter()
    serial = sweep.run_sweep(grid, serial=True, max_specs=args.max_specs)
    serial_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    local = sweep.run_sweep(grid, workers=args.workers, max_specs=args.max_specs)
    local_s = time.perf_counter() - t0

    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=40) as cluster:
        sweep.run_sweep(grid, scheduler=cluster.scheduler_address, max_specs=args.max_specs)  # warm-up
        t0 = time.perf_counter()
        warm = sweep.run_sweep(grid, scheduler=cluster.scheduler_address, max_specs=args.max_specs)
        warm_s = time.perf_counter() - t0

    columns = [c for c in serial.columns if c != "seconds"]
    for other in (local, warm):
        pd.testing.assert_frame_equal(serial[columns], other[columns], check_exact=True)
    compute = serial["seconds"].sum()
    print(f"  serial, in this process            {serial_s:7.1f} s   ({compute:.1f} s in the estimates, "
          f"{1000 * compute / n:.1f} ms per specification)")
    print(f"  LocalCluster, {args.workers} workers, cold       {local_s:7.1f} s   "
          f"({serial_s / local_s:.2f}x serial; {local['seconds'].sum():.1f} s in the estimates)")
    print(f"  running cluster by address, warm   {warm_s:7.1f} s   "
          f"({serial_s / warm_s:.2f}x serial; {warm['seconds'].sum():.1f} s in the estimates)")
    print("identical results: yes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
