"""What the run hands a worker: plain data, pickled to the worker process.

A worker is started with a :class:`Slot` (where its kernel runs, with which environment) and
starts that kernel at once; the report to run, a :class:`Job`, follows when a running report
finishes, so the kernel starts and imports while another report computes.

Its own module so that the run (:mod:`research.runner.orchestrate`) and the worker
(:mod:`research.runner.worker`) both depend on it instead of on each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Job:
    """Everything a worker needs to run one report (plain data, pickled to the worker)."""

    name: str
    notebook: str
    notebook_display: str
    parameters: dict[str, Any]
    title: str
    workdir: str
    components: dict[str, Any]
    version: str
    git_commit: str | None
    max_html_bytes: int = 50_000_000  # a larger page is failed, not published (RESEARCH_MAX_REPORT_MB)
    reports_dir: str = ""  # where the verdict history is read from, for the page's history table


# Loaded in every kernel as it starts: what nearly every report's claim code imports anyway
# (2 s of CPU per kernel when each imported them; now the forkserver imports them once per run
# and kernels are forked with them, runner.kernel_fork). Not seaborn (it registers colormaps
# with matplotlib) and never a ``research`` module: a report's key covers the research modules
# its kernel imported.
PRELOAD = ("numpy", "pandas", "pyarrow.parquet", "scipy.stats", "statsmodels.api")

# Imported by every kernel as it starts, whatever its report: ipykernel itself, and matplotlib
# with the inline backend (``research.report.figure_alt``, in every kernel's start-up lines).
KERNEL_MODULES = ("ipykernel.kernelapp", "matplotlib.pyplot", "matplotlib.backends.backend_agg")


def forkserver_preload(preload: tuple[str, ...]) -> list[str]:
    """What the runner's forkserver imports: the worker's code, and for forked kernels
    ``preload`` and :data:`KERNEL_MODULES` (with no ``preload`` kernels are not forked)."""
    return ["research.runner.worker", *preload, *KERNEL_MODULES] if preload else ["research.runner.worker"]


@dataclass(frozen=True)
class Slot:
    """One kernel's place, known before its report: the scratch folder it runs in (its cwd,
    where its sidecar is written and the report's files go), the environment it is started
    with (the run's, the same for every report), and the modules imported as it starts."""

    workdir: str
    env: dict[str, str] = field(default_factory=dict)
    start_timeout: float = 120.0
    preload: tuple[str, ...] = PRELOAD
