"""Make the tables pandas prints into a notebook readable on a report page.

pandas' ``DataFrame.to_html`` (what a notebook shows for a frame or a result) is written for the
person at the keyboard: snake_case headers, ``True``/``False``, a second header row holding only
the index's name, fractions as ``0.3421``. :func:`readable_tables` rewrites each such table
(``class="dataframe"``) in a rendered page for readers, and puts a link under it that downloads
the table as CSV with the numbers as the notebook had them. Tables built by hand or by a Styler
(other classes) are left alone: their author already chose how they look.

Only the standard library: pandas' HTML is regular enough to rewrite with regular expressions,
and the page is rendered in the runner's worker, once per report.
"""

from __future__ import annotations

import csv
import html
import io
import re
import urllib.parse

TABLE = re.compile(r'<table\b[^>]*class="[^"]*\bdataframe\b[^"]*"[^>]*>.*?</table>', re.S)
SECTION = re.compile(r"<(thead|tbody)\b[^>]*>(.*?)</\1>", re.S)
ROW = re.compile(r"<tr\b([^>]*)>(.*?)</tr>", re.S)
CELL = re.compile(r"<(th|td)\b([^>]*)>(.*?)</\1>", re.S)
TAG = re.compile(r"<[^>]+>")
IDENTIFIER = re.compile(r"^[a-z0-9_]+$")
# Column names whose values are fractions of one, shown as percentages.
FRACTION_WORDS = re.compile(r"share|probability|fraction", re.I)
# Words kept as they are when a header is title-cased: units and abbreviations.
ACRONYMS = {"smb": "SMB", "hml": "HML", "rmw": "RMW", "cma": "CMA", "mkt": "Mkt", "hac": "HAC", "ci": "CI",
            "ew": "EW", "vw": "VW", "ols": "OLS", "se": "SE", "nber": "NBER", "fomc": "FOMC", "cpi": "CPI",
            "spx": "SPX", "rut": "RUT", "id": "ID", "sha256": "SHA-256", "yoy": "YoY"}
UNITS = {"pp", "bp", "bps", "pct", "%", "s", "ms", "n", "p", "t", "x", "usd", "log"}
SMALL_WORDS = {"a", "an", "and", "at", "by", "for", "in", "of", "on", "or", "per", "the", "to", "vs"}
CSV_LABEL = "Download this table as CSV"
ALT_KEY = "alt"  # the key of a figure output's metadata that holds its alt text (figure_alt.py)


def header_text(name: str) -> str:
    """A column name for readers: ``ex_ante_probability`` -> ``Ex Ante Probability``;
    ``mean_pp`` -> ``Mean pp``. Names that are not identifiers (``Mean (pp)``) are left alone."""
    if not IDENTIFIER.match(name) or not re.search(r"[a-z]", name):
        return name
    words = [w for w in name.split("_") if w]
    out = []
    for i, word in enumerate(words):
        if word in ACRONYMS:
            out.append(ACRONYMS[word])
        elif word in UNITS or any(ch.isdigit() for ch in word) or i and word in SMALL_WORDS:
            out.append(word)
        else:
            out.append(word[:1].upper() + word[1:])
    return " ".join(out)


def _text(cell_html: str) -> str:
    return html.unescape(TAG.sub("", cell_html)).strip()


def _fraction(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if 0.0 <= value <= 1.0 else None


def _percent(value: float) -> str:
    return f"{100 * value:.1f}%"


class _Table:
    """A pandas HTML table as rows of [tag, attributes, inner HTML] cells."""

    def __init__(self, source: str):
        self.open_tag = source[: source.index(">") + 1]
        self.head: list[tuple[str, list[list[str]]]] = []
        self.body: list[tuple[str, list[list[str]]]] = []
        for section, inner in SECTION.findall(source):
            rows = [(attrs, [list(c) for c in CELL.findall(row)]) for attrs, row in ROW.findall(inner)]
            (self.head if section == "thead" else self.body).extend(rows)

    def csv(self) -> str:
        """The table as CSV: the cells' text as pandas printed them (header rows first)."""
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        for _, cells in self.head + self.body:
            writer.writerow([_text(c[2]) for c in cells])
        return buf.getvalue()

    def drop_index_name_row(self) -> None:
        """pandas puts a named index on a header row of its own, empty but for the names (one per
        index level); move the names into the first header row's leading cells and drop that row.
        A leading cell that holds the columns' own name keeps it, after the index's name."""
        if len(self.head) < 2:
            return
        _, cells = self.head[-1]
        named = [bool(_text(c[2])) for c in cells]
        levels = named.index(False) if False in named else len(named)
        first = self.head[0][1]
        if not levels or any(named[levels:]) or len(first) < levels or any(
                "colspan" in c[1] for c in first[:levels]):
            return
        for corner, name in zip(first[:levels], cells[:levels], strict=True):
            axis = _text(corner[2])
            if axis:  # e.g. "Group" over the rows, "Horizon" over the columns
                corner[2] = (f"{html.escape(header_text(_text(name[2])), quote=False)}<br>"
                             f'<span class="muted">{html.escape(header_text(axis), quote=False)} \u2192</span>')
            else:
                corner[2] = name[2]
        self.head.pop()

    def columns(self) -> list[str]:
        """The header text over each column of the body (the last header row's)."""
        return [_text(c[2]) for c in self.head[-1][1]] if self.head else []

    def rewrite(self) -> None:
        columns = self.columns()
        fraction_cols = set()
        for j, name in enumerate(columns):
            if not FRACTION_WORDS.search(name):
                continue
            values = [_text(cells[j][2]) for _, cells in self.body if j < len(cells) and cells[j][0] == "td"]
            numbers = [_fraction(v) for v in values if v not in ("", "NaN", "None", "<NA>")]
            if numbers and all(x is not None for x in numbers):
                fraction_cols.add(j)
        for _, cells in self.head:
            for cell in cells:
                text = _text(cell[2])
                if text and cell[2].strip() == html.escape(text, quote=False):  # plain text only
                    cell[2] = html.escape(header_text(text), quote=False)
        for _, cells in self.body:
            for j, cell in enumerate(cells):
                if cell[0] != "td":
                    continue
                text = _text(cell[2])
                if text in ("True", "False"):
                    cell[2] = "yes" if text == "True" else "no"
                elif j in fraction_cols and _fraction(text) is not None:
                    cell[2] = _percent(float(text))

    def html(self) -> str:
        def rows(items: list[tuple[str, list[list[str]]]]) -> str:
            return "".join(f"<tr{attrs}>" + "".join(f"<{t}{a}>{inner}</{t}>" for t, a, inner in cells) + "</tr>"
                           for attrs, cells in items)

        head = f"<thead>{rows(self.head)}</thead>" if self.head else ""
        return f"{self.open_tag}{head}<tbody>{rows(self.body)}</tbody></table>"


def readable_tables(page: str, *, stem: str = "table") -> str:
    """Rewrite every pandas table in ``page`` for readers and add a CSV download link under each.

    The CSV holds the table as the notebook printed it (before the rewriting), named
    ``<stem>-<n>.csv``.
    """
    count = 0

    def one(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        table = _Table(match.group(0))
        data = table.csv()
        table.drop_index_name_row()
        table.rewrite()
        href = "data:text/csv;charset=utf-8," + urllib.parse.quote(data)
        name = html.escape(f"{stem}-{count}.csv", quote=True)
        return (f'{table.html()}\n<p class="csv-download"><a href="{href}" download="{name}">'
                f"{CSV_LABEL}</a></p>")

    return TABLE.sub(one, page)
