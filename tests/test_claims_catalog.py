"""The claim catalog: its content agrees with the report registry and the sweep grids, a malformed
file fails with a message naming the file and the fix, and docs/claims.md is the generated text."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from research.claims import catalog as cat
from research.claims import grids
from research.config import PROJECT_ROOT
from research.errors import ParameterError
from research.runner.registry import load_registry
from research.verdict import LABELS

REGISTRY = load_registry(PROJECT_ROOT / "notebooks" / "reports.toml")


# -- the package's catalog against the rest of the project ---------------------------------------

def test_ids_are_C_numbers_from_one_without_gaps():
    ids = cat.known_ids()
    assert ids == tuple(f"C{n}" for n in range(1, len(ids) + 1))
    assert list(cat.claims()) == list(ids)


def test_every_claim_the_registry_names_is_in_the_catalog():
    named = {c for report in REGISTRY.reports.values() for c in report.claims}
    assert named, "the registry names no claims at all"
    assert named <= set(cat.known_ids())


def test_each_claims_reports_are_the_registry_reports_that_give_its_verdicts():
    for c in cat.claims().values():
        carrying = tuple(r.name for r in REGISTRY.reports.values() if c.id in r.claims)
        assert c.reports == carrying, c.id


def test_spec_curve_flag_matches_the_sweep_grids_and_the_robustness_reports():
    with_curve = {c.id for c in cat.claims().values() if c.spec_curve}
    assert with_curve == set(grids())
    robustness = {r.parameters["claim"]: name for name, r in REGISTRY.reports.items()
                  if "claim" in r.parameters and not r.parameters.get("small_large")}
    assert with_curve == set(robustness)
    for claim_id in with_curve:
        assert cat.claim(claim_id).robustness_report == robustness[claim_id]
    # every Russell report has the curve of its own series beside it on the scorecard
    russell_reports = {c for r in REGISTRY.reports.values() if r.parameters.get("small_large") == "russell"
                       and "claim" not in r.parameters for c in r.claims}
    russell_curves = {r.parameters["claim"] for r in REGISTRY.reports.values()
                      if "claim" in r.parameters and r.parameters.get("small_large") == "russell"}
    assert russell_reports == russell_curves == {"C1", "C2", "C3", "C5", "C6"}


def test_not_testable_claims_say_why_and_which_data_would_settle_it():
    untestable = [c for c in cat.claims().values() if not c.testable]
    assert untestable, "no not-testable claim; the M&A and earnings claim is one"
    for c in untestable:
        assert c.not_testable and c.settle and not c.reports and not c.spec_curve
        assert c.robustness_report == ""
    for c in cat.claims().values():
        if c.testable:
            assert not c.settle and c.reports


def test_commentary_numbers_name_registered_reports():
    catalog = cat.catalog()
    assert catalog.numbers
    for number in catalog.numbers:
        assert set(number.reports) <= set(REGISTRY.reports), number.said


def test_labels_are_the_verdict_labels_in_order():
    assert tuple(cat.catalog().labels) == LABELS


def test_claim_returns_the_entry_and_rejects_an_unknown_id_listing_the_known_ones():
    first = cat.known_ids()[0]
    assert cat.claim(first) is cat.claims()[first]
    missing = f"C{len(cat.known_ids()) + 1}"
    with pytest.raises(cat.UnknownClaim) as err:
        cat.claim(missing)
    assert isinstance(err.value, ParameterError) and isinstance(err.value, KeyError)
    message = str(err.value)
    assert repr(missing) in message and "Fix:" in message
    assert all(i in message for i in cat.known_ids())


def test_claims_are_frozen_and_claims_returns_a_copy():
    first = cat.known_ids()[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        cat.claim(first).title = "changed"  # type: ignore[misc]
    copy = cat.claims()
    del copy[first]
    assert first in cat.claims()


# -- the file format -----------------------------------------------------------------------------

LABEL_LINES = "\n".join(f'"{label}" = "what {label} means"' for label in LABELS)
VALID = f"""\
[labels]
{LABEL_LINES}

[headline]
why = "why the scorecard reconciles"
fragile = "what fragile means"

[small_large]
default = "bottom three deciles against the top three"
alternatives = ["SMB"]
daily = "halves"
returns = "percent per period"

[[numbers]]
said = "~2,460"
reading = "the 2021 record"
reports = ["r10"]

[[references]]
cite = "Someone (2000)."
use = "a method"
claims = ["C10", "C2"]

[[claims]]
id = "C10"
title = "Ten"
commentary = "small caps \\"will win\\""
source = "a note"
date = 2025-10-15
data = "size deciles"
test = "a regression"
rule = "supported if positive"
reports = ["r10", "r10_russell"]
spec_curve = true

[[claims]]
id = "C2"
title = "Two"
commentary = "earnings improve"
source = "a note"
date = 2025-10-14
data = "none"
test = "none"
rule = "not testable"
reports = []
spec_curve = false
not_testable = "no public earnings data"
settle = "consensus revisions"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "catalog.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_valid_file_loads_with_claims_in_number_order(tmp_path):
    path = write(tmp_path, VALID)
    loaded = cat.load(str(path))
    assert loaded.path == path
    assert list(loaded.claims) == ["C2", "C10"]  # by number, not as text and not in file order
    ten = loaded.claims["C10"]
    assert ten.reports == ("r10", "r10_russell") and ten.spec_curve and ten.testable
    assert ten.commentary == 'small caps "will win"' and ten.date.isoformat() == "2025-10-15"
    assert ten.robustness_report == "robustness_c10"
    two = loaded.claims["C2"]
    assert not two.testable and two.settle == "consensus revisions" and two.number == 2
    assert loaded.references[0].claims == ("C10", "C2")
    assert loaded.small_large.alternatives == ("SMB",)
    text = cat.render_markdown(loaded)
    assert text.index("C2: Two") < text.index("C10: Ten")
    assert "no public earnings data" in text and "`robustness_c10`" in text


def replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) >= 1, old
    return text.replace(old, new, 1)


MALFORMED = {
    "missing key": ('rule = "supported if positive"\n', "",
                    "[[claims]] entry 1 (id 'C10'): missing key(s) ['rule']. Fix: add them; the comment "
                    "at the top of the file says what each one holds."),
    "unknown key": ('spec_curve = true\n', 'spec_curve = true\nrules = "x"\n',
                    "unknown key(s) ['rules']; allowed: ['commentary', 'data', 'date', 'id', 'not_testable', "
                    "'reports', 'rule', 'settle', 'source', 'spec_curve', 'test', 'title']. Fix: rename or "
                    "remove them."),
    "duplicate id": ('id = "C10"', 'id = "C2"', "claim id 'C2' is declared twice ([[claims]] entries 1 and 2). "
                     "Fix: give the new claim the next free id, C3."),
    "lower-case id": ('id = "C10"', 'id = "c10"', "malformed id 'c10'; a claim id is 'C' followed by a number "
                      "without leading zeros. Fix: use the next free id, e.g. 'C10'."),
    "leading zero": ('id = "C10"', 'id = "C010"', "malformed id 'C010'"),
    "no number": ('id = "C10"', 'id = "C"', "malformed id 'C'"),
    "other letter": ('id = "C10"', 'id = "D10"', "malformed id 'D10'"),
    "trailing text": ('id = "C10"', 'id = "C10a"', "malformed id 'C10a'"),
    "id not text": ('id = "C10"', 'id = 10', "`id` must be non-empty text, got 10. Fix: correct the value."),
    "flag as text": ("spec_curve = true", 'spec_curve = "yes"', "`spec_curve` must be true or false, got 'yes'"),
    "quoted date": ("date = 2025-10-15", 'date = "2025-10-15"',
                    "`date` must be date (YYYY-MM-DD, unquoted), got '2025-10-15'"),
    "date and time": ("date = 2025-10-15", "date = 2025-10-15T09:00:00", "`date` must be date"),
    "empty title": ('title = "Ten"', 'title = " "', "`title` must be non-empty text"),
    "reports not a list": ('reports = ["r10", "r10_russell"]', 'reports = "r10"',
                           "`reports` must be list of text"),
    "empty text in a list": ('reports = ["r10", "r10_russell"]', 'reports = ["r10", " "]',
                             "`reports` must be list of text, got ['r10', ' ']"),
    "number in a list": ('reports = ["r10", "r10_russell"]', 'reports = ["r10", 3]', "`reports` must be list of text"),
    "reason without data": ('settle = "consensus revisions"\n', "",
                            "`not_testable` (why no data can test it) and `settle` (which data would) go "
                            "together. Fix: give both or neither."),
    "data without reason": ('not_testable = "no public earnings data"\n', "", "go together"),
    "untestable with reports": ("reports = []", 'reports = ["r2"]',
                                "a claim that is not testable has no reports and no specification curve. Fix: "
                                "set `reports = []` and `spec_curve = false`, or remove `not_testable` and `settle`."),
    "untestable with a curve": ("spec_curve = false", "spec_curve = true", "not testable has no reports"),
    "testable without reports": ('reports = ["r10", "r10_russell"]', "reports = []",
                                 "a testable claim needs at least one report in `reports` (names from "
                                 "notebooks/reports.toml). Fix: add its reports, or declare it `not_testable` "
                                 "with `settle`."),
    "label missing": ('"mixed" = "what mixed means"\n', "", "[labels]: missing key(s) ['mixed']"),
    "label unknown": ('"mixed" = "what mixed means"\n',
                      '"mixed" = "what mixed means"\n"maybe" = "?"\n', "unknown key(s) ['maybe']"),
    "unknown table": ("[small_large]", "[extra]\nx = 1\n\n[small_large]",
                      ": top-level tables must be exactly ['labels', 'headline', 'small_large', 'numbers', "
                      "'references', 'claims']; missing [], unknown ['extra']. Fix: put each claim under [[claims]]."),
    "missing table": ("[[numbers]]\nsaid", "[[numbers_]]\nsaid", "missing ['numbers'], unknown ['numbers_']"),
    "numbers as a table": ("[[numbers]]", "[numbers]", "`numbers` must be an array of tables, written [[numbers]]. "
                           "Fix: write each entry under its own [[numbers]] header."),
    "references as a table": ("[[references]]", "[references]", "`references` must be an array of tables"),
    "reference to unknown claim": ('claims = ["C10", "C2"]', 'claims = ["C10", "C3"]',
                                   "[[references]] entry 1: unknown claim id(s) ['C3']; known: ['C10', 'C2']. "
                                   "Fix: name claims declared under [[claims]]."),
    "number without reports": ('reports = ["r10"]\n', "", "[[numbers]] entry 1: missing key(s) ['reports']"),
    "reference without use": ('use = "a method"\n', "", "[[references]] entry 1: missing key(s) ['use']"),
    "headline unknown key": ('fragile = "what fragile means"\n', 'fragile = "f"\nweak = "w"\n',
                             "[headline]: unknown key(s) ['weak']"),
    "small_large missing key": ('daily = "halves"\n', "", "[small_large]: missing key(s) ['daily']"),
    "not TOML": ("[small_large]", "[small_large", "is not valid TOML: "),
}


@pytest.mark.parametrize("case", MALFORMED, ids=list(MALFORMED))
def test_a_malformed_file_fails_naming_the_file_and_the_fix(tmp_path, case):
    old, new, expected = MALFORMED[case]
    path = write(tmp_path, replace_once(VALID, old, new))
    with pytest.raises(cat.CatalogError) as err:
        cat.load(path)
    message = str(err.value)
    assert isinstance(err.value, ParameterError)
    assert str(path) in message and expected in message and "Fix:" in message


def test_claim_errors_say_which_entry(tmp_path):
    path = write(tmp_path, replace_once(VALID, 'title = "Two"\n', ""))
    with pytest.raises(cat.CatalogError, match=re.escape("[[claims]] entry 2 (id 'C2')")):
        cat.load(path)


def test_a_second_reference_or_number_is_counted_from_one(tmp_path):
    second = '[[references]]\ncite = "Other (2001)."\nuse = "another"\nclaims = ["C9"]\n\n[[claims]]'
    with pytest.raises(cat.CatalogError, match=re.escape("[[references]] entry 2: unknown claim id(s) ['C9']")):
        cat.load(write(tmp_path, replace_once(VALID, "[[claims]]", second)))
    second = '[[numbers]]\nsaid = "x"\nreading = "y"\n\n[[references]]'
    with pytest.raises(cat.CatalogError, match=re.escape("[[numbers]] entry 2: missing key(s) ['reports']")):
        cat.load(write(tmp_path, replace_once(VALID, "[[references]]", second)))


def test_a_file_without_claims_or_with_an_entry_that_is_no_table_fails(tmp_path):
    head = VALID.split("[[claims]]")[0]
    path = write(tmp_path, "claims = []\n" + head)
    with pytest.raises(cat.CatalogError) as err:
        cat.load(path)
    assert str(err.value) == f"{path}: no [[claims]] entries. Fix: declare at least one claim."
    path = write(tmp_path, "claims = [1]\n" + head)
    with pytest.raises(cat.CatalogError) as err:
        cat.load(path)
    assert str(err.value) == (
        f"{path} [[claims]] entry 1: expected a table with the keys ['commentary', 'data', 'date', 'id', "
        "'reports', 'rule', 'source', 'spec_curve', 'test', 'title']. Fix: see the comment at the top of the "
        "file for the layout.")
    table = '[headline]\nwhy = "why the scorecard reconciles"\nfragile = "what fragile means"\n'
    path = write(tmp_path, 'headline = "h"\n' + replace_once(VALID, table, ""))
    with pytest.raises(cat.CatalogError, match=re.escape("[headline]: expected a table with the keys ['fragile', 'why']")):
        cat.load(path)


def test_a_missing_file_says_how_to_restore_it(tmp_path):
    path = tmp_path / "nope.toml"
    with pytest.raises(cat.CatalogError) as err:
        cat.load(path)
    assert str(err.value) == (f"claim catalog {path} not found. Fix: restore it "
                              "(git checkout -- research/claims/catalog.toml).")


def test_unknown_ids_are_listed_with_every_known_one():
    known = "C1, C2, C3, C4, C5, C6, C7, C8, C9"
    assert ", ".join(cat.known_ids()) == known
    with pytest.raises(cat.UnknownClaim) as err:
        cat.claim("C0")
    assert str(err.value) == (f"unknown claim 'C0'; known claims: {known}. Fix: use one of those, or declare "
                              f"it in {cat.CATALOG_PATH}.")
    assert cat.unknown_verdict_claims([{"claim": "C99"}, {"aspect": "x"}, {"claim": "C1"}]) == (
        f"the notebook recorded verdicts on unknown claim id(s) ['C99', 'None']; known claims: {known}. Fix: "
        f"correct `claim=` in its Verdict(...), or declare the claim in {cat.CATALOG_PATH}.")


def test_a_bar_in_a_table_cell_is_escaped(tmp_path):
    loaded = cat.load(write(tmp_path, replace_once(VALID, 'title = "Ten"', 'title = "Ten | eleven"')))
    text = cat.render_markdown(loaded)
    assert "| [C10](#c10) | Ten \\| eleven | `r10`, `r10_russell` | `robustness_c10` |" in text
    assert "## <a id=\"c10\"></a>C10: Ten | eleven" in text  # a heading is no table cell


# -- docs/claims.md ------------------------------------------------------------------------------

def test_the_committed_doc_is_the_generated_text():
    committed = cat.DOC_PATH.read_text(encoding="utf-8")
    assert committed == cat.render_markdown(), (
        f"{cat.DOC_PATH} is out of date; regenerate it: {cat.REGENERATE}")


def test_the_doc_shows_every_claim_label_and_reference():
    text = cat.render_markdown()
    catalog = cat.catalog()
    for c in catalog.claims.values():
        assert f"{c.id}: {c.title}" in text and c.commentary in text and c.rule in text
        assert (f"`{c.robustness_report}`" in text) == c.spec_curve
        if not c.testable:
            assert c.not_testable in text and c.settle in text
    for label, meaning in catalog.labels.items():
        assert f"| **{label}** | {meaning} |" in text
    assert catalog.small_large.default in text
    assert all(r.cite in text for r in catalog.references)
    assert all(n.reading in text for n in catalog.numbers)


def test_main_says_when_the_catalog_is_broken(monkeypatch, capsys):
    def broken():
        raise cat.CatalogError("catalog.toml: no [[claims]] entries")

    monkeypatch.setattr(cat, "catalog", broken)
    assert cat.main(["--check"]) == 2
    assert capsys.readouterr().err == "error: catalog.toml: no [[claims]] entries\n"


def test_main_checks_and_writes_the_doc(tmp_path, capsys):
    doc = tmp_path / "claims.md"
    assert cat.main(["--check", "--doc", str(doc)]) == 1  # absent
    doc.write_text("stale\n", encoding="utf-8")
    assert cat.main(["--check", "--doc", str(doc)]) == 1
    assert cat.REGENERATE in capsys.readouterr().err
    assert cat.main(["--write", "--doc", str(doc)]) == 0
    assert capsys.readouterr().out == f"wrote {doc}\n"
    assert doc.read_text(encoding="utf-8") == cat.render_markdown()
    assert cat.main(["--check", "--doc", str(doc)]) == 0
    assert cat.main(["--check"]) == 0  # the committed doc
    capsys.readouterr()
    assert cat.main([]) == 0
    assert capsys.readouterr().out == cat.render_markdown()


def test_main_help_names_the_command_and_each_option(capsys):
    with pytest.raises(SystemExit) as exit_:
        cat.main(["--help"])
    assert exit_.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    assert text.startswith("usage: python -m research.claims.catalog [-h] [--write | --check] [--doc DOC] "
                           "Print, write or check docs/claims.md.")
    assert "--write write the generated text to the doc" in text
    assert "--check exit 1 if the doc is not current" in text
    assert f"--doc DOC default: {cat.DOC_PATH}" in text
