"""The one place that defines "small" and "large".

:func:`small_large` returns ``small``, ``large`` and ``small_minus_large`` returns, in percent per
period, for a named definition:

``"deciles"`` (default)
    Fama-French size deciles (``size_portfolios``): small = the average of deciles
    ``small`` (default 1-3), large = the average of deciles ``large`` (default 8-10), each decile
    value-weighted (``weighting="vw"``) or equal-weighted (``"ew"``). Monthly from 1926-07.
    *Daily*: French's daily size deciles are not in the catalog, so the daily series is built
    from the daily 6 size/book-to-market portfolios (``me_bm_6_daily``): small = the average of
    the three portfolios below the NYSE median market cap, large = the three above. That is a
    coarser split (halves, not deciles) and the caller is told so in ``attrs["note"]``.
``"smb"``
    The SMB factor (``ff3_factors``) as small-minus-large; the legs small/large are the averages of
    the three small and three big portfolios of ``me_bm_6`` (monthly to that file's vintage).
``"russell"``
    Russell 2000 (``rut``) vs S&P 500 (``gspc``) price returns (no dividends), 1987-09 on, with
    suspicious rows excluded; a partial last month is dropped.

Every frame carries ``attrs["definition"]``, ``attrs["datasets"]`` and ``attrs["note"]``.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from research.data import load
from research.errors import ParameterError

DEFINITIONS = ("deciles", "smb", "russell")
DECILE_COLUMNS = {1: "Lo 10", 2: "2-Dec", 3: "3-Dec", 4: "4-Dec", 5: "5-Dec", 6: "6-Dec",
                  7: "7-Dec", 8: "8-Dec", 9: "9-Dec", 10: "Hi 10"}
SMALL6 = ["SMALL LoBM", "ME1 BM2", "SMALL HiBM"]
BIG6 = ["BIG LoBM", "ME2 BM2", "BIG HiBM"]


def _frame(small: pd.Series, large: pd.Series, sml: pd.Series | None, definition: str,
           datasets: list[str], note: str) -> pd.DataFrame:
    if sml is None:
        sml = small - large
    out = pd.concat({"small": small, "large": large, "small_minus_large": sml}, axis=1)
    out = out.loc[out["small_minus_large"].notna()]
    out.index.name = "date"
    out.attrs.update(definition=definition, datasets=datasets, note=note, units="percent per period")
    return out


def small_large(definition: str = "deciles", *, freq: str = "monthly", weighting: str = "vw",
                small: Sequence[int] = (1, 2, 3), large: Sequence[int] = (8, 9, 10)) -> pd.DataFrame:
    """Small, large and small-minus-large returns (percent per period) for ``definition``."""
    if definition not in DEFINITIONS:
        raise ParameterError(f"unknown small/large definition {definition!r}; choose one of {DEFINITIONS}")
    if freq not in ("monthly", "daily"):
        raise ParameterError(f"freq must be 'monthly' or 'daily', not {freq!r}")
    if weighting not in ("vw", "ew"):
        raise ParameterError(f"weighting must be 'vw' or 'ew', not {weighting!r}")
    bad = [d for d in (*small, *large) if d not in DECILE_COLUMNS]
    if bad:
        raise ParameterError(f"deciles must be integers 1..10, got {bad}")
    if set(small) & set(large):
        raise ParameterError(f"small deciles {tuple(small)} and large deciles {tuple(large)} overlap")

    if definition == "deciles" and freq == "monthly":
        deciles = load("size_portfolios", block=f"{weighting}_monthly")
        s = deciles[[DECILE_COLUMNS[d] for d in small]].mean(axis=1, skipna=False)
        lg = deciles[[DECILE_COLUMNS[d] for d in large]].mean(axis=1, skipna=False)
        return _frame(s, lg, None, definition, ["size_portfolios"],
                      f"size deciles {tuple(small)} vs {tuple(large)}, {weighting.upper()} within decile")
    if definition == "deciles":  # daily
        six = load("me_bm_6_daily", block=f"{weighting}_daily")
        return _frame(six[SMALL6].mean(axis=1, skipna=False), six[BIG6].mean(axis=1, skipna=False), None,
                      definition, ["me_bm_6_daily"],
                      "daily size deciles are not published in the catalog: daily small = average of "
                      "the 3 small (below NYSE median) 2x3 portfolios, large = the 3 big ones")
    if definition == "smb":
        if freq == "monthly":
            factors, six = load("ff3_factors", block="monthly"), load("me_bm_6", block=f"{weighting}_monthly")
            names = ["ff3_factors", "me_bm_6"]
        else:
            factors, six = load("ff3_factors_daily", block="daily"), load("me_bm_6_daily", block=f"{weighting}_daily")
            names = ["ff3_factors_daily", "me_bm_6_daily"]
        s = six[SMALL6].mean(axis=1, skipna=False)
        lg = six[BIG6].mean(axis=1, skipna=False)
        return _frame(s, lg, factors["SMB"], definition, names,
                      "small_minus_large is the SMB factor; the legs come from the 2x3 portfolios, "
                      "whose vintage may end earlier")
    # russell
    rut = load("rut")["close"]
    spx = load("gspc")["close"]
    end = min(rut.index[-1], spx.index[-1])
    rut, spx = rut.loc[:end], spx.loc[:end]
    if freq == "daily":
        both = pd.concat({"small": rut, "large": spx}, axis=1, sort=True).dropna()
        rets = both.pct_change().mul(100).iloc[1:]
    else:
        both = pd.concat({"small": rut, "large": spx}, axis=1, sort=True).dropna()
        month_end = both.groupby(both.index.to_period("M")).tail(1)
        last_bday = (end + pd.offsets.BMonthEnd(0)).normalize()
        if end.normalize() < last_bday:  # the last month is not complete
            month_end = month_end.iloc[:-1]
        rets = month_end.pct_change().mul(100).iloc[1:]
        rets.index = rets.index.to_period("M").to_timestamp("M")
    return _frame(rets["small"], rets["large"], None, definition, ["rut", "gspc"],
                  "Russell 2000 vs S&P 500 price returns (no dividends)")
