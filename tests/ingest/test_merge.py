"""Merging ingest batches (``previous=``): earlier quarantine and summary rows, the resolution audit
trail, and errors for a damaged earlier output."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from crimnet.errors import IngestError
from crimnet.ingest.pipeline import ingest
from crimnet.ingest.quarantine import QUARANTINE_COLUMNS

HEADER = "URN,SURNAME,FORENAMES,DOB,NATIONALITY,GENDER,PHONE,ADDRESS,POSTCODE,VRM,INTEL_DATE\n"


def _row(urn: str, surname: str = "POPESCU", given: str = "Ana", dob: str = "04/03/1990", phone: str = "07700 900123"):
    return f"{urn},{surname},{given},{dob},ROMANIA,F,{phone},12 High Street,LS1 4AB,AB12 CDE,01/02/2024\n"


def _months(tmp_path):
    """jan/ and feb/ each hold a police_intel.csv (monthly extracts keep their file name)."""
    jan, feb = tmp_path / "jan", tmp_path / "feb"
    jan.mkdir()
    feb.mkdir()
    # jan: U1 and U4 are one person (same name, date of birth, postcode); two quarantine entries
    (jan / "police_intel.csv").write_text(
        HEADER + _row("U1") + _row("U2", dob="31/02/1990") + "U3,SMITH,John,01/01/1980\n" + _row("U4")
    )
    # feb: clean, other people
    (feb / "police_intel.csv").write_text(
        HEADER + _row("U5", "JONES", "Mary", "01/01/1970", "07700 900555")
        + _row("U6", "KOWALSKI", "Piotr", "02/02/1982", "07700 900666")
    )  # fmt: skip
    return jan, feb


@pytest.fixture(scope="module")
def jan_ingested(tmp_path_factory):
    """jan/ and feb/ (:func:`_months`) and jan's ingest output, built once: tests read it as an earlier batch
    (``previous=``), never change it."""
    root = tmp_path_factory.mktemp("months")
    jan, feb = _months(root)
    return jan, feb, ingest(jan, root / "o1")


def _sorted(df: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    return df.sort_values(by, kind="stable").reset_index(drop=True)


def test_same_file_names_in_two_batches_keep_earlier_rows(tmp_path):
    jan, feb = _months(tmp_path)
    out = tmp_path / "out"
    first = ingest(jan, out)
    assert sorted(first.quarantine["row"]) == [2, 3] and len(first.summary) == 1
    second = ingest(feb, out, previous=out)  # the usual monthly run: merge into the same output
    # jan's rejected rows are kept although feb has a file of the same name
    pd.testing.assert_frame_equal(second.quarantine, first.quarantine)
    s = second.summary
    assert s["file"].tolist() == ["police_intel.csv", "police_intel.csv"]
    assert s["rows_read"].tolist() == [4, 2] and s["rows_quarantined"].tolist() == [1, 0]
    assert s["fields_dropped"].tolist() == [1, 0]
    assert (s["rows_read"] == s["rows_loaded"] + s["rows_quarantined"]).all()
    assert s["sha256"].nunique() == 2 and s["sha256"].str.fullmatch(r"[0-9a-f]{64}").all()
    assert set(first.quarantine["sha256"]) == {s["sha256"].iloc[0]}
    # the files written match
    written = pd.read_csv(out / "quarantine.csv", dtype=str, keep_default_na=False)
    assert list(written.columns) == QUARANTINE_COLUMNS and len(written) == 2
    assert pd.read_csv(out / "summary.csv")["rows_read"].tolist() == [4, 2]
    # the very same content ingested again replaces its earlier rows (never doubles them)
    third = ingest(jan, out, previous=out)
    pd.testing.assert_frame_equal(third.quarantine, first.quarantine)
    pd.testing.assert_frame_equal(_sorted(third.summary, ["rows_read"]), _sorted(second.summary, ["rows_read"]))
    assert sorted(third.resolution["record_id"]) == ["U1", "U2", "U4", "U5", "U6"]


def test_same_dataframe_name_in_two_batches_keeps_earlier_rows(tmp_path):
    jan, feb = _months(tmp_path)
    frames = [pd.read_csv(d / "police_intel.csv", dtype=str, keep_default_na=False) for d in (jan, feb)]
    first = ingest({"police_intel": frames[0]}, tmp_path / "a")
    assert first.quarantine["row"].tolist() == [2]  # the bad date (pandas padded the short line: it loads)
    second = ingest({"police_intel": frames[1]}, tmp_path / "b", previous=first.out)
    pd.testing.assert_frame_equal(second.quarantine, first.quarantine)
    assert second.summary["file"].tolist() == ["<DataFrame police_intel>"] * 2
    assert second.summary["rows_read"].tolist() == [4, 2]
    again = ingest({"police_intel": frames[0]}, tmp_path / "c", previous=second.out)
    assert len(again.quarantine) == 1 and sorted(again.summary["rows_read"]) == [2, 4]


def test_merge_keeps_the_resolution_audit_trail(jan_ingested, tmp_path):
    _, feb, first = jan_ingested
    rules = first.resolution.set_index("record_id")["rule"]
    assert rules["U1"] == rules["U4"] and rules["U1"] not in ("singleton", "existing")
    second = ingest(feb, tmp_path / "o2", previous=first.out)
    third = ingest(feb, tmp_path / "o3", previous=second.out)
    for res in (second, third):
        got = res.resolution.set_index("record_id")
        # why U1 and U4 became one person survives later batches
        pd.testing.assert_frame_equal(
            got.loc[["U1", "U4"]], first.resolution.set_index("record_id").loc[["U1", "U4"]], check_like=True
        )
        assert got.loc[["U5", "U6"], "rule"].tolist() == ["singleton", "singleton"]


@pytest.mark.parametrize(
    ("name", "damage", "message"),
    [
        ("records.parquet", "delete", "records.parquet: missing from the previous ingest output"),
        ("resolution.parquet", "garble", "resolution.parquet: cannot read this file of the previous ingest output"),
        ("quarantine.csv", "delete", "quarantine.csv: missing from the previous ingest output"),
        ("summary.csv", "garble", "summary.csv: (cannot read|lacks the columns)"),
        ("ingest.json", "garble", "ingest.json: cannot read this ingest's parameters"),
        ("evidence", "delete", "evidence: missing from the previous ingest output"),
        ("evidence/nodes_Phone.parquet", "garble", r"evidence/nodes_Phone.parquet: cannot read this file"),
    ],
)
def test_damaged_previous_output_is_an_ingest_error(jan_ingested, tmp_path, name, damage, message):
    _, feb, first = jan_ingested
    previous = tmp_path / "o1"
    shutil.copytree(first.out, previous)  # the module's jan output, damaged in a copy
    path = previous / name
    assert path.exists()
    if damage == "delete":
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    else:
        path.write_bytes(b"\x00garbage\xff" * 3)
    with pytest.raises(IngestError, match=message):
        ingest(feb, tmp_path / "o2", previous=previous)


def test_earlier_output_without_content_hashes_keeps_its_rows(jan_ingested, tmp_path):
    # outputs written before the sha256 column existed: their rows are never taken for this batch's
    _, feb, first = jan_ingested
    previous = tmp_path / "o1"
    shutil.copytree(first.out, previous)  # the module's jan output, its hashes dropped in a copy
    for name in ("summary.csv", "quarantine.csv"):
        df = pd.read_csv(previous / name, dtype=str, keep_default_na=False)
        df.drop(columns="sha256").to_csv(previous / name, index=False)
    second = ingest(feb, tmp_path / "o2", previous=previous)
    assert second.quarantine["sha256"].tolist() == ["", ""] and second.quarantine["row"].tolist() == [2, 3]
    assert second.summary["rows_read"].tolist() == [4, 2] and second.summary["sha256"].iloc[0] == ""
    assert list(second.quarantine.columns) == QUARANTINE_COLUMNS
