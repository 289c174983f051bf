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
from research.verdict import Reconciled, Verdict, reconcile

SPEC_CURVE_NOTEBOOK = "spec_curve.ipynb"
#: The small/large definitions whose reports are variants of a claim's default series; a report
#: with any other ``small_large`` reads the default series (the French size portfolios).
DEFAULT_SERIES = ("", "deciles")
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


def series_of(report: Any, state: Mapping[str, Any] | None = None) -> str:
    """The series a report reads: "" for a claim's default one, else its ``small_large`` parameter
    ("russell"). A specification curve's own record (``extra["spec_curve"]["small_large"]``) wins
    over its registry parameters, as for :func:`spec_curve_claim`."""
    extra = (((state or {}).get("success") or {}).get("extra")) or {}
    curve = extra.get("spec_curve") or {}
    value = curve["small_large"] if "small_large" in curve else (report.parameters or {}).get("small_large", "")
    value = str(value or "")
    return "" if value in DEFAULT_SERIES else value


def spec_curves(reports: Sequence[Any], states: Mapping[str, Mapping[str, Any]]) -> dict[tuple[str, str], tuple[Any, Any]]:
    """(claim, series) -> (report, state or None) of the specification curve of that claim on that
    series (:func:`series_of`; the first one registered). A report is paired only with the curve of
    its own series: the default series' curve says nothing about the Russell 2000's."""
    out: dict[tuple[str, str], tuple[Any, Any]] = {}
    for report in reports:
        state = states.get(report.name)
        claim = spec_curve_claim(report, state)
        if claim and (claim, series_of(report, state)) not in out:
            out[(claim, series_of(report, state))] = (report, state)
    return out


def curve_block(curve: tuple[Any, Any] | None, aspect: str = "") -> dict[str, Any] | None:
    """The shares of a specification curve (the aspect's, when it has one per aspect), as its
    sidecar recorded them (``extra["spec_curve"]``); None when it has not run."""
    if curve is None:
        return None
    summary = ((((curve[1] or {}).get("success") or {}).get("extra")) or {}).get("spec_curve")
    if not summary:
        return None
    return (summary.get("by_aspect") or {}).get(aspect) or summary


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
        for v in verdicts_for(states.get(main.name), claim):
            if v.label == "not testable":
                continue
            if v.note.startswith(NOT_IMPLEMENTED):  # a scaffolded claim (research new-claim) tests nothing yet
                left_out.append(f"{claim}{' ' + v.aspect if v.aspect else ''}: not implemented yet "
                                "(the TODOs in its claim module)")
                continue
            p_raw, basis, problem = raw_p_value(v, curves.get((claim, series_of(main, states.get(main.name)))))
            if p_raw is None:
                left_out.append(f"{claim}{' ' + v.aspect if v.aspect else ''}: {problem}")
                continue
            members.append({"claim": claim, "aspect": v.aspect, "label": v.label, "p_raw": p_raw,
                            "basis": basis, "report": main, "alpha": v.test_level})
    if members:
        adjusted_holm = holm([m["p_raw"] for m in members])
        adjusted_bh = benjamini_hochberg([m["p_raw"] for m in members])
        for m, h, b in zip(members, adjusted_holm, adjusted_bh, strict=True):
            m["p_holm"], m["p_bh"] = h, b
    return members, left_out


def raw_p_value(v: Verdict, curve: tuple[Any, Any] | None) -> tuple[float | None, str, str]:
    """(p, basis, problem) of one verdict: its own p-value, else the one its specification curve
    derived from the verdict's own bootstrap (``extra["family"]``), accepted only when that record
    reproduces the verdict's statistic and interval; ``problem`` says why there is none."""
    if v.p_value is not None:
        return float(v.p_value), "reported by the report", ""
    extra = ((((curve or (None, None))[1] or {}).get("success") or {}).get("extra")) or {}
    item = next((i for i in extra.get("family") or [] if isinstance(i, dict) and (i.get("aspect") or "") == v.aspect),
                None)
    same = (item and _same_statistic(item.get("statistic"), v.statistic) and v.interval is not None
            and _same_statistic(item.get("lower"), v.interval[0])
            and _same_statistic(item.get("upper"), v.interval[1]))
    if same and item.get("p_value") is not None:
        return float(item["p_value"]), "derived from the verdict's bootstrap", ""
    if item:
        return None, "", ("the specification curve's bootstrap p-value was computed for a different "
                          "statistic or interval than the report's (re-run both)")
    return None, "", f"only a bootstrap interval, and no p-value derived from it yet (run research sweep {v.claim})"


def holm_in_place_of(members: Sequence[Mapping[str, Any]], claim: str, aspect: str, p: float) -> float:
    """Holm-adjusted ``p`` with this test standing in the family for its claim's main verdict on
    the same aspect (a report variant tests the same hypothesis on another series: it replaces the
    main verdict rather than adding a hypothesis); appended when the claim has no such member."""
    raw = [float(m["p_raw"]) for m in members]
    at = next((i for i, m in enumerate(members) if m["claim"] == claim and (m["aspect"] or "") == (aspect or "")), None)
    if at is None:
        raw.append(float(p))
        at = len(raw) - 1
    else:
        raw[at] = float(p)
    return holm(raw)[at]


def headline(v: Verdict, report: Any, state: Mapping[str, Any] | None, members: Sequence[Mapping[str, Any]],
             curves: Mapping[tuple[str, str], tuple[Any, Any]]) -> Reconciled:
    """The reconciled headline (:func:`research.verdict.reconcile`) of verdict ``v`` of ``report``:
    its Holm-adjusted p across the family (the report's own p-value, or the one its own series'
    curve derived from its bootstrap) and the shares of its own series' specification curve."""
    curve = curves.get((v.claim, series_of(report, state)))
    p_raw = raw_p_value(v, curve)[0]
    adjusted = None if p_raw is None else holm_in_place_of(members, v.claim, v.aspect, p_raw)
    return reconcile(v, adjusted, curve_block(curve, v.aspect))


def survives(member: Mapping[str, Any]) -> tuple[bool, bool] | None:
    """Whether a member stays below its verdict's own level (:attr:`Verdict.test_level`) after Holm
    and after BH; None when the verdict states no level."""
    alpha = member.get("alpha")
    if not alpha:
        return None
    return member["p_holm"] < alpha, member["p_bh"] < alpha
