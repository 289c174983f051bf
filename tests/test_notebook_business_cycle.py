"""Execute the real C8 notebook and check it recorded both verdicts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "business_cycle.ipynb"


@pytest.mark.notebook
def test_business_cycle_notebook_runs_and_records_its_verdicts(tmp_path, sidecar):
    import papermill

    out = tmp_path / "business_cycle.out.ipynb"
    papermill.execute_notebook(str(NOTEBOOK), str(out), parameters={"small_large": "russell"},
                               cwd=str(tmp_path), kernel_name="python3", progress_bar=False)
    payload = json.loads(sidecar.read_text())
    verdicts = {v["aspect"]: v for v in payload["verdicts"]}
    assert set(verdicts) == {"cyclicality", "mean reversion"}
    assert all(v["claim"] == "C8" for v in verdicts.values())
    assert all(v["label"] in {"supported", "contradicted", "mixed", "inconclusive"} for v in verdicts.values())
    assert verdicts["cyclicality"]["n"] > 400 and verdicts["mean reversion"]["p_value"] is not None
    assert payload["extra"]["as_of"] == "2025-09"
    assert '"output_type": "error"' not in out.read_text()
