"""``research new-claim C10 yield_curve``: everything a new claim needs, with TODOs where the
research goes.

It writes the claim module (``research/claims/<name>.py``: a pure ``test()`` returning a frozen
result with its verdicts, a ``run()`` on the data and the specification ``GRID``), its unit tests
(``tests/test_<name>.py``), a thin notebook (``notebooks/<name>.ipynb``, without outputs, as
nbstripout writes it), the two registry entries (``[reports.<name>]`` and
``[reports.robustness_<id>]`` in ``notebooks/reports.toml``) and the claim's ``[[claims]]`` entry
in ``research/claims/catalog.toml``, then regenerates ``docs/claims.md``. Until the TODOs are
done the claim's verdict is "inconclusive" with the note "not implemented", so ``research run``
renders it and the scorecard shows it rather than leaving it out. Nothing else in the repository
needs an edit. Existing files are never overwritten: a clash is an error naming the file.
"""

from __future__ import annotations

import datetime as dt
import json
import keyword
import re
from dataclasses import dataclass
from pathlib import Path

from research.claims import catalog
from research.config import PROJECT_ROOT
from research.errors import ParameterError

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
TODO = "TODO(research)"


class ScaffoldError(ParameterError):
    """The claim id or name cannot be used, or a file the scaffold would write exists."""


@dataclass(frozen=True)
class Scaffold:
    """The files :func:`new_claim` wrote or extended, relative to the project root."""

    claim: str
    name: str
    written: tuple[str, ...]
    extended: tuple[str, ...]

    def summary(self) -> str:
        lines = [f"new claim {self.claim} ({self.name}):"]
        lines += [f"  wrote    {p}" for p in self.written]
        lines += [f"  extended {p}" for p in self.extended]
        lines += [f"Next: fill in every {TODO} (grep -rn '{TODO}' research tests notebooks), then "
                  f"`research run --only {self.name}` and `research sweep {self.claim}`."]
        return "\n".join(lines)


def _class_name(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_") if part) + "Result"


def module_text(claim: str, name: str, title: str) -> str:
    return f'''"""{claim}: {title}.

{TODO}: the claim in the commentary's words, the data, the test and the verdict rule (as in its
[[claims]] entry in research/claims/catalog.toml).

Until the TODOs are done, :func:`test` computes a placeholder statistic (the mean small-minus-large
return over non-overlapping ``horizon``-month blocks) and labels it "inconclusive" with the note
"not implemented", so the scorecard shows the claim instead of leaving it out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from research.claims.base import (
    ResultMixin,
    data_start,
    span,
    spec_row,
    start_date,
    vintage_of,
    weighting_and_start_kept,
)
from research.data.sizes import monthly_returns
from research.errors import ParameterError
from research.sweep import Grid
from research.verdict import Verdict

CLAIM = "{claim}"
HYPOTHESIS = "{TODO}: the hypothesis, e.g. small caps beat large caps over the 12 months after ..."
RULE = "{TODO}: the verdict rule, as in the catalog"
METHOD = "{TODO}: the method (placeholder: mean of non-overlapping blocks)"
NOT_IMPLEMENTED = "not implemented: the test is a placeholder (research/claims/{name}.py, {TODO})."


@dataclass(frozen=True)
class {_class_name(name)}(ResultMixin):
    verdicts: tuple[Verdict, ...]
    table: pd.DataFrame
    spec: dict[str, Any]


def test(small_minus_large: pd.Series, *, horizon: int = 12, start: str | None = None,
         vintage: dict[str, str] | None = None) -> {_class_name(name)}:
    """{TODO}: the test. Pure: monthly small-minus-large returns (percent) in, the result out."""
    sml = small_minus_large.dropna().loc[start:]
    if horizon < 1 or len(sml) < horizon:
        raise ParameterError(f"{{CLAIM}}: horizon must be between 1 and the {{len(sml)}} months of data "
                             f"from {{start or 'the first month'}}, got {{horizon}}")
    # {TODO}: the test. Placeholder: the sum of each complete block of `horizon` months.
    whole = len(sml) // horizon * horizon
    blocks = sml.iloc[:whole].groupby(np.arange(whole) // horizon).sum()
    statistic = float(blocks.mean())
    label, p_value, note = "inconclusive", None, NOT_IMPLEMENTED
    verdict = Verdict(claim=CLAIM, label=label, hypothesis=HYPOTHESIS, statistic=statistic,
                      statistic_name=f"mean small-minus-large over {{horizon}} months, pp", p_value=p_value,
                      n=len(blocks), sample=span(sml.index[:whole]), vintage=vintage or {{}}, method=METHOD,
                      rule=RULE, note=note)
    table = pd.DataFrame({{"blocks": [len(blocks)], "mean_pp": [statistic], "std_pp": [float(blocks.std())]}},
                         index=pd.Index([f"{{horizon}} months"], name="horizon"))
    return {_class_name(name)}(verdicts=(verdict,), table=table,
                     spec={{"horizon": horizon, "start": start, "sample": verdict.sample}})


def run(size: str = "deciles 1-3 vs 8-10", weighting: str = "vw", horizon: int = 12,
        start: str | None = None) -> {_class_name(name)}:
    """:func:`test` on the data (``size`` names a research.data.sizes.MONTHLY_SIZES definition)."""
    returns = monthly_returns(size, weighting)
    return test(returns["small_minus_large"], horizon=horizon, start=start,
                vintage=vintage_of(*returns.attrs["datasets"]))


# -- specification grid (research sweep {claim}) ------------------------------------------------
# {TODO}: the choices a reasonable researcher could make. The engine needs at least 200
# specifications and a sample-start choice; research.claims.validate_grid says what is missing.
# When the main verdict carries only a bootstrap interval, add a `family` entry so it gets a
# p-value in the multiple-testing family (see research/claims/yearend.py).

GRID_STARTS = (1926, 1954, 1963, 1987)
GRID_HORIZONS = (1, 2, 3, 6, 9, 12, 18, 24, 36, 60)
_DEFAULT = {{"size": "deciles 1-3 vs 8-10", "weighting": "vw", "start": 1926, "horizon": 12}}


def grid_valid(spec: dict[str, Any]) -> bool:
    return weighting_and_start_kept(spec, data_start("deciles"), GRID_STARTS)


def grid_estimate(size: str, weighting: str, start: int, horizon: int) -> dict[str, Any]:
    returns = monthly_returns(size, weighting)
    first = start_date(start, f"{{returns.index[0]:%Y-%m-%d}}")  # None: all data
    v = test(returns["small_minus_large"], horizon=horizon, start=first).verdict
    return spec_row(v.statistic, None, None, v.label, v.n, v.p_value, sample=v.sample)


GRID = Grid(
    claim=CLAIM,
    title="{claim}: {title}",
    choices={{"size": ("deciles 1-3 vs 8-10", "decile 1 vs 10", "SMB", "Russell 2000 vs S&P 500"),
             "weighting": ("vw", "ew"), "start": GRID_STARTS, "horizon": GRID_HORIZONS}},
    estimate=f"{{__name__}}:grid_estimate",
    valid=f"{{__name__}}:grid_valid",
    statistic_name="mean small-minus-large per block, pp",
    default=_DEFAULT,
    notes="{TODO}: what the curve varies and how each specification is labelled.",
)
'''


def test_text(claim: str, name: str) -> str:
    return f'''"""{claim}: the claim module's test() against independent computations.

{TODO}: replace the placeholder checks with the claim's own: the statistic and interval against
a hand computation or statsmodels, both sides of each threshold of the verdict rule.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from research.claims import {name}
from research.errors import ParameterError


def returns(values) -> pd.Series:
    return pd.Series(values, index=pd.date_range("2000-01-31", periods=len(values), freq="ME"))


def test_placeholder_statistic_is_the_mean_of_complete_blocks():
    r = returns(np.arange(1.0, 26.0))  # 25 months: two complete 12-month blocks, one month left over
    v = {name}.test(r, horizon=12).verdict
    assert v.claim == "{claim}" and v.n == 2
    assert v.statistic == pytest.approx((sum(range(1, 13)) + sum(range(13, 25))) / 2)
    assert v.sample == "2000-01..2001-12"


def test_verdict_says_not_implemented_until_the_rule_is_written():
    v = {name}.test(returns([1.0] * 24), horizon=12).verdict
    assert v.label == "inconclusive" and v.note.startswith("not implemented")


def test_a_horizon_longer_than_the_data_is_a_parameter_error():
    with pytest.raises(ParameterError, match="horizon"):
        {name}.test(returns([1.0] * 6), horizon=12)


def test_the_grid_passes_the_engine_rules():
    from research.claims import validate_grid

    validate_grid({name}.GRID)
'''


def notebook_cells(claim: str, name: str, title: str) -> list[tuple[str, str, list[str]]]:
    """(cell type, source, tags) of the thin notebook."""
    return [
        ("markdown", f"# {claim} — {title}\n\n{TODO}: what the commentary said (its words, who, when), "
                     "the data, the test and the verdict rule, in a paragraph.", []),
        ("code", '\n'.join([
            'size: str = "deciles 1-3 vs 8-10"  # small/large definition: deciles 1-3 vs 8-10 | decile 1 vs 10 | SMB | Russell 2000 vs S&P 500',
            'weighting: str = "vw"  # vw | ew weighting within portfolios (French data)',
            'horizon: int = 12  # months per block',
            'start: "Optional[str]" = None  # first month of the sample (ISO date); None: all data',
        ]), ["parameters"]),
        ("code", "from research.params import check_parameters\ncheck_parameters(globals())", []),
        ("code", "\n".join([
            "from IPython.display import HTML, display",
            "",
            f"from research.claims import {name}",
            "from research.verdict import record, verdict_box",
            "",
            f"result = {name}.run(size=size, weighting=weighting, horizon=horizon, start=start)",
            "display(HTML(verdict_box(list(result.verdicts))))",
        ]), []),
        ("markdown", f"## The evidence\n\n{TODO}: the figures and tables that show the evidence, "
                     "each with a sentence on what it shows.", []),
        ("code", "result.table.round(3)", []),
        ("code", "record(*result.verdicts, display=False)", []),
    ]


def notebook_text(claim: str, name: str, title: str) -> str:
    """The notebook's JSON exactly as ``nbstripout`` writes it (no outputs, sorted keys, indent 1,
    a final newline), so ``nbstripout --verify`` passes on the file as written."""
    cells = []
    for i, (kind, source, tags) in enumerate(notebook_cells(claim, name, title)):
        cell = {"cell_type": kind, "id": str(i), "metadata": {"tags": tags} if tags else {},
                "source": source.splitlines(keepends=True)}
        if kind == "code":
            cell.update(execution_count=None, outputs=[])
        cells.append(cell)
    nb = {"cells": cells,
          "metadata": {"kernelspec": {"display_name": "research (workbench)", "language": "python",
                                      "name": "research"},
                       "language_info": {"name": "python"}},
          "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def _toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a TOML basic string


def registry_text(claim: str, name: str, title: str) -> str:
    return f'''
[reports.{name}]
notebook = "{name}.ipynb"
title = {_toml_string(f"{claim}: {title}")}
claims = ["{claim}"]

[reports.robustness_{claim.lower()}]
notebook = "spec_curve.ipynb"
title = {_toml_string(f"{claim} robustness: the specification curve of {title[:1].lower() + title[1:]}")}
description = "Specification curve of {claim}: {TODO} (the choices it varies)."
parameters = {{ claim = "{claim}" }}
'''


def catalog_text(claim: str, name: str, title: str, today: dt.date) -> str:
    return f'''
[[claims]]
id = "{claim}"
title = {_toml_string(title)}
commentary = "{TODO}: what the commentary said; its own words in double quotes"
source = "{TODO}: who said it"
date = {today.isoformat()}
data = "{TODO}: the data the test uses"
test = "{TODO}: the test, in one or two sentences"
rule = "{TODO}: the default verdict rule, in a sentence"
reports = ["{name}"]
spec_curve = true
'''


def new_claim(claim: str, name: str, *, title: str = "", root: Path | str = PROJECT_ROOT,
              today: dt.date | None = None) -> Scaffold:
    """Write the new claim's files under ``root`` (a checkout of this repository)."""
    root = Path(root)
    cat_path = root / "research" / "claims" / "catalog.toml"
    registry_path = root / "notebooks" / "reports.toml"
    current = catalog.load(cat_path)
    next_id = f"C{max(c.number for c in current.claims.values()) + 1}"
    if claim in current.claims:
        raise ScaffoldError(f"{claim} is already declared in {cat_path}. Fix: use the next free id, {next_id}.")
    if claim != next_id:
        raise ScaffoldError(f"claim id {claim!r}: ids are numbered without gaps, so the new claim is "
                            f"{next_id}. Fix: research new-claim {next_id} {name}")
    if not NAME_PATTERN.match(name) or keyword.iskeyword(name) or name.startswith("test"):
        raise ScaffoldError(f"name {name!r} becomes a module, a notebook and a report name: use lower-case "
                            "letters, digits and '_', starting with a letter (not 'test'), e.g. yield_curve.")
    title = title or name.replace("_", " ").capitalize()
    files = {
        f"research/claims/{name}.py": module_text(claim, name, title),
        f"tests/test_{name}.py": test_text(claim, name),
        f"notebooks/{name}.ipynb": notebook_text(claim, name, title),
    }
    clashes = [p for p in files if (root / p).exists()]
    if clashes:
        raise ScaffoldError(f"{', '.join(clashes)} already exist(s) under {root}. Fix: choose another name; "
                            "the scaffold never overwrites a file.")
    registry = registry_path.read_text(encoding="utf-8")
    taken = [r for r in (name, f"robustness_{claim.lower()}") if f"[reports.{r}]" in registry]
    if taken:
        raise ScaffoldError(f"{registry_path} already has [reports.{taken[0]}]. Fix: choose another name.")
    for rel, text in files.items():
        (root / rel).write_text(text, encoding="utf-8")
    registry_path.write_text(registry.rstrip("\n") + "\n" + registry_text(claim, name, title), encoding="utf-8")
    cat_text = cat_path.read_text(encoding="utf-8")
    cat_path.write_text(cat_text.rstrip("\n") + "\n" + catalog_text(claim, name, title, today or dt.date.today()),
                        encoding="utf-8")
    doc = root / "docs" / "claims.md"
    doc.write_text(catalog.render_markdown(catalog.load(cat_path)), encoding="utf-8")
    return Scaffold(claim=claim, name=name, written=tuple(files),
                    extended=("notebooks/reports.toml", "research/claims/catalog.toml", "docs/claims.md"))
