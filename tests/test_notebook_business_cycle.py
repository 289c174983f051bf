"""Execute the real C8 notebook on the Russell pair and check it recorded both verdicts."""

from __future__ import annotations

import pytest

from research.verdict import LABELS


@pytest.mark.notebook
def test_business_cycle_notebook_runs_and_records_its_verdicts(execute_report_notebook):
    _, payload = execute_report_notebook("business_cycle", small_large="russell")
    verdicts = {v.aspect: v for v in payload["verdicts"]}
    assert set(verdicts) == {"cyclicality", "mean reversion"}
    assert all(v.claim == "C8" and v.label in LABELS for v in verdicts.values())
    # n = recession episodes since 1987 (1990, 2001, 2007-09, 2020); the months stay in the sample text
    assert verdicts["cyclicality"].n == 4 and "4 recessions" in verdicts["cyclicality"].sample
    assert verdicts["mean reversion"].p_value is not None
    assert payload["extra"]["as_of"] == "2025-09"


def test_the_caveat_points_at_the_simulation_the_repository_runs(coverage_benchmark):
    """The C8 notebook's prose about Newey-West over-rejection quotes no number and names the
    simulation that measures it; that simulation must exist (benchmarks/coverage.py's C8 cases)
    and its table must be in docs/methods.md."""
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    cells = json.loads((root / "notebooks" / "business_cycle.ipynb").read_text())["cells"]
    prose = " ".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    assert "benchmarks/coverage.py" in prose and "docs/methods.md" in prose
    assert "runs no simulation" not in prose
    c8 = {case.method for case in coverage_benchmark.cases() if case.claim == "C8"}
    assert {"hodrick 1B", "newey-west (lags = horizon)", "non-overlapping t"} <= c8
    methods = (root / "docs" / "methods.md").read_text()
    assert all(f"| C8 | {m} |" in methods for m in c8)
