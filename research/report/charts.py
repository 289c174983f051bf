"""The scorecard's charts as inline SVG, drawn in plain Python.

The scorecard is rebuilt at the end of every run, even a no-op one, so it must not import numpy
or matplotlib; these charts are a few dozen shapes each. Every mark carries its verdict (or
outcome) as ``class`` and ``data-*`` attributes, so a browser test can count what a reader sees,
and a ``<title>`` with the numbers, which browsers show on hover and screen readers read.

* :func:`forest_svg`: every headline estimate with its interval, one group per claim and aspect,
  one line per report variant, coloured by verdict, zero marked. Claims measure different
  things (% per month, percentiles, factor loadings), so each group has its own scale and its
  unit printed above it: compare marks within a group, not across groups.
* :func:`forecast_svg`: each recorded forecast's target and realized value as a change from the
  level when it was made, on one scale (% change), with the levels themselves as labels.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

WIDTH = 980
LABEL_W = 330  # left column: claim, aspect, variant
PLOT_X0, PLOT_X1 = 340, 700  # the estimates
VALUE_X = 716  # right column: estimate [interval]
ROW_H, HEAD_H, AXIS_H, GAP = 18, 20, 16, 10
FONT = "font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif"
MUTED = "#57606a"
DASH = " \u2014 "


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _num(x: float) -> str:
    """A number for labels: 3 significant figures, a real minus sign."""
    text = f"{x:.3g}" if abs(x) < 1000 else f"{x:,.0f}"
    return text.replace("-", "\u2212")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


@dataclass(frozen=True)
class Estimate:
    """One verdict's headline estimate, as the forest plot draws it."""

    claim: str
    aspect: str
    variant: str  # which report: "default specification", "Russell 2000 vs S&P 500", ...
    label: str  # the verdict
    statistic: float
    interval: tuple[float, float] | None
    unit: str  # the verdict's statistic_name
    report: str = ""


class _Scale:
    """Map a group's values to the plot's x range; zero always inside."""

    def __init__(self, values: Sequence[float]):
        lo, hi = min(0.0, *values), max(0.0, *values)
        pad = (hi - lo) * 0.06 or 1.0
        self.lo, self.hi = lo - pad, hi + pad

    def __call__(self, x: float) -> float:
        return PLOT_X0 + (x - self.lo) / (self.hi - self.lo) * (PLOT_X1 - PLOT_X0)


def _axis_labels(scale: _Scale, y: float, suffix: str) -> list[str]:
    """Labels under an axis: zero, and each end unless its text would run into zero's."""
    def width(text: str) -> float:  # 10 px sans-serif: about 6 px a character
        return 6.0 * len(text)

    zero_text = "0" + suffix
    zero_left, zero_right = scale(0.0) - width(zero_text) / 2, scale(0.0) + width(zero_text) / 2
    out = []
    for x, anchor in ((scale.lo, "start"), (0.0, "middle"), (scale.hi, "end")):
        text = (_num(x) if x else "0") + suffix
        if anchor == "start" and scale(x) + width(text) + 4 > zero_left:
            continue
        if anchor == "end" and scale(x) - width(text) - 4 < zero_right:
            continue
        out.append(f'<text x="{scale(x):.1f}" y="{y:.1f}" font-size="10" fill="{MUTED}" '
                   f'text-anchor="{anchor}">{_e(text)}</text>')
    return out


def _legend(labels: Sequence[str], colours: Mapping[str, str], y: float) -> list[str]:
    out, x = [], PLOT_X0
    for label in labels:
        out.append(f'<circle cx="{x + 5}" cy="{y - 4}" r="5" fill="{_e(colours.get(label, MUTED))}"/>'
                   f'<text x="{x + 14}" y="{y}" font-size="12">{_e(label)}</text>')
        x += 22 + 7.2 * len(label)
    return out


def forest_svg(estimates: Sequence[Estimate], colours: Mapping[str, str]) -> str:
    """The forest plot of ``estimates`` (in the order given, grouped by claim and aspect)."""
    groups: dict[tuple[str, str], list[Estimate]] = {}
    for est in estimates:
        groups.setdefault((est.claim, est.aspect), []).append(est)
    labels = [lab for lab in colours if any(e.label == lab for e in estimates)]
    parts: list[str] = [f'<text x="0" y="14" font-size="12" fill="{MUTED}">verdict:</text>',
                        *_legend(labels, colours, 14)]
    y = 28.0
    for (claim, aspect), members in groups.items():
        values = [v for e in members for v in (e.statistic, *(e.interval or ()))]
        scale = _Scale(values)
        unit = members[0].unit or "estimate"
        parts.append(f'<g class="forest-group" data-claim="{_e(claim)}" data-aspect="{_e(aspect)}">')
        parts.append(f'<text x="0" y="{y + 14}" font-size="13" font-weight="600">{_e(claim)}'
                     f'{DASH + _e(_clip(aspect, 36)) if aspect else ""}</text>'
                     f'<text x="{PLOT_X0}" y="{y + 14}" font-size="11" fill="{MUTED}">'
                     f'<title>{_e(unit)}</title>{_e(_clip(unit, 95))}</text>')
        top = y + HEAD_H
        bottom = top + ROW_H * len(members)
        zero = scale(0.0)
        parts.append(f'<line class="zero" x1="{zero:.1f}" x2="{zero:.1f}" y1="{top:.1f}" y2="{bottom:.1f}" '
                     f'stroke="#8c959f" stroke-dasharray="3 3"/>')
        for i, est in enumerate(members):
            cy = top + ROW_H * i + ROW_H / 2
            colour = _e(colours.get(est.label, MUTED))
            ci = ""
            if est.interval is not None:
                ci = f" [{_num(est.interval[0])}, {_num(est.interval[1])}]"
            tip = f"{claim} {aspect} ({est.variant}): {est.label}; {unit} {_num(est.statistic)}{ci}"
            mark = [f'<g class="forest-mark" data-verdict="{_e(est.label)}" data-claim="{_e(claim)}" '
                    f'data-report="{_e(est.report)}"><title>{_e(tip)}</title>']
            if est.interval is not None:
                x0, x1 = scale(est.interval[0]), scale(est.interval[1])
                mark.append(f'<line x1="{x0:.1f}" x2="{x1:.1f}" y1="{cy:.1f}" y2="{cy:.1f}" stroke="{colour}" '
                            f'stroke-width="2.5"/>')
            mark.append(f'<circle cx="{scale(est.statistic):.1f}" cy="{cy:.1f}" r="5" fill="{colour}" '
                        f'stroke="#fff" stroke-width="1"/></g>')
            parts += mark
            parts.append(f'<text x="14" y="{cy + 4:.1f}" font-size="12" fill="{MUTED}">{_e(_clip(est.variant, 48))}'
                         f'</text><text x="{VALUE_X}" y="{cy + 4:.1f}" font-size="12">'
                         f'<tspan fill="{colour}">{_e(est.label)}</tspan> {_e(_num(est.statistic) + ci)}</text>')
        # the group's own axis: its ends and zero
        parts.append(f'<line x1="{PLOT_X0}" x2="{PLOT_X1}" y1="{bottom:.1f}" y2="{bottom:.1f}" stroke="#d0d7de"/>')
        parts += _axis_labels(scale, bottom + 12, "")
        parts.append("</g>")
        y = bottom + AXIS_H + GAP
    height = int(y)
    return (f'<svg class="forest" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
            f'width="100%" role="img" aria-labelledby="forest-title" style="{FONT};max-width:{WIDTH}px">'
            f'<title id="forest-title">Every headline estimate with its interval, coloured by verdict; '
            f'each claim and aspect on its own scale, zero dashed</title>{"".join(parts)}</svg>')


@dataclass(frozen=True)
class Forecast:
    """One forecast from a report's ``extra["forecasts"]``: levels, not yet changes."""

    name: str
    made_on: str
    level: float
    target: float
    realized: float | None
    outcome: str
    as_of: str = ""
    report: str = ""


def forecast_from(item: Mapping[str, Any], report: str = "") -> Forecast | None:
    """A :class:`Forecast` from a recorded forecast, or None when it lacks the numbers to draw."""
    try:
        level, target = float(item["level_at_forecast"]), float(item["target"])
    except (KeyError, TypeError, ValueError):
        return None
    if level == 0:
        return None
    realized = item.get("realized")
    return Forecast(name=str(item.get("forecast", "")), made_on=str(item.get("made_on", "")), level=level,
                    target=target, realized=None if realized is None else float(realized),
                    outcome=str(item.get("outcome") or "pending"), as_of=str(item.get("as_of") or ""),
                    report=report)


def _change(value: float, level: float) -> float:
    return 100.0 * (value / level - 1.0)


OUTCOME_COLOURS = {"hit": "#1a7f37", "miss": "#cf222e", "pending": MUTED}


def forecast_svg(forecasts: Sequence[Forecast]) -> str:
    """Target and realized value of each forecast as % change from the level when it was made."""
    values = [0.0]
    for f in forecasts:
        values.append(_change(f.target, f.level))
        if f.realized is not None:
            values.append(_change(f.realized, f.level))
    scale = _Scale(values)
    row_h = 40
    # The scale's caption starts at the left edge: from the plot's own x it ran into the legend.
    parts = [f'<text x="0" y="14" font-size="11" fill="{MUTED}">% change from the level when the '
             f'forecast was made (dashed: 0, that level)</text>',
             f'<text x="{VALUE_X}" y="14" font-size="11" fill="{MUTED}">\u25cb target \u25cf realized</text>']
    top, y = 24.0, 24.0
    for f in forecasts:
        cy = y + row_h / 2
        colour = OUTCOME_COLOURS.get(f.outcome, MUTED)
        t = _change(f.target, f.level)
        tip = (f"{f.name}: level {f.level:,.4g} on {f.made_on}, target {f.target:,.4g} ({t:+.1f}%)"
               + (f", realized {f.realized:,.4g} ({_change(f.realized, f.level):+.1f}%) as of {f.as_of}"
                  if f.realized is not None else ", not realized yet") + f"; {f.outcome}")
        parts.append(f'<g class="forecast-mark" data-outcome="{_e(f.outcome)}" data-report="{_e(f.report)}">'
                     f'<title>{_e(tip)}</title>')
        parts.append(f'<circle cx="{scale(t):.1f}" cy="{cy:.1f}" r="6" fill="#fff" stroke="{colour}" stroke-width="2"/>')
        if f.realized is not None:
            r = _change(f.realized, f.level)
            parts.append(f'<line x1="{scale(0):.1f}" x2="{scale(r):.1f}" y1="{cy:.1f}" y2="{cy:.1f}" '
                         f'stroke="{colour}" stroke-width="2"/>'
                         f'<circle cx="{scale(r):.1f}" cy="{cy:.1f}" r="5" fill="{colour}"/>')
        parts.append("</g>")
        parts.append(f'<text x="0" y="{cy - 3:.1f}" font-size="12" font-weight="600"><title>{_e(f.name)}</title>'
                     f'{_e(_clip(f.name, 44))}</text>'
                     f'<text x="0" y="{cy + 12:.1f}" font-size="11" fill="{MUTED}">level {_e(f"{f.level:,.4g}")} '
                     f'on {_e(f.made_on)}</text>')
        realized = ("not realized yet" if f.realized is None
                    else f"realized {f.realized:,.4g} ({_change(f.realized, f.level):+.1f}%)")
        parts.append(f'<text x="{VALUE_X}" y="{cy - 3:.1f}" font-size="12">target {_e(f"{f.target:,.4g}")} '
                     f'({_e(f"{t:+.1f}%")})</text><text x="{VALUE_X}" y="{cy + 12:.1f}" font-size="12">'
                     f'{_e(realized)} \u2014 <tspan fill="{colour}" font-weight="600">{_e(f.outcome)}</tspan></text>')
        y += row_h
    zero = scale(0.0)
    parts.append(f'<line class="zero" x1="{zero:.1f}" x2="{zero:.1f}" y1="{top:.1f}" y2="{y:.1f}" '
                 f'stroke="#8c959f" stroke-dasharray="3 3"/>'
                 f'<line x1="{PLOT_X0}" x2="{PLOT_X1}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d0d7de"/>')
    parts += _axis_labels(scale, y + 12, "%")
    height = int(y + AXIS_H + 4)
    return (f'<svg class="forecast-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
            f'width="100%" role="img" aria-labelledby="forecast-chart-title" style="{FONT};max-width:{WIDTH}px">'
            f'<title id="forecast-chart-title">Each forecast: its target and the realized value, as % change '
            f'from the level when it was made</title>{"".join(parts)}</svg>')
