"""The report registry (``notebooks/reports.toml``) and the parameters each notebook declares.

A report is a notebook plus a parameter set; one notebook can back several reports::

    [reports.easing_deciles]
    notebook = "easing_cycles.ipynb"      # relative to this file
    title = "C1 — easing cycles, size deciles"
    claims = ["C1"]
    parameters = { small = "deciles", horizon_months = 12 }

Everything here is checked before any kernel starts: the registry's shape, each notebook's
``parameters`` cell (read with :mod:`ast`, never executed) and every parameter value, from the
registry or from ``research run -p NAME KEY=VALUE``. Problems raise
:class:`~research.errors.ParameterError` (exit code 2) naming the report, the notebook and the fix.
Claim ids are checked against the claim catalog (:mod:`research.claims.catalog`). Only the standard
library and that catalog are imported, so ``research list`` and a no-op ``research run`` stay fast.
"""

from __future__ import annotations

import ast
import fnmatch
import io
import json
import math
import re
import tokenize
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from research.claims import catalog
from research.errors import ParameterError
from research.params import ParamType, coerce, parse_type, type_problem, unknown_problem

REPORT_KEYS = frozenset({"notebook", "parameters", "title", "claims", "description", "timeout"})
# Matched with fullmatch: `$` would also accept a name ending in a newline.
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
# Names whose files would be the workbench's own: index.html (the scorecard), and in any case,
# since reports folders may live on case-insensitive disks. `_state`, `_failed` and dot-files are
# already kept out by NAME_PATTERN (a name starts with a letter or digit).
CLAIM_PATTERN = re.compile(r"c\d+")  # a claim id, lower-cased (c1, c9), matched with fullmatch
RESERVED_NAMES = frozenset({"index"})
PARAMETERS_TAG = "parameters"


class RegistryError(ParameterError):
    """``reports.toml`` is missing, malformed, or names a notebook that does not exist."""


@dataclass(frozen=True)
class Parameter:
    """One line of a parameters cell: ``name: type = default  # help``."""

    name: str
    type: ParamType
    default: Any
    help: str = ""
    line: int = 0

    def describe(self) -> str:
        text = f"{self.name}: {self.type.text} = {self.default!r}"
        return text + (f"  # {self.help}" if self.help else "")


@dataclass(frozen=True)
class Report:
    """A registry entry: which notebook to run with which parameters."""

    name: str
    notebook: Path
    parameters: dict[str, Any] = field(default_factory=dict)
    title: str = ""
    claims: tuple[str, ...] = ()
    description: str = ""
    timeout: float | None = None  # seconds; None: the run's limit (--timeout, RESEARCH_REPORT_TIMEOUT)


@dataclass(frozen=True)
class Registry:
    path: Path
    reports: dict[str, Report]

    def select(self, patterns: Iterable[str] | None = None) -> list[Report]:
        """Reports matching any selector (all when none), in registry order.

        A selector is a report name, a claim id (``C5``: every report whose ``claims`` include it,
        and the specification curve whose ``claim`` parameter is it) or a glob over names
        (``tech*``); all case-insensitive. Selectors may be comma-separated. A selection that
        matches nothing raises ParameterError listing the reports and claims that exist.
        """
        pats = [p.strip() for raw in (patterns or []) for p in raw.split(",") if p.strip()]
        if not pats:
            return list(self.reports.values())
        chosen = [r for r in self.reports.values() if any(self.matches(r, p) for p in pats)]
        if not chosen:
            claims = sorted({c for r in self.reports.values() for c in self.claims_of(r)},
                            key=lambda c: (len(c), c))
            raise ParameterError(
                f"{' '.join(pats)} matches no report in {self.path}. Select reports by name, claim id "
                f"or glob; reports: {', '.join(self.reports) or 'none'}; claims: {', '.join(claims) or 'none'}"
            )
        return chosen

    @staticmethod
    def claims_of(report: Report) -> tuple[str, ...]:
        """The claims a report gives verdicts on, or sweeps (a specification curve's ``claim``)."""
        swept = report.parameters.get("claim")
        return (*report.claims, str(swept)) if isinstance(swept, str) and swept else report.claims

    @classmethod
    def matches(cls, report: Report, selector: str) -> bool:
        """Whether ``selector`` (name, claim id or glob, case-insensitive) selects ``report``."""
        sel = selector.strip().lower()
        if CLAIM_PATTERN.fullmatch(sel) and sel in (c.lower() for c in cls.claims_of(report)):
            return True
        return fnmatch.fnmatchcase(report.name.lower(), sel)


def load_registry(path: Path | str | None = None) -> Registry:
    """Read and check ``reports.toml`` (default: ``<notebooks_dir>/reports.toml``)."""
    if path is None:
        from research.config import settings

        path = settings().notebooks_dir / "reports.toml"
    path = Path(path).resolve()
    if not path.is_file():
        raise RegistryError(f"report registry {path} not found. Create it: see docs/runner.md.")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise RegistryError(f"{path} is not valid TOML: {exc}") from exc
    unknown_top = set(data) - {"reports"}
    if unknown_top:
        raise RegistryError(
            f"{path}: unknown top-level key(s) {sorted(unknown_top)}; put each report under [reports.NAME]"
        )
    table = data.get("reports", {})
    if not isinstance(table, dict):
        kinds = {list: "an array of tables ([[reports]])", str: "a string", int: "an integer", float: "a float",
                 bool: "a boolean"}
        shape = kinds.get(type(table), f"a {type(table).__name__}")
        raise RegistryError(f"{path}: `reports` is {shape}; write one table per report, "
                            "[reports.NAME] with `notebook = \"X.ipynb\"` (see docs/runner.md)")
    reports: dict[str, Report] = {}
    for name, entry in table.items():
        report = _report_from_toml(path, name, entry)
        twin = next((other for other in reports if other.lower() == name.lower()), None)
        if twin is not None:
            raise RegistryError(f"{path} [reports.{name}]: the name differs from [reports.{twin}] only in "
                                "case, and their files would collide on a case-insensitive disk; rename one")
        reports[name] = report
    return Registry(path=path, reports=reports)


def _report_from_toml(path: Path, name: str, entry: Any) -> Report:
    if not NAME_PATTERN.fullmatch(name):  # the name is quoted: it may hold a newline or a space
        raise RegistryError(f"{path} [reports.{name!r}]: report names become file names; start with a "
                            "letter or digit, then use only letters, digits, '_', '-', '.' (names starting with '_' or '.' are "
                            "the workbench's own files)")
    where = f"{path} [reports.{name}]"
    if name.lower() in RESERVED_NAMES:
        raise RegistryError(f"{where}: {name!r} is reserved ({name}.html would overwrite the scorecard "
                            "index.html); rename the report")
    if not isinstance(entry, dict):
        raise RegistryError(f"{where}: expected a table with at least `notebook = \"X.ipynb\"`")
    unknown = set(entry) - REPORT_KEYS
    if unknown:
        raise RegistryError(f"{where}: unknown key(s) {sorted(unknown)}; allowed: {sorted(REPORT_KEYS)}")
    notebook = entry.get("notebook")
    if not isinstance(notebook, str) or not notebook.endswith(".ipynb"):
        raise RegistryError(f"{where}: `notebook` must be a path to an .ipynb file, relative to {path.parent}")
    parameters = entry.get("parameters", {})
    if not isinstance(parameters, dict):
        raise RegistryError(f"{where}: `parameters` must be a table, e.g. parameters = {{ horizon = 12 }}")
    claims = entry.get("claims", [])
    if not isinstance(claims, list) or not all(isinstance(c, str) for c in claims):
        raise RegistryError(f"{where}: `claims` must be a list of claim ids, e.g. [\"C1\"]")
    timeout = entry.get("timeout")
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, (int, float))
                                or not math.isfinite(timeout) or timeout <= 0):
        raise RegistryError(f"{where}: `timeout` must be a positive number of seconds, e.g. timeout = 3600; "
                            f"got {timeout!r}")
    known = catalog.known_ids()
    unknown_claims = [c for c in claims if c not in known]
    if unknown_claims:  # the scorecard has rows for the catalog's claims only: never a silent absence
        raise RegistryError(f"{where}: unknown claim id(s) {unknown_claims}; known claims: {', '.join(known)}. "
                            f"Fix: use one of those, or declare the claim in {catalog.CATALOG_PATH} "
                            "(`research new-claim` does it for you).")
    return Report(
        name=name,
        notebook=(path.parent / notebook).resolve(),
        parameters=dict(parameters),
        title=str(entry.get("title", "")),
        claims=tuple(claims),
        description=str(entry.get("description", "")),
        timeout=float(timeout) if timeout is not None else None,
    )


# -- notebooks ---------------------------------------------------------------------------------
def read_notebook(path: Path) -> dict[str, Any]:
    """The notebook as plain JSON (nbformat is slow to import and not needed to read it)."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RegistryError(f"notebook {path} does not exist; fix `notebook` in reports.toml") from None
    except json.JSONDecodeError as exc:
        raise RegistryError(f"notebook {path} is not valid JSON: {exc}") from exc


def cell_source(cell: Mapping[str, Any]) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def parameters_cell_index(nb: Mapping[str, Any]) -> int | None:
    """Index of the first code cell tagged ``parameters``, or ``None``."""
    for i, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") == "code" and PARAMETERS_TAG in cell.get("metadata", {}).get("tags", []):
            return i
    return None


def _segment(source: str, lines: list[str], node: ast.AST) -> str:
    """``ast.get_source_segment``, without re-splitting the source for a one-line node (which is
    what made reading the parameters a third of a no-op run)."""
    if node.lineno == node.end_lineno and node.lineno <= len(lines):  # offsets count UTF-8 bytes
        return lines[node.lineno - 1].encode()[node.col_offset:node.end_col_offset].decode()
    return ast.get_source_segment(source, node) or ""


def declared_parameters(notebook: Path | Mapping[str, Any], *, where: str = "") -> dict[str, Parameter]:
    """Parse the ``parameters`` cell with :mod:`ast`: name -> :class:`Parameter`, in order.

    Every statement must be ``name: type = literal``; anything else (an import, a computed value,
    a missing annotation) is rejected, because the runner and papermill can only set plain values.
    """
    if isinstance(notebook, (str, Path)):
        where = where or str(notebook)
        nb = read_notebook(Path(notebook))
    else:
        nb = notebook
    index = parameters_cell_index(nb)
    if index is None:
        return {}
    source = cell_source(nb["cells"][index])
    where = f"{where or 'notebook'}, parameters cell"
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise ParameterError(f"{where}: line {exc.lineno}: {exc.msg}") from exc
    comments: dict[int, str] | None = None  # tokenized only when a line's comment is not plain
    lines = source.splitlines()
    out: dict[str, Parameter] = {}
    for stmt in tree.body:
        text = lines[stmt.lineno - 1].strip() if stmt.lineno <= len(lines) else ""
        if not (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value):
            raise ParameterError(
                f"{where}, line {stmt.lineno}: `{text}` is not a plain declaration; "
                "write `name: type = value  # help`"
            )
        name = stmt.target.id
        try:
            ptype = parse_type(_segment(source, lines, stmt.annotation))
            default = ast.literal_eval(stmt.value)
        except ValueError as exc:
            raise ParameterError(f"{where}, line {stmt.lineno} (`{text}`): {exc}") from exc
        problem = type_problem(default, ptype)
        if problem:
            raise ParameterError(f"{where}, line {stmt.lineno}: default of {name!r} {problem}")
        help_text = _trailing_comment(lines, stmt)
        if help_text is None:
            comments = _line_comments(source) if comments is None else comments
            help_text = comments.get(stmt.lineno, "")
        out[name] = Parameter(name, ptype, default, help_text, stmt.lineno)
    return out


def _trailing_comment(lines: list[str], stmt: ast.stmt) -> str | None:
    """The ``# help`` after a one-line declaration, read from its line ("" when there is none);
    ``None`` when only the tokenizer can tell (tokenizing every cell was most of a no-op run's
    parameter reading)."""
    if stmt.lineno != stmt.end_lineno or stmt.end_lineno > len(lines) or stmt.end_col_offset is None:
        return None
    rest = lines[stmt.lineno - 1].encode()[stmt.end_col_offset:].decode().strip()  # offsets count UTF-8 bytes
    if not rest:
        return ""
    return rest.lstrip("#").strip() if rest.startswith("#") else None


def _line_comments(source: str) -> dict[int, str]:
    comments: dict[int, str] = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                comments[tok.start[0]] = tok.string.lstrip("#").strip()
    except (tokenize.TokenError, IndentationError):
        pass
    return comments


# -- values --------------------------------------------------------------------------------------
def parse_value(text: str) -> Any:
    """A command-line value: JSON (``12``, ``true``, ``[1, 2]``), else a TOML scalar
    (``1990-01-01``, ``'quoted'``), else the text itself as a string."""
    try:
        return json.loads(text)
    except ValueError:
        pass
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def parse_assignment(text: str) -> tuple[str, Any]:
    """``"KEY=VALUE"`` -> ``(KEY, parsed VALUE)``."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise ParameterError(f"-p expects NAME KEY=VALUE, got {text!r} (e.g. -p easing horizon_months=12)")
    return key.strip(), parse_value(value.strip())


def validate_parameters(
    report: Report, values: Mapping[str, Any], declared: Mapping[str, Parameter]
) -> dict[str, Any]:
    """Check values against the declared parameters; return them normalised (dates -> ISO strings).

    Raises :class:`ParameterError` listing every wrong type and unknown name for this report.
    """
    problems: list[str] = []
    clean: dict[str, Any] = {}
    for key, value in values.items():
        param = declared.get(key)
        if param is None:
            problems.append(unknown_problem(key, list(declared)))
            continue
        value = coerce(value, param.type)
        issue = type_problem(value, param.type)
        if issue:
            problems.append(f"parameter {key!r} {issue}")
        clean[key] = value
    if problems:
        listing = "\n    ".join(p.describe() for p in declared.values()) or "(none)"
        raise ParameterError(
            f"report {report.name!r} ({report.notebook}):\n  - " + "\n  - ".join(problems)
            + f"\n  declared parameters:\n    {listing}"
        )
    return clean


def resolve_parameters(report: Report, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The report's registry parameters with ``overrides`` on top, validated against its notebook."""
    declared = declared_parameters(report.notebook, where=str(report.notebook))
    return validate_parameters(report, {**report.parameters, **(overrides or {})}, declared)
