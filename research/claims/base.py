"""What every claim result shares: verdicts, a main table, the specification, and display.

Claim modules define frozen dataclasses that inherit :class:`ResultMixin` and have at least the
fields ``verdicts: tuple[Verdict, ...]``, ``table: pd.DataFrame`` and ``spec: dict``. Left on the
last line of a notebook cell, a result renders as its verdict box followed by its table.
"""

from __future__ import annotations

import functools
import html
import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

from research.data.sizes import RUSSELL, WEIGHTED
from research.errors import ParameterError
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


#: The three return series the factor regressions of C2 and C3 fit.
PORTFOLIOS = ("small", "large", "small_minus_large")


def excess_returns(returns: pd.DataFrame, rf: pd.Series) -> pd.DataFrame:
    """:data:`PORTFOLIOS` of ``returns`` with the risk-free rate taken from small and large (the
    spread needs none: it cancels), month by month as ``rf`` varies."""
    return returns[list(PORTFOLIOS)].assign(small=lambda d: d["small"] - rf, large=lambda d: d["large"] - rf)


def month_end(date: Any, name: str = "date") -> pd.Timestamp:
    """The last day of ``date``'s month (midnight); a ParameterError naming ``name`` if it is no date."""
    try:
        return pd.Timestamp(date).to_period("M").to_timestamp("M")
    except (ValueError, TypeError) as exc:
        raise ParameterError(f"{name} must be an ISO date such as '1963-07-31', got {date!r}") from exc


def span(dates: Sequence[Any]) -> str:
    """'1963-07..2025-10': the months of the first and last of ``dates`` ("empty" for none)."""
    return f"{pd.Timestamp(dates[0]):%Y-%m}..{pd.Timestamp(dates[-1]):%Y-%m}" if len(dates) else "empty"


def p_text(p: float) -> str:
    """A p-value as the claims' notes write it: 'p < 0.001' or 'p = 0.012'."""
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


# -- specification grids: the shared vocabulary of choices -------------------------------------------
#
# Each claim module declares its specification grid (``GRID``, see :mod:`research.sweep`) with a
# validity rule and an estimate function; these are the pieces they share.

NA = "—"  # a choice that does not apply to this specification (e.g. the rule's minimum cut for curated cuts)

#: Sample starts: the year a choice names -> its first month-end. 1987 starts in October, the
#: first full month of the Russell 2000 series, so every definition can share it.
START_DATES = {1926: "1926-07-31", 1954: "1954-07-31", 1963: "1963-07-31", 1983: "1983-01-31",
               1987: "1987-10-31"}

#: First month-end (or day) each series covers, for the validity rules (facts from the catalog),
#: so grids are checked without data; :func:`data_start` reads any other dataset's from the data.
DATA_START = {
    "deciles": "1926-07-31", "smb": "1926-07-31", "russell_monthly": "1987-10-31",
    "russell_daily": "1987-09-11", "halves_daily": "1926-07-01", "halves_monthly": "1926-07-31",
    "fedfunds": "1954-07-31", "ff5": "1963-07-31", "me_op_25": "1963-07-31",
    "dgs2": "1976-06-30", "dgs10": "1962-01-31", "gs10": "1953-04-30", "gs2": "1985-01-31",
}


def data_start(name: str) -> str:
    """The first date of ``name``: a :data:`DATA_START` entry, else the dataset's coverage read from
    the data (once per process), so a claim on a new series needs no entry here."""
    return DATA_START.get(name) or _coverage_start(name)


@functools.cache
def _coverage_start(name: str) -> str:
    from research import data

    return f"{pd.Timestamp(data.info(name)['coverage'][0]):%Y-%m-%d}"


def start_kept(start: int, data_start: str, starts: tuple[int, ...]) -> bool:
    """Whether sample start ``start`` (a year) is a distinct specification for data that begin at
    ``data_start``. Starts at or before the data's first year all mean "from the first month of
    data", so only one of them is kept: the one naming that year if there is one (Russell 2000
    data and 1987), else the earliest (as the claim reports' defaults do: 1926 means "all data")."""
    first = int(data_start[:4])
    if start > first:
        return True
    same = [s for s in starts if s <= first]
    return start == (first if first in same else min(same))


def weighting_and_start_kept(spec: dict[str, Any], french_start: str, starts: tuple[int, ...], *,
                             russell: str = "russell_monthly", start_key: str = "start") -> bool:
    """Equal weighting only where it changes something (the decile definitions), and a sample start
    that is distinct for the data the specification's size definition reads (see :func:`start_kept`)."""
    if spec["weighting"] == "ew" and spec["size"] not in WEIGHTED:
        return False
    data_start = DATA_START[russell] if spec["size"] == RUSSELL else french_start
    return start_kept(spec[start_key], data_start, starts)


def start_date(start: int, data_start: str) -> str | None:
    """The first month-end of a sample start; ``None`` (all data) when the data begin that year or later."""
    return None if start <= int(data_start[:4]) else START_DATES[start]


def clean_float(x: Any) -> float:
    """A number as a plain float, NaN for None and non-finite values."""
    return float(x) if x is not None and math.isfinite(float(x)) else float("nan")


def spec_row(estimate: Any, lower: Any, upper: Any, label: str, n: Any, p_value: Any = None,
             sample: str = "", **extra: Any) -> dict[str, Any]:
    """An estimate function's answer (plain Python values, NaN for missing numbers)."""
    out = {"estimate": clean_float(estimate), "lower": clean_float(lower), "upper": clean_float(upper),
           "label": label, "n": float("nan") if n is None else int(n),
           "p_value": clean_float(p_value), "sample": sample}
    out.update(extra)
    return out


def lags_choice(value: Any) -> int | None:
    """A HAC-lag choice: "auto" is the Newey-West plug-in rule (None for the claim modules)."""
    return None if value == "auto" else int(value)
