"""Small synthetic monthly files in the publishers' formats, for a temporary mirror (``isolated_data``).

Not a test module. Like ``synthetic_mirror`` (daily files, C6), for the monthly claims C2-C4 whose
``run`` and ``grid_estimate`` load French's size deciles, 25 size x OP / INV portfolios and
factors, and FRED's Treasury yields through the data layer (mutmut's copy of the package cannot
reach the real mirror). Values are whole hundredths (``k / 100``), so what the parser reads back is
exactly the array written.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

DECILE_FILE_COLUMNS = ("<= 0", "Lo 30", "Med 40", "Hi 30", "Lo 20", "Qnt 2", "Qnt 3", "Qnt 4", "Hi 20",
                       "Lo 10", "2-Dec", "3-Dec", "4-Dec", "5-Dec", "6-Dec", "7-Dec", "8-Dec", "9-Dec",
                       "Hi 10")


def hundredths(rng: np.random.Generator, mean: float, sd: float, shape) -> np.ndarray:
    """Normal draws rounded to whole hundredths (exactly what a 2-decimal file reads back)."""
    return np.round(rng.normal(mean, sd, shape) * 100) / 100


def columns_25(kind: str) -> list[str]:
    """French's 25 size x ``kind`` column names, corners included (``SMALL LoOP`` ... ``BIG HiOP``)."""
    corner = {(1, 1): f"SMALL Lo{kind}", (1, 5): f"SMALL Hi{kind}", (5, 1): f"BIG Lo{kind}",
              (5, 5): f"BIG Hi{kind}"}
    return [corner.get((s, g), f"ME{s} {kind}{g}") for s in range(1, 6) for g in range(1, 6)]


def _rows(index: pd.DatetimeIndex, values: np.ndarray, date_format: str) -> str:
    return "\n".join(f"{d:{date_format}}," + ",".join(f"{x:8.2f}" for x in row)
                     for d, row in zip(index, values, strict=True))


def _block(title: str, columns, index, values, date_format: str = "%Y%m") -> str:
    return f"  {title}\n," + ",".join(columns) + "\n" + _rows(index, np.asarray(values, float), date_format) + "\n\n"


def _annual(monthly: pd.DataFrame) -> pd.DataFrame:
    """Calendar-year compounded returns of whole years (how French's annual blocks are made)."""
    years = monthly.groupby(monthly.index.year)
    full = years.size() == 12
    out = years.apply(lambda g: ((1 + g / 100).prod() - 1) * 100).loc[full]
    out = out.where(~years.apply(lambda g: (g == -99.99).any()).loc[full], -99.99)  # missing stays missing
    out.index = pd.to_datetime([f"{y}-12-31" for y in out.index])
    return out.round(2)


def _write(mirror: Path, file: str, text: str) -> None:
    path = mirror / "french" / file
    path.parent.mkdir(parents=True, exist_ok=True)
    if file.endswith(".zip"):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr(file.removesuffix("_CSV.zip") + ".csv", text.replace("\n", "\r\n"))
        path.write_bytes(buf.getvalue())
    else:
        path.write_bytes(text.replace("\n", "\r\n").encode())


def _head(vintage: str, what: str) -> str:
    return (f"This file was created using the {vintage} CRSP database.\n{what}\n\n"
            "Missing data are indicated by -99.99 or -999.\n\n\n")


def _portfolio_file(vw: pd.DataFrame, ew: pd.DataFrame, size_block: str, vintage: str, what: str) -> str:
    n = np.full(vw.shape, 100.0)
    return (_head(vintage, what)
            + _block("Average Value Weighted Returns -- Monthly", vw.columns, vw.index, vw)
            + _block("Average Equal Weighted Returns -- Monthly", ew.columns, ew.index, ew)
            + _block("Average Value Weighted Returns -- Annual", vw.columns, _annual(vw).index, _annual(vw), "%Y")
            + _block("Average Equal Weighted Returns -- Annual", ew.columns, _annual(ew).index, _annual(ew), "%Y")
            + _block("Number of Firms in Portfolios", vw.columns, vw.index, n)
            + _block(size_block, vw.columns, vw.index, n / 2)
            + "Copyright 2025 Eugene F. Fama and Kenneth R. French\n")


def write_25(mirror: Path, kind: str, vw: pd.DataFrame, ew: pd.DataFrame, vintage: str = "202510") -> None:
    """``french/25_Portfolios_ME_<kind>_5x5.csv`` (kind "OP" or "INV"), an extracted CSV as in the mirror."""
    _write(mirror, f"25_Portfolios_ME_{kind}_5x5.csv",
           _portfolio_file(vw, ew, "Average Market Cap", vintage, f"Synthetic 25 portfolios on ME and {kind}."))


def write_size_deciles(mirror: Path, vw: pd.DataFrame, ew: pd.DataFrame, vintage: str = "202510") -> None:
    """``french/Portfolios_Formed_on_ME.csv`` from frames with columns ``Lo 10`` .. ``Hi 10``; the
    other breakpoint columns (<= 0, 30/40/30, quintiles) are filled with plausible returns."""
    def full(frame: pd.DataFrame) -> pd.DataFrame:
        d = frame.to_numpy()
        extra = {"<= 0": np.full(len(d), -99.99), "Lo 30": d[:, :3].mean(1), "Med 40": d[:, 3:7].mean(1),
                 "Hi 30": d[:, 7:].mean(1), "Lo 20": d[:, :2].mean(1), "Qnt 2": d[:, 2:4].mean(1),
                 "Qnt 3": d[:, 4:6].mean(1), "Qnt 4": d[:, 6:8].mean(1), "Hi 20": d[:, 8:].mean(1)}
        return pd.DataFrame({**extra, **frame}, index=frame.index)[list(DECILE_FILE_COLUMNS)].round(2)

    text = (_portfolio_file(full(vw), full(ew), "Average Firm Size", vintage, "Synthetic size portfolios.")
            .replace("-- Annual", "-- Annual from January to December"))
    _write(mirror, "Portfolios_Formed_on_ME.csv", text)


def write_factors(mirror: Path, file: str, monthly: pd.DataFrame, vintage: str = "202510") -> None:
    """French's factor zip (``F-F_Research_Data_Factors_CSV.zip`` or the 5-factor one): the
    untitled monthly table and ``Annual Factors: January-December``."""
    annual = _annual(monthly)
    text = (f"This file was created using the {vintage} CRSP database.\n"
            "The 1-month TBill rate data are synthetic.\n\n"
            + "," + ",".join(monthly.columns) + "\n" + _rows(monthly.index, monthly.to_numpy(), "%Y%m") + "\n\n"
            + " Annual Factors: January-December \n," + ",".join(annual.columns) + "\n"
            + _rows(annual.index, annual.to_numpy(), "%Y") + "\n\n"
            + "Copyright 2025 Eugene F. Fama and Kenneth R. French\n")
    _write(mirror, file, text)


def write_ff5_daily(mirror: Path, daily: pd.DataFrame, vintage: str = "202510") -> None:
    """``french/F-F_Research_Data_5_Factors_2x3_daily_CSV.zip``: one untitled daily table."""
    text = (f"This file was created by using the {vintage} CRSP database.\n"
            "The Tbill return is synthetic.\n\n"
            + "," + ",".join(daily.columns) + "\n" + _rows(daily.index, daily.to_numpy(), "%Y%m%d") + "\n\n"
            + "Copyright 2025 Eugene F. Fama and Kenneth R. French\n")
    _write(mirror, "F-F_Research_Data_5_Factors_2x3_daily_CSV.zip", text)


def write_fred(mirror: Path, file: str, series: str, values: pd.Series) -> None:
    """``fred/<file>``: ``observation_date,<series>``; NaN written as FRED's "." (a holiday)."""
    body = "\n".join(f"{d:%Y-%m-%d}," + ("." if np.isnan(v) else f"{v:.2f}") for d, v in values.items())
    (mirror / "fred").mkdir(parents=True, exist_ok=True)
    (mirror / "fred" / file).write_text(f"observation_date,{series}\n{body}\n")
