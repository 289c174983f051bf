"""Report pages and the scorecard, rendered from in-memory notebooks and state dicts."""

from __future__ import annotations

import html
import re
from pathlib import Path

from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from research.claims import catalog
from research.report import page as report_page
from research.report import scorecard
from research.runner.registry import Report
from research.verdict import Verdict, verdict_box

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
VERDICT = Verdict(claim="C1", label="inconclusive", hypothesis="easing helps small caps", statistic=0.8,
                  interval=(-0.4, 2.0), interval_level=0.9, n=8, sample="1954..2025", vintage={"FEDFUNDS": "2025-10"})


def executed_notebook():
    """Shaped like a papermill output: parameters, injected parameters, check, prose, figure, verdict."""
    nb = new_notebook()
    nb.cells = [
        new_code_cell("horizon: int = 12  # months", metadata={"tags": ["parameters"]}),
        new_code_cell("horizon = 6", metadata={"tags": ["injected-parameters"]}),
        new_code_cell("from research.params import check_parameters; check_parameters(globals())"),
        new_markdown_cell("# Easing cycles and small caps\n\nDoes the first cut help small caps?"),
        new_code_cell("import matplotlib.pyplot as plt\nfig = plt.plot([1, 2])", outputs=[
            new_output("stream", name="stderr", text="FutureWarning: noise\n"),
            new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"}),
        ]),
        new_code_cell("summary_table", outputs=[new_output(
            "execute_result", data={"text/html": "<table class='dataframe'><tr><td>1.5</td></tr></table>"},
            execution_count=5)]),
        new_code_cell("record(verdict)", outputs=[
            new_output("display_data", data={"text/html": verdict_box([VERDICT])}),
            new_output("execute_result", data={"text/plain": "{'verdicts': [...]}"}, execution_count=6),
        ]),
    ]
    return nb


FOOTER = {"report": "easing", "notebook": "notebooks/easing.ipynb", "parameters": {"horizon": 6},
          "inputs": {"fedfunds": {"sha256": "ab" * 32, "vintage": "2025-10-01"}}, "version": "0.1.0",
          "git_commit": "c0ffee", "seconds": 3.25, "ran_at": "2025-11-01T06:00:00Z", "key": "k" * 64,
          "ipynb": "easing.ipynb", "lock": "9f" * 32}


def test_report_hides_code_and_opens_with_title_then_verdict():
    page = report_page.report_html(executed_notebook(), title="", footer=FOOTER)
    body = page[:page.index("<footer")]
    for source in ("check_parameters", "import matplotlib", "summary_table", "record(verdict)", "horizon = 6"):
        assert source not in body
    assert "jp-InputArea" not in body and 'class="input' not in body and "highlight" not in body
    assert "<pre>" not in body  # no input source, and the stderr noise and record() echo are gone
    main = page[page.index("<main>"):]
    h1, box, prose, image = (main.index(s) for s in ("<h1", 'class="verdict-box"', "Does the first cut",
                                                       "data:image/png;base64,"))
    assert h1 < box < prose < image
    assert main[:h1].count("<div") <= 3 and "<p>" not in main[:box]  # nothing but the title before the box
    assert page.count('class="verdict-box"') == 1
    assert "<script" not in page and "http" not in re.sub(r'href="[^"]*"', "", page)  # self-contained


def test_footer_has_parameters_inputs_package_commit_and_timing():
    page = report_page.report_html(executed_notebook(), title="C1 — deciles", footer=FOOTER)
    footer = page[page.index('<footer class="report-footer">'):]
    for text in ("horizon = 6", "fedfunds", "2025-10-01", "ab" * 32, "research 0.1.0", "c0ffee",
                 "executed in 3.2 s", "2025-11-01T06:00:00Z", 'href="easing.ipynb"', 'href="index.html"'):
        assert text in footer, text
    assert "<title>C1 — deciles</title>" in page and "<h1>C1 — deciles</h1>" in page
    assert "requirements.lock</code> sha256 <code>" + "9f" * 8 + "</code>" in footer  # the dependency lock
    bare = report_page.report_html(executed_notebook(), title="t", footer={**FOOTER, "lock": None})
    assert "no requirements.lock" in bare


def test_without_a_displayed_box_the_verdict_comes_from_the_sidecar():
    nb = executed_notebook()
    nb.cells = nb.cells[:-1]
    page = report_page.report_html(nb, title="t", verdicts=[VERDICT.to_dict()])
    assert 'data-claim="C1"' in page
    assert "recorded no verdict" in report_page.report_html(nb, title="t")


def test_failed_page_shows_code_and_the_error():
    nb = executed_notebook()
    nb.cells.append(new_code_cell("1/0", outputs=[new_output("error", ename="ZeroDivisionError",
                                                             evalue="division by zero", traceback=["boom"])]))
    page = report_page.failed_html(nb, title="easing", error={"cell_index": 7, "first_line": "ZeroDivisionError: division by zero"})
    assert "FAILED: easing" in page and "ZeroDivisionError: division by zero" in page
    assert "input_area" in page and "check_parameters" in page  # code shown: this page is for fixing it


# -- scorecard ---------------------------------------------------------------------------------
def state(name, verdicts, *, status="ok", extra=None, error=None):
    success = {"ran_at": "2025-11-01T06:00:00Z", "seconds": 4.0, "html": f"{name}.html", "ipynb": f"{name}.ipynb",
               "verdicts": [v.to_dict() for v in verdicts], "extra": extra or {},
               "inputs": {"fedfunds": {"sha256": "x", "vintage": "2025-10-01"}}}
    attempt = {"ran_at": "2025-11-02T06:00:00Z", "error": error, "failed_notebook": f"_failed/{name}.ipynb"}
    return {"status": status, "success": success, "attempt": attempt}


REPORTS = [
    Report("c1_deciles", Path("easing.ipynb"), title="C1 by deciles", claims=("C1",)),
    Report("c1_russell", Path("easing.ipynb"), title="C1 by Russell", claims=("C1",)),
    Report("c3", Path("quality.ipynb"), claims=("C3",)),
    Report("c7", Path("yearend.ipynb"), claims=("C7",)),
    Report("c5", Path("technicals.ipynb"), claims=("C5",)),
]
STATES = {
    "c1_deciles": state("c1_deciles", [VERDICT], extra={"robustness_share": 0.6}),
    "c1_russell": state("c1_russell", [Verdict(claim="C1", label="supported", hypothesis="h", n=8)],
                        status="failed", error={"first_line": "DataUnavailable: dataset 'rut' is not available"}),
    "c3": state("c3", [Verdict(claim="C3", aspect=a, label=lab, hypothesis=a, p_value=0.01)
                       for a, lab in (("value tilt", "supported"), ("less profitable", "contradicted"),
                                      ("inferior", "mixed"))]),
    "c7": state("c7", [Verdict(claim="C7", label="supported", hypothesis="h")],
                extra={"forecasts": [{"target": "R2000 >= 2665", "probability": 0.312, "outcome": "miss"}]}),
}


def rows_of(page: str, claim: str) -> list[str]:
    return re.findall(rf'<tr data-claim="{claim}">(.*?)</tr>', page)


def test_scorecard_has_one_row_per_claim_verdict_and_report():
    page = scorecard.index_html(REPORTS, STATES, generated_at="now")
    # the rows are the catalog's claims, in its order, each at least once
    assert list(dict.fromkeys(re.findall(r'<tr data-claim="(C\d+)">', page))) == list(catalog.known_ids())
    c1 = rows_of(page, "C1")
    assert len(c1) == 2 and 'href="c1_deciles.html"' in c1[0] and 'href="c1_russell.html"' in c1[1]
    assert "inconclusive" in c1[0] and "90% CI [-0.40, 2.00]" in c1[0] and "FEDFUNDS 2025-10" in c1[0]
    assert "60%" in c1[0]  # robustness share
    assert 'class="failed"' in c1[1] and "DataUnavailable: dataset &#x27;rut&#x27; is not available" in c1[1]
    assert [a in "".join(rows_of(page, "C3")) for a in ("value tilt", "less profitable", "inferior")] == [True] * 3
    assert len(rows_of(page, "C3")) == 3


def test_scorecard_placeholders_for_missing_reports():
    page = scorecard.index_html(REPORTS, STATES, generated_at="now")
    untestable = [c for c in catalog.claims().values() if not c.testable]
    assert untestable  # the check looks at a real one
    for claim in untestable:  # the reason and the data that would settle it, from the catalog
        (row,) = rows_of(page, claim.id)
        assert "not testable" in row and html.escape(claim.not_testable, quote=False) in row
        assert html.escape(claim.settle, quote=False) in row
    (c2,) = rows_of(page, "C2")
    assert "no report yet" in c2
    (c5,) = rows_of(page, "C5")
    assert "no successful run yet" in c5 and "not run yet" in c5


def test_forecast_scorecard_and_reports_section():
    page = scorecard.index_html(REPORTS, STATES, generated_at="now")
    assert "Forecast scorecard" in page and "R2000 &gt;= 2665" in page and "31.2%" in page  # a probability, in percent
    section = page[page.index('id="reports"'):]
    assert section.count("<tr data-report=") == len(REPORTS)
    assert 'href="_failed/c1_russell.ipynb"' in section
    assert "Forecast scorecard" not in scorecard.index_html(REPORTS[:1], STATES, generated_at="now")


# -- escaping: every string from the registry, a parameter, data or an error ------------------------
def evil(field: str) -> str:
    return f"<script>alert('{field}')</script> & {field}"


def escaped(field: str) -> str:
    return f"&lt;script&gt;alert(&#x27;{field}&#x27;)&lt;/script&gt; &amp; {field}"


def assert_escaped(page: str, fields) -> None:
    assert "<script" not in page
    # nbconvert re-serializes notebook output (the verdict box), writing ' for &#x27;: both are safe
    missing = [f for f in fields if escaped(f) not in page and escaped(f).replace("&#x27;", "'") not in page]
    assert not missing, f"not shown escaped: {missing}"


EVIL_VERDICT = Verdict(claim="C1", aspect=evil("aspect"), label="supported", hypothesis=evil("hypothesis"),
                       statistic=1.0, statistic_name=evil("statistic_name"), interval=(0.1, 2.0), interval_level=0.9,
                       sample=evil("sample"), vintage={evil("vintage_name"): evil("vintage")}, n=3,
                       method=evil("method"), rule=evil("rule"), note=evil("note"))
FOOTER_FIELDS = ("report", "notebook", "version", "git_commit", "ran_at", "ipynb", "index")


def evil_footer():
    info = {k: evil(k) for k in FOOTER_FIELDS}
    return {**info, "parameters": {evil("parameter"): evil("value")}, "key": evil("key"),
            "inputs": {evil("dataset"): {"sha256": evil("sha256"), "vintage": evil("input_vintage")}}}


def test_report_page_escapes_title_verdict_and_footer():
    nb = executed_notebook()
    nb.cells = nb.cells[:-1]  # the box comes from the sidecar's verdicts
    page = report_page.report_html(nb, title=evil("title"), verdicts=[EVIL_VERDICT.to_dict()], footer=evil_footer())
    assert_escaped(page, ("title", "aspect", "hypothesis", "statistic_name", "sample", "vintage_name", "vintage",
                          "method", "rule", "note", *FOOTER_FIELDS[:-2], "parameter", "dataset", "sha256",
                          "input_vintage"))
    heading = escaped("title").replace("&#x27;", "'")  # the H1 is markdown: quotes need no escaping
    assert f"<title>{escaped('title')}</title>" in page and f"<h1>{heading}</h1>" in page
    assert f'href="{escaped("ipynb")}"' in page and f'href="{escaped("index")}"' in page
    assert "&quot;" + escaped("value") + "&quot;" in page  # the parameter's JSON, quotes escaped too
    assert escaped("key")[:16] in page


def test_a_notebook_h1_stays_markdown_when_the_registry_gives_no_title():
    nb = executed_notebook()
    nb.cells[3].source = "# Easing *cycles* & small caps\n\nDoes the first cut help?"
    page = report_page.report_html(nb, title="")
    assert "<em>cycles</em> &amp; small caps</h1>" in page and "<title>Easing *cycles* &amp; small caps</title>" in page


def test_failed_page_escapes_title_error_and_footer():
    page = report_page.failed_html(executed_notebook(), title=evil("title"), footer=evil_footer(),
                                   error={"cell_index": evil("cell_index"), "first_line": evil("first_line")})
    assert_escaped(page, ("title", "cell_index", "first_line", *FOOTER_FIELDS[:-2]))
    assert f"<h1>FAILED: {escaped('title')}</h1>" in page and f"<title>FAILED: {escaped('title')}</title>" in page


def test_scorecard_escapes_registry_state_and_errors():
    reports = [
        Report("c1", Path("easing.ipynb"), title=evil("report_title"), claims=("C1",),
               parameters={"small_large": "deciles", evil("parameter"): evil("value")}),
        Report("c1_variant", Path("easing.ipynb"), title=evil("variant_title"), claims=("C1",)),
        Report("c2", Path("rates.ipynb"), title=evil("failed_title"), claims=("C2",)),
        Report("robustness_c1", Path("spec_curve.ipynb"), title=evil("curve_title"), parameters={"claim": "C1"}),
    ]
    no_p = Verdict(claim="C1", aspect=evil("left_out_aspect"), label="inconclusive", hypothesis="h", statistic=1.0,
                   interval=(-1.0, 2.0), interval_level=0.9)
    curve = {"claim": "C1", "valid": 10, "share_supported": 1.0, "label": evil("curve_label"),
             "by_aspect": {evil("aspect"): {"valid": 4, "share_supported": 1.0, "label": "supported"}}}
    states = {
        "c1": {"status": "ok", "success": {
            "ran_at": evil("ran_at"), "html": evil("html"), "ipynb": evil("ipynb"), "seconds": 1.0,
            "verdicts": [{**EVIL_VERDICT.to_dict(), "p_value": 0.01}, no_p.to_dict()],
            "extra": {"robustness_share": evil("robustness_share"),
                      "forecasts": [{evil("forecast_column"): evil("forecast_value")}]}}},
        "c1_variant": {"status": "ok", "success": {"verdicts": [
            Verdict(claim="C1", label="supported", hypothesis="h", vintage={}).to_dict()],
            "inputs": {"fedfunds": {"vintage": evil("state_vintage")}}}},
        "c2": {"status": "failed", "success": {}, "attempt": {
            "ran_at": evil("attempt_ran_at"), "error": {"first_line": evil("error")},
            "failed_notebook": evil("failed_notebook"), "failed_html": evil("failed_html")}},
        "robustness_c1": {"status": "ok", "success": {"html": evil("curve_html"), "extra": {"spec_curve": curve}}},
    }

    class Decision:
        state, reasons, run = evil("decision_state"), (evil("reason"),), True

    page = scorecard.index_html(reports, states, {"c1": Decision()}, generated_at=evil("generated_at"))
    assert_escaped(page, (
        "report_title", "variant_title", "failed_title", "curve_title", "parameter", "value", "aspect",
        "statistic_name", "sample", "vintage_name", "vintage", "state_vintage", "ran_at", "html", "ipynb",
        "robustness_share", "forecast_column", "forecast_value", "attempt_ran_at", "error", "failed_notebook",
        "failed_html", "curve_html", "curve_label", "left_out_aspect", "decision_state", "reason", "generated_at"))
    assert "<code>research sweep C1</code>" in page  # the one piece of HTML in a left-out reason


def test_page_templates_and_page_code_count_in_the_render_hash(tmp_path):
    from research.runner.state import render_hash

    template = tmp_path / "report" / "templates" / "page.html.j2"
    template.parent.mkdir(parents=True)
    (tmp_path / "report" / "page.py").write_text("x = 1\n")
    (tmp_path / "stats.py").write_text("y = 1\n")
    template.write_text("<main>{{ body }}</main>\n")
    before = render_hash(tmp_path)
    (tmp_path / "NOTES.md").write_text("not code\n")
    (tmp_path / "stats.py").write_text("y = 2\n")  # kernel code: keyed per report by the modules it imported
    assert render_hash(tmp_path) == before
    template.write_text("<main class='x'>{{ body }}</main>\n")  # a designer's edit re-renders the pages
    after_template = render_hash(tmp_path)
    assert after_template != before
    (tmp_path / "report" / "page.py").write_text("x = 2\n")
    assert render_hash(tmp_path) != after_template


def test_compiled_templates_are_kept_between_processes_and_recompiled_when_edited(tmp_path):
    from jinja2 import Environment, FileSystemLoader

    from research.report import templating

    cache_dir, templates = tmp_path / "cache", tmp_path / "templates"
    cache_dir.mkdir()
    templates.mkdir()
    (templates / "t.j2").write_text("a {{ x }}")

    def fresh():  # a new process's environment: nothing compiled in memory
        return Environment(loader=FileSystemLoader(templates), bytecode_cache=templating.bytecode_cache(str(cache_dir)))

    assert fresh().get_template("t.j2").render(x=1) == "a 1"
    (stored,) = cache_dir.iterdir()
    assert stored.name.startswith("research-") and stored.stat().st_size > 0  # named for this module's options
    assert fresh().get_template("t.j2").render(x=2) == "a 2"
    (templates / "t.j2").write_text("b {{ x }}")
    assert fresh().get_template("t.j2").render(x=3) == "b 3"  # an edited template is compiled again
    missing = Environment(loader=FileSystemLoader(templates), bytecode_cache=templating.bytecode_cache(str(tmp_path / "gone")))
    assert missing.get_template("t.j2").render(x=4) == "b 4"  # a cache it cannot write never fails a render
    (stored,) = [p for p in cache_dir.iterdir() if p.stat().st_size]
    stored.write_bytes(stored.read_bytes()[:20])  # a damaged file is compiled again
    assert fresh().get_template("t.j2").render(x=5) == "b 5"
    assert templating.environment().bytecode_cache is not None


def _tricky_notebook():
    """Figures with and without alt text, an HTML output carrying its own <img> and output-class
    div, a table, markdown with an image, code with a stderr stream."""
    nb = executed_notebook()
    nb.cells += [
        new_code_cell("fig", outputs=[new_output("display_data", data={"image/png": PNG},
                                                 metadata={"image/png": {"alt": 'Spec "curve" <C5>'}})]),
        new_code_cell("HTML(...)", outputs=[new_output("display_data", data={"text/html": (
            "<div class='x'><IMG src='a.png'><img alt='kept' src='b.png'>"
            '<div class="jp-OutputArea-output inner">nested</div></div>')})]),
        new_markdown_cell("![a chart](data:image/png;base64," + PNG + ")\n\nText <b>bold</b>."),
        new_code_cell("print(1)", outputs=[new_output("stream", name="stdout", text="1\n")]),
    ]
    return nb


def test_fast_export_is_tree_equal_to_nbconvert_html_exporter():
    # the reader's exporter skips HTMLExporter's BeautifulSoup pass (most of a big page's render
    # time) and makes its edits with patterns: the parsed result must be the same tree
    import copy

    from bs4 import BeautifulSoup
    from nbconvert import HTMLExporter

    original = _tricky_notebook()
    for show_code in (False, True):
        nb = copy.deepcopy(original)
        fast, _ = report_page._exporter(show_code).from_notebook_node(nb, resources={"metadata": {"name": "t"}})
        stock = HTMLExporter(template_name="basic", exclude_input=not show_code, exclude_input_prompt=not show_code,
                             exclude_output_prompt=True, exclude_anchor_links=True)
        slow, _ = stock.from_notebook_node(copy.deepcopy(original), resources={"metadata": {"name": "t"}})
        assert BeautifulSoup(fast, "html.parser") == BeautifulSoup(slow, "html.parser")
        assert fast.count(report_page.NO_ALT) == 2  # the two images that came without one


def test_accessible_adds_alt_only_where_there_is_none():
    body = '<img src="a"><img alt="x" src="b"><IMG\nsrc="c"><image-map><p>img</p><img data-alt="y">'
    out = report_page.accessible(body)
    assert out.count(f'alt="{report_page.NO_ALT}"') == 3 and 'alt="x"' in out and 'data-alt="y"' in out
    assert "<image-map>" in out and "<p>img</p>" in out  # other tags and text untouched
