"""`research data list | status | refresh`, called in-process through research.cli.main."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import pytest

from research import data
from research.cli import main
from research.data import catalog

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(autouse=True)
def _wide_console(monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")  # rich tables: one line per dataset


def _rows(out: str) -> dict[str, list[str]]:
    """Table rows by dataset name: the cells of each `│ name │ ... │` line."""
    rows = {}
    for line in out.splitlines():
        if line.startswith("│"):
            cells = [c.strip() for c in line.strip("│").split("│")]
            rows[cells[0]] = cells
    return rows


def test_list_shows_every_dataset(capsys):
    assert main(["data", "list"]) == 0
    rows = _rows(capsys.readouterr().out)
    assert sorted(rows) == sorted(catalog.names())
    assert rows["dgs2"][1:4] == ["FRED", "daily", "DGS2.csv"]
    assert rows["size_portfolios"][1:4] == ["Kenneth R. French Data Library", "mixed",
                                            "Portfolios_Formed_on_ME.csv"]


def test_data_without_action_prints_help(capsys):
    assert main(["data"]) == 2
    assert "refresh" in capsys.readouterr().out


@pytest.mark.mirror
def test_status_every_dataset_loadable(mirror_env, capsys):
    assert main(["data", "status"]) == 0
    out = capsys.readouterr().out
    rows = _rows(out)
    assert sorted(rows) == sorted(catalog.names())
    for name, cells in rows.items():
        assert cells[1] == "yes", (name, cells)
        assert cells[8] == "locked", (name, cells)  # the locked vintage is in use
    assert rows["rut"][7] == "14"  # flagged rows
    assert rows["size_portfolios"][3:5] == ["202602", "1926-07-31..2026-02-28"]
    assert f"{len(rows)} of {len(rows)} datasets loadable" in out


@pytest.mark.mirror
def test_refresh_one_dataset_from_the_mirror(mirror_env, capsys):
    assert main(["data", "refresh", "ff3_factors"]) == 0
    out = capsys.readouterr().out
    assert "ff3_factors: mirror sha256 cb3ae76b7e2d" in out and "vintage 202510" in out
    assert data.load("ff3_factors").loc["1926-07-31", "Mkt-RF"] == 2.89


@pytest.fixture
def tiny_catalog(isolated_data, monkeypatch):
    """Two datasets: one in the temporary mirror, one nowhere (offline)."""
    raw = (FIXTURES / "fred_fedfunds.csv").read_bytes()
    (isolated_data.mirror / "fred").mkdir()
    (isolated_data.mirror / "fred" / "T_FEDFUNDS.csv").write_bytes(raw)
    good = replace(catalog.CATALOG["fedfunds"], name="t_fedfunds", file="fred/T_FEDFUNDS.csv")
    gone = replace(catalog.CATALOG["dgs2"], name="t_gone", file="fred/T_GONE.csv")
    monkeypatch.setattr(catalog, "CATALOG", {good.name: good, gone.name: gone})
    return good, hashlib.sha256(raw).hexdigest()


def test_refresh_name(tiny_catalog, capsys):
    assert main(["data", "refresh", "t_fedfunds"]) == 0
    out = capsys.readouterr().out
    assert f"t_fedfunds: mirror sha256 {tiny_catalog[1][:12]}" in out
    assert "vintage 2024-03-31" in out


def test_status_reports_a_missing_dataset_and_exits_3(tiny_catalog, capsys):
    assert main(["data", "status"]) == 3
    out = capsys.readouterr().out
    rows = _rows(out)
    assert rows["t_fedfunds"][1] == "yes"
    assert rows["t_gone"][1] == "NO"
    assert "DataUnavailable" in rows["t_gone"][9]
    assert "1 of 2 datasets loadable; failing: t_gone" in out


def test_refresh_all_continues_after_a_failure(tiny_catalog, capsys):
    assert main(["data", "refresh"]) == 3
    out = capsys.readouterr().out
    assert "t_fedfunds: mirror sha256" in out
    assert "t_gone: DataUnavailable" in out


def test_refresh_unknown_name_exits_3_with_a_suggestion(isolated_data, capsys):
    assert main(["data", "refresh", "rutt"]) == 3
    err = capsys.readouterr().err
    assert "unknown dataset 'rutt'" in err
    assert "Did you mean: rut" in err
