"""What the runner remembers about each report, and whether a report must run again.

Each report has one JSON file, ``reports/_state/<name>.json``, written atomically::

    {"report": ..., "status": "ok" | "failed",
     "attempt": {...the last run: key, components, parameters, ran_at, seconds, error...},
     "success": {...the last good run: the same plus inputs, verdicts, extra, html, ipynb...}}

A report's **key** is a sha256 over its components, never timestamps (ploomber's lesson):

* ``notebook``   code cells' source + kernel name (markdown, outputs, metadata ignored, as in
  jupyter-cache), so prose edits do not re-run a report;
* ``parameters`` canonical JSON of the parameters passed to papermill;
* ``render``     the code every report's page goes through in the runner's worker, not the
  kernel: ``research/report/`` (modules and templates), ``verdict.py`` and the worker itself;
* ``modules``    the sha256 of the source of each ``research`` module the last run's kernel (and
  its Dask workers) actually imported, from its sidecar, compared with the files now: editing
  ``research/claims/easing.py`` re-runs the reports that imported it, and ``research list`` names
  the module (jupyter-cache and ploomber miss code changes altogether);
* ``inputs``     the sha256 of each dataset the last run actually read, from its sidecar, compared
  with :func:`research.data.current_sha256` now, so a new vintage of one dataset re-runs only the
  reports that read it.

Only the standard library is used here: ``research list`` and a no-op ``research run`` import
this module and must stay well under a second.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from research.fsutil import atomic_write_bytes
from research.runner.registry import cell_source

STATE_DIR = "_state"
FAILED_DIR = "_failed"
STATE_VERSION = 1

InputSha = Callable[[str], "str | None"]
ModuleSha = Callable[[str], "str | None"]


# -- atomic files ------------------------------------------------------------------------------

def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def clean_temporaries(reports_dir: Path) -> list[Path]:
    """Remove what killed runs left behind: ``.run-*`` scratch folders and ``.*.tmp`` files.

    Call only while holding the run lock (no other run can be using them).
    """
    import shutil

    removed: list[Path] = []
    if not reports_dir.is_dir():
        return removed
    for scratch in reports_dir.glob(".run-*"):
        shutil.rmtree(scratch, ignore_errors=True)
        removed.append(scratch)
    for folder in (reports_dir, reports_dir / STATE_DIR, reports_dir / FAILED_DIR):
        for tmp in folder.glob(".*.tmp"):
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
            removed.append(tmp)
    return removed


# -- hashes --------------------------------------------------------------------------------------
def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def notebook_hash(nb: Mapping[str, Any]) -> str:
    """sha256 of the code cells' source and the kernel name; outputs and prose do not count."""
    kernel = nb.get("metadata", {}).get("kernelspec", {}).get("name", "")
    code = [cell_source(c) for c in nb.get("cells", []) if c.get("cell_type") == "code"]
    return sha256_text(canonical_json({"kernel": kernel, "code": code}))


def parameters_hash(parameters: Mapping[str, Any]) -> str:
    return sha256_text(canonical_json(dict(parameters)))


# What the worker (not the kernel) runs to check a report's sidecar and render its page, relative
# to the package: part of every report's key.
RENDER_CODE = ("report/*.py", "report/templates/*", "verdict.py", "runner/worker.py", "runner/checks.py",
               "runner/history.py")
PACKAGE_DIR = Path(__file__).resolve().parent.parent


def render_hash(package_dir: Path | None = None) -> str:
    """sha256 over the render code (:data:`RENDER_CODE`, path and content): editing
    ``research/report/templates/`` changes every page, so it re-renders them all."""
    package_dir = package_dir or PACKAGE_DIR
    digest = hashlib.sha256()
    for path in sorted({p for pattern in RENDER_CODE for p in package_dir.glob(pattern) if p.is_file()}):
        digest.update(path.relative_to(package_dir).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def module_path(name: str, package_dir: Path | None = None) -> Path | None:
    """The source file of ``research`` module ``name`` (a module or a package's ``__init__``)."""
    package_dir = package_dir or PACKAGE_DIR
    parts = name.split(".")
    if parts[0] != package_dir.name:
        return None
    base = package_dir.joinpath(*parts[1:])
    for path in (base.with_suffix(".py") if len(parts) > 1 else None, base / "__init__.py"):
        if path is not None and path.is_file():
            return path
    return None


_source_sha: dict[Path, tuple[tuple[int, int], str]] = {}


def current_module_sha256(name: str) -> str | None:
    """sha256 of module ``name``'s source file now (``None``: the module is gone). Cached per file
    while its size and mtime stay the same, so ``research list`` hashes each file once."""
    path = module_path(name)
    if path is None:
        return None
    st = path.stat()
    stamp = (st.st_mtime_ns, st.st_size)
    cached = _source_sha.get(path)
    if cached is None or cached[0] != stamp:
        cached = _source_sha[path] = (stamp, hashlib.sha256(path.read_bytes()).hexdigest())
    return cached[1]


def report_key(components: Mapping[str, Any]) -> str:
    """The cache key: sha256 of the canonical JSON of the components."""
    return sha256_text(canonical_json(dict(components)))


def input_shas(inputs: Mapping[str, Mapping[str, Any]] | None) -> dict[str, str | None]:
    """name -> recorded sha256, from a sidecar's ``inputs``."""
    return {name: (details or {}).get("sha256") for name, details in (inputs or {}).items()}


def recorded_components(components: Mapping[str, Any], sidecar: Mapping[str, Any] | None) -> dict[str, Any]:
    """A run's full key components: the planned ones plus what its sidecar says it read and imported."""
    sidecar = sidecar or {}
    return {**components, "inputs": input_shas(sidecar.get("inputs")), "modules": dict(sidecar.get("modules") or {})}


def code_key(components: Mapping[str, Any]) -> str:
    """One hash of a run's code, render and modules together (the history's ``package_key``)."""
    return sha256_text(canonical_json({"render": components.get("render"), "modules": components.get("modules")}))


def current_input_sha256(name: str) -> str | None:
    """The sha256 of the raw file that ``research.data.load(name)`` would read now.

    Delegates to the data layer; imported lazily so the runner works (and is tested) without it.
    """
    from research.data import current_sha256

    return current_sha256(name)


def input_sha_lookup() -> InputSha:
    """:func:`current_input_sha256` for one run (a run is one snapshot): the data layer's settings
    and manifest are read once, at the first look-up, and each dataset is looked up once."""
    lookup: InputSha | None = None

    def sha(name: str) -> str | None:
        nonlocal lookup
        if lookup is None:  # a failure here is the report's reason ("cannot be checked"), as before
            from research.data import sha256_lookup

            lookup = sha256_lookup()
        return lookup(name)

    return sha


# -- state files ---------------------------------------------------------------------------------
class DamagedStateWarning(UserWarning):
    """A state file that cannot be used; the report is treated as never run and the next run
    rewrites the file (the report's pages are not touched until then)."""


# The parts of a state file that the runner and the scorecard read, and the type each must have
# when present ("*": every value of a table or item of a list). Anything else in the file is ignored.
_OPTIONAL = type(None)
_STATE_SHAPE: tuple[tuple[str, type | tuple[type, ...]], ...] = (
    ("status", str), ("attempt", (dict, _OPTIONAL)), ("success", (dict, _OPTIONAL)),
    ("attempt.error", (dict, _OPTIONAL)), ("success.components", dict), ("success.key", str),
    ("success.html", (str, _OPTIONAL)), ("success.inputs", (dict, _OPTIONAL)),
    ("success.inputs.*", (dict, _OPTIONAL)), ("success.verdicts", list), ("success.verdicts.*", dict),
    ("success.extra", dict), ("success.extra.spec_curve", (dict, _OPTIONAL)),
    ("success.extra.forecasts", (list, _OPTIONAL)),
)


def state_path(reports_dir: Path, name: str) -> Path:
    return reports_dir / STATE_DIR / f"{name}.json"


def state_problem(state: Any) -> str | None:
    """What is wrong with the shape of a parsed state file, or ``None`` if it can be used."""
    if not isinstance(state, dict):
        return f"holds a JSON {_json_type(state)}, not an object"
    for path, kind in _STATE_SHAPE:
        for where, value in _values_at(state, path.split(".")):
            if not isinstance(value, kind):
                return f"has `{where}` as a {_json_type(value)}"
    return None


def _values_at(node: Any, keys: list[str], where: str = "") -> list[tuple[str, Any]]:
    """(dotted path, value) of every value at ``keys`` under ``node`` (missing parts: none)."""
    if not keys:
        return [(where, node)]
    head, rest = keys[0], keys[1:]
    if head == "*":
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
        return [hit for k, v in items for hit in _values_at(v, rest, f"{where}.{k}")]
    if isinstance(node, dict) and head in node:
        return _values_at(node[head], rest, f"{where}.{head}" if where else head)
    return []


def _json_type(value: Any) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean", int: "number",
            float: "number", type(None): "null"}.get(type(value), type(value).__name__)


def read_state(reports_dir: Path, name: str) -> dict[str, Any] | None:
    """The report's state, or ``None`` if it never ran or its file is damaged.

    A damaged file (empty, truncated, binary, the wrong shape) must not stop the other reports,
    `research list` or the scorecard: it warns (:class:`DamagedStateWarning`) and counts as "never
    run", so the next run re-runs the report and rewrites the file; :func:`decide` says why.
    """
    path = state_path(reports_dir, name)
    try:
        state = json.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:  # ValueError: not UTF-8 or not JSON
        problem = "is empty" if isinstance(exc, ValueError) and _is_empty(path) else f"is unreadable ({exc})"
    else:
        problem = state_problem(state)
        if problem is None:
            return state
    # stacklevel 1: one warning per file and problem, however many times the file is read in a run
    warnings.warn(DamagedStateWarning(damaged_state_message(path, problem)), stacklevel=1)
    return None


def damaged_state_message(path: Path, problem: str) -> str:
    return (f"state file {path} {problem}; treating the report as never run. Fix: nothing, the next "
            "`research run` re-runs it and rewrites the file (or delete the file).")


def _is_empty(path: Path) -> bool:
    try:
        return not path.read_bytes().strip()
    except OSError:
        return False


def write_state(reports_dir: Path, name: str, state: Mapping[str, Any]) -> None:
    atomic_write_text(state_path(reports_dir, name), json.dumps(state, indent=2, default=str) + "\n")


# -- decisions -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Decision:
    """Whether one report runs, and why (logged like ploomber: every decision has a reason)."""

    name: str
    run: bool
    reasons: tuple[str, ...] = ()
    state: str = "fresh"  # fresh | stale | failed
    components: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        if not self.run:
            return "skip: key unchanged"
        return "run: " + "; ".join(self.reasons)


def decide(
    name: str,
    components: Mapping[str, Any],
    state: Mapping[str, Any] | None,
    *,
    reports_dir: Path,
    input_sha: InputSha = current_input_sha256,
    module_sha: ModuleSha = current_module_sha256,
    force: bool = False,
) -> Decision:
    """Compare the report's current components with its last good run.

    ``components`` holds ``notebook``, ``parameters`` and ``render`` hashes; the inputs and modules
    parts are looked up here, for the datasets and modules the last good run recorded. A failure to look an input up
    (data layer missing or raising) makes the report stale with that reason, never silently fresh.
    """
    reasons: list[str] = []
    label = "stale"
    success = (state or {}).get("success")
    if state and state.get("status") == "failed":
        label = "failed"
        err = (state.get("attempt") or {}).get("error") or {}
        reasons.append(f"last run failed ({err.get('first_line', 'unknown error')})")
    if not success:
        if not state:
            reasons.append(f"state file {STATE_DIR}/{name}.json damaged" if _exists(state_path(reports_dir, name))
                           else "never run")
        elif not reasons:
            reasons.append("no successful run recorded")
        current = dict(components)
    else:
        old = success.get("components", {})
        for part, text in (("notebook", "notebook changed"), ("parameters", "parameters changed"),
                           ("render", "report page code changed")):
            if old.get(part) != components.get(part):
                reasons.append(text)
        current_modules, module_reasons = _current_modules(old.get("modules"), module_sha)
        current_inputs, input_reasons = _current_inputs(success.get("inputs"), input_sha)
        reasons += module_reasons + input_reasons
        current = {**components, "inputs": current_inputs, "modules": current_modules}
        if not reasons and report_key(current) != success.get("key"):
            reasons.append("key changed")
        html = success.get("html")
        if html and not (reports_dir / html).is_file():
            reasons.append(f"output {html} missing")
    if not reasons:
        label = "fresh"
    if force:
        reasons.insert(0, "forced")
    return Decision(name, bool(reasons), tuple(reasons), label, current)


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:
        return False


def _current_inputs(
    recorded: Mapping[str, Any] | None, input_sha: InputSha
) -> tuple[dict[str, str | None], list[str]]:
    if recorded is None:
        return {}, ["no record of the inputs it read (did the notebook call research.verdict.record?)"]
    now: dict[str, str | None] = {}
    reasons: list[str] = []
    for name, old in input_shas(recorded).items():
        try:
            new = input_sha(name)
        except Exception as exc:  # the data layer missing or failing must not pass for "fresh"
            now[name] = None
            reasons.append(f"input {name} cannot be checked ({type(exc).__name__}: {_first_line(exc)})")
            continue
        now[name] = new
        if new is None:
            reasons.append(f"input {name} not available to check")
        elif new != old:
            reasons.append(f"input {name} changed")
    return now, reasons


def _current_modules(
    recorded: Mapping[str, str] | None, module_sha: ModuleSha
) -> tuple[dict[str, str | None], list[str]]:
    if recorded is None:
        return {}, ["no record of the research modules it imported (ran before modules were recorded)"]
    now = {name: module_sha(name) for name in recorded}
    reasons = [f"module {name} {'removed' if now[name] is None else 'changed'}"
               for name, old in recorded.items() if now[name] != old]
    return now, reasons


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else ""
