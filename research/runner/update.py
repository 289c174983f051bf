"""``research run --update`` and ``--frozen``: new data vintages in, then the reports they change.

``--update`` asks the data layer for new vintages (:func:`research.data.update`: conditional
requests, so unchanged files cost a round trip each) under the run lock, before any report is
decided; each report's key holds the sha256 of every input it read, so exactly the reports that
read a changed dataset become stale and run. ``--frozen`` (or ``RESEARCH_FROZEN=1``) asks the
data layer to serve the vintages pinned in ``data/vintages.lock``: it is passed on as the
environment variable ``RESEARCH_FROZEN=1``, which the kernels inherit.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from research.errors import DataError, ParameterError

FROZEN_ENV = "RESEARCH_FROZEN"


def _update_data(names: Iterable[str] | None = None) -> list[str]:
    """Ask the publisher of each dataset (default: all) for a newer file; the names that changed.

    A dataset whose publisher cannot be asked (offline, a 404, a timeout) keeps the file in use:
    that is printed as a warning, and the run goes on with the data it has.
    """
    import sys

    from research import data

    changed = []
    for name in list(names) if names is not None else data.names():
        try:
            if data.update(name)["changed"]:
                changed.append(name)
        except DataError as exc:  # the whole message: its first line alone ends at "Tried:"
            print(f"research: warning: could not check {name} for a newer vintage, the file in use "
                  f"is kept: {exc}", file=sys.stderr)
    return sorted(changed)


def frozen_requested(flag: bool, environ: Mapping[str, str] | None = None) -> bool:
    environ = os.environ if environ is None else environ
    return flag or environ.get(FROZEN_ENV, "") == "1"


def prepare(*, update: bool, frozen: bool) -> Callable[[], list[str]] | None:
    """Check the options and set the environment; return the update step for the run, or None.

    ``frozen`` sets ``RESEARCH_FROZEN=1`` in this process (so both this process's input checks and
    the kernels it starts see it). Updating and freezing contradict each other: ParameterError.
    """
    is_frozen = frozen_requested(frozen)
    if update and is_frozen:
        source = "--frozen" if frozen else f"{FROZEN_ENV}=1 in the environment"
        raise ParameterError(f"--update fetches new vintages but {source} pins the locked ones; "
                             f"drop one of them ({FROZEN_ENV}=0 or unset it to update).")
    if is_frozen:
        os.environ[FROZEN_ENV] = "1"
    return _update_data if update else None


def readers(changed: Iterable[str], states: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """The reports whose last good run read one of the ``changed`` datasets."""
    changed = set(changed)
    return sorted(name for name, state in states.items()
                  if changed & set((((state or {}).get("success") or {}).get("inputs")) or {}))
