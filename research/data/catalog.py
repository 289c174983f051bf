"""Every dataset by name: publisher, real download URL, file name, parser, frequency.

This is a fact table. Which vintage of each file the project was built on (its sha256) is not
here but in the vintages lock file, ``data/vintages.lock`` (:mod:`research.data.vintages`).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from research.config import DEFAULT_BASE_URLS
from research.errors import UnknownDataset

FRENCH_URL = DEFAULT_BASE_URLS["french"] + "/{}_CSV.zip"
FRED_URL = DEFAULT_BASE_URLS["fred"] + "/graph/fredgraph.csv?id={}"
# Yahoo's chart API (JSON; its CSV endpoint /v7/finance/download answers 401 since 2024). The
# range runs from 1900-01-01 to a date far ahead so the URL, and so its ETag, stays the same.
YAHOO_URL = (DEFAULT_BASE_URLS["prices"] + "/v8/finance/chart/{}"
             "?period1=-2208988800&period2=9999999999&interval=1d&events=history")


@dataclass(frozen=True)
class Dataset:
    """One raw file and how to read it."""

    name: str
    kind: str  # "french" | "fred" | "prices"
    file: str  # path inside the mirror (shared/data layout) and the raw store
    url: str
    frequency: str  # "monthly" | "daily" | "mixed" (French files with monthly and annual blocks)
    title: str
    publisher: str
    default_block: str | None = None
    required_blocks: tuple[str, ...] = ()
    required_columns: tuple[str, ...] = ()
    notes: str = ""
    series: str | None = None  # FRED series id / ticker
    extra: dict = field(default_factory=dict)

    @property
    def file_name(self) -> str:
        return self.file.rsplit("/", 1)[-1]


def _french(name, stem, file, title, frequency, default_block, required_blocks,
            required_columns=(), notes=""):
    return Dataset(
        name=name, kind="french", file=f"french/{file}", url=FRENCH_URL.format(stem),
        frequency=frequency, title=title, publisher="Kenneth R. French Data Library",
        default_block=default_block, required_blocks=tuple(required_blocks),
        required_columns=tuple(required_columns), notes=notes,
    )


def _fred(name, series, file, title, frequency, notes=""):
    return Dataset(
        name=name, kind="fred", file=f"fred/{file}", url=FRED_URL.format(series),
        frequency=frequency, title=title, publisher="FRED, Federal Reserve Bank of St. Louis",
        series=series, notes=notes,
    )


def _prices(name, ticker, file, title, notes=""):
    return Dataset(
        name=name, kind="prices", file=f"prices/{file}", url=YAHOO_URL.format(ticker.replace("^", "%5E")),
        frequency="daily", title=title, publisher="Yahoo Finance (index closes)",
        series=ticker, notes=notes,
    )


_RET_BLOCKS = ("vw_monthly", "ew_monthly", "vw_annual", "ew_annual", "firm_counts")
_DECILES = ("Lo 10", "2-Dec", "3-Dec", "4-Dec", "5-Dec", "6-Dec", "7-Dec", "8-Dec", "9-Dec", "Hi 10")

_DATASETS = [
    # -- Ken French: factors ------------------------------------------------------------------
    _french("ff3_factors", "F-F_Research_Data_Factors", "F-F_Research_Data_Factors_CSV.zip",
            "Fama/French 3 factors (Mkt-RF, SMB, HML, RF), monthly and annual", "mixed",
            "monthly", ("monthly", "annual"), ("Mkt-RF", "SMB", "HML", "RF")),
    _french("ff3_factors_daily", "F-F_Research_Data_Factors_daily",
            "F-F_Research_Data_Factors_daily_CSV.zip",
            "Fama/French 3 factors, daily", "daily", "daily", ("daily",),
            ("Mkt-RF", "SMB", "HML", "RF")),
    _french("ff5_factors", "F-F_Research_Data_5_Factors_2x3", "F-F_Research_Data_5_Factors_2x3_CSV.zip",
            "Fama/French 5 factors (2x3), monthly and annual", "mixed", "monthly",
            ("monthly", "annual"), ("Mkt-RF", "SMB", "HML", "RMW", "CMA", "RF")),
    _french("ff5_factors_daily", "F-F_Research_Data_5_Factors_2x3_daily",
            "F-F_Research_Data_5_Factors_2x3_daily_CSV.zip",
            "Fama/French 5 factors (2x3), daily", "daily", "daily", ("daily",),
            ("Mkt-RF", "SMB", "HML", "RMW", "CMA", "RF")),
    _french("momentum", "F-F_Momentum_Factor", "F-F_Momentum_Factor_CSV.zip",
            "Momentum factor (Mom), monthly and annual", "mixed", "monthly", ("monthly", "annual"),
            ("Mom",)),
    _french("momentum_daily", "F-F_Momentum_Factor_daily", "F-F_Momentum_Factor_daily_CSV.zip",
            "Momentum factor, daily", "daily", "daily", ("daily",), ("Mom",)),
    # -- Ken French: size and characteristic portfolios -------------------------------------
    _french("size_portfolios", "Portfolios_Formed_on_ME", "Portfolios_Formed_on_ME.csv",
            "Portfolios formed on size (ME): 30/40/30, quintiles and deciles", "mixed",
            "vw_monthly", (*_RET_BLOCKS, "avg_firm_size"), ("Lo 30", "Hi 30", *_DECILES),
            notes="Decile headers read '2-Dec' ... '9-Dec' as published. There is no daily version "
                  "in the catalog (Portfolios_Formed_on_ME_daily is not available); daily small caps "
                  "come from me_bm_6_daily."),
    _french("me_op_25", "25_Portfolios_ME_OP_5x5", "25_Portfolios_ME_OP_5x5.csv",
            "25 portfolios formed on size and operating profitability (5x5)", "mixed",
            "vw_monthly", (*_RET_BLOCKS, "avg_market_cap"),
            ("SMALL LoOP", "SMALL HiOP", "BIG LoOP", "BIG HiOP")),
    _french("me_inv_25", "25_Portfolios_ME_INV_5x5", "25_Portfolios_ME_INV_5x5.csv",
            "25 portfolios formed on size and investment (5x5)", "mixed", "vw_monthly",
            (*_RET_BLOCKS, "avg_market_cap"),
            ("SMALL LoINV", "SMALL HiINV", "BIG LoINV", "BIG HiINV")),
    _french("industries_49", "49_Industry_Portfolios", "49_Industry_Portfolios.csv",
            "49 industry portfolios", "mixed", "vw_monthly", (*_RET_BLOCKS, "avg_firm_size"),
            ("Agric", "Banks", "Other")),
    _french("me_bm_6", "6_Portfolios_2x3", "6_Portfolios_2x3.CSV",
            "6 portfolios formed on size and book-to-market (2x3), monthly", "mixed", "vw_monthly",
            (*_RET_BLOCKS, "avg_market_cap"),
            ("SMALL LoBM", "ME1 BM2", "SMALL HiBM", "BIG LoBM", "ME2 BM2", "BIG HiBM")),
    _french("me_bm_6_daily", "6_Portfolios_2x3_daily", "6_Portfolios_2x3_daily_CSV.zip",
            "6 portfolios formed on size and book-to-market (2x3), daily", "daily", "vw_daily",
            ("vw_daily", "ew_daily", "firm_counts", "avg_firm_size"), ("SMALL LoBM", "ME1 BM2", "SMALL HiBM", "BIG LoBM", "ME2 BM2", "BIG HiBM"),
            notes="The daily small-cap series of the project is built from this file: the equal "
                  "average of the three small (below NYSE median ME) portfolios."),
    _french("me_op_6", "6_Portfolios_ME_OP_2x3", "6_Portfolios_ME_OP_2x3.csv",
            "6 portfolios formed on size and operating profitability (2x3), monthly", "mixed",
            "vw_monthly", (*_RET_BLOCKS, "avg_market_cap"),
            ("SMALL LoOP", "ME1 OP2", "SMALL HiOP", "BIG LoOP", "ME2 OP2", "BIG HiOP"),
            notes="Only a 201803 vintage is available, with LF line endings."),
    _french("me_op_6_daily", "6_Portfolios_ME_OP_2x3_daily", "6_Portfolios_ME_OP_2x3_daily_CSV.zip",
            "6 portfolios formed on size and operating profitability (2x3), daily", "daily",
            "vw_daily", ("vw_daily", "ew_daily", "firm_counts", "avg_firm_size"),
            ("SMALL LoOP", "ME1 OP2", "SMALL HiOP", "BIG LoOP", "ME2 OP2", "BIG HiOP")),
    # -- FRED -----------------------------------------------------------------------------------
    _fred("fedfunds", "FEDFUNDS", "FEDFUNDS.csv",
          "Effective federal funds rate, monthly average (percent)", "monthly",
          notes="Transcribed copy; checked string-identical against a second copy (SOURCES.md)."),
    _fred("dff", "DFF", "DFF.csv", "Effective federal funds rate, daily (percent)", "daily"),
    _fred("dff_joaquinmulet", "DFF", "DFF_JoaquinMulet_datevalue.csv",
          "Effective federal funds rate, daily (percent); date,value copy running to 2026-07",
          "daily"),
    _fred("dfedtar", "DFEDTAR", "DFEDTAR.csv",
          "Federal funds target rate, 1982-09-27 to 2008-12-15 (discontinued; percent)", "daily"),
    _fred("dfedtaru", "DFEDTARU", "DFEDTARU.csv",
          "Federal funds target range, upper limit (percent), from 2008-12-16", "daily"),
    _fred("dfedtarl", "DFEDTARL", "DFEDTARL.csv",
          "Federal funds target range, lower limit (percent), from 2008-12-16", "daily"),
    _fred("dfedtaru_jonsflow", "DFEDTARU", "DFEDTARU_jonsflow_datevalue.csv",
          "Federal funds target range, upper limit; Date,Value copy running to 2026-06", "daily"),
    _fred("dfedtarl_jonsflow", "DFEDTARL", "DFEDTARL_jonsflow_datevalue.csv",
          "Federal funds target range, lower limit; Date,Value copy running to 2026-06", "daily"),
    _fred("dgs2", "DGS2", "DGS2.csv", "2-year Treasury constant-maturity yield, daily (percent)", "daily",
          notes="Re-saved by pandas upstream: lower-case header, trailing zeros dropped."),
    _fred("dgs2_macrowatch", "DGS2", "DGS2_macrowatch_datevalue.csv",
          "2-year Treasury yield, daily; date,value copy running to 2026-08", "daily"),
    _fred("dgs10", "DGS10", "DGS10.csv",
          "10-year Treasury constant-maturity yield, daily (percent)", "daily",
          notes="Re-saved by pandas upstream: lower-case header, trailing zeros dropped."),
    _fred("dgs10_macrowatch", "DGS10", "DGS10_macrowatch_datevalue.csv",
          "10-year Treasury yield, daily; date,value copy running to 2026-08", "daily"),
    _fred("gs10", "GS10", "GS10.csv", "10-year Treasury yield, monthly average (percent), 1953-04 to 2025-03", "monthly"),
    _fred("gs10_nastarankh99", "GS10", "GS10_nastarankh99.csv",
          "10-year Treasury yield, monthly (percent), 1985-01 to 2025-10", "monthly"),
    _fred("gs2", "GS2", "GS2.csv", "2-year Treasury yield, monthly average (percent), 1985-01 to 2025-10", "monthly"),
    _fred("tb3ms", "TB3MS", "TB3MS.csv",
          "3-month Treasury bill rate, monthly (percent), 1985-01 to 2025-10", "monthly"),
    _fred("usrec", "USREC", "USREC.csv",
          "NBER recession indicator, monthly (1 = recession)", "monthly"),
    _fred("unrate", "UNRATE", "UNRATE.csv",
          "Unemployment rate, monthly (percent)", "monthly",
          notes="2025-10 is blank on FRED (no household survey during the shutdown)."),
    _fred("cpiaucsl", "CPIAUCSL", "CPIAUCSL.csv",
          "Consumer price index, all urban consumers (index 1982-84=100)", "monthly"),
    _fred("t10y2y", "T10Y2Y", "T10Y2Y.csv",
          "10-year minus 2-year Treasury spread, daily (percentage points)", "daily"),
    _fred("t10y2y_rayanetroudi", "T10Y2Y", "T10Y2Y_RayaneTroudi.csv",
          "10-year minus 2-year Treasury spread, daily; copy to 2025-10-17", "daily"),
    _fred("baa10y", "BAA10Y", "BAA10Y.csv",
          "Moody's Baa corporate yield minus 10-year Treasury, daily (percentage points), from 1990",
          "daily"),
    _fred("bamlh0a0hym2", "BAMLH0A0HYM2", "BAMLH0A0HYM2_macrowatch_datevalue.csv",
          "ICE BofA US high-yield option-adjusted spread, daily (percent); only 2023-08 on", "daily",
          notes="FRED serves only a rolling 3-year window of ICE series."),
    # -- Daily index closes -------------------------------------------------------------------
    _prices("rut", "^RUT", "RUT.csv", "Russell 2000 index, daily (price index, no dividends)",
            notes="14 rows from 2025-07-14 on have volume 0 and non-2-decimal prices (intraday "
                  "snapshots); they are flagged and excluded by default."),
    _prices("rut_hjyssg", "^RUT", "RUT_hjyssg.csv",
            "Russell 2000 index, daily; second copy to 2024-08-02 (with Adj Close)"),
    _prices("gspc", "^GSPC", "GSPC.csv", "S&P 500 index (^SPX), daily (price index, no dividends); close only before 1962",
            notes="3-line yfinance header."),
    _prices("spy", "SPY", "SPY_jonsflow.csv",
            "SPDR S&P 500 ETF, daily, dividend-adjusted prices (to 2026-06)"),
    _prices("spy_alitalbi", "SPY", "SPY_alitalbi.csv",
            "SPDR S&P 500 ETF, daily, dividend-adjusted prices (to 2026-02)"),
    _prices("iwm", "IWM", "IWM_jonsflow.csv",
            "iShares Russell 2000 ETF, daily, dividend-adjusted prices (to 2026-06)"),
    _prices("iwm_alitalbi", "IWM", "IWM_alitalbi.csv",
            "iShares Russell 2000 ETF, daily, dividend-adjusted prices (to 2026-02)"),
]

CATALOG: dict[str, Dataset] = {d.name: d for d in _DATASETS}


def names() -> list[str]:
    """Every dataset name, in catalog order."""
    return list(CATALOG)


def get(name: str) -> Dataset:
    """The catalog entry for ``name``; an unknown name suggests close matches."""
    try:
        return CATALOG[name]
    except KeyError:
        key = str(name).lower().strip()
        if key in CATALOG:
            return CATALOG[key]
        close = difflib.get_close_matches(key, CATALOG, n=3, cutoff=0.5)
        close += [n for n in CATALOG if key and key in n and n not in close][:3]
        raise UnknownDataset(str(name), close[:4]) from None
