"""One figure style for every report, so the reports read as one body of work.

Call :func:`use_style` once at the top of a notebook (nothing happens at import), then make
figures with :func:`figure`. Colours name what they show: small caps, large caps, the spread.
matplotlib and seaborn are imported when a function is called, not when this module is.
"""

from __future__ import annotations

from typing import Any

COLORS = {
    "small": "#0b6e4f",   # small caps
    "large": "#3a5a98",   # large caps
    "spread": "#c05621",  # small minus large
    "neutral": "#6e7781",  # placebo / unconditional distributions
    "event": "#8250df",   # event markers (first cuts, breakouts)
}
RECESSION_SHADE = {"color": "#d0d7de", "alpha": 0.5, "linewidth": 0}

_RC = {
    "figure.figsize": (8.0, 4.2),
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.35,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 10,
    "legend.frameon": False,
    "legend.fontsize": 9,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
}


def use_style() -> None:
    """Apply the workbench style (seaborn's white grid plus our sizes and colour cycle)."""
    import matplotlib as mpl
    import seaborn as sns

    sns.set_theme(style="whitegrid", rc=_RC)
    mpl.rcParams["axes.prop_cycle"] = mpl.cycler(color=[COLORS[k] for k in ("small", "large", "spread", "neutral", "event")])


def figure(nrows: int = 1, ncols: int = 1, *, title: str = "", source: str = "", **kwargs: Any) -> tuple[Any, Any]:
    """A styled ``(fig, axes)`` pair; ``source`` is printed small under the axes (data credit)."""
    import matplotlib.pyplot as plt

    use_style()
    kwargs.setdefault("layout", "constrained")
    fig, axes = plt.subplots(nrows, ncols, **kwargs)
    if title:
        fig.suptitle(title, x=0.01, ha="left", fontweight="bold")
    if source:
        fig.text(0.01, -0.02, f"Source: {source}", fontsize=8, color=COLORS["neutral"], ha="left", va="top")
    return fig, axes


def shade_periods(ax: Any, periods: Any) -> None:
    """Shade ``(start, end)`` spans, e.g. NBER recessions, behind the data."""
    for start, end in periods:
        ax.axvspan(start, end, zorder=0, **RECESSION_SHADE)
