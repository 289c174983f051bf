"""Notebook parameters: the declared types, and the check a notebook runs on itself.

A report notebook's first cell (tagged ``parameters``) declares plain values as
``name: type = value  # help``. Papermill injects overrides as a new cell right after it, with no
types, so a wrong value would only surface deep inside the analysis, or never. Cell 1 of every
report notebook therefore runs::

    from research.params import check_parameters; check_parameters(globals())

which compares the injected values with the declared annotations and raises
:class:`~research.errors.ParameterError` before any work is done. The same type rules are used by
:mod:`research.runner.registry` to validate ``reports.toml`` and ``-p`` overrides before any kernel starts.

Supported types: ``str``, ``int``, ``float`` (an ``int`` is accepted), ``bool``, ``list`` and
``list[str|int|float|bool]`` (elements checked), each optionally ``| None``. Dates are ISO strings.
This module is imported inside every kernel, so it stays small and imports nothing heavy.
"""

from __future__ import annotations

import ast
import datetime as _dt
import difflib
import math
import types
from dataclasses import dataclass
from typing import Any

from research.errors import ParameterError

SCALAR_TYPES: dict[str, type] = {"str": str, "int": int, "float": float, "bool": bool}
# Integers beyond a signed 64-bit range overflow numpy and pandas downstream: refuse them up front.
INT_LIMIT = 2**63 - 1

# Names IPython puts in a kernel's globals that are not parameters.
IPYTHON_NAMES = frozenset({"In", "Out", "get_ipython", "exit", "quit", "open"})


@dataclass(frozen=True)
class ParamType:
    """A declared parameter type, e.g. ``ParamType("list[str]", "list", "str", False)``."""

    text: str
    base: str
    item: str | None = None
    optional: bool = False


def parse_type(text: str) -> ParamType:
    """Parse an annotation written in a parameters cell (``"int"``, ``"list[str] | None"``).

    Raises ``ValueError`` naming the supported types for anything else.
    """
    try:
        node = ast.parse(text.strip(), mode="eval").body
    except SyntaxError as exc:
        raise ValueError(f"cannot parse type {text!r}") from exc
    optional = False
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        left, right = node.left, node.right
        if _is_none(right):
            node, optional = left, True
        elif _is_none(left):
            node, optional = right, True
    if isinstance(node, ast.Name) and (node.id in SCALAR_TYPES or node.id == "list"):
        return ParamType(text.strip(), node.id, None, optional)
    if (
        isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Name)
        and node.value.id == "list"
        and isinstance(node.slice, ast.Name)
        and node.slice.id in SCALAR_TYPES
    ):
        return ParamType(text.strip(), "list", node.slice.id, optional)
    raise ValueError(
        f"unsupported parameter type {text!r}: use str, int, float, bool, list or list[str] "
        "(optionally `| None`); write dates as ISO strings"
    )


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def annotation_text(annotation: Any) -> str:
    """The source text of a runtime annotation: ``int`` -> ``"int"``, ``list[str]`` -> ``"list[str]"``."""
    if isinstance(annotation, str):
        return annotation
    if isinstance(annotation, type) and not isinstance(annotation, types.GenericAlias):
        return annotation.__name__
    return repr(annotation).replace("NoneType", "None")


def _is_instance(value: Any, base: str) -> bool:
    if base == "bool":
        return isinstance(value, bool)
    if base == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if base == "float":  # an int is a fine float: `-p horizon 12` for `horizon: float`
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if base == "str":
        return isinstance(value, str)
    if base == "list":
        return isinstance(value, list)
    raise ValueError(base)  # pragma: no cover - parse_type only produces the bases above


def _impossible(value: Any) -> str | None:
    """What makes a number unusable as a parameter (NaN, infinity, beyond 64 bits), else ``None``."""
    if isinstance(value, float) and not math.isfinite(value):
        return f"{value!r} is not a finite number"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > INT_LIMIT:
        return f"{value} is out of range (at most {INT_LIMIT:,} in absolute value)"
    return None


def type_problem(value: Any, ptype: ParamType) -> str | None:
    """``None`` if ``value`` fits ``ptype``, else what is wrong, e.g. ``"expects int, got str 'x'"``."""
    if value is None:
        return None if ptype.optional else f"expects {ptype.text}, got None"
    if not _is_instance(value, ptype.base):
        return f"expects {ptype.text}, got {type(value).__name__} {value!r}"
    if ptype.base == "list" and ptype.item:
        bad = [v for v in value if not _is_instance(v, ptype.item)]
        if bad:
            return f"expects {ptype.text}, but element {bad[0]!r} is a {type(bad[0]).__name__}"
    for item in value if ptype.base == "list" else [value]:
        impossible = _impossible(item)
        if impossible:
            return f"expects {ptype.text}, but {impossible}"
    return None


def coerce(value: Any, ptype: ParamType) -> Any:
    """Normalise plain values before checking: TOML dates become ISO strings, tuples lists."""
    if isinstance(value, _dt.date) and ptype.base == "str":
        return value.isoformat()
    if isinstance(value, tuple):
        value = list(value)
    if isinstance(value, list) and ptype.item == "str":
        return [v.isoformat() if isinstance(v, _dt.date) else v for v in value]
    return value


def unknown_problem(name: str, declared: list[str]) -> str:
    """Message for a parameter the notebook does not declare, with the closest declared names."""
    close = difflib.get_close_matches(name, declared, n=3)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    return f"{name!r} is not a parameter of this notebook{hint}"


def _is_parameter_candidate(name: str, value: Any) -> bool:
    if name.startswith("_") or name in IPYTHON_NAMES:
        return False
    # Parameters are plain values; modules, functions and classes in globals come from imports.
    return not (isinstance(value, types.ModuleType) or callable(value))


def check_parameters(namespace: dict[str, Any]) -> None:
    """Check a kernel's parameter values against the parameters cell; raise on any mismatch.

    Call it as ``check_parameters(globals())`` in the cell right after the ``parameters`` cell.
    It sees the annotations of the parameters cell (``__annotations__``) and the values papermill
    injected after it. Raises :class:`ParameterError` listing every wrong type and every unknown
    name, so a bad ``papermill ... -p NAME VALUE`` stops before any work is done.
    """
    annotations = dict(namespace.get("__annotations__", {}))
    problems: list[str] = []
    for name, annotation in annotations.items():
        if name not in namespace:
            continue
        try:
            ptype = parse_type(annotation_text(annotation))
        except ValueError as exc:
            problems.append(f"parameter {name!r}: {exc}")
            continue
        issue = type_problem(coerce(namespace[name], ptype), ptype)
        if issue:
            problems.append(f"parameter {name!r} {issue}")
    declared = sorted(annotations)
    for name, value in namespace.items():
        if name not in annotations and _is_parameter_candidate(name, value):
            problems.append(unknown_problem(name, declared))
    if problems:
        listing = ", ".join(f"{n}: {annotation_text(annotations[n])}" for n in declared) or "none"
        raise ParameterError(
            "bad notebook parameters:\n  - " + "\n  - ".join(problems)
            + f"\nDeclared parameters (cell tagged `parameters`): {listing}."
            + "\nFix the -p values (papermill) or the report's parameters in notebooks/reports.toml."
        )
