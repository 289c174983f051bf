"""The C2 report notebook runs end to end on the real data and records its verdict."""

from __future__ import annotations

import pytest

from research.verdict import LABELS


@pytest.mark.notebook
def test_notebook_executes_and_records_its_verdicts(execute_report_notebook):
    _, payload = execute_report_notebook("rate_sensitivity", yields=["dgs2"])
    verdicts = payload["verdicts"]
    assert len(verdicts) == 1
    assert {v.claim for v in verdicts} == {"C2"}
    assert verdicts[0].aspect == "2-year yield"
    assert all(v.label in LABELS for v in verdicts)
