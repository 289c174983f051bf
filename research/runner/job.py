"""What the run hands a worker for one report: plain data, pickled to the worker process.

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
    env: dict[str, str] = field(default_factory=dict)
    start_timeout: float = 120.0
    max_html_bytes: int = 50_000_000  # a larger page is failed, not published (RESEARCH_MAX_REPORT_MB)
    reports_dir: str = ""  # where the verdict history is read from, for the page's history table
