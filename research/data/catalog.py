"""Every dataset by name: publisher, real download URL, file name, parser, frequency, pinned sha256.

This is a fact table. The sha256 pins the vintage the project was built against (the files in the
team's mirror, whose origins are listed in shared/data/*/SOURCES.md); a download whose hash differs
is a new vintage and is only accepted on request (`research data refresh NAME --accept-new`).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from research.errors import UnknownDataset

FRENCH_URL = "https://mba.tuck.dartmouth.edu/pages/faculty/ken.french/ftp/{}_CSV.zip"
FRED_URL = "https://fred.stlouisfed.org/graph/fredgraph.csv?id={}"
# Yahoo's historical-download endpoint; it returns the plain Yahoo layout the prices parser reads.
YAHOO_URL = ("https://query1.finance.yahoo.com/v7/finance/download/{}"
             "?period1=0&period2=9999999999&interval=1d&events=history")


@dataclass(frozen=True)
class Dataset:
    """One raw file and how to read it."""

    name: str
    kind: str  # "french" | "fred" | "prices"
    file: str  # path inside the mirror (shared/data layout) and the raw store
    url: str
    sha256: str
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


def _french(name, stem, file, sha, title, frequency, default_block, required_blocks,
            required_columns=(), notes=""):
    return Dataset(
        name=name, kind="french", file=f"french/{file}", url=FRENCH_URL.format(stem), sha256=sha,
        frequency=frequency, title=title, publisher="Kenneth R. French Data Library",
        default_block=default_block, required_blocks=tuple(required_blocks),
        required_columns=tuple(required_columns), notes=notes,
    )


def _fred(name, series, file, sha, title, frequency, notes=""):
    return Dataset(
        name=name, kind="fred", file=f"fred/{file}", url=FRED_URL.format(series), sha256=sha,
        frequency=frequency, title=title, publisher="FRED, Federal Reserve Bank of St. Louis",
        series=series, notes=notes,
    )


def _prices(name, ticker, file, sha, title, notes=""):
    return Dataset(
        name=name, kind="prices", file=f"prices/{file}", url=YAHOO_URL.format(ticker.replace("^", "%5E")),
        sha256=sha, frequency="daily", title=title, publisher="Yahoo Finance (index closes)",
        series=ticker, notes=notes,
    )


_RET_BLOCKS = ("vw_monthly", "ew_monthly", "vw_annual", "ew_annual", "firm_counts")
_DECILES = ("Lo 10", "2-Dec", "3-Dec", "4-Dec", "5-Dec", "6-Dec", "7-Dec", "8-Dec", "9-Dec", "Hi 10")

_DATASETS = [
    # -- Ken French: factors ------------------------------------------------------------------
    _french("ff3_factors", "F-F_Research_Data_Factors", "F-F_Research_Data_Factors_CSV.zip",
            "cb3ae76b7e2d4399ab777299f1f557a7d4027c6a458cde0281dff7106909584d",
            "Fama/French 3 factors (Mkt-RF, SMB, HML, RF), monthly and annual", "mixed",
            "monthly", ("monthly", "annual"), ("Mkt-RF", "SMB", "HML", "RF")),
    _french("ff3_factors_daily", "F-F_Research_Data_Factors_daily",
            "F-F_Research_Data_Factors_daily_CSV.zip",
            "888cfc30f219c43902e95242afdce0b81af6c2fb4106003c93c6660c17d16c54",
            "Fama/French 3 factors, daily", "daily", "daily", ("daily",),
            ("Mkt-RF", "SMB", "HML", "RF")),
    _french("ff5_factors", "F-F_Research_Data_5_Factors_2x3", "F-F_Research_Data_5_Factors_2x3_CSV.zip",
            "c2e0f22973651d347d3c09ed65bda2ca4094ce31e88a4674011e88f85d6d9827",
            "Fama/French 5 factors (2x3), monthly and annual", "mixed", "monthly",
            ("monthly", "annual"), ("Mkt-RF", "SMB", "HML", "RMW", "CMA", "RF")),
    _french("ff5_factors_daily", "F-F_Research_Data_5_Factors_2x3_daily",
            "F-F_Research_Data_5_Factors_2x3_daily_CSV.zip",
            "3c51018e0875b0cb9a1c83bd20b69d8d29faa2307fff64d8b7606ef0257c15f7",
            "Fama/French 5 factors (2x3), daily", "daily", "daily", ("daily",),
            ("Mkt-RF", "SMB", "HML", "RMW", "CMA", "RF")),
    _french("momentum", "F-F_Momentum_Factor", "F-F_Momentum_Factor_CSV.zip",
            "d350ecbb0238fc703dc7975a179806cd6054fe6a3800de368422420af5b0a7e2",
            "Momentum factor (Mom), monthly and annual", "mixed", "monthly", ("monthly", "annual"),
            ("Mom",)),
    _french("momentum_daily", "F-F_Momentum_Factor_daily", "F-F_Momentum_Factor_daily_CSV.zip",
            "84e3e191d371312721411710c7139639881402f0bf54c024231838005ca6ed86",
            "Momentum factor, daily", "daily", "daily", ("daily",), ("Mom",)),
    # -- Ken French: size and characteristic portfolios -------------------------------------
    _french("size_portfolios", "Portfolios_Formed_on_ME", "Portfolios_Formed_on_ME.csv",
            "2db5e0f42e6ed6c6f2d984697927e46f2e01fa1ae9b9e26f400c0dbd8eba1060",
            "Portfolios formed on size (ME): 30/40/30, quintiles and deciles", "mixed",
            "vw_monthly", (*_RET_BLOCKS, "avg_firm_size"), ("Lo 30", "Hi 30", *_DECILES),
            notes="Decile headers read '2-Dec' ... '9-Dec' as published. There is no daily version "
                  "in the catalog (Portfolios_Formed_on_ME_daily is not available); daily small caps "
                  "come from me_bm_6_daily."),
    _french("me_op_25", "25_Portfolios_ME_OP_5x5", "25_Portfolios_ME_OP_5x5.csv",
            "a271416f8e389640a02acd37be1c512605f416d1a4f532399b883b59ffe8f8e7",
            "25 portfolios formed on size and operating profitability (5x5)", "mixed",
            "vw_monthly", (*_RET_BLOCKS, "avg_market_cap"),
            ("SMALL LoOP", "SMALL HiOP", "BIG LoOP", "BIG HiOP")),
    _french("me_inv_25", "25_Portfolios_ME_INV_5x5", "25_Portfolios_ME_INV_5x5.csv",
            "1de7cd2de9c750075d91c1a68cc2a99afc4a15197010dce44e42064c22bdb353",
            "25 portfolios formed on size and investment (5x5)", "mixed", "vw_monthly",
            (*_RET_BLOCKS, "avg_market_cap"),
            ("SMALL LoINV", "SMALL HiINV", "BIG LoINV", "BIG HiINV")),
    _french("industries_49", "49_Industry_Portfolios", "49_Industry_Portfolios.csv",
            "f0da3b07f44ff839b8130f88f9a3c2f6c95c26570507ba59b675a4233b86cddc",
            "49 industry portfolios", "mixed", "vw_monthly", (*_RET_BLOCKS, "avg_firm_size"),
            ("Agric", "Banks", "Other")),
    _french("me_bm_6", "6_Portfolios_2x3", "6_Portfolios_2x3.CSV",
            "e6e419936ee8077dd02f1427db4a603ac0e769eb66d574e6d1c1e438629b2f57",
            "6 portfolios formed on size and book-to-market (2x3), monthly", "mixed", "vw_monthly",
            (*_RET_BLOCKS, "avg_market_cap"),
            ("SMALL LoBM", "ME1 BM2", "SMALL HiBM", "BIG LoBM", "ME2 BM2", "BIG HiBM")),
    _french("me_bm_6_daily", "6_Portfolios_2x3_daily", "6_Portfolios_2x3_daily_CSV.zip",
            "d3618799b112be98ec0f93621995ff334795b8b9d9922c25fc7ac3db96ed6ba3",
            "6 portfolios formed on size and book-to-market (2x3), daily", "daily", "vw_daily",
            ("vw_daily", "ew_daily", "firm_counts", "avg_firm_size"), ("SMALL LoBM", "ME1 BM2", "SMALL HiBM", "BIG LoBM", "ME2 BM2", "BIG HiBM"),
            notes="The daily small-cap series of the project is built from this file: the equal "
                  "average of the three small (below NYSE median ME) portfolios."),
    _french("me_op_6", "6_Portfolios_ME_OP_2x3", "6_Portfolios_ME_OP_2x3.csv",
            "f453720ba81918a6e33b7bb596ccc66f1dba9324538c5742f360e91502107953",
            "6 portfolios formed on size and operating profitability (2x3), monthly", "mixed",
            "vw_monthly", (*_RET_BLOCKS, "avg_market_cap"),
            ("SMALL LoOP", "ME1 OP2", "SMALL HiOP", "BIG LoOP", "ME2 OP2", "BIG HiOP"),
            notes="Only a 201803 vintage is available, with LF line endings."),
    _french("me_op_6_daily", "6_Portfolios_ME_OP_2x3_daily", "6_Portfolios_ME_OP_2x3_daily_CSV.zip",
            "3460b1f24946362ffb5c66028f10082f5d5dd02b334dc5c3c350873d74161bdb",
            "6 portfolios formed on size and operating profitability (2x3), daily", "daily",
            "vw_daily", ("vw_daily", "ew_daily", "firm_counts", "avg_firm_size"),
            ("SMALL LoOP", "ME1 OP2", "SMALL HiOP", "BIG LoOP", "ME2 OP2", "BIG HiOP")),
    # -- FRED -----------------------------------------------------------------------------------
    _fred("fedfunds", "FEDFUNDS", "FEDFUNDS.csv",
          "4c3a0f601abf9db0a8298f9e972ae6627876c4232cda79b0bc43d3230aa0450d",
          "Effective federal funds rate, monthly average (percent)", "monthly",
          notes="Transcribed copy; checked string-identical against a second copy (SOURCES.md)."),
    _fred("dff", "DFF", "DFF.csv", "1b8097fbb2a130d8055914b74ba7c6ab010cad3ec5b9e949c09e14a206a0e0e4",
          "Effective federal funds rate, daily (percent)", "daily"),
    _fred("dff_joaquinmulet", "DFF", "DFF_JoaquinMulet_datevalue.csv",
          "92728f327880b5f70a11be7f165e28ddc8d699f5e90ad839b400e7278b7f21fc",
          "Effective federal funds rate, daily (percent); date,value copy running to 2026-07",
          "daily"),
    _fred("dfedtar", "DFEDTAR", "DFEDTAR.csv",
          "323b6d9fb014cdd8b39eab02025bb37111e9497c75fdd24ea1731ed3f360376c",
          "Federal funds target rate, 1982-09-27 to 2008-12-15 (discontinued; percent)", "daily"),
    _fred("dfedtaru", "DFEDTARU", "DFEDTARU.csv",
          "462c408a21500ca6f132dba613014e8c6e4f5000ae5a932b9b7899b3f940ef0a",
          "Federal funds target range, upper limit (percent), from 2008-12-16", "daily"),
    _fred("dfedtarl", "DFEDTARL", "DFEDTARL.csv",
          "1e02f29803f742543fe3620f66fd9805e3d4c70377bc6e9143f3bb5bb75cf47e",
          "Federal funds target range, lower limit (percent), from 2008-12-16", "daily"),
    _fred("dfedtaru_jonsflow", "DFEDTARU", "DFEDTARU_jonsflow_datevalue.csv",
          "7f87298b21ecdcc018c92a50bca827ec6e3f34be62897f856b9579dbc05b822a",
          "Federal funds target range, upper limit; Date,Value copy running to 2026-06", "daily"),
    _fred("dfedtarl_jonsflow", "DFEDTARL", "DFEDTARL_jonsflow_datevalue.csv",
          "569678c35a159a1e414dd66f8c3550c9a39d57349ca314e6e9f722620a3b5356",
          "Federal funds target range, lower limit; Date,Value copy running to 2026-06", "daily"),
    _fred("dgs2", "DGS2", "DGS2.csv", "f7bdae1aefe63c13d7b75fae58546e480f254368bbbc8de0c5c269069b8fe3fe",
          "2-year Treasury constant-maturity yield, daily (percent)", "daily",
          notes="Re-saved by pandas upstream: lower-case header, trailing zeros dropped."),
    _fred("dgs2_macrowatch", "DGS2", "DGS2_macrowatch_datevalue.csv",
          "a730ee68cdc202bdf12f2c9a9a7e7f4b2df75f87278269dbc09dd2a2086f5d5c",
          "2-year Treasury yield, daily; date,value copy running to 2026-08", "daily"),
    _fred("dgs10", "DGS10", "DGS10.csv",
          "8dd5cf14b7fa2dea04434c4a7072f175fa3909ead8c75362fc703f179825257c",
          "10-year Treasury constant-maturity yield, daily (percent)", "daily",
          notes="Re-saved by pandas upstream: lower-case header, trailing zeros dropped."),
    _fred("dgs10_macrowatch", "DGS10", "DGS10_macrowatch_datevalue.csv",
          "556458c359949e37a7cfb8da0fed0335a763d588fb2f706e48fa28978ad57f3a",
          "10-year Treasury yield, daily; date,value copy running to 2026-08", "daily"),
    _fred("gs10", "GS10", "GS10.csv", "c3c9ab5578c65d02d04464f8085a05c36f416cc0d7cac1320b3ebe08a3764821",
          "10-year Treasury yield, monthly average (percent), 1953-04 to 2025-03", "monthly"),
    _fred("gs10_nastarankh99", "GS10", "GS10_nastarankh99.csv",
          "1c394abe4af142a1d9ed86b0d49532c96a00cc610462d1d9f29badd66fc420e1",
          "10-year Treasury yield, monthly (percent), 1985-01 to 2025-10", "monthly"),
    _fred("gs2", "GS2", "GS2.csv", "bc68787071498875e65ebccac60a83bc4a4640a1fbcbcecf21e53aa84e2d771c",
          "2-year Treasury yield, monthly average (percent), 1985-01 to 2025-10", "monthly"),
    _fred("tb3ms", "TB3MS", "TB3MS.csv",
          "d4473b4304fca5011161458ce5140a31aedbafcb8e1f4908265c8cc1b7fa672f",
          "3-month Treasury bill rate, monthly (percent), 1985-01 to 2025-10", "monthly"),
    _fred("usrec", "USREC", "USREC.csv",
          "5723fc8396363047b55b21e7bfc3d7258d907b29853906b2f48e9161006ceb88",
          "NBER recession indicator, monthly (1 = recession)", "monthly"),
    _fred("unrate", "UNRATE", "UNRATE.csv",
          "0c99be07bd92f467672c4f0c5fd160b24fbb0b587ca1612867468a07f28a555f",
          "Unemployment rate, monthly (percent)", "monthly",
          notes="2025-10 is blank on FRED (no household survey during the shutdown)."),
    _fred("cpiaucsl", "CPIAUCSL", "CPIAUCSL.csv",
          "e1243c7e007588e17c5103b43c4086ad3426552aa9ce5cece8aa0322cb81f436",
          "Consumer price index, all urban consumers (index 1982-84=100)", "monthly"),
    _fred("t10y2y", "T10Y2Y", "T10Y2Y.csv",
          "4db5e74bd104ffe7c74682f6943be2ead438866d60898ae7d578a1350ecba3fd",
          "10-year minus 2-year Treasury spread, daily (percentage points)", "daily"),
    _fred("t10y2y_rayanetroudi", "T10Y2Y", "T10Y2Y_RayaneTroudi.csv",
          "b80e5d55b59957fae801163bc788ff17077000920222971d8b633377a9d0b451",
          "10-year minus 2-year Treasury spread, daily; copy to 2025-10-17", "daily"),
    _fred("baa10y", "BAA10Y", "BAA10Y.csv",
          "92a0c939995d59edb2a57af19df65791b936442004c067b982d9af832000e1ea",
          "Moody's Baa corporate yield minus 10-year Treasury, daily (percentage points), from 1990",
          "daily"),
    _fred("bamlh0a0hym2", "BAMLH0A0HYM2", "BAMLH0A0HYM2_macrowatch_datevalue.csv",
          "d724c3330354531791ae68ae173dc923a3349824fa8db6d53026a67231636730",
          "ICE BofA US high-yield option-adjusted spread, daily (percent); only 2023-08 on", "daily",
          notes="FRED serves only a rolling 3-year window of ICE series."),
    # -- Daily index closes -------------------------------------------------------------------
    _prices("rut", "^RUT", "RUT.csv", "3189f0b4b2e1e736c51a8b90c9dedddc6c2af50a15ea64c2841a3d50e87bc05e",
            "Russell 2000 index, daily (price index, no dividends)",
            notes="14 rows from 2025-07-14 on have volume 0 and non-2-decimal prices (intraday "
                  "snapshots); they are flagged and excluded by default."),
    _prices("rut_hjyssg", "^RUT", "RUT_hjyssg.csv",
            "0eadf416fc6f2c0d8ef0b8574353c44dbc1e8b6b59a05af5cd70e686678c7909",
            "Russell 2000 index, daily; second copy to 2024-08-02 (with Adj Close)"),
    _prices("gspc", "^GSPC", "GSPC.csv", "7641a86ea1c5954f97c78491047b66dbde086807e362e82556e221469aa9beba",
            "S&P 500 index (^SPX), daily (price index, no dividends); close only before 1962",
            notes="3-line yfinance header."),
    _prices("spy", "SPY", "SPY_jonsflow.csv",
            "aa518670fa26b81889eed77bedf6906d89f4e3ded84ac8008dbc76be56b31ac0",
            "SPDR S&P 500 ETF, daily, dividend-adjusted prices (to 2026-06)"),
    _prices("spy_alitalbi", "SPY", "SPY_alitalbi.csv",
            "e5bbc4d33a883ec5088922d8d46f98d6cdb7dfa245f85b63921a8f9b5b5df5ff",
            "SPDR S&P 500 ETF, daily, dividend-adjusted prices (to 2026-02)"),
    _prices("iwm", "IWM", "IWM_jonsflow.csv",
            "9715672d02340121e46f245fc68b7a02e3a5fb6ff31c5f46803a185cfdd90e5b",
            "iShares Russell 2000 ETF, daily, dividend-adjusted prices (to 2026-06)"),
    _prices("iwm_alitalbi", "IWM", "IWM_alitalbi.csv",
            "5d79816c0ef9e8fcd0134fe4c4a6232fb57d1f8572dfe40984a2eb8566f0c59d",
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
