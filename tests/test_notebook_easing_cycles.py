"""Execute the real C1 notebook (few draws, to stay quick) and check it recorded its verdict."""

from __future__ import annotations

import pytest

from research.verdict import LABELS


@pytest.mark.notebook
def test_easing_cycles_notebook_runs_and_records_its_verdict(execute_report_notebook):
    _, payload = execute_report_notebook("easing_cycles", reps=500, small_large="smb")
    (verdict,) = payload["verdicts"]
    assert verdict.claim == "C1"
    assert verdict.label in LABELS
    assert verdict.n >= 5 and verdict.interval is not None
    assert payload["extra"]["cycles"] >= verdict.n
    assert "smb:" in verdict.method  # the parameter reached the analysis
