"""reports.toml and the parameters cell, read without starting any kernel."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from research.errors import ParameterError
from research.runner.registry import (
    RegistryError,
    Report,
    declared_parameters,
    load_registry,
    parse_assignment,
    resolve_parameters,
    validate_parameters,
)

FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"


def notebook(params_source: str) -> dict:
    return {"cells": [{"cell_type": "code", "metadata": {"tags": ["parameters"]}, "source": params_source,
                       "outputs": [], "execution_count": None}],
            "metadata": {"kernelspec": {"name": "python3"}}, "nbformat": 4, "nbformat_minor": 5}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "reports.toml"
    path.write_text(text)
    return path


def test_registry_maps_names_to_notebooks_and_parameters(tmp_path):
    path = write(tmp_path, """
[reports.c1_deciles]
notebook = "easing.ipynb"
title = "C1 by deciles"
claims = ["C1"]
parameters = { small = "deciles", start = 1954-07-01 }

[reports.c1_russell]
notebook = "easing.ipynb"
parameters = { small = "russell" }
""")
    reg = load_registry(path)
    assert list(reg.reports) == ["c1_deciles", "c1_russell"]
    first = reg.reports["c1_deciles"]
    assert first.notebook == tmp_path / "easing.ipynb" and first.claims == ("C1",)
    assert first.parameters["start"] == dt.date(1954, 7, 1)
    assert reg.reports["c1_russell"].notebook == first.notebook  # one notebook, several reports
    assert [r.name for r in reg.select(["*russell"])] == ["c1_russell"]
    assert [r.name for r in reg.select(["c1_deciles,c1_russell"])] == ["c1_deciles", "c1_russell"]


@pytest.mark.parametrize("text, message", [
    ("[reports.x]\nnotebook = 'x.ipynb'\nparams = {}\n", "unknown key(s) ['params']"),
    ("[reports.x]\ntitle = 'no notebook'\n", "`notebook` must be a path to an .ipynb file"),
    ("[reports.'bad name']\nnotebook = 'x.ipynb'\n", "report names become file names"),
    ("[report.x]\nnotebook = 'x.ipynb'\n", "unknown top-level key(s) ['report']"),
    ("[reports.x\n", "is not valid TOML"),
])
def test_malformed_registry_says_what_to_fix(tmp_path, text, message):
    with pytest.raises(RegistryError) as info:
        load_registry(write(tmp_path, text))
    assert message in str(info.value)


def test_missing_registry_and_missing_notebook(tmp_path):
    with pytest.raises(RegistryError, match="not found"):
        load_registry(tmp_path / "nope.toml")
    report = Report("x", tmp_path / "missing.ipynb")
    with pytest.raises(RegistryError, match="missing.ipynb does not exist"):
        resolve_parameters(report)


def test_parameters_cell_is_read_with_types_defaults_and_help():
    declared = declared_parameters(FIXTURES / "verdict.ipynb")
    assert list(declared)[:3] == ["claim", "label", "statistic"]
    n = declared["n"]
    assert (n.type.text, n.default, n.help) == ("int", 8, "independent observations")
    assert declared["aspects"].type.item == "str"
    assert declared["n"].describe() == "n: int = 8  # independent observations"


def test_help_comments_are_read_as_the_tokenizer_reads_them():
    """The one-line fast path (the rest of the line after the value) agrees with tokenize, and
    declarations it cannot read that way (several lines, two on a line) still get their help."""
    source = ('a: int = 1  # plain help\n'
              'b: str = "x # not a comment"  #   the real one  \n'
              'c: list[int] = [1,  # first line\n  2]\n'
              'd: float = 2.0\n'
              'e: str = "é"  # after a non-ASCII value\n'
              'f: int = 3; g: int = 4  # shared\n')
    declared = declared_parameters(notebook(source), where="nb.ipynb")
    assert {n: p.help for n, p in declared.items()} == {
        "a": "plain help", "b": "the real one", "c": "first line", "d": "", "e": "after a non-ASCII value",
        "f": "shared", "g": "shared"}
    assert declared["e"].default == "é" and declared["c"].default == [1, 2]


@pytest.mark.parametrize("source, message", [
    ("x = 1\n", "`x = 1` is not a plain declaration"),
    ("import os\n", "`import os` is not a plain declaration"),
    ("x: int = len('ab')\n", "malformed node"),
    ("x: dict = {}\n", "unsupported parameter type 'dict'"),
    ("x: int = 'one'\n", "default of 'x' expects int, got str 'one'"),
])
def test_parameters_cell_holds_only_plain_values(source, message):
    with pytest.raises(ParameterError) as info:
        declared_parameters(notebook(source), where="nb.ipynb")
    assert message in str(info.value) and "nb.ipynb, parameters cell, line 1" in str(info.value)


def test_validation_lists_every_problem_and_the_declared_parameters():
    declared = declared_parameters(notebook("horizon: int = 12  # months\nstart: str = '1954-07-01'\n"))
    report = Report("easing", Path("easing.ipynb"))
    assert validate_parameters(report, {"start": dt.date(1960, 1, 1)}, declared) == {"start": "1960-01-01"}
    with pytest.raises(ParameterError) as info:
        validate_parameters(report, {"horizon": "12", "strat": "x"}, declared)
    message = str(info.value)
    assert message.startswith("report 'easing' (easing.ipynb):")
    assert "parameter 'horizon' expects int, got str '12'" in message
    assert "'strat' is not a parameter of this notebook (did you mean start?)" in message
    assert "horizon: int = 12  # months" in message


def test_override_assignment_syntax():
    assert parse_assignment("horizon=12") == ("horizon", 12)
    assert parse_assignment("small = deciles") == ("small", "deciles")
    with pytest.raises(ParameterError, match="-p expects NAME KEY=VALUE"):
        parse_assignment("horizon")


def test_fixture_notebooks_follow_the_contract():
    for path in FIXTURES.glob("*.ipynb"):
        nb = json.loads(path.read_text())
        assert "parameters" in nb["cells"][0]["metadata"]["tags"], path
        assert "check_parameters(globals())" in "".join(nb["cells"][1]["source"]), path
        assert declared_parameters(path), path
