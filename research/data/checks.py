"""Impossible values, shared by the parsers: missing-value codes and dates past a file's vintage.

French marks missing values ``-99.99`` or ``-999`` (its files say so); ``-9999`` is the other code
spreadsheets and older data sets use. They are compared as numbers, so ``-99.990``, ``-999.0`` and
``-9999`` match in any format. A file cannot hold observations after the day it was made: a date
later than today (plus two days for time zones) is a damaged or hand-edited file.
"""

from __future__ import annotations

import datetime as _dt

import numpy as np

SENTINELS = (-99.99, -999.0, -9999.0)
FUTURE_SLACK_DAYS = 2


def sentinel_mask(values: np.ndarray) -> np.ndarray:
    return np.isin(values, SENTINELS)


def latest_plausible_date() -> _dt.date:
    """The last date a file made now can hold an observation for."""
    return _dt.datetime.now(_dt.UTC).date() + _dt.timedelta(days=FUTURE_SLACK_DAYS)
