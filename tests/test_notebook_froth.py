"""The froth report notebook runs end to end on the real data and records its C4 verdicts."""

from __future__ import annotations

import pytest

from research.verdict import LABELS


@pytest.mark.notebook
def test_notebook_executes_and_records_its_verdicts(execute_report_notebook):
    _, payload = execute_report_notebook("froth", daily_check=False)
    verdicts = payload["verdicts"]
    assert len(verdicts) == 2
    assert {v.claim for v in verdicts} == {"C4"}
    assert verdicts[0].aspect == "junk leadership"
    assert all(v.label in LABELS for v in verdicts)
