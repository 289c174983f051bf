"""The C5 report notebook runs end to end on the real data (Russell 2000) and records its verdicts
and the checks of the commentary's numbers."""

from __future__ import annotations

import pytest

from research.verdict import LABELS


@pytest.mark.notebook
def test_notebook_executes_and_records_its_verdicts(execute_report_notebook):
    _, payload = execute_report_notebook("technicals", small_large="russell", min_events=5)
    verdicts = payload["verdicts"]
    assert [v.aspect for v in verdicts] == ["breakout above an old record", "200-day cross"]
    assert {v.claim for v in verdicts} == {"C5"} and all(v.label in LABELS for v in verdicts)
    assert verdicts[0].sample.startswith("Russell 2000")
    assert len(payload["extra"]["checks"]) == 8
    assert {"rut", "gspc"} <= set(payload["inputs"])
