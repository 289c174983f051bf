"""Give every inline figure its title as alt text, in the report kernels.

The runner starts each report's kernel with ``exec_lines`` importing this module. matplotlib's
inline backend displays each figure with the metadata ``_fetch_figure_metadata(fig)`` returns;
this adds ``{"alt": <the figure's title>}`` to it, so the executed notebook records what each
figure shows, and :func:`research.report.page.report_html` writes it into the ``<img alt>``
instead of nbconvert's "No description has been provided for this image".
"""

from __future__ import annotations

from typing import Any

from research.report.tables import ALT_KEY


def figure_title(fig: Any) -> str:
    """The figure's suptitle, else its axes' titles joined with " / ", else ""."""
    sup = getattr(fig, "_suptitle", None)
    if sup is not None and sup.get_text().strip():
        return " ".join(sup.get_text().split())
    titles = []
    for ax in fig.get_axes():
        for loc in ("left", "center", "right"):
            text = " ".join(ax.get_title(loc=loc).split())
            if text:
                titles.append(text)
    return " / ".join(titles)


def install() -> bool:
    """Wrap the inline backend's figure metadata; False when the backend is not installed."""
    try:
        from matplotlib_inline import backend_inline
    except ImportError:  # pragma: no cover - the kernel always has it
        return False
    original = backend_inline._fetch_figure_metadata
    if getattr(original, "_research_alt", False):
        return True

    def with_alt(fig: Any) -> dict[str, Any] | None:
        meta = original(fig)
        title = figure_title(fig)
        return {**(meta or {}), ALT_KEY: title} if title else meta

    with_alt._research_alt = True  # type: ignore[attr-defined]
    backend_inline._fetch_figure_metadata = with_alt
    return True


install()
