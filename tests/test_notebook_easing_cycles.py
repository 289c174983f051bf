"""Execute the real C1 notebook (few draws, to stay quick) and check it recorded its verdict."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "easing_cycles.ipynb"


@pytest.mark.notebook
def test_easing_cycles_notebook_runs_and_records_its_verdict(tmp_path, sidecar):
    import papermill

    out = tmp_path / "easing_cycles.out.ipynb"
    papermill.execute_notebook(str(NOTEBOOK), str(out), parameters={"reps": 500, "small_large": "smb"},
                               cwd=str(tmp_path), kernel_name="python3", progress_bar=False)
    payload = json.loads(sidecar.read_text())
    (verdict,) = payload["verdicts"]
    assert verdict["claim"] == "C1"
    assert verdict["label"] in {"supported", "contradicted", "inconclusive"}
    assert verdict["n"] >= 5 and verdict["interval"] is not None
    assert payload["extra"]["cycles"] >= verdict["n"]
    text = out.read_text()
    assert '"output_type": "error"' not in text
    assert "smb:" in verdict["method"]  # the parameter reached the analysis
