"""HTML for readers: each report page (nbconvert, code hidden) and the scorecard ``index.html``.

Report pages are rendered in the runner's worker process with nbconvert's ``HTMLExporter``
(imported lazily; it is slow to import). Code is hidden when exporting
(``exclude_input=True``), not through papermill's ``report_mode``, which nbconvert ignores
(papermill #506). The page opens with the title and the verdict box, then figures and tables,
and ends with a footer the runner injects: parameters, each input's vintage and sha256, package
version and git commit, run time. The page is self-contained: images are inline, CSS is ours and
small, and there are no external scripts.

The scorecard is built from the state files alone (pure string work, standard library only), so
it can be rebuilt at the end of every run, even a no-op one, without executing anything.
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
    extra = (((state or {}).get("success") or {}).get("extra")) or {}
    value = extra.get("robustness_share")
    if value is None:
        return ""
    if isinstance(value, (int, float)) and 0 <= value <= 1:
        return f"{value:.0%}"
    return esc(value)


def _report_link(report: Any, state: Mapping[str, Any] | None) -> str:
    label = esc(report.title or report.name)
    html_name = ((state or {}).get("success") or {}).get("html")
    return f'<a href="{esc(html_name)}">{label}</a>' if html_name else label


def scorecard_rows(reports: Sequence[Any], states: Mapping[str, Mapping[str, Any]]) -> list[tuple[str, list[str]]]:
    """(claim id, cells) rows: one per verdict per report; placeholders where nothing exists."""
    rows: list[tuple[str, list[str]]] = []
    for claim in CLAIMS:
        claim_rows: list[list[str]] = []
        for report in reports:
            state = states.get(report.name)
            verdicts = _verdicts_for(state, claim)
            success = (state or {}).get("success") or {}
            ran = when(success.get("ran_at"))
            for v in verdicts:
                claim_rows.append([
                    esc(v.aspect), badge(v.label), esc(v.statistic_text()), esc(v.interval_text()),
                    esc(v.n if v.n is not None else "—"), esc(v.sample or "—"), esc(_vintage_text(v, state)),
                    _robustness_text(state), _report_link(report, state), ran, _last_run_cell(state),
                ])
            if not verdicts and claim in report.claims:
                what = "no verdict recorded for this claim" if success else "no successful run yet"
                claim_rows.append(["", f'<span class="muted">{what}</span>', "", "", "", "", "", "",
                                   _report_link(report, state), ran, _last_run_cell(state)])
        if not claim_rows:
            if claim in NOT_TESTABLE:
                claim_rows.append(["", badge("not testable"), "", esc(NOT_TESTABLE[claim]), "", "", "", "",
                                   '<span class="muted">no report</span>', "", ""])
            else:
                claim_rows.append(["", '<span class="muted">no report yet</span>'] + [""] * 9)
        rows += [(claim, cells) for cells in claim_rows]
    return rows


def _scorecard_table(reports: Sequence[Any], states: Mapping[str, Mapping[str, Any]]) -> str:
    head = ("Claim", "Commentary", "Aspect", "Verdict", "Statistic", "Interval / p", "n", "Sample",
            "Vintage", "Robustness", "Report", "Ran at", "Last run")
    out = ['<table class="scorecard"><thead><tr>' + "".join(f"<th>{h}</th>" for h in head) + "</tr></thead><tbody>"]
    rows = scorecard_rows(reports, states)
    for i, (claim, cells) in enumerate(rows):
        first = i == 0 or rows[i - 1][0] != claim
        span = sum(1 for c, _ in rows if c == claim)
        lead = (f'<td rowspan="{span}"><b>{claim}</b></td><td rowspan="{span}" class="claim-text">{esc(CLAIMS[claim])}</td>'
                if first else "")
        out.append(f'<tr data-claim="{claim}">{lead}' + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


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
        rows.append(
            f'<tr data-report="{esc(report.name)}" data-state="{esc(label)}"><td>{_report_link(report, state)}</td>'
            f"<td><code>{esc(report.notebook.name)}</code></td><td>{esc(', '.join(report.claims))}</td>"
            f"<td>{label_html}</td><td>{esc(why)}</td><td>{when(success.get('ran_at')) or '—'}</td>"
            f"<td>{'' if seconds is None else f'{seconds:.1f}'}</td><td>{' · '.join(files)}</td></tr>"
        )
    return f'<table class="reports"><tr>{head}</tr>{"".join(rows)}</table>'


def index_html(reports: Sequence[Any], states: Mapping[str, Mapping[str, Any]],
               decisions: Mapping[str, Any] | None = None, *, generated_at: str | None = None) -> str:
    """The scorecard page: one row per claim and verdict, forecasts, and every report's state."""
    generated_at = generated_at or dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    body = (
        "<h1>Small caps: the commentary on trial</h1>"
        '<p class="muted">Each claim from the October 2025 commentary, tested on public data. '
        "Verdicts: supported, contradicted, mixed, inconclusive, not testable. "
        f"Built from the recorded runs at {when(generated_at)}; nothing here is re-executed.</p>"
        '<h2 id="scorecard">Scorecard</h2>' + _scorecard_table(reports, states)
        + _forecast_table(reports, states)
        + '<h2 id="reports">Reports</h2>' + _reports_table(reports, states, decisions or {})
    )
    return page("Scorecard — small caps commentary", body, wide=True)
