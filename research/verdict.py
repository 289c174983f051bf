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

LABELS = ("supported", "contradicted", "mixed", "inconclusive", "not testable")
SIDECAR_ENV = "RESEARCH_SIDECAR"

_COLOURS = {
    "supported": "#1a7f37",
    "contradicted": "#cf222e",
    "mixed": "#9a6700",
    "inconclusive": "#57606a",
    "not testable": "#8250df",
    "supported, fragile": "#6f9f7b",
    "contradicted, fragile": "#d9777f",
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

    ``claim`` is an id declared in ``research/claims/catalog.toml`` (``"C1"``); ``aspect`` names a sub-claim when one claim
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
    #: What ``n`` counts when the raw count differs, shown beside it: the raw count first, then
    #: after "; " what n counts ("of 69 events; n counts those whose 12m forward windows do not
    #: overlap"). The scorecard shows the first part (:meth:`n_raw_text`).
    n_note: str = ""
    #: The significance level of the verdict's own test when it has no interval (C4's rank in its
    #: history: 1 minus the top-decile threshold); with an interval it is 1 - ``interval_level``.
    alpha: float | None = None

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
    def test_level(self) -> float | None:
        """The level the verdict's own p-value is judged at (None: it states none)."""
        if self.interval_level:
            return round(1 - self.interval_level, 6)
        return self.alpha

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

    def n_text(self) -> str:
        """``n`` with what it counts beside it, when the verdict says (``n_note``)."""
        if self.n is None:
            return "—"
        return f"{self.n} ({self.n_note})" if self.n_note else str(self.n)

    def n_raw_text(self) -> str:
        """The raw count of ``n_note`` ("of 69 events"), its part before "; "."""
        return self.n_note.split("; ", 1)[0]

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
                f"  n:          {self.n_text()}",
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
    parts += [f"n = {v.n_text()}", v.sample]
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


# -- the headline rule: one verdict reconciled with the family and its specification curve ----------
#: The headline labels :func:`reconcile` can give: a report's own label, or a "fragile" one.
HEADLINE_LABELS = (*LABELS, "supported, fragile", "contradicted, fragile")
#: Fewer than this share of the valid specifications agreeing with the report's label makes it fragile.
AGREE_SHARE = 0.5
RECONCILE_RULE = (
    "A report's 'supported' or 'contradicted' is the headline only if (1) its test clears its own "
    "level (1 minus the interval level, or the level its rule names when it has no interval) after "
    "Holm's adjustment across the claims' main verdicts, "
    "and (2) at least half of the valid specifications of its own series' specification curve give "
    "the same label. When the curve points the other way at least as often as it agrees, the "
    "headline is 'mixed'; when either condition fails otherwise, it is 'supported, fragile' or "
    "'contradicted, fragile'. Any other label (mixed, inconclusive, not testable) is shown as it is.")


@dataclass(frozen=True)
class Reconciled:
    """The headline verdict (:func:`reconcile`): ``label`` (one of :data:`HEADLINE_LABELS`),
    ``raw`` (the default specification's own label) and ``reason`` (plain text: why they differ,
    or that they agree)."""

    label: str
    raw: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"label": self.label, "raw": self.raw, "reason": self.reason}


def reconcile(verdict: Verdict, adjusted_p: float | None,
              curve_shares: dict[str, Any] | None) -> Reconciled:
    """The headline label of ``verdict`` given its Holm-adjusted p-value across the family
    (``None``: it has none) and the shares of its own specification curve (``share_supported``,
    ``share_contradicted``, ... of the valid specifications, as ``research.sweep.shares`` gives
    them; ``None``: no curve has run). The rule is :data:`RECONCILE_RULE`.

    The level is the verdict's own (``Verdict.test_level``); adjusted p must be strictly below
    it, as the verdict's own test would require. A verdict that cannot be checked (no p-value,
    no level, no curve) is not confirmed, so its label becomes "fragile" with the reason saying
    what is missing: a headline claims only what was checked.
    """
    raw = verdict.label
    if raw not in ("supported", "contradicted"):
        return Reconciled(raw, raw, f"the report's label is {raw}; only supported and contradicted are qualified")
    other = "contradicted" if raw == "supported" else "supported"
    problems = []
    alpha = verdict.test_level
    if adjusted_p is None or alpha is None:
        problems.append("no p-value adjusted across the claims" if adjusted_p is None
                        else "no level to test the adjusted p-value against")
    elif not adjusted_p < alpha:
        problems.append(f"Holm-adjusted p = {adjusted_p:.3f} does not clear its level {alpha:g}")
    if not curve_shares or not curve_shares.get("valid"):
        problems.append("no specification curve of its own series yet")
    else:
        agree = float(curve_shares.get(f"share_{raw}") or 0.0)
        oppose = float(curve_shares.get(f"share_{other}") or 0.0)
        valid = int(curve_shares["valid"])
        if oppose > 0 and oppose >= agree:
            return Reconciled("mixed", raw, (
                f"its specification curve points the other way ({oppose:.0%} {other}) at least as often "
                f"as it agrees ({agree:.0%} {raw}) over {valid} valid specifications"
                + (f"; also {'; '.join(problems)}" if problems else "")))
        if agree < AGREE_SHARE:
            problems.append(f"only {agree:.0%} of {valid} valid specifications of its curve agree")
    if problems:
        return Reconciled(f"{raw}, fragile", raw, "; ".join(problems))
    return Reconciled(raw, raw, f"clears its level after Holm (p = {adjusted_p:.3f} < {alpha:g}) and "
                      f"{float(curve_shares.get(f'share_{raw}') or 0):.0%} of its curve agree")


def read_sidecar(path: str | Path) -> dict[str, Any]:
    """Read a sidecar written by :func:`record`."""
    data = json.loads(Path(path).read_text())
    data["verdicts"] = [Verdict.from_dict(v) for v in data.get("verdicts", [])]
    return data
