"""A report's page from its executed notebook, and the page of a failed run.

Pages are rendered in the runner's worker process with nbconvert's ``HTMLExporter`` (imported
lazily; it is slow to import). Code is hidden when exporting (``exclude_input=True``), not
through papermill's ``report_mode``, which nbconvert ignores (papermill #506). The page opens
with the title and the verdict box, then figures and tables, and ends with a footer the runner
injects: parameters, each input's vintage and sha256, package version and git commit, run time.
The page is self-contained: images are inline, CSS is ours and small, and there are no external
scripts. The HTML around nbconvert's output is in ``templates/`` (page, failed, footer).
"""

from __future__ import annotations

import copy
import functools
import html
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup

from research.report.tables import ALT_KEY, readable_tables
from research.report.templating import render
from research.verdict import Verdict, verdict_box

VERDICT_MARK = 'class="verdict-box"'


NO_ALT = "No description has been provided for this image"  # nbconvert's own words
_IMG_WITHOUT_ALT = re.compile(r"<img\b(?![^>]*\salt=)", re.IGNORECASE)


def accessible(body: str) -> str:
    """What nbconvert's ``HTMLExporter`` does last, without re-parsing the page: every ``<img>``
    without an alt text gets nbconvert's (figures carry their own, bound by :func:`_bind_alt`).
    nbconvert does it by parsing and re-serialising the whole page with BeautifulSoup, 2.5 of the
    3 s a specification curve's 1 MB page took to render. Its other edit, making cells inside
    ``.jp-Notebook`` focusable, changes nothing under the ``basic`` template, which has no such
    container. Tested tree-equal to nbconvert's result."""
    return _IMG_WITHOUT_ALT.sub(f'<img alt="{NO_ALT}"', body)


@functools.cache
def _exporter(show_code: bool) -> Any:
    import logging

    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class ReaderExporter(HTMLExporter):
        """``HTMLExporter`` with its last step (BeautifulSoup over the whole page) done by
        :func:`accessible`; the steps before it are nbconvert's own (7.x)."""

        def from_notebook_node(self, nb: Any, resources: dict | None = None, **kw: Any) -> tuple[str, dict]:
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            self.register_filter("highlight_code", self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
            resources = self._init_resources(resources)
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            body, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            return accessible(body), resources

    # nbconvert warns about every figure without alt text; that is noise in a run's output.
    quiet = logging.getLogger("research.report.nbconvert")
    quiet.setLevel(logging.ERROR)
    return ReaderExporter(
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
    # A title from the registry is text, not markdown's raw HTML: escape it; the notebook's own
    # H1 is the author's markdown and stays as written.
    heading = html.escape(title, quote=False) if title else h1
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
            for out in kept:
                _bind_alt(out)
            cell.outputs = kept
        elif cell.cell_type == "raw" or (cell.cell_type == "markdown" and not cell.source.strip()):
            continue
        cells.append(cell)
    if boxes:
        box = boxes[-1]
    else:
        shown = [Verdict.from_dict(v) for v in verdicts]
        box_html = verdict_box(shown) if shown else render("verdict_missing.html.j2")
        box = nbformat.v4.new_output("display_data", data={"text/html": box_html})
    head = [nbformat.v4.new_markdown_cell(f"# {heading}")] if heading else []
    head.append(nbformat.v4.new_code_cell(source="", outputs=[box]))
    if rest:
        head.append(nbformat.v4.new_markdown_cell(rest))
    nb.cells = head + cells
    return nb, title


def report_html(nb: Any, *, title: str, verdicts: Sequence[Mapping[str, Any]] = (),
                footer: Mapping[str, Any] | None = None, history: Mapping[str, Any] | None = None) -> str:
    """The reader's page for an executed notebook: code hidden, verdict first, footer last.

    ``history`` (``{"rows": [...], "note": ...}`` from :func:`research.runner.history.page_history`)
    adds the verdict's history above the footer: run date, label, estimate, interval and cause.
    """
    reader, title = reader_notebook(nb, title=title, verdicts=verdicts)
    body, _ = _exporter(False).from_notebook_node(reader, resources={"metadata": {"name": title}})
    # nbconvert's output is the notebook's own HTML (figures, tables, the verdict box); pandas'
    # tables are rewritten for readers.
    body = readable_tables(body, stem=(footer or {}).get("report") or "table")
    return render("page.html.j2", title=title, body=Markup(body), footer=footer_context(footer), wide=False,
                  history=history)


IMAGE_TYPES = ("image/png", "image/jpeg")
UNTITLED = "Figure (untitled)"


def _bind_alt(output: Any) -> None:
    """Give a figure output its own alt text, which nbconvert's template writes into that
    output's ``<img>``: the title :mod:`research.report.figure_alt` recorded in the output's
    metadata, else "Figure (untitled)". Bound to the output, not matched by page order, so an
    ``<img>`` written in a markdown cell or an HTML output cannot shift the figures' texts."""
    data = output.get("data") or {}
    if not any(t in data for t in IMAGE_TYPES):
        return
    meta = output.setdefault("metadata", {})
    per_type = [meta[t] for t in IMAGE_TYPES if isinstance(meta.get(t), Mapping)]
    if not (meta.get(ALT_KEY) or any(m.get(ALT_KEY) for m in per_type)):
        meta[ALT_KEY] = UNTITLED
        for m in per_type:  # nbconvert reads a per-type "" before the top-level text
            m.pop(ALT_KEY, None)


def failed_html(nb: Any, *, title: str, error: Mapping[str, Any], footer: Mapping[str, Any] | None = None) -> str:
    """A page for a failed run, code and traceback shown: it is for whoever fixes the notebook."""
    body, _ = _exporter(True).from_notebook_node(nb, resources={"metadata": {"name": title}})
    return render("failed.html.j2", title=f"FAILED: {title}", report_title=title, error=error,
                  body=Markup(body), footer=footer_context(footer), wide=False)


def footer_context(info: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """What ``footer.html.j2`` shows: parameters, inputs (vintage, sha256), package, commit,
    timings; None (no footer) for an empty ``info``."""
    if not info:
        return None
    params = info.get("parameters") or {}
    inputs = info.get("inputs") or {}
    return {
        "report": info.get("report", ""),
        "ipynb": info.get("ipynb"),
        "index": info.get("index", "index.html"),
        "notebook": info.get("notebook", ""),
        "parameters": [(k, json.dumps(v, default=str)) for k, v in sorted(params.items())],
        "inputs": [(name, (d or {}).get("vintage", "—"), (d or {}).get("sha256", "—"), bool((d or {}).get("newer_than_lock")))
                   for name, d in sorted(inputs.items())],
        "version": info.get("version", "?"),
        "commit": info.get("git_commit"),
        "lock": str(info.get("lock") or "")[:16],
        "seconds": f"{float(info.get('seconds', 0.0)):.1f}",
        "ran_at": info.get("ran_at", ""),
        "key": str(info.get("key", ""))[:16],
    }
