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
