"""Verdicts: the one shape every claim's conclusion takes, and the sidecar that carries them.

A :class:`Verdict` states its hypothesis, its statistic, interval or p-value, the number of
independent observations, the sample and the data vintage. :func:`record` shows the verdicts
and, when the runner asks for it (``RESEARCH_SIDECAR``), writes them to a JSON sidecar so the
scorecard is built without re-running anything.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from research import provenance
from research.report.templating import render as render_template

# The claims under test (facts from CLAIMS.md): id -> one-line summary of the commentary.
CLAIMS: dict[str, str] = {
    "C1": "The start of a Fed easing cycle in a resilient economy is stimulative for small caps.",
    "C2": "Small companies are more sensitive to interest rates.",
    "C3": "Small caps are structurally inferior: they tilt toward value and are less profitable.",
    "C4": "Froth: leadership of crypto-connected, small nuclear, clean energy and quantum names.",
    "C5": "Technical breakout: 200-day average cleared; two weekly closes above ~2,460 are bullish.",
    "C6": "The S&P 500 may be due a pullback, which would favour shifting toward small caps.",
    "C7": "Small caps can beat large caps through year end (Russell 2000 target 2,665, ~7% upside).",
    "C8": "Small caps are tied to the business cycle, have underperformed, and may do better ahead.",
    "C9": "An M&A pickup helps small-cap financials; earnings growth is improving.",
}
LABELS = ("supported", "contradicted", "mixed", "inconclusive", "not testable")
SIDECAR_ENV = "RESEARCH_SIDECAR"

_COLOURS = {
    "supported": "#1a7f37",
    "contradicted": "#cf222e",
    "mixed": "#9a6700",
    "inconclusive": "#57606a",
    "not testable": "#8250df",
}


def _clean(x: Any) -> Any:
    """JSON-safe: numpy scalars to Python, NaN to None."""
    if x is None:
        return None
    if hasattr(x, "item") and not isinstance(x, (list, tuple, dict, str)):
        x = x.item()
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if isinstance(x, (list, tuple)):
        return [_clean(v) for v in x]
    if isinstance(x, dict):
        return {str(k): _clean(v) for k, v in x.items()}
    return x


@dataclass(frozen=True)
class Verdict:
    """A claim's conclusion with the evidence behind it.

    ``claim`` is the id in CLAIMS.md (``"C1"``); ``aspect`` names a sub-claim when one claim
    has several verdicts (C3: "value tilt", "less profitable", "inferior").
    """

    claim: str
    label: str
    hypothesis: str
    statistic: float | None = None
    statistic_name: str = ""
    interval: tuple[float, float] | None = None
    interval_level: float | None = None
    p_value: float | None = None
    n: int | None = None
    sample: str = ""
    vintage: dict[str, str] = field(default_factory=dict)
    method: str = ""
    rule: str = ""
    aspect: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        if self.label not in LABELS:
            raise ValueError(f"verdict label {self.label!r} is not one of {LABELS}")
        if self.interval is not None:
            lo, hi = self.interval
            object.__setattr__(self, "interval", (float(lo), float(hi)))
        if self.statistic is not None:
            object.__setattr__(self, "statistic", float(self.statistic))
        if self.p_value is not None:
            object.__setattr__(self, "p_value", float(self.p_value))
        if self.n is not None:
            object.__setattr__(self, "n", int(self.n))

    @classmethod
    def not_testable(cls, claim: str, hypothesis: str, reason: str, data_needed: str = "") -> Verdict:
        """A claim the catalog cannot test, reported as such instead of raising or vanishing."""
        note = reason + (f" Data that would settle it: {data_needed}" if data_needed else "")
        return cls(claim=claim, label="not testable", hypothesis=hypothesis, note=note)

    @property
    def key(self) -> str:
        return f"{self.claim}:{self.aspect}" if self.aspect else self.claim

    def to_dict(self) -> dict[str, Any]:
        return _clean(asdict(self))

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Verdict:
        d = dict(d)
        if d.get("interval") is not None:
            d["interval"] = tuple(d["interval"])
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in d.items() if k in known})

    # -- display -------------------------------------------------------------------------
    def interval_text(self, digits: int = 2) -> str:
        parts = []
        if self.interval is not None:
            lvl = f"{self.interval_level:.0%} " if self.interval_level else ""
            parts.append(f"{lvl}CI [{self.interval[0]:.{digits}f}, {self.interval[1]:.{digits}f}]")
        if self.p_value is not None:
            parts.append("p < 0.001" if self.p_value < 0.001 else f"p = {self.p_value:.3f}")
        return "; ".join(parts) or "—"

    def statistic_text(self, digits: int = 2) -> str:
        if self.statistic is None:
            return "—"
        return f"{self.statistic:.{digits}f}" + (f" ({self.statistic_name})" if self.statistic_name else "")

    def __str__(self) -> str:
        head = f"{self.claim}{' ' + self.aspect if self.aspect else ''}: {self.label.upper()}"
        lines = [head, f"  hypothesis: {self.hypothesis}"]
        if self.label != "not testable":
            lines += [
                f"  statistic:  {self.statistic_text()}",
                f"  interval:   {self.interval_text()}",
                f"  n:          {self.n if self.n is not None else '—'}",
                f"  sample:     {self.sample or '—'}",
                f"  vintage:    {', '.join(f'{k} {v}' for k, v in self.vintage.items()) or '—'}",
            ]
        if self.rule:
            lines.append(f"  rule:       {self.rule}")
        if self.note:
            lines.append(f"  note:       {self.note}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return verdict_box([self])


def verdict_box(verdicts: list[Verdict]) -> str:
    """The HTML box a report opens with: one row per verdict (``templates/verdict_box.html.j2``)."""
    return render_template("verdict_box.html.j2", verdicts=list(verdicts), colours=_COLOURS)

def verdict_sentence(v: Verdict, digits: int = 1) -> str:
    """One markdown bullet stating a verdict with its statistic, interval, n and sample."""
    if v.label == "not testable":
        return f"- **{v.aspect or v.claim}: not testable.** {v.note}"
    stat = f"{v.statistic:+.{digits}f}" if v.statistic is not None else "—"
    parts = []
    if v.interval is not None:
        lvl = f"{v.interval_level:.0%} " if v.interval_level else ""
        parts.append(f"{lvl}interval [{v.interval[0]:+.{digits}f}, {v.interval[1]:+.{digits}f}]")
    if v.p_value is not None:
        parts.append(f"p = {v.p_value:.3f}")
    parts += [f"n = {v.n}", v.sample]
    return f"- **{v.aspect or v.claim}: {v.label}.** {v.statistic_name}: {stat} ({'; '.join(parts)}). {v.note}"


def record(*verdicts: Verdict, extra: dict[str, Any] | None = None, display: bool = True) -> None:
    """Show the verdicts and, under the runner, write them to the report's JSON sidecar.

    The sidecar path comes from ``RESEARCH_SIDECAR`` (set by `research run`); interactively
    nothing is written. ``extra`` carries other machine-readable results (JSON-safe values),
    e.g. the forecast scorecard. The payload also lists the datasets read and the ``research``
    modules imported so far (:mod:`research.provenance`): call it last.
    """
    for v in verdicts:
        if not isinstance(v, Verdict):
            raise TypeError(f"record() takes Verdict objects, got {type(v).__name__}")
    payload = {
        "verdicts": [v.to_dict() for v in verdicts],
        "inputs": provenance.inputs(),
        "modules": provenance.modules(),
        "extra": _clean(extra or {}),
        "recorded_at": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
    }
    path = os.environ.get(SIDECAR_ENV)
    if path:
        target = Path(path)
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_text(json.dumps(payload, indent=2, default=str))
        os.replace(tmp, target)
    if display:
        try:
            from IPython.display import HTML
            from IPython.display import display as _display

            _display(HTML(verdict_box(list(verdicts))))
        except ImportError:  # pragma: no cover - IPython ships with the kernel
            print("\n\n".join(str(v) for v in verdicts))


def read_sidecar(path: str | Path) -> dict[str, Any]:
    """Read a sidecar written by :func:`record`."""
    data = json.loads(Path(path).read_text())
    data["verdicts"] = [Verdict.from_dict(v) for v in data.get("verdicts", [])]
    return data
