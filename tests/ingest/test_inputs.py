"""Ingest inputs and evidence: record ids holding '#' survive a batch merge, padded CSV headers,
numeric Parquet/DataFrame columns, and placeholder names."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from crimnet.ingest.pipeline import ingest

# police_intel rows in the format of docs/sources.md
_POLICE = ["URN", "SURNAME", "FORENAMES", "DOB", "NATIONALITY", "GENDER", "PHONE", "ADDRESS", "POSTCODE", "VRM",
           "INTEL_DATE"]  # fmt: skip


def _police(urns: list[str], people: list[tuple[str, str]], phones: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "URN": urns,
            "SURNAME": [f for _, f in people],
            "FORENAMES": [g for g, _ in people],
            "DOB": [f"{10 + i:02d}/03/1990" for i in range(len(urns))],
            "NATIONALITY": "ROMANIA",
            "GENDER": "F",
            "PHONE": phones,
            "ADDRESS": [f"{i + 1} High Street" for i in range(len(urns))],
            "POSTCODE": "LS1 4AB",
            "VRM": "",
            "INTEL_DATE": "01/02/2024",
        }
    )[_POLICE]


def _phones_of(tables) -> dict[str, str]:
    """Person record key -> the phone its person uses (one phone per person in these cases)."""
    people = tables.nodes["Person"]
    uses = tables.rels["USES_PHONE"]
    phone = dict(zip(uses["src"], uses["dst"], strict=True))
    return {r: phone.get(pid) for pid, recs in zip(people["id"], people["record_ids"], strict=True) for r in recs}


# --- finding 1: '#' in record ids and batch merges --------------------------------------------------------


def test_merge_keeps_records_whose_ids_hold_a_hash(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    _police(["INC#001", "INC#003"], [("Ana", "Popescu"), ("Ion", "Ionescu")], ["07700 900001", "07700 900003"]).to_csv(
        a / "police_intel.csv", index=False
    )
    _police(["INC#002"], [("Maria", "Kowalski")], ["07700 900002"]).to_csv(b / "police_intel.csv", index=False)
    first = ingest(a, tmp_path / "o1")
    merged = ingest(b, tmp_path / "o2", previous=first.out)
    t = merged.tables
    assert merged.counts["Person"] == 3
    assert merged.counts["USES_PHONE"] == 3
    assert _phones_of(t) == {
        "police_intel:INC#001": "+447700900001",
        "police_intel:INC#002": "+447700900002",
        "police_intel:INC#003": "+447700900003",
    }
    # the records kept for the next batch hold all three
    recs = pq.read_table(merged.out / "records.parquet").to_pandas()
    assert sorted(recs["record_id"]) == ["INC#001", "INC#002", "INC#003"]
    # and the merge equals one ingest of both batches
    both = tmp_path / "both"
    both.mkdir()
    pd.concat([pd.read_csv(a / "police_intel.csv", dtype=str), pd.read_csv(b / "police_intel.csv", dtype=str)]).to_csv(
        both / "police_intel.csv", index=False
    )
    once = ingest(both, tmp_path / "o3")
    assert once.counts == merged.counts


def test_merge_replaces_a_reingested_hash_id_only(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    _police(["INC#001", "INC#002"], [("Ana", "Popescu"), ("Ion", "Ionescu")], ["07700 900001", "07700 900002"]).to_csv(
        a / "police_intel.csv", index=False
    )
    # INC#002 again, with a new phone: its earlier phone link goes, INC#001 stays
    _police(["INC#002"], [("Ion", "Ionescu")], ["07700 900009"]).to_csv(b / "police_intel.csv", index=False)
    merged = ingest(b, tmp_path / "o2", previous=ingest(a, tmp_path / "o1").out)
    assert _phones_of(merged.tables) == {
        "police_intel:INC#001": "+447700900001",
        "police_intel:INC#002": "+447700900009",
    }


_TWO_PEOPLE_SPEC = """\
[source]
name = "tenancy_pairs"
files = ["tenancy_pairs*.csv"]
record_id = "ref"

[fields]
tenant    = { column = "tenant", kind = "name", required = true }
guarantor = { column = "guarantor", kind = "name" }
t_phone   = { column = "tenant_phone", kind = "phone", region = "GB" }
g_phone   = { column = "guarantor_phone", kind = "phone", region = "GB" }

[nodes]
tenant    = { label = "Person", name = "tenant" }
guarantor = { label = "Person", name = "guarantor" }
tphone    = { label = "Phone", id = "t_phone" }
gphone    = { label = "Phone", id = "g_phone" }

[[rels]]
type = "USES_PHONE"
src = "tenant"
dst = "tphone"

[[rels]]
type = "USES_PHONE"
src = "guarantor"
dst = "gphone"
"""


def test_merge_with_several_person_nodes_and_hash_ids(tmp_path):
    spec = tmp_path / "tenancy_pairs.toml"
    spec.write_text(_TWO_PEOPLE_SPEC)
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    cols = ["ref", "tenant", "guarantor", "tenant_phone", "guarantor_phone"]
    pd.DataFrame(
        [
            ["T#1", "Ana Popescu", "Ion Popescu", "07700 900001", "07700 900002"],
            ["T#2", "Eva Novak", "Li Nguyen", "07700 900003", "07700 900004"],
        ],
        columns=cols,
    ).to_csv(a / "tenancy_pairs.csv", index=False)
    # T#2 again, now without a guarantor (the earlier one goes with the row), and a new T#3
    pd.DataFrame(
        [
            ["T#2", "Eva Novak", "", "07700 900003", ""],
            ["T#3", "Sara Ali", "Tomas Horvath", "07700 900005", "07700 900006"],
        ],
        columns=cols,
    ).to_csv(b / "tenancy_pairs.csv", index=False)
    merged = ingest(b, tmp_path / "o2", specs=spec, previous=ingest(a, tmp_path / "o1", specs=spec).out)
    phones = _phones_of(merged.tables)
    assert phones == {
        "tenancy_pairs:T#1#tenant": "+447700900001",
        "tenancy_pairs:T#1#guarantor": "+447700900002",
        "tenancy_pairs:T#2#tenant": "+447700900003",
        "tenancy_pairs:T#3#tenant": "+447700900005",
        "tenancy_pairs:T#3#guarantor": "+447700900006",
    }
    assert merged.counts["Person"] == 5
    # a re-ingested row replaces the person records of both its person nodes (none twice)
    recs = pq.read_table(merged.out / "records.parquet").to_pandas()
    assert sorted(recs["record_id"]) == sorted(k.split(":", 1)[1] for k in phones)


# --- finding 2: CSV headers padded with spaces ------------------------------------------------------------


def _police_csv(path: Path, header: list[str]) -> None:
    df = _police(["U1", "U2"], [("Ana", "Popescu"), ("Ion", "Ionescu")], ["07700 900001", "07700 900002"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(",".join(header) + "\n" + df.to_csv(index=False, header=False))


def test_padded_csv_header_reads_as_the_trimmed_names(tmp_path):
    from crimnet.ingest.readers import iter_chunks, read_header

    padded = [f"  {c} " if i % 2 else f"{c}\t" for i, c in enumerate(_POLICE)]
    _police_csv(tmp_path / "padded" / "police_intel.csv", padded)
    _police_csv(tmp_path / "plain" / "police_intel.csv", _POLICE)
    header, delim = read_header(tmp_path / "padded" / "police_intel.csv")
    assert header == _POLICE and delim == ","
    (chunk,) = iter_chunks(tmp_path / "padded" / "police_intel.csv", ["URN", "SURNAME", "PHONE"])
    assert chunk.data.to_dict("list") == {
        "URN": ["U1", "U2"],
        "SURNAME": ["Popescu", "Ionescu"],
        "PHONE": ["07700 900001", "07700 900002"],
    }
    assert chunk.rows.tolist() == [1, 2] and chunk.bad == []
    a = ingest(tmp_path / "padded", tmp_path / "o1")
    b = ingest(tmp_path / "plain", tmp_path / "o2")
    assert a.counts == b.counts and a.counts["Person"] == 2 and a.counts["USES_PHONE"] == 2
    assert len(a.quarantine) == 0


def test_quoted_header_name_with_a_newline_and_malformed_rows_keep_row_numbers(tmp_path):
    from crimnet.ingest.readers import iter_chunks

    path = tmp_path / "x.csv"
    path.write_text(' id ,"two\nlines"\n1,a\n2,b,extra\n3,"c\nd"\n')
    (chunk,) = iter_chunks(path, ["id", "two\nlines"])
    assert chunk.data.to_dict("list") == {"id": ["1", "3"], "two\nlines": ["a", "c\nd"]}
    assert chunk.rows.tolist() == [1, 3]
    assert [(b.row, b.field) for b in chunk.bad] == [(2, "")]


def test_long_header_is_read_whole(tmp_path):
    from crimnet.ingest.readers import iter_chunks, read_header

    cols = [f"column_with_a_long_name_{i:04d}" for i in range(400)]  # about 12 KB of header
    path = tmp_path / "wide.csv"
    path.write_text(",".join(cols) + "\n" + ",".join(str(i) for i in range(400)) + "\n")
    header, _ = read_header(path)
    assert header == cols
    (chunk,) = iter_chunks(path, [cols[0], cols[-1]])
    assert chunk.data.iloc[0].tolist() == ["0", "399"]


def test_column_named_twice_after_trimming_is_an_ingest_error(tmp_path):
    from crimnet.errors import IngestError
    from crimnet.ingest.readers import iter_chunks

    path = tmp_path / "dup.csv"
    path.write_text("id,name, name \n1,a,b\n")
    with pytest.raises(IngestError, match=r"dup.csv: the header names column 'name' 2 times"):
        list(iter_chunks(path, ["id", "name"]))
    assert [c.data["id"].tolist() for c in iter_chunks(path, ["id"])] == [["1"]]


def test_missing_csv_column_is_an_ingest_error_naming_the_file(tmp_path):
    from crimnet.errors import IngestError
    from crimnet.ingest.readers import iter_chunks

    path = tmp_path / "few.csv"
    path.write_text("id,name\n1,a\n")
    with pytest.raises(IngestError, match=r"few.csv: the header lacks columns \['dob'\]"):
        list(iter_chunks(path, ["id", "dob"]))


# --- finding 3: numbers in Parquet and DataFrame sources ----------------------------------------------------


def _numeric_customers() -> pd.DataFrame:
    """bank_customers with identifiers stored as numbers: floats with gaps, nullable and plain integers."""
    return pd.DataFrame(
        {
            "customer_ref": ["C1", "C2", "C3"],
            "full_name": ["Ana Popescu", "Ion Ionescu", "Eva Novak"],
            "birth_date": [19900102.0, np.nan, 19851231.0],  # float: a gap makes the column float
            "sort_code": pd.array([123456, 654321, 40004], dtype="Int64"),  # '04-00-04' lost its zero
            "account_number": [12345678.0, 87654321.0, np.nan],
            "iban": [None, None, None],
            "mobile": [447700900001.0, np.nan, 447700900003.0],
            "home_address": ["1 High Street", "2 High Street", "3 High Street"],
            "home_postcode": ["LS1 4AB", "LS1 4AB", "LS1 4AB"],
            "opened": ["2020-05-01", "2020-05-01", "2020-05-01"],
        }
    )


def _check_numeric_customers(res) -> None:
    t = res.tables
    assert res.summary["rows_loaded"].tolist() == [3]
    q = res.quarantine
    # only C3's sort code is refused, saying why; no float text ('.0') reaches a normaliser
    assert q[["row", "field"]].astype(str).values.tolist() == [["3", "sort_code"]]
    assert (
        q["reason"].iloc[0] == "'40004' is not a sort code (6 digits; stored as a number, it lost its leading zeros?)"
    )
    assert sorted(t.nodes["Account"]["id"]) == ["123456:12345678", "654321:87654321"]
    assert sorted(t.nodes["Phone"]["id"]) == ["+447700900001", "+447700900003"]
    assert sorted(t.nodes["Person"]["dob"].dropna()) == ["1985-12-31", "1990-01-02"]


def test_numeric_dataframe_columns_load(tmp_path):
    _check_numeric_customers(ingest({"bank_customers": _numeric_customers()}, tmp_path / "out"))


def test_numeric_parquet_columns_load(tmp_path):
    path = tmp_path / "bank_customers.parquet"
    table = pa.Table.from_pandas(_numeric_customers(), preserve_index=False)
    assert table.schema.field("sort_code").type == pa.int64() and table.schema.field("mobile").type == pa.float64()
    pq.write_table(table, path)
    _check_numeric_customers(ingest(path, tmp_path / "out"))


def test_numeric_text_is_exact(tmp_path):
    from crimnet.ingest.readers import iter_chunks

    df = pd.DataFrame(
        {
            "big": pd.array([9007199254740993, None], dtype="Int64"),  # above 2**53: exact as an integer
            "f": [1.5, 2.0],
            "mixed": pd.Series(["a", 3.0], dtype=object),
            "neg": [-7.0, np.nan],
        }
    )
    (chunk,) = iter_chunks(df, list(df.columns))
    assert chunk.data.astype(object).where(chunk.data.notna(), None).to_dict("list") == {
        "big": ["9007199254740993", None],
        "f": ["1.5", "2"],
        "mixed": ["a", "3"],
        "neg": ["-7", None],
    }
    # the same from Parquet: an integer column with nulls is not read through float
    typed = df.drop(columns="mixed")  # Parquet columns have one type
    plain = pa.Table.from_pandas(typed, preserve_index=False).replace_schema_metadata(None)  # as other tools write
    pq.write_table(plain, tmp_path / "n.parquet")
    (back,) = iter_chunks(tmp_path / "n.parquet", list(typed.columns))
    pd.testing.assert_frame_equal(back.data, chunk.data[list(typed.columns)])


# --- finding 4: placeholder names ---------------------------------------------------------------------------


def test_placeholder_names_quarantine_the_row(tmp_path):
    people = [("Ana", "Popescu"), ("UNKNOWN", "UNKNOWN"), ("N/A", ""), ("Mr", ""), ("", "NOT KNOWN"), ("Li", "Na")]
    urns = [f"U{i}" for i in range(1, len(people) + 1)]
    _police(urns, people, [f"07700 90000{i}" for i in range(1, len(people) + 1)]).to_csv(
        tmp_path / "police_intel.csv", index=False
    )
    res = ingest(tmp_path / "police_intel.csv", tmp_path / "out")
    q = res.quarantine
    assert q[["row", "field", "action"]].astype(str).values.tolist() == [
        ["2", "FORENAMES+SURNAME", "row quarantined"],
        ["3", "FORENAMES+SURNAME", "row quarantined"],
        ["4", "FORENAMES+SURNAME", "row quarantined"],
        ["5", "FORENAMES+SURNAME", "row quarantined"],
    ]
    assert q["reason"].tolist() == [
        "'UNKNOWN UNKNOWN' is not a name (a placeholder for an unknown name)",
        "'N/A' is not a name (a placeholder for an unknown name)",
        "'Mr' is not a name (a title alone)",
        "'NOT KNOWN' is not a name (a placeholder for an unknown name)",
    ]
    assert sorted(res.resolution["record_id"]) == ["U1", "U6"]
    assert sorted(res.tables.nodes["Person"]["name"]) == ["ana popescu", "li na"]


def test_placeholder_in_an_optional_name_drops_the_field(tmp_path):
    spec = tmp_path / "tenancy_pairs.toml"
    spec.write_text(_TWO_PEOPLE_SPEC)
    pd.DataFrame(
        [["T1", "Ana Popescu", "Unknown", "07700 900001", "07700 900002"]],
        columns=["ref", "tenant", "guarantor", "tenant_phone", "guarantor_phone"],
    ).to_csv(tmp_path / "tenancy_pairs.csv", index=False)
    res = ingest(tmp_path / "tenancy_pairs.csv", tmp_path / "out", specs=spec)
    assert res.quarantine[["field", "action"]].values.tolist() == [["guarantor", "field dropped"]]
    assert res.tables.nodes["Person"]["name"].tolist() == ["ana popescu"]


def test_relationship_absent_from_every_row_of_a_chunk(tmp_path):
    # no row has a guarantor: its USES_PHONE part is empty and must stay empty (it once became one NA row)
    spec = tmp_path / "tenancy_pairs.toml"
    spec.write_text(_TWO_PEOPLE_SPEC)
    pd.DataFrame(
        [["T1", "Ana Popescu", "", "07700 900001", "07700 900002"], ["T2", "Ion Ionescu", "", "07700 900003", ""]],
        columns=["ref", "tenant", "guarantor", "tenant_phone", "guarantor_phone"],
    ).to_csv(tmp_path / "tenancy_pairs.csv", index=False)
    res = ingest(tmp_path / "tenancy_pairs.csv", tmp_path / "out", specs=spec)
    assert len(res.quarantine) == 0
    assert _phones_of(res.tables) == {
        "tenancy_pairs:T1#tenant": "+447700900001",
        "tenancy_pairs:T2#tenant": "+447700900003",
    }
    assert sorted(res.tables.nodes["Phone"]["id"]) == ["+447700900001", "+447700900002", "+447700900003"]


# --- finding 5: event ids of a spec with two relationships of one event type --------------------------------

_TWO_CALLS_SPEC = """\
[source]
name = "call_pairs"
files = ["call_pairs*.csv"]
record_id = "id"

[fields]
a = { column = "from", kind = "phone", region = "GB", required = true }
b = { column = "to", kind = "phone" }
c = { column = "cc", kind = "phone" }

[nodes]
a = { label = "Phone", id = "a" }
b = { label = "Phone", id = "b" }
c = { label = "Phone", id = "c" }

[[rels]]
type = "CALLED"
src = "a"
dst = "b"

[[rels]]
type = "CALLED"
src = "a"
dst = "c"
"""


def test_second_event_of_a_row_never_collides_with_a_record_id(tmp_path):
    spec = tmp_path / "call_pairs.toml"
    spec.write_text(_TWO_CALLS_SPEC)
    rows = "id,from,to,cc\nR1,07700900001,07700900002,07700900003\nR1#2,07700900004,07700900005,\n"
    (tmp_path / "call_pairs.csv").write_text(rows)
    res = ingest(tmp_path / "call_pairs.csv", tmp_path / "out", specs=spec)
    called = res.tables.rels["CALLED"].sort_values("id")
    assert called["id"].tolist() == ["call_pairs#2:R1", "call_pairs:R1", "call_pairs:R1#2"]
    assert called["dst"].tolist() == ["+447700900003", "+447700900002", "+447700900005"]
    assert [list(r) for r in called["record_ids"]] == [["call_pairs:R1"], ["call_pairs:R1"], ["call_pairs:R1#2"]]
    # the same rows in two batches
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    lines = rows.splitlines()
    (a / "call_pairs.csv").write_text("\n".join(lines[:2]) + "\n")
    (b / "call_pairs.csv").write_text("\n".join([lines[0], lines[2]]) + "\n")
    merged = ingest(b, tmp_path / "o2", specs=spec, previous=ingest(a, tmp_path / "o1", specs=spec).out)
    assert merged.tables.rels["CALLED"].sort_values("id")["id"].tolist() == called["id"].tolist()


def test_duplicate_event_ids_raise_instead_of_dropping_a_row():
    from crimnet.errors import IngestError
    from crimnet.ingest.build import Evidence, build_tables

    ev = Evidence()
    ev.events["CALLED"] = pd.DataFrame(
        {
            "id": ["s:1", "s:1"],
            "src": ["+447700900001", "+447700900003"],
            "dst": ["+447700900002", "+447700900004"],
            "ts": [None, None],
            "duration_s": pd.array([None, None], dtype="Int64"),
            "source": ["s", "s"],
            "record": ["s:1", "s:1"],
        }
    )
    with pytest.raises(IngestError, match="CALLED: event id 's:1' is given by two evidence rows"):
        build_tables(ev, pd.Series(dtype=object)).rels["CALLED"]


def test_chunks_typing_a_text_column_differently_concatenate(tmp_path):
    # chunk 1 has a cc phone, chunk 2 has none: their Phone parts type 'record' differently
    spec = tmp_path / "call_pairs.toml"
    spec.write_text(_TWO_CALLS_SPEC)
    df = pd.DataFrame(
        [["R1", "07700900001", "07700900002", "07700900003"], ["R2", "07700900004", "07700900005", None]],
        columns=["id", "from", "to", "cc"],
    )
    res = ingest({"call_pairs": df}, tmp_path / "out", specs=spec, chunk_rows=1)  # one row a chunk
    assert res.counts["Phone"] == 5 and res.counts["CALLED"] == 3
