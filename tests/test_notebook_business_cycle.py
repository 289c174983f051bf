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
    assert verdicts["cyclicality"].n > 400 and verdicts["mean reversion"].p_value is not None
    assert payload["extra"]["as_of"] == "2025-09"
