"""The in-notebook parameter check and the shared type rules (no kernel needed)."""

from __future__ import annotations

import datetime as dt
import json
import math
import types

import pytest
from hypothesis import given
from hypothesis import strategies as st

from research.errors import ParameterError
from research.params import ParamType, check_parameters, coerce, parse_type, type_problem
from research.runner.registry import parse_value


def kernel_globals(**values):
    """What a kernel's globals look like at cell 1: annotations, values, IPython and import noise."""
    ns = {"__annotations__": {"horizon": int, "level": float, "name": str, "flag": bool,
                              "tags": list[str], "anything": list, "maybe": str | None},
          "horizon": 12, "level": 0.5, "name": "x", "flag": True, "tags": ["a"], "anything": [1, "b"],
          "maybe": None, "__name__": "__main__", "__builtins__": {}, "_": "", "_i1": "", "In": [], "Out": {},
          "get_ipython": lambda: None, "exit": object, "quit": object, "json": json,
          "check_parameters": check_parameters}
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


def test_unknown_parameter_is_refused_with_a_suggestion():
    with pytest.raises(ParameterError, match=r"'horizn' is not a parameter of this notebook \(did you mean horizon\?\)"):
        check_parameters(kernel_globals(horizn=6))


def test_modules_functions_and_private_names_are_not_parameters():
    check_parameters(kernel_globals(np=types.ModuleType("numpy"), helper=lambda: 1, _private=3))


def test_supported_types_parse_and_unsupported_ones_are_refused():
    assert parse_type("list[str] | None") == ParamType("list[str] | None", "list", "str", True)
    assert parse_type("float") == ParamType("float", "float")
    for bad in ("dict", "list[list[int]]", "datetime.date", "int |"):
        with pytest.raises(ValueError):
            parse_type(bad)


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
