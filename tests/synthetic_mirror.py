"""Small synthetic files in the publishers' formats, for a temporary mirror (``isolated_data``).

Not a test module. The claim modules' ``run`` and ``grid_estimate`` load their data through the
data layer; mutmut's copy of the package cannot reach the real mirror, so the unit tests give
them these files instead: French's daily 2x3 portfolios (a zip, four blocks, the CRSP vintage
line) and Yahoo-style index closes (the plain and the 3-line yfinance headers).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

SIX = ("SMALL LoBM", "ME1 BM2", "SMALL HiBM", "BIG LoBM", "ME2 BM2", "BIG HiBM")
SPREAD = np.array([0.10, 0.0, -0.10])  # the three portfolios of a half around its mean


def _block(title: str, index: pd.DatetimeIndex, values: np.ndarray) -> str:
    rows = [f"{d:%Y%m%d}," + ",".join(f"{x:7.2f}" for x in row) for d, row in zip(index, values, strict=True)]
    return f"  {title}\n," + ",".join(SIX) + "\n" + "\n".join(rows) + "\n\n\n"


def six_portfolios(small: np.ndarray, large: np.ndarray) -> np.ndarray:
    """Six columns whose small three and big three average exactly to ``small`` and ``large``."""
    return np.column_stack([small[:, None] + SPREAD, large[:, None] + SPREAD])


def write_french_daily_2x3(mirror: Path, index: pd.DatetimeIndex, vw: tuple[np.ndarray, np.ndarray],
                           ew: tuple[np.ndarray, np.ndarray], vintage: str = "202501") -> None:
    """``french/6_Portfolios_2x3_daily_CSV.zip`` with value- and equal-weighted small/large halves
    (percent, 2 decimals as French publishes them), firm counts and average sizes."""
    text = (f"This file was created by CMPT_ME_BEME_RETS_DAILY using the {vintage} CRSP database.\n"
            "Synthetic test file in the layout of the daily 2x3 files.\n\n"
            "Missing data are indicated by -99.99 or -999.\n\n\n"
            + _block("Average Value Weighted Returns -- Daily", index, six_portfolios(*vw))
            + _block("Average Equal Weighted Returns -- Daily", index, six_portfolios(*ew))
            + _block("Number of Firms in Portfolios", index, np.full((len(index), 6), 100.0))
            + _block("Average Firm Size", index, np.full((len(index), 6), 50.0))
            + "Copyright 2025 Kenneth R. French\n")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("6_Portfolios_2x3_daily.csv", text)
    (mirror / "french").mkdir(parents=True, exist_ok=True)
    (mirror / "french" / "6_Portfolios_2x3_daily_CSV.zip").write_bytes(buf.getvalue())


def write_closes(mirror: Path, file: str, closes: pd.Series, *, yfinance: bool = False,
                 high: pd.Series | None = None) -> None:
    """``prices/<file>``: daily closes (2 decimals, volume 1000: no row is suspicious); the day's
    high is the close unless ``high`` gives it."""
    c = closes.round(2)
    h = c if high is None else high.round(2)
    frame = pd.DataFrame({"Date": c.index.strftime("%Y-%m-%d"), "Open": c, "High": h, "Low": c, "Close": c,
                          "Adj Close": c, "Volume": 1000})
    (mirror / "prices").mkdir(parents=True, exist_ok=True)
    if yfinance:
        head = "Price,Adj Close,Close,High,Low,Open,Volume\nTicker,^SPX,^SPX,^SPX,^SPX,^SPX,^SPX\nDate,,,,,,\n"
        body = frame[["Date", "Adj Close", "Close", "High", "Low", "Open", "Volume"]].to_csv(index=False, header=False)
        (mirror / "prices" / file).write_text(head + body)
    else:
        frame.to_csv(mirror / "prices" / file, index=False)


SIZE_COLUMNS = ("<= 0", "Lo 30", "Med 40", "Hi 30", "Lo 20", "Qnt 2", "Qnt 3", "Qnt 4", "Hi 20", "Lo 10", "2-Dec",
                "3-Dec", "4-Dec", "5-Dec", "6-Dec", "7-Dec", "8-Dec", "9-Dec", "Hi 10")


def _size_block(title: str, rows: list[str]) -> str:
    return f"  {title}\n," + ",".join(SIZE_COLUMNS) + "\n" + "\n".join(rows) + "\n\n\n"


def write_size_deciles(mirror: Path, index: pd.DatetimeIndex, vw: np.ndarray, ew: np.ndarray,
                       vintage: str = "202501") -> None:
    """``french/Portfolios_Formed_on_ME.csv`` (as the mirror keeps it): monthly value- and
    equal-weighted returns of the ten size deciles (``vw``, ``ew``: months x 10, percent), the
    breakpoint and quintile columns filled with 0.00 and "<= 0" with -99.99 as French publishes it,
    annual returns, firm counts and average firm sizes."""
    def monthly(deciles: np.ndarray) -> list[str]:
        return [f"{d:%Y%m},  -99.99," + ",".join(f"{x:8.2f}" for x in [0.0] * 8 + list(row))
                for d, row in zip(index, deciles, strict=True)]

    years = sorted(set(index.year))
    annual = [f"  {y},  -99.99," + ",".join(["    0.00"] * 18) for y in years]
    counts = [f"{d:%Y%m},       0," + ",".join(["     100"] * 18) for d in index]
    text = (f"This file was created using the {vintage} CRSP database.  It contains\n"
            "value- and equal-weighted returns for size portfolios (synthetic test file).\n\n"
            "Missing data are indicated by -99.99 or -999.\n\n\n"
            + _size_block("Average Value Weight Returns -- Monthly", monthly(vw))
            + _size_block("Average Equal Weighted Returns -- Monthly", monthly(ew))
            + _size_block("Value Weight Returns -- Annual from January to December", annual)
            + _size_block("Equal Weight Returns -- Annual from January to December", annual)
            + _size_block("Number of Firms in Portfolios", counts)
            + _size_block("Average Firm Size", counts)
            + "Copyright 2025 Eugene F. Fama and Kenneth R. French\n")
    (mirror / "french").mkdir(parents=True, exist_ok=True)
    (mirror / "french" / "Portfolios_Formed_on_ME.csv").write_text(text.replace("\n", "\r\n"))


def write_fred(mirror: Path, series: str, values: pd.Series) -> None:
    """``fred/<series>.csv`` as FRED's graph download writes it (observation_date, first of the month
    for monthly series)."""
    (mirror / "fred").mkdir(parents=True, exist_ok=True)
    body = "\n".join(f"{d:%Y-%m-%d},{v:g}" for d, v in values.items())
    (mirror / "fred" / f"{series}.csv").write_text(f"observation_date,{series}\n{body}\n")
