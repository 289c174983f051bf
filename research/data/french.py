"""Ken French Data Library files: a pure text -> named blocks parser.

A French CSV is a description paragraph followed by tables. Each table is an optional title
paragraph, a header line starting with ``,`` and rows ``date, v1, v2, ...``; it ends at a blank
or non-data line. Dates are YYYYMM (monthly), YYYYMMDD (daily) or YYYY (annual). Values are in
percent per period for returns; ``-99.99`` and ``-999`` mean missing (``-9999`` too, in any
format): they become NaN and each block counts them (``FrenchBlock.missing``). Refused with the
file and line: a return below -100% and a date after the file's CRSP vintage.

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

from research.config import DEFAULT_MAX_INPUT_MB
from research.data.checks import latest_plausible_date, sentinel_mask
from research.errors import ParseError
from research.fsutil import megabytes

PARSER_VERSION = 2
# Blocks of returns in percent: a value below -100 (a loss of more than everything) is impossible.
# Characteristic blocks (vw_op, vw_be_me ...) can be below -100 and are not checked.
_RETURN_BLOCK = re.compile(r"(?:(?:vw|ew)_)?(?:monthly|daily|annual)(?:_\d+)?")

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
    missing: int = 0  # values given as a missing-value code (-99.99, -999, -9999), now NaN
    first_missing_line: int | None = None


@dataclass(frozen=True)
class FrenchFile:
    description: str
    vintage: str | None
    blocks: dict[str, FrenchBlock]


def read_zip_member(raw: bytes, source: str, max_bytes: int = int(DEFAULT_MAX_INPUT_MB * 1e6)) -> str:
    """The CSV inside a French zip, read in memory (never extracted to a path from the archive).

    At most ``max_bytes`` are inflated: a member that declares more is refused before anything
    is inflated, and zipfile stops at the declared size (a zip bomb that declares less than it
    holds fails its CRC check there). The member is read in 1 MiB chunks because ``zf.read()``
    inflates everything its one compressed read gives before cutting to the declared size: 1.5 GB
    and 15 s for a 1.5 MB bomb that declares 4 KB, against 4 MB and 0.02 s this way.
    """
    try:
        zf = zipfile.ZipFile(io.BytesIO(raw))
        members = [m for m in zf.infolist() if m.filename.lower().endswith(".csv")]
        if len(members) != 1:
            raise ParseError(f"expected one .csv inside the zip, found {[m.filename for m in members] or 'none'}",
                             source=source)
        member = members[0]
        if member.file_size > max_bytes:
            raise ParseError(_bomb(member.filename, f"declares {megabytes(member.file_size)}", max_bytes),
                             source=source)
        with zf.open(member) as fh:  # checks the CRC at the end: a damaged or lying member fails
            data = b"".join(iter(lambda: fh.read(1 << 20), b""))
    except ParseError:
        raise
    except zipfile.BadZipFile as exc:
        raise ParseError(
            f"not a valid zip archive ({exc}); the file may be truncated", source=source) from None
    except Exception as exc:  # a damaged archive raises zlib.error, EOFError, ValueError, OSError...
        raise ParseError(f"cannot read the zip archive ({type(exc).__name__}: {exc}); the file is "
                         "damaged", source=source) from None
    return decode(data, source)


def _bomb(member: str, size: str, max_bytes: int) -> str:
    return (f"the zip member {member!r} {size}, over the limit of {megabytes(max_bytes)} on input files "
            "(RESEARCH_MAX_INPUT_MB); a French file inflates to a few MB: this is a damaged archive or "
            "a zip bomb, and it was not unpacked")


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
            frame, frequency, missing = _to_frame(dates, rows, columns, source, start)
            key = _block_key(title, frequency, untitled)
            base, k = key, 2
            while key in blocks:
                key = f"{base}_{k}"
                k += 1
            if _RETURN_BLOCK.fullmatch(key):
                _check_returns(frame, key, source, start)
            blocks[key] = FrenchBlock(key=key, title=title or f"({frequency})", frequency=frequency,
                                      frame=frame, first_line=header_line, missing=len(missing),
                                      first_missing_line=start + missing[0] + 1 if missing else None)
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
    vintage = m.group(1) if m else None
    for block in blocks.values():
        _check_not_after(block, vintage, source)
    return FrenchFile(description=desc, vintage=vintage, blocks=blocks)


def _check_returns(frame: pd.DataFrame, key: str, source: str, first_line: int) -> None:
    values = frame.to_numpy()
    below = np.argwhere(values < -100)
    if len(below):
        i, j = below[0]
        raise ParseError(f"block {key!r}, column {frame.columns[j]!r}: a return of {values[i, j]:g}% on "
                         f"{frame.index[i].date()} is below -100% (a loss of more than everything); the "
                         "file is damaged or was edited", source=source, line=first_line + int(i) + 1)


def _check_not_after(block: FrenchBlock, vintage: str | None, source: str) -> None:
    """No date after the file's CRSP vintage (YYYYMM), or after today when it names none."""
    if vintage:
        month_end = pd.Timestamp(f"{vintage[:4]}-{vintage[4:]}-01") + pd.offsets.MonthEnd(0)
        limit, what = month_end, f"the file's vintage ({vintage} CRSP database)"
    else:
        limit, what = pd.Timestamp(latest_plausible_date()), "today"
    index = block.frame.index
    if block.frequency == "annual":  # annual rows sit on 31 December: compare the years
        late = np.flatnonzero(index.year > limit.year)
    else:
        late = np.flatnonzero(index > limit)
    if len(late):
        pos = int(late[0])
        raise ParseError(f"block {block.key!r}: the date {index[pos].date()} is after {what}; a future "
                         "date means a damaged or hand-edited file", source=source,
                         line=block.first_line + pos + 1)


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
              first_line: int) -> tuple[pd.DataFrame, str, list[int]]:
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
    codes = sentinel_mask(values)
    missing = [int(r) for r in np.flatnonzero(codes.any(axis=1))]  # rows holding a missing-value code
    values[codes] = np.nan
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
    return pd.DataFrame(values, index=index, columns=columns), frequency, missing
