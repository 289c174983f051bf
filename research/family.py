"""The multiple-testing family across claims: which verdicts' p-values form it, and their Holm
and Benjamini-Hochberg adjustment.

This is statistics, not presentation; the scorecard (``research.report.scorecard``) only shows
it. It is read from the runner's state files alone and uses nothing beyond the standard library:
the scorecard is rebuilt on every run, even a no-op one, and must not import numpy or
statsmodels. The family's rule depends on which report is a claim's *main* one and which is its
specification curve, so those two readings of the state files live here too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from research.claims import catalog
from research.verdict import Verdict

SPEC_CURVE_NOTEBOOK = "spec_curve.ipynb"
#: How the note of a scaffolded claim's placeholder verdict begins (research.claims.scaffold).
NOT_IMPLEMENTED = "not implemented"


# -- reading the state files -----------------------------------------------------------------------
def verdicts_for(state: Mapping[str, Any] | None, claim: str) -> list[Verdict]:
    """The verdicts on ``claim`` in a report's last successful run (unreadable ones skipped)."""
    success = (state or {}).get("success") or {}
    out = []
    for d in success.get("verdicts") or []:
        if d.get("claim") == claim:
            try:
                out.append(Verdict.from_dict(d))
            except (TypeError, ValueError):
                continue
    return out


def spec_curve_claim(report: Any, state: Mapping[str, Any] | None) -> str | None:
    """The claim a specification-curve report sweeps (from its sidecar, else its ``claim``
    parameter), or None for any other report. Such reports list no ``claims`` in the registry:
    they qualify a claim's verdicts rather than give one."""
    extra = (((state or {}).get("success") or {}).get("extra")) or {}
    recorded = (extra.get("spec_curve") or {}).get("claim")
    if recorded:
        return str(recorded)
    if getattr(report.notebook, "name", "") == SPEC_CURVE_NOTEBOOK:
        claim = (report.parameters or {}).get("claim")
        return str(claim) if claim else None
    return None


def spec_curves(reports: Sequence[Any], states: Mapping[str, Mapping[str, Any]]) -> dict[str, tuple[Any, Any]]:
    """claim -> (report, state or None) of its specification curve (the first one registered)."""
    out: dict[str, tuple[Any, Any]] = {}
    for report in reports:
        state = states.get(report.name)
        claim = spec_curve_claim(report, state)
        if claim and claim not in out:
            out[claim] = (report, state)
    return out


# -- adjustment ------------------------------------------------------------------------------------
def holm(pvalues: Sequence[float]) -> list[float]:
    """Holm's step-down adjusted p-values (family-wise error rate), in the input order.

    Written out rather than taken from statsmodels (the tests check it against
    ``statsmodels.stats.multitest.multipletests``) because the scorecard must not import it.
    """
    m = len(pvalues)
    order = sorted(range(m), key=lambda i: pvalues[i])
    out, running = [0.0] * m, 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * pvalues[i]))
        out[i] = running
    return out


def benjamini_hochberg(pvalues: Sequence[float]) -> list[float]:
    """Benjamini-Hochberg adjusted p-values (false discovery rate), in the input order."""
    m = len(pvalues)
    order = sorted(range(m), key=lambda i: pvalues[i])
    out, running = [0.0] * m, 1.0
    for rank in range(m - 1, -1, -1):
        i = order[rank]
        running = min(running, min(1.0, m / (rank + 1) * pvalues[i]))
        out[i] = running
    return out


# -- the family ------------------------------------------------------------------------------------
def _same_statistic(a: Any, b: Any) -> bool:
    try:
        return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)))
    except (TypeError, ValueError):
        return False


def testing_family(reports: Sequence[Any], states: Mapping[str, Mapping[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """The multiple-testing family and what was left out of it, with the reason.

    Members are the verdicts of each claim's *main* report (the first one registered for the
    claim; the others are variants of the same test, not new hypotheses) that carry a p-value.
    A main verdict with only a bootstrap interval enters with the p-value its own interval inverts
    (recorded by the claim's specification-curve report as ``extra["family"]``), and only when
    that record reproduces the verdict's statistic. Each member gets ``p_holm`` and ``p_bh``.
    The reasons in ``left_out`` are plain text.
    """
    curves = spec_curves(reports, states)
    members: list[dict[str, Any]] = []
    left_out: list[str] = []
    for claim in catalog.known_ids():
        main = next((r for r in reports if claim in r.claims and spec_curve_claim(r, states.get(r.name)) is None), None)
        if main is None:
            continue
        state = states.get(main.name)
        derived = {}
        curve = curves.get(claim)
        if curve is not None:
            for item in (((curve[1] or {}).get("success") or {}).get("extra") or {}).get("family") or []:
                if isinstance(item, dict):
                    derived[item.get("aspect") or ""] = item
        for v in verdicts_for(state, claim):
            name = f"{claim}{' ' + v.aspect if v.aspect else ''}"
            if v.label == "not testable":
                continue
            if v.note.startswith(NOT_IMPLEMENTED):  # a scaffolded claim (research new-claim) tests nothing yet
                left_out.append(f"{name}: not implemented yet (the TODOs in its claim module)")
                continue
            alpha = round(1 - v.interval_level, 6) if v.interval_level else None
            if v.p_value is not None:
                members.append({"claim": claim, "aspect": v.aspect, "label": v.label, "p_raw": float(v.p_value),
                                "basis": "reported by the report", "report": main, "alpha": alpha})
                continue
            item = derived.get(v.aspect or "")
            same = (item and _same_statistic(item.get("statistic"), v.statistic) and v.interval is not None
                    and _same_statistic(item.get("lower"), v.interval[0])
                    and _same_statistic(item.get("upper"), v.interval[1]))
            if same and item.get("p_value") is not None:
                members.append({"claim": claim, "aspect": v.aspect, "label": v.label, "p_raw": float(item["p_value"]),
                                "basis": "derived from the verdict's bootstrap", "report": main, "alpha": alpha})
            elif item:
                left_out.append(f"{name}: the specification curve's bootstrap p-value was computed for a "
                                "different statistic or interval than the report's (re-run both)")
            else:
                left_out.append(f"{name}: only a bootstrap interval, and no p-value derived from it yet "
                                f"(run research sweep {claim})")
    if members:
        adjusted_holm = holm([m["p_raw"] for m in members])
        adjusted_bh = benjamini_hochberg([m["p_raw"] for m in members])
        for m, h, b in zip(members, adjusted_holm, adjusted_bh, strict=True):
            m["p_holm"], m["p_bh"] = h, b
    return members, left_out


def survives(member: Mapping[str, Any]) -> tuple[bool, bool] | None:
    """Whether a member stays below its verdict's own level (1 - interval level) after Holm and
    after BH; None when the verdict has no interval to take a level from."""
    alpha = member.get("alpha")
    if not alpha:
        return None
    return member["p_holm"] < alpha, member["p_bh"] < alpha
