"""Publishing: move a worker's finished files into ``reports/`` atomically, and rebuild the index.

Readers see the old report or the new one, never a mix: each file is moved with
:func:`os.replace` after an fsync, a report's files move as a set (all of them or none), and its
state file is written last. A failed run's notebook is kept in ``reports/_failed/`` and the last
good HTML stays untouched. Only the run holding the run lock calls this.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from research.errors import ReportFailed, ReportsNotWritable
from research.runner import history
from research.runner.plan import Planned, assess
from research.runner.registry import Registry
from research.runner.state import (
    FAILED_DIR,
    Decision,
    InputSha,
    ModuleSha,
    atomic_write_text,
    current_input_sha256,
    current_module_sha256,
    read_state,
    recorded_components,
    write_state,
)


@dataclass(frozen=True)
class ReportResult:
    """One executed report: ``status`` is ``"ok"`` or ``"failed"`` (then ``error`` says why)."""

    name: str
    status: str
    seconds: float
    reasons: tuple[str, ...] = ()
    error: ReportFailed | None = None
    warnings: tuple[str, ...] = ()  # e.g. the verdict history could not be written


def _replace(src: str | Path, dst: Path) -> None:
    """Move a finished file into place atomically, after flushing it to disk."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    with open(src, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(src, dst)


class _Moves:
    """Move a report's files into place one by one, and put every replaced file back on failure.

    Each file is atomic on its own (:func:`_replace`); this makes the set atomic too, so a failure
    between the notebook and the HTML (a full disk) never leaves a new notebook beside an old page.
    The file being replaced is kept as a hard link (or a copy) in the run's scratch folder.
    """

    def __init__(self) -> None:
        self.done: list[tuple[Path, Path | None]] = []

    def replace(self, src: str | Path, dst: Path) -> None:
        backup = None
        if dst.exists():
            backup = Path(src).with_name(f".previous-{dst.name}")
            with contextlib.suppress(FileNotFoundError):
                backup.unlink()
            try:
                os.link(dst, backup)
            except OSError:  # a filesystem without hard links
                shutil.copy2(dst, backup)
        _replace(src, dst)
        self.done.append((dst, backup))

    def undo(self) -> None:
        for dst, backup in reversed(self.done):
            with contextlib.suppress(OSError):
                if backup is None:
                    dst.unlink()
                else:
                    os.replace(backup, dst)
        self.done.clear()

def publish(reports_dir: Path, p: Planned, decision: Decision, previous: Mapping[str, Any] | None,
            raw: Mapping[str, Any]) -> ReportResult:
    """Move one worker result into ``reports/`` and write the report's state file (last)."""
    name = p.report.name
    previous = dict(previous or {})
    err = raw.get("error")
    attempt = {
        "ran_at": raw.get("ran_at"), "seconds": raw.get("seconds"), "execute_seconds": raw.get("execute_seconds"),
        "render_seconds": raw.get("render_seconds"), "components": p.components, "parameters": p.parameters,
        "reasons": list(decision.reasons), "error": err,
    }
    state: dict[str, Any] = {"version": 1, "report": name, "notebook": p.report.notebook.name,
                             "title": p.report.title, "claims": list(p.report.claims)}
    failed_dir = reports_dir / FAILED_DIR
    if raw.get("status") == "ok" and err is None:
        sidecar = raw.get("sidecar") or {}
        inputs = sidecar.get("inputs") if raw.get("sidecar") is not None else None
        success = {
            "ran_at": raw["ran_at"], "seconds": raw.get("seconds"), "key": raw["key"],
            "components": recorded_components(p.components, sidecar), "parameters": p.parameters,
            "inputs": inputs, "verdicts": sidecar.get("verdicts", []), "extra": sidecar.get("extra", {}),
            "html": f"{name}.html", "ipynb": f"{name}.ipynb",
        }
        state.update(status="ok", attempt=attempt, success=success)
        moves = _Moves()
        try:  # the notebook, the page and (last) the state: all of them, or none
            moves.replace(raw["ipynb"], reports_dir / f"{name}.ipynb")
            moves.replace(raw["html"], reports_dir / f"{name}.html")
            write_state(reports_dir, name, state)
        except BaseException as exc:  # a full disk, or Ctrl-C between two moves
            moves.undo()
            if not isinstance(exc, OSError):
                raise
            raise ReportsNotWritable.from_oserror(
                str(reports_dir), exc, doing=f"publish report {name!r}",
                kept=f"Nothing was half-written: the last good {name}.html, {name}.ipynb and its "
                     "state file are unchanged.") from None
        for stale in (failed_dir / f"{name}.ipynb", failed_dir / f"{name}.html"):
            with contextlib.suppress(FileNotFoundError):
                stale.unlink()
        warning = history.record_success(reports_dir, state)  # after the publish: it never blocks one
        return ReportResult(name, "ok", float(raw.get("seconds") or 0.0), decision.reasons,
                            warnings=(warning,) if warning else ())
    kept = None
    moves = _Moves()
    try:  # the evidence and (last) the state: all of them, or none
        for part, src, dst in (("failed_notebook", raw.get("ipynb"), failed_dir / f"{name}.ipynb"),
                               ("failed_html", raw.get("failed_html"), failed_dir / f"{name}.html")):
            if src:
                moves.replace(src, dst)
                attempt[part] = f"{FAILED_DIR}/{dst.name}"
        kept = failed_dir / f"{name}.ipynb" if raw.get("ipynb") else None
        state.update(status="failed", attempt=attempt, success=previous.get("success"))
        write_state(reports_dir, name, state)
    except BaseException as exc:
        moves.undo()
        if not isinstance(exc, OSError):
            raise
        first = (err or {}).get("first_line", "")
        raise ReportsNotWritable.from_oserror(
            str(reports_dir), exc, doing=f"record the failure of report {name!r} ({first})",
            kept=f"The last good {name}.html, {name}.ipynb and its state file are unchanged.") from None
    error = ReportFailed(name, str(p.report.notebook), cell_index=(err or {}).get("cell_index"),
                         ename=(err or {}).get("ename", ""), evalue=(err or {}).get("evalue", ""),
                         output_path=str(kept) if kept else None)
    return ReportResult(name, "failed", float(raw.get("seconds") or 0.0), decision.reasons, error)


def write_index(registry: Registry, reports_dir: Path, decisions: Mapping[str, Decision] | None = None,
                *, input_sha: InputSha = current_input_sha256, module_sha: ModuleSha = current_module_sha256,
                package_sha: str | None = None) -> Path:
    """Rebuild ``reports/index.html`` from the state files (nothing is executed).

    ``decisions`` are those the run already made; only the reports it did not select are assessed
    here (a no-op run would otherwise plan and decide every report twice)."""
    from research.report import scorecard

    decisions = dict(decisions or {})
    states = {}
    others = [name for name in registry.reports if name not in decisions]
    for report, decision, _state in assess(registry, reports_dir, names=others, input_sha=input_sha,
                                           module_sha=module_sha, package_sha=package_sha):
        decisions[report.name] = decision
    for name in registry.reports:
        state = read_state(reports_dir, name)
        if state:
            states[name] = state
    path = reports_dir / "index.html"
    atomic_write_text(path, scorecard.index_html(list(registry.reports.values()), states, decisions,
                                                 changes=history.scorecard_changes(reports_dir)))
    return path
