"""The scorecard ``index.html``: one row per claim and verdict, the multiple-testing family,
forecasts, and every report's state.

Built from the state files alone (no notebook, no numpy), so it can be rebuilt at the end of
every run, even a no-op one, without executing anything. Besides each claim's verdicts it shows
each claim's specification curve (the shares of a ``spec_curve.ipynb`` report's specifications
that support, contradict or leave the claim inconclusive, next to the verdict they qualify) and
the family of :mod:`research.family`: the main verdicts' p-values adjusted by Holm and by
Benjamini-Hochberg across claims. This module gathers the values; the HTML is in
``templates/scorecard.html.j2`` and the tables it includes.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup

from research.claims import catalog
from research.errors import DATA_ERROR_NAMES, error_text
from research.family import (
    NOT_IMPLEMENTED,
    headline,
    series_of,
    spec_curve_claim,
    spec_curves,
    survives,
    testing_family,
    verdicts_for,
)
from research.report.charts import Estimate, forecast_from, forecast_svg, forest_svg
from research.report.tables import FRACTION_WORDS, header_text
from research.report.templating import render
from research.verdict import _COLOURS as LABEL_COLOURS
from research.verdict import Verdict

SHARE_LABELS = ("supported", "contradicted", "mixed", "inconclusive")
_SMALL_LARGE = {"deciles": "size deciles 1-3 vs 8-10", "smb": "SMB factor",
                "russell": "Russell 2000 vs S&P 500"}


def when_text(stamp: Any) -> str:
    """An ISO timestamp for people: ``2025-11-01 06:00:00Z``."""
    return str(stamp).replace("T", " ").replace("+00:00", "Z") if stamp else ""


def p_text(p: float) -> str:
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def _specification_note(report: Any) -> str:
    """Which variant of a claim a row comes from: the registry parameters that differ from the
    notebook's defaults (the small/large definition first), or "default specification"."""
    params = dict(getattr(report, "parameters", {}) or {})
    if not params:
        return "default specification"
    parts = []
    if "small_large" in params:
        parts.append(_SMALL_LARGE.get(str(params.pop("small_large")), "small/large: other"))
    parts += [f"{k} = {v}" for k, v in params.items() if k != "show_robustness"]
    return "; ".join(parts)


NEWER = " (vintage newer than the lock)"


def _vintage_text(v: Verdict, state: Mapping[str, Any] | None) -> str:
    inputs = ((state or {}).get("success") or {}).get("inputs") or {}
    newer = {k for k, d in inputs.items() if (d or {}).get("newer_than_lock")}
    if v.vintage:
        return ", ".join(f"{k} {x}{NEWER if k in newer else ''}" for k, x in v.vintage.items())
    return ", ".join(f"{k} {d.get('vintage')}{NEWER if k in newer else ''}"
                     for k, d in inputs.items() if (d or {}).get("vintage"))


def newer_than_lock(states: Mapping[str, Mapping[str, Any]]) -> list[tuple[str, list[str]]]:
    """(dataset, [reports that read it]) for each input the data layer flagged ``newer_than_lock``
    in a report's last good run."""
    found: dict[str, list[str]] = {}
    for name, state in sorted(states.items()):
        for dataset, d in ((((state or {}).get("success") or {}).get("inputs")) or {}).items():
            if (d or {}).get("newer_than_lock"):
                found.setdefault(dataset, []).append(name)
    return sorted(found.items())


def _robustness_text(state: Mapping[str, Any] | None) -> str:
    """The report's own robustness share (``extra["robustness_share"]``): how many of the variants
    the claim's report itself checks agree with its verdict."""
    extra = (((state or {}).get("success") or {}).get("extra")) or {}
    value = extra.get("robustness_share")
    if value is None:
        return ""
    if isinstance(value, (int, float)) and 0 <= value <= 1:
        return f"{value:.0%}"
    return str(value)


def _share(block: Mapping[str, Any], label: str) -> float:
    return block.get(f"share_{label}") or 0


def spec_curve_context(curve: tuple[Any, Any] | None, aspect: str = "") -> dict[str, Any] | None:
    """The robustness cell of one verdict: the share of the claim's specification curve (the
    verdict's aspect's when the curve has one per aspect or per view) by label, the curve's own label and its
    report; when it has not run, why and the ``research sweep`` command. None without a curve."""
    if curve is None:
        return None
    report, state = curve
    success = (state or {}).get("success") or {}
    summary = (success.get("extra") or {}).get("spec_curve")
    claim = spec_curve_claim(report, state) or ""
    if not summary:
        return {"claim": claim, "html": success.get("html"), "summary": None,
                "why": "failed" if (state or {}).get("status") == "failed" else "not run yet"}
    block = (summary.get("by_aspect") or {}).get(aspect) or summary
    words = [f"{100 * _share(block, lab):.0f}% {lab}" for lab in SHARE_LABELS if _share(block, lab) > 0]
    return {"claim": claim, "html": success.get("html"), "summary": True,
            "bar": [(f"{100 * _share(block, lab):.1f}", LABEL_COLOURS[lab], f"{lab} {100 * _share(block, lab):.0f}%")
                    for lab in SHARE_LABELS],
            "label": str(block.get("label", "")),
            "words": " · ".join(words) or "no valid specification",
            "count": f"{int(block.get('valid') or 0):,}",
            "aspect": (block["title"] if block.get("view") else aspect)
                      if aspect and aspect in (summary.get("by_aspect") or {}) else ""}


def _last_run(state: Mapping[str, Any] | None) -> dict[str, Any]:
    if not state:
        return {"state": "never"}
    if state.get("status") == "failed":
        attempt = state.get("attempt") or {}
        text = error_text(attempt.get("error"))
        # a data error runs to hundreds of characters (every place tried, then the fix): its first
        # line and its "Fix:" (the errors' convention) stay in view, the rest opens on demand
        fix = text.rfind("Fix:")
        return {"state": "failed", "ran_at": attempt.get("ran_at", ""), "error": text,
                "headline": text.splitlines()[0] if text else "", "fix": text[fix:] if fix >= 0 else ""}
    return {"state": "ok"}


def scorecard_rows(reports: Sequence[Any], states: Mapping[str, Mapping[str, Any]],
                   family: Sequence[Mapping[str, Any]] | None = None) -> list[tuple[str, dict[str, Any]]]:
    """(claim id, row) pairs: one per verdict per report; placeholders where nothing exists.

    A row's ``kind`` is "verdict", "no verdict" (a report of the claim without one), "not
    testable" or "no report". Specification-curve reports give no rows of their own: their shares
    fill the Robustness cell of the verdicts on the same series (:func:`research.family.series_of`).
    ``family`` (from :func:`research.family.testing_family`) adds the adjusted p-values; each
    verdict row's ``headline`` is :func:`research.family.headline` (the reconciled label).
    """
    curves = spec_curves(reports, states)
    if family is None:
        family = testing_family(reports, states)[0]
    adjusted = {(m["report"].name, m["claim"], m["aspect"]): m for m in family}
    rows: list[tuple[str, dict[str, Any]]] = []
    for claim, declared in catalog.claims().items():  # the rows are the catalog's claims, in id order
        claim_rows: list[dict[str, Any]] = []
        for report in reports:
            state = states.get(report.name)
            if spec_curve_claim(report, state):
                continue
            curve = curves.get((claim, series_of(report, state)))
            verdicts = verdicts_for(state, claim)
            success = (state or {}).get("success") or {}
            common = {"note": _specification_note(report), "report": report, "state": state,
                      "ran_at": success.get("ran_at"), "last_run": _last_run(state)}
            for v in verdicts:
                member = adjusted.get((report.name, claim, v.aspect))
                claim_rows.append({
                    **common, "kind": "verdict", "verdict": v, "vintage": _vintage_text(v, state),
                    "curve": None if v.label == "not testable" else spec_curve_context(curve, v.aspect),
                    "own": _robustness_text(state), "adjusted": member,
                    "headline": headline(v, report, state, family, curves),
                    "not_implemented": v.note.startswith(NOT_IMPLEMENTED),
                })
            if not verdicts and claim in report.claims:
                claim_rows.append({**common, "kind": "no verdict", "curve": spec_curve_context(curve),
                                   "what": "no verdict recorded for this claim" if success else "no successful run yet"})
        if not claim_rows:
            if not declared.testable:
                claim_rows.append({"kind": "not testable",
                                   "reason": f"{declared.not_testable} Data that would settle it: {declared.settle}"})
            else:
                claim_rows.append({"kind": "no report", "curve": spec_curve_context(curves.get((claim, "")))})
        rows += [(claim, row) for row in claim_rows]
    return rows


def _survives_text(member: Mapping[str, Any]) -> str:
    both = survives(member)
    if both is None:
        return "—"
    return f"{'yes' if both[0] else 'no'} / {'yes' if both[1] else 'no'} (at {member['alpha']:g})"


def _claim_spans(rows: Sequence[tuple[str, Any]]) -> list[int]:
    """The rowspan of the claim cells on each claim's first row, 0 on the others."""
    return [sum(1 for c, _ in rows if c == claim) if i == 0 or rows[i - 1][0] != claim else 0
            for i, (claim, _) in enumerate(rows)]


def _with_commands(text: str) -> Markup:
    """A reason left out of the family, escaped, with its ``research sweep`` command as code."""
    return Markup(re.sub(r"research sweep (C\d+)", r"<code>research sweep \1</code>", html.escape(text)))


def _forecasts(reports: Sequence[Any], states: Mapping[str, Mapping[str, Any]]) -> tuple[list[str], list[tuple[Any, Any, list[str]]]]:
    """(headers, [(report, state, cells)]) of every forecast the reports recorded, for readers:
    headers in words, probabilities and shares in percent, levels with thousands separators."""
    found: list[tuple[Any, dict[str, Any]]] = []
    for report in reports:
        extra = (((states.get(report.name) or {}).get("success") or {}).get("extra")) or {}
        found += [(report, item) for item in extra.get("forecasts") or [] if isinstance(item, dict)]
    columns: list[str] = []
    for _, item in found:
        columns += [k for k in item if k not in columns]
    percent = {c for c in columns if FRACTION_WORDS.search(c) and all(
        isinstance(v, (int, float)) and 0 <= v <= 1 for _, item in found if (v := item.get(c)) is not None)}
    return [header_text(c) for c in columns], [
        (report, states.get(report.name), [_fmt(item.get(c), percent=c in percent) for c in columns])
        for report, item in found]


def _fmt(value: Any, *, percent: bool = False) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if percent:
        return f"{100 * value:.1f}%"
    if isinstance(value, float):  # index levels whole, with separators; ratios to 4 figures
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"
    return str(value)


def _report_rows(reports: Sequence[Any], states: Mapping[str, Mapping[str, Any]],
                 decisions: Mapping[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for report in reports:
        state = states.get(report.name) or {}
        success = state.get("success") or {}
        attempt = state.get("attempt") or {}
        decision = decisions.get(report.name)
        failed = state.get("status") == "failed"
        files = [(success.get(kind), kind) for kind in ("html", "ipynb") if success.get(kind)]
        if failed and attempt.get("failed_notebook"):
            files.append((attempt["failed_notebook"], "failed ipynb"))
            if attempt.get("failed_html"):
                files.append((attempt["failed_html"], "failed html"))
        swept = spec_curve_claim(report, state)
        seconds = success.get("seconds")
        rows.append({
            "report": report, "state": state, "failed": failed,
            "label": decision.state if decision else ("failed" if failed else "—"),
            "why": "; ".join(decision.reasons) if decision and decision.run else "",
            # the why gives an error's first line; a data error is shown whole (where it looked, the fix)
            "data_error": error_text(attempt.get("error")) if failed and (attempt.get("error") or {}).get("ename")
            in DATA_ERROR_NAMES else "",
            "claims": f"{swept} (specification curve)" if swept else ", ".join(report.claims),
            "ran_at": success.get("ran_at"), "seconds": "" if seconds is None else f"{seconds:.1f}",
            "files": files,
        })
    return rows


def claim_lines(rows: Sequence[tuple[str, Mapping[str, Any]]]) -> list[dict[str, Any]]:
    """One line per claim for the top of the scorecard: the verdicts of its main report (the first
    registered one with verdicts, as in the multiple-testing family), and how the other reports
    of the claim (variants: other small/large definitions) compare."""
    lines = []
    for claim, declared in catalog.claims().items():
        mine = [row for c, row in rows if c == claim]
        verdicts = [row for row in mine if row["kind"] == "verdict"]
        line: dict[str, Any] = {"claim": claim, "text": declared.commentary, "main": [], "agree": 0, "differ": [],
                                "report": None, "state": None, "empty": ""}
        if verdicts:
            main = verdicts[0]["report"]
            line.update(report=main, state=verdicts[0]["state"])
            labels = {}
            for row in verdicts:  # the reconciled headline label, as in the detail table
                v, label = row["verdict"], row["headline"].label
                if row["report"] is main:
                    line["main"].append((v.aspect, label))
                    labels[v.aspect] = label
                elif labels.get(v.aspect) == label:
                    line["agree"] += 1
                else:
                    line["differ"].append((row["note"], v.aspect, label))
        elif mine and mine[0]["kind"] == "not testable":
            line["main"].append(("", "not testable"))
            line["empty"] = mine[0]["reason"]
        else:
            line["empty"] = "no verdict yet" if any(r["kind"] == "no verdict" for r in mine) else "no report yet"
        lines.append(line)
    return lines


def forest_estimates(rows: Sequence[tuple[str, Mapping[str, Any]]]) -> list[Estimate]:
    """Every verdict with a statistic, grouped by claim and aspect in the scorecard's order."""
    found: list[Estimate] = []
    for claim, row in rows:
        if row["kind"] != "verdict" or row["verdict"].statistic is None:
            continue
        v = row["verdict"]
        found.append(Estimate(claim=claim, aspect=v.aspect, variant=row["note"], label=row["headline"].label,
                              statistic=v.statistic, interval=v.interval, unit=v.statistic_name,
                              report=row["report"].name))
    order = {key: i for i, key in enumerate(dict.fromkeys((e.claim, e.aspect) for e in found))}
    return sorted(found, key=lambda e: order[(e.claim, e.aspect)])


def forecast_chart(reports: Sequence[Any], states: Mapping[str, Mapping[str, Any]]) -> Markup | None:
    """The forecasts as a chart (SVG), or None when no report recorded a drawable forecast."""
    drawn = []
    for report in reports:
        extra = (((states.get(report.name) or {}).get("success") or {}).get("extra")) or {}
        for item in extra.get("forecasts") or []:
            f = forecast_from(item, report.name) if isinstance(item, dict) else None
            if f is not None:
                drawn.append(f)
    return Markup(forecast_svg(drawn)) if drawn else None


def index_html(reports: Sequence[Any], states: Mapping[str, Mapping[str, Any]],
               decisions: Mapping[str, Any] | None = None, *, generated_at: str | None = None,
               changes: Mapping[str, Any] | None = None) -> str:
    """The scorecard page: one row per claim and verdict, forecasts, and every report's state.

    ``changes`` (from :func:`research.runner.history.scorecard_changes`) opens the page with
    "Changes since the last run"; without it that section is left out.
    """
    generated_at = generated_at or dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    family, left_out = testing_family(reports, states)
    rows = scorecard_rows(reports, states, family)
    columns, forecasts = _forecasts(reports, states)
    estimates = forest_estimates(rows)
    return render(
        "scorecard.html.j2", title="Scorecard — small caps commentary", wide=True, footer=None,
        generated_at=generated_at, rows=rows, spans=_claim_spans(rows),
        claims={c.id: c.commentary for c in catalog.claims().values()},
        family=[{**m, "survives": _survives_text(m)} for m in family],
        left_out=[_with_commands(item) for item in left_out],
        forecast_columns=columns, forecasts=forecasts, forecast_chart=forecast_chart(reports, states),
        claim_lines=claim_lines(rows), estimates=estimates,
        forest=Markup(forest_svg(estimates, LABEL_COLOURS)) if estimates else None,
        reports=_report_rows(reports, states, decisions or {}), states=states,
        colours=LABEL_COLOURS, when_text=when_text, p_text=p_text,
        changes=changes, newer_than_lock=newer_than_lock(states),
    )
