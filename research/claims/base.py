"""What every claim result shares: verdicts, a main table, the specification, and display.

Claim modules define frozen dataclasses that inherit :class:`ResultMixin` and have at least the
fields ``verdicts: tuple[Verdict, ...]``, ``table: pd.DataFrame`` and ``spec: dict``. Left on the
last line of a notebook cell, a result renders as its verdict box followed by its table.
"""

from __future__ import annotations

import html
from typing import Any

import pandas as pd

from research.verdict import Verdict, verdict_box


class ResultMixin:
    verdicts: tuple[Verdict, ...]
    table: pd.DataFrame
    spec: dict[str, Any]

    @property
    def verdict(self) -> Verdict:
        """The first (main) verdict."""
        return self.verdicts[0]

    def __str__(self) -> str:
        parts = [str(v) for v in self.verdicts]
        parts.append(self.table.to_string(max_rows=30))
        return "\n\n".join(parts)

    def _repr_html_(self) -> str:
        spec = ", ".join(f"{k}={v!r}" for k, v in self.spec.items())
        return (verdict_box(list(self.verdicts))
                + self.table.to_html(float_format=lambda x: f"{x:.3f}", na_rep="—", border=0)
                + f"<p><small>specification: {html.escape(spec)}</small></p>")


def vintage_of(*names: str) -> dict[str, str]:
    """The data vintage of each dataset, for a verdict (read from the catalog's parsed metadata)."""
    from research import data

    return {n: str(data.info(n)["vintage"]) for n in names}


def robustness_pivot(grid: pd.DataFrame, keys: list[str], across: str) -> pd.DataFrame:
    """A claim's small robustness grid read across: one row per specification (grid order, so
    the default comes first), the label, statistic and p-value of each ``across`` value side by side."""
    return (grid
            .assign(**({"start": grid["start"].str[:7]} if "start" in grid else {}))
            .pivot_table(index=keys, columns=across, values=["label", "statistic", "p_value"],
                         aggfunc="first", sort=False)
            .reindex(columns=["label", "statistic", "p_value"], level=0))


def verdict_row(spec: dict[str, Any], v: Verdict) -> dict[str, Any]:
    """One row of a robustness grid: the specification and what its verdict found."""
    lower, upper = v.interval if v.interval else (float("nan"), float("nan"))
    return {**spec, "aspect": v.aspect, "label": v.label, "statistic": v.statistic, "ci_lower": lower,
            "ci_upper": upper, "p_value": v.p_value, "n": v.n, "sample": v.sample}
