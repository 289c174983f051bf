"""FRED series: a pure text -> DataFrame parser.

Reads the fredgraph CSV (``observation_date,SERIES``, or the older ``DATE,SERIES``; headers in any
case) and the ``date,value`` copies saved from FRED's API. ``.`` or a blank value means missing.
``-99.99``, ``-999`` and ``-9999`` (another program's missing-value codes: no FRED series we read
takes these values) become NaN with a :class:`MissingCodeWarning` naming the file and lines; a date
after today is refused. The result has one float column named after the series id (upper case) on a DatetimeIndex named
``date``; monthly series are moved to month-end so they line up with French's monthly data.
"""

from __future__ import annotations

import csv
import io
import warnings

import numpy as np
import pandas as pd

from research.data.checks import SENTINELS, latest_plausible_date, sentinel_mask
from research.errors import ParseError

PARSER_VERSION = 2


class MissingCodeWarning(UserWarning):
    """A FRED file holds -99.99, -999 or -9999 (FRED itself writes '.'): read as missing, not as a number."""
_DATE_HEADERS = {"observation_date", "date"}
_MISSING = {"", "."}


def csv_rows(text: str, source: str) -> list[tuple[int, list[str]]]:
    """The non-blank rows of a CSV text with their line numbers; any line ending (a lone CR too).

    A text the csv module cannot read (e.g. a field over its size limit) is a :class:`ParseError`,
    not a ``csv.Error``. Shared by the FRED and price parsers.
    """
    reader = csv.reader(io.StringIO(text, newline=None))  # universal newlines: \r, \r\n, \n
    try:
        return [(reader.line_num, r) for r in reader if any(c.strip() for c in r)]
    except csv.Error as exc:
        raise ParseError(f"not a readable CSV file ({exc})", source=source, line=reader.line_num or None) from None


def parse_fred(text: str, series: str, frequency: str, source: str = "<text>") -> pd.DataFrame:
    """Parse one FRED series; ``frequency`` is ``"monthly"`` or ``"daily"`` (from the catalog)."""
    numbered = csv_rows(text, source)
    rows = [r for _, r in numbered]
    linenos = [n for n, _ in numbered]  # the file's line of each row (blank lines are skipped)
    if not rows:
        raise ParseError("the file is empty", source=source)
    header = [c.strip().lower() for c in rows[0]]
    if len(header) != 2 or header[0] not in _DATE_HEADERS:
        raise ParseError(
            f"unexpected header {rows[0]!r}: expected 'observation_date,{series}' (fredgraph) or "
            "'date,value'", source=source, line=1)
    if header[1] not in (series.lower(), "value"):
        raise ParseError(f"header names series {rows[0][1]!r}, expected {series!r}", source=source, line=1)
    dates, values = [], []
    for lineno, r in zip(linenos[1:], rows[1:], strict=True):
        if len(r) != 2:
            raise ParseError(f"expected 2 fields, got {len(r)}", source=source, line=lineno)
        d, v = r[0].strip(), r[1].strip()
        dates.append(d)
        if v in _MISSING:
            values.append(np.nan)
            continue
        try:
            values.append(float(v))
        except ValueError:
            raise ParseError(f"non-numeric value {v!r} on {d}", source=source, line=lineno) from None
    if not dates:
        raise ParseError("the file has a header but no observations", source=source)
    index = pd.to_datetime(pd.Series(dates), format="%Y-%m-%d", errors="coerce")
    if index.isna().any():
        pos = int(np.flatnonzero(index.isna().to_numpy())[0])
        raise ParseError(f"invalid date {dates[pos]!r}", source=source, line=linenos[pos + 1])
    index = pd.DatetimeIndex(index)
    late = np.flatnonzero(index > pd.Timestamp(latest_plausible_date()))
    if len(late):
        pos = int(late[0])
        raise ParseError(f"the date {dates[pos]} is in the future (after {latest_plausible_date()}); a "
                         "future date means a damaged or hand-edited file", source=source, line=linenos[pos + 1])
    if frequency == "monthly":
        index = index + pd.offsets.MonthEnd(0)
    steps = np.diff(index.asi8)
    if (steps <= 0).any():
        pos = int(np.flatnonzero(steps <= 0)[0]) + 1
        kind = "duplicated" if steps[pos - 1] == 0 else "out of order"
        raise ParseError(f"dates {kind}: {dates[pos - 1]} then {dates[pos]}", source=source,
                         line=linenos[pos + 1])
    array = np.asarray(values, dtype=float)
    codes = np.flatnonzero(sentinel_mask(array))
    if len(codes):
        shown = ", ".join(str(linenos[k + 1]) for k in codes[:5]) + (" ..." if len(codes) > 5 else "")
        warnings.warn(f"{source}: {len(codes)} value(s) equal to a missing-value code {list(SENTINELS)} "
                      f"read as missing (NaN), line(s) {shown}; FRED writes '.' for missing values, so "
                      "the file was saved by another program: check it against the publisher's",
                      MissingCodeWarning, stacklevel=2)
        array[codes] = np.nan
    return pd.DataFrame({series.upper(): array}, index=pd.DatetimeIndex(index, name="date"))
