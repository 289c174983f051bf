"""The Ken French parser on hand-written files in French's exact layouts.

Every expected number below was typed from tests/fixtures/*.csv, not computed by the parser.
"""

from __future__ import annotations

import io
import math
import zipfile
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from research.data import french, store
from research.data.catalog import CATALOG
from research.errors import ParseError

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def fixture_path(name: str) -> Path:
    return FIXTURES / name


def _text(name: str) -> str:
    return fixture_path(name).read_bytes().decode("utf-8")


def _zip(member: str, payload: bytes, *more: tuple[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(member, payload)
        for name, data in more:
            zf.writestr(name, data)
    return buf.getvalue()


def _ts(s: str) -> pd.Timestamp:
    return pd.Timestamp(s)


# -- the size file: titled blocks, sentinels, CRLF ---------------------------------------------

@pytest.fixture
def size_file() -> french.FrenchFile:
    raw = fixture_path("french_size_blocks.csv").read_bytes()
    assert b"\r\n" in raw  # the fixture keeps French's CRLF line endings
    return french.parse_french(french.decode(raw, "french_size_blocks.csv"), "french_size_blocks.csv")


def test_size_file_blocks_are_named_by_title(size_file):
    assert list(size_file.blocks) == ["vw_monthly", "ew_monthly", "vw_annual", "firm_counts"]
    assert size_file.blocks["vw_monthly"].title == "Average Value Weight Returns -- Monthly"
    assert size_file.blocks["ew_monthly"].title == "Average Equal Weighted Returns -- Monthly"
    assert size_file.blocks["vw_annual"].title == "Value Weight Returns -- Annual from January to December"
    assert size_file.blocks["firm_counts"].title == "Number of Firms in Portfolios"
    assert [b.frequency for b in size_file.blocks.values()] == ["monthly", "monthly", "annual", "monthly"]
    assert size_file.blocks["vw_monthly"].first_line == 8  # the header line, 1-based


def test_size_file_vintage_and_description(size_file):
    assert size_file.vintage == "202602"
    assert size_file.description.splitlines()[0] == (
        "This file was created using the 202602 CRSP database.  It contains")
    assert "Missing data are indicated by -99.99 or -999." in size_file.description
    assert "Average Value Weight" not in size_file.description


def test_size_file_columns_as_published(size_file):
    vw = size_file.blocks["vw_monthly"].frame
    assert list(vw.columns) == ["<= 0", "Lo 30", "Hi 30", "Lo 10", "2-Dec", "3-Dec", "8-Dec",
                                "9-Dec", "Hi 10"]
    assert list(size_file.blocks["firm_counts"].frame.columns) == list(vw.columns)


def test_monthly_index_is_month_end(size_file):
    vw = size_file.blocks["vw_monthly"].frame
    assert list(vw.index) == [_ts("2019-11-30"), _ts("2019-12-31"), _ts("2020-01-31"),
                              _ts("2020-02-29")]
    assert vw.index.name == "date"


def test_monthly_values(size_file):
    vw = size_file.blocks["vw_monthly"].frame
    assert vw.loc["2019-11-30", "Lo 30"] == 1.25
    assert vw.loc["2019-12-31", "2-Dec"] == 0.90
    assert vw.loc["2020-02-29", "Hi 10"] == -7.95
    ew = size_file.blocks["ew_monthly"].frame
    assert ew.loc["2020-01-31", "Lo 10"] == 3.80
    assert ew.loc["2020-02-29", "9-Dec"] == -7.11


def test_sentinels_become_nan(size_file):
    vw = size_file.blocks["vw_monthly"].frame
    assert vw["<= 0"].isna().all()  # -99.99 on every row
    ew = size_file.blocks["ew_monthly"].frame
    assert math.isnan(ew.loc["2019-11-30", "2-Dec"])  # -999
    assert ew.loc["2019-12-31", "2-Dec"] == 0.70  # the neighbour is untouched
    assert int(ew.isna().sum().sum()) == 4 + 1


def test_annual_block_on_december_31(size_file):
    annual = size_file.blocks["vw_annual"].frame
    assert list(annual.index) == [_ts("2018-12-31"), _ts("2019-12-31")]
    assert annual.loc["2018-12-31", "Lo 30"] == -11.46
    assert annual.loc["2019-12-31", "Hi 10"] == 31.48


def test_firm_counts(size_file):
    counts = size_file.blocks["firm_counts"].frame
    assert counts.loc["2019-11-30", "<= 0"] == 0  # a real zero, not a sentinel
    assert counts.loc["2019-11-30", "Lo 30"] == 1500
    assert counts.loc["2020-02-29", "Hi 10"] == 119


def test_lf_and_crlf_parse_the_same(size_file):
    lf = _text("french_size_blocks.csv").replace("\r\n", "\n")
    other = french.parse_french(lf)
    for key, block in size_file.blocks.items():
        pd.testing.assert_frame_equal(other.blocks[key].frame, block.frame)


# -- the factors layout: untitled first block, " Annual Factors: January-December " -----------

def test_factors_file_untitled_first_block_and_annual():
    ff = french.parse_french(_text("french_factors.csv"))
    assert list(ff.blocks) == ["monthly", "annual"]
    assert ff.vintage == "202510"
    assert ff.blocks["monthly"].title == "(monthly)"
    assert ff.blocks["annual"].title == "Annual Factors: January-December"
    monthly = ff.blocks["monthly"].frame
    assert list(monthly.columns) == ["Mkt-RF", "SMB", "HML", "RF"]
    assert monthly.index[0] == _ts("2024-07-31") and monthly.index[-1] == _ts("2024-10-31")
    assert monthly.loc["2024-07-31", "Mkt-RF"] == 1.11
    assert monthly.loc["2024-09-30", "SMB"] == -1.40
    annual = ff.blocks["annual"].frame
    assert list(annual.index) == [_ts("2022-12-31"), _ts("2023-12-31")]
    assert annual.loc["2022-12-31", "HML"] == 24.40
    assert annual.loc["2023-12-31", "RF"] == 4.90


def test_annual_title_split_over_two_lines():
    # F-F_Momentum_Factor writes "Annual Factors:" and "January-December " on separate lines
    text = _text("french_factors.csv").replace(
        " Annual Factors: January-December ", "Annual Factors:\r\nJanuary-December ")
    ff = french.parse_french(text)
    assert list(ff.blocks) == ["monthly", "annual"]
    assert ff.blocks["annual"].title == "Annual Factors: January-December"


# -- daily files inside zips ------------------------------------------------------------------

@pytest.mark.parametrize("member", ["6_Portfolios_2x3_daily.csv", "6_Portfolios_2x3_daily.CSV"])
def test_daily_file_in_zip(member):
    payload = fixture_path("french_daily.csv").read_bytes()
    text = french.read_zip_member(_zip(member, payload), "test.zip")
    ff = french.parse_french(text, "test.zip")
    assert list(ff.blocks) == ["vw_daily", "ew_daily"]
    assert ff.vintage == "202406"
    vw = ff.blocks["vw_daily"].frame
    assert ff.blocks["vw_daily"].frequency == "daily"
    assert list(vw.index) == [_ts("2024-06-26"), _ts("2024-06-27"), _ts("2024-06-28")]
    assert list(vw.columns) == ["SMALL LoBM", "ME1 BM2", "SMALL HiBM", "BIG LoBM", "ME2 BM2",
                                "BIG HiBM"]
    assert vw.loc["2024-06-27", "BIG HiBM"] == -0.99
    assert ff.blocks["ew_daily"].frame.loc["2024-06-28", "SMALL HiBM"] == 0.60


def test_zip_member_is_found_by_extension_not_by_name():
    payload = fixture_path("french_daily.csv").read_bytes()
    raw = _zip("Readme.txt", b"not data")  # non-CSV members are ignored...
    with pytest.raises(ParseError, match="expected one .csv inside the zip, found none"):
        french.read_zip_member(raw, "test.zip")
    raw = _zip("x.CSV", payload, ("notes.txt", b"hello"))  # ...and do not count
    assert "Average Value Weighted Returns -- Daily" in french.read_zip_member(raw, "test.zip")


def test_store_parses_a_catalog_entry_from_zip_or_from_upper_case_csv():
    payload = fixture_path("french_daily.csv").read_bytes()
    ds = replace(CATALOG["me_bm_6_daily"], required_blocks=("vw_daily", "ew_daily"))
    parsed = store.parse_raw(ds, _zip("6_Portfolios_2x3_daily.csv", payload), "zip")
    assert parsed.meta["vintage"] == "202406"
    assert parsed.meta["blocks"]["vw_daily"]["first"] == "2024-06-26"
    assert parsed.meta["blocks"]["vw_daily"]["last"] == "2024-06-28"
    # the same file kept extracted under an upper-case .CSV name
    as_csv = replace(ds, file="french/6_Portfolios_2x3_daily.CSV")
    parsed2 = store.parse_raw(as_csv, payload, "csv")
    pd.testing.assert_frame_equal(parsed2.blocks["vw_daily"], parsed.blocks["vw_daily"])


def test_store_reads_a_zip_served_for_a_dataset_kept_as_csv():
    # French serves every file as <Name>_CSV.zip, also the ones the mirror keeps extracted
    payload = fixture_path("french_factors.csv").read_bytes()
    ds = replace(CATALOG["ff3_factors"], file="french/F-F_Research_Data_Factors.csv")
    parsed = store.parse_raw(ds, _zip("F-F_Research_Data_Factors.csv", payload), "download")
    assert parsed.blocks["monthly"].loc["2024-08-31", "HML"] == 1.25


def test_store_checks_required_blocks_and_columns():
    payload = fixture_path("french_factors.csv").read_bytes()
    base = replace(CATALOG["ff3_factors"], file="french/F-F_Research_Data_Factors.csv")
    ds = replace(base, required_blocks=("monthly", "annual", "daily"))
    with pytest.raises(ParseError, match=r"missing block\(s\) \['daily'\]"):
        store.parse_raw(ds, payload, "f.csv")
    ds = replace(base, required_columns=("Mkt-RF", "UMD"))
    with pytest.raises(ParseError, match=r"lacks column\(s\) \['UMD'\]"):
        store.parse_raw(ds, payload, "f.csv")


# -- errors: ParseError naming the problem and the line ----------------------------------------

def _lines(name: str) -> list[str]:
    return _text(name).split("\r\n")


def _join(lines: list[str]) -> str:
    return "\r\n".join(lines)


def test_empty_file():
    with pytest.raises(ParseError, match="the file is empty"):
        french.decode(b"", "empty.csv")
    with pytest.raises(ParseError, match="the file is empty"):
        french.decode(b"  \r\n\r\n", "blank.csv")
    with pytest.raises(ParseError, match=r"the file is empty \[<text>\]"):
        french.parse_french("\r\n\r\n")


def test_html_page_instead_of_csv():
    html = (b"<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head>"
            b"<body>Not Found</body></html>\n")
    with pytest.raises(ParseError, match="got an HTML page where a CSV was expected") as exc:
        french.decode(html, "https://example.org/x_CSV.zip")
    assert exc.value.source == "https://example.org/x_CSV.zip"
    with pytest.raises(ParseError, match="HTML page"):
        french.decode(b"\n  <html lang='en'><body>login</body></html>", "x")


def test_text_without_tables():
    with pytest.raises(ParseError, match="no tables found"):
        french.parse_french("This file was created using the 202602 CRSP database.\r\nNothing else.\r\n")


def test_truncated_zip():
    payload = fixture_path("french_daily.csv").read_bytes()
    whole = _zip("6_Portfolios_2x3_daily.csv", payload)
    for cut in (len(whole) // 2, len(whole) - 10):
        with pytest.raises(ParseError, match="not a valid zip archive.*truncated") as exc:
            french.read_zip_member(whole[:cut], "cut.zip")
        assert exc.value.source == "cut.zip"


def test_zip_with_damaged_member():
    payload = fixture_path("french_daily.csv").read_bytes()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr("d.csv", payload)
    raw = bytearray(buf.getvalue())
    pos = raw.find(b"20240627")
    raw[pos:pos + 8] = b"20240699"  # same size, wrong CRC
    with pytest.raises(ParseError, match="zip"):
        french.read_zip_member(bytes(raw), "crc.zip")


def test_zip_with_two_csvs():
    payload = fixture_path("french_daily.csv").read_bytes()
    raw = _zip("a.csv", payload, ("b.CSV", payload))
    with pytest.raises(ParseError, match=r"expected one .csv inside the zip, found \['a.csv', 'b.CSV'\]"):
        french.read_zip_member(raw, "two.zip")


def test_row_with_more_values_than_header():
    lines = _lines("french_factors.csv")
    assert lines[6].startswith("202408,")
    lines[6] += ",   9.99"
    with pytest.raises(ParseError, match=r"row has 5 values but the header has 4 columns \[f.csv, line 7\]"):
        french.parse_french(_join(lines), "f.csv")


def test_row_with_fewer_values_than_header():
    lines = _lines("french_size_blocks.csv")
    assert lines[17].startswith("201912,")  # ew_monthly, second row (line 18)
    lines[17] = lines[17].rsplit(",", 1)[0]
    with pytest.raises(ParseError, match=r"row has 8 values but the header has 9 columns") as exc:
        french.parse_french(_join(lines), "s.csv")
    assert exc.value.line == 18


def test_non_numeric_value():
    lines = _lines("french_factors.csv")
    lines[7] = "202409,   2.05,  n/a,   0.10,   0.43"
    with pytest.raises(ParseError, match=r"non-numeric value 'n/a' \[f.csv, line 8\]"):
        french.parse_french(_join(lines), "f.csv")


def test_invalid_month():
    lines = _lines("french_factors.csv")
    lines[7] = lines[7].replace("202409,", "202413,")
    with pytest.raises(ParseError, match=r"invalid date '202413' \[f.csv, line 8\]"):
        french.parse_french(_join(lines), "f.csv")


def test_duplicated_date():
    lines = _lines("french_factors.csv")
    lines[7] = lines[7].replace("202409,", "202408,")
    with pytest.raises(ParseError, match=r"dates do not increase \(202408 then 202408\) \[f.csv, line 8\]"):
        french.parse_french(_join(lines), "f.csv")


def test_unsorted_dates():
    lines = _lines("french_factors.csv")
    lines[6], lines[7] = lines[7], lines[6]
    with pytest.raises(ParseError, match=r"dates do not increase \(202409 then 202408\) \[f.csv, line 8\]"):
        french.parse_french(_join(lines), "f.csv")


def test_unsorted_daily_dates_in_a_later_block():
    text = _text("french_daily.csv").replace("20240628,  -0.30", "20240625,  -0.30")
    with pytest.raises(ParseError, match=r"dates do not increase \(20240627 then 20240625\)") as exc:
        french.parse_french(text, "d.csv")
    assert exc.value.line == 18


def test_mixed_date_formats():
    lines = _lines("french_factors.csv")
    lines[7] = lines[7].replace("202409,", "20240930,")
    with pytest.raises(ParseError, match=r"mixes date formats \(\[6, 8\] digits\)"):
        french.parse_french(_join(lines), "f.csv")


def test_header_without_rows():
    lines = _lines("french_factors.csv")
    del lines[12:14]  # the two annual rows
    with pytest.raises(ParseError, match=r"has a header but no rows \[f.csv, line 12\]"):
        french.parse_french(_join(lines), "f.csv")


def test_data_row_outside_a_table():
    lines = _lines("french_factors.csv")
    lines.insert(2, "199901,   1.00,   2.00,   3.00,   0.40")
    with pytest.raises(ParseError, match=r"data row outside any table .*line 3\]"):
        french.parse_french(_join(lines), "f.csv")
