"""The C3 report notebook runs end to end on the real data and records its three verdicts."""

from __future__ import annotations

import pytest

from research.verdict import LABELS


@pytest.mark.notebook
def test_notebook_executes_and_records_its_verdicts(execute_report_notebook):
    _, payload = execute_report_notebook("quality_tilt")
    verdicts = payload["verdicts"]
    assert len(verdicts) == 3
    assert {v.claim for v in verdicts} == {"C3"}
    assert verdicts[0].aspect == "value tilt"
    assert all(v.label in LABELS for v in verdicts)
