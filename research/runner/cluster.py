"""One Dask cluster for a whole run, shared by every report that sweeps a specification grid.

A specification-curve notebook left to itself starts its own LocalCluster; under the runner, with
two kernels at once, that meant eight cluster start-ups per run and up to six busy processes on
two cores. Instead :func:`run_cluster` starts one LocalCluster (or takes the address of an
existing one, ``research run --scheduler ADDRESS``) and the runner hands its address to the
kernels in ``RESEARCH_DASK_SCHEDULER`` (:data:`research.sweep.SCHEDULER_ENV`), which
:func:`research.sweep.run_sweep` uses when a report names no scheduler of its own.

Sizing: one single-threaded worker per core. A kernel whose grid is on the cluster waits for it
and uses no core, so while sweeps run the workers have the cores; a report that computes in its
own kernel meanwhile shares them (at most ``jobs`` + cores busy processes, against ``jobs`` x
(workers + 1) before). The address goes through the environment, not the parameters, so it is
not part of any report's key: results are identical on any cluster.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any

from research.sweep import SCHEDULER_ENV

SWEEP_PARAMETER = "scheduler"  # a notebook that declares it sweeps a grid on Dask


def uses_cluster(parameters: Mapping[str, Any]) -> bool:
    """Whether a report with these parameters (the notebook's defaults updated with the report's)
    would sweep on the run's cluster: its notebook takes a ``scheduler``, the report names none,
    and it does not run serially."""
    return SWEEP_PARAMETER in parameters and not parameters[SWEEP_PARAMETER] and not parameters.get("serial")


@contextlib.contextmanager
def run_cluster(workers: int, scheduler: str | None = None) -> Iterator[dict[str, str]]:
    """Yield the environment to give the kernels: ``{SCHEDULER_ENV: address}``.

    With ``scheduler`` it is that address and nothing is started (the team's cluster outlives the
    run); otherwise a LocalCluster of ``workers`` single-threaded processes, closed on exit.
    """
    if scheduler:
        yield {SCHEDULER_ENV: scheduler}
        return
    import warnings

    from distributed import LocalCluster

    with warnings.catch_warnings():  # the scheduler's health endpoint falls back to a free port: fine
        warnings.filterwarnings("ignore", message="Port .* is already in use", category=UserWarning)
        cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=40)
    with cluster:
        yield {SCHEDULER_ENV: cluster.scheduler_address}
