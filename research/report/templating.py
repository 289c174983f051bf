"""The one Jinja2 environment behind every page, the scorecard and the verdict box.

Templates live in ``templates/`` beside this file (shipped as package data), so the HTML and
CSS can be edited without touching Python. Every value a template prints is escaped; HTML built
elsewhere reaches a template only wrapped in :class:`markupsafe.Markup` by the caller, and only
when it is already safe (nbconvert's output, a rendered template).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import html
import pickle
import re
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import (
    BytecodeCache,
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    StrictUndefined,
)
from jinja2.bccache import Bucket
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


class _Cache(FileSystemBytecodeCache):
    """A bytecode cache that never fails a render: what it cannot read or write is compiled."""

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, ValueError, EOFError, pickle.UnpicklingError):  # a damaged file
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):  # the folder went away (a temp cleaner), a full disk
            super().dump_bytecode(bucket)


def bytecode_cache(directory: str | None = None) -> BytecodeCache | None:
    """Compiled templates kept between processes, in Jinja2's private per-user temporary folder
    (or ``directory``): compiling the scorecard's templates was a third of a no-op ``research run``.
    Jinja2 recompiles a template whose source changed; the compiled code also depends on the
    options :func:`environment` sets here, so the cache files are named with a hash of this
    module and the Jinja2 version. ``None`` (no cache, compile each time) when there is no
    usable folder."""
    tag = hashlib.sha256(Path(__file__).read_bytes() + jinja2.__version__.encode()).hexdigest()[:16]
    try:
        return _Cache(directory, pattern=f"research-{tag}-%s.cache")
    except (OSError, RuntimeError):  # RuntimeError: Jinja2 found the folder unsafe or could not make it
        return None


@functools.cache
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, finalize=_finalize,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      bytecode_cache=bytecode_cache())
    env.filters["oneline"] = _oneline
    return env


def render(name: str, **context: Any) -> str:
    """Render ``templates/<name>`` with ``context``."""
    return environment().get_template(name).render(**context)
