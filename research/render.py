"""HTML for readers: each report page (nbconvert, code hidden) and the scorecard ``index.html``.

Report pages are rendered in the runner's worker process with nbconvert's ``HTMLExporter``
(imported lazily; it is slow to import). Code is hidden when exporting
(``exclude_input=True``), not through papermill's ``report_mode``, which nbconvert ignores
(papermill #506). The page opens with the title and the verdict box, then figures and tables,
and ends with a footer the runner injects: parameters, each input's vintage and sha256, package
version and git commit, run time. The page is self-contained: images are inline, CSS is ours and
small, and there are no external scripts.

The scorecard is built from the state files alone (pure string work, standard library only), so
it can be rebuilt at the end of every run, even a no-op one, without executing anything. Besides
each claim's verdicts it shows, from the same state files, each claim's specification curve (the
shares of a ``spec_curve.ipynb`` report's specifications that support, contradict or leave the
claim inconclusive, next to the verdict they qualify) and the multiple-testing family: the main
verdicts' p-values adjusted by Holm and by Benjamini-Hochberg across claims.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import html
import json
from collections.abc import Mapping, Sequence
from typing import Any

from research.verdict import _COLOURS as LABEL_COLOURS
from research.verdict import Verdict, verdict_box

# The claims under test (facts from CLAIMS.md): id -> one-line summary of the commentary.
CLAIMS: dict[str, str] = {
    "C1": "The start of a Fed easing cycle in a resilient economy is stimulative for small caps.",
    "C2": "Small companies are more sensitive to interest rates.",
    "C3": "Small caps are structurally inferior: they tilt toward value and are less profitable.",
    "C4": "Froth: leadership of crypto-connected, small nuclear, clean energy and quantum names.",
    "C5": "Technical breakout: 200-day average cleared; two weekly closes above ~2,460 are bullish.",
    "C6": "The S&P 500 may be due a pullback, which would favour shifting toward small caps.",
    "C7": "Small caps can beat large caps through year end (Russell 2000 target 2,665, ~7% upside).",
    "C8": "Small caps are tied to the business cycle, have underperformed, and may do better ahead.",
    "C9": "An M&A pickup helps small-cap financials; earnings growth is improving.",
}
# Claims no public dataset in the catalog can settle, with the reason (CLAIMS.md).
NOT_TESTABLE: dict[str, str] = {
    "C9": "No public M&A or earnings-revision series in the catalog; "
          "deal counts by sector and consensus earnings revisions would settle it.",
}

VERDICT_MARK = 'class="verdict-box"'

CSS = """
:root { --fg:#1f2328; --muted:#57606a; --line:#d0d7de; --bg-soft:#f6f8fa; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg);
       max-width: 1040px; margin: 2em auto; padding: 0 1.2em; }
h1 { font-size: 1.7em; margin: .2em 0 .4em; } h2 { font-size: 1.3em; margin-top: 1.6em; }
h3 { font-size: 1.1em; } a { color: #0969da; }
img { max-width: 100%; height: auto; }
table { border-collapse: collapse; margin: .6em 0; font-size: .92em; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: var(--bg-soft); }
table.dataframe td, table.dataframe th { text-align: right; }
pre { background: var(--bg-soft); padding: 8px; overflow-x: auto; font-size: .85em; }
code { font-size: .9em; }
.jp-OutputArea-output, .output_area { margin: .4em 0; }
.badge { color: #fff; padding: 1px 8px; border-radius: 10px; white-space: nowrap; }
.failed { color: #cf222e; font-weight: 600; }
body.wide { max-width: 1440px; } td.claim-text { min-width: 16em; } .when { white-space: nowrap; }
.muted, .report-footer { color: var(--muted); }
.report-footer { border-top: 1px solid var(--line); margin-top: 2.5em; padding-top: .8em; font-size: .88em; }
.report-footer code, .sha { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .85em; }
.verdict-missing { border-left: 6px solid #8c959f; padding: 6px 12px; background: var(--bg-soft); }
.shares { display: inline-flex; width: 9em; height: .8em; border-radius: 3px; overflow: hidden;
          vertical-align: middle; background: #eaeef2; margin-right: .4em; }
.shares span { display: block; height: 100%; }
.spec-curve, .adjusted { font-size: .88em; } .spec-curve .muted, .adjusted { color: var(--muted); }
td.robustness { min-width: 11em; }
table.scorecard { font-size: .84em; } .vintage { color: var(--muted); font-size: .9em; }
.spec { font-size: .9em; }
.ansi-red-fg { color: #cf222e; } .ansi-green-fg { color: #1a7f37; } .ansi-cyan-fg { color: #1b7c83; }
.ansi-yellow-fg { color: #9a6700; } .ansi-blue-fg { color: #0969da; } .ansi-bold { font-weight: bold; }
"""


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def page(title: str, body: str, footer: str = "", *, wide: bool = False) -> str:
    """A complete, self-contained HTML document."""
    body_tag = '<body class="wide">' if wide else "<body>"
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n{body_tag}\n"
        f"<main>\n{body}\n</main>\n{footer}\n</body>\n</html>\n"
    )


# -- report pages (worker side; nbconvert imported lazily) ----------------------------------------
@functools.cache
def _exporter(show_code: bool) -> Any:
    import logging

    from nbconvert import HTMLExporter

    # nbconvert warns about every figure without alt text; that is noise in a run's output.
    quiet = logging.getLogger("research.render.nbconvert")
    quiet.setLevel(logging.ERROR)
    return HTMLExporter(
        log=quiet,
        template_name="basic",
        exclude_input=not show_code,
        exclude_input_prompt=not show_code,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
    )


def _output_html(output: Mapping[str, Any]) -> str:
    data = output.get("data", {}).get("text/html", "")
    return "".join(data) if isinstance(data, list) else str(data)


def _split_title(nb: Any) -> tuple[int | None, str, str]:
    """(index of the first markdown cell with an H1, the H1 text, the rest of that cell)."""
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        lines = cell.source.splitlines()
        for j, line in enumerate(lines):
            if line.startswith("# "):
                rest = "\n".join(lines[:j] + lines[j + 1:]).strip()
                return i, line[2:].strip(), rest
    return None, "", ""


def reader_notebook(nb: Any, *, title: str = "", verdicts: Sequence[Mapping[str, Any]] = ()) -> tuple[Any, str]:
    """A copy of the executed notebook arranged for readers, and its title.

    Order: the title, the verdict box (moved from wherever the notebook displayed it, or built
    from the sidecar's verdicts), the rest of the title cell, then every cell with something to
    show. Cells with no output (parameters, imports), stderr streams (warnings) and the other
    outputs of the cell that recorded the verdict (the returned payload) are dropped: the executed
    notebook, linked from the footer, keeps everything.
    """
    import nbformat

    nb = copy.deepcopy(nb)
    index, h1, rest = _split_title(nb)
    title = title or h1
    boxes: list[Any] = []
    cells: list[Any] = []
    for i, cell in enumerate(nb.cells):
        if i == index:
            continue
        if cell.cell_type == "code":
            outputs = cell.get("outputs", [])
            box = [out for out in outputs if VERDICT_MARK in _output_html(out)]
            if box:  # the cell that records the verdict: its box moves up, its echo goes
                boxes += box
                continue
            kept = [out for out in outputs if not (out.get("output_type") == "stream" and out.get("name") == "stderr")]
            if not kept:
                continue
            cell.outputs = kept
        elif cell.cell_type == "raw" or (cell.cell_type == "markdown" and not cell.source.strip()):
            continue
        cells.append(cell)
    if boxes:
        box = boxes[-1]
    else:
        shown = [Verdict.from_dict(v) for v in verdicts]
        box_html = verdict_box(shown) if shown else (
            '<div class="verdict-box"><div class="verdict-missing">This report recorded no verdict '
            "(its notebook did not call <code>research.verdict.record</code>).</div></div>"
        )
        box = nbformat.v4.new_output("display_data", data={"text/html": box_html})
    head = [nbformat.v4.new_markdown_cell(f"# {title}")] if title else []
    head.append(nbformat.v4.new_code_cell(source="", outputs=[box]))
    if rest:
        head.append(nbformat.v4.new_markdown_cell(rest))
    nb.cells = head + cells
    return nb, title


def report_html(nb: Any, *, title: str, verdicts: Sequence[Mapping[str, Any]] = (),
                footer: Mapping[str, Any] | None = None) -> str:
    """The reader's page for an executed notebook: code hidden, verdict first, footer last."""
    reader, title = reader_notebook(nb, title=title, verdicts=verdicts)
    body, _ = _exporter(False).from_notebook_node(reader, resources={"metadata": {"name": title}})
    return page(title, body, footer_html(footer or {}))


def failed_html(nb: Any, *, title: str, error: Mapping[str, Any], footer: Mapping[str, Any] | None = None) -> str:
    """A page for a failed run, code and traceback shown: it is for whoever fixes the notebook."""
    body, _ = _exporter(True).from_notebook_node(nb, resources={"metadata": {"name": title}})
    banner = (
        f'<div class="verdict-box"><div class="verdict-missing"><span class="failed">Run failed</span>'
        f" at cell {esc(error.get('cell_index', '?'))}: <code>{esc(error.get('first_line', ''))}</code>."
        " The published report (if any) is the last good run.</div></div>"
    )
    return page(f"FAILED: {title}", f"<h1>FAILED: {esc(title)}</h1>\n{banner}\n{body}", footer_html(footer or {}))


def footer_html(info: Mapping[str, Any]) -> str:
    """The provenance footer: parameters, inputs (vintage, sha256), package, commit, timings."""
    if not info:
        return ""
    params = info.get("parameters") or {}
    param_text = ", ".join(f"<code>{esc(k)} = {esc(json.dumps(v, default=str))}</code>"
                           for k, v in sorted(params.items())) or "defaults of the notebook"
    inputs = info.get("inputs") or {}
    if inputs:
        rows = "".join(
            f"<tr><td>{esc(name)}</td><td>{esc((d or {}).get('vintage', '—'))}</td>"
            f"<td class=\"sha\">{esc((d or {}).get('sha256', '—'))}</td></tr>"
            for name, d in sorted(inputs.items())
        )
        input_text = f"<table class=\"inputs\"><tr><th>dataset</th><th>vintage</th><th>sha256</th></tr>{rows}</table>"
    else:
        input_text = "none recorded"
    commit = info.get("git_commit")
    links = []
    if info.get("ipynb"):
        links.append(f"<a href=\"{esc(info['ipynb'])}\">executed notebook</a>")
    links.append(f"<a href=\"{esc(info.get('index', 'index.html'))}\">scorecard</a>")
    rows = [
        ("Report", f"{esc(info.get('report', ''))} — {' · '.join(links)}"),
        ("Notebook", f"<code>{esc(info.get('notebook', ''))}</code>"),
        ("Parameters", param_text),
        ("Inputs", input_text),
        ("Package", f"research {esc(info.get('version', '?'))} · "
                    + (f"git commit <code>{esc(commit)}</code>" if commit else "git commit unavailable")),
        ("Run", f"executed in {float(info.get('seconds', 0.0)):.1f} s · ran at {esc(info.get('ran_at', ''))}"),
        ("Cache key", f"<code>{esc(str(info.get('key', ''))[:16])}</code>"),
    ]
    table = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    return f'<footer class="report-footer"><table class="meta">{table}</table></footer>'


# -- scorecard (pure; built from state files) ---------------------------------------------------
def badge(label: str) -> str:
    colour = LABEL_COLOURS.get(label, "#57606a")
    return f'<span class="badge" style="background:{colour}">{esc(label)}</span>'


def _verdicts_for(state: Mapping[str, Any] | None, claim: str) -> list[Verdict]:
    success = (state or {}).get("success") or {}
    out = []
    for d in success.get("verdicts") or []:
        if d.get("claim") == claim:
            try:
                out.append(Verdict.from_dict(d))
            except (TypeError, ValueError):
                continue
    return out


def when(stamp: Any) -> str:
    """An ISO timestamp for people: ``2025-11-01 06:00:00Z``, kept on one line."""
    if not stamp:
        return ""
    return f'<span class="when">{esc(str(stamp).replace("T", " ").replace("+00:00", "Z"))}</span>'


_SMALL_LARGE = {"deciles": "size deciles 1-3 vs 8-10", "smb": "SMB factor",
                "russell": "Russell 2000 vs S&P 500"}


def _specification_note(report: Any) -> str:
    """Which variant of a claim a row comes from: the registry parameters that differ from the
    notebook's defaults (the small/large definition first), or "default specification"."""
    params = dict(getattr(report, "parameters", {}) or {})
    if not params:
        return '<div class="muted spec">default specification</div>'
    parts = []
    if "small_large" in params:
        parts.append(_SMALL_LARGE.get(str(params.pop("small_large")), "small/large: other"))
    parts += [f"{k} = {v}" for k, v in params.items() if k != "show_robustness"]
    return f'<div class="muted spec">{esc("; ".join(parts))}</div>'


def _last_run_cell(state: Mapping[str, Any] | None) -> str:
    if not state:
        return '<span class="muted">not run yet</span>'
    if state.get("status") == "failed":
        err = (state.get("attempt") or {}).get("error") or {}
        ran = (state.get("attempt") or {}).get("ran_at", "")
        return f'<span class="failed">failed</span> {when(ran)}: <code>{esc(err.get("first_line", ""))}</code>'
    return "ok"


def _vintage_text(v: Verdict, state: Mapping[str, Any] | None) -> str:
    if v.vintage:
        return ", ".join(f"{k} {x}" for k, x in v.vintage.items())
    inputs = ((state or {}).get("success") or {}).get("inputs") or {}
    return ", ".join(f"{k} {d.get('vintage')}" for k, d in inputs.items() if (d or {}).get("vintage"))


def _robustness_text(state: Mapping[str, Any] | None) -> str:
    """The report's own robustness share (``extra["robustness_share"]``): how many of the variants
    the claim's report itself checks agree with its verdict."""
    extra = (((state or {}).get("success") or {}).get("extra")) or {}
    value = extra.get("robustness_share")
    if value is None:
        return ""
    if isinstance(value, (int, float)) and 0 <= value <= 1:
        return f"{value:.0%}"
    return esc(value)


# -- specification curves (reports of spec_curve.ipynb, one per claim) -----------------------------
SPEC_CURVE_NOTEBOOK = "spec_curve.ipynb"
SHARE_LABELS = ("supported", "contradicted", "mixed", "inconclusive")


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


def shares_bar(block: Mapping[str, Any]) -> str:
    """A small stacked bar of the shares (supported, contradicted, mixed, inconclusive)."""
    parts = "".join(
        f'<span style="width:{100 * (block.get(f"share_{lab}") or 0):.1f}%;background:{LABEL_COLOURS[lab]}" '
        f'title="{lab} {100 * (block.get(f"share_{lab}") or 0):.0f}%"></span>'
        for lab in SHARE_LABELS)
    return f'<span class="shares" role="img" aria-label="shares of specifications by label">{parts}</span>'


def _share_words(block: Mapping[str, Any]) -> str:
    words = [f"{100 * (block.get(f'share_{lab}') or 0):.0f}% {lab}" for lab in SHARE_LABELS
             if (block.get(f"share_{lab}") or 0) > 0]
    return " · ".join(words) or "no valid specification"


def spec_curve_cell(curve: tuple[Any, Any] | None, aspect: str = "") -> str:
    """The scorecard's robustness cell for one verdict: the share of the claim's specification
    curve (the verdict's aspect when the curve has one per aspect) by label, the curve's own label
    and a link to the report; a pointer to ``research sweep`` when it has not run."""
    if curve is None:
        return ""
    report, state = curve
    success = (state or {}).get("success") or {}
    summary = (success.get("extra") or {}).get("spec_curve")
    claim = spec_curve_claim(report, state) or ""
    if not summary:
        link = f'<a href="{esc(success["html"])}">last curve</a>' if success.get("html") else ""
        why = "failed" if (state or {}).get("status") == "failed" else "not run yet"
        return (f'<div class="spec-curve"><span class="muted">specification curve {why}: '
                f"<code>research sweep {esc(claim)}</code></span> {link}</div>")
    block = (summary.get("by_aspect") or {}).get(aspect) or summary
    count = f"{int(block.get('valid') or 0):,}"
    scope = f" on {esc(aspect)}" if aspect and aspect in (summary.get("by_aspect") or {}) else ""
    link = f'<a href="{esc(success["html"])}">curve</a>' if success.get("html") else ""
    return (f'<div class="spec-curve" data-spec-curve="{esc(claim)}">{shares_bar(block)}'
            f"{badge(str(block.get('label', '')))}<br>{esc(_share_words(block))}"
            f'<br><span class="muted">of {count} specifications{scope}</span> · {link}</div>')


# -- multiple testing across claims ---------------------------------------------------------------
def holm(pvalues: Sequence[float]) -> list[float]:
    """Holm's step-down adjusted p-values (family-wise error rate), in the input order.

    Written out here rather than taken from statsmodels (``research.stats.adjust_pvalues``, which
    the tests check it against) because the scorecard is rebuilt on every run, even a no-op one,
    and must not import numpy or statsmodels.
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
    """
    curves = spec_curves(reports, states)
    members: list[dict[str, Any]] = []
    left_out: list[str] = []
    for claim in CLAIMS:
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
        for v in _verdicts_for(state, claim):
            name = f"{claim}{' ' + v.aspect if v.aspect else ''}"
            if v.label == "not testable":
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
                                f"(run <code>research sweep {claim}</code>)")
    if members:
        adjusted_holm = holm([m["p_raw"] for m in members])
        adjusted_bh = benjamini_hochberg([m["p_raw"] for m in members])
        for m, h, b in zip(members, adjusted_holm, adjusted_bh, strict=True):
            m["p_holm"], m["p_bh"] = h, b
    return members, left_out


def _survives(m: Mapping[str, Any]) -> str:
    """Whether a member stays below its verdict's own level (1 - interval level) after Holm / BH."""
    alpha = m.get("alpha")
    if not alpha:
        return "—"
    words = ["yes" if m[k] < alpha else "no" for k in ("p_holm", "p_bh")]
    return f"{words[0]} / {words[1]} (at {alpha:g})"


def p_text(p: float) -> str:
    return "&lt; 0.001" if p < 0.001 else f"{p:.3f}"


def _adjusted_cell(member: Mapping[str, Any] | None) -> str:
    if not member:
        return ""
    raw = "" if member["basis"].startswith("reported") else f"bootstrap p {p_text(member['p_raw'])} · "
    return (f'<div class="adjusted">{raw}Holm p {p_text(member["p_holm"])} · '
            f'BH p {p_text(member["p_bh"])}</div>')


def _report_link(report: Any, state: Mapping[str, Any] | None) -> str:
    label = esc(report.title or report.name)
    html_name = ((state or {}).get("success") or {}).get("html")
    return f'<a href="{esc(html_name)}">{label}</a>' if html_name else label


def scorecard_rows(reports: Sequence[Any], states: Mapping[str, Mapping[str, Any]],
                   family: Sequence[Mapping[str, Any]] | None = None) -> list[tuple[str, list[str]]]:
    """(claim id, cells) rows: one per verdict per report; placeholders where nothing exists.

    Specification-curve reports give no rows of their own: their shares fill the Robustness cell
    of the claim's verdicts. ``family`` (from :func:`testing_family`) adds the adjusted p-values.
    """
    curves = spec_curves(reports, states)
    if family is None:
        family = testing_family(reports, states)[0]
    adjusted = {(m["report"].name, m["claim"], m["aspect"]): m for m in family}
    rows: list[tuple[str, list[str]]] = []
    for claim in CLAIMS:
        claim_rows: list[list[str]] = []
        curve = curves.get(claim)
        for report in reports:
            state = states.get(report.name)
            if spec_curve_claim(report, state):
                continue
            verdicts = _verdicts_for(state, claim)
            success = (state or {}).get("success") or {}
            ran = when(success.get("ran_at"))
            for v in verdicts:
                own = _robustness_text(state)
                curve_cell = "" if v.label == "not testable" else spec_curve_cell(curve, v.aspect)
                robustness = curve_cell + (
                    f'<div class="muted">the report\'s own checks agree: {own}</div>' if own else "")
                claim_rows.append([
                    esc(v.aspect) + _specification_note(report), badge(v.label), esc(v.statistic_text()),
                    esc(v.interval_text()) + _adjusted_cell(adjusted.get((report.name, claim, v.aspect))),
                    esc(v.n if v.n is not None else "—"), esc(v.sample or "—"),
                    f'<span class="vintage">{esc(_vintage_text(v, state))}</span>',
                    robustness, _report_link(report, state), f"{ran}<br>{_last_run_cell(state)}",
                ])
            if not verdicts and claim in report.claims:
                what = "no verdict recorded for this claim" if success else "no successful run yet"
                claim_rows.append([_specification_note(report), f'<span class="muted">{what}</span>', "", "", "",
                                   "", "", spec_curve_cell(curve), _report_link(report, state),
                                   f"{ran}<br>{_last_run_cell(state)}"])
        if not claim_rows:
            if claim in NOT_TESTABLE:
                claim_rows.append(["", badge("not testable"), esc(NOT_TESTABLE[claim]), "", "", "", "", "",
                                   '<span class="muted">no report</span>', ""])
            else:
                claim_rows.append(["", '<span class="muted">no report yet</span>', "", "", "", "", "",
                                   spec_curve_cell(curve), "", ""])
        rows += [(claim, cells) for cells in claim_rows]
    return rows


def _scorecard_table(reports: Sequence[Any], states: Mapping[str, Mapping[str, Any]],
                     family: Sequence[Mapping[str, Any]] | None = None) -> str:
    head = ("Claim", "Commentary", "Aspect", "Verdict", "Statistic", "Interval / p", "n", "Sample",
            "Vintage", "Robustness", "Report", "Last run")
    out = ['<table class="scorecard"><thead><tr>' + "".join(f"<th>{h}</th>" for h in head) + "</tr></thead><tbody>"]
    rows = scorecard_rows(reports, states, family)
    for i, (claim, cells) in enumerate(rows):
        first = i == 0 or rows[i - 1][0] != claim
        span = sum(1 for c, _ in rows if c == claim)
        lead = (f'<td rowspan="{span}"><b>{claim}</b></td><td rowspan="{span}" class="claim-text">{esc(CLAIMS[claim])}</td>'
                if first else "")
        body = "".join(f'<td class="robustness">{c}</td>' if j == 7 else f"<td>{c}</td>" for j, c in enumerate(cells))
        out.append(f'<tr data-claim="{claim}">{lead}{body}</tr>')
    out.append("</tbody></table>")
    return "".join(out)


def _family_table(family: Sequence[Mapping[str, Any]], left_out: Sequence[str], states: Mapping[str, Any]) -> str:
    """The multiple-testing section: every member with its raw and adjusted p-values."""
    if not family and not left_out:
        return ""
    rows = "".join(
        f'<tr data-family="{esc(m["claim"])}"><td>{esc(m["claim"])}</td><td>{esc(m["aspect"] or "—")}</td>'
        f"<td>{badge(m['label'])}</td><td>{p_text(m['p_raw'])}</td><td>{p_text(m['p_holm'])}</td>"
        f"<td>{p_text(m['p_bh'])}</td><td>{_survives(m)}</td><td>{esc(m['basis'])}</td>"
        f"<td>{_report_link(m['report'], states.get(m['report'].name))}</td></tr>"
        for m in family)
    head = "".join(f"<th>{h}</th>" for h in ("Claim", "Aspect", "Verdict", "p (raw)", "Holm", "Benjamini-Hochberg",
                                             "Below the verdict's level after Holm / BH",
                                             "Source of the raw p", "Report"))
    notes = "".join(f"<li>{item}</li>" for item in left_out)
    return (
        '<h2 id="multiple-testing">Multiple testing across claims</h2>'
        f'<p class="muted">{len(family)} main verdicts carry a p-value: those of each claim\'s first '
        "report (the other reports are variants of the same test, not new hypotheses). Tested together, "
        "some would look significant by chance. Holm's adjustment bounds the chance of even one false "
        "rejection in the family; Benjamini-Hochberg bounds the expected share of false rejections among "
        "those made. The tests differ in their hypotheses and sidedness (each verdict states its own), "
        "so the adjustment is a guard against luck, not a re-test. Where a verdict has only a bootstrap "
        "interval, its p-value is the one that interval inverts (twice the share of bootstrap means on "
        "the far side of zero, same draws and seed), so the verdict and its p-value agree. A verdict's "
        "level is one minus its interval's (0.10 for 90% intervals, 0.05 for 95%); a 'no' means the "
        "result would not clear its own bar once the other claims are counted; '—' that the verdict has no "
        "interval to take a level from (C4 ranks its gauge against its own history).</p>"
        f'<table class="family"><tr>{head}</tr>{rows}</table>'
        + (f'<p class="muted">Left out of the family:</p><ul class="muted">{notes}</ul>' if notes else ""))


def _forecast_table(reports: Sequence[Any], states: Mapping[str, Mapping[str, Any]]) -> str:
    rows: list[tuple[Any, dict[str, Any]]] = []
    for report in reports:
        extra = (((states.get(report.name) or {}).get("success") or {}).get("extra")) or {}
        for item in extra.get("forecasts") or []:
            if isinstance(item, dict):
                rows.append((report, item))
    if not rows:
        return ""
    columns: list[str] = []
    for _, item in rows:
        columns += [k for k in item if k not in columns]
    head = "".join(f"<th>{esc(c)}</th>" for c in columns) + "<th>report</th>"
    body = "".join(
        "<tr>" + "".join(f"<td>{esc(_fmt(item.get(c)))}</td>" for c in columns)
        + f"<td>{_report_link(report, states.get(report.name))}</td></tr>"
        for report, item in rows
    )
    return f'<h2 id="forecasts">Forecast scorecard</h2><table class="forecasts"><tr>{head}</tr>{body}</table>'


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _reports_table(reports: Sequence[Any], states: Mapping[str, Mapping[str, Any]],
                   decisions: Mapping[str, Any]) -> str:
    head = "".join(f"<th>{h}</th>" for h in ("Report", "Notebook", "Claims", "State", "Why", "Last good run",
                                             "Seconds", "Files"))
    rows = []
    for report in reports:
        state = states.get(report.name) or {}
        success = state.get("success") or {}
        decision = decisions.get(report.name)
        label = decision.state if decision else ("failed" if state.get("status") == "failed" else "—")
        why = "; ".join(decision.reasons) if decision and decision.run else ""
        if state.get("status") == "failed":
            label_html = '<span class="failed">failed</span>'
        else:
            label_html = esc(label)
        files = []
        if success.get("html"):
            files.append(f'<a href="{esc(success["html"])}">html</a>')
        if success.get("ipynb"):
            files.append(f'<a href="{esc(success["ipynb"])}">ipynb</a>')
        failed_nb = (state.get("attempt") or {}).get("failed_notebook")
        if state.get("status") == "failed" and failed_nb:
            files.append(f'<a href="{esc(failed_nb)}">failed ipynb</a>')
            failed_page = (state.get("attempt") or {}).get("failed_html")
            if failed_page:
                files.append(f'<a href="{esc(failed_page)}">failed html</a>')
        seconds = success.get("seconds")
        swept = spec_curve_claim(report, state)
        claims = f"{swept} (specification curve)" if swept else ", ".join(report.claims)
        rows.append(
            f'<tr data-report="{esc(report.name)}" data-state="{esc(label)}"><td>{_report_link(report, state)}</td>'
            f"<td><code>{esc(report.notebook.name)}</code></td><td>{esc(claims)}</td>"
            f"<td>{label_html}</td><td>{esc(why)}</td><td>{when(success.get('ran_at')) or '—'}</td>"
            f"<td>{'' if seconds is None else f'{seconds:.1f}'}</td><td>{' · '.join(files)}</td></tr>"
        )
    return f'<table class="reports"><tr>{head}</tr>{"".join(rows)}</table>'


def index_html(reports: Sequence[Any], states: Mapping[str, Mapping[str, Any]],
               decisions: Mapping[str, Any] | None = None, *, generated_at: str | None = None) -> str:
    """The scorecard page: one row per claim and verdict, forecasts, and every report's state."""
    generated_at = generated_at or dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    family, left_out = testing_family(reports, states)
    body = (
        "<h1>Small caps: the commentary on trial</h1>"
        '<p class="muted">Each claim from the October 2025 commentary, tested on public data. '
        "Verdicts: supported, contradicted, mixed, inconclusive, not testable. "
        f"Built from the recorded runs at {when(generated_at)}; nothing here is re-executed.</p>"
        '<h2 id="scorecard">Scorecard</h2>' + _scorecard_table(reports, states, family)
        + _family_table(family, left_out, states)
        + _forecast_table(reports, states)
        + '<h2 id="reports">Reports</h2>' + _reports_table(reports, states, decisions or {})
    )
    return page("Scorecard — small caps commentary", body, wide=True)
