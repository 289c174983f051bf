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
