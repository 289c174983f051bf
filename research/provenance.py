"""What a process has read: every dataset loaded, with the sha256 of its raw file; the
``research`` modules it imported, with the sha256 of their source; and the dependency lock the
environment was installed from.

`research.data.load` notes each input here; `research.verdict.record` writes inputs and modules
into the report's sidecar so the runner can key the report on exactly the data it read and the
code it ran (:mod:`research.runner.state`).
"""

from __future__ import annotations

import contextlib
import hashlib
import sys
import threading
from collections.abc import Iterator
from typing import Any

from research.config import PROJECT_ROOT

LOCK_FILE = PROJECT_ROOT / "requirements.lock"

_inputs: dict[str, dict[str, Any]] = {}


# Open recordings (per thread): the inputs noted while each is open. A Dask worker shared by the
# whole run serves several reports' sweeps, so "everything this process read" would credit one
# report with another's data; a specification records what it read itself (see recording()).
_local = threading.local()


def note_input(name: str, details: dict[str, Any]) -> None:
    """Remember that dataset ``name`` was read (the last read wins)."""
    _inputs[name] = dict(details)
    for rec in getattr(_local, "recordings", ()):
        rec[name] = dict(details)


@contextlib.contextmanager
def recording() -> Iterator[dict[str, dict[str, Any]]]:
    """Collect the inputs noted inside the block, by name: loads, and cached results replaying the
    inputs they were computed from (``research.data.sizes.cached``), so a cache hit still counts."""
    stack = _local.__dict__.setdefault("recordings", [])
    rec: dict[str, dict[str, Any]] = {}
    stack.append(rec)
    try:
        yield rec
    finally:
        stack.pop()


def inputs() -> dict[str, dict[str, Any]]:
    """Every dataset read so far in this process, by name."""
    return {k: dict(v) for k, v in sorted(_inputs.items())}


def reset() -> None:
    _inputs.clear()
    _noted_modules.clear()


# Module name -> sha256 of its source file, hashed the first time this process lists it (close to
# when it was imported: a long-lived Dask worker keeps running the code it imported, not the file's
# later edits). Sweep workers' modules are noted here by the kernel that gathers their rows.
_module_sha: dict[str, str] = {}
_noted_modules: dict[str, str] = {}


def is_research_module(name: str) -> bool:
    return name == "research" or name.startswith("research.")


def modules() -> dict[str, str]:
    """Every ``research`` module imported in this process (name -> sha256 of its source file),
    plus those noted from other processes (:func:`note_modules`), sorted by name."""
    for name in [n for n in list(sys.modules) if is_research_module(n) and n not in _module_sha]:
        path = getattr(sys.modules.get(name), "__file__", None)
        if path:  # namespace packages have no source of their own
            with open(path, "rb") as fh:
                _module_sha[name] = hashlib.sha256(fh.read()).hexdigest()
    return dict(sorted({**_noted_modules, **_module_sha}.items()))


def modules_used_by(name: str) -> dict[str, str]:
    """:func:`modules`, restricted to module ``name`` and the ``research`` modules it reaches
    through its globals (modules and the modules of functions and classes it imported), at any
    depth. A Dask worker shared by several sweeps has every claim's module imported; this is what
    one claim's estimate actually depends on. A package used this way counts with every loaded
    submodule, since its functions may import them lazily (``research.data`` its parsers); a
    package that is only the parent of a used module counts for its ``__init__`` alone."""
    seen: set[str] = set()
    expanded: set[str] = set()
    todo = [(name, True)]
    while todo:
        current, used = todo.pop()
        module = sys.modules.get(current)
        if module is None or (current in seen and (not used or current in expanded)):
            continue
        if used and hasattr(module, "__path__"):
            expanded.add(current)
            todo += [(n, True) for n in list(sys.modules) if n.startswith(current + ".")]
        if current in seen:  # its globals were walked when it was reached as a parent
            continue
        seen.add(current)
        for attr, value in vars(module).items():
            ref = value.__name__ if isinstance(value, type(sys)) else getattr(value, "__module__", None)
            if ref in (current, f"{current}.{attr}"):  # its own code, or the import system's note of a submodule
                continue
            if isinstance(ref, str) and is_research_module(ref):
                todo.append((ref, True))
                parent = ref.rpartition(".")[0]
                while parent:  # importing research.a.b runs research/__init__ and research/a/__init__
                    todo.append((parent, False))
                    parent = parent.rpartition(".")[0]
    return {k: v for k, v in modules().items() if k in seen}


def note_modules(shas: dict[str, str]) -> None:
    """Remember modules another process (a Dask worker) imported to compute this one's results."""
    _noted_modules.update(shas)


def lock_hash() -> str | None:
    """sha256 of ``requirements.lock``, the pinned dependencies `make setup` installs, for report
    footers; ``None`` when the checkout has no lock (an install from a wheel or with conda)."""
    try:
        return hashlib.sha256(LOCK_FILE.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None
