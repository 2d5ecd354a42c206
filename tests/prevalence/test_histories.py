"""Capture histories: tables a researcher brings, bundled tables, and a resolved case's people."""

from __future__ import annotations

import pandas as pd
import pytest

from crimnet.datasets import list as list_datasets
from crimnet.datasets import load_capture_histories
from crimnet.prevalence.histories import (
    CaptureHistoryError,
    capture_table,
    cell_counts,
    from_tables,
    read_capture_histories,
)
from crimnet.tables import CanonicalTables


def test_repeated_histories_add_up_and_empty_rows_go() -> None:
    df = pd.DataFrame({"A": [1, 1, 0, 0], "B": [0, 0, 1, 1], "count": [2, 3, 0, 4]})
    t = capture_table(df)
    assert t.to_dict("list") == {"A": [1, 0], "B": [0, 1], "count": [5, 4]}
    assert t.attrs["lists"] == ["A", "B"]


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pd.DataFrame({"A": [1], "B": [0]}), "no 'count' column"),
        (pd.DataFrame({"A": [1], "count": [3]}), "at least two list columns"),
        (pd.DataFrame({"A": [1, 2], "B": [0, 1], "count": [3, 1]}), "row 2, field 'A'"),
        (pd.DataFrame({"A": [1, 0], "B": [0, 1], "count": [3, -1]}), "row 2, field 'count'"),
        (pd.DataFrame({"A": [1, 0], "B": [0, 1], "count": [3, 1.5]}), "row 2, field 'count'"),
        (pd.DataFrame({"A": [0, 1], "B": [0, 1], "count": [3, 1]}), "row 1, field 'count': the history seen by no"),
    ],
)
def test_bad_tables_are_refused_naming_row_and_field(frame: pd.DataFrame, message: str) -> None:
    with pytest.raises(CaptureHistoryError, match=message):
        capture_table(frame, where="lists.csv")


def test_a_researchers_csv_reads_and_errors_name_the_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    good = tmp_path / "lists.csv"
    good.write_text("police, ngo, count\n1,0,10\n0,1,7\n1,1,3\n")
    t = read_capture_histories(good)
    assert t.attrs["lists"] == ["police", "ngo"] and int(t["count"].sum()) == 20
    bad = tmp_path / "bad.csv"
    bad.write_text("police,ngo,count\n1,0,10\n0,x,7\n")
    with pytest.raises(CaptureHistoryError, match=r"bad\.csv: row 2, field 'ngo'"):
        read_capture_histories(bad)
    with pytest.raises(CaptureHistoryError, match="cannot read"):
        read_capture_histories(tmp_path / "missing.csv")


@pytest.mark.parametrize("name", list_datasets(kind="capture_histories")["name"].tolist())
def test_every_bundled_table_reads_as_it_is(name: str) -> None:
    table = load_capture_histories(name)
    lists, counts = cell_counts(table)
    assert lists == table.attrs["lists"]
    assert int(counts.sum()) == int(table["count"].sum())
    assert counts[0] == 0


def _case() -> CanonicalTables:
    persons = pd.DataFrame(
        {
            "id": ["p1", "p2", "p3", "p4", "p5"],
            "sources": [["police"], ["police", "ngo"], ["ngo"], ["council", "ngo"], ["bank"]],
        }
    )
    return CanonicalTables.from_partial({"Person": persons})


def test_histories_of_a_resolved_case() -> None:
    t = from_tables(_case(), sources=["police", "ngo", "council"])
    # p5 is only on 'bank', not a list chosen: left out (the estimate adds those no list saw)
    assert t.attrs["people"] == 4
    assert t.to_dict("list") == {
        "police": [1, 0, 1, 0],
        "ngo": [0, 1, 1, 1],
        "council": [0, 0, 0, 1],
        "count": [1, 1, 1, 1],
    }


def test_histories_of_flagged_people_only() -> None:
    t = from_tables(_case(), people=["p1", "p2", "nobody"])
    assert t.attrs["lists"] == ["ngo", "police"]
    assert t.to_dict("list") == {"ngo": [0, 1], "police": [1, 1], "count": [1, 1]}
    with pytest.raises(CaptureHistoryError, match="fewer than two sources"):
        from_tables(_case(), people=["p1"])
