"""Failing honestly: a report that ran without an error can still have nothing to show.

Checked in the worker on the report's sidecar, right after its notebook ran, so such a report
fails like any other (failed state, exit 1, its notebook kept in ``reports/_failed/``) and the
last good page stays published:

* a specification curve (``extra["spec_curve"]``) with no valid specification;
* a verdict other than "not testable" that rests on no data (``n`` is 0 or missing).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def sidecar_problem(sidecar: Mapping[str, Any] | None) -> tuple[str, str] | None:
    """``(error name, message)`` when the recorded results rest on nothing, else None."""
    if not sidecar:
        return None  # no record at all: the run's decision says so ("no record of the inputs it read")
    curve = (sidecar.get("extra") or {}).get("spec_curve")
    if isinstance(curve, Mapping) and not curve.get("valid"):
        # a data error's first line ends "Tried:"; the places it looked are in `research data status`
        top = str(curve.get("top_error") or "").removesuffix(" Tried:").rstrip(".")
        return "NoValidSpecification", (
            f"0 of {curve.get('specifications', 0)} specifications valid: {curve.get('errors', 0)} errors, "
            f"{curve.get('skipped', 0)} not applicable" + (f"; most common: {top}" if top else "")
            + ". Fix: see the table of every specification in the executed notebook; `research data status` "
            "shows whether the data the grid reads can be loaded.")
    empty = [v for v in sidecar.get("verdicts") or [] if v.get("label") != "not testable" and not v.get("n")]
    if empty:
        names = ", ".join(f"{v.get('claim')}{' (' + v['aspect'] + ')' if v.get('aspect') else ''} "
                          f"{v.get('label')!r} with n = {v.get('n')}" for v in empty)
        return "VerdictWithoutData", (
            f"{len(empty)} verdict(s) rest on no data: {names}. Fix: check the data the notebook reads "
            "(`research data status`), or record Verdict.not_testable(...) when the data cannot settle the claim.")
    return None

