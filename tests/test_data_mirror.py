"""The data layer on the REAL mirror files (``RESEARCH_DATA_MIRROR`` or ``../shared/data``).

Every expected number below was read from the raw files with ``sed -n``/``grep``/``unzip -p``
(line numbers are given where it helps to check them again), or from the mirror's SOURCES.md;
none was produced by the code under test. The parsed cache lives in a temporary folder shared by
the session; the mirror is only read.
"""

from __future__ import annotations

import hashlib
import math
import re
import warnings

import pandas as pd
import pytest

from research import data
from research.config import settings
from research.data import catalog, sizes, vintages

pytestmark = [pytest.mark.mirror, pytest.mark.usefixtures("mirror_env")]

ignore_flagged = pytest.mark.filterwarnings("ignore::research.data.SuspiciousRowsWarning")


def _load(name: str, block: str | None = None, **kw) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", data.SuspiciousRowsWarning)
        return data.load(name, block, **kw)


def _at(df: pd.DataFrame, date: str, col: str) -> float:
    return df.loc[pd.Timestamp(date), col]


# -- every catalog entry, against the mirror and SOURCES.md ----------------------------------------

# name: (file in the mirror, frequency, vintage, first, last, rows of the main block)
EXPECTED = {
    "ff3_factors": ("french/F-F_Research_Data_Factors_CSV.zip", "mixed", "202510", "1926-07-31", "2025-10-31", 1192),
    "ff3_factors_daily": ("french/F-F_Research_Data_Factors_daily_CSV.zip", "daily", "202510", "1926-07-01", "2025-10-31", 26110),
    "ff5_factors": ("french/F-F_Research_Data_5_Factors_2x3_CSV.zip", "mixed", "202510", "1963-07-31", "2025-10-31", 748),
    "ff5_factors_daily": ("french/F-F_Research_Data_5_Factors_2x3_daily_CSV.zip", "daily", "202510", "1963-07-01", "2025-10-31", 15690),
    "momentum": ("french/F-F_Momentum_Factor_CSV.zip", "mixed", "202510", "1927-01-31", "2025-10-31", 1186),
    "momentum_daily": ("french/F-F_Momentum_Factor_daily_CSV.zip", "daily", "202510", "1926-11-03", "2025-10-31", 26009),
    "size_portfolios": ("french/Portfolios_Formed_on_ME.csv", "mixed", "202602", "1926-07-31", "2026-02-28", 1196),
    "me_op_25": ("french/25_Portfolios_ME_OP_5x5.csv", "mixed", "202602", "1963-07-31", "2026-02-28", 752),
    "me_inv_25": ("french/25_Portfolios_ME_INV_5x5.csv", "mixed", "202602", "1963-07-31", "2026-02-28", 752),
    "industries_49": ("french/49_Industry_Portfolios.csv", "mixed", "202602", "1926-07-31", "2026-02-28", 1196),
    "me_bm_6": ("french/6_Portfolios_2x3.CSV", "mixed", "202412", "1926-07-31", "2024-12-31", 1182),
    "me_bm_6_daily": ("french/6_Portfolios_2x3_daily_CSV.zip", "daily", "202406", "1926-07-01", "2024-06-28", 25773),
    "me_op_6": ("french/6_Portfolios_ME_OP_2x3.csv", "mixed", "201803", "1963-07-31", "2018-03-31", 657),
    "me_op_6_daily": ("french/6_Portfolios_ME_OP_2x3_daily_CSV.zip", "daily", "202406", "1963-07-01", "2024-06-28", 15353),
    "fedfunds": ("fred/FEDFUNDS.csv", "monthly", "2026-08-31", "1954-07-31", "2026-08-31", 866),
    "dff": ("fred/DFF.csv", "daily", "2025-10-09", "1954-07-01", "2025-10-09", 26034),
    "dff_joaquinmulet": ("fred/DFF_JoaquinMulet_datevalue.csv", "daily", "2026-07-22", "1954-07-01", "2026-07-22", 26320),
    "dfedtar": ("fred/DFEDTAR.csv", "daily", "2008-12-15", "1982-09-27", "2008-12-15", 9577),
    "dfedtaru": ("fred/DFEDTARU.csv", "daily", "2025-12-10", "2008-12-16", "2025-12-10", 6204),
    "dfedtarl": ("fred/DFEDTARL.csv", "daily", "2025-12-10", "2008-12-16", "2025-12-10", 6204),
    "dfedtaru_jonsflow": ("fred/DFEDTARU_jonsflow_datevalue.csv", "daily", "2026-06-05", "2008-12-16", "2026-06-05", 6381),
    "dfedtarl_jonsflow": ("fred/DFEDTARL_jonsflow_datevalue.csv", "daily", "2026-06-05", "2008-12-16", "2026-06-05", 6381),
    "dgs2": ("fred/DGS2.csv", "daily", "2025-11-24", "1976-06-01", "2025-11-24", 12910),
    "dgs2_macrowatch": ("fred/DGS2_macrowatch_datevalue.csv", "daily", "2026-08-20", "1976-06-01", "2026-08-20", 12552),
    "dgs10": ("fred/DGS10.csv", "daily", "2025-11-24", "1962-01-02", "2025-11-24", 16670),
    "dgs10_macrowatch": ("fred/DGS10_macrowatch_datevalue.csv", "daily", "2026-08-20", "1962-01-02", "2026-08-20", 16144),
    "gs10": ("fred/GS10.csv", "monthly", "2025-03-31", "1953-04-30", "2025-03-31", 864),
    "gs10_nastarankh99": ("fred/GS10_nastarankh99.csv", "monthly", "2025-10-31", "1985-01-31", "2025-10-31", 490),
    "gs2": ("fred/GS2.csv", "monthly", "2025-10-31", "1985-01-31", "2025-10-31", 490),
    "tb3ms": ("fred/TB3MS.csv", "monthly", "2025-10-31", "1985-01-31", "2025-10-31", 490),
    "usrec": ("fred/USREC.csv", "monthly", "2026-06-30", "1854-12-31", "2026-06-30", 2059),
    "unrate": ("fred/UNRATE.csv", "monthly", "2026-06-30", "1948-01-31", "2026-06-30", 942),
    "cpiaucsl": ("fred/CPIAUCSL.csv", "monthly", "2025-08-31", "1947-01-31", "2025-08-31", 944),
    "t10y2y": ("fred/T10Y2Y.csv", "daily", "2026-06-05", "1976-06-01", "2026-06-05", 13049),
    "t10y2y_rayanetroudi": ("fred/T10Y2Y_RayaneTroudi.csv", "daily", "2025-10-17", "1976-06-01", "2025-10-17", 12884),
    "baa10y": ("fred/BAA10Y.csv", "daily", "2026-04-29", "1990-01-01", "2026-04-29", 9478),
    "bamlh0a0hym2": ("fred/BAMLH0A0HYM2_macrowatch_datevalue.csv", "daily", "2026-08-20", "2023-08-22", "2026-08-20", 787),
    # vintage and coverage describe what load() serves: the flagged 2026-02-23 snapshot is excluded
    "rut": ("prices/RUT.csv", "daily", "2026-02-20", "1987-09-10", "2026-02-20", 9686),
    "rut_hjyssg": ("prices/RUT_hjyssg.csv", "daily", "2024-08-02", "1987-09-10", "2024-08-02", 9297),
    "gspc": ("prices/GSPC.csv", "daily", "2026-02-27", "1927-12-30", "2026-02-27", 24656),
    "spy": ("prices/SPY_jonsflow.csv", "daily", "2026-06-05", "1993-01-29", "2026-06-05", 8395),
    "spy_alitalbi": ("prices/SPY_alitalbi.csv", "daily", "2026-02-23", "1993-01-29", "2026-02-23", 8323),
    "iwm": ("prices/IWM_jonsflow.csv", "daily", "2026-06-05", "2000-05-26", "2026-06-05", 6545),
    "iwm_alitalbi": ("prices/IWM_alitalbi.csv", "daily", "2026-02-23", "2000-05-26", "2026-02-23", 6473),
}

PUBLISHERS = {"french": "Kenneth R. French Data Library",
              "fred": "FRED, Federal Reserve Bank of St. Louis",
              "prices": "Yahoo Finance (index closes)"}


def test_expected_table_covers_the_catalog():
    assert sorted(EXPECTED) == sorted(data.names())


def test_every_mirror_file_is_in_the_catalog(mirror_env):
    on_disk = {p.relative_to(mirror_env).as_posix() for p in mirror_env.rglob("*")
               if p.is_file() and p.suffix.lower() != ".md"}
    in_catalog = {ds.file for ds in catalog.CATALOG.values()}
    assert sorted(on_disk - in_catalog) == [], "mirror files without a catalog entry"
    assert sorted(in_catalog - on_disk) == [], "catalog entries without a mirror file"


def _sources_md_sha(mirror) -> dict[str, str]:
    """file -> sha256, from the tables in each folder's SOURCES.md."""
    out = {}
    for folder in ("french", "fred", "prices"):
        for line in (mirror / folder / "SOURCES.md").read_text().splitlines():
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) > 3 and re.fullmatch(r"[0-9a-f]{64}", cells[-1]):
                out[f"{folder}/{cells[0]}"] = cells[-1]
    return out


def test_the_lock_matches_the_mirror_sources(mirror_env):
    documented = _sources_md_sha(mirror_env)
    locked = vintages.read(settings())
    assert list(locked) == data.names()  # every dataset, in catalog order
    for ds in catalog.CATALOG.values():
        assert locked[ds.name].sha256 == documented[ds.file], ds.name
        assert hashlib.sha256((mirror_env / ds.file).read_bytes()).hexdigest() == locked[ds.name].sha256
        assert locked[ds.name].vintage == EXPECTED[ds.name][2], ds.name


@ignore_flagged
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_dataset_loads_with_full_info(name):
    file, frequency, vintage, first, last, rows = EXPECTED[name]
    df = data.load(name)
    assert isinstance(df.index, pd.DatetimeIndex) and df.index.name == "date"
    assert df.index.is_monotonic_increasing and not df.index.has_duplicates
    info = data.info(name)
    kind = file.split("/")[0]
    assert info["publisher"] == PUBLISHERS[kind]
    assert info["url"].startswith("https://")
    assert info["file"] == file.split("/")[1]
    assert info["frequency"] == frequency
    assert info["vintage"] == vintage
    assert info["coverage"] == (first, last)
    assert info["rows"] == rows
    assert info["sha256"] == info["locked_sha256"] == vintages.locked(settings(), name).sha256
    assert info["locked_vintage"] == vintage
    assert info["matches_lock"] is True and info["newer_than_lock"] is False
    assert info["origin"] in ("mirror", "raw-store")
    assert data.current_sha256(name) == info["sha256"]


def test_urls_are_the_publishers():
    assert data.info("ff3_factors")["url"] == (
        "https://mba.tuck.dartmouth.edu/pages/faculty/ken.french/ftp/F-F_Research_Data_Factors_CSV.zip")
    assert data.info("size_portfolios")["url"] == (
        "https://mba.tuck.dartmouth.edu/pages/faculty/ken.french/ftp/Portfolios_Formed_on_ME_CSV.zip")
    assert data.info("dgs2")["url"] == "https://fred.stlouisfed.org/graph/fredgraph.csv?id=DGS2"


# -- Ken French ----------------------------------------------------------------------------------

def test_size_portfolios_vw_monthly():
    vw = data.load("size_portfolios")  # default block: vw_monthly
    assert list(vw.columns) == ["<= 0", "Lo 30", "Med 40", "Hi 30", "Lo 20", "Qnt 2", "Qnt 3",
                                "Qnt 4", "Hi 20", "Lo 10", "2-Dec", "3-Dec", "4-Dec", "5-Dec",
                                "6-Dec", "7-Dec", "8-Dec", "9-Dec", "Hi 10"]
    # line 14: 192607
    assert _at(vw, "1926-07-31", "Lo 30") == 0.06
    assert math.isnan(_at(vw, "1926-07-31", "<= 0"))  # -99.99
    assert _at(vw, "1926-07-31", "2-Dec") == 0.57
    assert _at(vw, "1926-07-31", "Hi 10") == 3.67
    # line 600: 197505
    assert _at(vw, "1975-05-31", "Med 40") == 6.62
    assert _at(vw, "1975-05-31", "Lo 10") == 8.09
    # line 1209: 202602, the last row
    assert vw.index[-1] == pd.Timestamp("2026-02-28")
    assert _at(vw, "2026-02-28", "Hi 30") == -1.06
    assert _at(vw, "2026-02-28", "9-Dec") == 3.85
    assert vw["<= 0"].isna().all()


def test_size_portfolios_other_blocks():
    assert data.blocks("size_portfolios") == ["vw_monthly", "ew_monthly", "vw_annual", "ew_annual",
                                              "firm_counts", "avg_firm_size"]
    ew = data.load("size_portfolios", block="ew_monthly")
    assert _at(ew, "1926-07-31", "Lo 30") == -0.53  # line 1214
    assert _at(ew, "1975-05-31", "Hi 10") == 5.85  # line 1800
    assert _at(ew, "2026-02-28", "Lo 10") == -2.72  # line 2409
    annual = data.load("size_portfolios", block="vw_annual")
    assert annual.index[0] == pd.Timestamp("1927-12-31")
    assert _at(annual, "1927-12-31", "Lo 30") == 35.71  # line 2414
    assert _at(annual, "1933-12-31", "2-Dec") == 182.67  # line 2420
    assert _at(annual, "2025-12-31", "Hi 10") == 19.54  # line 2512
    ew_annual = data.load("size_portfolios", block="ew_annual")
    assert _at(ew_annual, "2025-12-31", "Lo 30") == 4.88  # line 2615
    counts = data.load("size_portfolios", block="firm_counts")
    assert _at(counts, "1926-07-31", "Lo 30") == 153  # line 2620
    assert _at(counts, "1926-07-31", "<= 0") == 0
    assert _at(counts, "1958-03-31", "Med 40") == 410  # line 3000
    assert _at(counts, "2026-02-28", "Lo 10") == 1290  # line 3815
    size = data.load("size_portfolios", block="avg_firm_size")
    assert math.isnan(_at(size, "1926-07-31", "<= 0"))  # line 3820
    assert _at(size, "2026-02-28", "Hi 10") == 295019.94  # line 5015


def test_blocks_of_one_file_differ_in_the_same_month():
    """March 2000, the same month read from two blocks of one file: every column differs between
    value and equal weights, so a block swapped, or the rows of the next block, cannot pass. The
    claims read these blocks through sizes.small_large (C1/C8 deciles; smb's legs)."""
    row = lambda df: tuple(df.loc[pd.Timestamp("2000-03-31")])  # noqa: E731
    # Portfolios_Formed_on_ME.csv line 898 (Value Weight Returns -- Monthly), "<= 0" is -99.99
    vw = row(data.load("size_portfolios", block="vw_monthly"))
    assert math.isnan(vw[0]) and vw[1:] == (-8.68, -1.49, 9.31, -10.27, -7.64, -2.43, 3.21, 9.83, -10.30,
                                            -10.24, -5.92, -9.12, -6.78, 1.28, 2.92, 3.39, 5.54, 10.56)
    # line 2098 (Equal Weight Returns -- Monthly)
    ew = row(data.load("size_portfolios", block="ew_monthly"))
    assert math.isnan(ew[0]) and ew[1:] == (-1.67, 4.43, 10.64, -1.82, -0.47, 3.98, 11.55, 10.70, -1.89,
                                            -1.58, -0.71, -0.14, 1.13, 7.21, 12.51, 10.55, 10.14, 11.29)
    # 6_Portfolios_2x3.CSV line 901 (Value Weighted Returns -- Monthly) and line 2087 (Equal Weighted)
    assert row(data.load("me_bm_6", block="vw_monthly")) == (-13.4840, -4.8054, -1.2043, 8.6671, 10.7953, 12.6437)
    assert row(data.load("me_bm_6", block="ew_monthly")) == (-4.4702, -0.3421, -0.1319, 8.9190, 13.6039, 13.8936)
    # and through the loader the claims use, weighting by weighting
    for weighting, small, large in [("vw", (-10.30, -10.24, -5.92), (3.39, 5.54, 10.56)),
                                    ("ew", (-1.89, -1.58, -0.71), (10.55, 10.14, 11.29))]:
        sl = sizes.small_large("deciles", weighting=weighting)
        _close(_row(sl, "2000-03-31"), (_mean(*small), _mean(*large), _mean(*small) - _mean(*large)))
    for weighting, small, large in [("vw", (-13.4840, -4.8054, -1.2043), (8.6671, 10.7953, 12.6437)),
                                    ("ew", (-4.4702, -0.3421, -0.1319), (8.9190, 13.6039, 13.8936))]:
        sl = sizes.small_large("smb", weighting=weighting)  # SMB itself: F-F_Research_Data_Factors line 890
        _close(_row(sl, "2000-03-31"), (_mean(*small), _mean(*large), -17.41))


def test_ff3_factors():
    monthly = data.load("ff3_factors")
    assert list(monthly.columns) == ["Mkt-RF", "SMB", "HML", "RF"]
    assert _at(monthly, "1926-07-31", "Mkt-RF") == 2.89  # 2025-format vintage (not 2.96)
    assert _at(monthly, "1926-07-31", "SMB") == -2.55
    assert _at(monthly, "1970-01-31", "HML") == 3.17
    assert _at(monthly, "2008-01-31", "Mkt-RF") == -6.33
    assert monthly.index[-1] == pd.Timestamp("2025-10-31")
    assert tuple(monthly.loc["2025-10-31"]) == (1.95, -0.55, -3.10, 0.37)
    annual = data.load("ff3_factors", block="annual")
    assert _at(annual, "1927-12-31", "Mkt-RF") == 29.44
    assert _at(annual, "2000-12-31", "HML") == 45.28
    assert annual.index[-1] == pd.Timestamp("2024-12-31")
    assert tuple(annual.loc["2024-12-31"]) == (19.76, -11.34, -8.71, 5.26)
    assert data.info("ff3_factors")["blocks"]["annual"]["title"] == "Annual Factors: January-December"


def test_ff3_factors_daily():
    daily = data.load("ff3_factors_daily")
    assert tuple(daily.iloc[0]) == (0.09, -0.25, -0.27, 0.01)
    assert daily.index[0] == pd.Timestamp("1926-07-01")
    assert _at(daily, "2008-10-15", "Mkt-RF") == -8.79
    assert _at(daily, "1970-01-02", "SMB") == 1.30
    assert tuple(daily.loc["2025-10-31"]) == (0.40, 0.10, -0.24, 0.02)


def test_ff5_factors():
    monthly = data.load("ff5_factors")
    assert list(monthly.columns) == ["Mkt-RF", "SMB", "HML", "RMW", "CMA", "RF"]
    assert tuple(monthly.loc["1963-07-31"]) == (-0.39, -0.48, -0.81, 0.64, -1.15, 0.27)
    assert tuple(monthly.loc["2025-10-31"]) == (1.95, -1.31, -3.10, -5.22, -4.03, 0.37)
    annual = data.load("ff5_factors", block="annual")
    assert _at(annual, "2000-12-31", "RMW") == 23.52
    assert _at(annual, "2024-12-31", "CMA") == -9.83
    daily = data.load("ff5_factors_daily")
    assert tuple(daily.loc["1963-07-01"]) == (-0.67, 0.00, -0.34, -0.01, 0.16, 0.01)
    assert _at(daily, "2025-10-31", "RMW") == -1.31


def test_momentum():
    monthly = data.load("momentum")
    assert list(monthly.columns) == ["Mom"]
    assert _at(monthly, "1927-01-31", "Mom") == 0.57
    assert _at(monthly, "2008-01-31", "Mom") == -7.74
    assert _at(monthly, "2025-10-31", "Mom") == 0.31
    annual = data.load("momentum", block="annual")  # title split over two lines in the file
    assert _at(annual, "1964-12-31", "Mom") == 4.55
    assert _at(annual, "2024-12-31", "Mom") == 17.95
    daily = data.load("momentum_daily")
    assert daily.index[0] == pd.Timestamp("1926-11-03")
    assert _at(daily, "1926-11-03", "Mom") == 0.54
    assert _at(daily, "2025-10-31", "Mom") == -0.51


def test_me_op_25():
    vw = data.load("me_op_25")
    assert vw.shape[1] == 25
    assert list(vw.columns[:2]) == ["SMALL LoOP", "ME1 OP2"] and vw.columns[-1] == "BIG HiOP"
    assert _at(vw, "1963-07-31", "SMALL LoOP") == -0.6108  # line 24
    assert _at(vw, "1990-01-31", "SMALL HiOP") == -10.2761  # line 342
    assert _at(vw, "2026-02-28", "BIG HiOP") == -0.4107  # line 775
    ew = data.load("me_op_25", block="ew_monthly")
    assert _at(ew, "1963-07-31", "SMALL LoOP") == -0.7854  # line 780
    counts = data.load("me_op_25", block="firm_counts")
    assert _at(counts, "2026-02-28", "SMALL LoOP") == 975  # line 2419
    cap = data.load("me_op_25", block="avg_market_cap")
    assert _at(cap, "2026-02-28", "BIG HiOP") == 245077.47  # line 3175
    annual = data.load("me_op_25", block="vw_annual")
    assert _at(annual, "2025-12-31", "SMALL LoOP") == 22.8755  # line 1597


def test_me_inv_25():
    vw = data.load("me_inv_25")
    assert list(vw.columns[:2]) == ["SMALL LoINV", "ME1 INV2"] and vw.columns[-1] == "BIG HiINV"
    assert _at(vw, "1963-07-31", "SMALL LoINV") == 0.2217  # line 18
    assert _at(vw, "1990-01-31", "ME2 INV5") == -10.7567  # line 336
    assert _at(vw, "2026-02-28", "BIG HiINV") == -5.9780  # line 769
    assert data.info("me_inv_25")["vintage"] == "202602"  # line 1 still names a program
    counts = data.load("me_inv_25", block="firm_counts")
    assert _at(counts, "1963-07-31", "SMALL LoINV") == 154  # line 1662
    annual = data.load("me_inv_25", block="ew_annual")
    assert _at(annual, "1964-12-31", "SMALL LoINV") == 24.8322  # line 1596


def test_me_bm_6_monthly_and_daily():
    vw = data.load("me_bm_6")
    assert list(vw.columns) == ["SMALL LoBM", "ME1 BM2", "SMALL HiBM", "BIG LoBM", "ME2 BM2", "BIG HiBM"]
    assert tuple(vw.loc["1926-07-31"]) == (1.0874, 0.9081, -0.0695, 5.7168, 1.8971, 2.0066)
    assert tuple(vw.loc["2024-12-31"]) == (-7.0067, -8.5931, -7.1178, -0.7931, -7.1476, -6.5860)
    daily = data.load("me_bm_6_daily")  # default block: vw_daily
    assert tuple(daily.loc["1926-07-01"]) == (0.10, -0.13, -0.37, 0.16, 0.11, 0.09)  # line 20
    assert tuple(daily.loc["1980-01-02"]) == (-2.51, -1.49, -1.33, -2.57, -1.69, -1.58)
    assert tuple(daily.loc["2024-06-28"]) == (0.62, 0.89, 1.25, -0.62, -0.10, 1.32)
    ew = data.load("me_bm_6_daily", block="ew_daily")
    assert tuple(ew.loc["2024-06-28"]) == (-0.34, 0.44, 0.55, -0.11, 0.29, 1.06)
    counts = data.load("me_bm_6_daily", block="firm_counts")
    assert tuple(counts.loc["1980-01-02"]) == (1013, 927, 991, 305, 317, 154)
    assert "daily size deciles" in data.info("me_bm_6_daily")["notes"]


def test_me_op_6_lf_file_and_daily():
    vw = data.load("me_op_6")  # the one mirror file with LF line endings
    assert _at(vw, "1963-07-31", "SMALL LoOP") == -0.8881
    assert _at(vw, "2018-03-31", "BIG HiOP") == -2.5379
    daily = data.load("me_op_6_daily")
    assert tuple(daily.loc["1963-07-01"]) == (-0.71, -0.78, -0.68, -0.67, -0.66, -0.64)
    assert _at(daily, "2024-06-28", "SMALL LoOP") == 0.61


def test_industries_49():
    vw = data.load("industries_49")
    assert vw.shape[1] == 49
    assert list(vw.columns[:3]) == ["Agric", "Food", "Soda"]  # published padded: "Food ", "Soda "
    assert _at(vw, "1926-07-31", "Agric") == 2.36
    assert math.isnan(_at(vw, "1926-07-31", "Soda"))  # -99.99: no soda firms yet
    assert _at(vw, "2026-02-28", "Other") == 5.79


# -- FRED ------------------------------------------------------------------------------------------

def test_dgs2_blank_days_and_values():
    df = data.load("dgs2")  # lower-case header "observation_date,dgs2"
    assert list(df.columns) == ["DGS2"]
    assert _at(df, "1976-06-01", "DGS2") == 7.26
    assert math.isnan(_at(df, "1976-07-05", "DGS2"))  # line 26, blank
    assert _at(df, "2001-09-10", "DGS2") == 3.53
    assert math.isnan(_at(df, "2001-09-11", "DGS2"))
    assert math.isnan(_at(df, "2001-09-12", "DGS2"))
    assert _at(df, "2001-09-13", "DGS2") == 2.99
    assert math.isnan(_at(df, "2025-11-11", "DGS2"))
    assert _at(df, "2025-11-24", "DGS2") == 3.46
    assert int(df["DGS2"].isna().sum()) == 543  # grep -c ',$' DGS2.csv
    dgs10 = data.load("dgs10")
    assert _at(dgs10, "2001-09-10", "DGS10") == 4.84 and math.isnan(_at(dgs10, "2001-09-11", "DGS10"))


def test_fedfunds_first_and_last():
    df = data.load("fedfunds")
    assert df.index[0] == pd.Timestamp("1954-07-31") and _at(df, "1954-07-31", "FEDFUNDS") == 0.80
    assert _at(df, "1980-03-31", "FEDFUNDS") == 17.19
    assert _at(df, "2008-12-31", "FEDFUNDS") == 0.16
    assert df.index[-1] == pd.Timestamp("2026-08-31") and _at(df, "2026-08-31", "FEDFUNDS") == 3.63


def test_usrec():
    df = data.load("usrec")
    assert _at(df, "1854-12-31", "USREC") == 1
    assert _at(df, "1855-01-31", "USREC") == 0
    assert [df.loc[f"2020-0{m}", "USREC"].iloc[0] for m in (2, 3, 4, 5)] == [0, 1, 1, 0]
    assert _at(df, "2009-06-30", "USREC") == 1


def test_unrate_october_2025_is_missing():
    df = data.load("unrate")
    assert _at(df, "1948-01-31", "UNRATE") == 3.4
    assert math.isnan(_at(df, "2025-10-31", "UNRATE"))  # no household survey (shutdown)
    assert _at(df, "2025-11-30", "UNRATE") == 4.5
    assert int(df["UNRATE"].isna().sum()) == 1


def test_t10y2y_crlf_file():
    df = data.load("t10y2y")
    assert _at(df, "1976-06-01", "T10Y2Y") == 0.68
    assert math.isnan(_at(df, "1976-07-05", "T10Y2Y"))
    assert _at(df, "2022-07-05", "T10Y2Y") == 0.00
    assert _at(df, "2022-07-06", "T10Y2Y") == -0.04
    assert _at(df, "2026-06-05", "T10Y2Y") == 0.38  # last line, no final newline
    assert int(df["T10Y2Y"].isna().sum()) == 549
    other = data.load("t10y2y_rayanetroudi")  # LF copy, same values on the overlap
    assert _at(other, "2022-07-06", "T10Y2Y") == -0.04
    assert _at(other, "2025-10-17", "T10Y2Y") == 0.56


def test_date_value_copies():
    dgs2 = data.load("dgs2_macrowatch")
    assert _at(dgs2, "2001-09-10", "DGS2") == 3.53
    assert pd.Timestamp("2001-09-11") not in dgs2.index  # missing days dropped
    assert _at(dgs2, "2001-09-13", "DGS2") == 2.99
    assert _at(dgs2, "2026-08-20", "DGS2") == 4.19
    dff = data.load("dff_joaquinmulet")
    assert _at(dff, "1954-07-02", "DFF") == 1.25  # written "1.250"
    assert _at(dff, "2026-07-22", "DFF") == 3.63  # written "3.6300000000"
    lower = data.load("dfedtarl_jonsflow")  # "Date,Value"
    assert _at(lower, "2008-12-16", "DFEDTARL") == 0.0
    assert _at(lower, "2026-06-05", "DFEDTARL") == 3.5
    hy = data.load("bamlh0a0hym2")
    assert _at(hy, "2023-08-22", "BAMLH0A0HYM2") == 3.93
    assert _at(hy, "2026-08-20", "BAMLH0A0HYM2") == 2.75


def test_other_fred_series():
    assert math.isnan(_at(data.load("baa10y"), "1990-01-01", "BAA10Y"))  # first row blank
    assert _at(data.load("baa10y"), "2026-04-29", "BAA10Y") == 1.69
    assert _at(data.load("cpiaucsl"), "2025-08-31", "CPIAUCSL") == 323.364
    assert _at(data.load("dfedtar"), "1982-09-27", "DFEDTAR") == 10.25
    assert _at(data.load("dfedtaru"), "2025-12-10", "DFEDTARU") == 4.00
    assert _at(data.load("gs10"), "1953-04-30", "GS10") == 2.83
    assert _at(data.load("tb3ms"), "2025-10-31", "TB3MS") == 3.82


# -- prices -----------------------------------------------------------------------------------------

RUT_FLAGGED = ["2025-07-14", "2025-08-11", "2025-08-12", "2025-08-18", "2025-08-19", "2025-08-20",
               "2025-08-21", "2025-08-27", "2025-08-28", "2025-08-29", "2025-09-08", "2025-09-10",
               "2025-09-15", "2026-02-23"]


def test_rut_closes():
    df = _load("rut")
    assert list(df.columns) == ["open", "high", "low", "close", "volume", "suspicious"]
    assert _at(df, "1987-09-10", "close") == 168.97000122070312
    assert _at(df, "2021-11-08", "close") == 2442.739990234375  # the record close
    assert _at(df, "2021-11-08", "volume") == 4269710000
    assert _at(_load("rut_hjyssg"), "2021-11-08", "close") == 2442.739990234375


def test_rut_flagged_rows_excluded_by_default():
    with pytest.warns(data.SuspiciousRowsWarning, match=r"rut: 14 suspicious row\(s\) excluded"):
        df = data.load("rut")
    assert len(df) == 9686 - 14
    assert not any(pd.Timestamp(d) in df.index for d in RUT_FLAGGED)
    assert df.index[-1] == pd.Timestamp("2026-02-20")
    assert data.info("rut")["flagged_rows"] == RUT_FLAGGED


def test_rut_flagged_rows_kept_on_request(recwarn):
    df = data.load("rut", include_flagged=True)
    assert not [w for w in recwarn if issubclass(w.category, data.SuspiciousRowsWarning)]
    assert len(df) == 9686
    assert [d.date().isoformat() for d in df.index[df["suspicious"]]] == RUT_FLAGGED
    assert _at(df, "2025-07-14", "close") == 2249.728515625
    assert _at(df, "2026-02-23", "close") == 2620.988525390625


def test_older_volume_zero_rut_rows_are_not_flagged():
    df = _load("rut")
    for day, close in (("2023-07-25", 1966.1099853515625), ("2023-10-13", 1719.7099609375),
                       ("2024-10-18", 2276.090087890625)):
        assert _at(df, day, "volume") == 0
        assert _at(df, day, "close") == close
        assert not _at(df, day, "suspicious")


def test_gspc_three_line_header():
    df = data.load("gspc")
    assert list(df.columns) == ["open", "high", "low", "close", "adj_close", "volume", "suspicious"]
    assert df.index[0] == pd.Timestamp("1927-12-30")
    assert _at(df, "1927-12-30", "close") == 17.65999984741211
    assert _at(df, "1950-01-03", "close") == 16.65999984741211
    assert round(_at(df, "1950-01-03", "close"), 2) == 16.66
    assert _at(df, "2021-12-31", "close") == 4766.18017578125
    assert _at(df, "2023-05-24", "volume") == 0 and not _at(df, "2023-05-24", "suspicious")
    assert not df["suspicious"].any()


def test_etfs():
    spy = data.load("spy")
    assert _at(spy, "2020-03-16", "close") == 219.78977966308594
    iwm = data.load("iwm")
    assert _at(iwm, "2008-10-10", "close") == 41.318603515625
    assert _at(data.load("iwm_alitalbi"), "2026-02-23", "close") == 260.510009765625


# -- small_large: each definition against values computed here from the raw numbers -------------

def _mean(*xs: float) -> float:
    return sum(xs) / len(xs)


def _row(df: pd.DataFrame, date: str) -> tuple[float, float, float]:
    r = df.loc[pd.Timestamp(date)]
    return r["small"], r["large"], r["small_minus_large"]


def _close(got, want) -> None:
    assert got == pytest.approx(want, abs=1e-12)


def test_small_large_deciles_monthly_vw():
    sl = sizes.small_large("deciles")
    assert list(sl.columns) == ["small", "large", "small_minus_large"]
    assert sl.attrs["definition"] == "deciles" and sl.attrs["datasets"] == ["size_portfolios"]
    small, large = _mean(-0.62, 0.57, -0.13), _mean(1.31, 3.53, 3.67)  # 192607, line 14
    _close(_row(sl, "1926-07-31"), (small, large, small - large))
    small, large = _mean(1.83, 0.04, 1.18), _mean(3.17, 3.85, -1.90)  # 202602, line 1209
    _close(_row(sl, "2026-02-28"), (small, large, small - large))
    assert (sl.index[0], sl.index[-1]) == (pd.Timestamp("1926-07-31"), pd.Timestamp("2026-02-28"))


def test_small_large_deciles_monthly_ew_and_custom():
    ew = sizes.small_large("deciles", weighting="ew")
    small, large = _mean(-1.69, 0.33, -0.24), _mean(1.40, 3.38, 3.16)  # line 1214
    _close(_row(ew, "1926-07-31"), (small, large, small - large))
    one_ten = sizes.small_large("deciles", small=(1,), large=(10,))
    _close(_row(one_ten, "1975-05-31"), (8.09, 5.36, 8.09 - 5.36))  # line 600


def test_small_large_deciles_daily_from_the_six_portfolios():
    sl = sizes.small_large("deciles", freq="daily")
    assert sl.attrs["datasets"] == ["me_bm_6_daily"]
    assert "daily size deciles are not published" in sl.attrs["note"]
    small, large = _mean(0.10, -0.13, -0.37), _mean(0.16, 0.11, 0.09)
    _close(_row(sl, "1926-07-01"), (small, large, small - large))
    small, large = _mean(0.62, 0.89, 1.25), _mean(-0.62, -0.10, 1.32)
    _close(_row(sl, "2024-06-28"), (small, large, small - large))
    ew = sizes.small_large("deciles", freq="daily", weighting="ew")
    small, large = _mean(-0.34, 0.44, 0.55), _mean(-0.11, 0.29, 1.06)
    _close(_row(ew, "2024-06-28"), (small, large, small - large))


def test_small_large_smb():
    sl = sizes.small_large("smb")
    assert sl.attrs["datasets"] == ["ff3_factors", "me_bm_6"]
    small, large = _mean(1.0874, 0.9081, -0.0695), _mean(5.7168, 1.8971, 2.0066)
    _close(_row(sl, "1926-07-31"), (small, large, -2.55))  # SMB 192607
    last = sl.loc[pd.Timestamp("2025-10-31")]  # after me_bm_6 ends (202412): legs missing
    assert math.isnan(last["small"]) and last["small_minus_large"] == -0.55
    daily = sizes.small_large("smb", freq="daily")
    small, large = _mean(0.10, -0.13, -0.37), _mean(0.16, 0.11, 0.09)
    _close(_row(daily, "1926-07-01"), (small, large, -0.25))  # SMB 19260701


def test_small_large_russell_monthly():
    sl = _russell("monthly")
    assert sl.attrs["datasets"] == ["rut", "gspc"]
    # month-end closes typed from RUT.csv / GSPC.csv
    small = (118.26000213623048 / 170.80999755859375 - 1) * 100  # 1987-10-30 vs 1987-09-30
    large = (251.7899932861328 / 321.8299865722656 - 1) * 100
    assert sl.index[0] == pd.Timestamp("1987-10-31")
    _close(_row(sl, "1987-10-31"), (small, large, small - large))
    small = (2054.840087890625 / 1947.3399658203125 - 1) * 100  # 2024-02-29 vs 2024-01-31
    large = (5096.27001953125 / 4845.64990234375 - 1) * 100
    _close(_row(sl, "2024-02-29"), (small, large, small - large))
    small = (2613.739990234375 / 2481.909912109375 - 1) * 100  # 2026-01-30 vs 2025-12-31
    large = (6939.02978515625 / 6845.5 - 1) * 100
    _close(_row(sl, "2026-01-31"), (small, large, small - large))
    assert sl.index[-1] == pd.Timestamp("2026-01-31")  # February 2026 is incomplete in RUT


def test_small_large_russell_daily():
    sl = _russell("daily")
    small = (1996.239990234375 / 2011.4200439453125 - 1) * 100  # 2024-01-30 vs 2024-01-29
    large = (4924.97021484375 / 4927.93017578125 - 1) * 100
    _close(_row(sl, "2024-01-30"), (small, large, small - large))
    small = (133.60000610351562 / 152.74000549316406 - 1) * 100  # 1987-10-19
    large = (224.83999633789062 / 282.70001220703125 - 1) * 100
    _close(_row(sl, "1987-10-19"), (small, large, small - large))


def _russell(freq: str) -> pd.DataFrame:
    with pytest.warns(data.SuspiciousRowsWarning):
        return sizes.small_large("russell", freq=freq)
