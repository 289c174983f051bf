"""The C6 report notebook runs end to end on the real data (Russell pair) and records its verdicts."""

from __future__ import annotations

import pytest

from research.verdict import LABELS


@pytest.mark.notebook
def test_notebook_executes_and_records_its_verdicts(execute_report_notebook):
    _, payload = execute_report_notebook("pullback_hedge", small_large="russell")
    verdicts = payload["verdicts"]
    assert [v.aspect for v in verdicts] == ["drawdowns >= 10%", "drawdowns >= 5%"]
    assert {v.claim for v in verdicts} == {"C6"} and all(v.label in LABELS for v in verdicts)
    assert verdicts[0].sample.startswith("1987-09")
