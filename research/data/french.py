"""Ken French Data Library files: a pure text -> named blocks parser.

A French CSV is a description paragraph followed by tables. Each table is an optional title
paragraph, a header line starting with ``,`` and rows ``date, v1, v2, ...``; it ends at a blank
or non-data line. Dates are YYYYMM (monthly), YYYYMMDD (daily) or YYYY (annual). Values are in
percent per period for returns; ``-99.99`` and ``-999`` mean missing.

Blocks are returned by name (``vw_monthly``, ``ew_monthly``, ``vw_annual``, ``firm_counts``...),
never by position, so a caller never has to know which table came first.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

import numpy as np
import pandas as pd

from research.errors import ParseError

PARSER_VERSION = 1
SENTINELS = (-99.99, -999.0)

_DATA_ROW = re.compile(r"^\s*(\d{4}|\d{6}|\d{8})\s*,")
_VINTAGE = re.compile(r"(\d{6}) CRSP database")
_FREQ_BY_DIGITS = {4: "annual", 6: "monthly", 8: "daily"}


@dataclass(frozen=True)
class FrenchBlock:
    key: str
    title: str
    frequency: str  # "monthly" | "daily" | "annual"
    frame: pd.DataFrame
    first_line: int  # 1-based line of the header, for error messages


@dataclass(frozen=True)
class FrenchFile:
    description: str
    vintage: str | None
    blocks: dict[str, FrenchBlock]


def read_zip_member(raw: bytes, source: str) -> str:
    """The CSV inside a French zip, read in memory (never extracted to a path from the archive)."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(raw))
        members = [m for m in zf.namelist() if m.lower().endswith(".csv")]
        if len(members) != 1:
            raise ParseError(f"expected one .csv inside the zip, found {members or 'none'}", source=source)
        data = zf.read(members[0])  # checks the CRC, so a damaged member fails here
    except ParseError:
        raise
    except zipfile.BadZipFile as exc:
        raise ParseError(
            f"not a valid zip archive ({exc}); the file may be truncated", source=source) from None
    except Exception as exc:  # a damaged archive raises zlib.error, EOFError, ValueError, OSError...
        raise ParseError(f"cannot read the zip archive ({type(exc).__name__}: {exc}); the file is "
                         "damaged", source=source) from None
    return decode(data, source)


def decode(data: bytes, source: str) -> str:
    if not data.strip():
        raise ParseError("the file is empty", source=source)
    head = data[:2048].lstrip().lower()
    if head.startswith((b"<!doctype", b"<html", b"<?xml", b"<head", b"<body")) or b"<html" in head:
        raise ParseError(
            "got an HTML page where a CSV was expected (the server probably sent an error or "
            "login page); check the URL or use the mirror", source=source)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")  # French's older files are Windows-1252; digits are ASCII


def _block_key(title: str, frequency: str, data_freq_untitled: bool) -> str:
    """A stable name for a block, from its title."""
    t = " ".join(title.split()).lower()
    if data_freq_untitled or not t:
        return frequency
    if t.startswith("annual factors"):
        return "annual"
    weight = "vw" if re.search(r"value[ -]weight", t) else "ew" if re.search(r"equal[ -]weight", t) else None
    if "return" in t and weight:
        return f"{weight}_{frequency}"
    if "number of firms" in t:
        return "firm_counts"
    if "average firm size" in t:
        return "avg_firm_size"
    if "average market cap" in t:
        return "avg_market_cap"
    if "sum of be / sum of me" in t:
        return "sum_be_sum_me"
    # characteristic blocks: "Value Weight Average of BE/ME Calculated for June of t ..."
    m = re.search(r"average of (\S+)", t)
    if m:
        what = m.group(1)
        if what.startswith("be_fy") or "me_june" in what:
            return "vw_be_me_june"
        if what.startswith("be/me"):
            return "vw_be_me"
        if what.startswith("op"):
            return "vw_op"
        if what.startswith("inv"):
            return "vw_inv"
    return re.sub(r"[^a-z0-9]+", "_", t).strip("_")[:40]


def parse_french(text: str, source: str = "<text>") -> FrenchFile:
    """Parse a French CSV into named blocks.

    Raises :class:`ParseError` (naming the file and line) for a file with no tables, a header whose
    column count does not match its rows, a row that is not numeric, mixed date formats or dates
    that do not increase.
    """
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        raise ParseError("the file is empty", source=source)
    blocks: dict[str, FrenchBlock] = {}
    paragraph: list[str] = []  # non-blank non-data lines since the last blank line
    seen_table = False
    i = 0
    n = len(lines)
    while i < n:
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith(","):
            header_line = i + 1
            columns = [c.strip() for c in stripped.split(",")[1:]]
            repeated = sorted({c for c in columns if columns.count(c) > 1})
            if repeated:
                raise ParseError(f"header names column(s) {repeated} more than once", source=source,
                                 line=i + 1)
            title_lines = list(paragraph)
            untitled = not seen_table and (not title_lines or title_lines[0].lower().startswith("this file"))
            title = "" if untitled else " ".join(title_lines)
            i += 1
            rows: list[list[str]] = []
            dates: list[str] = []
            start = i
            while i < n and _DATA_ROW.match(lines[i]):
                parts = [p.strip() for p in lines[i].split(",")]
                if len(parts) - 1 != len(columns):
                    raise ParseError(
                        f"row has {len(parts) - 1} values but the header has {len(columns)} columns",
                        source=source, line=i + 1)
                dates.append(parts[0])
                rows.append(parts[1:])
                i += 1
            if not rows:
                raise ParseError(f"table {title or '(untitled)'!r} has a header but no rows",
                                 source=source, line=header_line)
            frame, frequency = _to_frame(dates, rows, columns, source, start)
            key = _block_key(title, frequency, untitled)
            base, k = key, 2
            while key in blocks:
                key = f"{base}_{k}"
                k += 1
            blocks[key] = FrenchBlock(key=key, title=title or f"({frequency})", frequency=frequency,
                                      frame=frame, first_line=header_line)
            seen_table = True
            paragraph = []
            continue
        if not stripped:
            paragraph = []
        elif _DATA_ROW.match(line):
            raise ParseError("data row outside any table (missing header line?)", source=source, line=i + 1)
        else:
            paragraph.append(stripped)
        i += 1
    if not blocks:
        raise ParseError("no tables found: this does not look like a Ken French data file", source=source)
    desc = "\n".join(_preamble(lines))
    m = _VINTAGE.search(" ".join(lines[:3]))
    return FrenchFile(description=desc, vintage=m.group(1) if m else None, blocks=blocks)


def _preamble(lines: list[str]) -> list[str]:
    """The description: every non-blank line before the first table or table title."""
    out: list[str] = []
    for line in lines:
        s = line.strip()
        if s.startswith(",") or _DATA_ROW.match(line) or s.lower().startswith("average "):
            break
        if s:
            out.append(s)
    return out


def _to_frame(dates: list[str], rows: list[list[str]], columns: list[str], source: str,
              first_line: int) -> tuple[pd.DataFrame, str]:
    lengths = {len(d) for d in dates}
    if len(lengths) != 1:
        raise ParseError(f"a table mixes date formats ({sorted(lengths)} digits)", source=source,
                         line=first_line + 1)
    frequency = _FREQ_BY_DIGITS[lengths.pop()]
    try:
        values = np.array(rows, dtype=float)
    except ValueError:
        for j, r in enumerate(rows):
            for cell in r:
                try:
                    float(cell)
                except ValueError:
                    raise ParseError(f"non-numeric value {cell!r}", source=source,
                                     line=first_line + j + 1) from None
        raise
    values[np.isin(values, SENTINELS)] = np.nan
    if frequency == "monthly":
        index = pd.to_datetime(dates, format="%Y%m", errors="coerce") + pd.offsets.MonthEnd(0)
    elif frequency == "daily":
        index = pd.to_datetime(dates, format="%Y%m%d", errors="coerce")
    else:
        index = pd.to_datetime([f"{d}-12-31" for d in dates])
    if index.isna().any():
        bad = dates[int(np.flatnonzero(index.isna())[0])]
        raise ParseError(f"invalid date {bad!r}", source=source, line=first_line + dates.index(bad) + 1)
    index = pd.DatetimeIndex(index, name="date")
    if not index.is_monotonic_increasing or index.has_duplicates:
        pos = int(np.flatnonzero(np.diff(index.asi8) <= 0)[0]) + 1
        raise ParseError(f"dates do not increase ({dates[pos - 1]} then {dates[pos]})",
                         source=source, line=first_line + pos + 1)
    return pd.DataFrame(values, index=index, columns=columns), frequency
