"""The claims under test, declared once in ``catalog.toml`` beside this module.

Each claim is data: its id, title, the commentary's words, source and date, the data, the test,
the default verdict rule, the reports that give its verdicts and whether it has a specification
curve (or, when it cannot be tested, why not and which data would settle it)::

    >>> from research.claims import catalog
    >>> catalog.known_ids()[:2]
    ('C1', 'C2')
    >>> catalog.claim("C1").reports
    ('easing_cycles', 'easing_cycles_russell')

The file is checked on load; a problem raises :class:`CatalogError` naming the file, the entry and
the fix. ``docs/claims.md`` is generated from the catalog by :func:`render_markdown`;
``python -m research.claims.catalog --write`` regenerates it and ``--check`` says whether it is
current. Besides the standard library it imports only :mod:`research.config`,
:mod:`research.errors` and :mod:`research.verdict`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import re
import sys
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from research.config import PROJECT_ROOT
from research.errors import ParameterError
from research.verdict import LABELS, RECONCILE_RULE

CATALOG_PATH = Path(__file__).with_name("catalog.toml")
DOC_PATH = PROJECT_ROOT / "docs" / "claims.md"
ID_PATTERN = re.compile(r"^C[1-9][0-9]*$")
REGENERATE = "python -m research.claims.catalog --write"


class CatalogError(ParameterError):
    """``catalog.toml`` is missing, malformed or inconsistent."""


class UnknownClaim(ParameterError, KeyError):
    """A claim id that is not in the catalog."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return self.args[0]


@dataclass(frozen=True)
class Claim:
    id: str
    title: str
    commentary: str
    source: str
    date: dt.date
    data: str
    test: str
    rule: str
    reports: tuple[str, ...]
    spec_curve: bool
    not_testable: str = ""
    settle: str = ""

    @property
    def testable(self) -> bool:
        return not self.not_testable

    @property
    def number(self) -> int:
        return int(self.id[1:])

    @property
    def robustness_report(self) -> str:
        """The report of its specification curve (``robustness_c1``), or "" when it has none."""
        return f"robustness_{self.id.lower()}" if self.spec_curve else ""


@dataclass(frozen=True)
class Number:
    """A number the commentary stated, how we read it, and the reports that check it."""

    said: str
    reading: str
    reports: tuple[str, ...]


@dataclass(frozen=True)
class Reference:
    """A method reference and the claims whose reports use it."""

    cite: str
    use: str
    claims: tuple[str, ...]


@dataclass(frozen=True)
class SmallLarge:
    """The default definition of small and large caps, and the alternatives."""

    default: str
    alternatives: tuple[str, ...]
    daily: str
    returns: str


@dataclass(frozen=True)
class Catalog:
    path: Path
    claims: Mapping[str, Claim]  # ordered by claim number
    labels: Mapping[str, str]  # in the order of research.verdict.LABELS
    headline: Mapping[str, str]  # why the scorecard reconciles labels, and what "fragile" means
    small_large: SmallLarge
    numbers: tuple[Number, ...]
    references: tuple[Reference, ...]


# -- loading and checking ------------------------------------------------------------------------

_TEXT, _TEXTS, _FLAG, _DATE = "text", "list of text", "true or false", "date (YYYY-MM-DD, unquoted)"
CLAIM_KEYS = {"id": _TEXT, "title": _TEXT, "commentary": _TEXT, "source": _TEXT, "date": _DATE,
              "data": _TEXT, "test": _TEXT, "rule": _TEXT, "reports": _TEXTS, "spec_curve": _FLAG}
CLAIM_OPTIONAL = {"not_testable": _TEXT, "settle": _TEXT}
NUMBER_KEYS = {"said": _TEXT, "reading": _TEXT, "reports": _TEXTS}
REFERENCE_KEYS = {"cite": _TEXT, "use": _TEXT, "claims": _TEXTS}
SMALL_LARGE_KEYS = {"default": _TEXT, "alternatives": _TEXTS, "daily": _TEXT, "returns": _TEXT}
HEADLINE_KEYS = {"fragile": _TEXT, "why": _TEXT}
TOP_KEYS = ("labels", "headline", "small_large", "numbers", "references", "claims")


def _is(kind: str, value: Any) -> bool:
    if kind == _TEXT:
        return isinstance(value, str) and bool(value.strip())
    if kind == _TEXTS:
        return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)
    if kind == _FLAG:
        return isinstance(value, bool)
    return type(value) is dt.date  # TOML local dates; a datetime is not a date here


def _fields(entry: Any, where: str, required: Mapping[str, str],
            optional: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The entry's keys, each checked for presence and kind; every message names ``where``."""
    optional = optional or {}
    if not isinstance(entry, dict):
        raise CatalogError(f"{where}: expected a table with the keys {sorted(required)}. "
                           "Fix: see the comment at the top of the file for the layout.")
    missing = [k for k in required if k not in entry]
    if missing:
        raise CatalogError(f"{where}: missing key(s) {missing}. Fix: add them; the comment at the "
                           "top of the file says what each one holds.")
    unknown = sorted(set(entry) - set(required) - set(optional))
    if unknown:
        raise CatalogError(f"{where}: unknown key(s) {unknown}; allowed: "
                           f"{sorted({*required, *optional})}. Fix: rename or remove them.")
    for key, value in entry.items():
        kind = required.get(key) or optional[key]
        if not _is(kind, value):
            raise CatalogError(f"{where}: `{key}` must be {'non-empty ' if kind == _TEXT else ''}"
                               f"{kind}, got {value!r}. Fix: correct the value.")
    return {k: tuple(v) if isinstance(v, list) else v for k, v in entry.items()}


def _claim(path: Path, index: int, entry: Any) -> Claim:
    label = entry.get("id") if isinstance(entry, dict) else None
    where = f"{path} [[claims]] entry {index}" + (f" (id {label!r})" if label is not None else "")
    f = _fields(entry, where, CLAIM_KEYS, CLAIM_OPTIONAL)
    if not ID_PATTERN.match(f["id"]):
        raise CatalogError(f"{where}: malformed id {f['id']!r}; a claim id is 'C' followed by a "
                           "number without leading zeros. Fix: use the next free id, e.g. 'C10'.")
    if ("not_testable" in f) != ("settle" in f):
        raise CatalogError(f"{where}: `not_testable` (why no data can test it) and `settle` (which "
                           "data would) go together. Fix: give both or neither.")
    if "not_testable" in f and (f["reports"] or f["spec_curve"]):
        raise CatalogError(f"{where}: a claim that is not testable has no reports and no "
                           "specification curve. Fix: set `reports = []` and `spec_curve = false`, "
                           "or remove `not_testable` and `settle`.")
    if "not_testable" not in f and not f["reports"]:
        raise CatalogError(f"{where}: a testable claim needs at least one report in `reports` "
                           "(names from notebooks/reports.toml). Fix: add its reports, or declare "
                           "it `not_testable` with `settle`.")
    return Claim(**f)


def _labels(path: Path, entry: Any) -> dict[str, str]:
    where = f"{path} [labels]"
    f = _fields(entry, where, dict.fromkeys(LABELS, _TEXT))
    return {label: f[label] for label in LABELS}


def load(path: Path | str = CATALOG_PATH) -> Catalog:
    """Read and check a catalog file (default: the package's ``catalog.toml``)."""
    path = Path(path)
    if not path.is_file():
        raise CatalogError(f"claim catalog {path} not found. Fix: restore it "
                           "(git checkout -- research/claims/catalog.toml).")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"{path} is not valid TOML: {exc}. Fix: correct that line.") from exc
    missing = [k for k in TOP_KEYS if k not in data]
    unknown = sorted(set(data) - set(TOP_KEYS))
    if missing or unknown:
        raise CatalogError(f"{path}: top-level tables must be exactly {list(TOP_KEYS)}; missing "
                           f"{missing}, unknown {unknown}. Fix: put each claim under [[claims]].")
    for key in ("numbers", "references", "claims"):
        if not isinstance(data[key], list):
            raise CatalogError(f"{path}: `{key}` must be an array of tables, written [[{key}]]. "
                               f"Fix: write each entry under its own [[{key}]] header.")

    claims: dict[str, Claim] = {}
    first_seen: dict[str, int] = {}
    for index, entry in enumerate(data["claims"], start=1):
        c = _claim(path, index, entry)
        if c.id in claims:
            raise CatalogError(f"{path}: claim id {c.id!r} is declared twice ([[claims]] entries "
                               f"{first_seen[c.id]} and {index}). Fix: give the new claim the next "
                               f"free id, C{max(x.number for x in claims.values()) + 1}.")
        claims[c.id] = c
        first_seen[c.id] = index
    if not claims:
        raise CatalogError(f"{path}: no [[claims]] entries. Fix: declare at least one claim.")

    references = []
    for index, entry in enumerate(data["references"], start=1):
        where = f"{path} [[references]] entry {index}"
        ref = Reference(**_fields(entry, where, REFERENCE_KEYS))
        unknown_ids = [i for i in ref.claims if i not in claims]
        if unknown_ids:
            raise CatalogError(f"{where}: unknown claim id(s) {unknown_ids}; known: {list(claims)}. "
                               "Fix: name claims declared under [[claims]].")
        references.append(ref)
    numbers = tuple(Number(**_fields(entry, f"{path} [[numbers]] entry {i}", NUMBER_KEYS))
                    for i, entry in enumerate(data["numbers"], start=1))
    return Catalog(
        path=path,
        claims={c.id: c for c in sorted(claims.values(), key=lambda c: c.number)},
        labels=_labels(path, data["labels"]),
        headline=_fields(data["headline"], f"{path} [headline]", HEADLINE_KEYS),
        small_large=SmallLarge(**_fields(data["small_large"], f"{path} [small_large]", SMALL_LARGE_KEYS)),
        numbers=numbers,
        references=tuple(references),
    )


@functools.cache
def catalog() -> Catalog:
    """The package's catalog, loaded and checked once per process."""
    return load(CATALOG_PATH)


def claims() -> dict[str, Claim]:
    """Every claim by id, in id order."""
    return dict(catalog().claims)


def known_ids() -> tuple[str, ...]:
    return tuple(catalog().claims)


def claim(claim_id: str) -> Claim:
    """One claim; an unknown id raises :class:`UnknownClaim` listing the known ones."""
    found = catalog().claims.get(claim_id)
    if found is None:
        raise UnknownClaim(f"unknown claim {claim_id!r}; known claims: {', '.join(known_ids())}. "
                           f"Fix: use one of those, or declare it in {CATALOG_PATH}.")
    return found


def unknown_verdict_claims(verdicts: Sequence[Mapping[str, Any]]) -> str:
    """The error for recorded verdicts (sidecar dicts) whose claim id is not in the catalog, or ""
    when every one is known: the scorecard has no row for such a verdict, so it would vanish."""
    unknown = sorted({str(v.get("claim")) for v in verdicts} - set(known_ids()))
    if not unknown:
        return ""
    return (f"the notebook recorded verdicts on unknown claim id(s) {unknown}; known claims: "
            f"{', '.join(known_ids())}. Fix: correct `claim=` in its Verdict(...), or declare the claim "
            f"in {CATALOG_PATH}.")


# -- docs/claims.md ------------------------------------------------------------------------------

def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _codes(names: Sequence[str]) -> str:
    return ", ".join(f"`{n}`" for n in names)


def render_markdown(cat: Catalog | None = None) -> str:
    """The text of ``docs/claims.md``: the project's account of the claims, from the catalog."""
    cat = cat or catalog()
    ids = list(cat.claims)
    out = [
        "# The claims",
        "",
        f"<!-- Generated from research/claims/catalog.toml by `{REGENERATE}`. "
        "Edit the catalog, not this file. -->",
        "",
        "The workbench turns market commentary into claims and tests each one on public data. Every "
        "claim below is declared once, in `research/claims/catalog.toml`: the commentary's words, "
        "where and when they were said, the data, the test and the rule that turns the result into "
        "a verdict. The reports named under each claim give its verdicts; `reports/index.html` "
        "collects them in the scorecard.",
        "",
        "## Verdicts",
        "",
        "Each verdict takes one of these labels:",
        "",
        "| label | meaning |",
        "|---|---|",
        *(f"| **{label}** | {_cell(text)} |" for label, text in cat.labels.items()),
        "",
        "Every verdict other than *not testable* carries its key statistic, an interval or p-value, "
        "the number of independent observations, the sample period and the data vintage. A weak "
        "result keeps a weak label.",
        "",
        "### The headline on the scorecard",
        "",
        f"The label above is the report's, from its default specification. The scorecard heads each "
        f"row with a reconciled label (`research.verdict.reconcile`) and shows the report's own "
        f"beside it when they differ. {RECONCILE_RULE}",
        "",
        f"**Why:** {cat.headline['why']}",
        "",
        f"**supported, fragile / contradicted, fragile:** {cat.headline['fragile']}",
        "",
        "## Small and large",
        "",
        f"By default: {cat.small_large.default}",
        "",
        "Alternatives, chosen with each notebook's parameters:",
        "",
        *(f"- {alt}" for alt in cat.small_large.alternatives),
        "",
        cat.small_large.daily,
        "",
        cat.small_large.returns,
        "",
        "## The claims at a glance",
        "",
        "| id | claim | reports | specification curve |",
        "|---|---|---|---|",
    ]
    for c in cat.claims.values():
        reports = _codes(c.reports) if c.reports else "not testable"
        curve = f"`{c.robustness_report}`" if c.spec_curve else "—"
        out.append(f"| [{c.id}](#{c.id.lower()}) | {_cell(c.title)} | {reports} | {curve} |")
    for c in cat.claims.values():
        out += [
            "",
            f'## <a id="{c.id.lower()}"></a>{c.id}: {c.title}',
            "",
            f"> {c.commentary}",
            "",
            f"Source: {c.source}. Date: {c.date.isoformat()}.",
            "",
            f"- **Data:** {c.data}",
            f"- **Test:** {c.test}",
            f"- **Verdict rule:** {c.rule}",
        ]
        if c.testable:
            out.append(f"- **Reports:** {_codes(c.reports)}")
        else:
            out += [f"- **Not testable:** {c.not_testable}",
                    f"- **Data that would settle it:** {c.settle}"]
        if c.spec_curve:
            out.append(f"- **Specification curve:** `{c.robustness_report}` "
                       f"(`research sweep {c.id}`)")
    out += [
        "",
        "## The commentary's numbers",
        "",
        "Numbers the commentary stated, how we read them, and the reports that check them against "
        "the data:",
        "",
        "| the commentary said | what we check | reports |",
        "|---|---|---|",
        *(f"| {_cell(n.said)} | {_cell(n.reading)} | {_codes(n.reports)} |" for n in cat.numbers),
        "",
        "## Methods",
        "",
        *(f"- {r.cite} For {r.use} ({', '.join(i for i in ids if i in r.claims)})."
          for r in cat.references),
        "",
    ]
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m research.claims.catalog [--write | --check] [--doc PATH]``."""
    parser = argparse.ArgumentParser(prog="python -m research.claims.catalog",
                                     description="Print, write or check docs/claims.md.")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help="write the generated text to the doc")
    mode.add_argument("--check", action="store_true", help="exit 1 if the doc is not current")
    parser.add_argument("--doc", type=Path, default=DOC_PATH, help=f"default: {DOC_PATH}")
    args = parser.parse_args(argv)
    try:
        text = render_markdown()
    except CatalogError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.write:
        args.doc.write_text(text, encoding="utf-8")
        print(f"wrote {args.doc}")
        return 0
    if args.check:
        current = args.doc.read_text(encoding="utf-8") if args.doc.is_file() else None
        if current != text:
            print(f"{args.doc} is not the text generated from {CATALOG_PATH}. Fix: {REGENERATE}",
                  file=sys.stderr)
            return 1
        return 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
