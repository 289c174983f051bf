"""The report runner: everything that regenerates the reports, one job per module.

* :mod:`~research.runner.registry`    ``reports.toml`` and the parameters each notebook declares;
* :mod:`~research.runner.plan`        select reports, validate their parameters, assess freshness;
* :mod:`~research.runner.state`       keys, state files and the run/skip decision;
* :mod:`~research.runner.lock`        one run at a time per reports folder;
* :mod:`~research.runner.job`         what the run hands a worker;
* :mod:`~research.runner.worker`      the worker process: execute and render one report;
* :mod:`~research.runner.checks`      a report whose results rest on no data fails;
* :mod:`~research.runner.publish`     move finished reports into place atomically, write the index;
* :mod:`~research.runner.history`     the append-only verdict history, and what changed and why;
* :mod:`~research.runner.update`      ``research run --update`` / ``--frozen``;
* :mod:`~research.runner.orchestrate` the run itself: plan, lock, decide, execute, publish, index;
* :mod:`~research.runner.cli`         ``research run``, ``research list``, ``research lab``;
* :mod:`~research.runner.history_cmd` ``research history [CLAIM]``;
* :mod:`~research.runner.sweep_cmd`   ``research sweep CLAIM``.

Use from Python::

    from research import runner
    summary = runner.run(only=["easing_*"])

Importing this package stays light (standard library, the small ``research`` modules): the
worker, with papermill and nbconvert, is imported only when a report is executed.
"""

from research.runner.orchestrate import (
    Reporter,
    RunSummary,
    cpu_count,
    git_commit,
    preview,
    run,
    status,
)
from research.runner.plan import Planned, assess, override_map, plan
from research.runner.publish import ReportResult, write_index
from research.runner.registry import load_registry
from research.runner.state import Decision

__all__ = [
    "Decision",
    "Planned",
    "ReportResult",
    "Reporter",
    "RunSummary",
    "assess",
    "cpu_count",
    "git_commit",
    "load_registry",
    "override_map",
    "plan",
    "preview",
    "run",
    "status",
    "write_index",
]
