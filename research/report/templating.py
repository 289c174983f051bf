"""The one Jinja2 environment behind every page, the scorecard and the verdict box.

Templates live in ``templates/`` beside this file (shipped as package data), so the HTML and
CSS can be edited without touching Python. Every value a template prints is escaped; HTML built
elsewhere reaches a template only wrapped in :class:`markupsafe.Markup` by the caller, and only
when it is already safe (nbconvert's output, a rendered template).
"""

from __future__ import annotations

import functools
import html
import re
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

TEMPLATES = Path(__file__).resolve().with_name("templates")


def _finalize(value: Any) -> Any:
    """Escape as ``html.escape`` does (``'`` as ``&#x27;``, like the pages before templates) and
    print None as nothing; autoescape then leaves the result alone."""
    if hasattr(value, "__html__"):
        return value
    return Markup(html.escape("" if value is None else str(value)))


def _oneline(markup: Markup) -> Markup:
    """Drop the template's line breaks between tags, so each table row stays on one line.
    Escaped values hold no ``<`` or ``>``, so only the template's own layout is touched."""
    return Markup(re.sub(r">\s*\n\s*<", "><", str(markup)).strip())


@functools.cache
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, finalize=_finalize,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["oneline"] = _oneline
    return env


def render(name: str, **context: Any) -> str:
    """Render ``templates/<name>`` with ``context``."""
    return environment().get_template(name).render(**context)
