"""The verdict history: every verdict of every successful report run, kept for good.

One SQLite database, ``reports/_state/history.sqlite`` (standard-library :mod:`sqlite3`), one
row per report run per verdict: label, statistic, interval, p-value, n, sample, the inputs the
run read (name -> sha256, vintage), the code keys (the hash of the render code and the modules the
run imported, :func:`~research.runner.state.code_key`, and the notebook's), the parameters
and their hash, the report key and ``ran_at``. Rows are only ever added: triggers refuse UPDATE
and DELETE, and each run's rows go in one transaction (all of them or none; SQLite's rollback
journal undoes a transaction cut short by a crash).

From it come "Changes since the last run" on the scorecard (:func:`scorecard_changes`), the
history table on each report page (:func:`page_history`) and ``research history``. A change's
cause is read from the two runs' rows: which input's vintage or sha256 changed, the code, the
parameters. A damaged or unreadable database never stops a run or the scorecard: writing gives a
warning that names the file and the fix (:func:`record_success`), reading a note in its place.

Only the standard library is used: the no-op ``research run`` rebuilds the scorecard from here.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from research.errors import ResearchError
from research.runner.state import STATE_DIR, code_key

HISTORY_FILE = "history.sqlite"
SCHEMA_VERSION = 1

# The columns of a row, in order (``run`` numbers the report runs: all verdicts of one run share it).
COLUMNS = ("run", "report", "ran_at", "claim", "aspect", "label", "statistic", "statistic_name",
           "interval_low", "interval_high", "interval_level", "p_value", "n", "sample", "inputs",
           "package_key", "notebook_key", "parameters_key", "parameters", "report_key")
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS verdicts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run INTEGER NOT NULL, report TEXT NOT NULL, ran_at TEXT NOT NULL,
    claim TEXT NOT NULL, aspect TEXT NOT NULL DEFAULT '', label TEXT NOT NULL,
    statistic REAL, statistic_name TEXT, interval_low REAL, interval_high REAL, interval_level REAL,
    p_value REAL, n INTEGER, sample TEXT,
    inputs TEXT NOT NULL,          -- JSON: dataset -> {{"sha256": ..., "vintage": ...}}
    package_key TEXT, notebook_key TEXT, parameters_key TEXT,
    parameters TEXT NOT NULL,      -- JSON
    report_key TEXT,
    recorded_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE INDEX IF NOT EXISTS verdicts_report ON verdicts (report, run);
CREATE INDEX IF NOT EXISTS verdicts_claim ON verdicts (claim, run);
CREATE TRIGGER IF NOT EXISTS verdicts_no_update BEFORE UPDATE ON verdicts
    BEGIN SELECT RAISE(ABORT, 'the verdict history is append-only'); END;
CREATE TRIGGER IF NOT EXISTS verdicts_no_delete BEFORE DELETE ON verdicts
    BEGIN SELECT RAISE(ABORT, 'the verdict history is append-only'); END;
PRAGMA user_version = {SCHEMA_VERSION};
"""


class HistoryError(ResearchError):
    """The history database cannot be read or written. The message names the file and the fix."""

    def __init__(self, path: Path, exc: BaseException, doing: str):
        self.path = path
        super().__init__(
            f"the verdict history {path} cannot be {doing} ({type(exc).__name__}: {exc}). "
            f"Fix: move it aside (mv {path} {path}.damaged); the next run starts a new history "
            "(the moved file keeps the old rows).")


def history_path(reports_dir: Path) -> Path:
    return Path(reports_dir) / STATE_DIR / HISTORY_FILE


# -- writing ---------------------------------------------------------------------------------------
def rows_for_run(report: str, ran_at: str, *, verdicts: Iterable[Mapping[str, Any]], inputs: Mapping[str, Any] | None,
                 components: Mapping[str, Any], parameters: Mapping[str, Any], key: str | None) -> list[dict[str, Any]]:
    """The history rows of one successful run (``run`` is filled in when they are stored)."""
    recorded = {name: {k: (d or {}).get(k) for k in ("sha256", "vintage")} for name, d in (inputs or {}).items()}
    rows = []
    for v in verdicts:
        interval = v.get("interval") or (None, None)
        rows.append({
            "run": None, "report": report, "ran_at": str(ran_at or ""), "claim": str(v.get("claim", "")),
            "aspect": str(v.get("aspect") or ""), "label": str(v.get("label", "")),
            "statistic": v.get("statistic"), "statistic_name": v.get("statistic_name") or "",
            "interval_low": interval[0], "interval_high": interval[1], "interval_level": v.get("interval_level"),
            "p_value": v.get("p_value"), "n": v.get("n"), "sample": v.get("sample") or "",
            "inputs": recorded, "package_key": code_key(components), "notebook_key": components.get("notebook"),
            "parameters_key": components.get("parameters"), "parameters": dict(parameters), "report_key": key,
        })
    return rows


def _connect(path: Path, *, readonly: bool) -> sqlite3.Connection:
    if readonly:  # never creates the file; read-write when allowed, so a crashed write's journal is rolled back
        mode = "rw" if os.access(path, os.W_OK) and os.access(path.parent, os.W_OK) else "ro"
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode={mode}", uri=True, timeout=10, isolation_level=None)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=10, isolation_level=None)
        conn.execute("PRAGMA synchronous = FULL")
    conn.row_factory = sqlite3.Row
    version = conn.execute("PRAGMA user_version").fetchone()[0]  # raises on a file that is not a database
    if version > SCHEMA_VERSION:
        conn.close()
        raise sqlite3.DatabaseError(f"schema version {version} is newer than this code's {SCHEMA_VERSION}")
    return conn


def append(reports_dir: Path, rows: Sequence[Mapping[str, Any]]) -> int:
    """Store one run's rows in one transaction, numbered as a new run; return the run number."""
    path = history_path(reports_dir)
    try:
        conn = _connect(path, readonly=False)
        try:
            conn.executescript(_SCHEMA)
            conn.execute("BEGIN IMMEDIATE")
            try:
                run = conn.execute("SELECT COALESCE(MAX(run), 0) + 1 FROM verdicts").fetchone()[0]
                conn.executemany(
                    f"INSERT INTO verdicts ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
                    [tuple(_to_sql(c, {**row, "run": run}[c]) for c in COLUMNS) for row in rows])
                conn.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
                raise
        finally:
            conn.close()
    except (sqlite3.Error, OSError) as exc:
        raise HistoryError(path, exc, "written") from None
    return run


def record_success(reports_dir: Path, state: Mapping[str, Any]) -> str | None:
    """Append the verdicts of a report's last good run (its state file); the warning, if any.

    Never raises: the history is a record of the runs, not a condition for them.
    """
    success = state.get("success") or {}
    rows = rows_for_run(str(state.get("report", "")), success.get("ran_at", ""), verdicts=success.get("verdicts") or [],
                        inputs=success.get("inputs"), components=success.get("components") or {},
                        parameters=success.get("parameters") or {}, key=success.get("key"))
    if not rows:
        return None
    try:
        append(reports_dir, rows)
    except HistoryError as exc:
        return f"{exc} This run's verdicts were not recorded in it; the reports themselves are published."
    return None


def _to_sql(column: str, value: Any) -> Any:
    if column in ("inputs", "parameters"):
        return json.dumps(value, sort_keys=True, default=str)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


# -- reading ---------------------------------------------------------------------------------------
def read(reports_dir: Path, *, report: str | None = None, claim: str | None = None,
         limit: int | None = None, last_runs: int | None = None) -> list[dict[str, Any]]:
    """Rows oldest first (the newest ``limit`` when given); ``claim`` matches case-insensitively;
    ``last_runs`` keeps only the rows of each report's last that many runs.

    No database yet: no rows. Raises :class:`HistoryError` when it cannot be read.
    """
    path = history_path(reports_dir)
    if not path.is_file():
        return []
    where, args = [], []
    if report is not None:
        where.append("report = ?")
        args.append(report)
    if claim:
        where.append("claim = ? COLLATE NOCASE")
        args.append(claim)
    if last_runs:
        where.append("run IN (SELECT DISTINCT w.run FROM verdicts w WHERE w.report = verdicts.report "
                     f"ORDER BY w.run DESC LIMIT {int(last_runs)})")
    sql = (f"SELECT {', '.join(COLUMNS)} FROM verdicts" + (f" WHERE {' AND '.join(where)}" if where else "")
           + " ORDER BY id DESC" + (f" LIMIT {int(limit)}" if limit else ""))
    try:
        conn = _connect(path, readonly=True)
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            found = conn.execute(sql, args).fetchall() if "verdicts" in tables else []
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise HistoryError(path, exc, "read") from None
    rows = []
    for r in reversed(found):
        row = dict(r)
        row["inputs"] = json.loads(row["inputs"] or "{}")
        row["parameters"] = json.loads(row["parameters"] or "{}")
        rows.append(row)
    return rows


# -- what changed, and why -------------------------------------------------------------------------
def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def number_text(x: float | None) -> str:
    return "—" if x is None else f"{x:.4g}"


def interval_text(row: Mapping[str, Any]) -> str:
    if row.get("interval_low") is None or row.get("interval_high") is None:
        return "—"
    level = f"{row['interval_level']:.0%} " if row.get("interval_level") else ""
    return f"{level}[{number_text(row['interval_low'])}, {number_text(row['interval_high'])}]"


def what_changed(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """Which of the label, the estimate and the interval differ between two rows of a verdict."""
    out = []
    if before["label"] != after["label"]:
        out.append("label")
    if not _close(before["statistic"], after["statistic"]):
        out.append("estimate")
    if not (_close(before["interval_low"], after["interval_low"]) and _close(before["interval_high"], after["interval_high"])
            and _close(before["interval_level"], after["interval_level"])):
        out.append("interval")
    return out


SAME_CAUSE = "same inputs, code and parameters"


def cause(before: Mapping[str, Any], after: Mapping[str, Any]) -> str:
    """Why a report's result may differ between two of its runs, from their rows: each input whose
    vintage or sha256 changed (by dataset name), a code change, a parameter change."""
    reasons = []
    old_in, new_in = before.get("inputs") or {}, after.get("inputs") or {}
    for name in sorted(set(old_in) | set(new_in)):
        old, new = old_in.get(name), new_in.get(name)
        if old is None:
            reasons.append(f"input {name} newly read")
        elif new is None:
            reasons.append(f"input {name} no longer read")
        elif old.get("vintage") != new.get("vintage"):
            reasons.append(f"input {name} vintage {old.get('vintage') or '?'} -> {new.get('vintage') or '?'}")
        elif old.get("sha256") != new.get("sha256"):
            reasons.append(f"input {name} sha256 {str(old.get('sha256'))[:12]} -> {str(new.get('sha256'))[:12]}")
    if before.get("package_key") != after.get("package_key"):
        reasons.append(f"code changed (code hash {str(before.get('package_key'))[:12]} -> "
                       f"{str(after.get('package_key'))[:12]})")
    if before.get("notebook_key") != after.get("notebook_key"):
        reasons.append("notebook code changed")
    if before.get("parameters_key") != after.get("parameters_key"):
        old_p, new_p = before.get("parameters") or {}, after.get("parameters") or {}
        diff = [f"{k} {_param(old_p, k)} -> {_param(new_p, k)}"
                for k in sorted(set(old_p) | set(new_p)) if old_p.get(k, _param) != new_p.get(k, _param)]
        reasons.append("parameters changed" + (f" ({', '.join(diff)})" if diff else ""))
    return "; ".join(reasons) or SAME_CAUSE


def _param(parameters: Mapping[str, Any], name: str) -> str:
    """A parameter's value as JSON; "default" when the run left it at the notebook's default."""
    return json.dumps(parameters[name], default=str) if name in parameters else "default"


def _runs(rows: Iterable[Mapping[str, Any]]) -> list[list[Mapping[str, Any]]]:
    """Rows grouped by run, oldest run first."""
    runs: dict[Any, list[Mapping[str, Any]]] = {}
    for row in rows:
        runs.setdefault(row["run"], []).append(row)
    return list(runs.values())


def _key(row: Mapping[str, Any]) -> tuple[str, str]:
    return row["claim"], row["aspect"]


def _side(row: Mapping[str, Any]) -> dict[str, str]:
    return {"label": row["label"], "estimate": number_text(row["statistic"]), "interval": interval_text(row)}


def changes(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Each verdict whose label, estimate or interval changed between the last two runs of its
    report (a verdict new in the last run counts too), with before, after and the cause."""
    by_report: dict[str, list[Mapping[str, Any]]] = {}
    for row in rows:
        by_report.setdefault(row["report"], []).append(row)
    out = []
    for report, report_rows in by_report.items():
        runs = _runs(report_rows)
        if len(runs) < 2:
            continue
        previous, last = {_key(r): r for r in runs[-2]}, runs[-1]
        why = cause(runs[-2][0], last[0])
        for row in last:
            old = previous.get(_key(row))
            what = what_changed(old, row) if old else ["new verdict"]
            if what:
                out.append({"report": report, "claim": row["claim"], "aspect": row["aspect"], "what": what,
                            "before": _side(old) if old else None, "after": _side(row), "cause": why,
                            "ran_at": row["ran_at"], "before_ran_at": old["ran_at"] if old else runs[-2][0]["ran_at"]})
    return sorted(out, key=lambda c: (c["claim"], c["report"], c["aspect"]))


def same_verdicts(rows: Iterable[Mapping[str, Any]], changed: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Reports whose last run had another cause than the run before (a new vintage, code or
    parameters) but no verdict in ``changed``: ``{"cause", "reports"}`` per cause, so a new vintage
    that moved no verdict is still named."""
    moved = {c["report"] for c in changed}
    by_report: dict[str, list[Mapping[str, Any]]] = {}
    for row in rows:
        by_report.setdefault(row["report"], []).append(row)
    causes: dict[str, list[str]] = {}
    for report, report_rows in sorted(by_report.items()):
        runs = _runs(report_rows)
        if len(runs) < 2 or report in moved:
            continue
        why = cause(runs[-2][0], runs[-1][0])
        if why != SAME_CAUSE:
            causes.setdefault(why, []).append(report)
    return [{"cause": why, "reports": reports} for why, reports in sorted(causes.items())]


def scorecard_changes(reports_dir: Path) -> dict[str, Any]:
    """The scorecard's "Changes since the last run": ``changes`` (see :func:`changes`),
    ``same_verdicts`` (see :func:`same_verdicts`), ``last_run`` (the newest run recorded), and
    ``note`` (why there is nothing to compare: no history yet, or a database that cannot be read)
    or None."""
    try:
        rows = read(reports_dir, last_runs=2)  # all a change needs: the scorecard stays quick as runs pile up
    except HistoryError as exc:
        return {"changes": [], "same_verdicts": [], "last_run": None, "note": f"Changes are not shown: {exc}"}
    if not rows:
        return {"changes": [], "same_verdicts": [], "last_run": None,
                "note": "No run recorded in the verdict history yet."}
    changed = changes(rows)
    return {"changes": changed, "same_verdicts": same_verdicts(rows, changed),
            "last_run": max(r["ran_at"] for r in rows), "note": None}


def timeline(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """A report's verdict history for its page, newest first: per verdict and run, the run date,
    label, estimate, interval and the cause of the difference from the run before."""
    runs = _runs(rows)
    out = []
    for i, run in enumerate(runs):
        why = cause(runs[i - 1][0], run[0]) if i else "first recorded run"
        previous = {_key(r): r for r in runs[i - 1]} if i else {}
        for row in run:
            old = previous.get(_key(row))
            changed = what_changed(old, row) if old else []
            out.append({**_side(row), "n": "—" if row["n"] is None else row["n"], "ran_at": row["ran_at"], "claim": row["claim"], "aspect": row["aspect"],
                        "changed": changed, "cause": why if (changed or not i) else f"unchanged ({why})"})
    return out[::-1]


def page_history(reports_dir: Path, report: str, current: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The history table of a report page: the recorded runs plus this run's rows (``current``,
    from :func:`rows_for_run`, stored only once the run is published). ``note`` says why the
    recorded runs are missing when the database cannot be read."""
    note = None
    try:
        recorded = read(reports_dir, report=report)
    except HistoryError as exc:
        recorded, note = [], f"Earlier runs are not shown: {exc}"
    last = max((r["run"] for r in recorded), default=0)
    return {"rows": timeline([*recorded, *({**r, "run": last + 1} for r in current)]), "note": note}
