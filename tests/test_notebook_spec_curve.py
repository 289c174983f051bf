"""Execute the real specification-curve notebook, and ``research sweep`` through the runner.

The notebook runs one claim serially on an evenly spaced subset of its grid (``max_specs``) so it
stays quick; the command runs C7's whole grid (its specifications are the cheapest) serially into
a temporary reports folder, then the scorecard must show C7's shares.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "spec_curve.ipynb"


@pytest.mark.notebook
def test_spec_curve_notebook_runs_and_records_its_shares(tmp_path, sidecar):
    import nbformat
    import papermill

    from research.report import page as report_page

    out = tmp_path / "spec_curve.out.ipynb"
    papermill.execute_notebook(str(NOTEBOOK), str(out), parameters={"claim": "C3", "serial": True, "max_specs": 36},
                               cwd=str(tmp_path), kernel_name="python3", progress_bar=False)
    payload = json.loads(sidecar.read_text())
    assert payload["verdicts"] == []  # the claim's verdict is its own report's; this qualifies it
    spec = payload["extra"]["spec_curve"]
    assert spec["claim"] == "C3" and spec["specifications"] == 36 and spec["backend"] == "serial"
    assert set(spec["by_aspect"]) == {"value tilt", "less profitable", "inferior"}
    for block in spec["by_aspect"].values():
        shares = [block[f"share_{lab}"] for lab in ("supported", "contradicted", "mixed", "inconclusive")]
        assert sum(shares) == pytest.approx(1.0)
        assert block["label"] in {"supported", "contradicted", "mixed", "inconclusive"}
        assert block["most_influential"]["choice"] in {"size", "weighting", "start", "include_smb", "hac_lags",
                                                       "premium_small", "premium_robust"}
    assert payload["extra"]["family"] == []
    assert {"ff5_factors", "me_op_25", "size_portfolios"} <= set(payload["inputs"])  # keyed on its data

    nb = nbformat.read(str(out), as_version=4)
    assert '"output_type": "error"' not in out.read_text()
    page = report_page.report_html(nb, title="C3 robustness", verdicts=[])
    head = page[:page.index("The grid")]
    assert head.count('class="verdict"') == 3 and "specification curve: value tilt" in head
    assert page.count("data:image/png;base64,") == 3  # one curve per aspect
    assert "Show all 36 specifications" in page and "<details>" in page
    assert "run_sweep" not in page  # code hidden


@pytest.mark.notebook
@pytest.mark.slow
def test_research_sweep_renders_the_report_and_updates_the_scorecard(tmp_path, mirror_env, capsys):
    from research.cli import main

    registry = tmp_path / "reports.toml"
    registry.write_text(f'[reports.robustness_c7]\nnotebook = "{NOTEBOOK}"\ntitle = "C7 robustness"\n'
                        'parameters = { claim = "C7" }\n')
    reports = tmp_path / "reports"
    code = main(["sweep", "c7", "--serial", "--registry", str(registry), "--reports-dir", str(reports)])
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert "C7: 285 specifications" in printed and "robustness_c7.html" in printed
    state = json.loads((reports / "_state" / "robustness_c7.json").read_text())
    assert state["status"] == "ok" and state["success"]["parameters"] == {"claim": "C7", "serial": True}
    assert state["success"]["extra"]["family"] == []  # C7's verdict carries its own t-test p-value
    page = (reports / "index.html").read_text()
    (row,) = re.findall(r'<tr data-claim="C7">(.*?)</tr>', page)
    assert 'href="robustness_c7.html"' in row and "of 285 specifications" in row
    assert "Every specification" in (reports / "robustness_c7.html").read_text()
