"""What every claim result shares: verdicts, a main table, the specification, and display.

Claim modules define frozen dataclasses that inherit :class:`ResultMixin` and have at least the
fields ``verdicts: tuple[Verdict, ...]``, ``table: pd.DataFrame`` and ``spec: dict``. Left on the
last line of a notebook cell, a result renders as its verdict box followed by its table.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import pandas as pd

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
