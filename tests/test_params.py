"""The in-notebook parameter check and the shared type rules; the check in a real kernel; papermill's
reading of every notebook's parameters cell."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import subprocess
import sys
import types
from pathlib import Path

import nbformat
import pytest
from hypothesis import given
from hypothesis import strategies as st

from research.config import PROJECT_ROOT
from research.errors import ParameterError
from research.params import (
    ParamType,
    annotation_text,
    check_parameters,
    coerce,
    parse_type,
    type_problem,
)
from research.runner.registry import declared_parameters, parse_value

CHECK_CELL = "from research.params import check_parameters\ncheck_parameters(globals())"


def kernel_globals(*, injected: str | None = None, **values):
    """A kernel's globals at the check cell: annotations, values, IPython and import noise.

    ``injected`` is the source of papermill's injected cell, run just before the check cell.
    """
    history = ["", "horizon: int = 12\n..."] + ([injected] if injected is not None else []) + [CHECK_CELL]
    ns = {"__annotations__": {"horizon": int, "level": float, "name": str, "flag": bool,
                              "tags": list[str], "anything": list, "maybe": "Optional[str]",
                              "lags": "Optional[int]"},
          "horizon": 12, "level": 0.5, "name": "x", "flag": True, "tags": ["a"], "anything": [1, "b"],
          "maybe": None, "lags": None, "__name__": "__main__", "__builtins__": {}, "_": "", "_i1": "",
          "In": history, "Out": {}, "get_ipython": lambda: None, "exit": object, "quit": object,
          "json": json, "check_parameters": check_parameters}
    ns.update(values)
    return ns


def test_declared_values_pass():
    check_parameters(kernel_globals())


def test_int_is_a_fine_float_but_bool_is_not_an_int():
    check_parameters(kernel_globals(level=3))
    with pytest.raises(ParameterError, match="parameter 'horizon' expects int, got bool True"):
        check_parameters(kernel_globals(horizon=True))


def test_wrong_type_is_named_with_its_value():
    with pytest.raises(ParameterError) as info:
        check_parameters(kernel_globals(horizon="twelve", tags=["a", 2]))
    message = str(info.value)
    assert "parameter 'horizon' expects int, got str 'twelve'" in message
    assert "parameter 'tags' expects list[str], but element 2 is a int" in message
    assert "Declared parameters (cell tagged `parameters`): anything: list, flag: bool" in message


def test_unknown_injected_parameter_is_refused_with_a_suggestion():
    injected = "# Parameters\nhorizon = 6\nhorizn = 6\n"
    with pytest.raises(ParameterError, match=r"'horizn' is not a parameter of this notebook \(did you mean horizon\?\)"):
        check_parameters(kernel_globals(injected=injected, horizon=6, horizn=6))
    check_parameters(kernel_globals(injected="# Parameters\nhorizon = 6\n", horizon=6))


def test_injected_values_are_type_checked():
    with pytest.raises(ParameterError, match="parameter 'lags' expects Optional\\[int\\], got str '4'"):
        check_parameters(kernel_globals(injected='# Parameters\nlags = "4"\n', lags="4"))
    check_parameters(kernel_globals(injected="# Parameters\nlags = 4\n", lags=4))


def test_globals_of_an_earlier_run_are_not_parameters():
    """Run All twice in JupyterLab: the first run's results, figures and imports are in globals."""
    leftovers = {"result": {"a": 1}, "fig": object(), "table": [1, 2], "np": types.ModuleType("numpy"),
                 "helper": lambda: 1, "_private": 3, "horizn": 6}
    check_parameters(kernel_globals(**leftovers))
    # ... also after papermill's injected cell, whose names alone are checked
    check_parameters(kernel_globals(injected="# Parameters\nhorizon = 6\n", **leftovers))


def test_only_the_cell_just_before_counts_as_injected():
    """A cell that is not papermill's (no `# Parameters` header) injects nothing, and an old
    injected cell further back in the history does not count either."""
    ns = kernel_globals(injected="horizn = 6", horizn=6)
    check_parameters(ns)
    ns["In"] = ["", "# Parameters\nhorizn = 6\n", "horizon: int = 12", CHECK_CELL]
    check_parameters(ns)


def test_supported_types_parse_and_unsupported_ones_are_refused():
    assert parse_type('"Optional[list[str]]"') == ParamType("Optional[list[str]]", "list", "str", True)
    assert parse_type("Optional[int]") == ParamType("Optional[int]", "int", None, True)
    assert parse_type("list[str] | None") == ParamType("list[str] | None", "list", "str", True)
    assert parse_type("float") == ParamType("float", "float")
    for bad in ("dict", "list[list[int]]", "datetime.date", "int |", "Optional[dict]", '"int'):
        with pytest.raises(ValueError):
            parse_type(bad)


def test_runtime_annotations_read_back_as_written():
    from typing import Optional

    assert annotation_text(Optional[int]) == "Optional[int]"  # noqa: UP045 - the notation under test
    assert annotation_text(list[str]) == "list[str]"
    assert annotation_text(int | None) == "int | None"
    assert annotation_text("Optional[int]") == "Optional[int]"


def test_dates_become_iso_strings():
    ptype = parse_type("str")
    assert coerce(dt.date(1990, 1, 31), ptype) == "1990-01-31"
    assert type_problem(coerce(dt.date(1990, 1, 31), ptype), ptype) is None


def test_cli_values_are_json_then_toml_then_text():
    assert parse_value("12") == 12
    assert parse_value("0.5") == 0.5
    assert parse_value("true") is True
    assert parse_value('["a", "b"]') == ["a", "b"]
    assert parse_value("1990-01-01") == dt.date(1990, 1, 1)
    assert parse_value("deciles") == "deciles"
    assert parse_value("'quoted'") == "quoted"


@given(st.one_of(st.integers(), st.booleans(), st.text(), st.floats(allow_nan=False),
                 st.lists(st.text(max_size=5), max_size=4)))
def test_json_written_values_read_back_unchanged(value):
    parsed = parse_value(json.dumps(value))
    assert parsed == value or (isinstance(value, float) and math.isclose(parsed, value))


# -- in a real kernel --------------------------------------------------------------------------
FIXTURE = PROJECT_ROOT / "tests" / "fixtures" / "notebooks" / "verdict.ipynb"


def _run_from_the_top(client, nb) -> list[str]:
    """Execute every cell of ``nb`` in the client's (already running) kernel; return its stdout."""
    nb.cells.append(nbformat.v4.new_code_cell("print(statistic, 'fig' in globals())"))
    client.nb = nb  # the client writes each cell's outputs back into its own notebook
    for index, cell in enumerate(nb.cells):
        client.execute_cell(cell, index)
    return [o.get("text", "") for o in nb.cells[-1].outputs if o.get("name") == "stdout"]


@pytest.mark.slow
def test_run_all_twice_and_again_with_new_parameters_in_one_kernel(tmp_path):
    """JupyterLab's "Run All" twice, then a parameter edited and everything re-run, in one kernel:
    the first run's globals (``fig``, ``ax``, ``verdicts``...) must not pass for parameters."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    from papermill.iorw import load_notebook_node  # as papermill reads it: every cell gets tags
    from papermill.parameterize import parameterize_notebook

    nb = nbformat.read(FIXTURE, as_version=4)
    # the runner starts kernels without the sqlite history: `In` must still be kept
    client = NotebookClient(nb, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(tmp_path)}},
                            extra_arguments=["--HistoryManager.enabled=False"])
    with client.setup_kernel():
        assert _run_from_the_top(client, nbformat.read(FIXTURE, as_version=4)) == ["0.42 True\n"]
        assert _run_from_the_top(client, nbformat.read(FIXTURE, as_version=4)) == ["0.42 True\n"]

        edited = nbformat.read(FIXTURE, as_version=4)
        edited.cells[0].source = edited.cells[0].source.replace("statistic: float = 0.42", "statistic: float = 0.5")
        assert "statistic: float = 0.5" in edited.cells[0].source
        assert _run_from_the_top(client, edited) == ["0.5 True\n"]

        # papermill's injected cell after the parameters cell, as `-p statistic 0.7` writes it
        injected = parameterize_notebook(load_notebook_node(str(FIXTURE)), {"statistic": 0.7})
        assert "injected-parameters" in injected.cells[1].metadata.tags
        assert _run_from_the_top(client, injected) == ["0.7 True\n"]

        # ...and a misspelled injected name is still refused, after all those runs
        misspelled = parameterize_notebook(load_notebook_node(str(FIXTURE)), {"statistc": 0.7})
        with pytest.raises(CellExecutionError, match=r"'statistc' is not a parameter of this notebook"):
            _run_from_the_top(client, misspelled)
        wrong_type = parameterize_notebook(load_notebook_node(str(FIXTURE)), {"statistic": "high"})
        with pytest.raises(CellExecutionError, match=r"parameter 'statistic' expects float, got str 'high'"):
            _run_from_the_top(client, wrong_type)


# -- papermill's view of the parameters cells ------------------------------------------------------
NOTEBOOKS = sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_papermill_help_lists_every_parameter_with_type_and_help(path):
    """`papermill --help-notebook` reads each parameter as research.runner.registry does, without a warning.

    Papermill's regex reads neither `int | None` (the parameter is dropped; write "Optional[int]")
    nor a line with a second `=` (e.g. in the help comment: write `None: all data`).
    """
    declared = declared_parameters(path)
    assert declared, f"{path.name} declares no parameters"
    proc = subprocess.run([str(Path(sys.executable).with_name("papermill")), "--log-level", "WARNING",
                           "--help-notebook", str(path)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "", f"papermill warns about {path.name}:\n{proc.stderr}"
    listed = dict(re.findall(r"^  (\w+): (.+?) \(default ", proc.stdout, flags=re.M))
    assert listed == {name: p.type.text for name, p in declared.items()}, proc.stdout
    for name, param in declared.items():
        assert param.help, f"{path.name}: parameter {name!r} has no help comment"
        assert param.help in proc.stdout, f"{path.name}: help of {name!r} missing from\n{proc.stdout}"
