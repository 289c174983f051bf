"""Claims are data: the catalog drives the scorecard, the registry's and the worker's checks; grids
are checked by the engine's rules; `research new-claim` scaffolds a claim that the runner renders.

The last test executes the README's "Adding a claim" in a copy of the repository (its tracked
files): scaffold, fill in a real test, `research run`, and check the scorecard and the family.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import types
from pathlib import Path

import nbformat
import pytest
from conftest import copy_tracked

from research.claims import MIN_SPECS, GridError, catalog, grids, validate_grid
from research.claims.scaffold import ScaffoldError, new_claim, notebook_text
from research.config import PROJECT_ROOT
from research.runner.registry import RegistryError, declared_parameters, load_registry
from research.sweep import Grid

BIN = Path(sys.executable).parent
TESTABLE_WITH_CURVE = next(c.id for c in catalog.claims().values() if c.spec_curve)
WITHOUT_CURVE = next(c.id for c in catalog.claims().values() if not c.spec_curve)
NEXT_ID = f"C{max(c.number for c in catalog.claims().values()) + 1}"


# -- validate_grid: the engine's rules, with what to add -----------------------------------------

def grid(n: int, *, claim: str = TESTABLE_WITH_CURVE, **changes) -> Grid:
    base = Grid(claim=claim, title="t", choices={"start": tuple(range(n))}, estimate="m:f",
                statistic_name="s", default={"start": 0})
    return dataclasses.replace(base, **changes)


def test_the_real_grids_pass_and_every_curve_of_the_catalog_has_one():
    found = grids()
    assert set(found) == {c.id for c in catalog.claims().values() if c.spec_curve}
    for g in found.values():
        validate_grid(g)


def test_a_grid_needs_at_least_min_specs_specifications():
    validate_grid(grid(MIN_SPECS))
    with pytest.raises(GridError, match=rf"grid of {TESTABLE_WITH_CURVE} .*: {MIN_SPECS - 1} "
                                        rf"specifications; the engine needs at least {MIN_SPECS}\. Fix: add"):
        validate_grid(grid(MIN_SPECS - 1))


def test_a_grid_needs_a_sample_start_choice():
    no_start = grid(MIN_SPECS, choices={"horizon": tuple(range(MIN_SPECS))}, default={"horizon": 0})
    with pytest.raises(GridError, match="no sample-start choice.*Fix: add a choice named 'start'"):
        validate_grid(no_start)
    validate_grid(dataclasses.replace(no_start, choices={"first_year": tuple(range(MIN_SPECS))},
                                      default={"first_year": 0}))


def test_the_default_must_be_a_complete_specification_of_the_grid():
    with pytest.raises(GridError, match=r"is not in the grid.*Fix: add the value"):
        validate_grid(grid(MIN_SPECS, default={"start": -1}))
    with pytest.raises(GridError, match=r"one value per choice; missing \['horizon'\]"):
        validate_grid(grid(MIN_SPECS, choices={"start": tuple(range(MIN_SPECS)), "horizon": (1,)}))


def test_each_aspect_needs_a_curve_of_its_own():
    choices = {"start": tuple(range(MIN_SPECS)), "aspect": ("a", "b")}
    ok = grid(MIN_SPECS, choices=choices, default={"start": 0}, aspect="aspect",
              valid=f"{__name__}:few_b")
    with pytest.raises(GridError, match=r"aspect 'b' has 49 specifications; each aspect's curve needs at least 50"):
        validate_grid(ok)
    validate_grid(dataclasses.replace(ok, valid=None))


def few_b(spec: dict) -> bool:
    return spec["aspect"] == "a" or spec["start"] < 49


def test_a_grid_names_a_catalog_claim_with_a_curve_and_family_entries_are_specifications():
    with pytest.raises(GridError, match=r"'C999' is not in the claim catalog; known claims: C1, C2"):
        validate_grid(grid(MIN_SPECS, claim="C999"))
    with pytest.raises(GridError, match=rf"`spec_curve = false` for {WITHOUT_CURVE}.*spec_curve = true"):
        validate_grid(grid(MIN_SPECS, claim=WITHOUT_CURVE))
    validate_grid(grid(MIN_SPECS, family=[("", {"start": 0, "reps": 10})]))
    with pytest.raises(GridError, match="family entry for 'the main verdict' is not a specification"):
        validate_grid(grid(MIN_SPECS, family=[("", {"start": -1, "reps": 10})]))


# -- unknown claim ids are errors ------------------------------------------------------------------

def test_the_registry_rejects_an_unknown_claim_naming_the_known_ones(tmp_path, capsys):
    from research.cli import main

    (tmp_path / "x.ipynb").write_text(notebook_text(NEXT_ID, "x", "X"))
    path = tmp_path / "reports.toml"
    path.write_text(f'[reports.x]\nnotebook = "x.ipynb"\nclaims = ["{NEXT_ID}"]\n')
    with pytest.raises(RegistryError, match=rf"\[reports.x\]: unknown claim id\(s\) \['{NEXT_ID}'\]; "
                                            rf"known claims: {', '.join(catalog.known_ids())}\. Fix:"):
        load_registry(path)
    assert main(["list", "--registry", str(path), "--reports-dir", str(tmp_path / "r")]) == 2
    assert f"unknown claim id(s) ['{NEXT_ID}']" in capsys.readouterr().err
    path.write_text('[reports.x]\nnotebook = "x.ipynb"\nclaims = ["C1"]\n')
    assert load_registry(path).reports["x"].claims == ("C1",)


def test_a_verdict_on_an_unknown_claim_is_an_error_message():
    assert catalog.unknown_verdict_claims([{"claim": "C1"}, {"claim": "C2"}]) == ""
    message = catalog.unknown_verdict_claims([{"claim": "C1"}, {"claim": NEXT_ID}])
    assert message.startswith(f"the notebook recorded verdicts on unknown claim id(s) ['{NEXT_ID}']; known claims: C1")
    assert "Fix: correct `claim=`" in message


@pytest.mark.slow
def test_the_runner_fails_a_report_whose_verdict_names_an_unknown_claim(tmp_path):
    from runner_project import PKG, make_project

    from research import runner

    registry, reports = make_project(tmp_path, {
        "typo": {"notebook": "verdict.ipynb", "claims": ["C1"], "parameters": {"claim": NEXT_ID}}})
    summary = runner.run(registry_path=registry, reports_dir=reports, package_sha=PKG,
                         input_sha={"dgs2": "sha-a"}.get)
    assert summary.exit_code == 1 and [r.status for r in summary.executed] == ["failed"]
    state = json.loads((reports / "_state" / "typo.json").read_text())
    assert state["attempt"]["error"]["first_line"].startswith(
        f"UnknownClaim: the notebook recorded verdicts on unknown claim id(s) ['{NEXT_ID}']")
    assert not (reports / "typo.html").exists()


# -- the scaffold ----------------------------------------------------------------------------------

def checkout(root: Path) -> Path:
    """The files the scaffold reads or extends, copied under ``root``."""
    for rel in ("research/claims/catalog.toml", "notebooks/reports.toml", "docs/claims.md"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(PROJECT_ROOT / rel, root / rel)
    (root / "tests").mkdir()
    return root


def test_new_claim_writes_module_tests_notebook_registry_and_catalog(tmp_path):
    root = checkout(tmp_path)
    done = new_claim(NEXT_ID, "yield_curve", title="Small caps after the curve turns positive", root=root)
    assert done.written == ("research/claims/yield_curve.py", "tests/test_yield_curve.py",
                            "notebooks/yield_curve.ipynb")
    cat = catalog.load(root / "research/claims/catalog.toml")
    c = cat.claims[NEXT_ID]
    assert list(cat.claims)[-1] == NEXT_ID and c.reports == ("yield_curve",) and c.spec_curve
    assert c.title == "Small caps after the curve turns positive" and "TODO(research)" in c.commentary
    assert (root / "docs/claims.md").read_text() == catalog.render_markdown(cat)
    text = (root / "notebooks/reports.toml").read_text()
    assert text.startswith((PROJECT_ROOT / "notebooks/reports.toml").read_text().rstrip("\n"))
    reports = tomllib.loads(text)["reports"]
    assert reports["yield_curve"]["claims"] == [NEXT_ID]
    assert reports[f"robustness_{NEXT_ID.lower()}"]["parameters"] == {"claim": NEXT_ID}
    # the notebook keeps the contract of tests/test_notebooks.py and papermill can read its parameters
    path = root / "notebooks/yield_curve.ipynb"
    nb = nbformat.read(path, as_version=4)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert all(not cell.outputs and cell.execution_count is None for cell in code)
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith(f"# {NEXT_ID} — ")
    assert "parameters" in nb.cells[1].metadata["tags"] and "check_parameters(globals())" in nb.cells[2].source
    assert "record(" in code[-1].source
    assert list(declared_parameters(path)) == ["size", "weighting", "horizon", "start"]
    verify = subprocess.run([BIN / "nbstripout", "--verify", str(path)], capture_output=True, text=True)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    lint = subprocess.run([BIN / "ruff", "check", "--config", str(PROJECT_ROOT / "pyproject.toml"),
                           str(root / "research"), str(root / "tests")], capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout


def test_new_claim_refuses_a_wrong_id_a_bad_name_and_existing_files(tmp_path):
    root = checkout(tmp_path)
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    skip = f"C{int(NEXT_ID[1:]) + 1}"
    with pytest.raises(ScaffoldError, match=rf"the new claim is {NEXT_ID}\. Fix: research new-claim {NEXT_ID} x"):
        new_claim(skip, "x", root=root)
    with pytest.raises(ScaffoldError, match=r"C1 is already declared .* Fix: use the next free id"):
        new_claim("C1", "x", root=root)
    for bad in ("Yield", "2curve", "class", "test_x", "a-b"):
        with pytest.raises(ScaffoldError, match="lower-case letters"):
            new_claim(NEXT_ID, bad, root=root)
    (root / "tests/test_taken.py").write_text("")
    with pytest.raises(ScaffoldError, match=r"tests/test_taken.py already exist\(s\).*never overwrites"):
        new_claim(NEXT_ID, "taken", root=root)
    (root / "tests/test_taken.py").unlink()
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before  # nothing written


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_new_claim_appends_after_blank_lines_and_defaults_the_title_and_date(tmp_path):
    root = checkout(tmp_path)
    registry, cat_path = root / "notebooks/reports.toml", root / "research/claims/catalog.toml"
    for path in (registry, cat_path):
        path.write_text(path.read_text() + "\n\n")  # trailing blank lines are not kept
    old_registry, old_catalog = registry.read_text(), cat_path.read_text()
    before = _files(root)
    done = new_claim(NEXT_ID, "yield_curve", root=root, today=dt.date(2030, 1, 2))
    after = _files(root)
    assert {p for p in after if before.get(p) != after[p]} == set(done.written) | set(done.extended)
    assert done.extended == ("notebooks/reports.toml", "research/claims/catalog.toml", "docs/claims.md")
    assert registry.read_text().startswith(old_registry.rstrip("\n") + "\n\n[reports.yield_curve]\n")
    assert cat_path.read_text().startswith(old_catalog.rstrip("\n") + f'\n\n[[claims]]\nid = "{NEXT_ID}"\n')
    c = catalog.load(cat_path).claims[NEXT_ID]
    assert (c.title, c.date) == ("Yield curve", dt.date(2030, 1, 2))  # from the name
    reports = tomllib.loads(registry.read_text())["reports"]
    assert reports["yield_curve"]["title"] == f"{NEXT_ID}: Yield curve"
    assert reports[f"robustness_{NEXT_ID.lower()}"]["title"] == (
        f"{NEXT_ID} robustness: the specification curve of yield curve")
    assert "class YieldCurveResult(ResultMixin):" in (root / "research/claims/yield_curve.py").read_text()
    assert done.summary() == "\n".join([
        f"new claim {NEXT_ID} (yield_curve):",
        "  wrote    research/claims/yield_curve.py",
        "  wrote    tests/test_yield_curve.py",
        "  wrote    notebooks/yield_curve.ipynb",
        "  extended notebooks/reports.toml",
        "  extended research/claims/catalog.toml",
        "  extended docs/claims.md",
        "Next: fill in every TODO(research) (grep -rn 'TODO(research)' research tests notebooks), then "
        f"`research run --only yield_curve` and `research sweep {NEXT_ID}`."])
    today = new_claim(f"C{int(NEXT_ID[1:]) + 1}", "other_curve", root=root)
    assert catalog.load(cat_path).claims[today.claim].date == dt.date.today()


def test_new_claim_refusals_say_what_exists(tmp_path):
    root = checkout(tmp_path)
    cat_path, registry = root / "research/claims/catalog.toml", root / "notebooks/reports.toml"
    with pytest.raises(ScaffoldError) as err:
        new_claim("C1", "x", root=root)
    assert str(err.value) == f"C1 is already declared in {cat_path}. Fix: use the next free id, {NEXT_ID}."
    skip = f"C{int(NEXT_ID[1:]) + 1}"
    with pytest.raises(ScaffoldError) as err:
        new_claim(skip, "x", root=root)
    assert str(err.value) == (f"claim id {skip!r}: ids are numbered without gaps, so the new claim is {NEXT_ID}. "
                              f"Fix: research new-claim {NEXT_ID} x")
    with pytest.raises(ScaffoldError) as err:
        new_claim(NEXT_ID, "froth", root=root)  # a report of that name exists
    assert str(err.value) == f"{registry} already has [reports.froth]. Fix: choose another name."
    original = registry.read_text()
    registry.write_text(original + f'\n[reports.robustness_{NEXT_ID.lower()}]\nnotebook = "spec_curve.ipynb"\n')
    with pytest.raises(ScaffoldError) as err:
        new_claim(NEXT_ID, "fresh", root=root)
    assert str(err.value) == (f"{registry} already has [reports.robustness_{NEXT_ID.lower()}]. "
                              "Fix: choose another name.")
    registry.write_text(original)
    (root / "tests/test_taken.py").write_text("")
    (root / "notebooks/taken.ipynb").write_text("")
    before = _files(root)
    with pytest.raises(ScaffoldError) as err:
        new_claim(NEXT_ID, "taken", root=root)
    assert str(err.value) == (f"tests/test_taken.py, notebooks/taken.ipynb already exist(s) under {root}. Fix: "
                              "choose another name; the scaffold never overwrites a file.")
    assert _files(root) == before


def test_the_notebook_is_written_as_nbstripout_writes_the_committed_ones():
    committed = (PROJECT_ROOT / "notebooks/froth.ipynb").read_text(encoding="utf-8")
    text = notebook_text(NEXT_ID, "yield_curve", "Curve — é")

    def normal(t: str) -> str:  # nbstripout's layout: sorted keys, indent 1, UTF-8 as is, a final newline
        return json.dumps(json.loads(t), indent=1, sort_keys=True, ensure_ascii=False) + "\n"

    assert normal(committed) == committed and normal(text) == text and "Curve — é" in text
    nb = json.loads(text)
    reference = json.loads(committed)
    assert nb["metadata"] == reference["metadata"]
    assert (nb["nbformat"], nb["nbformat_minor"]) == (reference["nbformat"], reference["nbformat_minor"]) == (4, 5)
    nbformat.validate(nb)  # no outputs on markdown cells, execution_count and outputs on code cells
    assert [c["cell_type"] for c in nb["cells"]] == ["markdown", "code", "code", "code", "markdown", "code", "code"]
    assert [c["id"] for c in nb["cells"]] == [str(i) for i in range(7)]
    assert [c["metadata"] for c in nb["cells"]] == [{}, {"tags": ["parameters"]}, {}, {}, {}, {}, {}]
    assert nb["cells"][0]["source"][0] == f"# {NEXT_ID} — Curve — é\n"


def test_the_scaffolded_module_passes_its_scaffolded_tests(tmp_path, monkeypatch):
    """The module and tests the scaffold writes, run without the mirror: the module imported from its
    file, the catalog read from the copy the scaffold extended."""
    root = checkout(tmp_path)
    new_claim(NEXT_ID, "toy_blocks", title="Toy blocks", root=root)
    path = root / "research/claims/toy_blocks.py"
    assert re.search(rf'^CLAIM = "{NEXT_ID}"$', path.read_text(), re.MULTILINE)  # how grid() finds it
    spec = importlib.util.spec_from_file_location("research.claims.toy_blocks", path)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "research.claims.toy_blocks", module)
    spec.loader.exec_module(module)
    monkeypatch.setattr(catalog, "catalog", lambda: catalog.load(root / "research/claims/catalog.toml"))
    assert (module.GRID.claim, module.GRID.title) == (NEXT_ID, f"{NEXT_ID}: Toy blocks")
    assert json.loads((root / "notebooks/toy_blocks.ipynb").read_text()) == json.loads(
        notebook_text(NEXT_ID, "toy_blocks", "Toy blocks"))
    namespace: dict = {}
    exec(compile((root / "tests/test_toy_blocks.py").read_text(), "test_toy_blocks.py", "exec"), namespace)
    tests = [name for name in namespace if name.startswith("test_")]
    assert len(tests) == 4
    for name in tests:
        namespace[name]()


def test_the_parameter_help_names_choices_the_data_layer_knows():
    from research.data.sizes import MONTHLY_SIZES

    params = declared_parameters(json.loads(notebook_text("C1", "toy_nb", "Toy")))
    label, _, choices = params["size"].help.partition(": ")
    assert label == "small/large definition" and set(choices.split(" | ")) <= set(MONTHLY_SIZES)
    assert len(choices.split(" | ")) == 4
    assert params["weighting"].help.startswith("vw | ew ")


def test_titles_are_written_as_typed(tmp_path):
    root = checkout(tmp_path)
    new_claim(NEXT_ID, "cafe_curve", title="Café crème", root=root)
    assert f'title = "{NEXT_ID}: Café crème"' in (root / "notebooks/reports.toml").read_text()
    assert 'title = "Café crème"' in (root / "research/claims/catalog.toml").read_text()


def test_the_notebooks_code_runs_in_order_and_records_the_verdicts(tmp_path, monkeypatch, capsys):
    """The code cells, executed as a kernel would, against a stand-in claim module."""
    import pandas as pd

    from research.verdict import Verdict

    verdict = Verdict(claim="C1", label="inconclusive", hypothesis="h", note="not implemented")
    result = types.SimpleNamespace(verdicts=(verdict,), table=pd.DataFrame({"x": [1.23456]}))
    calls = []
    module = types.ModuleType("research.claims.toy_nb")
    module.run = lambda **kw: calls.append(kw) or result
    monkeypatch.setitem(sys.modules, "research.claims.toy_nb", module)
    sidecar = tmp_path / "sidecar.json"
    monkeypatch.setenv("RESEARCH_SIDECAR", str(sidecar))
    nb = json.loads(notebook_text("C1", "toy_nb", "Toy"))
    namespace: dict = {}
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            exec(compile("".join(cell["source"]), "cell", "exec", dont_inherit=True), namespace)
    assert calls == [{"size": "deciles 1-3 vs 8-10", "weighting": "vw", "horizon": 12, "start": None}]
    assert namespace["__annotations__"] == {"size": str, "weighting": str, "horizon": int, "start": "Optional[str]"}
    assert json.loads(sidecar.read_text())["verdicts"] == [verdict.to_dict()]
    capsys.readouterr()


def test_a_scaffolded_verdict_is_shown_as_not_implemented_and_kept_out_of_the_family():
    from research.family import testing_family
    from research.report import scorecard
    from research.runner.registry import Report
    from research.verdict import Verdict

    claim = TESTABLE_WITH_CURVE
    v = Verdict(claim=claim, label="inconclusive", hypothesis="h", statistic=1.0, n=3,
                note="not implemented: the test is a placeholder")
    reports = [Report("new", Path("new.ipynb"), claims=(claim,))]
    states = {"new": {"status": "ok", "success": {"verdicts": [v.to_dict()], "html": "new.html"}}}
    members, left_out = testing_family(reports, states)
    assert members == [] and left_out == [f"{claim}: not implemented yet (the TODOs in its claim module)"]
    row = re.findall(rf'<tr data-claim="{claim}">(.*?)</tr>', scorecard.index_html(reports, states, generated_at="now"))
    assert len(row) == 1 and "inconclusive" in row[0] and "not implemented" in row[0]


# -- the README's "Adding a claim", executed ---------------------------------------------------------

REAL_TEST = '''    from scipy import stats as _stats

    p_value = float(_stats.ttest_1samp(blocks, 0.0).pvalue)
    label = "inconclusive" if p_value >= 0.10 else ("supported" if statistic > 0 else "contradicted")
    note = ""'''


def _tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in root.rglob("*") if p.is_file() and not {"reports", "data", "__pycache__"} & set(p.relative_to(root).parts)}


@pytest.mark.mirror
@pytest.mark.notebook
@pytest.mark.slow
def test_readme_adding_a_claim_end_to_end(tmp_path, mirror_env):
    readme = (PROJECT_ROOT / "README.md").read_text()
    assert "research new-claim" in readme and "Nothing else in the repository needs an edit" in readme
    root = tmp_path / "repo"
    copy_tracked(root)
    env = {**os.environ, "PYTHONPATH": str(root), "RESEARCH_REPORTS_DIR": str(root / "reports")}

    def sh(*args, check=True):
        proc = subprocess.run([str(a) for a in args], cwd=root, env=env, capture_output=True, text=True, timeout=600)
        assert not check or proc.returncode == 0, proc.stdout + proc.stderr
        return proc

    before = _tree(root)
    sh(BIN / "research", "new-claim", NEXT_ID, "toy_curve", "--title", "Toy: small caps over blocks of months")
    after = _tree(root)
    changed = {p for p in after if before.get(p) != after[p]} | set(before) - set(after)
    assert changed == {"research/claims/toy_curve.py", "tests/test_toy_curve.py", "notebooks/toy_curve.ipynb",
                       "notebooks/reports.toml", "research/claims/catalog.toml", "docs/claims.md"}
    sh(BIN / "ruff", "check", "research", "tests")
    sh(BIN / "nbstripout", "--verify", "notebooks/toy_curve.ipynb")
    sh(sys.executable, "-m", "research.claims.catalog", "--check")
    sh(sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_toy_curve.py")

    # the placeholder until the TODOs are done: rendered, on the scorecard, "not implemented"
    sh(BIN / "research", "run", "--only", "toy_curve")
    index = (root / "reports" / "index.html").read_text()
    (row,) = re.findall(rf'<tr data-claim="{NEXT_ID}">(.*?)</tr>', index)
    assert "inconclusive" in row and "not implemented" in row and 'href="toy_curve.html"' in row
    assert f"{NEXT_ID}: not implemented yet" in index

    # a real (small) test: a t-test on the block means, with its own verdict rule
    module = root / "research/claims/toy_curve.py"
    placeholder = '    label, p_value, note = "inconclusive", None, NOT_IMPLEMENTED'
    assert placeholder in module.read_text()
    module.write_text(module.read_text().replace(placeholder, REAL_TEST))
    sh(BIN / "research", "run", "--only", "toy_curve")
    state = json.loads((root / "reports" / "_state" / "toy_curve.json").read_text())
    (verdict,) = state["success"]["verdicts"]
    assert verdict["claim"] == NEXT_ID and 0 <= verdict["p_value"] <= 1 and verdict["note"] == ""
    index = (root / "reports" / "index.html").read_text()
    (row,) = re.findall(rf'<tr data-claim="{NEXT_ID}">(.*?)</tr>', index)
    assert verdict["label"] in row and "not implemented" not in row
    (member,) = re.findall(rf'<tr data-family="{NEXT_ID}">(.*?)</tr>', index)
    assert "reported by the report" in member and 'href="toy_curve.html"' in member


def test_claim_modules_are_keyed_by_their_own_hash_not_the_render_hash(tmp_path):
    """Editing a claim module re-runs the reports that imported it (their recorded module hash
    changes), not every report: the render hash covers the page code only."""
    import research
    from research.runner.state import module_path, render_hash

    package = Path(research.__file__).resolve().parent
    assert render_hash() == render_hash(package)
    copy = tmp_path / "research"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    before = render_hash(copy)
    easing = module_path("research.claims.easing", copy)
    assert easing == copy / "claims" / "easing.py"
    easing.write_text(easing.read_text() + "\n# edited\n")
    assert render_hash(copy) == before
    assert module_path("research.claims", copy) == copy / "claims" / "__init__.py"
    assert module_path("research.claims.nonexistent", copy) is None
    page = copy / "report" / "page.py"
    page.write_text(page.read_text() + "\n# edited\n")
    assert render_hash(copy) != before
