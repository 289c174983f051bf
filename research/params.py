"""Notebook parameters: the declared types, and the check a notebook runs on itself.

A report notebook's first cell (tagged ``parameters``) declares plain values as
``name: type = value  # help``. Papermill injects overrides as a new cell right after it, with no
types, so a wrong value would only surface deep inside the analysis, or never. Cell 1 of every
report notebook therefore runs::

    from research.params import check_parameters; check_parameters(globals())

which compares the parameter values with the declared annotations and the names papermill injected
with the declared names, and raises :class:`~research.errors.ParameterError` before any work is
done. The same type rules are used by :mod:`research.runner.registry` to validate ``reports.toml`` and
``-p`` overrides before any kernel starts.

Supported types: ``str``, ``int``, ``float`` (an ``int`` is accepted), ``bool``, ``list`` and
``list[str|int|float|bool]`` (elements checked). A parameter that may be ``None`` is written
``"Optional[int]"``, quoted: the quotes spare the cell an import, and papermill's
``--help-notebook`` cannot read ``int | None`` (it drops the parameter), though this module does.
Dates are ISO strings. This module is imported inside every kernel, so it stays small and imports
nothing heavy.
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

# The first line of the cell papermill injects (PythonTranslator.codify), tagged
# `injected-parameters` in the notebook; inside the kernel only its source is visible.
INJECTED_HEADER = "# Parameters"


@dataclass(frozen=True)
class ParamType:
    """A declared parameter type, e.g. ``ParamType("list[str]", "list", "str", False)``."""

    text: str
    base: str
    item: str | None = None
    optional: bool = False


def parse_type(text: str) -> ParamType:
    """Parse an annotation written in a parameters cell (``"int"``, ``"Optional[list[str]]"``).

    The annotation may be quoted (``"Optional[int]"`` as written in the cell) and ``X | None`` is
    read like ``Optional[X]``. Raises ``ValueError`` naming the supported types for anything else.
    """
    text = text.strip()
    try:
        node = ast.parse(text, mode="eval").body
        if isinstance(node, ast.Constant) and isinstance(node.value, str):  # a quoted annotation
            text = node.value.strip()
            node = ast.parse(text, mode="eval").body
    except SyntaxError as exc:
        raise ValueError(f"cannot parse type {text!r}") from exc
    optional = False
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == "Optional":
        node, optional = node.slice, True
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        left, right = node.left, node.right
        if _is_none(right):
            node, optional = left, True
        elif _is_none(left):
            node, optional = right, True
    if isinstance(node, ast.Name) and (node.id in SCALAR_TYPES or node.id == "list"):
        return ParamType(text, node.id, None, optional)
    if (
        isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Name)
        and node.value.id == "list"
        and isinstance(node.slice, ast.Name)
        and node.slice.id in SCALAR_TYPES
    ):
        return ParamType(text, "list", node.slice.id, optional)
    raise ValueError(
        f"unsupported parameter type {text!r}: use str, int, float, bool, list or list[str], "
        'or "Optional[...]" (quoted) of one of them; write dates as ISO strings'
    )


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def annotation_text(annotation: Any) -> str:
    """The source text of a runtime annotation: ``int`` -> ``"int"``, ``list[str]`` -> ``"list[str]"``."""
    if isinstance(annotation, str):
        return annotation
    if isinstance(annotation, type) and not isinstance(annotation, types.GenericAlias):
        return annotation.__name__
    return repr(annotation).replace("NoneType", "None").replace("typing.", "")


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


def injected_names(namespace: dict[str, Any]) -> list[str]:
    """Names papermill injected, read from the cell run just before the current one.

    IPython keeps every executed cell's source in ``In`` (the current cell is ``In[-1]``). When the
    previous one is papermill's injected cell, its assignments are the injected names; otherwise
    (run in JupyterLab without papermill, or outside IPython) nothing was injected.
    """
    history = namespace.get("In")
    if not isinstance(history, list) or len(history) < 2:
        return []
    source = history[-2]
    if not (isinstance(source, str) and source.lstrip().startswith(INJECTED_HEADER)):
        return []
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    return [target.id for stmt in tree.body if isinstance(stmt, ast.Assign)
            for target in stmt.targets if isinstance(target, ast.Name)]


def check_parameters(namespace: dict[str, Any]) -> None:
    """Check a kernel's parameter values against the parameters cell; raise on any mismatch.

    Call it as ``check_parameters(globals())`` in the cell right after the ``parameters`` cell
    (after papermill's injected cell, when there is one). It checks the values of the names the
    parameters cell annotates (``__annotations__``) and refuses any name papermill injected that
    the cell does not declare. Other globals are not looked at, so "Run All" twice, or editing a
    parameter and re-running from the top, works in JupyterLab. Raises :class:`ParameterError`
    listing every wrong type and every unknown name, so a bad ``papermill ... -p NAME VALUE``
    stops before any work is done.
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
    for name in injected_names(namespace):
        if name not in annotations:
            problems.append(unknown_problem(name, declared))
    if problems:
        listing = ", ".join(f"{n}: {annotation_text(annotations[n])}" for n in declared) or "none"
        raise ParameterError(
            "bad notebook parameters:\n  - " + "\n  - ".join(problems)
            + f"\nDeclared parameters (cell tagged `parameters`): {listing}."
            + "\nFix the -p values (papermill) or the report's parameters in notebooks/reports.toml."
        )
