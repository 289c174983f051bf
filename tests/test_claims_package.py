"""research.claims (the package): finding a claim's grid by its module's CLAIM line, the catalog's
curves without a grid, and a grid moved to the Russell 2000, on small packages and grids built here."""

from __future__ import annotations

import importlib
import sys

import pytest

from research import claims
from research.claims import GridError, catalog
from research.data.sizes import RUSSELL
from research.errors import ParameterError
from research.sweep import Grid

REAL = claims.grids()
CURVES = [c.id for c in catalog.claims().values() if c.spec_curve]


@pytest.fixture
def package(tmp_path, monkeypatch):
    """Point research.claims at an empty directory; ``add(name, text)`` writes a module there."""
    monkeypatch.setattr(claims, "__path__", [str(tmp_path)])
    added: list[str] = []

    def add(name: str, text: str = "") -> None:
        if name.endswith("/"):  # a subpackage: a directory, no <name>.py
            (tmp_path / name).mkdir()
            (tmp_path / name / "__init__.py").write_text(text)
        else:
            (tmp_path / f"{name}.py").write_text(text)
        added.append(f"research.claims.{name.rstrip('/')}")
        importlib.invalidate_caches()

    yield add
    for name in added:
        sys.modules.pop(name, None)


def copies_of_the_real_grids(add, skip: str = "") -> None:
    """A module per real grid that imports it (without a CLAIM line of its own)."""
    for claim, g in REAL.items():
        if claim != skip:
            add(f"copy_{claim.lower()}", f"from {g.estimate.partition(':')[0]} import GRID\n")


def test_the_real_package_names_every_curve_when_a_grid_is_missing():
    with pytest.raises(ParameterError) as err:
        claims.grid("C99")
    assert str(err.value) == f"no specification grid for C99; grids exist for {', '.join(CURVES)}"
    assert list(REAL) == CURVES == ["C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8"]


def test_a_module_with_a_claim_line_and_no_grid_falls_back_to_all_grids(package):
    package("a_subpackage/", 'CLAIM = "C1"\n')  # no a_subpackage.py to read: skipped
    package("b_first", '"""C1 without its grid."""\nCLAIM = "C1"\n')
    copies_of_the_real_grids(package)
    assert claims.claim_module("C1") == "research.claims.b_first"
    assert claims.claim_module("C2") is None  # the copies have no CLAIM line
    assert claims.grid("C1") is REAL["C1"]
    assert claims.grid("C2") is REAL["C2"]
    assert list(claims.grids()) == CURVES


def test_a_claim_line_in_single_quotes_and_spaces_counts(package):
    package("quoted", "CLAIM='C4'\nGRID = None\n")
    package("spaced", 'x = 1\nCLAIM  =  "C5"\n')
    package("indented", '  CLAIM = "C6"\n')
    assert claims.claim_module("C4") == "research.claims.quoted"
    assert claims.claim_module("C5") == "research.claims.spaced"
    assert claims.claim_module("C6") is None


def test_a_curve_in_the_catalog_without_a_grid_is_an_error_naming_it(package):
    copies_of_the_real_grids(package, skip="C2")
    with pytest.raises(GridError) as err:
        claims.grids()
    assert str(err.value) == (
        "the catalog says `spec_curve = true` for ['C2'], but no claim module declares a GRID for them. "
        "Fix: add GRID at the end of the claim's module (see research/claims/base.py), or set "
        "`spec_curve = false`.")


# -- on_series: the Russell 2000 default -------------------------------------------------------------

def russell_from_1987(spec: dict) -> bool:
    return spec["size"] != RUSSELL or (spec["start"] >= 1987 and spec["weighting"] == "vw")


def toy(**changes) -> Grid:
    fields = dict(claim="C1", title="t", estimate="m:f", statistic_name="s", valid=f"{__name__}:russell_from_1987",
                  choices={"size": ("deciles", RUSSELL), "start": (1926, 1963, 1987, 1990),
                           "weighting": ("vw", "ew")},
                  default={"size": "deciles", "start": 1926, "weighting": "vw"},
                  family=[("", {"size": "deciles", "start": 1926, "weighting": "vw", "reps": 10})])
    return Grid(**{**fields, **changes})


def test_the_russell_default_takes_the_first_start_the_rule_accepts():
    moved = claims.on_series(toy())
    assert moved.default == {"size": RUSSELL, "start": 1987, "weighting": "vw"}
    assert moved.family == [("", {"size": RUSSELL, "start": 1987, "weighting": "vw", "reps": 10})]
    assert toy().default["size"] == "deciles"  # the grid itself is left alone


def test_the_russell_curve_holds_the_russell_specifications_only():
    """Its shares are the Russell report's own: of the toy's 10 valid specifications (4 starts x 2
    weightings on deciles, and 2 on the Russell 2000: starts 1987 and 1990, vw only), those 2."""
    whole, moved = toy(), claims.on_series(toy())
    assert len(whole.specs()) == 10 and moved.choices["size"] == (RUSSELL,)
    assert moved.specs() == [s for s in whole.specs() if s["size"] == RUSSELL]
    assert [(s["start"], s["weighting"]) for s in moved.specs()] == [(1987, "vw"), (1990, "vw")]


@pytest.mark.parametrize("claim", ["C1", "C2", "C3", "C5", "C6", "C7", "C8"])
def test_every_claims_russell_curve_is_its_russell_rows(claim):
    whole, russell = claims.grid(claim), claims.grid(claim, "russell")
    key = next(k for k, values in whole.choices.items() if RUSSELL in values)
    mine = russell.specs()
    assert mine and all(s[key] == RUSSELL for s in mine)
    assert mine == [s for s in whole.specs() if s[key] == RUSSELL]


def test_without_a_validity_rule_only_the_series_moves():
    moved = claims.on_series(toy(valid=None, default={"size": "deciles", "start": 1926, "weighting": "ew"}))
    assert moved.default == {"size": RUSSELL, "start": 1926, "weighting": "ew"}


def test_a_default_two_changes_away_from_valid_is_an_error():
    spec = {"size": "deciles", "start": 1926, "weighting": "ew"}
    with pytest.raises(ParameterError) as err:
        claims.on_series(toy(default=spec))
    assert str(err.value) == f"no valid Russell 2000 default in the C1 grid near {spec}"


def test_a_grid_without_a_russell_choice_has_no_russell_default():
    with pytest.raises(ParameterError) as err:
        claims.on_series(toy(choices={"size": ("deciles", "SMB"), "start": (1926,), "weighting": ("vw",)}))
    assert str(err.value) == "the C1 grid has no Russell 2000 choice; it has no Russell report either"


def test_grid_for_russell_moves_the_claims_own_grid():
    assert claims.grid("C2", "russell") == claims.on_series(REAL["C2"])
    with pytest.raises(ParameterError) as err:
        claims.grid("C2", "smb")
    assert str(err.value) == "small_large must be '' (the grid's default series) or 'russell', not 'smb'"


# -- validate_grid: each rule's message in full, both sides of each count ---------------------------

WHERE = "grid of C1 (GRID in its claim module)"


def small(n: int = claims.MIN_SPECS, **changes) -> Grid:
    fields = dict(claim="C1", title="t", choices={"start": tuple(range(n))}, estimate="m:f", statistic_name="s",
                  default={"start": 0})
    return Grid(**{**fields, **changes})


def message(g: Grid) -> str:
    with pytest.raises(GridError) as err:
        claims.validate_grid(g)
    return str(err.value)


def test_a_choice_listing_a_value_twice_is_an_error():
    ok = {"start": tuple(range(claims.MIN_SPECS)), "lags": (1, "1", 2)}  # 1 and "1" are different values
    claims.validate_grid(small(choices=ok, default={"start": 0, "lags": 1}))
    twice = {"start": (0, *range(claims.MIN_SPECS)), "lags": (1, 1), "size": ("a", "b")}
    assert message(small(choices=twice, default={"start": 0, "lags": 1, "size": "a"})) == (
        f"{WHERE}: choice(s) ['lags', 'start'] list a value twice, so specifications repeat. Fix: give each "
        "value once.")


def test_the_rules_say_what_to_add():
    assert message(small(claim="C9")) == (
        f"{WHERE.replace('C1', 'C9')}: the catalog says `spec_curve = false` for C9. Fix: set `spec_curve = true` "
        f"in its [[claims]] entry of {catalog.CATALOG_PATH} and add [reports.robustness_c9] to notebooks/reports.toml.")
    assert message(small(choices={"horizon": tuple(range(300))}, default={"horizon": 0})) == (
        f"{WHERE}: no sample-start choice; every curve varies where its sample begins. Fix: add a choice named "
        "'start' (years, e.g. (1926, 1954, 1963, 1987), see research.claims.base.START_DATES) or 'first_year'.")
    assert message(small(199)) == (
        f"{WHERE}: 199 specifications; the engine needs at least 200. Fix: add a choice (a small/large "
        "definition, a horizon, a sample start) or more values to an existing one, or loosen grid_valid.")
    assert message(small(default={"start": -1})) == (
        f"{WHERE}: the default specification {{'start': -1}} is not in the grid (a value not among the choices, "
        "or dropped by grid_valid). Fix: add the value to its choice, or let grid_valid keep it.")
    assert message(small(choices={"start": tuple(range(200)), "h": (1,)})) == (
        f"{WHERE}: the default specification {{'start': 0}} must give one value per choice; missing ['h'], "
        "unknown []. Fix: add the missing ones to `default`.")
    assert message(small(family=[("size", {"start": 200})])) == (
        f"{WHERE}: the family entry for 'size' is not a specification of the grid. Fix: build it from the "
        "default, e.g. {**default, 'reps': 10_000}.")


def fifty_b(spec: dict) -> bool:
    return spec["aspect"] == "a" or spec["start"] < 50


def fortynine_b(spec: dict) -> bool:
    return spec["aspect"] == "a" or spec["start"] < 49


def test_an_aspect_needs_at_least_min_aspect_specs_of_its_own():
    assert claims.MIN_ASPECT_SPECS == 50
    choices = {"start": tuple(range(200)), "aspect": ("a", "b")}
    claims.validate_grid(small(choices=choices, aspect="aspect", valid=f"{__name__}:fifty_b"))
    assert message(small(choices=choices, aspect="aspect", valid=f"{__name__}:fortynine_b")) == (
        f"{WHERE}: aspect 'b' has 49 specifications; each aspect's curve needs at least 50. Fix: add choices "
        "that apply to it, or loosen grid_valid.")


def no_shallow_start(spec: dict) -> bool:
    return not (spec["start"] == 0 and spec["depth"] == 5)


def test_a_view_needs_at_least_min_aspect_specs_and_its_default():
    choices, default = {"start": tuple(range(200)), "depth": (5, 10)}, {"start": 0, "depth": 10}
    claims.validate_grid(small(choices=choices, default=default, views={"five": {"depth": (5,), "start": tuple(range(50))}}))
    assert message(small(choices=choices, default=default, views={"five": {"depth": (5,), "start": tuple(range(49))}})) == (
        f"{WHERE}: view 'five' has 49 specifications; each view's curve needs at least 50. Fix: keep more "
        "values in it, or loosen grid_valid.")
    # the view's default (the grid's, moved to depth 5) is dropped by the validity rule
    assert message(small(choices=choices, default=default, valid=f"{__name__}:no_shallow_start",
                         views={"five": {"depth": (5,)}})) == (
        f"{WHERE}: the default of view 'five', {{'start': 0, 'depth': 5}}, is not in the grid. Fix: keep the "
        "default's values in the view, or let grid_valid keep it.")


def test_the_russell_curve_keeps_each_views_russell_values():
    """A view of the series' choice keeps only the Russell 2000, and goes when it held none of it;
    a view of another choice is kept as it is (C2's and C6's)."""
    views = {"russell": {"size": ("deciles", RUSSELL)}, "deciles": {"size": ("deciles",)}, "early": {"start": (1926,)}}
    moved = claims.on_series(toy(views=views))
    assert moved.views == {"russell": {"size": (RUSSELL,)}, "early": {"start": (1926,)}}
    for claim in ("C2", "C6"):
        assert claims.grid(claim, "russell").views == claims.grid(claim).views
