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
    # T#2 again (its guarantor changed phone), and a new T#3
    pd.DataFrame(
        [
            ["T#2", "Eva Novak", "Li Nguyen", "07700 900003", "07700 900008"],
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
        "tenancy_pairs:T#2#guarantor": "+447700900008",
        "tenancy_pairs:T#3#tenant": "+447700900005",
        "tenancy_pairs:T#3#guarantor": "+447700900006",
    }
    assert merged.counts["Person"] == 6
    # a re-ingested row replaces the person records of both its person nodes (none twice)
    recs = pq.read_table(merged.out / "records.parquet").to_pandas()
    assert sorted(recs["record_id"]) == sorted(k.split(":", 1)[1] for k in phones)
