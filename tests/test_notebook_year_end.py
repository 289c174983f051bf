"""The year-end report notebook runs end to end on the real data, records its C7 verdict and
the forecast scorecard the index page shows."""

from __future__ import annotations

import pytest

from research.verdict import LABELS

FORECAST_KEYS = {"forecast", "source", "made_on", "target_date", "level_at_forecast", "target",
                 "ex_ante_probability", "outcome", "realized", "as_of"}


@pytest.mark.notebook
def test_notebook_executes_and_records_verdict_and_forecasts(execute_report_notebook):
    _, payload = execute_report_notebook("year_end", small_large="russell")
    (verdict,) = payload["verdicts"]
    assert verdict.claim == "C7" and verdict.label in LABELS and verdict.sample.startswith("1987-")
    forecasts = payload["extra"]["forecasts"]
    assert len(forecasts) == 3
    assert all(set(f) >= FORECAST_KEYS for f in forecasts)
    assert all(f["outcome"] in {"hit", "miss", "not yet known"} for f in forecasts)
    assert all(f["ex_ante_probability"] is None or 0 <= f["ex_ante_probability"] <= 1 for f in forecasts)
