"""The quality_tilt report notebook runs end to end on the real data and records its C3 verdicts."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from research.verdict import LABELS, read_sidecar

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "quality_tilt.ipynb"


def test_notebook_is_committed_without_outputs_and_has_a_parameters_cell():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    assert "parameters" in nb.cells[1].metadata.get("tags", [])
    assert "record(*result.verdicts" in code[-1].source


@pytest.mark.notebook
def test_notebook_executes_and_records_its_verdicts(tmp_path, sidecar):
    import papermill

    out = tmp_path / "out.ipynb"
    papermill.execute_notebook(str(NOTEBOOK), str(out), parameters={"show_robustness": False},
                               cwd=str(tmp_path), kernel_name="python3", progress_bar=False)
    executed = nbformat.read(out, as_version=4)
    errors = [o for c in executed.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
    # the report opens with its verdict box: the first output of the analysis cell
    first = next(c for c in executed.cells if c.cell_type == "code" and c.get("outputs"))
    assert 'class="verdict-box"' in first.outputs[0]["data"]["text/html"]
    verdicts = read_sidecar(sidecar)["verdicts"]
    assert len(verdicts) == 3
    assert {v.claim for v in verdicts} == {"C3"}
    assert verdicts[0].aspect == "value tilt"
    assert all(v.label in LABELS for v in verdicts)
